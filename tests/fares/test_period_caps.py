"""Period caps per card: daily, calendar-week and rolling-week limits (Oyster-style capping)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import tap_all
from hypothesis import given
from hypothesis import strategies as st

from otrip_sim import InputError, compile_scenario, load_scenario
from otrip_sim.fares import FarePolicy, FlatFare, Leg, PeriodCap, price_card
from otrip_sim.replay import replay

DAY = 86_400
H = 3600
FARES = {"bus": FlatFare("bus", 3500), "rail": FlatFare("rail", 5000), "coach": FlatFare("coach", 20000)}


def amounts(policy, legs):
    return [c.amount for c in price_card(policy, legs)]


def test_daily_cap_resets_at_day_start():
    daily = FarePolicy(
        "d", FARES, period_caps=(PeriodCap("daily", frozenset({"bus", "rail"}), "day", 10_000),)
    )
    legs = [
        Leg("bus", 8 * H),
        Leg("rail", 9 * H),
        Leg("bus", 12 * H),
        Leg("bus", 18 * H),
        Leg("bus", 27 * H + 1800),
        Leg("bus", DAY + 8 * H),
    ]
    # 3,500 + 5,000 = 8,500; then 1,500 (cap 10,000), then 0; 03:30 next morning is still the same
    # capping day (days start at 04:00): 0; 08:00 next day: a new day, 3,500
    charges = price_card(daily, legs)
    assert [c.amount for c in charges] == [3500, 5000, 1500, 0, 0, 3500]
    assert [c.rule for c in charges][2:5] == ["daily:capped"] * 3


def test_operators_outside_the_cap_pay_in_full():
    daily = FarePolicy("d", FARES, period_caps=(PeriodCap("daily", frozenset({"bus"}), "day", 5000),))
    assert amounts(daily, [Leg("bus", 8 * H), Leg("coach", 9 * H), Leg("bus", 10 * H)]) == [3500, 20000, 1500]


def test_calendar_week_and_rolling_week():
    weekly = FarePolicy("w", FARES, period_caps=(PeriodCap("weekly", frozenset({"rail"}), "week", 12_000),))
    rolling = FarePolicy(
        "r", FARES, period_caps=(PeriodCap("rolling", frozenset({"rail"}), "rolling_week", 12_000),)
    )
    # rail on day 5 (Saturday), day 6, day 7 (the next Monday), day 8
    legs = [Leg("rail", d * DAY + 8 * H) for d in (5, 6, 7, 8)]
    assert amounts(weekly, legs) == [5000, 5000, 5000, 5000]  # a new week starts on day 7
    assert amounts(rolling, legs) == [5000, 5000, 2000, 0]  # all within 7 x 24 h


def test_daily_and_weekly_together_take_the_tightest():
    both = FarePolicy("b", FARES, period_caps=(PeriodCap("weekly", frozenset({"bus"}), "week", 9000),
                                               PeriodCap("daily", frozenset({"bus"}), "day", 5000)))
    legs = [
        Leg("bus", 8 * H),
        Leg("bus", 9 * H),
        Leg("bus", DAY + 8 * H),
        Leg("bus", DAY + 9 * H),
        Leg("bus", 2 * DAY + 8 * H),
    ]
    charges = price_card(both, legs)
    # day 0: 3,500 + 1,500 (daily); day 1: 3,500 + 500 (weekly: 9,000 reached); day 2: 0 (weekly)
    assert [c.amount for c in charges] == [3500, 1500, 3500, 500, 0]
    assert [c.rule for c in charges] == ["bus:flat", "daily:capped", "bus:flat", "weekly:capped",
                                         "weekly:capped"]
    reversed_order = FarePolicy("b", FARES, period_caps=tuple(reversed(both.period_caps)))
    assert price_card(reversed_order, legs) == charges


_leg = st.builds(Leg, st.sampled_from(["bus", "rail", "coach"]), st.integers(0, 10 * DAY))
_POLICY = FarePolicy(
    "p",
    FARES,
    period_caps=(
        PeriodCap("daily", frozenset({"bus", "rail"}), "day", 9000),
        PeriodCap("rolling", frozenset({"rail", "coach"}), "rolling_week", 30_000),
    ),
)


@given(st.lists(_leg, min_size=1, max_size=12))
def test_tap_by_tap_equals_whole_card_and_caps_hold(legs):
    legs = sorted(legs, key=lambda leg: leg.board_time)
    whole = price_card(_POLICY, legs)
    card, _, settled = tap_all(_POLICY, legs)
    assert settled == whole
    assert sum(t.amount for t in card.transactions) == sum(c.amount for c in whole)
    per_day: dict[int, int] = {}
    for leg, c in zip(legs, whole):
        assert c.amount >= 0
        if leg.operator in ("bus", "rail"):
            day = (leg.board_time - 4 * H) // DAY
            per_day[day] = per_day.get(day, 0) + c.amount
    assert all(v <= 9000 for v in per_day.values())


JAK = Path(__file__).resolve().parents[2] / "scenarios" / "jakarta"


@pytest.mark.parametrize("first_day", [5, 7])  # data starting on a Monday, and on a Wednesday
def test_weekly_cap_on_replayed_iso_data(tmp_path, first_day):
    import shutil

    shutil.copytree(JAK, tmp_path / "jakarta")
    scenario = tmp_path / "jakarta" / "jaklingko-2022.yaml"
    scenario.write_text(
        scenario.read_text().replace(
            "  windows:\n",
            "  caps:\n    - {id: tj-week, kind: weekly, operators: [transjakarta], cap: 20000}\n  windows:\n",
            1,
        )
    )
    taps = tmp_path / "taps.csv"
    # two TJ rides a day until Monday 12 Sep 2022 (5 Sep is a Monday)
    days = [f"2022-09-{d:02d}" for d in range(first_day, 13)]
    rows = [f"w,transjakarta,{d}T{h}:00:00" for d in days for h in ("08", "18")]
    taps.write_text("rider,operator,board_time\n" + "\n".join(rows) + "\n")
    fares = replay(scenario, taps).priced["fare"].tolist()
    # 3,500 a ride until the Mon-Sun week's 20,000 (5 rides 17,500 + 2,500), then 0 until Monday 12 Sep
    assert fares[:6] == [3500] * 5 + [2500]
    assert fares[6:-2] == [0] * (len(fares) - 8)
    assert fares[-2:] == [3500, 3500]


def test_a_cap_below_a_fare_it_must_contain_is_refused(write_scenario):
    with pytest.raises(
        InputError,
        match=r"fares\.windows\[0\]\.cap: the cap is below a bus fare it must contain \(3500\) \(got 3000\)",
    ):
        compile_scenario(load_scenario(write_scenario(lambda d: d["fares"]["windows"][0].update(cap=3000))))
    with pytest.raises(InputError, match=r"fares\.caps\[0\]\.operators\[0\]: unknown operator"):
        load_scenario(
            write_scenario(
                lambda d: d["fares"].update(
                    caps=[{"id": "d", "kind": "daily", "operators": ["tram"], "cap": 9000}]
                ),
                "b.yaml",
            )
        )
