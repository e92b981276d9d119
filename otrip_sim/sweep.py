"""Sweep a scenario's parameters: every point of a grid of ``--param`` values, N replications
each on common random numbers (the same seed at every point), summarised with intervals; the
Pareto front of ridership against subsidy, marking points no other point dominates significantly.

Finished runs are kept in ``<out>.runs/`` (one JSON file per run, named by a hash of what decides
its result) until the folder is written, so ``--resume`` continues an interrupted sweep from them
and gives the same results as an uninterrupted one (docs/compare.md).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .atomic import atomic_folder
from .compile import compile_scenario
from .errors import InputError
from .overrides import parse_path, parse_value
from .replicate import (
    Replicate,
    interval_of,
    job_for,
    metric_names,
    per_replication,
    run_job,
    run_kept,
    unit_of,
)
from .replicate import runs_folder as runs_folder  # where the kept runs are: compare and sweep alike
from .scenario import LoadedScenario, load_scenario, with_overrides
from .stats import Interval, paired_difference
from .version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

HEADLINE = ("journeys", "boardings", "fare_revenue", "fare_per_journey", "subsidy", "farebox_recovery")
RIDERSHIP, SUBSIDY = "journeys", "subsidy"


def parse_param(text: str) -> tuple[str, list[Any]]:
    """``"fares.windows[0].cap=4000,6000"`` as ``("fares.windows[0].cap", [4000, 6000])``.

    Parameters
    ----------
    text : str
        ``PATH=V1,V2,…``; each value read as YAML.

    Returns
    -------
    tuple
        The path and its values, in the order given.
    """
    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise InputError("--param", "", "expected PATH=V1,V2,..., e.g. fares.windows[0].cap=4000,6000", text)
    parse_path(path)
    items = [parse_value(v) for v in values.split(",")]
    if len(set(map(repr, items))) != len(items):
        raise InputError("--param", path.strip(), "a value is given twice", values)
    return path.strip(), items


@dataclass(frozen=True)
class Sweep:
    """A sweep's grid (one dict of parameter values per point, first parameter slowest), the
    scenario at each point and each point's replications."""

    params: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    loaded: tuple[LoadedScenario, ...]
    reps: tuple[tuple[Replicate, ...], ...]
    sample: float = 1.0
    seed: int | None = None

    def per_replication(self, i: int, name: str) -> np.ndarray:
        """Point ``i``'s figure per replication (a ratio as each replication's own)."""
        return per_replication(self.reps[i], name)

    def delta(self, i: int, j: int, name: str) -> Interval:
        """Point ``j`` minus point ``i``, paired by replication."""
        return paired_difference(self.per_replication(i, name), self.per_replication(j, name))

    def table(self) -> pd.DataFrame:
        """``sweep.csv``: one row per grid point and figure: the parameters' values, ``metric``,
        ``unit``, ``mean``, ``ci_low``, ``ci_high`` (95%, simulation noise) and the paired change
        against the first point (``delta_vs_first``, ``delta_ci_low``, ``delta_ci_high``)."""
        currency = self.loaded[0].spec.meta.currency
        rows = []
        for i, point in enumerate(self.points):
            for m in metric_names([r for reps in self.reps for r in reps]):
                iv, d = interval_of(self.reps[i], m)[0], self.delta(0, i, m)
                rows.append({**{p: _show(point[p]) for p in self.params}, "metric": m,
                             "unit": unit_of(m, currency), "mean": _r(iv.mean), "ci_low": _r(iv.low),
                             "ci_high": _r(iv.high), "delta_vs_first": _r(d.mean),
                             "delta_ci_low": _r(d.low), "delta_ci_high": _r(d.high)})
        return pd.DataFrame(rows)

    def pareto(self) -> pd.DataFrame:
        """Ridership (journeys) against subsidy (all payers): a point is significantly dominated when
        another is better beyond the noise in one (more journeys: the paired interval of the
        change above 0; or less subsidy: below 0) and not worse beyond the noise in the other
        (its interval not wholly on the wrong side of 0).

        Returns
        -------
        pandas.DataFrame
            The parameters, ``journeys``, ``journeys_ci_low/high``, ``subsidy``,
            ``subsidy_ci_low/high``, ``dominated`` (bool) and ``dominated_by`` (the first point
            that dominates it, as ``path=value`` text; empty if none).
        """
        rows = []
        for i, point in enumerate(self.points):
            by = ""
            for j in range(len(self.points)):
                if j == i:
                    continue
                dq, ds = self.delta(i, j, RIDERSHIP), self.delta(i, j, SUBSIDY)
                if dq.low is None or dq.high is None or ds.low is None or ds.high is None:
                    continue
                # better beyond the noise in one, and not worse beyond the noise in the other
                if (dq.low > 0 and not ds.low > 0) or (ds.high < 0 and not dq.high < 0):
                    by = _label(self.points[j])
                    break
            q, s = interval_of(self.reps[i], RIDERSHIP)[0], interval_of(self.reps[i], SUBSIDY)[0]
            rows.append({**{p: _show(point[p]) for p in self.params}, "journeys": _r(q.mean),
                         "journeys_ci_low": _r(q.low), "journeys_ci_high": _r(q.high), "subsidy": _r(s.mean),
                         "subsidy_ci_low": _r(s.low), "subsidy_ci_high": _r(s.high), "dominated": bool(by),
                         "dominated_by": by})
        return pd.DataFrame(rows)


def _show(v: Any) -> Any:
    return v if isinstance(v, (int, float, str, bool)) or v is None else json.dumps(v)


def _label(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in point.items())


def _r(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def sweep(scenario: str | Path | LoadedScenario, params: Sequence[tuple[str, Sequence[Any]]],
          replications: int, seed: int | None = None, sample: float = 1.0, demand_scale: float = 1.0,
          overrides: Mapping[str, Any] | None = None, workers: int = 1, executor: str = "local",
          scheduler: str | None = None, progress: bool = False, runs: Path | None = None,
          resume: bool = False) -> Sweep:
    """Run every grid point of ``params`` with replications 0 … N−1 (the same seed everywhere).

    Parameters
    ----------
    scenario
        The scenario file (or a scenario loaded from one).
    params
        (dotted path, values) per parameter; the grid is their product, the first slowest.
    replications
        N per point.
    seed, sample, demand_scale
        As for :func:`otrip_sim.run` (seed default: the scenario's ``meta.seed``).
    overrides
        ``--set`` changes applied at every point (before the parameter's value).
    workers, executor, scheduler, progress
        As for :func:`otrip_sim.executors.run_jobs`.
    runs
        A folder keeping each finished run (for ``resume``); None: kept in memory only.
    resume
        Reuse the runs in ``runs`` that match a job exactly.

    Returns
    -------
    Sweep
    """
    if not params:
        raise InputError("--param", "", "give at least one parameter to sweep")
    if replications < 1:
        raise InputError("--replications", "", "must be >= 1", replications)
    if isinstance(scenario, LoadedScenario):
        base = with_overrides(scenario, overrides) if overrides else scenario
    else:
        base = load_scenario(scenario, overrides=overrides)
    names = tuple(p for p, _ in params)
    points = tuple(dict(zip(names, combo)) for combo in itertools.product(*(v for _, v in params)))
    loaded = []
    for point in points:  # every point validated and compiled before any run starts
        x = load_scenario(base.path, True, {**base.overrides, **point})
        compile_scenario(x)
        loaded.append(x)
    seed = base.spec.meta.seed if seed is None else seed
    jobs = [job_for(x, k, seed, sample, demand_scale) for x in loaded for k in range(replications)]
    # run_job looked up here, at call time (a test stands in for it)
    done = run_kept(run_job, jobs, [x for x in loaded for _ in range(replications)], runs, resume, workers,
                    executor, scheduler, progress, "sweep")
    reps = tuple(tuple(done[p * replications + k] for k in range(replications)) for p in range(len(points)))
    return Sweep(names, points, tuple(loaded), reps, sample, seed)


def _sample_note(s: Sweep) -> str:
    return "" if s.sample == 1 else f"; {s.sample:.0%} sample of persons, figures ×{1 / s.sample:g}"


def _line_plots(s: Sweep, folder: Path) -> None:
    # perf: matplotlib is imported when a sweep is written, not with the module (`otrip_sim.sweep`
    # is imported with the package, so that the name stays the function)
    import matplotlib.pyplot as plt

    from .plots import money_formatter

    first = s.params[0]
    others = s.params[1:]
    for metric in HEADLINE:
        fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
        groups: dict[str, list[int]] = {}
        for i, point in enumerate(s.points):
            groups.setdefault(_label({k: point[k] for k in others}), []).append(i)
        numeric = all(isinstance(p[first], (int, float)) for p in s.points)
        for label, idx in groups.items():
            xs = [s.points[i][first] if numeric else k for k, i in enumerate(idx)]
            ivs = [interval_of(s.reps[i], metric)[0] for i in idx]
            mean = np.array([np.nan if iv.mean is None else iv.mean for iv in ivs])
            low = np.array([np.nan if iv.low is None else iv.low for iv in ivs])
            high = np.array([np.nan if iv.high is None else iv.high for iv in ivs])
            ax.plot(xs, mean, marker="o", label=label or None)
            ax.fill_between(xs, low, high, alpha=0.2)
            if not numeric:
                ax.set_xticks(xs, [str(_show(s.points[i][first])) for i in idx])
        ax.set_xlabel(first)
        currency = s.loaded[0].spec.meta.currency
        ax.set_ylabel(f"{metric} ({unit_of(metric, currency)})")
        if unit_of(metric, currency) in (currency, f"{currency} per journey"):
            ax.yaxis.set_major_formatter(money_formatter(currency))
        ax.set_title(f"{s.loaded[0].name}: {metric}, mean and 95% interval over {len(s.reps[0])} "
                     f"replications (simulation noise){_sample_note(s)}", fontsize=9)
        if others:
            ax.legend(fontsize=8)
        fig.savefig(folder / f"{metric}.png", dpi=100, metadata={"Software": None})
        plt.close(fig)


def pareto_figure(s: Sweep, table: pd.DataFrame | None = None) -> Figure:
    """Ridership against subsidy, every point with its 95% intervals, the dominated ones marked
    (``pareto.png``).

    Parameters
    ----------
    s : Sweep
    table : pandas.DataFrame, optional
        ``s.pareto()``, if already computed.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from .plots import money_formatter

    table = s.pareto() if table is None else table
    fig, ax = plt.subplots(figsize=(8, 6), constrained_layout=True)
    for dominated, marker, label in ((False, "o", "not significantly dominated"), (True, "x", "dominated")):
        rows = table[table["dominated"] == dominated]
        if rows.empty:
            continue
        yerr = [rows["journeys"] - rows["journeys_ci_low"].fillna(rows["journeys"]),
                rows["journeys_ci_high"].fillna(rows["journeys"]) - rows["journeys"]]
        xerr = [rows["subsidy"] - rows["subsidy_ci_low"].fillna(rows["subsidy"]),
                rows["subsidy_ci_high"].fillna(rows["subsidy"]) - rows["subsidy"]]
        ax.errorbar(rows["subsidy"], rows["journeys"], xerr=xerr, yerr=yerr, fmt=marker, capsize=3,
                    label=label)
    for i, point in enumerate(s.points):
        ax.annotate(_label(point), (table["subsidy"].iloc[i], table["journeys"].iloc[i]), fontsize=7,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel(f"subsidy per day, all payers ({s.loaded[0].spec.meta.currency})")
    ax.xaxis.set_major_formatter(money_formatter(s.loaded[0].spec.meta.currency))
    ax.set_ylabel("journeys per day")
    ax.legend(fontsize=8)
    ax.set_title(f"Ridership against subsidy (95% intervals of simulation noise){_sample_note(s)}",
                 fontsize=9)
    return fig


def write_sweep(s: Sweep, out: str | Path, force: bool = False) -> Path:
    """Write ``sweep.csv``, ``pareto.csv``, ``pareto.png``, ``plots/<metric>.png`` and
    ``manifest.json`` into the folder ``out`` (all or nothing).

    Parameters
    ----------
    s : Sweep
    out : str or Path
        The folder to create.
    force : bool
        Replace a non-empty ``out`` that otrip-sim wrote.

    Returns
    -------
    Path
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    inputs = [s.loaded[0].path, *(s.loaded[0].path.parent / n for n in s.loaded[0].inputs)]
    with atomic_folder(out, force, inputs) as tmp:
        s.table().to_csv(tmp / "sweep.csv", index=False)
        pareto = s.pareto()
        pareto.to_csv(tmp / "pareto.csv", index=False)
        fig = pareto_figure(s, pareto)
        fig.savefig(tmp / "pareto.png", dpi=100, metadata={"Software": None})
        plt.close(fig)
        (tmp / "plots").mkdir()
        _line_plots(s, tmp / "plots")
        manifest = {"otrip_sim_version": __version__, "scenario": s.loaded[0].name,
                    "scenario_file": str(s.loaded[0].path), "params": list(s.params),
                    "points": [{k: _show(v) for k, v in p.items()} for p in s.points], "seed": s.seed,
                    "sample": s.sample, "replications": [r.replication for r in s.reps[0]],
                    "overrides": {k: v for k, v in s.loaded[0].overrides.items() if k not in s.params},
                    "inputs_sha256": s.loaded[0].inputs}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out
