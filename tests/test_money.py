"""Operators' money over whole runs: contract payments, subsidy per payer, fare evasion."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import otrip_sim
from otrip_sim.cli import main


def contracts(bus: dict, metro: dict, method: str = "km_share"):
    def edit(doc):
        doc["money"] = {"contracts": {"bus": bus, "metro": metro}, "clearing": {"method": method}}

    return edit


GROSS = {"kind": "gross_cost", "payer": "city", "rate_per_vehicle_km": 3459}
DEFICIT = {"kind": "deficit", "payer": "city", "cost_per_vehicle_km": 40000, "cost_per_vehicle_hour": 100000}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, tiny_doc):
    import copy

    import yaml

    doc = copy.deepcopy(tiny_doc)
    contracts(GROSS, {**DEFICIT, "payer": "national"})(doc)
    path = tmp_path_factory.mktemp("m") / "mixed.yaml"
    path.write_text(yaml.safe_dump(doc))
    return otrip_sim.run(path, seed=4, demand_scale=0.4)


def test_gross_cost_payment_is_vehicle_km_times_rate(mixed):
    acc = mixed.by_operator.set_index("operator")
    vs = mixed.vehicle_service.set_index("operator")
    metres = int(vs.loc["bus", "vehicle_metres"])
    assert acc.loc["bus", "payment"] == (3459 * metres + 500) // 1000
    # 484 trips of 16 km + 4 km shuttle trips: vehicle-km straight from the timetable
    assert acc.loc["bus", "fares_to_payer"] == acc.loc["bus", "fare_revenue_cleared"]  # fares go to the city
    assert acc.loc["bus", "fares_kept"] == 0


def test_deficit_payment_is_cost_minus_cleared_fares(mixed):
    acc = mixed.by_operator.set_index("operator")
    # metro: 240 trips × 9 km, 240 × 12 min
    cost = 40000 * 240 * 9 + 100000 * 240 * 12 // 60
    assert acc.loc["metro", "cost"] == cost
    assert acc.loc["metro", "payment"] == cost - acc.loc["metro", "fare_revenue_cleared"]
    assert acc.loc["metro", "net_income"] == 0  # a deficit contract without margin breaks even


def test_subsidy_reconciles_over_the_run(mixed):
    s = mixed.summary()
    t = s["totals"]
    ops = s["operators"]
    assert t["operator_payments"] == sum(o["payment"] for o in ops.values())
    assert t["operator_payments"] == t["operator_payments_city"] + t["operator_payments_national"]
    # city: pays the bus operator and keeps the bus fares
    assert t["subsidy_city"] == ops["bus"]["payment"] - ops["bus"]["fare_revenue_cleared"]
    assert t["subsidy_national"] == ops["metro"]["payment"]
    # totals.subsidy is every payer's, the split beside it
    assert t["subsidy"] == t["subsidy_city"] + t["subsidy_national"]
    assert t["subsidy"] == sum(o["subsidy"] for o in ops.values())
    # clearing moves money between operators but creates none
    assert sum(o["fare_revenue_cleared"] for o in ops.values()) == t["fare_revenue"]
    assert s["payers"]["city"]["operators"] == ["bus"] and s["payers"]["national"]["operators"] == ["metro"]


def test_a_fare_cut_raises_the_city_subsidy_under_deficit_funding(write_scenario):
    def scenario(bus_fare):
        def edit(doc):
            contracts(DEFICIT, DEFICIT)(doc)
            doc["fares"]["standalone"]["bus"]["default"] = bus_fare

        return edit

    full = otrip_sim.run(write_scenario(scenario(3500), "full.yaml"), seed=8, demand_scale=0.4).summary()
    cut = otrip_sim.run(write_scenario(scenario(1000), "cut.yaml"), seed=8, demand_scale=0.4).summary()
    assert cut["totals"]["fare_revenue"] < full["totals"]["fare_revenue"]
    assert cut["totals"]["subsidy"] > full["totals"]["subsidy"]
    # service (and so cost) is the same: the subsidy rises by exactly the fares lost
    lost = full["totals"]["fare_revenue"] - cut["totals"]["fare_revenue"]
    assert cut["totals"]["subsidy"] - full["totals"]["subsidy"] == lost


def test_clearing_method_changes_operators_income_not_the_total(write_scenario):
    res = otrip_sim.run(write_scenario(contracts(DEFICIT, DEFICIT)), seed=8, demand_scale=0.3)
    table = res.clearing_methods()
    assert set(table["method"]) == {
        "km_share", "boardings", "standalone_share", "equal", "first_keeps_boarding",
    }
    sums = table.groupby("method")["fare_revenue_cleared"].sum()
    assert (sums == res.summary()["totals"]["fare_revenue"]).all()
    assert table.groupby("operator")["fare_revenue_cleared"].nunique().max() > 1


def test_fare_evasion_loses_revenue(write_scenario):
    def evade(share):
        def edit(doc):
            doc["money"] = {"fare_evasion": {"metro": share}}

        return edit

    honest = otrip_sim.run(write_scenario(evade(0.0), "honest.yaml"), seed=6, demand_scale=0.3)
    cheats = otrip_sim.run(write_scenario(evade(1.0), "cheats.yaml"), seed=6, demand_scale=0.3)
    legs = cheats.legs
    metro = legs[legs["operator"] == "metro"]
    assert len(metro) > 0 and metro["evaded"].all() and (metro["fare"] == 0).all()
    assert set(metro["rule"].astype(str)) == {"metro:evasion"}
    lost = cheats.summary()["operators"]["metro"]["fare_lost_evasion"]
    assert lost == int(metro["standalone_fare"].sum()) > 0
    assert honest.summary()["totals"]["fare_lost_evasion"] == 0
    assert not honest.legs["evaded"].any()
    # the taps of evaded legs are missing from the tap log, which still sums to the fares paid
    by_card = cheats.taps.groupby("card")["amount_minor"].sum()
    assert (cheats.journeys.groupby("card")["fare"].sum().loc[by_card.index] == by_card).all()


def test_cli_all_clearing_methods(write_scenario, tmp_path):
    out = tmp_path / "cm"
    scenario_path = str(write_scenario(contracts(GROSS, DEFICIT)))
    result = CliRunner().invoke(main, ["run", scenario_path, "--out", str(out),
                                       "--demand-scale", "0.2", "--clearing-methods", "all"])
    assert result.exit_code == 0, result.output
    cm = pd.read_csv(out / "clearing_methods.csv")
    assert list(cm.columns) == [
        "operator", "method", "fare_revenue_cleared", "payment", "net_income", "subsidy", "sample",
    ]
    assert (out / "plots" / "clearing_methods.png").exists()
    ops = pd.read_csv(out / "operators.csv")
    assert list(ops.columns[:13]) == [
        "operator", "contract", "payer", "fare_revenue", "fare_revenue_cleared", "clearing_gain",
        "fares_to_payer", "fares_kept", "cost", "payment", "net_income", "subsidy", "fare_lost_evasion",
    ]
    s = json.loads((out / "summary.json").read_text())
    assert {"operator_payments_city", "operator_payments_national", "subsidy_city",
            "subsidy_national"} <= set(s["totals"])
    assert "fare_revenue_cleared" in s["operators"]["bus"]


def test_contract_validation(write_scenario):
    from otrip_sim import InputError, load_scenario

    with pytest.raises(InputError, match=r"money\.contracts\.tram: unknown operator"):
        load_scenario(write_scenario(lambda d: d.update(money={"contracts": {"tram": {"kind": "farebox"}}})))
    with pytest.raises(
        InputError, match=r"money\.contracts\.bus: a deficit contract needs cost_per_vehicle_km"
    ):
        load_scenario(write_scenario(lambda d: d.update(money={"contracts": {"bus": {"kind": "deficit"}}})))


def test_peak_vehicles_counts_trips_under_way_at_once():
    from types import SimpleNamespace

    from otrip_sim.money import peak_vehicles

    # departures every 5 min, 700 s a trip: at most 3 under way (0, 300, 600 s; the first is in
    # at 700 s, before the one at 900 s leaves)
    line = SimpleNamespace(departures=[0, 300, 600, 900, 1200], run_time_s=700)
    assert peak_vehicles(line) == 3
    assert peak_vehicles(SimpleNamespace(departures=[0, 1000], run_time_s=700)) == 1
