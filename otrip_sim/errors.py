"""Errors raised at the boundary of the library.

A user mistake in a scenario or data file becomes one :class:`InputError` that names the file,
the field path inside it and the offending value.  The CLI turns it into a one-line message and exit
status 2; library code past the loading boundary trusts its (already validated) inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class _Missing:
    """"No value given": one object, which pickles by name to that same object, so an error
    copied from a worker process or a Dask worker still has no value (a plain ``object()`` would
    come back as another object, shown as ``(got <object …>)``)."""

    def __reduce__(self) -> str:
        return "_MISSING"


_MISSING: Any = _Missing()

SHOWN = 200
"""Longest echo of a bad value in a message, in characters."""


def shorten(value: Any, limit: int = SHOWN) -> Any:
    """``value`` as a message may echo it: text longer than ``limit`` characters is cut, saying by
    how much (a 100 MB cell is not printed whole); other values as they are.

    Parameters
    ----------
    value : Any
        The value.
    limit : int
        Characters kept.

    Returns
    -------
    Any
        ``value``, or its first ``limit`` characters and ``"… (N characters)"``.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… ({len(value):,} characters)"
    return value


def show(value: Any, limit: int = SHOWN) -> str:
    """``repr(value)`` cut to about ``limit`` characters (see :func:`shorten`)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class OtripError(Exception):
    """Base class of every error otrip-sim raises on purpose."""


class InputError(OtripError):
    """A scenario, data file or command-line value is invalid.

    Parameters
    ----------
    file:
        The file the bad value came from (or a description such as ``"--seed"``).
    path:
        Where in that file: a dotted field path (``fares.windows[1].cap``) or ``line 12``.
    message:
        What is wrong, phrased as the rule that was broken (``"must be >= 0"``).
    value:
        The offending value, shown with ``repr`` when given.
    """

    def __init__(self, file: str | Path | None, path: str, message: str, value: Any = _MISSING):
        self.file = str(file) if file is not None else None
        self.path = path
        self.message = message
        self.value = value
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.path) if p)
        got = "" if self.value is _MISSING else f" (got {show(self.value)})"
        return f"{where}: {self.message}{got}" if where else f"{self.message}{got}"


class OutputError(OtripError):
    """An output folder cannot be written as asked (exists already, not writable, …)."""
