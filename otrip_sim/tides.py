"""TIDES ``fare_transactions`` tables as replay legs: each tap-in a leg, its tap-out paired, every
other row skipped and counted, or rejected when its ``fare_action`` is not one TIDES defines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, show

OPTIONAL = (
    "category", "journey_id", "route", "board_stop", "alight_stop", "alight_time", "distance_km", "media",
)
"""The optional columns of a tap file (and of the legs a TIDES table becomes)."""

TIDES_KEYS = {"transaction_id", "event_timestamp", "fare_action"}
_ENTER = {"Enter", "Transfer entrance"}
_EXIT = {"Exit", "Transfer exit"}
NO_BOARDING = {"Adjust", "Purchase", "Reload", "Refund", "Pass activation"}
"""TIDES fare actions that carry no boarding: skipped, and counted as ``skipped_no_boarding``."""


def tides_legs(df: pd.DataFrame, route_operator: dict[str, str], path: Path) -> pd.DataFrame:
    """Legs from a TIDES ``fare_transactions`` table: each ``Enter``/``Transfer entrance`` row is a
    tap-in; the next ``Exit``/``Transfer exit`` row of the same ``token_id`` is its tap-out;
    other actions (``Adjust``, ``Purchase``…) carry no boarding and are left out.  The operator
    comes from an ``operator`` column, else from the route of ``pattern_id`` (``<route>:<dir>``).

    Parameters
    ----------
    df : pandas.DataFrame
        The TIDES table as text: ``transaction_id``, ``event_timestamp``, ``fare_action``,
        ``token_id`` and optionally ``stop_id``, ``pattern_id``, ``operator``, ``rider_category``,
        ``fare_media_id``, ``trip_id_performed``, ``distance_km``.
    route_operator : dict of str to str
        Route id → operator id.
    path : Path
        The file, for messages.

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
        "distance_km",
    )
    cols = {
        name: df[name].to_numpy(dtype=object) if name in df.columns else np.full(len(df), "", dtype=object)
        for name in names
    }
    token, act, when = df["token_id"].to_numpy(), action.to_numpy(), df["event_timestamp"].to_numpy()
    stop = cols["stop_id"]
    lines = df["_line"].to_numpy()
    rows: list[dict[str, object]] = []
    open_leg: dict[str, dict[str, object]] = {}
    problems: dict[int, str] = {}
    skipped = {"skipped_no_boarding": 0, "unmatched_exit": 0}
    known = sorted(_ENTER | _EXIT | NO_BOARDING)
    for i in order:
        if act[i] not in _ENTER and act[i] not in _EXIT:
            if act[i] in NO_BOARDING:
                skipped["skipped_no_boarding"] += 1
                continue
            problems[int(lines[i])] = f"unrecognised fare_action {show(act[i])} (known: {', '.join(known)})"
        if act[i] in _ENTER or int(lines[i]) in problems:
            pattern = str(cols["pattern_id"][i])
            route = pattern.split(":")[0] if pattern else ""
            op = str(cols["operator"][i]) or route_operator.get(route, route)
            leg = {"line": int(lines[i]), "rider": token[i], "operator": op, "board_time": when[i],
                   "category": cols["rider_category"][i], "route": route, "board_stop": stop[i],
                   "alight_stop": "", "alight_time": "", "media": cols["fare_media_id"][i],
                   "journey_id": cols["trip_id_performed"][i], "distance_km": cols["distance_km"][i]}
            rows.append(leg)
            if act[i] in _ENTER:
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
