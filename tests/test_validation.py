"""validation.csv says which targets are independent and whether each is within its tolerance;
the verdict counts only independent targets of the scenario's year."""

from __future__ import annotations

import pytest

import otrip_sim
from otrip_sim.schema import ValidationTarget
from otrip_sim.validation import tolerance, validation_table, verdict


def _target(**kw):
    base = {"metric": "boardings", "operator": "bus", "published": 1000.0, "source": "x"}
    return ValidationTarget(**{**base, **kw})


def test_tolerance_by_kind():
    assert tolerance(_target(kind="calibrated")) == 0.05
    assert tolerance(_target(kind="total")) == tolerance(_target(kind="screenline")) == 0.15
    assert tolerance(_target(kind="route")) == 0.25
    assert tolerance(_target(kind="route", published=120.0)) == 0.40  # a small route is counted loosely
    assert tolerance(_target(kind="route", tolerance=0.1)) == 0.1


@pytest.fixture
def result(write_scenario):
    def edit(doc):
        doc["meta"]["year"] = 2020
        doc["validation"] = [
            # set an input: circular, never counted however close
            {"metric": "boardings", "operator": "bus", "published": 1.0, "source": "x", "circular": True,
             "kind": "calibrated"},
            # another year than the scenario's: reported as nearest year, not counted
            {"metric": "boardings", "operator": "metro", "published": 1.0, "source": "x", "year": 2019},
            # independent, and off: a journey has at least one boarding, so the ratio is at least 2
            {"metric": "boardings_per_journey", "published": 0.5, "source": "x", "year": 2020},
            # the scenario's year, but a year's total for a scenario of some months: not counted
            {"metric": "boardings", "operator": "bus", "published": 1.0, "source": "x", "year": 2020,
             "of_period": False},
        ]
    return otrip_sim.run(write_scenario(edit), seed=3)


def test_circular_and_other_year_targets_are_marked_and_not_counted(result):
    table = validation_table(result)
    assert table["circular"].tolist() == [True, False, False, False]
    assert table["nearest_year"].tolist() == [False, True, False, True]
    assert table["counted"].tolist() == [False, False, True, False]
    assert table["target"].tolist() == ["boardings:bus", "boardings:metro", "boardings_per_journey:all",
                                        "boardings:bus"]
    for _, row in table.iterrows():
        assert row["within"] == (abs(row["ratio"] - 1) <= row["tolerance"])


def test_the_verdict_counts_independent_targets_only(result):
    table = validation_table(result)
    line = verdict(table)
    assert line.startswith("0 of 1 independent targets within tolerance; worst: boardings_per_journey:all")
    assert "(3 circular or of another year or span, not counted)" in line
    # the same target published at the modelled value passes
    table.loc[2, ["ratio", "within"]] = [1.0, True]
    assert verdict(table).startswith("1 of 1 independent targets within tolerance")


def test_the_jakarta_taps_that_set_the_demand_are_circular():
    loaded = otrip_sim.load_scenario("scenarios/jakarta/jaklingko-2022.yaml")
    circular = {f"{t.metric}:{t.operator}" for t in loaded.spec.validation if t.circular}
    assert {"taps:transjakarta", "taps:krl", "subsidy_per_tap:transjakarta"} <= circular


def test_a_validation_plot_is_drawn_only_for_scenarios_with_targets(result, tiny_result, tmp_path):
    otrip_sim.write_results(result, tmp_path / "with")
    otrip_sim.write_results(tiny_result, tmp_path / "without")
    assert (tmp_path / "with" / "plots" / "validation.png").stat().st_size > 10_000
    assert not (tmp_path / "without" / "plots" / "validation.png").exists()


def test_a_counterfactual_carries_no_targets_of_its_own(write_scenario):
    def edit(doc):
        doc["meta"]["counterfactual"] = True
        doc["validation"] = [{"metric": "journeys", "published": 1.0, "source": "x"}]

    with pytest.raises(otrip_sim.InputError, match=r"validation\[0\]: a counterfactual"):
        otrip_sim.load_scenario(write_scenario(edit))
    design = otrip_sim.load_scenario("scenarios/jakarta/okotrip-2018.yaml").spec
    assert design.meta.counterfactual and not design.validation
    assert otrip_sim.load_scenario("scenarios/jakarta/okotrip-2018-as-operated.yaml").spec.validation


# ------------------------------------------------------------------- the metrics of the Jakarta targets
def test_group_route_and_share_metrics_by_hand(write_scenario):
    def edit(doc):
        doc["money"] = {"weekdays_per_year": {"bus": 300, "metro": 350}}
        doc["validation"] = [
            {"metric": "taps", "operators": ["bus", "metro"], "published": 1.0, "source": "x"},
            {"metric": "taps", "operator": "bus", "per_year": True, "published": 3_000_000, "source": "x"},
            {"metric": "taps_share", "operator": "metro", "operators": ["bus", "metro"], "published": 0.5,
             "source": "x"},
            {"metric": "route_boardings", "route": "bus-2", "published": 1.0, "source": "x"},
            {"metric": "route_taps", "route": "bus-2", "published": 1.0, "source": "x"},
            {"metric": "route_share", "route": "bus-1", "among": ["bus-1", "bus-2"], "published": 0.5,
             "source": "x"},
            {"metric": "boardings_per_vehicle", "operator": "metro", "published": 1.0, "source": "x"},
        ]
    res = otrip_sim.run(write_scenario(edit), seed=3, sample=0.5)
    legs, e = res.legs, res.expansion
    taps = legs[legs["tapped"] & ~legs["evaded"]]
    t = validation_table(res).set_index("target")
    assert t.loc["taps:bus+metro", "modelled"] == pytest.approx(len(taps) * e)
    # a yearly count: published ÷ the operator's weekday equivalents
    yearly = t.loc["taps:bus:per_year"]
    assert yearly["expected"] == 10_000 and yearly["weekdays_per_year"] == 300
    metro_taps = (taps["operator"] == "metro").sum()
    assert t.loc["taps_share:metro/bus+metro", "modelled"] == pytest.approx(metro_taps / len(taps), abs=1e-4)
    assert t.loc["route_boardings:bus-2", "modelled"] == pytest.approx((legs["route"] == "bus-2").sum() * e)
    # a route's tap-ins leave out the changes inside a paid area (from bus-1 at Market and Park)
    bus2 = legs[legs["route"] == "bus-2"]
    assert 0 < (~bus2["tapped"]).sum() < len(bus2)
    bus2_taps = (bus2["tapped"] & ~bus2["evaded"]).sum()
    assert t.loc["route_taps:bus-2", "modelled"] == pytest.approx(bus2_taps * e)
    both = legs["route"].isin(["bus-1", "bus-2"]).sum()
    bus1 = (legs["route"] == "bus-1").sum()
    assert t.loc["route_share:bus-1", "modelled"] == pytest.approx(bus1 / both, abs=1e-4)
    vehicles = res.vehicle_service.set_index("operator").loc["metro", "vehicles"]
    assert t.loc["boardings_per_vehicle:metro", "modelled"] == pytest.approx(
        (legs["operator"] == "metro").sum() * e / vehicles, abs=1e-4)
    # a share is never counted loosely as a small route
    share = _target(metric="route_share", route="r", among=["r"], kind="route", published=0.1)
    assert tolerance(share) == 0.25


def test_a_yearly_target_needs_the_operators_weekdays(write_scenario):
    from otrip_sim.errors import InputError
    from otrip_sim.scenario import load_scenario

    def edit(doc):
        doc["validation"] = [{"metric": "taps", "operator": "bus", "per_year": True, "published": 1.0,
                              "source": "x"}]
    with pytest.raises(InputError, match=r"validation\[0\]\.per_year: a yearly count needs money\.weekdays"):
        load_scenario(write_scenario(edit))


def test_per_rider_money_at_another_demand_scale_is_flagged_not_counted(write_scenario):
    def edit(doc):
        doc["meta"]["year"] = 2020
        doc["validation"] = [{"metric": "subsidy_per_tap", "operator": "bus", "published": 1.0, "source": "x",
                              "year": 2020}]
    table = validation_table(otrip_sim.run(write_scenario(edit), seed=3, demand_scale=0.5))
    assert not table.loc[0, "counted"] and "not comparable at demand scale 0.5" in table.loc[0, "note"]


JAKARTA = __import__("pathlib").Path(__file__).resolve().parents[1] / "scenarios" / "jakarta"


@pytest.mark.parametrize("name", ["baseline-2017", "okotrip-2018-as-operated", "jaklingko-2022",
                                  "lrt-trial-2019", "lrt-paid-2019"])
def test_jakarta_targets_that_set_an_input_are_circular(name):
    """A target whose source set an input is circular: its key is cited (src:) in the scenario's own
    inputs, or the demand's derivation (demand/README.md) used it for a total — a share of those
    counts (route_share, taps_share) is not set by a total and may stay independent.  Each scenario
    keeps at least five non-circular targets."""
    import re

    from otrip_sim.scenario import load_scenario

    text = (JAKARTA / f"{name}.yaml").read_text()
    inputs = set(re.findall(r"src: ([a-z0-9-]+)", text.split("\nvalidation:")[0]))
    derived = set(re.findall(r"\[([a-z0-9-]+)\]", (JAKARTA / "demand" / "README.md").read_text()))
    targets = load_scenario(JAKARTA / f"{name}.yaml").spec.validation
    for t in targets:
        if t.source in inputs or (t.source in derived and t.metric not in ("route_share", "taps_share")):
            assert t.circular, f"{name}: {t.metric} from {t.source} set an input"
    assert sum(not t.circular for t in targets) >= 5
