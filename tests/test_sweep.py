"""``sweep``: the grid and its tidy table, the Pareto front of ridership against subsidy, a point the
scenario checks refuse, and ``--resume`` after an interruption giving the uninterrupted results."""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from otrip_sim.cli import main
from otrip_sim.errors import InputError
from otrip_sim.sweep import parse_param, runs_folder, sweep

sweep_module = importlib.import_module("otrip_sim.sweep")  # the module, not the function

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
CAP = "fares.windows[0].cap"


def test_parse_param() -> None:
    assert parse_param("fares.windows[0].cap=4000,6000") == (CAP, [4000, 6000])
    with pytest.raises(InputError, match="given twice"):
        parse_param("fares.windows[0].cap=4000,4000")
    with pytest.raises(InputError, match="PATH=V1,V2"):
        parse_param("fares.windows[0].cap")


def test_sweep_command_writes_grid_pareto_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    r = CliRunner().invoke(main, ["sweep", str(TINY), "--param", f"{CAP}=5000,7000,9000", "--replications",
                                  "2", "--demand-scale", "0.2", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:3]) == [CAP, "metric", "unit"]
    assert list(table[CAP].unique()) == [5000, 7000, 9000]
    fare = table[table["metric"] == "fare_revenue"].set_index(CAP)
    assert fare.loc[5000, "mean"] != fare.loc[9000, "mean"]  # the cap matters
    # the paired change is the change of the means
    assert fare.loc[9000, "delta_vs_first"] == pytest.approx(fare.loc[9000, "mean"] - fare.loc[5000, "mean"])
    assert (fare["ci_low"] <= fare["mean"]).all() and (fare["mean"] <= fare["ci_high"]).all()
    assert fare.loc[5000, "delta_vs_first"] == 0
    pareto = pd.read_csv(out / "pareto.csv")
    assert len(pareto) == 3 and pareto["dominated"].dtype == bool
    assert (~pareto["dominated"]).any()  # something is always on the front
    assert (out / "pareto.png").is_file() and (out / "plots" / "subsidy.png").is_file()
    assert not runs_folder(out).exists()  # complete: nothing left to resume


def test_a_point_the_checks_refuse_stops_the_sweep_before_it_runs(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["sweep", str(TINY), "--param", f"{CAP}=6000,3000", "--out",
                                  str(tmp_path / "x")])
    assert r.exit_code == 2
    assert "tiny.yaml: fares.windows[0].cap: the cap is below a bus fare" in r.output
    assert not (tmp_path / "x").exists()


def test_resume_after_an_interruption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = [(CAP, [5000, 8000])]
    whole = sweep(TINY, params, 2, demand_scale=0.2)
    runs = tmp_path / "sw.runs"
    calls = []
    real = sweep_module.run_job

    def interrupted(job):  # the third run is interrupted (Ctrl-C)
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(job)
        return real(job)

    monkeypatch.setattr(sweep_module, "run_job", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sweep(TINY, params, 2, demand_scale=0.2, runs=runs)
    assert len(list(runs.glob("*.json"))) == 2
    calls.clear()
    monkeypatch.setattr(sweep_module, "run_job", lambda job: calls.append(job) or real(job))
    resumed = sweep(TINY, params, 2, demand_scale=0.2, runs=runs, resume=True)
    assert len(calls) == 2  # only the runs not finished before
    assert resumed.reps == whole.reps
    pd.testing.assert_frame_equal(resumed.table(), whole.table())
