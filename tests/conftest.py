"""Shared fixtures and the hypothesis profiles (a smaller one under CI=true)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TINY = SCENARIOS / "tiny" / "tiny.yaml"

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session")
def tiny_doc() -> dict[str, Any]:
    """The tiny scenario as a plain dict, to derive variants from."""
    return yaml.safe_load(TINY.read_text())


@pytest.fixture
def write_scenario(tmp_path: Path, tiny_doc: dict[str, Any]) -> Callable[..., Path]:
    """Write a variant of the tiny scenario: ``write_scenario(lambda doc: ...)`` edits a deep copy."""

    def make(edit: Callable[[dict[str, Any]], Any] | None = None, name: str = "scenario.yaml") -> Path:
        doc = copy.deepcopy(tiny_doc)
        if edit is not None:
            edit(doc)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    return make


@pytest.fixture(scope="session")
def tiny_result():
    import otrip_sim

    return otrip_sim.run(TINY, seed=3, demand_scale=0.5)
