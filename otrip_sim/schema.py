"""The scenario schema: strict pydantic models of a scenario file.

Every model rejects unknown keys and is frozen.  Human units are accepted in the file and
converted once, here: clock times (``"05:00"``) and durations (``"5min"``, ``"3h"``) become integer
seconds, distances (``"15.7km"``) integer metres; money must already be an integer count of the
currency's minor unit (whole rupiah for IDR).  Cross-references between sections (an unknown stop,
operator or category) are checked by :mod:`otrip_sim.scenario`, which knows which file each record
came from.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from .units import parse_clock, parse_distance, parse_duration

SCHEMA_VERSION: Final = 1


def _money(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("money is an integer count of the currency's minor unit (e.g. 3500 for Rp 3,500)")
    if value < 0:
        raise ValueError("must be >= 0")
    return value


_clock_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                           {"type": "string", "pattern": r"^\d{1,3}:[0-5]\d(:[0-5]\d)?$"}]}
_duration_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "examples": ["90s", "5min", "3h", "01:30:00"]}]}
_distance_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "examples": ["500m", "15.7km"]}]}

Clock = Annotated[int, BeforeValidator(parse_clock), WithJsonSchema(_clock_schema)]
Duration = Annotated[int, BeforeValidator(parse_duration), WithJsonSchema(_duration_schema)]
Distance = Annotated[int, BeforeValidator(parse_distance), WithJsonSchema(_distance_schema)]
Money = Annotated[int, BeforeValidator(_money), WithJsonSchema({"type": "integer", "minimum": 0})]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]
FileRef = Annotated[str, Field(description="a file path, relative to the file that names it")]


def _no_overlap(bands: list[Any], what: str) -> None:
    """Bands with ``start``/``end`` (and maybe ``name``) must not overlap."""
    ordered = sorted(bands, key=lambda b: b.start)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            names = f" {a.name!r} and {b.name!r}" if hasattr(a, "name") else ""
            raise ValueError(f"{what}{names} overlap at {b.start} s")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------- meta
class Meta(Strict):
    """What the scenario is and which day it models."""

    name: Id
    title: str = ""
    description: str = ""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "IDR"
    year: int | None = Field(default=None, description="selects the routes of a multi-year network")
    seed: int = Field(default=0, ge=0, description="root random seed; `--seed` overrides it")
    service_start: Clock = Field(default=4 * 3600, description="first departure or trip start, e.g. '04:00'")
    service_end: Clock = Field(
        default=24 * 3600, description="end of the service day, e.g. '24:00' or '25:30'"
    )
    service_date: date = Field(
        default=None,
        description="the modelled day, for time stamps in the tap log (default: 1 January of meta.year, "
        "or of 2000)",
    )  # type: ignore[assignment]  # filled in below

    @model_validator(mode="after")
    def _span(self) -> Meta:
        if self.service_end <= self.service_start:
            raise ValueError("service_end must be after service_start")
        if self.service_date is None:
            object.__setattr__(self, "service_date", date(self.year or 2000, 1, 1))
        return self


class Operator(Strict):
    id: Id
    name: str = ""
    mode: Literal["bus", "brt", "microbus", "rail", "metro", "lrt", "coach", "ferry", "other"] = "bus"


# ------------------------------------------------------------------------------------------ network
class Stop(Strict):
    id: Id = Field(validation_alias="stop_id", serialization_alias="stop_id")
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    paid_area: str | None = Field(
        default=None, description="operator id whose paid area (gated station) the stop is in"
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HeadwayBand(Strict):
    start: Clock
    end: Clock
    every: Duration = Field(description="headway: one departure every …")

    @model_validator(mode="after")
    def _check(self) -> HeadwayBand:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.every <= 0:
            raise ValueError("every must be > 0")
        return self


class Route(Strict):
    """A line run in both directions (or one, with ``directions: forward``) along ordered stops."""

    id: Id
    name: str = ""
    operator: Id | dict[int, Id] = Field(description="operator id, or a mapping year -> operator id")
    years: list[int] | None = Field(
        default=None, description="years in which the route runs (all if omitted)"
    )
    stops: list[Id] = Field(min_length=2)
    length: Distance | None = Field(
        default=None, description="end-to-end length; split over segments by straight-line distance"
    )
    distances: list[Distance] | None = Field(
        default=None, description="per-segment lengths (one fewer than stops)"
    )
    speed_kmh: float | None = Field(
        default=None, gt=0, le=200, description="commercial speed including dwell"
    )
    run_times: list[Duration] | None = Field(default=None, description="per-segment run times incl. dwell")
    capacity: int = Field(gt=0, description="passengers per vehicle")
    headways: list[HeadwayBand] = Field(min_length=1)
    directions: Literal["both", "forward"] = "both"

    @model_validator(mode="after")
    def _check(self) -> Route:
        if len(set(self.stops)) != len(self.stops):
            raise ValueError("stops must be distinct within a route")
        if (self.length is None) == (self.distances is None):
            raise ValueError("give exactly one of length or distances")
        if (self.speed_kmh is None) == (self.run_times is None):
            raise ValueError("give exactly one of speed_kmh or run_times")
        segs = len(self.stops) - 1
        for name in ("distances", "run_times"):
            values = getattr(self, name)
            if values is not None and len(values) != segs:
                raise ValueError(f"{name} must have {segs} values, one per segment (got {len(values)})")
        _no_overlap(self.headways, "headway bands")
        if isinstance(self.operator, dict) and self.years is not None:
            missing = [y for y in self.years if y not in self.operator]
            if missing:
                raise ValueError(f"operator mapping has no entry for years {missing}")
        return self

    def operator_in(self, year: int | None) -> str:
        if isinstance(self.operator, str):
            return self.operator
        if year is None:
            raise ValueError("needs meta.year")
        earlier = [y for y in self.operator if y <= year]
        if not earlier:
            raise ValueError(f"no operator for year {year}")
        return self.operator[max(earlier)]

    def runs_in(self, year: int | None) -> bool:
        return self.years is None or year in self.years


class RoutesFile(Strict):
    routes: list[Route]


class WalkLink(Strict):
    from_stop: Id
    to_stop: Id
    walk_m: Distance
    note: str = ""


class Network(Strict):
    stops: FileRef | list[Stop] = Field(
        description="stops inline, or a CSV: stop_id,name,lat,lon[,paid_area]"
    )
    routes: FileRef | list[Route] = Field(description="routes inline, or a YAML file with a `routes:` list")
    walk_links: FileRef | list[WalkLink] = Field(
        default_factory=list, description="inline, or CSV: from_stop,to_stop,walk_m[,note]"
    )
    walk_radius: Distance = Field(
        default=0, description="also link every pair of stops closer than this (straight line × 1.3)"
    )


# ------------------------------------------------------------------------------------------- demand
class ZoneAccess(Strict):
    zone_id: Id
    name: str = ""
    stop_id: Id
    access_m: Distance


class ODRow(Strict):
    origin: Id
    destination: Id
    trips: float = Field(ge=0, description="journeys per day")


class ProfileBand(Strict):
    start: Clock
    end: Clock
    weight: float = Field(ge=0)


class Category(Strict):
    id: Id
    share: float = Field(ge=0, le=1)
    value_of_time: Money = Field(description="minor units per hour of travel time (> 0)")

    @model_validator(mode="after")
    def _check(self) -> Category:
        if self.value_of_time <= 0:
            raise ValueError("value_of_time must be > 0")
        return self


class ZoneRow(Strict):
    """A zone of a gravity model: where it is and how much it sends (population) and attracts (jobs)."""

    zone_id: Id
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    population: float = Field(ge=0)
    jobs: float = Field(ge=0)


class GravitySpec(Strict):
    """OD demand from a zone table: ``T_ij = total × P_i J_j e^(−β d_ij) / Σ`` over zone pairs
    (``i ≠ j``), each zone reaching its nearest stops within ``access_radius``."""

    zones: FileRef | list[ZoneRow] = Field(
        description="zone table, CSV: zone_id,name,lat,lon,population,jobs"
    )
    total: float = Field(gt=0, description="journeys per day, all zone pairs together")
    beta_per_km: float = Field(
        default=0.1, ge=0, le=10, description="distance decay per km between zone centres"
    )
    access_radius: Distance = Field(
        default=800, description="stops a zone reaches on foot (straight line × 1.3)"
    )
    max_access_stops: int = Field(default=3, ge=1, le=20)


class Demand(Strict):
    zones: FileRef | list[ZoneAccess] | None = Field(
        default=None,
        description="zone access stops (CSV: zone_id,name,stop_id,access_m); omit for OD by stop",
    )
    od: FileRef | list[ODRow] | None = Field(
        default=None, description="journeys per day by origin/destination (CSV: origin,destination,trips)"
    )
    gravity: GravitySpec | None = Field(
        default=None, description="instead of od and zones: a gravity model over a zone table"
    )
    profile: list[ProfileBand] = Field(min_length=1, description="time-of-day profile of departures")
    categories: list[Category] = Field(min_length=1)
    max_wait: Duration = Field(
        default=3600, description="a rider gives up after waiting this long at one stop"
    )

    @model_validator(mode="after")
    def _check(self) -> Demand:
        if (self.od is None) == (self.gravity is None):
            raise ValueError("give exactly one of od or gravity")
        if self.gravity is not None and self.zones is not None:
            raise ValueError("a gravity model finds its zones' access stops: drop zones")
        total = sum(c.share for c in self.categories)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"category shares must sum to 1 (got {total:g})")
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("category ids must be unique")
        if not any(b.weight > 0 for b in self.profile):
            raise ValueError("profile needs at least one band with weight > 0")
        _no_overlap(self.profile, "profile bands")
        for b in self.profile:
            if b.end <= b.start:
                raise ValueError("profile band end must be after start")
        return self


class Choice(Strict):
    """How riders pick among candidate paths: lowest generalized cost, in seconds of time.

    Cost = walk × walk_weight + wait × wait_weight + in-vehicle time + transfer_penalty per
    transfer + fare ÷ value of time, plus a Gumbel taste term of scale ``spread`` (0: everyone
    takes the cheapest path).
    """

    walk_speed: float = Field(default=1.2, gt=0, le=5, description="metres per second")
    walk_weight: float = Field(default=2.0, ge=0)
    wait_weight: float = Field(default=1.5, ge=0)
    transfer_penalty: Duration = 300
    max_transfers: int = Field(default=3, ge=0, le=6)
    max_paths: int = Field(default=5, ge=1, le=20)
    max_walk: Distance = Field(default=1000, description="longest walk of a transfer")
    spread: Duration = Field(default=300, description="scale of riders' random taste variation")


# -------------------------------------------------------------------------------------------- fares
class FlatSpec(Strict):
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
    from_stop: Id
    to_stop: Id
    amount: Money
    note: str = ""


class StationTableSpec(Strict):
    kind: Literal["station_table"]
    table: FileRef | list[TableRow] = Field(description="inline rows or CSV: from_stop,to_stop,amount[,note]")
    symmetric: bool = Field(default=True, description="a row also prices the reverse direction")


class ZoneStopRow(Strict):
    stop_id: Id
    zone: Id


class ZoneFareRow(Strict):
    from_zone: Id
    to_zone: Id
    amount: Money
    note: str = ""


class ZonesSpec(Strict):
    kind: Literal["zones"]
    zones: FileRef | list[ZoneStopRow] = Field(
        description="the zone of each stop: inline rows or CSV stop_id,zone"
    )
    fares: FileRef | list[ZoneFareRow] = Field(
        description="inline rows or CSV: from_zone,to_zone,amount[,note]"
    )
    symmetric: bool = Field(default=True, description="a row also prices the reverse direction")


StandaloneSpec = Annotated[
    FlatSpec | TimeBandSpec | DistanceStepsSpec | StationTableSpec | ZonesSpec, Field(discriminator="kind")
]


class CategoryFreeSpec(Strict):
    kind: Literal["free"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)


class CategoryDiscountSpec(Strict):
    kind: Literal["discount"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)
    percent: int = Field(gt=0, lt=100, description="whole percent off the standalone fare")


class CategoryFixedSpec(Strict):
    kind: Literal["fixed"]
    id: Id | None = Field(default=None, description="rule id shown in outputs (default category:<category>)")
    category: Id
    operators: list[Id] = Field(min_length=1)
    amount: Money = Field(description="the category's standalone fare on these operators")


CategorySpec = Annotated[
    CategoryFreeSpec | CategoryDiscountSpec | CategoryFixedSpec, Field(discriminator="kind")
]


class CapSpec(Strict):
    kind: Literal["cap"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration = Field(description="window length from its first tap-in (inclusive)")
    cap: Money


class IntegratedSpec(Strict):
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


class FirstFareSpec(Strict):
    kind: Literal["first_fare"]
    id: Id
    operators: list[Id] = Field(min_length=1)
    duration: Duration


class TransferFareSpec(Strict):
    """What a transfer leg pays: ``free``; ``fixed`` (``amount`` instead of its own fare, never
    more); ``discount`` (``percent`` off its own fare); ``surcharge`` (own fare plus ``amount``)."""

    kind: Literal["free", "fixed", "discount", "surcharge"] = "free"
    amount: Money = 0
    percent: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _check(self) -> TransferFareSpec:
        if self.kind == "discount" and not self.percent:
            raise ValueError("a discount needs percent (1-100)")
        if self.kind in ("fixed", "surcharge") and "amount" not in self.model_fields_set:
            raise ValueError(f"a {self.kind} transfer fare needs amount")
        return self


class TransferSpec(Strict):
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


WindowSpec = Annotated[CapSpec | IntegratedSpec | FirstFareSpec | TransferSpec, Field(discriminator="kind")]


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


class MediaSpec(Strict):
    """A fare medium (card type) riders may hold, with the share of riders holding it."""

    id: Id
    share: float = Field(ge=0, le=1)
    unlocks: list[Id] = Field(
        default_factory=list, description="window rules that need this medium (or another one unlocking them)"
    )


class RouteFareSpec(Strict):
    """A standalone fare for some routes (a service), instead of their operator's."""

    routes: list[Id] = Field(min_length=1)
    fare: StandaloneSpec


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

    @model_validator(mode="after")
    def _media(self) -> Fares:
        if self.media:
            total = sum(m.share for m in self.media)
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"media shares must sum to 1 (got {total:g})")
            if len({m.id for m in self.media}) != len(self.media):
                raise ValueError("media ids must be unique")
        return self


# ------------------------------------------------------------------------------------------- money
class ContractSpec(Strict):
    """How an operator is paid (see docs/money.md).

    * ``gross_cost`` — buy-the-service: the payer pays ``rate_per_vehicle_km`` × vehicle-km +
      ``rate_per_vehicle_hour`` × vehicle-hours; the fares cleared to the operator go to the payer.
    * ``deficit`` — public-service obligation: the payer pays the operator's cost
      (``cost_per_vehicle_km`` × vehicle-km + ``cost_per_vehicle_hour`` × vehicle-hours, plus
      ``margin_percent``) minus the fares cleared to it (negative: the operator returns a surplus).
    * ``net_cost`` — the operator keeps its cleared fares plus ``top_up_per_passenger`` × passengers
      (tap-ins; a change inside the paid area is the same passenger).
    * ``farebox`` — the operator keeps its fares; no payment.
    """

    kind: Literal["gross_cost", "deficit", "net_cost", "farebox"]
    payer: Literal["city", "national"] = "city"
    rate_per_vehicle_km: Money = 0
    rate_per_vehicle_hour: Money = 0
    cost_per_vehicle_km: Money | None = Field(
        default=None, description="operator's cost rate; deficit contracts need it"
    )
    cost_per_vehicle_hour: Money = 0
    margin_percent: float = Field(default=0.0, ge=0, le=100)
    top_up_per_passenger: Money = 0
    min_km_per_vehicle: Distance | None = Field(
        default=None, description="target km per vehicle per day (gross_cost)"
    )
    shortfall_deduction_percent: float = Field(
        default=0.0, ge=0, le=100, description="payment deducted when the target is missed"
    )

    @model_validator(mode="after")
    def _check(self) -> ContractSpec:
        if self.kind == "deficit" and self.cost_per_vehicle_km is None:
            raise ValueError("a deficit contract needs cost_per_vehicle_km")
        if self.kind == "gross_cost" and not (self.rate_per_vehicle_km or self.rate_per_vehicle_hour):
            raise ValueError("a gross_cost contract needs rate_per_vehicle_km or rate_per_vehicle_hour")
        return self


CLEARING_METHODS = (
    "km_share", "boardings", "standalone_share", "equal", "first_keeps_boarding", "fixed_shares"
)


class ClearingSpec(Strict):
    """How the charge of each fare window is apportioned among the operators of its legs."""

    method: Literal[  # as CLEARING_METHODS
        "km_share", "boardings", "standalone_share", "equal", "first_keeps_boarding", "fixed_shares"
    ] = "km_share"
    shares: dict[Id, float] = Field(default_factory=dict, description="fixed_shares: operator -> weight")

    @model_validator(mode="after")
    def _check(self) -> ClearingSpec:
        if self.method == "fixed_shares" and not self.shares:
            raise ValueError("method fixed_shares needs shares")
        if any(v < 0 for v in self.shares.values()):
            raise ValueError("shares must be >= 0")
        return self


class MoneySpec(Strict):
    """Operators' contracts, revenue clearing and fare evasion."""

    contracts: dict[Id, ContractSpec] = Field(
        default_factory=dict, description="operator id -> contract (default: farebox)"
    )
    clearing: ClearingSpec = Field(default_factory=ClearingSpec)
    fare_evasion: dict[Id, float] = Field(
        default_factory=dict, description="operator id -> share of boardings without a tap"
    )

    @model_validator(mode="after")
    def _check(self) -> MoneySpec:
        for op, share in self.fare_evasion.items():
            if not 0 <= share <= 1:
                raise ValueError(f"fare_evasion.{op} must be between 0 and 1")
        return self


# ------------------------------------------------------------------------------------- validation
class ValidationTarget(Strict):
    """A published figure to compare the model with (written to ``validation.csv``).

    Metrics: ``fare_per_boarding`` (operator; every boarding, paid-area changes included),
    ``fare_per_tap`` (operator; per tap-in, as operators count ridership), ``feeder_share``
    (share of the operator's journeys that also use ``feeder``), ``boardings`` (per day,
    operator), ``journeys`` (per day), ``boardings_per_journey``, ``category_share`` (share of
    journeys by ``category``).
    ``scope_share`` scales a city-wide published total to the modelled subset.
    """

    metric: Literal[
        "fare_per_boarding", "fare_per_tap", "feeder_share", "boardings", "taps", "journeys",
        "subsidy_per_tap", "boardings_per_journey", "category_share",
    ]
    operator: Id | None = None
    feeder: Id | None = None
    category: Id | None = None
    published: float
    scope_share: float = Field(default=1.0, gt=0, le=1)
    unit: str = ""
    source: str = Field(description="key of the fact in docs/sources.md")
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> ValidationTarget:
        needs = {
            "fare_per_boarding": ("operator",), "fare_per_tap": ("operator",),
            "feeder_share": ("operator", "feeder"), "boardings": ("operator",), "taps": ("operator",),
            "subsidy_per_tap": ("operator",), "category_share": ("category",),
        }.get(self.metric, ())
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"metric {self.metric!r} needs {name}")
        return self


# ----------------------------------------------------------------------------------------- scenario
class Scenario(Strict):
    """A complete otrip-sim scenario (see docs/scenario.md)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    meta: Meta
    operators: list[Operator] = Field(min_length=1)
    network: Network
    demand: Demand
    choice: Choice = Field(default_factory=Choice)
    fares: Fares
    money: MoneySpec = Field(default_factory=MoneySpec)
    validation: list[ValidationTarget] = Field(default_factory=list)
