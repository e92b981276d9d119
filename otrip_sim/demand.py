"""Demand: a gravity model's zones and OD rows, zone access, and the day's riders.

The riders come from the OD table, the time-of-day profile and category shares, vectorised with
numpy; they come out sorted by departure time, which fixes their ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import InputError
from .geo import WALK_DETOUR, great_circle_m
from .grouped import exclusive_prefix, group_starts, within
from .rng import combine, id_keys, keyed_choice, keyed_normal, keyed_poisson, keyed_uniform
from .scenario import LoadedScenario
from .schema import ActivityTime, Demand, GravitySpec, ODRow, ProfileBand, Stop, Tours, ZoneAccess, ZoneRow


@dataclass(frozen=True)
class Riders:
    """The public-transport journeys of one run and the persons making them.

    One entry per journey, a person's journeys consecutive in the order they are made (persons in
    order of their first departure).  Person ids are those of the whole population the run
    samples from, so a person has the same id in every nested sample (``--sample``).

    Attributes
    ----------
    origin, destination:
        Index into :attr:`zone_ids`.
    depart:
        Planned departure, integer seconds of the service day.  A journey with ``after_s < 0``
        leaves then; a later journey of a person's day leaves ``after_s`` after the person arrives
        from the one before (the simulation times it), and ``depart`` is the estimate path choice
        used.
    after_s:
        ``-1`` for the day's first journey of a person; else the stay (activity, stop on the way
        home, time at home) between the previous journey's arrival and this one's departure.
    category:
        Index into :attr:`category_ids` (a person's category, the same all day).
    media:
        Index into :attr:`media_ids`: the fare medium (card type) the person holds.
    person:
        The person's id (card ``person`` carries the day; see :attr:`card`).
    person_key:
        The person's stable 64-bit key, which keys every draw about them (:mod:`otrip_sim.rng`).
    tour, trip:
        The journey's tour (0, 1) and its number in the person's day (0 …).
    purpose:
        Index into :attr:`purpose_ids`: the purpose of the journey's tour (``-1``: no tours).
    sample:
        The fraction of the population simulated (1: everyone); counts expand by ``1 / sample``.
    population:
        Persons in the whole population the sample was drawn from.
    segment:
        Index into :attr:`segment_ids`: the person's income segment (``modes.segments``; ``-1``:
        none declared).
    base:
        ``1``: the person travels by public transport in the OD table (every person of a fixed
        demand or an all-mode table); ``0``: a pivot scenario's person who, under the reference
        fares, travels by another mode; ``2``: one who does not travel under them (with
        ``modes.frequency``; docs/model.md, "Mode choice").
    """

    zone_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    origin: np.ndarray
    destination: np.ndarray
    depart: np.ndarray
    category: np.ndarray
    media_ids: tuple[str, ...] = ()
    media: np.ndarray | None = None  # index into media_ids per journey (None: no media modelled)
    person: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    person_key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    tour: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    trip: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    purpose: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    after_s: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    purpose_ids: tuple[str, ...] = ()
    sample: float = 1.0
    population: int = 0
    segment: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    segment_ids: tuple[str, ...] = ()
    base: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def __len__(self) -> int:
        return len(self.depart)

    @property
    def card(self) -> np.ndarray:
        """Per journey: the card it is paid with — the person's one card for the day."""
        return self.person

    @property
    def tour_start(self) -> np.ndarray:
        """Per journey: whether it is the first of its tour (a person's journeys come
        consecutively, tour by tour)."""
        return group_starts(self.person * 2 + self.tour)

    @property
    def persons(self) -> int:
        """Persons simulated (with at least one journey)."""
        return len(np.unique(self.person))

    def subset(self, keep: np.ndarray, depart: np.ndarray) -> Riders:
        """The journeys ``keep`` (a mask), the others dropped (made by another mode): a kept
        journey whose person's journey before it is dropped leaves at ``depart`` (the estimate
        path choice used) instead of after that journey."""
        prev_kept = np.ones(len(keep), dtype=bool)
        chained = self.after_s >= 0
        prev_kept[1:] = keep[:-1]
        after = np.where(chained & ~prev_kept, -1, self.after_s)
        per = {f: getattr(self, f) for f in ("origin", "destination", "category", "person", "person_key",
                                              "tour", "trip", "purpose", "segment", "base")}
        return replace(self, depart=depart[keep], after_s=after[keep],
                       media=None if self.media is None else self.media[keep],
                       **{f: a[keep] for f, a in per.items()})


def gravity_demand(
    spec: GravitySpec, stops: Sequence[Stop], source: str = ""
) -> tuple[list[ZoneAccess], list[ODRow]]:
    """Zones' access stops and OD journeys per day from a gravity model.

    Journeys from zone ``i`` to ``j`` (``i ≠ j``) are proportional to ``population_i × jobs_j ×
    exp(−beta_per_km × d_ij)``, with ``d_ij`` the great-circle distance between zone centres, and
    scaled so that all pairs add up to ``total``.  Each zone reaches its ``max_access_stops``
    nearest stops within ``access_radius`` (straight line × 1.3); a zone with none is an error.

    Parameters
    ----------
    spec : GravitySpec
        The model: its zone table (centres, ``population``, ``jobs``), ``total`` journeys per day,
        ``beta_per_km``, ``access_radius`` (integer metres) and ``max_access_stops``.
    stops : sequence of Stop
        The network's stops.
    source : str
        The file the zone table came from, for messages (``""``: the scenario file).

    Returns
    -------
    access : list of ZoneAccess
        Per zone, its access stops with the walk to each in integer metres.
    od : list of ODRow
        Journeys per day (float) for every ordered pair of distinct zones with journeys.

    Raises
    ------
    InputError
        For a zone with no stop within ``access_radius``, or when no pair has journeys.
    """
    zones: list[ZoneRow] = list(spec.zones)  # type: ignore[arg-type]  # resolved by the loader
    lat = np.array([z.lat for z in zones])
    lon = np.array([z.lon for z in zones])
    slat, slon = np.array([s.lat for s in stops]), np.array([s.lon for s in stops])

    access: list[ZoneAccess] = []
    for k, z in enumerate(zones):
        walk = great_circle_m(lat[k], lon[k], slat, slon) * WALK_DETOUR
        near = np.argsort(walk, kind="stable")[: spec.max_access_stops]
        near = near[walk[near] <= spec.access_radius]
        if not len(near):
            where = f"line {k + 2}" if source.endswith(".csv") else f"demand.gravity.zones[{k}]"
            raise InputError(
                source, where, f"no stop within access_radius ({spec.access_radius} m) of the zone", z.zone_id
            )
        access += [
            ZoneAccess(zone_id=z.zone_id, name=z.name, stop_id=stops[i].id, access_m=round(walk[i]))
            for i in near
        ]
    dist_km = great_circle_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) / 1000
    weight = np.outer([z.population for z in zones], [z.jobs for z in zones]) * np.exp(
        -spec.beta_per_km * dist_km
    )
    np.fill_diagonal(weight, 0.0)
    if weight.sum() <= 0:
        raise InputError(source, "demand.gravity", "no journeys: every zone pair has zero population or jobs")
    trips = weight * (spec.total / weight.sum())
    od = [ODRow(origin=zones[i].zone_id, destination=zones[j].zone_id, trips=float(trips[i, j]))
          for i, j in zip(*np.nonzero(trips))]
    return access, od


def with_gravity_demand(loaded: LoadedScenario) -> LoadedScenario:
    """The loaded scenario with its gravity model's zones and OD rows filled in.

    Parameters
    ----------
    loaded:
        A loaded scenario; one without ``demand.gravity`` is returned as it is.

    Returns
    -------
    LoadedScenario
        The same scenario whose ``demand.zones`` (access stops, walk metres) and ``demand.od``
        (journeys per day) are those of :func:`gravity_demand`; ``demand.gravity`` is kept, so
        the written scenario shows the model rather than its output.

    Raises
    ------
    InputError
        A zone with no stop within ``access_radius``, located in the zone table; or a model that
        makes no journeys.
    """
    demand = loaded.spec.demand
    if demand.gravity is None:
        return loaded
    # the loader has read the stops file into rows
    zones, od = gravity_demand(demand.gravity, loaded.spec.network.stops,  # type: ignore[arg-type]
                               loaded.source("demand.gravity", "zones"))
    spec = loaded.spec.model_copy(update={"demand": demand.model_copy(update={"zones": zones, "od": od})})
    return replace(loaded, spec=spec)


def zone_access(demand: Demand, stop_ids: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
    """The access stops of every demand zone.

    Parameters
    ----------
    demand:
        A loaded (and, with a gravity model, compiled) ``demand`` section: ``zones`` is its rows
        (zone id, stop id, walk metres) or ``None`` for OD by stop.
    stop_ids:
        The network's stop ids, in index order.

    Returns
    -------
    dict
        Zone id → ``[(stop index, walk metres), ...]`` in zone-table order; with no zones, one
        zone per stop, reached in 0 m.
    """
    index = {s: i for i, s in enumerate(stop_ids)}
    if not isinstance(demand.zones, list):  # None: OD by stop (a file reference is rows by now)
        return {s: [(i, 0)] for i, s in enumerate(stop_ids)}
    out: dict[str, list[tuple[int, int]]] = {}
    for z in demand.zones:
        out.setdefault(z.zone_id, []).append((index[z.stop_id], z.access_m))
    return out


def generate(
    demand: Demand,
    zone_ids: tuple[str, ...],
    seed: int,
    scale: float = 1.0,
    media: Sequence[tuple[str, float]] = (),
    sample: float = 1.0,
    replication: int = 0,
    segments: Sequence[tuple[str, float]] = (),
    pivot_share: np.ndarray | None = None,
    segment_by_zone: np.ndarray | None = None,
    stay_share: float | None = None,
) -> Riders:
    """Draw the persons of one day and their journeys.

    The population: for each OD row (origin ≠ destination; intrazonal rows are not
    public-transport journeys), a Poisson number of persons living at its origin whose first tour
    goes to its destination, with mean ``trips × scale ÷ J`` where ``J`` is the expected number of
    journeys a person makes (2 per tour, +1 for a stop on the way home, tours per person), so the
    day's journeys add up to the table's in expectation.  Without ``demand.tours`` every journey
    is its own person's (``J = 1``).  Every draw about a person is keyed by the person's key
    (origin, destination, number within the row) and what it decides (:mod:`otrip_sim.rng`).
    The sample keeps the persons whose sample draw is below ``sample`` (nested samples).

    Parameters
    ----------
    demand : Demand
        The scenario's demand section, its OD rows read (journeys per day).
    zone_ids : tuple of str
        The zones the journeys' origin and destination indices refer to.
    seed, replication : int
        Root seed and replication number of every draw.
    scale : float
        Multiplier of every OD volume (``--demand-scale``).
    media : sequence of (str, float)
        Fare media and the share of persons holding each (empty: none modelled).
    sample : float
        Fraction of persons simulated, in (0, 1] (``--sample``).
    segments : sequence of (str, float)
        The persons' income segments and their shares (empty: none).
    stay_share : float, optional
        With ``pivot_share``, the share of persons travelling under the reference fares
        (``modes.frequency.base_share``): each row adds ``(1 − share) ÷ share`` times its all-mode
        persons who do not (``base`` 2).
    segment_by_zone : array, optional
        Zone × segment: the segments' shares among the persons living in each zone
        (``modes.segment_shares``; a zone's row is ``segments``' shares where not given).
    pivot_share : array, optional
        A pivot scenario's base public-transport share per (origin, destination) zone: the OD
        table's persons are its public-transport users (``base`` 1), and each row adds the
        persons travelling by other modes, ``trips × (1 − share) ÷ share`` in expectation
        (``base`` 0; keyed apart, so the public-transport persons are those of fixed demand).

    Returns
    -------
    Riders
        The sampled persons' journeys, persons in order of their first departure.
    """
    zidx = {z: i for i, z in enumerate(zone_ids)}
    od = demand.od
    # the loader has read the OD table (a file reference) into rows; generate is not called without one
    assert od is not None and not isinstance(od, str), "OD table not read by the loader"
    rows = [r for r in od if r.origin != r.destination]
    o = np.fromiter((zidx[r.origin] for r in rows), dtype=np.int64, count=len(rows))
    d = np.fromiter((zidx[r.destination] for r in rows), dtype=np.int64, count=len(rows))
    trips = np.fromiter((r.trips for r in rows), dtype=np.float64, count=len(rows))
    zkey = id_keys(zone_ids)
    row_key = combine(zkey[o], zkey[d]) if len(rows) else np.zeros(0, dtype=np.uint64)
    tours = demand.tours
    assert not isinstance(tours, str), "tours file not read by the loader"
    per_person = 1.0 if tours is None else _journeys_per_person(tours)
    volume, keys, base_of = trips, row_key, np.ones(len(rows), dtype=np.int8)
    if pivot_share is not None and len(rows):  # the rows again: the persons using other modes
        base_share = pivot_share[o, d]
        volume = np.concatenate([trips, trips * (1 - base_share) / base_share])
        keys = np.concatenate([row_key, combine(row_key, np.full(len(rows), 1, dtype=np.int64))])
        base_of = np.concatenate([base_of, np.zeros(len(rows), dtype=np.int8)])
        if stay_share is not None:  # and again: the persons who do not travel under the reference
            volume = np.concatenate([volume, trips / base_share * (1 - stay_share) / stay_share])
            keys = np.concatenate([keys, combine(row_key, np.full(len(rows), 2, dtype=np.int64))])
            base_of = np.concatenate([base_of, np.full(len(rows), 2, dtype=np.int8)])
    counts = keyed_poisson(seed, "demand", volume * scale / per_person, keys, replication=replication)
    # the whole population: person k of row r
    row = np.repeat(np.arange(len(counts)), counts)
    k = within(counts)
    key = combine(keys[row], k) if len(row) else np.zeros(0, dtype=np.uint64)
    base = base_of[row]
    row = row % max(len(rows), 1)  # the OD row a person of the added rows belongs to

    def u(purpose: str, *what: int) -> np.ndarray:
        """Draws for the persons in ``key`` as it is when called (the whole population, then the
        sample)."""
        return keyed_uniform(seed, purpose, key, *what, replication=replication)

    purpose_ids: tuple[str, ...] = ()
    u_band, u_at = u("depart", 0), u("depart", 1)
    if tours is None:
        first = _departures(demand.profile, u_band, u_at)
    else:
        purpose_ids = tuple(p.id for p in tours.purposes)
        which = keyed_choice(u("purpose", 0), np.array([p.share for p in tours.purposes]))
        first = np.zeros(len(key), dtype=np.int64)
        for pi, p in enumerate(tours.purposes):
            on = which == pi
            first[on] = _departures(p.profile or demand.profile, u_band[on], u_at[on])
    order = np.lexsort((key, first))  # person ids: the whole population by first departure
    population = len(order)
    key, row, first, base = key[order], row[order], first[order], base[order]
    keep = np.flatnonzero(u("sample") < sample) if sample < 1 else np.arange(population)
    person, key, row, first, base = keep, key[keep], row[keep], first[keep], base[keep]
    n = len(person)
    category = keyed_choice(u("category"), np.array([c.share for c in demand.categories])).astype(np.int16)
    held = None
    if media:
        held = keyed_choice(u("media"), np.array([sh for _, sh in media])).astype(np.int16)
    segment = np.full(n, -1, dtype=np.int16)
    if len(segments) and segment_by_zone is None:
        segment = keyed_choice(u("segment"), np.array([sh for _, sh in segments])).astype(np.int16)
    elif len(segments) and segment_by_zone is not None:  # by home zone: the inverse CDF of its shares
        cdf = np.cumsum(segment_by_zone[o[row]], axis=1)
        pick = (u("segment")[:, None] * cdf[:, -1:] >= cdf).sum(axis=1)
        segment = np.minimum(pick, len(segments) - 1).astype(np.int16)
    home, dest = o[row], d[row]
    if tours is None:
        legs = [(np.ones(n, dtype=bool), home, dest, np.full(n, -1, dtype=np.int64), 0, np.full(n, -1))]
    else:
        legs = _day(tours, seed, replication, key, home, dest, o, d, trips)
    # journeys: persons in order, their journeys in the order made (slot order)
    made = np.stack([j[0] for j in legs], axis=1)
    take = np.nonzero(made)
    slot = take[1]

    def col(i: int, dtype: type) -> np.ndarray:
        return np.stack([np.broadcast_to(j[i], (n,)) for j in legs], axis=1)[take].astype(dtype)

    after = col(3, np.int64)
    purpose = col(5, np.int16)
    trip = within(made.sum(axis=1)).astype(np.int16)
    depart = _naive_departures(first[take[0]], after, take[0])
    return Riders(
        zone_ids=zone_ids,
        category_ids=tuple(c.id for c in demand.categories),
        origin=col(1, np.int32), destination=col(2, np.int32), depart=depart,
        category=category[take[0]],
        media_ids=tuple(m for m, _ in media), media=None if held is None else held[take[0]],
        person=person[take[0]].astype(np.int64), person_key=key[take[0]],
        tour=np.array([j[4] for j in legs], dtype=np.int16)[slot], trip=trip, purpose=purpose,
        after_s=after, purpose_ids=purpose_ids, sample=sample, population=population,
        segment=segment[take[0]], segment_ids=tuple(g for g, _ in segments), base=base[take[0]],
    )


def _journeys_per_person(tours: Tours) -> float:
    """Expected journeys of a person's day: 2 per tour, +1 with a stop on the way home."""
    per_tour = 2.0 + sum(p.share * p.intermediate for p in tours.purposes)
    return per_tour * (1.0 + tours.second_tour)


def _departures(profile: list[ProfileBand], u_band: np.ndarray, u_at: np.ndarray) -> np.ndarray:
    """Departure times (integer s): the band by the profile's weights, uniform within it."""
    bands = sorted(profile, key=lambda b: b.start)
    band = keyed_choice(u_band, np.array([b.weight for b in bands], dtype=np.float64))
    starts = np.array([b.start for b in bands], dtype=np.int64)
    lengths = np.array([b.end - b.start for b in bands], dtype=np.int64)
    return starts[band] + (u_at * lengths[band]).astype(np.int64)


def _stay(spec: ActivityTime, z: np.ndarray) -> np.ndarray:
    """Stays (integer s) from standard normals ``z``: log-normal with the spec's mean and sd, cut
    to its bounds."""
    if spec.sd == 0:
        return np.full(len(z), spec.mean, dtype=np.int64)
    sigma2 = np.log1p((spec.sd / spec.mean) ** 2)
    out = np.exp(np.log(spec.mean) - sigma2 / 2 + np.sqrt(sigma2) * z)
    return np.clip(np.round(out), spec.min, spec.max).astype(np.int64)


def _place(u: np.ndarray, at: np.ndarray, o: np.ndarray, d: np.ndarray, trips: np.ndarray) -> np.ndarray:
    """A destination from zone ``at[i]``, drawn by ``u[i]`` in proportion to the OD rows leaving it
    (``-1`` where no row leaves it)."""
    out = np.full(len(at), -1, dtype=np.int64)
    if not len(o):
        return out
    order = np.lexsort((d, o))
    so, sd, w = o[order], d[order], trips[order]
    cum = np.cumsum(w)
    zones, start, count = np.unique(so, return_index=True, return_counts=True)
    k = np.searchsorted(zones, at)
    has = (k < len(zones)) & (zones[np.minimum(k, len(zones) - 1)] == at)
    k = k[has]
    lo = np.where(start[k] > 0, cum[start[k] - 1], 0.0)
    hi = cum[start[k] + count[k] - 1]
    pick = np.searchsorted(cum, lo + u[has] * (hi - lo), side="right")
    out[has] = sd[np.clip(pick, start[k], start[k] + count[k] - 1)]
    return out


def _day(tours: Tours, seed: int, replication: int, key: np.ndarray, home: np.ndarray, dest: np.ndarray,
         o: np.ndarray, d: np.ndarray, trips: np.ndarray) -> list[tuple]:
    """The journey slots of every person's day, in the order made: per slot ``(made, origin,
    destination, after_s, tour, purpose)`` arrays over persons (see :func:`generate`)."""
    def u(purpose: str, *what: int) -> np.ndarray:
        return keyed_uniform(seed, purpose, key, *what, replication=replication)

    def z(*what: int) -> np.ndarray:
        return keyed_normal(seed, "activity", key, *what, replication=replication)

    n = len(key)
    shares = np.array([p.share for p in tours.purposes])
    slots: list[tuple] = []
    second = u("tour", 9) < tours.second_tour
    for tour in (0, 1) if tours.second_tour > 0 else (0,):
        made = np.ones(n, dtype=bool) if tour == 0 else second
        purpose = keyed_choice(u("purpose", tour), shares)
        to = dest if tour == 0 else _place(u("place", tour, 0), home, o, d, trips)
        made = made & (to >= 0)
        stay = np.zeros(n, dtype=np.int64)
        stop = np.zeros(n, dtype=np.int64)
        stops_at = np.full(n, -1, dtype=np.int64)
        z_stay, z_stop = z(tour, 0), z(tour, 1)
        u_stop, u_where = u("tour", tour, 1), u("place", tour, 1)
        for pi, p in enumerate(tours.purposes):
            on = purpose == pi
            stay[on] = _stay(p.activity, z_stay[on])
            if p.intermediate > 0 and p.stop is not None:
                with_stop = on & (u_stop < p.intermediate)
                stops_at[with_stop] = _place(u_where[with_stop], to[with_stop], o, d, trips)
                stop[with_stop] = _stay(p.stop, z_stop[with_stop])
        stops_at[(stops_at == home) | (stops_at == to)] = -1  # a "stop" at home or where they were: none
        via = made & (stops_at >= 0)
        if tour == 0:
            out_after = np.full(n, -1, dtype=np.int64)
        else:
            assert tours.home is not None  # checked by the schema
            out_after = _stay(tours.home, z(tour, 2))
        slots.append((made, home, to, out_after, tour, purpose))
        slots.append((via, to, stops_at, stay, tour, purpose))
        slots.append((made, np.where(via, stops_at, to), home, np.where(via, stop, stay), tour, purpose))
    return slots


def _naive_departures(first: np.ndarray, after: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Planned departures before path choice estimates travel times: the first departure plus the
    stays before each journey (travel taken as 0; :func:`otrip_sim.choice.choose_day` refines)."""
    step = np.maximum(after, 0)
    return first + exclusive_prefix(step, group_starts(person)) + step
