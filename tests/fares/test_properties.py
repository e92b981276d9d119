"""Invariants (hypothesis): non-negative fares, caps, Card == price_card, order independence, apportionment,
and agreement with an independent re-statement of §2–§3 for the three Jakarta policies."""

from __future__ import annotations

from fractions import Fraction

from builders import (
    JAKARTA_POLICIES,
    JAKLINGKO_CAP,
    MRT_STATIONS,
    OKOTRIP_CAP,
    krl,
    mrt_formula,
    tap_all,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from otrip_sim.fares import (
    CapWindow,
    CategoryFree,
    DistanceFare,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    Leg,
    largest_remainder,
    price_card,
)

FAST = settings(max_examples=200, deadline=None)
POLICY_NAMES = sorted(JAKARTA_POLICIES)

# gaps between consecutive taps: window edges (10,800 / 10,801) and same-second taps are likely
GAPS = st.one_of(
    st.sampled_from([0, 1, 60, 900, 3_600, 5_400, 10_799, 10_800, 10_801]), st.integers(0, 12_000)
)


@st.composite
def journeys(draw, operators, distinct_times=False, min_legs=1, max_legs=8):
    """1–8 legs in time order: random operators, categories, distances, MRT stops and paid-area changes."""
    n = draw(st.integers(min_legs, max_legs))
    t = draw(st.integers(4 * 3_600, 8 * 3_600))  # some taps fall in the 05:00–07:00 early band
    legs = []
    for i in range(n):
        if i:
            gap = draw(GAPS)
            t += max(gap, 1) if distinct_times else gap
        metres = draw(st.integers(0, 40_000))
        after_tj = (
            any(x.tapped for x in legs) and [x for x in legs if x.tapped][-1].operator == "transjakarta"
        )
        if after_tj and draw(st.integers(0, 3)) == 0:
            # a change inside the BRT paid area: only ever after a tapped TransJakarta leg (§3)
            legs.append(Leg("transjakarta", t, metres, tapped=False))
            continue
        op = draw(st.sampled_from(operators))
        category = draw(st.sampled_from(["adult", "adult", "free"]))
        stops = (None, None)
        if op == "mrt" and draw(st.integers(0, 5)):
            stops = (draw(st.sampled_from(MRT_STATIONS)), draw(st.sampled_from(MRT_STATIONS)))
        legs.append(Leg(op, t, metres, category, stops[0], stops[1]))
    return legs


@st.composite
def policy_and_legs(draw, distinct_times=False):
    name = draw(st.sampled_from(POLICY_NAMES))
    policy = JAKARTA_POLICIES[name]
    return policy, draw(journeys(sorted(policy.standalone), distinct_times=distinct_times))


# --- an independent statement of §2–§3, for the oracle test ------------------------------------

EXEMPT = {"transjakarta", "mikrotrans", "mrt", "lrt"}


def spec_standalone(policy_name: str, leg: Leg) -> int:
    op = leg.operator
    if op == "transjakarta":
        return 2_000 if 5 * 3_600 <= leg.board_time < 7 * 3_600 else 3_500
    if op == "krl":
        return 3_000 + 1_000 * -(-max(0, leg.metres - 25_000) // 10_000)
    if op == "mrt":
        if leg.board_stop is None or leg.alight_stop is None:
            return 14_000
        return mrt_formula(leg.board_stop, leg.alight_stop)
    if op == "mikrotrans":
        return 3_000 if policy_name == "okotrip-2018" else 0
    if op == "angkot":
        return 6_000 if policy_name == "jaklingko-2022" else 3_000
    return {"lrt": 5_000, "royaltrans": 20_000}[op]


def spec_price(policy_name: str, legs: list[Leg]) -> list[int]:
    """§3, written out directly (legs in time order)."""
    window_ops = {
        "baseline-2017": set(),
        "okotrip-2018": {"transjakarta", "mikrotrans"},
        "jaklingko-2022": {"transjakarta", "mrt", "lrt"},
    }[policy_name]
    fares = [0] * len(legs)
    metres = [leg.metres for leg in legs]
    windows: list[list[int]] = []
    start = None
    host = None
    for i, leg in enumerate(legs):
        if not leg.tapped:
            if host is not None:
                metres[host] += leg.metres
            continue
        host = i
        if leg.category == "free" and leg.operator in EXEMPT:
            continue
        if leg.operator not in window_ops:
            fares[i] = spec_standalone(policy_name, leg)
            continue
        if start is None or leg.board_time - start > 10_800:
            start = leg.board_time
            windows.append([])
        windows[-1].append(i)
    for members in windows:
        own = [spec_standalone(policy_name, legs[i]) for i in members]
        if policy_name == "okotrip-2018":
            paid = 0
            for i, o in zip(members, own):
                fares[i] = min(o, OKOTRIP_CAP - paid)
                paid += fares[i]
        elif len({legs[i].operator for i in members}) < 2:
            for i, o in zip(members, own):
                fares[i] = o
        else:
            k = (sum(metres[i] for i in members) + 500) // 1000
            total = min(JAKLINGKO_CAP, 2_500 + 250 * k)
            weights = [metres[i] for i in members]
            weights[0] += 10_000
            # exact shares, then largest remainder with ties to the earlier leg
            exact = [Fraction(total * w, sum(weights)) for w in weights]
            shares = [int(x) for x in exact]
            order = sorted(range(len(members)), key=lambda j: (-(exact[j] - shares[j]), j))
            for j in order[: total - sum(shares)]:
                shares[j] += 1
            for i, s in zip(members, shares):
                fares[i] = s
    return fares


@FAST
@given(policy_and_legs())
def test_price_card_matches_spec_restatement(case):
    policy, legs = case
    assert [c.amount for c in price_card(policy, legs)] == spec_price(policy.name, legs)


@FAST
@given(policy_and_legs())
def test_settled_fares_are_never_negative(case):
    policy, legs = case
    assert all(c.amount >= 0 for c in price_card(policy, legs))
    _, _, settled = tap_all(policy, legs)
    assert all(c.amount >= 0 for c in settled)


@FAST
@given(policy_and_legs())
def test_card_tap_by_tap_then_settle_equals_price_card(case):
    policy, legs = case
    card, _, settled = tap_all(policy, legs)
    assert settled == price_card(policy, legs)
    assert sum(t.amount for t in card.transactions) == sum(c.amount for c in settled)


def window_groups(policy: FarePolicy, legs: list[Leg]) -> list[list[int]]:
    """Indices of the legs of each window (legs in time order), per §3."""
    groups: list[list[int]] = []
    start = None
    for i, leg in enumerate(legs):
        if (
            not leg.tapped
            or policy.exemption(leg.category, leg.operator)
            or policy.window_of(leg.operator) is None
        ):
            continue
        if start is None or leg.board_time - start > 10_800:
            start = leg.board_time
            groups.append([])
        groups[-1].append(i)
    return groups


@FAST
@given(journeys(["transjakarta", "mikrotrans", "angkot", "krl", "royaltrans"], max_legs=10))
def test_okotrip_window_total_never_exceeds_cap(legs):
    policy = JAKARTA_POLICIES["okotrip-2018"]
    charges = price_card(policy, legs)
    for members in window_groups(policy, legs):
        total = sum(charges[i].amount for i in members)
        own = sum(policy.standalone[legs[i].operator].price(legs[i]).amount for i in members)
        assert total == min(OKOTRIP_CAP, own) <= OKOTRIP_CAP


@FAST
@given(journeys(["transjakarta", "mrt", "lrt", "krl", "mikrotrans"], max_legs=10))
def test_jaklingko_integrated_window_total_never_exceeds_cap(legs):
    policy = JAKARTA_POLICIES["jaklingko-2022"]
    charges = price_card(policy, legs)
    for members in window_groups(policy, legs):
        if all(charges[i].rule == "jaklingko:integrated" for i in members):
            assert len({legs[i].operator for i in members}) >= 2
            assert 0 < sum(charges[i].amount for i in members) <= JAKLINGKO_CAP


@FAST
@given(policy_and_legs(distinct_times=True), st.randoms(use_true_random=False))
def test_shuffled_input_gives_same_per_leg_charges(case, rnd):
    policy, legs = case
    expected = price_card(policy, legs)
    order = list(range(len(legs)))
    rnd.shuffle(order)
    shuffled = price_card(policy, [legs[i] for i in order])
    assert [shuffled[order.index(i)] for i in range(len(legs))] == expected


# A policy with several windows and category rules, so that rule order could matter.
MIXED_STANDALONE = {
    "transjakarta": FlatFare("transjakarta", 3_500),
    "mikrotrans": FlatFare("mikrotrans", 3_000),
    "mrt": FlatFare("mrt", 6_000),
    "lrt": FlatFare("lrt", 5_000),
    "krl": DistanceFare("krl", 3_000, 25_000, 10_000, 1_000),
    "royaltrans": FlatFare("royaltrans", 20_000),
    "angkot": FlatFare("angkot", 3_000),
}
MIXED_WINDOWS = (
    CapWindow("cap", frozenset({"transjakarta", "mikrotrans"}), 10_800, 5_000),
    IntegratedWindow("int", frozenset({"mrt", "lrt"}), 7_200, 2_500, 250, 10_000),
    FirstFareWindow("ff", frozenset({"krl", "royaltrans"}), 3_600),
)
MIXED_CATEGORIES = (
    CategoryFree("free", "free", frozenset({"transjakarta", "mikrotrans", "mrt", "lrt"})),
    CategoryFree("student", "student", frozenset({"krl", "angkot"})),
    CategoryFree("veteran", "veteran", frozenset({"royaltrans", "transjakarta"})),
)


@st.composite
def mixed_legs(draw):
    n = draw(st.integers(1, 8))
    t = draw(st.integers(0, 20_000))
    legs = []
    for _ in range(n):
        t += draw(GAPS)
        op = draw(st.sampled_from(sorted(MIXED_STANDALONE)))
        category = draw(st.sampled_from(["adult", "adult", "free", "student", "veteran"]))
        metres = draw(st.integers(0, 40_000))  # before tapped: the draw order shapes the examples
        tapped = op != "transjakarta" or draw(st.booleans())
        legs.append(Leg(op, t, metres, category, tapped=tapped))
    return legs


@FAST
@given(mixed_legs(), st.permutations(range(3)), st.permutations(range(3)))
def test_reordering_rules_changes_nothing(legs, w_order, c_order):
    base = FarePolicy("mixed", MIXED_STANDALONE, MIXED_CATEGORIES, MIXED_WINDOWS)
    permuted = FarePolicy(
        "mixed",
        MIXED_STANDALONE,
        tuple(MIXED_CATEGORIES[i] for i in c_order),
        tuple(MIXED_WINDOWS[i] for i in w_order),
    )
    assert price_card(permuted, legs) == price_card(base, legs)


@FAST
@given(st.sampled_from(POLICY_NAMES), st.data())
def test_reordering_jakarta_policy_rules_changes_nothing(name, data):
    policy = JAKARTA_POLICIES[name]
    legs = data.draw(journeys(sorted(policy.standalone)))
    rev = FarePolicy(
        name, dict(reversed(list(policy.standalone.items()))), policy.categories[::-1], policy.windows[::-1]
    )
    assert price_card(rev, legs) == price_card(policy, legs)


@FAST
@given(st.integers(0, 10**7), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_largest_remainder_sums_exactly_and_is_within_one(total, weights):
    shares = largest_remainder(total, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == total
    assert all(s >= 0 for s in shares)
    w_sum = sum(weights)
    if w_sum:
        for s, w in zip(shares, weights):
            assert abs(s - Fraction(total * w, w_sum)) < 1


@FAST
@given(st.integers(0, 10**6), st.integers(1, 10**4), st.integers(1, 12))
def test_largest_remainder_equal_weights_favour_earlier(total, w, n):
    shares = largest_remainder(total, [w] * n)
    assert shares == sorted(shares, reverse=True)
    assert max(shares) - min(shares) <= 1


def test_krl_builder_matches_spec_restatement():
    # guard for the oracle itself: spec_standalone agrees with the builder's KRL fare on the §2 examples
    for metres, fare in [(25_000, 3_000), (25_100, 4_000), (35_000, 4_000), (35_100, 5_000)]:
        leg = Leg("krl", 0, metres)
        assert spec_standalone("baseline-2017", leg) == krl().price(leg).amount == fare

