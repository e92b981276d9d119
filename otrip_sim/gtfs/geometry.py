"""Segment distances of a pattern, in whole metres: from ``shape_dist_traveled``, else from the
trip's shape (``shapes.txt``), else great-circle between consecutive stops."""

from __future__ import annotations

import math

import numpy as np

from ..geo import EARTH_RADIUS_M, great_circle_m
from .feed import Feed
from .patterns import Pattern
from .report import Note
from .values import fail, parse_numbers

MAX_SHAPE_OFFSET_M = 200.0
"""A stop farther than this (metres) from its trip's shape makes the shape unusable for that pattern."""

SDT_UNITS = {"metres": 1.0, "kilometres": 1000.0, "miles": 1609.344, "feet": 0.3048}
"""Units ``shape_dist_traveled`` may be in, with their length in metres."""

Shapes = dict[str, tuple[np.ndarray, np.ndarray]]
"""``shape_id`` -> (latitudes, longitudes) of its points in degrees, in ``shape_pt_sequence`` order."""


def read_shapes(f: Feed) -> Shapes:
    """Read ``shapes.txt`` (optional) into :data:`Shapes`; ``{}`` when the feed has none.

    Parameters
    ----------
    f : Feed
        The feed.

    Returns
    -------
    Shapes
        ``shape_id`` → (latitudes, longitudes) in degrees, in ``shape_pt_sequence`` order.

    Raises
    ------
    InputError
        For an invalid latitude, longitude or sequence number.
    """
    name = "shapes.txt"
    sh = f.read_rows(name, ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"))
    if sh is None:
        return {}
    sh["lat"] = parse_numbers(f, name, sh, "shape_pt_lat", "latitude")
    sh["lon"] = parse_numbers(f, name, sh, "shape_pt_lon", "longitude")
    sh["seq"] = parse_numbers(
        f, name, sh, "shape_pt_sequence", "shape_pt_sequence (expected an integer)", integer=True
    )
    for c in ("lat", "lon", "seq"):
        fail(
            f,
            name,
            sh,
            np.isnan(sh[c].to_numpy()),
            {"lat": "shape_pt_lat", "lon": "shape_pt_lon", "seq": "shape_pt_sequence"}[c],
            "value required",
        )
    sh = sh.sort_values(["shape_id", "seq"], kind="stable")
    groups = sh.groupby("shape_id", sort=False)
    return {str(sid): (g["lat"].to_numpy(), g["lon"].to_numpy()) for sid, g in groups}


def sdt_unit(patterns: list[Pattern], note: Note) -> float | None:
    """Metres per unit of the feed's ``shape_dist_traveled``, or None when it has none or fits no unit.

    The unit is the one of :data:`SDT_UNITS` that makes the median ratio of a pattern's span to
    its straight-line length through the stops closest to 1.25 (between 0.9 and 4).

    Parameters
    ----------
    patterns : list of Pattern
        The feed's stop patterns, with their representative trip's ``shape_dist_traveled``.
    note : Note
        Records the unit found, or why none fits.

    Returns
    -------
    float or None
        Metres per unit.
    """
    ratios = []
    for p in patterns:
        if p.rep_sdt is not None and p.straight.sum() > 50:
            span = p.rep_sdt[-1] - p.rep_sdt[0]
            if span > 0:
                ratios.append(span / p.straight.sum())
    if not ratios:
        return None
    r = float(np.median(ratios))
    fits = [(abs(math.log(r * m / 1.25)), unit, m) for unit, m in SDT_UNITS.items() if 0.9 <= r * m <= 4.0]
    if not fits:
        note(
            "warning",
            f"shape_dist_traveled ignored: its values fit no unit (median span / straight-line length "
            f"through the stops = {r:.4g}; expected about 1-3 for metres)",
        )
        return None
    _, unit, m = min(fits)
    note(
        "note",
        f"shape_dist_traveled read as {unit} "
        f"(median span {r * m:.2f} × the straight-line length through the stops)",
    )
    return m


def distances(
    p: Pattern,
    unit: float | None,
    shapes: Shapes,
    stop_pos: dict[str, tuple[float, float]],
    note: Note,
    label: str,
) -> list[int]:
    """Cumulative whole metres at each stop of ``p`` (0 at the first, rising by at least 1).

    ``unit`` is :func:`sdt_unit`'s result; ``stop_pos`` maps a GTFS ``stop_id`` to (latitude,
    longitude) in degrees; ``label`` names the pattern in notes.

    Parameters
    ----------
    p : Pattern
        The stop pattern.
    unit : float or None
        Metres per ``shape_dist_traveled`` unit (``None``: not usable).
    shapes : Shapes
        The feed's shapes.
    stop_pos : dict of str to (float, float)
        GTFS ``stop_id`` → (latitude, longitude) in degrees.
    note : Note
        Records warnings and the fallback used.
    label : str
        The pattern, as the report names it.

    Returns
    -------
    list of int
        Cumulative integer metres: from ``shape_dist_traveled``, else along the shape, else
        great-circle between consecutive stops.
    """
    if unit is not None and p.rep_sdt is not None:
        values = (p.rep_sdt - p.rep_sdt[0]) * unit
        if np.all(np.diff(values) >= 0):
            return monotone(values)[0]
        note(
            "warning",
            "shape_dist_traveled decreases along the trip: distances from the shape or great-circle instead",
            label,
        )
    if p.shape_id:
        if p.shape_id in shapes:
            slat, slon = shapes[p.shape_id]
            pos = np.array([stop_pos[s] for s in p.stops])
            along, worst = project_on_shape(pos[:, 0], pos[:, 1], slat, slon)
            if worst <= MAX_SHAPE_OFFSET_M:
                return monotone(along)[0]
            note(
                "warning",
                f"a stop lies more than {MAX_SHAPE_OFFSET_M:.0f} m from the trip's shape: "
                "great-circle distances instead",
                f"{label} (shape {p.shape_id}, {worst:.0f} m)",
            )
        else:
            note("warning", "shape_id not in shapes.txt", f"{label} (shape {p.shape_id})")
    note(
        "fallback",
        "distances are great-circle between consecutive stops (no shape_dist_traveled, no usable shape)",
        label,
    )
    return monotone(np.concatenate([[0.0], np.cumsum(p.straight)]))[0]


def project_on_shape(
    lat: np.ndarray, lon: np.ndarray, slat: np.ndarray, slon: np.ndarray
) -> tuple[np.ndarray, float]:
    """Metres along the shape of each stop (in order, never going back) and the largest stop offset.

    ``lat``/``lon`` are the stops' and ``slat``/``slon`` the shape points' coordinates in degrees;
    distances are computed on a local flat projection around the shape's mean latitude, lengths
    along the shape by great circle.  Returns (metres along the shape per stop, largest distance in
    metres of a stop from the shape; infinite for a shape of one point).

    Each stop goes to the earliest shape segment at or after the previous stop's position that
    lies within 25 m (or 50 %) of the nearest such segment, so a loop's second pass is not taken
    for the first.
    """
    lat0 = math.radians(float(np.mean(slat)))
    kx, ky = EARTH_RADIUS_M * math.cos(lat0) * math.pi / 180, EARTH_RADIUS_M * math.pi / 180
    sx, sy = slon * kx, slat * ky
    px, py = lon * kx, lat * ky
    cum = np.concatenate([[0.0], np.cumsum(great_circle_m(slat[:-1], slon[:-1], slat[1:], slon[1:]))])
    if len(sx) < 2:
        return np.zeros(len(px)), float("inf")
    ax, ay, bx, by = sx[:-1], sy[:-1], sx[1:], sy[1:]
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    seg_len = cum[1:] - cum[:-1]
    along = np.empty(len(px))
    worst = 0.0
    prev = 0.0
    for i in range(len(px)):
        t = np.where(seg2 > 0, ((px[i] - ax) * dx + (py[i] - ay) * dy) / np.where(seg2 > 0, seg2, 1), 0.0)
        t = np.clip(t, 0.0, 1.0)
        pos = cum[:-1] + t * seg_len
        dist = np.hypot(ax + t * dx - px[i], ay + t * dy - py[i])
        ok = pos >= prev - 1.0
        if not ok.any():
            ok = pos >= pos.max()
        best = dist[ok].min()
        near = ok & (dist <= best + max(25.0, 0.5 * best))
        k = int(np.argmax(near))
        along[i] = max(pos[k], prev)
        prev = along[i]
        worst = max(worst, float(dist[k]))
    return along, worst


def monotone(values: np.ndarray) -> tuple[list[int], bool]:
    """Round cumulative values (metres or seconds) to ints rising by at least 1 from one to the next.

    Returns the ints and whether any value went backwards (a step of less than 0 in the input).

    Parameters
    ----------
    values : numpy.ndarray
        Cumulative metres or seconds (float).

    Returns
    -------
    rounded : list of int
        The values rounded, each at least 1 more than the one before.
    backwards : bool
        Some value was below the one before it.
    """
    out: list[int] = []
    backwards = False
    for i, v in enumerate(values):
        x = round(float(v))
        if i:
            if v < values[i - 1] - 1e-9:
                backwards = True
            x = max(x, out[-1] + 1)
        out.append(x)
    return out, backwards
