"""Candidate paths between zones: a few good ways to travel, found once per scenario.

A path is access walk → legs (line, board position, alight position, walk before boarding) →
egress walk.  The search is round-based, as RAPTOR: round ``r`` finds, for every stop, the
cheapest way to get there with exactly ``r + 1`` boardings, on a frequency-based network costed
with each line's typical headway.  Candidates for a zone pair are, for each round and each line
reaching one of the destination's egress stops, the cheapest arrival by that line (so they
differ in transfers, in the last line and in the stop that reaches the destination); the
``max_paths`` cheapest distinct ones are kept, dropping any far costlier than the best.
Riders choose among them at their departure time with the headways then in force and the fare
the engine charges (:mod:`otrip_sim.choice`).

perf: every origin zone of a batch is searched at once with numpy over arrays ``[origin, line,
position]``: a line is scanned by a running minimum of "board here" costs along its stops, the
best arrival at each stop is a grouped minimum, walking transfers one grouped minimum more.
Costs are integers in 1/16 s, packed with a back-pointer into one int64 so that a minimum also
says where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

import numpy as np

from .network import Network
from .schema import Choice

Q = 16  # cost units per second
_PB = 26  # bits of a packed back-pointer
_POS_BITS = 12  # bits of a boarding position (lines up to 4,096 stops)
_INF = 1 << 34  # an unreachable cost (packed keys stay below 2**63)
_BATCH = 32  # origin zones searched together


@dataclass(frozen=True, slots=True)
class PathLeg:
    line: int
    board: int  # position on the line
    alight: int
    walk_s: int  # walk before boarding (access walk for the first leg, transfer walk otherwise)
    tapped: bool  # False: a change inside the operator's paid area (no tap)


@dataclass(frozen=True, slots=True)
class Path:
    legs: tuple[PathLeg, ...]
    egress_s: int
    cost_s: float  # generalized cost with typical headways, used to rank candidates

    @property
    def transfers(self) -> int:
        return len(self.legs) - 1


class PathTable:
    """Candidate paths as flat arrays: path ``i``'s legs are rows ``offset[i]`` to
    ``offset[i] + n_legs[i] - 1`` of ``line``, ``board``, ``alight``, ``walk_s``, ``tapped``."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self.n_legs = np.array([len(p.legs) for p in paths], dtype=np.int64)
        self.offset = np.cumsum(self.n_legs) - self.n_legs
        flat = [leg for p in paths for leg in p.legs]
        self.line = np.array([leg.line for leg in flat], dtype=np.int32)
        self.board = np.array([leg.board for leg in flat], dtype=np.int32)
        self.alight = np.array([leg.alight for leg in flat], dtype=np.int32)
        self.walk_s = np.array([leg.walk_s for leg in flat], dtype=np.int64)
        self.tapped = np.array([leg.tapped for leg in flat], dtype=bool)
        self.egress_s = np.array([p.egress_s for p in paths], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.paths)


class _Graph:
    """The network as padded arrays for the search (built once per run)."""

    def __init__(self, net: Network, choice: Choice):
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
        self.wait_q = np.array([round(median(ln.band_every) / 2 * choice.wait_weight * Q) for ln in lines], dtype=np.int64)
        self.route = np.array([ln.route_index for ln in lines], dtype=np.int64)
        self.penalty_q = round(choice.transfer_penalty * Q)
        # arrivals (line, position >= 1) grouped by stop, for the per-stop minimum
        flat = np.flatnonzero(arr_ok.ravel())  # index line * (width - 1) + (position - 1)
        stop_of = self.stop_tab[:, 1:].ravel()[flat]
        order = np.argsort(stop_of, kind="stable")
        self.arr_order = flat[order]
        sorted_stops = stop_of[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = sorted_stops[1:] != sorted_stops[:-1]
        self.arr_starts = np.flatnonzero(first)
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
            vfirst = np.ones(len(edges), dtype=bool)
            vfirst[1:] = self.walk_v[1:] != self.walk_v[:-1]
            self.walk_starts = np.flatnonzero(vfirst)
            self.walk_targets = self.walk_v[self.walk_starts]
        self.n_stops = len(net.stop_ids)


@dataclass
class _Rounds:
    """Per round: best arrival cost at each stop, the packed (line, position) it came by, the
    boarding position of every (line, position) and the stop each ready label walked from."""

    arr_line: list[np.ndarray]  # [S, lines * (width - 1)]: arrival cost at line * (width - 1) + position - 1
    arr_cost: list[np.ndarray]  # [S, stops]
    arr_from: list[np.ndarray]  # [S, stops]: line * (width - 1) + position - 1
    board_pos: list[np.ndarray]  # [S, lines, width - 1]
    ready_from: list[np.ndarray]  # for round r >= 1: [S, stops] stop of the previous arrival


def _search(g: _Graph, ready_cost: np.ndarray, rounds: int) -> _Rounds:
    s = ready_cost.shape[0]
    w1 = g.width - 1
    out = _Rounds([], [], [], [], [])
    # routes each ready label has used so far: a path never boards a route twice
    used = np.full((*ready_cost.shape, max(rounds - 1, 1)), -1, dtype=np.int64)
    offset = int(g.cum_q.max()) + 1
    mask_pos = (1 << _POS_BITS) - 1
    for r in range(rounds):
        rc = ready_cost[:, g.stop_tab]  # [S, L, W]
        board = rc + g.wait_q[None, :, None] + (g.penalty_q if r else 0) - g.cum_q[None] + offset
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
        out.arr_cost.append(arr_cost)
        out.arr_from.append(arr_from)
        if r == rounds - 1:
            break
        # ready to board in the next round: where a leg arrived, or one walk away
        ready_cost = arr_cost.copy()
        ready_from = np.broadcast_to(np.arange(g.n_stops), arr_cost.shape).copy()
        if len(g.walk_u):
            walked = np.minimum(arr_cost[:, g.walk_u] + g.walk_q[None, :], _INF) << _PB | np.arange(len(g.walk_u))[None, :]
            wbest = np.minimum.reduceat(walked, g.walk_starts, axis=1)
            wcost = wbest >> _PB
            here = ready_cost[:, g.walk_targets]
            better = wcost < here
            ready_cost[:, g.walk_targets] = np.where(better, wcost, here)
            ready_from[:, g.walk_targets] = np.where(better, g.walk_u[wbest & ((1 << _PB) - 1)], ready_from[:, g.walk_targets])
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
    pairs: Iterable[tuple[str, str]],
    choice: Choice,
) -> dict[tuple[str, str], list[Path]]:
    """Candidate paths for each origin–destination zone pair.

    Parameters
    ----------
    access:
        Each zone's access stops as ``(stop index, walk metres)``.
    pairs:
        The ``(origin zone, destination zone)`` pairs wanted.
    choice:
        Weights, transfer penalty, ``max_transfers``, ``max_paths`` and ``max_walk``.

    Returns
    -------
    dict
        Pair → up to ``max_paths`` paths, cheapest first; ``[]`` where there is none.
    """
    by_origin: dict[str, list[str]] = {}
    for o, d in pairs:
        by_origin.setdefault(o, []).append(d)
    out: dict[tuple[str, str], list[Path]] = {}
    if not by_origin:
        return out
    g = _Graph(net, choice)
    speed, ww = choice.walk_speed, choice.walk_weight
    # each destination's egress: every (line, position) arriving at a stop it reaches on foot
    per_stop = np.split(g.arr_order, g.arr_starts[1:])
    entries_at = dict(zip(g.arr_stops.tolist(), per_stop))
    egress = {}
    for d in {d for ds in by_origin.values() for d in ds}:
        reach = _with_walk_links(net, access[d], choice.max_walk)
        flat, cost_w, walk_s = [], [], []
        for stop, m in reach.items():
            at = entries_at.get(stop)
            if at is not None:
                flat.append(at)
                cost_w.append(np.full(len(at), m / speed * ww))
                walk_s.append(np.full(len(at), round(m / speed)))
        egress[d] = ((np.concatenate(flat), np.concatenate(cost_w), np.concatenate(walk_s)) if flat
                     else (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64)))
    origins = list(by_origin)
    for start in range(0, len(origins), _BATCH):
        batch = origins[start: start + _BATCH]
        ready = np.full((len(batch), g.n_stops), _INF, dtype=np.int64)
        access_s: list[dict[int, int]] = []
        for i, o in enumerate(batch):
            reach = _with_walk_links(net, access[o], choice.max_walk)
            for stop, m in reach.items():
                ready[i, stop] = round(m / speed * ww * Q)
            access_s.append({stop: round(m / speed) for stop, m in reach.items()})
        found = _search(g, ready, choice.max_transfers + 1)
        arr = np.stack(found.arr_line)  # [R, S, lines * (width - 1)]
        for i, o in enumerate(batch):
            builder = _Builder(net, g, found, i, access_s[i])
            for d in by_origin[o]:
                flat, cost_w, egress_s = egress[d]
                q = arr[:, i, flat]  # [R, E]
                r_idx, e_idx = np.nonzero(q < _INF)
                cost = q[r_idx, e_idx] / Q + cost_w[e_idx]
                chosen: list[Path] = []
                seen: set[tuple[tuple[int, int, int], ...]] = set()
                for n in np.argsort(cost, kind="stable"):
                    if cost[n] > cost.min() * 2 + 900:
                        break  # far costlier than the best: nobody would take it
                    legs = builder.legs(int(r_idx[n]), int(flat[e_idx[n]]))
                    key = tuple((leg.line, leg.board, leg.alight) for leg in legs)
                    if key in seen:
                        continue
                    seen.add(key)
                    chosen.append(Path(legs, int(egress_s[e_idx[n]]), float(cost[n])))
                    if len(chosen) == choice.max_paths:
                        break
                out[(o, d)] = chosen
    return out


class _Builder:
    """Paths of one origin out of the search's back-pointers, shared prefixes built once."""

    def __init__(self, net: Network, g: _Graph, found: _Rounds, i: int, access_s: dict[int, int]):
        self.net, self.g, self.found, self.i, self.access_s = net, g, found, i, access_s
        self.memo: dict[tuple[int, int], tuple[PathLeg, ...]] = {}

    def legs(self, r: int, entry: int) -> tuple[PathLeg, ...]:
        """The legs of the best arrival in round ``r`` by the arrival entry ``line * (width - 1) +
        position - 1``."""
        key = (r, entry)
        got = self.memo.get(key)
        if got is not None:
            return got
        g, f, i = self.g, self.found, self.i
        line, j = divmod(entry, g.width - 1)
        j += 1
        p = int(f.board_pos[r][i, line, j - 1])
        board = int(g.stop_tab[line, p])
        if r == 0:
            before: tuple[PathLeg, ...] = ()
            walk = self.access_s[board]
            tapped = True
        else:
            came = int(f.ready_from[r - 1][i, board])
            before = self.legs(r - 1, int(f.arr_from[r - 1][i, came]))
            walk = 0 if came == board else g.walk_s[(came, board)]
            prev = self.net.lines[before[-1].line]
            area = self.net.stop_paid_area[came]
            op = self.net.lines[line].operator
            tapped = not (area is not None and area == self.net.stop_paid_area[board] and prev.operator == op == area)
        legs = before + (PathLeg(line, p, j, walk, tapped),)
        self.memo[key] = legs
        return legs
