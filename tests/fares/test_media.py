"""Fare media: an integrated benefit may need an eligible card; riders without one pay standalone
fares (OK OTrip's uptake problem: 82,000 cards sold by September 2018)."""

from __future__ import annotations

from pathlib import Path

import pytest

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import CapWindow, FarePolicy, FlatFare, Leg, price_card
from otrip_sim.fares.vector import supports
from otrip_sim.replay import replay
from tests.fares.builders import assert_engines_agree

FARES = {"transjakarta": FlatFare("transjakarta", 3500), "mikrotrans": FlatFare("mikrotrans", 3000)}
OKOTRIP = CapWindow("okotrip", frozenset(FARES), 10_800, 5000)
POLICY = FarePolicy("m", FARES, windows=(OKOTRIP,), window_media={"okotrip": frozenset({"okotrip-card"})})


@pytest.mark.parametrize(
    "media, expected", [("okotrip-card", [3000, 2000]), (None, [3000, 2000]), ("emoney", [3000, 3500])]
)
def test_window_applies_only_with_an_eligible_medium(media, expected):
    legs = [Leg("mikrotrans", 0, media=media), Leg("transjakarta", 600, media=media)]
    assert [c.amount for c in price_card(POLICY, legs)] == expected


def test_both_engines_price_a_window_open_to_some_media_alike():
    # cards mixing media: a window joined, a later leg with another medium outside it, no medium
    cards = [[Leg("mikrotrans", 0, media=m1), Leg("transjakarta", 600, media=m2),
              Leg("transjakarta", 1200 + 60 * k, media=m1)]
             for k, (m1, m2) in enumerate([("okotrip-card", "okotrip-card"), ("okotrip-card", "emoney"),
                                           ("emoney", "okotrip-card"), (None, "emoney"), (None, None)])]
    assert supports(POLICY)
    assert_engines_agree(POLICY, cards)
    # the second card: its emoney leg pays 3,500 on its own; the window caps the others at 5,000
    assert [c.amount for c in price_card(POLICY, cards[1])] == [3000, 3500, 2000]


JAK = Path(__file__).resolve().parents[2] / "scenarios" / "jakarta"


def _with_media(doc):
    doc["fares"]["media"] = [
        {"id": "okotrip-card", "share": 0.3, "unlocks": ["city-pass"]},
        {"id": "other", "share": 0.7},
    ]


def test_simulated_riders_without_the_card_pay_standalone(write_scenario):
    res = otrip_sim.run(write_scenario(_with_media), seed=3, demand_scale=0.5)
    j = res.journeys
    share = (j["media"] == "okotrip-card").mean()
    assert 0.25 < share < 0.35
    legs = res.legs.merge(j[["journey", "media"]], on="journey")
    in_window = legs["rule"].astype(str).str.startswith("city-pass")
    assert in_window.any()
    assert not (in_window & (legs["media"] == "other")).any()
    # without the card the bus + metro path costs 8,500 instead of the 6,000 cap: fewer take it
    metro = legs[legs["operator"] == "metro"].groupby("media", observed=True)["journey"].nunique()
    holders = j["media"].value_counts()
    assert metro["okotrip-card"] / holders["okotrip-card"] > 1.5 * metro["other"] / holders["other"]


def test_replay_media_column(tmp_path):
    import shutil

    shutil.copytree(JAK, tmp_path / "jakarta")
    scenario = tmp_path / "jakarta" / "okotrip-2018.yaml"
    scenario.write_text(
        scenario.read_text().replace(
            "  windows:\n",
            "  media:\n    - {id: okotrip-card, share: 0.1, unlocks: [okotrip]}\n"
            "    - {id: emoney, share: 0.9}\n  windows:\n",
            1,
        )
    )
    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time,media\n"
                    "a,mikrotrans,08:00:00,okotrip-card\na,transjakarta,08:20:00,okotrip-card\n"
                    "b,mikrotrans,08:00:00,emoney\nb,transjakarta,08:20:00,emoney\n"
                    "c,mikrotrans,08:00:00,\nc,transjakarta,08:20:00,\n")
    assert replay(scenario, taps).priced["fare"].tolist() == [3000, 2000, 3000, 3500, 3000, 2000]
    taps.write_text("rider,operator,board_time,media\na,mikrotrans,08:00:00,bitcoin\n")
    with pytest.raises(InputError, match="line 2: unknown media 'bitcoin'"):
        replay(scenario, taps)


def test_media_validation(write_scenario):
    with pytest.raises(InputError, match=r"fares\.media\[0\]\.unlocks\[0\]: unknown window rule"):
        load_scenario(
            write_scenario(lambda d: d["fares"].update(media=[{"id": "c", "share": 1, "unlocks": ["nope"]}]))
        )
    with pytest.raises(InputError, match=r"fares: media shares must sum to 1"):
        load_scenario(
            write_scenario(lambda d: d["fares"].update(media=[{"id": "c", "share": 0.5}]), "b.yaml")
        )
