"""Rule outcomes: why a leg was charged what it was, as one enumeration.

Every charge the engine makes carries an :class:`Outcome` (what happened) and a *source* (the id of
the fare object that decided it: an operator, a window, a pass, a category rule or a period cap).
The rule id written to outputs (``legs.rule``, the tap log) is built from the two by
:func:`rule_id` — ``"<source>:<suffix>"`` — so no code ever parses rule ids back: whoever needs to
know whether a leg was capped asks its outcome.
"""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """What decided a leg's charge.  Values are stable small integers (stored as ``int8``)."""

    # standalone fares
    FLAT = 0
    TIME_BAND = 1  # inside a named time band; the rule id carries the band's name
    STANDARD = 2  # a time-band fare's default amount
    DISTANCE = 3
    DISTANCE_CAP = 4
    MISSING_TAP_OUT = 5
    STATION_TABLE = 6
    ZONES = 7
    NO_STATIONS = 8
    # legs that pay nothing by construction
    EXEMPT = 9  # a category rule makes the leg free; the rule id is the category rule's id
    PAID_AREA = 10  # a change inside an operator's paid area: no tap
    EVADED = 11  # boarded without tapping (set by settlement, never by a fare rule)
    # passes
    PASS_PURCHASE = 12
    PASS = 13
    # window rules
    WINDOW_OWN = 14  # cap window: the leg's own fare, the cap not reached
    WINDOW_REMAINDER = 15  # cap window: what was left of the cap
    WINDOW_CAPPED = 16  # cap window: the cap already reached, nothing to pay
    WINDOW_FIRST = 17  # first-fare window: the first tap pays its own fare
    WINDOW_FREE = 18  # first-fare window: later taps ride free
    INTEGRATED = 19  # integrated window: the window's price shared by distance
    STANDALONE_CHEAPER = 20  # integrated window: the standalone fares were cheaper
    TRANSFER = 21  # transfer window: the transfer fare
    # period caps
    PERIOD_CAPPED = 22
    # pay-the-difference windows (the first tap is WINDOW_FIRST, a tap on a cheaper service WINDOW_FREE)
    PAY_DIFFERENCE = 23
    # no fare product: the policy does not price the leg (a free shuttle, a feed without a rule)
    NO_FARE = 24
    # a zone fare of a named period (peak, off-peak by time of day); the rule id carries its name
    ZONE_PERIOD = 25
    # an origin-destination fare over a chain of legs, from the first boarding to the last alighting
    OD_CHAIN = 26
    # integrated window whose tariff reached its cap: the cap shared by distance
    INTEGRATED_CAPPED = 27

    @property
    def suffix(self) -> str:
        """The part of a rule id after the source (``""`` for exemptions, whose id is the rule's)."""
        return _SUFFIX[self]

    @property
    def why(self) -> str:
        """One line for people: why a leg with this outcome was charged what it was."""
        return _WHY[self]

    @property
    def capped(self) -> bool:
        """Did a fare cap lower the charge (TIDES ``fare_capped``: "the fare charged in this
        transaction was modified by a fare capping policy")?  A cap window's remainder and its
        taps past the cap, an integrated window priced at its cap, a period cap's reduction; a
        distance fare's maximum (``DISTANCE_CAP``) is part of the fare, not a capping policy."""
        return self in (Outcome.WINDOW_REMAINDER, Outcome.WINDOW_CAPPED, Outcome.PERIOD_CAPPED,
                        Outcome.INTEGRATED_CAPPED)


_SUFFIX = {
    Outcome.FLAT: "flat", Outcome.TIME_BAND: "", Outcome.STANDARD: "standard", Outcome.DISTANCE: "distance",
    Outcome.DISTANCE_CAP: "distance_cap", Outcome.MISSING_TAP_OUT: "missing_tap_out",
    Outcome.STATION_TABLE: "station_table", Outcome.ZONES: "zones", Outcome.NO_STATIONS: "no_stations",
    Outcome.EXEMPT: "", Outcome.PAID_AREA: "paid_area", Outcome.EVADED: "evasion",
    Outcome.PASS_PURCHASE: "purchase", Outcome.PASS: "pass", Outcome.WINDOW_OWN: "own",
    Outcome.WINDOW_REMAINDER: "remainder", Outcome.WINDOW_CAPPED: "capped", Outcome.WINDOW_FIRST: "first",
    Outcome.WINDOW_FREE: "free", Outcome.INTEGRATED: "integrated",
    Outcome.STANDALONE_CHEAPER: "standalone_cheaper", Outcome.TRANSFER: "transfer",
    Outcome.PERIOD_CAPPED: "capped", Outcome.PAY_DIFFERENCE: "difference",
    Outcome.NO_FARE: "no_fare", Outcome.ZONE_PERIOD: "", Outcome.OD_CHAIN: "od",
    Outcome.INTEGRATED_CAPPED: "capped",
}

_WHY = {
    Outcome.FLAT: "standalone flat fare",
    Outcome.TIME_BAND: "standalone fare (time band)",
    Outcome.STANDARD: "standalone fare",
    Outcome.DISTANCE: "standalone fare by distance",
    Outcome.DISTANCE_CAP: "standalone fare by distance, at its cap",
    Outcome.MISSING_TAP_OUT: "no tap-out: the operator's maximum fare",
    Outcome.STATION_TABLE: "standalone fare from the station-to-station table",
    Outcome.ZONES: "standalone fare by zones",
    Outcome.NO_STATIONS: "no stations given: the operator's maximum fare",
    Outcome.EXEMPT: "the rider's category rides free",
    Outcome.PAID_AREA: "a change inside the paid area: no tap",
    Outcome.EVADED: "boarded without tapping",
    Outcome.PASS_PURCHASE: "the rider's pass: bought (or renewed) with this ride",
    Outcome.PASS: "covered by the rider's pass",
    Outcome.WINDOW_OWN: "pays its own fare inside the window",
    Outcome.WINDOW_REMAINDER: "pays the remainder up to the window's cap",
    Outcome.WINDOW_CAPPED: "the window's cap is reached: nothing more to pay",
    Outcome.WINDOW_FIRST: "first tap of the window pays its standalone fare",
    Outcome.WINDOW_FREE: "free within the window opened by the first tap",
    Outcome.INTEGRATED: "integrated tariff: the window's price, shared by distance",
    Outcome.STANDALONE_CHEAPER: (
        "the legs cost less on their own than the integrated tariff: standalone fares"),
    Outcome.TRANSFER: "a transfer within the time limit: the transfer fare",
    Outcome.PERIOD_CAPPED: "the period cap is reached: the leg pays what the cap still allows",
    Outcome.PAY_DIFFERENCE: "a transfer to a dearer service: pays the difference from the dearest fare "
                            "already covered in the window",
    Outcome.NO_FARE: "no fare product: the policy does not price this leg (0, outside every window)",
    Outcome.ZONE_PERIOD: "standalone fare by zones in a period of the day (peak / off-peak)",
    Outcome.OD_CHAIN: ("one origin-destination fare from the chain's first boarding to its last alighting, "
                       "shared by the legs' own fares"),
    Outcome.INTEGRATED_CAPPED: "integrated tariff at its cap: the cap, shared by distance",
}


def rule_id(source: str, outcome: Outcome, band: str = "") -> str:
    """The rule id of a charge: ``"<source>:<suffix>"``; a time band's or zone period's name is its
    suffix; an exemption's id is the category rule's own id."""
    if outcome is Outcome.EXEMPT:
        return source
    named = outcome is Outcome.TIME_BAND or outcome is Outcome.ZONE_PERIOD
    return f"{source}:{band if named else outcome.suffix}"
