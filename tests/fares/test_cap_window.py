"""OK OTrip 2018 design rule (§3): TJ + mikrotrans share a Rp 5,000 cap per window of ≤ 10,800 s."""

from __future__ import annotations

from builders import BASELINE, OKOTRIP, amounts, price, rules

from otrip_sim.fares import CapWindow, Charge, FarePolicy, FlatFare, Leg, price_card


def test_spec_example_microbus_3000_tj_2000_tj_0():
    charges = price(
        OKOTRIP,
        [("mikrotrans", "08:00", 4.0), ("transjakarta", "08:30", 10.0), ("transjakarta", "09:30", 6.0)],
    )
    # microbus own 3,000; TJ min(3,500, 5,000 − 3,000) = 2,000; TJ min(3,500, 0) = 0
    assert amounts(charges) == [3_000, 2_000, 0]
    assert rules(charges) == ["okotrip:own", "okotrip:remainder", "okotrip:capped"]


def test_tj_first_then_microbus_remainder():
    # TJ 3,500; microbus min(3,000, 1,500) = 1,500; microbus 0
    charges = price(
        OKOTRIP, [("transjakarta", "08:00", 10.0), ("mikrotrans", "08:40", 3.0), ("mikrotrans", "09:00", 3.0)]
    )
    assert amounts(charges) == [3_500, 1_500, 0]


def test_window_boundary_10800_is_inclusive():
    # 08:00:00 + 10,800 s = 11:00:00 → still covered: remainder 1,500
    charges = price(OKOTRIP, [("transjakarta", "08:00:00", 5.0), ("transjakarta", "11:00:00", 5.0)])
    assert amounts(charges) == [3_500, 1_500]


def test_10801_seconds_opens_a_new_window():
    charges = price(OKOTRIP, [("transjakarta", "08:00:00", 5.0), ("transjakarta", "11:00:01", 5.0)])
    assert amounts(charges) == [3_500, 3_500]
    assert rules(charges) == ["okotrip:own", "okotrip:own"]


def test_next_window_is_anchored_at_its_own_first_tap():
    # W1 opens 08:00:00; 11:00:01 opens W2; 14:00:01 is exactly 10,800 s after W2's start → remainder;
    # 14:00:02 is 10,801 s after → W3
    charges = price(
        OKOTRIP,
        [
            ("transjakarta", "08:00:00", 5.0),
            ("transjakarta", "11:00:01", 5.0),
            ("transjakarta", "14:00:01", 5.0),
            ("transjakarta", "14:00:02", 5.0),
        ],
    )
    assert amounts(charges) == [3_500, 3_500, 1_500, 3_500]


def test_window_is_not_extended_by_later_taps():
    # a fixed window from its first tap, not a rolling one: 08:00, 10:00 (in), 11:30 (> 3 h after 08:00 → new)
    charges = price(
        OKOTRIP,
        [("transjakarta", "08:00", 5.0), ("transjakarta", "10:00", 5.0), ("transjakarta", "11:30", 5.0)],
    )
    assert amounts(charges) == [3_500, 1_500, 3_500]


def test_many_taps_never_exceed_cap():
    legs = [("transjakarta", f"08:{m:02d}", 2.0) for m in (0, 10, 20, 30, 40)]
    charges = price(OKOTRIP, legs)
    assert amounts(charges) == [3_500, 1_500, 0, 0, 0]
    assert sum(amounts(charges)) == 5_000


def test_angkot_pays_standalone_and_is_outside_the_window():
    # angkot (non-integrated microbus) 3,000 does not use the cap: TJ after it still pays its own 3,500
    charges = price(
        OKOTRIP, [("angkot", "08:00", 3.0), ("transjakarta", "08:20", 5.0), ("angkot", "08:50", 3.0)]
    )
    assert amounts(charges) == [3_000, 3_500, 3_000]
    assert rules(charges) == ["angkot:flat", "okotrip:own", "angkot:flat"]


def test_baseline_has_no_window():
    charges = price(BASELINE, [("transjakarta", "08:00", 5.0), ("transjakarta", "08:20", 5.0)])
    assert charges == [Charge(3_500, "transjakarta:standard")] * 2


def test_cap_below_first_fare():
    # a cap smaller than the first fare: the first tap pays the cap (a remainder), the rest 0
    policy = FarePolicy(
        "p", {"bus": FlatFare("bus", 3_000)}, windows=(CapWindow("w", frozenset({"bus"}), 100, 2_000),)
    )
    charges = price_card(policy, [Leg("bus", 0), Leg("bus", 10)])
    assert charges == [Charge(2_000, "w:remainder"), Charge(0, "w:capped")]
