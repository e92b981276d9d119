"""GTFS amounts in ISO 4217 decimals, otrip-sim amounts in integer minor units.

GTFS writes a price with exactly the currency's ISO 4217 minor-unit digits (``3500.00`` IDR,
``2.00`` USD, ``200`` JPY).  otrip-sim counts money in its own minor unit
(:data:`~otrip_sim.units.CURRENCY_DECIMALS`: whole rupiah for IDR, cents for USD).  The two
differ for the rupiah, so both directions go through here; the ISO exponents come from the
maintained ``iso4217`` package, not a table typed in by hand.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from iso4217 import Currency

from ..errors import InputError
from ..units import CURRENCY_DECIMALS


def iso_exponent(currency: str) -> int:
    """The number of decimals ISO 4217 gives ``currency`` (``IDR`` 2, ``JPY`` 0, ``BHD`` 3).

    Parameters
    ----------
    currency : str
        An ISO 4217 alphabetic code.

    Returns
    -------
    int
        The minor-unit exponent (0 for a code without minor units, such as ``XAU``).

    Raises
    ------
    InputError
        ``currency`` is not an ISO 4217 code.
    """
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        raise InputError("currency", "", "not an ISO 4217 currency code", currency) from None
    return int(exponent or 0)


def internal_decimals(currency: str) -> int:
    """Decimals of otrip-sim's own minor unit of ``currency`` (IDR 0: whole rupiah; else ISO's)."""
    return CURRENCY_DECIMALS.get(currency, iso_exponent(currency))


def gtfs_amount(minor: int, currency: str) -> str:
    """``minor`` (otrip-sim minor units) as a GTFS ``amount``: ISO 4217 decimals, exactly.

    Parameters
    ----------
    minor : int
        The amount in otrip-sim's minor unit of ``currency`` (may be negative).
    currency : str
        ISO 4217 code.

    Returns
    -------
    str
        ``"3500.00"`` for 3500 IDR, ``"2.50"`` for 250 USD cents, ``"200"`` for 200 JPY.
    """
    exponent = iso_exponent(currency)
    value = Decimal(minor).scaleb(-internal_decimals(currency))
    return f"{value.quantize(Decimal(1).scaleb(-exponent)):f}"


def minor_units(amount: str, currency: str, where: str, line: int) -> int:
    """A GTFS ``amount`` in otrip-sim minor units, exactly; negative amounts allowed (GTFS allows
    them for transfer discounts).

    Parameters
    ----------
    amount : str
        The cell.
    currency : str
        ISO 4217 code.
    where, line : str, int
        The file and line, for the error.

    Returns
    -------
    int
        The amount in otrip-sim's minor unit (``"3500.00"`` IDR -> 3500).

    Raises
    ------
    InputError
        Not a number, or finer than otrip-sim's minor unit (``2.005`` USD, ``3500.50`` IDR).
    """
    try:
        value = Decimal(amount.strip())
    except (InvalidOperation, AttributeError):
        raise InputError(where, f"line {line}, column amount", "not a number", amount) from None
    if not value.is_finite():
        raise InputError(where, f"line {line}, column amount", "not a number", amount)
    decimals = internal_decimals(currency)
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise InputError(where, f"line {line}, column amount",
                         f"finer than the minor unit of {currency} ({decimals} decimals)", amount)
    return int(scaled)
