"""Riders choose a path at departure: lowest generalized cost, fares included.

Generalized cost, in seconds: ``walk × walk_weight + wait × wait_weight + in-vehicle time +
transfer_penalty × transfers + fare × 3600 / value_of_time``, minus a Gumbel taste term of scale
``choice.spread`` drawn per rider and candidate (a random-utility model; ``spread = 0`` gives
all-or-nothing assignment).  Waits are half the headway in force, or the time to the next
departure when the line is not running yet.  The fare is what the engine charges for the path's
expected taps, so a fare policy moves riders between paths and operators.

Riders leaving in the same half hour (``SLOT_S``) with the same origin, destination, category and
fare medium see the same costs.  perf: all of it is numpy over distinct (path, slot) timings and
distinct fares: a path's fare changes with the time of day only where a time-band fare changes,
so fares are priced once per (path, category, medium, time-band class of each tap) — valid while
the whole path fits in every window rule's duration, else per slot — by the pricing interface
(:func:`otrip_sim.fares.price`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .demand import Riders
from .fares import FarePolicy, price
from .network import Network
from .paths import PathTable
from .rng import stream
from .schema import Choice
from .settlement import leg_table
from .simulation import PlannedLegs

SLOT_S = 1800  # riders departing in the same half hour see the same costs
_CHUNK = 300_000  # keys (and riders) costed at a time: bounds memory at city scale
_OFF = 1 << 24  # keeps (line, time) search keys positive
_BIG = 1 << 26


class _Timetable:
    """Headway bands and departures of every line as flat sorted arrays for vectorised lookups."""

    def __init__(self, net: Network):
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

    def headway(self, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Headway in force at ``t`` at the first stop of ``line`` (0: not running), as
        :meth:`~otrip_sim.network.Line.headway_at`."""
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


def choose_paths(
    net: Network,
    policy: FarePolicy,
    choice: Choice,
    riders: Riders,
    table: PathTable,
    first: np.ndarray,
    count: np.ndarray,
    vot: Sequence[int],
    seed: int,
) -> np.ndarray:
    """The chosen path of every rider.

    The taste draws come from their own stream, one row per rider and ``max_paths`` columns, so the
    same rider sees the same draws under every fare policy (common random numbers).

    Parameters
    ----------
    net, policy, choice:
        The network, the fare policy that prices each candidate, and the cost weights.
    riders:
        The riders: departure time (integer seconds), category and fare medium codes.
    table:
        The candidate paths; rider ``i``'s are ``table[first[i] : first[i] + count[i]]``.
    first, count:
        Per rider: the first candidate path and the number of candidates.
    vot:
        Value of time per rider category, integer minor units per hour.
    seed:
        Root seed of the taste draws.

    Returns
    -------
    numpy.ndarray
        Per rider: an index into ``table`` (``-1``: no candidate can be travelled).
    """
    n = len(riders)
    k = choice.max_paths
    taste = stream(seed, "choice").gumbel(0.0, 1.0, size=(n, k)) * choice.spread
    chosen = np.full(n, -1, dtype=np.int64)
    if n == 0 or not len(table):
        return chosen
    media = riders.media if riders.media is not None else np.zeros(n, dtype=np.int64)
    slot = riders.depart.astype(np.int64) // SLOT_S
    n_cat, n_med = len(riders.category_ids), max(len(riders.media_ids), 1)
    rider_key = ((first.astype(np.int64) * (slot.max() + 1) + slot) * n_cat + riders.category) * n_med + media
    keys, key_of = np.unique(np.where(count > 0, rider_key, -1), return_inverse=True)
    rep = np.zeros(len(keys), dtype=np.int64)
    rep[key_of] = np.arange(n)  # one representative rider per key
    # every (key, candidate), a chunk of keys at a time (keys of one OD pair are consecutive)
    kn = count[rep]
    tt = _Timetable(net)
    matrix = np.full((len(keys), k), np.inf)
    for a in range(0, len(keys), _CHUNK):
        kc = kn[a: a + _CHUNK]
        ek = np.repeat(np.arange(a, min(a + _CHUNK, len(keys))), kc)
        ec = np.arange(len(ek)) - np.repeat(np.cumsum(kc) - kc, kc)
        r = rep[ek]
        matrix[ek, ec] = _costs(net, policy, choice, table, tt, first[r] + ec, slot[r], riders.category[r],
                                media[r], riders, vot)
    for a in range(0, n, _CHUNK):
        part = slice(a, a + _CHUNK)
        perceived = matrix[key_of[part]] - taste[part]
        best = np.argmin(perceived, axis=1)
        ok = np.isfinite(perceived[np.arange(len(best)), best]) & (count[part] > 0)
        chosen[part][ok] = first[part][ok] + best[ok]
    return chosen


def _costs(net: Network, policy: FarePolicy, choice: Choice, table: PathTable, tt: _Timetable,
           pid: np.ndarray, slot: np.ndarray, category: np.ndarray, media: np.ndarray, riders: Riders,
           vot: Sequence[int]) -> np.ndarray:
    """Generalized cost (s) of path ``pid`` for riders leaving in ``slot`` of ``category`` with
    fare ``media``; ``inf`` where the path cannot be travelled then."""
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
        cls[on] = np.searchsorted(bnd, board_s[on], side="right")
    width = max(int(cls.max()) + 1, 1)
    # the classes of the path's taps, as the digits of one number
    packed = np.add.reduceat(cls * width ** plan.leg_no, plan.first_row)
    last = plan.first_row + plan.n_legs - 1
    span = board_s[last] - board_s[plan.first_row]
    min_window = policy.shortest_window()
    exact = np.zeros(len(tkeys), dtype=bool) if min_window is None else span > min_window
    fare_class = np.where(exact, -1 - ts, packed)
    n_med = max(len(riders.media_ids), 1)
    class_code, e_code = np.unique(fare_class, return_inverse=True)
    rider_kind = pid * (n_med * len(riders.category_ids)) + category * n_med + media
    fare_key = rider_kind * len(class_code) + e_code[t_of]
    fkeys, f_of = np.unique(fare_key, return_inverse=True)
    f_rep = np.zeros(len(fkeys), dtype=np.int64)
    f_rep[f_of] = np.arange(len(pid))
    fares = _fares(net, policy, plan, board_s, t_of[f_rep], category[f_rep], media[f_rep], riders)
    fare_to_s = np.array([3600.0 / v for v in vot])
    out = time_cost[t_of] + fares[f_of] * fare_to_s[category]
    return np.where(alive[t_of], out, np.inf)


def _timing(net: Network, choice: Choice, tt: _Timetable, plan: PlannedLegs,
            t0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time cost of each planned path leaving at ``t0``, the expected boarding time of every leg
    and whether the path can be travelled (every line still has a departure that day)."""
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
        cost[who] += walk * choice.walk_weight
        at_first = tw - cum_s[line, b]
        hw = tt.headway(line, at_first)
        nxt = tt.next_departure(line, at_first)
        runs = (hw > 0) | (nxt >= 0)
        alive[who] &= runs
        # a dead path waits 0: its cost is inf anyway, and its times stay in order
        wait = np.where(hw > 0, hw / 2, np.where(runs, nxt - at_first, 0))
        board = np.floor(tw + wait).astype(np.int64)
        ride = cum_s[line, a] - cum_s[line, b]
        cost[who] += wait * choice.wait_weight + ride
        board_s[row] = board
        t[who] = board + ride
    cost += plan.egress_s * choice.walk_weight + choice.transfer_penalty * (plan.n_legs - 1)
    return cost, board_s, alive


def _fares(net: Network, policy: FarePolicy, plan: PlannedLegs, board_s: np.ndarray, which: np.ndarray,
           category: np.ndarray, media: np.ndarray, riders: Riders) -> np.ndarray:
    """Fare of the planned paths ``which`` (leaving as timed) for riders of ``category`` and
    ``media``: the settled total of a card with the path's expected taps."""
    rows_per = plan.n_legs[which]
    leg_no = np.arange(int(rows_per.sum())) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    src = np.repeat(plan.first_row[which], rows_per) + leg_no
    card = np.repeat(np.arange(len(which)), rows_per)
    table = leg_table(net, policy, riders, card, plan.line[src], plan.board[src], plan.alight[src],
                      board_s[src], plan.tapped[src], np.repeat(category, rows_per),
                      np.repeat(media, rows_per) if riders.media is not None else None)
    fare = price(policy, table).fare
    return np.bincount(card, weights=fare, minlength=len(which)).astype(float)
