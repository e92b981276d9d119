"""The catalogue of bad inputs (tests/bad_inputs/catalogue.yaml): every case gives exit status 2 and
exactly its one-line message (naming the file, line or field path and the bad value), with no
traceback, nothing written and every input untouched.

``python -m tests.test_bad_inputs`` prints each case's actual message (to review a new case)."""

from __future__ import annotations

import io
import os
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from otrip_sim.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
FEED = HERE / "data" / "google-sample-feed-1"
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "bad_inputs" / "catalogue.yaml").read_text())
PLACEHOLDERS = {"{big}": "x" * 131_073, "{nul}": "\0", "{long}": "p" * 5000, "{deep}": "[" * 100 + "]" * 100}
CUT = "'" + "p" * 199  # the first 200 characters of the repr of {long}: what a message echoes of it


def _text(content: str) -> str:
    for key, value in PLACEHOLDERS.items():
        content = content.replace(key, value)
    return content


def build(case: dict[str, Any], root: Path) -> Path:
    """Write the case's input files into ``root/case`` (files named ``../x`` into ``root``)."""
    folder = root / "case"
    folder.mkdir(parents=True)
    base = case.get("base", "tiny")
    if base in ("tiny", "both"):
        shutil.copy(TINY, folder / "scenario.yaml")
    if base in ("feed", "both"):
        shutil.copytree(FEED, folder / "feed")
    for name, edits in (case.get("edit") or {}).items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, f"{case['id']}: {old!r} not in {name}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    for kind in ("files", "cp1252", "parquet"):
        for name, content in (case.get(kind) or {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "files":
                path.write_bytes(_text(content).encode("utf-8"))
            elif kind == "cp1252":
                path.write_bytes(_text(content).encode("cp1252"))
            else:
                frame = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False)
                frame.to_parquet(path, index=False)
    for name, members in (case.get("zip") or {}).items():
        with zipfile.ZipFile(folder / name, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for member, data in members.items():
                z.writestr(member, b"0" * data if isinstance(data, int) else _text(data).encode())
    if case.get("zip_feed"):
        with zipfile.ZipFile(folder / case["zip_feed"], "w", compression=zipfile.ZIP_DEFLATED) as z:
            for p in sorted((folder / "feed").iterdir()):
                z.write(p, p.name)
        shutil.rmtree(folder / "feed")
    for name, how in (case.get("damage") or {}).items():  # zip -> {member: corrupt | encrypted}
        _damage(folder / name, *next(iter(how.items())))
    for link, target in (case.get("symlink") or {}).items():
        os.symlink(target, folder / link)
    return folder


def _damage(path: Path, member: str, how: str) -> None:
    """Flip bytes of ``member``'s compressed data (``corrupt``) or mark it encrypted."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset
    if how == "encrypted":
        data[start + 6] |= 1  # general purpose flag, bit 0, in the local header ...
        central = data.find(b"PK\x01\x02" , 0)
        while central >= 0:  # ... and in the member's central directory entry
            name_len = int.from_bytes(data[central + 28 : central + 30], "little")
            if data[central + 46 : central + 46 + name_len] == member.encode():
                data[central + 8] |= 1
            central = data.find(b"PK\x01\x02", central + 4)
    else:
        name_len = int.from_bytes(data[start + 26 : start + 28], "little")
        extra_len = int.from_bytes(data[start + 28 : start + 30], "little")
        first = start + 30 + name_len + extra_len
        for k in range(first + 10, first + 40):
            data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file and link under ``root`` with its content (a link: its target)."""
    found: dict[str, bytes | str] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            found[rel] = os.readlink(p)
        elif p.is_file():
            found[rel] = p.read_bytes()
        else:
            found[rel + "/"] = b""
    return found


def run(case: dict[str, Any], root: Path) -> tuple[Any, str, str]:
    """Build and run one case: the result, the case's folder and the output."""
    folder = build(case, root)
    args = [a.replace("{dir}", str(folder)) for a in case["args"]]
    result = CliRunner().invoke(main, args, prog_name="otrip-sim")
    return result, str(folder), result.output


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = build(case, tmp_path)
    before = snapshot(tmp_path)
    args = [a.replace("{dir}", str(folder)) for a in case["args"]]
    result = CliRunner().invoke(main, args, prog_name="otrip-sim")
    expected = case["error"].replace("{dir}", str(folder)).replace("{cut}", CUT)
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {expected}\n"
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception caught by the runner
    assert snapshot(tmp_path) == before  # nothing written, every input untouched


def test_the_catalogue_is_large_and_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


if __name__ == "__main__":  # print each case's actual message
    import tempfile

    wanted = set(sys.argv[1:])
    for case in CASES:
        if wanted and case["id"] not in wanted:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            result, folder, output = run(case, Path(tmp))
            shown = output.strip().replace(folder, "{dir}").replace(CUT, "{cut}")
            ok = "ok " if shown == "Error: " + case["error"] and result.exit_code == 2 else "XX "
            print(ok, case["id"], result.exit_code, shown[:600])
