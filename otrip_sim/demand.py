"""Demand: a gravity model's zones and OD rows, zone access, and the day's riders.

The riders come from the OD table, the time-of-day profile and category shares, vectorised with
numpy; they come out sorted by departure time, which fixes their ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .errors import InputError
from .geo import WALK_DETOUR, great_circle_m
from .rng import stream
from .scenario import LoadedScenario
from .schema import Demand, GravitySpec, ODRow, Stop, ZoneAccess, ZoneRow


@dataclass(frozen=True)
class Riders:
    """The riders of one run, one entry per journey, sorted by ``depart``.

    Attributes
    ----------
    origin, destination:
        Index into :attr:`zone_ids`.
    depart:
        Seconds of the service day at which the rider leaves the origin.
    category:
        Index into :attr:`category_ids`.
    media:
        Index into :attr:`media_ids`: the fare medium (card type) each rider holds.
    """

    zone_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    origin: np.ndarray
    destination: np.ndarray
    depart: np.ndarray
    category: np.ndarray
    media_ids: tuple[str, ...] = ()
    media: np.ndarray | None = None  # index into media_ids per rider (None: no media modelled)

    def __len__(self) -> int:
        return len(self.depart)


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
) -> Riders:
    """Draw the riders of one day.

    The number of journeys on each OD row is Poisson with mean ``trips × scale`` (journeys happen
    independently); the departure band follows the profile weights, uniform within the band; the
    category follows the shares.  Intrazonal rows (origin = destination) are not public-transport
    journeys and are skipped.

    Parameters
    ----------
    demand : Demand
        The scenario's demand section, its OD rows read (journeys per day).
    zone_ids : tuple of str
        The zones the riders' origin and destination indices refer to.
    seed : int
        Root seed; the counts, categories and media draw from their own streams of it.
    scale : float
        Multiplier of every OD volume.
    media : sequence of (str, float)
        Fare media and the share of riders holding each (empty: none modelled).

    Returns
    -------
    Riders
        One entry per journey, sorted by departure (integer seconds of the service day).
    """
    zidx = {z: i for i, z in enumerate(zone_ids)}
    od = demand.od
    # the loader has read the OD table (a file reference) into rows; generate is not called without one
    assert od is not None and not isinstance(od, str), "OD table not read by the loader"
    rows = [r for r in od if r.origin != r.destination]
    o = np.fromiter((zidx[r.origin] for r in rows), dtype=np.int32, count=len(rows))
    d = np.fromiter((zidx[r.destination] for r in rows), dtype=np.int32, count=len(rows))
    mean = np.fromiter((r.trips for r in rows), dtype=np.float64, count=len(rows)) * scale
    rng = stream(seed, "demand")
    counts = rng.poisson(mean)
    origin = np.repeat(o, counts)
    destination = np.repeat(d, counts)
    n = len(origin)
    bands = sorted(demand.profile, key=lambda b: b.start)
    weights = np.array([b.weight for b in bands], dtype=np.float64)
    band = rng.choice(len(bands), size=n, p=weights / weights.sum())
    starts = np.array([b.start for b in bands], dtype=np.int64)
    lengths = np.array([b.end - b.start for b in bands], dtype=np.int64)
    depart = starts[band] + (rng.random(n) * lengths[band]).astype(np.int64)
    shares = np.array([c.share for c in demand.categories], dtype=np.float64)
    category = stream(seed, "category").choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int16)
    order = np.lexsort((destination, origin, depart))
    held = None
    if media:
        shares_m = np.array([share for _, share in media], dtype=np.float64)
        draws = stream(seed, "media").choice(len(media), size=n, p=shares_m / shares_m.sum())
        held = draws.astype(np.int16)[order]
    return Riders(
        zone_ids=zone_ids,
        category_ids=tuple(c.id for c in demand.categories),
        origin=origin[order],
        destination=destination[order],
        depart=depart[order],
        category=category[order],
        media_ids=tuple(m for m, _ in media),
        media=held,
    )
