"""The service day to import: ``calendar.txt`` and ``calendar_dates.txt`` of a feed.

Dates are ``YYYYMMDD``; a service runs on a day when ``calendar.txt`` says so for its weekday and
date range, unless ``calendar_dates.txt`` removes it (``exception_type`` 2) or adds it (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date

import numpy as np
import pandas as pd

from ..errors import InputError
from .feed import Feed
from .report import Note
from .values import col, fail

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""``calendar.txt``'s weekday columns, Monday first (``date.weekday()`` order)."""


@dataclass(frozen=True)
class ServiceDay:
    """The imported day of one feed: the date, why it was chosen, and the ids of its trips.

    Attributes
    ----------
    date : datetime.date
        The service day imported.
    rule : str
        Why this day (the ``--date`` given, or the weekday with the most trips).
    trips : set of str
        GTFS ``trip_id`` of the trips running that day.
    """

    date: Date
    rule: str
    trips: set[str]


def services_on_weekday(feed: Feed, day: str) -> set[str] | None:
    """``service_id`` of the ``calendar.txt`` rows that run on weekday ``day`` (``"monday"`` …).

    ``None`` when the feed has neither ``calendar.txt`` nor ``calendar_dates.txt`` (then every
    service counts as running).  A service only in ``calendar_dates.txt`` runs on ``day`` when a
    date it is added on (``exception_type`` 1) falls on that weekday; removed dates and the date
    ranges are not consulted: Fares v2 timeframes are read for a weekday, not a date.

    Parameters
    ----------
    feed : Feed
        The feed.
    day : str
        A weekday name, lower case (``"monday"`` … ``"sunday"``).

    Returns
    -------
    set of str or None
        The ``service_id`` running on that weekday.

    Raises
    ------
    InputError
        ``day`` is not a weekday name (option ``--day``).
    """
    cal = feed.read("calendar.txt", required=False)
    dates = feed.read("calendar_dates.txt", required=False)
    if cal is None and dates is None:
        return None
    if day not in DAYS:
        raise InputError("--day", "", f"one of {', '.join(DAYS)}", day)
    running: set[str] = set()
    listed: set[str] = set()
    if cal is not None:
        flags = cal[day] if day in cal.columns else pd.Series("0", index=cal.index)
        running = set(cal["service_id"][flags == "1"])
        listed = set(cal["service_id"])
    if dates is not None:
        added = dates[(col(dates, "exception_type") == "1") & ~dates["service_id"].isin(listed)]
        days = _dates(feed, "calendar_dates.txt", added, "date")
        weekday = DAYS.index(day)
        running |= {s for s, d in zip(added["service_id"], days) if d.astype(object).weekday() == weekday}
    return running


def pick_day(f: Feed, trips: pd.DataFrame, given: Date | None, note: Note) -> ServiceDay:
    """The service day to import and the trips that run on it.

    Parameters
    ----------
    f:
        The feed; reads ``calendar.txt`` and ``calendar_dates.txt`` (at least one must exist).
    trips:
        ``trips.txt`` as read (``trip_id``, ``service_id``).
    given:
        The day asked for (``--date``); ``None``: the weekday with the most trips (any day when no
        weekday has trips).
    note:
        Records the warnings.

    Returns
    -------
    ServiceDay
        The day, why it was chosen and the ``trip_id`` of every trip running that day.

    Raises
    ------
    InputError
        A broken calendar (file, line, column), or no trip runs on the day.
    """
    cal = f.read("calendar.txt", required=False)
    cd = f.read("calendar_dates.txt", required=False)
    if cal is None and cd is None:
        raise InputError(
            f.display("calendar.txt"),
            "",
            "required file missing from the feed (a feed needs calendar.txt, calendar_dates.txt or both)",
        )
    if cal is None:
        cal = pd.DataFrame({c: [] for c in ["service_id", *DAYS, "start_date", "end_date", "_line"]})
    if cd is None:
        cd = pd.DataFrame({c: [] for c in ["service_id", "date", "exception_type", "_line"]})
    f.require("calendar.txt", cal, ["service_id", *DAYS, "start_date", "end_date"])
    f.require("calendar_dates.txt", cd, ["service_id", "date", "exception_type"])
    for d in DAYS:
        fail(f, "calendar.txt", cal, ~cal[d].isin(["0", "1"]).to_numpy(), d, "expected 0 or 1")
    start = _dates(f, "calendar.txt", cal, "start_date")
    end = _dates(f, "calendar.txt", cal, "end_date")
    cdate = _dates(f, "calendar_dates.txt", cd, "date")
    fail(
        f,
        "calendar_dates.txt",
        cd,
        ~cd["exception_type"].isin(["1", "2"]).to_numpy(),
        "exception_type",
        "expected 1 or 2",
    )
    weight = trips["service_id"].value_counts()
    flags = cal[list(DAYS)].to_numpy() == "1"

    def active_on(day: Date) -> set[str]:
        d = np.datetime64(day)
        on = (start <= d) & (end >= d) & flags[:, day.weekday()]
        services = set(cal["service_id"][on])
        for sid, dd, typ in zip(cd["service_id"], cdate, cd["exception_type"]):
            if dd == d:
                (services.add if typ == "1" else services.discard)(sid)
        return services

    if given is not None:
        day, rule = given, "given (--date)"
    else:
        day, rule = (
            _busiest_weekday(f, note, cal, cd, start, end, cdate, flags, weight),
            "weekday with the most trips",
        )
    services = active_on(day)
    active = set(trips["trip_id"][trips["service_id"].isin(services)])
    if not active:
        span = ""
        if len(start) or len(cdate):
            lo, hi = min([*start, *cdate]), max([*end, *cdate])
            span = f" (the calendar runs {pd.Timestamp(lo):%Y%m%d} to {pd.Timestamp(hi):%Y%m%d})"
        raise InputError(
            "--date" if given else f.display("calendar.txt"),
            "",
            f"{f.path}: no trips run on {day:%Y%m%d}{span}",
        )
    return ServiceDay(day, rule, active)


def _dates(feed: Feed, name: str, df: pd.DataFrame, column: str) -> np.ndarray:
    parsed = pd.to_datetime(df[column], format="%Y%m%d", errors="coerce")
    fail(feed, name, df, parsed.isna().to_numpy(), column, "invalid date (expected YYYYMMDD)")
    return parsed.to_numpy().astype("datetime64[D]")


def _busiest_weekday(
    feed: Feed,
    note: Note,
    cal: pd.DataFrame,
    cd: pd.DataFrame,
    start: np.ndarray,
    end: np.ndarray,
    cdate: np.ndarray,
    flags: np.ndarray,
    weight: pd.Series,
) -> Date:
    lo = min([*start, *cdate])
    hi = max([*end, *cdate])
    n = int((hi - lo).astype(int)) + 1
    days = lo + np.arange(n)
    weekday = (days.astype("datetime64[D]").view("int64") + 3) % 7  # monday = 0; 1970-01-01 was a Thursday
    counts = np.zeros(n)
    wt = cal["service_id"].map(weight).fillna(0).to_numpy(float)
    si = (start - lo).astype(int)
    ei = (end - lo).astype(int)
    for w in range(7):
        diff = np.zeros(n + 1)
        rows = flags[:, w] & (ei >= si)
        np.add.at(diff, si[rows], wt[rows])
        np.add.at(diff, ei[rows] + 1, -wt[rows])
        on = np.cumsum(diff)[:n]
        counts[weekday == w] += on[weekday == w]
    cal_index = {sid: i for i, sid in enumerate(cal["service_id"])}
    for sid, d, typ in zip(cd["service_id"], cdate, cd["exception_type"]):
        i = cal_index.get(sid)
        k = int((d - lo).astype(int))
        base = i is not None and start[i] <= d <= end[i] and flags[i, weekday[k]]
        trips_of = float(weight.get(sid, 0))
        if typ == "1" and not base:
            counts[k] += trips_of
        elif typ == "2" and base:
            counts[k] -= trips_of
    weekdays = weekday < 5
    pool = counts if not (weekdays.any() and counts[weekdays].max() > 0) else np.where(weekdays, counts, -1)
    if pool.max() <= 0:
        raise InputError(feed.display("calendar.txt"), "", "no day of the calendar has trips")
    if not (weekdays.any() and counts[weekdays].max() > 0):
        note("warning", "no weekday has trips: imported the day with the most trips")
    return pd.Timestamp(days[int(np.argmax(pool))]).date()
