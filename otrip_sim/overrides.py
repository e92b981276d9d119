"""``--set dotted.path=value``: changes to a scenario document before it is validated.

An override is applied to the raw YAML document, so the changed scenario is validated exactly as
if the value had been written in the file, and its errors are located the same way
(``okotrip-2018.yaml: fares.windows[0].cap: ...``).  List items are addressed by index
(``fares.windows[0].cap=6000``); the value is read as YAML (``6000`` an integer, ``3h`` text,
``[a, b]`` a list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .errors import InputError

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``fares.windows[0].cap`` as ``["fares", "windows", 0, "cap"]``.

    Parameters
    ----------
    path : str
        A dotted path with ``[i]`` list indexes.

    Returns
    -------
    list
        Keys (str) and indexes (int).
    """
    parts: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == "." and parts:
            pos += 1
        m = _PART.match(text, pos)
        if m is None:
            raise InputError("--set", path, "expected a dotted path such as fares.windows[0].cap")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts or not isinstance(parts[0], str):
        raise InputError("--set", path, "expected a dotted path such as fares.windows[0].cap")
    return parts


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"fares.windows[0].cap=6000"`` as ``("fares.windows[0].cap", 6000)``.

    Parameters
    ----------
    text : str
        ``PATH=VALUE``; the value is read as YAML.

    Returns
    -------
    tuple
        The path and the value.
    """
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise InputError("--set", "", "expected PATH=VALUE, e.g. fares.windows[0].cap=6000", text)
    parse_path(path)
    return path.strip(), parse_value(value)


def parse_value(text: str) -> Any:
    """A command-line value read as YAML (``6000`` → 6000, ``3h`` → "3h", ``null`` → None)."""
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def apply_overrides(doc: Any, overrides: Mapping[str, Any] | Iterable[tuple[str, Any]], file: str) -> Any:
    """``doc`` (a raw scenario document) with each override set, in order (the document is changed).

    Parameters
    ----------
    doc
        The scenario as read from YAML.
    overrides
        Path → value (or (path, value) pairs).
    file
        The scenario file, for messages.

    Returns
    -------
    Any
        ``doc``.

    Raises
    ------
    InputError
        When a path runs through something that is not a mapping or a list, or an index is out of
        range.
    """
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    for path, value in items:
        parts = parse_path(path)
        node = doc
        where = ""
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            if isinstance(part, int):
                if not isinstance(node, list):
                    raise InputError(file, where, f"--set {path}: not a list, cannot take [{part}]")
                if not 0 <= part < len(node):
                    raise InputError(file, f"{where}[{part}]", f"--set {path}: no such item "
                                     f"(the list has {len(node)})")
                where += f"[{part}]"
                if last:
                    node[part] = value
                else:
                    node = node[part]
                continue
            if not isinstance(node, dict):
                raise InputError(file, where, f"--set {path}: not a mapping, cannot take {part!r}")
            where += f".{part}" if where else part
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    if isinstance(parts[k + 1], int):
                        known = ", ".join(str(x) for x in node) or "none"
                        raise InputError(file, where, f"--set {path}: no list {part!r} here (keys: {known})")
                    node[part] = {}  # a new mapping: validation says whether the key is known
                node = node[part]
    return doc


def label(overrides: Mapping[str, Any]) -> str:
    """The overrides as ``a.b=1, c=2`` (for names and messages)."""
    return ", ".join(f"{k}={v}" for k, v in overrides.items())
