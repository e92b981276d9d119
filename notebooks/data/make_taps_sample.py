"""Write ``taps-sample.csv``: the tap log of a small otrip-sim run, for notebook 04.

The file is the TIDES ``fare_transactions`` table that every run writes (``res.taps``; in a results
folder ``fare_transactions.parquet``), as CSV, cut to TIDES' own columns plus otrip-sim's
``operator`` and ``distance_km`` (which ``otrip-sim fares`` reads when present; docs/replay.md,
"TIDES fare_transactions input"). The run: ``scenarios/jakarta/no-integration-2022.yaml``, seed 1,
1% of the persons (853 cards, 4,663 rows). Same code, same file: the run is deterministic.

    PYTHONPATH=. python notebooks/data/make_taps_sample.py
    PYTHONPATH=. python notebooks/data/make_taps_sample.py 1.0 /tmp/taps-full.csv   # a whole day, elsewhere
"""

from __future__ import annotations

import sys
from pathlib import Path

import otrip_sim

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCENARIO = ROOT / "scenarios" / "jakarta" / "no-integration-2022.yaml"
SEED = 1
SAMPLE = 0.01
COLUMNS = [
    # TIDES fare_transactions' own columns, as the run writes them
    "transaction_id", "service_date", "event_timestamp", "amount", "currency_type", "fare_action",
    "pattern_id", "stop_id", "num_riders", "fare_media_id", "rider_category", "fare_product",
    "fare_capped", "token_id",
    # otrip-sim's, read by the replay when present
    "operator", "distance_km",
]


def main(argv: list[str]) -> None:
    """Run the scenario and write the cut tap log (default: 1%, next to this script)."""
    sample = float(argv[0]) if argv else SAMPLE
    out = Path(argv[1]) if len(argv) > 1 else HERE / "taps-sample.csv"
    res = otrip_sim.run(SCENARIO, seed=SEED, sample=sample)
    res.taps[COLUMNS].to_csv(out, index=False, lineterminator="\n")


if __name__ == "__main__":
    main(sys.argv[1:])
