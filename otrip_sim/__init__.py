"""otrip-sim: a public-transport fare-integration simulator.

>>> import otrip_sim
>>> res = otrip_sim.run("scenarios/tiny/tiny.yaml", seed=1, demand_scale=0.1)  # doctest: +SKIP
>>> res.by_operator  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .errors import InputError, OtripError, OutputError  # noqa: E402
from .output import write_results  # noqa: E402
from .results import RunResult  # noqa: E402
from .run import run  # noqa: E402
from .scenario import LoadedScenario, load_scenario  # noqa: E402

__all__ = [
    "InputError",
    "LoadedScenario",
    "OtripError",
    "OutputError",
    "RunResult",
    "__version__",
    "load_scenario",
    "run",
    "write_results",
]
