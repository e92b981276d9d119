"""The compiled network: stops, line directions with run times and departures, walking links.

Built once from a validated scenario; the simulation and the path search only read it.  Indices
(ints) replace ids for speed; the id lists map them back.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

import numpy as np

from .fares import largest_remainder
from .geo import WALK_DETOUR, great_circle_m
from .scenario import LoadedScenario
from .schema import Route, Stop, WalkLink


@dataclass(frozen=True, slots=True)
class Line:
    """One direction of a route: what a vehicle trip runs.

    ``cum_m[i]`` / ``cum_s[i]`` are metres / seconds from the first stop to stop ``i``.
    ``band_start``/``band_every`` describe headways: a departure every ``band_every[k]`` seconds
    from ``band_start[k]`` to ``band_end[k]``.

    Attributes
    ----------
    index : int
        Position in :attr:`Network.lines`.
    route, route_index, direction, operator
        The route's id and index, the direction (0: along the route's stop list, 1: back) and the
        operator in the scenario year.
    stops : tuple of int
        Stop indices in running order.
    cum_m, cum_s : tuple of int
        Integer metres and seconds from the first stop to each stop.
    capacity : int
        Passengers per vehicle.
    seats : int
        Seats per vehicle (the capacity when the route gives none: everyone seated).
    departures : tuple of int
        Departures from the first stop, integer seconds of the service day.
    band_start, band_end, band_every : tuple of int
        The headway bands, integer seconds.
    background_start, background_end : tuple of int
        The background bands of this direction (``Route.background``), sorted: trips departing
        from ``background_start[k]`` until before ``background_end[k]`` (integer seconds) carry
        riders the model does not carry; empty: none.
    background_share : tuple of float
        Per background band, the share of the capacity those riders take (0 … 1).
    """

    index: int
    route: str
    route_index: int
    direction: int
    operator: str
    stops: tuple[int, ...]
    cum_m: tuple[int, ...]
    cum_s: tuple[int, ...]
    capacity: int
    seats: int
    departures: tuple[int, ...]
    band_start: tuple[int, ...]
    band_end: tuple[int, ...]
    band_every: tuple[int, ...]
    background_start: tuple[int, ...] = ()
    background_end: tuple[int, ...] = ()
    background_share: tuple[float, ...] = ()

    @property
    def length_m(self) -> int:
        """Length of the line from its first stop to its last, in integer metres."""
        return self.cum_m[-1]

    @property
    def run_time_s(self) -> int:
        """Running time from the first stop to the last, in integer seconds."""
        return self.cum_s[-1]

    def headway_at(self, t: int) -> int:
        """Headway in force at time ``t`` at the first stop, or 0 if the line does not run.

        Parameters
        ----------
        t : int
            Seconds since the service day's midnight.

        Returns
        -------
        int
            The headway in integer seconds (0: no service at ``t``).
        """
        k = bisect_right(self.band_start, t) - 1
        if k < 0 or t >= self.band_end[k]:
            return 0
        return self.band_every[k]

    def background_riders(self) -> np.ndarray:
        """Per departure, the riders the model does not carry on the trip: the share of the
        capacity of the background band the departure falls in, rounded to whole riders (0
        outside every band).

        Returns
        -------
        numpy.ndarray
            Integer riders per vehicle, aligned with :attr:`departures` (0 … :attr:`capacity`).
        """
        dep = np.asarray(self.departures, dtype=np.int64)
        if not self.background_start:
            return np.zeros(len(dep), dtype=np.int64)
        k = np.searchsorted(np.asarray(self.background_start, dtype=np.int64), dep, side="right") - 1
        safe = np.maximum(k, 0)
        inside = (k >= 0) & (dep < np.asarray(self.background_end, dtype=np.int64)[safe])
        share = np.where(inside, np.asarray(self.background_share, dtype=np.float64)[safe], 0.0)
        return np.rint(share * self.capacity).astype(np.int64)


@dataclass(frozen=True)
class Network:
    """Stops, lines (route directions) and walking links of one scenario year.

    Attributes
    ----------
    stop_ids, stop_names : tuple of str
        Per stop index.
    stop_paid_area : tuple of str or None
        Per stop, the paid area it lies in (``None``: none).
    lines : tuple of Line
        Every route direction running; ``lines[k].index == k``.
    route_ids, route_operator : tuple of str
        Per route index, its id and its operator in the scenario year.
    walks : tuple
        Per stop, ``(other stop index, walk metres)`` pairs sorted by stop index.
    lines_at : tuple
        Per stop, ``(line index, position on the line)`` of every line that leaves it.
    """

    stop_ids: tuple[str, ...]
    stop_names: tuple[str, ...]
    stop_paid_area: tuple[str | None, ...]
    lines: tuple[Line, ...]
    route_ids: tuple[str, ...]
    route_operator: tuple[str, ...]
    walks: tuple[tuple[tuple[int, int], ...], ...]  # per stop: (other stop, walk metres)
    lines_at: tuple[tuple[tuple[int, int], ...], ...] = field(repr=False)  # per stop: (line, position)

    @cached_property
    def cum_s_table(self) -> np.ndarray:
        """``cum_s`` of every line as one array ``[line, position]`` (padded with the last value)."""
        return _table([line.cum_s for line in self.lines])

    @cached_property
    def cum_m_table(self) -> np.ndarray:
        """``cum_m`` of every line as one array ``[line, position]`` (padded with the last value)."""
        return _table([line.cum_m for line in self.lines])

    @cached_property
    def stop_table(self) -> np.ndarray:
        """Stop index of every line position: ``[line, position]`` (padded with the last stop)."""
        return _table([line.stops for line in self.lines])

    def line_operators(self, order: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
        """The operators (``order``, else as they first appear among the lines) and, per line, the
        position of its operator among them."""
        ops = list(order) if order is not None else list(dict.fromkeys(ln.operator for ln in self.lines))
        code = {op: k for k, op in enumerate(ops)}
        return ops, np.array([code[ln.operator] for ln in self.lines], dtype=np.int64)

    @property
    def stop_index(self) -> dict[str, int]:
        """Stop id → position in :attr:`stop_ids` (the stop index used by lines and walks)."""
        return {s: i for i, s in enumerate(self.stop_ids)}

    def longest_line_m(self) -> dict[str, int]:
        """Per operator, and per route, the length of its longest line direction (the longest
        possible leg).

        Returns
        -------
        dict of str to int
            Operator id and route id → integer metres.
        """
        out: dict[str, int] = {}
        for line in self.lines:
            for key in (line.operator, line.route):
                out[key] = max(out.get(key, 0), line.length_m)
        return out


def _table(rows: list[tuple[int, ...]]) -> np.ndarray:
    width = max((len(r) for r in rows), default=1)
    out = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
        out[i, len(r):] = r[-1]
    return out


def _segments(route: Route, stops: list[Stop]) -> tuple[list[int], list[int]]:
    if route.distances is not None:
        metres = list(route.distances)
    else:
        straight = [max(1, round(great_circle_m(a.lat, a.lon, b.lat, b.lon))) for a, b in pairwise(stops)]
        metres = largest_remainder(route.length or 0, straight)
    if route.run_times is not None:
        seconds = list(route.run_times)
    else:
        speed = (route.speed_kmh or 1) / 3.6
        cum = 0
        seconds = []
        for m in metres:
            # round the cumulative time, not each segment, so rounding errors do not pile up
            before = round(cum / speed)
            cum += m
            seconds.append(max(1, round(cum / speed) - before))
    return metres, seconds


def _cumulative(values: list[int]) -> tuple[int, ...]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return tuple(out)


def build_network(loaded: LoadedScenario) -> Network:
    """Compile the routes running in the scenario's year into :class:`Line` objects.

    Parameters
    ----------
    loaded : LoadedScenario
        A loaded scenario (its file references read).

    Returns
    -------
    Network
        Stops, one :class:`Line` per running route direction (metres and seconds from the first
        stop, departures in seconds), and walking links in metres (the scenario's links and, within
        ``network.walk_radius``, straight-line distance × the walk detour factor).
    """
    spec = loaded.spec
    year = spec.meta.year
    stops: list[Stop] = list(spec.network.stops)  # type: ignore[arg-type]  # rows: the loader read the file
    index = {s.id: i for i, s in enumerate(stops)}
    lines: list[Line] = []
    route_ids: list[str] = []
    route_ops: list[str] = []
    for route in loaded.routes():
        r_index = len(route_ids)
        route_ids.append(route.id)
        op = route.operator_in(year)
        route_ops.append(op)
        metres, seconds = _segments(route, [stops[index[s]] for s in route.stops])
        bands = route.headways_in(year)
        departures = []
        for b in bands:
            t = b.start
            while t < b.end:
                departures.append(t)
                t += b.every
        directions = [0] if route.directions == "forward" else [0, 1]
        for d in directions:
            background = sorted((b for b in route.background if b.applies_to(d)), key=lambda b: b.start)
            sids = [index[s] for s in route.stops]
            m, s = metres, seconds
            if d == 1:
                sids, m, s = sids[::-1], m[::-1], s[::-1]
            lines.append(
                Line(
                    index=len(lines), route=route.id, route_index=r_index, direction=d, operator=op,
                    stops=tuple(sids), cum_m=_cumulative(m), cum_s=_cumulative(s), capacity=route.capacity,
                    seats=route.capacity if route.seats is None else route.seats,
                    departures=tuple(departures), band_start=tuple(b.start for b in bands),
                    band_end=tuple(b.end for b in bands), band_every=tuple(b.every for b in bands),
                    background_start=tuple(b.start for b in background),
                    background_end=tuple(b.end for b in background),
                    background_share=tuple(b.share for b in background),
                )
            )
    walks: list[dict[int, int]] = [dict() for _ in stops]

    def link(a: int, b: int, m: int) -> None:
        if a != b and (b not in walks[a] or walks[a][b] > m):
            walks[a][b] = m
            walks[b][a] = m

    for wl in spec.network.walk_links:
        assert isinstance(wl, WalkLink)
        link(index[wl.from_stop], index[wl.to_stop], wl.walk_m)
    radius = spec.network.walk_radius
    if radius:
        for i, a in enumerate(stops):
            for j in range(i + 1, len(stops)):
                walk_m = round(great_circle_m(a.lat, a.lon, stops[j].lat, stops[j].lon) * WALK_DETOUR)
                if walk_m <= radius:
                    link(i, j, walk_m)
    lines_at: list[list[tuple[int, int]]] = [[] for _ in stops]
    for line in lines:
        for pos, stop in enumerate(line.stops[:-1]):
            lines_at[stop].append((line.index, pos))
    return Network(
        stop_ids=tuple(s.id for s in stops),
        stop_names=tuple(s.name for s in stops),
        stop_paid_area=tuple(s.paid_area for s in stops),
        lines=tuple(lines),
        route_ids=tuple(route_ids),
        route_operator=tuple(route_ops),
        walks=tuple(tuple(sorted(w.items())) for w in walks),
        lines_at=tuple(tuple(x) for x in lines_at),
    )
