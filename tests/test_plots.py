"""The run's figures tell the policy story: their content (bar heights, lines, images, texts), not
just that the files exist."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import otrip_sim
from otrip_sim import plots
from otrip_sim.units import format_money_short


def _ax():
    return Figure(figsize=(9, 5), layout="constrained").add_subplot()


def _texts(ax) -> str:
    return " ".join(t.get_text() for t in ax.texts)


@pytest.fixture(scope="module")
def with_contracts(tmp_path_factory, tiny_doc):
    import copy

    import yaml

    doc = copy.deepcopy(tiny_doc)
    doc["money"] = {"contracts": {
        "bus": {"kind": "gross_cost", "payer": "city", "rate_per_vehicle_km": 3459},
        "metro": {"kind": "deficit", "payer": "national", "cost_per_vehicle_km": 40000,
                  "cost_per_vehicle_hour": 100000}}}
    path = tmp_path_factory.mktemp("c") / "contracts.yaml"
    path.write_text(yaml.safe_dump(doc))
    return otrip_sim.run(path, seed=4, demand_scale=0.4)


def test_one_money_format_for_figures():
    assert format_money_short(1_200_000_000) == "Rp 1.2 bn"
    assert format_money_short(800_000_000) == "Rp 800 M"
    assert format_money_short(3500) == "Rp 3,500"
    assert format_money_short(4_000_000_000_000) == "Rp 4 T"  # TransJakarta's yearly PSO, about
    assert format_money_short(12_345_678) == "Rp 12.3 M"
    assert format_money_short(-2_500_000) == "-Rp 2.5 M"
    assert format_money_short(999_999) == "Rp 999,999"
    assert format_money_short(12345, "USD") == "$ 123.45"
    fmt = plots.money_formatter("IDR")
    assert fmt(1_500_000_000, 0) == "Rp 1.5 bn" and fmt(0, 0) == "Rp 0"


def test_revenue_as_charged_beside_revenue_after_clearing(tiny_result):
    ax = plots.revenue_by_operator(tiny_result, _ax())
    charged, cleared = ax.containers
    df = tiny_result.by_operator
    assert [r.get_height() for r in charged] == list(df["fare_revenue"])
    assert [r.get_height() for r in cleared] == list(df["fare_revenue_cleared"])
    assert charged.get_label() == "as charged" and cleared.get_label() == "after clearing"
    # clearing moves money between operators, it creates none
    assert sum(r.get_height() for r in charged) == sum(r.get_height() for r in cleared)
    assert "Rp" in ax.yaxis.get_major_formatter()(2_000_000, 0)


def test_net_clearing_bars_sum_to_zero(tiny_result):
    ax = plots.clearing_net(tiny_result, _ax())
    heights = [int(r.get_height()) for r in ax.patches]
    df = tiny_result.by_operator
    assert heights == list(df["fare_revenue_cleared"] - df["fare_revenue"])
    assert any(heights)  # the tiny city's bus and metro share windows: clearing moves money
    assert sum(heights) == 0  # clearing conserves money
    # the flows table agrees: what an operator gains is what other operators' legs charged it
    flows = tiny_result.clearing_flows()
    into, out = flows["to_operator"] == "bus", flows["from_operator"] == "bus"
    into_bus = int(flows[into & ~out]["amount"].sum())
    out_of_bus = int(flows[out & ~into]["amount"].sum())
    assert heights[0] == into_bus - out_of_bus


def test_net_clearing_without_shared_windows_says_so(write_scenario):
    def no_windows(doc):
        doc["fares"]["windows"] = []

    res = otrip_sim.run(write_scenario(no_windows), seed=3, demand_scale=0.2)
    ax = plots.clearing_net(res, _ax())
    assert not ax.patches
    assert "clearing moves no revenue" in _texts(ax)


def test_fare_histogram_marks_the_policys_cap_and_is_trimmed_to_the_data(tiny_result):
    assert tiny_result.policy.fare_caps() == (("city-pass", 6000),)  # the tiny scenario's window cap
    ax = plots.fare_distribution(tiny_result, _ax())
    caps = [line for line in ax.lines if "cap" in line.get_label()]
    assert len(caps) == 1
    assert list(caps[0].get_xdata()) == [6000, 6000]
    assert caps[0].get_label() == "city-pass cap Rp 6,000"
    j = tiny_result.journeys
    fares = j.loc[j["served"], "fare"].to_numpy()
    counted = sum(r.get_height() for r in ax.patches)
    left, right = ax.get_xlim()
    # trimmed: from the lowest fare's bin, to the shown fares (and the cap line) only
    assert left <= fares.min() and left > fares.min() - 500
    shown_top = int(np.quantile(fares, plots.TAIL, method="higher"))
    assert right <= max(shown_top, 6000) + 1000
    above = int((fares > shown_top).sum())
    assert counted + above == len(fares)
    if above:
        assert f"{above:,} journeys above" in _texts(ax)


def test_a_distance_cap_far_above_the_fares_still_shows(write_scenario):
    def high_cap(doc):
        doc["fares"]["windows"][0]["cap"] = 20000

    res = otrip_sim.run(write_scenario(high_cap), seed=3, demand_scale=0.2)
    ax = plots.fare_distribution(res, _ax())
    assert ax.get_xlim()[1] > 20000
    assert [line.get_xdata()[0] for line in ax.lines] == [20000]


def test_subsidy_without_contracts_says_so_instead_of_zero_bars(tiny_result):
    ax = plots.subsidy_by_operator(tiny_result, _ax())
    assert not ax.patches
    assert "no operator contracts in this scenario" in _texts(ax)


def test_subsidy_bars_are_the_operators_subsidy_coloured_by_payer(with_contracts):
    ax = plots.subsidy_by_operator(with_contracts, _ax())
    ops = with_contracts.summary()["operators"]
    assert [int(r.get_height()) for r in ax.patches[:2]] == [ops["bus"]["subsidy"], ops["metro"]["subsidy"]]
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()  # city, national


def test_crowding_shows_load_factor_by_route_and_hour_and_denied_boardings():
    res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=7)  # full demand: full buses leave riders behind
    ax = plots.crowding(res, _ax())
    (image,) = ax.images
    br = res.by_route
    expected = br.pivot(index="route", columns="hour", values="max_load_factor")
    routes = [t.get_text() for t in ax.get_yticklabels()]
    hours = [int(t.get_text()) for t in ax.get_xticklabels()]
    shown = np.asarray(image.get_array(), dtype=float)
    for i, route in enumerate(routes):
        for k, hour in enumerate(hours):
            want = expected.loc[route].get(hour, np.nan)
            assert (np.isnan(want) and np.isnan(shown[i, k])) or shown[i, k] == want
    assert max(br.groupby("route")["max_load_factor"].max()) == np.nanmax(shown)
    denied = res.summary()["totals"]["denied_boardings"]
    assert denied > 0 and f"{denied:,} denied boardings per day" in ax.get_title()
    # the cells hold the riders left behind: every one of them, for the routes shown
    assert sum(int(t.get_text().replace(",", "")) for t in ax.texts) == int(br["left_behind"].sum())


def test_unserved_journeys_by_status(tiny_result):
    ax = plots.unserved(tiny_result, _ax())
    by_status = tiny_result.summary()["unserved_by_status"]
    widths = [int(r.get_width()) for r in ax.patches]
    assert widths == [by_status[s] for s in plots.UNSERVED]
    t = tiny_result.summary()["totals"]
    tail = f"{t['journeys_unserved']:,} of {t['journeys_generated']:,} journeys not served"
    assert ax.get_title().endswith(tail)


def test_every_figure_states_the_sample():
    res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=3, demand_scale=0.5, sample=0.5)
    for name, fn in plots.PLOTS.items():
        ax = fn(res, _ax())
        assert "50% sample, figures ×2" in ax.get_title(), name


def test_the_standard_figures_are_written(tiny_result, tmp_path):
    written = {p.name for p in plots.save_all(tiny_result, tmp_path)}
    assert written == {f"{name}.png" for name in plots.PLOTS}
    assert "revenue_flows.png" not in written  # the diagonal-dominated heatmap is gone
