"""Walking links between stops: every pair within a radius, then the feeds' ``transfers.txt``.

Distances are whole metres of walking; a link's ``note`` says where it came from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..geo import EARTH_RADIUS_M, WALK_DETOUR, great_circle_m
from .feed_import import FeedImport
from .report import Notes
from .values import col, fail, parse_numbers

TRANSFER_WALK_SPEED = 1.2
"""Walking speed (m/s) that turns ``transfers.txt`` ``min_transfer_time`` into metres."""

Links = dict[tuple[str, str], dict[str, Any]]
"""(stop, stop) in id order -> ``walk_links.csv`` row (``from_stop``, ``to_stop``, ``walk_m``, ``note``)."""


def walk_links(built: list[FeedImport], radius: float, notes: Notes) -> list[dict[str, Any]]:
    """The ``walk_links.csv`` rows of the imported stops, sorted by (``from_stop``, ``to_stop``).

    Parameters
    ----------
    built:
        The imported feeds (their ``stop_rows`` with ``_lat``/``_lon`` in degrees).
    radius:
        Link two stops whose great-circle distance × :data:`~otrip_sim.geo.WALK_DETOUR` is at most
        this many metres (0: no radius links).  Searched on stops sorted by latitude, so a city
        does not compare every pair.
    notes:
        Where the ``transfers.txt`` notes go.

    Returns
    -------
    list of dict
        ``from_stop``, ``to_stop`` (ids in order), ``walk_m`` (int metres), ``note``.  Then each
        feed's ``transfers.txt`` adds or shortens links (type 3 removes one; see :func:`_transfers`).
    """
    stops = [row for b in built for row in b.stop_rows]
    lat = np.array([s["_lat"] for s in stops], float)
    lon = np.array([s["_lon"] for s in stops], float)
    ids = [s["stop_id"] for s in stops]
    links: dict[tuple[str, str], dict[str, Any]] = {}
    if radius > 0 and len(stops) > 1:
        straight_max = radius / WALK_DETOUR
        order = np.argsort(lat, kind="stable")
        slat = lat[order]
        dlat = math.degrees(straight_max / EARTH_RADIUS_M) * 1.01
        for pos, i in enumerate(order):
            hi = np.searchsorted(slat, lat[i] + dlat, side="right")
            cand = order[pos + 1 : hi]
            if not len(cand):
                continue
            coslat = max(math.cos(math.radians(lat[i])), 1e-6)
            cand = cand[np.abs(lon[cand] - lon[i]) <= dlat / coslat + 1e-9]
            if not len(cand):
                continue
            d = great_circle_m(lat[i], lon[i], lat[cand], lon[cand])
            for j, dist in zip(cand, d):
                walk = round(float(dist) * WALK_DETOUR)
                if walk <= radius:
                    a, b = sorted((ids[i], ids[j]))
                    links[(a, b)] = {
                        "from_stop": a,
                        "to_stop": b,
                        "walk_m": walk,
                        "note": f"within {radius:g} m: straight line {dist:.0f} m × {WALK_DETOUR}",
                    }
    for b in built:
        _transfers(b, links, notes)
    return [links[k] for k in sorted(links)]


def _transfers(b: FeedImport, links: Links, notes: Notes) -> None:
    # a min_transfer_time says more than the radius guess, so a transfers.txt link replaces a radius
    # link; among transfers.txt rows for the same pair the shortest walk wins
    f = b.feed
    name = "transfers.txt"
    tr = f.read_rows(name, ("from_stop_id", "to_stop_id"))
    if tr is None:
        return
    ttype = col(tr, "transfer_type")
    fail(
        f,
        name,
        tr.assign(transfer_type=ttype),
        ~ttype.isin(["", "0", "1", "2", "3", "4", "5"]).to_numpy(),
        "transfer_type",
        "invalid transfer_type (expected 0-5 or empty)",
    )
    mtt = parse_numbers(f, name, tr, "min_transfer_time", "min_transfer_time (expected seconds)")
    children: dict[str, list[str]] = {}
    for sid, parent in b.parent.items():
        if parent and sid in b.stop_ids:
            children.setdefault(parent, []).append(sid)

    def expand(gid: str) -> list[str]:
        if gid in b.stop_ids:
            return [gid]
        return children.get(gid, [])

    for i in range(len(tr)):
        fa, ta, typ, line = (
            str(tr["from_stop_id"].iat[i]),
            str(tr["to_stop_id"].iat[i]),
            str(ttype.iat[i]) or "0",
            tr["_line"].iat[i],
        )
        if typ in ("4", "5"):
            continue
        froms, tos = expand(fa), expand(ta)
        if not froms or not tos:
            notes.add(
                "warning", f.label, "transfers.txt rows naming unknown stops were ignored", f"line {line}"
            )
            continue
        for x in froms:
            for y in tos:
                if x == y:
                    continue
                a, c = sorted((b.stop_ids[x], b.stop_ids[y]))
                if typ == "3":
                    if links.pop((a, c), None) is not None:
                        notes.add(
                            "note",
                            f.label,
                            "transfers.txt forbids the transfer (type 3): radius link removed",
                            f"{a}–{c}",
                        )
                    continue
                if not math.isnan(mtt[i]):
                    walk = round(float(mtt[i]) * TRANSFER_WALK_SPEED)
                    note = (
                        f"transfers.txt line {line}: type {typ}, min_transfer_time {mtt[i]:g} s × "
                        f"{TRANSFER_WALK_SPEED} m/s"
                    )
                else:
                    (la, lo), (lb, lob) = b.stop_pos[x], b.stop_pos[y]
                    walk = round(float(great_circle_m(la, lo, lb, lob)))
                    note = f"transfers.txt line {line}: type {typ}, straight line"
                old = links.get((a, c))
                if old is None or not old["note"].startswith("transfers.txt") or walk < old["walk_m"]:
                    links[(a, c)] = {"from_stop": a, "to_stop": c, "walk_m": walk, "note": note}
