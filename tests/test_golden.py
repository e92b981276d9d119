"""Outputs unchanged: every shipped scenario gives exactly its stored golden snapshot.

A change that alters outputs on purpose regenerates them with ``make golden`` in a commit that
says why; any other difference is a regression.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.snapshot import CASES, GOLDEN, snapshot


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_outputs_equal_golden_snapshot(name):
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    now = snapshot(name)
    assert now["summary"] == stored["summary"]
    changed = sorted(t for t in stored["tables"] if now["tables"].get(t) != stored["tables"][t])
    assert not changed, f"tables changed: {changed}"
    assert set(now["tables"]) == set(stored["tables"])
