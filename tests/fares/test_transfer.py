"""Free and discounted transfers within a time limit (GTFS Fares v2 style), with a maximum count."""

from __future__ import annotations

import pytest
from builders import tap_all
from hypothesis import given
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import FarePolicy, FlatFare, Leg, TransferWindow, price_card

M = 60
FARES = {"bus": FlatFare("bus", 200), "rail": FlatFare("rail", 300)}  # US cents: minor units


def policy(**kw):
    return FarePolicy(
        "t",
        FARES,
        windows=(TransferWindow("xfer", frozenset({"bus", "rail"}), kw.pop("duration", 90 * M), **kw),),
    )


def amounts(p, legs):
    return [c.amount for c in price_card(p, legs)]


def test_mta_maryland_two_local_legs():
    """gtfs.org's MTA Maryland guide: core local bus USD 2.00 with free transfers for 90 minutes from
    the first departure: legs 60 minutes apart cost USD 2.00 in total, 100 minutes apart USD 4.00."""
    p = FarePolicy(
        "mta",
        {"bus": FlatFare("bus", 200)},
        windows=(TransferWindow("local", frozenset({"bus"}), 90 * M, "1"),),
    )
    assert sum(amounts(p, [Leg("bus", 0), Leg("bus", 60 * M)])) == 200
    assert sum(amounts(p, [Leg("bus", 0), Leg("bus", 100 * M)])) == 400


def test_free_transfer_anchored_at_the_first_tap():
    p = policy()
    charges = price_card(p, [Leg("bus", 0), Leg("rail", 50 * M), Leg("bus", 90 * M), Leg("bus", 90 * M + 1)])
    # 200 pays; rail and bus within 90 min of the first tap transfer free; 1 s later a new chain
    assert [c.amount for c in charges] == [200, 0, 0, 200]
    assert [c.rule for c in charges] == ["bus:flat", "xfer:transfer", "xfer:transfer", "bus:flat"]


def test_max_transfers():
    p = policy(max_transfers=1)
    legs = [Leg("bus", 0), Leg("bus", 10 * M), Leg("rail", 20 * M), Leg("bus", 30 * M)]
    assert amounts(p, legs) == [200, 0, 300, 0]


@pytest.mark.parametrize("limit, transfer", [("0", False), ("1", True), ("2", True), ("3", False)])
def test_the_four_gtfs_duration_limit_types(limit, transfer):
    # leg A 08:00-08:40, leg B 09:00-09:50, limit 60 min:
    # 0: A departs -> B arrives = 110 min; 1: departure to departure = 60; 2: A arrives -> B departs = 20;
    # 3: arrival to arrival = 70
    p = policy(duration=60 * M, limit=limit)
    a = Leg("bus", 8 * 60 * M, alight_time=8 * 60 * M + 40 * M)
    b = Leg("rail", 9 * 60 * M, alight_time=9 * 60 * M + 50 * M)
    assert amounts(p, [a, b]) == ([200, 0] if transfer else [200, 300])


def test_relative_limits_chain_from_leg_to_leg():
    # type 1, 30 min: each leg within 30 min of the previous one keeps the chain going
    p = policy(duration=30 * M, limit="1")
    legs = [Leg("bus", 0), Leg("bus", 25 * M), Leg("rail", 50 * M), Leg("bus", 90 * M)]
    assert amounts(p, legs) == [200, 0, 0, 200]


@pytest.mark.parametrize("fare, expected", [
    ({"fare": "fixed", "amount": 50}, [200, 50]),
    ({"fare": "fixed", "amount": 500}, [200, 300]),  # a transfer never costs more than the leg alone
    ({"fare": "discount", "percent": 25}, [200, 225]),
    ({"fare": "surcharge", "amount": 25}, [200, 325]),
])
def test_transfer_fares(fare, expected):
    assert amounts(policy(**fare), [Leg("bus", 0), Leg("rail", 20 * M)]) == expected


_leg = st.builds(
    Leg,
    st.sampled_from(["bus", "rail"]),
    st.integers(0, 6 * 3600),
    st.just(0),
    st.just("adult"),
    st.none(),
    st.none(),
    st.just(True),
    st.just(True),
    st.one_of(st.none(), st.integers(0, 7 * 3600)),
)


@given(st.lists(_leg, min_size=1, max_size=8), st.sampled_from(["first_tap", "0", "1", "2", "3"]),
       st.sampled_from(["free", "fixed", "discount", "surcharge"]), st.one_of(st.none(), st.integers(0, 3)))
def test_tap_by_tap_equals_whole_card(legs, limit, fare, max_transfers):
    p = policy(duration=45 * M, limit=limit, fare=fare, amount=80, percent=30, max_transfers=max_transfers)
    legs = sorted(legs, key=lambda leg: leg.board_time)
    whole = price_card(p, legs)
    card, _, settled = tap_all(p, legs)
    assert settled == whole
    assert sum(t.amount for t in card.transactions) == sum(c.amount for c in whole)
    assert all(c.amount >= 0 for c in whole)


def _with_transfer(doc, rule):
    doc["fares"]["windows"] = [rule]


def test_scenario_with_transfers_runs(write_scenario):
    rule = {"kind": "transfer", "id": "x", "operators": ["bus", "metro"], "duration": "90min",
            "duration_limit_type": 1}
    free = otrip_sim.run(write_scenario(lambda d: _with_transfer(d, rule), "b.yaml"), seed=2,
                         demand_scale=0.3)
    rules = set(free.legs["rule"].astype(str))
    assert "x:transfer" in rules
    legs = free.legs
    transfers = legs[legs["rule"] == "x:transfer"]
    assert len(transfers) > 0 and (transfers["fare"] == 0).all()
    # a day's first journey (a fresh card) whose taps all fall in one chain pays its first tapped
    # leg's own fare only
    j = free.journeys
    adults = j.loc[(j["category"] == "adult") & (j["trip"] == 0), "journey"]
    chained = legs[legs["journey"].isin(transfers["journey"]) & legs["journey"].isin(adults)]
    first = chained[chained["tapped"]].groupby("journey").head(1).set_index("journey")
    paid = chained.groupby("journey")["fare"].sum()
    assert (paid.loc[first.index] == first["standalone_fare"]).all()


def test_transfer_rule_validation(write_scenario):
    rule = {"kind": "transfer", "id": "x", "operators": ["bus"], "duration": "90min",
            "transfer_fare": {"kind": "discount"}}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.transfer_fare: a discount needs percent"):
        load_scenario(write_scenario(lambda d: _with_transfer(d, rule)))
    rule = {"kind": "transfer", "id": "x", "operators": ["bus"], "duration": "90min",
            "duration_limit_type": 4}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.duration_limit_type"):
        load_scenario(write_scenario(lambda d: _with_transfer(d, rule), "b.yaml"))
