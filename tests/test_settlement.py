"""The vectorised settlement gives exactly what the card-by-card engine gives: fares, rules,
windows, lost revenue and the whole transaction log, on real runs of the example scenarios,
with fare evasion, paid-area changes priced by distance, and caps, integrated, first-fare,
pay-the-difference and OD-chain windows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import otrip_sim
from otrip_sim.fares import (
    CapWindow,
    DistanceFare,
    FirstFareWindow,
    IntegratedWindow,
    OdChainWindow,
    PayDifferenceWindow,
    ZoneFare,
)
from otrip_sim.settlement import Settlement, settle

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = {
    "jaklingko": ("scenarios/jakarta/jaklingko-2022.yaml", 0.05),
    "okotrip": ("scenarios/jakarta/okotrip-2018.yaml", 0.05),
    "as-operated": ("scenarios/jakarta/okotrip-2018-as-operated.yaml", 0.05),
    "tiny": ("scenarios/tiny/tiny.yaml", 0.5),
}


@pytest.fixture(scope="module")
def runs():
    return {name: otrip_sim.run(ROOT / path, demand_scale=scale) for name, (path, scale) in SCENARIOS.items()}


def _as_table(s: Settlement) -> tuple[list, list]:
    legs = list(zip(s.rows.tolist(), s.fare.tolist(), [s.rule_names[k] for k in s.rule], s.window.tolist(),
                    s.standalone.tolist(), s.evaded.tolist()))
    tx = sorted(zip(s.tx_journey.tolist(), s.tx_time.tolist(), s.tx_kind.tolist(), s.tx_leg.tolist(),
                    s.tx_amount.tolist(), [s.rule_names[k] for k in s.tx_rule]))
    return legs, tx


def _both(res, policy, evasion) -> tuple[Settlement, Settlement]:
    rec = res.records
    draws = np.random.default_rng(7).random((len(res.riders), max(int(rec.planned.n_legs.max()), 1)))
    return (settle(res.network, policy, res.riders, rec, evasion, draws, backend="card"),
            settle(res.network, policy, res.riders, rec, evasion, draws, backend="vector"))


def _distance_paid_area(policy, net):
    """The operators with a paid area priced by distance, so a change inside it changes the fare."""
    gated = {area for area in net.stop_paid_area if area is not None}
    assert gated, "every example has a paid area"
    by_distance = {
        op: DistanceFare(op, base=2000, base_m=3000, step_m=2000, step_amount=500, cap=9000) for op in gated
    }
    return replace(policy, standalone={**policy.standalone, **by_distance})


def _pay_difference(policy):
    """Every window rule made a pay-the-difference one (restarting) on the same operators."""
    windows = tuple(PayDifferenceWindow(w.id, w.operators, w.duration, True) for w in policy.windows)
    return replace(policy, windows=windows)


def _od_chain(policy, net):
    """Every window rule made an OD chain on the same operators, priced stop to stop (each stop its
    own zone; a made-up table of every pair: 2,000 + 500 per step apart in the stop list, mod 7)."""
    stops = list(net.stop_ids)
    table = {(a, b): 2000 + 500 * (abs(i - j) % 7) for i, a in enumerate(stops) for j, b in enumerate(stops)}
    fare = ZoneFare("od", {s: s for s in stops}, table, max(table.values()))
    chains = tuple(OdChainWindow(w.id, w.operators, w.duration, fare) for w in policy.windows)
    return replace(policy, windows=chains)


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("variant", ["as is", "evasion", "distance paid area", "pay difference", "od chain"])
def test_vector_settlement_equals_cards(runs, name, variant):
    res = runs[name]
    policy = res.policy
    evasion: dict[str, float] = {}
    if variant == "evasion":
        evasion = {op: 0.2 for op in res.operators}
    if variant == "distance paid area":
        policy = _distance_paid_area(policy, res.network)
    if variant == "pay difference":
        policy = _pay_difference(_distance_paid_area(policy, res.network))
    if variant == "od chain":
        policy = _od_chain(_distance_paid_area(policy, res.network), res.network)
    card, vector = _both(res, policy, evasion)
    legs_c, tx_c = _as_table(card)
    legs_v, tx_v = _as_table(vector)
    assert legs_v == legs_c
    assert tx_v == tx_c
    assert np.array_equal(card.journey_fare, vector.journey_fare)
    assert len(tx_c) >= len(card.rows) * 0.5  # a real log, not an empty one


def test_every_window_kind_and_adjustment_is_exercised(runs):
    """The comparisons above cover caps, integrated and first-fare windows (an integrated window at
    its cap included), provisional charges corrected at settlement, and paid-area adjustments (so
    they can fail)."""
    kinds = {type(w) for name in SCENARIOS for w in runs[name].policy.windows}
    assert {CapWindow, IntegratedWindow, FirstFareWindow} <= kinds
    res = runs["jaklingko"]
    card, _ = _both(res, _distance_paid_area(res.policy, res.network), {})
    _, tx = _as_table(card)
    adjustments = [row for row in tx if row[2] == 1]
    assert any(r[5].endswith(":integrated") for r in adjustments)
    assert any(r[5] == "jaklingko:capped" for r in tx if r[2] == 0)  # taps where the cap bound
    assert any(r[5].startswith("transjakarta:distance") for r in adjustments)
    card, _ = _both(res, _pay_difference(_distance_paid_area(res.policy, res.network)), {})
    legs, tx = _as_table(card)
    assert any(rule == "jaklingko:difference" for _, _, rule, *_ in legs)
    assert any(r[2] == 1 and r[5] == "jaklingko:difference" for r in tx)  # a paid-area change moved one
    card, _ = _both(res, _od_chain(res.policy, res.network), {})
    legs, tx = _as_table(card)
    assert any(rule == "jaklingko:od" for _, _, rule, *_ in legs)
    assert any(r[2] == 1 and r[5] == "jaklingko:od" for r in tx)  # chains settled with adjustments
