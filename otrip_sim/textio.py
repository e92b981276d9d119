"""Reading input files by strict rules, every problem a located :class:`~otrip_sim.errors.InputError`.

* Text is UTF-8, with or without a byte-order mark; any other byte is refused naming the line, the
  column and the byte, with the advice to re-save the file as UTF-8 (no guessing of encodings).
* YAML: a duplicated key is an error (PyYAML lets the last one win); an unquoted number with a
  leading zero (``cap: 010000``, which YAML 1.1 reads as octal 4096) is an error; an unquoted
  ``21:00`` is a clock time, never the base-60 integer 1260; documents nested deeper than
  :data:`MAX_DEPTH` are refused at the line where they pass it.
* CSV: a cell longer than :data:`MAX_FIELD` characters is refused at its line.
* Zip archives: the members may not unpack to more than :attr:`ZipLimits.max_bytes` in all, nor
  any member larger than 1 MB grow more than :attr:`ZipLimits.max_ratio` times (zip bombs).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

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


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (inputs and outputs in manifests)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lies_inside(ref: Path, base: Path) -> bool:
    """Whether ``ref`` (symlinks followed) lies in the folder ``base`` or below it."""
    try:
        return ref.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):  # a symlink loop leads nowhere inside
        return False
