"""Compiled fare rules: immutable, validated descriptions the engine evaluates.

The scenario loader (:mod:`otrip_sim.scenario`) turns the YAML ``fares`` section into these
objects; nothing here knows about YAML, pydantic, SimPy or pandas.  Amounts are integer minor
units, times integer seconds, distances integer metres.

Three layers, applied in this order to every leg (see ``docs/fares.md``):

1. **Category rules** (:class:`CategoryFree`) — a rider category exempt on an operator pays 0 and
   the leg is invisible to windows.
2. **Window rules** (:class:`CapWindow`, :class:`IntegratedWindow`, :class:`FirstFareWindow`,
   :class:`TransferWindow`, :class:`PayDifferenceWindow`, :class:`TransferMatrixWindow`) —
   journey-level integration across a set of operators within a time limit from the window's first
   tap-in.  Each operator belongs to at most one window rule, so rule order never matters.
3. **Standalone fares** (:mod:`otrip_sim.fares.standalone`: flat, time bands, distance steps,
   station tables, zones) — what a boarding costs on its own.

The standalone names are re-exported here, so ``from .rules import FlatFare`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .outcome import Outcome
from .standalone import (
    DAY,
    Charge,
    DistanceFare,
    FlatFare,
    Leg,
    NoFare,
    PairIssue,
    StandaloneFare,
    StationTableFare,
    TimeBand,
    TimeBandFare,
    ZoneFare,
    ZonePeriod,
    charge,
)


@dataclass(frozen=True, slots=True)
class CategoryFree:
    """Riders of ``category`` ride ``operators`` free; such legs are invisible to windows."""

    id: str
    category: str
    operators: frozenset[str]


@dataclass(frozen=True, slots=True)
class CategoryDiscount:
    """Riders of ``category`` pay ``percent`` % less than the standalone fare on ``operators``
    (the discount rounded half up to the minor unit); the legs stay visible to windows, which use
    the discounted fare as the leg's own fare.  ``percent`` is a whole number, 1–99."""

    id: str
    category: str
    operators: frozenset[str]
    percent: int


@dataclass(frozen=True, slots=True)
class CategoryFixed:
    """Riders of ``category`` pay ``amount`` (integer minor units) as their standalone fare on
    ``operators``; the legs stay visible to windows, which use it as the leg's own fare."""

    id: str
    category: str
    operators: frozenset[str]
    amount: int


CategoryRule = CategoryFree | CategoryDiscount | CategoryFixed


@dataclass(frozen=True, slots=True)
class CapWindow:
    """OK OTrip style: within ``duration`` of the window's first tap-in, each covered tap pays
    ``min(own standalone fare, cap − already paid in the window)``.

    Attributes
    ----------
    id:
        The rule id.
    operators:
        The operator ids it covers.
    duration:
        Integer seconds from the window's first tap-in (a tap exactly then still joins).
    cap:
        Integer minor units.
    """

    id: str
    operators: frozenset[str]
    duration: int
    cap: int


@dataclass(frozen=True, slots=True)
class IntegratedWindow:
    """JakLingko style: when a window's legs use at least ``min_operators`` different operators,
    the window costs ``min(cap, base + per_km × K)`` with ``K = (Σ metres + 500) // 1000``, settled
    into leg fares in proportion to metres (the first leg weighing ``first_leg_weight_m`` more);
    otherwise each leg pays its standalone fare.  With ``cheaper_of_standalone`` a window whose
    legs cost less on their own pays their standalone fares instead.

    Attributes
    ----------
    id, operators:
        The rule id and the operator ids it covers.
    duration:
        Integer seconds from the window's first tap-in.
    base, per_km, cap:
        Integer minor units (``per_km`` for each km of the window's rounded total).
    min_operators:
        Distinct operators a window needs for the integrated price.
    first_leg_weight_m:
        Integer metres added to the first leg's settlement weight.
    cheaper_of_standalone:
        Charge the standalone fares when they total less.
    """

    id: str
    operators: frozenset[str]
    duration: int
    base: int
    per_km: int
    cap: int
    min_operators: int = 2
    first_leg_weight_m: int = 10_000
    cheaper_of_standalone: bool = False


@dataclass(frozen=True, slots=True)
class FirstFareWindow:
    """OK OTrip as operated: the first tap pays its standalone fare and opens the window; later
    covered taps within ``duration`` (integer seconds) of it pay 0."""

    id: str
    operators: frozenset[str]
    duration: int


@dataclass(frozen=True, slots=True)
class TransferWindow:
    """Free or discounted transfers (GTFS Fares v2 style): the first leg pays its own fare; a later
    leg within ``duration`` pays the transfer fare, for at most ``max_transfers`` transfers.

    ``limit`` says what the duration measures: ``"first_tap"`` — from the first tap-in of the
    chain to the next tap-in (as the Jakarta windows); ``"0"``–``"3"`` — GTFS
    ``duration_limit_type``, from the departure (0, 1) or arrival (2, 3) validation of the
    previous leg to the departure (1, 2) or arrival (0, 3) validation of the next leg (a missing
    arrival counts as the departure).  ``fare`` is ``"free"`` (0), ``"fixed"`` (``amount``
    instead of the leg's own fare, never more than it), ``"discount"`` (``percent`` off, rounded
    half up; or, without a percent, ``amount`` off, never below 0) or ``"surcharge"`` (own fare
    plus ``amount``).

    Attributes
    ----------
    id, operators:
        The rule id and the operator ids it covers.
    duration:
        Integer seconds.
    limit, fare:
        As above.
    amount:
        Integer minor units (``fixed`` and ``surcharge``).
    percent:
        Whole percent (``discount``).
    max_transfers:
        Transfers allowed in a chain (``None``: unlimited).
    """

    id: str
    operators: frozenset[str]
    duration: int
    limit: str = "first_tap"
    fare: str = "free"
    amount: int = 0
    percent: int = 0
    max_transfers: int | None = None

    def within(self, first: Leg, previous: Leg, n_transfers: int, leg: Leg) -> bool:
        """May ``leg`` continue the chain that began with ``first`` and last rode ``previous``?"""
        if self.max_transfers is not None and n_transfers >= self.max_transfers:
            return False
        if self.limit == "first_tap":
            return leg.board_time - first.board_time <= self.duration
        start = previous.board_time if self.limit in ("0", "1") else _arrival(previous)
        end = leg.board_time if self.limit in ("1", "2") else _arrival(leg)
        return end - start <= self.duration

    def transfer_charge(self, own: Charge) -> Charge:
        """What a transfer leg pays, given its own fare."""
        if self.fare == "free":
            amount = 0
        elif self.fare == "fixed":
            amount = min(own.amount, self.amount)
        elif self.fare == "surcharge":
            amount = own.amount + self.amount
        elif not self.percent:  # an amount off (GTFS: a negative transfer product), never below 0
            amount = max(0, own.amount - self.amount)
        else:
            amount = own.amount - (own.amount * self.percent + 50) // 100
        return charge(amount, self.id, Outcome.TRANSFER)


def _arrival(leg: Leg) -> int:
    return leg.alight_time if leg.alight_time is not None else leg.board_time


@dataclass(frozen=True, slots=True)
class PayDifferenceWindow:
    """Pay the difference (Seattle's ORCA, Houston's highest fare in the transfer window): the
    window's first tap pays its own fare; a later covered tap within ``duration`` of the window's
    start pays only what its own fare exceeds the dearest own fare already in the window (0 on a
    service as cheap or cheaper).

    With ``restart`` a tap that paid a difference restarts the window: later taps join while they
    are within ``duration`` of that tap (ORCA's transfer extension).  The window's credit — the
    dearest fare it has covered — carries on.

    Attributes
    ----------
    id, operators:
        The rule id and the operator ids it covers.
    duration:
        Integer seconds from the window's start (a tap exactly then still joins).
    restart:
        A tap that paid a difference becomes the window's start.
    """

    id: str
    operators: frozenset[str]
    duration: int
    restart: bool = False


@dataclass(frozen=True, slots=True)
class TransferPair:
    """What a transfer from one operator to another pays in a :class:`TransferMatrixWindow`.

    Attributes
    ----------
    fare:
        ``"free"`` (0); ``"fixed"`` (``amount`` instead of the leg's own fare, never more than
        it); ``"discount"`` (``percent`` off, rounded half up); ``"pay_difference"`` (what the
        leg's own fare exceeds the previous leg's, 0 if it does not).
    amount:
        Integer minor units (``fixed``).
    percent:
        Whole percent (``discount``).
    duration:
        Integer seconds from the previous leg's tap-in within which this transfer is allowed
        (``None``: only the window's own limit).
    """

    fare: str = "free"
    amount: int = 0
    percent: int = 0
    duration: int | None = None

    def charge(self, source: str, own: int, previous_own: int) -> Charge:
        """The transfer leg's charge given its own fare and the previous leg's (minor units)."""
        if self.fare == "pay_difference":
            return charge(max(0, own - previous_own), source, Outcome.PAY_DIFFERENCE)
        if self.fare == "fixed":
            amount = min(own, self.amount)
        elif self.fare == "discount":
            amount = own - (own * self.percent + 50) // 100
        else:
            amount = 0
        return charge(amount, source, Outcome.TRANSFER)


@dataclass(frozen=True, slots=True)
class TransferMatrixWindow:
    """Transfers priced by the pair (from operator, to operator), as Atlanta's Breeze matrix: the
    window's first leg pays its own fare; a later leg joins when the pair (previous leg's
    operator, its operator) is listed, it is within ``duration`` of the window's first tap-in (and
    within the pair's own ``duration`` of the previous tap-in), and the window has fewer than its
    ride limit; it then pays the pair's transfer fare.  A pair not listed starts a new window.

    Attributes
    ----------
    id, operators:
        The rule id and the operator ids it covers.
    duration:
        Integer seconds from the window's first tap-in.
    pairs:
        ``(from operator, to operator)`` → its :class:`TransferPair`.
    max_rides:
        Legs a window may have, its first included (``None``: no limit).
    max_rides_from:
        Operator of the window's first leg → its own ride limit, instead of ``max_rides``.
    """

    id: str
    operators: frozenset[str]
    duration: int
    pairs: Mapping[tuple[str, str], TransferPair]
    max_rides: int | None = None
    max_rides_from: Mapping[str, int] = field(default_factory=dict)

    def within(self, first: Leg, previous: Leg, rides: int, leg: Leg) -> bool:
        """May ``leg`` join the window that began with ``first``, last rode ``previous`` and has
        ``rides`` legs?"""
        pair = self.pairs.get((previous.operator, leg.operator))
        if pair is None:
            return False
        limit = self.max_rides_from.get(first.operator, self.max_rides)
        if limit is not None and rides >= limit:
            return False
        if leg.board_time - first.board_time > self.duration:
            return False
        return pair.duration is None or leg.board_time - previous.board_time <= pair.duration


@dataclass(frozen=True, slots=True)
class OdChainWindow:
    """An origin–destination fare over a chain of legs (GTFS ``fare_leg_join_rules.txt``; zone-to-zone
    and Paris-style OD tickets): consecutive legs on ``operators`` form one effective leg, priced by
    ``fare`` (a station table or zone fare) from the chain's first boarding stop to its last
    alighting stop, and settled into leg fares in proportion to the legs' own fares.

    A leg joins the open chain when it is within ``duration`` of the chain's first tap-in, the
    change is allowed by ``joins`` (when given: ``(from operator, to operator)`` → the stops the
    change may happen at, ``None`` anywhere; the previous leg's alighting stop and this leg's
    boarding stop must both be among them), the chain has fewer than ``max_legs`` legs, and
    ``fare`` has a fare from the chain's first boarding stop to this leg's alighting stop.  A
    chain of one leg, or one whose stops ``fare`` cannot price, pays the legs' own fares.

    Attributes
    ----------
    id, operators:
        The rule id and the operator ids it covers.
    duration:
        Integer seconds from the chain's first tap-in.
    fare:
        The OD fare (its ``pair_issue`` says whether it prices a pair of stops).
    joins:
        Allowed changes (empty: any change between the operators, anywhere).
    max_legs:
        Legs a chain may have (``None``: no limit).
    """

    id: str
    operators: frozenset[str]
    duration: int
    fare: StandaloneFare
    joins: Mapping[tuple[str, str], frozenset[str] | None] = field(default_factory=dict)
    max_legs: int | None = None

    def within(self, first: Leg, previous: Leg, members: int, leg: Leg) -> bool:
        """May ``leg`` continue the chain that began with ``first``, last rode ``previous`` and has
        ``members`` legs?"""
        if leg.board_time - first.board_time > self.duration:
            return False
        if self.max_legs is not None and members >= self.max_legs:
            return False
        if self.joins:
            if (previous.operator, leg.operator) not in self.joins:
                return False
            at = self.joins[(previous.operator, leg.operator)]
            if at is not None and (previous.alight_stop not in at or leg.board_stop not in at):
                return False
        return self.prices(first.board_stop, leg.alight_stop)

    def prices(self, board_stop: str | None, alight_stop: str | None) -> bool:
        """Does ``fare`` price an effective leg between these stops?"""
        return (board_stop is not None and alight_stop is not None
                and self.fare.pair_issue(board_stop, alight_stop) is None)


WindowRule = (CapWindow | IntegratedWindow | FirstFareWindow | TransferWindow | PayDifferenceWindow
              | TransferMatrixWindow | OdChainWindow)


def joins(rule: WindowRule, first: Leg, previous: Leg, members: int, leg: Leg,
          start: int | None = None) -> bool:
    """May ``leg`` join the open window of ``rule`` whose first and last legs are given?  ``start``
    is the window's start when it is not its first tap-in (a restarted pay-the-difference window)."""
    if isinstance(rule, TransferWindow):
        return rule.within(first, previous, members - 1, leg)
    if isinstance(rule, (TransferMatrixWindow, OdChainWindow)):
        return rule.within(first, previous, members, leg)
    return leg.board_time - (first.board_time if start is None else start) <= rule.duration


@dataclass(frozen=True, slots=True)
class FarePass:
    """A pass: riders whose fare medium is the pass ``id`` ride ``operators`` for ``price`` per
    validity period — the first leg of a period buys it (``<id>:purchase``), later legs pay 0
    (``<id>:pass``).  ``validity`` is ``"day"`` (a service day from ``day_start``), ``"week"``
    (Monday to Sunday) or ``"days"`` (``days`` service days from the day of first use).  ``price``
    is in integer minor units, ``day_start`` in integer seconds after midnight."""

    id: str
    operators: frozenset[str]
    price: int
    validity: str = "day"
    days: int = 1
    day_start: int = 4 * 3600

    def period(self, t: int, bought: int | None) -> tuple[int, int]:
        """(period key, day of purchase) for a leg at time ``t`` (integer seconds; day 0 starts at
        ``day_start``); ``bought`` is the day the last pass was bought (``None`` if never)."""
        day = (t - self.day_start) // DAY
        if self.validity == "week":
            return day // 7, day
        if self.validity == "days" and bought is not None and day < bought + self.days:
            return bought, bought
        return day, day


@dataclass(frozen=True, slots=True)
class PeriodCap:
    """A card pays at most ``cap`` per period on ``operators`` (Oyster-style capping).

    ``period`` is ``"day"`` (service days starting at ``day_start`` seconds after midnight),
    ``"week"`` (Monday to Sunday; day 0 of the data is a Monday, as replayed multi-day data is
    aligned) or ``"rolling_week"`` (any 7 × 24 hours).  Applied last, to the settled fares in tap
    order: a leg pays ``min(its fare, what the period still allows)``.  ``cap`` is in integer minor
    units.
    """

    id: str
    operators: frozenset[str]
    period: str
    cap: int
    day_start: int = 4 * 3600


@dataclass(frozen=True)
class FarePolicy:
    """A complete, validated fare policy.

    Window rules cover disjoint operator sets (checked here), so which window a tap belongs to
    never depends on rule order.  Amounts are integer minor units, times integer seconds,
    distances integer metres.

    Attributes
    ----------
    name:
        The policy's name.
    standalone:
        Every operator id → its standalone fare.
    categories:
        Rider category rules (exemptions, discounts, fixed fares).
    windows:
        Window rules (cap, integrated, first-fare, transfer, pay-the-difference).
    period_caps:
        Daily / weekly caps per card, applied last.
    window_media:
        Window id → the fare media that unlock it (absent: every medium).
    route_standalone:
        Route id → its own standalone fare, instead of its operator's.
    passes:
        Pass id (= the fare medium of its holders) → the pass.
    media_standalone:
        ``(fare medium, operator id)`` → the standalone fare of the operator's legs made with that
        medium, instead of the operator's (a route's own fare still wins on its route).
    """

    name: str
    standalone: Mapping[str, StandaloneFare]
    categories: tuple[CategoryRule, ...] = ()
    windows: tuple[WindowRule, ...] = ()
    period_caps: tuple[PeriodCap, ...] = ()
    window_media: Mapping[str, frozenset[str]] = field(default_factory=dict)  # window id -> media it needs
    route_standalone: Mapping[str, StandaloneFare] = field(default_factory=dict)  # route id -> its own fare
    passes: Mapping[str, FarePass] = field(default_factory=dict)  # pass id (= fare medium) -> pass
    media_standalone: Mapping[tuple[str, str], StandaloneFare] = field(default_factory=dict)
    # Derived lookups, precompiled for the hot path.
    _window_of: Mapping[str, WindowRule] = field(init=False, repr=False, compare=False)
    _free_rule: Mapping[tuple[str, str], str] = field(init=False, repr=False, compare=False)
    _adjust: Mapping[tuple[str, str], CategoryDiscount | CategoryFixed] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        window_of: dict[str, WindowRule] = {}
        for w in self.windows:
            for op in w.operators:
                if op not in self.standalone:
                    raise ValueError(f"window {w.id!r} names operator {op!r} that has no standalone fare")
                if op in window_of:
                    raise ValueError(
                        f"operator {op!r} is in two window rules ({window_of[op].id!r} and {w.id!r})"
                    )
                window_of[op] = w
        for medium, op in self.media_standalone:
            if op not in self.standalone:
                raise ValueError(f"a fare of medium {medium!r} names operator {op!r}, which has no fare")
        seen: dict[tuple[str, str], str] = {}
        free_rule: dict[tuple[str, str], str] = {}
        adjust: dict[tuple[str, str], CategoryDiscount | CategoryFixed] = {}
        for c in self.categories:
            for op in c.operators:
                key = (c.category, op)
                if key in seen:
                    raise ValueError(
                        f"category {c.category!r} on {op!r} is in two category rules "
                        f"({seen[key]!r} and {c.id!r})"
                    )
                seen[key] = c.id
                if isinstance(c, CategoryFree):
                    free_rule[key] = c.id
                else:
                    adjust[key] = c
        object.__setattr__(self, "_window_of", MappingProxyType(window_of))
        object.__setattr__(self, "_free_rule", MappingProxyType(free_rule))
        object.__setattr__(self, "_adjust", MappingProxyType(adjust))

    def window_of(self, operator: str) -> WindowRule | None:
        """The window rule covering ``operator``, or ``None``."""
        return self._window_of.get(operator)

    def pass_for(self, leg: Leg) -> FarePass | None:
        """The pass that prices ``leg``: the rider's fare medium is a pass covering its operator."""
        if leg.media is None or not self.passes:
            return None
        fare_pass = self.passes.get(leg.media)
        return fare_pass if fare_pass is not None and leg.operator in fare_pass.operators else None

    def window_for(self, leg: Leg) -> WindowRule | None:
        """The window rule that prices ``leg``: the operator's rule, unless it needs a fare medium
        the leg was not made with (then the leg pays its own fare)."""
        rule = self._window_of.get(leg.operator)
        if rule is None or leg.media is None or not self.window_media:
            return rule
        needed = self.window_media.get(rule.id)
        return rule if needed is None or leg.media in needed else None

    def no_fare(self, leg: Leg) -> Charge | None:
        """The leg's charge when it has no fare product (its route's fare, or else its operator's,
        is :class:`NoFare`): 0, invisible to windows; ``None`` when the policy prices it."""
        fare = self.fare_of(leg)
        return fare.price(leg) if isinstance(fare, NoFare) else None

    def fare_of(self, leg: Leg) -> StandaloneFare:
        """The standalone fare that prices ``leg``: its route's own fare, else the fare of its
        operator for its fare medium, else its operator's."""
        if leg.route is not None and self.route_standalone:
            fare = self.route_standalone.get(leg.route)
            if fare is not None:
                return fare
        if leg.media is not None and self.media_standalone:
            fare = self.media_standalone.get((leg.media, leg.operator))
            if fare is not None:
                return fare
        return self.standalone[leg.operator]

    def exemption(self, category: str, operator: str) -> str | None:
        """Id of the category rule that makes this leg free, or ``None``."""
        return self._free_rule.get((category, operator))

    def own_fare(self, leg: Leg) -> Charge:
        """The leg's standalone fare (its route's, where the route has one, else its operator's)
        for its rider category: discounts and fixed fares applied
        (not exemptions, whose legs never reach a window).  The rule reads ``<fare rule>+<category
        rule>`` when a category rule changed the amount."""
        base = self.fare_of(leg).price(leg)
        adj = self._adjust.get((leg.category, leg.operator)) if self._adjust else None
        if adj is None or base.outcome is Outcome.NO_FARE:  # no fare product: nothing to discount
            return base
        if isinstance(adj, CategoryFixed):
            return Charge(adj.amount, f"{base.rule}+{adj.id}", base.outcome, base.source)
        off = (base.amount * adj.percent + 50) // 100  # rounded half up to the minor unit
        return Charge(base.amount - off, f"{base.rule}+{adj.id}", base.outcome, base.source)

    def standalone_charge(self, leg: Leg) -> Charge:
        """The leg's own fare, category rules (exemptions included) applied."""
        rule = self._free_rule.get((leg.category, leg.operator))
        if rule is not None:
            return charge(0, rule, Outcome.EXEMPT)
        return self.own_fare(leg)

    # ------------------------------------------------------------------ what callers may ask
    def fares(self) -> list[tuple[str, StandaloneFare]]:
        """Every standalone fare with the name it is keyed by: operators' fares, then routes', then
        the operators' fares by medium (keyed by the operator)."""
        by_medium = [(op, fare) for (_, op), fare in self.media_standalone.items()]
        return [*self.standalone.items(), *self.route_standalone.items(), *by_medium]

    def stop_priced(self) -> frozenset[str]:
        """Operators and routes whose fares depend on the boarding and alighting stops (an OD
        chain's operators included)."""
        chained = {op for w in self.windows if isinstance(w, OdChainWindow) for op in w.operators}
        return frozenset(name for name, fare in self.fares() if fare.needs_stops) | chained

    def metres_priced(self) -> frozenset[str]:
        """Operators whose standalone fare (for some medium) depends on the leg's distance."""
        by_medium = [(op, fare) for (_, op), fare in self.media_standalone.items()]
        return frozenset(op for op, fare in [*self.standalone.items(), *by_medium] if fare.needs_metres)

    def distance_operators(self) -> frozenset[str]:
        """Operators whose legs need a distance: priced by distance, or in a window priced by it."""
        windowed = {op for w in self.windows if isinstance(w, IntegratedWindow) for op in w.operators}
        return self.metres_priced() | windowed

    def time_bounds(self) -> dict[str, tuple[int, ...]]:
        """Per operator, clock times (s) where its standalone fare (for some medium) may change."""
        bounds: dict[str, set[int]] = {}
        by_medium = [(op, fare) for (_, op), fare in self.media_standalone.items()]
        for op, fare in [*self.standalone.items(), *by_medium]:
            bounds.setdefault(op, set()).update(fare.time_bounds())
        return {op: tuple(sorted(b)) for op, b in bounds.items() if b}

    def pair_problem(self, operator: str, route: str, board_stop: str, alight_stop: str) -> str | None:
        """Why a leg between two stops cannot be priced by its stop-priced fare, for people
        (``None``: it can, or its fare does not depend on stops)."""
        fare = self.route_standalone.get(route) if route and self.route_standalone else None
        name = route if fare is not None else operator
        fare = fare or self.standalone.get(operator)
        issue = None if fare is None or not fare.needs_stops else fare.pair_issue(board_stop, alight_stop)
        if issue is None:
            return None
        if issue.part == "zones":
            return f"stop {issue.stop!r} has no {name} zone"
        return f"no {name} fare from {board_stop!r} to {alight_stop!r}"

    def window_boarding_charge(self, operator: str) -> int | None:
        """What an integrated window charges for boarding (its ``base``, integer minor units) when
        ``operator`` opens one; ``None`` when the operator is in no integrated window."""
        w = self._window_of.get(operator)
        return w.base if isinstance(w, IntegratedWindow) else None

    def shortest_window(self) -> int | None:
        """The shortest window duration (s), ``None`` without windows."""
        return min((w.duration for w in self.windows), default=None)

    def longest_window(self) -> int | None:
        """The longest window duration (s), ``None`` without windows."""
        return max((w.duration for w in self.windows), default=None)

    def fare_caps(self) -> tuple[tuple[str, int], ...]:
        """(rule id, cap in minor units) of every rule that caps what a card pays: windows with a
        cap (cap and integrated windows), then daily caps; the order of the policy."""
        windows = [(w.id, w.cap) for w in self.windows if isinstance(w, (CapWindow, IntegratedWindow))]
        daily = [(c.id, c.cap) for c in self.period_caps if c.period == "day"]
        return tuple(windows + daily)

__all__ = [
    "DAY",
    "CapWindow",
    "CategoryDiscount",
    "CategoryFixed",
    "CategoryFree",
    "CategoryRule",
    "Charge",
    "DistanceFare",
    "FarePass",
    "FarePolicy",
    "FirstFareWindow",
    "FlatFare",
    "IntegratedWindow",
    "Leg",
    "NoFare",
    "OdChainWindow",
    "PairIssue",
    "PayDifferenceWindow",
    "PeriodCap",
    "StandaloneFare",
    "StationTableFare",
    "TimeBand",
    "TimeBandFare",
    "TransferMatrixWindow",
    "TransferPair",
    "TransferWindow",
    "WindowRule",
    "ZoneFare",
    "ZonePeriod",
    "charge",
    "joins",
]
