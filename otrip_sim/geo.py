"""Distances on the Earth's surface: the one great-circle formula every module uses.

Coordinates are WGS 84 degrees; distances are metres (floats: callers round to whole metres where
they store them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

EARTH_RADIUS_M = 6_371_000.0
"""Mean Earth radius (IUGG), metres."""

WALK_DETOUR = 1.3
"""A walk is longer than the straight line between its ends; 1.3 is a common detour factor."""


def great_circle_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle (haversine) distance in metres between points given in degrees.

    ``h`` is clipped to 1 so rounding never asks ``arcsin`` for more than a half circle.

    Parameters
    ----------
    lat1, lon1, lat2, lon2:
        WGS 84 degrees: scalars or numpy arrays (broadcast as numpy does).

    Returns
    -------
    float or numpy.ndarray
        Metres, as floats (callers round to whole metres where they store them).

    Examples
    --------
    >>> round(great_circle_m(-6.2, 106.8, -6.2, 106.81))
    1105
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
