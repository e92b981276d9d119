"""How riders choose: the ``choice`` section (paths, and the crowding that feeds back into them)
and the ``modes`` section (the travel alternatives outside public transport, the nested logit that
chooses between them and public transport, and the persons' income segments; docs/model.md)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pydantic import Field, model_validator

from ..errors import InputError
from .base import Clock, Distance, Duration, FileRef, Id, Money, Strict, _no_overlap


class CrowdingStep(Strict):
    """A seated rider's in-vehicle time multiplier from a load factor (load ÷ seats) on."""

    from_load: float = Field(ge=0, le=10)
    multiplier: float = Field(ge=1, le=10)


class Crowding(Strict):
    """Crowding that feeds back into path choice (docs/model.md, "Crowding").

    In-vehicle time is weighted by a multiplier of the load: a seated rider's by ``seated`` (steps
    of the load factor, load ÷ seats), a standing rider's by ``standing``; the waits riders met
    beyond those expected (left behind by full vehicles) are added.  The defaults are Wardman and
    Whelan's (2011) meta-analysis of 135 British valuations: seated 1.15 at load factors of
    60-100%, about 1.5 above 100%; standing 2.35 (src: crowding-multipliers)."""

    iterations: int = Field(default=0, ge=0, le=50, description="crowding passes after the first "
                            "(0: no feedback)")
    gap: float = Field(default=0.01, gt=0, lt=1, description="stop when the relative gap falls below it")
    seated: list[CrowdingStep] = Field(default_factory=lambda: [CrowdingStep(from_load=0.6, multiplier=1.15),
                                                                CrowdingStep(from_load=1.0, multiplier=1.5)])
    standing: float = Field(default=2.35, ge=1, le=10)

    @model_validator(mode="after")
    def _check(self) -> Crowding:
        loads = [s.from_load for s in self.seated]
        if any(b <= a for a, b in pairwise(loads)):
            raise ValueError("seated: from_load must increase from step to step")
        return self


class Choice(Strict):
    """How riders pick among candidate paths: lowest generalized cost, in seconds of time.

    Cost = walk × walk_weight + wait × wait_weight + in-vehicle time + transfer_penalty per
    transfer + fare ÷ value of time, plus a Gumbel taste term of scale ``spread`` (0: everyone
    takes the cheapest path).
    """

    walk_speed: float = Field(default=1.2, gt=0, le=5, description="metres per second")
    walk_weight: float = Field(default=2.0, ge=0, le=1000)
    wait_weight: float = Field(default=1.5, ge=0, le=1000)
    transfer_penalty: Duration = 300
    max_transfers: int = Field(default=3, ge=0, le=6)
    max_paths: int = Field(default=5, ge=1, le=20)
    max_walk: Distance = Field(default=1000, description="longest walk of a transfer")
    spread: Duration = Field(default=300, description="scale of riders' random taste variation")
    crowding: Crowding = Field(default_factory=Crowding)
    mode_choice: bool | None = Field(default=None, description="riders choose between public transport "
                                     "and the outside modes (default: when `modes` is declared)")


class SpeedBand(Strict):
    """A door-to-door speed in force from ``start`` to ``end`` (a peak, the night)."""

    start: Clock
    end: Clock
    kmh: float = Field(gt=0, le=200)


class OutsideMode(Strict):
    """A way to travel other than public transport: motorcycle, ojek, car, walk, ….

    A journey by it costs ``fixed_cost + cost_per_km × km`` (integer minor units; km is the zone
    pair's road distance) and takes ``km ÷ speed`` (``speeds`` by time of day, else ``speed_kmh``).
    ``availability`` is the share of persons who can use it (owning a motorcycle or a car).
    ``constant`` is the alternative-specific constant, in seconds of generalised cost per journey
    (positive: liked less than its time and money say)."""

    id: Id
    cost_per_km: Money = 0
    fixed_cost: Money = 0
    speed_kmh: float = Field(gt=0, le=200)
    speeds: list[SpeedBand] = Field(default_factory=list, description="speed by time of day")
    availability: float = Field(default=1.0, ge=0, le=1, description="share of persons who can use it")
    constant: int = Field(default=0, ge=-86_400, le=86_400, description="seconds per journey")
    max_distance: Distance | None = Field(default=None, description="not available for longer journeys")

    @model_validator(mode="after")
    def _check(self) -> OutsideMode:
        for b in self.speeds:
            if b.end <= b.start:
                raise ValueError("a speed band's end must be after its start")
        _no_overlap(self.speeds, "speed band")
        return self


class Nest(Strict):
    """Outside modes that are closer substitutes of each other than of the rest (motorcycle and
    ojek): a nest with its own scale ``mu`` in (0, 1] relative to the upper level (1: no nest)."""

    modes: list[Id] = Field(min_length=2)
    mu: float = Field(gt=0, le=1)


class ShareBand(Strict):
    """The base public-transport share of journeys up to ``up_to`` road metres (the last band:
    omit ``up_to``)."""

    up_to: Distance | None = None
    share: float = Field(gt=0, lt=1)


class Segment(Strict):
    """A group of persons with its own value of time (by income: the values of time of users of
    each mode are the values of their users' segments, not multipliers of a mode)."""

    id: Id
    share: float = Field(ge=0, le=1)
    value_of_time: Money = Field(description="minor units per hour (> 0)")

    @model_validator(mode="after")
    def _positive(self) -> Segment:
        if self.value_of_time <= 0:
            raise ValueError("value_of_time must be > 0")
        return self


class SegmentShare(Strict):
    """A home zone's share of persons in an income segment (a row of ``modes.segment_shares``)."""

    zone_id: Id
    segment: Id
    share: float = Field(ge=0, le=1)


class AccessSpec(Strict):
    """A first and last mile by an outside mode: each zone reaches its ``stops`` nearest served
    stops within ``max_distance`` (road metres from the zone's centre) that it does not reach on
    foot, at that mode's speed and cost (docs/model.md, "Access by ojek")."""

    mode: Id
    max_distance: Distance = Field(default=5000, gt=0)
    stops: int = Field(default=3, ge=1, le=20)


class Frequency(Strict):
    """Whether persons make their day's travel at all: a binary logit on the logsum of their
    day's tours (docs/model.md, "Trip frequency"), with scale ``S ÷ theta`` (S: the mode
    level's).  Pivot: ``base_share`` of persons travel under the reference fares (the OD table's
    persons all do; ``(1 − base_share) ÷ base_share`` more per person do not).  Absolute: the
    OD table counts the persons who consider travelling, and ``constant`` (seconds) is what the
    day's activities are worth beyond their travel cost."""

    theta: float = Field(gt=0, le=1, description="the mode level's scale over this level's")
    base_share: float = Field(default=0.9, gt=0, lt=1, description="pivot: share travelling under the "
                              "reference fares")
    constant: int = Field(default=0, ge=-7 * 86_400, le=7 * 86_400, description="absolute: seconds")


class ProductChoice(Strict):
    """Persons choose their fare medium — a card, a pass, an app's QR code: ``fares.media`` —
    above the day, by a logit over their usual week's travel with it: ``days`` × the day's
    logsum with that medium (what its fares make public transport worth, modes included) minus
    its ``friction`` (seconds a week: getting, topping up, carrying it), with scale ``scale``.
    The friction constants are what the calibration sets from an uptake share of the right kind
    (holders on a weekday, not cumulative sales)."""

    days: float = Field(default=5.0, gt=0, le=7, description="days a week the modelled day stands for")
    scale: Duration = Field(description="scale of the product logit, seconds a week (> 0)")
    friction: dict[Id, int] = Field(default_factory=dict,
                                    description="per medium: seconds a week (default 0)")

    @model_validator(mode="after")
    def _check(self) -> ProductChoice:
        if self.scale <= 0:
            raise ValueError("scale must be > 0")
        for medium, seconds in self.friction.items():
            if not -7 * 86_400 <= seconds <= 7 * 86_400:
                raise ValueError(f"friction.{medium}: at most a week ({7 * 86_400} s) either way")
        return self


class Modes(Strict):
    """Mode choice: public transport against the ``outside`` modes.

    The upper level is a logit over each tour's generalised cost (seconds) with scale
    ``choice.spread ÷ theta``; public transport enters it with the composite cost of its paths
    (docs/model.md).  With ``meta.demand_basis: pivot`` the OD table is public-transport journeys
    and ``pt_share`` gives the base share that turns them into all-mode travel."""

    theta: float = Field(gt=0, le=1, description="ratio of the path level's scale to the mode level's")
    outside: list[OutsideMode] = Field(min_length=1)
    nest: Nest | None = None
    fallback: Id | None = Field(default=None, description="outside mode a public-transport tour "
                                "takes for a journey with no path (the ojek after the last bus)")
    detour: float = Field(default=1.3, ge=1, le=5, description="road distance over straight-line distance")
    pt_share: list[ShareBand] = Field(default_factory=list,
                                      description="pivot: base public-transport share by road distance")
    segments: list[Segment] = Field(default_factory=list, description="persons' income segments")
    segment_shares: FileRef | list[SegmentShare] = Field(
        default_factory=list, description="income distribution by home zone (CSV: zone_id,segment,share; "
        "relative to the scenario file); zones not listed take the segments' shares")
    products: ProductChoice | None = Field(default=None, description="persons choose their fare medium")
    access: AccessSpec | None = Field(default=None, description="a first and last mile by an outside mode")
    frequency: Frequency | None = Field(default=None, description="whether persons travel at all (off: "
                                        "everyone in the OD table travels)")

    @model_validator(mode="after")
    def _check(self) -> Modes:
        ids = [m.id for m in self.outside]
        seen: set[str] = set()
        for m in ids:
            if m in seen:
                raise ValueError(f"outside mode {m!r} declared twice")
            if m == "pt":
                raise ValueError("'pt' is public transport itself: name the outside mode otherwise")
            seen.add(m)
        if self.nest is not None:
            for m in self.nest.modes:
                if m not in seen:
                    raise ValueError(f"nest: {m!r} is not an outside mode (modes: {', '.join(ids)})")
            if len(set(self.nest.modes)) < len(self.nest.modes):
                raise ValueError("nest: a mode listed twice")
        if self.access is not None and self.access.mode not in seen:
            raise ValueError(f"access.mode: {self.access.mode!r} is not an outside mode "
                             f"(modes: {', '.join(ids)})")
        if self.fallback is not None and self.fallback not in seen:
            raise ValueError(f"fallback: {self.fallback!r} is not an outside mode (modes: {', '.join(ids)})")
        for b in self.pt_share[:-1]:
            if b.up_to is None:
                raise ValueError("pt_share: only the last band may omit up_to")
        if self.pt_share and self.pt_share[-1].up_to is not None:
            raise ValueError("pt_share: the last band omits up_to (it covers the longest journeys)")
        ups = [b.up_to for b in self.pt_share[:-1]]
        if any(b <= a for a, b in pairwise(ups)):  # type: ignore[operator]
            raise ValueError("pt_share: up_to must increase from band to band")
        if isinstance(self.segment_shares, list) and self.segment_shares:
            known = {g.id for g in self.segments}
            totals: dict[str, float] = {}
            for i, row in enumerate(self.segment_shares):
                if row.segment not in known:
                    raise ValueError(f"segment_shares[{i}].segment: {row.segment!r} is not in segments "
                                     f"({', '.join(sorted(known)) or 'none declared'})")
                totals[row.zone_id] = totals.get(row.zone_id, 0.0) + row.share
            for zone, total in totals.items():
                if abs(total - 1) > 1e-6:
                    raise ValueError(f"segment_shares: zone {zone!r}'s shares add up to {total:g}, not 1")
        if self.segments:
            if abs(sum(s.share for s in self.segments) - 1) > 1e-6:
                raise ValueError("segments: shares must add up to 1")
            if len({s.id for s in self.segments}) < len(self.segments):
                raise ValueError("segments: an id listed twice")
        return self


def mode_choice_on(scenario: object) -> bool:
    """Whether a scenario's riders choose their mode: ``choice.mode_choice``, by default on when
    the scenario declares ``modes``."""
    flag = scenario.choice.mode_choice  # type: ignore[attr-defined]
    return scenario.modes is not None if flag is None else bool(flag)  # type: ignore[attr-defined]


def check_behaviour(scenario: object) -> None:
    """The checks that tie ``modes`` to the other sections (called by the scenario model)."""
    s: object = scenario
    modes = s.modes  # type: ignore[attr-defined]
    if not mode_choice_on(s):
        return
    if modes is None:
        raise ValueError("choice.mode_choice: true needs a `modes` section (the outside modes)")
    if isinstance(modes, str):
        return  # a file, checked once the loader has read it
    if s.choice.spread <= 0:  # type: ignore[attr-defined]
        raise ValueError("choice.spread: mode choice needs a taste spread > 0 (its scale is spread ÷ theta)")
    media = {m.id for m in s.fares.media}  # type: ignore[attr-defined]
    if modes.products is not None:
        if not media:
            raise ValueError("modes.products: product choice needs fare media to choose from (fares.media)")
        for medium in modes.products.friction:
            if medium not in media:
                raise ValueError(f"modes.products.friction: {medium!r} is not a fare medium "
                                 f"(fares.media: {', '.join(sorted(media))})")
    if s.meta.demand_basis == "pivot":  # type: ignore[attr-defined]
        if not modes.pt_share:
            raise ValueError("modes.pt_share: meta.demand_basis pivot needs the base public-transport share")
        if s.demand.pivot_reference is None:  # type: ignore[attr-defined]
            raise ValueError("demand.pivot_reference: meta.demand_basis pivot needs the scenario whose fares "
                             "the OD table was made under")


CONSTANT_LIMIT = 4 * 3600
"""The largest calibrated constant either way, seconds: beyond it a constant says more about the
network or the demand than about riders' tastes (docs/calibration.md)."""


class Calibration(Strict):
    """Constants fitted to published counts (``otrip-sim calibrate`` writes this section as a
    file the scenario references; docs/calibration.md).

    ``boarding_constants`` add seconds to the generalised cost of every boarding on an operator
    (negative: riders prefer it beyond its times and fares, e.g. rail's reliability); they shift
    riders between operators in path choice.  ``mode_constants`` replace the ``constant`` of the
    named outside modes and ``theta`` replaces ``modes.theta``.  ``fitted`` lists the target ids
    (as in ``validation.csv``) the constants were fitted to, counted in ``year``: ``validation.csv``
    marks the targets measuring them in that year (or of no stated year) circular."""

    boarding_constants: dict[Id, int] = Field(
        default_factory=dict, description="operator id -> seconds per boarding")
    mode_constants: dict[Id, int] = Field(
        default_factory=dict, description="outside mode id -> its constant, seconds per journey")
    theta: float | None = Field(default=None, gt=0, le=1, description="replaces modes.theta")
    fitted: list[str] = Field(default_factory=list, description="target ids the constants were fitted to")
    year: int | None = Field(default=None, ge=1900, le=2200, description="the year of the counts fitted: "
                             "validation targets of other years stay independent")
    source: str = Field(default="", description="how the constants were made")

    @model_validator(mode="after")
    def _check(self) -> Calibration:
        for section, values in (("boarding_constants", self.boarding_constants),
                                ("mode_constants", self.mode_constants)):
            for key, seconds in values.items():
                if not -CONSTANT_LIMIT <= seconds <= CONSTANT_LIMIT:
                    raise ValueError(f"{section}.{key}: at most {CONSTANT_LIMIT} s either way "
                                     f"(got {seconds})")
        return self


def apply_calibration(spec: Any, cal: Calibration, file: str, at: str) -> Any:
    """The scenario ``spec`` with ``cal`` as its calibration section, checked against its operators
    and outside modes, the mode constants and theta it sets replacing the declared ones in
    ``modes`` (so that everything downstream reads one ``modes``).

    Raises
    ------
    InputError
        A constant for an operator or outside mode the scenario does not have, or mode constants
        or theta without a ``modes`` section, located in ``file`` at ``at`` + the field.
    """
    operators = {o.id for o in spec.operators}
    for op in cal.boarding_constants:
        if op not in operators:
            raise InputError(file, f"{at}boarding_constants.{op}", "not an operator of the scenario "
                             f"(operators: {', '.join(sorted(operators))})", op)
    modes = spec.modes if isinstance(spec.modes, Modes) else None
    if modes is None and (cal.mode_constants or cal.theta is not None):
        raise InputError(file, f"{at}{'theta' if cal.theta is not None else 'mode_constants'}",
                         "needs a modes section (the outside modes whose constants and theta it sets)")
    if modes is not None:
        known = {m.id for m in modes.outside}
        for m in cal.mode_constants:
            if m not in known:
                raise InputError(file, f"{at}mode_constants.{m}", "not an outside mode of the modes section "
                                 f"(modes: {', '.join(sorted(known))})", m)
        outside = [m.model_copy(update={"constant": cal.mode_constants.get(m.id, m.constant)})
                   for m in modes.outside]
        modes = modes.model_copy(update={"outside": outside,
                                         "theta": modes.theta if cal.theta is None else cal.theta})
    return spec.model_copy(update={"calibration": cal, "modes": modes or spec.modes})
