"""Regenerate mrt.csv: MRT Jakarta's station-to-station fare table (Pergub DKI 34/2019).

The table is the operator's own: the station list of jakartamrt.co.id (``/id/val/stasiuns``,
each station's ``estimasi`` list: fare and minutes to every other station), as captured on
2024-03-29 (src: mrt-fare-table).  Fares have not changed since the 2019 Pergub (src:
mrt-fare-table), and every pair published in 2019 (src: mrt-fares) matches it — a test checks
those pairs.  The table is symmetric, so each unordered pair is written once.
"""

import csv
from pathlib import Path

STATIONS = (
    "lebak_bulus fatmawati cipete_raya haji_nawi blok_a blok_m asean senayan istora "
    "bendungan_hilir setiabudi dukuh_atas bundaran_hi"
).split()

# Rp thousands; row = from, column = to, in STATIONS order (src: mrt-fare-table)
TABLE_K = (
    ( 0,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 14),
    ( 4,  0,  4,  5,  6,  7,  7,  9,  9, 10, 11, 12, 13),
    ( 5,  4,  0,  3,  4,  5,  6,  7,  8,  9,  9, 10, 11),
    ( 6,  5,  3,  0,  3,  4,  5,  6,  7,  8,  8,  9, 10),
    ( 7,  6,  4,  3,  0,  3,  4,  5,  6,  7,  7,  8,  9),
    ( 8,  7,  5,  4,  3,  0,  3,  4,  5,  6,  6,  7,  8),
    ( 9,  7,  6,  5,  4,  3,  0,  3,  4,  5,  6,  7,  7),
    (10,  9,  7,  6,  5,  4,  3,  0,  3,  4,  4,  5,  6),
    (11,  9,  8,  7,  6,  5,  4,  3,  0,  3,  3,  4,  5),
    (12, 10,  9,  8,  7,  6,  5,  4,  3,  0,  3,  3,  4),
    (13, 11,  9,  8,  7,  6,  6,  4,  3,  3,  0,  3,  4),
    (14, 12, 10,  9,  8,  7,  7,  5,  4,  3,  3,  0,  3),
    (14, 13, 11, 10,  9,  8,  7,  6,  5,  4,  4,  3,  0),
)


def main() -> None:
    rows = [("from_stop", "to_stop", "amount", "note")]
    for i, a in enumerate(STATIONS):
        for j in range(i + 1, len(STATIONS)):
            assert TABLE_K[i][j] == TABLE_K[j][i], "the operator's table is symmetric"
            rows.append((f"mrt_{a}", f"mrt_{STATIONS[j]}", TABLE_K[i][j] * 1000,
                         "Pergub 34/2019 table as published by the operator (src: mrt-fare-table)"))
    with Path(__file__).with_name("mrt.csv").open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    main()
