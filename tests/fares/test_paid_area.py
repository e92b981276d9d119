"""Paid-area changes (§3 precedence): untapped legs pay 0, are no tap-in, and their metres join the
tapped leg before."""

from __future__ import annotations

from builders import (
    BASELINE,
    BLOK_M,
    JAKLINGKO,
    OKOTRIP,
    SENAYAN,
    amounts,
    price,
    rules,
)

from otrip_sim.fares import Charge, Leg, price_card

PAID_AREA = {"tapped": False}
MRT = {"stops": (BLOK_M, SENAYAN)}


def test_paid_area_leg_is_free_with_paid_area_rule():
    charges = price(BASELINE, [("transjakarta", "08:00", 5.0), ("transjakarta", "08:20", 7.0, PAID_AREA)])
    assert charges == [Charge(3_500, "transjakarta:standard"), Charge(0, "transjakarta:paid_area")]


def test_paid_area_metres_count_in_k_and_weight_of_tapped_leg_before():
    # TJ 5 km (tapped) + TJ 4 km (paid area) + MRT 8 km → K = 17 → 6,750
    # weights: TJ 10,000 + 5,000 + 4,000 = 19,000; MRT 8,000 (Σ 27,000) → 4,750 / 2,000
    charges = price(
        JAKLINGKO,
        [
            ("transjakarta", "08:00", 5.0),
            ("transjakarta", "08:20", 4.0, PAID_AREA),
            ("mrt", "09:00", 8.0, MRT),
        ],
    )
    assert amounts(charges) == [4_750, 0, 2_000]
    assert rules(charges) == ["jaklingko:integrated", "transjakarta:paid_area", "jaklingko:integrated"]


def test_paid_area_metres_join_a_later_leg_in_the_weights():
    # MRT 8 km first (weight 18,000); TJ 3 km tapped, + 6 km paid area → TJ weight 9,000; Σ 17 km → 6,750
    # 6,750 × 18,000 / 27,000 = 4,500; 6,750 × 9,000 / 27,000 = 2,250
    charges = price(
        JAKLINGKO,
        [
            ("mrt", "08:00", 8.0, MRT),
            ("transjakarta", "08:30", 3.0),
            ("transjakarta", "08:45", 6.0, PAID_AREA),
        ],
    )
    assert amounts(charges) == [4_500, 2_250, 0]


def test_paid_area_metres_can_tip_k_rounding():
    # TJ 1,000 + paid area 500 + LRT 1,000 = 2,500 m → K = 3 → 3,250 (without the 500 m: K = 2 → 3,000)
    # weights 11,500 / 1,000 (Σ 12,500): 2,990 / 260
    legs = [
        Leg("transjakarta", 0, 1_000),
        Leg("transjakarta", 300, 500, tapped=False),
        Leg("lrt", 900, 1_000),
    ]
    assert amounts(price_card(JAKLINGKO, legs)) == [2_990, 0, 260]


def test_paid_area_leg_is_not_a_second_operator_or_tap_in():
    # TJ tapped + TJ paid area: one operator → standalone TJ 3,500 (the paid-area leg adds nothing)
    charges = price(JAKLINGKO, [("transjakarta", "08:00", 5.0), ("transjakarta", "08:20", 9.0, PAID_AREA)])
    assert charges == [Charge(3_500, "transjakarta:standard"), Charge(0, "transjakarta:paid_area")]


def test_paid_area_leg_does_not_use_the_okotrip_cap():
    # TJ 3,500; paid area 0; TJ pays the remainder 1,500 (the paid-area change is not a boarding)
    charges = price(
        OKOTRIP,
        [
            ("transjakarta", "08:00", 5.0),
            ("transjakarta", "08:10", 5.0, PAID_AREA),
            ("transjakarta", "08:30", 5.0),
        ],
    )
    assert amounts(charges) == [3_500, 0, 1_500]


def test_paid_area_leg_does_not_open_a_window():
    # W1 at 08:00. A paid-area change at 11:30 is not a tap-in, so the TJ tap at 11:40 opens W2 (3,500)
    # and the TJ tap at 14:40 (exactly 3 h after 11:40) pays W2's remainder 1,500.
    # Had the 11:30 change opened W2, 14:40 would be 11,400 s later → a new window → 3,500.
    charges = price(
        OKOTRIP,
        [
            ("transjakarta", "08:00", 5.0),
            ("transjakarta", "11:30", 2.0, PAID_AREA),
            ("transjakarta", "11:40", 5.0),
            ("transjakarta", "14:40", 5.0),
        ],
    )
    assert amounts(charges) == [3_500, 0, 3_500, 1_500]


def test_paid_area_after_free_tap_stays_free_and_outside_windows():
    # free TJ tap, paid-area change, adult MRT alone → MRT standalone (Blok M → Senayan, 2 apart: 5,000)
    charges = price(
        JAKLINGKO,
        [
            ("transjakarta", "08:00", 5.0, {"category": "free"}),
            ("transjakarta", "08:20", 5.0, PAID_AREA),
            ("mrt", "08:50", 4.0, MRT),
        ],
    )
    assert charges == [
        Charge(0, "free"),
        Charge(0, "transjakarta:paid_area"),
        Charge(5_000, "mrt:station_table"),
    ]
