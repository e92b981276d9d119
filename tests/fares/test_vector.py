"""The vectorised engine prices exactly as the card-by-card reference engine, on random cards."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from builders import BASELINE, JAKLINGKO, MRT_STATIONS, OKOTRIP, OKOTRIP_AS_OPERATED
from hypothesis import given, settings
from hypothesis import strategies as st

from otrip_sim.fares import (
    CapWindow,
    CategoryDiscount,
    CategoryFixed,
    FarePolicy,
    FlatFare,
    Leg,
    PayDifferenceWindow,
    PeriodCap,
    TransferWindow,
    price_card,
)
from otrip_sim.fares.vector import as_arrays, price_cards, supports

_jak_window = JAKLINGKO.windows[0]
VARIANTS = {
    "baseline": BASELINE,
    "okotrip": OKOTRIP,
    "okotrip-as-operated": OKOTRIP_AS_OPERATED,
    "jaklingko": JAKLINGKO,
    "jaklingko-cheaper": FarePolicy(
        "c", JAKLINGKO.standalone, JAKLINGKO.categories, (replace(_jak_window, cheaper_of_standalone=True),)
    ),
    "discounts": FarePolicy(
        "d",
        {**OKOTRIP.standalone, "lrt": FlatFare("lrt", 5000)},
        (
            CategoryDiscount("student", "student", frozenset({"transjakarta", "lrt"}), 35),
            CategoryFixed("pelajar", "pelajar", frozenset({"krl"}), 1500),
        ),
        (CapWindow("okotrip", frozenset({"transjakarta", "mikrotrans"}), 10_800, 5000),),
        route_standalone={"tj-premium": FlatFare("tj-premium", 20_000)},
    ),
    **{
        f"pay-difference{'-restart' if restart else ''}": FarePolicy(
            "p",
            {**JAKLINGKO.standalone},
            (*JAKLINGKO.categories, CategoryDiscount("student", "student", frozenset({"krl"}), 40)),
            (PayDifferenceWindow("upgrade", frozenset({"transjakarta", "mrt", "krl"}), 5_400, restart),
             CapWindow("okotrip", frozenset({"mikrotrans", "lrt"}), 10_800, 5000)),
            route_standalone={"tj-premium": FlatFare("tj-premium", 20_000)},
        )
        for restart in (False, True)
    },
}
OPS = ["transjakarta", "mikrotrans", "angkot", "krl", "mrt", "lrt", "royaltrans"]
STATIONS = list(MRT_STATIONS)

_leg = st.fixed_dictionaries({
    "op": st.sampled_from(OPS),
    "t": st.integers(4 * 3600, 30 * 3600),
    "m": st.integers(0, 40_000),
    "cat": st.sampled_from(["adult", "adult", "free", "student", "pelajar"]),
    "stops": st.one_of(st.none(), st.tuples(st.sampled_from(STATIONS), st.sampled_from(STATIONS))),
    "out": st.booleans(),
    "route": st.sampled_from(["", "", "tj-premium"]),
})


def _legs(policy, specs):
    legs = []
    for s in specs:
        if s["op"] not in policy.standalone:
            continue
        b, a = (
            s["stops"] if s["op"] == "mrt" and s["stops"] and s["stops"][0] != s["stops"][1] else (None, None)
        )
        legs.append(
            Leg(s["op"], s["t"], s["m"], s["cat"], b, a, tapped_out=s["out"], route=s["route"] or None)
        )
    return legs


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(VARIANTS)),
    cards=st.lists(st.lists(_leg, min_size=1, max_size=7), min_size=1, max_size=6),
)
def test_vector_equals_reference(name, cards):
    policy = VARIANTS[name]
    all_legs, card_ids, expected = [], [], []
    for c, specs in enumerate(cards):
        legs = _legs(policy, specs)
        all_legs += legs
        card_ids += [f"card-{c}"] * len(legs)
        expected += price_card(policy, legs)
    amounts, rules = price_cards(policy, as_arrays(all_legs, card_ids))
    assert amounts.tolist() == [c.amount for c in expected]
    assert list(rules) == [c.rule for c in expected]


def test_supports():
    assert all(supports(p) for p in VARIANTS.values())
    assert not supports(
        FarePolicy("t", {"bus": FlatFare("bus", 1)}, windows=(TransferWindow("x", frozenset({"bus"}), 60),))
    )
    assert not supports(
        FarePolicy(
            "t", {"bus": FlatFare("bus", 1)}, period_caps=(PeriodCap("d", frozenset({"bus"}), "day", 5),)
        )
    )


def test_published_jaklingko_example_vectorised():
    legs = [Leg("lrt", 28800, 6000), Leg("transjakarta", 30000, 12000), Leg("mrt", 32000, 8000)]
    amounts, rules = price_cards(JAKLINGKO, as_arrays(legs, [1, 1, 1]))
    assert amounts.tolist() == [4000, 3000, 2000] and set(rules) == {"jaklingko:integrated"}
    empty = price_cards(JAKLINGKO, as_arrays([], np.zeros(0)))
    assert len(empty[0]) == 0

