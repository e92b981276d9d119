"""What a boarding costs on its own: the leg as the engine sees it, a charge, and the standalone
fare kinds (flat, time bands, distance steps, station table, zones, no fare product).

Pure and immutable; amounts are integer minor units, times integer seconds, distances integer
metres.  Window, category, pass and cap rules, and the policy that combines them, are in
:mod:`otrip_sim.fares.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .outcome import Outcome, rule_id


@dataclass(frozen=True, slots=True)
class Leg:
    """One boarding of a rider, as the fare engine sees it.

    Attributes
    ----------
    operator:
        Operator id of the vehicle boarded.
    board_time:
        Tap-in time, seconds of the service day.
    metres:
        In-vehicle distance of the leg, whole metres (0 if unknown and not needed).
    category:
        Rider category id (``"adult"`` by default).
    board_stop, alight_stop:
        Stop ids; needed only by station-table fares.
    tapped:
        ``False`` for a change inside an operator's paid area (e.g. between TransJakarta corridors
        inside a BRT station): no tap, fare 0, and its metres join the tapped leg before it.
    tapped_out:
        ``False`` when the rider did not tap out: a distance fare then charges its maximum.
    alight_time:
        Tap-out (arrival validation) time, when known; transfer limits may count from it.
    media:
        The fare medium (card type) used; ``None``: whatever medium the policy's rules require.
    route:
        Route id of the vehicle, for route-level standalone fares.
    """

    operator: str
    board_time: int
    metres: int = 0
    category: str = "adult"
    board_stop: str | None = None
    alight_stop: str | None = None
    tapped: bool = True
    tapped_out: bool = True
    alight_time: int | None = None
    media: str | None = None
    route: str | None = None


DAY = 86_400


@dataclass(frozen=True, slots=True)
class PairIssue:
    """Why a stop-priced fare cannot price a leg between two stops: ``part`` names the input that
    lacks it — ``"table"`` (a station table has no such pair), ``"zones"`` (``stop`` is in no zone)
    or ``"fares"`` (no fare between the two ``zones``)."""

    part: str
    stop: str | None = None
    zones: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    """An amount charged for a leg and the rule that set it.  Charges compare by amount and rule id.

    Attributes
    ----------
    amount:
        Integer minor units of the currency (negative only for a refund in a transaction).
    rule:
        The rule id, ``"<source>:<suffix>"`` (see :func:`~otrip_sim.fares.outcome.rule_id`).
    outcome:
        What happened (:class:`~otrip_sim.fares.outcome.Outcome`), for code: never parsed from
        the id.
    source:
        The id of the operator, window, pass, category rule or cap that decided it.
    """

    amount: int
    rule: str
    outcome: Outcome = field(default=Outcome.FLAT, compare=False)
    source: str = field(default="", compare=False)


def charge(amount: int, source: str, outcome: Outcome, band: str = "") -> Charge:
    """A :class:`Charge` whose rule id is built from its source and outcome.

    Parameters
    ----------
    amount:
        Integer minor units.
    source:
        The operator, window, pass, category rule or cap id that decided it.
    outcome:
        What happened.
    band:
        The time band's name, for :attr:`Outcome.TIME_BAND` (it is the rule id's suffix).
    """
    return Charge(amount, rule_id(source, outcome, band), outcome, source)


class StandaloneFare(Protocol):
    """What one boarding of an operator costs on its own.

    Attributes
    ----------
    operator:
        The operator (or, for a route fare, route) id the fare belongs to.
    needs_stops:
        The fare depends on the boarding and alighting stops (station tables, zones).
    needs_metres:
        The fare depends on the leg's distance.
    """

    operator: str
    needs_stops: bool
    needs_metres: bool

    def price(self, leg: Leg) -> Charge:
        """The leg's standalone charge (integer minor units), before any category rule."""
        ...

    @property
    def max_amount(self) -> int:
        """The highest amount the fare can charge, integer minor units (what a leg with unknown
        stops or a missing tap-out pays where the fare needs them)."""
        ...

    def time_bounds(self) -> tuple[int, ...]:
        """Clock times (s) where the fare may change with the tap-in time (none: ``()``)."""
        ...

    def pair_issue(self, board_stop: str, alight_stop: str) -> PairIssue | None:
        """Why a leg between these stops cannot be priced (``None``: it can)."""
        ...


class _Defaults:
    """What most standalone fares answer: no stops needed, no distance, no time bands; each fare
    overrides what it depends on."""

    __slots__ = ()
    needs_stops = False
    needs_metres = False

    def time_bounds(self) -> tuple[int, ...]:
        """``()``: the fare never changes with the time of day."""
        return ()

    def pair_issue(self, board_stop: str, alight_stop: str) -> PairIssue | None:
        """Always ``None``: the fare does not depend on stops."""
        return None


@dataclass(frozen=True, slots=True)
class FlatFare(_Defaults):
    """The same amount for every tap-in.

    Attributes
    ----------
    operator:
        Operator id.
    amount:
        Integer minor units.
    """

    operator: str
    amount: int

    def price(self, leg: Leg) -> Charge:
        """``amount`` (outcome :attr:`~Outcome.FLAT`)."""
        return charge(self.amount, self.operator, Outcome.FLAT)

    @property
    def max_amount(self) -> int:
        """``amount``, integer minor units."""
        return self.amount


@dataclass(frozen=True, slots=True)
class NoFare(_Defaults):
    """No fare product: the policy does not price the operator's (or route's) legs — a free
    shuttle, a network of an imported feed without a leg rule.  Its legs cost 0 with outcome
    :attr:`~Outcome.NO_FARE` and are invisible to window rules.

    Attributes
    ----------
    operator:
        Operator (or route) id.
    """

    operator: str

    def price(self, leg: Leg) -> Charge:
        """0 (outcome :attr:`~Outcome.NO_FARE`)."""
        return charge(0, self.operator, Outcome.NO_FARE)

    @property
    def max_amount(self) -> int:
        """0: nothing is ever charged."""
        return 0


@dataclass(frozen=True, slots=True)
class TimeBand:
    """``amount`` for tap-ins at or after ``start`` and before ``end``.

    Attributes
    ----------
    name:
        The band's name (the rule id's suffix).
    start, end:
        Clock times, integer seconds after midnight.
    amount:
        Integer minor units.
    """

    name: str
    start: int
    end: int
    amount: int


@dataclass(frozen=True, slots=True)
class TimeBandFare(_Defaults):
    """A default amount, replaced inside non-overlapping time bands of the tap-in time.

    Attributes
    ----------
    operator:
        Operator id.
    default:
        Integer minor units outside every band.
    bands:
        The bands, on the clock of each day (a leg's ``board_time`` is taken modulo 86,400 s).
    """

    operator: str
    default: int
    bands: tuple[TimeBand, ...]

    def price(self, leg: Leg) -> Charge:
        """The amount of the band the tap-in falls in (clock time of ``board_time``), else ``default``."""
        t = leg.board_time % DAY  # bands are clock times; multi-day data count days in board_time
        for band in self.bands:
            if band.start <= t < band.end:
                return charge(band.amount, self.operator, Outcome.TIME_BAND, band.name)
        return charge(self.default, self.operator, Outcome.STANDARD)

    @property
    def max_amount(self) -> int:
        """The highest of ``default`` and the bands' amounts, integer minor units."""
        return max([self.default, *(b.amount for b in self.bands)])

    def time_bounds(self) -> tuple[int, ...]:
        """Every band's start and end, integer seconds after midnight, sorted."""
        return tuple(sorted({t for b in self.bands for t in (b.start, b.end)}))


@dataclass(frozen=True, slots=True)
class DistanceFare(_Defaults):
    """``base`` up to ``base_m`` metres, plus ``step_amount`` for each started ``step_m`` beyond.

    ``max_amount`` caps the result and is what a missing tap-out is charged.

    Attributes
    ----------
    operator:
        Operator id.
    base, step_amount:
        Integer minor units.
    base_m, step_m:
        Integer metres (``step_m`` > 0).
    cap:
        The highest fare, integer minor units (``None``: none).
    maximum:
        Without a cap: the fare of the longest leg on the network, integer minor units.
    """

    operator: str
    base: int
    base_m: int
    step_m: int
    step_amount: int
    cap: int | None = None
    maximum: int | None = None  # fare of the longest leg on the network, when there is no cap
    needs_metres = True

    def price(self, leg: Leg) -> Charge:
        """The fare for ``leg.metres`` (integer metres), capped; :attr:`max_amount` without a tap-out."""
        if not leg.tapped_out:
            return charge(self.max_amount, self.operator, Outcome.MISSING_TAP_OUT)
        extra = max(0, leg.metres - self.base_m)
        steps = -(-extra // self.step_m)  # ceil for integers: each *started* step counts
        amount = self.base + self.step_amount * steps
        if self.cap is not None and amount > self.cap:
            return charge(self.cap, self.operator, Outcome.DISTANCE_CAP)
        return charge(amount, self.operator, Outcome.DISTANCE)

    @property
    def max_amount(self) -> int:
        """``cap``, else ``maximum``, else ``base``; integer minor units."""
        if self.cap is not None:
            return self.cap
        return self.maximum if self.maximum is not None else self.base


@dataclass(frozen=True, slots=True)
class StationTableFare(_Defaults):
    """Station-to-station fares; a leg without both stops is charged the maximum fare.

    Attributes
    ----------
    operator:
        Operator id.
    table:
        ``(board stop id, alight stop id)`` → integer minor units.
    maximum:
        Integer minor units: the highest fare in the table.
    """

    operator: str
    table: Mapping[tuple[str, str], int]
    maximum: int
    needs_stops = True

    def price(self, leg: Leg) -> Charge:
        """The table's fare between the leg's stops (``maximum`` if either is unknown)."""
        if leg.board_stop is None or leg.alight_stop is None:
            return charge(self.maximum, self.operator, Outcome.NO_STATIONS)
        amount = self.table.get((leg.board_stop, leg.alight_stop))
        if amount is None:
            raise KeyError(f"{self.operator}: no fare from {leg.board_stop!r} to {leg.alight_stop!r}")
        return charge(amount, self.operator, Outcome.STATION_TABLE)

    @property
    def max_amount(self) -> int:
        """``maximum``, integer minor units."""
        return self.maximum

    def pair_amount(self, board_stop: str, alight_stop: str) -> int:
        """The fare between two stops (the caller has checked :meth:`pair_issue`)."""
        return self.table[(board_stop, alight_stop)]

    def pair_issue(self, board_stop: str, alight_stop: str) -> PairIssue | None:
        """What the table lacks to price a leg between these stops (``None``: it can)."""
        if (board_stop, alight_stop) not in self.table:
            return PairIssue("table")
        return None


@dataclass(frozen=True, slots=True)
class ZonePeriod:
    """A time range of a named period of zone fares (peak, off-peak): legs whose tap-in
    (``by="board"``) or tap-out (``by="alight"``; the tap-in when it is unknown) falls at or after
    ``start`` and before ``end`` on the clock, on the ``days`` given.

    Attributes
    ----------
    name:
        The period's name (the rule id's suffix); a period may have several ranges.
    start, end:
        Clock times, integer seconds after midnight.
    days:
        ``"all"``, ``"weekdays"`` (Monday to Friday) or ``"weekends"``; day 0 of the data is a
        Monday.
    by:
        ``"board"`` or ``"alight"``.
    """

    name: str
    start: int
    end: int
    days: str = "all"
    by: str = "board"

    def holds(self, board_time: int, alight_time: int | None) -> bool:
        """Is a leg with these times (integer seconds) in this range?"""
        t = alight_time if self.by == "alight" and alight_time is not None else board_time
        if self.days != "all" and ((t // DAY) % 7 < 5) != (self.days == "weekdays"):
            return False
        return self.start <= t % DAY < self.end


@dataclass(frozen=True, slots=True)
class ZoneFare(_Defaults):
    """Fares by the zones of the boarding and alighting stops (a from–to matrix), optionally by
    period of the day too (Metro-North peak and off-peak); a leg without both stops is charged
    the maximum fare.

    A leg in one or more periods with a fare for its zone pair pays the dearest of those; else the
    pair's fare for any other time (``table``).

    Attributes
    ----------
    operator:
        Operator id.
    zone_of:
        Stop id → zone id.
    table:
        ``(board zone, alight zone)`` → integer minor units, outside every period.
    maximum:
        Integer minor units: the highest fare in the tables.
    periods:
        The periods' ranges.
    period_table:
        ``(board zone, alight zone, period name)`` → integer minor units.
    """

    operator: str
    zone_of: Mapping[str, str]
    table: Mapping[tuple[str, str], int]
    maximum: int
    periods: tuple[ZonePeriod, ...] = ()
    period_table: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    needs_stops = True

    def price(self, leg: Leg) -> Charge:
        """The table's fare between the zones of the leg's stops (``maximum`` if either is unknown)."""
        if leg.board_stop is None or leg.alight_stop is None:
            return charge(self.maximum, self.operator, Outcome.NO_STATIONS)
        pair = (self.zone_of[leg.board_stop], self.zone_of[leg.alight_stop])
        best: tuple[int, str] | None = None
        for period in self.periods:
            amount = self.period_table.get((*pair, period.name))
            if amount is not None and (best is None or amount > best[0]) and period.holds(
                    leg.board_time, leg.alight_time):
                best = (amount, period.name)
        if best is not None:
            return charge(best[0], self.operator, Outcome.ZONE_PERIOD, best[1])
        amount = self.table.get(pair)
        if amount is None:
            raise KeyError(f"{self.operator}: no fare from zone {pair[0]!r} to zone {pair[1]!r}")
        return charge(amount, self.operator, Outcome.ZONES)

    def time_bounds(self) -> tuple[int, ...]:
        """Every period's start and end, integer seconds after midnight, sorted."""
        return tuple(sorted({t for p in self.periods for t in (p.start, p.end)}))

    @property
    def max_amount(self) -> int:
        """``maximum``, integer minor units."""
        return self.maximum

    def pair_amount(self, board_stop: str, alight_stop: str) -> int:
        """The fare between two stops (the caller has checked :meth:`pair_issue`)."""
        return self.table[(self.zone_of[board_stop], self.zone_of[alight_stop])]

    def pair_issue(self, board_stop: str, alight_stop: str) -> PairIssue | None:
        """What the zones lack to price a leg between these stops (``None``: they can)."""
        for stop in (board_stop, alight_stop):
            if stop not in self.zone_of:
                return PairIssue("zones", stop=stop)
        zones = (self.zone_of[board_stop], self.zone_of[alight_stop])
        return PairIssue("fares", zones=zones) if zones not in self.table else None
