"""The YAML examples of docs/fares.md are valid scenario fragments (docs run): every window rule,
standalone fare, route fare and fare by medium in them passes the schema."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from otrip_sim.schema.fares import MediaFareSpec, RouteFareSpec, StandaloneSpec, WindowSpec

DOC = Path(__file__).resolve().parents[2] / "docs" / "fares.md"
BLOCKS = [textwrap.dedent(b) for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)]
WINDOWS, STANDALONE = TypeAdapter(WindowSpec), TypeAdapter(StandaloneSpec)


def _check(node: Any) -> int:
    """Validate the fare pieces of a parsed block; returns how many were checked."""
    checked = 0
    if not isinstance(node, dict):
        return 0
    for key, value in node.items():
        if key == "windows" and isinstance(value, list):
            for w in value:
                WINDOWS.validate_python(w)
            checked += len(value)
        elif key == "media_fares":
            checked += len([MediaFareSpec.model_validate(m) for m in value])
        elif key == "route_fares":
            checked += len([RouteFareSpec.model_validate(r) for r in value])
        elif isinstance(value, dict) and isinstance(value.get("kind"), str) and key not in ("fare",):
            STANDALONE.validate_python(value)
            checked += 1
        elif isinstance(value, dict):
            checked += _check(value)
    return checked


@pytest.mark.parametrize("kind", ["pay_difference", "transfer_matrix", "od_chain", "none", "periods",
                                  "media_fares", "boundary: exclusive"])
def test_the_new_constructs_have_a_valid_example(kind):
    blocks = [b for b in BLOCKS if kind in b]
    assert blocks, f"docs/fares.md has no YAML example of {kind}"
    for block in blocks:
        assert _check(yaml.safe_load(block)) > 0


def test_every_yaml_example_of_the_fare_language_is_valid():
    checked = 0
    for block in BLOCKS:
        try:
            doc = yaml.safe_load(block)
        except yaml.YAMLError:
            continue  # a fragment shown at two nesting depths at once (not a document)
        checked += _check(doc)
    assert checked >= 20
