"""Riders choose a path at departure: lowest generalized cost, fares included.

Generalized cost, in seconds: ``walk × walk_weight + wait × wait_weight + in-vehicle time +
transfer_penalty × transfers + fare × 3600 / value_of_time``, minus a Gumbel taste term of scale
``choice.spread`` drawn per rider and candidate (a random-utility model; ``spread = 0`` gives
all-or-nothing assignment).  Waits are half the headway in force, or the time to the next
departure when the line is not running yet.  The fare is what the engine charges for the path's
expected taps, so a fare policy moves riders between paths and operators.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace

import numpy as np

from .demand import Riders
from .fares import FarePolicy, Leg, TimeBandFare, price_card
from .network import Network
from .paths import Path
from .rng import stream
from .schema import Choice

SLOT_S = 1800  # riders departing in the same half hour see the same costs (cached)


class PathCoster:
    """Costs of candidate paths at a time of day for a rider category, cached per time slot."""

    def __init__(self, net: Network, policy: FarePolicy, choice: Choice, category_ids: tuple[str, ...], vot: tuple[int, ...],
                 media_ids: tuple[str, ...] = ()):
        self.net = net
        self.policy = policy
        self.choice = choice
        self.category_ids = category_ids
        self.media_ids = media_ids
        self.fare_to_s = tuple(3600.0 / v for v in vot)
        self._time_cache: dict[tuple[int, int], tuple[float, list[Leg]] | None] = {}
        self._fare_cache: dict[tuple[int, int, int, tuple[int, ...]], int] = {}
        # perf: a path's fare changes with the time of day only where a time-band fare changes, so
        # fares are cached per (path, category, time-band class of each tap); valid only while the
        # whole path fits in every window rule's duration (checked per path, else priced directly).
        self._bounds = {
            op: sorted({t for b in fare.bands for t in (b.start, b.end)})
            for op, fare in policy.standalone.items()
            if isinstance(fare, TimeBandFare)
        }
        self._min_window = min((w.duration for w in policy.windows), default=None)

    def _fare(self, pid: int, legs: list[Leg], category: int, medium: int) -> int:
        cat = self.category_ids[category]
        held = self.media_ids[medium] if self.media_ids else None
        span = legs[-1].board_time - legs[0].board_time
        key = None
        if self._min_window is None or span <= self._min_window:
            key = (pid, category, medium, tuple(bisect_right(self._bounds.get(lg.operator, ()), lg.board_time) for lg in legs))
            fare = self._fare_cache.get(key)
            if fare is not None:
                return fare
        fare = sum(
            ch.amount
            for ch in price_card(
                self.policy,
                [replace(lg, category=cat, media=held) for lg in legs],
            )
        )
        if key is not None:
            self._fare_cache[key] = fare
        return fare

    def _timing(self, path: Path, t0: int) -> tuple[float, list[Leg]] | None:
        """Time cost (s) and the expected legs (adult) of ``path`` leaving at ``t0``; ``None`` if
        some line has no departure left that day."""
        c = self.choice
        lines = self.net.lines
        sid = self.net.stop_ids
        t = t0
        cost = 0.0
        legs: list[Leg] = []
        for leg in path.legs:
            line = lines[leg.line]
            t += leg.walk_s
            cost += leg.walk_s * c.walk_weight
            at_first = t - line.cum_s[leg.board]
            hw = line.headway_at(at_first)
            if hw:
                wait = hw / 2
            else:
                k = bisect_left(line.departures, at_first)
                if k == len(line.departures):
                    return None
                wait = line.departures[k] - at_first
            board = int(t + wait)
            ride = line.cum_s[leg.alight] - line.cum_s[leg.board]
            cost += wait * c.wait_weight + ride
            legs.append(
                Leg(line.operator, board, line.cum_m[leg.alight] - line.cum_m[leg.board], "adult",
                    sid[line.stops[leg.board]], sid[line.stops[leg.alight]], leg.tapped, alight_time=board + ride,
                    route=line.route)
            )
            t = board + ride
        cost += path.egress_s * c.walk_weight + c.transfer_penalty * path.transfers
        return cost, legs

    def costs(self, paths: list[Path], path_ids: list[int], slot: int, category: int, medium: int = 0) -> np.ndarray:
        """Generalized cost (s) of each path for a rider of ``category`` holding fare medium
        ``medium`` (an index into ``media_ids``) leaving in ``slot``; ``inf`` where the path cannot
        be travelled then."""
        t0 = slot * SLOT_S + SLOT_S // 2
        out = np.full(len(paths), np.inf)
        for n, (path, pid) in enumerate(zip(paths, path_ids)):
            key = (pid, slot)
            if key not in self._time_cache:
                self._time_cache[key] = self._timing(path, t0)
            timing = self._time_cache[key]
            if timing is None:
                continue
            out[n] = timing[0] + self._fare(pid, timing[1], category, medium) * self.fare_to_s[category]
        return out


def choose_paths(
    riders: Riders,
    paths: dict[tuple[int, int], list[Path]],
    path_ids: dict[tuple[int, int], list[int]],
    coster: PathCoster,
    seed: int,
) -> np.ndarray:
    """Index of the chosen candidate for every rider (``-1``: no path can be travelled).

    The taste draws come from their own stream, one row per rider and ``max_paths`` columns, so
    the same rider sees the same draws under every fare policy (common random numbers).
    """
    n = len(riders)
    k = coster.choice.max_paths
    taste = stream(seed, "choice").gumbel(0.0, 1.0, size=(n, k)) * coster.choice.spread
    chosen = np.full(n, -1, dtype=np.int32)
    cache: dict[tuple[int, int, int, int, int], np.ndarray] = {}
    origin, destination, depart, category = riders.origin, riders.destination, riders.depart, riders.category
    media = riders.media if riders.media is not None else np.zeros(n, dtype=np.int16)
    for i in range(n):
        od = (int(origin[i]), int(destination[i]))
        cands = paths.get(od)
        if not cands:
            continue
        slot = int(depart[i]) // SLOT_S
        cat, medium = int(category[i]), int(media[i])
        key = (od[0], od[1], slot, cat, medium)
        cost = cache.get(key)
        if cost is None:
            cost = cache[key] = coster.costs(cands, path_ids[od], slot, cat, medium)
        perceived = cost - taste[i, : len(cands)]
        best = int(np.argmin(perceived))
        if np.isfinite(perceived[best]):
            chosen[i] = best
    return chosen
