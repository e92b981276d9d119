"""The SimPy model: vehicles run their lines; riders wait, board if there is room, ride, transfer.

Event structure (chosen for city scale): every vehicle trip is a SimPy process, one timeout per
stop; riders are plain records, not processes.  A rider waiting for a line at a stop sits in that
(stop, line) queue: a heap of riders not yet there (keyed by the time they reach the stop) and a
FIFO of riders already waiting.  A vehicle arriving at a stop lets its riders off, moves riders who
have arrived from the heap to the FIFO, drops those who gave up (waited longer than ``max_wait``)
and boards the rest in order until it is full; riders left behind wait for the next vehicle.
So SimPy events scale with vehicle stops, not with riders.

Each boarding is a tap the fare engine prices from the rider's card (a :class:`~otrip_sim.fares.Card`),
except a change inside an operator's paid area.  When the journey ends (or the rider gives up)
the card is settled and the leg records get their settled fares.

Records are flat tuples appended in the hot loop (:class:`SimRecords`); data frames are built
later, once, in :mod:`otrip_sim.results`.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from .demand import Riders
from .fares import Card, Charge, FarePolicy, Leg
from .network import Line, Network
from .paths import Path

SERVED, ABANDONED, NO_PATH, STRANDED = 0, 1, 2, 3
STATUS_NAMES = ("served", "abandoned", "no_path", "stranded")


@dataclass
class SimRecords:
    """Raw results of one simulated day.

    ``legs`` rows: ``(journey, leg_no, line, board_stop, alight_stop, board_s, alight_s, metres,
    tapped, fare, rule, window, standalone_fare, evaded)`` — ``window`` numbers the fare windows
    of the journey's card (-1: none), ``standalone_fare`` is what the leg would cost on its own
    (for an evaded leg: the revenue lost).  ``taps`` rows: ``(journey, leg_no, time_s, kind, amount, rule)``.
    Per-journey arrays are aligned with the riders.  ``route_hour`` maps ``(route index, hour)`` to
    ``[boardings, left_behind, max_load_factor]``.
    """

    legs: list[tuple[Any, ...]] = field(default_factory=list)
    taps: list[tuple[Any, ...]] = field(default_factory=list)
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    arrive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    n_legs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    fare: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    route_hour: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    denied_boardings: int = 0
    vehicle_trips: int = 0
    events: int = 0


class _Rider:
    __slots__ = ("id", "path", "k", "card", "category", "media", "board_t", "card_leg", "lost", "legs")

    def __init__(self, rid: int, path: Path, category: str, media: str | None):
        self.id = rid
        self.path = path
        self.k = 0  # index of the current or next leg
        self.card: Card | None = None
        self.category = category
        self.media = media
        self.board_t = 0
        self.card_leg = -1  # index of the current leg on the card; -1: boarded without a tap
        self.lost = 0  # fare not paid on the current leg (evasion)
        self.legs: list[tuple[int, int, int, int, int, int, bool, int, int]] = []


class _Queue:
    __slots__ = ("pending", "waiting")

    def __init__(self) -> None:
        self.pending: list[tuple[int, int]] = []  # heap of (time at stop, rider id)
        self.waiting: deque[tuple[int, int]] = deque()  # FIFO of (time at stop, rider id)


class Simulation:
    """One day of one scenario.  Build it, then :meth:`run` it once."""

    def __init__(
        self,
        net: Network,
        policy: FarePolicy,
        riders: Riders,
        paths: list[Path | None],
        max_wait: int,
        evasion: dict[str, float] | None = None,
        evasion_draws: np.ndarray | None = None,
    ):
        """``evasion`` maps operators to the share of boardings made without a tap;
        ``evasion_draws[rider, leg]`` are uniform draws deciding who evades (common random numbers)."""
        self.net = net
        self.policy = policy
        self.max_wait = max_wait
        self.evasion = evasion or {}
        self.evasion_draws = evasion_draws
        self.riders = riders
        n = len(riders)
        self.rec = SimRecords(
            status=np.full(n, STRANDED, dtype=np.int8),
            arrive=np.full(n, -1, dtype=np.int64),
            n_legs=np.zeros(n, dtype=np.int16),
            fare=np.zeros(n, dtype=np.int64),
        )
        self.queues: dict[tuple[int, int], _Queue] = {}
        self.active: dict[int, _Rider] = {}
        cats = riders.category_ids
        for rid in range(n):
            path = paths[rid]
            if path is None:
                self.rec.status[rid] = NO_PATH
                continue
            held = riders.media_ids[int(riders.media[rid])] if riders.media is not None else None
            r = _Rider(rid, path, cats[int(riders.category[rid])], held)
            self.active[rid] = r
            first = path.legs[0]
            line = net.lines[first.line]
            self._queue(line.stops[first.board], first.line).pending.append((int(riders.depart[rid]) + first.walk_s, rid))
        for q in self.queues.values():
            heapq.heapify(q.pending)

    def _queue(self, stop: int, line: int) -> _Queue:
        q = self.queues.get((stop, line))
        if q is None:
            q = self.queues[(stop, line)] = _Queue()
        return q

    def run(self, progress: Callable[[int], None] | None = None) -> SimRecords:
        """Simulate the day; ``progress(now)`` is called every simulated 15 minutes."""
        env = simpy.Environment()
        last = 0
        for line in self.net.lines:
            for dep in line.departures:
                env.process(self._trip(env, line, dep))
                self.rec.vehicle_trips += 1
                last = max(last, dep + line.run_time_s)
        if progress is not None:
            env.process(self._clock(env, progress, last))
        env.run()
        for r in list(self.active.values()):
            self._finish(r, STRANDED, -1)
        return self.rec

    @staticmethod
    def _clock(env: simpy.Environment, progress: Callable[[int], None], last: int) -> Generator[simpy.Event, Any, None]:
        while env.now < last:
            yield env.timeout(min(900, last - int(env.now)))
            progress(int(env.now))

    def _trip(self, env: simpy.Environment, line: Line, dep: int) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(dep)
        rec = self.rec
        stops = line.stops
        last = len(stops) - 1
        alight_at: list[list[_Rider]] = [[] for _ in stops]
        load = 0
        cap = line.capacity
        rh = rec.route_hour
        route = line.route_index
        for pos in range(last + 1):
            now = int(env.now)
            rec.events += 1
            off = alight_at[pos]
            if off:
                load -= len(off)
                for r in off:
                    self._alight(r, now)
            if pos == last:
                break
            q = self.queues.get((stops[pos], line.index))
            stats = None
            if q is not None and (q.pending or q.waiting):
                boarded, left = self._board(q, line, pos, now, cap - load, alight_at)
                load += boarded
                if boarded or left:
                    stats = rh.get((route, now // 3600))
                    if stats is None:
                        stats = rh[(route, now // 3600)] = [0, 0, 0.0]
                    stats[0] += boarded
                    stats[1] += left
                    rec.denied_boardings += left
            if load:
                if stats is None:
                    stats = rh.get((route, now // 3600))
                    if stats is None:
                        stats = rh[(route, now // 3600)] = [0, 0, 0.0]
                lf = load / cap
                if lf > stats[2]:
                    stats[2] = lf
            yield env.timeout(line.cum_s[pos + 1] - line.cum_s[pos])

    def _board(
        self, q: _Queue, line: Line, pos: int, now: int, room: int, alight_at: list[list[_Rider]]
    ) -> tuple[int, int]:
        pending, waiting = q.pending, q.waiting
        while pending and pending[0][0] <= now:
            waiting.append(heapq.heappop(pending))
        limit = now - self.max_wait
        while waiting and waiting[0][0] < limit:
            t, rid = waiting.popleft()
            self._finish(self.active[rid], ABANDONED, -1)
        boarded = 0
        stop_ids = self.net.stop_ids
        evade_share = self.evasion.get(line.operator, 0.0)
        while waiting and boarded < room:
            _, rid = waiting.popleft()
            r = self.active[rid]
            leg = r.path.legs[r.k]
            alight_at[leg.alight].append(r)
            r.board_t = now
            # vehicles keep their run times exactly, so the tap-out time is known at boarding
            fare_leg = Leg(line.operator, now, line.cum_m[leg.alight] - line.cum_m[pos], r.category,
                           stop_ids[line.stops[pos]], stop_ids[line.stops[leg.alight]], leg.tapped,
                           alight_time=now + line.cum_s[leg.alight] - line.cum_s[pos], media=r.media, route=line.route)
            # A rider who evades does not tap; a paid-area change after an evaded leg has no tap either.
            if leg.tapped:
                evades = evade_share > 0 and self.evasion_draws is not None and self.evasion_draws[rid, r.k] < evade_share
            else:
                evades = r.k > 0 and r.card_leg < 0
            if evades:
                r.card_leg = -1
                r.lost = self.policy.standalone_charge(fare_leg).amount if leg.tapped else 0
            else:
                if r.card is None:
                    r.card = Card(self.policy)
                r.card_leg = len(r.card.legs)
                r.lost = 0
                r.card.tap(fare_leg)
            boarded += 1
        return boarded, len(waiting)

    def _alight(self, r: _Rider, now: int) -> None:
        path = r.path
        leg = path.legs[r.k]
        line = self.net.lines[leg.line]
        r.legs.append((leg.line, line.stops[leg.board], line.stops[leg.alight], r.board_t, now,
                       line.cum_m[leg.alight] - line.cum_m[leg.board], leg.tapped, r.card_leg, r.lost))
        r.k += 1
        if r.k < len(path.legs):
            nxt = path.legs[r.k]
            stop = self.net.lines[nxt.line].stops[nxt.board]
            heapq.heappush(self._queue(stop, nxt.line).pending, (now + nxt.walk_s, r.id))
        else:
            self._finish(r, SERVED, now + path.egress_s)

    def _finish(self, r: _Rider, status: int, arrive: int) -> None:
        rec = self.rec
        del self.active[r.id]
        rec.status[r.id] = status
        rec.arrive[r.id] = arrive
        rec.n_legs[r.id] = len(r.legs)
        card = r.card
        # Riders finish only off a vehicle (trips always reach their last stop), so every tap
        # on the card belongs to a completed leg.
        charges = card.settle() if card is not None else []
        policy = self.policy
        lines = self.net.lines
        total = 0
        leg_no: dict[int, int] = {}
        for n, (line, bs, als, bt, at, metres, tapped, ci, lost) in enumerate(r.legs):
            if ci >= 0:
                assert card is not None
                charge = charges[ci]
                window = card.window[ci]
                own = policy.standalone_charge(card.legs[ci]).amount if tapped else 0
                leg_no[ci] = n
            else:
                op = lines[line].operator
                charge = Charge(0, f"{op}:evasion") if tapped else Charge(0, f"{op}:paid_area")
                window = -1
                own = lost
            rec.legs.append((r.id, n, line, bs, als, bt, at, metres, tapped, charge.amount, charge.rule, window, own, ci < 0 and tapped))
            total += charge.amount
        rec.fare[r.id] = total
        if card is not None:
            for t in card.transactions:
                rec.taps.append((r.id, leg_no[t.leg], t.time, t.kind, t.amount, t.rule))
