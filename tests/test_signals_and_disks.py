"""SIGTERM is handled like Ctrl-C (nothing partial left behind, exit status 143) and output failures
are one-line messages with exit status 2."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from otrip_sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
OKO = ROOT / "scenarios" / "jakarta" / "okotrip-2018.yaml"


def _terminated_while_writing(tmp_path: Path, patch: str, args: list[str]) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import os, signal, sys
        import otrip_sim.output, otrip_sim.cli
        def term(*a, **k):
            os.kill(os.getpid(), signal.SIGTERM)
        {patch}
        sys.exit(otrip_sim.cli.main({args!r}))
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)


def test_sigterm_while_writing_results_leaves_no_partial_folder(tmp_path):
    out = tmp_path / "res"
    done = _terminated_while_writing(tmp_path, "otrip_sim.output.save_all = term",
                                     ["run", str(TINY), "--out", str(out), "--demand-scale", "0.05"])
    assert done.returncode == 143, done.stderr
    assert "Traceback" not in done.stderr
    assert "terminated (SIGTERM)" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no res, no .res.partial-*


def test_sigterm_while_pricing_leaves_no_temporary_files(tmp_path):
    legs = tmp_path / "in"
    legs.mkdir()
    (legs / "taps.csv").write_text("rider,operator,board_time\na,transjakarta,08:00:00\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    patch = "import otrip_sim.replay; otrip_sim.replay.price = lambda *a, **k: term()"
    args = ["fares", str(OKO), "--journeys", str(legs / "taps.csv"), "--out", str(outdir / "p.csv")]
    done = _terminated_while_writing(tmp_path, patch, args)
    assert done.returncode == 143, done.stderr
    assert list(outdir.iterdir()) == []


def test_a_full_disk_is_one_line_and_exit_2(tmp_path, monkeypatch):
    import otrip_sim.output as output

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "save_all", full)
    out = tmp_path / "res"
    result = CliRunner().invoke(main, ["run", str(TINY), "--out", str(out), "--demand-scale", "0.05"])
    assert result.exit_code == 2
    assert result.output == f"Error: {out}: cannot write the results: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "res"  # a folder inside a file
    result = CliRunner().invoke(main, ["fares-export", str(TINY), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {out}: cannot create the folder: ")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
