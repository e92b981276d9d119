"""KRL distance fare (§2): 3,000 for 25 km + 1,000 per started 10 km beyond."""

from __future__ import annotations

import pytest
from builders import JAKARTA_POLICIES, OKOTRIP, amounts, km, krl, price, rules

from otrip_sim.fares import Charge, DistanceFare, Leg


@pytest.mark.parametrize(
    ("distance_km", "fare"),
    [
        (0, 3_000),
        (25.0, 3_000),  # exactly 25 km: base only
        (25.001, 4_000),  # one metre beyond starts a step
        (25.1, 4_000),
        (35.0, 4_000),  # ceil(10,000 / 10,000) = 1 step
        (35.001, 5_000),
        (35.1, 5_000),  # ceil(10,100 / 10,000) = 2 steps
        (80.0, 9_000),  # ceil(55,000 / 10,000) = 6 steps → 3,000 + 6,000
    ],
)
def test_krl_spec_examples(distance_km, fare):
    assert krl().price(Leg("krl", 0, metres=km(distance_km))) == Charge(fare, "krl:distance")


def test_km_to_metres_is_half_up_before_the_step():
    # 25.0004 km → 25,000 m → 3,000;  25.0005 km → 25,001 m (half up) → 4,000
    assert km(25.0004) == 25_000 and km(25.0005) == 25_001
    assert krl().price(Leg("krl", 0, metres=km(25.0004))).amount == 3_000
    assert krl().price(Leg("krl", 0, metres=km(25.0005))).amount == 4_000


def test_distance_cap_and_maximum():
    capped = DistanceFare("rail", 3_000, 25_000, 10_000, 1_000, cap=5_000)
    # 60 km: 3,000 + 4 × 1,000 = 7,000 > cap 5,000
    assert capped.price(Leg("rail", 0, metres=60_000)) == Charge(5_000, "rail:distance_cap")
    assert capped.price(Leg("rail", 0, metres=30_000)) == Charge(4_000, "rail:distance")
    assert capped.max_amount == 5_000
    assert DistanceFare("r", 3_000, 25_000, 10_000, 1_000, maximum=13_000).max_amount == 13_000


@pytest.mark.parametrize("name", sorted(JAKARTA_POLICIES))
def test_krl_pays_standalone_under_every_policy_and_category(name):
    charges = price(
        JAKARTA_POLICIES[name],
        [("krl", "07:00", 25.1), ("krl", "07:50", 35.1, {"category": "free"})],  # free pays KRL fares
    )
    assert amounts(charges) == [4_000, 5_000]
    assert rules(charges) == ["krl:distance", "krl:distance"]


def test_krl_does_not_open_an_okotrip_window():
    # If the 08:00 KRL tap opened a window, 12:59 would be outside it (> 3 h after 08:00).
    # It does not: TJ 10:00 opens it (3,500); TJ 12:59 is inside (remainder 1,500).
    charges = price(
        OKOTRIP, [("krl", "08:00", 30.0), ("transjakarta", "10:00", 5.0), ("transjakarta", "12:59", 5.0)]
    )
    assert amounts(charges) == [4_000, 3_500, 1_500]


def test_krl_does_not_close_an_okotrip_window():
    # TJ 08:00 opens; KRL 09:00 in between; TJ 10:59 still in the same window → 1,500
    charges = price(
        OKOTRIP, [("transjakarta", "08:00", 5.0), ("krl", "09:00", 20.0), ("transjakarta", "10:59", 5.0)]
    )
    assert amounts(charges) == [3_500, 3_000, 1_500]
    assert rules(charges) == ["okotrip:own", "krl:distance", "okotrip:remainder"]
