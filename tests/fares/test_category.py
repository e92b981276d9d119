"""Rider categories (§2, §3 precedence): `free` pays 0 on TJ, mikrotrans, MRT, LRT and is invisible to
windows."""

from __future__ import annotations

import pytest
from builders import (
    BASELINE,
    JAKLINGKO,
    LEBAK_BULUS,
    OKOTRIP,
    SENAYAN,
    amounts,
    price,
    rules,
)

from otrip_sim.fares import CategoryFree, Charge, FarePolicy, FlatFare

FREE = {"category": "free"}


@pytest.mark.parametrize(
    ("policy", "operator"),
    [
        (BASELINE, "transjakarta"),
        (OKOTRIP, "transjakarta"),
        (OKOTRIP, "mikrotrans"),
        (JAKLINGKO, "transjakarta"),
        (JAKLINGKO, "mikrotrans"),
        (JAKLINGKO, "mrt"),
        (JAKLINGKO, "lrt"),
    ],
)
def test_free_rides_free_on_exempt_operators(policy, operator):
    charges = price(policy, [(operator, "08:00", 9.0, {"category": "free", "stops": (LEBAK_BULUS, SENAYAN)})])
    assert charges == [Charge(0, "free")]


@pytest.mark.parametrize(
    ("policy", "operator", "fare"),
    [
        (BASELINE, "angkot", 3_000),
        (OKOTRIP, "angkot", 3_000),
        (JAKLINGKO, "angkot", 6_000),
        (BASELINE, "krl", 3_000),
        (JAKLINGKO, "krl", 3_000),
        (JAKLINGKO, "royaltrans", 20_000),
    ],
)
def test_free_pays_normal_fares_elsewhere(policy, operator, fare):
    assert amounts(price(policy, [(operator, "08:00", 10.0, FREE)])) == [fare]


def test_free_early_tj_is_zero_not_early_fare():
    # category rules come before standalone (and time-band) fares
    assert price(BASELINE, [("transjakarta", "06:00", 5.0, FREE)]) == [Charge(0, "free")]


def test_free_tap_does_not_open_an_okotrip_window():
    # If the free 08:00 tap opened a window, the adult 12:59 tap would fall outside it (3,500).
    # It does not: adult 10:00 opens it (3,500) and 12:59 pays the remainder 1,500.
    charges = price(
        OKOTRIP,
        [
            ("transjakarta", "08:00", 5.0, FREE),
            ("transjakarta", "10:00", 5.0),
            ("transjakarta", "12:59", 5.0),
        ],
    )
    assert amounts(charges) == [0, 3_500, 1_500]
    assert rules(charges) == ["free", "okotrip:own", "okotrip:remainder"]


def test_free_tap_does_not_count_towards_okotrip_paid_amount_or_boardings():
    # adult microbus 3,000; free TJ 0; adult TJ pays 5,000 − 3,000 = 2,000
    charges = price(
        OKOTRIP,
        [("mikrotrans", "08:00", 3.0), ("transjakarta", "08:20", 5.0, FREE), ("transjakarta", "09:00", 5.0)],
    )
    assert amounts(charges) == [3_000, 0, 2_000]


def test_free_leg_does_not_count_as_a_jaklingko_operator():
    # adult TJ 12 km + free MRT 8 km: only one eligible operator is seen → TJ standalone 3,500
    charges = price(
        JAKLINGKO,
        [("transjakarta", "08:00", 12.0), ("mrt", "08:40", 8.0, {**FREE, "stops": (LEBAK_BULUS, SENAYAN)})],
    )
    assert charges == [Charge(3_500, "transjakarta:standard"), Charge(0, "free")]


def test_free_leg_distance_is_not_in_k():
    # adult TJ 5 km, free TJ 20 km, adult MRT 5 km → K = 10 (not 30) → 2,500 + 2,500 = 5,000
    # weights: TJ 10,000 + 5,000 = 15,000; MRT 5,000 → 3,750 / 1,250
    charges = price(
        JAKLINGKO,
        [
            ("transjakarta", "08:00", 5.0),
            ("transjakarta", "08:30", 20.0, FREE),
            ("mrt", "09:30", 5.0, {"stops": (LEBAK_BULUS, SENAYAN)}),
        ],
    )
    assert amounts(charges) == [3_750, 0, 1_250]
    assert rules(charges) == ["jaklingko:integrated", "free", "jaklingko:integrated"]


def test_free_tap_does_not_open_a_jaklingko_window():
    # free LRT 08:00 would put MRT 11:10 outside a window opened at 08:00; instead TJ 09:00 opens it
    # and TJ 4 km + MRT 6 km integrate: K = 10 → 5,000; weights 14,000 / 6,000 → 3,500 / 1,500
    charges = price(
        JAKLINGKO,
        [
            ("lrt", "08:00", 5.0, FREE),
            ("transjakarta", "09:00", 4.0),
            ("mrt", "11:10", 6.0, {"stops": (LEBAK_BULUS, SENAYAN)}),
        ],
    )
    assert amounts(charges) == [0, 3_500, 1_500]


def test_overlapping_category_rules_are_rejected():
    # Two category rules both exempting (student, bus) would make the rule id a charge carries
    # depend on rule order; the policy refuses them instead (rule order never matters).
    a = CategoryFree("student-pass", "student", frozenset({"bus"}))
    b = CategoryFree("kjp", "student", frozenset({"bus"}))
    fares = {"bus": FlatFare("bus", 3_500)}
    for order in ((a, b), (b, a)):
        with pytest.raises(ValueError, match="in two category rules"):
            FarePolicy("overlap", fares, categories=order)
