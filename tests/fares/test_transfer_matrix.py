"""Transfers priced by the pair (from operator, to operator) with a limit of rides per window:
Atlanta's Breeze transfer matrix (OpenTripPlanner's ``AtlantaFareServiceTest``, the electronic
regular fare) and the Bay Area Clipper transfer time limits per operator pair
(``tests/data/clipper-transfers/``, from BayAreaMetro/clpr), written as our own journeys in US
cents."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from builders import assert_engines_agree, transaction_log
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CategoryDiscount,
    CategoryFree,
    DistanceFare,
    FarePolicy,
    FlatFare,
    Leg,
    PeriodCap,
    TransferMatrixWindow,
    TransferPair,
    backend_for,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.replay import explain

M = 60
CLIPPER = Path(__file__).resolve().parents[1] / "data" / "clipper-transfers"  # see its SOURCE.md

# --- Atlanta ---------------------------------------------------------------------------------
# OTP's test prices every leg at USD 3.49 except: route "101" USD 4.49 (Cobb express, GCT express
# zone 2), "102" USD 5.49 (GCT express zone 1), the streetcar USD 2.49 and Cobb's Blue circulator 0.
# Ride types become operators here; the streetcar and the circulator are outside the matrix (their
# rides pay their own fare and neither use nor end a transfer).
ATL_FARES = {
    "marta": 349, "streetcar": 249, "cobb": 349, "cobb_express": 449, "cobb_blue": 0, "gct": 349,
    "gct_express_z1": 549, "gct_express_z2": 449, "xpress": 349,
}
FREE, DIFF = TransferPair("free"), TransferPair("pay_difference")
GCT_ALL = ("gct", "gct_express_z1", "gct_express_z2")
ATL_PAIRS: dict[tuple[str, str], TransferPair] = {}
for a in ("cobb", "cobb_express", "marta"):
    ATL_PAIRS[(a, "cobb")] = FREE
ATL_PAIRS[("cobb_express", "cobb_express")] = ATL_PAIRS[("marta", "cobb_express")] = FREE
ATL_PAIRS[("cobb", "cobb_express")] = DIFF
for a in ("marta", "xpress", "cobb", "cobb_express", *GCT_ALL):
    ATL_PAIRS[(a, "marta")] = FREE
for a in ("marta", "cobb_express", "gct_express_z1", "gct_express_z2", "xpress"):
    ATL_PAIRS[(a, "xpress")] = FREE
ATL_PAIRS[("cobb", "xpress")] = TransferPair("fixed", 150)  # an upcharge of USD 1.50
ATL_PAIRS[("gct", "xpress")] = TransferPair("fixed", 100)
for a in ("marta", *GCT_ALL):
    ATL_PAIRS[(a, "gct")] = FREE
for b in ("gct_express_z1", "gct_express_z2"):
    ATL_PAIRS[("marta", b)] = FREE
    for a in GCT_ALL:
        ATL_PAIRS[(a, b)] = DIFF
MATRIX_OPS = frozenset(op for pair in ATL_PAIRS for op in pair)
ATLANTA = FarePolicy(
    "atlanta",
    {op: FlatFare(op, amount) for op, amount in ATL_FARES.items()},
    windows=(TransferMatrixWindow("breeze", MATRIX_OPS, 180 * M, ATL_PAIRS, max_rides=5,
                                  max_rides_from=dict.fromkeys(GCT_ALL, 4)),),
)


def atl(*rides: tuple[str, int]) -> int:
    """Total of rides given as (operator, minutes after 11:00)."""
    return sum(c.amount for c in price_card(ATLANTA, [Leg(op, 11 * 3600 + m * M) for op, m in rides]))


@pytest.mark.parametrize("rides, total", [
    # from MARTA every transfer is free
    ([("marta", 0), ("xpress", 1)], 349),
    ([("marta", 0), ("gct", 1)], 349),
    ([("marta", 0), ("gct_express_z2", 1)], 349),
    ([("marta", 0), ("cobb", 1)], 349),
    ([("marta", 0), ("cobb_express", 1)], 349),
    # from Cobb: free to MARTA, pay the difference to its express, USD 1.50 more to Xpress
    ([("cobb", 0), ("marta", 1)], 349),
    ([("cobb", 0), ("cobb_express", 1)], 449),
    ([("cobb", 0), ("xpress", 1)], 499),
    ([("cobb_express", 0), ("cobb", 1)], 449),
    ([("cobb_express", 0), ("gct_express_z1", 1)], 449 + 549),  # no transfer between the two: two fares
    ([("cobb", 0), ("cobb_blue", 1), ("cobb_express", 1)], 449),  # the free circulator does not count
    ([("gct", 0), ("marta", 1)], 349),
])
def test_atlanta_published_transfers(rides, total):
    assert atl(*rides) == total


@pytest.mark.parametrize("rides, total", [
    ([("marta", m) for m in range(6)], 698),  # five rides per window from MARTA: the sixth pays again
    ([("marta", 0), ("marta", 1), ("gct", 2), ("gct", 3), ("marta", 4), ("cobb", 5)], 698),
    ([("gct", 0), ("marta", 1), ("marta", 2), ("marta", 3)], 349),  # four rides when GCT starts it
    ([("gct", 0), ("marta", 1), ("marta", 2), ("marta", 3), ("marta", 4)], 698),
    ([("marta", 0), ("marta", 1), ("marta", 2), ("gct", 3), ("gct", 4)], 349),
])
def test_atlanta_ride_limits(rides, total):
    assert atl(*rides) == total


def test_atlanta_expired_transfers():
    # 3 hours from the window's first tap, inclusive
    assert atl(("marta", 0), ("marta", 1), ("marta", 181), ("marta", 179)) == 698
    assert atl(("marta", 0), ("gct", 1), ("gct", 181), ("marta", 181 + 178), ("marta", 181 + 179)) == 698
    assert atl(("marta", 0), ("marta", 180)) == 349


def test_atlanta_streetcar_pays_its_own_fare_outside_the_matrix():
    assert atl(("marta", 0), ("streetcar", 1), ("marta", 2), ("marta", 3), ("marta", 4)) == 349 + 249
    assert atl(("cobb", 0), ("streetcar", 1), ("cobb_express", 2)) == 349 + 249 + 100


def test_atlanta_leg_by_leg_rules():
    legs = [Leg("cobb", 0), Leg("cobb_express", 60), Leg("xpress", 120), Leg("gct", 180)]
    charges = price_card(ATLANTA, legs)
    assert [(c.amount, c.rule) for c in charges] == [
        (349, "cobb:flat"), (100, "breeze:difference"), (0, "breeze:transfer"), (349, "gct:flat")]


# --- Bay Area: Clipper's transfer time limits per operator pair -------------------------------
def _slug(name: str) -> str:
    return name.strip().strip("'").lower().replace(" ", "_")


def clipper_pairs() -> dict[tuple[str, str], int]:
    """(from, to) → the most minutes between successive Clipper taps counted as a transfer."""
    with open(CLIPPER / "transfer_rules_database.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    return {(_slug(a), _slug(b)): int(m) for a, b, m in rows}


def test_clipper_pair_limits_from_the_published_table():
    limits = clipper_pairs()
    assert limits[("sf_muni", "bart")] == 40 and limits[("bart", "sf_muni")] == 20
    assert limits[("bart", "bart")] == 10 and limits[("sf_muni", "weta")] == 60
    ops = frozenset(op for pair in limits for op in pair)
    # fares and free transfers are assumptions (USD 2.50 a ride); the time limits are Clipper's
    pairs = {pair: TransferPair("free", duration=m * M) for pair, m in limits.items()}
    policy = FarePolicy("clipper", {op: FlatFare(op, 250) for op in ops},
                        windows=(TransferMatrixWindow("clipper", ops, 180 * M, pairs),))

    def total(*rides):
        return sum(c.amount for c in price_card(policy, [Leg(op, m * M) for op, m in rides]))

    assert total(("sf_muni", 0), ("bart", 40)) == 250  # Muni to BART: 40 minutes
    assert total(("sf_muni", 0), ("bart", 41)) == 500
    assert total(("bart", 0), ("sf_muni", 20)) == 250  # BART to Muni: only 20
    assert total(("bart", 0), ("sf_muni", 21)) == 500
    assert total(("sf_muni", 0), ("weta", 60)) == 250
    # each pair's limit runs from the previous tap: Muni, BART 40 min later, Muni 20 min after that
    assert total(("sf_muni", 0), ("bart", 40), ("sf_muni", 60)) == 250


# --- precedence -------------------------------------------------------------------------------
BASE = {"bus": FlatFare("bus", 200), "rail": FlatFare("rail", 300), "taxi": FlatFare("taxi", 900)}
PAIRS = {("bus", "rail"): TransferPair("discount", percent=50), ("rail", "bus"): FREE,
         ("bus", "bus"): TransferPair("fixed", 50)}
WINDOW = TransferMatrixWindow("m", frozenset({"bus", "rail"}), 90 * M, PAIRS, max_rides=3)


def test_pair_fares_and_the_ride_limit():
    p = FarePolicy("p", BASE, windows=(WINDOW,))
    legs = [Leg("bus", 0), Leg("rail", 600), Leg("bus", 1200), Leg("bus", 1800)]
    # rail at half (150), bus after rail free, then the window has its 3 rides: the 4th pays 200
    assert [c.amount for c in price_card(p, legs)] == [200, 150, 0, 200]
    assert [c.amount for c in price_card(p, [Leg("bus", 0), Leg("bus", 600)])] == [200, 50]
    # rail -> rail is no listed pair: a new window
    assert [c.amount for c in price_card(p, [Leg("rail", 0), Leg("rail", 600)])] == [300, 300]


def test_precedence_with_categories_other_operators_and_caps():
    p = FarePolicy("p", BASE, categories=(CategoryFree("free", "free", frozenset({"bus"})),
                                          CategoryDiscount("half", "half", frozenset({"bus", "rail"}), 50)),
                   windows=(WINDOW,), period_caps=(PeriodCap("day", frozenset({"bus", "rail"}), "day", 400),))
    # an exempt leg is invisible: the free rider's rail leg opens its own window
    free = [Leg("bus", 0, category="free"), Leg("rail", 600, category="free")]
    assert [c.amount for c in price_card(p, free)] == [0, 300]
    # discounted own fares feed the pair fares: half bus 100, rail half of 150 → 75
    half = [Leg("bus", 0, category="half"), Leg("rail", 600, category="half")]
    assert [c.amount for c in price_card(p, half)] == [100, 75]
    # a taxi between bus and rail neither joins nor ends the window; the daily cap applies last
    charges = price_card(p, [Leg("bus", 0), Leg("taxi", 300), Leg("rail", 600), Leg("bus", 7200)])
    assert [c.amount for c in charges] == [200, 900, 150, 50]
    assert charges[3].rule == "day:capped"


def test_transfer_matrix_policies_are_priced_by_both_engines_behind_the_one_interface():
    p = FarePolicy("p", BASE, windows=(WINDOW,))
    assert backend_for(p) == "vector"
    legs = [Leg("bus", 0), Leg("rail", 600)]
    for backend in ("vector", "card"):
        got = price(p, as_arrays(legs, [0, 0]), log=True, backend=backend)
        assert got.fare.tolist() == [200, 150] and got.provisional.tolist() == [200, 150]
        assert got.rule_names().tolist() == ["bus:flat", "m:transfer"]


# random cards: Atlanta's matrix, and a distance-priced rail with paid-area changes and pair limits
RAIL = DistanceFare("rail", base=200, base_m=5000, step_m=3000, step_amount=75, cap=600)
GRID = FarePolicy(
    "grid",
    {"bus": FlatFare("bus", 250), "rail": RAIL, "ferry": FlatFare("ferry", 500),
     "taxi": FlatFare("taxi", 900)},
    categories=(CategoryFree("free", "free", frozenset({"bus"})),),
    windows=(TransferMatrixWindow("g", frozenset({"bus", "rail", "ferry"}), 5400, {
        ("bus", "rail"): TransferPair("pay_difference"), ("rail", "bus"): FREE,
        ("rail", "ferry"): TransferPair("fixed", 120, duration=1800),
        ("ferry", "rail"): TransferPair("discount", percent=40), ("bus", "bus"): TransferPair("fixed", 50),
        ("rail", "rail"): TransferPair("pay_difference", duration=600),
    }, max_rides=4, max_rides_from={"ferry": 2}),),
)


@st.composite
def journeys(draw, ops, distances=False):
    t, legs = draw(st.integers(6 * 3600, 9 * 3600)), []
    category = draw(st.sampled_from(["adult", "adult", "free"]))
    for _ in range(draw(st.integers(1, 8))):
        t += draw(st.one_of(st.sampled_from([0, 1, 600, 601, 1800, 5399, 5400, 5401]), st.integers(0, 4000)))
        metres = draw(st.integers(0, 20_000)) if distances else 0
        if distances and legs and legs[-1].operator == "rail" and draw(st.booleans()):
            legs.append(Leg("rail", t, metres, category, tapped=False))  # a change in the rail paid area
            continue
        legs.append(Leg(draw(st.sampled_from(ops)), t, metres, category))
    return legs


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_both_engines_tap_by_tap_and_whole_card_agree(data):
    policy = data.draw(st.sampled_from([ATLANTA, GRID]))
    ops = sorted(ATL_FARES) if policy is ATLANTA else ["bus", "rail", "ferry", "taxi"]
    by_card = data.draw(st.lists(journeys(ops, distances=policy is GRID), min_size=1, max_size=4))
    assert_engines_agree(policy, by_card)

def test_explain_counts_the_transfers():
    lines = explain(ATLANTA, [Leg("cobb", 0), Leg("cobb_express", 600)], currency="USD")
    assert "[breeze:difference]" in lines[2]
    assert lines[3].endswith("2 legs, paid so far $ 4.49, transfers used 1")
    assert lines[-1] == "total $ 4.49"


# --- the scenario file ---------------------------------------------------------------------------
def _with(doc, rule):
    doc["fares"]["windows"] = [rule]


RULE = {"kind": "transfer_matrix", "id": "m", "operators": ["bus", "metro"], "duration": "120min",
        "max_rides": 3, "max_rides_from": {"metro": 2},
        "pairs": [{"from": ["bus"], "to": ["metro"], "fare": {"kind": "fixed", "amount": 1000}},
                  {"from": ["metro"], "to": ["bus"], "duration": "30min"}]}


def test_a_scenario_with_a_transfer_matrix_runs_and_compiles(write_scenario):
    from otrip_sim.policy import compile_policy

    path = write_scenario(lambda d: _with(d, RULE))
    w = compile_policy(load_scenario(path).spec.fares).windows[0]
    assert isinstance(w, TransferMatrixWindow)
    assert w.pairs[("bus", "metro")] == TransferPair("fixed", 1000)
    assert w.pairs[("metro", "bus")] == TransferPair("free", duration=1800)
    assert w.max_rides == 3 and dict(w.max_rides_from) == {"metro": 2}
    res = otrip_sim.run(path, seed=2, demand_scale=0.3)
    transfers = res.legs[res.legs["rule"] == "m:transfer"]
    assert len(transfers) > 0 and set(transfers["fare"]) <= {0, 1000}


@pytest.mark.parametrize("edit, where", [
    (lambda r: r["pairs"][1].update({"to": ["ghost"]}), r"fares\.windows\[0\].*pairs\[1\]\.to\[0\]"),
    (lambda r: r["pairs"].append({"from": ["bus"], "to": ["metro"]}),
     r"pairs\[2\]: the transfer bus -> metro"),
    (lambda r: r["pairs"][0]["fare"].update({"kind": "discount", "amount": 0}),
     r"fares\.windows\[0\]\.pairs\[0\]\.fare: a discount needs percent"),
    (lambda r: r.update({"max_rides": 0}), r"fares\.windows\[0\]\.max_rides"),
    (lambda r: r.update({"max_rides_from": {"tram": 2}}), r"max_rides_from: 'tram'"),
    (lambda r: r["pairs"][0].update({"form": ["bus"]}), r"fares\.windows\[0\]\.pairs\[0\]\.form"),
])
def test_transfer_matrix_validation_is_located(write_scenario, edit, where):
    import copy

    rule = copy.deepcopy(RULE)
    edit(rule)
    with pytest.raises(InputError, match=where):
        load_scenario(write_scenario(lambda d: _with(d, rule)))


def test_gtfs_export_writes_the_pairs_it_can(write_scenario, tmp_path):
    import pandas as pd

    from otrip_sim.gtfs.fares_export import export_fares

    missing = export_fares(load_scenario(write_scenario(lambda d: _with(d, RULE))), tmp_path / "g")
    rules = pd.read_csv(tmp_path / "g" / "fare_transfer_rules.txt")
    got = {(r.from_leg_group_id, r.to_leg_group_id, r.duration_limit) for r in rules.itertuples()}
    assert got == {("bus_leg", "metro_leg", 7200), ("metro_leg", "bus_leg", 1800)}
    # GTFS: transfer_count only between legs of one leg group (forbidden between groups), so the
    # window's ride limit on these bus <-> metro pairs is left out and listed
    assert rules["transfer_count"].isna().all()
    assert any("ride limits by the window's first operator" in line for line in missing)
    assert any("ride limit between different leg groups" in line for line in missing)


def test_a_window_ended_by_a_tap_that_cannot_join_settles_at_that_tap():
    # rail 4 km (2.00 at the tap), a paid-area change of 8 km makes it 12 km (4.25); rail again
    # 15 min after the first tap is past the rail -> rail pair's 10 minutes: a new window, and the
    # first one settles then, at 00:15, with an adjustment of +2.25, in both engines
    legs = [Leg("rail", 0, 4000), Leg("rail", 300, 8000, tapped=False), Leg("rail", 900, 1000)]
    for backend in ("vector", "card"):
        got = price(GRID, as_arrays(legs, [0, 0, 0]), log=True, backend=backend)
        assert got.fare.tolist() == [425, 0, 200] and got.window.tolist() == [0, 0, 1]
        assert transaction_log(got) == [(0, 0, 0, 200, "rail:distance"), (0, 900, 1, 225, "rail:distance"),
                             (2, 900, 0, 200, "rail:distance")]
