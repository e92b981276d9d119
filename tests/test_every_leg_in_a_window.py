"""A scenario with no free category, where every leg falls inside a fare window, runs and writes its
results (it once passed ``validate`` and crashed ``run`` with a numpy casting error while clearing)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from otrip_sim.cli import main


def _no_free_category(doc):
    doc["demand"]["categories"] = [{"id": "adult", "share": 1.0, "value_of_time": 9320}]
    doc["fares"]["categories"] = []


def test_every_leg_in_a_window_runs_and_clears_all_revenue(write_scenario, tmp_path):
    scenario = write_scenario(_no_free_category)
    runner = CliRunner()
    assert runner.invoke(main, ["validate", str(scenario)]).exit_code == 0
    out = tmp_path / "out"
    args = ["run", str(scenario), "--out", str(out), "--demand-scale", "0.1", "--seed", "2"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    legs = pd.read_parquet(out / "legs.parquet")
    assert (legs["window"] >= 0).all()  # the case at hand: no leg outside a window
    flows = pd.read_csv(out / "revenue_flows.csv")
    assert flows["amount"].dtype == np.int64
    assert int(flows["amount"].sum()) == summary["totals"]["fare_revenue"] == int(legs["fare"].sum())
