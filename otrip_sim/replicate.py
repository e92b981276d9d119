"""Replications of a scenario: the same day simulated with independent draws, summarised with
confidence intervals of simulation noise.

Replication *k* of a scenario runs with the scenario's seed (or ``--seed``) and replication
number *k*; every draw is keyed by (seed, replication, purpose, person …) (docs/model.md), so
replication *k* is the same whatever the number of replications (the first N are a prefix of the
first N + 1) and two scenarios with the same demand see the same persons in replication *k*
(common random numbers).  Each job returns a small flat record of figures (:class:`Replicate`),
aggregated in job order (docs/compare.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compile import CompiledScenario, compile_scenario
from .errors import InputError
from .executors import run_jobs
from .results import RunResult
from .run import run
from .scenario import LoadedScenario, load_scenario
from .stats import LEVEL, Interval, mean_interval, ratio_interval
from .validation import validation_table
from .validation import verdict as validation_verdict
from .version import __version__

NOISE = ("simulation noise: the spread between replications of this scenario under its assumptions "
         "(not parameter uncertainty)")

# figures of summary.json's totals that are ratios, with their parts
TOTAL_RATIOS: dict[str, tuple[str, str]] = {
    "journeys_per_person": ("journeys_generated", "persons"),
}
# ratios added to every replication's figures: (numerator, denominator)
RATIOS: dict[str, tuple[str, str]] = {
    "fare_per_journey": ("fare_revenue", "journeys"),
    "subsidy_per_journey": ("subsidy", "journeys"),
    "farebox_recovery": ("farebox_fares", "farebox_cost"),
}
# parts of ratios that are not figures of their own
_HIDDEN = ("farebox_fares", "farebox_cost")
_OPERATOR_FIGURES = ("boardings", "passenger_km", "fare_revenue", "fare_revenue_cleared", "fare_lost_evasion",
                     "payment", "subsidy", "net_income")


@dataclass(frozen=True)
class Job:
    """One run to make: a scenario file (read and compiled in the worker, once per worker and
    content), its ``--set`` overrides, the seed, replication number, sample and demand scale, and
    ``inputs``: the SHA-256 of every file of the scenario as the caller read them (sorted (file,
    hash) pairs, :attr:`~otrip_sim.scenario.LoadedScenario.inputs`). A worker keys its compiled
    scenarios by them, so a changed file is never served from its cache, and refuses to run when
    the files it reads at ``path`` are not those."""

    path: str
    overrides: tuple[tuple[str, Any], ...] = ()
    seed: int | None = None
    replication: int = 0
    sample: float = 1.0
    demand_scale: float = 1.0
    allow_outside_files: bool = False
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Replicate:
    """The figures of one run: ``values`` (name → number, in a fixed order; money in integer
    minor units, counts expanded to the whole day), ``routes`` (route → boardings), the seed and
    replication, and the validation verdict (empty without validation targets)."""

    values: dict[str, float | None]
    routes: dict[str, int] = field(default_factory=dict)
    seed: int = 0
    replication: int = 0
    verdict: str = ""


def job_for(scenario: str | Path | LoadedScenario, replication: int, seed: int | None = None,
            sample: float = 1.0, demand_scale: float = 1.0,
            overrides: Mapping[str, Any] | None = None, allow_outside_files: bool = False) -> Job:
    """The job of one replication of ``scenario`` (a file, loaded here with ``overrides`` to record
    its input files' hashes, or a scenario loaded from one): its file, overrides and input hashes
    are what the worker reloads and checks.

    Parameters
    ----------
    scenario
        The scenario file or a loaded scenario.
    replication
        The replication number.
    seed, sample, demand_scale
        As for :func:`otrip_sim.run`.
    overrides
        ``--set`` changes (added to a loaded scenario's own).
    allow_outside_files
        As for :func:`otrip_sim.load_scenario`.

    Returns
    -------
    Job
    """
    if isinstance(scenario, LoadedScenario):
        merged = {**scenario.overrides, **(overrides or {})}
        path = str(scenario.path)
        inputs = scenario.inputs
        if overrides:  # an override may name another file (network.stops=other.csv): its hash too
            inputs = load_scenario(scenario.path, True, merged).inputs
        # loaded already, under the caller's choice: the worker may read what the caller did
        allow_outside_files = True
    else:
        merged, path = dict(overrides or {}), str(scenario)
        inputs = load_scenario(path, allow_outside_files, merged).inputs
    return Job(path, tuple(merged.items()), seed, replication, sample, demand_scale, allow_outside_files,
               tuple(sorted(inputs.items())))


CACHE_SIZE = 8  # compiled scenarios a process keeps (a sweep's grid points, least recently used dropped)
_CACHE: OrderedDict[tuple[Any, ...], CompiledScenario] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def compiled_for(job: Job) -> CompiledScenario:
    """The job's scenario compiled, once per process and content: a worker reads and builds a
    scenario once for all the replications it runs of it, keyed by its file, overrides and input
    hashes (``job.inputs``), so a file changed since (the next sweep on a long-lived Dask worker, or
    in the same Python session) is read again. A job without input hashes is read every time.

    Raises
    ------
    InputError
        When the files read here are not those the job was made from (``job.inputs``): changed
        since, or another copy on this worker's machine.
    """
    key = (job.path, repr(job.overrides), job.allow_outside_files, job.inputs)
    with _CACHE_LOCK:  # a Dask worker of several threads runs jobs side by side
        if job.inputs and key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    loaded = load_scenario(job.path, job.allow_outside_files, dict(job.overrides))
    if job.inputs and tuple(sorted(loaded.inputs.items())) != job.inputs:
        theirs = dict(job.inputs)
        differ = sorted(f for f in {*theirs, *loaded.inputs} if theirs.get(f) != loaded.inputs.get(f))
        raise InputError(job.path, "", "the scenario's files read by this worker are not those the runs were "
                         f"started from ({', '.join(differ)} differ: changed since, or another copy on this "
                         "machine); every worker must read the same files at the same path")
    compiled = compile_scenario(loaded)
    if job.inputs:
        with _CACHE_LOCK:
            _CACHE[key] = compiled
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return compiled


def run_job(job: Job) -> Replicate:
    """Run one job and keep its figures (the function executors call; module level so it pickles).

    Parameters
    ----------
    job : Job

    Returns
    -------
    Replicate
    """
    res = run(compiled_for(job), seed=job.seed, demand_scale=job.demand_scale, sample=job.sample,
              replication=job.replication)
    return replicate_of(res)


def replicate_of(res: RunResult) -> Replicate:
    """A finished run's figures: every number of ``summary.json``'s totals, the ratios of
    :data:`RATIOS`, per operator (``operators.<id>.<figure>``) and per rider category
    (``category.<id>.journeys``, ``.fare_total``, ``.fare_per_journey``); with mode choice,
    ``user_benefit`` (pivot: against the reference fares; absolute: the logsum — the difference
    between two scenarios is the user benefit either way), ``pt_tour_journeys``,
    ``modes.<mode>.trips`` and per income segment ``segment.<id>.journeys`` (by public
    transport), ``.fare_total`` and ``.fare_per_journey``.

    Parameters
    ----------
    res : RunResult

    Returns
    -------
    Replicate
    """
    s = res.summary()
    values: dict[str, float | None] = {}
    for k, v in s["totals"].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            values[k] = v
    ops = s["operators"]
    values["farebox_fares"] = sum(o["fare_revenue_cleared"] for o in ops.values() if o["cost"] is not None)
    values["farebox_cost"] = sum(o["cost"] for o in ops.values() if o["cost"] is not None)
    for name, (num, den) in RATIOS.items():
        top, bottom = values[num], values[den]
        # undefined as None, not NaN: None == None, so two runs' figures compare equal
        values[name] = top / bottom if top is not None and bottom else None
    for op, o in ops.items():
        for fig in _OPERATOR_FIGURES:
            if o.get(fig) is not None:
                values[f"operators.{op}.{fig}"] = o[fig]
    behaviour = s.get("behaviour")
    if behaviour is not None:  # mode choice: the user benefit (pivot) or logsum, and the modes' trips
        values["user_benefit"] = behaviour["user_benefit" if behaviour["basis"] == "pivot" else "logsum"]
        values["pt_tour_journeys"] = behaviour["pt_tour_journeys"]
        for mode, m in s["modes"].items():
            values[f"modes.{mode}.trips"] = m["trips"]
        for row in res.mode_tables()["by_segment"].groupby("segment", sort=False).sum(numeric_only=True) \
                .itertuples():
            if row.Index:  # income segments (modes.segments): what each pays by public transport
                values[f"segment.{row.Index}.journeys"] = int(row.pt_journeys)
                values[f"segment.{row.Index}.fare_total"] = int(row.fare_paid)
    for row in res.by_category.itertuples():
        values[f"category.{row.category}.journeys"] = int(row.journeys)
        values[f"category.{row.category}.fare_total"] = int(row.fare_total)
    routes = res.by_route.groupby("route", sort=True)["boardings"].sum()
    verdict = validation_verdict(validation_table(res)) if res.loaded.spec.validation else ""
    return Replicate(values, {str(k): int(v) for k, v in routes.items()}, res.seed, res.replication, verdict)


def ratio_parts(name: str) -> tuple[str, str] | None:
    """The numerator and denominator of a ratio figure, None for a figure that is not a ratio."""
    if name in RATIOS:
        return RATIOS[name]
    if name in TOTAL_RATIOS:
        return TOTAL_RATIOS[name]
    if name.startswith(("category.", "segment.")) and name.endswith(".fare_per_journey"):
        base = name.removesuffix(".fare_per_journey")
        return f"{base}.fare_total", f"{base}.journeys"
    return None


def metric_names(reps: Sequence[Replicate]) -> list[str]:
    """The figures reported, in a fixed order: the first replication's order, then any figure a
    later one adds (an operator nobody rode in replication 0), with each category's fare per
    journey after its totals; the hidden parts of ratios left out."""
    names: list[str] = []
    seen: set[str] = set()
    for r in reps:
        for k in r.values:
            if k not in seen:
                seen.add(k)
                names.append(k)
    out = []
    for k in names:
        if k in _HIDDEN:
            continue
        out.append(k)
        if k.startswith(("category.", "segment.")) and k.endswith(".fare_total"):
            out.append(k.removesuffix(".fare_total") + ".fare_per_journey")
    return out


def series(reps: Sequence[Replicate], name: str) -> np.ndarray:
    """One figure over the replications (NaN where a replication lacks it: undefined)."""
    return np.array([r.values.get(name) for r in reps], dtype=float)  # None (undefined) → NaN


def per_replication(reps: Sequence[Replicate], name: str) -> np.ndarray:
    """One figure over the replications, a ratio as each replication's own ratio (NaN where its
    denominator is 0 or a replication lacks the figure)."""
    parts = ratio_parts(name)
    if parts is None:
        return series(reps, name)
    num, den = series(reps, parts[0]), series(reps, parts[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / den, np.nan)


def interval_of(reps: Sequence[Replicate], name: str) -> tuple[Interval, str]:
    """The figure's mean and interval over ``reps``, and how it was computed.

    Parameters
    ----------
    reps
        Replications of one scenario.
    name
        A figure of :func:`metric_names`.

    Returns
    -------
    tuple
        The interval and ``"student t"`` or ``"delta method (ratio)"``.
    """
    parts = ratio_parts(name)
    if parts is not None:
        return ratio_interval(series(reps, parts[0]), series(reps, parts[1])), "delta method (ratio)"
    return mean_interval(series(reps, name)), "student t"


def unit_of(name: str, currency: str) -> str:
    """The unit of a figure: the currency (minor units), ``km``, ``share`` or ``count``."""
    last = name.rsplit(".", 1)[-1]
    if last == "farebox_recovery":
        return "share"
    if last in ("fare_per_journey", "subsidy_per_journey"):
        return f"{currency} per journey"
    if last == "journeys_per_person":
        return "journeys per person"
    if "km" in last:
        return "km"
    if any(w in last for w in ("fare", "revenue", "payment", "subsidy", "cost", "income", "benefit")):
        return currency
    return "count"


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def replication_rows(reps: Sequence[Replicate], currency: str) -> list[dict[str, Any]]:
    """``replications.csv``: one row per figure: ``metric``, ``unit``, ``mean``, ``ci_low``,
    ``ci_high`` (95%, floats: means of integer money are not integers), ``sd``, ``n`` and
    ``interval`` (how it was computed).

    Parameters
    ----------
    reps
        Replications of one scenario, in replication order.
    currency
        The scenario's currency.

    Returns
    -------
    list of dict
    """
    rows = []
    for name in metric_names(reps):
        iv, how = interval_of(reps, name)
        values = series(reps, name)
        sd = float(values.std(ddof=1)) if len(values) > 1 and np.all(np.isfinite(values)) else None
        rows.append({"metric": name, "unit": unit_of(name, currency), "mean": _num(iv.mean),
                     "ci_low": _num(iv.low), "ci_high": _num(iv.high), "sd": _num(sd), "n": iv.n,
                     "interval": how})
    return rows


def replications_block(reps: Sequence[Replicate], currency: str) -> dict[str, Any]:
    """The ``replications`` block of ``summary.json``: what was run and every figure's mean and
    interval, with the replications' values.

    Parameters
    ----------
    reps
        Replications in replication order.
    currency
        The scenario's currency.

    Returns
    -------
    dict
    """
    rows = replication_rows(reps, currency)
    return {
        "n": len(reps),
        "replications": [r.replication for r in reps],
        "seed": reps[0].seed if reps else None,
        "level": LEVEL,
        "noise": NOISE,
        "interval": "Student t with n - 1 degrees of freedom; ratios (fare and subsidy per journey, farebox "
                    "recovery, journeys per person) as ratios of means by the delta method",
        "metrics": {
            row["metric"]: {k: row[k] for k in ("unit", "mean", "ci_low", "ci_high", "sd", "interval")}
            | {"values": [_num(v) for v in series(reps, row["metric"])]}
            for row in rows
        },
    }


def run_key(job: Job, loaded: LoadedScenario) -> str:
    """What decides a run's result, hashed (the version, the job: scenario file, overrides, seed,
    replication, sample, demand scale; the input files' hashes): a kept run is reused only for the
    very same job."""
    what = json.dumps([__version__, asdict(job), sorted(loaded.inputs.items())], sort_keys=True, default=str)
    return hashlib.sha256(what.encode()).hexdigest()[:32]


def runs_folder(out: Path) -> Path:
    """Where a ``compare`` or ``sweep`` into ``out`` keeps its finished runs until ``out`` is written."""
    return out.parent / f"{out.name}.runs"


def run_kept(fn: Callable[[Job], Replicate], jobs: Sequence[Job], loaded: Sequence[LoadedScenario],
             runs: Path | None, resume: bool, workers: int = 1, executor: str = "local",
             scheduler: str | None = None, progress: bool = False, desc: str = "runs") -> list[Replicate]:
    """Run ``jobs`` keeping each finished run in ``runs`` (one JSON file per run, named by
    :func:`run_key`, written whole or not at all), so that after an interruption ``resume`` runs
    only the jobs not finished before; the results are the same as an uninterrupted run's.

    Parameters
    ----------
    fn
        The job function (:func:`run_job`; a test may pass one that stops part way).
    jobs
        The jobs, in the order of the results.
    loaded
        Each job's scenario (for its input files' hashes).
    runs
        The folder of kept runs; None: keep nothing.
    resume
        Reuse the runs in ``runs`` that match a job exactly; otherwise ``runs`` is emptied first.
    workers, executor, scheduler, progress, desc
        As for :func:`otrip_sim.executors.run_jobs`.

    Returns
    -------
    list of Replicate
        In the order of ``jobs``.
    """
    keys = [run_key(job, x) for job, x in zip(jobs, loaded)]
    found: dict[int, Replicate] = {}
    if runs is not None:
        if runs.exists() and not resume:
            shutil.rmtree(runs)
        runs.mkdir(parents=True, exist_ok=True)
        for i, key in enumerate(keys):
            f = runs / f"{key}.json"
            if f.is_file():
                found[i] = Replicate(**json.loads(f.read_text(encoding="utf-8")))
    todo = [i for i in range(len(jobs)) if i not in found]

    def save(k: int, rep: Replicate) -> None:
        if runs is not None:
            tmp = runs / f".{keys[todo[k]]}.tmp"
            tmp.write_text(json.dumps(asdict(rep)), encoding="utf-8")
            tmp.replace(runs / f"{keys[todo[k]]}.json")  # a run file is whole or absent

    done = run_jobs(fn, [jobs[i] for i in todo], workers, executor, scheduler, progress, desc, save)
    found.update(zip(todo, done))
    return [found[i] for i in range(len(jobs))]


def replicate(scenario: str | Path | LoadedScenario, replications: int, seed: int | None = None,
              sample: float = 1.0, demand_scale: float = 1.0, overrides: Mapping[str, Any] | None = None,
              workers: int = 1, executor: str = "local", scheduler: str | None = None,
              progress: bool = False) -> list[Replicate]:
    """Replications 0 … N−1 of a scenario.

    Parameters
    ----------
    scenario
        A scenario file, or a scenario loaded from one.
    replications
        N (>= 1).
    seed, sample, demand_scale
        As for :func:`otrip_sim.run`.
    overrides
        ``--set`` changes.
    workers, executor, scheduler, progress
        As for :func:`otrip_sim.executors.run_jobs`.

    Returns
    -------
    list of Replicate
        In replication order.
    """
    if replications < 1:
        raise InputError("--replications", "", "must be >= 1", replications)
    if not isinstance(scenario, LoadedScenario):  # read once here, not once per job
        scenario = load_scenario(scenario, overrides=overrides)
        overrides = None
    jobs = [job_for(scenario, k, seed, sample, demand_scale, overrides) for k in range(replications)]
    return run_jobs(run_job, jobs, workers, executor, scheduler, progress, desc="replications")


def extend_run(res: RunResult, replications: int, workers: int = 1, executor: str = "local",
               scheduler: str | None = None, progress: bool = False) -> tuple[dict[str, Any], Any]:
    """``run --replications N``: replications 1 … N−1 of the run ``res`` (replication 0), and the
    ``replications`` block of its ``summary.json`` and its ``replications.csv`` table.

    Parameters
    ----------
    res
        Replication 0, run in full (its folder is written as for one run).
    replications
        N (>= 1).
    workers, executor, scheduler, progress
        As for :func:`otrip_sim.executors.run_jobs`.

    Returns
    -------
    tuple
        The block (dict) and the table (pandas.DataFrame).
    """
    import pandas as pd

    if replications < 1:
        raise InputError("--replications", "", "must be >= 1", replications)
    jobs = [job_for(res.loaded, k, res.seed, res.sample, res.demand_scale) for k in range(1, replications)]
    reps = [replicate_of(res), *run_jobs(run_job, jobs, workers, executor, scheduler, progress,
                                         desc="replications")]
    return replications_block(reps, res.currency), pd.DataFrame(replication_rows(reps, res.currency))
