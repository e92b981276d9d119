"""The ``fares`` section of a scenario: standalone fares, category rules, windows, period caps,
passes, fare media and route fares, as strict pydantic models (compiled into fare rules by
:mod:`otrip_sim.policy`)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import Clock, Distance, Duration, FileRef, Id, Money, Strict, _no_overlap


class FlatSpec(Strict):
    """A flat standalone fare: ``amount`` (minor units) for every tap-in."""

    kind: Literal["flat"]
    amount: Money


class BandSpec(Strict):
    """A fare time band on the clock of one day (a band across midnight is written as two)."""

    name: Id
    start: Clock
    end: Clock
    amount: Money

    @model_validator(mode="after")
    def _check(self) -> BandSpec:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.end > 24 * 3600:
            raise ValueError("a fare time band must end by 24:00 (split a band across midnight in two)")
        return self


class TimeBandSpec(Strict):
    """A standalone fare by time of day: ``default`` (minor units), replaced by each band's ``amount``
    for tap-ins inside it."""

    kind: Literal["time_band"]
    default: Money
    bands: list[BandSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> TimeBandSpec:
        _no_overlap(self.bands, "time bands")
        if len({b.name for b in self.bands}) != len(self.bands):
            raise ValueError("band names must be unique")
        return self


class DistanceStepsSpec(Strict):
    """A standalone fare by distance: ``base`` up to ``base_distance``, plus ``step_amount`` per started
    ``step`` beyond, optionally capped (minor units, metres)."""

    kind: Literal["distance_steps"]
    base: Money
    base_distance: Distance = Field(description="distance covered by the base fare")
    step: Distance = Field(description="each started step beyond base_distance adds step_amount")
    step_amount: Money
    cap: Money | None = Field(default=None, description="maximum fare; also charged for a missing tap-out")

    @model_validator(mode="after")
    def _check(self) -> DistanceStepsSpec:
        if self.step <= 0:
            raise ValueError("step must be > 0")
        if self.cap is not None and self.cap < self.base:
            raise ValueError("cap must be >= base")
        return self


class TableRow(Strict):
    """One row of a station table (``from_stop``, ``to_stop``, ``amount`` in minor units)."""

    from_stop: Id
    to_stop: Id
    amount: Money
    note: str = ""


class StationTableSpec(Strict):
    """A station-to-station standalone fare: a table file, optionally symmetric (a row prices both
    directions)."""

    kind: Literal["station_table"]
    table: FileRef | list[TableRow] = Field(description="inline rows or CSV: from_stop,to_stop,amount[,note]")
    symmetric: bool = Field(default=True, description="a row also prices the reverse direction")


class ZoneStopRow(Strict):
    """One row of a zones file: the fare zone ``zone`` of stop ``stop_id``."""

    stop_id: Id
    zone: Id


class ZoneFareRow(Strict):
    """One row of a zone fare table: ``amount`` (minor units) from ``from_zone`` to ``to_zone``, in
    the named ``period`` of the zone fare (empty: at any other time)."""

    from_zone: Id
    to_zone: Id
    amount: Money
    period: Id | Literal[""] = ""
    note: str = ""


class ZonePeriodSpec(Strict):
    """A time range of a named period of zone fares (peak, off-peak), by the tap-in or the tap-out."""

    name: Id
    start: Clock
    end: Clock
    days: Literal["all", "weekdays", "weekends"] = Field(
        default="all", description="weekdays: Monday to Friday (day 0 of the data is a Monday)"
    )
    by: Literal["board", "alight"] = Field(
        default="board", description="which time decides: the tap-in, or the tap-out (the tap-in if unknown)"
    )

    @model_validator(mode="after")
    def _check(self) -> ZonePeriodSpec:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.end > 24 * 3600:
            raise ValueError("a period must end by 24:00 (split a period across midnight in two)")
        return self


class ZonesSpec(Strict):
    """A zone-to-zone standalone fare: stops' zones and the fares between zones (file references)."""

    kind: Literal["zones"]
    zones: FileRef | list[ZoneStopRow] = Field(
        description="the zone of each stop: inline rows or CSV stop_id,zone"
    )
    periods: list[ZonePeriodSpec] = Field(
        default_factory=list, description="named periods of the day whose rows price legs in them (peak)"
    )
    symmetric: bool = Field(default=True, description="a row also prices the reverse direction")
    fares: FileRef | list[ZoneFareRow] = Field(
        description="inline rows or CSV: from_zone,to_zone,amount[,period][,note]"
    )

    @field_validator("fares")
    @classmethod
    def _periods(cls, fares: str | list[ZoneFareRow], info: ValidationInfo) -> str | list[ZoneFareRow]:
        if isinstance(fares, str):
            return fares  # a file not read yet: checked once the loader has read it
        names = {p.name for p in info.data.get("periods", [])}
        symmetric = info.data.get("symmetric", True)
        seen: set[tuple[str, str, str]] = set()
        for i, row in enumerate(fares):
            if row.period and row.period not in names:
                known = f" (declared: {sorted(names)})" if names else " (the fare declares no periods)"
                raise ValueError(f"row {i + 1}: unknown period {row.period!r}{known}")
            key = (row.from_zone, row.to_zone, row.period)
            if row.period and key in seen:
                raise ValueError(f"row {i + 1}: a second fare from {row.from_zone!r} to {row.to_zone!r}"
                                 + (f" in period {row.period!r}" if row.period else ""))
            seen.add(key)
        for a, b, period in seen:
            if period and (a, b, "") not in seen and not (symmetric and (b, a, "") in seen):
                raise ValueError(f"zones {a!r} to {b!r} have a {period!r} fare but none for other times "
                                 "(add a row without period)")
        return fares


class NoFareSpec(Strict):
    """No fare product: the operator's (or routes') legs are not priced — reported as such (rule
    ``<id>:no_fare``, 0, outside every window), not an error (a free shuttle, a feed without a rule)."""

    kind: Literal["none"]


StandaloneSpec = Annotated[
    FlatSpec | TimeBandSpec | DistanceStepsSpec | StationTableSpec | ZonesSpec | NoFareSpec,
    Field(discriminator="kind"),
]


class CategoryFreeSpec(Strict):
    """A category rule: riders of ``category`` ride ``operators`` free (the legs are invisible to
    windows)."""

    kind: Literal["free"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)


class CategoryDiscountSpec(Strict):
    """A category rule: riders of ``category`` pay ``percent`` % less than the standalone fare on
    ``operators``."""

    kind: Literal["discount"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)
    percent: int = Field(gt=0, lt=100, description="whole percent off the standalone fare")


class CategoryFixedSpec(Strict):
    """A category rule: riders of ``category`` pay ``amount`` (minor units) as their standalone fare on
    ``operators``."""

    kind: Literal["fixed"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)
    amount: Money = Field(description="the category's standalone fare on these operators")


CategorySpec = Annotated[
    CategoryFreeSpec | CategoryDiscountSpec | CategoryFixedSpec, Field(discriminator="kind")
]


class WindowBoundary(Strict):
    """What every window rule says about its time limit: ``inclusive`` (a tap exactly ``duration``
    after the window's start still joins, the default) or ``exclusive`` ("within 2 hours" meaning
    less than 120 minutes, as ORCA's)."""

    duration: Duration
    boundary: Literal["inclusive", "exclusive"] = Field(
        default="inclusive",
        description="inclusive: a tap exactly `duration` after the start still joins; exclusive: only "
        "taps less than `duration` after it",
    )

    @model_validator(mode="after")
    def _boundary(self) -> WindowBoundary:
        if self.boundary == "exclusive" and self.duration < 1:
            raise ValueError("an exclusive boundary needs a duration of at least 1 s")
        return self

    def limit(self) -> int:
        """The last second after the window's start a tap may still join, integer seconds
        (times are whole seconds, so "less than ``duration``" is "at most ``duration`` − 1")."""
        return self.duration - 1 if self.boundary == "exclusive" else self.duration


class CapSpec(WindowBoundary):
    """An OK OTrip style window: within ``duration`` of the first tap-in, the covered taps pay at most
    ``cap`` (minor units) in all."""

    kind: Literal["cap"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration = Field(description="window length from its first tap-in (inclusive)")
    cap: Money


class IntegratedSpec(WindowBoundary):
    """A JakLingko style window: with at least ``min_operators`` operators within ``duration``, the
    window costs min(``cap``, ``base`` + ``per_km`` × km)."""

    kind: Literal["integrated"]
    id: Id
    operators: list[Id] = Field(min_length=2)
    duration: Duration
    base: Money
    per_km: Money
    cap: Money
    min_operators: int = Field(default=2, ge=1)
    first_leg_weight: Distance = Field(
        default=10_000, description="settlement weight added to the window's first leg"
    )
    cheaper_of_standalone: bool = Field(
        default=False, description="charge the legs' standalone fares when they total less"
    )

    @model_validator(mode="after")
    def _check(self) -> IntegratedSpec:
        if self.cap < self.base:
            raise ValueError(f"cap must be >= base ({self.base})")
        if self.min_operators > len(set(self.operators)):
            raise ValueError("min_operators exceeds the number of operators listed")
        return self


class FirstFareSpec(WindowBoundary):
    """An OK OTrip as-operated window: the first tap pays its standalone fare, later covered taps within
    ``duration`` ride free."""

    kind: Literal["first_fare"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration


class TransferFareSpec(Strict):
    """What a transfer leg pays: ``free``; ``fixed`` (``amount`` instead of its own fare, never
    more); ``discount`` (``percent`` off its own fare, or ``amount`` off it, never below 0: GTFS's
    negative transfer product); ``surcharge`` (own fare plus ``amount``)."""

    kind: Literal["free", "fixed", "discount", "surcharge"] = "free"
    amount: Money = 0
    percent: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> TransferFareSpec:
        if self.kind == "discount" and not self.percent and "amount" not in self.model_fields_set:
            raise ValueError("a discount needs percent (1-100) or amount")
        if self.kind == "discount" and self.percent and "amount" in self.model_fields_set:
            raise ValueError("a discount has percent or amount, not both")
        if self.kind in ("fixed", "surcharge") and "amount" not in self.model_fields_set:
            raise ValueError(f"a {self.kind} transfer fare needs amount")
        return self


class TransferSpec(WindowBoundary):
    """A transfer rule (GTFS Fares v2 style): later legs within ``duration`` pay the transfer fare, for
    at most ``max_transfers`` transfers."""

    kind: Literal["transfer"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration
    duration_limit_type: Literal["first_tap", 0, 1, 2, 3] = Field(
        default="first_tap",
        description="first_tap: from the chain's first tap-in; 0-3: GTFS duration_limit_type (from the "
        "previous leg's departure (0, 1) or arrival (2, 3) to the next leg's departure (1, 2) or arrival "
        "(0, 3))",
    )
    transfer_fare: TransferFareSpec = Field(default_factory=TransferFareSpec)
    max_transfers: int | None = Field(
        default=None, ge=0, description="transfers allowed in a chain (none: unlimited)"
    )


class PayDifferenceSpec(WindowBoundary):
    """Pay the difference (ORCA, Houston): the first tap pays its own fare, a later tap within
    ``duration`` pays only what its own fare exceeds the dearest fare already covered; with
    ``restart`` a tap that paid a difference restarts the window."""

    kind: Literal["pay_difference"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration = Field(description="window length from its start (inclusive)")
    restart: bool = Field(
        default=False,
        description="a tap that paid a difference restarts the window (ORCA's transfer extension)",
    )


class PairFareSpec(Strict):
    """What a transfer between a pair of operators pays: ``free``; ``fixed`` (``amount`` instead of
    its own fare, never more); ``discount`` (``percent`` off its own fare); ``pay_difference``
    (what its own fare exceeds the previous leg's)."""

    kind: Literal["free", "fixed", "discount", "pay_difference"] = "free"
    amount: Money = 0
    percent: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> PairFareSpec:
        if self.kind == "discount" and not self.percent:
            raise ValueError("a discount needs percent (1-100)")
        if self.kind == "fixed" and "amount" not in self.model_fields_set:
            raise ValueError("a fixed transfer fare needs amount")
        return self


class TransferPairSpec(Strict):
    """Transfers from each operator of ``from`` to each of ``to``: their fare and, optionally,
    their own time limit from the previous tap-in."""

    from_: list[Id] = Field(min_length=1, validation_alias="from", serialization_alias="from")
    to: list[Id] = Field(min_length=1)
    fare: PairFareSpec = Field(default_factory=PairFareSpec)
    duration: Duration | None = Field(
        default=None, description="the most time from the previous leg's tap-in (none: the rule's limit only)"
    )


class TransferMatrixSpec(WindowBoundary):
    """Transfers priced by the pair (from operator, to operator), with a limit of rides per window
    (Atlanta's Breeze transfer matrix)."""

    kind: Literal["transfer_matrix"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration = Field(description="window length from its first tap-in")
    pairs: list[TransferPairSpec] = Field(min_length=1)
    max_rides: int | None = Field(default=None, ge=1, description="legs per window, the first included")
    max_rides_from: dict[Id, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict, description="operator of the window's first leg -> its own ride limit"
    )

    @model_validator(mode="after")
    def _check(self) -> TransferMatrixSpec:
        ops = set(self.operators)
        seen: dict[tuple[str, str], int] = {}
        for i, pair in enumerate(self.pairs):
            for side, names in (("from", pair.from_), ("to", pair.to)):
                for j, op in enumerate(names):
                    if op not in ops:
                        raise ValueError(f"pairs[{i}].{side}[{j}]: {op!r} is not one of the rule's operators")
            for a in pair.from_:
                for b in pair.to:
                    if (a, b) in seen:
                        raise ValueError(
                            f"pairs[{i}]: the transfer {a} -> {b} is already in pairs[{seen[(a, b)]}]"
                        )
                    seen[(a, b)] = i
        for op in self.max_rides_from:
            if op not in ops:
                raise ValueError(f"max_rides_from: {op!r} is not one of the rule's operators")
        return self

    def pair_limit(self, pair: TransferPairSpec) -> int | None:
        """A pair's own time limit as the last second a tap may join (the rule's boundary applied)."""
        if pair.duration is None:
            return None
        return pair.duration - 1 if self.boundary == "exclusive" else pair.duration


class JoinSpec(Strict):
    """Changes from each operator of ``from`` to each of ``to`` that continue an OD chain, at the
    stops ``at`` (empty: anywhere)."""

    from_: list[Id] = Field(min_length=1, validation_alias="from", serialization_alias="from")
    to: list[Id] = Field(min_length=1)
    at: list[Id] = Field(default_factory=list, description="stops where the change may happen (empty: any)")


class OdChainSpec(WindowBoundary):
    """An origin-destination fare over a chain of legs (GTFS fare_leg_join_rules): consecutive legs on
    ``operators`` priced as one, by ``fare`` from the first boarding stop to the last alighting stop."""

    kind: Literal["od_chain"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration = Field(description="chain length from its first tap-in")
    fare: StandaloneSpec = Field(description="a station_table or zones fare between the chain's end stops")
    joins: list[JoinSpec] = Field(default_factory=list, description="allowed changes (empty: any)")
    max_legs: int | None = Field(default=None, ge=2, description="legs a chain may have")

    @model_validator(mode="after")
    def _check(self) -> OdChainSpec:
        if self.fare.kind not in ("station_table", "zones"):
            raise ValueError(f"fare: an OD chain is priced between stops: a station_table or zones fare "
                             f"(got {self.fare.kind})")
        ops = set(self.operators)
        seen: set[tuple[str, str]] = set()
        for i, join in enumerate(self.joins):
            for side, names in (("from", join.from_), ("to", join.to)):
                for j, op in enumerate(names):
                    if op not in ops:
                        raise ValueError(f"joins[{i}].{side}[{j}]: {op!r} is not one of the rule's operators")
            for pair in ((a, b) for a in join.from_ for b in join.to):
                if pair in seen:
                    raise ValueError(f"joins[{i}]: the change {pair[0]} -> {pair[1]} is listed twice")
                seen.add(pair)
        return self


WindowSpec = Annotated[
    CapSpec | IntegratedSpec | FirstFareSpec | TransferSpec | PayDifferenceSpec | TransferMatrixSpec
    | OdChainSpec,
    Field(discriminator="kind"),
]


class PeriodCapSpec(Strict):
    """At most ``cap`` per day or week on ``operators`` (applied after every other rule)."""

    id: Id
    kind: Literal["daily", "weekly", "rolling_week"]
    operators: list[Id] = Field(min_length=1)
    cap: Money
    day_start: Clock = Field(default=4 * 3600, description="when a capping day starts, e.g. '04:00'")

    @model_validator(mode="after")
    def _check(self) -> PeriodCapSpec:
        if self.day_start >= 24 * 3600:
            raise ValueError("day_start must be before 24:00")
        return self


class PassSpec(Strict):
    """A pass (day, week or N-day) valid on a set of operators; riders hold it as their fare medium."""

    id: Id = Field(description="also the fare medium id of its holders")
    operators: list[Id] = Field(min_length=1)
    price: Money
    validity: Literal["day", "week", "days"] = "day"
    days: int = Field(
        default=1, ge=1, le=366, description="validity 'days': service days from the day of first use"
    )
    day_start: Clock = Field(default=4 * 3600, description="when a service day starts")


TidesMedia = Literal[
    "Cash or coins", "Smart card or ticket", "Magnetic-stripe card or ticket", "Bank card", "Mobile NFC",
    "Optical scan", "Button pressed by driver or operator to indicate a boarding or alighting passenger.",
    "Other type",
]
"""The values TIDES allows in ``fare_transactions.fare_media_id`` (an enumeration of media types)."""
TIDES_MEDIA: tuple[str, ...] = get_args(TidesMedia)
DEFAULT_TIDES_MEDIA: TidesMedia = "Smart card or ticket"
"""The ``fare_media_id`` of taps made with a medium that names none, or with no declared medium."""


class MediaSpec(Strict):
    """A fare medium (card type) riders may hold, with the share of riders holding it."""

    id: Id
    share: float = Field(ge=0, le=1)
    tides_media: TidesMedia = Field(
        default=DEFAULT_TIDES_MEDIA,
        description="the TIDES fare_media_id (media type) of taps made with it, e.g. 'Optical scan' for an "
        "app's QR code, 'Cash or coins', 'Bank card'",
    )
    unlocks: list[Id] = Field(
        default_factory=list, description="window rules that need this medium (or another one unlocking them)"
    )


class RouteFareSpec(Strict):
    """A standalone fare for some routes (a service), instead of their operator's."""

    routes: list[Id] = Field(min_length=1)
    fare: StandaloneSpec


class MediaFareSpec(Strict):
    """A standalone fare for legs made with some fare media (cash, a paper ticket) on some operators,
    instead of the operator's (SF Muni: USD 3.00 cash, USD 2.50 Clipper)."""

    media: list[Id] = Field(min_length=1, description="fare media ids of fares.media (or passes)")
    operators: list[Id] = Field(min_length=1)
    fare: StandaloneSpec

    @model_validator(mode="after")
    def _check(self) -> MediaFareSpec:
        if self.fare.kind in ("station_table", "zones"):
            raise ValueError(f"fare: a {self.fare.kind} fare cannot be priced by medium "
                             "(flat, time_band, distance_steps or none)")
        return self


class Fares(Strict):
    """The fare policy: standalone fares, category rules, then window rules (see docs/fares.md)."""

    name: Id
    standalone: dict[Id, StandaloneSpec] = Field(description="operator id -> its standalone fare")
    route_fares: list[RouteFareSpec] = Field(
        default_factory=list, description="routes with a standalone fare of their own"
    )
    categories: list[CategorySpec] = Field(default_factory=list)
    windows: list[WindowSpec] = Field(default_factory=list)
    caps: list[PeriodCapSpec] = Field(
        default_factory=list, description="daily / weekly caps per card (Oyster style)"
    )
    passes: list[PassSpec] = Field(
        default_factory=list, description="day / week / N-day passes (held as a fare medium)"
    )
    media: list[MediaSpec] = Field(
        default_factory=list,
        description="card types and the share of riders holding each; a window rule unlocked by some medium "
        "applies only to legs made with one",
    )
    media_fares: list[MediaFareSpec] = Field(
        default_factory=list, description="standalone fares by fare medium (cash, card) on some operators"
    )

    @model_validator(mode="after")
    def _media(self) -> Fares:
        if self.media:
            total = sum(m.share for m in self.media)
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"media shares must sum to 1 (got {total:g})")
            if len({m.id for m in self.media}) != len(self.media):
                raise ValueError("media ids must be unique")
        known = {m.id for m in self.media} | {p.id for p in self.passes}
        seen: dict[tuple[str, str], int] = {}
        for i, mf in enumerate(self.media_fares):
            for j, medium in enumerate(mf.media):
                if medium not in known:
                    raise ValueError(f"media_fares[{i}].media[{j}]: unknown fare medium {medium!r} "
                                     f"(declared in fares.media: {sorted(known)})")
            for j, op in enumerate(mf.operators):
                if op not in self.standalone:
                    raise ValueError(f"media_fares[{i}].operators[{j}]: unknown operator {op!r}")
                for medium in mf.media:
                    if (medium, op) in seen:
                        raise ValueError(f"media_fares[{i}]: {op} on {medium!r} already has a fare in "
                                         f"media_fares[{seen[(medium, op)]}]")
                    seen[(medium, op)] = i
        return self


