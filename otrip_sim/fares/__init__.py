"""The fare engine: pure functions and immutable rules, no simulation or data-frame code.

The only place that knows fare rules.  Callers build a :class:`LegTable` and call :func:`price`
(see :mod:`otrip_sim.fares.pricing`); they read outcomes (:class:`Outcome`), never rule classes.

>>> from otrip_sim.fares import FarePolicy, FlatFare, Leg, price_card
>>> policy = FarePolicy("demo", {"bus": FlatFare("bus", 3500)})
>>> [c.amount for c in price_card(policy, [Leg("bus", 3600), Leg("bus", 7200)])]
[3500, 3500]
"""

from .apportion import largest_remainder
from .engine import Card, Transaction, apply_period_caps, price_card, price_window, window_start
from .outcome import Outcome, rule_id
from .pricing import (
    ALWAYS,
    TapTrace,
    backend_for,
    open_bound,
    open_until,
    own_fares,
    price,
    price_continuations,
    products,
    trace,
)
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
    NoFare,
    OdChainWindow,
    PayDifferenceWindow,
    PeriodCap,
    StationTableFare,
    TimeBand,
    TimeBandFare,
    TransferMatrixWindow,
    TransferPair,
    TransferWindow,
    WindowRule,
    ZoneFare,
    ZonePeriod,
)
from .table import ADJUSTMENT, TAP, LegTable, Priced, RuleTable, Transactions

__all__ = [
    "ADJUSTMENT",
    "ALWAYS",
    "TAP",
    "CapWindow",
    "Card",
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
    "LegTable",
    "NoFare",
    "OdChainWindow",
    "Outcome",
    "PayDifferenceWindow",
    "PeriodCap",
    "Priced",
    "RuleTable",
    "StationTableFare",
    "TapTrace",
    "TimeBand",
    "TimeBandFare",
    "Transaction",
    "Transactions",
    "TransferMatrixWindow",
    "TransferPair",
    "TransferWindow",
    "WindowRule",
    "ZoneFare",
    "ZonePeriod",
    "apply_period_caps",
    "backend_for",
    "largest_remainder",
    "open_bound",
    "open_until",
    "own_fares",
    "price",
    "price_card",
    "price_continuations",
    "price_window",
    "products",
    "rule_id",
    "trace",
    "window_start",
]
