"""Revenue clearing between operators: hand-computed allocations for every method, exact sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from otrip_sim.clearing import METHODS, WindowLeg, clear_window, clear_windows, net_flows_many

# The published JakLingko example: LRT 6 km + TJ 12 km + MRT 8 km, settled 4,000 / 3,000 / 2,000.
JAK = [
    WindowLeg("lrt", 6000, 4000, 5000), WindowLeg("transjakarta", 12000, 3000, 3500),
    WindowLeg("mrt", 8000, 2000, 9000),
]


def test_km_share():
    # 9,000 × 6/26 = 2,076.9; × 12/26 = 4,153.8; × 8/26 = 2,769.2 → floors 2,076 / 4,153 / 2,769 (sum 8,998);
    # the 2 units left go to the largest remainders: LRT (.92) and TJ (.85), not MRT (.23)
    assert clear_window(JAK, "km_share") == {"lrt": 2077, "transjakarta": 4154, "mrt": 2769}


def test_boardings():
    assert clear_window(JAK, "boardings") == {"lrt": 3000, "transjakarta": 3000, "mrt": 3000}


def test_standalone_share():
    # weights 5,000 / 3,500 / 9,000 of 17,500: 2,571.4 / 1,800 / 4,628.6 → 2,571 / 1,800 / 4,629
    assert clear_window(JAK, "standalone_share") == {"lrt": 2571, "transjakarta": 1800, "mrt": 4629}


def test_equal_is_per_operator_not_per_leg():
    legs = [WindowLeg("transjakarta", 5000, 2000, 3500), WindowLeg("transjakarta", 3000, 0, 3500),
            WindowLeg("mrt", 4000, 3000, 7000)]
    assert clear_window(legs, "equal") == {"transjakarta": 2500, "mrt": 2500}


def test_first_keeps_boarding_then_km():
    # LRT keeps the 2,500 boarding charge; 6,500 by km 6/26, 12/26, 8/26 = 1,500 / 3,000 / 2,000
    assert clear_window(JAK, "first_keeps_boarding", boarding_charge=2500) == {
        "lrt": 4000, "transjakarta": 3000, "mrt": 2000,
    }


def test_first_keeps_boarding_never_more_than_the_total():
    legs = [WindowLeg("mikrotrans", 3000, 1000, 3000), WindowLeg("transjakarta", 9000, 0, 3500)]
    assert clear_window(legs, "first_keeps_boarding", boarding_charge=3000) == {
        "mikrotrans": 1000, "transjakarta": 0,
    }


def test_fixed_shares():
    out = clear_window(JAK, "fixed_shares", shares={"transjakarta": 0.5, "mrt": 0.3, "lrt": 0.2})
    assert out == {"lrt": 1800, "transjakarta": 4500, "mrt": 2700}


def test_okotrip_cap_window_cleared_by_km():
    # microbus 3,000 (4 km) then TJ 2,000 (12 km): Rp 5,000 by km → 1,250 / 3,750
    legs = [WindowLeg("mikrotrans", 4000, 3000, 3000), WindowLeg("transjakarta", 12000, 2000, 3500)]
    assert clear_window(legs, "km_share") == {"mikrotrans": 1250, "transjakarta": 3750}


def test_free_window_allocates_nothing():
    legs = [WindowLeg("transjakarta", 4000, 0, 3500), WindowLeg("mrt", 4000, 0, 5000)]
    for method in METHODS:
        assert sum(clear_window(legs, method, shares={"mrt": 1}).values()) == 0


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown clearing method"):
        clear_window(JAK, "by_vibes")


leg_strategy = st.builds(
    WindowLeg,
    st.sampled_from(["transjakarta", "mrt", "lrt", "mikrotrans"]),
    st.integers(0, 40_000),
    st.integers(0, 20_000),
    st.integers(0, 20_000),
)


@given(windows=st.lists(st.lists(leg_strategy, min_size=1, max_size=6), min_size=1, max_size=20),
       method=st.sampled_from(METHODS), charge=st.integers(0, 5000),
       shares=st.dictionaries(st.sampled_from(["transjakarta", "mrt", "lrt", "mikrotrans"]), st.floats(0, 1)))
def test_allocations_sum_to_fares_paid_window_by_window(windows, method, charge, shares):
    for legs in windows:
        out = clear_window(legs, method, charge, shares)
        assert sum(out.values()) == sum(leg.fare for leg in legs)
        assert all(v >= 0 for v in out.values())
        assert set(out) == {leg.operator for leg in legs}


def net_flows(charged: dict[str, int], cleared: dict[str, int]) -> dict[tuple[str, str], int]:
    """:func:`net_flows_many` for one window, as a dict (from, to) -> amount."""
    ops = list(dict.fromkeys([*charged, *cleared]))
    f, t, v = net_flows_many(np.zeros(len(ops), dtype=np.int64), np.arange(len(ops)),
                             np.array([charged.get(o, 0) for o in ops], dtype=np.int64),
                             np.array([cleared.get(o, 0) for o in ops], dtype=np.int64))
    return {(ops[a], ops[b]): amount for a, b, amount in zip(f.tolist(), t.tolist(), v.tolist())}


def test_net_flows_surpluses_pay_deficits_in_order():
    # a charged 100 of its 30, c 50 of its 20: a keeps 30, c 20; surpluses a 70, c 30 pay the
    # deficits b 60, d 40 in order: a→b 60, a→d 10, c→d 30
    flows = net_flows({"a": 100, "b": 0, "c": 50, "d": 0}, {"a": 30, "b": 60, "c": 20, "d": 40})
    assert flows == {("a", "a"): 30, ("c", "c"): 20, ("a", "b"): 60, ("a", "d"): 10, ("c", "d"): 30}


@given(charged=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 10_000), min_size=1),
       weights=st.lists(st.integers(0, 100), min_size=5, max_size=5))
def test_net_flows_rows_are_charged_and_columns_are_cleared(charged, weights):
    from otrip_sim.fares import largest_remainder

    ops = list("abcde")
    cleared = dict(zip(ops, largest_remainder(sum(charged.values()), weights)))
    flows = net_flows(charged, cleared)
    for op in ops:
        assert sum(v for (a, _), v in flows.items() if a == op) == charged.get(op, 0)
        assert sum(v for (_, b), v in flows.items() if b == op) == cleared[op]
    assert all(v > 0 for v in flows.values())


@given(windows=st.lists(st.lists(leg_strategy, min_size=1, max_size=6), min_size=1, max_size=20),
       method=st.sampled_from(METHODS), charge=st.integers(0, 5000),
       shares=st.dictionaries(st.sampled_from(["transjakarta", "mrt", "lrt", "mikrotrans"]), st.floats(0, 1)))
def test_clearing_all_windows_at_once_equals_window_by_window(windows, method, charge, shares):
    ops = ["transjakarta", "mrt", "lrt", "mikrotrans"]
    code = {op: i for i, op in enumerate(ops)}
    flat = [(w, leg) for w, legs in enumerate(windows) for leg in legs]
    win = np.array([w for w, _ in flat])
    op = np.array([code[leg.operator] for _, leg in flat])
    got_w, got_op, got = clear_windows(
        win, op, np.array([leg.metres for _, leg in flat]), np.array([leg.fare for _, leg in flat]),
        np.array([leg.standalone for _, leg in flat]), method, np.full(len(flat), charge),
        np.array([shares.get(o, 0.0) for o in ops]),
    )
    expected = [
        (w, code[o], v)
        for w, legs in enumerate(windows)
        for o, v in clear_window(legs, method, charge, shares).items()
    ]
    assert list(zip(got_w.tolist(), got_op.tolist(), got.tolist())) == expected
    # and the money moved between operators, window by window
    charged = [
        {o: sum(leg.fare for leg in legs if leg.operator == o)
         for o in dict.fromkeys(leg.operator for leg in legs)}
        for legs in windows
    ]
    ch = np.array([charged[w][ops[o]] for w, o in zip(got_w.tolist(), got_op.tolist())])
    f, t, amount = net_flows_many(got_w, got_op, ch, got)
    total: dict[tuple[str, str], int] = {}
    for a, b, v in zip(f.tolist(), t.tolist(), amount.tolist()):
        total[(ops[a], ops[b])] = total.get((ops[a], ops[b]), 0) + v
    want: dict[tuple[str, str], int] = {}
    for w, legs in enumerate(windows):
        cleared = clear_window(legs, method, charge, shares)
        for key, v in net_flows(charged[w], cleared).items():
            want[key] = want.get(key, 0) + v
    assert total == want
