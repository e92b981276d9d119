"""Generate the day's riders from the OD table, the time-of-day profile and category shares.

Vectorised with numpy; riders come out sorted by departure time, which fixes their ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .rng import stream
from .schema import Demand


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


def zone_access(demand: Demand, stop_ids: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
    """Zone id → access stops as ``(stop index, walk metres)``; with no zones, one zone per stop."""
    index = {s: i for i, s in enumerate(stop_ids)}
    if demand.zones is None:
        return {s: [(i, 0)] for i, s in enumerate(stop_ids)}
    out: dict[str, list[tuple[int, int]]] = {}
    for z in demand.zones:  # type: ignore[union-attr]
        out.setdefault(z.zone_id, []).append((index[z.stop_id], z.access_m))
    return out


def generate(
    demand: Demand, zone_ids: tuple[str, ...], seed: int, scale: float = 1.0, media: Sequence[tuple[str, float]] = ()
) -> Riders:
    """Draw the riders of one day.

    The number of journeys on each OD row is Poisson with mean ``trips × scale`` (journeys happen
    independently); the departure band follows the profile weights, uniform within the band; the
    category follows the shares.  Intrazonal rows (origin = destination) are not public-transport
    journeys and are skipped.
    """
    zidx = {z: i for i, z in enumerate(zone_ids)}
    rows = [r for r in demand.od if r.origin != r.destination]  # type: ignore[union-attr]
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
        held = stream(seed, "media").choice(len(media), size=n, p=shares_m / shares_m.sum()).astype(np.int16)[order]
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
