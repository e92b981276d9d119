"""``compare --resume``: a comparison interrupted after some runs continues from the runs it kept
and writes a folder byte for byte identical to an uninterrupted comparison's."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from otrip_sim.cli import main
from otrip_sim.replicate import runs_folder

compare_module = importlib.import_module("otrip_sim.compare")  # the module, not the function

ARGS = ["--replications", "3", "--demand-scale", "0.2", "--quiet"]


@pytest.fixture
def scenarios(write_scenario) -> list[str]:
    def higher_cap(doc):
        doc["fares"]["windows"][0]["cap"] = 8000

    return [str(write_scenario(None, "a.yaml")), str(write_scenario(higher_cap, "b.yaml"))]


def _files(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def test_resume_after_an_interruption_gives_the_uninterrupted_folder(
        scenarios: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = tmp_path / "whole"
    r = CliRunner().invoke(main, ["compare", *scenarios, *ARGS, "--out", str(whole)])
    assert r.exit_code == 0, r.output
    assert not runs_folder(whole).exists()  # complete: nothing kept to resume

    real = compare_module.run_job
    calls: list[object] = []

    def interrupted(job):  # Ctrl-C during the fifth of the six runs
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.append(job)
        return real(job)

    out = tmp_path / "cut"
    monkeypatch.setattr(compare_module, "run_job", interrupted)
    r = CliRunner().invoke(main, ["compare", *scenarios, *ARGS, "--out", str(out)])
    assert r.exit_code != 0
    assert not out.exists()  # never half written
    assert len(list(runs_folder(out).glob("*.json"))) == 4  # the runs finished before the interruption

    calls.clear()
    monkeypatch.setattr(compare_module, "run_job", lambda job: calls.append(job) or real(job))
    r = CliRunner().invoke(main, ["compare", *scenarios, *ARGS, "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    assert [(j.path.endswith("b.yaml"), j.replication) for j in calls] == [(True, 1), (True, 2)]
    assert not runs_folder(out).exists()
    assert _files(out) == _files(whole)  # every file byte for byte, report and plots included


def test_without_resume_the_kept_runs_are_discarded(scenarios: list[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "c"
    runs = runs_folder(out)
    runs.mkdir()
    (runs / "stale.json").write_text("{}")
    real = compare_module.run_job
    calls: list[object] = []
    monkeypatch.setattr(compare_module, "run_job", lambda job: calls.append(job) or real(job))
    r = CliRunner().invoke(main, ["compare", *scenarios, "--replications", "2", "--demand-scale", "0.2",
                                  "--quiet", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(calls) == 4 and not runs.exists()


def test_a_kept_run_of_another_job_is_not_reused(scenarios: list[str], tmp_path: Path) -> None:
    runs = tmp_path / "x.runs"
    first = compare_module.compare(scenarios, 2, demand_scale=0.2, runs=runs)
    assert len(list(runs.glob("*.json"))) == 4
    # another sample: no kept run matches, all four run again
    other = compare_module.compare(scenarios, 2, demand_scale=0.2, sample=0.5, runs=runs, resume=True)
    assert len(list(runs.glob("*.json"))) == 8
    assert other.reps != first.reps
    again = compare_module.compare(scenarios, 2, demand_scale=0.2, runs=runs, resume=True)
    assert again.reps == first.reps

