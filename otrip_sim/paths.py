"""Candidate paths between zones: a few good ways to travel, found once per scenario.

A path is access walk → legs (line, board position, alight position, walk before boarding) →
egress walk.  The search is round-based, as RAPTOR: round ``r`` finds, for every stop, the
cheapest way to get there with exactly ``r + 1`` boardings, on a frequency-based network costed
with each line's typical headway.  Candidates for a zone pair are, for each round and each line
reaching one of the destination's egress stops, the cheapest arrival by that line (so they
differ in transfers, in the last line and in the stop that reaches the destination); the
``max_paths`` cheapest are kept (each (round, last line, stop) is a distinct path), dropping any
far costlier than the best.
Riders choose among them at their departure time with the headways then in force and the fare
the engine charges (:mod:`otrip_sim.choice`).

perf: every origin zone of a batch is searched at once with numpy over arrays ``[origin, line,
position]``: a line is scanned by a running minimum of "board here" costs along its stops, the
best arrival at each stop is a grouped minimum, walking transfers one grouped minimum more.
Costs are integers in 1/16 s, packed with a back-pointer into one int64 so that a minimum also
says where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np

from .grouped import group_starts, within
from .network import Network
from .schema import Choice

Q = 16  # cost units per second
_PB = 26  # bits of a packed back-pointer
_POS_BITS = 12  # bits of a boarding position (lines up to 4,096 stops)
_INF = 1 << 34  # an unreachable cost (packed keys stay below 2**63)
_BATCH = 32  # origin zones searched together


@dataclass(frozen=True, slots=True)
class PathLeg:
    """One leg of a candidate :class:`Path`: a line ridden from one position to another.

    Attributes
    ----------
    line:
        Line index (into ``Network.lines``).
    board, alight:
        Boarding and alighting positions on the line (0: its first stop).
    walk_s:
        The walk before boarding, integer seconds.
    tapped:
        ``False`` for a change inside the operator's paid area (no tap).
    """

    line: int
    board: int  # position on the line
    alight: int
    walk_s: int  # walk before boarding (access walk for the first leg, transfer walk otherwise)
    tapped: bool  # False: a change inside the operator's paid area (no tap)


@dataclass(frozen=True, slots=True)
class Path:
    """A candidate path between two zones: its legs, then the walk to the destination.

    Attributes
    ----------
    legs:
        The legs in order.
    egress_s:
        The walk after the last leg, integer seconds.
    cost_s:
        Generalized cost with typical headways, seconds (a float; ranks candidates).
    """

    legs: tuple[PathLeg, ...]
    egress_s: int
    cost_s: float  # generalized cost with typical headways, used to rank candidates

    @property
    def transfers(self) -> int:
        """Boardings after the first (paid-area changes included)."""
        return len(self.legs) - 1


class PathTable:
    """Candidate paths as flat arrays.

    Path ``i`` has legs in rows ``offset[i]`` to ``offset[i] + n_legs[i] - 1`` of the leg columns.
    The candidates of the ``k``-th zone pair asked for are paths ``pair_first[k]`` to
    ``pair_first[k] + pair_count[k] - 1``, cheapest first.

    Attributes
    ----------
    n_legs, offset:
        Per path: its number of legs and its first leg row.
    line, board, alight:
        Per leg row: line index and boarding and alighting positions on the line.
    walk_s:
        Per leg row: the walk before boarding, integer seconds.
    tapped:
        Per leg row: ``False`` for a change inside an operator's paid area.
    egress_s:
        Per path: the walk after the last leg, integer seconds.
    cost_s:
        Per path: generalized cost with typical headways, seconds (float; ranks candidates).
    pair_count, pair_first:
        Per zone pair: its number of candidates and its first path.
    ride_s, ride_money:
        Per path: the seconds and money (minor units) of its first and last mile by the access
        mode (``modes.access``: an ojek to a station beyond walking), 0 where walked; those
        seconds are also the first leg's ``walk_s`` or the ``egress_s``, so the simulation times
        them.
    """

    def __init__(self, n_legs: np.ndarray, line: np.ndarray, board: np.ndarray, alight: np.ndarray,
                 walk_s: np.ndarray, tapped: np.ndarray, egress_s: np.ndarray, cost_s: np.ndarray,
                 pair_count: np.ndarray, ride_s: np.ndarray | None = None,
                 ride_money: np.ndarray | None = None):
        self.n_legs = n_legs.astype(np.int64)
        self.offset = np.cumsum(self.n_legs) - self.n_legs
        self.line = line.astype(np.int32)
        self.board, self.alight = board.astype(np.int32), alight.astype(np.int32)
        self.walk_s, self.tapped = walk_s.astype(np.int64), tapped.astype(bool)
        self.egress_s, self.cost_s = egress_s.astype(np.int64), cost_s.astype(float)
        self.pair_count = pair_count.astype(np.int64)
        self.pair_first = np.cumsum(self.pair_count) - self.pair_count
        none = np.zeros(len(self.n_legs), dtype=np.int64)
        self.ride_s = none if ride_s is None else ride_s.astype(np.int64)
        self.ride_money = none if ride_money is None else ride_money.astype(np.int64)

    @classmethod
    def from_paths(cls, per_pair: list[list[Path]]) -> PathTable:
        """A table of :class:`Path` objects, one list of candidates per pair."""
        paths = [p for cands in per_pair for p in cands]
        flat = [leg for p in paths for leg in p.legs]

        def col(name: str) -> np.ndarray:
            return np.array([getattr(leg, name) for leg in flat], dtype=np.int64)

        return cls(np.array([len(p.legs) for p in paths], dtype=np.int64),
                   col("line"), col("board"), col("alight"), col("walk_s"), col("tapped").astype(bool),
                   np.array([p.egress_s for p in paths], dtype=np.int64),
                   np.array([p.cost_s for p in paths], dtype=float),
                   np.array([len(c) for c in per_pair], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.n_legs)

    def path(self, i: int) -> Path:
        """Path ``i`` as a :class:`Path`."""
        rows = range(int(self.offset[i]), int(self.offset[i] + self.n_legs[i]))
        legs = tuple(PathLeg(int(self.line[r]), int(self.board[r]), int(self.alight[r]), int(self.walk_s[r]),
                             bool(self.tapped[r]))
                     for r in rows)
        return Path(legs, int(self.egress_s[i]), float(self.cost_s[i]))

    def candidates(self, k: int) -> list[Path]:
        """The candidate paths of the ``k``-th pair, cheapest first."""
        first = int(self.pair_first[k])
        return [self.path(i) for i in range(first, first + int(self.pair_count[k]))]


class _Graph:
    """The network as padded arrays for the search (built once per run)."""

    def __init__(self, net: Network, choice: Choice, boarding: np.ndarray | None = None):
        lines = net.lines
        self.n_lines = len(lines)
        self.width = max(len(ln.stops) for ln in lines)
        if self.width >= 1 << _POS_BITS:
            raise ValueError(f"a line has more than {(1 << _POS_BITS) - 1} stops")
        self.stop_tab = net.stop_table
        n_pos = np.array([len(ln.stops) for ln in lines])
        pos = np.arange(self.width)
        self.cum_q = net.cum_s_table * Q
        self.board_ok = pos[None, :] < (n_pos - 1)[:, None]
        arr_ok = (pos[None, 1:] < n_pos[:, None])
        self.wait_q = np.array([round(median(ln.band_every) / 2 * choice.wait_weight * Q) for ln in lines],
                               dtype=np.int64)
        self.route = np.array([ln.route_index for ln in lines], dtype=np.int64)
        # each boarding's constant (seconds; calibration.boarding_constants): a rail bonus draws
        # rail paths into the candidates as it draws riders to them in path choice
        self.const_q = (np.zeros(self.n_lines, dtype=np.int64) if boarding is None
                        else np.round(np.asarray(boarding, dtype=np.float64) * Q).astype(np.int64))
        self.penalty_q = round(choice.transfer_penalty * Q)
        # arrivals (line, position >= 1) grouped by stop, for the per-stop minimum
        flat = np.flatnonzero(arr_ok.ravel())  # index line * (width - 1) + (position - 1)
        stop_of = self.stop_tab[:, 1:].ravel()[flat]
        order = np.argsort(stop_of, kind="stable")
        self.arr_order = flat[order]
        sorted_stops = stop_of[order]
        self.arr_starts = np.flatnonzero(group_starts(sorted_stops))
        self.arr_stops = sorted_stops[self.arr_starts]
        # walking transfers u -> v, grouped by v
        speed = choice.walk_speed
        edges = [(u, v, m) for u, links in enumerate(net.walks) for v, m in links if m <= choice.max_walk]
        edges.sort(key=lambda e: (e[1], e[0]))
        self.walk_u = np.array([e[0] for e in edges], dtype=np.int64)
        self.walk_v = np.array([e[1] for e in edges], dtype=np.int64)
        self.walk_q = np.array([round(e[2] / speed * choice.walk_weight * Q) for e in edges], dtype=np.int64)
        self.walk_s = {(u, v): round(m / speed) for u, v, m in edges}
        if edges:
            self.walk_starts = np.flatnonzero(group_starts(self.walk_v))
            self.walk_targets = self.walk_v[self.walk_starts]
        self.n_stops = len(net.stop_ids)


@dataclass
class _Rounds:
    """Per round: the arrival cost at every (line, position), the packed (line, position) of the
    best arrival at each stop, the boarding position of every (line, position) and the stop each
    ready label of the next round walked from."""

    arr_line: list[np.ndarray]  # [S, lines * (width - 1)]: arrival cost at line * (width - 1) + position - 1
    arr_from: list[np.ndarray]  # [S, stops]: line * (width - 1) + position - 1
    board_pos: list[np.ndarray]  # [S, lines, width - 1]
    ready_from: list[np.ndarray]  # for round r >= 1: [S, stops] stop of the previous arrival


def _search(g: _Graph, ready_cost: np.ndarray, rounds: int) -> _Rounds:
    s = ready_cost.shape[0]
    w1 = g.width - 1
    out = _Rounds([], [], [], [])
    # routes each ready label has used so far: a path never boards a route twice
    used = np.full((*ready_cost.shape, max(rounds - 1, 1)), -1, dtype=np.int64)
    offset = int(g.cum_q.max()) + 1 + max(0, -int(g.const_q.min(initial=0)))
    mask_pos = (1 << _POS_BITS) - 1
    for r in range(rounds):
        rc = ready_cost[:, g.stop_tab]  # [S, L, W]
        per_board = (g.wait_q + g.const_q)[None, :, None]
        board = rc + per_board + (g.penalty_q if r else 0) - g.cum_q[None] + offset
        bad = ~g.board_ok[None] | (rc >= _INF)
        for k in range(r):
            bad |= used[:, g.stop_tab, k] == g.route[None, :, None]
        key = np.where(bad, _INF, board) << _POS_BITS | np.arange(g.width)[None, None, :]
        onboard = np.minimum.accumulate(key[:, :, :-1], axis=2)  # best boarding at or before j - 1
        reach = onboard >> _POS_BITS
        arr = np.where(reach >= _INF, _INF, reach + g.cum_q[None, :, 1:] - offset)
        out.board_pos.append((onboard & mask_pos).astype(np.int16))
        arr = arr.reshape(s, -1)
        out.arr_line.append(arr)
        packed = arr[:, g.arr_order] << _PB | g.arr_order[None, :]
        best = np.minimum.reduceat(packed, g.arr_starts, axis=1)
        arr_cost = np.full((s, g.n_stops), _INF, dtype=np.int64)
        arr_from = np.zeros((s, g.n_stops), dtype=np.int64)
        arr_cost[:, g.arr_stops] = best >> _PB
        arr_from[:, g.arr_stops] = best & ((1 << _PB) - 1)
        out.arr_from.append(arr_from)
        if r == rounds - 1:
            break
        # ready to board in the next round: where a leg arrived, or one walk away
        ready_cost = arr_cost.copy()
        ready_from = np.broadcast_to(np.arange(g.n_stops), arr_cost.shape).copy()
        if len(g.walk_u):
            walked = (np.minimum(arr_cost[:, g.walk_u] + g.walk_q[None, :], _INF) << _PB
                      | np.arange(len(g.walk_u))[None, :])
            wbest = np.minimum.reduceat(walked, g.walk_starts, axis=1)
            wcost = wbest >> _PB
            here = ready_cost[:, g.walk_targets]
            better = wcost < here
            ready_cost[:, g.walk_targets] = np.where(better, wcost, here)
            ready_from[:, g.walk_targets] = np.where(better, g.walk_u[wbest & ((1 << _PB) - 1)],
                                                     ready_from[:, g.walk_targets])
        out.ready_from.append(ready_from)
        # routes used by each arrival: those of the label it boarded from, plus its own line's
        line_of = arr_from // w1
        board_stop = g.stop_tab[line_of, out.board_pos[-1].reshape(s, -1)[np.arange(s)[:, None], arr_from]]
        arr_used = np.take_along_axis(used, board_stop[:, :, None].repeat(used.shape[2], 2), axis=1)
        if r < used.shape[2]:
            arr_used[:, :, r] = g.route[line_of]
        used = np.take_along_axis(arr_used, ready_from[:, :, None].repeat(used.shape[2], 2), axis=1)
    return out


def _with_walk_links(net: Network, access: Iterable[tuple[int, int]], max_walk: int) -> dict[int, int]:
    """Access stops plus the stops one walking link away from them: stop -> total walk metres."""
    out: dict[int, int] = {}
    for stop, walk_m in access:
        if walk_m < out.get(stop, walk_m + 1):
            out[stop] = walk_m
        for other, link_m in net.walks[stop]:
            m = walk_m + link_m
            if link_m <= max_walk and m < out.get(other, m + 1):
                out[other] = m
    return out


def find_paths(
    net: Network,
    access: dict[str, list[tuple[int, int]]],
    pairs: Sequence[tuple[str, str]],
    choice: Choice,
    ride: Mapping[str, list[tuple[int, int, int]]] | None = None,
    boarding: np.ndarray | None = None,
) -> PathTable:
    """Candidate paths for each origin–destination zone pair.

    Parameters
    ----------
    access:
        Each zone's access stops as ``(stop index, walk metres)``.
    pairs:
        The ``(origin zone, destination zone)`` pairs wanted.
    choice:
        Weights, transfer penalty, ``max_transfers``, ``max_paths`` and ``max_walk``.
    ride:
        Each zone's stops reached by the access mode instead (``modes.access``), as ``(stop
        index, seconds, money)``, at either end of a journey; a stop also reached on foot is
        walked to.  Its seconds count at the in-vehicle weight 1 in the search.
    boarding:
        Per line: seconds added to each boarding (the operators' boarding constants, as path
        choice adds them), or ``None``.  A path's search cost may then be negative.

    Returns
    -------
    PathTable
        Up to ``max_paths`` paths per pair (in the order of ``pairs``), cheapest first; a pair
        with no path has none.
    """
    by_origin: dict[str, list[int]] = {}
    for k, (o, _) in enumerate(pairs):
        by_origin.setdefault(o, []).append(k)
    g = _Graph(net, choice, boarding)
    speed, ww = choice.walk_speed, choice.walk_weight
    # each destination's egress: every (line, position) arriving at a stop it reaches on foot
    per_stop = np.split(g.arr_order, g.arr_starts[1:])
    entries_at = dict(zip(g.arr_stops.tolist(), per_stop))
    # (entry, cost, walk seconds, money of a ride by the access mode: -1 walked)
    egress: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for d in {d for _, d in pairs}:
        reach = _with_walk_links(net, access[d], choice.max_walk)
        d_entry: list[np.ndarray] = []
        d_cost: list[np.ndarray] = []
        d_walk: list[np.ndarray] = []
        d_money: list[np.ndarray] = []
        for stop, m in reach.items():
            at = entries_at.get(stop)
            if at is not None:
                d_entry.append(at)
                d_cost.append(np.full(len(at), m / speed * ww))
                d_walk.append(np.full(len(at), round(m / speed)))
                d_money.append(np.full(len(at), -1))
        for stop, ride_s, money in (ride or {}).get(d, []):  # the last mile by the access mode
            at = entries_at.get(stop)
            if at is not None and stop not in reach:
                d_entry.append(at)
                d_cost.append(np.full(len(at), float(ride_s)))
                d_walk.append(np.full(len(at), ride_s))
                d_money.append(np.full(len(at), money))
        egress[d] = ((np.concatenate(d_entry), np.concatenate(d_cost), np.concatenate(d_walk),
                      np.concatenate(d_money)) if d_entry
                     else (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64),
                           np.zeros(0, dtype=np.int64)))
    parts: list[dict[str, np.ndarray]] = []
    origins = list(by_origin)
    for start in range(0, len(origins), _BATCH):
        batch = origins[start: start + _BATCH]
        ready = np.full((len(batch), g.n_stops), _INF, dtype=np.int64)
        access_s = np.full((len(batch), g.n_stops), -1, dtype=np.int64)
        access_money = np.full((len(batch), g.n_stops), -1, dtype=np.int64)  # -1: walked
        for i, o in enumerate(batch):
            for stop, m in _with_walk_links(net, access[o], choice.max_walk).items():
                ready[i, stop] = round(m / speed * ww * Q)
                access_s[i, stop] = round(m / speed)
            for stop, ride_s, money in (ride or {}).get(o, []):  # the first mile by the access mode
                if access_s[i, stop] < 0:
                    ready[i, stop] = ride_s * Q
                    access_s[i, stop], access_money[i, stop] = ride_s, money
        found = _search(g, ready, choice.max_transfers + 1)
        arr = np.stack(found.arr_line)  # [R, S, lines * (width - 1)]
        # every pair of the batch at once: the arrival cost of each candidate (round, entry)
        pair_o = [(i, k) for i, o in enumerate(batch) for k in by_origin[o]]
        dest = [pairs[k][1] for _, k in pair_o]
        sizes = np.array([len(egress[d][0]) for d in dest], dtype=np.int64)
        origin_of = np.repeat(np.array([i for i, _ in pair_o], dtype=np.int64), sizes)
        pair_of = np.repeat(np.array([k for _, k in pair_o], dtype=np.int64), sizes)
        flat = np.concatenate([egress[d][0] for d in dest])
        cost_w = np.concatenate([egress[d][1] for d in dest])
        walk_s = np.concatenate([egress[d][2] for d in dest])
        egress_money = np.concatenate([egress[d][3] for d in dest])
        q = arr[:, origin_of, flat]  # [R, candidates]
        r_idx, n_idx = np.nonzero(q < _INF)
        cost = q[r_idx, n_idx] / Q + cost_w[n_idx]
        pair = pair_of[n_idx]
        order = np.lexsort((cost, pair))  # by pair, then cost (ties: round, then egress entry)
        new_pair = group_starts(pair[order])
        first = np.maximum.accumulate(np.where(new_pair, np.arange(len(order)), 0))
        best = cost[order][first]
        # the max_paths cheapest, dropping any far costlier than the best (nobody would take it);
        # each (round, entry) is a distinct path: a number of boardings and a last leg
        keep = order[((np.arange(len(order)) - first) < choice.max_paths)
                     & (cost[order] - best <= np.maximum(best, 0) + 900)]
        part = _legs(net, g, found, origin_of[n_idx[keep]], r_idx[keep], flat[n_idx[keep]], access_s,
                     access_money)
        out_money = egress_money[n_idx[keep]]
        out_ride = out_money >= 0
        part.update(pair=pair[keep], egress_s=walk_s[n_idx[keep]], cost_s=cost[keep],
                    ride_s=part["ride_s"] + np.where(out_ride, walk_s[n_idx[keep]], 0),
                    ride_money=part["ride_money"] + np.maximum(out_money, 0))
        parts.append(part)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return PathTable(empty, empty, empty, empty, empty, empty, empty, np.zeros(0),
                         np.zeros(len(pairs), dtype=np.int64))
    cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    # paths in the order of the pairs asked for (stable: cheapest first within a pair)
    order = np.argsort(cat["pair"], kind="stable")
    n_legs = cat["n_legs"][order]
    offset = np.cumsum(cat["n_legs"]) - cat["n_legs"]  # of each part's paths, over all parts
    leg_no = within(n_legs)
    leg_src = np.repeat(offset[order], n_legs) + leg_no
    line, board, alight, walk, tapped = (cat[c][leg_src]
                                         for c in ("line", "board", "alight", "walk_s", "tapped"))
    return PathTable(n_legs, line, board, alight, walk, tapped, cat["egress_s"][order], cat["cost_s"][order],
                     np.bincount(cat["pair"], minlength=len(pairs)), cat["ride_s"][order],
                     cat["ride_money"][order])


def _legs(net: Network, g: _Graph, found: _Rounds, origin: np.ndarray, rnd: np.ndarray, entry: np.ndarray,
          access_s: np.ndarray, access_money: np.ndarray) -> dict[str, np.ndarray]:
    """The legs of the arrivals ``(origin, round, entry)`` from the search's back-pointers, all at
    once, with each path's first mile by the access mode (``ride_s``, ``ride_money``; 0: walked)."""
    ride_s, ride_money = (np.zeros(len(rnd), dtype=np.int64) for _ in range(2))
    n_legs = rnd + 1
    offset = np.cumsum(n_legs) - n_legs
    total = int(n_legs.sum())
    line_a, board_a, alight_a, walk_a = (np.zeros(total, dtype=np.int64) for _ in range(4))
    tapped_a = np.ones(total, dtype=bool)
    board_pos = np.stack(found.board_pos)
    w1 = g.width - 1
    ops, line_op = net.line_operators()
    code = {op: k for k, op in enumerate(ops)}
    area = np.array([code.get(a, -1) if a is not None else -1 for a in net.stop_paid_area], dtype=np.int64)
    walk_key = g.walk_u * g.n_stops + g.walk_v  # sorted by (v, u): search with a sorter
    walk_sorter = np.argsort(walk_key)
    walk_sec = np.array([g.walk_s[(u, v)] for u, v in zip(g.walk_u.tolist(), g.walk_v.tolist())],
                        dtype=np.int64)
    ready_from = np.stack(found.ready_from) if found.ready_from else None
    arr_from = np.stack(found.arr_from)
    cur = entry.astype(np.int64).copy()
    for step in range(int(rnd.max(initial=-1)) + 1):
        who = np.flatnonzero(rnd >= step)
        r = rnd[who] - step  # the round of this leg = its position in the path
        i = origin[who]
        line, j = cur[who] // w1, cur[who] % w1 + 1
        p = board_pos[r, i, line, j - 1].astype(np.int64)
        board = g.stop_tab[line, p]
        row = offset[who] + r
        line_a[row], board_a[row], alight_a[row] = line, p, j
        first = r == 0
        walk_a[row[first]] = access_s[i[first], board[first]]
        money = access_money[i[first], board[first]]
        rode = money >= 0
        ride_money[who[first][rode]] = money[rode]
        ride_s[who[first][rode]] = access_s[i[first], board[first]][rode]
        later = np.flatnonzero(~first)
        if len(later):
            rr, ii, bb = r[later] - 1, i[later], board[later]
            assert ready_from is not None  # a later leg means more than one round
            came = ready_from[rr, ii, bb]
            prev = arr_from[rr, ii, came]
            moved = came != bb
            k = walk_sorter[np.searchsorted(walk_key, came[moved] * g.n_stops + bb[moved],
                                            sorter=walk_sorter)]
            w = np.zeros(len(later), dtype=np.int64)
            w[moved] = walk_sec[k]
            walk_a[row[later]] = w
            a = area[came]
            # no tap: a change inside an operator's paid area (both stops in it, both lines its own)
            in_area = (a >= 0) & (a == area[bb]) & (line_op[prev // w1] == a) & (line_op[line[later]] == a)
            tapped_a[row[later]] = ~in_area
            cur[who[later]] = prev
    return {"n_legs": n_legs, "offset": offset, "line": line_a, "board": board_a, "alight": alight_a,
            "walk_s": walk_a, "tapped": tapped_a, "ride_s": ride_s, "ride_money": ride_money}
