"""MRT station-to-station table (§2): min(14,000, 3,000 + 1,000 × stations apart)."""

from __future__ import annotations

import pytest
from builders import (
    ASEAN,
    BENDUNGAN_HILIR,
    BLOK_A,
    BLOK_M,
    BUNDARAN_HI,
    CIPETE,
    DUKUH_ATAS,
    FATMAWATI,
    HAJI_NAWI,
    ISTORA,
    JAKLINGKO,
    LEBAK_BULUS,
    MRT_STATIONS,
    SENAYAN,
    SETIABUDI,
    mrt,
    price,
)

from otrip_sim.fares import Charge, Leg


def mrt_leg(a, b):
    return Leg("mrt", 8 * 3600, metres=5_000, board_stop=a, alight_stop=b)


# The published row from Lebak Bulus (Pergub 34/2019)
@pytest.mark.parametrize(
    ("to", "fare"),
    [
        (FATMAWATI, 4_000),
        (CIPETE, 5_000),
        (HAJI_NAWI, 6_000),
        (BLOK_A, 7_000),
        (BLOK_M, 8_000),
        (ASEAN, 9_000),
        (SENAYAN, 10_000),
        (ISTORA, 11_000),
        (BENDUNGAN_HILIR, 12_000),
        (SETIABUDI, 13_000),
        (DUKUH_ATAS, 14_000),
        (BUNDARAN_HI, 14_000),  # 12 apart: 15,000 capped at 14,000
    ],
)
def test_published_row_from_lebak_bulus(to, fare):
    assert mrt().price(mrt_leg(LEBAK_BULUS, to)) == Charge(fare, "mrt:station_table")


def test_table_is_symmetric_and_covers_all_13_stations():
    # assumption rows (formula): Bundaran HI → Lebak Bulus 14,000; Blok M → Senayan (2 apart) 5,000
    fare = mrt()
    assert len(MRT_STATIONS) == 13
    assert fare.price(mrt_leg(BUNDARAN_HI, LEBAK_BULUS)).amount == 14_000
    assert fare.price(mrt_leg(BLOK_M, SENAYAN)).amount == 5_000
    assert fare.price(mrt_leg(SENAYAN, BLOK_M)).amount == 5_000
    assert fare.max_amount == 14_000


def test_missing_stop_charges_maximum():
    assert mrt().price(Leg("mrt", 0, metres=3_000, board_stop=BLOK_M)) == Charge(14_000, "mrt:no_stations")
    assert mrt().price(Leg("mrt", 0)) == Charge(14_000, "mrt:no_stations")


def test_unknown_pair_is_an_error():
    with pytest.raises(KeyError):
        mrt().price(mrt_leg(BLOK_M, "krl_manggarai"))


def test_mrt_alone_in_jaklingko_pays_table_fare():
    # one eligible operator in the window → standalone table fares: 8 apart = 11,000; 1 apart = 4,000
    charges = price(
        JAKLINGKO,
        [
            ("mrt", "08:00", 10.0, {"stops": (LEBAK_BULUS, ISTORA)}),
            ("mrt", "09:00", 1.0, {"stops": (ISTORA, SENAYAN)}),
        ],
    )
    assert charges == [Charge(11_000, "mrt:station_table"), Charge(4_000, "mrt:station_table")]
