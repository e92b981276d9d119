"""Checking that a scenario's runs are reproducible: the same seed gives the same results.

``otrip-sim run --check-reproducible`` first runs a small replication twice (the same seed, a demand
scale of at most :data:`CHECK_SCALE`) and compares every table; a difference (an unseeded random
draw, an order that depends on hashing or on threads) stops the command before the real run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .compile import CompiledScenario, as_compiled
from .errors import OtripError
from .results import RunResult
from .run import run
from .scenario import LoadedScenario

CHECK_SCALE = 0.05
"""Largest demand scale of the check's replication (it runs twice)."""


class NotReproducible(OtripError):
    """Two runs with the same seed gave different results."""


def _tables(res: RunResult) -> dict[str, pd.DataFrame]:
    return {"journeys": res.journeys, "legs": res.legs, "fare_transactions": res.taps,
            "by_operator": res.by_operator}


def check_reproducible(
    scenario: str | Path | LoadedScenario | CompiledScenario, seed: int | None = None,
    demand_scale: float = 1.0,
) -> str:
    """Run a small replication of ``scenario`` twice and compare the results.

    Parameters
    ----------
    scenario : str, Path, LoadedScenario or CompiledScenario
        The scenario (compiled once, both runs use it).
    seed : int, optional
        The root seed (default: the scenario's ``meta.seed``).
    demand_scale : float
        The real run's demand scale; the check uses at most :data:`CHECK_SCALE` of it.

    Returns
    -------
    str
        One line saying what was compared.

    Raises
    ------
    NotReproducible
        Naming the first table (or the summary) that differed.
    """
    compiled = as_compiled(scenario)
    scale = min(demand_scale, CHECK_SCALE) if demand_scale > 0 else CHECK_SCALE
    first, second = (run(compiled, seed=seed, demand_scale=scale) for _ in range(2))
    if first.summary() != second.summary():
        raise NotReproducible(f"{compiled.loaded.path}: two runs with seed {first.seed} gave different "
                              "summaries: the run is not reproducible")
    for name, table in _tables(first).items():
        other = _tables(second)[name]
        if not table.equals(other):
            raise NotReproducible(f"{compiled.loaded.path}: two runs with seed {first.seed} gave different "
                                  f"{name} tables: the run is not reproducible")
    rows = len(first.journeys)
    return (f"reproducible: two runs at demand scale {scale:g} with seed {first.seed} gave identical "
            f"results ({rows:,} journeys, {len(first.legs):,} legs)")
