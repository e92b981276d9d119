"""otrip-sim: a public-transport fare-integration simulator.

>>> import otrip_sim
>>> res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=1, demand_scale=0.1)  # doctest: +SKIP
>>> res.by_operator  # doctest: +SKIP

Loading and compiling are separate steps: ``load_scenario`` only reads and validates,
``compile_scenario`` builds the network and fare policy once (``run`` accepts either result).

>>> loaded = otrip_sim.load_scenario("scenarios/tiny/tiny.yaml")  # doctest: +SKIP
>>> compiled = otrip_sim.compile_scenario(loaded)  # doctest: +SKIP
>>> res = otrip_sim.run(compiled, seed=1)  # doctest: +SKIP

Changes as ``--set`` makes them, validated as if written in the file, and comparisons:

>>> cheaper = otrip_sim.load_scenario("scenarios/jakarta/okotrip-2018.yaml",
...                                   overrides={"fares.windows[0].cap": 4000})  # doctest: +SKIP
>>> c = otrip_sim.compare(["scenarios/jakarta/okotrip-2018.yaml", cheaper], 5, sample=0.2)  # doctest: +SKIP
>>> c.headline()  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .compare import compare
from .compile import CompiledScenario, compile_scenario
from .errors import InputError, OtripError, OutputError
from .replicate import replicate
from .results import RunResult
from .run import run
from .scenario import LoadedScenario, load_scenario, with_overrides
from .sweep import sweep
from .version import __version__

# `run`, `compare`, `replicate` and `sweep` are functions named as their modules: imported here,
# they bind the package's names to the functions for good (a later `import otrip_sim.sweep` leaves
# them so); a name left for PEP 562 would become the module once anything imported it.
# perf: writing results and comparisons loads matplotlib; those are imported on first use, so
# commands that never plot (`otrip-sim fares`, `validate`) start faster.
_LAZY = {"write_results": ".output", "write_comparison": ".compare_output"}

if TYPE_CHECKING:  # pragma: no cover
    from .compare_output import write_comparison
    from .output import write_results


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'otrip_sim' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CompiledScenario",
    "InputError",
    "LoadedScenario",
    "OtripError",
    "OutputError",
    "RunResult",
    "__version__",
    "compare",
    "compile_scenario",
    "load_scenario",
    "replicate",
    "run",
    "sweep",
    "with_overrides",
    "write_comparison",
    "write_results",
]
