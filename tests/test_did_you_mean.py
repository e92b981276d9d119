"""A mistyped key is named with the closest valid one, also when it hides a required key."""

from __future__ import annotations

import pytest

from otrip_sim import InputError, load_scenario


def _rename(path, old, new):
    def edit(doc):
        node = doc
        for p in path:
            node = node[p]
        node[new] = node.pop(old)

    return edit


CASES = [
    # each hides a required key: before, only the missing key was reported
    (_rename(["fares", "windows", 0], "duration", "durration"), "fares.windows[0].durration",
     "unknown key 'durration' (did you mean 'duration'?)"),
    (_rename(["network", "routes", 0], "capacity", "capacty"), "network.routes[0].capacty",
     "unknown key 'capacty' (did you mean 'capacity'?)"),
    (_rename(["demand", "od", 0], "trips", "trip"), "demand.od[0].trip",
     "unknown key 'trip' (did you mean 'trips'?)"),
    (_rename([], "operators", "oprators"), "oprators", "unknown key 'oprators' (did you mean 'operators'?)"),
    (_rename(["fares", "standalone", "metro"], "base_distance", "base_distanc"),
     "fares.standalone.metro.base_distanc",
     "unknown key 'base_distanc' (did you mean 'base_distance'?)"),
    # an optional key
    (_rename(["choice"], "spread", "spred"), "choice.spred", "unknown key 'spred' (did you mean 'spread'?)"),
]


@pytest.mark.parametrize("edit, where, message", CASES)
def test_a_mistyped_key_names_the_closest_one(write_scenario, edit, where, message):
    scenario = write_scenario(edit)
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    assert str(info.value) == f"{scenario}: {where}: {message}"


def test_a_key_like_no_other_lists_the_known_ones(write_scenario):
    scenario = write_scenario(lambda d: d["meta"].__setitem__("zzz", 1))
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    assert str(info.value).startswith(f"{scenario}: meta.zzz: unknown key 'zzz' (known: name, title, ")


def test_a_mistyped_csv_column(write_scenario, tmp_path):
    (tmp_path / "od.csv").write_text("origin,destination,trip\nhill,port,3\n")
    scenario = write_scenario(lambda d: d["demand"].__setitem__("od", "od.csv"))
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    expected = f"{tmp_path / 'od.csv'}: line 1: unknown column (did you mean 'trips'?) (got 'trip')"
    assert str(info.value) == expected
