"""Pay the difference: a transfer to a dearer service pays only the difference from the dearest
fare the window already covers, optionally restarting the window at that leg (Seattle's ORCA,
Houston's highest fare in the free-transfer window).

The published cases are OpenTripPlanner's fare tests for Houston
(``HighestFareInFreeTransferWindowFareServiceTest``) and ORCA (``OrcaFareServiceTest``, the
ORCA-card adult fare), written here as our own journeys: amounts in US cents, times in seconds.
"""

from __future__ import annotations

import pytest
from builders import assert_engines_agree, tap_all
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CategoryDiscount,
    CategoryFree,
    DistanceFare,
    FarePass,
    FarePolicy,
    FlatFare,
    Leg,
    Outcome,
    PayDifferenceWindow,
    PeriodCap,
    backend_for,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.replay import explain

M = 60


def amounts(policy, legs):
    return [c.amount for c in price_card(policy, legs)]


# --- Houston: the highest fare in a 150-minute free-transfer window (no restart) ---------------
# Routes A and B cost USD 1.00, route C USD 2.00; a leg on a dearer route pays the difference.
HOUSTON = FarePolicy(
    "houston",
    {"metro": FlatFare("metro", 100)},
    windows=(PayDifferenceWindow("houston", frozenset({"metro"}), 150 * M),),
    route_standalone={"A": FlatFare("A", 100), "B": FlatFare("B", 100), "C": FlatFare("C", 200)},
)


def houston(*rides: tuple[str, int]) -> list[Leg]:
    return [Leg("metro", t, route=r) for r, t in rides]


@pytest.mark.parametrize("rides, total", [
    ([("A", 30)], 100),  # a single leg pays its fare
    ([("A", 30), ("B", 90)], 100),  # same price inside the window: one fare
    ([("C", 30), ("B", 90)], 200),  # the dearer first: the cheaper second is covered
    ([("B", 30), ("C", 90)], 200),  # the dearer second pays the difference, USD 1.00
    ([("A", 30), ("B", 10_000)], 200),  # 10,000 s is past the 9,000 s window: a new fare
    ([("A", 30), ("B", 10_000), ("A", 10_150)], 200),  # the third leg is in the second window
    ([("A", 30), ("B", 10_000), ("A", 20_000)], 300),  # three windows
])
def test_houston_published_cases(rides, total):
    assert sum(amounts(HOUSTON, houston(*rides))) == total


def test_houston_leg_by_leg_rules():
    charges = price_card(HOUSTON, houston(("B", 30), ("C", 90), ("A", 120)))
    assert [(c.amount, c.rule) for c in charges] == [
        (100, "houston:first"), (100, "houston:difference"), (0, "houston:free")]
    assert [c.outcome for c in charges] == [Outcome.WINDOW_FIRST, Outcome.PAY_DIFFERENCE, Outcome.WINDOW_FREE]


# --- ORCA: adult ORCA card, "within 2 hours" (< 120 min), the transfer extended by a dearer leg --
ORCA_LIMIT = 120 * M - 1  # "within 2 h" means < 120 min: 7,199 s is the last second that joins
ORCA_OPS = frozenset({"kitsap", "kcm", "ct", "ct_flex"})


def orca(restart: bool = True, limit: int = ORCA_LIMIT) -> FarePolicy:
    # OTP's test prices every ORCA leg at USD 3.49, the Kitsap fast ferry east USD 2.00 and west
    # USD 10.00 (route fares here)
    return FarePolicy(
        "orca",
        {op: FlatFare(op, 349) for op in ORCA_OPS},
        windows=(PayDifferenceWindow("orca", ORCA_OPS, limit, restart),),
        route_standalone={"ferry-east": FlatFare("ferry-east", 200),
                          "ferry-west": FlatFare("ferry-west", 1000)},
    )


def rides(*spec: tuple[str, int] | tuple[str, int, str]) -> list[Leg]:
    return [Leg(s[0], s[1] * M, route=s[2] if len(s) > 2 else None) for s in spec]


def test_orca_six_kitsap_legs_over_two_and_a_half_hours_pay_two_fares():
    # legs at 0, 30, ..., 150 min: the leg at 120 min is not "within 2 h" and opens a new window
    legs = rides(*[("kitsap", m) for m in range(0, 151, 30)])
    assert amounts(orca(), legs) == [349, 0, 0, 0, 349, 0]


def test_orca_ten_legs_over_four_and_a_half_hours_pay_three_fares():
    legs = rides(*[("kitsap", m) for m in range(0, 271, 30)])
    assert sum(amounts(orca(), legs)) == 3 * 349


def test_orca_transfers_between_king_county_metro_community_transit_and_kitsap():
    # KCM 0, KCM 20, CT 45, KCM 60 in one window; KCM at 130 min opens a new one; Kitsap 131, 132 ride on it
    legs = rides(("kcm", 0), ("kcm", 20), ("ct", 45), ("kcm", 60), ("kcm", 130), ("kitsap", 131),
                 ("kitsap", 132))
    assert sum(amounts(orca(), legs)) == 2 * 349


def test_orca_fare_by_leg():
    legs = rides(("kitsap", 0), ("ct", 2), ("ct_flex", 3))
    assert amounts(orca(), legs) == [349, 0, 0]


def test_orca_transfer_extension_restarts_the_window_at_the_dearer_leg():
    # fast ferry east USD 2.00 at 0; KCM USD 3.49 at 100 min pays 1.49 and restarts the window;
    # fast ferry west USD 10.00 at 150 min is 50 min after the restart: pays 6.51.  USD 10.00 in all.
    legs = rides(("kitsap", 0, "ferry-east"), ("kcm", 100), ("kitsap", 150, "ferry-west"))
    assert amounts(orca(), legs) == [200, 149, 651]
    # without the restart the window ends 2 h after the first tap: 2.00 + 1.49 + 10.00
    assert amounts(orca(restart=False), legs) == [200, 149, 1000]


def test_the_limit_is_inclusive_unless_the_rule_says_less_than():
    p = FarePolicy("p", {"bus": FlatFare("bus", 100), "rail": FlatFare("rail", 250)},
                   windows=(PayDifferenceWindow("w", frozenset({"bus", "rail"}), 3600),))
    assert amounts(p, [Leg("bus", 0), Leg("rail", 3600)]) == [100, 150]  # exactly 60 min still joins
    assert amounts(p, [Leg("bus", 0), Leg("rail", 3601)]) == [100, 250]
    # a restart only happens on a leg that paid a difference
    window = PayDifferenceWindow("w", frozenset({"bus", "rail"}), 3600, True)
    p = FarePolicy("p", p.standalone, windows=(window,))
    legs = [Leg("bus", 0), Leg("rail", 3000), Leg("bus", 6000), Leg("bus", 6601)]
    assert amounts(p, legs) == [100, 150, 0, 100]


def test_a_cheaper_leg_is_covered_and_the_credit_carries_on():
    fares = {"bus": FlatFare("bus", 100), "rail": FlatFare("rail", 250), "ferry": FlatFare("ferry", 400)}
    p = FarePolicy("p", fares,
                   windows=(PayDifferenceWindow("w", frozenset({"bus", "rail", "ferry"}), 7200),))
    # rail 2.50; bus covered; ferry pays 4.00 − 2.50 (the dearest covered), not 4.00 − 1.00
    assert amounts(p, [Leg("rail", 0), Leg("bus", 600), Leg("ferry", 1200)]) == [250, 0, 150]


# --- precedence with the other rules ------------------------------------------------------------
BASE = {"bus": FlatFare("bus", 100), "rail": FlatFare("rail", 250), "taxi": FlatFare("taxi", 900)}
WINDOW = PayDifferenceWindow("w", frozenset({"bus", "rail"}), 7200)


def test_exempt_legs_are_invisible_and_discounts_change_the_own_fare():
    p = FarePolicy("p", BASE, categories=(CategoryFree("free", "free", frozenset({"bus"})),
                                          CategoryDiscount("half", "half", frozenset({"rail"}), 50)),
                   windows=(WINDOW,))
    # a free rider's bus leg neither opens nor joins the window: its rail leg pays the full 2.50
    assert amounts(p, [Leg("bus", 0, category="free"), Leg("rail", 600, category="free")]) == [0, 250]
    # a half-fare rider's rail leg costs 1.25 on its own: after a bus 1.00, the difference is 0.25
    assert amounts(p, [Leg("bus", 0, category="half"), Leg("rail", 600, category="half")]) == [100, 25]


def test_other_operators_neither_join_nor_close_the_window():
    p = FarePolicy("p", BASE, windows=(WINDOW,))
    assert amounts(p, [Leg("bus", 0), Leg("taxi", 600), Leg("rail", 1200)]) == [100, 900, 150]


def test_a_pass_prices_its_legs_first_and_period_caps_apply_last():
    p = FarePolicy("p", BASE, windows=(WINDOW,), passes={"day": FarePass("day", frozenset({"rail"}), 500)})
    # the pass holder's rail leg buys the pass; the bus leg is in the window alone
    assert amounts(p, [Leg("rail", 0, media="day"), Leg("bus", 600, media="day")]) == [500, 100]
    capped = FarePolicy("p", BASE, windows=(WINDOW,),
                        period_caps=(PeriodCap("daily", frozenset({"bus", "rail"}), "day", 300),))
    # windows at 08:00 and 11:00 each cost 2.50; the daily cap of 3.00 leaves 0.50 for the second
    legs = [Leg("bus", 8 * 3600), Leg("rail", 8 * 3600 + 600), Leg("rail", 11 * 3600)]
    charges = price_card(capped, legs)
    assert [c.amount for c in charges] == [100, 150, 50]
    assert charges[2].rule == "daily:capped"


def test_policies_with_pay_difference_are_priced_by_the_vector_engine():
    assert backend_for(orca()) == "vector"


# --- paid-area changes: a distance fare grows, the window restarts where it paid more ---------
def test_a_paid_area_change_settles_with_an_adjustment():
    rail = DistanceFare("rail", base=200, base_m=5000, step_m=5000, step_amount=100)
    p = FarePolicy("p", {"bus": FlatFare("bus", 250), "rail": rail},
                   windows=(PayDifferenceWindow("w", frozenset({"bus", "rail"}), 3600, True),))
    # bus 2.50; rail 4 km (2.00, covered) then a change inside the rail paid area of 8 km: 12 km
    # rail costs 4.00, so the rail leg pays 1.50, settled when the window closes
    legs = [Leg("bus", 0), Leg("rail", 600, 4000), Leg("rail", 1200, 8000, tapped=False)]
    card, provisional, settled = tap_all(p, legs)
    assert [c.amount for c in provisional] == [250, 0, 0]
    assert [c.amount for c in settled] == [250, 150, 0]
    assert [(t.leg, t.kind, t.amount) for t in card.transactions] == [
        (0, "tap", 250), (1, "tap", 0), (1, "adjustment", 150)]
    for backend in ("vector", "card"):
        got = price(p, as_arrays(legs, [0, 0, 0]), log=True, backend=backend)
        assert got.fare.tolist() == [250, 150, 0]
        assert got.provisional.tolist() == [250, 0, 0]
        assert got.transactions.amount.tolist() == [250, 0, 150]


# --- both engines, tap by tap and whole card, on random cards -----------------------------------
RAIL = DistanceFare("rail", base=200, base_m=5000, step_m=3000, step_amount=75, cap=600)
RANDOM_POLICIES = [
    FarePolicy(
        f"r{restart}",
        {"bus": FlatFare("bus", 250), "rail": RAIL, "ferry": FlatFare("ferry", 500),
         "taxi": FlatFare("taxi", 900)},
        categories=(CategoryFree("free", "free", frozenset({"bus"})),
                    CategoryDiscount("half", "half", frozenset({"rail", "ferry"}), 50)),
        windows=(PayDifferenceWindow("w", frozenset({"bus", "rail", "ferry"}), 3600, restart),),
    )
    for restart in (False, True)
]

_gap = st.one_of(st.sampled_from([0, 1, 600, 3599, 3600, 3601]), st.integers(0, 5000))


@st.composite
def cards(draw):
    out = []
    for _ in range(draw(st.integers(1, 4))):
        t = draw(st.integers(6 * 3600, 9 * 3600))
        category = draw(st.sampled_from(["adult", "adult", "free", "half"]))
        legs: list[Leg] = []
        for _ in range(draw(st.integers(1, 7))):
            t += draw(_gap)
            metres = draw(st.integers(0, 20_000))
            if legs and legs[-1].operator == "rail" and draw(st.booleans()):
                legs.append(Leg("rail", t, metres, category, tapped=False))  # a change in the rail paid area
                continue
            legs.append(Leg(draw(st.sampled_from(["bus", "rail", "ferry", "taxi"])), t, metres, category))
        out.append(legs)
    return out


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(RANDOM_POLICIES), cards())
def test_both_engines_tap_by_tap_and_whole_card_agree(policy, legs_by_card):
    assert_engines_agree(policy, legs_by_card)

def test_explain_shows_the_fare_the_window_covers():
    lines = explain(orca(), rides(("kitsap", 0, "ferry-east"), ("kcm", 100)), currency="USD")
    assert lines[0].startswith("tap 1  00:00:00  kitsap  distance unknown  charged $ 2.00  [orca:first]")
    assert lines[1].endswith("(closes 01:59:59): 1 legs, paid so far $ 2.00, fares up to $ 2.00 covered")
    assert "charged $ 1.49  [orca:difference] a transfer to a dearer service" in lines[2]
    # the dearer leg at 01:40 restarted the window: it closes < 2 h after it
    assert lines[3].endswith("open since 01:40:00 (closes 03:39:59): 2 legs, paid so far $ 3.49, "
                             "fares up to $ 3.49 covered")
    assert lines[-1] == "total $ 3.49"


# --- the scenario file ---------------------------------------------------------------------------
def _with_window(doc, rule):
    doc["fares"]["windows"] = [rule]


def test_a_scenario_with_pay_difference_runs(write_scenario):
    rule = {"kind": "pay_difference", "id": "upgrade", "operators": ["bus", "metro"], "duration": "90min",
            "restart": True}
    res = otrip_sim.run(write_scenario(lambda d: _with_window(d, rule)), seed=2, demand_scale=0.3)
    legs = res.legs
    rules = set(legs["rule"].astype(str))
    assert {"upgrade:first", "upgrade:difference"} <= rules
    # the early bus fare (2,000) then a 9 km metro leg (5,000) pays 3,000; a 3,500 bus fare 1,500
    diff = legs.loc[legs["rule"] == "upgrade:difference", "fare"]
    assert (diff > 0).all() and set(diff) <= {1_500, 3_000}
    # every window (on the person's card, over the day) pays the dearest own fare in it
    for _, g in legs[legs["window"] >= 0].groupby(["person", "window"]):
        assert g["fare"].sum() == g["standalone_fare"].max()


def test_pay_difference_validation_is_located(write_scenario):
    rule = {"kind": "pay_difference", "id": "x", "operators": ["bus"], "duration": "90min", "restrat": True}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.restrat"):
        load_scenario(write_scenario(lambda d: _with_window(d, rule)))
    rule = {"kind": "pay_difference", "id": "x", "operators": ["bus", "ghost"], "duration": "90min"}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.operators\[1\].*unknown operator"):
        load_scenario(write_scenario(lambda d: _with_window(d, rule), "b.yaml"))
    rule = {"kind": "pay_difference", "id": "x", "operators": ["bus"]}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.duration"):
        load_scenario(write_scenario(lambda d: _with_window(d, rule), "c.yaml"))


def test_gtfs_export_says_it_cannot_express_pay_difference(write_scenario, tmp_path):
    from otrip_sim.gtfs.fares_export import export_fares

    rule = {"kind": "pay_difference", "id": "x", "operators": ["bus", "metro"], "duration": "90min"}
    missing = export_fares(load_scenario(write_scenario(lambda d: _with_window(d, rule))), tmp_path / "gtfs")
    assert any("pay_difference" in line for line in missing)
