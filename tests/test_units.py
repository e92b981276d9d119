"""Parsing and formatting of clock times (integer seconds), durations, distances (integer metres)
and money (integer minor units)."""

import pytest

from otrip_sim.units import format_clock, format_money, km_to_m, parse_clock, parse_distance, parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [("05:00", 18000), ("05:00:01", 18001), ("24:00", 86400), ("25:30:15", 91815), (60, 60)],
)
def test_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("bad", ["5", "05:60", "aa:bb", -1, True, "05:00:61"])
def test_parse_clock_rejects(bad):
    with pytest.raises(ValueError):
        parse_clock(bad)


@pytest.mark.parametrize(
    "text, seconds",
    [(300, 300), ("90s", 90), ("5min", 300), ("2.5min", 150), ("3h", 10800), ("180min", 10800),
     ("01:30:00", 5400)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["0.3s", "5 parsecs", "", -5])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(
    "text, metres",
    [(500, 500), ("500m", 500), ("15.7km", 15700), ("25.0005km", 25001), ("0.0004km", 0), ("5.8km", 5800)],
)
def test_parse_distance_half_up(text, metres):
    assert parse_distance(text) == metres


def test_km_to_m_halves_round_up():
    assert km_to_m("1.0005") == 1001
    assert km_to_m(1.0004) == 1000


def test_parse_distance_rejects_fractional_metres():
    with pytest.raises(ValueError):
        parse_distance("10.5m")


def test_format():
    assert format_money(5000) == "Rp 5,000"
    assert format_money(-1250) == "-Rp 1,250"
    assert format_money(250, "USD") == "$ 2.50"
    assert format_clock(91815) == "25:30:15"
