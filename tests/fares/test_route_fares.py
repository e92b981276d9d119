"""Route-level standalone fares: a service (some routes) priced apart from its operator."""

from __future__ import annotations

import pytest

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    FarePolicy,
    FlatFare,
    Leg,
    TimeBand,
    TimeBandFare,
    price_card,
)

TJ = TimeBandFare("transjakarta", 3500, (TimeBand("early", 5 * 3600, 7 * 3600, 2000),))
POLICY = FarePolicy(
    "r", {"transjakarta": TJ}, route_standalone={"tj-premium": FlatFare("tj-premium", 20_000)}
)


def test_route_fare_overrides_the_operator_fare():
    charges = price_card(
        POLICY,
        [
            Leg("transjakarta", 8 * 3600, route="tj-premium"),
            Leg("transjakarta", 9 * 3600, route="tj-k1"),
            Leg("transjakarta", 10 * 3600),
        ],
    )
    assert [(c.amount, c.rule) for c in charges] == [
        (20000, "tj-premium:flat"),
        (3500, "transjakarta:standard"),
        (3500, "transjakarta:standard"),
    ]


def test_scenario_route_fares(write_scenario):
    def edit(doc):
        doc["fares"]["windows"] = []
        doc["fares"]["route_fares"] = [{"routes": ["bus-2"], "fare": {"kind": "flat", "amount": 1000}}]
        # riders who board bus-2 with a tap (a change onto it inside the bus paid area has none)
        doc["demand"]["od"].append({"origin": "market", "destination": "park", "trips": 200})

    res = otrip_sim.run(write_scenario(edit), seed=2, demand_scale=0.5)
    legs = res.legs[res.legs["tapped"]]
    shuttle = legs[(legs["route"] == "bus-2") & (legs["rule"].astype(str) != "category:free")]
    assert len(shuttle) > 0
    assert (shuttle["fare"] == 1000).all() and set(shuttle["rule"].astype(str)) == {"bus-2:flat"}
    other = legs[(legs["route"] == "bus-1") & legs["rule"].astype(str).str.startswith("bus:")]
    assert len(other) > 0 and set(other["fare"]) <= {2000, 3500}


@pytest.mark.parametrize("routes, message", [
    (["bus-9"], r"fares\.route_fares\[0\]\.routes\[0\]: unknown route \(got 'bus-9'\)"),
    (["bus-2", "bus-2"], r"fares\.route_fares\[0\]\.routes\[1\]: route already has a fare"),
])
def test_route_fare_errors(write_scenario, routes, message):
    with pytest.raises(InputError, match=message):
        load_scenario(
            write_scenario(
                lambda d: d["fares"].update(
                    route_fares=[{"routes": routes, "fare": {"kind": "flat", "amount": 1}}]
                )
            )
        )


def test_a_route_fare_above_its_operator_cap_is_refused(write_scenario):
    with pytest.raises(
        InputError, match=r"fares\.windows\[0\]\.cap: the cap is below a bus-2 fare it must contain \(9000\)"
    ):
        route_fares = [{"routes": ["bus-2"], "fare": {"kind": "flat", "amount": 9000}}]
        path = write_scenario(lambda d: d["fares"].update(route_fares=route_fares))
        otrip_sim.compile_scenario(load_scenario(path))
