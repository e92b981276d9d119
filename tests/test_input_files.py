"""Input files by strict rules: references stay in the scenario's folder, text is UTF-8, YAML keys
are unique and numbers have no leading zeros, deep nesting and huge cells are located errors, and
zip feeds may not unpack beyond their limits."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from otrip_sim import InputError, load_scenario
from otrip_sim.cli import main
from otrip_sim.gtfs.feed import Feed
from otrip_sim.textio import MAX_DEPTH, ZipLimits, decode_utf8, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
GOOGLE = ROOT / "tests" / "data" / "google-sample-feed-1"

STOPS = ("stop_id,name,lat,lon,paid_area\nhill,Hill,-6.3,106.8,\nmarket,Market,-6.26,106.805,bus\n"
         "park,Park,-6.23,106.81,bus\nport,Port,-6.18,106.815,\nm_market,Market (metro),-6.2605,106.8055,\n"
         "m_port,Port (metro),-6.1805,106.8155,\n")


def _scenario_with_stops(folder: Path, ref: str) -> Path:
    doc = yaml.safe_load(TINY.read_text())
    doc["network"]["stops"] = ref
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ------------------------------------------------------------------------------ file references
@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_a_reference_outside_the_scenario_folder_is_refused_unread(tmp_path, how):
    outside = tmp_path / "secret.csv"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    folder = tmp_path / "scen"
    folder.mkdir()
    ref = {"dotdot": "../secret.csv", "absolute": str(outside), "symlink": "link.csv"}[how]
    if how == "symlink":
        os.symlink(outside, folder / "link.csv")
    path = _scenario_with_stops(folder, ref)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    text = str(info.value)
    assert text == (f"{path}: network.stops: the file lies outside the scenario's folder ({folder}); "
                    f"pass --allow-outside-files to read it (got {ref!r})")
    assert "root:x" not in text


def test_allow_outside_files_reads_them(tmp_path):
    (tmp_path / "stops.csv").write_text(STOPS)
    path = _scenario_with_stops(tmp_path / "scen", "../stops.csv")
    assert len(load_scenario(path, allow_outside_files=True).spec.network.stops) == 6
    refused = CliRunner().invoke(main, ["validate", str(path)])
    assert refused.exit_code == 2 and "--allow-outside-files" in refused.output
    allowed = CliRunner().invoke(main, ["validate", str(path), "--allow-outside-files"])
    assert allowed.exit_code == 0, allowed.output
    assert f"{path}: valid" in allowed.output


def test_a_reference_inside_the_folder_is_fine(tmp_path):
    folder = tmp_path / "scen"
    (folder / "network").mkdir(parents=True)
    (folder / "network" / "stops.csv").write_text(STOPS)
    assert load_scenario(_scenario_with_stops(folder, "network/stops.csv")).spec.network.stops


# ------------------------------------------------------------------------------------ encodings
def test_a_cp1252_csv_names_line_column_and_byte(tmp_path):
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "stops.csv").write_bytes(STOPS.replace("Park,", "Park \u2013 Ride,").encode("cp1252"))
    path = _scenario_with_stops(folder, "stops.csv")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value) == (f"{folder / 'stops.csv'}: line 4, column 11: byte 0x96 is not UTF-8 text; "
                               "re-save the file as UTF-8 (in Excel: Save As, 'CSV UTF-8')")


def test_utf8_with_a_byte_order_mark_is_read(tmp_path):
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "stops.csv").write_bytes(b"\xef\xbb\xbf" + STOPS.encode())
    assert len(load_scenario(_scenario_with_stops(folder, "stops.csv")).spec.network.stops) == 6
    assert decode_utf8(b"\xef\xbb\xbfa", "f") == "a"


def test_a_huge_csv_cell_is_located(tmp_path):
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "stops.csv").write_text(STOPS.replace("Hill,", "H" * 131_073 + ",", 1))
    with pytest.raises(InputError) as info:
        load_scenario(_scenario_with_stops(folder, "stops.csv"))
    assert str(info.value) == f"{folder / 'stops.csv'}: line 2: a cell is longer than 131,072 characters"


# ----------------------------------------------------------------------------------------- YAML
def test_duplicate_keys_are_refused_with_both_lines():
    with pytest.raises(InputError) as info:
        parse_yaml("a: 1\nb:\n  cap: 5\n  cap: 6\n", "s.yaml")
    assert str(info.value) == ("s.yaml: line 4, column 3: duplicate key 'cap' (first at line 3); "
                               "a key may appear once in a mapping")


def test_leading_zero_numbers_are_refused_but_quoted_ones_are_text():
    with pytest.raises(InputError) as info:
        parse_yaml("cap: 010000\n", "s.yaml")
    assert str(info.value) == ("s.yaml: line 1, column 6: the number 010000 has a leading zero (YAML 1.1 "
                               "would read it as octal): write 10000, or quote it ('010000') if it is text")
    assert parse_yaml("id: '0012'\nn: 0\nt: 21:00\nx: 0.5\n", "s.yaml") == {
        "id": "0012", "n": 0, "t": "21:00", "x": 0.5}


def test_deep_nesting_is_located():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(InputError, match=f"s.yaml: line 1: nested deeper than {MAX_DEPTH} levels"):
        parse_yaml(text, "s.yaml")
    deep = "".join("  " * k + f"k{k}:\n" for k in range(2000)) + "  " * 2000 + "v: 1\n"
    with pytest.raises(InputError, match=f"s.yaml: line {MAX_DEPTH + 1}: nested deeper"):
        parse_yaml(deep, "s.yaml")


def test_an_empty_scenario_says_so(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: empty file: a scenario is a YAML mapping")
    assert "NoneType" not in str(info.value)


# ------------------------------------------------------------------------------------------ zip
def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_a_zip_bomb_member_is_refused_before_it_is_read(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", {"stops.txt": b"stop_id,stop_lat,stop_lon\n" + b"0" * 50_000_000})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(InputError) as info:
        Feed(bomb)
    text = str(info.value)
    assert text.startswith(f"{bomb}/stops.txt: unpacks ") and "more than the limit of 100" in text
    assert "--zip-max-ratio" in text
    Feed(bomb, limits=ZipLimits(max_ratio=10_000)).close()  # overridable


def test_a_zip_beyond_the_total_size_is_refused(tmp_path):
    members = {p.name: p.read_bytes() for p in GOOGLE.iterdir()}
    path = _zip(tmp_path / "feed.zip", members)
    total = sum(len(v) for v in members.values())
    with pytest.raises(InputError) as info:
        Feed(path, limits=ZipLimits(max_bytes=1000))
    assert str(info.value) == (f"{path}: unpacks to {total:,} bytes, more than the limit of 1,000 bytes "
                               "(a zip bomb?); --zip-max-bytes raises it")
    out = tmp_path / "net"
    result = CliRunner().invoke(main, ["network-import", str(path), "--out", str(out),
                                       "--zip-max-bytes", "1000"])
    assert result.exit_code == 2 and "--zip-max-bytes raises it" in result.output and not out.exists()
    ok = CliRunner().invoke(main, ["network-import", str(path), "--out", str(out)])
    assert ok.exit_code == 0, ok.output


def test_aliases_of_aliases_take_linear_time(tmp_path):
    # "billion laughs": nine levels of nine aliases would be 9^9 leaves if expanded
    nested = "[x, x, x, x, x, x, x, x, x]"
    for i in range(9):
        nested = f"[&a{i} {nested}, " + ", ".join([f"*a{i}"] * 8) + "]"
    path = tmp_path / "scenario.yaml"
    path.write_text(TINY.read_text().replace('"Tiny two-path city (synthetic)"', nested, 1))
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"meta.title: Input should be a valid string"):
        load_scenario(path)
    assert time.perf_counter() - started < 5


def test_a_bad_byte_after_a_byte_order_mark_is_located_exactly():
    data = b"\xef\xbb\xbfab\ncd\xe9f\n"
    with pytest.raises(InputError) as info:
        decode_utf8(data, "f.csv")
    assert str(info.value).startswith("f.csv: line 2, column 3: byte 0xE9 is not UTF-8 text")
    with pytest.raises(InputError) as info:
        decode_utf8(b"\xef\xbb\xbf\xe9", "f.csv")
    assert str(info.value).startswith("f.csv: line 1, column 1: byte 0xE9 ")
