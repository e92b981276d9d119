"""The network import's options, checked once: feeds and their prefixes, operator and capacity maps,
the service day; and what each GTFS ``route_type`` means for capacity and operator mode.

Every bad option raises one :class:`~otrip_sim.errors.InputError` naming the command-line option
(``--capacity``, ``--operator``, ``--date``, ``--prefix``) and the value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from ..textio import DEFAULT_ZIP_LIMITS, ZipLimits
from .feed import Feed
from .ids import slug

DEFAULT_CAPACITY: dict[str, int] = {
    "bus": 60,
    "trolleybus": 60,
    "coach": 50,
    "tram": 150,
    "monorail": 500,
    "metro": 1000,
    "rail": 1000,
    "ferry": 200,
    "cable": 30,
    "funicular": 100,
    "other": 60,
}
"""Passengers per vehicle by mode, used unless ``capacity`` overrides them.  Assumptions, not data:
GTFS says nothing about vehicle size."""


def open_feeds(
    feeds: Sequence[str | Path] | Mapping[str, str | Path], limits: ZipLimits = DEFAULT_ZIP_LIMITS
) -> list[Feed]:
    """Open the feeds to import, each with its id prefix.

    Parameters
    ----------
    feeds:
        Zip files or folders (one path alone is accepted too), or ``{prefix: path}``.  Without given
        prefixes each feed gets :func:`default_prefix` (``-2``, ``-3`` … appended to repeats); a
        single feed gets none (``""``).
    limits:
        How far a zip feed may unpack.

    Raises
    ------
    InputError
        No feed, a prefix that is not 1-30 of ``A-Z a-z 0-9 _ -``, repeated prefixes, or a feed
        that is not a zip file or folder.
    """
    if isinstance(feeds, (str, Path)):
        feeds = [feeds]
    if isinstance(feeds, Mapping):
        pairs = [(str(k), Path(v)) for k, v in feeds.items()]
        for prefix, _ in pairs:
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,30}", prefix):
                raise InputError("--prefix", "", "a prefix is 1-30 characters from A-Z a-z 0-9 _ -", prefix)
    else:
        paths = [Path(p) for p in feeds]
        pairs = [(default_prefix(p), p) for p in paths]
        seen: Counter[str] = Counter()
        for i, (prefix, p) in enumerate(pairs):
            seen[prefix] += 1
            if seen[prefix] > 1:
                pairs[i] = (f"{prefix}-{seen[prefix]}", p)
    if not pairs:
        raise InputError("FEED", "", "give at least one GTFS feed")
    if len({p for p, _ in pairs}) != len(pairs):
        raise InputError("--prefix", "", "prefixes must be unique", [p for p, _ in pairs])
    single = len(pairs) == 1
    return [Feed(path, "" if single else prefix, limits) for prefix, path in pairs]


def default_prefix(path: Path) -> str:
    """A feed's id prefix from its file or folder name without ``gtfs`` (else its parent folder's).

    ``feeds/caltrain_gtfs.zip`` -> ``caltrain``; ``bogor-angkot-gtfs/gtfs.zip`` -> ``bogor-angkot``;
    at most 30 characters, ``"feed"`` when nothing is left.

    Parameters
    ----------
    path : Path
        The feed's zip file or folder.

    Returns
    -------
    str
        A slug (see :func:`~otrip_sim.gtfs.ids.slug`).
    """
    for part in (path.stem if path.suffix.lower() == ".zip" else path.name, path.absolute().parent.name):
        words = slug(part).replace("-", "_")
        name = re.sub(r"(^|[-_])(gtfs|google[-_]transit)(?=$|[-_])", "", words).strip("_")
        name = name.replace("_", "-")[:30].strip("-")
        if name:
            return name
    return "feed"


def check_operator_map(operators: Mapping[str, str] | None) -> dict[str, str]:
    """``--operator``: GTFS ``agency_id`` or ``agency_name`` -> otrip-sim operator id, checked.

    Raises :class:`InputError` for an operator id that is not 1-100 of ``A-Z a-z 0-9 _ . -``.

    Parameters
    ----------
    operators : mapping of str to str, optional
        The ``--operator`` values.

    Returns
    -------
    dict of str to str
        A copy of ``operators`` (empty for ``None``).
    """
    out = dict(operators or {})
    for agency, op in out.items():
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", str(op)):
            raise InputError(
                "--operator", "", f"operator id for {agency!r}: 1-100 characters from A-Z a-z 0-9 _ . -", op
            )
    return out


def check_capacity(capacity: Mapping[str, int] | None) -> dict[str, int]:
    """``--capacity``: mode (a key of :data:`DEFAULT_CAPACITY`) or numeric ``route_type`` ->
    passengers per vehicle (int > 0); keys lower-cased.  Raises :class:`InputError` otherwise.

    Parameters
    ----------
    capacity : mapping of str to int, optional
        The ``--capacity`` values.

    Returns
    -------
    dict of str to int
        Mode or ``route_type`` (lower case) → passengers per vehicle.
    """
    out: dict[str, int] = {}
    for key, value in (capacity or {}).items():
        key = str(key).strip().lower()
        if key not in DEFAULT_CAPACITY and not key.isdigit():
            raise InputError(
                "--capacity",
                "",
                f"unknown mode (use a GTFS route_type number or one of {sorted(DEFAULT_CAPACITY)})",
                key,
            )
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InputError("--capacity", "", f"{key}: passengers per vehicle must be an integer > 0", value)
        out[key] = value
    return out


def check_date(value: str | Date | None) -> Date | None:
    """``--date``: a ``YYYYMMDD`` string (or a date) as a date; ``None`` stays ``None``.

    Raises :class:`InputError` for anything else.

    Parameters
    ----------
    value : str, datetime.date or None
        The ``--date`` value.

    Returns
    -------
    datetime.date or None
        The service day (``None``: choose one per feed).
    """
    if value is None or isinstance(value, Date):
        return value
    try:
        if not re.fullmatch(r"\d{8}", str(value)):
            raise ValueError
        return datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        raise InputError("--date", "", "expected a date YYYYMMDD", value) from None


def route_mode(route_type: int) -> tuple[str, str]:
    """GTFS ``route_type`` (basic 0-12 or extended 100-1499) -> (capacity key, operator mode).

    The capacity key is a key of :data:`DEFAULT_CAPACITY` (``"other"`` for unknown types); the
    mode is an otrip-sim operator ``mode`` (``bus``, ``lrt``, ``metro``, ``rail``, …).

    Parameters
    ----------
    route_type : int
        The GTFS ``route_type``.

    Returns
    -------
    (str, str)
        The capacity key and the operator mode.
    """
    basic = {
        0: ("tram", "lrt"),
        1: ("metro", "metro"),
        2: ("rail", "rail"),
        3: ("bus", "bus"),
        4: ("ferry", "ferry"),
        5: ("cable", "other"),
        6: ("cable", "other"),
        7: ("funicular", "other"),
        11: ("trolleybus", "bus"),
        12: ("monorail", "metro"),
    }
    if route_type in basic:
        return basic[route_type]
    if route_type == 405:
        return ("monorail", "metro")
    ranges = [
        (100, 199, "rail", "rail"),
        (200, 299, "coach", "coach"),
        (400, 499, "metro", "metro"),
        (700, 799, "bus", "bus"),
        (800, 899, "trolleybus", "bus"),
        (900, 999, "tram", "lrt"),
        (1000, 1099, "ferry", "ferry"),
        (1200, 1299, "ferry", "ferry"),
        (1300, 1399, "cable", "other"),
        (1400, 1499, "funicular", "other"),
    ]
    for lo, hi, key, mode in ranges:
        if lo <= route_type <= hi:
            return key, mode
    return ("other", "other")
