"""A tap file's columns, read once per distinct value (:class:`Distinct`): clock times and ISO 8601
date-times (:func:`parse_times`), their time zones (:func:`zone_mismatch`), ids
(:class:`TextColumn`, :func:`card_codes`); :class:`FileTimes` holds a whole file's zone and first
Monday, so that a file read in batches reads every batch alike.  Used by :mod:`otrip_sim.replay`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_CLOCK = r"^\d{1,3}:[0-5]\d:[0-5]\d$"


class Distinct:
    """A text column as its distinct values (in order of first appearance) and a code per row.

    perf: times, zones, ids and distances are read once per distinct value, not per row; rows share
    the distinct value's string.

    Attributes
    ----------
    codes : numpy.ndarray
        int64 per row: its value's position in ``raw``.
    raw : pyarrow.Array
        The distinct values as given.
    trimmed : pyarrow.Array
        The same with white space trimmed (as ``str.strip`` does).
    """

    def __init__(self, values: pd.Series):
        self.dtype = values.astype(str).dtype
        arr = arrow_strings(values)
        if not arr.null_count and (not len(arr) or pc.max(pc.binary_length(arr)).as_py() == 0):
            # perf: an optional column the file does not have, filled with ""
            self.codes, self.raw = np.zeros(len(arr), dtype=np.int64), pa.array([""], type=pa.large_string())
        else:
            coded = pc.dictionary_encode(arr, null_encoding="encode")
            self.codes = coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            self.raw = coded.dictionary
        self.trimmed = pc.utf8_trim_whitespace(self.raw)

    @classmethod
    def of(cls, values: pd.Series | Distinct) -> Distinct:
        """``values`` as :class:`Distinct` (unchanged when it is one)."""
        return values if isinstance(values, Distinct) else cls(values)

    def text(self, which: np.ndarray) -> pd.Series:
        """The raw distinct values at positions ``which``, as text of the column's type."""
        return pd.Series(self.raw.take(pa.array(which)).to_numpy(zero_copy_only=False), dtype=self.dtype)


def arrow_strings(values: pd.Series) -> pa.Array:
    """The values as one Arrow array of (large) strings."""
    arr = pa.array(values.astype(str), type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr  # a frame read in blocks


def _bools(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False).astype(bool)


def parse_times(values: pd.Series | Distinct, other_zone: np.ndarray | None = None,
                day0: pd.Timestamp | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seconds for ``HH:MM:SS`` (day 0; hours may exceed 23) or ISO 8601 date-times, counted from
    the Monday on or before the earliest date in the column (so weeks run Monday to Sunday).

    Parameters
    ----------
    values : pandas.Series or Distinct
        Times as text.
    other_zone : numpy.ndarray, optional
        :func:`zone_mismatch`'s mask of the values (computed here when not given): date-times in
        another zone are not read.
    day0 : pandas.Timestamp, optional
        The Monday to count from (:func:`first_monday` of the whole file's column, when the file
        is priced in batches); by default that of ``values``.

    Returns
    -------
    seconds : numpy.ndarray
        int64 seconds (0 where a value cannot be read).
    ok : numpy.ndarray
        bool: the value was read.
    """
    d = Distinct.of(values)
    # perf: clock times are checked and split by Arrow's compute kernels, once per distinct value
    is_clock = pc.match_substring_regex(d.trimmed, _CLOCK)
    parts = pc.split_pattern(pc.if_else(is_clock, d.trimmed, "0:00:00"), ":")
    hms = [pc.cast(pc.list_element(parts, k), pa.int64()).to_numpy(zero_copy_only=False) for k in range(3)]
    secs_u = (hms[0] * 3600 + hms[1] * 60 + hms[2]).astype(np.int64)
    ok_u = _bools(is_clock)
    secs_u[~ok_u] = 0
    rest = _dated_rest(d, ok_u, d if other_zone is None else other_zone)
    if rest.any():
        used = np.unique(d.codes[rest])
        stamps, good = _stamps(d.text(used))
        if good.any():
            day0 = _monday(stamps[good]) if day0 is None else day0
            secs_u[used[good]] = (stamps[good] - day0).dt.total_seconds().to_numpy().astype(np.int64)
            dated_ok = np.zeros(len(ok_u), dtype=bool)
            dated_ok[used[good]] = True
            read = rest & dated_ok[d.codes]
            ok = ok_u[d.codes] | read
            return np.where(ok, secs_u[d.codes], 0), ok
    return secs_u[d.codes], ok_u[d.codes]


def _dated_rest(d: Distinct, clock_u: np.ndarray, other_zone: np.ndarray | Distinct) -> np.ndarray:
    """Per row: the value is neither a clock time, nor empty, nor in another time zone (those are
    read as ISO 8601 date-times); ``other_zone`` is that mask, or the values to compute it from."""
    rest_u = ~clock_u & (pc.utf8_length(d.trimmed).to_numpy(zero_copy_only=False) > 0)
    if isinstance(other_zone, Distinct):
        other_zone, _ = zone_mismatch(other_zone)
    return rest_u[d.codes] & ~other_zone


def _stamps(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """ISO 8601 date-times as local wall-clock stamps (a zone dropped, not converted) and which
    could be read."""
    stamps = pd.to_datetime(text, format="ISO8601", errors="coerce")
    good = stamps.notna().to_numpy()
    if good.any() and getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps, good


def _monday(stamps: pd.Series) -> pd.Timestamp:
    """The Monday on or before the earliest of the (readable) stamps."""
    first = stamps.dt.normalize().min()
    return first - pd.Timedelta(days=first.weekday())


STAMP_CHUNK = 1_000_000
"""Distinct date-times read at once while looking for a whole file's earliest date."""


def first_monday(values: pd.Series | Distinct, other_zone: np.ndarray) -> pd.Timestamp | None:
    """The Monday :func:`parse_times` counts ``values`` from (``None``: no date-times), read
    :data:`STAMP_CHUNK` distinct date-times at a time, so that a file priced in batches counts every
    batch from the same day.

    Parameters
    ----------
    values : pandas.Series or Distinct
        A whole file's times as text.
    other_zone : numpy.ndarray
        :func:`zone_mismatch`'s mask of the values.

    Returns
    -------
    pandas.Timestamp or None
        The Monday on or before the earliest readable date-time.
    """
    d = Distinct.of(values)
    rest = _dated_rest(d, _bools(pc.match_substring_regex(d.trimmed, _CLOCK)), other_zone)
    used = np.unique(d.codes[rest])
    found: list[pd.Timestamp] = []
    for at in range(0, len(used), STAMP_CHUNK):
        stamps, good = _stamps(d.text(used[at:at + STAMP_CHUNK]))
        if good.any():
            found.append(_monday(stamps[good]))
    return min(found) if found else None


_ZONE = r"(?P<zone>Z|[+-]\d\d(?::?\d\d)?)$"


def zone_mismatch(values: pd.Series | Distinct, common: str | None = None) -> tuple[np.ndarray, str]:
    """Which ISO 8601 date-times carry a time zone other than the column's most common one.

    Parameters
    ----------
    values : pandas.Series or Distinct
        Times as text.
    common : str, optional
        The zone to hold them to (the whole file's, when it is priced in batches); by default the
        most common zone of ``values`` (of those equally common, the first in the column).

    Returns
    -------
    mask : numpy.ndarray
        bool: a date-time whose zone (``Z``, ``+07:00``, or none) is not the most common one.
    common : str
        The most common zone (``""`` for local times without one, and when no value is a date-time).
    """
    d = Distinct.of(values)
    # perf: Arrow's kernels on the distinct values (RE2 finds the leftmost match, as re.search)
    dated_u = _bools(pc.or_(pc.match_substring(d.trimmed, "T"), pc.match_substring(d.trimmed, "-")))
    if not dated_u.any():
        return np.zeros(len(d.codes), dtype=bool), common or ""
    zone = pc.fill_null(pc.struct_field(pc.extract_regex(d.trimmed, _ZONE), [0]), "")
    zone_u = pc.replace_substring(zone, "Z", "+00:00").to_numpy(zero_copy_only=False).astype(object)
    if common is None:
        # the zone of most dated rows; of those equally common, the one that comes first
        zone_code, zones = pd.factorize(zone_u)
        rows = zone_code[d.codes[dated_u[d.codes]]]
        counts = np.bincount(rows, minlength=len(zones))
        first = np.full(len(zones), len(rows))
        np.minimum.at(first, rows, np.arange(len(rows)))
        common = str(zones[np.lexsort((first, -counts))[0]])
    return (dated_u & (zone_u != common))[d.codes], common


TIME_COLUMNS = ("board_time", "alight_time")


@dataclass(frozen=True)
class FileTimes:
    """Per time column, the zone its date-times are held to and the Monday they are counted from
    (``None``: those of the rows at hand, as for a file priced in one batch).  :meth:`of` takes them
    from a whole file, so that every batch of it reads its times as the whole file would."""

    zone: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(TIME_COLUMNS))
    day0: dict[str, pd.Timestamp | None] = field(default_factory=lambda: dict.fromkeys(TIME_COLUMNS))

    @classmethod
    def of(cls, rows: pd.DataFrame) -> FileTimes:
        """The zones and first Mondays of the whole file ``rows`` (as :func:`read_taps` returns it)."""
        zone: dict[str, str | None] = {}
        day0: dict[str, pd.Timestamp | None] = {}
        for col in TIME_COLUMNS:
            values = Distinct(rows[col])
            other, zone[col] = zone_mismatch(values)
            day0[col] = first_monday(values, other)
        return cls(zone, day0)


class TextColumn:
    """A text column, white space trimmed, as its distinct values and a code per row (perf: checks
    look at each distinct value once, and rows share the value's string)."""

    def __init__(self, values: pd.Series | Distinct):
        d = Distinct.of(values)
        uniques = d.trimmed.to_numpy(zero_copy_only=False).astype(object)
        uniques[pd.isna(uniques)] = np.nan  # as pandas gives a missing value
        # values equal once trimmed share one code, in order of first appearance
        same, self.uniques = pd.factorize(uniques, use_na_sentinel=False)
        self.codes = same[d.codes]

    def strings(self) -> np.ndarray:
        """The values as an object array."""
        return self.uniques[self.codes]

    def isin(self, known: list[str]) -> np.ndarray:
        """bool per row: its value is one of ``known``."""
        return pd.Series(self.uniques, dtype=object).isin(known).to_numpy()[self.codes]

    def given(self) -> np.ndarray:
        """bool per row: the value is not empty."""
        return (self.uniques != "")[self.codes]

    def coded(self) -> tuple[dict[str, int], np.ndarray]:
        """The column as the engine's integer codes (:data:`~otrip_sim.fares.table.Codes`): value →
        code, and each row's code (perf: pricing compares integers, from this one hashing)."""
        same, values = pd.factorize(self.uniques)  # values equal once trimmed (or made "adult")
        return {v: k for k, v in enumerate(values)}, same.astype(np.int64)[self.codes]


def card_codes(riders: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A code per row for its card (``rider`` with white space trimmed), in order of first
    appearance, and whether the rider is empty (perf: Arrow's hashing, no Python string per card)."""
    trimmed = pc.utf8_trim_whitespace(arrow_strings(riders))
    codes = pc.dictionary_encode(trimmed, null_encoding="encode").indices.to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), _bools(pc.fill_null(pc.equal(trimmed, ""), False))
