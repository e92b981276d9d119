"""TIDES ``fare_transactions`` tables as replay legs: each tap-in a leg, its tap-out paired, every
other row skipped and counted (``Adjust``, ``Purchase``…, and actions otrip-sim does not know),
never rejected as a bad leg.  Only TIDES' own columns are needed: the operator comes from
``pattern_id`` (``<route>:<direction>`` of the scenario) or ``trip_id_performed`` /
``trip_id_scheduled`` where they name a scenario route, else from the stop where one operator
serves it, else from a mapping file (:func:`read_map`, ``--map``), which also maps an agency's
rider categories and routes to the scenario's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .schema.fares import TIDES_MEDIA

OPTIONAL = (
    "category", "journey_id", "route", "board_stop", "alight_stop", "alight_time", "distance_km", "media",
)
"""The optional columns of a tap file (and of the legs a TIDES table becomes)."""

TIDES_KEYS = {"transaction_id", "event_timestamp", "fare_action"}
_ENTER = {"Enter", "Transfer entrance"}
_EXIT = {"Exit", "Transfer exit"}
NO_BOARDING = {"Adjust", "Purchase", "Reload", "Refund", "Pass activation"}
"""TIDES fare actions that carry no boarding: skipped, and counted as ``skipped_no_boarding``."""


MAP_KINDS = ("operator", "route", "rider_category", "fare_media_id")
"""What a ``--map`` file maps: ``operator`` (a ``pattern_id``, trip id or ``stop_id`` -> operator id),
``route`` (a ``pattern_id`` or trip id -> scenario route id), ``rider_category`` (the agency's
category -> the scenario's), ``fare_media_id`` (a TIDES media type or an agency's medium -> the
scenario's fare medium; replay fills in each TIDES media type that one declared medium has)."""


def read_map(path: str | Path) -> dict[str, dict[str, str]]:
    """A ``--map`` CSV file: columns ``kind`` (one of :data:`MAP_KINDS`), ``tides`` (the value in the
    TIDES file) and ``otrip`` (the scenario's id).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    dict
        kind -> TIDES value -> scenario id.

    Raises
    ------
    InputError
        A missing column, an unknown kind or an empty value, with its line.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (FileNotFoundError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"cannot read the map file: {str(exc).splitlines()[0]}") from None
    for c in ("kind", "tides", "otrip"):
        if c not in df.columns:
            raise InputError(path, "line 1", f"missing column {c!r} (kind, tides, otrip)")
    out: dict[str, dict[str, str]] = {k: {} for k in MAP_KINDS}
    for line, (kind, src, dst) in enumerate(zip(df["kind"], df["tides"], df["otrip"]), start=2):
        kind, src, dst = kind.strip(), src.strip(), dst.strip()
        if kind not in MAP_KINDS:
            raise InputError(path, f"line {line}, column kind", f"one of {', '.join(MAP_KINDS)}", kind)
        if not src or not dst:
            raise InputError(path, f"line {line}", "tides and otrip must not be empty")
        out[kind][src] = dst
    return out


def tides_legs(df: pd.DataFrame, route_operator: dict[str, str], path: Path,
               stop_operator: dict[str, str] | None = None,
               mapping: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Legs from a TIDES ``fare_transactions`` table: each ``Enter``/``Transfer entrance`` row is a
    tap-in; the next ``Exit``/``Transfer exit`` row of the same ``token_id`` is its tap-out;
    other actions (``Adjust``, ``Purchase``…) carry no boarding and are left out, counted, as are
    actions otrip-sim does not know.  The operator comes from an ``operator`` column, else from
    the route of ``pattern_id`` (``<route>:<dir>``) or of a trip id, else from ``stop_id`` where one
    operator serves the stop, else from ``mapping``.  ``trip_id_performed`` is a vehicle trip in
    TIDES, not the rider's journey: it is not read as one.

    Parameters
    ----------
    df : pandas.DataFrame
        The TIDES table as text: ``transaction_id``, ``event_timestamp``, ``fare_action``,
        ``token_id`` and optionally ``stop_id``, ``pattern_id``, ``operator``, ``rider_category``,
        ``fare_media_id``, ``trip_id_performed``, ``distance_km``, ``media`` (otrip-sim's: the
        fare medium id; without it ``fare_media_id`` through ``mapping``'s ``fare_media_id``, else
        a value that is not one of TIDES' media types as the medium id, and TIDES' media types as
        no medium).
    route_operator : dict of str to str
        Route id → operator id.
    path : Path
        The file, for messages.
    stop_operator : dict of str to str, optional
        Stop id → the one operator serving it (stops served by several are not in it).
    mapping : dict, optional
        :func:`read_map`'s result.

    Returns
    -------
    pandas.DataFrame
        One row per tap-in, in file order: ``line`` (int, the tap-in's line), ``rider`` (the
        ``token_id``), ``operator``, ``board_time`` (the timestamp text) and the optional tap
        columns as text; ``attrs["tides"]`` is ``True``.

    Raises
    ------
    InputError
        When the table has no ``token_id`` column.
    """
    if "token_id" not in df.columns:
        raise InputError(
            path, "line 1", "a TIDES fare_transactions file needs token_id (the card) to group taps"
        )
    df = df.assign(_line=np.arange(2, len(df) + 2))
    action = df["fare_action"].str.strip()
    stamp = pd.to_datetime(df["event_timestamp"], format="ISO8601", errors="coerce")
    order = np.lexsort(
        (df["_line"].to_numpy(), stamp.to_numpy(dtype="datetime64[ns]"), df["token_id"].to_numpy())
    )
    names = (
        "stop_id", "pattern_id", "operator", "rider_category", "fare_media_id", "trip_id_performed",
        "trip_id_scheduled", "distance_km", "media",
    )
    cols = {
        name: df[name].to_numpy(dtype=object) if name in df.columns else np.full(len(df), "", dtype=object)
        for name in names
    }
    token, act, when = df["token_id"].to_numpy(), action.to_numpy(), df["event_timestamp"].to_numpy()
    stop = cols["stop_id"]
    # the card's medium: otrip-sim's media column; else fare_media_id mapped (a TIDES media type
    # names the scenario's one medium of that type), else as written where it is not one of TIDES'
    # media types (which say what kind of medium, not which of the scenario's media)
    fmi = pd.Series(cols["fare_media_id"], dtype=object)
    as_is = fmi.where(~fmi.isin(TIDES_MEDIA), "")
    mapped = fmi.map((mapping or {}).get("fare_media_id", {})).astype(object)
    media = (cols["media"] if "media" in df.columns
             else mapped.where(mapped.notna(), as_is).to_numpy(dtype=object))
    lines = df["_line"].to_numpy()
    rows: list[dict[str, object]] = []
    open_leg: dict[str, dict[str, object]] = {}
    problems: dict[int, str] = {}
    skipped = {"skipped_no_boarding": 0, "unrecognised_action": 0, "unmatched_exit": 0,
               "operator_from_stop": 0, "operator_from_map": 0}
    maps = mapping or {k: {} for k in MAP_KINDS}
    stop_op = stop_operator or {}

    def route_of(i: int) -> str:
        """The scenario route a row's pattern or trip names (mapped, or ``<route>:<dir>``), or ``""``."""
        for key in (str(cols["pattern_id"][i]), str(cols["trip_id_performed"][i]),
                    str(cols["trip_id_scheduled"][i])):
            if not key:
                continue
            if key in maps["route"]:
                return maps["route"][key]
            if key.split(":")[0] in route_operator:
                return key.split(":")[0]
        return ""

    def operator_of(i: int, route: str) -> str:
        if cols["operator"][i]:
            return str(cols["operator"][i])
        if route:
            return route_operator.get(route, route)
        for key in (str(cols["pattern_id"][i]), str(cols["trip_id_performed"][i]), str(stop[i])):
            if key and key in maps["operator"]:
                skipped["operator_from_map"] += 1
                return maps["operator"][key]
        if stop[i] in stop_op:
            skipped["operator_from_stop"] += 1
            return stop_op[stop[i]]
        return ""

    for i in order:
        if act[i] not in _ENTER and act[i] not in _EXIT:
            # no boarding (Adjust: a settlement correction), or an action otrip-sim does not know:
            # counted and reported, never a bad leg
            skipped["skipped_no_boarding" if act[i] in NO_BOARDING else "unrecognised_action"] += 1
            continue
        if act[i] in _ENTER:
            route = route_of(i)
            category = str(cols["rider_category"][i])
            leg = {"line": int(lines[i]), "rider": token[i], "operator": operator_of(i, route),
                   "board_time": when[i], "category": maps["rider_category"].get(category, category),
                   "route": route, "board_stop": stop[i], "alight_stop": "", "alight_time": "",
                   "media": media[i], "journey_id": "", "distance_km": cols["distance_km"][i]}
            rows.append(leg)
            open_leg[token[i]] = leg
        elif token[i] in open_leg:  # an exit
            leg = open_leg.pop(token[i])
            leg["alight_time"], leg["alight_stop"] = when[i], stop[i]
        else:
            skipped["unmatched_exit"] += 1
    out = pd.DataFrame(rows, columns=["line", "rider", "operator", "board_time", *OPTIONAL]).fillna("")
    out = out.sort_values("line", kind="stable").reset_index(drop=True)
    out = out.astype({c: str for c in ["rider", *OPTIONAL]})
    given = [
        "rider", "operator", "board_time", "category", "route", "board_stop", "alight_stop", "alight_time",
        "media",
    ]
    out.attrs["columns"] = given
    out.attrs["tides"] = True
    out.attrs["row_problems"] = problems  # line -> why: rows rejected however good their columns
    out.attrs["skipped"] = skipped
    return out
