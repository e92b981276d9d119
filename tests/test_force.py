"""``--force`` replaces only a folder otrip-sim wrote (with its manifest), never one holding inputs:
one rule in :mod:`otrip_sim.atomic` shared by ``run``, ``network-import`` and ``fares-export``."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from otrip_sim.atomic import MANIFEST, atomic_file, atomic_folder, check_out_dir
from otrip_sim.cli import main
from otrip_sim.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
GOOGLE = ROOT / "tests" / "data" / "google-sample-feed-1"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    folder.mkdir()
    shutil.copy(TINY, folder / "tiny.yaml")
    (folder / "notes.txt").write_text("my notes\n")
    return folder


def test_run_force_refuses_the_scenarios_own_folder(scenario_dir):
    before = _snapshot(scenario_dir)
    result = CliRunner().invoke(main, ["run", str(scenario_dir / "tiny.yaml"), "--out", str(scenario_dir),
                                       "--force", "--demand-scale", "0.05"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{scenario_dir}: is not an otrip-sim output folder" in result.output
    assert _snapshot(scenario_dir) == before


def test_force_refuses_a_folder_holding_inputs_even_with_a_manifest(scenario_dir):
    (scenario_dir / MANIFEST).write_text(json.dumps({"otrip_sim_version": "x", "outputs_sha256": {}}))
    with pytest.raises(OutputError, match=r"holds an input of this command \(.*tiny.yaml\)"):
        check_out_dir(scenario_dir, True, [scenario_dir / "tiny.yaml"])


def test_force_replaces_a_previous_result_but_not_one_with_a_users_file(tmp_path):
    out = tmp_path / "res"
    args = ["run", str(TINY), "--out", str(out), "--demand-scale", "0.05", "--seed", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert "summary.json" in manifest["outputs_sha256"]
    again = CliRunner().invoke(main, [*args, "--force"])
    assert again.exit_code == 0, again.output
    (out / "my-analysis.ipynb").write_text("{}")
    refused = CliRunner().invoke(main, [*args, "--force"])
    assert refused.exit_code == 2
    assert "holds a file otrip-sim did not write there ('my-analysis.ipynb')" in refused.output
    assert (out / "my-analysis.ipynb").exists()


def test_force_refuses_a_folder_without_manifest(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "stops.csv").write_text("stop_id\n")
    with pytest.raises(OutputError, match="not an otrip-sim output folder"), atomic_folder(out, True) as tmp:
        (tmp / "x.txt").write_text("x")
    assert (out / "stops.csv").read_text() == "stop_id\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_atomic_folder_writes_a_manifest_and_normal_modes(tmp_path):
    out = tmp_path / "o"
    with atomic_folder(out, False) as tmp:
        (tmp / "a.txt").write_text("a")
    manifest = json.loads((out / MANIFEST).read_text())
    assert list(manifest["outputs_sha256"]) == ["a.txt"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "a.txt").stat().st_mode) == 0o644
    with atomic_folder(out, True) as tmp:  # its own output folder: replaced
        (tmp / "b.txt").write_text("b")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt", MANIFEST]


def test_network_import_force_refuses_the_feeds_folder_and_replaces_its_own(tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(GOOGLE, feed)
    before = _snapshot(feed)
    runner = CliRunner()
    refused = runner.invoke(main, ["network-import", str(feed), "--out", str(feed), "--force"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert _snapshot(feed) == before
    out = tmp_path / "net"
    assert runner.invoke(main, ["network-import", str(feed), "--out", str(out)]).exit_code == 0
    again = runner.invoke(main, ["network-import", str(feed), "--out", str(out), "--force"])
    assert again.exit_code == 0, again.output


def test_fares_export_force_refuses_the_scenario_folder(scenario_dir):
    before = _snapshot(scenario_dir)
    result = CliRunner().invoke(main, ["fares-export", str(scenario_dir / "tiny.yaml"), "--out",
                                       str(scenario_dir), "--force"])
    assert result.exit_code == 2 and "holds an input of this command" in result.output
    assert _snapshot(scenario_dir) == before


def test_a_new_out_folder_may_not_hold_an_input(tmp_path):
    with pytest.raises(OutputError, match="would hold an input"):
        check_out_dir(tmp_path / "x", False, [tmp_path / "x" / "feed.zip"])


def test_atomic_file_refuses_to_overwrite_an_input(tmp_path):
    src = tmp_path / "legs.csv"
    src.write_text("rider\n")
    with pytest.raises(OutputError, match="is an input of this command"), atomic_file(src, True, [src]):
        pass
    assert src.read_text() == "rider\n"
