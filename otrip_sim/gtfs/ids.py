"""otrip-sim ids for GTFS ids: valid (``A-Z a-z 0-9 _ . -``), unique, not read back as numbers."""

from __future__ import annotations

import hashlib
import re

from ..scenario import _csv_value

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


def make_id(gid: str, prefix: str, used: set[str], numeric_prefix: str) -> str:
    """A valid, unique otrip-sim id for a GTFS id.

    Parameters
    ----------
    gid:
        The GTFS id (``stop_id``, ``route_id`` with its direction and part).
    prefix:
        The feed's prefix in a multi-feed import: the id becomes ``prefix.id``; ``""``: none.
    used:
        Ids given already; the result is not among them (``_2``, ``_3``, … appended).
    numeric_prefix:
        Put before an id the loader would read as a number (``"s"``: stop ``12`` -> ``s12``).

    Returns
    -------
    str
        At most 100 characters; longer ids are cut and end with 8 hex digits of their SHA-1.
    """
    base = ID_BAD.sub("_", gid).strip("_") or "x"
    if reads_as_number(base) and not prefix:
        base = numeric_prefix + base  # the CSV loader would read a bare number as a number
    sid = f"{prefix}.{base}" if prefix else base
    if len(sid) > 100:
        sid = sid[:90] + "_" + hashlib.sha1(gid.encode()).hexdigest()[:8]
    candidate, n = sid, 1
    while candidate in used:
        n += 1
        candidate = f"{sid[:95]}_{n}"
    return candidate


def reads_as_number(text: str) -> bool:
    """Whether the scenario loader would read this CSV cell as a number rather than as text.

    Parameters
    ----------
    text : str
        A CSV cell.

    Returns
    -------
    bool
        The cell is not blank and reads as a number.
    """
    return text.strip() != "" and not isinstance(_csv_value(text), str)


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
