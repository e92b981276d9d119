"""The ``network`` section of a scenario: stops, routes (their headways and background load) and
walking links."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from .base import Clock, Distance, Duration, FileRef, Id, Strict, Year, _no_overlap


# ------------------------------------------------------------------------------------------ network
class Stop(Strict):
    """A stop or station (a row of ``stops.csv``): ``stop_id``, ``name``, ``lat``/``lon`` (WGS 84
    degrees), optional paid area."""

    id: Id = Field(validation_alias="stop_id", serialization_alias="stop_id")
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    paid_area: str | None = Field(
        default=None, description="operator id whose paid area (gated station) the stop is in"
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HeadwayBand(Strict):
    """A service period of a route: from ``start`` to ``end`` (clock, s) a vehicle every ``every``
    seconds; only in ``years`` where given (a span or a frequency that changed between years)."""

    start: Clock
    end: Clock
    every: Duration = Field(description="headway: one departure every …")
    years: list[Year] | None = Field(
        default=None, min_length=1,
        description="years in which the band runs (every year the route runs if omitted)"
    )

    def runs_in(self, year: int | None) -> bool:
        """Does the band run in ``year`` (always, without a ``years`` list)?"""
        return self.years is None or year in self.years

    @model_validator(mode="after")
    def _check(self) -> HeadwayBand:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.every <= 0:
            raise ValueError("every must be > 0")
        return self


class BackgroundBand(Strict):
    """Riders the model does not carry on a route: on its vehicle trips departing from ``start``
    until before ``end`` (clock, s), ``share`` of each vehicle's capacity is taken by them (in
    ``direction``: both, or only along the stop list, or only back)."""

    start: Clock
    end: Clock
    share: float = Field(ge=0, le=1, description="share of each vehicle's capacity the background takes")
    direction: Literal["both", "forward", "reverse"] = Field(
        default="both", description="the directions it applies to: both, forward (along the stop list), "
        "reverse (back)")

    @model_validator(mode="after")
    def _check(self) -> BackgroundBand:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def applies_to(self, direction: int) -> bool:
        """Does the band apply to the line direction ``direction`` (0: forward, 1: reverse)?"""
        return self.direction == "both" or self.direction == ("forward", "reverse")[direction]


class Route(Strict):
    """A line run in both directions (or one, with ``directions: forward``) along ordered stops."""

    id: Id
    name: str = ""
    operator: Id | dict[Year, Id] = Field(description="operator id, or a mapping year -> operator id")
    years: list[Year] | None = Field(
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
    capacity: int = Field(gt=0, le=100_000, description="passengers per vehicle")
    seats: int | None = Field(default=None, gt=0, le=100_000,
                              description="seats per vehicle (default: the capacity, all seated)")
    headways: list[HeadwayBand] = Field(min_length=1)
    directions: Literal["both", "forward"] = "both"
    background: list[BackgroundBand] = Field(
        default_factory=list, description="time bands of load the model does not carry: riders of the "
        "real line not among the modelled journeys, taking a share of each vehicle's capacity")

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
        by_year = {y for b in self.headways for y in b.years or ()}
        checked: list[int | None] = [*sorted(by_year)] or [None]
        for year in checked:
            _no_overlap([b for b in self.headways if b.runs_in(year)],
                        "headway bands" + (f" of {year}" if year is not None else ""))
        if self.years is not None:
            others = sorted(by_year - set(self.years))
            if others:
                raise ValueError(f"headway bands name years the route does not run in: {others}")
        if self.directions == "forward" and any(b.direction == "reverse" for b in self.background):
            raise ValueError("a background band has direction reverse, but the route runs forward only")
        if all(b.direction == "both" for b in self.background):
            _no_overlap(self.background, "background bands")
        else:
            for d, name in enumerate(("forward", "reverse")):
                _no_overlap([b for b in self.background if b.applies_to(d)],
                            f"background bands of the {name} direction")
        if self.seats is not None and self.seats > self.capacity:
            raise ValueError(f"seats ({self.seats}) cannot exceed capacity ({self.capacity})")
        if isinstance(self.operator, dict) and self.years is not None:
            missing = [y for y in self.years if y not in self.operator]
            if missing:
                raise ValueError(f"operator mapping has no entry for years {missing}")
        return self

    def operator_in(self, year: int | None) -> str:
        """The route's operator in ``year``: the latest mapping entry at or before it."""
        if isinstance(self.operator, str):
            return self.operator
        if year is None:
            raise ValueError("needs meta.year")
        earlier = [y for y in self.operator if y <= year]
        if not earlier:
            raise ValueError(f"no operator for year {year}")
        return self.operator[max(earlier)]

    def runs_in(self, year: int | None) -> bool:
        """Does the route run in ``year`` (always, without a ``years`` list)?"""
        return self.years is None or year in self.years

    def headways_in(self, year: int | None) -> list[HeadwayBand]:
        """The headway bands running in ``year``, by start time."""
        return sorted((b for b in self.headways if b.runs_in(year)), key=lambda b: b.start)


class RoutesFile(Strict):
    """A routes file (``routes.yaml``): its list of routes."""

    routes: list[Route]


class WalkLink(Strict):
    """A walking link between two stops (a row of ``walk_links.csv``): ``walk_m`` whole metres."""

    from_stop: Id
    to_stop: Id
    walk_m: Distance
    note: str = ""


class Network(Strict):
    """The ``network`` section: stops, routes and walking links (inline or as file references)."""

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
