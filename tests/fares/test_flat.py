"""Flat standalone fares (§2): lrt 5,000, royaltrans 20,000, angkot 3,000 / 6,000, mikrotrans 0 / 3,000."""

from __future__ import annotations

import pytest
from builders import (
    BASELINE,
    JAKARTA_POLICIES,
    JAKLINGKO,
    OKOTRIP,
    amounts,
    price,
    rules,
)

from otrip_sim.fares import Charge, FlatFare, Leg


def test_flat_fare_charges_its_amount_with_flat_rule_id():
    fare = FlatFare("bus", 1_234)
    assert fare.price(Leg("bus", 0)) == Charge(1_234, "bus:flat")
    assert fare.price(Leg("bus", 99_999, metres=80_000)) == Charge(1_234, "bus:flat")  # distance is ignored
    assert fare.max_amount == 1_234


@pytest.mark.parametrize("name", sorted(JAKARTA_POLICIES))
@pytest.mark.parametrize("category", ["adult", "free"])
def test_royaltrans_always_pays_20000(name, category):
    # royaltrans is never in a window and not exempt for `free`: 20,000 at every tap,
    # including two taps 10 minutes apart and a tap in the early-fare band.
    charges = price(
        JAKARTA_POLICIES[name],
        [
            ("royaltrans", "05:30", 30.0, {"category": category}),
            ("royaltrans", "05:40", 30.0, {"category": category}),
        ],
    )
    assert amounts(charges) == [20_000, 20_000]
    assert rules(charges) == ["royaltrans:flat", "royaltrans:flat"]


def test_royaltrans_between_okotrip_taps_does_not_touch_the_window():
    # TJ 3,500 opens the window; royaltrans 20,000 outside it; TJ pays the remainder 5,000 − 3,500 = 1,500
    charges = price(
        OKOTRIP,
        [("transjakarta", "08:00", 5.0), ("royaltrans", "08:30", 20.0), ("transjakarta", "09:30", 5.0)],
    )
    assert amounts(charges) == [3_500, 20_000, 1_500]
    assert rules(charges) == ["okotrip:own", "royaltrans:flat", "okotrip:remainder"]


def test_royaltrans_between_jaklingko_legs_is_not_integrated():
    # TJ 5 km + MRT 5 km integrate: K = 10 → 2,500 + 2,500 = 5,000; weights 15,000 / 5,000 → 3,750 / 1,250
    charges = price(
        JAKLINGKO,
        [("transjakarta", "08:00", 5.0), ("royaltrans", "08:20", 20.0), ("mrt", "09:00", 5.0)],
    )
    assert amounts(charges) == [3_750, 20_000, 1_250]
    assert rules(charges) == ["jaklingko:integrated", "royaltrans:flat", "jaklingko:integrated"]


def test_lrt_alone_pays_5000():
    charges = price(JAKLINGKO, [("lrt", "08:00", 5.8)])
    assert charges == [Charge(5_000, "lrt:flat")]


@pytest.mark.parametrize(("policy", "fare"), [(BASELINE, 3_000), (OKOTRIP, 3_000), (JAKLINGKO, 6_000)])
def test_angkot_fare_per_policy(policy, fare):
    # angkot: 3,000 (2017, 2018), 6,000 (2022); never in a window: two taps both pay
    charges = price(policy, [("angkot", "08:00", 3.0), ("angkot", "08:10", 3.0)])
    assert charges == [Charge(fare, "angkot:flat")] * 2


def test_mikrotrans_is_free_but_tapped_in_2022():
    charges = price(JAKLINGKO, [("mikrotrans", "08:00", 4.0), ("mikrotrans", "08:30", 4.0)])
    assert charges == [Charge(0, "mikrotrans:flat")] * 2


def test_mikrotrans_pays_3000_as_first_okotrip_boarding():
    # design scenario: the microbus's own fare 3,000 is its standalone fare inside the window
    assert price(OKOTRIP, [("mikrotrans", "08:00", 4.0)]) == [Charge(3_000, "okotrip:own")]
