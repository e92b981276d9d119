"""Price by fare medium (``media_fares``): the same ride costs more in cash than on a card —
SF Muni's single local fare, USD 3.00 cash and USD 2.50 on Clipper (the gtfs.org Fares v2 guide's
SFMTA example) — in a run, in replay (media read from the tap file) and in both engines."""

from __future__ import annotations

import pytest
from builders import tap_all
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CapWindow,
    CategoryDiscount,
    DistanceFare,
    FarePolicy,
    FlatFare,
    Leg,
    TimeBand,
    TimeBandFare,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.policy import compile_policy
from otrip_sim.replay import replay

MUNI = FarePolicy("sfmta", {"muni": FlatFare("muni", 250)},
                  media_standalone={("cash", "muni"): FlatFare("muni/cash", 300)})


def test_sf_muni_cash_and_clipper():
    got = price_card(MUNI, [Leg("muni", 0, media="cash"), Leg("muni", 0, media="clipper"), Leg("muni", 0)])
    assert [(c.amount, c.rule) for c in got] == [
        (300, "muni/cash:flat"), (250, "muni:flat"), (250, "muni:flat")]


def test_precedence_route_fares_categories_and_windows():
    p = FarePolicy(
        "p", {"bus": FlatFare("bus", 3500), "rail": DistanceFare("rail", 3000, 5000, 2000, 1000)},
        categories=(CategoryDiscount("student", "student", frozenset({"bus"}), 50),),
        windows=(CapWindow("cap", frozenset({"bus", "rail"}), 3600, 6000),),
        route_standalone={"express": FlatFare("express", 9000)},
        media_standalone={("cash", "bus"): TimeBandFare("bus/cash", 4000,
                                                        (TimeBand("early", 5 * 3600, 7 * 3600, 3000),)),
                          ("cash", "rail"): DistanceFare("rail/cash", 4000, 5000, 2000, 1500)},
    )
    # a route's own fare wins over the operator's fare by medium
    assert p.own_fare(Leg("bus", 8 * 3600, media="cash", route="express")).amount == 9000
    # the category discount applies to the cash fare: 4,000 − 50 %
    own = p.own_fare(Leg("bus", 8 * 3600, category="student", media="cash"))
    assert (own.amount, own.rule) == (2000, "bus/cash:standard+student")
    # windows use the cash fare as the leg's own fare: 3,000 (early cash) + 9 km cash rail 4,000 + 1,500 × 2
    legs = [Leg("bus", 6 * 3600, media="cash"), Leg("rail", 6 * 3600 + 600, 9000, media="cash")]
    assert [c.amount for c in price_card(p, legs)] == [3000, 3000]  # capped at 6,000
    assert p.metres_priced() == {"rail"} and p.time_bounds() == {"bus": (5 * 3600, 7 * 3600)}


POLICY = FarePolicy(
    "p", {"bus": FlatFare("bus", 3500), "rail": DistanceFare("rail", 3000, 5000, 2000, 1000)},
    windows=(CapWindow("cap", frozenset({"bus", "rail"}), 3600, 6000),),
    media_standalone={("cash", "bus"): FlatFare("bus/cash", 4000),
                      ("paper", "rail"): DistanceFare("rail/paper", 4000, 5000, 2000, 1500)},
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["bus", "rail"]), st.integers(0, 9000),
                          st.integers(0, 20_000), st.sampled_from(["", "cash", "paper", "card"])),
                min_size=1, max_size=12))
def test_both_engines_agree(rows):
    legs = [Leg(op, t, m, media=med or None) for _, op, t, m, med in rows]
    cards = [c for c, *_ in rows]
    v, c = (price(POLICY, as_arrays(legs, cards), log=True, backend=b) for b in ("vector", "card"))
    assert v.fare.tolist() == c.fare.tolist()
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert v.provisional.tolist() == c.provisional.tolist() and v.own.tolist() == c.own.tolist()
    for k in set(cards):
        mine = sorted((leg for leg, card in zip(legs, cards) if card == k), key=lambda x: x.board_time)
        _, _, settled = tap_all(POLICY, mine)
        assert settled == price_card(POLICY, mine)


# --- the scenario file, a run and replay --------------------------------------------------------
def _cash(doc):
    doc["fares"]["media"] = [{"id": "card", "share": 0.7}, {"id": "cash", "share": 0.3}]
    doc["fares"]["media_fares"] = [{"media": ["cash"], "operators": ["bus"],
                                    "fare": {"kind": "flat", "amount": 5000}}]
    doc["fares"]["windows"] = []
    doc["fares"]["categories"] = []


def test_a_run_charges_cash_riders_the_cash_fare(write_scenario):
    res = otrip_sim.run(write_scenario(_cash), seed=2, demand_scale=0.3)
    legs = res.legs.merge(res.journeys[["journey", "media"]], on="journey")
    bus = legs[(legs["operator"] == "bus") & legs["tapped"]]
    assert set(bus.loc[bus["media"] == "cash", "fare"]) == {5000}
    assert set(bus.loc[bus["media"] == "card", "fare"]) <= {2000, 3500}  # the time-band fare
    assert set(bus.loc[bus["media"] == "cash", "rule"]) == {"bus/cash:flat"}


def test_replay_reads_the_medium_from_the_tap_file(write_scenario, tmp_path):
    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time,media\n"
                    "a,bus,08:00:00,cash\nb,bus,08:00:00,card\nc,bus,08:00:00,\n")
    got = replay(write_scenario(_cash), taps).priced
    assert got["fare"].tolist() == [5000, 3500, 3500]
    taps.write_text("rider,operator,board_time,media\na,bus,08:00:00,coins\n")
    with pytest.raises(InputError, match="unknown media 'coins'"):
        replay(write_scenario(_cash, "b.yaml"), taps)


def test_media_fares_compile(write_scenario):
    p = compile_policy(load_scenario(write_scenario(_cash)).spec.fares)
    assert p.media_standalone[("cash", "bus")] == FlatFare("bus/cash", 5000)


@pytest.mark.parametrize("edit, where", [
    (lambda mf: mf.update({"media": ["coins"]}),
     r"fares: media_fares\[0\]\.media\[0\]: unknown fare medium 'coins'"),
    (lambda mf: mf.update({"operators": ["tram"]}),
     r"media_fares\[0\]\.operators\[0\]: unknown operator 'tram'"),
    (lambda mf: mf.update({"fare": {"kind": "zones", "zones": [], "fares": []}}),
     r"fares\.media_fares\[0\]: fare: a zones fare cannot be priced by medium"),
    (lambda mf: mf.update({"fare": {"kind": "flat", "amount": -1}}),
     r"fares\.media_fares\[0\]\.fare\.amount"),
])
def test_media_fare_validation_is_located(write_scenario, edit, where):
    def apply(doc):
        _cash(doc)
        edit(doc["fares"]["media_fares"][0])

    with pytest.raises(InputError, match=where):
        load_scenario(write_scenario(apply))


def test_a_medium_priced_twice_is_refused(write_scenario):
    def apply(doc):
        _cash(doc)
        doc["fares"]["media_fares"].append({"media": ["cash"], "operators": ["bus"],
                                            "fare": {"kind": "flat", "amount": 1}})

    with pytest.raises(InputError, match=r"media_fares\[1\]: bus on 'cash' already has a fare"):
        load_scenario(write_scenario(apply))
