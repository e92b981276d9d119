"""Replay tap data: price real or synthetic legs under a scenario's fare policy.

Input: a CSV with one row per leg, each row one tap-in (see docs/replay.md): ``rider``,
``operator``, ``board_time`` and optionally ``category``, ``journey_id``, ``route``, ``board_stop``,
``alight_stop``, ``alight_time``, ``distance_km``, ``media``.  Rows may come in any order; each
rider's legs are priced together as one card (:func:`otrip_sim.fares.price`), and every row
gets its settled ``fare`` and the ``rule`` that set it, in input order.

Rows are checked (columns read once per distinct value: :mod:`~otrip_sim.textio`) and priced in
batches of whole cards (:func:`card_batches`); bad rows are collected with their line numbers.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa

from .compile import CompiledScenario, as_compiled
from .errors import InputError, shorten, show
from .fares import FarePolicy, Leg, LegTable, Outcome, price, trace
from .fares.cards import legs_of
from .network import Network
from .scenario import LoadedScenario
from .tapcolumns import TIME_COLUMNS, Distinct, FileTimes, TextColumn, card_codes, parse_times, zone_mismatch
from .textio import blank_file, check_csv_shape, read_text
from .tides import MAP_KINDS, OPTIONAL, TIDES_KEYS, tides_legs
from .units import format_clock, km_to_m

MAX_KM = 40_075
"""Longest leg a tap file may state, in km (once round the Earth)."""

REQUIRED = ("rider", "operator", "board_time")


@dataclass
class Replay:
    """Priced legs of a tap file.

    ``rows`` are the input rows as read (text), in input order, with ``line`` (the CSV line
    number); ``fare``/``rule`` are aligned with ``rows`` (``-1``/``""`` for rejected rows);
    ``rejects`` lists bad rows with ``line`` and ``reason``.

    Attributes
    ----------
    rows : pandas.DataFrame
        ``line`` (int) and the tap columns as text: ``rider``, ``operator``, ``board_time`` and
        the optional ``category``, ``journey_id``, ``route``, ``board_stop``, ``alight_stop``,
        ``alight_time``, ``distance_km``, ``media``.
    fare : numpy.ndarray
        int64 settled fare of each row in minor units; ``-1`` for a rejected row.
    rule : numpy.ndarray
        Object array: the id of the rule that set each fare (``""`` for a rejected row).
    rejects : pandas.DataFrame
        ``line``, ``reason`` and the file's own columns, one row per bad input row.
    currency : str
        ISO 4217 code of the amounts.
    counts : dict of str to int
        Legs priced in a fallback way: ``no_stations``, ``missing_tap_out``, ``no_fare`` (legs
        with no fare product), ``distance_from_stops``, ``no_distance``.
    """

    rows: pd.DataFrame
    fare: np.ndarray
    rule: np.ndarray
    rejects: pd.DataFrame
    currency: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """The input file's own columns (optional columns it lacks are not added to outputs)."""
        return list(self.rows.attrs.get("columns") or [c for c in self.rows.columns if c != "line"])

    @property
    def priced(self) -> pd.DataFrame:
        """The accepted input rows, in input order, with ``fare`` and ``rule`` added.

        Returns
        -------
        pandas.DataFrame
            The file's own columns (:attr:`columns`, as text), then ``fare`` (int, minor units) and
            ``rule`` (str).
        """
        return self._accepted(self.columns, slice(None), rule=True)

    def priced_parts(self, rows: int = 1_000_000) -> Iterator[pd.DataFrame]:
        """:attr:`priced` in consecutive parts of at most ``rows`` input rows, to write a large
        file without a second copy of it (at least one part, empty for a file with no legs)."""
        for at in range(0, max(len(self.rows), 1), rows):
            yield self._accepted(self.columns, slice(at, at + rows), rule=True)

    def _accepted(self, columns: list[str], part: slice, rule: bool = False) -> pd.DataFrame:
        """``columns`` of the accepted rows among ``part`` of the input rows, with ``fare`` (and
        ``rule``)."""
        fare = self.fare[part]
        ok = fare >= 0
        out = self.rows.iloc[part].loc[ok, columns].copy()
        out["fare"] = fare[ok]
        if rule:
            out["rule"] = self.rule[part][ok]
        return out

    def per_rider(self) -> pd.DataFrame:
        """Per rider: ``legs``, ``fare`` (total settled fares).

        Returns
        -------
        pandas.DataFrame
            ``rider`` (str, sorted), ``legs`` (int, accepted rows) and ``fare`` (int, the sum of
            the rider's settled fares in minor units).
        """
        p = self._accepted(["rider"], slice(None))
        g = p.groupby("rider", sort=True)
        return pd.DataFrame({"legs": g.size(), "fare": g["fare"].sum()}).reset_index()

    def totals(self) -> dict[str, object]:
        """Legs, riders, rejected rows, total fare and fare and legs per operator.

        Returns
        -------
        dict
            ``legs``, ``riders``, ``rejected`` (int counts), ``fare`` (int, minor units),
            ``operators`` (operator → ``{"legs": int, "fare": int}``) and the fallback
            :attr:`counts`.
        """
        p = self._accepted(["rider", "operator"], slice(None))
        by_op = p.groupby("operator")["fare"].agg(["size", "sum"])
        return {
            "legs": len(p),
            "riders": int(p["rider"].nunique()),
            "rejected": len(self.rejects),
            "fare": int(p["fare"].sum()),
            "operators": {op: {"legs": int(r["size"]), "fare": int(r["sum"])} for op, r in by_op.iterrows()},
            **self.counts,
        }


def read_taps(path: str | Path, route_operator: dict[str, str] | None = None,
              stop_operator: dict[str, str] | None = None,
              mapping: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Read a tap CSV (or Parquet) as text columns, with ``line`` numbers; checks the header.

    A TIDES ``fare_transactions`` table is recognised by its columns and turned into legs
    (:func:`tides_legs`); ``route_operator`` maps route ids to operators for its ``pattern_id``.

    Parameters
    ----------
    path : str or Path
        A CSV (or ``.parquet``) file with a header row.
    route_operator : dict of str to str, optional
        Route id → operator id, for TIDES rows without an ``operator`` column.

    Returns
    -------
    pandas.DataFrame
        ``line`` (int, the file's line number; the header is line 1), then ``rider``,
        ``operator``, ``board_time`` and every optional column (``category``, ``journey_id``,
        ``route``, ``board_stop``, ``alight_stop``, ``alight_time``, ``distance_km``, ``media``)
        as text (not yet stripped), ``""`` where the file has none.  ``attrs["columns"]`` holds the file's
        own columns in file order.

    Raises
    ------
    InputError
        For an unreadable file, a missing required column or an unknown column.
    """
    path = Path(path)
    try:
        if path.suffix != ".parquet" and blank_file(path):
            raise InputError(path, "line 1", "empty file: expected a header row (rider, operator, "
                             "board_time, ...)")
        if path.suffix == ".parquet":
            df = pd.read_parquet(path).astype(str).replace({"None": "", "nan": "", "<NA>": ""})
        else:
            # perf: Arrow's CSV reader; values are stripped later, column by column
            df = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, OSError, ValueError) as exc:
        if path.suffix != ".parquet":
            check_csv_shape(read_text(path), path)  # locate it: a byte that is not UTF-8, a quote, a row
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(path, "", f"cannot read the tap file: {shorten(first)}") from None
    df.columns = [c.strip() for c in df.columns]
    if set(df.columns) >= TIDES_KEYS:
        df = tides_legs(df, route_operator or {}, path, stop_operator, mapping)
    if df.attrs.get("tides"):
        return df
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(path, "line 1", f"missing column {missing[0]!r} (required: {', '.join(REQUIRED)})")
    unknown = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(
            path, "line 1", f"unknown column (known: {', '.join(REQUIRED + OPTIONAL)})", unknown[0]
        )
    given = list(df.columns)
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = ""
    df.insert(0, "line", np.arange(2, len(df) + 2))
    df.attrs["columns"] = given  # the file's own columns, written back in this order
    return df


BATCH_ROWS = 1_000_000
"""Rows checked and priced at once (a batch holds whole cards, so a card with more rows makes a
larger batch): bounds the working memory of a replay, whatever the file's size."""

BYTES_PER_TAP_ROW = 250
"""Memory per tap row held for the whole replay (its text in Arrow's columns, fare and rule),
measured: 2.6 GB peak for 10 M synthetic rows, 0.72 GB for 1 M (about 210 bytes a row between)."""

BYTES_PER_BATCH_ROW = 250
"""Working memory per row of a batch being checked and priced (at most :data:`BATCH_ROWS`)."""

CSV_BYTES_PER_ROW = 45
"""The shortest usual tap CSV row, in bytes: a file's size over this bounds its rows."""


def memory_estimate(path: str | Path) -> int:
    """Estimated peak bytes of replaying the tap file ``path``: 400 MB, plus its rows (counted in a
    Parquet file's metadata, else bounded from a CSV's size), plus one batch of them being priced.

    Parameters
    ----------
    path : str or Path
        The tap file.

    Returns
    -------
    int
        Bytes (0 for a file that cannot be read: reading it reports the problem).
    """
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(path).metadata.num_rows
        else:
            rows = path.stat().st_size // CSV_BYTES_PER_ROW
    except (OSError, ValueError, pa.ArrowException):
        return 0
    return 400_000_000 + rows * BYTES_PER_TAP_ROW + min(rows, BATCH_ROWS) * BYTES_PER_BATCH_ROW


def _stop_operators(net: Network) -> dict[str, str]:
    """Stop id -> its operator, for the stops one operator serves (a TIDES row's operator)."""
    ops: dict[str, set[str]] = {}
    for line in net.lines:
        for s in line.stops:
            ops.setdefault(net.stop_ids[s], set()).add(line.operator)
    return {s: next(iter(o)) for s, o in ops.items() if len(o) == 1}


class _Distances:
    """Metres between two stops along an operator's lines: on one line, with one change, or (with
    no route given) the shortest way over all its lines."""

    def __init__(self, net: Network):
        self.net = net
        self.by_op: dict[str, list[tuple[str, dict[str, int], tuple[int, ...]]]] = {}
        ids = net.stop_ids
        for line in net.lines:
            pos = {ids[s]: k for k, s in enumerate(line.stops)}
            self.by_op.setdefault(line.operator, []).append((line.route, pos, line.cum_m))
        self._cache: dict[tuple[str, str, str, str], int | None] = {}
        self._graphs: dict[tuple[str, bool], dict[str, list[tuple[str, int]]]] = {}

    def metres(self, op: str, route: str, a: str, b: str) -> int | None:
        key = (op, route, a, b)
        if key in self._cache:
            return self._cache[key]
        lines = [x for x in self.by_op.get(op, ()) if not route or x[0] == route]
        best: int | None = None
        for _, pos, cum in lines:
            if a in pos and b in pos and pos[a] < pos[b]:
                m = cum[pos[b]] - cum[pos[a]]
                best = m if best is None else min(best, m)
        if best is None:  # one change of line inside the operator's network
            for _, p1, c1 in lines:
                if a not in p1:
                    continue
                for _, p2, c2 in lines:
                    if b not in p2:
                        continue
                    for s in p1.keys() & p2.keys():
                        if p1[a] < p1[s] and p2[s] < p2[b]:
                            m = c1[p1[s]] - c1[p1[a]] + c2[p2[b]] - c2[p2[s]]
                            best = m if best is None else min(best, m)
        if best is None and not route:  # several changes: the shortest way over the operator's lines,
            # else with walks between its stops (in a paid area), which add no vehicle metres
            best = self._shortest(op, a, b, walks=False)
            if best is None:
                best = self._shortest(op, a, b, walks=True)
        self._cache[key] = best
        return best

    def _shortest(self, op: str, a: str, b: str, walks: bool) -> int | None:
        """Vehicle metres of the shortest way from ``a`` to ``b`` along ``op``'s lines, changing
        anywhere (with ``walks``: also walking between stops, at no vehicle metres)."""
        graph = self._graphs.get((op, walks))
        if graph is None:
            graph = {}
            for _, pos, cum in self.by_op.get(op, ()):
                stops = sorted(pos, key=pos.__getitem__)
                for s, t in itertools.pairwise(stops):
                    graph.setdefault(s, []).append((t, cum[pos[t]] - cum[pos[s]]))
            if walks:
                ids = self.net.stop_ids
                served = set(graph) | {t for edges in list(graph.values()) for t, _ in edges}
                for s in served:
                    k = self.net.stop_index[s]
                    near = [(ids[j], 0) for j, _ in self.net.walks[k] if ids[j] in served]
                    graph.setdefault(s, []).extend(near)
            self._graphs[(op, walks)] = graph
        done: dict[str, int] = {}
        queue = [(0, a)]
        while queue:
            m, s = heapq.heappop(queue)
            if s in done:
                continue
            done[s] = m
            if s == b:
                return m
            for t, w in graph.get(s, ()):
                if t not in done:
                    heapq.heappush(queue, (m + w, t))
        return None


def _prepare(
    scenario: str | Path | LoadedScenario | CompiledScenario,
) -> tuple[LoadedScenario, Network, FarePolicy]:
    """The loaded scenario, its network and its compiled fare policy (one compile step, as a run's)."""
    compiled = as_compiled(scenario)
    return compiled.loaded, compiled.network, compiled.policy


def _with_media_types(loaded: LoadedScenario,
                      mapping: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    """``mapping`` with each TIDES media type that exactly one of the scenario's fare media has
    (``fares.media[].tides_media``) mapped to it, unless ``mapping`` maps it otherwise."""
    out = {k: dict((mapping or {}).get(k, {})) for k in MAP_KINDS}
    by_type: dict[str, list[str]] = {}
    for m in loaded.spec.fares.media:
        by_type.setdefault(m.tides_media, []).append(m.id)
    own = {kind: ids[0] for kind, ids in by_type.items() if len(ids) == 1}
    out["fare_media_id"] = {**own, **out["fare_media_id"]}
    return out


def card_batches(rows: pd.DataFrame, batch_rows: int = BATCH_ROWS) -> list[np.ndarray]:
    """The rows in batches of whole cards: no card's rows are split between two batches.

    A file whose rows of each card come together (an agency's export, sorted by card) is cut at
    card boundaries into runs of consecutive rows; any other order is first grouped by card (a
    stable sort: each card's rows keep their order in the file), so a file in any order is priced
    as a whole file would be.

    Parameters
    ----------
    rows : pandas.DataFrame
        The tap rows (as :func:`read_taps` returns them); cards are ``rider`` with white space
        trimmed.
    batch_rows : int
        At most this many rows in a batch, unless one card has more.

    Returns
    -------
    list of numpy.ndarray
        Row positions (int64) of each batch, in file order within a card; together, every row once.
    """
    n = len(rows)
    if n <= batch_rows:
        return [np.arange(n)]
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1 (got {batch_rows})")
    card, _ = card_codes(rows["rider"])
    starts = np.flatnonzero(np.diff(card, prepend=-1) != 0)
    order = None
    if len(starts) != card.max() + 1:  # some card's rows are apart: group them
        order = np.argsort(card, kind="stable")
        starts = np.flatnonzero(np.diff(card[order], prepend=-1) != 0)
    bounds = [0]
    while bounds[-1] < n:  # cut at the last card start within batch_rows rows, else at the next one
        at = bounds[-1]
        k = int(np.searchsorted(starts, at + batch_rows, side="right")) - 1
        cut = starts[k] if starts[k] > at else starts[k + 1] if k + 1 < len(starts) else n
        bounds.append(n if at + batch_rows >= n else int(cut))
    ranges = [np.arange(a, b) for a, b in itertools.pairwise(bounds)]
    return ranges if order is None or len(ranges) == 1 else [order[r] for r in ranges]


def replay(
    scenario: str | Path | LoadedScenario, taps: str | Path | pd.DataFrame, skip_bad: bool = False,
    mapping: dict[str, dict[str, str]] | None = None, batch_rows: int = BATCH_ROWS,
) -> Replay:
    """Price every leg of a tap file under the scenario's fare policy.

    The rows are checked and priced in batches of whole cards (:func:`card_batches`); the result
    is the same for any batch size.

    Parameters
    ----------
    scenario : str, Path or LoadedScenario
        The scenario whose network and fares to use (compiled here, as a run compiles it).
    taps : str, Path or pandas.DataFrame
        A tap file, or a frame as :func:`read_taps` returns it.
    skip_bad : bool
        Price the good rows and list the bad ones in :attr:`Replay.rejects` instead of failing.
    mapping : dict, optional
        For a TIDES file: :func:`~otrip_sim.tides.read_map`'s operators, routes and rider
        categories (``--map``).
    batch_rows : int
        Rows checked and priced at once (:data:`BATCH_ROWS`; a card is never split).

    Returns
    -------
    Replay
        The input rows with settled fares (integer minor units) and rules.

    Raises
    ------
    InputError
        When rows are bad and ``skip_bad`` is false: the message lists them with line numbers.
    """
    loaded, net, policy = _prepare(scenario)
    source = "taps" if isinstance(taps, pd.DataFrame) else str(taps)
    route_ops = dict(zip(net.route_ids, net.route_operator))
    rows = taps if isinstance(taps, pd.DataFrame) else read_taps(
        taps, route_ops, _stop_operators(net), _with_media_types(loaded, mapping))
    batches = card_batches(rows, batch_rows)
    # every batch reads its times as the whole file would (one batch: its own are the file's)
    times = FileTimes.of(rows) if len(batches) > 1 else None
    distances = _Distances(net)
    fare = np.full(len(rows), -1, dtype=np.int64)
    rule = np.full(len(rows), "", dtype=object)
    reasons: dict[int, str] = {}  # row position -> why it is bad
    counts: dict[str, int] = {}
    for at in batches:
        part = rows if len(batches) == 1 else rows.iloc[at]
        cols, why, found = _legs(part, loaded, net, policy, times, distances)
        for name, k in found.items():
            counts[name] = counts.get(name, 0) + k
        bad = np.array([r is not None for r in why], dtype=bool)
        reasons.update((int(at[i]), cast(str, why[i])) for i in np.flatnonzero(bad))
        if reasons and not skip_bad:
            continue  # the file fails: the other batches are only checked, to list every bad row
        good = np.flatnonzero(~bad)
        priced = price(policy, cols.take(good))
        fare[at[good]], rule[at[good]] = priced.fare, priced.rule_names()
        outcome = priced.outcome()
        for name, kind in (("no_stations", Outcome.NO_STATIONS), ("missing_tap_out", Outcome.MISSING_TAP_OUT),
                           ("no_fare", Outcome.NO_FARE)):
            counts[name] = counts.get(name, 0) + int((outcome == kind).sum())
    bad_at = np.array(sorted(reasons), dtype=np.int64)
    if len(bad_at) and not skip_bad:
        lines = rows["line"].to_numpy()[bad_at]
        shown = "; ".join(f"line {ln}: {reasons[int(i)]}" for ln, i in zip(lines[:10], bad_at[:10]))
        more = f" (and {len(bad_at) - 10} more)" if len(bad_at) > 10 else ""
        raise InputError(source, "", f"{len(bad_at)} bad rows: {shown}{more}; use --skip-bad to price the "
                         "rest")
    given = list(rows.attrs.get("columns") or [c for c in rows.columns if c != "line"])
    rejects = rows.iloc[bad_at][["line", *given]].copy()
    rejects.insert(1, "reason", [reasons[int(i)] for i in bad_at])
    counts.update(rows.attrs.get("skipped") or {})
    return Replay(rows, fare, rule, rejects, loaded.spec.meta.currency, counts)


def _legs(
    rows: pd.DataFrame, loaded: LoadedScenario, net: Network, policy: FarePolicy,
    times: FileTimes | None = None, distances: _Distances | None = None,
) -> tuple[LegTable, list[str | None], dict[str, int]]:
    """The rows as engine leg columns and, per row, the reason it is bad (``None`` if good).

    ``times`` holds the whole file's time zones and first Monday when ``rows`` is one batch of it;
    ``distances`` a measure to reuse across batches."""
    n = len(rows)
    reasons: list[str | None] = [None] * n

    def flag(mask: np.ndarray, why: str | list[str]) -> None:
        for k, i in enumerate(np.flatnonzero(mask)):
            if reasons[i] is None:
                reasons[i] = why if isinstance(why, str) else why[k]

    problems = rows.attrs.get("row_problems") or {}
    if problems:
        bad_rows = rows["line"].isin(list(problems)).to_numpy()
        flag(bad_rows, [problems[ln] for ln in rows["line"].to_numpy()[bad_rows]])
    ops = list(policy.standalone)
    cats = [c.id for c in loaded.spec.demand.categories]
    stops = list(net.stop_ids)
    op_t = TextColumn(rows["operator"])
    op = op_t.strings()
    card, no_rider = card_codes(rows["rider"])
    flag(no_rider, "rider is empty")
    unknown_op = ~op_t.isin(ops)
    flag(unknown_op, [f"unknown operator {show(o)}" for o in op[unknown_op]])
    cat_t = TextColumn(rows["category"])
    cat_t.uniques[cat_t.uniques == ""] = "adult"
    cat = cat_t.strings()
    unknown_cat = ~cat_t.isin(cats)
    flag(unknown_cat, [f"unknown category {show(c)}" for c in cat[unknown_cat]])
    clock = times or FileTimes()
    other: dict[str, np.ndarray] = {}
    given = {col: Distinct(rows[col]) for col in TIME_COLUMNS}
    for col in TIME_COLUMNS:
        other[col], common = zone_mismatch(given[col], clock.zone[col])
        flag(other[col], f"{col} in another time zone than the file's other times ({common or 'none'})")
    board, board_ok = parse_times(given["board_time"], other["board_time"], clock.day0["board_time"])
    flag(~board_ok, [f"unparsable board_time {show(t)}" for t in rows["board_time"].iloc[~board_ok]])
    alight_t = TextColumn(given["alight_time"])
    has_alight_time = alight_t.given()
    alight, alight_ok = parse_times(given["alight_time"], other["alight_time"], clock.day0["alight_time"])
    bad_alight = has_alight_time & ~alight_ok
    flag(bad_alight, [f"unparsable alight_time {show(t)}" for t in alight_t.strings()[bad_alight]])
    flag(has_alight_time & alight_ok & board_ok & (alight < board), "alight_time before board_time")
    bstop_t, astop_t = TextColumn(rows["board_stop"]), TextColumn(rows["alight_stop"])
    bstop, astop = bstop_t.strings(), astop_t.strings()
    for col, t, values in (("board_stop", bstop_t, bstop), ("alight_stop", astop_t, astop)):
        unknown = t.given() & ~t.isin(stops)
        flag(unknown, [f"unknown {col} {show(v)}" for v in values[unknown]])
    dist_t = TextColumn(rows["distance_km"])
    has_dist = dist_t.given()
    # each distinct distance read once: a number, then whole metres (exact, half up)
    km_u = pd.to_numeric(pd.Series(dist_t.uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
    km = np.where(has_dist, km_u[dist_t.codes], np.nan)
    bad_dist = has_dist & np.isnan(km)
    dist_text = dist_t.uniques[dist_t.codes[bad_dist]]
    flag(bad_dist, [f"distance_km is not a number: {show(t)}" for t in dist_text])
    flag(has_dist & (km < 0), "negative distance_km")
    flag(has_dist & np.isinf(km), "distance_km is not a finite number")
    flag(has_dist & np.isfinite(km) & (km > MAX_KM), f"distance_km beyond {MAX_KM:,} km")
    ok_u = (dist_t.uniques != "") & np.isfinite(km_u) & (km_u >= 0) & (km_u <= MAX_KM)
    metres_u = np.array([km_to_m(t) if good else 0 for t, good in zip(dist_t.uniques, ok_u)], dtype=np.int64)
    metres = metres_u[dist_t.codes]
    route_t, media_t = TextColumn(rows["route"]), TextColumn(rows["media"])
    route, media = route_t.strings(), media_t.strings()
    known_media = [m.id for m in loaded.spec.fares.media] + [p.id for p in loaded.spec.fares.passes]
    unknown_media = media_t.given() & ~media_t.isin(known_media) if known_media else np.zeros(n, dtype=bool)
    flag(unknown_media, [f"unknown media {show(v)}" for v in media[unknown_media]])
    stop_priced = sorted(policy.stop_priced())
    _check_priced_pairs(policy, op_t.isin(stop_priced) | route_t.isin(stop_priced), op, route, bstop, astop,
                        reasons)
    tapped_out = has_alight_time | astop_t.given()
    counts = {"distance_from_stops": 0, "distance_over_network": 0, "no_distance": 0}
    needs = ~has_dist & op_t.isin(sorted(policy.distance_operators())) & np.array(
        [r is None for r in reasons], dtype=bool)
    with_stops = needs & bstop_t.given() & astop_t.given()
    distances = distances or _Distances(net)
    for i in np.flatnonzero(with_stops):  # perf: only legs whose distance comes from their stops
        found = distances.metres(op[i], route[i], bstop[i], astop[i])
        if found is None and route[i]:
            # the stops are not both on the tap's route (a paid-area change onto another line):
            # measure over the operator's network instead
            found = distances.metres(op[i], "", bstop[i], astop[i])
            counts["distance_over_network"] += found is not None
        if found is None:
            reasons[i] = f"no {op[i]} route from {bstop[i]!r} to {astop[i]!r} to measure the distance"
        else:
            metres[i] = found
            counts["distance_from_stops"] += 1
    distance_fare = op_t.isin(sorted(policy.metres_priced()))
    counts["no_distance"] = int((needs & ~with_stops & (tapped_out | ~distance_fare)).sum())
    cols = LegTable(card=card, operator=op, board_time=board, metres=metres, category=cat,
                    board_stop=bstop, alight_stop=astop, tapped_out=tapped_out, route=route,
                    alight_time=np.where(has_alight_time, alight, -1), media=media,
                    codes={"operator": op_t.coded(), "category": cat_t.coded(), "route": route_t.coded()})
    return cols, reasons, counts


def _check_priced_pairs(policy: FarePolicy, on: np.ndarray, op: np.ndarray, route: np.ndarray,
                        bstop: np.ndarray, astop: np.ndarray, reasons: list[str | None]) -> None:
    """A leg with both stops on a station-table or zone operator (``on``: its operator or route is
    priced by stops) needs a fare for that pair."""
    seen: dict[tuple[str, str, str, str], str | None] = {}
    for i in np.flatnonzero(on & (bstop != "") & (astop != "")):
        key = (op[i], route[i], bstop[i], astop[i])
        if key not in seen:  # perf: each distinct leg once
            seen[key] = policy.pair_problem(*key)
        why = seen[key]
        if why is not None and reasons[i] is None:
            reasons[i] = why


# ------------------------------------------------------------------------------------ explain
def explain(policy: FarePolicy, legs: list[Leg], currency: str = "IDR",
            clock: Callable[[int], str] = format_clock) -> list[str]:
    """Tap by tap, the card's state and why each amount was charged; then the settlement.

    Parameters
    ----------
    policy : FarePolicy
        The compiled fare policy.
    legs : list of Leg
        One card's legs in tap order (times in seconds, distances in metres).
    currency : str
        ISO 4217 code for the amounts (minor units) shown.
    clock : callable
        Shows a time in seconds: a clock time of the service day by default (``25:10:00``).

    Returns
    -------
    list of str
        Lines of text: one per tap and open window, then the settlement and the total.
    """
    from .units import format_money

    def money(x: int) -> str:
        return format_money(x, currency)

    taps, settled, provisional = trace(policy, legs)
    out = []
    for n, tap in enumerate(taps):
        leg, charge = tap.leg, tap.charge
        why = charge.outcome.why
        if tap.window_rule is not None and charge.source != tap.window_rule and not tap.exempt:
            why += f"; in window {tap.window_rule!r}, priced as a whole when it closes"
        if tap.exempt:
            why = f"category {leg.category!r} rides {leg.operator} free; the leg is invisible to windows"
        km = f"{leg.metres / 1000:.1f} km" if leg.metres else "distance unknown"
        stops = f" {leg.board_stop}→{leg.alight_stop}" if leg.board_stop or leg.alight_stop else ""
        out.append(f"tap {n + 1}  {clock(leg.board_time)}  {leg.operator}{stops}  {km}  "
                   f"charged {money(charge.amount)}  [{charge.rule}] {why}")
        for state in tap.windows:
            # the trace types a window's state as object; its times and amounts are ints (the cap None
            # when the window has none)
            remaining = cast("int | None", state["cap_remaining"])
            start, closes, paid = (cast(int, state[k]) for k in ("start", "closes", "paid"))
            cap = f", cap remaining {money(remaining)}" if remaining is not None else ""
            if state.get("transfers") is not None:
                cap += f", transfers used {state['transfers']}"
            if state.get("credit") is not None:
                cap += f", fares up to {money(cast(int, state['credit']))} covered"
            out.append(f"        window {state['rule']} open since {clock(start)} (closes "
                       f"{clock(closes)}): {state['legs']} legs, paid so far {money(paid)}{cap}")
    out.append("settlement:")
    total = 0
    for n, (tap, ch) in enumerate(zip(taps, settled)):
        total += ch.amount
        delta = ch.amount - provisional[n]
        sign = "+" if delta > 0 else ""
        note = f" (tap charged {money(provisional[n])}, adjustment {sign}{money(delta)})" if delta else ""
        out.append(f"  leg {n + 1} {tap.leg.operator}: {money(ch.amount)} [{ch.rule}]{note}")
    out.append(f"total {money(total)}")
    return out


def explain_rider(scenario: str | Path | LoadedScenario, taps: str | Path, rider: str) -> list[str]:
    """:func:`explain` for one rider of a tap file (bad rows of that rider are an error).

    Parameters
    ----------
    scenario : str, Path or LoadedScenario
        The scenario whose fares to use.
    taps : str or Path
        The tap file (as for :func:`read_taps`).
    rider : str
        The rider (card) id.

    Returns
    -------
    list of str
        The lines of :func:`explain`.

    Raises
    ------
    InputError
        When the file has no rows for ``rider`` or one of them is bad.
    """
    loaded, net, policy = _prepare(scenario)
    rows = read_taps(taps, dict(zip(net.route_ids, net.route_operator)))
    mine = rows[rows["rider"].str.strip() == rider].reset_index(drop=True)
    if mine.empty:
        raise InputError(str(taps), "rider", "no rows for this rider", rider)
    times = FileTimes.of(mine)
    cols, reasons, _ = _legs(mine, loaded, net, policy, times)
    for k, why in enumerate(reasons):
        if why is not None:
            raise InputError(str(taps), f"line {mine['line'].iloc[k]}", why)
    day0 = times.day0["board_time"]  # date-times are counted from it: show them as date-times again
    clock = format_clock if day0 is None else (
        lambda s: (day0 + pd.Timedelta(seconds=s)).strftime("%a %Y-%m-%d %H:%M:%S"))
    return explain(policy, legs_of(cols, np.arange(len(mine))), loaded.spec.meta.currency, clock)

