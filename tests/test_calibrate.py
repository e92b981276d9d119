"""Calibration (docs/calibration.md): boarding and mode constants and theta fitted to counts by
damped log-ratio steps on expected values, recovered from a synthetic day, deterministic, written
as a section the scenario references, and the targets it used marked circular."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import otrip_sim
from otrip_sim.calibrate import ELASTICITY_FACTOR, TargetRow, _raised, _run, calibrate, write_calibration
from otrip_sim.cli import main
from otrip_sim.compile import compile_scenario
from otrip_sim.errors import InputError
from otrip_sim.schema import Calibration
from otrip_sim.validation import validation_table
from tests.test_modes import FARE_S, _corridor

TRUTH = {"boarding_constants": {"express": -240}, "mode_constants": {"motorcycle": 300}, "theta": 0.25}


def _write(tmp_path: Path, doc: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _day(trips: float = 20000) -> dict[str, Any]:
    """The bus and express corridor against the motorcycle: tours of two journeys, 06:00-10:00."""
    doc = _corridor(trips, express=True, tours=True)
    doc["demand"]["profile"] = [{"start": "06:00", "end": "10:00", "weight": 1}]
    doc["modes"]["theta"] = 0.5
    return doc


def test_a_boarding_constant_moves_the_expected_taps_as_the_hand_logit(tmp_path):
    doc = _corridor(4000, express=True)
    doc["choice"]["mode_choice"] = False
    doc["calibration"] = {"boarding_constants": {"express": -120}}
    res = otrip_sim.run(_write(tmp_path, doc, "s.yaml"), expect=True)
    c1 = 300 * 1.5 + 900 + FARE_S  # bus-1: 10-minute headway, 15 minutes
    c2 = 600 * 1.5 + 600 + FARE_S - 120  # bus-2: 20-minute headway, 10 minutes, the constant
    p2 = 1 / (1 + math.exp(-(c1 - c2) / 300))
    n = len(res.riders)  # about 4,000 journeys drawn
    assert res.expected is not None and abs(n - 4000) < 300
    assert res.expected.taps["express"] == pytest.approx(n * p2, rel=1e-9)
    assert res.expected.boardings["bus"] == pytest.approx(n * (1 - p2), rel=1e-9)
    assert res.expected.journeys == {"pt": pytest.approx(n)}
    # the drawn riders follow it within Monte Carlo error
    drawn = int((res.legs["operator"] == "express").sum())
    assert abs(drawn - n * p2) < 4 * math.sqrt(n * p2 * (1 - p2))


def _truth_targets(tmp_path: Path) -> list[TargetRow]:
    """The counts of a day simulated with :data:`TRUTH`, and its expected elasticity."""
    truth = _day()
    truth["calibration"] = TRUTH
    path = _write(tmp_path, truth, "truth.yaml")
    res = otrip_sim.run(path)
    legs = res.legs
    assert res.modes is not None
    taps = int(((legs["operator"] == "express") & legs["tapped"]).sum())
    moto = int((res.modes.mode == 1).sum())
    compiled = compile_scenario(otrip_sim.load_scenario(path))
    cal = Calibration(**TRUTH)
    up, base = _run(_raised(compiled), cal, 3, 1.0), _run(compiled, cal, 3, 1.0)
    elasticity = math.log(up.journeys["pt"] / base.journeys["pt"]) / math.log(ELASTICITY_FACTOR)
    return [TargetRow(target="taps:express", published=taps, source="synthetic"),
            TargetRow(target="journeys:motorcycle", published=moto, source="synthetic"),
            TargetRow(target="elasticity", published=elasticity, source="synthetic")]


def test_parameter_recovery_constants_and_theta_come_back_within_their_standard_errors(tmp_path):
    targets = _truth_targets(tmp_path)
    start = otrip_sim.load_scenario(_write(tmp_path, _day(), "start.yaml"))  # constants 0, theta 0.5
    result = calibrate(start, targets, tolerance=0.001, rounds=40)
    assert result.converged and result.parameters["plausible"].all()
    got = result.parameters.set_index("parameter")
    truth = {"boarding:express": -240, "mode:motorcycle": 300, "theta": 0.25}
    for name, value in truth.items():
        se = got.loc[name, "standard_error"]
        assert 0 < se < abs(value) / 5, name  # identified, and measured to better than 20%
        assert abs(got.loc[name, "value"] - value) < 2 * se, (name, got.loc[name, "value"], se)
    # from its start, each one had to move by many standard errors
    assert abs(0 - -240) > 10 * got.loc["boarding:express", "standard_error"]
    assert result.calibration.fitted == ["elasticity", "journeys:motorcycle", "taps:express"]
    rounds = result.rounds
    first, last = rounds[rounds["round"] == 1], rounds[rounds["round"] == rounds["round"].max()]
    assert first["log_ratio"].abs().max() > 0.5
    assert last["log_ratio"].abs().max() < 0.001


def test_calibration_is_deterministic_for_a_seed_and_works_with_a_sample(tmp_path):
    doc = _day(6000)
    doc["choice"]["mode_choice"] = False
    start = otrip_sim.load_scenario(_write(tmp_path, doc, "s.yaml"))
    targets = [TargetRow(target="taps:express", published=2500)]
    a = calibrate(start, targets, seed=7, standard_errors=False)
    b = calibrate(start, targets, seed=7, standard_errors=False)
    assert a.calibration == b.calibration
    assert a.rounds.equals(b.rounds)
    half = calibrate(start, targets, seed=7, sample=0.5, standard_errors=False)
    assert half.converged
    # the expected counts of a half sample are expanded to the day: the constant is about the same
    full = a.parameters.set_index("parameter").loc["boarding:express", "value"]
    got = half.parameters.set_index("parameter").loc["boarding:express", "value"]
    assert got == pytest.approx(full, abs=30)
    # written from Python into a folder that does not exist yet: it is made
    write_calibration(a, tmp_path / "new" / "cal")
    assert sorted(p.name for p in (tmp_path / "new" / "cal").iterdir()) == [
        "calibration.yaml", "convergence.csv", "parameters.csv"]


def test_calibrated_targets_are_circular_in_validation(tmp_path):
    doc = _corridor(4000, express=True)
    doc["choice"]["mode_choice"] = False
    doc["validation"] = [
        {"metric": "taps", "operator": "express", "published": 2000, "source": "synthetic", "year": 2024},
        {"metric": "boardings_per_vehicle", "operator": "express", "published": 50, "source": "synthetic"},
        {"metric": "taps", "operator": "bus", "published": 2000, "source": "synthetic"},
    ]
    doc["calibration"] = {"boarding_constants": {"express": -60}, "fitted": ["taps:express"]}
    table = validation_table(otrip_sim.run(_write(tmp_path, doc, "s.yaml"))).set_index("target")
    assert table.loc["taps:express", "circular"] and not table.loc["taps:express", "counted"]
    assert table.loc["boardings_per_vehicle:express", "circular"]  # the same count, per vehicle
    assert not table.loc["taps:bus", "circular"]
    assert "calibrated to" in table.loc["taps:express", "note"]
    # constants fitted to counts of 2023 leave the 2024 count independent
    doc["calibration"]["year"] = 2023
    table = validation_table(otrip_sim.run(_write(tmp_path, doc, "s.yaml"))).set_index("target")
    assert not table.loc["taps:express", "circular"]
    assert table.loc["boardings_per_vehicle:express", "circular"]  # of no stated year


def test_cli_calibrate_writes_the_section_a_scenario_references(tmp_path):
    doc = _day(6000)
    doc["choice"]["mode_choice"] = False
    path = _write(tmp_path, doc, "s.yaml")
    (tmp_path / "targets.csv").write_text("target,published,source\ntaps:express,2500,synthetic\n")
    runner = CliRunner()
    r = runner.invoke(main, ["calibrate", str(path), "--targets", str(tmp_path / "targets.csv"), "--quiet"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "calibration" / "s"
    assert sorted(p.name for p in out.iterdir()) == ["calibration.yaml", "convergence.csv", "manifest.json",
                                                     "parameters.csv"]
    assert "`calibration: calibration/s/calibration.yaml`" in r.output
    section = yaml.safe_load((out / "calibration.yaml").read_text())
    assert section["fitted"] == ["taps:express"] and section["boarding_constants"]["express"] < 0
    # referenced, the scenario expects the target; recalibrating in place starts there
    doc["calibration"] = "calibration/s/calibration.yaml"
    _write(tmp_path, doc, "s.yaml")
    res = otrip_sim.run(path, expect=True)
    assert res.expected is not None and res.expected.taps["express"] == pytest.approx(2500, rel=0.01)
    again = runner.invoke(main, ["calibrate", str(path), "--targets", str(tmp_path / "targets.csv"),
                                 "--quiet", "--force"])
    assert again.exit_code == 0, again.output
    assert "1 rounds, converged" in (out / "calibration.yaml").read_text()
    # without --force the folder is kept
    kept = runner.invoke(main, ["calibrate", str(path), "--targets", str(tmp_path / "targets.csv"),
                                "--quiet"])
    assert kept.exit_code == 2 and "--force" in kept.output


@pytest.mark.parametrize(("row", "message"), [
    ("taps:nobody,100", "'nobody' is not an operator"),
    ("journeys:car,100", "'car' is not an outside mode"),
    ("mode_share:pt,0.3", "public transport is the reference"),
    ("ridership,100", "unknown target"),
    ("elasticity,0.3", "a fare elasticity is negative"),
    ("taps:express,abc", "line 2"),
    ("taps:express,0", "line 2, column published: a count or share must be > 0"),
    ("mode_share:motorcycle,1.0", "line 2, column published: a share must be < 1"),
])
def test_bad_targets_are_located_errors(tmp_path, row, message):
    path = _write(tmp_path, _day(100), "s.yaml")
    (tmp_path / "t.csv").write_text(f"target,published\n{row}\n")
    r = CliRunner().invoke(main, ["calibrate", str(path), "--targets", str(tmp_path / "t.csv"), "--quiet"])
    assert r.exit_code == 2
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "calibration").exists()


def test_a_parameter_follows_one_target_only(tmp_path):
    start = otrip_sim.load_scenario(_write(tmp_path, _day(100), "s.yaml"))
    with pytest.raises(InputError, match="already fitted to taps:express"):
        calibrate(start, [TargetRow(target="taps:express", published=10),
                          TargetRow(target="boardings:express+bus", published=20)])


def test_pivot_scenarios_refuse_mode_targets(tmp_path):
    doc = copy.deepcopy(_day(100))
    (tmp_path / "reference.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    doc["meta"]["demand_basis"] = "pivot"
    doc["modes"]["pt_share"] = [{"share": 0.3}]
    doc["demand"]["pivot_reference"] = "reference.yaml"
    start = otrip_sim.load_scenario(_write(tmp_path, doc, "s.yaml"))
    with pytest.raises(InputError, match="pivot scenario reproduces"):
        calibrate(start, [TargetRow(target="mode_share:motorcycle", published=0.5)])


@pytest.mark.parametrize(("section", "message"), [
    ({"boarding_constants": {"tram": 60}}, "not an operator of the scenario"),
    ({"mode_constants": {"car": 60}}, "not an outside mode"),
    ({"boarding_constants": {"bus": 99999}}, "at most 14400 s"),
])
def test_bad_calibration_sections_are_located_errors(tmp_path, section, message):
    doc = _day(100)
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(section))
    doc["calibration"] = "cal.yaml"
    r = CliRunner().invoke(main, ["validate", str(_write(tmp_path, doc, "s.yaml"))])
    assert r.exit_code == 2 and message in r.output and "cal.yaml" in r.output


def test_mode_constants_and_theta_of_the_section_replace_the_declared_ones(tmp_path):
    doc = _day(100)
    doc["calibration"] = {"mode_constants": {"motorcycle": 120}, "theta": 0.3}
    loaded = otrip_sim.load_scenario(_write(tmp_path, doc, "s.yaml"))
    modes = loaded.spec.modes
    assert modes.theta == 0.3 and modes.outside[0].constant == 120  # type: ignore[union-attr]
    assert np.isclose(otrip_sim.run(loaded).modes.scale, 300 / 0.3)  # type: ignore[union-attr]


def test_a_constant_beyond_a_taste_is_flagged(tmp_path):
    doc = _corridor(2000, express=True)
    doc["choice"]["mode_choice"] = False
    start = otrip_sim.load_scenario(_write(tmp_path, doc, "s.yaml"))
    fine = calibrate(start, [TargetRow(target="taps:express", published=1000)], standard_errors=False)
    assert fine.parameters["plausible"].all()
    # nearly everyone on the express: only a constant worth far more than a taste gets there
    odd = calibrate(start, [TargetRow(target="taps:express", published=1990)], standard_errors=False)
    row = odd.parameters.set_index("parameter").loc["boarding:express"]
    assert row["value"] < -900 and not row["plausible"]


def test_a_yearly_count_is_of_taps_or_boardings_only(tmp_path):
    path = _write(tmp_path, _day(100), "s.yaml")
    (tmp_path / "t.csv").write_text("target,published,per_year\njourneys:motorcycle,1000000,true\n")
    r = CliRunner().invoke(main, ["calibrate", str(path), "--targets", str(tmp_path / "t.csv"), "--quiet"])
    assert r.exit_code == 2 and "line 2, column per_year: only taps and boardings" in r.output


def test_a_calibration_shared_with_other_scenarios_is_not_replaced_from_another(tmp_path):
    doc = _day(3000)
    doc["choice"]["mode_choice"] = False
    (tmp_path / "calibration" / "a").mkdir(parents=True)
    shared = tmp_path / "calibration" / "a" / "calibration.yaml"
    shared.write_text("boarding_constants: {express: -60}\nfitted: [taps:bus]\nyear: 2019\n")
    doc["calibration"] = "calibration/a/calibration.yaml"
    _write(tmp_path, doc, "a.yaml")
    other = _write(tmp_path, doc, "b.yaml")  # b uses a's constants
    (tmp_path / "t.csv").write_text("target,published\ntaps:express,1500\n")
    r = CliRunner().invoke(main, ["calibrate", str(other), "--targets", str(tmp_path / "t.csv"), "--quiet",
                                  "--out", str(tmp_path / "calibration" / "a"), "--force"])
    assert r.exit_code == 2 and "holds an input" in r.output
    assert "-60" in shared.read_text()
    # in b's own folder it works; fitted targets of another year are not carried as fitted
    doc["meta"]["year"] = 2022
    _write(tmp_path, doc, "b.yaml")
    r = CliRunner().invoke(main, ["calibrate", str(other), "--targets", str(tmp_path / "t.csv"), "--quiet"])
    assert r.exit_code == 0, r.output
    section = yaml.safe_load((tmp_path / "calibration" / "b" / "calibration.yaml").read_text())
    assert section["year"] == 2022 and section["fitted"] == ["taps:express"]  # taps:bus was 2019's
