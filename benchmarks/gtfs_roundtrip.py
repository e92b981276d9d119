"""The export → import table: every gtfs.org Fares v2 example (imported into a one-route-per-network
scenario) and every Jakarta scenario exported as GTFS, its fares imported back and the same legs
re-priced.  ``python benchmarks/gtfs_roundtrip.py`` prints a Markdown table (and the legs that
differ with ``-v``)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gtfs_roundtrip import roundtrip, scenario_around  # noqa: E402


def main() -> None:
    """Print the table."""
    verbose = "-v" in sys.argv
    print("| source | legs priced the same after export → import | rules of the legs that differ | "
          "NOT_EXPORTED.md lines | import notes |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = [(f"gtfs.org {f.name}", f, True)
                   for f in sorted((ROOT / "tests" / "data" / "gtfs-fares-v2").iterdir()) if f.is_dir()]
        jakarta = sorted((ROOT / "scenarios" / "jakarta").glob("*.yaml"))
        sources += [(f"jakarta {p.stem}", p, False) for p in jakarta]
        for label, path, is_feed in sources:
            d = work / label.replace(" ", "_")
            d.mkdir()
            try:
                r = roundtrip(scenario_around(path, d) if is_feed else path, d, label)
            except Exception as e:  # a row of the table says what broke
                print(f"| {label} | not run: {e} | | | |")
                continue
            print(r.line)
            if verbose:
                for n in r.not_exported:
                    print(f"    not exported: {n}")
                for n in r.import_notes:
                    print(f"    import note: {n}")
                if len(r.differing):
                    print(r.differing.head(10).to_string())


if __name__ == "__main__":
    main()
