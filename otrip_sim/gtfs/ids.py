"""otrip-sim ids for GTFS ids: valid (``A-Z a-z 0-9 _ . -``) and unique; ids are text everywhere,
digit-only ones (stop ``8039``, zone ``1``) included, so they are kept as they are."""

from __future__ import annotations

import hashlib
import re

ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
"""Runs of characters an otrip-sim id (stop, route, operator) may not contain."""


def slug(text: str) -> str:
    """Lower-case ``text`` with runs of other characters than ``a-z 0-9`` as one ``-``
    (``"Caltrain GTFS"`` -> ``"caltrain-gtfs"``): operator ids and feed prefixes.

    Parameters
    ----------
    text : str
        Any name.

    Returns
    -------
    str
        The slug, without leading or trailing ``-`` (``""`` when nothing is left).
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_id(gid: str, prefix: str, used: set[str]) -> str:
    """A valid, unique otrip-sim id for a GTFS id.

    Parameters
    ----------
    gid:
        The GTFS id (``stop_id``, ``route_id`` with its direction and part).
    prefix:
        The feed's prefix in a multi-feed import: the id becomes ``prefix.id``; ``""``: none.
    used:
        Ids given already; the result is not among them (``_2``, ``_3``, … appended).

    Returns
    -------
    str
        At most 100 characters; longer ids are cut and end with 8 hex digits of their SHA-1.
    """
    base = ID_BAD.sub("_", gid).strip("_") or "x"
    sid = f"{prefix}.{base}" if prefix else base
    if len(sid) > 100:
        sid = sid[:90] + "_" + hashlib.sha1(gid.encode()).hexdigest()[:8]
    candidate, n = sid, 1
    while candidate in used:
        n += 1
        candidate = f"{sid[:95]}_{n}"
    return candidate


def network_id(value: str) -> str:
    """An operator id for a GTFS Fares v2 ``network_id``: other characters than ``A-Z a-z 0-9 _ . -``
    become ``_`` (``"bus network"`` -> ``"bus_network"``); ``"network"`` when nothing is left.

    Parameters
    ----------
    value : str
        The ``network_id``.

    Returns
    -------
    str
        The operator id.
    """
    return ID_BAD.sub("_", value.strip()) or "network"
