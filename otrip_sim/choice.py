"""Persons choose a path for each journey: lowest generalized cost, fares included.

Generalized cost, in seconds: ``walk × walk_weight + wait × wait_weight + in-vehicle time +
transfer_penalty × transfers + fare × 3600 / value_of_time``, minus a Gumbel taste term of scale
``choice.spread`` keyed by (person, journey of the day, path identity) (a random-utility model;
``spread = 0`` gives all-or-nothing assignment).  Waits are half the headway in force, or the
time to the next departure when the line is not running yet.  The fare is what the engine
charges for the path's expected taps — as a continuation of the person's card while its earlier
legs can still change it (:func:`choose_day`) — so a fare policy moves riders between paths and
operators.

Journeys leaving in the same half hour (``SLOT_S``) with the same origin, destination, category
and fare medium see the same time costs and fresh-card fares.  perf: all of it is numpy over
distinct (path, slot) timings and distinct fares: a path's fare changes with the time of day only
where a time-band fare changes, so fares are priced once per (path, category, medium, time-band
class of each tap) — valid while the whole path fits in every window rule's duration, else per
slot — by the pricing interface (:func:`otrip_sim.fares.price`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .demand import Riders
from .fares import FarePolicy, LegTable, open_bound, open_until, price, price_continuations
from .fares.standalone import DAY
from .grouped import within
from .network import Network
from .paths import PathTable
from .rng import combine, keyed_gumbel
from .schema import Choice, Crowding
from .settlement import leg_table
from .simulation import PlannedLegs, SimRecords

SLOT_S = 1800  # riders departing in the same half hour see the same costs
_CHUNK = 300_000  # keys (and riders) costed at a time: bounds memory at city scale
_OFF = 1 << 24  # keeps (line, time) search keys positive
_BIG = 1 << 26
_DENSE = 1 << 23  # most (line, minute) headways to tabulate (64 MB)


@dataclass(frozen=True)
class CrowdCosts:
    """What crowding adds to a leg, per (line, half-hour slot of boarding): the in-vehicle time
    multiplier and the extra wait (seconds) riders met beyond the timetable's half headway (left
    behind by full vehicles).  Slots past the last are the last's."""

    multiplier: np.ndarray
    extra_wait: np.ndarray

    @classmethod
    def none(cls, lines: int, slots: int) -> CrowdCosts:
        """No crowding: multiplier 1, no extra wait."""
        return cls(np.ones((lines, slots)), np.zeros((lines, slots)))

    def at(self, line: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The multiplier and extra wait of ``line`` for boardings at ``t``."""
        slot = np.clip(t // SLOT_S, 0, self.multiplier.shape[1] - 1)
        return self.multiplier[line, slot], self.extra_wait[line, slot]

    def averaged(self, measured: CrowdCosts, step: float) -> CrowdCosts:
        """The method of successive averages: these costs moved ``step`` of the way to ``measured``."""
        return CrowdCosts(self.multiplier + step * (measured.multiplier - self.multiplier),
                          self.extra_wait + step * (measured.extra_wait - self.extra_wait))


class _Timetable:
    """Headway bands and departures of every line as flat sorted arrays for vectorised lookups,
    the crowding costs path choice weighs (``None``: none) and the boarding constant of each line
    (seconds, its operator's ``calibration.boarding_constants``; ``None``: none)."""

    def __init__(self, net: Network, crowd: CrowdCosts | None = None, boarding: np.ndarray | None = None):
        self.crowd = crowd
        self.boarding = boarding
        b_line: list[int] = []
        b_start: list[int] = []
        b_end: list[int] = []
        b_every: list[int] = []
        d_line: list[int] = []
        d_time: list[int] = []
        for ln in net.lines:
            b_line += [ln.index] * len(ln.band_start)
            b_start += ln.band_start
            b_end += ln.band_end
            b_every += ln.band_every
            d_line += [ln.index] * len(ln.departures)
            d_time += ln.departures
        self.band_key = np.array(b_line, dtype=np.int64) * _BIG + np.array(b_start, dtype=np.int64) + _OFF
        self.band_line = np.array(b_line, dtype=np.int64)
        self.band_end = np.array(b_end, dtype=np.int64)
        self.band_every = np.array(b_every, dtype=np.int64)
        self.dep_key = np.array(d_line, dtype=np.int64) * _BIG + np.array(d_time, dtype=np.int64) + _OFF
        self.dep_line = np.array(d_line, dtype=np.int64)
        self.dep_time = np.array(d_time, dtype=np.int64)
        self.last_departure = np.array([ln.departures[-1] if ln.departures else -1 for ln in net.lines],
                                       dtype=np.int64)
        # perf: the headways by (line, minute) when every band starts and ends on a whole minute
        # (a band's status is then the same all minute long); a last column of zeros for the
        # times before and after every band
        self.minutes = max(b_end, default=0) // 60
        self.by_minute: np.ndarray | None = None
        whole = all(x % 60 == 0 for x in b_start + b_end) and min(b_start, default=0) >= 0
        if b_start and whole and len(net.lines) * (self.minutes + 1) <= _DENSE:
            n_lines, at = len(net.lines), np.arange(self.minutes, dtype=np.int64) * 60
            self.by_minute = np.zeros((n_lines, self.minutes + 1), dtype=np.int64)
            self.by_minute[:, :-1] = self._band_headway(np.repeat(np.arange(n_lines), len(at)),
                                                        np.tile(at, n_lines)).reshape(n_lines, -1)

    def headway(self, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Headway in force at ``t`` at the first stop of ``line`` (0: not running), as
        :meth:`~otrip_sim.network.Line.headway_at`."""
        if self.by_minute is None:
            return self._band_headway(line, t)
        minute = np.where((t >= 0) & (t < self.minutes * 60), t // 60, self.minutes).astype(np.int64)
        return self.by_minute[line, minute]

    def _band_headway(self, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        """:meth:`headway` from the bands themselves (a search per lookup)."""
        k = np.searchsorted(self.band_key, line * _BIG + t + _OFF, side="right") - 1
        kk = np.maximum(k, 0)
        ok = (k >= 0) & (self.band_line[kk] == line) & (t < self.band_end[kk])
        return np.where(ok, self.band_every[kk], 0)

    def next_departure(self, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        """First departure of ``line`` at or after ``t`` (-1: none left)."""
        k = np.searchsorted(self.dep_key, line * _BIG + t + _OFF, side="left")
        kk = np.minimum(k, len(self.dep_key) - 1)
        if len(self.dep_key):
            ok = (k < len(self.dep_key)) & (self.dep_line[kk] == line)
        else:
            ok = np.zeros(len(t), dtype=bool)
        return np.where(ok, self.dep_time[kk] if len(self.dep_key) else 0, -1)


@dataclass(frozen=True)
class DayChoice:
    """What the persons chose before leaving.

    Attributes
    ----------
    chosen:
        Per journey: an index into the candidate paths (``-1``: none can be travelled).
    depart:
        Per journey: the planned departure (integer seconds); for a journey after another, the
        estimate from the chosen path's expected arrival.
    expected_board:
        Per leg of the chosen paths (the rows of ``PlannedLegs.from_choice(table, chosen)``): when
        the person expected to board it, integer seconds — the fares the choice weighed.
    composite:
        Per journey: the composite cost of its candidate paths, seconds,
        ``−spread · ln Σₖ exp(−cₖ / spread)`` over their generalised costs ``cₖ`` (time and the
        fare the card would be charged; the least cost with ``spread`` 0; ``inf``: no path) —
        what public transport costs the journey in mode choice.
    best_cost, previous_cost:
        With ``previous`` given: per journey, the perceived cost (taste included) of the path
        chosen now and of the one chosen before, both at today's costs (``nan``: no path then) —
        the terms of the relative gap of crowding iterations.
    probability:
        When asked: per journey (rows) and candidate (columns, as ``first + column``), the logit
        probability of choosing it, ``exp(−c / spread)`` normalised over the journey's candidates
        (all on the least cost with ``spread`` 0; a row of zeros: no path) — what expected
        counts, free of the taste draws, are made of.
    """

    chosen: np.ndarray
    depart: np.ndarray
    expected_board: np.ndarray
    composite: np.ndarray
    best_cost: np.ndarray | None = None
    previous_cost: np.ndarray | None = None
    probability: np.ndarray | None = None


def choose_day(
    net: Network,
    policy: FarePolicy,
    choice: Choice,
    riders: Riders,
    table: PathTable,
    first: np.ndarray,
    count: np.ndarray,
    vot: np.ndarray,
    seed: int,
    replication: int = 0,
    crowd: CrowdCosts | None = None,
    previous: np.ndarray | None = None,
    boarding: np.ndarray | None = None,
    probabilities: bool = False,
) -> DayChoice:
    """The chosen path of every journey, with the planned times path choice worked with.

    Persons choose journey by journey in the order of their day: the day's first journeys, then
    the second ones, and so on.  A later journey leaves an estimated ``after_s`` after the person
    arrives from the one before (the chosen path's expected arrival), and while the card's earlier
    legs can still change what it pays (:func:`otrip_sim.fares.open_until`: an open window, a
    daily cap, a pass) its candidates are priced as continuations of the card
    (:func:`otrip_sim.fares.price_continuations`): a return inside an OK OTrip window costs what
    is left of the cap.  Elsewhere a candidate costs what it costs on a fresh card.

    The taste draws are keyed by (person, journey number in the day, path identity), so the same
    person sees the same draw for the same path under every fare policy and in every sample.

    Parameters
    ----------
    net, policy, choice:
        The network, the fare policy that prices each candidate, and the cost weights.
    riders:
        The journeys: departures (integer seconds), persons, categories and fare media.
    table:
        The candidate paths; journey ``i``'s are ``table[first[i] : first[i] + count[i]]``.
    first, count:
        Per journey: the first candidate path and the number of candidates.
    vot:
        Per journey: the person's value of time, minor units per hour.
    seed, replication:
        Root seed and replication of the taste draws.
    crowd:
        Crowding costs to weigh (in-vehicle multipliers, extra waits), or ``None``.
    previous:
        The paths chosen at the previous crowding iteration, for the gap terms.
    boarding:
        Per line: seconds added to each boarding's cost (the operators' boarding constants), or
        ``None``.
    probabilities:
        Also return every candidate's choice probability (``DayChoice.probability``).

    Returns
    -------
    DayChoice
        The chosen paths, planned departures and expected boarding times.
    """
    n = len(riders)
    chosen = np.full(n, -1, dtype=np.int64)
    depart = riders.depart.astype(np.int64).copy()
    composite = np.full(n, np.inf)
    probability = np.zeros((n, choice.max_paths)) if probabilities else None
    if n == 0 or not len(table):
        return DayChoice(chosen, depart, np.zeros(0, dtype=np.int64), composite, probability=probability)
    tt = _Timetable(net, crowd, boarding)
    best_cost = np.full(n, np.nan) if previous is not None else None
    previous_cost = np.full(n, np.nan) if previous is not None else None
    path_key = _path_keys(table)
    linking = bool(policy.windows or policy.passes or policy.period_caps)  # else cards have no memory
    fare_to_s = 3600.0 / np.asarray(vot, dtype=np.float64)
    arrive = np.full(n, -1, dtype=np.int64)  # expected arrival of the chosen path
    ended = np.full(n, -1, dtype=np.int64)  # when the person's legs up to this journey end (-1: none)
    history: list[np.ndarray] = []  # rows of the chosen paths (journey, table row, board time)
    for r in range(int(riders.trip.max(initial=0)) + 1):
        idx = np.flatnonzero(riders.trip == r)
        if r:
            prev = idx - 1  # a person's journeys are consecutive
            depart[idx] = np.where(arrive[prev] >= 0, arrive[prev], depart[prev]) + riders.after_s[idx]
        time_m, fare_m = _matrices(net, policy, choice, riders, table, tt, idx, depart[idx], first[idx],
                                   count[idx])
        if r and linking and history:
            _price_on_card(net, policy, choice, riders, table, tt, idx, depart, first, count,
                           np.concatenate(history, axis=1)[:3], ended[idx - 1], fare_m)
        k = time_m.shape[1]
        col = np.arange(k)
        has = col[None, :] < count[idx, None]
        pid = np.where(has, first[idx, None] + col[None, :], 0)
        trip = riders.trip[idx, None].astype(np.int64)
        taste = keyed_gumbel(seed, "choice", riders.person_key[idx, None], trip,
                             path_key[pid], replication=replication) * choice.spread
        cost = np.where(has, time_m + fare_m * fare_to_s[idx][:, None], np.inf)
        composite[idx] = composite_cost(cost, choice.spread)
        if probability is not None:
            probability[idx, :k] = path_probabilities(cost, choice.spread)
        perceived = cost - taste
        best = np.argmin(perceived, axis=1) if k else np.zeros(len(idx), dtype=np.int64)
        ok = np.isfinite(perceived[np.arange(len(idx)), best]) if k else np.zeros(len(idx), dtype=bool)
        chosen[idx[ok]] = first[idx[ok]] + best[ok]
        # the chosen paths' expected times at each person's own departure (the costs were timed at
        # the half-hour slot's middle): a path whose line has no departure left by then is dropped
        # for the next best, and a journey with none left has no path (told now, not stranded)
        plan, board_s, go = _timed_choice(net, choice, tt, table, idx, depart, first, chosen, perceived,
                                          best, ok)
        if previous is not None and best_cost is not None and previous_cost is not None and k:
            rows = np.arange(len(idx))
            best_cost[idx[ok]] = perceived[rows[ok], best[ok]]
            was = previous[idx] - first[idx]
            had = (previous[idx] >= 0) & (was >= 0) & (was < k)
            previous_cost[idx[had]] = perceived[rows[had], was[had]]
        # the chosen paths' expected times: arrival for the next journey, legs for the card
        last = plan.first_row + plan.n_legs - 1
        cum = net.cum_s_table
        ln, b, a = plan.line[last], plan.board[last], plan.alight[last]
        arrive[go] = board_s[last] + cum[ln, a] - cum[ln, b] + plan.egress_s
        ended[idx] = ended[idx - 1] if r else -1
        alight_s = board_s + cum[plan.line, plan.alight] - cum[plan.line, plan.board]
        np.maximum.at(ended, go[plan.rider], alight_s)
        rows = table.offset[chosen[go]][plan.rider] + plan.leg_no
        history.append(np.stack([go[plan.rider], rows, board_s, plan.leg_no]))
    # the expected boarding time of every planned leg, aligned with PlannedLegs.from_choice(chosen)
    n_legs = np.where(chosen >= 0, table.n_legs[np.maximum(chosen, 0)], 0)
    first_row = np.cumsum(n_legs) - n_legs
    expected = np.zeros(int(n_legs.sum()), dtype=np.int64)
    for h in history:
        expected[first_row[h[0]] + h[3]] = h[2]
    return DayChoice(chosen, depart, expected, composite, best_cost, previous_cost, probability)


def composite_cost(cost: np.ndarray, spread: float) -> np.ndarray:
    """Per row: ``−spread · ln Σₖ exp(−cost[k] / spread)`` (the least cost when ``spread`` is 0),
    ``inf`` where every cost is ``inf``; computed from the least cost, so it never overflows."""
    if cost.shape[1] == 0:
        return np.full(len(cost), np.inf)
    low = cost.min(axis=1)
    if spread <= 0:
        return low
    finite = np.isfinite(low)
    out = np.full(len(cost), np.inf)
    rel = cost[finite] - low[finite, None]
    out[finite] = low[finite] - spread * np.log(np.exp(-rel / spread).sum(axis=1))
    return out


def expected_by_line(net: Network, table: PathTable, first: np.ndarray, probability: np.ndarray,
                     weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line: the boardings and the tapped boardings the choice expects, the sum over journeys
    and candidates of ``weight × probability`` of each leg (free of the taste draws).

    Parameters
    ----------
    net, table:
        The network and the candidate paths.
    first:
        Per journey: its first candidate (``DayChoice.probability``'s column 0).
    probability:
        ``DayChoice.probability`` (journeys × candidates).
    weight:
        Per journey: the probability that it is made by public transport (1 with fixed demand).
    """
    n_lines = len(net.lines)
    if not len(table) or not probability.size:
        return np.zeros(n_lines), np.zeros(n_lines)
    col = np.broadcast_to(np.arange(probability.shape[1]), probability.shape)
    some = probability > 0
    path = (first[:, None] + col)[some]
    per_path = np.bincount(path, weights=(probability * weight[:, None])[some], minlength=len(table))
    per_leg = np.repeat(per_path, table.n_legs)
    boardings = np.bincount(table.line, weights=per_leg, minlength=n_lines)
    tapped = np.bincount(table.line, weights=per_leg * table.tapped, minlength=n_lines)
    return boardings, tapped


def path_probabilities(cost: np.ndarray, spread: float) -> np.ndarray:
    """Per row: the logit probability of each column, ``exp(−cost / spread)`` normalised over the
    row (with ``spread`` 0, the least cost's columns share 1); a row where every cost is ``inf``
    is all zeros."""
    out = np.zeros(cost.shape)
    if cost.shape[1] == 0:
        return out
    low = cost.min(axis=1)
    finite = np.isfinite(low)
    rel = cost[finite] - low[finite, None]
    weight = np.exp(-rel / spread) if spread > 0 else (rel == 0).astype(float)
    out[finite] = weight / weight.sum(axis=1, keepdims=True)
    return out


def _path_keys(table: PathTable) -> np.ndarray:
    """A 64-bit identity per candidate path from its legs (line, boarding and alighting positions,
    leg number): the same path has the same key in every run on the same network."""
    leg_no = np.arange(len(table.line)) - np.repeat(table.offset, table.n_legs)
    leg = combine(table.line.astype(np.int64), table.board.astype(np.int64), table.alight.astype(np.int64),
                  leg_no)
    key = np.zeros(len(table), dtype=np.uint64)
    some = table.n_legs > 0
    if len(leg):
        key[some] = np.bitwise_xor.reduceat(leg, table.offset[some])
    return key


def _matrices(net: Network, policy: FarePolicy, choice: Choice, riders: Riders, table: PathTable,
              tt: _Timetable, idx: np.ndarray, depart: np.ndarray, first: np.ndarray,
              count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time cost (s) and fresh-card fare (minor units) of every candidate of journeys ``idx``
    (rows) leaving at ``depart``, ``inf`` time where a candidate cannot be travelled then.

    perf: journeys leaving in the same half hour with the same candidates, category and fare
    medium share their costs."""
    n = len(idx)
    k = choice.max_paths
    time_m = np.full((n, k), np.inf)
    fare_m = np.zeros((n, k))
    if n == 0:
        return time_m, fare_m
    media = riders.media[idx] if riders.media is not None else np.zeros(n, dtype=np.int64)
    category = riders.category[idx]
    slot = depart.astype(np.int64) // SLOT_S
    n_cat, n_med = len(riders.category_ids), max(len(riders.media_ids), 1)
    rider_key = ((first.astype(np.int64) * (slot.max() + 1) + slot) * n_cat + category) * n_med + media
    keys, key_of = np.unique(np.where(count > 0, rider_key, -1), return_inverse=True)
    rep = np.zeros(len(keys), dtype=np.int64)
    rep[key_of] = np.arange(n)  # one representative journey per key
    kn = count[rep]
    t_keys = np.full((len(keys), k), np.inf)
    f_keys = np.zeros((len(keys), k))
    for a in range(0, len(keys), _CHUNK):  # a chunk of keys at a time (bounds memory)
        kc = kn[a: a + _CHUNK]
        ek = np.repeat(np.arange(a, min(a + _CHUNK, len(keys))), kc)
        ec = within(kc)
        r = rep[ek]
        t_keys[ek, ec], f_keys[ek, ec] = _costs(net, policy, choice, table, tt, first[r] + ec, slot[r],
                                                category[r], media[r], riders)
    return t_keys[key_of], f_keys[key_of]


def _price_on_card(net: Network, policy: FarePolicy, choice: Choice, riders: Riders, table: PathTable,
                   tt: _Timetable, idx: np.ndarray, depart: np.ndarray, first: np.ndarray, count: np.ndarray,
                   history: np.ndarray, ended: np.ndarray, fare_m: np.ndarray) -> None:
    """Fill ``fare_m`` (rows: journeys ``idx``) with what each candidate adds to the person's
    card, for the journeys leaving while the card's earlier legs can still change their fare
    (:func:`otrip_sim.fares.open_until`; ``ended``: per journey, when the card's legs ended)."""
    # perf: only the cards that can still be open at the departure are priced
    maybe = np.flatnonzero((ended >= 0) & (depart[idx] <= open_bound(policy, ended)))
    h_journey, h_row, h_board = history
    p_of = riders.person  # a person's card is named by the person
    mine = np.isin(p_of[h_journey], p_of[idx[maybe]])
    hj, hr, hb = h_journey[mine], h_row[mine], h_board[mine]

    def history_of(sel: np.ndarray) -> LegTable:
        return _legs(net, policy, riders, p_of[hj[sel]], hj[sel], table.line[hr[sel]], table.board[hr[sel]],
                     table.alight[hr[sel]], hb[sel], table.tapped[hr[sel]])

    cards, until = open_until(policy, history_of(np.arange(len(hj))))
    j = idx[maybe]
    k = np.minimum(np.searchsorted(cards, p_of[j]), max(len(cards) - 1, 0))
    known = (cards[k] == p_of[j]) if len(cards) else np.zeros(len(j), dtype=bool)
    linked = maybe[known & (count[j] > 0) & (depart[j] <= np.where(known, until[k], -1))]
    for a in range(0, len(linked), _CHUNK // 4):
        part = linked[a: a + _CHUNK // 4]
        j = idx[part]
        kc = count[j]
        cand_j = np.repeat(j, kc)
        cand_c = within(kc)
        plan = PlannedLegs.from_choice(table, first[cand_j] + cand_c)
        _, board_s, _ = _timing(net, choice, tt, plan, depart[cand_j])
        cand = _legs(net, policy, riders, plan.rider, cand_j[plan.rider], plan.line, plan.board, plan.alight,
                     board_s, plan.tapped)
        added = price_continuations(policy, history_of(np.flatnonzero(np.isin(p_of[hj], p_of[j]))), cand,
                                    p_of[cand_j])
        fare_m[np.repeat(part, kc), cand_c] = added + table.ride_money[first[cand_j] + cand_c]


def _legs(net: Network, policy: FarePolicy, riders: Riders, card: np.ndarray, journey: np.ndarray,
          line: np.ndarray, board: np.ndarray, alight: np.ndarray, board_s: np.ndarray,
          tapped: np.ndarray) -> LegTable:
    """Legs of journeys ``journey`` on cards ``card`` as the pricing interface's table."""
    media = riders.media[journey] if riders.media is not None else None
    return leg_table(net, policy, riders, card, line, board, alight, board_s, tapped,
                     riders.category[journey], media)


def _costs(net: Network, policy: FarePolicy, choice: Choice, table: PathTable, tt: _Timetable,
           pid: np.ndarray, slot: np.ndarray, category: np.ndarray, media: np.ndarray,
           riders: Riders) -> tuple[np.ndarray, np.ndarray]:
    """Time cost (s; ``inf`` where the path cannot be travelled then) and fresh-card fare (minor
    units; with the money of a ride by the access mode) of path ``pid`` for riders leaving in
    ``slot`` of ``category`` with fare ``media``."""
    # timings: once per distinct (path, slot)
    n_slots = int(slot.max()) + 1
    tkeys, t_of = np.unique(pid * n_slots + slot, return_inverse=True)
    tp, ts = tkeys // n_slots, tkeys % n_slots
    plan = PlannedLegs.from_choice(table, tp)  # one "rider" per (path, slot)
    time_cost, board_s, alive = _timing(net, choice, tt, plan, ts * SLOT_S + SLOT_S // 2)
    # fares: once per (path, category, medium, time-band class of each tap), or per slot where
    # the path is longer than a fare window
    bounds = {op: np.array(b, dtype=np.int64) for op, b in policy.time_bounds().items()}
    ops = [ln.operator for ln in net.lines]
    cls = np.zeros(len(plan), dtype=np.int64)
    for op, bnd in bounds.items():
        on = np.isin(plan.line, [ln.index for ln in net.lines if ops[ln.index] == op])
        # the bounds are clock times: a tap after midnight is classed by its clock time, as the
        # engine prices it (board time modulo a day)
        cls[on] = np.searchsorted(bnd, board_s[on] % DAY, side="right")
    width = max(int(cls.max()) + 1, 1)
    # the classes of the path's taps, as the digits of one number
    packed = np.add.reduceat(cls * width ** plan.leg_no, plan.first_row)
    last = plan.first_row + plan.n_legs - 1
    span = board_s[last] - board_s[plan.first_row]
    min_window = policy.shortest_window()
    exact = np.zeros(len(tkeys), dtype=bool) if min_window is None else span > min_window
    fare_class = np.where(exact, -1 - ts, packed)
    n_med = max(len(riders.media_ids), 1)
    class_code, e_code = _small_unique(fare_class)
    rider_kind = pid * (n_med * len(riders.category_ids)) + category * n_med + media
    fare_key = rider_kind * len(class_code) + e_code[t_of]
    fkeys, f_of = np.unique(fare_key, return_inverse=True)
    f_rep = np.zeros(len(fkeys), dtype=np.int64)
    f_rep[f_of] = np.arange(len(pid))
    fares = _fares(net, policy, plan, board_s, t_of[f_rep], category[f_rep], media[f_rep], riders)
    # a first or last mile by the access mode: its time weighs as riding, its money as a fare
    ride = (1 - choice.walk_weight) * table.ride_s[pid]
    return np.where(alive[t_of], time_cost[t_of] + ride, np.inf), fares[f_of] + table.ride_money[pid]


def _small_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers; perf: without a sort when they
    span a range not much wider than their number (a fare class, a slot)."""
    if not len(values):
        return np.unique(values, return_inverse=True)
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * len(values) + 1024:
        return np.unique(values, return_inverse=True)
    present = np.zeros(high - low + 1, dtype=bool)
    present[values - low] = True
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[values - low]


def _timed_choice(net: Network, choice: Choice, tt: _Timetable, table: PathTable, idx: np.ndarray,
                  depart: np.ndarray, first: np.ndarray, chosen: np.ndarray, perceived: np.ndarray,
                  best: np.ndarray, ok: np.ndarray) -> tuple[PlannedLegs, np.ndarray, np.ndarray]:
    """The chosen paths of journeys ``idx`` timed at their departures, each path that cannot be
    travelled (:func:`_timing`) replaced by the journey's next best until every one can or none is
    left; ``chosen``, ``perceived``, ``best`` and ``ok`` (per journey of ``idx``) are updated in place.

    Only the journeys whose path changed are timed again (a path's times do not depend on the
    others'). Returns the final plan of ``go = idx[ok]``, its legs' expected boarding times and
    ``go``."""
    timed = np.flatnonzero(ok)  # positions in idx
    row_of = np.full(len(idx), -1, dtype=np.int64)  # a journey's first row in ``boards``
    boards: list[np.ndarray] = []
    offset = 0
    while len(timed):
        plan = PlannedLegs.from_choice(table, chosen[idx[timed]])
        _, board_s, alive = _timing(net, choice, tt, plan, depart[idx[timed]])
        if not boards and alive.all():  # the usual case: nothing to replace, the plan is final
            return plan, board_s, idx[timed]
        row_of[timed] = offset + plan.first_row
        boards.append(board_s)
        offset += len(board_s)
        dead = timed[~alive]
        perceived[dead, best[dead]] = np.inf
        best[dead] = np.argmin(perceived[dead], axis=1)
        ok[dead] = np.isfinite(perceived[dead, best[dead]])
        chosen[idx[dead]] = np.where(ok[dead], first[idx[dead]] + best[dead], -1)
        timed = dead[ok[dead]]
    keep = np.flatnonzero(ok)
    plan = PlannedLegs.from_choice(table, chosen[idx[keep]])
    every = np.concatenate(boards) if boards else np.zeros(0, dtype=np.int64)
    board_s = every[np.repeat(row_of[keep], plan.n_legs) + plan.leg_no]
    return plan, board_s, idx[keep]


def _timing(net: Network, choice: Choice, tt: _Timetable, plan: PlannedLegs,
            t0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time cost of each planned path leaving at ``t0``, the expected boarding time of every leg
    and whether the path can be travelled (every line still has a departure that day when the
    rider reaches it: a headway band still in force after the last departure does not count)."""
    cum_s = net.cum_s_table
    n = len(t0)
    t = t0.astype(np.int64).copy()
    cost = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    board_s = np.zeros(len(plan), dtype=np.int64)
    for k in range(int(plan.n_legs.max(initial=0))):
        who = np.flatnonzero(plan.n_legs > k)
        row = plan.first_row[who] + k
        line, b, a = plan.line[row].astype(np.int64), plan.board[row], plan.alight[row]
        walk = plan.walk_s[row]
        tw = t[who] + walk
        c = cost[who] + walk * choice.walk_weight  # perf: one gather and one scatter of the costs
        at_first = tw - cum_s[line, b]
        hw = tt.headway(line, at_first)
        # perf: the next departure matters only where no headway is in force
        idle = np.flatnonzero(hw <= 0)
        nxt = np.full(len(who), -1, dtype=np.int64)
        nxt[idle] = tt.next_departure(line[idle], at_first[idle])
        # a headway in force is no departure: after the line's last one the path cannot be travelled
        # (the rider is told so now, not stranded at the stop), and nobody expects to wait past it
        left = tt.last_departure[line] - at_first
        runs = ((hw > 0) | (nxt >= 0)) & (left >= 0)
        alive[who] &= runs
        # a dead path waits 0: its cost is inf anyway, and its times stay in order
        wait = np.where(hw > 0, np.minimum(hw / 2, np.maximum(left, 0)), np.where(runs, nxt - at_first, 0))
        ride = cum_s[line, a] - cum_s[line, b]
        if tt.crowd is not None:  # the waits riders met, and in-vehicle time weighted by the load
            mult, extra = tt.crowd.at(line, np.floor(tw + wait).astype(np.int64))
            wait = wait + extra
            c += ride * (mult - 1)
        board = np.floor(tw + wait).astype(np.int64)
        c += wait * choice.wait_weight + ride
        if tt.boarding is not None:
            c += tt.boarding[line]
        cost[who] = c
        board_s[row] = board
        t[who] = board + ride
    cost += plan.egress_s * choice.walk_weight + choice.transfer_penalty * (plan.n_legs - 1)
    return cost, board_s, alive


def _fares(net: Network, policy: FarePolicy, plan: PlannedLegs, board_s: np.ndarray, which: np.ndarray,
           category: np.ndarray, media: np.ndarray, riders: Riders) -> np.ndarray:
    """Fare of the planned paths ``which`` (leaving as timed) for riders of ``category`` and
    ``media``: the settled total of a card with the path's expected taps."""
    rows_per = plan.n_legs[which]
    leg_no = within(rows_per)
    src = np.repeat(plan.first_row[which], rows_per) + leg_no
    card = np.repeat(np.arange(len(which)), rows_per)
    table = leg_table(net, policy, riders, card, plan.line[src], plan.board[src], plan.alight[src],
                      board_s[src], plan.tapped[src], np.repeat(category, rows_per),
                      np.repeat(media, rows_per) if riders.media is not None else None)
    fare = price(policy, table).fare
    return np.bincount(card, weights=fare, minlength=len(which)).astype(float)


def measure_crowding(net: Network, records: SimRecords, curve: Crowding, slots: int) -> CrowdCosts:
    """The crowding the riders of a simulated day met, per (line, half-hour slot of boarding).

    A boarded leg's in-vehicle multiplier is ``curve.standing`` for a rider who boarded beyond
    the seats, else the seated step of its load factor (load on leaving the boarding stop ÷
    seats); its wait is from reaching the stop to boarding.  Per (line, slot): the mean multiplier
    and the mean wait beyond what path choice expects from the timetable (half the headway, or
    the time to the next departure), at least 0.  Where nobody boarded: 1 and 0.

    Parameters
    ----------
    net:
        The network.
    records:
        A simulation run with ``crowding=True``.
    curve:
        ``choice.crowding``.
    slots:
        Half-hour slots to cover (later boardings count in the last).
    """
    p = records.planned
    done = np.flatnonzero(records.board_s >= 0)
    n_lines = max(len(net.lines), 1)
    if not len(done) or not len(records.leg_load):
        return CrowdCosts.none(n_lines, slots)
    line = p.line[done].astype(np.int64)
    board_s, at = records.board_s[done], records.at_stop[done]
    steps = np.array([c.from_load for c in curve.seated])
    values = np.concatenate([[1.0], [c.multiplier for c in curve.seated]])
    seated = values[np.searchsorted(steps, records.leg_load[done], side="right")] if len(steps) else 1.0
    mult = np.where(records.standing[done], curve.standing, seated)
    tt = _Timetable(net)
    at_first = at - net.cum_s_table[line, p.board[done]]
    hw, nxt = tt.headway(line, at_first), tt.next_departure(line, at_first)
    expected = np.where(hw > 0, hw / 2, np.where(nxt >= 0, nxt - at_first, 0))
    cell = line * slots + np.clip(board_s // SLOT_S, 0, slots - 1)
    count = np.bincount(cell, minlength=n_lines * slots)
    some = count > 0
    mean_mult = np.ones(n_lines * slots)
    mean_mult[some] = np.bincount(cell, weights=mult, minlength=n_lines * slots)[some] / count[some]
    excess = np.bincount(cell, weights=(board_s - at) - expected, minlength=n_lines * slots)
    extra = np.zeros(n_lines * slots)
    extra[some] = np.maximum(excess[some] / count[some], 0.0)
    return CrowdCosts(mean_mult.reshape(n_lines, slots), extra.reshape(n_lines, slots))
