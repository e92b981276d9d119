"""Notebooks are documentation that runs: each is executed top to bottom."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DATA = ROOT / "notebooks" / "data"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=300, kernel_name="python3", resources=resources).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_outputs_are_stripped(path):
    """Notebooks are kept without outputs (none, execution_count null): the suite runs them."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code), f"{path.name}: outputs in the file"
    assert all(c.get("execution_count") is None for c in code), f"{path.name}: execution counts in the file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_no_shared_data(path):
    """Data a notebook uses ships in the repository: none reads ``../shared`` when it runs."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert not re.search(r"\.\./shared|shared/data", text), f"{path.name} reads ../shared"


def test_sube_taps_are_the_scripts_output():
    """``sube-taps.csv`` is what ``make_sube_taps.py`` makes of the shipped extract and mapping."""
    spec = importlib.util.spec_from_file_location("make_sube_taps", DATA / "make_sube_taps.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = pd.read_csv(DATA / "sube-extract.csv", dtype=str, keep_default_na=False)
    made = script.to_taps(rows, pd.read_csv(DATA / "sube-operators.csv", dtype=str))
    shipped = pd.read_csv(DATA / "sube-taps.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(made.astype(str).reset_index(drop=True), shipped)
