"""GTFS Fares v2 in: turn a feed's fare tables into a scenario ``fares`` section.

GTFS Fares v2 prices a leg by matching *leg rules* (network, from/to area, from/to timeframe) to
*fare products*, and transfers between *leg groups* by *transfer rules*.  otrip-sim prices by
operator (a network becomes an operator) with standalone kinds: a network's rules become a
``flat``, ``time_band`` or ``zones`` fare; transfer rules become ``transfer`` windows; products
per rider category become category ``fixed`` rules.  What has no equivalent is reported, never
dropped silently (see docs/gtfs-fares.md).  Amounts are ints in the currency's minor unit; times
are clock strings of one service day.

The feed is read by :class:`~otrip_sim.gtfs.feed.Feed`, the reader the network import uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..textio import DEFAULT_ZIP_LIMITS, ZipLimits
from ..units import format_clock, parse_clock
from .calendar import services_on_weekday
from .currency import minor_units
from .feed import Feed
from .ids import network_id
from .operators import network_operators, operator_of_network
from .options import check_operator_map
from .values import col


@dataclass
class FaresImport:
    """A GTFS Fares v2 feed as a scenario ``fares`` section.

    Attributes
    ----------
    fares:
        The ``fares`` section as plain data, ready for YAML (amounts in minor units of ``currency``,
        times as ``HH:MM:SS``, durations in seconds).
    operators:
        The operator ids it prices, one per GTFS network.
    currency:
        ISO 4217 code of ``fare_products.txt``'s ``currency`` (``USD`` when it has none).
    notes:
        Everything approximated or left out, one line each.
    """

    fares: dict[str, Any]
    operators: list[str]
    currency: str
    notes: list[str] = field(default_factory=list)


def _minor(amount: str, currency: str, where: str, line: int) -> int:
    """A GTFS price (ISO 4217 decimals) in otrip-sim's minor unit, exactly; a sub-unit amount is
    refused.  Negative amounts are kept: GTFS allows them for transfer discounts (a leg rule's
    product must not be negative, :func:`_network_fare` checks)."""
    return minor_units(amount, currency, where, line)


def import_fares(
    source: str | Path,
    *,
    name: str | None = None,
    day: str = "monday",
    media: str | None = None,
    default_network: str = "network",
    operators: Mapping[str, str] | None = None,
    zip_limits: ZipLimits = DEFAULT_ZIP_LIMITS,
) -> FaresImport:
    """Read a GTFS Fares v2 feed (folder or zip) into a ``fares`` section.

    Parameters
    ----------
    source:
        The feed: a folder or zip with ``fare_products.txt`` and ``fare_leg_rules.txt`` (read by
        :class:`~otrip_sim.gtfs.feed.Feed`).
    name:
        The policy's name (default: the feed's file or folder name).
    day:
        The day of the week whose timeframes apply (otrip-sim time bands are clock times of one
        service day): timeframes whose ``service_id`` does not run that day are left out.
    media:
        The fare medium whose prices to use where products differ by medium (default: the medium
        most products are sold on).
    default_network:
        Operator id for leg rules without ``network_id``.
    operators:
        ``--operator`` entries: ``network_id``, ``agency_id`` or ``agency_name`` -> operator id.
        Without one a network is named as ``network-import`` names the one agency running all its
        routes, else after its ``network_id`` (:mod:`otrip_sim.gtfs.operators`).
    zip_limits:
        How far a zip feed may unpack (:class:`~otrip_sim.textio.ZipLimits`).

    Returns
    -------
    FaresImport
        The ``fares`` section, its operators, currency and notes.

    Raises
    ------
    InputError
        A broken feed (file, line, column and value), a price finer than the currency's minor unit,
        several currencies.  A network without a leg rule (on ``day``) gets ``kind: none``: its
        legs have no fare product (a note says so).
    """
    feed = Feed(Path(source), limits=zip_limits)
    try:
        known = network_operators(feed, check_operator_map(operators))
        return _import(feed, name, day, media, default_network, known)
    finally:
        feed.close()


READ = {"fare_products.txt", "fare_leg_rules.txt", "fare_transfer_rules.txt", "fare_leg_join_rules.txt",
        "timeframes.txt", "calendar.txt", "calendar_dates.txt", "areas.txt", "stop_areas.txt", "networks.txt",
        "route_networks.txt", "routes.txt", "agency.txt", "rider_categories.txt", "fare_media.txt"}
"""The tables ``fares-import`` reads."""
NETWORK = {"stops.txt", "trips.txt", "stop_times.txt", "frequencies.txt", "transfers.txt", "shapes.txt",
           "pathways.txt", "levels.txt", "feed_info.txt", "translations.txt", "attributions.txt"}
"""Tables of the network, which ``network-import`` reads (not reported by ``fares-import``)."""


def _import(feed: Feed, name: str | None, day: str, media: str | None, default_network: str,
            known: dict[str, str]) -> FaresImport:
    notes: list[str] = []
    for table in feed.tables():
        if table not in READ | NETWORK:
            what = " (GTFS Fares v1: not read; the Fares v2 tables are)" if table in (
                "fare_attributes.txt", "fare_rules.txt") else ""
            notes.append(f"{table}: not read by fares-import{what}")
    products_df = feed.read("fare_products.txt", required=False)
    rules_df = feed.read("fare_leg_rules.txt", required=False)
    if products_df is None or rules_df is None:
        raise InputError(feed.path, "", "a GTFS Fares v2 feed needs fare_products.txt and fare_leg_rules.txt")
    currency, price, by_category = _prices(feed, products_df, media, notes)
    bands_of = _timeframes(feed, day)
    areas_of, known_areas = _areas(feed, notes)

    network = col(rules_df, "network_id").map(
        lambda n: operator_of_network(n, known) if n else default_network)
    group_network: dict[str, set[str]] = {}
    standalone: dict[str, dict[str, Any]] = {}
    category_rules: dict[str, dict[str, set[str]]] = {}  # category -> amount key -> operators
    for op in dict.fromkeys(network):
        rows = rules_df[network == op]
        for g in col(rows, "leg_group_id"):
            if g:
                group_network.setdefault(g, set()).add(op)
        zone_of = _zones_of_network(op, rows, areas_of, notes)
        standalone[op] = _network_fare(op, rows, price, bands_of, zone_of, known_areas, feed, notes)
        for pid in set(col(rows, "fare_product_id")):
            for cat, amount in by_category.get(pid, {}).items():
                category_rules.setdefault(cat, {}).setdefault(str(amount), set()).add(op)

    categories = []
    for cat, amounts in sorted(category_rules.items()):
        if len(amounts) > 1:
            notes.append(
                f"rider category {cat!r} has several prices: "
                "a fixed fare per operator set is imported for each"
            )
        for amount_key, ops in sorted(amounts.items()):
            categories.append(
                {
                    "kind": "fixed",
                    "id": f"{cat}-{amount_key}",
                    "category": cat,
                    "operators": sorted(ops),
                    "amount": int(amount_key),
                }
            )

    networks = feed.read("networks.txt", required=False)
    listed = col(networks, "network_id") if networks is not None else []
    for op in dict.fromkeys(operator_of_network(n, known) for n in listed):
        if op and op not in standalone:
            notes.append(f"network {op}: no leg rule: its legs have no fare product")
            standalone[op] = {"kind": "none"}

    chosen = _chosen_medium(products_df, media)
    media_fares, others = _media_fares(feed, products_df, rules_df, network, standalone, chosen, day, notes)

    windows = _transfer_windows(feed, group_network, price, notes)
    windows += _join_windows(feed, standalone, {op for w in windows for op in w["operators"]}, known, notes)
    fares: dict[str, Any] = {"name": name or network_id(feed.path.stem), "standalone": standalone}
    if media_fares:
        # who holds which medium is not in a feed: every simulated rider holds the chosen one
        fares["media"] = [{"id": chosen, "share": 1.0}, *({"id": m, "share": 0.0} for m in others)]
        fares["media_fares"] = media_fares
        notes.append(f"fares by medium: {chosen!r} prices are the standalone fares, the others are "
                     f"media_fares; set the shares of riders holding {others} in fares.media (now 0)")
    if categories:
        fares["categories"] = categories
    if windows:
        fares["windows"] = windows
    return FaresImport(fares, list(standalone), currency, notes)


def _prices(
    feed: Feed, products_df: pd.DataFrame, media: str | None, notes: list[str]
) -> tuple[str, dict[str, int], dict[str, dict[str, int]]]:
    """The currency, each product's price (minor units) for the default rider category, and
    product -> other category -> price, all for the chosen fare medium."""
    where = feed.display("fare_products.txt")
    currencies = set(col(products_df, "currency")) - {""}
    if len(currencies) > 1:
        raise InputError(where, "currency", "one currency per scenario", sorted(currencies))
    currency = currencies.pop() if currencies else "USD"
    medium_col = col(products_df, "fare_media_id")
    chosen_media = _chosen_medium(products_df, media)
    if media is None and chosen_media is not None and medium_col.nunique() > 1:
        notes.append(
            f"prices by fare medium: the {chosen_media!r} prices are used (choose another with --media)"
        )
    categories_df = feed.read("rider_categories.txt", required=False)
    default_cat = ""
    if categories_df is not None:
        default = categories_df[col(categories_df, "is_default_fare_category") == "1"]
        default_cat = default["rider_category_id"].iloc[0] if len(default) else ""
    price: dict[str, int] = {}
    by_category: dict[str, dict[str, int]] = {}
    cat_col = col(products_df, "rider_category_id")
    # per product and category, the row of the chosen medium, else one without a medium, else any
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for (_, row), med, cat in zip(products_df.iterrows(), medium_col, cat_col):
        pid = row["fare_product_id"]
        rank = 0 if med == chosen_media else 1 if not med else 2
        amount = _minor(row["amount"], currency, where, row["_line"])
        key = (pid, "" if cat == default_cat else cat)
        if key not in best or (rank, amount) < best[key]:
            best[key] = (rank, amount)
    for (pid, cat), (rank, amount) in best.items():
        if rank == 2:
            notes.append(
                f"product {pid!r} is not sold on {chosen_media!r}: its price on another medium is used"
            )
        if cat:
            by_category.setdefault(pid, {})[cat] = amount
        else:
            price[pid] = amount
    for pid in by_category:
        if pid not in price:
            raise InputError(
                where, "fare_product_id", "a product priced only for non-default rider categories", pid
            )
    return currency, price, by_category


def _chosen_medium(products_df: pd.DataFrame, media: str | None) -> str | None:
    """The fare medium whose prices are the standalone fares: ``media``, else the most common."""
    medium_col = col(products_df, "fare_media_id")
    if media is None and (medium_col != "").any():
        return str(medium_col[medium_col != ""].value_counts().index[0])
    return media


def _media_fares(feed: Feed, products_df: pd.DataFrame, rules_df: pd.DataFrame, network: pd.Series,
                 standalone: dict[str, dict[str, Any]], chosen: str | None, day: str,
                 notes: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The networks' fares on the other fare media, where they differ (``media_fares`` entries),
    and those media."""
    others = sorted(set(col(products_df, "fare_media_id")) - {"", chosen or ""})
    bands_of = _timeframes(feed, day)
    areas_of, known_areas = _areas(feed, [])
    out: list[dict[str, Any]] = []
    for medium in others:
        _, price, _ = _prices(feed, products_df, medium, [])
        for op in dict.fromkeys(network):
            rows = rules_df[network == op]
            fare = _network_fare(op, rows, price, bands_of, _zones_of_network(op, rows, areas_of, []),
                                 known_areas, feed, [])
            if fare == standalone[op]:
                continue
            if fare["kind"] in ("zones", "station_table"):
                notes.append(f"network {op}: its {fare['kind']} fares on {medium!r} differ, which a fare by "
                             "medium cannot say: left out")
                continue
            out.append({"media": [medium], "operators": [op], "fare": fare})
    return out, others


def _timeframes(feed: Feed, day: str) -> dict[str, list[tuple[int, int]]]:
    """``timeframe_group_id`` -> its (start, end) seconds on weekday ``day`` (whole day when empty)."""
    running = services_on_weekday(feed, day)
    bands_of: dict[str, list[tuple[int, int]]] = {}
    tf = feed.read("timeframes.txt", required=False)
    if tf is None:
        return bands_of
    for _, row in tf.iterrows():
        service = row.get("service_id", "")
        if running is not None and service and service not in running:
            continue
        start = row.get("start_time", "") or "00:00:00"
        end = row.get("end_time", "") or "24:00:00"
        try:
            window = (parse_clock(start), parse_clock(end))
        except ValueError:
            raise InputError(
                feed.display("timeframes.txt"), f"line {row['_line']}", "unparsable time", f"{start}-{end}"
            ) from None
        bands_of.setdefault(row["timeframe_group_id"], []).append(window)
    return bands_of


def _areas(feed: Feed, notes: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Each stop's areas in ``stop_areas.txt`` order (a network's zone of the stop is the first of
    them its leg rules use: networks may zone one stop differently), and every area with a stop."""
    areas_of: dict[str, list[str]] = {}
    sa = feed.read("stop_areas.txt", required=False)
    if sa is None:
        return areas_of, set()
    for stop, area in zip(sa["stop_id"], sa["area_id"]):
        if area not in areas_of.setdefault(stop, []):
            areas_of[stop].append(area)
    return areas_of, set(sa["area_id"])


def _zones_of_network(op: str, rows: pd.DataFrame, areas_of: dict[str, list[str]],
                      notes: list[str]) -> dict[str, str]:
    """Each stop's zone for network ``op``: its area among those ``op``'s leg rules name (the first
    when it is in several of them, with a note)."""
    used = (set(col(rows, "from_area_id")) | set(col(rows, "to_area_id"))) - {""}
    zone_of: dict[str, str] = {}
    for stop, areas in areas_of.items():
        mine = [a for a in areas if a in used] if used else areas
        if len(mine) > 1:
            notes.append(f"network {op}: stop {stop} is in areas {mine}: otrip-sim gives a stop one zone per "
                         f"operator, {mine[0]!r} is kept")
        if mine:
            zone_of[stop] = mine[0]
    return zone_of


def _network_fare(
    op: str,
    rows: pd.DataFrame,
    price: dict[str, int],
    bands_of: dict[str, list[tuple[int, int]]],
    zone_of: dict[str, str],
    known_areas: set[str],
    feed: Feed,
    notes: list[str],
) -> dict[str, Any]:
    """One network's leg rules as one standalone fare."""
    where = feed.display("fare_leg_rules.txt")
    base: list[int] = []
    bands: list[tuple[str, int, int, int]] = []
    matrix: dict[tuple[str, str], tuple[tuple[int, int], int]] = {}  # (from, to) -> (rank, amount)
    timed_matrix: dict[tuple[str, str], int] = {}  # area rules that also depend on a timeframe
    timed_rules: list[tuple[str, str, str, str, int]] = []  # (from, to, from tf, to tf, amount)
    products_per_match: dict[tuple[str, ...], list[str]] = {}
    for _, row in rows.iterrows():
        pid = row["fare_product_id"].strip()
        if pid not in price:
            raise InputError(
                where, f"line {row['_line']}, column fare_product_id", "unknown fare product", pid
            )
        fa, ta = row.get("from_area_id", "").strip(), row.get("to_area_id", "").strip()
        ftf, ttf = (
            row.get("from_timeframe_group_id", "").strip(),
            row.get("to_timeframe_group_id", "").strip(),
        )
        prio = int(row.get("rule_priority", "").strip() or 0)
        amount = price[pid]
        if amount < 0:
            raise InputError(where, f"line {row['_line']}, column fare_product_id",
                             "a leg's fare product has a negative amount (GTFS allows them for transfer "
                             "discounts only)", pid)
        products_per_match.setdefault((fa, ta, ftf, ttf), []).append(pid)
        for area in (fa, ta):
            if area and area not in known_areas:
                notes.append(
                    f"{where} line {row['_line']}: area {area!r} has no stop in stop_areas.txt: rule left out"
                )
                break
        else:
            if (fa or ta) and (ftf or ttf):
                for a in [fa] if fa else sorted(known_areas):
                    for b in [ta] if ta else sorted(known_areas):
                        timed_matrix[(a, b)] = min(amount, timed_matrix.get((a, b), amount))
                        timed_rules.append((a, b, ftf, ttf, amount))
            elif fa or ta:
                froms = [fa] if fa else sorted(known_areas)
                tos = [ta] if ta else sorted(known_areas)
                for a in froms:
                    for b in tos:
                        # an explicit pair beats an "any area" rule; then the higher rule_priority
                        rank = (prio, int(bool(fa)) + int(bool(ta)))
                        old = matrix.get((a, b))
                        if old is None or rank > old[0]:
                            matrix[(a, b)] = (rank, amount)
            elif ftf:
                if ftf not in bands_of:
                    notes.append(
                        f"{where} line {row['_line']}: timeframe {ftf!r} "
                        "does not apply on the chosen day: rule left out"
                    )
                for k, (start, end) in enumerate(bands_of.get(ftf, [])):
                    bands.append((f"{ftf}" if k == 0 else f"{ftf}-{k + 1}", start, end, amount))
            elif len(products_per_match[(fa, ta, ftf, ttf)]) == 1:
                base.append(amount)
    for match, pids in products_per_match.items():
        if len(pids) > 1 and not any(match):
            base.append(min(price[p] for p in pids))
        if len(pids) > 1:
            cheapest = min(pids, key=lambda p: price[p])
            notes.append(
                f"network {op}: leg rule {'/'.join(m for m in match if m) or '(any leg)'} "
                f"sells {len(pids)} products; the cheapest, {cheapest!r}, is the pay-as-you-go fare; "
                f"{sorted(set(pids) - {cheapest})} left out "
                "(GTFS Fares v2 does not say how long a pass lasts: add them under fares.passes)"
            )
    periods, period_rows = _zone_periods(op, timed_rules, bands_of, matrix, notes)
    with_stops = set(zone_of.values())
    empty = sorted({a for pair in matrix for a in pair} - with_stops)
    if empty:
        notes.append(
            f"network {op}: areas {empty} keep no stop of their own (each stop has one zone): "
            "their fares are left out"
        )
        matrix = {pair: v for pair, v in matrix.items() if pair[0] in with_stops and pair[1] in with_stops}
    if matrix:
        if bands:
            notes.append(
                f"network {op}: zone fares and time bands together cannot be said: the zone fares are used"
            )
        stops = sorted(s for s, z in zone_of.items() if z in {a for pair in matrix for a in pair})
        fares: dict[str, Any] = {
            "kind": "zones",
            "symmetric": False,
            "zones": [{"stop_id": s, "zone": zone_of[s]} for s in stops],
            "fares": [{"from_zone": a, "to_zone": b, "amount": v[1]} for (a, b), v in sorted(matrix.items())],
        }
        if period_rows:
            fares["periods"] = periods
            fares["fares"] += [{"from_zone": a, "to_zone": b, "amount": amount, "period": name}
                               for (a, b, name), amount in sorted(period_rows.items()) if (a, b) in matrix]
        return fares
    if bands:
        bands.sort(key=lambda b: b[1])
        default = min(base) if base else max(b[3] for b in bands)
        if not base and _uncovered(bands):
            notes.append(
                f"network {op}: the timeframes leave hours without a fare; "
                f"they are charged {default} (the highest band)"
            )
        return {
            "kind": "time_band",
            "default": default,
            "bands": [
                {"name": n, "start": format_clock(s), "end": format_clock(e), "amount": a}
                for n, s, e, a in bands
            ],
        }
    if not base:
        notes.append(f"network {op}: no leg rule applies on the chosen day: its legs have no fare product")
        return {"kind": "none"}
    if len(set(base)) > 1:
        notes.append(f"network {op}: several flat fares for any leg: the lowest, {min(base)}, is used")
    return {"kind": "flat", "amount": min(base)}


def _zone_periods(
    op: str, timed_rules: list[tuple[str, str, str, str, int]], bands_of: dict[str, list[tuple[int, int]]],
    matrix: dict[tuple[str, str], tuple[tuple[int, int], int]], notes: list[str],
) -> tuple[list[dict[str, Any]], dict[tuple[str, str, str], int]]:
    """Area fares by timeframe on the chosen day as zone periods: a rule whose departure
    (``from_timeframe_group_id``) or arrival (``to_timeframe_group_id``) timeframe covers part of
    the day becomes a period by tap-in or tap-out; each area pair without a rule for any time gets
    the lowest of its fares for other times (``matrix``, filled in).  Returns the periods and the
    ``(from, to, period)`` fares."""
    day_long = [(0, 24 * 3600)]
    ranges: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    period_rows: dict[tuple[str, str, str], int] = {}
    any_time: dict[tuple[str, str], int] = {}
    for a, b, ftf, ttf, amount in timed_rules:
        if any(tf and tf not in bands_of for tf in (ftf, ttf)):
            continue  # a timeframe that does not run on the chosen day
        narrow = [(tf, by) for tf, by in ((ftf, "board"), (ttf, "alight")) if tf and bands_of[tf] != day_long]
        if len(narrow) > 1:
            notes.append(f"network {op}: a fare by departure and arrival timeframes together ({ftf}, {ttf}) "
                         "cannot be said: left out")
            continue
        if not narrow:
            any_time[(a, b)] = min(amount, any_time.get((a, b), amount))
            continue
        tf, by = narrow[0]
        name = tf if by == "board" else f"{tf}_arrival"
        ranges[name] = (by, bands_of[tf])
        period_rows[(a, b, name)] = min(amount, period_rows.get((a, b, name), amount))
    for a, b, _ in sorted(period_rows):
        if (a, b) not in matrix:
            lowest = min(v for (x, y, _), v in period_rows.items() if (x, y) == (a, b))
            matrix[(a, b)] = ((0, 2), any_time.get((a, b), lowest))
    for (a, b), amount in any_time.items():
        matrix.setdefault((a, b), ((0, 2), amount))
    if ranges:
        notes.append(f"network {op}: fares by timeframe (peak / off-peak) on the chosen day become zone "
                     f"periods {sorted(ranges)} (by departure, or by arrival for '_arrival'); other times "
                     "pay the lowest fare of each pair")
    periods = [{"name": name, "start": format_clock(start), "end": format_clock(end), "by": by}
               for name, (by, spans) in sorted(ranges.items()) for start, end in spans]
    return periods, period_rows


def _join_windows(feed: Feed, standalone: dict[str, dict[str, Any]], windowed: set[str],
                  known: dict[str, str], notes: list[str]) -> list[dict[str, Any]]:
    """``fare_leg_join_rules.txt`` as OD chains: consecutive legs of a network that a join rule
    matches are one effective leg, priced by the network's area fares from the first boarding to the
    last alighting (at the rule's stops, when it names them)."""
    jr = feed.read("fare_leg_join_rules.txt", required=False)
    if jr is None:
        return []
    where = feed.display("fare_leg_join_rules.txt")
    at: dict[str, set[str] | None] = {}
    for _, row in jr.iterrows():
        a = operator_of_network(row.get("from_network_id", "").strip(), known)
        b = operator_of_network(row.get("to_network_id", "").strip(), known)
        stops = {x for x in (row.get("from_stop_id", "").strip(), row.get("to_stop_id", "").strip()) if x}
        if a != b or a not in standalone or standalone[a]["kind"] != "zones":
            notes.append(f"{where} line {row['_line']}: joins {a} to {b}: only legs of one network priced by "
                         "areas become an OD chain: left out")
            continue
        seen: set[str] | None = at.get(a, set())
        at[a] = None if seen is None or not stops else seen | stops  # any stop once a rule names none
    out: list[dict[str, Any]] = []
    for op, changes in at.items():
        if op in windowed:
            notes.append(f"network {op}: its join rules are left out (it has transfer rules, and an operator "
                         "is in one window rule)")
            continue
        notes.append(f"network {op}: joined legs become an OD chain (a day long; a change at any of the "
                     "rules' stops joins)")
        out.append({"kind": "od_chain", "id": f"{op}-joined", "operators": [op], "duration": 86_400,
                    "fare": dict(standalone[op]),
                    "joins": [{"from": [op], "to": [op], **({"at": sorted(changes)} if changes else {})}]})
    return out


def _uncovered(bands: list[tuple[str, int, int, int]]) -> bool:
    t = 0
    for _, start, end, _ in sorted(bands, key=lambda b: b[1]):
        if start > t:
            return True
        t = max(t, end)
    return t < 24 * 3600


def _transfer_windows(
    feed: Feed, group_network: dict[str, set[str]], price: dict[str, int], notes: list[str]
) -> list[dict[str, Any]]:
    tr = feed.read("fare_transfer_rules.txt", required=False)
    if tr is None:
        return []
    where = feed.display("fare_transfer_rules.txt")
    kinds: dict[tuple[Any, ...], set[str]] = {}
    counts: dict[tuple[Any, ...], set[int | None]] = {}
    for _, row in tr.iterrows():
        ftype = row.get("fare_transfer_type", "").strip()
        pid = row.get("fare_product_id", "").strip()
        amount = price.get(pid, 0) if pid else 0
        if pid and pid not in price:
            raise InputError(
                where, f"line {row['_line']}, column fare_product_id", "unknown fare product", pid
            )
        fare: dict[str, Any]
        if ftype == "0" and amount < 0:
            notes.append(f"{where} line {row['_line']}: fare_transfer_type 0 with a negative product "
                         f"({amount}): the transfer leg cannot cost less than nothing: it is free")
            fare = {"kind": "free"}
        elif ftype == "0":
            fare = {"kind": "free"} if amount == 0 else {"kind": "fixed", "amount": amount}
        elif ftype == "1":
            if amount == 0:
                continue  # A + AB + B with no AB: no discount to model
            # A + AB + B: a negative AB is an amount off B (never below 0)
            fare = ({"kind": "surcharge", "amount": amount} if amount > 0
                    else {"kind": "discount", "amount": -amount})
        else:
            notes.append(
                f"{where} line {row['_line']}: fare_transfer_type {ftype!r} "
                "(the transfer product replaces both legs) has no otrip-sim equivalent: left out"
            )
            continue
        limit = row.get("duration_limit", "").strip()
        ltype = row.get("duration_limit_type", "").strip()
        count = row.get("transfer_count", "").strip()
        ops = set()
        groups = (row.get("from_leg_group_id", "").strip(), row.get("to_leg_group_id", "").strip())
        for g in groups:
            ops |= (
                group_network.get(g, set())
                if g
                else set().union(*group_network.values())
                if group_network
                else set()
            )
        key = (int(limit) if limit else 86_400, ltype or "1", tuple(sorted(fare.items())))
        kinds.setdefault(key, set()).update(ops)
        # GTFS gives transfer_count only between legs of one leg group (forbidden between groups)
        if count and groups[0] == groups[1]:
            counts.setdefault(key, set()).add(None if count == "-1" else int(count))
        if not limit:
            notes.append(f"{where} line {row['_line']}: no duration_limit: a day (86,400 s) is used")
    windows: list[dict[str, Any]] = []
    taken: set[str] = set()
    if len(kinds) > 1:
        notes.append(
            f"{where}: transfer rules differ by leg group ({len(kinds)} kinds); otrip-sim transfers are "
            "per operator set, so the first kind is kept for each operator (per-pair upgrades are left out)"
        )
    for n, (key, ops) in enumerate(kinds.items()):
        limit, ltype, fare_items = key
        found = counts.get(key, {None})
        if len(found) > 1:
            notes.append(f"{where}: transfer rules of one kind differ in transfer_count "
                         f"{sorted(found, key=str)}: the largest is kept")
        count = None if None in found else max(c for c in found if c is not None)
        ops = ops - taken
        if not ops:
            continue
        taken |= ops
        rule: dict[str, Any] = {
            "kind": "transfer",
            "id": f"transfer-{n + 1}",
            "operators": sorted(ops),
            "duration": limit,
            "duration_limit_type": int(ltype),
            "transfer_fare": dict(fare_items),
        }
        if count is not None:
            rule["max_transfers"] = count
        windows.append(rule)
    return windows
