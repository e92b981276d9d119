"""Golden outputs: what the shipped scenarios produce, stored so a refactoring can prove it changed
nothing.

``python -m tests.golden.snapshot`` (or ``make golden``) rewrites ``tests/golden/*.json`` from the
current code.  Do that only in a commit that changes outputs on purpose, and say why in it.

A snapshot holds ``summary.json`` whole and, for every table a run writes, its columns, dtypes, row
count and the SHA-256 of its CSV text (categoricals as their values), so any changed cell shows.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SEED = 5
# (snapshot name, scenario file, demand scale): the Jakarta examples at full demand, the tiny
# scenario, and the city-scale scenario at a few thousand journeys
CASES = [
    ("baseline-2017", "scenarios/jakarta/baseline-2017.yaml", 1.0),
    ("okotrip-2018", "scenarios/jakarta/okotrip-2018.yaml", 1.0),
    ("okotrip-2018-as-operated", "scenarios/jakarta/okotrip-2018-as-operated.yaml", 1.0),
    ("baseline-2018", "scenarios/jakarta/baseline-2018.yaml", 1.0),
    ("no-integration-2022", "scenarios/jakarta/no-integration-2022.yaml", 1.0),
    ("jaklingko-2022", "scenarios/jakarta/jaklingko-2022.yaml", 1.0),
    ("tiny", "scenarios/tiny/tiny.yaml", 1.0),
    ("jaklingko-2024", "scenarios/jakarta-scale/jaklingko-2024.yaml", 0.002),
]
TABLES = ("journeys", "legs", "taps", "by_operator", "by_hour", "by_route", "by_category", "transfers")


def frame_digest(df: pd.DataFrame) -> dict[str, Any]:
    """Columns, dtypes, rows and a hash of the values of one table."""
    plain = df.reset_index(drop=True).copy()
    for col in plain.columns:
        if isinstance(plain[col].dtype, pd.CategoricalDtype):
            plain[col] = plain[col].astype(object)
    text = plain.to_csv(index=False, lineterminator="\n")
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [str(t) for t in df.dtypes],
        "rows": len(df),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def snapshot(name: str) -> dict[str, Any]:
    """Run one case and return its snapshot."""
    import otrip_sim
    from otrip_sim.validation import validation_table

    _, file, scale = next(c for c in CASES if c[0] == name)
    res = otrip_sim.run(ROOT / file, seed=SEED, demand_scale=scale)
    tables = {t: frame_digest(getattr(res, t)) for t in TABLES}
    tables["operators"] = frame_digest(res.accounts())
    tables["revenue_flows"] = frame_digest(res.clearing_flows())
    tables["clearing_methods"] = frame_digest(res.clearing_methods())
    tables["validation"] = frame_digest(validation_table(res))
    # the summary as summary.json has it (a JSON round trip turns tuples into lists)
    return {"summary": json.loads(json.dumps(res.summary())), "tables": tables}


def main(names: list[str]) -> None:
    for name, _, _ in CASES:
        if names and name not in names:
            continue
        path = GOLDEN / f"{name}.json"
        path.write_text(json.dumps(snapshot(name), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
