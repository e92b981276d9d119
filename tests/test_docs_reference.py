"""The generated references of docs/reference/ are up to date: regenerating them from the schema
and the commands' help gives exactly the committed text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "docs" / "reference" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_reference_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()
# a key and a command each reference must have: guards against an empty or truncated reference
KNOWN = {"scenario-file.md": ("`max_wait`", "`fares.windows[]`", "kind: integrated", "duration ("),
         "cli.md": ("## `otrip-sim calibrate`", "--targets", "## `otrip-sim run`", "--replications")}


@pytest.mark.parametrize("path", sorted(GENERATE.REFERENCES), ids=lambda p: p.name)
def test_reference_is_up_to_date(path):
    expected = GENERATE.REFERENCES[path]()
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `{GENERATE.COMMAND}`"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(ROOT)} is out of date with the code: run `{GENERATE.COMMAND}` and commit it"
    )


@pytest.mark.parametrize("path", sorted(GENERATE.REFERENCES), ids=lambda p: p.name)
def test_reference_is_complete(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) > 100
    for needle in KNOWN[path.name]:
        assert needle in text, f"{path.relative_to(ROOT)} lacks {needle!r}"
    assert " at 0x" not in text, "a memory address in a generated reference: it would change run to run"


def test_every_command_is_in_the_cli_reference():
    text = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in GENERATE.cli_main.commands:
        assert f"## `otrip-sim {name}`" in text


def test_every_scenario_model_has_a_section():
    text = (ROOT / "docs" / "reference" / "scenario-file.md").read_text(encoding="utf-8")
    for section in GENERATE.Walker().walk():
        assert f'<a id="{section.anchor}"></a>' in text
        for name in section.model.model_fields:
            info = section.model.model_fields[name]
            key = info.validation_alias if isinstance(info.validation_alias, str) else name
            assert f"| `{key}` |" in text


def test_docs_index_lists_every_page():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    missing = [p for p in pages if p != "README.md" and f"]({p})" not in index]
    assert not missing, f"docs/README.md lists no line for: {missing}"
