"""Tap-by-tap pricing (Card) and settlement (§3 "Settlement"): provisional charges + adjustments =
settled fares."""

from __future__ import annotations

import pytest
from builders import (
    ASEAN,
    BASELINE,
    JAKLINGKO,
    LEBAK_BULUS,
    OKOTRIP,
    amounts,
    card,
    clock,
    tap_all,
)

from otrip_sim.fares import Card, Charge, Leg, Transaction, price_card

PUBLISHED = [
    ("lrt", "08:00", 6.0),
    ("transjakarta", "08:20", 12.0),
    ("mrt", "09:00", 8.0, {"stops": (LEBAK_BULUS, ASEAN)}),
]


def test_published_example_provisional_then_settled():
    # tap 1: LRT alone → 5,000 (lrt:flat)
    # tap 2: LRT 6 + TJ 12 → K = 18 → 7,000; 7,000 − 5,000 collected = 2,000
    # tap 3: K = 26 → 9,000; 9,000 − 7,000 = 2,000
    # settled 4,000 / 3,000 / 2,000 → adjustments −1,000 (LRT) and +1,000 (TJ); MRT unchanged
    c, provisional, settled = tap_all(JAKLINGKO, card(PUBLISHED))
    assert provisional == [
        Charge(5_000, "lrt:flat"),
        Charge(2_000, "jaklingko:integrated"),
        Charge(2_000, "jaklingko:integrated"),
    ]
    assert amounts(settled) == [4_000, 3_000, 2_000]
    assert [(t.leg, t.kind, t.amount) for t in c.transactions] == [
        (0, "tap", 5_000),
        (1, "tap", 2_000),
        (2, "tap", 2_000),
        (0, "adjustment", -1_000),
        (1, "adjustment", 1_000),
    ]
    assert sum(t.amount for t in c.transactions) == 9_000


def test_settled_equals_price_card_on_published_example():
    legs = card(PUBLISHED)
    _, _, settled = tap_all(JAKLINGKO, legs)
    assert settled == price_card(JAKLINGKO, legs)


def test_transactions_sum_per_leg_to_settled_fare():
    legs = card([*PUBLISHED, ("transjakarta", "09:20", 3.0, {"tapped": False}), ("krl", "10:00", 40.0)])
    c, _, settled = tap_all(JAKLINGKO, legs)
    per_leg = [0] * len(legs)
    for t in c.transactions:
        per_leg[t.leg] += t.amount
    # paid-area metres (3 km) join the MRT leg: K = 29 → 9,750; weights 16,000 / 12,000 / 11,000 (Σ 39,000)
    # 9,750 × 16/39 = 4,000; × 12/39 = 3,000; × 11/39 = 2,750; KRL 40 km → 3,000 + 2 × 1,000 = 5,000
    assert amounts(settled) == [4_000, 3_000, 2_750, 0, 5_000]
    assert per_leg == amounts(settled)


def test_later_tap_closes_window_and_books_adjustments_at_window_end():
    # LRT 08:00 + TJ 08:20 settle to 7,000 → 4,000 / 3,000 (weights 16,000 / 12,000).
    # The TJ tap at 11:00:01 is past the window's end (11:00:00), so the first window closes first:
    # its adjustments are booked at 11:00:00, before the new tap.
    legs = card([("lrt", "08:00", 6.0), ("transjakarta", "08:20", 12.0), ("transjakarta", "11:00:01", 5.0)])
    c = Card(JAKLINGKO)
    c.tap(legs[0])
    c.tap(legs[1])
    assert c.tap(legs[2]) == Charge(3_500, "transjakarta:standard")
    assert c.transactions == [
        Transaction(0, clock("08:00"), "tap", 5_000, "lrt:flat"),
        Transaction(1, clock("08:20"), "tap", 2_000, "jaklingko:integrated"),
        Transaction(0, clock("11:00:00"), "adjustment", -1_000, "jaklingko:integrated"),
        Transaction(1, clock("11:00:00"), "adjustment", 1_000, "jaklingko:integrated"),
        Transaction(2, clock("11:00:01"), "tap", 3_500, "transjakarta:standard"),
    ]
    assert amounts(c.settle()) == [4_000, 3_000, 3_500]


def test_tap_at_window_end_does_not_close_it():
    # 11:00:00 is exactly 10,800 s after 08:00:00: still in the window, no adjustment yet
    legs = card([("lrt", "08:00", 6.0), ("transjakarta", "11:00:00", 12.0)])
    c = Card(JAKLINGKO)
    c.tap(legs[0])
    assert c.tap(legs[1]) == Charge(2_000, "jaklingko:integrated")  # 7,000 − 5,000
    assert [t.kind for t in c.transactions] == ["tap", "tap"]
    assert amounts(c.settle()) == [4_000, 3_000]


def test_cap_window_provisional_is_final():
    legs = card(
        [("transjakarta", "08:00", 5.0), ("mikrotrans", "08:30", 3.0), ("transjakarta", "09:00", 5.0)]
    )
    c, provisional, settled = tap_all(OKOTRIP, legs)
    assert amounts(provisional) == amounts(settled) == [3_500, 1_500, 0]
    assert all(t.kind == "tap" for t in c.transactions)
    assert settled == price_card(OKOTRIP, legs)


def test_taps_must_be_in_time_order():
    c = Card(BASELINE)
    c.tap(Leg("transjakarta", 3_600))
    with pytest.raises(ValueError):
        c.tap(Leg("transjakarta", 3_599))


def test_taps_at_equal_times_are_accepted():
    c = Card(BASELINE)
    c.tap(Leg("transjakarta", 3_600))
    assert c.tap(Leg("angkot", 3_600)) == Charge(3_000, "angkot:flat")
    assert amounts(c.settle()) == [3_500, 3_000]


def test_price_card_accepts_legs_in_any_order_and_aligns_output():
    legs = card(PUBLISHED)
    reordered = [legs[2], legs[0], legs[1]]
    assert amounts(price_card(JAKLINGKO, reordered)) == [2_000, 4_000, 3_000]


def test_paid_area_leg_after_window_end_counts_in_card_as_in_price_card():
    # LRT 08:00 4 km opens the window; TJ taps in at 10:55 (inside) for 3 km, then changes inside
    # the BRT paid area at 11:05 (after the window's end, 11:00) and rides 5 km more.
    # §3: the paid-area leg's metres count towards K and are added to the weight of the tapped leg
    # before it: K = (4,000 + 3,000 + 5,000 + 500) // 1000 = 12 → 5,500;
    # weights 14,000 / 8,000 (Σ 22,000) → 3,500 / 2,000.
    # Tap by tap and all at once must agree (style principle 1).
    legs = card(
        [
            ("lrt", "08:00", 4.0),
            ("transjakarta", "10:55", 3.0),
            ("transjakarta", "11:05", 5.0, {"tapped": False}),
        ]
    )
    expected = [3_500, 2_000, 0]
    assert amounts(price_card(JAKLINGKO, legs)) == expected
    c, _, settled = tap_all(JAKLINGKO, legs)
    assert amounts(settled) == expected
    assert sum(t.amount for t in c.transactions) == sum(expected)
