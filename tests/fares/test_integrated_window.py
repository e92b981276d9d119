"""JakLingko 2022 (§3): min(10,000, 2,500 + 250 × K) for windows using ≥ 2 eligible operators.

K = (Σ metres + 500) // 1000; settled by largest remainder with weights: first leg 10,000 m + metres.
"""

from __future__ import annotations

from builders import (
    ASEAN,
    BLOK_M,
    BUNDARAN_HI,
    CIPETE,
    JAKLINGKO,
    LEBAK_BULUS,
    SENAYAN,
    amounts,
    clock,
    price,
    rules,
)

from otrip_sim.fares import (
    Charge,
    FarePolicy,
    FlatFare,
    IntegratedWindow,
    Leg,
    price_card,
)

INTEGRATED = "jaklingko:integrated"


def test_published_example_lrt_tj_mrt_9000_settled_4000_3000_2000():
    # K = (6,000 + 12,000 + 8,000 + 500) // 1000 = 26 → 2,500 + 6,500 = 9,000
    # weights 16,000 / 12,000 / 8,000 (Σ 36,000): 9,000 × 16/36 = 4,000; × 12/36 = 3,000; × 8/36 = 2,000
    charges = price(
        JAKLINGKO,
        [
            ("lrt", "08:00", 6.0),
            ("transjakarta", "08:20", 12.0),
            ("mrt", "09:00", 8.0, {"stops": (LEBAK_BULUS, ASEAN)}),
        ],
    )
    assert amounts(charges) == [4_000, 3_000, 2_000]
    assert rules(charges) == [INTEGRATED] * 3


def test_published_example_separately_costs_17500():
    # LRT 5,000 + TJ 3,500 + MRT Lebak Bulus→ASEAN (6 apart) 9,000 = 17,500
    legs = [
        Leg("lrt", 8 * 3600, 6_000),
        Leg("transjakarta", 8 * 3600 + 1200, 12_000),
        Leg("mrt", 9 * 3600, 8_000, board_stop=LEBAK_BULUS, alight_stop=ASEAN),
    ]
    assert sum(JAKLINGKO.standalone_charge(x).amount for x in legs) == 17_500


def test_mrt_bundaran_hi_to_tj_17km_6750():
    # MRT 3 km + TJ 14 km = 17 km → 2,500 + 4,250 = 6,750
    # weights 13,000 / 14,000 (Σ 27,000): 6,750 × 13/27 = 3,250; × 14/27 = 3,500
    charges = price(
        JAKLINGKO, [("mrt", "17:00", 3.0, {"stops": (BUNDARAN_HI, SENAYAN)}), ("transjakarta", "17:20", 14.0)]
    )
    assert amounts(charges) == [3_250, 3_500]


def test_lrt_to_mrt_cipete_20km_7500():
    # LRT 3 km + TJ 10 km + MRT 7 km = 20 km → 2,500 + 5,000 = 7,500
    # weights 13,000 / 10,000 / 7,000 (Σ 30,000) → 3,250 / 2,500 / 1,750
    charges = price(
        JAKLINGKO,
        [
            ("lrt", "07:10", 3.0),
            ("transjakarta", "07:25", 10.0),
            ("mrt", "08:05", 7.0, {"stops": (SENAYAN, CIPETE)}),
        ],
    )
    assert amounts(charges) == [3_250, 2_500, 1_750]


def test_lrt_to_tj_27km_9250_more_than_separate_8500():
    # LRT 4 km + TJ 23 km = 27 km → 2,500 + 6,750 = 9,250 (separately 5,000 + 3,500 = 8,500)
    # weights 14,000 / 23,000 (Σ 37,000): 9,250 × 14/37 = 3,500; × 23/37 = 5,750
    specs = [("lrt", "18:00", 4.0), ("transjakarta", "18:15", 23.0)]
    charges = price(JAKLINGKO, specs)
    assert amounts(charges) == [3_500, 5_750]
    assert sum(amounts(charges)) - 8_500 == 750


def test_k_is_computed_from_metres_not_rounded_km_of_legs():
    # 8.4 km + 8.4 km = 16,800 m → K = 17 → 6,750 (per-leg rounding would give 8 + 8 = 16 → 6,500)
    # weights 18,400 / 8,400 (Σ 26,800): 6,750 × 18,400 / 26,800 = 4,634.32 → 4,634;
    # 6,750 × 8,400 / 26,800 = 2,115.67 → 2,115; 1 left → larger remainder .67 → 2,116
    charges = price(JAKLINGKO, [("transjakarta", "08:00", 8.4), ("lrt", "08:30", 8.4)])
    assert amounts(charges) == [4_634, 2_116]


def test_k_halves_up_on_the_total_not_per_leg():
    # 1,499 m + 1,001 m = 2,500 m → K = 3 (per leg: 1 + 1 = 2) → 2,500 + 750 = 3,250
    # weights 11,499 / 1,001 (Σ 12,500): 2,989.74 → 2,989 (+1 largest remainder) ; 260.26 → 260
    charges = price_card(
        JAKLINGKO, [Leg("transjakarta", 8 * 3600, 1_499), Leg("lrt", 8 * 3600 + 600, 1_001)]
    )
    assert amounts(charges) == [2_990, 260]
    assert sum(amounts(charges)) == 3_250


def test_k_just_below_half_rounds_down():
    # 1,499 m + 1,000 m = 2,499 m → K = 2 → 3,000; weights 11,499 / 1,000 (Σ 12,499):
    # 3,000 × 11,499 / 12,499 = 2,759.98 → 2,759 (+1, larger remainder); 3,000 × 1,000 / 12,499 = 240.02 → 240
    charges = price_card(JAKLINGKO, [Leg("transjakarta", 0, 1_499), Leg("lrt", 60, 1_000)])
    assert amounts(charges) == [2_760, 240]


def test_cap_10000():
    # 20 km + 20 km → K = 40 → 12,500 → capped 10,000; weights 30,000 / 20,000 → 6,000 / 4,000
    charges = price(JAKLINGKO, [("transjakarta", "08:00", 20.0), ("lrt", "09:00", 20.0)])
    assert amounts(charges) == [6_000, 4_000]
    assert rules(charges) == ["jaklingko:capped"] * 2  # the cap bound (TIDES fare_capped)


def test_cap_reached_exactly_at_k_30():
    # 29,500 m → K = 30 → 2,500 + 7,500 = 10,000 ; 29,499 m → K = 29 → 9,750
    at_cap = price_card(JAKLINGKO, [Leg("transjakarta", 0, 19_500), Leg("lrt", 60, 10_000)])
    below = price_card(JAKLINGKO, [Leg("transjakarta", 0, 19_499), Leg("lrt", 60, 10_000)])
    assert sum(amounts(at_cap)) == 10_000
    assert sum(amounts(below)) == 9_750
    assert rules(at_cap) == rules(below) == [INTEGRATED] * 2  # the tariff is the cap: it lowered nothing


def test_single_operator_window_pays_standalone():
    # TJ + TJ (one operator) → each its own fare, early fare included
    charges = price(JAKLINGKO, [("transjakarta", "06:30", 10.0), ("transjakarta", "07:30", 10.0)])
    assert charges == [Charge(2_000, "transjakarta:early"), Charge(3_500, "transjakarta:standard")]


def test_ties_in_largest_remainder_go_to_the_earlier_leg():
    # TJ 500 m + MRT 10,500 m + LRT 10,500 m = 21,500 m → K = 22 → 8,000
    # weights 10,500 / 10,500 / 10,500: 2,666.67 each → 2,666 each, 2 units left → the two earlier legs
    charges = price_card(
        JAKLINGKO,
        [
            Leg("transjakarta", 0, 500),
            Leg("mrt", 600, 10_500, board_stop=BLOK_M, alight_stop=SENAYAN),
            Leg("lrt", 1_200, 10_500),
        ],
    )
    assert amounts(charges) == [2_667, 2_667, 2_666]


def test_first_leg_weight_goes_to_first_eligible_leg_not_to_first_input():
    # legs given out of order: the 08:00 LRT is the window's first leg and carries the 10,000 m
    # LRT 2 km, TJ 8 km → K = 10 → 5,000; weights 12,000 / 8,000 → 3,000 / 2,000
    legs = [Leg("transjakarta", 8 * 3600 + 900, 8_000), Leg("lrt", 8 * 3600, 2_000)]
    assert amounts(price_card(JAKLINGKO, legs)) == [2_000, 3_000]


def test_window_boundary_10800_inclusive():
    # TJ 08:00:00 and LRT 11:00:00 (exactly 10,800 s) share a window: 5 + 5 km → K = 10 → 5,000
    # weights 15,000 / 5,000 → 3,750 / 1,250
    inside = price(JAKLINGKO, [("transjakarta", "08:00:00", 5.0), ("lrt", "11:00:00", 5.0)])
    assert amounts(inside) == [3_750, 1_250]
    outside = price(JAKLINGKO, [("transjakarta", "08:00:00", 5.0), ("lrt", "11:00:01", 5.0)])
    assert outside == [Charge(3_500, "transjakarta:standard"), Charge(5_000, "lrt:flat")]


def test_next_window_opens_at_first_eligible_tap_after():
    # TJ 08:00 alone (3,500); LRT 11:00:01 opens W2; TJ 14:00:01 (10,800 s later) joins W2:
    # LRT 3 km + TJ 7 km → K = 10 → 5,000; weights 13,000 / 7,000 → 3,250 / 1,750
    charges = price(
        JAKLINGKO,
        [("transjakarta", "08:00:00", 5.0), ("lrt", "11:00:01", 3.0), ("transjakarta", "14:00:01", 7.0)],
    )
    assert amounts(charges) == [3_500, 3_250, 1_750]


def test_non_eligible_operators_neither_open_nor_close_the_window():
    # mikrotrans 07:00 (0), krl, angkot and royaltrans in between; TJ 08:30 opens the window,
    # MRT 11:30 (exactly 3 h later) joins: TJ 4 km + MRT 6 km → K = 10 → 5,000 → 3,500 / 1,500
    charges = price(
        JAKLINGKO,
        [
            ("mikrotrans", "07:00", 2.0),
            ("transjakarta", "08:30", 4.0),
            ("krl", "09:00", 30.0),
            ("angkot", "10:00", 2.0),
            ("royaltrans", "10:30", 15.0),
            ("mrt", "11:30", 6.0, {"stops": (BLOK_M, SENAYAN)}),
        ],
    )
    assert amounts(charges) == [0, 3_500, 4_000, 6_000, 20_000, 1_500]
    assert rules(charges) == [
        "mikrotrans:flat",
        INTEGRATED,
        "krl:distance",
        "angkot:flat",
        "royaltrans:flat",
        INTEGRATED,
    ]


def test_min_operators_and_first_leg_weight_parameters():
    # a 3-operator minimum: two operators pay standalone; three integrate
    window = IntegratedWindow(
        "w", frozenset({"a", "b", "c"}), 3_600, 1_000, 100, 5_000, min_operators=3, first_leg_weight_m=0
    )
    fares = {op: FlatFare(op, 2_000) for op in "abc"}
    policy = FarePolicy("p", fares, windows=(window,))
    two = price_card(policy, [Leg("a", 0, 1_000), Leg("b", 10, 1_000)])
    assert two == [Charge(2_000, "a:flat"), Charge(2_000, "b:flat")]
    # K = 6 → 1,600; weights 1,000 / 2,000 / 3,000 (no first-leg extra) → 266.67 / 533.33 / 800
    # floors 266 / 533 / 800 = 1,599, 1 left → largest remainder .67 → first leg
    three = price_card(policy, [Leg("a", 0, 1_000), Leg("b", 10, 2_000), Leg("c", 20, 3_000)])
    assert amounts(three) == [267, 533, 800]


def test_cheaper_of_integrated_and_standalone():
    """Published: LRT Boulevard Utara -> TJ CBD Ciledug costs Rp 9,250 integrated (27 km) but
    Rp 8,500 separately (LRT 5,000 + TJ 3,500); the "cheaper of" variant charges 8,500."""
    from dataclasses import replace as _replace

    from otrip_sim.fares import FarePolicy

    base = JAKLINGKO
    window = base.windows[0]
    cheaper = FarePolicy(
        "cheaper", base.standalone, base.categories, (_replace(window, cheaper_of_standalone=True),)
    )
    legs = [Leg("lrt", clock("07:10:00"), 5_000), Leg("transjakarta", clock("07:40:00"), 22_000)]
    assert [c.amount for c in price_card(base, legs)] == [3_750, 5_500]  # 9,250 by weights 15,000 : 22,000
    charged = price_card(cheaper, legs)
    assert [c.amount for c in charged] == [5_000, 3_500]
    assert {c.rule for c in charged} == {"jaklingko:standalone_cheaper"}
    # where integration is cheaper it still applies: the published 26 km example stays at 9,000
    pub = [
        Leg("lrt", clock("08:00:00"), 6_000),
        Leg("transjakarta", clock("08:20:00"), 12_000),
        Leg("mrt", clock("09:00:00"), 8_000),
    ]
    assert [c.amount for c in price_card(cheaper, pub)] == [4_000, 3_000, 2_000]
