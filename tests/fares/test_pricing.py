"""The one pricing interface: a leg table in, settled fares with outcomes, windows, provisional
charges and the transaction log out — the same from both backends; and continuations priced from
a card's state (what path and mode choice ask)."""

from __future__ import annotations

import numpy as np
import pytest
from builders import JAKLINGKO, OKOTRIP, card, clock
from hypothesis import given
from hypothesis import strategies as st
from test_pay_difference import HOUSTON, ORCA_OPS, orca

from otrip_sim.fares import (
    ADJUSTMENT,
    ALWAYS,
    TAP,
    FarePolicy,
    FlatFare,
    Leg,
    LegTable,
    Outcome,
    PeriodCap,
    TransferWindow,
    backend_for,
    open_bound,
    open_until,
    price,
    price_card,
    price_continuations,
    rule_id,
)
from otrip_sim.fares.vector import as_arrays


def table(specs, cards) -> LegTable:
    return as_arrays(card(specs), cards)


def test_a_cap_window_with_a_paid_area_change_by_hand():
    # 08:00 TJ 3,500 (its own fare), a paid-area change (no tap), 08:40 mikrotrans 3,000 but only
    # 1,500 is left of the Rp 5,000 cap; another card rides TJ once in the early band (2,000)
    legs = table([("transjakarta", "08:00", 4.0), ("transjakarta", "08:20", 2.0, {"tapped": False}),
                  ("mikrotrans", "08:40", 3.0), ("transjakarta", "06:10", 5.0)], [1, 1, 1, 2])
    for backend in ("vector", "card"):
        got = price(OKOTRIP, legs, log=True, backend=backend)
        assert got.fare.tolist() == [3_500, 0, 1_500, 2_000]
        assert got.rule_names().tolist() == ["okotrip:own", "transjakarta:paid_area", "okotrip:remainder",
                                             "okotrip:own"]
        assert [Outcome(o) for o in got.outcome()] == [Outcome.WINDOW_OWN, Outcome.PAID_AREA,
                                                        Outcome.WINDOW_REMAINDER, Outcome.WINDOW_OWN]
        assert got.window.tolist() == [0, 0, 0, 0]  # the change is in its tapped leg's window
        assert got.own.tolist() == [3_500, 0, 3_000, 2_000]
        assert got.provisional.tolist() == [3_500, 0, 1_500, 2_000]
        tx = got.transactions
        assert sorted(zip(tx.leg.tolist(), tx.kind.tolist(), tx.amount.tolist())) == [
            (0, TAP, 3_500), (2, TAP, 1_500), (3, TAP, 2_000)]


def test_an_integrated_window_settles_with_an_adjustment_in_both_backends():
    # JakLingko: TJ 10 km then MRT (table fare) 8 km: the window costs min(10,000, 2,500 + 250 × 18)
    # = 7,000, shared 20:8 by weight (first leg +10 km): 5,000 and 2,000; TJ's tap took 3,500
    from builders import ASEAN, LEBAK_BULUS

    legs = table(
        [("transjakarta", "08:00", 10.0), ("mrt", "08:40", 8.0, {"stops": (LEBAK_BULUS, ASEAN)})], [7, 7]
    )
    results = [price(JAKLINGKO, legs, log=True, backend=b) for b in ("vector", "card")]
    for got in results:
        assert got.fare.tolist() == [5_000, 2_000]
        assert got.provisional.sum() == 7_000 and got.provisional[0] == 3_500
        tx = got.transactions
        assert tx.amount.sum() == 7_000
        assert (tx.kind == ADJUSTMENT).sum() == 2  # both legs corrected when the window settles
    v, c = results
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert sorted(zip(v.transactions.leg.tolist(), v.transactions.amount.tolist())) == sorted(
        zip(c.transactions.leg.tolist(), c.transactions.amount.tolist()))


def test_the_backend_is_chosen_from_the_policy():
    assert backend_for(OKOTRIP) == "vector"
    transfer = FarePolicy(
        "t", {"bus": FlatFare("bus", 3_000)}, windows=(TransferWindow("x", frozenset({"bus"}), 3_600),)
    )
    assert backend_for(transfer) == "card"
    got = price(transfer, as_arrays(card([("bus", "08:00"), ("bus", "08:30")]), [0, 0]))
    assert got.fare.tolist() == [3_000, 0]
    with pytest.raises(ValueError, match="unknown backend"):
        price(OKOTRIP, as_arrays(card([("bus", "08:00")]), [0]), backend="gpu")


def test_a_return_trip_inside_the_window_adds_only_what_is_left_of_the_cap():
    # The card rode TJ at 08:00 (3,500 of the Rp 5,000 cap).  Continuing on TJ at 10:30 (inside the
    # 3-hour window) adds 1,500; at 11:30 (outside) the full 3,500; a fresh card pays 3,500.
    history = as_arrays(card([("transjakarta", "08:00", 4.0)]), ["person-1"])
    cand = as_arrays(card([("transjakarta", "10:30", 4.0), ("transjakarta", "11:30", 4.0),
                           ("transjakarta", "10:30", 4.0)]), [0, 1, 2])
    added = price_continuations(
        OKOTRIP, history, cand, np.array(["person-1", "person-1", "new"], dtype=object)
    )
    assert added.tolist() == [1_500, 3_500, 3_500]
    no_history = as_arrays([], np.zeros(0, dtype=np.int64))  # nobody has travelled yet: fresh cards
    assert price_continuations(OKOTRIP, no_history, cand, np.array([0, 1, 2])).tolist() == [3_500] * 3


def test_a_daily_cap_binds_across_continuations():
    # Rp 3,000 a ride, at most Rp 7,000 a day: after two rides a third adds 1,000, a fourth nothing
    policy = FarePolicy("capped", {"bus": FlatFare("bus", 3_000)},
                        period_caps=(PeriodCap("daily", frozenset({"bus"}), "day", 7_000),))
    history = as_arrays(card([("bus", "07:00"), ("bus", "12:00"), ("bus", "07:00"), ("bus", "12:00"),
                              ("bus", "15:00")]), [1, 1, 2, 2, 2])
    cand = as_arrays(card([("bus", "18:00"), ("bus", "18:00"), ("bus", "18:00")]), [0, 1, 2])
    assert price_continuations(policy, history, cand, np.array([1, 2, 3])).tolist() == [1_000, 0, 3_000]


def test_open_until_by_hand():
    # OK OTrip (Rp 5,000 cap for 180 minutes on TJ and mikrotrans): card 1's window opened at 08:00
    # is open until 11:00 whatever its later taps; card 2 rode only a non-integrated angkot; card
    # 3's second window opened at 12:00 (past 11:00): open until 15:00
    legs = table([("transjakarta", "08:00", 4.0), ("mikrotrans", "10:30", 3.0), ("angkot", "09:00", 3.0),
                  ("transjakarta", "08:00", 4.0), ("transjakarta", "12:00", 4.0)], [1, 1, 2, 3, 3])
    cards, until = open_until(OKOTRIP, legs)
    assert cards.tolist() == [1, 2, 3]
    assert until.tolist() == [clock("11:00"), -1, clock("15:00")]
    # a daily cap links any two taps of the day
    capped = FarePolicy("capped", {"bus": FlatFare("bus", 3_000)},
                        period_caps=(PeriodCap("daily", frozenset({"bus"}), "day", 7_000),))
    assert open_until(capped, table([("bus", "07:00", 1.0)], [5]))[1].tolist() == [ALWAYS]
    assert open_bound(capped, np.array([clock("07:00")])).tolist() == [ALWAYS]
    # a transfer chain measured from the previous leg: open until its last leg + the duration
    chain = FarePolicy("chain", {"bus": FlatFare("bus", 3_000)},
                       windows=(TransferWindow("x", frozenset({"bus"}), 3600, limit="1"),))
    assert open_until(chain, table([("bus", "07:00", 1.0), ("bus", "07:50", 1.0)], [1, 1]))[1].tolist() == [
        clock("08:50")]


_op = st.sampled_from(["transjakarta", "mikrotrans", "mrt", "lrt", "krl", "angkot"])


@given(st.lists(st.tuples(_op, st.integers(clock("05:00"), clock("20:00")), st.integers(0, 30_000)),
                min_size=1, max_size=6),
       _op, st.integers(1, 3 * 3600), st.integers(0, 30_000))
def test_after_open_until_a_tap_costs_what_it_costs_on_a_fresh_card(earlier, op, after, metres):
    """Path choice trusts open_until: a tap later than it adds exactly its fresh-card fare."""
    from builders import leg

    before = [leg(o, t, metres=m) for o, t, m in earlier if o != "mrt"]
    before = before or [leg("transjakarta", clock("08:00"))]
    history = as_arrays(before, [0] * len(before))
    _, until = open_until(JAKLINGKO, history)
    t = max(int(until[0]), max(x.board_time for x in before)) + after
    nxt = [leg(op if op != "mrt" else "lrt", t, metres=metres)]
    added = price_continuations(JAKLINGKO, history, as_arrays(nxt, [0]), np.array([0]))
    assert added.tolist() == [sum(c.amount for c in price_card(JAKLINGKO, nxt))]


@given(st.lists(st.tuples(_op, st.integers(clock("05:00"), clock("20:00")), st.integers(0, 30_000)),
                min_size=1, max_size=6))
def test_open_bound_is_at_or_after_open_until(earlier):
    """Path choice skips the cards past open_bound: it never comes before open_until."""
    from builders import leg

    legs = [leg(o, t, metres=m) for o, t, m in earlier]
    history = as_arrays(legs, [0] * len(legs))
    last = np.maximum(history.board_time, history.alight_time).max(keepdims=True)
    for policy in (JAKLINGKO, OKOTRIP):
        assert open_bound(policy, last)[0] >= open_until(policy, history)[1][0]
    assert open_bound(FarePolicy("none", {}), last).tolist() == [-1]


@given(st.lists(st.tuples(_op, st.integers(clock("05:00"), clock("22:00")), st.integers(0, 30_000)),
                min_size=1, max_size=6),
       st.lists(st.tuples(_op, st.integers(0, 4 * 3600), st.integers(0, 30_000)), min_size=1, max_size=3))
def test_a_continuation_adds_what_the_whole_card_costs_more(earlier, later):
    """For any card and continuation: continuation price = price(card + continuation) − price(card)."""
    from builders import leg

    last = max(t for _, t, _ in earlier)
    before = [leg(op, t, metres=m) for op, t, m in earlier if op != "mrt"] or [leg("transjakarta", last)]
    after = [leg(op, last + dt, metres=m) for op, dt, m in later if op != "mrt"] or [leg("lrt", last + 60)]
    whole = sum(c.amount for c in price_card(JAKLINGKO, before + after))
    alone = sum(c.amount for c in price_card(JAKLINGKO, before))
    added = price_continuations(
        JAKLINGKO, as_arrays(before, [0] * len(before)), as_arrays(after, [0] * len(after)), np.array([0])
    )
    assert added.tolist() == [whole - alone]


def test_rule_ids_are_built_from_source_and_outcome():
    assert rule_id("okotrip", Outcome.WINDOW_REMAINDER) == "okotrip:remainder"
    assert rule_id("transjakarta", Outcome.TIME_BAND, "early") == "transjakarta:early"
    assert rule_id("free", Outcome.EXEMPT) == "free"
    assert Outcome.PERIOD_CAPPED.capped and Outcome.WINDOW_CAPPED.capped and not Outcome.INTEGRATED.capped
    assert Outcome.INTEGRATED_CAPPED.capped
    assert rule_id("jaklingko", Outcome.INTEGRATED_CAPPED) == "jaklingko:capped"
    assert not Outcome.DISTANCE_CAP.capped and not Outcome.STANDALONE_CHEAPER.capped
    assert all(o.why for o in Outcome)


_day = st.integers(clock("05:00"), clock("22:00"))


@given(st.lists(st.tuples(st.integers(0, 3), _op, _day, st.integers(0, 30_000)), min_size=1, max_size=25))
def test_the_all_tapped_shortcut_equals_the_general_path(rows):
    """Legs in any order, all tapped, no log: the shortcut gives the general path's fares, rules and
    window numbers (the general path runs when a log is asked)."""
    from builders import leg

    legs = [leg(op, t, metres=m) for _, op, t, m in rows if op != "mrt"]
    cards = [c for c, op, _, _ in rows if op != "mrt"]
    if not legs:
        return
    table = as_arrays(legs, cards)
    fast, full = (price(JAKLINGKO, table, log=log, backend="vector") for log in (False, True))
    assert price(OKOTRIP, table).window.tolist() == price(OKOTRIP, table, log=True).window.tolist()
    assert fast.fare.tolist() == full.fare.tolist()
    assert fast.rule_names().tolist() == full.rule_names().tolist()
    assert fast.window.tolist() == full.window.tolist()
    assert fast.own.tolist() == full.own.tolist()


@given(st.sampled_from(["houston", "orca"]),
       st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 20_000)), min_size=1, max_size=6),
       st.sampled_from(["A", "B", "C"]), st.integers(1, 3 * 3600))
def test_open_until_bounds_pay_the_difference_windows(which, earlier, route, after):
    """A restarted pay-the-difference window (ORCA) is bounded by its last leg: a tap later than
    open_until adds its fresh-card fare there too."""
    policy = HOUSTON if which == "houston" else orca(restart=True)
    op = "metro" if which == "houston" else sorted(ORCA_OPS)[0]
    ferries = {"A": None, "B": "ferry-east", "C": "ferry-west"}  # ORCA: USD 3.49, 2.00, 10.00
    route_of = (lambda r: r) if which == "houston" else ferries.get
    before = [Leg(op, t, route=route_of(r)) for r, t in earlier]
    history = as_arrays(before, [0] * len(before))
    _, until = open_until(policy, history)
    t = max(int(until[0]), max(x.board_time for x in before)) + after
    nxt = [Leg(op, t, route=route_of(route))]
    added = price_continuations(policy, history, as_arrays(nxt, [0]), np.array([0]))
    assert added.tolist() == [sum(c.amount for c in price_card(policy, nxt))]


def _log(got) -> list[tuple[int, int, int, int, str, bool]]:
    """The transaction log as sorted rows: leg, time, kind, amount, rule id, capped (TIDES fare_capped)."""
    tx = got.transactions
    names, outcomes = got.rules.names, got.rules.outcomes
    return sorted(zip(tx.leg.tolist(), tx.time.tolist(), tx.kind.tolist(), tx.amount.tolist(),
                      [names[k] for k in tx.rule], [Outcome(outcomes[k]).capped for k in tx.rule]))


def test_the_jaklingko_cap_flags_the_taps_it_lowered_in_both_backends():
    # JakLingko min(10,000, 2,500 + 250 × K) within 180 min of 08:00.  Taps, provisional charges:
    #   08:00 TJ 12 km   one operator so far: its own fare 3,500            not capped
    #   08:30 LRT 6 km   K = 18: 7,000 − 3,500 = 3,500                      not capped
    #   09:00 TJ 16 km   K = 34: 2,500 + 8,500 = 11,000 > cap: 10,000 − 7,000 = 3,000 (4,000 without the cap)
    #   09:40 LRT 5 km   K = 39: 12,250 > cap: 10,000 − 10,000 = 0
    #   11:30 TJ 5 km    210 min after 08:00: a new window, one operator: 3,500, not capped
    # Settled at 11:00 (the window's end): 10,000 by weights 22,000 / 6,000 / 16,000 / 5,000 (Σ 49,000):
    # 4,489.80 / 1,224.49 / 3,265.31 / 1,020.41 → floors 9,998, the 2 left to the largest remainders
    # (.80, .49): 4,490 / 1,225 / 3,265 / 1,020; adjustments +990, −2,275, +265, +1,020, all capped.
    legs = table([("transjakarta", "08:00", 12.0), ("lrt", "08:30", 6.0), ("transjakarta", "09:00", 16.0),
                  ("lrt", "09:40", 5.0), ("transjakarta", "11:30", 5.0)], [3] * 5)
    t, end = clock("08:00"), clock("11:00")
    expected = [
        (0, t, TAP, 3_500, "transjakarta:standard", False),
        (0, end, ADJUSTMENT, 990, "jaklingko:capped", True),
        (1, clock("08:30"), TAP, 3_500, "jaklingko:integrated", False),
        (1, end, ADJUSTMENT, -2_275, "jaklingko:capped", True),
        (2, clock("09:00"), TAP, 3_000, "jaklingko:capped", True),
        (2, end, ADJUSTMENT, 265, "jaklingko:capped", True),
        (3, clock("09:40"), TAP, 0, "jaklingko:capped", True),
        (3, end, ADJUSTMENT, 1_020, "jaklingko:capped", True),
        (4, clock("11:30"), TAP, 3_500, "transjakarta:standard", False),
    ]
    for backend in ("vector", "card"):
        got = price(JAKLINGKO, legs, log=True, backend=backend)
        assert got.fare.tolist() == [4_490, 1_225, 3_265, 1_020, 3_500], backend
        assert got.rule_names().tolist() == ["jaklingko:capped"] * 4 + ["transjakarta:standard"], backend
        assert [Outcome(o) for o in got.outcome()][:4] == [Outcome.INTEGRATED_CAPPED] * 4, backend
        assert got.provisional.tolist() == [3_500, 3_500, 3_000, 0, 3_500], backend
        assert _log(got) == expected, backend


def test_an_integrated_window_exactly_at_its_cap_is_not_capped():
    # K = 30: 2,500 + 7,500 = 10,000, the cap itself: the cap did not lower anything
    legs = table([("transjakarta", "08:00", 19.5), ("lrt", "08:30", 10.0)], [0, 0])
    for backend in ("vector", "card"):
        got = price(JAKLINGKO, legs, log=True, backend=backend)
        assert got.fare.sum() == 10_000
        assert set(got.rule_names().tolist()) == {"jaklingko:integrated"}
        assert not any(capped for *_, capped in _log(got))


_jak_op = st.sampled_from(["transjakarta", "lrt", "mikrotrans", "krl", "transjakarta", "lrt"])


@given(st.booleans(),
       st.lists(st.tuples(st.integers(0, 2), _jak_op, _day, st.integers(0, 30_000), st.booleans()),
                min_size=1, max_size=12))
def test_both_backends_log_the_same_taps_with_the_same_capped_flags(cheaper, rows):
    """The whole transaction log (taps and adjustments, amounts, rule ids and so fare_capped) is the
    same from both backends on random JakLingko cards, the integrated cap often binding (legs up to
    30 km), with and without cheaper_of_standalone, paid-area changes included."""
    from dataclasses import replace

    from builders import leg

    policy = JAKLINGKO if not cheaper else FarePolicy(
        "c", JAKLINGKO.standalone, JAKLINGKO.categories,
        (replace(JAKLINGKO.windows[0], cheaper_of_standalone=True),))
    rows = sorted(rows, key=lambda r: (r[0], r[2]))
    # a paid-area change follows a tapped leg of its own operator on the same card
    legs, cards = [], []
    for c, op, t, m, change in rows:
        untapped = change and legs and cards[-1] == c and legs[-1].operator == op
        legs.append(leg(op, t, metres=m, tapped=not untapped))
        cards.append(c)
    v, c = (price(policy, as_arrays(legs, cards), log=True, backend=b) for b in ("vector", "card"))
    assert v.fare.tolist() == c.fare.tolist()
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert v.provisional.tolist() == c.provisional.tolist()
    assert _log(v) == _log(c)


def test_a_daily_cap_flags_the_refund_that_applies_it():
    # Rp 3,000 a ride, at most Rp 7,000 a day: each tap charges 3,000 (a reader caps when the card
    # settles); the third ride is refunded 2,000 (pays 1,000), the fourth 3,000 (pays 0): those two
    # adjustments are capped, no tap is
    policy = FarePolicy("capped", {"bus": FlatFare("bus", 3_000)},
                        period_caps=(PeriodCap("daily", frozenset({"bus"}), "day", 7_000),))
    legs = table([("bus", "07:00"), ("bus", "09:00"), ("bus", "12:00"), ("bus", "15:00")], [1] * 4)
    got = price(policy, legs, log=True)
    assert got.fare.tolist() == [3_000, 3_000, 1_000, 0]
    assert _log(got) == [
        (0, clock("07:00"), TAP, 3_000, "bus:flat", False),
        (1, clock("09:00"), TAP, 3_000, "bus:flat", False),
        (2, clock("12:00"), TAP, 3_000, "bus:flat", False),
        (2, clock("12:00"), ADJUSTMENT, -2_000, "daily:capped", True),
        (3, clock("15:00"), TAP, 3_000, "bus:flat", False),
        (3, clock("15:00"), ADJUSTMENT, -3_000, "daily:capped", True),
    ]
