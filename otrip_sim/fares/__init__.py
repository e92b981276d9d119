"""The fare engine: pure functions and immutable rules, no simulation or data-frame code.

>>> from otrip_sim.fares import FarePolicy, FlatFare, Leg, price_card
>>> policy = FarePolicy("demo", {"bus": FlatFare("bus", 3500)})
>>> [c.amount for c in price_card(policy, [Leg("bus", 3600), Leg("bus", 7200)])]
[3500, 3500]
"""

from .apportion import largest_remainder
from .engine import Card, Transaction, apply_period_caps, price_card, price_window
from .rules import (
    CapWindow,
    CategoryDiscount,
    CategoryFixed,
    CategoryFree,
    CategoryRule,
    Charge,
    DistanceFare,
    FarePass,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    Leg,
    PeriodCap,
    StationTableFare,
    TimeBand,
    TimeBandFare,
    TransferWindow,
    WindowRule,
    ZoneFare,
)

__all__ = [
    "Card",
    "CapWindow",
    "CategoryDiscount",
    "CategoryFixed",
    "CategoryFree",
    "CategoryRule",
    "Charge",
    "DistanceFare",
    "FarePass",
    "FarePolicy",
    "FirstFareWindow",
    "FlatFare",
    "IntegratedWindow",
    "Leg",
    "PeriodCap",
    "StationTableFare",
    "TimeBand",
    "TimeBandFare",
    "TransferWindow",
    "Transaction",
    "apply_period_caps",
    "WindowRule",
    "ZoneFare",
    "largest_remainder",
    "price_card",
    "price_window",
]
