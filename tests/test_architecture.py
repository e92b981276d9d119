"""The structure, enforced: imports flow one way (function-local ones included), no import cycle,
nothing outside ``otrip_sim/fares/`` tests a fare rule's class or picks a pricing backend, and no
module grows past 700 lines.  See docs/architecture.md for the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "otrip_sim"

# Layers, lowest first.  A module may import its own layer or lower ones, never a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("version", "errors", "units", "geo", "grouped", "rng", "atomic", "textio", "tapcolumns", "memory",
     "stats", "overrides", "executors"),
    ("fares",),
    ("schema",),
    ("scenario",),
    ("policy", "network", "demand"),
    ("compile",),
    ("paths", "simulation", "settlement", "choice", "modes", "checks"),
    ("clearing", "money", "taplog", "mode_tables"),
    ("results",),
    ("validation",),
    ("plots",),
    ("output", "tides_out", "run", "replay", "tides", "reproduce", "gtfs", "replicate", "compare",
     "compare_plots", "report", "compare_output", "sweep", "calibrate"),
    ("cli", "cli_study", "__init__"),
]
RULE_CLASSES = {
    "FlatFare", "TimeBandFare", "DistanceFare", "StationTableFare", "ZoneFare", "CategoryFree",
    "CategoryDiscount", "CategoryFixed", "CapWindow", "IntegratedWindow", "FirstFareWindow", "TransferWindow",
    "PayDifferenceWindow", "TransferMatrixWindow", "TransferPair", "NoFare", "OdChainWindow",
    "FarePass", "PeriodCap",
}


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE).with_suffix("").parts): p for p in sorted(PACKAGE.rglob("*.py"))}


def _unit(module: str) -> str:
    """The unit a module belongs to: a top-level module, or a subpackage (``fares``, ``gtfs``)."""
    top = module.split(".")[0]
    return "__init__" if module == "__init__" else top


def _imports(module: str, path: Path) -> set[str]:
    """Every otrip_sim module ``module`` imports, at any depth of the file (functions included)."""
    tree = ast.parse(path.read_text())
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if module == "__init__":
        package = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "otrip_sim":
                target = node.module.split(".")[1:]
            else:
                continue
            if node.module is None or not target:  # `from . import x`: x is a module or a name of __init__
                for alias in node.names:
                    found.add(".".join([*target, alias.name]) if target else alias.name)
            else:
                found.add(".".join(target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "otrip_sim":
                    found.add(".".join(alias.name.split(".")[1:]) or "__init__")
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module an import names (a name imported from a package resolves to the package)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        if f"{candidate}.__init__" in modules:
            return f"{candidate}.__init__"
        parts.pop()
    return "__init__" if name in {"__version__"} else None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        graph[module] = {
            t for name in _imports(module, path) if (t := _resolve(name, modules)) and t != module
        }
    return graph


def _layer(module: str) -> int:
    unit = _unit(module)
    for k, layer in enumerate(LAYERS):
        if unit in layer:
            return k
    raise AssertionError(
        f"otrip_sim/{module.replace('.', '/')}.py is in no layer of tests/test_architecture.py"
    )


def test_every_module_is_in_a_layer():
    for module in _modules():
        _layer(module)


def test_imports_flow_one_way():
    wrong = sorted(f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)})"
                   for m, targets in _graph().items() for t in targets if _layer(t) > _layer(m))
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                return [*stack[stack.index(t):], t]
            if t not in state and (cycle := visit(t)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_the_checker_sees_function_local_imports():
    """The import reader finds an import inside a function, so the checks above can fail."""
    modules = _modules()
    assert any(
        isinstance(node, (ast.Import, ast.ImportFrom)) and not isinstance(parent, ast.Module)
        for path in modules.values()
        for parent in ast.walk(ast.parse(path.read_text()))
        for node in ast.iter_child_nodes(parent)
    )
    assert _layer("cli") > _layer("fares.pricing")


def _outside_fares() -> list[tuple[str, ast.AST]]:
    return [(m, ast.parse(p.read_text())) for m, p in _modules().items() if _unit(m) != "fares"]


def test_nothing_outside_fares_tests_a_rule_class():
    found = []
    for module, tree in _outside_fares():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("isinstance", "issubclass"):
                names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
                if names & RULE_CLASSES:
                    found.append(f"{module}:{node.lineno}")
    assert not found, f"rule classes tested outside fares/: {found}"


def test_nothing_outside_fares_picks_a_pricing_backend():
    found = [f"{module}:{node.lineno}" for module, tree in _outside_fares() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and any(k.arg == "backend" and not (isinstance(k.value, ast.Name)
                                                                               and k.value.id == "backend")
                                                   for k in node.keywords)]
    assert not found, f"a caller chooses the pricing backend: {found}"


def test_no_module_over_700_lines():
    long = {m: n for m, p in _modules().items() if (n := len(p.read_text().splitlines())) > 700}
    assert not long, long


def test_the_package_names_stay_functions_and_plotting_stays_lazy():
    """``otrip_sim.sweep``, ``compare``, ``replicate`` and ``run`` are functions named as their
    modules: they stay the functions after a notebook imports the module (``from otrip_sim.sweep
    import parse_param`` made ``otrip_sim.sweep`` the module), and importing the package loads no
    matplotlib (commands that never plot start faster)."""
    import subprocess
    import sys

    code = ("import sys, otrip_sim; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'; "
            "import otrip_sim.sweep, otrip_sim.compare, otrip_sim.replicate, otrip_sim.run; "
            "from otrip_sim.sweep import parse_param; "
            "assert all(callable(getattr(otrip_sim, n)) for n in ('sweep', 'compare', 'replicate', 'run'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
