"""The Jakarta examples' demand: each year's matrix is the generator's output and of its year."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from otrip_sim import load_scenario

JAKARTA = Path(__file__).resolve().parents[1] / "scenarios" / "jakarta"
DEMAND = JAKARTA / "demand"
FILES = ("od.csv", "od-2017.csv", "od-2019.csv", "od-2022.csv")


def _od(path: Path) -> dict[tuple[str, str], int]:
    with path.open(newline="") as fh:
        return {(r["origin"], r["destination"]): int(r["trips"]) for r in csv.DictReader(fh)}


def test_make_od_writes_the_shipped_matrices(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_od", DEMAND / "make_od.py")
    assert spec is not None and spec.loader is not None
    make_od = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_od)
    for name, attr in zip(FILES, ("OD_CSV", "OD_2017_CSV", "OD_2019_CSV", "OD_2022_CSV")):
        monkeypatch.setattr(make_od, attr, str(tmp_path / name))
    make_od.build()
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DEMAND / name).read_bytes(), name


def test_the_2017_matrix_is_the_2018_one_at_transjakartas_2017_level():
    base, y2017 = _od(DEMAND / "od.csv"), _od(DEMAND / "od-2017.csv")
    factor = 144_870_000 / 189_770_000  # TJ passengers 2017 / 2018 (docs/sources.md: tj-ridership)
    krl_only = {"depok", "bogor"}
    kept = [k for k in base if krl_only & set(k)]
    scaled = [k for k in base if not krl_only & set(k)]
    assert kept and scaled
    # each pair rounded on its own (largest remainder): within one journey of its real value
    assert all(abs(y2017.get(k, 0) - base[k]) <= 1 for k in kept)
    assert all(abs(y2017.get(k, 0) - base[k] * factor) <= 1 for k in scaled)
    assert set(y2017) <= set(base)
    assert sum(y2017.values()) == pytest.approx(
        sum(base[k] for k in kept) + factor * sum(base[k] for k in scaled), abs=40)


@pytest.mark.parametrize("name, od", [
    ("baseline-2017", "od-2017.csv"), ("okotrip-2018-as-operated", "od.csv"), ("okotrip-2018", "od.csv"),
    ("baseline-2018", "od.csv"), ("lrt-trial-2019", "od-2019.csv"), ("lrt-paid-2019", "od-2019.csv"),
    ("jaklingko-2022", "od-2022.csv"), ("no-integration-2022", "od-2022.csv"),
])
def test_each_scenario_reads_the_matrix_of_its_year(name, od):
    loaded = load_scenario(JAKARTA / f"{name}.yaml")
    assert loaded.source("demand", "od").endswith(f"demand/{od}")
    assert str(loaded.spec.meta.year) in loaded.spec.meta.period


def test_corridor_13_runs_to_1900_in_2017_and_to_2200_from_2018():
    from otrip_sim.network import build_network

    def last_departure(name):
        net = build_network(load_scenario(JAKARTA / f"{name}.yaml"))
        return max(ln.departures[-1] for ln in net.lines if ln.route == "tj-k13")

    assert last_departure("baseline-2017") < 19 * 3600
    assert last_departure("okotrip-2018-as-operated") >= 21 * 3600
