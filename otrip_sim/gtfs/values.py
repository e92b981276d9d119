"""Cells of GTFS tables to numbers, with errors that name the file, line, column and value.

Tables come from :meth:`Feed.read <otrip_sim.gtfs.feed.Feed.read>` (text cells, ``_line`` column).
GTFS columns repeat the same few values a million times, so each distinct text is parsed once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .feed import Feed

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


def fail(feed: Feed, name: str, df: pd.DataFrame, mask: Any, column: str, message: str) -> None:
    """Raise an :class:`InputError` for the first row of ``df`` where ``mask`` is true.

    Parameters
    ----------
    feed, name:
        The feed and the table's file name, for the error's location.
    df:
        The table as read (needs ``_line`` and ``column``).
    mask:
        Boolean per row: true where the row is wrong.
    column, message:
        The column named by the error, and what is wrong; the cell's value is shown.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        i = int(np.argmax(mask))
        raise InputError(
            feed.display(name), f"line {df['_line'].iat[i]}, column {column}", message, df[column].iat[i]
        )


def col(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` of ``df``, or a column of ``""`` when the table lacks it (optional columns).

    Parameters
    ----------
    df : pandas.DataFrame
        A GTFS table as text.
    name : str
        The column.

    Returns
    -------
    pandas.Series
        The column (text), aligned with ``df``'s index.
    """
    return df[name] if name in df.columns else pd.Series([""] * len(df), index=df.index, dtype=str)


def parse_times(feed: Feed, name: str, df: pd.DataFrame, column: str) -> np.ndarray:
    """GTFS times ``H:MM:SS`` (hours may pass 24) to float seconds; empty cells and a missing column
    give NaN.  Raises for the first invalid time.

    Parameters
    ----------
    feed : Feed
        The feed, for the file name in messages.
    name : str
        The table's file name (``"stop_times.txt"``).
    df : pandas.DataFrame
        The table as text, with ``_line`` (its line numbers).
    column : str
        The time column (``"arrival_time"``, ...).

    Returns
    -------
    numpy.ndarray
        float seconds (``H × 3600 + MM × 60 + SS``, as GTFS counts them), NaN for empty cells.

    Raises
    ------
    InputError
        For the first cell that is not a valid time, with its line.
    """
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = _by_unique(df[column], _time_value)  # -1: invalid, NaN: empty
    fail(
        feed,
        name,
        df,
        values == -1,
        column,
        "invalid time: expected H:MM:SS (hours may pass 24, minutes and seconds 00-59)",
    )
    return values


def parse_numbers(
    feed: Feed, name: str, df: pd.DataFrame, column: str, what: str, integer: bool = False
) -> np.ndarray:
    """Numbers of ``column`` as floats; empty cells and a missing column give NaN.

    Raises ``invalid {what}`` for the first cell that is not a finite number (or, with
    ``integer``, not a whole number).

    Parameters
    ----------
    feed : Feed
        The feed, for the file name in messages.
    name : str
        The table's file name (``"stop_times.txt"``).
    df : pandas.DataFrame
        The table as text, with ``_line`` (its line numbers).
    column : str
        The column to read.
    what : str
        What the numbers are, for the message (``"shape_dist_traveled"``, ...).
    integer : bool
        The numbers must be whole.

    Returns
    -------
    numpy.ndarray
        float values, NaN for empty cells.

    Raises
    ------
    InputError
        For the first invalid cell, with its line.
    """
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = _by_unique(df[column], _number_value)  # inf: not a number, NaN: empty
    bad = np.isinf(values)
    if integer:
        bad |= np.isfinite(values) & (values != np.round(values))
    fail(feed, name, df, bad, column, f"invalid {what}")
    return values


def _time_value(text: str) -> float:
    if text == "":
        return math.nan
    m = _TIME.match(text)
    return -1.0 if m is None else int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])


def _number_value(text: str) -> float:
    if text == "":
        return math.nan
    try:
        v = float(text)
    except ValueError:
        return math.inf
    return v if math.isfinite(v) else math.inf


def _by_unique(s: pd.Series, fn: Callable[[str], float]) -> np.ndarray:
    codes, uniques = pd.factorize(s, sort=False)
    return np.array([fn(u) for u in uniques], dtype=float)[codes] if len(s) else np.zeros(0)
