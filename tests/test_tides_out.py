"""TIDES out: the results folder carries the ``datapackage.json`` TIDES requires, the tap log has
typed dates and zoned timestamps, and both validate offline against copies of the official TIDES
profile and ``fare_transactions`` schema (tests/data/tides/, CC BY 4.0)."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import jsonschema
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import otrip_sim
from otrip_sim.output import write_results
from otrip_sim.tides_out import PROFILE_URL, SCHEMA_URL

# frictionless's own deprecation notice for schema_sync, the option TIDES' validate script uses
pytestmark = pytest.mark.filterwarnings("ignore:The --schema-sync option is deprecated:DeprecationWarning")
TIDES = Path(__file__).parent / "data" / "tides"
SCHEMA = frictionless.Schema.from_descriptor(
    json.loads((TIDES / "fare_transactions.schema.json").read_text()))
PROFILE = json.loads((TIDES / "tides-datapackage-profile.json").read_text())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=2, demand_scale=0.2)
    return write_results(res, tmp_path_factory.mktemp("tides") / "out", taps_csv=True)


def _validate_csv(folder: Path) -> frictionless.Report:
    # the check TIDES' own validate script runs (schema-sync), against the local copy of the schema
    resource = frictionless.Resource(path="fare_transactions.csv", basepath=str(folder), schema=SCHEMA,
                                     detector=frictionless.Detector(schema_sync=True))
    return resource.validate()


def test_the_datapackage_follows_the_tides_profile(folder):
    package = json.loads((folder / "datapackage.json").read_text())
    jsonschema.validate(package, PROFILE)
    assert package["profile"] == PROFILE_URL and "/v1.0/" in PROFILE_URL
    by_path = {r["path"]: r for r in package["resources"]}
    assert set(by_path) == {"fare_transactions.parquet", "fare_transactions.csv"}
    for r in by_path.values():
        assert r["schema"] == SCHEMA_URL and r["tides-table"] == "fare_transactions"
    assert all((folder / p).is_file() for p in by_path)  # relative paths
    assert package["sources"]


def test_the_tap_log_csv_validates_against_the_tides_schema(folder, tmp_path):
    report = _validate_csv(folder)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    # and the check can fail: an action TIDES does not define is caught
    bad = tmp_path / "bad"
    bad.mkdir()
    taps = pd.read_csv(folder / "fare_transactions.csv", dtype=str, keep_default_na=False)
    taps.loc[0, "fare_action"] = "Teleport"
    taps.to_csv(bad / "fare_transactions.csv", index=False)
    errors = _validate_csv(bad).flatten(["fieldName", "type"])
    assert ["fare_action", "constraint-error"] in errors


def test_dates_are_dates_and_timestamps_carry_the_scenario_offset(folder):
    schema = pq.read_schema(folder / "fare_transactions.parquet")
    assert schema.field("service_date").type == pa.date32()
    stamp = schema.field("event_timestamp").type
    assert pa.types.is_timestamp(stamp) and stamp.tz == "Asia/Jakarta"
    taps = pq.read_table(folder / "fare_transactions.parquet").to_pandas()
    local = taps["event_timestamp"].dt.tz_localize(None)
    assert ((local - pd.Timestamp("2000-01-01")).dt.total_seconds().astype(int) == taps["time_s"]).all()
    text = pd.read_csv(folder / "fare_transactions.csv", dtype=str)["event_timestamp"]
    assert text.str.endswith("+07:00").all()


def test_transfer_entrance_only_where_the_tap_costs_nothing(folder):
    taps = pq.read_table(folder / "fare_transactions.parquet").to_pandas()
    entries = taps[taps["type"] == "tap"]
    assert (entries.loc[entries["fare_action"] == "Transfer entrance", "amount_minor"] == 0).all()
    later = entries[entries.duplicated("card")]
    charged = later[later["amount_minor"] != 0]
    assert len(charged) and (charged["fare_action"] == "Enter").all()


def test_an_exit_carries_its_taps_fare_product(folder):
    taps = pq.read_table(folder / "fare_transactions.parquet").to_pandas()
    keys = ["journey", "leg"]
    tap = taps[taps["type"] == "tap"].drop_duplicates(keys).set_index(keys)["fare_product"].astype(str)
    exits = taps[taps["type"] == "exit"].set_index(keys)["fare_product"].astype(str)
    assert (exits != "").all()
    assert (exits == tap.reindex(exits.index)).all()
