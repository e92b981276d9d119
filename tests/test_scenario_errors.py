"""Bad input: one message naming the file, the field path and the bad value; exit status 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from edits import set_at

from otrip_sim import InputError, compile_scenario, load_scenario
from otrip_sim.cli import main

CASES = [
    (set_at(["fares", "windows", 0, "cap"], -5), "fares.windows[0].cap", "must be >= 0", "-5"),
    (set_at(["fares", "windows", 0, "cap"], 5000.5), "fares.windows[0].cap",
     "integer count of the currency's minor unit", "5000.5"),
    (set_at(["meta", "colour"], "red"), "meta.colour",
     "unknown key 'colour' (known: name, title, description", ""),
    (lambda d: d["fares"]["windows"][0]["operators"].append("tram"), "fares.windows[0].operators[2]",
     "unknown operator", "'tram'"),
    (set_at(["network", "routes", 0, "headways", 0, "start"], "5h"), "network.routes[0].headways[0].start",
     "clock time", "'5h'"),
    (lambda d: d["network"]["routes"][1]["stops"].append("nowhere"), "network.routes[1].stops[2]",
     "unknown stop", "'nowhere'"),
    (set_at(["fares", "standalone", "bus", "kind"], "zonal"), "fares.standalone.bus", "'zonal'", ""),
    (lambda d: d["fares"]["standalone"].pop("metro"), "fares.standalone", "'metro' has no standalone fare",
     ""),
    (set_at(["fares", "categories", 0, "category"], "student"), "fares.categories[0].category",
     "unknown rider category", "'student'"),
    (set_at(["demand", "categories", 0, "share"], 0.5), "demand", "shares must sum to 1", ""),
    (set_at(["network", "stops", 0, "lat"], 123), "network.stops[0].lat", "less than or equal to 90", "123"),
    (lambda d: d["fares"]["standalone"]["bus"]["bands"].append(
        {"name": "late", "start": "06:00", "end": "08:00", "amount": 1}),
     "fares.standalone.bus", "overlap", ""),
    (lambda d: d["fares"]["windows"].append(
        {"id": "x", "kind": "cap", "operators": ["bus"], "duration": 60, "cap": 1}),
     "fares.windows[1].operators[0]", "one window rule only", "'bus'"),
    (lambda d: d["demand"]["od"].append({"origin": "hill", "destination": "moon", "trips": 3}),
     "demand.od[4].destination", "unknown stop", "'moon'"),
    (set_at(["network", "routes", 0, "operator"], "ferryco"), "network.routes[0].operator",
     "unknown operator", "'ferryco'"),
    (set_at(["network", "routes", 0, "distances"], ["1km", "2km", "3km"]), "network.routes[0]",
     "exactly one of length or distances", ""),
    (lambda d: d["fares"]["categories"].append(
        {"kind": "free", "id": "again", "category": "free", "operators": ["metro", "bus"]}),
     "fares.categories[1].operators[1]", "already in fares.categories[0]", "'bus'"),
    (set_at(["fares", "windows", 0, "duration"], "3 fortnights"), "fares.windows[0].duration", "duration",
     "'3 fortnights'"),
]


@pytest.mark.parametrize("edit, path, message, value", CASES)
def test_bad_scenario_names_file_path_and_value(write_scenario, edit, path, message, value):
    scenario = write_scenario(edit)
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    text = str(info.value)
    assert text.startswith(f"{scenario}: {path}: "), text
    assert message in text
    if value:
        assert text.endswith(f"(got {value})"), text


def test_cli_bad_scenario_exit_2_one_line_no_traceback(write_scenario, tmp_path):
    scenario = write_scenario(CASES[0][0])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {scenario}: fares.windows[0].cap: must be >= 0 (got -5)"
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file_reference(write_scenario):
    scenario = write_scenario(set_at(["network", "stops"], "missing.csv"))
    with pytest.raises(InputError, match=r"network\.stops: file not found \(got 'missing.csv'\)"):
        load_scenario(scenario)


def test_csv_error_names_line_and_column(write_scenario, tmp_path):
    (tmp_path / "od.csv").write_text("origin,destination,trips\nhill,port,10\nhill,port,-3\n")
    scenario = write_scenario(set_at(["demand", "od"], "od.csv"))
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    assert str(info.value) == (
        f"{tmp_path / 'od.csv'}: line 3, column trips: Input should be greater than or equal to 0 (got -3)"
    )


def test_csv_unknown_reference_names_line(write_scenario, tmp_path):
    (tmp_path / "od.csv").write_text("origin,destination,trips\nhill,port,10\nhill,atlantis,3\n")
    scenario = write_scenario(set_at(["demand", "od"], "od.csv"))
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    assert str(info.value) == (
        f"{tmp_path / 'od.csv'}: line 3, column destination: unknown stop (got 'atlantis')"
    )


def test_csv_unknown_column(write_scenario, tmp_path):
    (tmp_path / "od.csv").write_text("origin,destination,journeys\nhill,port,10\n")
    scenario = write_scenario(set_at(["demand", "od"], "od.csv"))
    with pytest.raises(InputError, match="line 1: unknown column"):
        load_scenario(scenario)


def test_invalid_yaml_names_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta:\n  name: [unclosed\n")
    with pytest.raises(InputError, match=r"bad\.yaml: line \d+, column \d+: invalid YAML"):
        load_scenario(bad)


def test_validate_command_ok_and_bad(write_scenario):
    ok = CliRunner().invoke(main, ["validate", str(write_scenario())])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.output
    missing = CliRunner().invoke(main, ["validate", "no/such/file.yaml"])
    assert missing.exit_code == 2
    assert missing.output.strip() == "Error: no/such/file.yaml: file not found"


def test_unquoted_clock_times_are_times_not_base_60_numbers(write_scenario):
    """YAML 1.1 would read `end: 21:00` as 1260; a scenario means 9 pm."""
    scenario = write_scenario()
    text = scenario.read_text().replace("end: '21:00'", "end: 21:00")
    text = text.replace("duration: 180min", "duration: 3:00")
    assert "end: 21:00" in text
    scenario.write_text(text)
    loaded = load_scenario(scenario)
    bus = loaded.spec.network.routes[0]
    assert bus.headways[-1].end == 21 * 3600
    assert loaded.spec.fares.windows[0].duration == 3 * 3600


def test_station_table_must_cover_changes_inside_the_paid_area(write_scenario):
    def edit(doc):
        doc["network"]["stops"] += [
            {"id": "m_hill", "name": "Hill (metro)", "lat": -6.3, "lon": 106.801, "paid_area": "metro"}
        ]
        doc["network"]["stops"][4]["paid_area"] = "metro"  # m_market
        doc["network"]["routes"].append({
            "id": "metro-2", "operator": "metro", "stops": ["m_hill", "m_market"], "length": "5km",
            "speed_kmh": 40, "capacity": 800,
            "headways": [{"start": "06:00", "end": "20:00", "every": "10min"}],
        })
        doc["fares"]["standalone"]["metro"] = {"kind": "station_table", "table": [
            {"from_stop": "m_market", "to_stop": "m_port", "amount": 4000},
            {"from_stop": "m_hill", "to_stop": "m_market", "amount": 3000}]}

    loaded = load_scenario(write_scenario(edit))  # the pairs come from the network's lines: compiled
    with pytest.raises(InputError, match="no metro fare from 'm_port' to 'm_hill'"):
        compile_scenario(loaded)


def test_routes_of_other_years_are_checked_too(write_scenario):
    def edit(doc):
        doc["meta"]["year"] = 2020
        doc["network"]["routes"][1]["years"] = [2030]
        doc["network"]["routes"][1]["stops"] = ["market", "atlantis"]

    with pytest.raises(
        InputError, match=r"network\.routes\[1\]\.stops\[1\]: unknown stop \(got 'atlantis'\)"
    ):
        load_scenario(write_scenario(edit))


def test_profile_outside_service_day(write_scenario):
    with pytest.raises(InputError, match=r"demand\.profile\[0\]: band lies outside"):
        load_scenario(write_scenario(lambda d: d["demand"]["profile"][0].update(start="03:00")))
