"""``validate`` warns about what is valid but probably wrong; ``validate --strict`` makes it an error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from otrip_sim.cli import main


def _island(doc):
    doc["network"]["stops"].append({"id": "island", "name": "Island", "lat": -6.0, "lon": 106.9})
    doc["demand"]["od"].append({"origin": "hill", "destination": "island", "trips": 3000})


def _long_route(doc):
    doc["network"]["routes"][1]["length"] = "250km"


def _dear_fare(doc):
    doc["fares"]["standalone"]["bus"]["default"] = 150_000
    doc["fares"]["windows"][0]["cap"] = 200_000


CASES = [
    (_island, [
        "{s}: network.stops: stop 'island' is served by no route",
        "{s}: demand.od: 1 of 5 OD pairs have no path (first: 'hill' to 'island')",
        "{s}: demand: 30% of the journeys have no path (over 20%)",
    ]),
    (_long_route, ["{s}: network.routes: route 'bus-2' is 250.0 km long (over 200 km)"]),
    (_dear_fare, ["{s}: fares.standalone.bus: a fare of Rp 150,000 (over Rp 100,000)"]),
]


@pytest.mark.parametrize("edit, expected", CASES)
def test_warnings_and_strict(write_scenario, edit, expected):
    scenario = write_scenario(edit)
    lines = [e.replace("{s}", str(scenario)) for e in expected]
    runner = CliRunner()
    lenient = runner.invoke(main, ["validate", str(scenario)])
    assert lenient.exit_code == 0, lenient.output
    assert lenient.stderr.splitlines() == [f"warning: {line}" for line in lines]
    strict = runner.invoke(main, ["validate", str(scenario), "--strict"])
    assert strict.exit_code == 2
    assert strict.output == f"Error: {len(lines)} warning(s), errors under --strict: {'; '.join(lines)}\n"


def test_a_clean_scenario_has_no_warnings(write_scenario):
    result = CliRunner().invoke(main, ["validate", str(write_scenario()), "--strict"])
    assert result.exit_code == 0 and result.stderr == ""
