"""operators.csv, the per-operator table for planners, and summary.json's subsidy over all payers
with its split and its annual figures: exact integer money, rounded ratios, a year from the
weekday-equivalent factors."""

from __future__ import annotations

import copy
import json
import re

import pandas as pd
import pytest
import yaml

import otrip_sim
from otrip_sim.output import OPERATORS_COLUMNS

MONEY = ["fare_revenue", "fare_revenue_cleared", "clearing_gain", "fares_to_payer", "fares_kept", "cost",
         "payment", "net_income", "subsidy", "fare_lost_evasion", "annual_fare_revenue",
         "annual_fare_revenue_cleared", "annual_payment", "annual_subsidy"]
FACTORS = {"bus": 295, "metro": 323.5}


@pytest.fixture(scope="module")
def folder(tmp_path_factory, tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["money"] = {
        "contracts": {
            "bus": {"kind": "gross_cost", "payer": "city", "rate_per_vehicle_km": 3459},
            "metro": {"kind": "deficit", "payer": "national", "cost_per_vehicle_km": 40000,
                      "cost_per_vehicle_hour": 100000},
        },
        "weekdays_per_year": FACTORS,
    }
    base = tmp_path_factory.mktemp("ops")
    path = base / "ops.yaml"
    path.write_text(yaml.safe_dump(doc))
    res = otrip_sim.run(path, seed=4, demand_scale=0.4, sample=0.5)
    otrip_sim.write_results(res, base / "out")
    return base / "out"


def test_operators_csv_columns_and_exact_integer_money(folder):
    text = pd.read_csv(folder / "operators.csv", dtype=str, keep_default_na=False)
    assert list(text.columns) == [*OPERATORS_COLUMNS, "sample"]
    for col in MONEY:
        for cell in text[col]:
            assert re.fullmatch(r"-?\d+", cell), (col, cell)  # never 1.2e9, never 12.0
    ops = pd.read_csv(folder / "operators.csv").set_index("operator")
    s = json.loads((folder / "summary.json").read_text())
    for op, o in s["operators"].items():
        for col in ("fare_revenue", "fare_revenue_cleared", "payment", "subsidy", "cost"):
            assert ops.loc[op, col] == o[col]
    assert ops["clearing_gain"].sum() == 0  # clearing conserves money
    assert (ops["clearing_gain"] == ops["fare_revenue_cleared"] - ops["fare_revenue"]).all()


def test_other_figures_rounded_per_column(folder):
    text = pd.read_csv(folder / "operators.csv", dtype=str, keep_default_na=False)
    decimals = {"passenger_km": 1, "vehicle_km": 1, "vehicle_hours": 1, "km_per_vehicle": 1,
                "fare_per_boarding": 1, "subsidy_per_boarding": 1, "subsidy_per_tap": 1,
                "revenue_per_passenger_km": 1, "farebox_recovery": 4}
    for col, d in decimals.items():
        for cell in text[col]:
            if cell:
                assert re.fullmatch(rf"-?\d+(\.\d{{1,{d}}})?", cell), (col, cell)
    ops = pd.read_csv(folder / "operators.csv").set_index("operator")
    res_km = pd.read_csv(folder / "by_operator.csv").set_index("operator")["passenger_km"]
    assert (ops["passenger_km"] == res_km).all()  # the deprecated table holds the same numbers
    # farebox recovery: cleared fares ÷ cost, for the operator with a cost
    metro = ops.loc["metro"]
    assert metro["farebox_recovery"] == round(metro["fare_revenue_cleared"] / metro["cost"], 4)


def test_annual_figures_are_the_day_times_the_weekday_factor(folder):
    ops = pd.read_csv(folder / "operators.csv").set_index("operator")
    s = json.loads((folder / "summary.json").read_text())
    for op, factor in FACTORS.items():
        assert ops.loc[op, "weekdays_per_year"] == factor
        for col in ("fare_revenue", "fare_revenue_cleared", "payment", "subsidy"):
            assert ops.loc[op, f"annual_{col}"] == round(ops.loc[op, col] * factor)
            assert s["annual"]["operators"][op][col] == ops.loc[op, f"annual_{col}"]
    annual = s["annual"]["totals"]
    assert annual["subsidy"] == annual["subsidy_city"] + annual["subsidy_national"]
    assert annual["subsidy_city"] == round(s["operators"]["bus"]["subsidy"] * 295)
    assert annual["subsidy_national"] == round(s["operators"]["metro"]["subsidy"] * 323.5)
    assert "weekday equivalents" in s["annual"]["basis"]


def test_summary_subsidy_over_all_payers_with_the_split(folder):
    s = json.loads((folder / "summary.json").read_text())
    t = s["totals"]
    assert s["schema_version"] == 4
    assert t["subsidy"] == t["subsidy_city"] + t["subsidy_national"]
    assert t["subsidy_city"] == s["payers"]["city"]["subsidy"]
    assert t["subsidy_national"] == s["payers"]["national"]["subsidy"]
    assert t["subsidy"] == sum(o["subsidy"] for o in s["operators"].values())
    assert t["subsidy_city"] != 0 and t["subsidy_national"] != 0


def test_without_factors_the_annual_columns_are_empty(tiny_result, tmp_path):
    otrip_sim.write_results(tiny_result, tmp_path / "o")
    ops = pd.read_csv(tmp_path / "o" / "operators.csv")
    assert ops[["weekdays_per_year", "annual_fare_revenue", "annual_subsidy"]].isna().all().all()
