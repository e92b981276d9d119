"""GTFS out: a complete feed — the network (:mod:`.network_export`) and what a scenario's fares can
say as GTFS Fares v2 tables — and the list of what they cannot say (``NOT_EXPORTED.md``).  Amounts
are written with their currency's ISO 4217 decimals (``3500.00`` IDR, ``2.50`` USD;
:mod:`.currency`), times as ``HH:MM:SS``.  Area ids are ``operator.zone``, ids the importer reads
back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import atomic_folder
from ..units import format_clock
from .currency import gtfs_amount
from .network_export import SERVICE_ID, network_tables


def export_fares(scenario: Any, out: str | Path, force: bool = False) -> list[str]:
    """Write ``scenario`` as a GTFS feed with the Fares v2 tables that say what its fares can, into
    folder ``out``.

    Parameters
    ----------
    scenario:
        A loaded scenario (:func:`~otrip_sim.scenario.load_scenario`).
    out:
        The folder to write: the network tables (``agency.txt``, ``stops.txt``, ``routes.txt``,
        ``trips.txt``, ``stop_times.txt``, ``frequencies.txt``, ``calendar.txt``; see
        :func:`~otrip_sim.gtfs.network_export.network_tables`), ``fare_products.txt`` (``amount`` with
        the ISO 4217 decimals of ``meta.currency``), ``fare_leg_rules.txt``, ``timeframes.txt``
        (``HH:MM:SS``, on the feed's one service), ``areas.txt``,
        ``stop_areas.txt``, ``networks.txt`` (one per operator), ``route_networks.txt``,
        ``fare_transfer_rules.txt`` (``duration_limit`` in seconds), ``rider_categories.txt``, each only
        when it has rows, and ``NOT_EXPORTED.md``.  Written completely or not at all.
    force:
        Replace a non-empty ``out``.

    Returns
    -------
    list of str
        What GTFS Fares v2 cannot say (also in ``NOT_EXPORTED.md``), one line per fare rule.
    """
    spec = scenario.spec
    fares = spec.fares
    currency = spec.meta.currency
    year = spec.meta.year
    not_exported: list[str] = []
    products: list[dict[str, Any]] = []
    leg_rules: list[dict[str, Any]] = []
    timeframes: list[dict[str, Any]] = []
    areas: dict[str, str] = {}
    stop_areas: list[dict[str, str]] = []

    def money(minor: int) -> str:
        return gtfs_amount(minor, currency)

    def timeframe(tfid: str, start: int, end: int, where: str) -> None:
        if end > 24 * 3600:  # GTFS timeframes are times of one day, at most 24:00:00
            not_exported.append(f"{where}: the hours after 24:00 of {tfid} (timeframes end at 24:00:00)")
        if start < 24 * 3600:
            timeframes.append({"timeframe_group_id": tfid, "start_time": format_clock(start),
                               "end_time": format_clock(min(end, 24 * 3600)), "service_id": SERVICE_ID})

    products_of: dict[str, list[str]] = {}

    # with fares by medium, the standalone fares are those of the medium most riders hold: its
    # products carry it, so that an import (which prices the commonest medium) reads them back
    main = max(fares.media, key=lambda m: m.share).id if fares.media_fares and fares.media else ""

    def product(pid: str, amount: int, name: str, op: str | None = None) -> str:
        products.append({"fare_product_id": pid, "fare_product_name": name, "amount": money(amount),
                         "currency": currency, **({"fare_media_id": main} if main and op else {})})
        if op is not None:
            products_of.setdefault(op, []).append(pid)
        return pid

    for op, sf in fares.standalone.items():
        group = f"{op}_leg"
        if sf.kind == "flat":
            leg_rules.append(
                {
                    "leg_group_id": group,
                    "network_id": op,
                    "fare_product_id": product(f"{op}_fare", sf.amount, f"{op} fare", op),
                }
            )
        elif sf.kind == "time_band":
            leg_rules.append(
                {
                    "leg_group_id": group,
                    "network_id": op,
                    "fare_product_id": product(f"{op}_fare", sf.default, f"{op} fare", op),
                }
            )
            for b in sf.bands:
                tfid = f"{op}_{b.name}"
                timeframe(tfid, b.start, b.end, f"fares.standalone.{op}")
                leg_rules.append(
                    {
                        "leg_group_id": group,
                        "network_id": op,
                        "from_timeframe_group_id": tfid,
                        "rule_priority": 1,
                        "fare_product_id": product(
                            f"{op}_{b.name}_fare", b.amount, f"{op} {b.name} fare", op
                        ),
                    }
                )
        elif sf.kind in ("zones", "station_table"):
            if sf.kind == "zones":
                zone_rows = [(r.stop_id, r.zone) for r in sf.zones]
                pairs = [(r.from_zone, r.to_zone, r.amount) for r in sf.fares if not r.period]
                by = {p.name: p.by for p in sf.periods}
                for p in sf.periods:  # a period is a timeframe of the departure or of the arrival
                    timeframe(f"{op}_{p.name}", p.start, p.end, f"fares.standalone.{op}")
                if any(p.days != "all" for p in sf.periods):
                    not_exported.append(f"fares.standalone.{op}: the days of its periods (timeframes are "
                                        "written for every day: GTFS ties days to calendar services)")
                for r in (r for r in sf.fares if r.period):
                    side = "to_timeframe_group_id" if by[r.period] == "alight" else "from_timeframe_group_id"
                    pid = product(f"{op}_{r.from_zone}_{r.to_zone}_{r.period}", r.amount,
                                  f"{op} {r.from_zone} to {r.to_zone} ({r.period})", op)
                    directions = [(r.from_zone, r.to_zone)]
                    if sf.symmetric and r.from_zone != r.to_zone:
                        directions.append((r.to_zone, r.from_zone))
                    leg_rules += [{"leg_group_id": group, "network_id": op, "from_area_id": f"{op}.{x}",
                                   "to_area_id": f"{op}.{y}", side: f"{op}_{r.period}", "rule_priority": 1,
                                   "fare_product_id": pid} for x, y in directions]
            else:
                zone_rows = sorted({(s, s) for r in sf.table for s in (r.from_stop, r.to_stop)})
                pairs = [(r.from_stop, r.to_stop, r.amount) for r in sf.table]
            for stop, zone in zone_rows:
                areas[f"{op}.{zone}"] = zone
                stop_areas.append({"area_id": f"{op}.{zone}", "stop_id": stop})
            for a, b, amount in pairs:
                directions = [(a, b)] + ([(b, a)] if sf.symmetric and a != b else [])
                pid = product(f"{op}_{a}_{b}", amount, f"{op} {a} to {b}", op)
                for x, y in directions:
                    leg_rules.append(
                        {
                            "leg_group_id": group,
                            "network_id": op,
                            "from_area_id": f"{op}.{x}",
                            "to_area_id": f"{op}.{y}",
                            "fare_product_id": pid,
                        }
                    )
        elif sf.kind != "none":  # no fare product: no leg rule, as GTFS Fares v2 says it
            not_exported.append(
                f"fares.standalone.{op}: a {sf.kind} fare (distance-based fares have no GTFS Fares v2 form)"
            )
    for i, mf in enumerate(fares.media_fares):
        for op in mf.operators:
            if mf.fare.kind != "flat" or fares.standalone[op].kind != "flat":
                not_exported.append(f"fares.media_fares[{i}]: a {mf.fare.kind} fare by medium on {op} "
                                    "(only flat fares on a flat fare's product are exported)")
                continue
            for medium in mf.media:  # the operator's product, priced again on this medium
                products.append({"fare_product_id": f"{op}_fare", "fare_product_name": f"{op} fare",
                                 "amount": money(mf.fare.amount), "currency": currency,
                                 "fare_media_id": medium})
    if fares.media_fares:
        not_exported.append("fares.media: the type of each fare medium (fare_media_type 2, a physical "
                            "transit card, is written for each: correct it)")
    for i in range(len(fares.route_fares)):
        not_exported.append(f"fares.route_fares[{i}]: route-level fares (would need one network per route)")
    for i, c in enumerate(fares.categories):
        if c.kind in ("free", "fixed"):
            amount = 0 if c.kind == "free" else c.amount
            for op in c.operators:
                for pid in products_of.get(op, []):
                    products.append(
                        {
                            "fare_product_id": pid,
                            "fare_product_name": f"{pid} ({c.category})",
                            "amount": money(amount),
                            "currency": currency,
                            "rider_category_id": c.category,
                            **({"fare_media_id": main} if main else {}),
                        }
                    )
            if c.kind == "free":
                not_exported.append(
                    f"fares.categories[{i}]: free rides are exported as {c.category!r} prices of 0; being "
                    "invisible to windows has no GTFS equivalent"
                )
        else:
            not_exported.append(f"fares.categories[{i}]: a {c.kind} category rule")
    transfers: list[dict[str, Any]] = []
    for i, w in enumerate(fares.windows):
        if w.kind == "transfer":
            f = w.transfer_fare
            if f.kind == "discount" and f.percent:
                not_exported.append(f"fares.windows[{i}]: a percentage transfer discount")
                continue
            pid = ""
            if f.kind in ("fixed", "surcharge") and f.amount:
                pid = product(f"{w.id}_transfer", f.amount, f"{w.id} transfer")
            if f.kind == "discount" and f.amount:  # A + AB + B with a negative AB
                pid = product(f"{w.id}_transfer", -f.amount, f"{w.id} transfer discount")
                not_exported.append(f"fares.windows[{i}]: the floor of an amount-off transfer (a leg "
                                    "never costs less than 0; GTFS sums A + AB + B)")
            if w.duration_limit_type == "first_tap":
                not_exported.append(
                    f"fares.windows[{i}]: a limit from the chain's first tap (exported as "
                    "duration_limit_type 1, "
                    "from the previous leg)"
                )
            if w.boundary == "exclusive":
                not_exported.append(f"fares.windows[{i}]: an exclusive time limit (exported as its duration)")
            if w.max_transfers is not None and len(w.operators) > 1:
                not_exported.append(f"fares.windows[{i}]: its max_transfers between different operators' leg "
                                    "groups (GTFS transfer_count counts transfers within one leg group only)")
            for a in w.operators:
                for b in w.operators:
                    transfers.append(
                        {
                            "from_leg_group_id": f"{a}_leg",
                            "to_leg_group_id": f"{b}_leg",
                            "duration_limit": w.duration,
                            "duration_limit_type": 1
                            if w.duration_limit_type == "first_tap"
                            else w.duration_limit_type,
                            "fare_transfer_type": 1 if f.kind in ("surcharge", "discount") else 0,
                            # GTFS: transfer_count only between legs of one leg group
                            "transfer_count": (-1 if w.max_transfers is None else w.max_transfers)
                            if a == b else "",
                            "fare_product_id": pid,
                        }
                    )
        elif w.kind == "transfer_matrix":
            not_exported.append(
                f"fares.windows[{i}] ({w.id}): the limit from the window's first tap (pairs exported with "
                "duration_limit_type 1, from the previous leg)"
            )
            if w.max_rides_from:
                not_exported.append(f"fares.windows[{i}]: ride limits by the window's first operator")
            if w.max_rides is not None and any(a != b for p in w.pairs for a in p.from_ for b in p.to):
                not_exported.append(f"fares.windows[{i}]: its ride limit between different leg groups (GTFS "
                                    "transfer_count counts transfers within one leg group only)")
            for k, pair in enumerate(w.pairs):
                if pair.fare.kind in ("discount", "pay_difference"):
                    not_exported.append(f"fares.windows[{i}].pairs[{k}]: a {pair.fare.kind} transfer fare")
                    continue
                pid = ""
                if pair.fare.kind == "fixed":
                    pid = product(f"{w.id}_transfer_{k}", pair.fare.amount, f"{w.id} transfer")
                for a in pair.from_:
                    for b in pair.to:
                        transfers.append({
                            "from_leg_group_id": f"{a}_leg",
                            "to_leg_group_id": f"{b}_leg",
                            "duration_limit": pair.duration if pair.duration is not None else w.duration,
                            "duration_limit_type": 1,
                            "fare_transfer_type": 0,
                            "transfer_count": (-1 if w.max_rides is None else w.max_rides - 1)
                            if a == b else "",
                            "fare_product_id": pid,
                        })
        elif w.kind == "od_chain":
            not_exported.append(
                f"fares.windows[{i}] ({w.id}): an od_chain window (fare_leg_join_rules.txt and the chain's "
                "area fares are not written)"
            )
        elif w.kind == "pay_difference":
            not_exported.append(
                f"fares.windows[{i}] ({w.id}): a pay_difference window (a GTFS transfer costs a fixed "
                "product, not the difference from the dearest fare already covered)"
            )
        else:
            not_exported.append(
                f"fares.windows[{i}] ({w.id}): a {w.kind} window "
                "(GTFS Fares v2 has no caps or integrated distance formulas)"
            )
    for i, c in enumerate(fares.caps):
        not_exported.append(f"fares.caps[{i}] ({c.id}): a {c.kind} cap (no capping in GTFS Fares v2)")
    for i, p in enumerate(fares.passes):
        not_exported.append(
            f"fares.passes[{i}] ({p.id}): a pass's validity "
            "(GTFS Fares v2 does not say how long a product lasts)"
        )
    for i, m in enumerate(fares.media):
        if m.unlocks:
            not_exported.append(f"fares.media[{i}] ({m.id}): rules that need a fare medium")
    routes = [{"route_id": r.id, "network_id": r.operator_in(year)} for r in scenario.routes()]
    network, network_missing = network_tables(scenario)
    not_exported += network_missing
    tables = {
        **network,
        "fare_products.txt": products,
        "fare_leg_rules.txt": leg_rules,
        "timeframes.txt": timeframes,
        "areas.txt": [{"area_id": a, "area_name": z} for a, z in areas.items()],
        "stop_areas.txt": stop_areas,
        "networks.txt": [{"network_id": op, "network_name": op} for op in fares.standalone],
        "route_networks.txt": routes,
        "fare_transfer_rules.txt": transfers,
        "fare_media.txt": [{"fare_media_id": m.id, "fare_media_name": m.id, "fare_media_type": 2}
                           for m in fares.media] if fares.media_fares else [],
        "rider_categories.txt": [
            {
                "rider_category_id": c.id,
                "rider_category_name": c.id,
                "is_default_fare_category": 1 if k == 0 else 0,
            }
            for k, c in enumerate(spec.demand.categories)
        ],
    }
    base = scenario.path.parent
    inputs = [scenario.path, *(base / name for name in scenario.inputs)]
    with atomic_folder(Path(out), force, inputs) as tmp:
        for name, rows in tables.items():
            if rows:
                columns = list(dict.fromkeys(k for r in rows for k in r))
                pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows], columns=columns).to_csv(
                    tmp / name, index=False
                )
        lines = [
            f"# Not exported from {scenario.path}",
            "",
            "GTFS (Fares v2) cannot say these parts of the scenario; they are not in the tables, or "
            "are written as said here.",
            "",
        ]
        lines += [f"- {n}" for n in not_exported] or ["- nothing: every rule was exported"]
        (tmp / "NOT_EXPORTED.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return not_exported
