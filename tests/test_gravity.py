"""OD demand from a zone table by a gravity model."""

from __future__ import annotations

import pytest
import yaml

import otrip_sim
from otrip_sim import InputError, compile_scenario, load_scenario

ZONES = [
    {"zone_id": "uphill", "lat": -6.301, "lon": 106.800, "population": 50_000, "jobs": 2_000},
    {"zone_id": "centre", "lat": -6.2605, "lon": 106.806, "population": 10_000, "jobs": 40_000},
    {"zone_id": "harbour", "lat": -6.181, "lon": 106.8155, "population": 20_000, "jobs": 30_000},
]


def with_gravity(**kw):
    def edit(doc):
        doc["demand"].pop("od")
        doc["demand"]["gravity"] = {"zones": ZONES, "total": 9000, "beta_per_km": 0.15, **kw}

    return edit


def test_gravity_totals_and_shape(write_scenario):
    loaded = compile_scenario(load_scenario(write_scenario(with_gravity()))).loaded
    od = {(r.origin, r.destination): r.trips for r in loaded.spec.demand.od}
    assert sum(od.values()) == pytest.approx(9000)
    assert ("uphill", "uphill") not in od  # no intrazonal trips
    # more jobs attract more, and distance deters: uphill sends more to the near centre than to the far
    # harbour
    assert od[("uphill", "centre")] > od[("uphill", "harbour")]
    # by hand: T_uc / T_uh = J_c exp(-beta d_uc) / (J_h exp(-beta d_uh)), distances between centres
    from math import exp

    from otrip_sim.geo import great_circle_m

    at = {z["zone_id"]: (z["lat"], z["lon"]) for z in ZONES}
    d_uc = great_circle_m(*at["uphill"], *at["centre"]) / 1000
    d_uh = great_circle_m(*at["uphill"], *at["harbour"]) / 1000
    expected = 40_000 * exp(-0.15 * d_uc) / (30_000 * exp(-0.15 * d_uh))
    assert od[("uphill", "centre")] / od[("uphill", "harbour")] == pytest.approx(expected)
    access = {(z.zone_id, z.stop_id) for z in loaded.spec.demand.zones}
    assert ("uphill", "hill") in access and ("harbour", "port") in access and ("harbour", "m_port") in access


def test_gravity_scenario_runs_and_scales(write_scenario):
    path = write_scenario(with_gravity())
    res = otrip_sim.run(path, seed=3, demand_scale=0.5)
    s = res.summary()["totals"]
    assert 4000 < s["journeys_generated"] < 5000  # Poisson around 4,500
    assert s["journeys"] > 0.9 * s["journeys_generated"]
    out = otrip_sim.write_results(res, path.parent / "out")
    resolved = yaml.safe_load(out.joinpath("scenario.resolved.yaml").read_text())
    assert resolved["demand"]["gravity"]["total"] == 9000 and resolved["demand"]["od"] is None


def test_zone_without_a_stop_nearby_is_refused(write_scenario):
    far = dict(ZONES[0], zone_id="moon", lat=-7.5)
    def edit(doc):
        with_gravity()(doc)
        doc["demand"]["gravity"]["zones"] = [*ZONES, far]

    loaded = load_scenario(write_scenario(edit))  # the zones' access stops are found at compile time
    with pytest.raises(
        InputError,
        match=r"demand\.gravity\.zones\[3\]: no stop within access_radius \(800 m\) of the zone "
        r"\(got 'moon'\)",
    ):
        compile_scenario(loaded)


def test_od_and_gravity_are_exclusive(write_scenario):
    with pytest.raises(InputError, match="give exactly one of od or gravity"):
        load_scenario(write_scenario(lambda d: d["demand"].update(gravity={"zones": ZONES, "total": 10})))


def test_gravity_zone_table_from_csv(write_scenario, tmp_path):
    rows = "\n".join(f"{z['zone_id']},,{z['lat']},{z['lon']},{z['population']},{z['jobs']}" for z in ZONES)
    (tmp_path / "zones.csv").write_text(
        "zone_id,name,lat,lon,population,jobs\n" + rows + "\nfar,,-7.5,106.8,1,1\n"
    )
    def edit(doc):
        with_gravity()(doc)
        doc["demand"]["gravity"]["zones"] = "zones.csv"

    with pytest.raises(InputError) as info:
        compile_scenario(load_scenario(write_scenario(edit)))
    assert str(info.value).startswith(f"{tmp_path / 'zones.csv'}: line 5: no stop within access_radius")


def test_loading_leaves_the_gravity_model_to_compile(write_scenario):
    loaded = load_scenario(write_scenario(with_gravity()))
    assert loaded.spec.demand.od is None and loaded.spec.demand.zones is None
    compiled = compile_scenario(loaded)
    assert {z.zone_id for z in compiled.loaded.spec.demand.zones} == {z["zone_id"] for z in ZONES}
    assert set(compiled.zone_ids) == {z["zone_id"] for z in ZONES}


def test_duplicate_gravity_zone_is_refused_on_loading(write_scenario):
    def edit(doc):
        with_gravity()(doc)
        doc["demand"]["gravity"]["zones"] = [*ZONES, ZONES[0]]

    with pytest.raises(InputError, match=r"zone_id: duplicate zone id \(got 'uphill'\)"):
        load_scenario(write_scenario(edit))
