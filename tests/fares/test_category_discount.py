"""Category discounts and fixed fares: the category's own fare changes, windows still apply."""

from __future__ import annotations

import pytest
from builders import tap_all

from otrip_sim.fares import (
    CapWindow,
    CategoryDiscount,
    CategoryFixed,
    CategoryFree,
    FarePolicy,
    FlatFare,
    IntegratedWindow,
    Leg,
    TimeBand,
    TimeBandFare,
    price_card,
)

TJ = TimeBandFare("transjakarta", 3500, (TimeBand("early", 5 * 3600, 7 * 3600, 2000),))
FARES = {
    "transjakarta": TJ,
    "mikrotrans": FlatFare("mikrotrans", 3000),
    "mrt": FlatFare("mrt", 9000),
    "krl": FlatFare("krl", 3000),
}
STUDENT = CategoryDiscount("student", "student", frozenset({"transjakarta", "mikrotrans"}), 50)
PELAJAR = CategoryFixed("pelajar", "pelajar", frozenset({"mikrotrans", "krl"}), 1000)


def amounts(policy, legs):
    return [c.amount for c in price_card(policy, legs)]


def test_discount_applies_to_the_standalone_fare_with_its_rule():
    policy = FarePolicy("p", FARES, (STUDENT,))
    charges = price_card(
        policy,
        [
            Leg("transjakarta", 8 * 3600, category="student"),
            Leg("transjakarta", 6 * 3600, category="student"),
        ],
    )
    # 3,500 x 50% = 1,750; early 2,000 x 50% = 1,000
    assert [c.amount for c in charges] == [1750, 1000]
    assert [c.rule for c in charges] == ["transjakarta:standard+student", "transjakarta:early+student"]
    # other categories and operators are untouched
    others = [Leg("transjakarta", 8 * 3600), Leg("mrt", 9 * 3600, category="student")]
    assert amounts(policy, others) == [3500, 9000]


@pytest.mark.parametrize(
    "percent, fare, expected", [(7, 3500, 3255), (33, 3500, 2345), (50, 1001, 500), (25, 2002, 1501)]
)
def test_discount_rounds_half_up_to_the_minor_unit(percent, fare, expected):
    # 3,500 x 7% = 245; 3,500 x 33% = 1,155; 1,001 x 50% = 500.5 -> 501 off; 2,002 x 25% = 500.5 -> 501 off
    policy = FarePolicy(
        "p", {"bus": FlatFare("bus", fare)}, (CategoryDiscount("d", "kid", frozenset({"bus"}), percent),)
    )
    assert amounts(policy, [Leg("bus", 0, category="kid")]) == [expected]


def test_fixed_fare():
    policy = FarePolicy("p", FARES, (PELAJAR,))
    charges = price_card(
        policy, [Leg("mikrotrans", 0, category="pelajar"), Leg("krl", 100, category="pelajar")]
    )
    assert [(c.amount, c.rule) for c in charges] == [
        (1000, "mikrotrans:flat+pelajar"),
        (1000, "krl:flat+pelajar"),
    ]


def test_discounted_legs_stay_in_a_cap_window():
    # OK OTrip cap with a 50% student discount: microbus 1,500, TJ 1,750, TJ 1,750 (= 5,000), TJ 0
    cap = CapWindow("okotrip", frozenset({"transjakarta", "mikrotrans"}), 10_800, 5000)
    policy = FarePolicy("p", FARES, (STUDENT,), (cap,))
    legs = [Leg("mikrotrans", 8 * 3600, category="student")] + [
        Leg("transjakarta", 8 * 3600 + k * 600, category="student") for k in (1, 2, 3)
    ]
    charges = price_card(policy, legs)
    assert [c.amount for c in charges] == [1500, 1750, 1750, 0]
    assert [c.rule for c in charges] == ["okotrip:own", "okotrip:own", "okotrip:own", "okotrip:capped"]


def test_integrated_price_is_not_discounted_but_cheaper_of_compares_discounted_fares():
    jak = IntegratedWindow(
        "jak", frozenset({"transjakarta", "mrt"}), 10_800, 2500, 250, 10_000, cheaper_of_standalone=True
    )
    student_mrt = CategoryDiscount("student", "student", frozenset({"transjakarta", "mrt"}), 50)
    policy = FarePolicy("p", FARES, (student_mrt,), (jak,))
    legs = [
        Leg("transjakarta", 8 * 3600, 10_000, category="student"),
        Leg("mrt", 8 * 3600 + 900, 10_000, category="student"),
    ]
    # integrated: 2,500 + 250 x 20 = 7,500; discounted standalone: 1,750 + 4,500 = 6,250 is cheaper
    assert amounts(policy, legs) == [1750, 4500]
    adult = [Leg("transjakarta", 8 * 3600, 10_000), Leg("mrt", 8 * 3600 + 900, 10_000)]
    assert sum(amounts(policy, adult)) == 7500  # 3,500 + 9,000 = 12,500 alone: the integrated price


def test_a_category_is_in_one_rule_per_operator_whatever_the_kind():
    free = CategoryFree("free-student", "student", frozenset({"mikrotrans"}))
    with pytest.raises(ValueError, match="in two category rules"):
        FarePolicy("p", FARES, (STUDENT, free))


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_MIXED = FarePolicy(
    "mixed",
    {**FARES, "lrt": FlatFare("lrt", 5000)},
    (
        STUDENT,
        CategoryDiscount("student-rail", "student", frozenset({"mrt", "lrt"}), 30),
        PELAJAR,
        CategoryFree("free", "free", frozenset({"transjakarta"})),
    ),
    (
        CapWindow("cap", frozenset({"transjakarta", "mikrotrans"}), 10_800, 5000),
        IntegratedWindow(
            "jak", frozenset({"mrt", "lrt"}), 10_800, 2500, 250, 10_000, cheaper_of_standalone=True
        ),
    ),
)
_leg = st.builds(
    Leg,
    st.sampled_from(["transjakarta", "mikrotrans", "mrt", "lrt", "krl"]),
    st.integers(4 * 3600, 26 * 3600),
    st.integers(0, 30_000),
    st.sampled_from(["adult", "student", "pelajar", "free"]),
)


@given(st.lists(_leg, min_size=1, max_size=8))
def test_tap_by_tap_equals_whole_card_with_category_rules(legs):
    legs = sorted(legs, key=lambda leg: leg.board_time)
    whole = price_card(_MIXED, legs)
    card, _, settled = tap_all(_MIXED, legs)
    assert settled == whole
    assert all(c.amount >= 0 for c in whole)
    assert sum(t.amount for t in card.transactions) == sum(c.amount for c in whole)
