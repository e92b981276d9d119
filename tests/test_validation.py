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
        ]
    return otrip_sim.run(write_scenario(edit), seed=3)


def test_circular_and_other_year_targets_are_marked_and_not_counted(result):
    table = validation_table(result)
    assert table["circular"].tolist() == [True, False, False]
    assert table["nearest_year"].tolist() == [False, True, False]
    assert table["counted"].tolist() == [False, False, True]
    assert table["target"].tolist() == ["boardings:bus", "boardings:metro", "boardings_per_journey:all"]
    for _, row in table.iterrows():
        assert row["within"] == (abs(row["ratio"] - 1) <= row["tolerance"])


def test_the_verdict_counts_independent_targets_only(result):
    table = validation_table(result)
    line = verdict(table)
    assert line.startswith("0 of 1 independent targets within tolerance; worst: boardings_per_journey:all")
    assert "(2 circular or of another year, not counted)" in line
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
