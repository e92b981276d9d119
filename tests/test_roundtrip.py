"""A loaded scenario written out (as ``scenario.resolved.yaml``) loads back identical, for random
valid variants of the tiny scenario and for the shipped ones."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from otrip_sim import InputError, load_scenario
from otrip_sim.output import resolved_yaml

ROOT = Path(__file__).resolve().parent.parent
TINY_DOC = yaml.safe_load((ROOT / "scenarios" / "tiny" / "tiny.yaml").read_text())


def _roundtrip(path: Path, tmp: Path) -> None:
    first = load_scenario(path, allow_outside_files=True)
    doc = first.spec.model_dump(mode="json", by_alias=True)
    again = tmp / "resolved.yaml"
    again.write_text(resolved_yaml(doc), encoding="utf-8")
    assert load_scenario(again).spec == first.spec


@settings(deadline=None)
@given(cap=st.integers(6000, 1_000_000_000), minutes=st.integers(1, 366 * 24 * 60),
       share=st.floats(0, 1), trips=st.floats(0, 1e10), seed=st.integers(0, 2**63 - 1),
       title=st.text(max_size=30))
def test_random_variants_round_trip(tmp_path_factory, cap, minutes, share, trips, seed, title):
    doc = copy.deepcopy(TINY_DOC)
    doc["fares"]["windows"][0]["cap"] = cap
    doc["fares"]["windows"][0]["duration"] = f"{minutes}min"
    doc["demand"]["categories"][0]["share"] = share
    doc["demand"]["categories"][1]["share"] = 1 - share
    doc["demand"]["od"][0]["trips"] = trips
    doc["meta"]["seed"] = seed
    doc["meta"]["title"] = title
    tmp = tmp_path_factory.mktemp("rt")
    path = tmp / "s.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_scenario(path)
    except InputError as exc:  # shares that do not sum to 1 within tolerance are a located error
        assert "shares must sum to 1" in str(exc)
        return
    _roundtrip(path, tmp)


@pytest.mark.parametrize("name", ["tiny/tiny.yaml", "jakarta/okotrip-2018.yaml",
                                  "jakarta/jaklingko-2022.yaml"])
def test_shipped_scenarios_round_trip(tmp_path, name):
    _roundtrip(ROOT / "scenarios" / name, tmp_path)
