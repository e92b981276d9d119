"""The results folder: the contract of summary.json and the files, written completely or not at all."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from otrip_sim import OutputError, write_results
from otrip_sim.cli import main

FILES = {
    "summary.json", "journeys.parquet", "legs.parquet", "fare_transactions.parquet", "by_operator.csv",
    "by_hour.csv", "by_route.csv", "by_category.csv", "transfers.csv", "validation.csv",
    "scenario.resolved.yaml", "manifest.json", "datapackage.json",
    "plots/boardings_by_hour.png", "plots/revenue_by_operator.png", "plots/fare_distribution.png",
    "plots/transfer_flows.png",
    "operators.csv", "revenue_flows.csv", "plots/clearing_net.png", "plots/subsidy_by_operator.png",
    "plots/crowding.png", "plots/unserved.png",
}


@pytest.fixture(scope="module")
def written(tiny_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("w") / "out"
    write_results(tiny_result, out)
    return out


def test_all_files_written(written):
    files = {p.relative_to(written).as_posix() for p in written.rglob("*") if p.is_file()}
    assert files == FILES
    manifest = json.loads((written / "manifest.json").read_text())
    assert set(manifest["outputs_sha256"]) == FILES - {"manifest.json"}
    assert manifest["seed"] == 3 and manifest["scenario"] == "tiny"
    assert "tiny.yaml" in manifest["inputs_sha256"]
    assert not list(written.parent.glob(".out.*"))  # no temporary folder left behind


def test_summary_contract(written, tiny_result):
    s = json.loads((written / "summary.json").read_text())
    assert {"scenario", "seed", "currency", "version", "schema_version", "totals", "operators"} <= set(s)
    assert {"journeys", "journeys_unserved", "boardings", "transfers", "passenger_km", "fare_revenue",
            "operator_payments", "subsidy", "denied_boardings"} <= set(s["totals"])
    for op in ("bus", "metro"):
        assert {"boardings", "passenger_km", "vehicle_km", "fare_revenue", "payment"} <= set(
            s["operators"][op]
        )
    for key in ("journeys", "boardings", "fare_revenue", "operator_payments", "subsidy"):
        assert isinstance(s["totals"][key], int)
    assert isinstance(s["totals"]["passenger_km"], float)
    assert s == json.loads(json.dumps(tiny_result.summary()))


def test_parquet_and_csv_agree_with_summary(written):
    s = json.loads((written / "summary.json").read_text())
    legs = pd.read_parquet(written / "legs.parquet")
    journeys = pd.read_parquet(written / "journeys.parquet")
    assert {"journey", "leg", "operator", "route", "board_stop", "alight_stop", "board_s", "alight_s", "km",
            "fare", "rule"} <= set(legs)
    assert {"journey", "person", "card", "tour", "trip", "purpose", "category", "origin", "destination",
            "depart_s", "arrive_s", "legs", "fare", "served", "weight"} <= set(journeys)
    assert {"person", "weight"} <= set(legs)
    assert len(legs) == s["totals"]["boardings"]
    assert int(legs["fare"].sum()) == s["totals"]["fare_revenue"]
    assert int(journeys["served"].sum()) == s["totals"]["journeys"]
    by_hour = pd.read_csv(written / "by_hour.csv")
    assert list(by_hour.columns) == ["hour", "operator", "boardings", "fare_revenue", "missed_windows",
                                     "missed_extra", "sample"]
    assert set(by_hour["sample"]) == {s["sample"]}
    assert by_hour["boardings"].sum() == s["totals"]["boardings"]
    by_route = pd.read_csv(written / "by_route.csv")
    assert list(by_route.columns) == [
        "route", "operator", "hour", "boardings", "left_behind", "max_load_factor", "sample",
    ]
    by_cat = pd.read_csv(written / "by_category.csv")
    assert {"category", "journeys", "fare_per_journey"} <= set(by_cat)
    assert by_cat["journeys"].sum() == s["totals"]["journeys"]


def test_existing_folder_is_never_silently_overwritten(tiny_result, written):
    before = (written / "summary.json").read_bytes()
    with pytest.raises(OutputError, match="not empty"):
        write_results(tiny_result, written)
    assert (written / "summary.json").read_bytes() == before


def test_force_replaces_only_when_complete(tiny_result, tmp_path, monkeypatch):
    out = tmp_path / "res"
    write_results(tiny_result, out)
    (out / "summary.json").write_text("previous result")
    manifest = json.loads((out / "manifest.json").read_text())
    import otrip_sim.output as output

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(output, "save_all", boom)
    with pytest.raises(RuntimeError):
        write_results(tiny_result, out, force=True)
    assert (out / "summary.json").read_text() == "previous result"  # the old result survives a failed write
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # and no partial folder is left
    monkeypatch.undo()
    write_results(tiny_result, out, force=True)
    assert (out / "summary.json").read_text() != "previous result"


def test_failed_write_leaves_nothing(tiny_result, tmp_path, monkeypatch):
    import otrip_sim.output as output

    monkeypatch.setattr(output, "validation_table", lambda res: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_results(tiny_result, tmp_path / "new")
    assert list(tmp_path.iterdir()) == []


def test_cli_run_writes_results_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "cli"
    args = ["run", "scenarios/tiny/tiny.yaml", "--out", str(out), "--seed", "9", "--demand-scale", "0.1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"results: {out}" in first.output
    assert json.loads((out / "summary.json").read_text())["seed"] == 9
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    assert "not empty" in again.output and "--force" in again.output
    forced = CliRunner().invoke(main, [*args, "--force", "--taps-csv", "--progress"])
    assert forced.exit_code == 0, forced.output
    assert (out / "fare_transactions.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--demand-scale", "0"], "--demand-scale: must be a number > 0 (got 0.0)"),
    (["--seed", "-1"], "--seed: must be >= 0 (got -1)"),
])
def test_cli_bad_numbers_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["run", "scenarios/tiny/tiny.yaml", "--out", str(tmp_path / "o"), *args]
    )
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {message}"


def test_schema_prints_only_json_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario"
    assert {"meta", "operators", "network", "demand", "fares"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_every_command_has_help_with_example():
    assert {"run", "validate", "schema", "fares", "explain"} <= set(main.commands)
    for cmd in main.commands:
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"otrip-sim {cmd}" in result.output


def test_resolved_scenario_is_yaml_with_one_record_per_line_for_long_tables():
    from pathlib import Path

    import yaml

    from otrip_sim import load_scenario
    from otrip_sim.output import resolved_yaml

    root = Path(__file__).resolve().parent.parent
    loaded = load_scenario(root / "scenarios" / "jakarta" / "jaklingko-2022.yaml")
    doc = loaded.spec.model_dump(mode="json", by_alias=True)
    text = resolved_yaml(doc)
    assert yaml.safe_load(text) == doc
    stops = [line for line in text.splitlines() if line.startswith('    - {"stop_id": ')]
    assert len(stops) == len(doc["network"]["stops"]) > 50



def test_tap_log_clearing_and_money_compute_from_result_data(tiny_result):
    from otrip_sim import clearing, money, taplog

    res = tiny_result
    meta = res.loaded.spec.meta
    taps = taplog.fare_transactions(res.legs, res.journeys, res.settlement, meta.service_date, res.currency)
    pd.testing.assert_frame_equal(taps, res.taps)
    charges = clearing.boarding_charges(res.policy, res.operators)
    for method in ("km_share", "first_keeps_boarding"):
        cleared = clearing.clear_legs(res.legs, method, charges, {})
        revenue = clearing.cleared_revenue(res.legs, cleared)
        assert revenue == res.cleared_revenue(method)
        assert sum(revenue.values()) == int(res.legs["fare"].sum())  # clearing moves money, never makes it
        pd.testing.assert_frame_equal(clearing.clearing_flows(res.legs, cleared), res.clearing_flows(method))
        acc = money.accounts(res.legs, money.vehicle_service(res.network.lines, res.operators), revenue,
                             res.loaded.spec.money.contracts)
        pd.testing.assert_frame_equal(acc, res.accounts(method))
