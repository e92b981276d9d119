"""The MRT station table of the Jakarta scenarios is the Pergub 34/2019 table: every pair
published in 2019 is reproduced (docs/sources.md, keys mrt-fares and mrt-fare-table)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLES = [ROOT / "scenarios" / "jakarta" / "fares" / "mrt.csv"]
PUBLISHED = {  # src: mrt-fares
    ("bundaran_hi", "dukuh_atas"): 3_000,
    ("blok_m", "dukuh_atas"): 7_000,
    ("cipete_raya", "haji_nawi"): 3_000,
    ("fatmawati", "cipete_raya"): 4_000,
    **{("lebak_bulus", s): a for s, a in [
        ("fatmawati", 4_000), ("cipete_raya", 5_000), ("haji_nawi", 6_000), ("blok_a", 7_000),
        ("blok_m", 8_000), ("asean", 9_000), ("senayan", 10_000), ("istora", 11_000),
        ("bendungan_hilir", 12_000), ("setiabudi", 13_000), ("dukuh_atas", 14_000), ("bundaran_hi", 14_000)]},
}


def _table(path: Path) -> dict[frozenset[str], int]:
    with path.open() as f:
        rows = list(csv.DictReader(f))
    ends = ("from_stop", "to_stop")
    return {frozenset(r[k].removeprefix("mrt_") for k in ends): int(r["amount"]) for r in rows}


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.parent.parent.name)
def test_every_published_mrt_pair_is_reproduced(path):
    table = _table(path)
    assert len(table) == 78  # every pair of the 13 stations, once (the table is symmetric)
    assert {pair: table[frozenset(pair)] for pair in PUBLISHED} == PUBLISHED
    assert min(table.values()) == 3_000 and max(table.values()) == 14_000


def test_the_city_scale_line_uses_the_same_fares_station_for_station():
    real = sorted(_table(TABLES[0]).values())
    synthetic = sorted(_table(ROOT / "scenarios" / "jakarta-scale" / "fares" / "mrt.csv").values())
    assert synthetic == real
