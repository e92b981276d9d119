"""Passes: day, calendar-week and N-day passes valid on a set of operators, held as a fare medium."""

from __future__ import annotations

import pytest
from builders import tap_all
from hypothesis import given
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CapWindow,
    FarePass,
    FarePolicy,
    FlatFare,
    Leg,
    price_card,
)

DAY, H = 86_400, 3600
FARES = {"bus": FlatFare("bus", 3500), "metro": FlatFare("metro", 5000), "coach": FlatFare("coach", 20000)}
PASSES = {
    "day-pass": FarePass("day-pass", frozenset({"bus", "metro"}), 12_000, "day"),
    "week-pass": FarePass("week-pass", frozenset({"bus", "metro"}), 50_000, "week"),
    "30-day": FarePass("30-day", frozenset({"bus"}), 150_000, "days", 30),
}
POLICY = FarePolicy(
    "p", FARES, windows=(CapWindow("cap", frozenset({"bus", "metro"}), 10_800, 6000),), passes=PASSES
)


def test_day_pass_bought_with_the_first_ride_of_each_day():
    legs = [
        Leg("bus", 8 * H, media="day-pass"),
        Leg("metro", 9 * H, media="day-pass"),
        Leg("coach", 10 * H, media="day-pass"),
        Leg("bus", 27 * H, media="day-pass"),
        Leg("bus", DAY + 8 * H, media="day-pass"),
    ]
    charges = price_card(POLICY, legs)
    # 12,000 at the first ride; metro covered; the coach is not; 03:00 next morning is the same
    # service day (days start at 04:00); the next day buys a new pass
    assert [(c.amount, c.rule) for c in charges] == [
        (12000, "day-pass:purchase"),
        (0, "day-pass:pass"),
        (20000, "coach:flat"),
        (0, "day-pass:pass"),
        (12000, "day-pass:purchase"),
    ]


def test_week_and_n_day_passes():
    week = [Leg("bus", d * DAY + 8 * H, media="week-pass") for d in (0, 3, 6, 7, 13, 14)]
    # Monday-based weeks
    assert [c.amount for c in price_card(POLICY, week)] == [50000, 0, 0, 50000, 0, 50000]
    month = [Leg("bus", d * DAY + 8 * H, media="30-day") for d in (2, 20, 31, 32, 61)]
    assert [c.amount for c in price_card(POLICY, month)] == [150000, 0, 0, 150000, 0]  # days 2-31, then 32-61


def test_riders_without_a_pass_use_the_windows():
    legs = [Leg("bus", 8 * H), Leg("metro", 9 * H)]
    assert [c.amount for c in price_card(POLICY, legs)] == [3500, 2500]


_leg = st.builds(
    Leg,
    st.sampled_from(["bus", "metro", "coach"]),
    st.integers(0, 40 * DAY),
    st.integers(0, 20_000),
    st.just("adult"),
    st.none(),
    st.none(),
    st.booleans(),
    st.just(True),
    st.none(),
    st.sampled_from([None, "day-pass", "week-pass", "30-day"]),
)


@given(st.lists(_leg, min_size=1, max_size=10))
def test_tap_by_tap_equals_whole_card(legs):
    legs = sorted(legs, key=lambda leg: leg.board_time)
    whole = price_card(POLICY, legs)
    _, _, settled = tap_all(POLICY, legs)
    assert settled == whole


def _with_pass(doc):
    doc["fares"]["passes"] = [{"id": "day-pass", "operators": ["bus", "metro"], "price": 7000}]
    doc["fares"]["media"] = [
        {"id": "day-pass", "share": 0.5},
        {"id": "card", "share": 0.5, "unlocks": ["city-pass"]},
    ]


def test_scenario_with_a_day_pass(write_scenario):
    res = otrip_sim.run(write_scenario(_with_pass), seed=4, demand_scale=0.3)
    legs = res.legs.merge(res.journeys[["journey", "media", "category"]], on="journey")
    holders = legs[(legs["media"] == "day-pass") & legs["tapped"] & (legs["category"] == "adult")]
    assert set(holders["rule"].astype(str)) <= {"day-pass:purchase", "day-pass:pass"}
    # one card per person for the day: one purchase each, however many journeys
    assert (holders.groupby("person")["fare"].sum() == 7000).all()
    assert (holders["rule"].astype(str) == "day-pass:purchase").groupby(holders["person"]).sum().eq(1).all()
    assert holders.groupby("person")["journey"].nunique().max() >= 2


def test_pass_validation(write_scenario):
    def edit(doc):
        _with_pass(doc)
        doc["fares"]["media"] = [{"id": "card", "share": 1}]

    with pytest.raises(InputError, match=r"fares\.passes\[0\]\.id: a pass is held as a fare medium"):
        load_scenario(write_scenario(edit))


def test_the_fare_product_of_a_pass_leg_is_the_pass():
    # card 0 holds a day pass: bus and metro are the pass's (bought, then covered), the coach is pay as
    # you go; card 1 has no pass: its bus and metro taps open and join the cap window
    from otrip_sim.fares import price, products
    from otrip_sim.fares.vector import as_arrays

    legs = [Leg("bus", 8 * H, media="day-pass"), Leg("metro", 9 * H, media="day-pass"),
            Leg("coach", 10 * H, media="day-pass"), Leg("bus", 8 * H), Leg("metro", 9 * H)]
    table = as_arrays(legs, [0, 0, 0, 1, 1])
    priced = price(POLICY, table)  # passes: the card engine
    assert products(POLICY, table, priced).tolist() == ["day-pass", "day-pass", "", "cap", "cap"]
