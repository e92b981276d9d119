"""Compare fare policies on common random numbers: every scenario runs replications 0 … N−1 with
the same seed, so replication *k* of each sees the same persons making the same draws, and the
difference against the first scenario is estimated from the **paired** per-replication
differences (docs/compare.md).

Outputs (:func:`write_comparison`): ``comparison.csv`` (long form), ``headline.csv`` (Holm-adjusted),
``elasticity.csv``, ``fares_diff.txt``, ``plots/*.png`` and ``report.html``.

Finished runs are kept in ``<out>.runs/`` until the folder is written, so ``compare --resume``
continues an interrupted comparison from them, with the same results as an uninterrupted one
(:func:`otrip_sim.replicate.run_kept`, shared with ``sweep``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

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
from .scenario import LoadedScenario, load_scenario, with_overrides
from .stats import Interval, holm, mean_interval, paired_difference, unpaired_difference

HEADLINE = ("journeys", "boardings", "transfers", "fare_revenue", "fare_per_journey", "operator_payments",
            "subsidy", "subsidy_city", "subsidy_national", "subsidy_per_journey", "farebox_recovery",
            "user_benefit")
"""The headline figures (Holm-adjusted as one family per scenario)."""

COMPARISON_COLUMNS = ["scenario", "metric", "mean", "ci_low", "ci_high", "delta_vs_first", "delta_ci_low",
                      "delta_ci_high"]
UNIFORM_TOLERANCE = 0.02
"""A fare change is uniform when every operator's fare per boarding changes by the same factor to
within this share (then a fare elasticity means something)."""

# meta fields that name or describe a scenario without changing what runs
_DESCRIPTIVE_META = ("name", "title", "description", "counterfactual", "period")


@dataclass(frozen=True)
class Comparison:
    """Replications of several scenarios on common random numbers.

    Attributes
    ----------
    loaded
        The scenarios, the first the reference.
    reps
        Per scenario, its replications in replication order.
    sample, seed
        The sample fraction and seed every run used (seed None: each scenario's ``meta.seed``).
    """

    loaded: tuple[LoadedScenario, ...]
    reps: tuple[tuple[Replicate, ...], ...]
    sample: float = 1.0
    seed: int | None = None

    @property
    def names(self) -> list[str]:
        """Scenario names (made unique by position where two scenarios share one)."""
        names = [x.name for x in self.loaded]
        return [n if names.count(n) == 1 else f"{n}#{i + 1}" for i, n in enumerate(names)]

    @property
    def currency(self) -> str:
        """The first scenario's currency."""
        return self.loaded[0].spec.meta.currency

    @property
    def metrics(self) -> list[str]:
        """Every figure, in a fixed order (the first scenario's, then figures only later ones have)."""
        return metric_names([r for reps in self.reps for r in reps])

    def per_replication(self, i: int, name: str) -> np.ndarray:
        """Scenario ``i``'s figure per replication (a ratio as each replication's own ratio)."""
        return per_replication(self.reps[i], name)

    def interval(self, i: int, name: str) -> Interval:
        """Scenario ``i``'s mean and interval of a figure (ratios by the delta method)."""
        return interval_of(self.reps[i], name)[0]

    def delta(self, i: int, name: str, paired: bool = True) -> Interval:
        """Scenario ``i`` minus the first, paired by replication (or, ``paired=False``, as if the
        two were independent: Welch's interval, to show what common random numbers gain)."""
        a, b = self.per_replication(0, name), self.per_replication(i, name)
        return paired_difference(a, b) if paired else unpaired_difference(a, b)

    def rows(self) -> pd.DataFrame:
        """``comparison.csv``: one row per scenario and figure, scenarios in the order given and
        figures in :attr:`metrics` order; undefined values empty.

        Returns
        -------
        pandas.DataFrame
            ``scenario, metric, mean, ci_low, ci_high`` (95% simulation-noise interval),
            ``delta_vs_first, delta_ci_low, delta_ci_high`` (paired on common random numbers);
            money in minor units as floats (means of integers), 4 decimals.
        """
        out = []
        for i, name in enumerate(self.names):
            for m in self.metrics:
                iv, d = self.interval(i, m), self.delta(i, m)
                out.append([name, m, _r(iv.mean), _r(iv.low), _r(iv.high), _r(d.mean), _r(d.low), _r(d.high)])
        return pd.DataFrame(out, columns=COMPARISON_COLUMNS)

    def headline(self) -> pd.DataFrame:
        """The headline table: each later scenario's change in the :data:`HEADLINE` figures against
        the first, with paired intervals, paired t-test p-values and Holm's adjustment for the
        number of figures (one family per scenario).

        Returns
        -------
        pandas.DataFrame
            ``scenario, metric, unit, first, mean, delta_vs_first, delta_ci_low, delta_ci_high,
            p_value, p_holm, significant`` (``p_holm < 0.05``; empty where undefined).
        """
        out = []
        for i, name in enumerate(self.names[1:], start=1):
            metrics = [m for m in HEADLINE if m in self.metrics]
            deltas = [self.delta(i, m) for m in metrics]
            adjusted = holm([d.p for d in deltas])
            for m, d, p in zip(metrics, deltas, adjusted):
                out.append([name, m, unit_of(m, self.currency), _r(self.interval(0, m).mean),
                            _r(self.interval(i, m).mean), _r(d.mean), _r(d.low), _r(d.high),
                            _sig(d.p), _sig(p), None if p is None else bool(p < 0.05)])
        return pd.DataFrame(out, columns=["scenario", "metric", "unit", "first", "mean", "delta_vs_first",
                                          "delta_ci_low", "delta_ci_high", "p_value", "p_holm",
                                          "significant"])

    def fare_change_uniform(self, i: int) -> bool:
        """Whether every operator ridden in both scenarios sees its fare per boarding change by the
        same factor (within :data:`UNIFORM_TOLERANCE`)."""
        factors = []
        for m in self.metrics:
            if m.startswith("operators.") and m.endswith(".fare_revenue"):
                op = m.removeprefix("operators.").removesuffix(".fare_revenue")
                b0 = _mean(self.per_replication(0, f"operators.{op}.boardings"))
                b1 = _mean(self.per_replication(i, f"operators.{op}.boardings"))
                f0 = _mean(self.per_replication(0, m))
                f1 = _mean(self.per_replication(i, m))
                if b0 > 0 and b1 > 0 and f0 > 0:
                    factors.append((f1 / b1) / (f0 / b0))
        return bool(factors) and max(factors) - min(factors) <= UNIFORM_TOLERANCE * min(factors)

    def elasticity(self) -> pd.DataFrame:
        """Each later scenario against the first: the implied fare elasticity of journeys (arc
        elasticity on the mean fare per journey, computed per replication and averaged with a t
        interval) where the fare change is uniform; otherwise the change in subsidy (all payers) per
        journey gained (negative: per journey lost).

        Returns
        -------
        pandas.DataFrame
            ``scenario, fare_change_uniform, fare_per_journey_change, journeys_change,
            elasticity, elasticity_ci_low, elasticity_ci_high, subsidy_change,
            subsidy_change_per_journey_gained, user_benefit_change, benefit_per_subsidy``
            (with mode choice: the user benefit against the first, and per rupiah of extra
            subsidy); empty where undefined (no fare change; a change in journeys whose paired
            interval includes 0; no mode choice; no subsidy change).
        """
        out = []
        for i, name in enumerate(self.names[1:], start=1):
            q0, q1 = self.per_replication(0, "journeys"), self.per_replication(i, "journeys")
            p0, p1 = self.per_replication(0, "fare_per_journey"), self.per_replication(i, "fare_per_journey")
            uniform = self.fare_change_uniform(i)
            el = Interval(None, None, None, len(q0))
            if uniform and np.all(p1 != p0):
                arc = ((q1 - q0) / ((q1 + q0) / 2)) / ((p1 - p0) / ((p1 + p0) / 2))
                el = mean_interval(arc)
            dq = self.delta(i, "journeys")
            ds = self.delta(i, "subsidy")
            per = None
            # only for a change in journeys beyond the noise (its paired interval excludes 0)
            beyond_noise = dq.low is not None and dq.high is not None and dq.low * dq.high > 0
            if not uniform and dq.mean and beyond_noise and ds.mean is not None:
                per = ds.mean / dq.mean
            benefit = self.delta(i, "user_benefit").mean if "user_benefit" in self.metrics else None
            per_subsidy = benefit / ds.mean if benefit is not None and ds.mean else None
            out.append([name, uniform, _r(self.delta(i, "fare_per_journey").mean), _r(dq.mean), _r(el.mean),
                        _r(el.low), _r(el.high), _r(ds.mean), _r(per), _r(benefit), _r(per_subsidy)])
        return pd.DataFrame(out, columns=["scenario", "fare_change_uniform", "fare_per_journey_change",
                                          "journeys_change", "elasticity", "elasticity_ci_low",
                                          "elasticity_ci_high", "subsidy_change",
                                          "subsidy_change_per_journey_gained", "user_benefit_change",
                                          "benefit_per_subsidy"])

    def fares_diff(self) -> list[str]:
        """Each later scenario's ``fares`` section against the first's, as a unified diff of their
        YAML (times in seconds, distances in metres, money in minor units)."""
        first = _fares_yaml(self.loaded[0])
        out = []
        for x, name in zip(self.loaded[1:], self.names[1:]):
            diff = difflib.unified_diff(first, _fares_yaml(x), f"{self.names[0]}: fares", f"{name}: fares",
                                        lineterm="", n=2)
            out.append("\n".join(diff) or f"{name}: the same fares as {self.names[0]}")
        return out

    def warnings(self) -> list[str]:
        """Sections other than ``fares`` (and the names and descriptions in ``meta``) that differ
        between the first scenario and a later one: then the comparison is not of fares alone."""
        out = []
        first = _rest(self.loaded[0])
        for x, name in zip(self.loaded[1:], self.names[1:]):
            other = _rest(x)
            differ = [k for k in sorted(set(first) | set(other)) if first.get(k) != other.get(k)]
            if differ:
                out.append(f"{name} differs from {self.names[0]} in more than its fares: "
                           f"{', '.join(differ)} (the difference is not the fare policy's alone)")
        return out


def _mean(values: np.ndarray) -> float:
    """The mean of the defined values; NaN, without a warning, when none is (an operator only one
    of the compared scenarios has)."""
    defined = values[np.isfinite(values)]
    return float(defined.mean()) if len(defined) else float("nan")


def _fares_yaml(x: LoadedScenario) -> list[str]:
    doc = x.spec.fares.model_dump(mode="json", by_alias=True, exclude={"name"})
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).splitlines()


def _rest(x: LoadedScenario) -> dict[str, Any]:
    doc = x.spec.model_dump(mode="json", by_alias=True, exclude={"fares", "validation"})
    for k in _DESCRIPTIVE_META:
        doc["meta"].pop(k, None)
    flat: dict[str, Any] = {}
    for section, value in doc.items():
        if section == "meta" and isinstance(value, dict):
            flat.update({f"meta.{k}": v for k, v in value.items()})
        else:
            flat[section] = value
    return flat


def _sig(p: float | None) -> float | None:
    """A p-value to 3 significant digits (a tiny one stays visible: 1.2e-09, not 0)."""
    return None if p is None or not np.isfinite(p) else float(f"{p:.3g}")


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def compare(scenarios: Sequence[str | Path | LoadedScenario], replications: int, seed: int | None = None,
            sample: float = 1.0, demand_scale: float = 1.0, overrides: Mapping[str, Any] | None = None,
            workers: int = 1, executor: str = "local", scheduler: str | None = None,
            progress: bool = False, runs: Path | None = None, resume: bool = False) -> Comparison:
    """Run replications 0 … N−1 of every scenario on common random numbers.

    Parameters
    ----------
    scenarios
        Two or more scenario files (or scenarios loaded from them); the first is the reference.
    replications
        N (>= 1; 2 or more for intervals).
    seed
        Root seed for every scenario (default: the first scenario's ``meta.seed``, so all share
        the same draws even where their ``meta.seed`` differ).
    sample, demand_scale
        As for :func:`otrip_sim.run`.
    overrides
        ``--set`` changes applied to every scenario.
    workers, executor, scheduler, progress
        As for :func:`otrip_sim.executors.run_jobs`.
    runs
        A folder keeping each finished run (``<out>.runs``, for ``resume``); None: kept in memory only.
    resume
        Reuse the runs in ``runs`` that match a job exactly (an interrupted comparison continued);
        the results are the same as an uninterrupted comparison's.

    Returns
    -------
    Comparison
    """
    from .errors import InputError

    if len(scenarios) < 2:
        raise InputError("compare", "", "needs two scenarios or more", len(scenarios))
    if replications < 1:
        raise InputError("--replications", "", "must be >= 1", replications)
    loaded = tuple((with_overrides(x, overrides) if overrides else x) if isinstance(x, LoadedScenario)
                   else load_scenario(x, overrides=overrides) for x in scenarios)
    if seed is None:
        seed = loaded[0].spec.meta.seed
    # each scenario was loaded with the overrides: job_for takes them from the loaded scenario
    jobs = [job_for(x, k, seed, sample, demand_scale) for x in loaded for k in range(replications)]
    # run_job looked up here, at call time (a test stands in for it)
    results = run_kept(run_job, jobs, [x for x in loaded for _ in range(replications)], runs, resume, workers,
                       executor, scheduler, progress, "compare")
    reps = tuple(tuple(results[i * replications:(i + 1) * replications]) for i in range(len(loaded)))
    return Comparison(loaded, reps, sample, seed)
