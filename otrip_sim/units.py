"""Unit conversions, done once at load time.

Inside otrip-sim money is an ``int`` count of the currency's minor unit (whole rupiah for IDR),
time is ``int`` seconds since the start of the service day's calendar date (hours may exceed 24, as
in GTFS) and distance is ``int`` metres.  These helpers parse the human forms accepted in scenario
files and format values for reports.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

SECONDS_PER_HOUR = 3600

_CLOCK = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|m|h)\s*$")
_DISTANCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|km)\s*$")

# ISO 4217 minor-unit exponents for the currencies we expect; others default to 2.
CURRENCY_DECIMALS = {
    "IDR": 0, "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "USD": 2, "EUR": 2, "ARS": 2, "CAD": 2, "GBP": 2,
}
_CURRENCY_SYMBOL = {"IDR": "Rp", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def parse_clock(value: int | str) -> int:
    """Return seconds for ``"HH:MM"`` or ``"HH:MM:SS"`` (hours may be ≥ 24) or an int of seconds.

    Parameters
    ----------
    value : int or str
        A clock time, or integer seconds since the service day's midnight.

    Returns
    -------
    int
        Seconds since the service day's midnight (≥ 0).

    Raises
    ------
    ValueError
        For text that is not a clock time, a bool or negative seconds.

    Examples
    --------
    >>> parse_clock("05:00"), parse_clock("25:30:15"), parse_clock(60)
    (18000, 91815, 60)
    """
    if isinstance(value, bool):
        raise ValueError("expected a clock time like '05:30' or '05:30:00'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a time must be >= 0 seconds")
        return value
    m = _CLOCK.match(str(value))
    if not m:
        raise ValueError("expected a clock time like '05:30' or '05:30:00'")
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    return h * 3600 + mi * 60 + s


def parse_duration(value: int | str) -> int:
    """Return whole seconds for an int of seconds, ``"90s"``, ``"5min"``, ``"3h"`` or ``"01:30:00"``.

    Fractions must come out to whole seconds (``"2.5min"`` is 150 s; ``"0.3s"`` is rejected).

    Parameters
    ----------
    value : int or str
        Integer seconds, a number with a unit (``s``, ``sec``, ``m``, ``min``, ``h``) or a clock
        form ``"HH:MM[:SS]"``.

    Returns
    -------
    int
        The duration in integer seconds (≥ 0).

    Raises
    ------
    ValueError
        For an unreadable or negative duration, a bool, or one that is not whole seconds.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration like 300, '5min' or '3h'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration must be >= 0")
        return value
    text = str(value)
    if _CLOCK.match(text):
        return parse_clock(text)
    m = _DURATION.match(text)
    if not m:
        raise ValueError("expected a duration like 300, '90s', '5min' or '3h'")
    factor = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}[m[2]]
    seconds = Decimal(m[1]) * factor
    if seconds != seconds.to_integral_value():
        raise ValueError("a duration must be a whole number of seconds")
    return int(seconds)


def km_to_m(km: float | str | Decimal) -> int:
    """Convert kilometres to whole metres, halves rounded up (``25.0005 km`` → 25,001 m).

    Parameters
    ----------
    km : float, str or Decimal
        A distance in kilometres; read through its decimal text, so ``0.1`` is exactly 100 m.

    Returns
    -------
    int
        The distance in integer metres.

    Raises
    ------
    ValueError
        For a negative or non-finite distance.
    """
    try:
        d = Decimal(str(km))
    except InvalidOperation as exc:  # pragma: no cover - guarded by callers
        raise ValueError("expected a number of kilometres") from exc
    if d < 0 or not d.is_finite():
        raise ValueError("a distance must be >= 0")
    return int((d * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_distance(value: int | str) -> int:
    """Return whole metres for an int of metres, ``"500m"`` or ``"15.7km"``.

    Parameters
    ----------
    value : int or str
        Integer metres, ``"<n>m"`` (whole metres) or ``"<x>km"`` (rounded as :func:`km_to_m`).

    Returns
    -------
    int
        The distance in integer metres (≥ 0).

    Raises
    ------
    ValueError
        For an unreadable or negative distance, a bool, or fractional metres.
    """
    if isinstance(value, bool):
        raise ValueError("expected a distance like 500, '500m' or '15.7km'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a distance must be >= 0")
        return value
    m = _DISTANCE.match(str(value))
    if not m:
        raise ValueError("expected a distance like 500, '500m' or '15.7km'")
    if m[2] == "km":
        return km_to_m(m[1])
    d = Decimal(m[1])
    if d != d.to_integral_value():
        raise ValueError("metres must be whole; write fractions as km")
    return int(d)


def format_clock(value: int, /, *, seconds: Literal["always", "nonzero", "never"] = "always") -> str:
    """Format seconds since the service day's start as a clock time (hours may pass 24).

    ``seconds`` says when the ``:SS`` part is written: ``"always"`` (``"HH:MM:SS"``, reports and
    GTFS tables), ``"nonzero"`` (``"HH:MM"``, with ``:SS`` only when the seconds are not zero: the
    form the GTFS network import writes into ``routes.yaml``) or ``"never"`` (``"HH:MM"``, seconds
    dropped, for one-line summaries).

    Parameters
    ----------
    value : int
        Integer seconds since the service day's midnight.
    seconds : {"always", "nonzero", "never"}
        When to write the ``:SS`` part.

    Returns
    -------
    str
        ``"HH:MM:SS"`` or ``"HH:MM"``.

    Raises
    ------
    ValueError
        For any other ``seconds``.

    Examples
    --------
    >>> format_clock(91815), format_clock(91800, seconds="nonzero"), format_clock(91815, seconds="never")
    ('25:30:15', '25:30', '25:30')
    """
    h, rem = divmod(int(value), 3600)
    m, s = divmod(rem, 60)
    if seconds == "always" or (seconds == "nonzero" and s):
        return f"{h:02d}:{m:02d}:{s:02d}"
    if seconds in ("nonzero", "never"):
        return f"{h:02d}:{m:02d}"
    raise ValueError(f"seconds must be 'always', 'nonzero' or 'never', not {seconds!r}")


def format_money(amount: int, currency: str = "IDR") -> str:
    """Format minor units for people: ``format_money(5000) == "Rp 5,000"``.

    Parameters
    ----------
    amount : int
        Money in integer minor units of ``currency`` (rupiah, cents, …).
    currency : str
        ISO 4217 code; its minor-unit exponent comes from :data:`CURRENCY_DECIMALS` (default 2).

    Returns
    -------
    str
        The symbol (or the code) and the amount in major units with thousands separators.
    """
    decimals = CURRENCY_DECIMALS.get(currency, 2)
    symbol = _CURRENCY_SYMBOL.get(currency, currency)
    sign = "-" if amount < 0 else ""
    if decimals == 0:
        return f"{sign}{symbol} {abs(amount):,}"
    major, minor = divmod(abs(amount), 10**decimals)
    return f"{sign}{symbol} {major:,}.{minor:0{decimals}d}"


_SHORT = ((10**12, "T"), (10**9, "bn"), (10**6, "M"))


def format_money_short(amount: float, currency: str = "IDR") -> str:
    """Money for a figure's axis or label, in one format everywhere: ``Rp 3,500`` below a million
    (major units), ``Rp 800 M``, ``Rp 1.2 bn``, ``Rp 4 T`` from a million up (at most three
    significant digits, trailing zeros dropped).

    Parameters
    ----------
    amount : float
        Money in minor units of ``currency`` (an axis position may be fractional; it is rounded
        to the minor unit below a million major units).
    currency : str
        ISO 4217 code.

    Returns
    -------
    str
        E.g. ``format_money_short(1_234_000_000) == "Rp 1.23 bn"``,
        ``format_money_short(800_000_000) == "Rp 800 M"``, ``format_money_short(3500) == "Rp 3,500"``.
    """
    scale = 10 ** CURRENCY_DECIMALS.get(currency, 2)
    major = amount / scale
    for div, suffix in _SHORT:
        if abs(major) >= div:
            value = major / div
            digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
            text = f"{abs(value):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{abs(value):,.0f}"
            sign = "-" if value < 0 else ""
            return f"{sign}{_CURRENCY_SYMBOL.get(currency, currency)} {text} {suffix}"
    return format_money(round(amount), currency)
