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
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator

from .base import (
    MAX_COUNT,
    MAX_YEAR,
    MIN_YEAR,
    SCHEMA_VERSION,
    Clock,
    Count,
    Distance,
    Duration,
    FileRef,
    Id,
    Money,
    Strict,
    Year,
    _no_overlap,
)
from .behaviour import Calibration, Choice, Crowding, Modes, SegmentShare, check_behaviour
from .fares import (
    BandSpec,
    CapSpec,
    CategoryDiscountSpec,
    CategoryFixedSpec,
    CategoryFreeSpec,
    CategorySpec,
    DistanceStepsSpec,
    Fares,
    FirstFareSpec,
    FlatSpec,
    IntegratedSpec,
    MediaSpec,
    PassSpec,
    PeriodCapSpec,
    RouteFareSpec,
    StandaloneSpec,
    StationTableSpec,
    TableRow,
    TimeBandSpec,
    TransferFareSpec,
    TransferSpec,
    WindowSpec,
    ZoneFareRow,
    ZonesSpec,
    ZoneStopRow,
)
from .network import BackgroundBand, HeadwayBand, Network, Route, RoutesFile, Stop, WalkLink


# --------------------------------------------------------------------------------------------- meta
class Meta(Strict):
    """What the scenario is and which day it models."""

    name: Id
    title: str = ""
    description: str = ""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "IDR"
    timezone: str = Field(default="Asia/Jakarta", description="IANA time zone of the service day: the UTC "
                          "offset of tap-log time stamps and the agency_timezone of a GTFS export")
    year: Year | None = Field(default=None, description="selects the routes of a multi-year network")
    period: str = Field(default="", max_length=200,
                        description="the period the scenario's supply, demand, fares and money are of, "
                        "e.g. 'Sep-Oct 2022, an average weekday'")
    counterfactual: bool = Field(
        default=False,
        description="fares never in force with this network and demand (a design rule, a fare-only "
        "counterfactual): it carries no validation targets of its own",
    )
    demand_basis: Literal["absolute", "pivot"] = Field(
        default="absolute", description="with mode choice: the OD table is all-mode travel (absolute) or "
        "public-transport journeys the model pivots from (pivot; docs/model.md)")
    seed: int = Field(default=0, ge=0, le=2**63 - 1, description="root random seed; `--seed` overrides it")
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
        try:
            ZoneInfo(self.timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"timezone: not an IANA time zone (got {self.timezone!r})") from None
        if self.service_date is None:
            object.__setattr__(self, "service_date", date(self.year or 2000, 1, 1))
        return self


class Operator(Strict):
    """An operator: ``id`` (used by routes, fares and money), ``name``, ``mode``."""

    id: Id
    name: str = ""
    mode: Literal["bus", "brt", "microbus", "rail", "metro", "lrt", "coach", "ferry", "other"] = "bus"


# ------------------------------------------------------------------------------------------- demand
class ZoneAccess(Strict):
    """How a demand zone reaches a stop (a row of ``zones.csv``): ``access_m`` whole metres of walking."""

    zone_id: Id
    name: str = ""
    stop_id: Id
    access_m: Distance


class ODRow(Strict):
    """One origin–destination pair of the demand table (a row of ``od.csv``): ``trips`` per day."""

    origin: Id
    destination: Id
    trips: float = Field(ge=0, le=MAX_COUNT, description="journeys per day")


class ProfileBand(Strict):
    """A departure-time band of the demand profile: journeys leave between ``start`` and ``end``
    (clock, s) in proportion to the band's ``weight``."""

    start: Clock
    end: Clock
    weight: float = Field(ge=0, le=MAX_COUNT)


class Category(Strict):
    """A rider category: ``share`` of journeys and ``value_of_time`` (minor units per hour)."""

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
    population: float = Field(ge=0, le=MAX_COUNT)
    jobs: float = Field(ge=0, le=MAX_COUNT)


class GravitySpec(Strict):
    """OD demand from a zone table: ``T_ij = total × P_i J_j e^(−β d_ij) / Σ`` over zone pairs
    (``i ≠ j``), each zone reaching its nearest stops within ``access_radius``."""

    zones: FileRef | list[ZoneRow] = Field(
        description="zone table, CSV: zone_id,name,lat,lon,population,jobs"
    )
    total: float = Field(gt=0, le=MAX_COUNT, description="journeys per day, all zone pairs together")
    beta_per_km: float = Field(
        default=0.1, ge=0, le=10, description="distance decay per km between zone centres"
    )
    access_radius: Distance = Field(
        default=800, description="stops a zone reaches on foot (straight line × 1.3)"
    )
    max_access_stops: int = Field(default=3, ge=1, le=20)


class ActivityTime(Strict):
    """How long a person stays somewhere: log-normal with ``mean`` and ``sd``, cut to
    ``[min, max]`` (integer seconds)."""

    mean: Duration = Field(description="mean stay, e.g. '510min' or '8h'")
    sd: Duration = Field(default=0, description="standard deviation (0: everyone stays ``mean``)")
    min: Duration = Field(default=0, description="shortest stay")
    max: Duration = Field(default=24 * 3600, description="longest stay")

    @model_validator(mode="after")
    def _check(self) -> ActivityTime:
        if self.mean <= 0:
            raise ValueError("mean must be > 0")
        if not self.min <= self.mean <= self.max:
            raise ValueError(f"need min <= mean <= max (got {self.min} s, {self.mean} s, {self.max} s)")
        return self


class Purpose(Strict):
    """A tour purpose: its ``share`` of tours, when tours leave home (``profile``; default: the
    demand's), how long the person stays (``activity``), and the ``intermediate`` share of tours
    that stop somewhere on the way home for ``stop``."""

    id: Id
    share: float = Field(ge=0, le=1)
    profile: list[ProfileBand] | None = Field(
        default=None, description="departure from home of this purpose's tours (default: demand.profile)")
    activity: ActivityTime
    intermediate: float = Field(default=0.0, ge=0, le=1,
                                description="share of tours with a stop on the way home")
    stop: ActivityTime | None = Field(default=None, description="how long the stop on the way home lasts")

    @model_validator(mode="after")
    def _check(self) -> Purpose:
        if self.intermediate > 0 and self.stop is None:
            raise ValueError("a purpose with intermediate > 0 needs stop (how long the stop lasts)")
        if self.profile is not None:
            _check_profile(self.profile)
        return self


class Tours(Strict):
    """Persons and their day: every person leaves home on a tour (outbound, activity, return —
    optionally a stop on the way home) and ``second_tour`` of them make a second one after
    ``home`` time at home; a person carries one card all day (see docs/model.md, "Persons")."""

    purposes: list[Purpose] = Field(min_length=1)
    second_tour: float = Field(default=0.0, ge=0, le=1,
                               description="share of persons who make a second home-based tour")
    home: ActivityTime | None = Field(default=None, description="time at home before a second tour")

    @model_validator(mode="after")
    def _check(self) -> Tours:
        _check_shares(self.purposes, "purpose")
        if self.second_tour > 0 and self.home is None:
            raise ValueError("second_tour > 0 needs home (time at home before the second tour)")
        return self


def _check_shares(items: list[Any], what: str) -> None:
    """Items with ``id`` and ``share``: shares add up to 1, ids are unique."""
    total = sum(x.share for x in items)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"{what} shares must sum to 1 (got {total:g})")
    ids = [x.id for x in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique")


def _check_profile(profile: list[ProfileBand]) -> None:
    if not any(b.weight > 0 for b in profile):
        raise ValueError("profile needs at least one band with weight > 0")
    _no_overlap(profile, "profile bands")
    for b in profile:
        if b.end <= b.start:
            raise ValueError("profile band end must be after start")


class Demand(Strict):
    """The ``demand`` section: zones, an OD table or a gravity model, the departure profile, rider
    categories."""

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
    tours: Tours | FileRef | None = Field(
        default=None, description="persons' home-based tours, inline or a YAML file (omit: every "
        "journey is a person's only one)"
    )
    pivot_reference: FileRef | Fares | None = Field(
        default=None, description="pivot: the scenario file whose fares the OD table's journeys were "
        "made under (its fares section is read)")

    @model_validator(mode="after")
    def _check(self) -> Demand:
        if (self.od is None) == (self.gravity is None):
            raise ValueError("give exactly one of od or gravity")
        if self.gravity is not None and self.zones is not None:
            raise ValueError("a gravity model finds its zones' access stops: drop zones")
        _check_shares(self.categories, "category")
        _check_profile(self.profile)
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
    shares: dict[Id, Count] = Field(default_factory=dict, description="fixed_shares: operator -> weight")

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
    weekdays_per_year: dict[Id, float] = Field(
        default_factory=dict,
        description="operator id -> weekday equivalents per year (annual count ÷ weekday count, 295-352 "
        "in Jakarta, not 365): turns a day into a year in summary.json's annual block and yearly validation "
        "targets into days",
    )

    @model_validator(mode="after")
    def _check(self) -> MoneySpec:
        for op, days in self.weekdays_per_year.items():
            if not 1 <= days <= 366:
                raise ValueError(f"weekdays_per_year.{op} must be between 1 and 366 (got {days:g})")
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
    operator), ``taps`` (per day: of ``operator``, or of the group ``operators`` together, as a
    TransJakarta-group count), ``taps_share`` (``operator``'s taps ÷ the taps of the group
    ``operators``: the published "feeder share" of microbus passengers among TJ-group ones),
    ``route_boardings`` (per day on ``route``), ``route_taps`` (tap-ins per day on ``route``: its
    boardings but the changes inside a paid area, as an operator counts a corridor's riders),
    ``route_share`` (``route``'s share of the boardings
    of the routes ``among``), ``boardings_per_vehicle`` (``operator``'s boardings per vehicle-day
    of its timetable), ``journeys`` (per day), ``boardings_per_journey``, ``category_share`` (share
    of journeys by ``category``).
    ``scope_share`` scales a city-wide published total to the modelled subset; ``per_year`` says
    ``published`` is a yearly count, turned into a day by the operator's ``money.weekdays_per_year``.

    ``kind`` sets the tolerance (``calibrated`` ±5 %, ``total`` and ``screenline`` ±15 %,
    ``route`` ±25 %, relaxed to ±40 % below 150 a day; ``tolerance`` overrides it); ``circular``
    marks a target that set an input or was calibrated to (it never counts as a pass); ``year``
    (when the figure was counted) and ``regime`` (the fare rule in force then) say what it
    compares with: a figure of another year than the scenario's, or of another span than its
    ``meta.period`` (``of_period: false``), is reported as "nearest" and not counted either.
    """

    metric: Literal[
        "fare_per_boarding", "fare_per_tap", "feeder_share", "boardings", "taps", "taps_share", "journeys",
        "subsidy_per_tap", "boardings_per_journey", "category_share", "route_boardings", "route_taps",
        "route_share", "boardings_per_vehicle",
    ]
    operator: Id | None = None
    operators: list[Id] | None = Field(default=None, min_length=1, description="a group of operators")
    feeder: Id | None = None
    category: Id | None = None
    route: Id | None = None
    among: list[Id] | None = Field(default=None, min_length=1, description="routes a route_share is of")
    per_year: bool = Field(default=False, description="published is a yearly count (see weekdays_per_year)")
    published: float = Field(ge=-MAX_COUNT, le=MAX_COUNT)
    scope_share: float = Field(default=1.0, gt=0, le=1)
    unit: str = ""
    source: str = Field(description="key of the fact in docs/sources.md")
    note: str = ""
    kind: Literal["calibrated", "total", "screenline", "route"] = "total"
    tolerance: float | None = Field(default=None, gt=0, le=1, description="a fraction: 0.15 is ±15 %")
    circular: bool = Field(default=False, description="the target set an input or was calibrated to")
    year: int | None = Field(
        default=None, ge=MIN_YEAR, le=MAX_YEAR, description="the year the figure was counted"
    )
    regime: str = Field(default="", description="the fare rule in force when it was counted")
    of_period: bool = Field(default=True, description="false: counted over another span than the scenario's "
                            "meta.period (a year's total for a scenario of some months): reported as "
                            "nearest, not counted")
    scope: str = Field(default="", description="what the figure covers (operators, lines, period)")

    @model_validator(mode="after")
    def _check(self) -> ValidationTarget:
        needs = {
            "fare_per_boarding": ("operator",), "fare_per_tap": ("operator",),
            "feeder_share": ("operator", "feeder"), "boardings": ("operator",),
            "taps_share": ("operator", "operators"), "subsidy_per_tap": ("operator",),
            "category_share": ("category",), "route_boardings": ("route",), "route_taps": ("route",),
            "route_share": ("route", "among"),
            "boardings_per_vehicle": ("operator",),
        }.get(self.metric, ())
        if self.per_year and self.year_operator is None:
            raise ValueError("per_year needs operator or operators (whose weekdays_per_year apply)")
        if self.metric == "taps" and (self.operator is None) == (self.operators is None):
            raise ValueError("metric 'taps' needs operator or operators (a group), not both")
        counts = ("taps", "boardings", "route_boardings", "route_taps", "journeys")
        if self.per_year and self.metric not in counts:
            raise ValueError(f"per_year is for counts ({', '.join(counts)}), "
                             f"not {self.metric!r}")
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"metric {self.metric!r} needs {name}")
        return self


    @property
    def year_operator(self) -> str | None:
        """The operator whose ``money.weekdays_per_year`` turns a yearly figure into a day: its
        ``operator``, else the first of its group (a TJ-group count uses TransJakarta's)."""
        return self.operator or (self.operators[0] if self.operators else None)


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
    modes: Modes | FileRef | None = Field(default=None, description="outside modes and the mode choice, "
                                          "inline or a YAML file")
    calibration: Calibration | FileRef | None = Field(
        default=None, description="constants fitted by otrip-sim calibrate, inline or a YAML file")

    @model_validator(mode="after")
    def _behaviour(self) -> Scenario:
        check_behaviour(self)
        return self

__all__ = [
    "CLEARING_METHODS",
    "SCHEMA_VERSION",
    "ActivityTime",
    "BackgroundBand",
    "BandSpec",
    "Calibration",
    "CapSpec",
    "Category",
    "CategoryDiscountSpec",
    "CategoryFixedSpec",
    "CategoryFreeSpec",
    "CategorySpec",
    "Choice",
    "ClearingSpec",
    "Clock",
    "ContractSpec",
    "Crowding",
    "Demand",
    "Distance",
    "DistanceStepsSpec",
    "Duration",
    "Fares",
    "FileRef",
    "FirstFareSpec",
    "FlatSpec",
    "GravitySpec",
    "HeadwayBand",
    "Id",
    "IntegratedSpec",
    "MediaSpec",
    "Meta",
    "Modes",
    "Money",
    "MoneySpec",
    "Network",
    "ODRow",
    "Operator",
    "PassSpec",
    "PeriodCapSpec",
    "ProfileBand",
    "Purpose",
    "Route",
    "RouteFareSpec",
    "RoutesFile",
    "Scenario",
    "SegmentShare",
    "StandaloneSpec",
    "StationTableSpec",
    "Stop",
    "Strict",
    "TableRow",
    "TimeBandSpec",
    "Tours",
    "TransferFareSpec",
    "TransferSpec",
    "ValidationTarget",
    "WalkLink",
    "WindowSpec",
    "ZoneAccess",
    "ZoneFareRow",
    "ZoneRow",
    "ZoneStopRow",
    "ZonesSpec",
    "_no_overlap",
]
