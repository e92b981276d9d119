"""GTFS in: the network and the fares of one feed, imported by ``network-import`` and
``fares-import``, fit together — digit-only ids stay ids (stop ``8039``, zones ``1`` and ``2``),
and both imports name the feed's agency and its Fares v2 network as one operator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml
from click.testing import CliRunner

from otrip_sim import load_scenario
from otrip_sim.cli import main
from otrip_sim.gtfs import import_fares, import_network
from otrip_sim.replay import replay

GOOGLE = Path(__file__).resolve().parent / "data" / "google-sample-feed-1"
DIGITS = {"STAGECOACH": "8039", "NANAA": "8040", "NADAV": "8041", "DADAN": "8042", "EMSI": "8066"}


def digit_feed(tmp_path: Path) -> Path:
    """Google's sample feed with the City route's stops renamed to digits, and Fares v2 tables:
    network ``city_net`` (every route), zone 1 (8039, 8040) and zone 2 (the other stops)."""
    feed = tmp_path / "feed"
    shutil.copytree(GOOGLE, feed, ignore=shutil.ignore_patterns("*.md", "fare_*.txt"))
    for name, column in (("stops.txt", "stop_id"), ("stop_times.txt", "stop_id")):
        df = pd.read_csv(feed / name, dtype=str, keep_default_na=False)
        df[column] = df[column].replace(DIGITS)
        df.to_csv(feed / name, index=False)
    (feed / "networks.txt").write_text("network_id,network_name\ncity_net,City\n")
    routes = pd.read_csv(feed / "routes.txt", dtype=str)["route_id"]
    (feed / "route_networks.txt").write_text(
        "network_id,route_id\n" + "".join(f"city_net,{r}\n" for r in routes))
    (feed / "areas.txt").write_text("area_id\n1\n2\n")
    others = [s for s in pd.read_csv(feed / "stops.txt", dtype=str)["stop_id"] if s not in ("8039", "8040")]
    (feed / "stop_areas.txt").write_text(
        "area_id,stop_id\n1,8039\n1,8040\n" + "".join(f"2,{s}\n" for s in others))
    (feed / "fare_products.txt").write_text(
        "fare_product_id,amount,currency\none,1.50,USD\ntwo,2.25,USD\n")
    (feed / "fare_leg_rules.txt").write_text(
        "network_id,from_area_id,to_area_id,fare_product_id\n"
        "city_net,1,1,one\ncity_net,2,2,one\ncity_net,1,2,two\ncity_net,2,1,two\n")
    return feed


def test_network_and_fares_of_one_feed_fit_together(tmp_path):
    feed = digit_feed(tmp_path)
    net = tmp_path / "network"
    import_network([feed], net)
    stops = pd.read_csv(net / "stops.csv", dtype=str)
    assert set(DIGITS.values()) <= set(stops["stop_id"])  # no s8039
    (op,) = yaml.safe_load((net / "operators.yaml").read_text())["operators"]
    fares = import_fares(feed)
    # the network's operator is the one agency running all its routes, named as network-import names it
    assert fares.operators == [op["id"]] == ["dta"]
    zones = fares.fares["standalone"]["dta"]["zones"]
    assert set(DIGITS.values()) <= {z["stop_id"] for z in zones}
    assert {z["zone"] for z in zones} == {"1", "2"}
    doc = {
        "meta": {"name": "digits", "currency": "USD", "service_start": "05:00", "service_end": "24:00"},
        "operators": yaml.safe_load((net / "operators.yaml").read_text())["operators"],
        "network": {"stops": str(net / "stops.csv"), "routes": str(net / "routes.yaml")},
        "demand": {"od": [{"origin": "8039", "destination": "8066", "trips": 1}],
                   "profile": [{"start": "06:00", "end": "07:00", "weight": 1}],
                   "categories": [{"id": "adult", "share": 1, "value_of_time": 1000}]},
        "fares": fares.fares,
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    loaded = load_scenario(path, allow_outside_files=True)
    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time,board_stop,alight_stop\n"
                    "x,dta,08:00:00,8039,8040\ny,dta,08:00:00,8039,8066\n")
    assert replay(loaded, taps).priced["fare"].tolist() == [150, 225]


def test_operator_mapping_is_overridable_and_shared(tmp_path):
    """``--operator`` renames the network's operator in fares-import as it renames the agency in
    network-import; a network id given explicitly wins."""
    feed = digit_feed(tmp_path)
    assert import_fares(feed, operators={"DTA": "desert"}).operators == ["desert"]
    assert import_fares(feed, operators={"city_net": "city"}).operators == ["city"]
    out = tmp_path / "fares.yaml"
    result = CliRunner().invoke(main, ["fares-import", str(feed), "--out", str(out),
                                       "--operator", "DTA=desert"])
    assert result.exit_code == 0, result.output
    assert list(yaml.safe_load(out.read_text())["fares"]["standalone"]) == ["desert"]
    bad = CliRunner().invoke(main, ["fares-import", str(feed), "--out", str(out), "--force",
                                    "--operator", "DTA"])
    assert bad.exit_code == 2 and "--operator: expected KEY=ID (got 'DTA')" in bad.output
