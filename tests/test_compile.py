"""Loading only reads and validates; compiling builds the network and fare policy once and runs
the checks that need them (``otrip_sim.compile``)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import otrip_sim
from otrip_sim import CompiledScenario, InputError, compile_scenario, load_scenario
from otrip_sim.cli import main
from otrip_sim.fares import Leg

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml")
                        if re.search(r"^meta:", p.read_text(), re.MULTILINE))


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: str, name: str) -> list[int]:
    """Replace ``module.name`` in every otrip_sim module that holds it (by import or as its home),
    so a call through any of them is counted; returns the one-element call counter."""
    original = getattr(sys.modules[module], name)
    calls = [0]

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    for mod_name, mod in list(sys.modules.items()):
        if mod_name.startswith("otrip_sim") and getattr(mod, name, None) is original:
            monkeypatch.setattr(mod, name, counting)
    return calls


def _cap_below_bus_fare(doc):
    doc["fares"]["windows"][0]["cap"] = 3000  # the bus fare is 3,500


def _metro_table(doc):
    # metro-1 runs both ways; the (one-way) table prices Market → Port only
    doc["fares"]["standalone"]["metro"] = {"kind": "station_table", "table": "metro_table.csv",
                                           "symmetric": False}


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "metro_table.csv"
    path.write_text("from_stop,to_stop,amount\nm_market,m_port,4000\n")
    return path


def test_a_run_builds_the_network_and_policy_once(monkeypatch):
    builds = _count_calls(monkeypatch, "otrip_sim.network", "build_network")
    policies = _count_calls(monkeypatch, "otrip_sim.policy", "compile_policy")
    otrip_sim.run(ROOT / "scenarios" / "tiny" / "tiny.yaml", seed=1, demand_scale=0.05)
    assert (builds[0], policies[0]) == (1, 1)


def test_a_compiled_scenario_runs_as_it_is_and_as_its_file(monkeypatch):
    path = ROOT / "scenarios" / "tiny" / "tiny.yaml"
    compiled = compile_scenario(load_scenario(path))
    builds = _count_calls(monkeypatch, "otrip_sim.network", "build_network")
    res = otrip_sim.run(compiled, seed=2, demand_scale=0.05)
    assert builds[0] == 0
    assert res.network is compiled.network and res.policy is compiled.policy
    again = otrip_sim.run(path, seed=2, demand_scale=0.05)
    assert res.summary()["totals"] == again.summary()["totals"]


def test_validate_compiles_once(monkeypatch, write_scenario):
    builds = _count_calls(monkeypatch, "otrip_sim.network", "build_network")
    result = CliRunner().invoke(main, ["validate", str(write_scenario())])
    assert result.exit_code == 0, result.output
    assert builds[0] == 1


def test_validate_refuses_a_cap_below_a_fare_it_caps(write_scenario):
    scenario = write_scenario(_cap_below_bus_fare)
    result = CliRunner().invoke(main, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {scenario}: fares.windows[0].cap: the cap is below a bus fare it must contain (3500)"
        " (got 3000)"
    )
    assert "Traceback" not in result.output


def test_validate_refuses_a_station_table_missing_a_reachable_pair(write_scenario, table_csv):
    result = CliRunner().invoke(main, ["validate", str(write_scenario(_metro_table))])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {table_csv}: no metro fare from 'm_port' to 'm_market'"


def test_a_symmetric_station_table_prices_both_ways(write_scenario, table_csv):
    def edit(doc):
        _metro_table(doc)
        doc["fares"]["standalone"]["metro"]["symmetric"] = True  # the default

    compiled = compile_scenario(load_scenario(write_scenario(edit)))
    leg = Leg("metro", 8 * 3600, 9000, board_stop="m_port", alight_stop="m_market")
    assert compiled.policy.standalone["metro"].price(leg).amount == 4000


@pytest.mark.parametrize("edit", [_cap_below_bus_fare, _metro_table], ids=["cap", "station-table"])
def test_loading_alone_accepts_what_only_compiling_refuses(write_scenario, table_csv, edit):
    loaded = load_scenario(write_scenario(edit))  # reads and validates: builds nothing, finds nothing wrong
    with pytest.raises(InputError):
        compile_scenario(loaded)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_validate_accepts_the_shipped_scenarios(path):
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{path}: valid\n")


def test_compiled_scenario_holds_one_network_policy_and_zone_access():
    compiled = compile_scenario(load_scenario(ROOT / "scenarios" / "tiny" / "tiny.yaml"))
    assert isinstance(compiled, CompiledScenario)
    assert compiled.network.stop_ids == ("hill", "market", "park", "port", "m_market", "m_port")
    # no zones: one zone per stop, at 0 m
    assert compiled.zone_ids == compiled.network.stop_ids
    assert compiled.access["port"] == [(3, 0)]
    assert set(compiled.policy.standalone) == {"bus", "metro"}


def _imports(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside functions, as written (``.network``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            out.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_scenario_imports_nothing_above_it():
    """No cycle scenario → network/demand/policy/compile → scenario: the loader is below them."""
    imported = _imports(ROOT / "otrip_sim" / "scenario.py")
    above = {".network", ".demand", ".policy", ".compile", ".run", ".replay", ".results"}
    assert not imported & above, imported & above
    assert not {m for m in imported if m.startswith("otrip_sim")}, imported


def test_replay_compiles_as_a_run_does(write_scenario, tmp_path):
    from otrip_sim.replay import replay

    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time\na,bus,08:00:00\n")
    assert replay(write_scenario(), taps).priced["fare"].tolist() == [3500]
    scenario = write_scenario(_cap_below_bus_fare, "bad.yaml")
    with pytest.raises(InputError, match=r"bad\.yaml: fares\.windows\[0\]\.cap: the cap is below a bus fare"):
        replay(scenario, taps)
