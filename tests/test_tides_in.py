"""TIDES in: a fare_transactions file with only TIDES' own columns replays — a TIDES-only cut of
a Jakarta run's tap log prices every leg as the run did, and a file an agency wrote (its own
pattern ids, rider categories and no operator) prices through the stops and a ``--map`` file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

import otrip_sim
from otrip_sim.cli import main
from otrip_sim.replay import replay

ROOT = Path(__file__).resolve().parent.parent
JAKARTA = ROOT / "scenarios" / "jakarta"
TIDES_COLUMNS = [f["name"] for f in json.loads(
    (Path(__file__).parent / "data" / "tides" / "fare_transactions.schema.json").read_text())["fields"]]


def tides_cut(scenario: Path, path: Path) -> tuple[otrip_sim.RunResult, Path]:
    res = otrip_sim.run(scenario, seed=3, demand_scale=0.03)
    cut = res.taps[[c for c in res.taps.columns if c in TIDES_COLUMNS]]
    assert "operator" not in cut and "journey" not in cut
    cut.to_csv(path, index=False)
    return res, path


def test_a_tides_only_cut_of_a_run_prices_every_leg_as_the_run_did(tmp_path):
    """OK OTrip 2018: KRL's distance fare needs each leg's distance, measured from the stop_ids
    over KRL's network where a change inside the paid area leaves the tap's route."""
    res, path = tides_cut(JAKARTA / "okotrip-2018.yaml", tmp_path / "taps.csv")
    r = replay(JAKARTA / "okotrip-2018.yaml", path)
    taps = res.taps[res.taps["type"] == "tap"]
    assert len(r.priced) == len(taps) and len(r.rejects) == 0
    assert r.counts["distance_over_network"] > 0
    assert r.counts["skipped_no_boarding"] == int((res.taps["fare_action"] == "Adjust").sum())
    assert int(r.priced["fare"].sum()) == int(res.legs["fare"].sum())


def test_jaklingko_cut_prices_every_leg(tmp_path):
    """JakLingko 2022 (integrated by distance): legs with several changes inside TransJakarta's
    paid area are measured over its network; none is rejected."""
    res, path = tides_cut(JAKARTA / "jaklingko-2022.yaml", tmp_path / "taps.csv")
    r = replay(JAKARTA / "jaklingko-2022.yaml", path)
    assert len(r.rejects) == 0 and len(r.priced) == int((res.taps["type"] == "tap").sum())
    total, replayed = int(res.legs["fare"].sum()), int(r.priced["fare"].sum())
    assert abs(replayed - total) <= 0.01 * total  # walks inside a paid area: the shortest way is a guess


AGENCY = """
transaction_id,service_date,event_timestamp,amount,fare_action,pattern_id,stop_id,token_id,rider_category,fare_capped
1,2018-03-01,2018-03-01T08:00:00+07:00,0,Enter,KRL-BOO-01,krl_jakarta_kota,A1,REG,False
2,2018-03-01,2018-03-01T08:20:00+07:00,0,Exit,KRL-BOO-01,krl_manggarai,A1,REG,False
3,2018-03-01,2018-03-01T09:00:00+07:00,0,Enter,,krl_juanda,B2,REG,False
4,2018-03-01,2018-03-01T09:10:00+07:00,0,Exit,,krl_manggarai,B2,REG,False
5,2018-03-01,2018-03-01T10:00:00+07:00,-500,Adjust,,,A1,REG,False
6,2018-03-01,2018-03-01T10:00:00+07:00,0,Void,,,A1,REG,False
"""


def test_an_agency_file_prices_through_its_stops_and_a_map(tmp_path):
    taps = tmp_path / "agency.csv"
    taps.write_text(AGENCY.strip() + "\n")
    mapping = tmp_path / "map.csv"
    mapping.write_text("kind,tides,otrip\nrider_category,REG,adult\nroute,KRL-BOO-01,krl-bogor\n")
    out = tmp_path / "priced.csv"
    result = CliRunner().invoke(main, ["fares", str(JAKARTA / "okotrip-2018.yaml"), "--journeys", str(taps),
                                       "--map", str(mapping), "--out", str(out)])
    assert result.exit_code == 0, result.output
    priced = pd.read_csv(out)
    assert priced["operator"].tolist() == ["krl", "krl"]  # by the mapped route, then by the stop
    assert (priced["fare"] > 0).all()
    assert "skipped no boarding: 1" in result.output and "unrecognised action: 1" in result.output
    assert "operator from stop: 1" in result.output
