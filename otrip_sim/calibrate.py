"""Fit a scenario's constants to published counts: ``otrip-sim calibrate`` (docs/calibration.md).

Three kinds of target, each moving one kind of parameter:

* ``taps:<op>[+<op>…]`` or ``boardings:<op>[+<op>…]`` (a day's count) → the boarding constants of
  those operators (``calibration.boarding_constants``, seconds per boarding);
* ``journeys:<mode>`` or ``mode_share:<mode>`` (an outside mode's journeys a day, or its share of
  all journeys) → that mode's constant (``calibration.mode_constants``);
* ``elasticity`` (the arc elasticity of public-transport journeys to every fare × 1.25) →
  ``theta``, the ratio of the path level's scale to the mode level's.

Each round runs the scenario and compares the target with what the model **expects** (sums of
its choice probabilities, :class:`~otrip_sim.results.Expected`, free of the taste and mode draws
for given costs), then moves each parameter by the damped log-ratio step: a constant by
``−damping × scale × ln(target / expected)`` — first the scale of the choice it enters
(``choice.spread`` for a boarding, ``spread ÷ theta`` for a mode: the Newton step of a small
share), then the secant of its last two rounds, ``−Δc / Δ ln(expected)``, within ½ to 20 times
that (a large or saturating share moves less per second than a small one) — and theta by the
factor ``(target / expected) ** damping``.  It stops when every ``|ln(target / expected)|`` is below the
tolerance, or after the last round.  Never per route or per zone pair: a constant for every
count would reproduce any count and explain nothing (that is matrix estimation).

Standard errors: the Jacobian of the log expected values in the parameters, by forward
differences at the fitted values, propagates the noise of a count of each target's size to the
parameters: Poisson noise made of whole tours (variance ``tour size / count`` of its logarithm,
:attr:`~otrip_sim.results.Expected.tour_size`; a share and the elasticity taken as exact).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from .compile import CompiledScenario, compile_scenario
from .errors import InputError
from .results import Expected, RunResult
from .run import run
from .scenario import LoadedScenario, read_csv_records, with_calibration
from .schema import Calibration, Modes
from .schema.base import MAX_COUNT, Strict, scaled_money
from .schema.behaviour import CONSTANT_LIMIT, mode_choice_on

ELASTICITY_FACTOR = 1.25
"""The fare index of an ``elasticity`` target: every fare × 1.25, as benchmarks/elasticity.py."""
PLAUSIBLE_S = 900
"""The largest constant read as a taste, seconds either way (an assumption: rail or mode bonuses
in the literature are worth about 5-15 minutes).  A fit beyond it says the miss lies in the
demand or the supply, and is flagged."""


class TargetRow(Strict):
    """A row of the targets CSV: ``target`` (an id as above), ``published`` (per day, or per year
    with ``per_year``), ``scope_share`` (the modelled subset's share of a city-wide figure),
    ``source`` (a key of docs/sources.md)."""

    target: str = Field(min_length=1, max_length=300)
    published: float = Field(ge=-MAX_COUNT, le=MAX_COUNT)
    scope_share: float = Field(default=1.0, gt=0, le=1)
    per_year: bool = False
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Target:
    """A target as fitted: its id, the value per day it is fitted to, its parameters and how the
    model's expected value is read (``measure(expected, elasticity)``)."""

    id: str
    value: float
    parameters: tuple[str, ...]
    scale: float  # choice.spread: the scale of a boarding constant, and of a mode's times theta
    measure: Callable[[Expected, float], float]
    count: float | None  # the count whose Poisson noise the standard error carries (None: exact)


@dataclass(frozen=True)
class Calibrated:
    """What :func:`calibrate` found.

    Attributes
    ----------
    calibration:
        The fitted section (write it with :func:`write_calibration`).
    rounds:
        Per round and target: ``round``, ``target``, ``target_value``, ``expected``,
        ``log_ratio`` (``ln(target / expected)``), ``parameters``, ``values``.
    parameters:
        Per parameter: ``parameter``, ``value``, ``standard_error``, ``target``, ``at_bound``,
        ``plausible`` (a constant within :data:`PLAUSIBLE_S`).
    converged:
        Every ``|log_ratio|`` fell below the tolerance.
    """

    calibration: Calibration
    rounds: pd.DataFrame
    parameters: pd.DataFrame
    converged: bool

    @property
    def worst(self) -> tuple[str, float]:
        """The target furthest from its value in the last round and its ``|ln(target / expected)|``."""
        last = self.rounds[self.rounds["round"] == self.rounds["round"].max()]
        row = last.loc[last["log_ratio"].abs().idxmax()]
        return str(row["target"]), abs(float(row["log_ratio"]))


def read_targets(path: Path) -> list[TargetRow]:
    """The rows of a targets CSV (located errors: file, line, column, value)."""
    if not path.is_file():
        raise InputError(path, "", "file not found")
    return read_csv_records(path, TargetRow, str(path))


def calibrate(
    scenario: LoadedScenario | CompiledScenario,
    targets: Sequence[TargetRow],
    targets_file: str = "targets.csv",
    seed: int | None = None,
    sample: float = 1.0,
    rounds: int = 25,
    tolerance: float = 0.01,
    damping: float = 1.0,
    standard_errors: bool = True,
    progress: Callable[[int, pd.DataFrame], None] | None = None,
) -> Calibrated:
    """Fit the constants of ``scenario`` to ``targets`` (see the module docstring).

    Parameters
    ----------
    scenario:
        The scenario; its own ``calibration`` (if any) is the starting point.
    targets:
        The targets' rows (:func:`read_targets`); ``targets_file`` names them in messages.
    seed, sample:
        The runs' seed (default ``meta.seed``) and sample: the result is the same for the same
        seed, sample and targets.
    rounds, tolerance, damping:
        At most ``rounds`` rounds; converged when every ``|ln(target / expected)| < tolerance``;
        the fraction of each log-ratio step taken.
    standard_errors:
        Estimate them (one run more per parameter).
    progress:
        Called after each round with its number and rows.

    Returns
    -------
    Calibrated
    """
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    spec = compiled.loaded.spec
    seed = spec.meta.seed if seed is None else seed
    start = spec.calibration if isinstance(spec.calibration, Calibration) else Calibration()
    fit = [_target(row, k, compiled, targets_file) for k, row in enumerate(targets)]
    if not fit:
        raise InputError(targets_file, "", "no targets to calibrate to")
    owner: dict[str, str] = {}
    for t in fit:
        for p in t.parameters:
            if p in owner:
                raise InputError(targets_file, f"target {t.id}", f"{p} is already fitted to {owner[p]}: a "
                                 "parameter can follow one target only", t.id)
            owner[p] = t.id
    params = _initial(compiled, start, owner)
    modes_theta = spec.modes.theta if isinstance(spec.modes, Modes) else 1.0
    raised = _raised(compiled) if any(t.id == "elasticity" for t in fit) else None

    def evaluate(values: dict[str, float]) -> tuple[Expected, float]:
        cal = _section(start, values, fit, targets_file, seed, sample, spec.meta.year)
        base = _run(compiled, cal, seed, sample)
        elasticity = math.nan
        if raised is not None:
            up = _run(raised, cal, seed, sample)
            if not (up.journeys["pt"] > 0 and base.journeys["pt"] > 0):
                raise InputError(targets_file, "target elasticity", "no journeys by public transport to "
                                 "measure an elasticity on")
            elasticity = math.log(up.journeys["pt"] / base.journeys["pt"]) / math.log(ELASTICITY_FACTOR)
        return base, elasticity

    history: list[dict[str, object]] = []
    last: dict[str, tuple[float, float]] = {}  # per target: its first parameter and ln(expected) before
    converged = False
    for k in range(1, rounds + 1):
        expected, elasticity = evaluate(params)
        values = [t.measure(expected, elasticity) for t in fit]
        ratios = []
        for t, value in zip(fit, values, strict=True):
            # an elasticity and its target are both negative: the ratio of their sizes
            ratio = math.log(t.value / value) if value * t.value > 0 else math.nan
            if not math.isfinite(ratio):
                raise InputError(targets_file, f"target {t.id}", "the model has nothing to measure it on "
                                 f"(expected value {value:g})", t.value)
            ratios.append(ratio)
        rows = [{"round": k, "target": t.id, "target_value": t.value, "expected": value, "log_ratio": ratio,
                 "parameters": " ".join(t.parameters),
                 "values": " ".join(f"{params[p]:g}" for p in t.parameters)}
                for t, value, ratio in zip(fit, values, ratios, strict=True)]
        history += rows
        if progress is not None:
            progress(k, pd.DataFrame(rows))
        if all(abs(r) < tolerance for r in ratios):
            converged = True
            break
        if k == rounds:
            break
        theta = params.get("theta", modes_theta)
        for t, value, step in zip(fit, values, ratios, strict=True):
            first = t.parameters[0]
            # a mode constant moves on the mode level's scale, spread / theta, per journey of a tour
            scale = t.scale / theta / expected.tour_size if first.startswith("mode:") else t.scale
            log_e = math.log(abs(value))
            if first != "theta" and t.id in last:  # the secant of the last two rounds
                was, log_was = last[t.id]
                moved, answered = params[first] - was, log_e - log_was
                if moved and answered and -moved / answered > 0:
                    scale = float(np.clip(-moved / answered, scale / 2, 20 * scale))
            last[t.id] = (params[first], log_e)
            for p in t.parameters:
                params[p] = _moved(p, params[p], step, scale, damping)
    table = pd.DataFrame(history)
    errors = _standard_errors(fit, params, evaluate) if standard_errors else {p: math.nan for p in params}
    parameters = pd.DataFrame([{"parameter": p, "value": params[p], "standard_error": errors[p],
                                "target": owner[p], "at_bound": _at_bound(p, params[p]),
                                "plausible": p == "theta" or abs(params[p]) <= PLAUSIBLE_S} for p in params])
    cal = _section(start, params, fit, targets_file, seed, sample, spec.meta.year,
                   len(table["round"].unique()), converged)
    return Calibrated(cal, table, parameters, converged)


def _target(row: TargetRow, k: int, compiled: CompiledScenario, file: str) -> Target:
    """A targets CSV row as a :class:`Target`, checked against the scenario (line ``k + 2``)."""
    spec = compiled.loaded.spec
    where = f"line {k + 2}, column target"
    kind, _, subject = row.target.partition(":")
    modes = spec.modes if isinstance(spec.modes, Modes) and mode_choice_on(spec) else None
    value = row.published * row.scope_share
    if kind != "elasticity" and not row.published > 0:
        raise InputError(file, f"line {k + 2}, column published", "a count or share must be > 0",
                         row.published)
    if kind == "mode_share" and not row.published < 1:
        raise InputError(file, f"line {k + 2}, column published", "a share must be < 1", row.published)
    if row.per_year and kind not in ("taps", "boardings"):
        raise InputError(file, f"line {k + 2}, column per_year", "only taps and boardings are counted "
                         "per year (turned into a day by the operator's money.weekdays_per_year)",
                         row.per_year)
    if row.per_year:
        first = subject.split("+")[0]
        days = spec.money.weekdays_per_year.get(first)
        if days is None:
            raise InputError(file, f"line {k + 2}, column per_year", f"a yearly count needs "
                             f"money.weekdays_per_year of {first!r}", row.per_year)
        value /= days
    if kind in ("taps", "boardings"):
        ops = subject.split("+")
        known = [o.id for o in spec.operators]
        for op in ops:
            if op not in known:
                raise InputError(file, where, f"{op!r} is not an operator (operators: {', '.join(known)})",
                                 row.target)
        if spec.choice.spread <= 0:
            raise InputError(file, where, "boarding constants need path choice with a taste spread "
                             "(choice.spread > 0): all-or-nothing choice does not move smoothly", row.target)

        def counted(e: Expected, _: float, ops: list[str] = ops, of: str = kind) -> float:
            return sum((e.taps if of == "taps" else e.boardings)[op] for op in ops)

        return Target(row.target, value, tuple(f"boarding:{op}" for op in ops), float(spec.choice.spread),
                      counted, value)
    if kind in ("journeys", "mode_share"):
        if modes is None:
            raise InputError(file, where, "mode targets need mode choice (a modes section)", row.target)
        if spec.meta.demand_basis == "pivot":
            raise InputError(file, where, "a pivot scenario reproduces its public-transport journeys; its "
                             "mode shares come from modes.pt_share, not from mode constants", row.target)
        outside = [m.id for m in modes.outside]
        if subject not in outside:
            raise InputError(file, where, f"{subject!r} is not an outside mode (public transport is the "
                             f"reference: fit {', '.join(outside)})", row.target)
        def share(e: Expected, _: float, m: str = subject, of_all: bool = kind == "mode_share") -> float:
            return e.journeys[m] / (sum(e.journeys.values()) if of_all else 1.0)

        return Target(row.target, value, (f"mode:{subject}",), float(spec.choice.spread), share,
                      None if kind == "mode_share" else value)
    if kind == "elasticity" and not subject:
        if modes is None:
            raise InputError(file, where, "an elasticity target needs mode choice (a modes section)",
                             row.target)
        if not row.published < 0:
            raise InputError(file, f"line {k + 2}, column published", "a fare elasticity is negative",
                             row.published)
        return Target(row.target, row.published, ("theta",), 1.0, lambda _, el: el, None)
    raise InputError(file, where, "unknown target: taps:<operator>[+<operator>...], boardings:<operator>"
                     "[+...], journeys:<mode>, mode_share:<mode> or elasticity", row.target)


def _initial(compiled: CompiledScenario, start: Calibration, owner: dict[str, str]) -> dict[str, float]:
    """The starting value of each fitted parameter: the scenario's own."""
    spec = compiled.loaded.spec
    modes = spec.modes if isinstance(spec.modes, Modes) else None
    out: dict[str, float] = {}
    for p in owner:
        kind, _, name = p.partition(":")
        if kind == "boarding":
            out[p] = float(start.boarding_constants.get(name, 0))
        elif kind == "mode" and modes is not None:
            out[p] = float(next(m.constant for m in modes.outside if m.id == name))
        elif modes is not None:
            out[p] = modes.theta
    return out


def _moved(p: str, value: float, log_ratio: float, scale: float, damping: float) -> float:
    """``p`` after one damped log-ratio step, within its bounds."""
    if p == "theta":
        return float(min(1.0, max(1e-3, value * math.exp(damping * log_ratio))))
    return float(np.clip(value - damping * scale * log_ratio, -CONSTANT_LIMIT, CONSTANT_LIMIT))


def _at_bound(p: str, value: float) -> bool:
    return value in (1.0, 1e-3) if p == "theta" else abs(value) >= CONSTANT_LIMIT


def _section(start: Calibration, values: dict[str, float], fit: Sequence[Target], file: str, seed: int,
             sample: float, year: int | None, n_rounds: int | None = None,
             converged: bool | None = None) -> Calibration:
    """The calibration section with these parameter values (constants in whole seconds)."""
    boarding = dict(start.boarding_constants)
    modes = dict(start.mode_constants)
    theta = start.theta
    for p, v in values.items():
        kind, _, name = p.partition(":")
        if kind == "boarding":
            boarding[name] = round(v)
        elif kind == "mode":
            modes[name] = round(v)
        else:
            theta = round(v, 6)
    source = ""
    if n_rounds is not None:
        source = (f"otrip-sim calibrate: {Path(file).name}, seed {seed}, sample {sample:g}, "
                  f"{n_rounds} rounds, {'converged' if converged else 'NOT converged'}")
    # targets fitted before stay fitted only if counted in the same year (else their counts are
    # another year's: the constants carry over as a start, not as fitted to this year's counts)
    carried = start.fitted if start.year in (None, year) else []
    fitted = sorted({*carried, *(t.id for t in fit)})
    return Calibration(boarding_constants=dict(sorted(boarding.items())),
                       mode_constants=dict(sorted(modes.items())), theta=theta, fitted=fitted, year=year,
                       source=source)


def _run(compiled: CompiledScenario, cal: Calibration, seed: int, sample: float) -> Expected:
    """What ``compiled`` with ``cal`` expects."""
    res: RunResult = run(replace(compiled, loaded=with_calibration(compiled.loaded, cal)), seed=seed,
                         sample=sample, expect=True)
    assert res.expected is not None
    return res.expected


def _raised(compiled: CompiledScenario) -> CompiledScenario:
    """``compiled`` with every fare amount × :data:`ELASTICITY_FACTOR` (its reference fares kept)."""
    spec = compiled.loaded.spec
    fares = scaled_money(spec.fares, ELASTICITY_FACTOR)
    # a pivot's reference fares are its own, loaded: compiling the raised fares keeps them
    return compile_scenario(replace(compiled.loaded, spec=spec.model_copy(update={"fares": fares})))


def _standard_errors(fit: Sequence[Target], params: dict[str, float],
                     evaluate: Callable[[dict[str, float]], tuple[Expected, float]]) -> dict[str, float]:
    """Each parameter's standard error (see the module docstring); ``nan`` where the Jacobian is
    singular."""
    names = list(params)

    def measured(values: dict[str, float]) -> tuple[np.ndarray, Expected]:
        e, el = evaluate(values)
        m = np.array([abs(t.measure(e, el)) for t in fit])
        return np.log(np.where(m > 0, m, np.nan)), e

    base, base_e = measured(params)
    jac = np.zeros((len(fit), len(names)))
    for j, p in enumerate(names):
        if p == "theta":
            step = 0.02 * params[p]
        else:  # the runs see constants in whole seconds (_section): the step they make
            nominal = 0.1 * next(t.scale for t in fit if p in t.parameters)
            step = max(round(params[p] + nominal) - round(params[p]), 1)
        jac[:, j] = (measured({**params, p: params[p] + step})[0] - base) / step
    if not np.isfinite(jac).all():
        return {p: math.nan for p in names}
    # one equation per target, one unknown per target's parameters moving together
    groups = [[names.index(p) for p in t.parameters] for t in fit]
    j_t = np.stack([jac[:, g].sum(axis=1) for g in groups], axis=1)
    var = np.diag([base_e.tour_size / t.count if t.count else 0.0 for t in fit])
    try:
        inv = np.linalg.inv(j_t)
    except np.linalg.LinAlgError:
        return {p: math.nan for p in names}
    se = np.sqrt(np.maximum(np.diag(inv @ var @ inv.T), 0.0))
    return {p: float(se[k]) for k, t in enumerate(fit) for p in t.parameters}


def write_calibration(result: Calibrated, folder: str | Path) -> None:
    """``calibration.yaml`` (the section), ``convergence.csv`` (every round) and
    ``parameters.csv`` (values, standard errors) into ``folder``, created if missing (the command
    line writes into a fresh temporary folder it then moves into place)."""
    import yaml

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    doc = result.calibration.model_dump(exclude_none=True)
    head = ("# Written by otrip-sim calibrate: constants fitted to the targets listed under `fitted`\n"
            "# (validation.csv marks them circular). Reference this file from the scenario:\n"
            "#   calibration: <path of this file, relative to the scenario>\n")
    (folder / "calibration.yaml").write_text(head + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result.rounds.to_csv(folder / "convergence.csv", index=False)
    result.parameters.to_csv(folder / "parameters.csv", index=False)
