"""Export → import → re-price: a scenario exported as GTFS, its fares imported back into the same
network, and the same legs priced by both.  Used by ``tests/test_gtfs_export.py`` and by
``benchmarks/gtfs_roundtrip.py`` (the table of every gtfs.org example and Jakarta scenario)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from otrip_sim import load_scenario
from otrip_sim.gtfs import export_fares, import_fares
from otrip_sim.network import build_network
from otrip_sim.output import resolved_yaml
from otrip_sim.replay import replay
from otrip_sim.units import format_clock

TIMES = (5 * 3600 + 1800, 8 * 3600, 12 * 3600, 17 * 3600 + 1800, 21 * 3600)


@dataclass
class RoundTrip:
    """One scenario exported, imported back and re-priced."""

    name: str
    legs: int
    same: int
    not_exported: list[str]
    import_notes: list[str]
    differing: pd.DataFrame

    @property
    def line(self) -> str:
        """One row of the table: the legs priced the same, and how much was reported."""
        rules = ", ".join(sorted(set(self.differing["rule"]))) or "–"
        return (f"| {self.name} | {self.same}/{self.legs} | {rules} | {len(self.not_exported)} | "
                f"{len(self.import_notes)} |")


def sample_legs(scenario: Any) -> pd.DataFrame:
    """Legs over the whole network: every route direction from its first stop to its second, middle
    and last stop at five times of day, for every rider category, one card each; and for every pair
    of operators a card riding the first's first route, then 15 minutes later the second's."""
    net = build_network(scenario)
    categories = [c.id for c in scenario.spec.demand.categories] or ["adult"]
    rows: list[dict[str, Any]] = []
    first_line: dict[str, Any] = {}
    start, end = scenario.spec.meta.service_start, scenario.spec.meta.service_end
    for line in net.lines:
        first_line.setdefault(line.operator, line)
        for pos in sorted({1, len(line.stops) // 2, len(line.stops) - 1} - {0}):
            for t in TIMES:
                if not start <= t < end:
                    continue
                for cat in categories:
                    rows.append({"rider": f"c{len(rows)}", "operator": line.operator, "route": line.route,
                                 "board_time": format_clock(t),
                                 "alight_time": format_clock(t + line.cum_s[pos]),
                                 "board_stop": net.stop_ids[line.stops[0]],
                                 "alight_stop": net.stop_ids[line.stops[pos]], "category": cat})
    t = max(start, 8 * 3600)
    for a, la in first_line.items():
        for b, lb in first_line.items():
            card = f"pair-{a}-{b}"
            for k, line in enumerate((la, lb)):
                board = t + k * (la.cum_s[-1] + 900)
                rows.append({"rider": card, "operator": line.operator, "route": line.route,
                             "board_time": format_clock(board),
                             "alight_time": format_clock(board + line.cum_s[-1]),
                             "board_stop": net.stop_ids[line.stops[0]],
                             "alight_stop": net.stop_ids[line.stops[-1]], "category": categories[0]})
    return pd.DataFrame(rows)


def roundtrip(source: Path, work: Path, name: str | None = None) -> RoundTrip:
    """Export ``source`` to ``work/gtfs``, import its fares back into the same scenario
    (``work/reimported.yaml``), and price :func:`sample_legs` under both."""
    loaded = load_scenario(source, allow_outside_files=True)
    not_exported = export_fares(loaded, work / "gtfs")
    # the import names operators as network-import does (slugs of agency ids: translink_bus ->
    # translink-bus); --operator, the shared mapping's override, keeps the scenario's ids
    back = import_fares(work / "gtfs", operators={op.id: op.id for op in loaded.spec.operators})
    doc = loaded.spec.model_dump(mode="json", by_alias=True)
    doc["fares"] = back.fares
    for key in ("validation", "clearing", "money"):  # they may name rules the import renames
        doc.pop(key, None)
    path = work / "reimported.yaml"
    path.write_text(resolved_yaml(doc), encoding="utf-8")
    taps = work / "legs.csv"
    legs = sample_legs(loaded)
    legs.to_csv(taps, index=False)
    before = replay(loaded, taps).priced
    after = replay(path, taps).priced
    same = before["fare"].to_numpy() == after["fare"].to_numpy()
    differing = before.loc[~same, ["rider", "operator", "board_stop", "alight_stop", "board_time",
                                   "category", "fare", "rule"]].assign(reimported=after.loc[~same, "fare"])
    return RoundTrip(name or loaded.name, len(legs), int(same.sum()), not_exported, back.notes, differing)


def scenario_around(feed: Path, work: Path) -> Path:
    """A scenario around a Fares v2 feed's imported fares: per operator one route through its
    stops (for zone fares one stop per zone, or one two-stop route per priced pair of zones when
    not every pair is priced), 10 km long, every 10 minutes all day."""
    r = import_fares(feed)
    areas = feed / "stop_areas.txt"
    every = (list(dict.fromkeys(pd.read_csv(areas, dtype=str)["stop_id"])) if areas.exists()
             else ["a", "b", "c"])
    lines: list[tuple[str, list[str]]] = []
    for op, fare in r.fares["standalone"].items():
        if fare["kind"] != "zones":
            lines.append((op, every))
            continue
        rep: dict[str, str] = {}
        for row in fare["zones"]:
            rep.setdefault(row["zone"], row["stop_id"])
        priced = {(f["from_zone"], f["to_zone"]) for f in fare["fares"]}
        if all((a, b) in priced for a in rep for b in rep if a != b):
            lines.append((op, list(rep.values())))
        else:
            lines += [(op, [rep[a], rep[b]]) for a, b in sorted(priced) if a != b and a in rep and b in rep]
    zoned = [z["stop_id"] for f in r.fares["standalone"].values() if f["kind"] == "zones" for z in f["zones"]]
    stops = list(dict.fromkeys([*(s for _, line in lines for s in line), *zoned]))
    doc = {
        "meta": {"name": feed.name.replace("_", "-"), "currency": r.currency, "service_start": "00:00",
                 "service_end": "24:00"},
        "operators": [{"id": op} for op in r.operators],
        "network": {
            "stops": [{"stop_id": s, "lat": 10 + k * 0.01, "lon": 10.0} for k, s in enumerate(stops)],
            "routes": [{"id": f"r-{op}-{k}", "operator": op, "stops": line, "length": "10km", "speed_kmh": 30,
                        "directions": "forward", "capacity": 100,
                        "headways": [{"start": "00:00", "end": "24:00", "every": "10min"}]}
                       for k, (op, line) in enumerate(lines)],
        },
        "demand": {"od": [{"origin": stops[0], "destination": stops[-1], "trips": 1}],
                   "profile": [{"start": "06:00", "end": "07:00", "weight": 1}],
                   "categories": [{"id": "adult", "share": 1, "value_of_time": 1000}]},
        "fares": r.fares,
    }
    path = work / "around.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
