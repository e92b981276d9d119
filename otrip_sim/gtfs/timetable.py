"""A pattern's run times and headways, in whole seconds: from the median trip and the departures
(or ``frequencies.txt``), else from a default speed and an even spread of the day's trips."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..units import format_clock
from .feed import Feed
from .geometry import monotone
from .patterns import Pattern
from .report import Note
from .values import fail, parse_numbers, parse_times

FALLBACK_SPAN = (6 * 3600, 22 * 3600)
"""When a pattern has no times at all and no frequencies: its trips spread evenly over this span (s)."""

Frequencies = dict[str, list[tuple[int, int, int]]]
"""``trip_id`` -> its ``frequencies.txt`` windows as (start, end, headway) seconds."""


def read_frequencies(f: Feed, trips: pd.DataFrame, note: Note) -> Frequencies:
    """Read ``frequencies.txt`` (optional) for the trips of ``trips.txt``; ``{}`` when the feed has none.

    Rows naming unknown trips are ignored with a warning; bad times or headways raise.

    Parameters
    ----------
    f : Feed
        The feed.
    trips : pandas.DataFrame
        ``trips.txt`` as text (needs ``trip_id``).
    note : Note
        Records the warning about unknown trips.

    Returns
    -------
    Frequencies
        ``trip_id`` → its windows as (start, end, headway) integer seconds.

    Raises
    ------
    InputError
        For a missing or invalid time, an end not after its start, or a headway that is not a
        whole number > 0.
    """
    name = "frequencies.txt"
    fr = f.read_rows(name, ("trip_id", "start_time", "end_time", "headway_secs"))
    if fr is None:
        return {}
    start = parse_times(f, name, fr, "start_time")
    end = parse_times(f, name, fr, "end_time")
    fail(f, name, fr, np.isnan(start), "start_time", "start_time is required")
    fail(f, name, fr, np.isnan(end) | (end <= start), "end_time", "end_time must be after start_time")
    hw = parse_numbers(f, name, fr, "headway_secs", "headway_secs (expected an integer > 0)", integer=True)
    fail(f, name, fr, ~(hw > 0), "headway_secs", "headway_secs (expected an integer > 0)")
    known = set(trips["trip_id"])
    out: dict[str, list[tuple[int, int, int]]] = {}
    for tid, s, e, h, line in zip(fr["trip_id"], start, end, hw, fr["_line"]):
        if tid not in known:
            note(
                "warning",
                "frequencies.txt rows naming trips that are not in trips.txt were ignored",
                f"line {line} {tid!r}",
            )
            continue
        out.setdefault(tid, []).append((int(s), int(e), int(h)))
    return out


def run_times(
    p: Pattern, cum_m: list[int], speed_kmh: float, note: Note, label: str
) -> tuple[list[int], bool]:
    """Cumulative whole seconds at each stop of ``p`` and whether they come from the feed's times.

    The pattern's median trip by duration gives them (missing stops interpolated by the
    cumulative metres ``cum_m``); without times, ``speed_kmh`` does.

    Parameters
    ----------
    p : Pattern
        The stop pattern, with its trips' times.
    cum_m : list of int
        Cumulative integer metres at each stop.
    speed_kmh : float
        The speed for a pattern without times.
    note : Note
        Records warnings and fallbacks for the import report.
    label : str
        The route and direction, as the report names it.

    Returns
    -------
    seconds : list of int
        Cumulative integer seconds at each stop (0 at the first, rising).
    timed : bool
        They come from the feed's times.
    """
    t = p.times
    complete = ~np.isnan(t).any(axis=1)
    ends = ~np.isnan(t[:, 0]) & ~np.isnan(t[:, -1])
    pool = complete if complete.any() else ends
    if pool.any():
        cand = np.flatnonzero(pool)
        dur = t[cand, -1] - t[cand, 0]
        order = np.lexsort((t[cand, 0], dur))
        rep = t[cand[order[(len(order) - 1) // 2]]].copy()
        if np.isnan(rep).any():
            known = ~np.isnan(rep)
            rep = np.interp(np.asarray(cum_m, float), np.asarray(cum_m, float)[known], rep[known])
            note(
                "fallback",
                "some stops have no times: times interpolated by distance between timed stops",
                label,
            )
        cum, backwards = monotone(rep - rep[0])
        if backwards:
            note("warning", "times decrease along the median trip: such segments set to 1 s", label)
        return cum, True
    speed = speed_kmh / 3.6
    note("fallback", f"no stop times: run times from --default-speed {speed_kmh:g} km/h (speed_kmh)", label)
    return monotone(np.asarray(cum_m, float) / speed)[0], False


def headways(
    p: Pattern, freq: Frequencies, timed: bool, note: Note, label: str
) -> list[tuple[int, int, int]]:
    """Headway bands (start, end, every) in seconds for ``p``'s departures from its first stop.

    ``frequencies.txt`` windows are used as they are when every trip has them and they do not
    overlap; otherwise :func:`hourly_bands` of all departures; without any time, the trips spread
    evenly over :data:`FALLBACK_SPAN`.

    Parameters
    ----------
    p : Pattern
        The stop pattern, with its trips' times.
    freq : Frequencies
        The feed's ``frequencies.txt`` windows.
    timed : bool
        The pattern's run times come from the feed (see :func:`run_times`).
    note : Note
        Records warnings and fallbacks for the import report.
    label : str
        The route and direction, as the report names it.

    Returns
    -------
    list of (int, int, int)
        Bands as (start, end, every) integer seconds of the service day.
    """
    f_trips = [t for t in p.trips if t in freq]
    plain = [i for i, t in enumerate(p.trips) if t not in freq]
    if f_trips and not plain:
        bands = sorted(b for t in f_trips for b in freq[t])
        if all(a[1] <= b[0] for a, b in itertools.pairwise(bands)):
            return bands
    departures = [float(d) for d in p.times[plain, 0] if not np.isnan(d)]
    for t in f_trips:
        for s, e, h in freq[t]:
            departures.extend(range(s, e, h))
    if f_trips and not plain:
        note(
            "note",
            "frequencies.txt windows of the pattern overlap: headways derived from their departures by hour",
            label,
        )
    if departures:
        missing = len(plain) - sum(1 for d in p.times[plain, 0] if not np.isnan(d))
        if missing:
            note(
                "warning",
                "trips without a time at their first stop left out of the headways",
                f"{label}: {missing}",
            )
        return hourly_bands(departures)
    n = len(p.trips)
    lo, hi = FALLBACK_SPAN
    every = max(60, round((hi - lo) / n))
    note(
        "fallback",
        f"no departure times and no frequencies: the day's trips spread evenly over "
        f"{format_clock(lo, seconds='nonzero')}-{format_clock(hi, seconds='nonzero')}",
        f"{label}: {n} trips, every {every} s",
    )
    return [(lo, hi, every)]


def hourly_bands(departures: Iterable[float]) -> list[tuple[int, int, int]]:
    """Headway bands from departure times: per clock hour, 3600 / trips (whole s, >= 60 s).

    Consecutive hours with the same headway merge.  A band ends at the end of its last hour and
    starts at its first departure, moved earlier only when needed to fit all its trips.

    Parameters
    ----------
    departures : iterable of float
        Departure times in seconds (rounded to whole seconds).

    Returns
    -------
    list of (int, int, int)
        Bands as (start, end, every) integer seconds; ``[]`` with no departures.
    """
    deps = sorted(round(d) for d in departures)
    if not deps:
        return []
    per_hour = Counter(d // 3600 for d in deps)
    first_in_hour: dict[int, int] = {}
    for d in deps:
        first_in_hour.setdefault(d // 3600, d)
    hours = sorted(per_hour)
    groups: list[list[int]] = []
    for h in hours:
        every = max(60, round(3600 / per_hour[h]))
        if groups and groups[-1][-1] == h - 1 and max(60, round(3600 / per_hour[groups[-1][-1]])) == every:
            groups[-1].append(h)
        else:
            groups.append([h])
    bands = []
    for g in groups:
        every = max(60, round(3600 / per_hour[g[0]]))
        trips = sum(per_hour[h] for h in g)
        end = (g[-1] + 1) * 3600
        start = first_in_hour[g[0]]
        if start + (trips - 1) * every >= end:  # would not fit all the band's trips: centre them
            start = max(g[0] * 3600, end - (trips - 1) * every - every // 2)
        bands.append((start, end, every))
    return bands
