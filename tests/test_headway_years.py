"""Headway bands of some years only: a route's span or frequency that changed between years."""

from __future__ import annotations

import pytest

from otrip_sim import InputError, load_scenario
from otrip_sim.network import build_network


def _late_band_from(year_list):
    """bus-2 runs 06:00-19:00 every year, and 19:00-21:00 only in ``year_list``."""

    def edit(doc):
        doc["network"]["routes"][1]["headways"] = [
            {"start": "06:00", "end": "19:00", "every": "10min"},
            {"start": "19:00", "end": "21:00", "every": "10min", "years": year_list},
        ]

    return edit


def _with_year(year, *edits):
    def edit(doc):
        doc["meta"]["year"] = year
        for e in edits:
            e(doc)

    return edit


def _departures(loaded, route="bus-2"):
    net = build_network(loaded)
    return next(ln.departures for ln in net.lines if ln.route == route and ln.direction == 0)


def test_a_band_runs_only_in_its_years(write_scenario):
    late = _late_band_from([2018])
    opened = _departures(load_scenario(write_scenario(_with_year(2017, late))))
    lit = _departures(load_scenario(write_scenario(_with_year(2018, late))))
    # 06:00 to 19:00 every 10 min: 78 departures, the last at 18:50; 2018 adds 19:00 ... 20:50
    assert (len(opened), opened[-1]) == (78, 18 * 3600 + 50 * 60)
    assert (len(lit), lit[-1]) == (90, 20 * 3600 + 50 * 60)
    assert lit[:78] == opened


def test_bands_of_different_years_may_overlap_but_not_within_a_year(write_scenario):
    def two_timetables(doc):
        doc["network"]["routes"][1]["years"] = [2017, 2018]
        doc["network"]["routes"][1]["headways"] = [
            {"start": "06:00", "end": "21:00", "every": "10min", "years": [2017]},
            {"start": "06:00", "end": "21:00", "every": "5min", "years": [2018]},
        ]

    assert len(_departures(load_scenario(write_scenario(_with_year(2018, two_timetables))))) == 180

    def clash(doc):
        two_timetables(doc)
        doc["network"]["routes"][1]["headways"][1]["years"] = [2017, 2018]

    with pytest.raises(InputError, match=r"network\.routes\[1\]: .*headway bands of 2017 overlap at 21600 s"):
        load_scenario(write_scenario(_with_year(2018, clash)))


def test_a_band_year_the_route_does_not_run_in_is_an_error(write_scenario):
    def edit(doc):
        doc["network"]["routes"][1]["years"] = [2017, 2018]
        _late_band_from([2019])(doc)

    with pytest.raises(InputError, match=r"network\.routes\[1\]: .*the route does not run in: \[2019\]"):
        load_scenario(write_scenario(_with_year(2018, edit)))


def test_a_route_with_no_band_in_the_year_is_an_error(write_scenario):
    def edit(doc):
        doc["network"]["routes"][1]["headways"] = [
            {"start": "06:00", "end": "21:00", "every": "10min", "years": [2018]}]

    where = r"network\.routes\[1\]\.headways"
    with pytest.raises(InputError, match=where + r": no band runs in 2017 \(got \[\[2018\]\]\)"):
        load_scenario(write_scenario(_with_year(2017, edit)))


def test_a_band_of_some_years_needs_the_scenario_year(write_scenario):
    def edit(doc):
        doc["meta"].pop("year", None)
        _late_band_from([2018])(doc)

    with pytest.raises(InputError, match=r"meta\.year: required: route 'bus-2' depends on the year"):
        load_scenario(write_scenario(edit))


def test_an_empty_year_list_is_refused_where_it_is(write_scenario):
    with pytest.raises(InputError, match=r"network\.routes\[1\]\.headways\[1\]\.years: .*at least 1 item"):
        load_scenario(write_scenario(_with_year(2018, _late_band_from([]))))
