"""Reading input files by strict rules, every problem a located :class:`~otrip_sim.errors.InputError`.

* Text is UTF-8, with or without a byte-order mark; any other byte is refused naming the line, the
  column and the byte, with the advice to re-save the file as UTF-8 (no guessing of encodings).
* YAML: a duplicated key is an error (PyYAML lets the last one win); an unquoted number with a
  leading zero (``cap: 010000``, which YAML 1.1 reads as octal 4096) is an error; an unquoted
  ``21:00`` is a clock time, never the base-60 integer 1260; documents nested deeper than
  :data:`MAX_DEPTH` are refused at the line where they pass it.
* CSV: a cell longer than :data:`MAX_FIELD` characters is refused at its line.
* Tap-file columns are read once per distinct value (:class:`Distinct`): clock times and ISO 8601
  date-times (:func:`parse_times`), their time zones (:func:`zone_mismatch`), ids
  (:class:`TextColumn`, :func:`card_codes`); :class:`FileTimes` holds a whole file's zone and first
  Monday, so that a file read in batches reads every batch alike.
* Zip archives: the members may not unpack to more than :attr:`ZipLimits.max_bytes` in all, nor
  any member larger than 1 MB grow more than :attr:`ZipLimits.max_ratio` times (zip bombs).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

from .errors import InputError, shorten

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a YAML input may have (a scenario needs fewer than 10)."""

MAX_FIELD = 131_072
"""Longest CSV cell, in characters (the csv module's default limit; :func:`csv_records` sets it
each time, as other libraries, frictionless among them, raise the process-wide limit)."""

_LEADING_ZERO = "tag:otrip-sim,2024:leading-zero"


def decode_utf8(data: bytes, display: str | Path) -> str:
    """``data`` as text: UTF-8, an optional byte-order mark dropped.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    display : str or Path
        The file, for messages.

    Returns
    -------
    str
        The text.

    Raises
    ------
    InputError
        At the line and column of the first byte that is not UTF-8, naming the byte.
    """
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + skip  # the decoder counts from after the byte-order mark
        line = data.count(b"\n", 0, at) + 1
        start = max(data.rfind(b"\n", 0, at) + 1, skip)
        column = len(data[start:at].decode("utf-8", errors="replace")) + 1
        raise InputError(
            display, f"line {line}, column {column}",
            f"byte 0x{data[at]:02X} is not UTF-8 text; re-save the file as UTF-8 "
            "(in Excel: Save As, 'CSV UTF-8')",
        ) from None


def read_text(path: Path, display: str | Path | None = None) -> str:
    """The UTF-8 text of the file ``path`` (see :func:`decode_utf8`); a missing or unreadable file is
    an :class:`InputError` naming it."""
    shown = path if display is None else display
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(shown, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(shown, "", "is a folder, expected a file") from None
    except OSError as exc:
        raise InputError(shown, "", f"cannot read file: {exc.strerror or exc}") from None
    return decode_utf8(data, shown)


# ------------------------------------------------------------------------------------------ YAML
class _Strict:
    """Mapping construction that refuses duplicate keys (mixed into both loaders)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, Any] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    first = seen[key_node.value]
                    raise ConstructorError(
                        None, None,
                        f"duplicate key {shorten(key_node.value)!r} (first at line {first.line + 1}); "
                        "a key may appear once in a mapping",
                        key_node.start_mark,
                    )
                seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep)  # type: ignore[misc]

    def construct_leading_zero(self, node: ScalarNode) -> Any:
        raise ConstructorError(
            None, None,
            f"the number {node.value} has a leading zero (YAML 1.1 would read it as octal): write "
            f"{node.value.lstrip('+-0') or '0'}, or quote it ('{node.value}') if it is text",
            node.start_mark,
        )


class YamlLoader(_Strict, yaml.SafeLoader):
    """The strict rules on PyYAML's pure-Python parser (whose error messages the docs show)."""


# the base is chosen at import (libyaml's loader when PyYAML has it), which mypy cannot type
class FastYamlLoader(_Strict, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The strict rules on libyaml's parser (much faster on city-scale route files)."""


for _cls in (YamlLoader, FastYamlLoader):
    _cls.yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _cls.add_implicit_resolver(_LEADING_ZERO, re.compile(r"^[-+]?0[0-9_]+$"), list("-+0"))
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
        list("-+0123456789"),
    )
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
                   r"|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+0123456789."),
    )
    _cls.add_constructor(_LEADING_ZERO, _Strict.construct_leading_zero)


def _too_deep(doc: Any) -> bool:
    """Whether ``doc`` nests deeper than :data:`MAX_DEPTH`; each container is measured once, so a
    document of aliases repeating aliases ("billion laughs") takes linear time, not exponential."""
    height: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, (dict, list)) or (id(node) in height and not children_done):
            continue
        items = node.values() if isinstance(node, dict) else node
        children = [c for c in items if isinstance(c, (dict, list))]
        if children_done:
            height[id(node)] = 1 + max((height.get(id(c), 0) for c in children), default=0)
            if height[id(node)] > MAX_DEPTH:
                return True
            continue
        height[id(node)] = 0  # on the way down: a cycle (impossible in YAML) cannot loop
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in height)
    return False


def _depth_error(text: str, display: str | Path) -> InputError:
    """Where ``text`` first nests deeper than :data:`MAX_DEPTH` (events are read without recursion)."""
    depth = 0
    line = ""
    try:
        for event in yaml.parse(text, Loader=FastYamlLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = f"line {event.start_mark.line + 1}"
                    break
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:  # pragma: no cover - the text parsed before
        pass
    return InputError(display, line, f"nested deeper than {MAX_DEPTH} levels of mappings and lists")


def read_yaml(path: Path, display: str | Path | None = None) -> Any:
    """Parse a YAML file by the strict rules; an error names the file and the line and column.

    Parameters
    ----------
    path : Path
        The file.
    display : str or Path, optional
        The file as messages name it (default: ``path``).

    Returns
    -------
    Any
        The document (``None`` for an empty file).

    Raises
    ------
    InputError
        For a missing or unreadable file, text that is not UTF-8, bad syntax, a duplicate key, a
        leading-zero number or too deep nesting.
    """
    shown = path if display is None else display
    text = read_text(path, shown)
    return parse_yaml(text, shown)


def parse_yaml(text: str, display: str | Path) -> Any:
    """Parse YAML ``text`` (see :func:`read_yaml`)."""
    try:
        doc = yaml.load(text, Loader=FastYamlLoader)
    except RecursionError:
        raise _depth_error(text, display) from None
    except yaml.YAMLError:
        doc = None  # read it again with the pure-Python parser, whose messages the docs show
    else:
        if _too_deep(doc):
            raise _depth_error(text, display)
        return doc
    try:
        return yaml.load(text, Loader=YamlLoader)
    except RecursionError:
        raise _depth_error(text, display) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, ConstructorError) and exc.context is None:
            raise InputError(display, where, problem) from None
        raise InputError(display, where, f"invalid YAML: {problem}") from None


# ------------------------------------------------------------------------------------------- CSV
def check_csv_shape(text: str, display: str | Path) -> None:
    """Raise at the first line of CSV ``text`` that is badly quoted or has another number of cells
    than the header (to locate what a fast reader only says is wrong somewhere).

    Raises
    ------
    InputError
        Naming the line.
    """
    records = csv_records(text, display)
    header = next(records, None)
    for line, cells in records:
        if header is not None and cells and len(cells) != len(header[1]):
            raise InputError(display, f"line {line}",
                             f"{len(cells)} cells where the header (line 1) has {len(header[1])}")


def csv_records(text: str, display: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV ``text`` as ``(line number, cells)``; the header is the first row.  Quoting
    is strict: a quote left open, or text after a closing quote, is an error.

    Raises
    ------
    InputError
        At the line of a cell longer than :data:`MAX_FIELD` characters or of bad quoting.
    """
    csv.field_size_limit(MAX_FIELD)  # process-wide: set again here, whoever changed it since
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                raise InputError(display, f"line {line}",
                                 f"a cell is longer than {MAX_FIELD:,} characters") from None
            hint = " (a quote left open?)" if "end of data" in str(exc) else ""
            raise InputError(display, f"line {line}", f"cannot parse CSV: {exc}{hint}") from None
        yield reader.line_num, row



# ------------------------------------------------------------------------------------------- zip
@dataclass(frozen=True)
class ZipLimits:
    """How far a zip archive may unpack.

    Attributes
    ----------
    max_bytes : int
        Total uncompressed size of all members, in bytes (default 2 GB).
    max_ratio : float
        Largest uncompressed/compressed ratio of a member larger than 1 MB (default 100).
    """

    max_bytes: int = 2_000_000_000
    max_ratio: float = 100.0


DEFAULT_ZIP_LIMITS: Final = ZipLimits()
"""2 GB in all, a ratio of 100."""

SMALL_MEMBER = 1_000_000
"""Members up to this size (bytes) are not checked for their ratio: they cannot exhaust memory."""


def check_zip(archive: zipfile.ZipFile, display: str | Path, limits: ZipLimits,
              option: str = "--zip-max-bytes") -> None:
    """Refuse a zip whose members unpack beyond ``limits`` (before reading any of them).

    Parameters
    ----------
    archive : zipfile.ZipFile
        The open archive.
    display : str or Path
        The file, for messages.
    limits : ZipLimits
        The limits.
    option : str
        The command-line option that raises the size limit, named in the message.

    Raises
    ------
    InputError
        Naming the archive (and the member) and the limit passed.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > SMALL_MEMBER and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise InputError(
                f"{display}/{info.filename}", "",
                f"unpacks {ratio:,.0f} times its compressed size ({info.file_size:,} bytes), more than "
                f"the limit of {limits.max_ratio:g} (a zip bomb?); --zip-max-ratio raises it",
            )
    if total > limits.max_bytes:
        raise InputError(
            display, "", f"unpacks to {total:,} bytes, more than the limit of {limits.max_bytes:,} bytes "
            f"(a zip bomb?); {option} raises it",
        )


def blank_file(path: Path) -> bool:
    """Whether the file holds nothing but white space (Arrow's reader must not see such a file)."""
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(65_536)
    return not head.removeprefix(b"\xef\xbb\xbf").strip() and path.stat().st_size <= len(head)


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
