"""First-fare window (§3 illustrative variant "OK OTrip as operated"): first TJ tap pays, later TJ
taps ≤ 3 h pay 0."""

from __future__ import annotations

from builders import OKOTRIP_AS_OPERATED, amounts, price, rules

from otrip_sim.fares import (
    Charge,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    Leg,
    price_card,
)


def test_first_tap_pays_later_taps_free():
    charges = price(
        OKOTRIP_AS_OPERATED,
        [("transjakarta", "08:00", 5.0), ("transjakarta", "09:00", 5.0), ("transjakarta", "10:30", 5.0)],
    )
    assert amounts(charges) == [3_500, 0, 0]
    assert rules(charges) == ["okotrip:first", "okotrip:free", "okotrip:free"]


def test_early_fare_is_the_first_fare():
    charges = price(OKOTRIP_AS_OPERATED, [("transjakarta", "06:59:59", 5.0), ("transjakarta", "07:30", 5.0)])
    assert amounts(charges) == [2_000, 0]


def test_microbus_taps_are_free_and_open_no_window():
    # microbus 07:00 pays 0 and opens nothing; TJ 09:00 opens the window (3,500); TJ 12:00 (exactly 3 h) free.
    # Had the microbus opened a window at 07:00, the 09:00 tap would have been free.
    charges = price(
        OKOTRIP_AS_OPERATED,
        [("mikrotrans", "07:00", 3.0), ("transjakarta", "09:00", 5.0), ("transjakarta", "12:00", 5.0)],
    )
    assert charges == [
        Charge(0, "mikrotrans:flat"),
        Charge(3_500, "okotrip:first"),
        Charge(0, "okotrip:free"),
    ]


def test_boundary_10800_inclusive_and_10801_pays_again():
    charges = price(
        OKOTRIP_AS_OPERATED,
        [
            ("transjakarta", "08:00:00", 5.0),
            ("transjakarta", "11:00:00", 5.0),
            ("transjakarta", "11:00:01", 5.0),
        ],
    )
    assert amounts(charges) == [3_500, 0, 3_500]
    assert rules(charges) == ["okotrip:first", "okotrip:free", "okotrip:first"]


def test_first_fare_window_over_distance_fares():
    # generic: the first leg's own fare is charged (here a flat 1,000 on 'a'), the rest of the window 0
    policy = FarePolicy(
        "p",
        {"a": FlatFare("a", 1_000), "b": FlatFare("b", 7_000)},
        windows=(FirstFareWindow("ff", frozenset({"a", "b"}), 600),),
    )
    charges = price_card(policy, [Leg("a", 0), Leg("b", 600), Leg("b", 601), Leg("a", 700)])
    # 'b' at 601 s opens a second window (601 > 600) and pays its own 7,000
    assert charges == [
        Charge(1_000, "ff:first"),
        Charge(0, "ff:free"),
        Charge(7_000, "ff:first"),
        Charge(0, "ff:free"),
    ]
