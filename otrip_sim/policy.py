"""Compile the ``fares`` section of a scenario into an engine :class:`~otrip_sim.fares.FarePolicy`."""

from __future__ import annotations

from types import MappingProxyType
from typing import TypeVar, cast

from .fares import (
    CapWindow,
    CategoryDiscount,
    CategoryFixed,
    CategoryFree,
    CategoryRule,
    DistanceFare,
    FarePass,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    Leg,
    NoFare,
    OdChainWindow,
    PayDifferenceWindow,
    PeriodCap,
    StationTableFare,
    TimeBand,
    TimeBandFare,
    TransferMatrixWindow,
    TransferPair,
    TransferWindow,
    WindowRule,
    ZoneFare,
    ZonePeriod,
)
from .fares.rules import StandaloneFare
from .schema import (
    CapSpec,
    CategoryDiscountSpec,
    CategoryFixedSpec,
    CategoryFreeSpec,
    DistanceStepsSpec,
    Fares,
    FirstFareSpec,
    FlatSpec,
    IntegratedSpec,
    StandaloneSpec,
    StationTableSpec,
    TimeBandSpec,
    TransferSpec,
    ZonesSpec,
)
from .schema.fares import NoFareSpec, OdChainSpec, PayDifferenceSpec, TransferMatrixSpec


def compile_policy(fares: Fares, longest_leg_m: dict[str, int] | None = None) -> FarePolicy:
    """Build the engine's policy from a validated ``fares`` section.

    ``longest_leg_m`` gives, per operator (and per route, for route fares), the longest possible
    leg on the network; a distance fare without a cap charges the fare of that leg as its maximum
    (missing tap-out).
    """
    longest = longest_leg_m or {}
    standalone = {op: _standalone(op, spec, longest.get(op, 0)) for op, spec in fares.standalone.items()}
    categories = tuple(_category(c) for c in fares.categories)
    windows = tuple(_window(w) for w in fares.windows)
    period = {"daily": "day", "weekly": "week", "rolling_week": "rolling_week"}
    caps = tuple(
        PeriodCap(c.id, frozenset(c.operators), period[c.kind], c.cap, c.day_start) for c in fares.caps
    )
    needs: dict[str, set[str]] = {}
    for medium in fares.media:
        for wid in medium.unlocks:
            needs.setdefault(wid, set()).add(medium.id)
    window_media = MappingProxyType({wid: frozenset(ms) for wid, ms in needs.items()})
    route_fares = {
        route: _standalone(route, rf.fare, longest.get(route, 0))
        for rf in fares.route_fares
        for route in rf.routes
    }
    passes = {
        p.id: FarePass(p.id, frozenset(p.operators), p.price, p.validity, p.days, p.day_start)
        for p in fares.passes
    }
    media_fares = {
        (medium, op): _standalone(f"{op}/{medium}", mf.fare, longest.get(op, 0))  # rule ids: bus/cash:flat
        for mf in fares.media_fares for medium in mf.media for op in mf.operators
    }
    return FarePolicy(fares.name, MappingProxyType(standalone), categories, windows, caps, window_media,
                      MappingProxyType(route_fares), MappingProxyType(passes), MappingProxyType(media_fares))


R = TypeVar("R")


def _rows(table: str | list[R]) -> list[R]:
    """The rows of a fare table, which the loader has read in place of its file reference."""
    assert not isinstance(table, str), f"table file {table!r} not read by the loader"
    return table


def _standalone(op: str, spec: StandaloneSpec, longest_m: int) -> StandaloneFare:
    # The rule classes are frozen dataclasses (read-only ``operator``) while the protocol declares a
    # plain attribute, which mypy reads as settable; they meet it at run time, hence the one cast.
    return cast(StandaloneFare, _fare(op, spec, longest_m))


def _fare(
    op: str, spec: StandaloneSpec, longest_m: int
) -> FlatFare | TimeBandFare | DistanceFare | ZoneFare | StationTableFare | NoFare:
    if isinstance(spec, NoFareSpec):
        return NoFare(op)
    if isinstance(spec, FlatSpec):
        return FlatFare(op, spec.amount)
    if isinstance(spec, TimeBandSpec):
        ordered = sorted(spec.bands, key=lambda b: b.start)
        bands = tuple(TimeBand(b.name, b.start, b.end, b.amount) for b in ordered)
        return TimeBandFare(op, spec.default, bands)
    if isinstance(spec, DistanceStepsSpec):
        fare = DistanceFare(op, spec.base, spec.base_distance, spec.step, spec.step_amount, spec.cap)
        if spec.cap is None:
            fare = DistanceFare(
                op, spec.base, spec.base_distance, spec.step, spec.step_amount, None,
                fare.price(Leg(op, 0, longest_m)).amount,
            )
        return fare
    if isinstance(spec, ZonesSpec):
        zone_of = {row.stop_id: row.zone for row in _rows(spec.zones)}
        zone_table: dict[tuple[str, str], int] = {}
        period_table: dict[tuple[str, str, str], int] = {}
        for frow in _rows(spec.fares):
            if frow.period:
                period_table[(frow.from_zone, frow.to_zone, frow.period)] = frow.amount
                continue
            zone_table[(frow.from_zone, frow.to_zone)] = frow.amount
        if spec.symmetric:  # a row prices the reverse too, unless the reverse has its own
            for (a, b), amount in list(zone_table.items()):
                zone_table.setdefault((b, a), amount)
            for (a, b, name), amount in list(period_table.items()):
                period_table.setdefault((b, a, name), amount)
        periods = tuple(ZonePeriod(p.name, p.start, p.end, p.days, p.by) for p in spec.periods)
        return ZoneFare(
            op, MappingProxyType(zone_of), MappingProxyType(zone_table),
            max([*zone_table.values(), *period_table.values()], default=0), periods,
            MappingProxyType(period_table),
        )
    assert isinstance(spec, StationTableSpec)
    table: dict[tuple[str, str], int] = {}
    for row in _rows(spec.table):
        table[(row.from_stop, row.to_stop)] = row.amount
        if spec.symmetric:
            table.setdefault((row.to_stop, row.from_stop), row.amount)
    return StationTableFare(op, MappingProxyType(table), max(table.values(), default=0))


def _category(c: CategoryFreeSpec | CategoryDiscountSpec | CategoryFixedSpec) -> CategoryRule:
    rid, ops = c.id or f"category:{c.category}", frozenset(c.operators)
    if isinstance(c, CategoryDiscountSpec):
        return CategoryDiscount(rid, c.category, ops, c.percent)
    if isinstance(c, CategoryFixedSpec):
        return CategoryFixed(rid, c.category, ops, c.amount)
    return CategoryFree(rid, c.category, ops)


def _window(
    spec: CapSpec | IntegratedSpec | FirstFareSpec | TransferSpec | PayDifferenceSpec | TransferMatrixSpec
    | OdChainSpec,
) -> WindowRule:
    # rules take the last second a tap may join: an exclusive boundary ("< 120 min") is 1 s less
    ops, duration = frozenset(spec.operators), spec.limit()
    if isinstance(spec, OdChainSpec):
        joins = {(a, b): frozenset(j.at) if j.at else None for j in spec.joins for a in j.from_ for b in j.to}
        return OdChainWindow(spec.id, ops, duration, _standalone(spec.id, spec.fare, 0),
                             MappingProxyType(joins), spec.max_legs)
    if isinstance(spec, TransferMatrixSpec):
        pairs = {
            (a, b): TransferPair(p.fare.kind, p.fare.amount, p.fare.percent, spec.pair_limit(p))
            for p in spec.pairs for a in p.from_ for b in p.to
        }
        return TransferMatrixWindow(spec.id, ops, duration, MappingProxyType(pairs), spec.max_rides,
                                    MappingProxyType(dict(spec.max_rides_from)))
    if isinstance(spec, PayDifferenceSpec):
        return PayDifferenceWindow(spec.id, ops, duration, spec.restart)
    if isinstance(spec, TransferSpec):
        f = spec.transfer_fare
        return TransferWindow(
            spec.id, ops, duration, str(spec.duration_limit_type), f.kind, f.amount, f.percent,
            spec.max_transfers,
        )
    if isinstance(spec, CapSpec):
        return CapWindow(spec.id, ops, duration, spec.cap)
    if isinstance(spec, IntegratedSpec):
        return IntegratedWindow(
            spec.id, ops, duration, spec.base, spec.per_km, spec.cap, spec.min_operators,
            spec.first_leg_weight, spec.cheaper_of_standalone,
        )
    return FirstFareWindow(spec.id, ops, duration)
