"""Candidate paths between zones: a few good ways to travel, found once per scenario.

A path is access walk → legs (line, board position, alight position, walk before boarding) →
egress walk.  The search is round-based (one round per boarding, as in RAPTOR) over a
frequency-based network, keeping the ``k`` cheapest labels per stop and round, costed with each
line's typical headway.  Riders choose among the candidates at their departure time with the
headways then in force and the fare the engine charges (:mod:`otrip_sim.choice`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from statistics import median

from .network import Network
from .schema import Choice


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


@dataclass(frozen=True, slots=True)
class _Label:
    cost: float
    stop: int
    legs: tuple[PathLeg, ...]
    routes: frozenset[int]


def _typical_wait(net: Network) -> list[float]:
    return [median(line.band_every) / 2 for line in net.lines]


def find_paths(
    net: Network,
    origin: list[tuple[int, int]],
    destinations: dict[str, list[tuple[int, int]]],
    choice: Choice,
) -> dict[str, list[Path]]:
    """Candidate paths from one origin zone to each destination zone.

    Parameters
    ----------
    origin, destinations:
        Access stops as ``(stop index, walk metres)``; destinations keyed by zone id.
    choice:
        Weights, transfer penalty, ``max_transfers``, ``max_paths`` and ``max_walk``.

    Returns
    -------
    dict
        Zone id → up to ``max_paths`` paths, cheapest first; a zone with no path maps to ``[]``.
    """
    k = choice.max_paths
    speed = choice.walk_speed
    waits = _typical_wait(net)
    lines = net.lines
    paid = net.stop_paid_area
    # Labels reaching each stop ready to board (after a walk): (cost, stop, legs so far, walk_s)
    frontier: list[tuple[float, int, tuple[PathLeg, ...], int, frozenset[int]]] = [
        (walk_m / speed * choice.walk_weight, stop, (), round(walk_m / speed), frozenset())
        for stop, walk_m in _with_walk_links(net, origin, choice.max_walk).items()
    ]
    arrived: dict[int, list[_Label]] = {}  # stop -> labels of riders alighted there
    best_at: dict[int, float] = {}
    for rnd in range(choice.max_transfers + 1):
        # keep the k cheapest boarding labels per stop
        by_stop: dict[int, list[tuple[float, int, tuple[PathLeg, ...], int, frozenset[int]]]] = {}
        for lab in sorted(frontier, key=lambda x: x[0]):
            bucket = by_stop.setdefault(lab[1], [])
            if len(bucket) < k:
                bucket.append(lab)
        new_arrivals: list[_Label] = []
        for stop, labs in by_stop.items():
            for cost0, _, legs, walk_s, used in labs:
                for li, pos in net.lines_at[stop]:
                    line = lines[li]
                    if line.route_index in used:
                        continue  # never board the same route twice in one path
                    prev = legs[-1] if legs else None
                    tapped = True
                    if prev is not None:
                        prev_line = lines[prev.line]
                        alight_stop = prev_line.stops[prev.alight]
                        area = paid[alight_stop]
                        if area is not None and area == paid[stop] and prev_line.operator == line.operator == area:
                            tapped = False
                    base = cost0 + waits[li] * choice.wait_weight + (choice.transfer_penalty if legs else 0)
                    t0 = line.cum_s[pos]
                    for j in range(pos + 1, len(line.stops)):
                        c = base + (line.cum_s[j] - t0)
                        s = line.stops[j]
                        bound = best_at.get(s)
                        if bound is not None and c > bound * 1.5 + 1200:
                            continue  # hopeless: far costlier than the best way to reach s
                        if bound is None or c < bound:
                            best_at[s] = c
                        new_arrivals.append(
                            _Label(c, s, legs + (PathLeg(li, pos, j, walk_s, tapped),), used | {line.route_index})
                        )
        if not new_arrivals:
            break
        frontier = []
        for lab in new_arrivals:
            arrived.setdefault(lab.stop, []).append(lab)
            if rnd == choice.max_transfers:
                continue
            frontier.append((lab.cost, lab.stop, lab.legs, 0, lab.routes))
            for other, walk_m in net.walks[lab.stop]:
                if walk_m <= choice.max_walk:
                    frontier.append(
                        (lab.cost + walk_m / speed * choice.walk_weight, other, lab.legs, round(walk_m / speed), lab.routes)
                    )
    out: dict[str, list[Path]] = {}
    for zone, access in destinations.items():
        cands: list[tuple[float, int, Path]] = []
        for stop, walk_m in _with_walk_links(net, access, choice.max_walk).items():
            egress_s = round(walk_m / speed)
            for lab in arrived.get(stop, ()):
                cost = lab.cost + egress_s * choice.walk_weight
                cands.append((cost, len(cands), Path(lab.legs, egress_s, cost)))
        out[zone] = _distinct_best(cands, k)
    return out


def _with_walk_links(net: Network, access: list[tuple[int, int]], max_walk: int) -> dict[int, int]:
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


def _distinct_best(cands: list[tuple[float, int, Path]], k: int) -> list[Path]:
    """The ``k`` cheapest paths with distinct (line, board, alight) sequences, dropping ones far
    costlier than the best (nobody would take them)."""
    chosen: list[Path] = []
    seen: set[tuple[tuple[int, int, int], ...]] = set()
    best = None
    for cost, _, path in heapq.nsmallest(len(cands), cands):
        if best is None:
            best = cost
        elif cost > best * 2 + 900:
            break
        key = tuple((leg.line, leg.board, leg.alight) for leg in path.legs)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(path)
        if len(chosen) == k:
            break
    return chosen
