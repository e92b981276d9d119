"""TransJakarta time-band fare (§2): 3,500; 2,000 at or after 05:00:00 and before 07:00:00."""

from __future__ import annotations

import pytest
from builders import (
    BASELINE,
    EARLY,
    OKOTRIP,
    amounts,
    clock,
    price,
    rules,
    transjakarta,
)

from otrip_sim.fares import Charge, Leg, TimeBand, TimeBandFare


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("00:00:00", Charge(3_500, "transjakarta:standard")),
        ("04:59:59", Charge(3_500, "transjakarta:standard")),  # one second before the band
        ("05:00:00", Charge(2_000, "transjakarta:early")),  # band start is inclusive
        ("06:00:00", Charge(2_000, "transjakarta:early")),
        ("06:59:59", Charge(2_000, "transjakarta:early")),  # last second of the band
        ("07:00:00", Charge(3_500, "transjakarta:standard")),  # band end is exclusive
        ("23:59:59", Charge(3_500, "transjakarta:standard")),
        ("29:30:00", Charge(2_000, "transjakarta:early")),  # 05:30 next morning: bands are clock times
        ("31:00:00", Charge(3_500, "transjakarta:standard")),  # 07:00 next morning
    ],
)
def test_tj_early_band_boundaries(at, expected):
    assert transjakarta().price(Leg("transjakarta", clock(at))) == expected


@pytest.mark.parametrize(
    ("at", "fare"), [("04:59:59", 3_500), ("05:00:00", 2_000), ("06:59:59", 2_000), ("07:00:00", 3_500)]
)
def test_tj_early_band_through_baseline_policy(at, fare):
    assert amounts(price(BASELINE, [("transjakarta", at, 10.0)])) == [fare]


def test_band_table_and_max_amount():
    assert TimeBand("early", 18_000, 25_200, 2_000) == EARLY  # 05:00:00 = 18,000 s; 07:00:00 = 25,200 s
    assert transjakarta().max_amount == 3_500
    assert TimeBandFare("x", 1_000, (TimeBand("peak", 0, 10, 4_000),)).max_amount == 4_000


def test_early_first_tap_in_okotrip_window_pays_2000_then_remainder_3000():
    # 06:30 early TJ 2,000 opens the window; 07:30 TJ own 3,500 > 5,000 − 2,000 → pays 3,000; then 0
    charges = price(
        OKOTRIP,
        [("transjakarta", "06:30", 5.0), ("transjakarta", "07:30", 5.0), ("transjakarta", "08:30", 5.0)],
    )
    assert amounts(charges) == [2_000, 3_000, 0]
    assert rules(charges) == ["okotrip:own", "okotrip:remainder", "okotrip:capped"]


def test_early_tj_then_microbus_fills_cap_exactly_with_own_fares():
    # 2,000 + 3,000 = 5,000: the microbus pays its own 3,000 in full (rule "own"), the next TJ pays 0
    charges = price(
        OKOTRIP,
        [("transjakarta", "06:00", 5.0), ("mikrotrans", "06:40", 3.0), ("transjakarta", "07:10", 5.0)],
    )
    assert amounts(charges) == [2_000, 3_000, 0]
    assert rules(charges) == ["okotrip:own", "okotrip:own", "okotrip:capped"]
