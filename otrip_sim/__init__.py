"""otrip-sim: a public-transport fare-integration simulator.

>>> import otrip_sim
>>> res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=1, demand_scale=0.1)  # doctest: +SKIP
>>> res.by_operator  # doctest: +SKIP

Loading and compiling are separate steps: ``load_scenario`` only reads and validates,
``compile_scenario`` builds the network and fare policy once (``run`` accepts either result).

>>> loaded = otrip_sim.load_scenario("scenarios/tiny/tiny.yaml")  # doctest: +SKIP
>>> compiled = otrip_sim.compile_scenario(loaded)  # doctest: +SKIP
>>> res = otrip_sim.run(compiled, seed=1)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .compile import CompiledScenario, compile_scenario
from .errors import InputError, OtripError, OutputError
from .results import RunResult
from .run import run  # binds the name `run` to the function, over the submodule
from .scenario import LoadedScenario, load_scenario
from .version import __version__

# perf: writing results loads matplotlib; it is imported on first use (PEP 562), so commands
# that never plot (`otrip-sim fares`, `validate`) start faster.
_LAZY = {"write_results": ".output"}

if TYPE_CHECKING:  # pragma: no cover
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
    "compile_scenario",
    "load_scenario",
    "run",
    "write_results",
]
