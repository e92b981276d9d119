"""Numbers in a scenario are finite and bounded, so nothing can overflow past ``validate``: every
out-of-range value is a located error at load time."""

from __future__ import annotations

import pytest
from edits import set_at

from otrip_sim import InputError, load_scenario

CASES = [
    (["demand", "od", 0, "trips"], float("inf"), "demand.od[0].trips", "Input should be a finite number"),
    (["demand", "od", 0, "trips"], float("nan"), "demand.od[0].trips", "Input should be a finite number"),
    (["demand", "od", 0, "trips"], 1e30, "demand.od[0].trips", "less than or equal to 10000000000"),
    (["fares", "windows", 0, "cap"], 2**63 - 1, "fares.windows[0].cap", "must be <= 1,000,000,000"),
    (["fares", "standalone", "bus", "default"], 10**30, "fares.standalone.bus.default",
     "must be <= 1,000,000,000"),
    (["network", "routes", 0, "headways", 0, "every"], "100000000000000000000h",
     "network.routes[0].headways[0].every", "must be <= 31,622,400 s (366 days)"),
    (["fares", "windows", 0, "duration"], 10**20, "fares.windows[0].duration", "must be <= 31,622,400 s"),
    (["meta", "year"], 2**63, "meta.year", "less than or equal to 2200"),
    (["meta", "service_end"], 10**12, "meta.service_end", "must be <= 604,800 s (168:00:00)"),
    (["network", "routes", 0, "length"], "99999999999km", "network.routes[0].length", "once round the Earth"),
    (["network", "routes", 0, "capacity"], 10**19, "network.routes[0].capacity",
     "less than or equal to 100000"),
    (["demand", "profile", 0, "weight"], float("inf"), "demand.profile[0].weight", "finite number"),
    (["demand", "categories", 0, "value_of_time"], 2**70, "demand.categories[0].value_of_time",
     "must be <= 1,000,000,000"),
    (["meta", "seed"], 2**64, "meta.seed", "less than or equal to 9223372036854775807"),
    (["choice", "walk_weight"], float("inf"), "choice.walk_weight", "finite number"),
]


@pytest.mark.parametrize("path, value, where, message", CASES)
def test_out_of_range_numbers_are_located_errors(write_scenario, path, value, where, message):
    scenario = write_scenario(set_at(path, value))
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    text = str(info.value)
    assert text.startswith(f"{scenario}: {where}: "), text
    assert message in text, text


def test_the_largest_accepted_values_load(write_scenario):
    def edit(doc):
        doc["fares"]["windows"][0]["cap"] = 1_000_000_000
        doc["meta"]["year"] = 2200

    assert load_scenario(write_scenario(edit)).spec.fares.windows[0].cap == 1_000_000_000
