"""Stop patterns: the trips of the imported day grouped by route, direction and stop sequence.

Times are float seconds since the service day's start (NaN where ``stop_times.txt`` has none);
distances along ``shape_dist_traveled`` are in the feed's own unit until
:func:`~otrip_sim.gtfs.geometry.sdt_unit` has found it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..geo import great_circle_m
from .feed import Feed
from .report import Note
from .values import fail, parse_numbers, parse_times


@dataclass
class Pattern:
    """The stop sequence most trips of one route and direction follow on the imported day.

    Attributes
    ----------
    route_id, direction:
        GTFS ``route_id`` and ``direction_id`` (``""`` when the feed has none).
    stops:
        GTFS stop ids in order, consecutive repeats collapsed.
    groups:
        For each collapsed stop, its first and last position in the raw ``stop_times`` rows.
    trips:
        ``trip_id`` of the pattern's trips; ``group_trips``: trips of the route and direction.
    headsign, shape_id:
        The most common ``trip_headsign`` and ``shape_id`` of the pattern's trips (``""``: none).
    times:
        ``(trips, stops)`` seconds at each stop (departure, else arrival), NaN when missing.
    rep_sdt:
        ``shape_dist_traveled`` at each stop of the first trip that has it at every stop, else None.
    straight:
        Great-circle metres of each segment between consecutive stops.
    """

    route_id: str
    direction: str
    stops: list[str]
    groups: list[tuple[int, int]]
    trips: list[str]
    group_trips: int
    headsign: str
    shape_id: str
    times: np.ndarray
    rep_sdt: np.ndarray | None
    straight: np.ndarray = field(default_factory=lambda: np.zeros(0))


def read_stop_times(
    f: Feed, trips: pd.DataFrame, stops: pd.DataFrame, location_type: dict[str, str], note: Note
) -> pd.DataFrame:
    """Read ``stop_times.txt``: the rows of known trips at known stops, sorted by trip and ``stop_sequence``.

    Adds ``seq`` (stop_sequence), ``arr`` and ``dep`` (arrival and departure, float seconds, NaN when
    empty) and ``sdt`` (shape_dist_traveled, the feed's unit, NaN when empty) to the columns read.
    ``location_type`` maps each ``stop_id`` of ``stops.txt`` to its ``location_type``.

    Parameters
    ----------
    f : Feed
        The feed.
    trips : pandas.DataFrame
        ``trips.txt`` as text (needs ``trip_id``).
    stops : pandas.DataFrame
        ``stops.txt`` as text (needs ``stop_id``).
    location_type : dict of str to str
        GTFS ``stop_id`` → its ``location_type``.
    note : Note
        Records a warning when the table has no time columns.

    Returns
    -------
    pandas.DataFrame
        The ``stop_times.txt`` columns as text with ``_line``, plus ``seq`` (float, whole),
        ``arr``, ``dep`` (float seconds) and ``sdt`` (float, the feed's unit).

    Raises
    ------
    InputError
        For a row naming an unknown trip or stop, a station or entrance, or an invalid
        ``stop_sequence``, time or distance.
    """
    name = "stop_times.txt"
    st = f.read(
        name,
        columns=[
            "trip_id",
            "stop_id",
            "stop_sequence",
            "arrival_time",
            "departure_time",
            "shape_dist_traveled",
        ],
    )
    assert st is not None
    fail(
        f,
        name,
        st,
        (~st["trip_id"].isin(trips["trip_id"])).to_numpy(),
        "trip_id",
        "unknown trip (not in trips.txt)",
    )
    fail(
        f,
        name,
        st,
        (~st["stop_id"].isin(stops["stop_id"])).to_numpy(),
        "stop_id",
        "unknown stop (not in stops.txt)",
    )
    loc = st["stop_id"].map(location_type)
    fail(
        f,
        name,
        st,
        (~loc.isin(["", "0"])).to_numpy(),
        "stop_id",
        "stop_times must name stops (location_type 0 or empty), not stations or entrances",
    )
    seq = parse_numbers(
        f, name, st, "stop_sequence", "stop_sequence (expected an integer >= 0)", integer=True
    )
    fail(f, name, st, ~(seq >= 0), "stop_sequence", "stop_sequence (expected an integer >= 0)")
    st["seq"] = seq
    fail(
        f,
        name,
        st,
        st.duplicated(["trip_id", "seq"]).to_numpy(),
        "stop_sequence",
        "duplicate stop_sequence in the trip",
    )
    st["arr"] = parse_times(f, name, st, "arrival_time")
    st["dep"] = parse_times(f, name, st, "departure_time")
    st["sdt"] = parse_numbers(f, name, st, "shape_dist_traveled", "shape_dist_traveled (expected a number)")
    if "arrival_time" not in st.columns and "departure_time" not in st.columns:
        note("warning", "stop_times.txt has no arrival_time/departure_time columns")
    return st.sort_values(["trip_id", "seq"], kind="stable").reset_index(drop=True)


def find_patterns(
    st: pd.DataFrame, trips: pd.DataFrame, stop_pos: dict[str, tuple[float, float]], note: Note
) -> list[Pattern]:
    """One :class:`Pattern` per route and direction of ``trips`` (the imported day's), from ``st``.

    ``st`` is :func:`read_stop_times`' table; ``stop_pos`` maps a GTFS ``stop_id`` to its
    (latitude, longitude) in degrees.  Trips on other stop sequences than the most common one are
    dropped (a warning); a pattern with fewer than two distinct stops is skipped.

    Parameters
    ----------
    st : pandas.DataFrame
        :func:`read_stop_times`' table.
    trips : pandas.DataFrame
        The imported day's trips (``trip_id``, ``route_id``, ``direction_id``, ...).
    stop_pos : dict of str to (float, float)
        GTFS ``stop_id`` → (latitude, longitude) in degrees.
    note : Note
        Records the trips dropped and the patterns skipped.

    Returns
    -------
    list of Pattern
        The patterns with their trips' times (float seconds) and straight-line metres.
    """
    st = st[st["trip_id"].isin(trips["trip_id"])].reset_index(drop=True)
    rows = st.groupby("trip_id", sort=False).indices
    stop_arr = st["stop_id"].to_numpy()
    key = {tid: "\x1f".join(stop_arr[idx]) for tid, idx in rows.items()}
    trips = trips.assign(_key=trips["trip_id"].map(key))
    missing = trips["_key"].isna()
    for tid in trips["trip_id"][missing]:
        note("warning", "trips without stop_times were ignored", tid)
    trips = trips[~missing]
    arr, dep, sdt = st["arr"].to_numpy(), st["dep"].to_numpy(), st["sdt"].to_numpy()
    patterns = []
    for (route_id, direction), g in trips.groupby(["route_id", "direction_id"], sort=True):
        counts = g["_key"].value_counts()
        best_n = counts.iloc[0]
        candidates = [str(k) for k, n in counts.items() if n == best_n]
        # ties: the longest pattern, then the first by text, so the choice does not depend on row order
        best = min(candidates, key=lambda k: (-k.count("\x1f"), k))
        mine = g[g["_key"] == best]
        label = f"{route_id}" + (f" direction {direction}" if direction else "")
        if len(mine) < len(g):
            note(
                "warning",
                "only the stop pattern most trips follow is imported; trips on other patterns dropped",
                f"{label}: {len(g) - len(mine)} of {len(g)} trips",
            )
        tids = list(mine["trip_id"])
        idx = np.stack([rows[t] for t in tids])
        raw = list(stop_arr[idx[0]])
        groups: list[tuple[int, int]] = []
        for j, s in enumerate(raw):
            if groups and raw[groups[-1][0]] == s:
                groups[-1] = (groups[-1][0], j)
            else:
                groups.append((j, j))
        if len(groups) < len(raw):
            note("note", "consecutive stop_times rows at the same stop merged into one stop", label)
        if len(groups) < 2:
            note("warning", "pattern with fewer than two distinct stops skipped", label)
            continue
        A, D = arr[idx], dep[idx]
        times = np.empty((len(tids), len(groups)))
        last = len(groups) - 1
        for k, (a, b) in enumerate(groups):
            if k == last:
                times[:, k] = _first_known(A[:, a], D[:, a])
            else:
                times[:, k] = _first_known(D[:, b], A[:, b], D[:, a], A[:, a])
        S = sdt[idx]
        rep = S[:, [a for a, _ in groups]]
        complete = ~np.isnan(rep).any(axis=1)
        rep_sdt = rep[int(np.argmax(complete))] if complete.any() else None
        shapes = Counter(s for s in mine["shape_id"] if s)
        headsigns = Counter(s for s in mine["trip_headsign"] if s)
        p = Pattern(
            route_id=str(route_id),
            direction=str(direction),
            stops=[raw[a] for a, _ in groups],
            groups=groups,
            trips=tids,
            group_trips=len(g),
            headsign=headsigns.most_common(1)[0][0] if headsigns else "",
            shape_id=shapes.most_common(1)[0][0] if shapes else "",
            times=times,
            rep_sdt=rep_sdt,
        )
        pos = np.array([stop_pos[s] for s in p.stops])
        p.straight = great_circle_m(pos[:-1, 0], pos[:-1, 1], pos[1:, 0], pos[1:, 1])
        patterns.append(p)
    return patterns


def _first_known(*arrays: np.ndarray) -> np.ndarray:
    out = arrays[0].astype(float).copy()
    for a in arrays[1:]:
        out = np.where(np.isnan(out), a, out)
    return out
