"""GTFS Fares v2 in and out: turn a feed's fare tables into a scenario ``fares`` section, and write
what a scenario's fares can say in GTFS Fares v2, listing what it cannot.

GTFS Fares v2 prices a leg by matching *leg rules* (network, from/to area, from/to timeframe) to
*fare products*, and transfers between *leg groups* by *transfer rules*.  otrip-sim prices by
operator (a network becomes an operator) with standalone kinds: a network's rules become a
``flat``, ``time_band`` or ``zones`` fare; transfer rules become ``transfer`` windows; products
per rider category become category ``fixed`` rules.  What has no equivalent is reported, never
dropped silently (see docs/gtfs-fares.md).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError
from .units import CURRENCY_DECIMALS, format_clock, parse_clock

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ID = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass
class FaresImport:
    """The imported ``fares`` section (plain data, ready for YAML), the operator ids it prices
    (one per GTFS network), the currency, and notes on everything approximated or left out."""

    fares: dict[str, Any]
    operators: list[str]
    currency: str
    notes: list[str] = field(default_factory=list)


class _Feed:
    """Reads the tables of a GTFS folder or zip as text, with line numbers for errors."""

    def __init__(self, source: Path):
        self.source = source
        if not source.exists():
            raise InputError(source, "", "no such folder or zip file")
        self._zip = zipfile.ZipFile(source) if source.is_file() else None

    def table(self, name: str) -> pd.DataFrame | None:
        try:
            if self._zip is not None:
                names = {Path(n).name: n for n in self._zip.namelist()}
                if name not in names:
                    return None
                data = io.BytesIO(self._zip.read(names[name]))
                df = pd.read_csv(data, dtype=str, keep_default_na=False, skipinitialspace=True)
            else:
                path = self.source / name
                if not path.is_file():
                    return None
                df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"{self.source}/{name}", "", f"cannot read: {str(exc).splitlines()[0]}") from None
        except pd.errors.EmptyDataError:
            return None
        df.columns = [c.strip() for c in df.columns]
        df["_line"] = range(2, len(df) + 2)
        return df

    def where(self, name: str) -> str:
        return f"{self.source}/{name}"


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name].str.strip() if name in df.columns else pd.Series([""] * len(df), index=df.index)


def _minor(amount: str, currency: str, where: str, line: int) -> int:
    """A decimal price in the currency's minor unit, exactly; a sub-unit amount is refused."""
    try:
        value = Decimal(amount.strip())
    except (InvalidOperation, AttributeError):
        raise InputError(where, f"line {line}, column amount", "not a number", amount) from None
    scaled = value * (10 ** CURRENCY_DECIMALS.get(currency, 2))
    if scaled != scaled.to_integral_value():
        raise InputError(where, f"line {line}, column amount",
                         f"finer than the minor unit of {currency} ({CURRENCY_DECIMALS.get(currency, 2)} decimals)", amount)
    if scaled < 0:
        raise InputError(where, f"line {line}, column amount", "must be >= 0", amount)
    return int(scaled)


def _slug(value: str) -> str:
    return _ID.sub("_", value.strip()) or "network"


def import_fares(
    source: str | Path,
    *,
    name: str | None = None,
    day: str = "monday",
    media: str | None = None,
    default_network: str = "network",
) -> FaresImport:
    """Read a GTFS Fares v2 feed (folder or zip) into a ``fares`` section.

    Parameters
    ----------
    day:
        The day of the week whose timeframes apply (otrip-sim time bands are clock times of one
        service day): timeframes whose ``service_id`` does not run that day are left out.
    media:
        The fare medium whose prices to use where products differ by medium (default: the medium
        most products are sold on).
    default_network:
        Operator id for leg rules without ``network_id``.
    """
    feed = _Feed(Path(source))
    notes: list[str] = []
    products_df = feed.table("fare_products.txt")
    rules_df = feed.table("fare_leg_rules.txt")
    if products_df is None or rules_df is None:
        raise InputError(feed.source, "", "a GTFS Fares v2 feed needs fare_products.txt and fare_leg_rules.txt")
    currencies = set(_col(products_df, "currency")) - {""}
    if len(currencies) > 1:
        raise InputError(feed.where("fare_products.txt"), "currency", "one currency per scenario", sorted(currencies))
    currency = currencies.pop() if currencies else "USD"

    # --- products: one price per product for the chosen medium and each rider category
    medium_col = _col(products_df, "fare_media_id")
    chosen_media = media
    if chosen_media is None and (medium_col != "").any():
        chosen_media = medium_col[medium_col != ""].value_counts().index[0]
        if medium_col.nunique() > 1:
            notes.append(f"prices by fare medium: the {chosen_media!r} prices are used (choose another with --media)")
    categories_df = feed.table("rider_categories.txt")
    default_cat = ""
    if categories_df is not None:
        default = categories_df[_col(categories_df, "is_default_fare_category") == "1"]
        default_cat = default["rider_category_id"].iloc[0] if len(default) else ""
    price: dict[str, int] = {}  # product -> default category price
    by_category: dict[str, dict[str, int]] = {}  # product -> category -> price
    cat_col = _col(products_df, "rider_category_id")
    # per product and category, the row of the chosen medium, else one without a medium, else any
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for (_, row), med, cat in zip(products_df.iterrows(), medium_col, cat_col):
        pid = row["fare_product_id"].strip()
        rank = 0 if med == chosen_media else 1 if not med else 2
        amount = _minor(row["amount"], currency, feed.where("fare_products.txt"), row["_line"])
        key = (pid, "" if cat == default_cat else cat)
        if key not in best or (rank, amount) < best[key]:
            best[key] = (rank, amount)
    for (pid, cat), (rank, amount) in best.items():
        if rank == 2:
            notes.append(f"product {pid!r} is not sold on {chosen_media!r}: its price on another medium is used")
        if cat:
            by_category.setdefault(pid, {})[cat] = amount
        else:
            price[pid] = amount
    for pid in by_category:
        if pid not in price:
            raise InputError(feed.where("fare_products.txt"), "fare_product_id",
                             "a product priced only for non-default rider categories", pid)

    # --- timeframes of the chosen day
    running = _services_on(feed, day)
    bands_of: dict[str, list[tuple[int, int]]] = {}
    tf = feed.table("timeframes.txt")
    if tf is not None:
        for _, row in tf.iterrows():
            service = row.get("service_id", "").strip()
            if running is not None and service and service not in running:
                continue
            start = row.get("start_time", "").strip() or "00:00:00"
            end = row.get("end_time", "").strip() or "24:00:00"
            try:
                bands_of.setdefault(row["timeframe_group_id"].strip(), []).append((parse_clock(start), parse_clock(end)))
            except ValueError:
                raise InputError(feed.where("timeframes.txt"), f"line {row['_line']}", "unparsable time", f"{start}-{end}") from None

    # --- areas
    zone_of: dict[str, str] = {}
    sa = feed.table("stop_areas.txt")
    if sa is not None:
        for _, row in sa.iterrows():
            stop, area = row["stop_id"].strip(), row["area_id"].strip()
            if stop in zone_of and zone_of[stop] != area:
                notes.append(f"stop {stop} is in areas {zone_of[stop]!r} and {area!r}: otrip-sim gives a stop one zone, "
                             f"{zone_of[stop]!r} is kept")
                continue
            zone_of[stop] = area
    known_areas = set(sa["area_id"].str.strip()) if sa is not None else set()

    # --- leg rules, per network
    network = _col(rules_df, "network_id").map(lambda n: _slug(n) if n else default_network)
    group_network: dict[str, set[str]] = {}
    standalone: dict[str, dict[str, Any]] = {}
    category_rules: dict[str, dict[str, set[str]]] = {}  # category -> amount key -> operators
    for op in dict.fromkeys(network):
        rows = rules_df[network == op]
        for g in _col(rows, "leg_group_id"):
            if g:
                group_network.setdefault(g, set()).add(op)
        standalone[op] = _network_fare(op, rows, price, bands_of, zone_of, known_areas, feed, notes)
        for pid in set(_col(rows, "fare_product_id")):
            for cat, amount in by_category.get(pid, {}).items():
                category_rules.setdefault(cat, {}).setdefault(str(amount), set()).add(op)

    categories = []
    for cat, amounts in sorted(category_rules.items()):
        if len(amounts) > 1:
            notes.append(f"rider category {cat!r} has several prices: a fixed fare per operator set is imported for each")
        for amount, ops in sorted(amounts.items()):
            categories.append({"kind": "fixed", "id": f"{cat}-{amount}", "category": cat, "operators": sorted(ops),
                               "amount": int(amount)})

    windows = _transfer_windows(feed, group_network, price, notes)
    fares = {"name": name or _slug(feed.source.stem), "standalone": standalone}
    if categories:
        fares["categories"] = categories
    if windows:
        fares["windows"] = windows
    return FaresImport(fares, list(standalone), currency, notes)


def _services_on(feed: _Feed, day: str) -> set[str] | None:
    cal = feed.table("calendar.txt")
    if cal is None:
        return None
    if day not in DAYS:
        raise InputError("--day", "", f"one of {', '.join(DAYS)}", day)
    return {row["service_id"].strip() for _, row in cal.iterrows() if row.get(day, "0").strip() == "1"}


def _network_fare(op: str, rows: pd.DataFrame, price: dict[str, int], bands_of: dict[str, list[tuple[int, int]]],
                  zone_of: dict[str, str], known_areas: set[str], feed: _Feed, notes: list[str]) -> dict[str, Any]:
    """One network's leg rules as one standalone fare."""
    where = feed.where("fare_leg_rules.txt")
    base: list[int] = []
    bands: list[tuple[str, int, int, int]] = []
    matrix: dict[tuple[str, str], tuple[int, int]] = {}  # (from, to) -> (priority, amount)
    timed_matrix: dict[tuple[str, str], int] = {}  # area rules that also depend on a timeframe
    products_per_match: dict[tuple[str, ...], list[str]] = {}
    for _, row in rows.iterrows():
        pid = row["fare_product_id"].strip()
        if pid not in price:
            raise InputError(where, f"line {row['_line']}, column fare_product_id", "unknown fare product", pid)
        fa, ta = row.get("from_area_id", "").strip(), row.get("to_area_id", "").strip()
        ftf, ttf = row.get("from_timeframe_group_id", "").strip(), row.get("to_timeframe_group_id", "").strip()
        prio = int(row.get("rule_priority", "").strip() or 0)
        amount = price[pid]
        products_per_match.setdefault((fa, ta, ftf, ttf), []).append(pid)
        for area in (fa, ta):
            if area and area not in known_areas:
                notes.append(f"{where} line {row['_line']}: area {area!r} has no stop in stop_areas.txt: rule left out")
                break
        else:
            if (fa or ta) and (ftf or ttf):
                for a in [fa] if fa else sorted(known_areas):
                    for b in [ta] if ta else sorted(known_areas):
                        timed_matrix[(a, b)] = min(amount, timed_matrix.get((a, b), amount))
            elif fa or ta:
                froms = [fa] if fa else sorted(known_areas)
                tos = [ta] if ta else sorted(known_areas)
                for a in froms:
                    for b in tos:
                        # an explicit pair beats an "any area" rule; then the higher rule_priority
                        rank = (prio, int(bool(fa)) + int(bool(ta)))
                        old = matrix.get((a, b))
                        if old is None or rank > old[0]:
                            matrix[(a, b)] = (rank, amount)  # type: ignore[assignment]
            elif ftf:
                if ftf not in bands_of:
                    notes.append(f"{where} line {row['_line']}: timeframe {ftf!r} does not apply on the chosen day: rule left out")
                for k, (start, end) in enumerate(bands_of.get(ftf, [])):
                    bands.append((f"{ftf}" if k == 0 else f"{ftf}-{k + 1}", start, end, amount))
            elif len(products_per_match[(fa, ta, ftf, ttf)]) == 1:
                base.append(amount)
    for match, pids in products_per_match.items():
        if len(pids) > 1 and not any(match):
            base.append(min(price[p] for p in pids))
        if len(pids) > 1:
            cheapest = min(pids, key=lambda p: price[p])
            notes.append(f"network {op}: leg rule {'/'.join(m for m in match if m) or '(any leg)'} sells {len(pids)} products; "
                         f"the cheapest, {cheapest!r}, is the pay-as-you-go fare; {sorted(set(pids) - {cheapest})} left out "
                         "(GTFS Fares v2 does not say how long a pass lasts: add them under fares.passes)")
    if timed_matrix:
        if matrix:
            notes.append(f"network {op}: {len(timed_matrix)} area pairs also have fares by timeframe, which one otrip-sim "
                         "standalone fare cannot say: the rules without timeframes are used")
        else:
            notes.append(f"network {op}: its area fares depend on timeframes (peak / off-peak), which one otrip-sim "
                         "standalone fare cannot say: the lowest fare of each area pair is used")
            matrix = {pair: ((0, 2), amount) for pair, amount in timed_matrix.items()}
    with_stops = set(zone_of.values())
    empty = sorted({a for pair in matrix for a in pair} - with_stops)
    if empty:
        notes.append(f"network {op}: areas {empty} keep no stop of their own (each stop has one zone): their fares are left out")
        matrix = {pair: v for pair, v in matrix.items() if pair[0] in with_stops and pair[1] in with_stops}
    if matrix:
        if bands:
            notes.append(f"network {op}: zone fares and time bands together cannot be said: the zone fares are used")
        stops = sorted(s for s, z in zone_of.items() if z in {a for pair in matrix for a in pair})
        return {"kind": "zones", "symmetric": False,
                "zones": [{"stop_id": s, "zone": zone_of[s]} for s in stops],
                "fares": [{"from_zone": a, "to_zone": b, "amount": v[1]} for (a, b), v in sorted(matrix.items())]}
    if bands:
        bands.sort(key=lambda b: b[1])
        default = min(base) if base else max(b[3] for b in bands)
        if not base and _uncovered(bands):
            notes.append(f"network {op}: the timeframes leave hours without a fare; they are charged {default} (the highest band)")
        return {"kind": "time_band", "default": default,
                "bands": [{"name": n, "start": format_clock(s), "end": format_clock(e), "amount": a} for n, s, e, a in bands]}
    if not base:
        raise InputError(where, "network_id", "no leg rule of this network applies on the chosen day", op)
    if len(set(base)) > 1:
        notes.append(f"network {op}: several flat fares for any leg: the lowest, {min(base)}, is used")
    return {"kind": "flat", "amount": min(base)}


def _uncovered(bands: list[tuple[str, int, int, int]]) -> bool:
    t = 0
    for _, start, end, _ in sorted(bands, key=lambda b: b[1]):
        if start > t:
            return True
        t = max(t, end)
    return t < 24 * 3600


def _transfer_windows(feed: _Feed, group_network: dict[str, set[str]], price: dict[str, int], notes: list[str]) -> list[dict[str, Any]]:
    tr = feed.table("fare_transfer_rules.txt")
    if tr is None:
        return []
    where = feed.where("fare_transfer_rules.txt")
    kinds: dict[tuple[Any, ...], set[str]] = {}
    for _, row in tr.iterrows():
        ftype = row.get("fare_transfer_type", "").strip()
        pid = row.get("fare_product_id", "").strip()
        amount = price.get(pid, 0) if pid else 0
        if pid and pid not in price:
            raise InputError(where, f"line {row['_line']}, column fare_product_id", "unknown fare product", pid)
        if ftype == "0":
            fare = {"kind": "free"} if amount == 0 else {"kind": "fixed", "amount": amount}
        elif ftype == "1":
            if amount == 0:
                continue  # A + AB + B with no AB: no discount to model
            fare = {"kind": "surcharge", "amount": amount}
        else:
            notes.append(f"{where} line {row['_line']}: fare_transfer_type {ftype!r} (the transfer product replaces both "
                         "legs) has no otrip-sim equivalent: left out")
            continue
        limit = row.get("duration_limit", "").strip()
        ltype = row.get("duration_limit_type", "").strip()
        count = row.get("transfer_count", "").strip()
        ops = set()
        for g in (row.get("from_leg_group_id", "").strip(), row.get("to_leg_group_id", "").strip()):
            ops |= group_network.get(g, set()) if g else set().union(*group_network.values()) if group_network else set()
        key = (int(limit) if limit else 86_400, ltype or "1", int(count) if count and count != "-1" else None,
               tuple(sorted(fare.items())))
        kinds.setdefault(key, set()).update(ops)
        if not limit:
            notes.append(f"{where} line {row['_line']}: no duration_limit: a day (86,400 s) is used")
    windows: list[dict[str, Any]] = []
    taken: set[str] = set()
    if len(kinds) > 1:
        notes.append(f"{where}: transfer rules differ by leg group ({len(kinds)} kinds); otrip-sim transfers are per operator "
                     "set, so the first kind is kept for each operator (per-pair upgrades are left out)")
    for n, ((limit, ltype, count, fare_items), ops) in enumerate(kinds.items()):
        ops = ops - taken
        if not ops:
            continue
        taken |= ops
        rule: dict[str, Any] = {"kind": "transfer", "id": f"transfer-{n + 1}", "operators": sorted(ops), "duration": limit,
                                "duration_limit_type": int(ltype), "transfer_fare": dict(fare_items)}
        if count is not None:
            rule["max_transfers"] = count
        windows.append(rule)
    return windows


# -------------------------------------------------------------------------------------------- export
def export_fares(scenario: Any, out: str | Path, force: bool = False) -> list[str]:
    """Write the GTFS Fares v2 tables that say what ``scenario``'s fares can, into folder ``out``;
    return (and write to ``NOT_EXPORTED.md``) what they cannot say."""
    from .atomic import atomic_folder

    spec = scenario.spec
    fares = spec.fares
    currency = spec.meta.currency
    scale = 10 ** CURRENCY_DECIMALS.get(currency, 2)
    year = spec.meta.year
    not_exported: list[str] = []
    products: list[dict[str, Any]] = []
    leg_rules: list[dict[str, Any]] = []
    timeframes: list[dict[str, Any]] = []
    areas: dict[str, str] = {}
    stop_areas: list[dict[str, str]] = []

    def money(minor: int) -> str:
        return str(Decimal(minor) / scale) if scale > 1 else str(minor)

    products_of: dict[str, list[str]] = {}

    def product(pid: str, amount: int, name: str, op: str | None = None) -> str:
        products.append({"fare_product_id": pid, "fare_product_name": name, "amount": money(amount), "currency": currency})
        if op is not None:
            products_of.setdefault(op, []).append(pid)
        return pid

    for op, sf in fares.standalone.items():
        group = f"{op}_leg"
        if sf.kind == "flat":
            leg_rules.append({"leg_group_id": group, "network_id": op, "fare_product_id": product(f"{op}_fare", sf.amount, f"{op} fare", op)})
        elif sf.kind == "time_band":
            leg_rules.append({"leg_group_id": group, "network_id": op, "fare_product_id": product(f"{op}_fare", sf.default, f"{op} fare", op)})
            for b in sf.bands:
                tfid = f"{op}_{b.name}"
                timeframes.append({"timeframe_group_id": tfid, "start_time": format_clock(b.start), "end_time": format_clock(b.end)})
                leg_rules.append({"leg_group_id": group, "network_id": op, "from_timeframe_group_id": tfid, "rule_priority": 1,
                                  "fare_product_id": product(f"{op}_{b.name}_fare", b.amount, f"{op} {b.name} fare", op)})
        elif sf.kind in ("zones", "station_table"):
            if sf.kind == "zones":
                zone_rows = [(r.stop_id, r.zone) for r in sf.zones]
                pairs = [(r.from_zone, r.to_zone, r.amount) for r in sf.fares]
            else:
                zone_rows = sorted({(s, s) for r in sf.table for s in (r.from_stop, r.to_stop)})
                pairs = [(r.from_stop, r.to_stop, r.amount) for r in sf.table]
            for stop, zone in zone_rows:
                areas[f"{op}:{zone}"] = zone
                stop_areas.append({"area_id": f"{op}:{zone}", "stop_id": stop})
            for a, b, amount in pairs:
                directions = [(a, b)] + ([(b, a)] if sf.symmetric and a != b else [])
                pid = product(f"{op}_{a}_{b}", amount, f"{op} {a} to {b}", op)
                for x, y in directions:
                    leg_rules.append({"leg_group_id": group, "network_id": op, "from_area_id": f"{op}:{x}",
                                      "to_area_id": f"{op}:{y}", "fare_product_id": pid})
        else:
            not_exported.append(f"fares.standalone.{op}: a {sf.kind} fare (distance-based fares have no GTFS Fares v2 form)")
    for i in range(len(fares.route_fares)):
        not_exported.append(f"fares.route_fares[{i}]: route-level fares (would need one network per route)")
    for i, c in enumerate(fares.categories):
        if c.kind in ("free", "fixed"):
            amount = 0 if c.kind == "free" else c.amount
            for op in c.operators:
                for pid in products_of.get(op, []):
                    products.append({"fare_product_id": pid, "fare_product_name": f"{pid} ({c.category})",
                                     "amount": money(amount), "currency": currency, "rider_category_id": c.category})
            if c.kind == "free":
                not_exported.append(f"fares.categories[{i}]: free rides are exported as {c.category!r} prices of 0; being "
                                    "invisible to windows has no GTFS equivalent")
        else:
            not_exported.append(f"fares.categories[{i}]: a {c.kind} category rule")
    transfers: list[dict[str, Any]] = []
    for i, w in enumerate(fares.windows):
        if w.kind == "transfer":
            f = w.transfer_fare
            if f.kind == "discount":
                not_exported.append(f"fares.windows[{i}]: a percentage transfer discount")
                continue
            pid = ""
            if f.kind in ("fixed", "surcharge") and f.amount:
                pid = product(f"{w.id}_transfer", f.amount, f"{w.id} transfer")
            if w.duration_limit_type == "first_tap":
                not_exported.append(f"fares.windows[{i}]: a limit from the chain's first tap (exported as duration_limit_type 1, "
                                    "from the previous leg)")
            for a in w.operators:
                for b in w.operators:
                    transfers.append({"from_leg_group_id": f"{a}_leg", "to_leg_group_id": f"{b}_leg", "duration_limit": w.duration,
                                      "duration_limit_type": 1 if w.duration_limit_type == "first_tap" else w.duration_limit_type,
                                      "fare_transfer_type": 1 if f.kind == "surcharge" else 0,
                                      "transfer_count": -1 if w.max_transfers is None else w.max_transfers,
                                      "fare_product_id": pid})
        else:
            not_exported.append(f"fares.windows[{i}] ({w.id}): a {w.kind} window (GTFS Fares v2 has no caps or integrated "
                                "distance formulas)")
    for i, c in enumerate(fares.caps):
        not_exported.append(f"fares.caps[{i}] ({c.id}): a {c.kind} cap (no capping in GTFS Fares v2)")
    for i, p in enumerate(fares.passes):
        not_exported.append(f"fares.passes[{i}] ({p.id}): a pass's validity (GTFS Fares v2 does not say how long a product lasts)")
    for i, m in enumerate(fares.media):
        if m.unlocks:
            not_exported.append(f"fares.media[{i}] ({m.id}): rules that need a fare medium")
    routes = [{"route_id": r.id, "network_id": r.operator_in(year)} for r in scenario.routes()]
    tables = {
        "fare_products.txt": products, "fare_leg_rules.txt": leg_rules, "timeframes.txt": timeframes,
        "areas.txt": [{"area_id": a, "area_name": z} for a, z in areas.items()], "stop_areas.txt": stop_areas,
        "networks.txt": [{"network_id": op, "network_name": op} for op in fares.standalone],
        "route_networks.txt": routes, "fare_transfer_rules.txt": transfers,
        "rider_categories.txt": [{"rider_category_id": c.id, "rider_category_name": c.id,
                                  "is_default_fare_category": 1 if k == 0 else ""} for k, c in enumerate(spec.demand.categories)],
    }
    with atomic_folder(Path(out), force) as tmp:
        for name, rows in tables.items():
            if rows:
                columns = list(dict.fromkeys(k for r in rows for k in r))
                pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows], columns=columns).to_csv(tmp / name, index=False)
        lines = [f"# Not exported from {scenario.path}", "",
                 "GTFS Fares v2 cannot say these parts of the scenario's fares; they are not in the tables.", ""]
        lines += [f"- {n}" for n in not_exported] or ["- nothing: every rule was exported"]
        (tmp / "NOT_EXPORTED.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return not_exported
