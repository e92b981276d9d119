"""The ``compare``, ``sweep`` and ``calibrate`` commands and the options they share with ``run`` (``--set``,
``--replications``, ``--workers``, ``--executor``, ``--scheduler``, ``--quiet``).

:mod:`otrip_sim.cli` adds these commands to its group (:func:`commands`), passing its error
decorator, so this module does not import it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click

F = TypeVar("F", bound=Callable[..., Any])


def set_option(fn: F) -> F:
    """``--set PATH=VALUE`` (repeatable), passed on as ``overrides`` (a dict, in order given); with a
    SCENARIO argument, the scenario is loaded here with them, so a bad value is located in the file."""

    @click.option("--set", "set_values", multiple=True, metavar="PATH=VALUE",
                  help="Change a scenario value as if written in the file, e.g. fares.windows[0].cap=6000 "
                       "(repeatable; list items by index).")
    @wraps(fn)
    def wrapper(*args: Any, set_values: tuple[str, ...] = (), **kwargs: Any) -> Any:
        from .overrides import parse_assignment
        from .scenario import LoadedScenario, load_scenario

        overrides = dict(parse_assignment(v) for v in set_values)
        scenario = kwargs.get("scenario")
        if overrides and scenario is not None:
            if isinstance(scenario, LoadedScenario):  # loaded by --allow-outside-files
                kwargs["scenario"] = load_scenario(scenario.path, True, overrides)
            else:
                kwargs["scenario"] = load_scenario(scenario, overrides=overrides)
        if "overrides" in _params(fn):
            kwargs["overrides"] = overrides
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def _params(fn: Callable[..., Any]) -> set[str]:
    import inspect

    return set(inspect.signature(fn).parameters)


def parallel_options(fn: F) -> F:
    """``--replications``, ``--workers``, ``--executor``, ``--scheduler`` and ``--quiet``."""

    @click.option("--replications", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Replications 0..N-1 (independent draws; a prefix of any larger N): every figure "
                       "gets a mean and a 95%% interval of simulation noise.")
    @click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Local processes running replications at once (results identical whatever N).")
    @click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                  help="Where replications run: local processes, or a Dask cluster.")
    @click.option("--scheduler", default=None, metavar="ADDRESS",
                  help="Dask scheduler address (tcp://host:8786); default: a LocalCluster of --workers.")
    @click.option("--quiet", is_flag=True, help="No progress bars.")
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def _progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def commands(user_errors: Callable[[Any], Any]) -> list[click.Command]:
    """The commands of this module, wrapped in the CLI's error handling.

    Parameters
    ----------
    user_errors
        :func:`otrip_sim.cli._user_errors`.

    Returns
    -------
    list of click.Command
    """

    @click.command()
    @click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="Comparison folder to create.")
    @click.option("--seed", type=int, default=None,
                  help="Root seed of every scenario (default: the first scenario's meta.seed).")
    @click.option("--sample", type=float, default=1.0, show_default=True,
                  help="Simulate this fraction of persons (figures expanded to the whole day).")
    @click.option("--demand-scale", type=float, default=1.0, show_default=True,
                  help="Multiply every OD volume.")
    @click.option("--resume", is_flag=True,
                  help="Continue an interrupted comparison from the runs it finished (kept in OUT.runs/).")
    @click.option("--force", is_flag=True, help="Replace a non-empty --out folder otrip-sim wrote.")
    @click.option("--allow-outside-files", is_flag=True,
                  help="Read files the scenarios reference outside their folders.")
    @user_errors
    @parallel_options
    @set_option
    def compare(scenarios: tuple[Path, ...], out: Path, seed: int | None, sample: float, demand_scale: float,
                resume: bool, force: bool, allow_outside_files: bool, replications: int, workers: int,
                executor: str, scheduler: str | None, quiet: bool, overrides: dict[str, Any]) -> None:
        """Compare fare policies: SCENARIOS (the first the reference) on common random numbers.

        Writes comparison.csv (every figure: mean, interval, change against the first with its
        paired interval), headline.csv (Holm-adjusted), elasticity.csv, fares_diff.txt, plots/ and
        report.html to --out (docs/compare.md).

        \b
        Example:
          otrip-sim compare scenarios/jakarta/baseline-2018.yaml scenarios/jakarta/okotrip-2018.yaml \\
            --replications 5 --sample 0.2 --out results/okotrip-vs-baseline
        """
        import shutil

        from .atomic import check_out_dir
        from .compare import compare as run_compare
        from .compare_output import write_comparison
        from .errors import InputError
        from .replicate import runs_folder
        from .scenario import load_scenario
        from .units import format_money

        if len(scenarios) < 2:
            raise InputError("compare", "", "needs two scenarios or more", [str(s) for s in scenarios])
        loaded = [load_scenario(s, allow_outside_files, overrides) for s in scenarios]
        check_out_dir(out, force, [x.path for x in loaded])
        runs = runs_folder(out)
        c = run_compare(loaded, replications, seed, sample, demand_scale, None, workers, executor, scheduler,
                        _progress(quiet), runs, resume)
        write_comparison(c, out, force)
        shutil.rmtree(runs, ignore_errors=True)  # the comparison is complete: nothing left to resume
        for w in c.warnings():
            click.echo(f"warning: {w}", err=True)
        head = c.headline()
        cur = c.currency
        for row in head.itertuples():
            if row.metric not in ("fare_revenue", "subsidy", "journeys", "boardings"):
                continue
            money = row.unit == cur
            fmt = (lambda v: format_money(round(v), cur)) if money else (lambda v: f"{v:,.0f}")
            ci = ("" if row.delta_ci_low is None or row.delta_ci_low != row.delta_ci_low else
                  f" [{fmt(row.delta_ci_low)}, {fmt(row.delta_ci_high)}]")
            click.echo(f"{row.scenario}: {row.metric} {fmt(row.delta_vs_first)}{ci} against {c.names[0]}"
                       f"{' (significant)' if row.significant else ''}")
        click.echo(f"comparison: {out / 'comparison.csv'}")
        click.echo(f"report:     {out / 'report.html'}")

    @click.command()
    @click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--param", "param_values", multiple=True, required=True, metavar="PATH=V1,V2,...",
                  help="A parameter and its values, e.g. fares.windows[0].cap=4000,6000,8000 (repeatable: "
                       "the grid is every combination).")
    @click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="Sweep folder to create.")
    @click.option("--seed", type=int, default=None, help="Root seed (default: the scenario's meta.seed).")
    @click.option("--sample", type=float, default=1.0, show_default=True,
                  help="Simulate this fraction of persons (figures expanded to the whole day).")
    @click.option("--demand-scale", type=float, default=1.0, show_default=True,
                  help="Multiply every OD volume.")
    @click.option("--resume", is_flag=True,
                  help="Continue an interrupted sweep from the runs it finished (kept in OUT.runs/).")
    @click.option("--force", is_flag=True, help="Replace a non-empty --out folder otrip-sim wrote.")
    @click.option("--allow-outside-files", is_flag=True,
                  help="Read files the scenario references outside its folder.")
    @user_errors
    @parallel_options
    @set_option
    def sweep(scenario: Path, param_values: tuple[str, ...], out: Path, seed: int | None, sample: float,
              demand_scale: float, resume: bool, force: bool, allow_outside_files: bool, replications: int,
              workers: int, executor: str, scheduler: str | None, quiet: bool,
              overrides: dict[str, Any]) -> None:
        """Sweep SCENARIO over a grid of --param values: replications at every point on common random
        numbers; sweep.csv (every figure with intervals), a plot per headline figure, and the Pareto
        front of ridership against subsidy (pareto.csv, pareto.png).

        \b
        Example:
          otrip-sim sweep scenarios/jakarta/okotrip-2018.yaml \\
            --param fares.windows[0].cap=4000,6000,8000,10000 --replications 5 --sample 0.2 \\
            --out results/okotrip-cap
        """
        import shutil

        from .atomic import check_out_dir
        from .scenario import LoadedScenario, load_scenario
        from .sweep import parse_param, runs_folder, write_sweep
        from .sweep import sweep as run_sweep

        params = [parse_param(v) for v in param_values]
        loaded = (scenario if isinstance(scenario, LoadedScenario) else
                  load_scenario(scenario, allow_outside_files, overrides))
        check_out_dir(out, force, [loaded.path])
        runs = runs_folder(out)
        s = run_sweep(loaded, params, replications, seed, sample, demand_scale, None, workers, executor,
                      scheduler, _progress(quiet), runs, resume)
        write_sweep(s, out, force)
        shutil.rmtree(runs, ignore_errors=True)  # the sweep is complete: nothing left to resume
        pareto = s.pareto()
        front = pareto[~pareto["dominated"]]
        click.echo(f"{len(s.points)} points x {replications} replications; "
                   f"{len(front)} not significantly dominated (ridership against subsidy)")
        click.echo(f"sweep:  {out / 'sweep.csv'}")
        click.echo(f"pareto: {out / 'pareto.csv'}")

    @click.command()
    @click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--targets", "targets", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="CSV of target,published[,scope_share,per_year,source,note] (docs/calibration.md).")
    @click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Folder to create (default: calibration/<scenario name>/ beside the scenario).")
    @click.option("--seed", type=int, default=None, help="Root seed (default: the scenario's meta.seed).")
    @click.option("--sample", type=float, default=1.0, show_default=True,
                  help="Simulate this fraction of persons (expected counts expanded to the whole day).")
    @click.option("--rounds", type=click.IntRange(min=1, max=200), default=25, show_default=True,
                  help="At most this many rounds.")
    @click.option("--tolerance", type=click.FloatRange(min=1e-6, max=1), default=0.01, show_default=True,
                  help="Converged when every |ln(target / expected)| is below it.")
    @click.option("--damping", type=click.FloatRange(min=0.05, max=1), default=1.0, show_default=True,
                  help="The fraction of each log-ratio step taken.")
    @click.option("--no-standard-errors", is_flag=True,
                  help="Skip the standard errors (one run per parameter).")
    @click.option("--force", is_flag=True, help="Replace a non-empty --out folder otrip-sim wrote.")
    @click.option("--allow-outside-files", is_flag=True,
                  help="Read files the scenario references outside its folder.")
    @click.option("--quiet", is_flag=True, help="No line per round.")
    @user_errors
    @set_option
    def calibrate(scenario: Path, targets: Path, out: Path | None, seed: int | None, sample: float,
                  rounds: int, tolerance: float, damping: float, no_standard_errors: bool, force: bool,
                  allow_outside_files: bool, quiet: bool, overrides: dict[str, Any]) -> None:
        """Fit SCENARIO's boarding constants (per operator), outside modes' constants and theta to
        the --targets counts, by damped log-ratio steps on the counts the model expects.

        Writes calibration.yaml (the section for the scenario to reference), convergence.csv and
        parameters.csv (with standard errors) to --out (docs/calibration.md).

        \b
        Example:
          otrip-sim calibrate scenarios/jakarta/lrt-trial-2019.yaml \\
            --targets scenarios/jakarta/calibration/targets-2019.csv --out results/calibration
        """
        from .atomic import atomic_folder, check_out_dir
        from .calibrate import PLAUSIBLE_S, read_targets, write_calibration
        from .calibrate import calibrate as run_calibrate
        from .errors import InputError
        from .scenario import LoadedScenario, load_scenario

        if not 0 < sample <= 1:
            raise InputError("--sample", "", "must be a fraction in (0, 1]", sample)
        loaded = (scenario if isinstance(scenario, LoadedScenario) else
                  load_scenario(scenario, allow_outside_files, overrides))
        out = out if out is not None else loaded.path.parent / "calibration" / loaded.path.stem
        rows = read_targets(targets)
        # recalibrating in place (the scenario's own default folder) replaces its calibration file;
        # a file shared with other scenarios elsewhere stays protected
        own = loaded.origins.get(("", "calibration"))
        default = loaded.path.parent / "calibration" / loaded.path.stem
        mine = (own is not None and out.resolve() == default.resolve()
                and Path(own).resolve() == (default / "calibration.yaml").resolve())
        inputs = [targets, loaded.path, *(loaded.path.parent / name for name in loaded.inputs
                                          if not mine or (loaded.path.parent / name).resolve()
                                          != Path(own).resolve())]  # type: ignore[arg-type]

        def report(k: int, table: Any) -> None:
            if not quiet:
                worst = table.loc[table["log_ratio"].abs().idxmax()]
                click.echo(f"round {k}: worst {worst['target']} |ln(target/expected)| "
                           f"{abs(worst['log_ratio']):.4f}", err=True)

        check_out_dir(out, force, inputs)  # before the rounds: a refused folder fails at once
        result = run_calibrate(loaded, rows, str(targets), seed, sample, rounds, tolerance, damping,
                               not no_standard_errors, report)
        with atomic_folder(out, force, inputs) as tmp:
            write_calibration(result, tmp)
        target, off = result.worst
        state = "converged" if result.converged else f"NOT converged after {rounds} rounds"
        click.echo(f"{state}: worst {target} |ln(target/expected)| {off:.4f}")
        for row in result.parameters.itertuples():
            bound = " (at its bound)" if row.at_bound else ""
            odd = "" if row.plausible else (f" - beyond a taste (|constant| > {PLAUSIBLE_S // 60} min): "
                                            "the miss lies in the demand or the supply")
            click.echo(f"  {row.parameter} = {row.value:.4g} ± {row.standard_error:.2g}{bound}{odd}")
        try:
            ref = (out / "calibration.yaml").resolve().relative_to(loaded.path.parent.resolve())
        except ValueError:
            ref = out / "calibration.yaml"
        click.echo(f"calibration: {out / 'calibration.yaml'} (reference it from the scenario: "
                   f"`calibration: {ref.as_posix()}`)")

    return [compare, sweep, calibrate]
