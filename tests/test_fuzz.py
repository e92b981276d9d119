"""Fuzzing the input boundary: random and mutated bytes fed to the scenario loader, the CSV reader,
the tap-file reader and the GTFS reader may only raise otrip-sim's own error type (never a
traceback of another kind).  The number of examples follows the hypothesis profile (more where
``CI`` is unset, see conftest.py)."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otrip_sim import compile_scenario, load_scenario
from otrip_sim.errors import OtripError
from otrip_sim.gtfs.feed import Feed
from otrip_sim.replay import replay
from otrip_sim.scenario import read_csv_records
from otrip_sim.schema import WalkLink

ROOT = Path(__file__).resolve().parent.parent
TINY_TEXT = (ROOT / "scenarios" / "tiny" / "tiny.yaml").read_bytes()
STOPS_TXT = (ROOT / "tests" / "data" / "google-sample-feed-1" / "stops.txt").read_bytes()
TAPS = b"rider,operator,board_time,distance_km,alight_time\na,bus,08:00:00,3,08:20:00\na,metro,08:30:00,9,\n"
LINKS = b"from_stop,to_stop,walk_m,note\nmarket,m_market,150,ok\nport,m_port,150,\n"
COMPILED = compile_scenario(load_scenario(ROOT / "scenarios" / "tiny" / "tiny.yaml"))
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None,
                max_examples=int(os.environ.get("FUZZ_N", "0")) or settings().max_examples)  # FUZZ_N: more
TINY_DOC = yaml.safe_load(TINY_TEXT)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)
    | st.sampled_from(["bus", "metro", "hill", "port", "05:00", "25:00", "3h", "10km", "cap", "flat", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random edits: bytes replaced, inserted or deleted, or a slice repeated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 40))] * draw(st.integers(1, 4))
    return bytes(data)


def _inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), mutated(seed))


def _write(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="otrip-fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return path


def _only_our_errors(fn, path: Path) -> None:
    try:
        fn(path)
    except OtripError:
        pass
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


@FUZZ
@given(_inputs(TINY_TEXT))
def test_the_loader_raises_only_input_errors(data):
    _only_our_errors(lambda p: compile_scenario(load_scenario(p)), _write("scenario.yaml", data))


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


PATHS = _paths(TINY_DOC)[1:]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES, st.booleans()), min_size=1, max_size=3))
def test_the_loader_on_random_values_raises_only_input_errors(edits):
    doc = copy.deepcopy(TINY_DOC)
    for path, value, delete in edits:
        node = doc
        try:
            for part in path[:-1]:
                node = node[part]
            if delete and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced the place
    _only_our_errors(lambda p: compile_scenario(load_scenario(p)),
                     _write("scenario.yaml", yaml.safe_dump(doc, allow_unicode=True).encode()))


@FUZZ
@given(_inputs(LINKS))
def test_the_csv_reader_raises_only_input_errors(data):
    _only_our_errors(lambda p: read_csv_records(p, WalkLink, str(p)), _write("links.csv", data))


@FUZZ
@given(_inputs(TAPS))
def test_the_tap_reader_raises_only_input_errors(data):
    def check(path: Path) -> None:
        r = replay(COMPILED, path, skip_bad=True)
        assert len(r.priced) + len(r.rejects) == len(r.rows)  # every row priced or rejected
        assert (r.priced["fare"] >= 0).all()

    _only_our_errors(check, _write("taps.csv", data))


@FUZZ
@given(_inputs(STOPS_TXT))
def test_the_gtfs_reader_raises_only_input_errors(data):
    def check(path: Path) -> None:
        feed = Feed(path.parent)
        try:
            feed.read("stops.txt")
        finally:
            feed.close()

    _only_our_errors(check, _write("stops.txt", data))
