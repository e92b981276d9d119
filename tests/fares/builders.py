"""Test builders for the fare engine: the three Jakarta policies and a small journey builder.

Every number here is from ``/work/shared/docs/jakarta-fares.md`` §2–§3 (the rows are named in the
comments).  The tests import this module directly (``from builders import ...``): pytest puts
``tests/fares`` on ``sys.path`` because the folder has no ``__init__.py``.

Journey builder::

    card([("transjakarta", "08:00", 12.0),               # operator, tap-in clock, km
          ("mrt", "08:40", 8.0, {"stops": (LEBAK_BULUS, ASEAN)}),
          ("transjakarta", "09:00", 2.0, {"tapped": False}),  # a change inside the BRT paid area
          ("mrt", "10:00", 3.0, {"category": "free"})])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from otrip_sim.fares import (
    CapWindow,
    Card,
    CategoryFree,
    Charge,
    DistanceFare,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    Leg,
    StationTableFare,
    TimeBand,
    TimeBandFare,
    price_card,
)
from otrip_sim.fares import price as price_table
from otrip_sim.fares.vector import as_arrays

# --- units -------------------------------------------------------------------------------------

THREE_HOURS = 10_800  # §3: "at most 180 minutes after" is inclusive (≤ 10,800 s)


def clock(value: int | str) -> int:
    """Seconds of the service day for ``"HH:MM"``, ``"HH:MM:SS"`` or an int of seconds."""
    if isinstance(value, int):
        return value
    parts = [int(p) for p in value.split(":")]
    if len(parts) == 2:
        parts.append(0)
    h, m, s = parts
    return h * 3600 + m * 60 + s


def km(value: float | int | str) -> int:
    """Kilometres → whole metres, converted once, half up to the metre (§2 "Units")."""
    return int((Decimal(str(value)) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- MRT stations (§1: Lebak Bulus – Bundaran HI, 13 stations; ids as in scenarios' stops.csv) --

MRT_STATIONS: tuple[str, ...] = (
    "mrt_lebak_bulus",
    "mrt_fatmawati",
    "mrt_cipete_raya",
    "mrt_haji_nawi",
    "mrt_blok_a",
    "mrt_blok_m",
    "mrt_asean",
    "mrt_senayan",
    "mrt_istora",
    "mrt_bendungan_hilir",
    "mrt_setiabudi",
    "mrt_dukuh_atas",
    "mrt_bundaran_hi",
)
(
    LEBAK_BULUS,
    FATMAWATI,
    CIPETE,
    HAJI_NAWI,
    BLOK_A,
    BLOK_M,
    ASEAN,
    SENAYAN,
    ISTORA,
    BENDUNGAN_HILIR,
    SETIABUDI,
    DUKUH_ATAS,
    BUNDARAN_HI,
) = MRT_STATIONS


def mrt_formula(a: str, b: str) -> int:
    """§2 mrt row: ``min(14,000, 3,000 + 1,000 × stations apart)``.

    The published row from Lebak Bulus is exactly this; every other pair is ``# assumption``.
    """
    apart = abs(MRT_STATIONS.index(a) - MRT_STATIONS.index(b))
    return min(14_000, 3_000 + 1_000 * apart)


MRT_TABLE: dict[tuple[str, str], int] = {
    (a, b): mrt_formula(a, b) for a in MRT_STATIONS for b in MRT_STATIONS
}


# --- standalone fares (§2) ---------------------------------------------------------------------

EARLY = TimeBand("early", clock("05:00:00"), clock("07:00:00"), 2_000)  # at/after 05:00, before 07:00


def transjakarta() -> TimeBandFare:
    return TimeBandFare("transjakarta", 3_500, (EARLY,))  # Rp 3,500; Rp 2,000 early


def krl() -> DistanceFare:
    # 3,000 for the first 25 km + 1,000 per *started* 10 km beyond (PM 35/2016)
    return DistanceFare("krl", base=3_000, base_m=25_000, step_m=10_000, step_amount=1_000)


def mrt() -> StationTableFare:
    return StationTableFare("mrt", MRT_TABLE, maximum=14_000)


FREE_OPERATORS = frozenset({"transjakarta", "mikrotrans", "mrt", "lrt"})  # §2 rider categories


def free_category(operators: Iterable[str]) -> CategoryFree:
    """The ``free`` category, restricted to the exempt operators present in a policy."""
    return CategoryFree("free", "free", frozenset(operators) & FREE_OPERATORS)


def baseline_2017() -> FarePolicy:
    """§3 baseline-2017: no integration, every tap pays its standalone fare."""
    standalone = {
        "transjakarta": transjakarta(),
        "angkot": FlatFare("angkot", 3_000),
        "krl": krl(),
        "royaltrans": FlatFare("royaltrans", 20_000),
    }
    return FarePolicy("baseline-2017", standalone, categories=(free_category(standalone),))


OKOTRIP_CAP = 5_000


def okotrip_2018() -> FarePolicy:
    """§3 okotrip-2018 design rule: TJ + mikrotrans share a Rp 5,000 cap per 3-hour window."""
    standalone = {
        "transjakarta": transjakarta(),
        "mikrotrans": FlatFare("mikrotrans", 3_000),  # design scenario: small-bus fare Rp 3,000
        "angkot": FlatFare("angkot", 3_000),
        "krl": krl(),
        "royaltrans": FlatFare("royaltrans", 20_000),
    }
    window = CapWindow("okotrip", frozenset({"transjakarta", "mikrotrans"}), THREE_HOURS, OKOTRIP_CAP)
    return FarePolicy("okotrip-2018", standalone, categories=(free_category(standalone),), windows=(window,))


def okotrip_2018_as_operated() -> FarePolicy:
    """§3 illustrative variant: microbus 0 and opens no window; first TJ tap pays, later TJ taps
    ≤ 3 h pay 0."""
    standalone = {
        "transjakarta": transjakarta(),
        "mikrotrans": FlatFare("mikrotrans", 0),
        "angkot": FlatFare("angkot", 3_000),
        "krl": krl(),
        "royaltrans": FlatFare("royaltrans", 20_000),
    }
    window = FirstFareWindow("okotrip", frozenset({"transjakarta"}), THREE_HOURS)
    return FarePolicy(
        "okotrip-2018-as-operated", standalone, categories=(free_category(standalone),), windows=(window,)
    )


JAKLINGKO_CAP = 10_000


def jaklingko_2022() -> FarePolicy:
    """§3 jaklingko-2022: TJ/MRT/LRT window of min(10,000, 2,500 + 250 × K) when ≥ 2 operators."""
    standalone = {
        "transjakarta": transjakarta(),
        "mikrotrans": FlatFare("mikrotrans", 0),
        "angkot": FlatFare("angkot", 6_000),  # tariff raise Oct 2022
        "krl": krl(),
        "mrt": mrt(),
        "lrt": FlatFare("lrt", 5_000),
        "royaltrans": FlatFare("royaltrans", 20_000),
    }
    window = IntegratedWindow(
        "jaklingko",
        frozenset({"transjakarta", "mrt", "lrt"}),
        THREE_HOURS,
        base=2_500,
        per_km=250,
        cap=JAKLINGKO_CAP,
        min_operators=2,
        first_leg_weight_m=10_000,
    )
    return FarePolicy(
        "jaklingko-2022", standalone, categories=(free_category(standalone),), windows=(window,)
    )


BASELINE = baseline_2017()
OKOTRIP = okotrip_2018()
OKOTRIP_AS_OPERATED = okotrip_2018_as_operated()
JAKLINGKO = jaklingko_2022()
JAKARTA_POLICIES: dict[str, FarePolicy] = {p.name: p for p in (BASELINE, OKOTRIP, JAKLINGKO)}


# --- journeys ----------------------------------------------------------------------------------

LegSpec = Leg | tuple[Any, ...]


def leg(
    operator: str,
    at: int | str,
    distance_km: float | int | str = 0,
    *,
    category: str = "adult",
    stops: tuple[str, str] | None = None,
    tapped: bool = True,
    metres: int | None = None,
) -> Leg:
    """One leg: ``leg("krl", "07:15", 25.1)``; ``metres=`` overrides the km figure exactly."""
    board, alight = stops if stops is not None else (None, None)
    return Leg(
        operator,
        clock(at),
        metres=km(distance_km) if metres is None else metres,
        category=category,
        board_stop=board,
        alight_stop=alight,
        tapped=tapped,
    )


def card(specs: Iterable[LegSpec]) -> list[Leg]:
    """Legs from ``(operator, clock, km[, {keyword: value}])`` tuples (or ready-made legs)."""
    legs = []
    for spec in specs:
        if isinstance(spec, Leg):
            legs.append(spec)
            continue
        args, kwargs = spec, {}
        if args and isinstance(args[-1], dict):
            args, kwargs = args[:-1], args[-1]
        legs.append(leg(*args, **kwargs))
    return legs


def price(policy: FarePolicy, specs: Iterable[LegSpec]) -> list[Charge]:
    """``price_card`` on a built journey."""
    return price_card(policy, card(specs))


def amounts(charges: Sequence[Charge]) -> list[int]:
    return [c.amount for c in charges]


def rules(charges: Sequence[Charge]) -> list[str]:
    return [c.rule for c in charges]


def tap_all(policy: FarePolicy, legs: Iterable[Leg]) -> tuple[Card, list[Charge], list[Charge]]:
    """Price legs tap by tap: ``(card, provisional charges, settled charges)``."""
    c = Card(policy)
    provisional = [c.tap(x) for x in legs]
    settled = list(c.settle())
    return c, provisional, settled


def transaction_log(priced: Any) -> list[tuple[int, int, int, int, str]]:
    """A priced table's transaction log as sorted rows: leg, time, kind, amount, rule id."""
    tx, names = priced.transactions, priced.rules.names
    return sorted(zip(tx.leg.tolist(), tx.time.tolist(), tx.kind.tolist(), tx.amount.tolist(),
                      [names[k] for k in tx.rule]))


def assert_engines_agree(policy: FarePolicy, by_card: Sequence[Sequence[Leg]]) -> None:
    """Each card tapped leg by leg settles as the whole card priced at once, money conserved and
    never negative; and on all cards together the vectorised and card-by-card backends give the
    same fares, rules, windows, standalone and provisional fares and transaction logs, also on
    the all-tapped shortcut."""
    for legs in by_card:
        card, _, settled = tap_all(policy, legs)
        assert settled == price_card(policy, legs)
        assert sum(t.amount for t in card.transactions) == sum(c.amount for c in settled)
        assert all(c.amount >= 0 for c in settled)
    flat = [leg for legs in by_card for leg in legs]
    table = as_arrays(flat, [k for k, legs in enumerate(by_card) for _ in legs])
    v, c = (price_table(policy, table, log=True, backend=b) for b in ("vector", "card"))
    assert v.fare.tolist() == c.fare.tolist()
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert v.window.tolist() == c.window.tolist() and v.own.tolist() == c.own.tolist()
    assert v.provisional.tolist() == c.provisional.tolist()
    assert transaction_log(v) == transaction_log(c)
    tapped = table.take(np.flatnonzero(table.tapped))  # the all-tapped shortcut
    fast, slow = (price_table(policy, tapped, backend=b) for b in ("vector", "card"))
    assert fast.fare.tolist() == slow.fare.tolist() and fast.window.tolist() == slow.window.tolist()
