"""Replay a TIDES-only cut of each Jakarta run's tap log (only the columns of the official
fare_transactions schema) and print a Markdown table: legs priced, rows counted as not legs,
and the replayed fares against the run's.  ``python benchmarks/tides_replay.py [demand_scale]``."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402
from otrip_sim.replay import replay  # noqa: E402

SCHEMA = ROOT / "tests" / "data" / "tides" / "fare_transactions.schema.json"


def main() -> None:
    """Print the table."""
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
    columns = [f["name"] for f in json.loads(SCHEMA.read_text())["fields"]]
    print(f"| scenario (demand × {scale}) | tap rows | legs priced | rejected | not legs (Adjust; other "
          "actions; exits without entry) | distance over the network | run's fares | replayed fares |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "scenarios" / "jakarta").glob("*.yaml")):
            res = otrip_sim.run(path, seed=1, demand_scale=scale)
            cut = Path(tmp) / f"{path.stem}.csv"
            res.taps[[c for c in res.taps.columns if c in columns]].to_csv(cut, index=False)
            r = replay(path, cut, skip_bad=True)
            c = r.counts
            replayed = int(r.priced["fare"][r.priced["fare"] >= 0].sum())
            print(f"| {path.stem} | {len(res.taps):,} | {len(r.priced) - len(r.rejects):,} | "
                  f"{len(r.rejects):,} | {c.get('skipped_no_boarding', 0):,}; "
                  f"{c.get('unrecognised_action', 0):,}; {c.get('unmatched_exit', 0):,} | "
                  f"{c.get('distance_over_network', 0):,} | {int(res.legs['fare'].sum()):,} | {replayed:,} |")


if __name__ == "__main__":
    main()
