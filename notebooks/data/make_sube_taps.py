"""Write ``sube-extract.csv`` and ``sube-taps.csv`` for notebook 04 (provenance: LICENSE-sube.txt).

1. ``extract()``: ``sube-extract.csv`` is the urbantrips SUBE sample
   ``transacciones_amba_test_geocode.csv`` (all its 27 rows: 5 Buenos Aires cards, 11 Sep 2019) with
   its columns kept as they are, except ``sexo`` (the card holder's sex), dropped. Read from
   ``../shared/data/urbantrips-sube-samples/`` beside the repository; only this step needs it.
2. ``to_taps()``: ``sube-taps.csv`` is that extract in otrip-sim's tap format (docs/replay.md), one
   row per tap-in:

   - ``rider`` = ``id_tarjeta`` (the card), ``journey_id`` = the SUBE ``id`` of the tap-in row;
   - ``operator`` = ``modo`` mapped by ``sube-operators.csv`` (COL bus -> transjakarta, SUB subte ->
     lrt, TRE train -> krl; the reasons are in the file);
   - ``board_time`` = the clock time of ``fecha`` (one service day); the one malformed value,
     ``11/09/2019:07:05:00``, is read as ``11/09/2019 07:05:00``;
   - a train ``CHECK OUT`` is not a leg: it is the ``alight_time`` of the card's open ``CHECK IN``
     on the same line, and ``distance_km`` is the straight line between the two taps' coordinates
     (great circle, 0.1 km; the track is longer). A check-in without a check-out keeps no tap-out.
   - bus and subte taps have no tap-out, so no alighting point and no distance.

    python notebooks/data/make_sube_taps.py            # both steps
    python notebooks/data/make_sube_taps.py --taps     # step 2 only, from the shipped extract
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared" / "data" / "urbantrips-sube-samples"
SOURCE = SHARED / "transacciones_amba_test_geocode.csv"
EXTRACT = HERE / "sube-extract.csv"
TAPS = HERE / "sube-taps.csv"
OPERATORS = HERE / "sube-operators.csv"
DROPPED = ["sexo"]
EARTH_KM = 6371.0


def extract(source: Path = SOURCE) -> pd.DataFrame:
    """The SUBE sample's rows as they are, without the dropped columns."""
    return pd.read_csv(source, dtype=str, keep_default_na=False).drop(columns=DROPPED)


def _km(a: pd.Series, b: pd.Series) -> float:
    """Great-circle distance between two rows' ``lat``/``lon``, in km to 0.1."""
    la1, lo1, la2, lo2 = (math.radians(float(v)) for v in (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return round(2 * EARTH_KM * math.asin(math.sqrt(h)), 1)


def to_taps(rows: pd.DataFrame, operators: pd.DataFrame) -> pd.DataFrame:
    """The extract as otrip-sim tap rows (see the module docstring)."""
    op = dict(zip(operators["modo"], operators["operator"]))
    fixed = rows["fecha"].str.replace("2019:", "2019 ", regex=False)  # the one malformed value
    when = pd.to_datetime(fixed, format="%d/%m/%Y %H:%M:%S")
    rows = rows.assign(_when=when).sort_values(["id_tarjeta", "_when", "id"], kind="stable")
    out: list[dict[str, object]] = []
    open_in: dict[tuple[str, str], tuple[int, pd.Series]] = {}  # (card, line) -> its open check-in
    for _, r in rows.iterrows():
        if r["tipo_trx_tren"] == "CHECK OUT":
            at, start = open_in.pop((r["id_tarjeta"], r["id_linea"]))
            out[at]["alight_time"] = r["_when"].strftime("%H:%M:%S")
            out[at]["distance_km"] = _km(start, r)
            continue
        if r["tipo_trx_tren"] == "CHECK IN":
            open_in[(r["id_tarjeta"], r["id_linea"])] = (len(out), r)
        out.append({"rider": r["id_tarjeta"], "journey_id": r["id"], "operator": op[r["modo"]],
                     "board_time": r["_when"].strftime("%H:%M:%S"), "alight_time": "", "distance_km": ""})
    return pd.DataFrame(out)


def main(argv: list[str]) -> None:
    """Write the extract (unless ``--taps``), then the tap file from the shipped extract."""
    if "--taps" not in argv:
        extract().to_csv(EXTRACT, index=False, lineterminator="\n")
    rows = pd.read_csv(EXTRACT, dtype=str, keep_default_na=False)
    taps = to_taps(rows, pd.read_csv(OPERATORS, dtype=str))
    taps.to_csv(TAPS, index=False, lineterminator="\n")


if __name__ == "__main__":
    main(sys.argv[1:])
