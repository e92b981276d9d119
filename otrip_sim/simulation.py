"""The SimPy model: vehicles run their lines; riders wait, board if there is room, ride, transfer.

Event structure (chosen for city scale): every vehicle trip is a SimPy process, one timeout per
stop; riders are not processes but rows of integer arrays.  Each rider's chosen path is laid out
before the run as consecutive *leg rows* (line, board position, alight position, walk before
boarding); the model only decides **when** each leg is boarded (or that the rider gives up).

A rider waiting for a line at a stop sits in that (stop, line) queue: legs not yet there, keyed
by the time they reach the stop (ties by row, i.e. by rider) — first legs in a list sorted before
the run, transfers in a heap as riders alight — and a FIFO of legs already waiting.  A vehicle
arriving at a stop lets its riders off (a rider with a next leg walks to that leg's queue),
moves legs whose riders have arrived from the heap to the FIFO, drops
riders who gave up (waited longer than ``max_wait``) and boards the rest in order until it is
full; riders left behind wait for the next vehicle.  So SimPy events scale with vehicle stops,
not with riders, and the per-rider work is a few list operations on integers.  A vehicle calls
only at the positions of its line where some planned leg boards or alights (elsewhere nothing can
happen), and lines nobody uses run no process.

A person's later journeys of the day are chained to the earlier ones: a journey's last leg, once
alighted, puts the first leg of the person's next journey in its queue at the arrival plus the
stay (activity, time at home); a journey after one that was not served is never started
(``skipped``).  In a sample (``capacity_scale`` F) vehicles hold F × capacity: each trip has a
whole number of places for modelled riders, F × (capacity − background) rounded systematically
along the line's departures (:func:`sample_places`), so a line's places over the day are the
full day's times F to within one rider and a small vehicle is not rounded up on every trip.

Riders the model does not carry (a route's ``background``) are on board a vehicle trip from its
first stop to its last: the trip starts with them as its load, so they take room and seats before
any modelled rider and count in every load factor, but they never board, alight or pay.

Fares play no part in the movement (riders chose their path, fares included, before leaving), so
cards are priced after the run from the boarding times (:mod:`otrip_sim.settlement`).  Vehicles
keep their run times exactly, so a leg's alighting time is its boarding time plus the run time.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import Any

import numpy as np
import simpy

from .grouped import group_starts, within
from .network import Line, Network
from .paths import PathTable

SERVED, ABANDONED, NO_PATH, STRANDED, SKIPPED = 0, 1, 2, 3, 4
STATUS_NAMES = ("served", "abandoned", "no_path", "stranded", "skipped")
_SHIFT = 32  # queue key: arrival time << _SHIFT | leg row (rows < 2**32)
_MASK = (1 << _SHIFT) - 1


@dataclass
class PlannedLegs:
    """Every rider's chosen path as consecutive leg rows (riders in order, legs in order).

    Attributes
    ----------
    rider, leg_no:
        Per row: the rider (index into the riders) and the leg's number in the rider's path (0 …).
    line:
        Per row: the line index (into ``Network.lines``).
    board, alight:
        Per row: boarding and alighting positions on the line (0: its first stop).
    walk_s:
        Per row: the walk before boarding, integer seconds (access walk for a first leg).
    tapped:
        Per row: ``False`` for a change inside an operator's paid area (no tap).
    first_row:
        Per rider: the rider's first row (``-1``: no path).
    n_legs:
        Per rider: the number of legs (0: no path).
    egress_s:
        Per rider: the walk after the last leg, integer seconds.
    expected_board:
        Per row: when the rider expected to board the leg when choosing the path, integer seconds
        (``None``: not known) — what settlement compares the boarding times met with.
    """

    rider: np.ndarray
    leg_no: np.ndarray
    line: np.ndarray
    board: np.ndarray
    alight: np.ndarray
    walk_s: np.ndarray
    tapped: np.ndarray
    first_row: np.ndarray
    n_legs: np.ndarray
    egress_s: np.ndarray
    expected_board: np.ndarray | None = None

    @classmethod
    def from_choice(cls, table: PathTable, chosen: np.ndarray) -> PlannedLegs:
        """Rows for riders choosing path ``chosen[rider]`` of ``table``.

        Parameters
        ----------
        table:
            The candidate paths.
        chosen:
            Per rider, an index into ``table`` (``-1``: no path).

        Returns
        -------
        PlannedLegs
            The chosen paths' legs, riders in the order of ``chosen``.
        """
        chosen = np.asarray(chosen, dtype=np.int64)
        has = chosen >= 0
        safe = np.where(has, chosen, 0)
        n_legs = np.where(has, table.n_legs[safe] if len(table) else 0, 0)
        first_row = np.where(has, np.cumsum(n_legs) - n_legs, -1)
        total = int(n_legs.sum())
        rider = np.repeat(np.arange(len(chosen), dtype=np.int64), n_legs)
        leg_no = within(n_legs)
        src = table.offset[safe[rider]] + leg_no if total else np.zeros(0, dtype=np.int64)
        return cls(
            rider=rider, leg_no=leg_no, line=table.line[src], board=table.board[src],
            alight=table.alight[src], walk_s=table.walk_s[src], tapped=table.tapped[src],
            first_row=first_row, n_legs=n_legs,
            egress_s=np.where(has, table.egress_s[safe] if len(table) else 0, 0),
        )

    def __len__(self) -> int:
        return len(self.rider)


@dataclass
class SimRecords:
    """Raw results of one simulated day.

    Attributes
    ----------
    planned:
        The planned legs the run followed.
    board_s:
        Per planned row: when the leg was boarded, integer seconds of the service day (``-1``:
        never: the rider gave up or was stranded before it).
    status:
        Per rider: :data:`SERVED`, :data:`ABANDONED`, :data:`NO_PATH` or :data:`STRANDED`
        (names in :data:`STATUS_NAMES`).
    arrive:
        Per rider: arrival at the destination (last alighting plus egress walk), integer seconds
        (``-1``: not served).
    depart:
        Per rider: departure from the origin, integer seconds: the planned one for a day's first
        journey, the arrival from the journey before plus the stay for a later one (the planned
        estimate where the journey was never started).
    n_legs:
        Per rider: legs boarded.
    route_hour:
        ``(route index, hour)`` → ``[boardings, left_behind, max_load_factor]`` (riders, riders,
        load over capacity, the background included), for the route-hours with any.
    route_hour_background:
        ``(route index, hour)`` → the highest background load over capacity of the route's
        vehicles leaving a stop in the hour (0 … 1), for the route-hours with any background.
    denied_boardings:
        Boardings refused for want of room (a rider left behind counts once per vehicle).
    vehicle_trips, events:
        Vehicle trips run and vehicle stops simulated.
    leg_load, standing, at_stop:
        Per planned row, recorded only when the simulation records crowding: the load factor
        (load on leaving the boarding stop ÷ seats; ``-1``: not boarded), whether the rider
        boarded beyond the seats, and when the rider reached the stop (integer seconds; ``-1``:
        not boarded) — empty arrays otherwise.
    """

    planned: PlannedLegs
    board_s: np.ndarray
    status: np.ndarray
    arrive: np.ndarray
    n_legs: np.ndarray
    depart: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    route_hour: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    route_hour_background: dict[tuple[int, int], float] = field(default_factory=dict)
    denied_boardings: int = 0
    vehicle_trips: int = 0
    events: int = 0
    leg_load: np.ndarray = field(default_factory=lambda: np.zeros(0))
    standing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    at_stop: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class _Queue:
    __slots__ = ("boarded_keys", "first", "next_first", "pending", "waiting")

    def __init__(self) -> None:
        # keys: time at the stop << _SHIFT | row.  First legs are known before the run: a sorted
        # list read from ``next_first`` on; transfers arrive during the run: a heap.
        self.first: list[int] = []
        self.boarded_keys: list[int] = []  # the keys of the last boarding (crowding only)
        self.next_first = 0
        self.pending: list[int] = []
        self.waiting: deque[int] = deque()  # FIFO of keys of riders at the stop


def sample_places(capacity: int, background: list[float], fraction: float) -> list[int]:
    """Places for modelled riders on each trip of a line in a sample of ``fraction`` F.

    A trip's places at full scale are ``capacity − background``; in the sample each trip gets
    F times that, rounded systematically along the departures (the running total rounded to
    the nearest whole, trip by trip), so the line's places over the day are F × the full day's to
    within one, and every trip's are its share rounded down or up.  Rounding each trip up instead
    would give an 11-seat microbus 2 places at F = 0.1: 20 at full scale.  Deterministic: no
    draw, the same in every policy.

    >>> sample_places(11, [0.0] * 5, 0.1)
    [1, 1, 1, 1, 2]
    """
    out: list[int] = []
    total, given = 0.5, 0
    for b in background:
        total += max(0.0, capacity - b) * fraction
        whole = int(total)
        out.append(whole - given)
        given = whole
    return out


class Simulation:
    """One day of one scenario.  Build it, then :meth:`run` it once.

    Parameters
    ----------
    net:
        The network (lines, stops, run times).
    planned:
        Every rider's chosen path.
    depart:
        Per rider: departure time from the origin, integer seconds of the service day (for a
        journey with ``after[i] >= 0``, only an estimate: see ``after``).
    max_wait:
        A rider gives up after waiting this long at one stop, integer seconds.
    after:
        Per rider (journey): ``-1`` for a journey that leaves at ``depart``; else the journey
        follows the one before it in the arrays (the same person's) and leaves ``after[i]``
        seconds after the person arrives from it.  Where that journey is not served, this one is
        never started (:data:`SKIPPED`).  ``None``: every journey leaves at ``depart``.
    capacity_scale:
        The sample fraction F: a trip has :func:`sample_places` places for modelled riders (a
        rider who does not fit waits for the next), and load factors are min(load, F × capacity)
        ÷ (F × capacity), the load counting F × the trip's background riders: a trip rounded up
        by a rider is an artifact of sampling, not crowding.
    crowding:
        Record each leg's crowding (:attr:`SimRecords.leg_load`, :attr:`SimRecords.standing`)
        for choice to feed back.
    """

    def __init__(self, net: Network, planned: PlannedLegs, depart: np.ndarray, max_wait: int,
                 after: np.ndarray | None = None, capacity_scale: float = 1.0, crowding: bool = False):
        self.net = net
        self.planned = planned
        self.max_wait = max_wait
        self.capacity_scale = capacity_scale
        self.crowding = crowding
        n = len(depart)
        self._after = np.full(n, -1, dtype=np.int64) if after is None else after.astype(np.int64)
        self._depart = depart.astype(np.int64)
        rows = len(planned)
        # perf: plain lists of ints in the hot loop (numpy scalar access is slower)
        self._alight = planned.alight.tolist()
        self._walk = planned.walk_s.tolist()
        last = np.zeros(rows, dtype=bool)
        has = planned.first_row >= 0
        last[(planned.first_row + planned.n_legs - 1)[has]] = True
        self._last = last.tolist()
        self._board_s = [-1] * rows
        self._load = [-1.0] * rows if crowding else []
        self._standing = [False] * rows if crowding else []
        self._at = [-1] * rows if crowding else []
        self.status = np.where(has, STRANDED, NO_PATH).astype(np.int8)
        # a later journey of a person's day starts when the one before arrives: its last row
        # carries the next journey's first row (-1: none, or no path) and the delay to it
        dependent = self._after >= 0
        then = np.full(rows, -1, dtype=np.int64)
        delay = np.zeros(rows, dtype=np.int64)
        nxt = np.flatnonzero(dependent[1:]) + 1  # journeys following the one before them
        ends = (planned.first_row + planned.n_legs - 1)[nxt - 1]
        with_path = planned.first_row[nxt - 1] >= 0
        then[ends[with_path]] = planned.first_row[nxt][with_path]
        delay[ends[with_path]] = (planned.egress_s[nxt - 1] + self._after[nxt])[with_path]
        self._then, self._delay = then.tolist(), delay.tolist()
        # the queue each leg waits in, fixed by the plan: one per (stop, line) used
        line = planned.line.astype(np.int64)
        stop = net.stop_table[line, planned.board]
        keys, which = np.unique(stop * max(len(net.lines), 1) + line, return_inverse=True)
        made = [_Queue() for _ in range(len(keys))]
        self.queues: dict[tuple[int, int], _Queue] = {
            divmod(int(k), max(len(net.lines), 1)): q for k, q in zip(keys.tolist(), made)}
        self._queue_of: list[_Queue] = list(map(made.__getitem__, which.tolist()))
        # first legs of journeys that leave at a fixed time: sorted lists of keys per queue
        fixed = has & ~dependent
        first = planned.first_row[fixed]
        key = (depart[fixed].astype(np.int64) + planned.walk_s[first]) << _SHIFT | first
        order = np.lexsort((key, which[first]))
        q_sorted = which[first][order]
        bounds = np.flatnonzero(group_starts(q_sorted))
        for qi, chunk in zip(q_sorted[bounds].tolist(), np.split(key[order], bounds[1:])):
            made[qi].first = chunk.tolist()
        self._gave_up: list[int] = []  # rows whose rider gave up waiting
        self.denied = 0
        self.events = 0
        self.vehicle_trips = 0

    def run(self, progress: Callable[[int], None] | None = None) -> SimRecords:
        """Simulate the day.

        Parameters
        ----------
        progress:
            Called with the simulated time (integer seconds) every simulated 15 minutes.

        Returns
        -------
        SimRecords
            Boarding times, rider outcomes and the route-hour counts.
        """
        env = simpy.Environment()
        last = 0
        p = self.planned
        # perf: a vehicle stops only where some planned leg boards or alights (elsewhere nothing
        # can happen); lines nobody uses run no process at all
        width = self.net.stop_table.shape[1]
        used: dict[int, list[int]] = {}
        line_ix = p.line.astype(np.int64)
        for k in np.unique(np.concatenate([line_ix * width + p.board, line_ix * width + p.alight])).tolist():
            used.setdefault(k // width, []).append(k % width)
        hours = 1
        if self.net.lines:
            hours = max((ln.departures[-1] + ln.run_time_s) // 3600 + 1
                        for ln in self.net.lines if ln.departures)
        self._hours = hours
        n_routes = len(self.net.route_ids)
        self._boarded = [0] * (n_routes * hours)
        self._left = [0] * (n_routes * hours)
        self._max_lf = [0.0] * (n_routes * hours)
        self._background: dict[int, float] = {}
        for line in self.net.lines:
            self.vehicle_trips += len(line.departures)
            if line.departures:
                last = max(last, line.departures[-1] + line.run_time_s)
            background = self._background_load(line) if line.background_start else None
            if line.index not in used:
                continue
            positions = used[line.index]  # sorted: np.unique
            gaps = [line.cum_s[b] - line.cum_s[a] for a, b in pairwise(positions)]
            plan = (positions, [self.queues.get((line.stops[pos], line.index)) for pos in positions], gaps)
            self.events += len(positions) * len(line.departures)  # every trip calls at each of them
            bg = background if background is not None else [0.0] * len(line.departures)
            places = (sample_places(line.capacity, bg, self.capacity_scale) if self.capacity_scale != 1.0
                      else [line.capacity - round(b) for b in bg])
            for dep, b, room in zip(line.departures, bg, places):
                env.process(self._trip(env, line, dep, plan, b * self.capacity_scale, room))
        if progress is not None:
            env.process(self._clock(env, progress, last))
        env.run()
        return self._records()

    def _records(self) -> SimRecords:
        p = self.planned
        board_s = np.array(self._board_s, dtype=np.int64)
        status = self.status
        status[p.rider[np.array(self._gave_up, dtype=np.int64)]] = ABANDONED
        boarded = board_s >= 0
        n_legs = np.bincount(p.rider[boarded], minlength=len(status)).astype(np.int16)
        has = p.first_row >= 0
        last_row = np.where(has, p.first_row + p.n_legs - 1, 0)
        done = has & (board_s[last_row] >= 0) if len(board_s) else np.zeros(len(status), dtype=bool)
        status[done] = SERVED
        arrive = np.full(len(status), -1, dtype=np.int64)
        if done.any():
            lr = last_row[done]
            cum_s = self.net.cum_s_table
            ln, b, a = p.line[lr], p.board[lr], p.alight[lr]
            arrive[done] = board_s[lr] + cum_s[ln, a] - cum_s[ln, b] + p.egress_s[done]
        # a later journey whose predecessor was not served was never started
        depart = self._depart.copy()
        dep = np.flatnonzero(self._after >= 0)
        reached = done[dep - 1] if len(dep) else np.zeros(0, dtype=bool)
        status[dep[~reached]] = SKIPPED
        depart[dep[reached]] = arrive[dep[reached] - 1] + self._after[dep[reached]]
        route_hour = {
            divmod(k, self._hours): [self._boarded[k], self._left[k], self._max_lf[k]]
            for k in np.flatnonzero(
                np.array(self._boarded) + np.array(self._left) + np.array(self._max_lf) > 0).tolist()
        } if self._boarded else {}
        background = {divmod(k, self._hours): v for k, v in sorted(self._background.items())}
        return SimRecords(planned=p, board_s=board_s, status=status, arrive=arrive, n_legs=n_legs,
                          depart=depart, route_hour=route_hour, route_hour_background=background,
                          denied_boardings=self.denied,
                          vehicle_trips=self.vehicle_trips, events=self.events,
                          leg_load=np.array(self._load, dtype=np.float64),
                          standing=np.array(self._standing, dtype=bool),
                          at_stop=np.array(self._at, dtype=np.int64))

    def _background_load(self, line: Line) -> list[float]:
        """Per departure of ``line``, its background riders (× the sample fraction), and their
        load factor entered as a floor of the route-hours in which the trip leaves a stop: the
        background rides every vehicle trip of its bands, used by modelled riders or not.

        Parameters
        ----------
        line:
            A line with background bands.

        Returns
        -------
        list of float
            Whole riders per vehicle trip at full scale, aligned with ``line.departures``.
        """
        riders = line.background_riders()
        some = riders > 0
        if some.any():
            share = riders[some] / line.capacity
            # the hours of leaving each stop but the last, as max_load_factor counts them
            hour = (np.asarray(line.departures, dtype=np.int64)[some, None]
                    + np.asarray(line.cum_s[:-1], dtype=np.int64)[None, :]) // 3600
            cell = (line.route_index * self._hours + hour).ravel()
            value = np.repeat(share, hour.shape[1])
            order = np.lexsort((value, cell))  # by cell, the highest value last
            cell, value = cell[order], value[order]
            top = np.append(cell[1:] != cell[:-1], True)
            for k, v in zip(cell[top].tolist(), value[top].tolist()):
                if v > self._max_lf[k]:
                    self._max_lf[k] = v
                if v > self._background.get(k, 0.0):
                    self._background[k] = v
        return riders.astype(np.float64).tolist()

    @staticmethod
    def _clock(env: simpy.Environment, progress: Callable[[int], None],
               last: int) -> Generator[simpy.Event, Any, None]:
        while env.now < last:
            yield env.timeout(min(900, last - int(env.now)))
            progress(int(env.now))

    def _trip(self, env: simpy.Environment, line: Line, dep: int,
              plan: tuple[list[int], list[_Queue | None], list[int]],
              background: float, places: int) -> Generator[simpy.Event, Any, None]:
        """One vehicle trip: ``background`` riders on board throughout (F × them in a sample) and
        ``places`` places for modelled riders."""
        positions, queues, gaps = plan
        cum_s = line.cum_s
        timeout = env.timeout
        yield timeout(dep + cum_s[positions[0]])
        alight_at: dict[int, list[int]] = {}
        riders = 0  # modelled riders on board; the background takes room (places) and, in _crowded, seats
        whole = self.capacity_scale == 1.0
        cap: float = line.capacity if whole else line.capacity * self.capacity_scale
        base = line.route_index * self._hours
        boarded_h, left_h, max_lf = self._boarded, self._left, self._max_lf
        end = len(positions) - 1
        for k, pos in enumerate(positions):
            now = int(env.now)  # every timeout is whole seconds: an int already, typed as int | float
            off = alight_at.pop(pos, None)
            if off:
                riders -= len(off)
                self._alight_all(off, now)
            q = queues[k]
            if q is not None and (q.pending or q.waiting or q.next_first < len(q.first)):
                boarded, left = self._board(q, now, max(0, places - riders), alight_at)
                if boarded and self.crowding:
                    self._crowded(q, riders + background, boarded, line.seats * self.capacity_scale)
                riders += boarded
                if boarded or left:
                    h = base + now // 3600
                    boarded_h[h] += boarded
                    left_h[h] += left
                    self.denied += left
            if k == end:
                break
            nxt = positions[k + 1]
            load = riders + background
            if load:
                # the load on leaving this stop and the stops passed until the next one
                lf = load / cap if whole else min(load, cap) / cap
                h = now // 3600
                if lf > max_lf[base + h]:
                    max_lf[base + h] = lf
                if nxt > pos + 1 and (now + cum_s[nxt - 1] - cum_s[pos]) // 3600 != h:
                    for passed in range(pos + 1, nxt):
                        hp = base + (now + cum_s[passed] - cum_s[pos]) // 3600
                        if lf > max_lf[hp]:
                            max_lf[hp] = lf
            yield timeout(gaps[k])

    def _board(self, q: _Queue, now: int, room: int, alight_at: dict[int, list[int]]) -> tuple[int, int]:
        pending, waiting = q.pending, q.waiting
        bound = (now + 1) << _SHIFT  # keys of legs at the stop by ``now``
        start = q.next_first
        end = q.next_first = bisect_left(q.first, bound, start)
        if pending and pending[0] < bound:
            moved = []
            while pending and pending[0] < bound:
                moved.append(heapq.heappop(pending))
            waiting.extend(sorted(q.first[start:end] + moved) if end > start else moved)
        elif end > start:
            waiting.extend(q.first[start:end])
        limit = (now - self.max_wait) << _SHIFT  # waited since before ``now - max_wait``: gone
        while waiting and waiting[0] < limit:
            self._gave_up.append(waiting.popleft() & _MASK)
        boarded = min(room, len(waiting))
        board_s, alight = self._board_s, self._alight
        popleft = waiting.popleft
        if self.crowding:  # who boards, for _crowded (kept out of the loop below: it is the hot path)
            q.boarded_keys = list(islice(waiting, boarded))
        for _ in range(boarded):
            row = popleft() & _MASK
            board_s[row] = now
            at = alight[row]
            got = alight_at.get(at)
            if got is None:
                alight_at[at] = [row]
            else:
                got.append(row)
        return boarded, len(waiting)

    def _crowded(self, q: _Queue, before: float, boarded: int, seats: float) -> None:
        """The load factor (load on leaving ÷ seats) the ``boarded`` riders just boarded met,
        whether each stands (boarded beyond the seats), and when each reached the stop.

        ``before`` is the load on arrival after the alightings, background riders included (so
        they sit first); fractional in a sample."""
        lf = (before + boarded) / seats
        load, standing, reached = self._load, self._standing, self._at
        for rank, key in enumerate(q.boarded_keys, start=1):
            row = key & _MASK
            load[row] = lf
            standing[row] = before + rank > seats
            reached[row] = key >> _SHIFT

    def _alight_all(self, rows: list[int], now: int) -> None:
        last, walk, queue_of = self._last, self._walk, self._queue_of
        push = heapq.heappush
        for row in rows:
            if not last[row]:
                nxt = row + 1
                push(queue_of[nxt].pending, (now + walk[nxt]) << _SHIFT | nxt)
            else:
                nxt = self._then[row]
                if nxt >= 0:  # the person's next journey starts after the stay
                    push(queue_of[nxt].pending, (now + self._delay[row] + walk[nxt]) << _SHIFT | nxt)
