"""Every example scenario loads, runs (at a reduced demand scale) and cites only known sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import otrip_sim
from otrip_sim.validation import validation_table

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted(
    p for p in (ROOT / "scenarios").rglob("*.yaml") if re.search(r"^meta:", p.read_text(), re.M)
)
JAKARTA = ROOT / "scenarios" / "jakarta"
JAKARTA_SCALE = ROOT / "scenarios" / "jakarta-scale"
# the city-scale scenario (3 million journeys a day) runs at a few thousand journeys here
DEMAND_SCALE = {"jaklingko-2024": 0.002}


def test_examples_are_found():
    names = {p.name for p in SCENARIO_FILES}
    assert {"baseline-2017.yaml", "okotrip-2018.yaml", "jaklingko-2022.yaml", "tiny.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_example_runs_and_keeps_its_books(path):
    res = otrip_sim.run(path, demand_scale=DEMAND_SCALE.get(path.stem, 0.05))
    s = res.summary()
    t = s["totals"]
    assert t["journeys"] > 0
    assert t["journeys"] + t["journeys_unserved"] == t["journeys_generated"]
    by_operator = sum(o["fare_revenue"] for o in s["operators"].values())
    assert t["fare_revenue"] == by_operator == int(res.legs["fare"].sum())
    assert len(res.legs) == t["boardings"]
    declared = {o.id for o in res.loaded.spec.operators}
    assert set(s["operators"]) == declared
    table = validation_table(res)
    assert len(table) == len(res.loaded.spec.validation)


@pytest.mark.parametrize(
    "name, operators",
    [
        ("baseline-2017", {"transjakarta", "angkot", "krl", "royaltrans"}),
        ("okotrip-2018", {"transjakarta", "mikrotrans", "angkot", "krl", "royaltrans"}),
        ("jaklingko-2022", {"transjakarta", "mikrotrans", "angkot", "krl", "mrt", "lrt", "royaltrans"}),
        ("lrt-trial-2019", {"transjakarta", "mikrotrans", "angkot", "krl", "mrt", "lrt", "royaltrans"}),
    ],
)
def test_jakarta_scenarios_declare_exactly_their_years_operators(name, operators):
    loaded = otrip_sim.load_scenario(JAKARTA / f"{name}.yaml")
    assert {o.id for o in loaded.spec.operators} == operators
    assert {c.id for c in loaded.spec.demand.categories} == {"adult", "free"}
    running = {r.operator_in(loaded.spec.meta.year) for r in loaded.routes()}
    assert running == operators


def test_ok_otrip_routes_change_operator_in_2018():
    y2017 = otrip_sim.load_scenario(JAKARTA / "baseline-2017.yaml")
    y2018 = otrip_sim.load_scenario(JAKARTA / "okotrip-2018.yaml")
    ops17 = {r.id: r.operator_in(2017) for r in y2017.routes()}
    ops18 = {r.id: r.operator_in(2018) for r in y2018.routes()}
    joined = {r for r, op in ops18.items() if op == "mikrotrans"}
    assert joined and all(ops17[r] == "angkot" for r in joined)
    assert any(op == "angkot" for op in ops18.values())  # some microbus routes stay outside


def test_every_cited_source_key_exists():
    sources = (ROOT / "docs" / "sources.md").read_text()
    keys = set(re.findall(r"^\|\s*([a-z0-9][a-z0-9-]*)\s*\|", sources, re.M))
    cited: set[str] = set()
    files = [
        p for d in (JAKARTA, JAKARTA_SCALE) for p in [*d.rglob("*.yaml"), *d.rglob("*.csv"), *d.rglob("*.in")]
    ]
    for path in files:
        text = path.read_text()
        cited |= set(re.findall(r"src: ([a-z0-9][a-z0-9-]*)", text))
        cited |= set(re.findall(r"source: ([a-z0-9][a-z0-9-]*)", text))
    missing = sorted(cited - keys)
    assert not missing, f"cited but not in docs/sources.md: {missing}"


def test_every_number_in_jakarta_scenarios_is_sourced_or_an_assumption():
    """A line of a Jakarta scenario file that sets a number says where it comes from."""
    offenders = []
    for path in sorted([*JAKARTA.glob("*.yaml"), *JAKARTA_SCALE.glob("*.yaml")]):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            unsourced_ok = r"(schema_version|year|seed|max_transfers|max_paths|min_operators):"
            if re.search(r":\s*-?\d", code) and not re.search(unsourced_ok, code):
                comment = line.partition("#")[2]
                block = "\n".join(path.read_text().splitlines()[max(0, n - 6): n])
                cited = ("src:" in comment or "assumption" in comment or "source:" in line
                         or "src:" in block or "assumption" in block)
                if not cited:
                    offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_lrt_backcast_pair_differs_in_the_lrt_fare_alone():
    """The backcast (README.md): the paid scenario is the trial with the LRT at Rp 5,000, pivoting on
    the trial's fares; network, demand, choice, modes and money are the same."""
    trial = otrip_sim.load_scenario(JAKARTA / "lrt-trial-2019.yaml").spec
    paid = otrip_sim.load_scenario(JAKARTA / "lrt-paid-2019.yaml").spec
    assert paid.demand.pivot_reference == trial.fares
    assert [trial.fares.standalone["lrt"].amount, paid.fares.standalone["lrt"].amount] == [0, 5000]  # type: ignore[union-attr]
    same = ("operators", "network", "choice", "modes", "money")
    assert all(getattr(trial, k) == getattr(paid, k) for k in same)
    assert trial.demand.pivot_reference == trial.fares  # the trial is its own reference
    assert trial.demand.model_dump(exclude={"pivot_reference"}) == \
        paid.demand.model_dump(exclude={"pivot_reference"})
    fares = [f.fares.model_dump(exclude={"name"}) for f in (trial, paid)]
    for f in fares:
        del f["standalone"]["lrt"]
    assert fares[0] == fares[1]
