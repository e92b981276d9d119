"""The ``otrip-sim`` command: parses arguments, calls the library, formats the answer.

Library errors (:class:`~otrip_sim.errors.OtripError`) become one-line messages with exit status 2
here and nowhere else.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from .cli_study import parallel_options, set_option
from .errors import OtripError
from .version import __version__

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A problem with the user's input or output folder: message on stderr, exit status 2."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (sent by ``timeout``, Slurm, systemd, Kubernetes), raised like Ctrl-C so that every
    ``finally`` and the all-or-nothing output writers clean up."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _user_errors(fn: F) -> F:
    """Library errors, output failures and SIGTERM as one-line messages (exit status 2; 143 for
    SIGTERM, as a shell reports a process it terminated)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = _install(signal.SIGTERM, _on_sigterm)
        try:
            return fn(*args, **kwargs)
        except OtripError as exc:
            raise UserError(str(exc)) from None
        except Terminated:
            click.echo("Error: terminated (SIGTERM); no partial output was left", err=True)
            raise click.exceptions.Exit(128 + signal.SIGTERM) from None
        except MemoryError:
            raise UserError("out of memory: try a smaller --demand-scale or a machine with more "
                            "memory") from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise UserError(f"{where}{exc.strerror or exc}") from None
        finally:
            _install(signal.SIGTERM, previous)

    return cast(F, wrapper)  # wraps keeps fn's signature, which mypy cannot see through *args


def _install(signum: int, handler: Any) -> Any:
    """Set a signal handler where that is possible (the main thread), returning the previous one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signum, handler)


def _outside_files(fn: F) -> F:
    """The ``--allow-outside-files`` option of a command reading a SCENARIO: with it, the scenario
    is loaded here allowing references outside its folder and passed on loaded."""

    @click.option("--allow-outside-files", is_flag=True,
                  help="Read files the scenario references outside its own folder (through '..', an "
                       "absolute path or a symlink); refused by default.")
    @wraps(fn)
    def wrapper(*args: Any, allow_outside_files: bool = False, **kwargs: Any) -> Any:
        if allow_outside_files:
            from .scenario import load_scenario

            kwargs["scenario"] = load_scenario(kwargs["scenario"], allow_outside_files=True)
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def _zip_limits(fn: F) -> F:
    """The options that lift the limits on zip feeds, passed on as ``zip_limits``."""

    @click.option("--zip-max-bytes", type=click.IntRange(min=1), default=2_000_000_000, show_default=True,
                  help="Largest total uncompressed size of a zip feed's files, in bytes.")
    @click.option("--zip-max-ratio", type=click.FloatRange(min=1), default=100, show_default=True,
                  help="Largest compression ratio of a zip member over 1 MB (zip bombs go far beyond).")
    @wraps(fn)
    def wrapper(*args: Any, zip_max_bytes: int, zip_max_ratio: float, **kwargs: Any) -> Any:
        from .textio import ZipLimits

        return fn(*args, zip_limits=ZipLimits(zip_max_bytes, zip_max_ratio), **kwargs)

    return cast(F, wrapper)


def _memory_check(fn: F) -> F:
    """The ``--no-memory-check`` option: without it a run (or a replay) whose memory estimate
    exceeds the machine's memory is refused before it starts."""

    @click.option("--no-memory-check", is_flag=True,
                  help="Start even when the memory estimate exceeds this machine's memory.")
    @wraps(fn)
    def wrapper(*args: Any, no_memory_check: bool = False, **kwargs: Any) -> Any:
        if not no_memory_check:
            from .memory import check_fits

            if "taps" in kwargs:
                from .replay import memory_estimate as replay_estimate

                check_fits(replay_estimate(kwargs["taps"]), "replaying this tap file", "--journeys",
                           "split the file by rider")
            else:
                from .compile import memory_estimate

                kwargs["scenario"] = loaded = _loaded(kwargs["scenario"])
                # a sample of the riders (run --sample F, where given) simulates F of the demand
                scale = kwargs.get("demand_scale", 1.0) * (kwargs.get("sample") or 1.0)
                check_fits(memory_estimate(loaded, scale), "the run", "--demand-scale",
                           "lower --demand-scale")
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def _reproducible(fn: F) -> F:
    """The ``--check-reproducible`` option of ``run``: first a small replication, run twice with the
    same seed, must give identical results."""

    @click.option("--check-reproducible", is_flag=True,
                  help="First run a small replication twice with the same seed and stop unless the results "
                       "are identical.")
    @wraps(fn)
    def wrapper(*args: Any, check_reproducible: bool = False, **kwargs: Any) -> Any:
        if check_reproducible:
            from .compile import compile_scenario
            from .reproduce import check_reproducible as check

            kwargs["scenario"] = compiled = compile_scenario(_loaded(kwargs["scenario"]))
            click.echo(check(compiled, kwargs.get("seed"), kwargs.get("demand_scale", 1.0)), err=True)
        return fn(*args, **kwargs)

    return cast(F, wrapper)


def _loaded(scenario: Any) -> Any:
    """The loaded scenario of a SCENARIO argument (a path, or loaded by :func:`_outside_files`)."""
    from .scenario import LoadedScenario, load_scenario

    return scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)


class _OneLineGroup(click.Group):
    """Usage errors (a bad option value, a missing argument) as one line like every other error,
    pointing to the command's help instead of printing its usage."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            raise UserError(f"{exc.format_message().strip()} (see '{where} --help')") from None


@click.group(cls=_OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otrip-sim")
def main() -> None:
    """otrip-sim: simulate integrated public-transport fares — ridership, revenue, subsidy.

    \b
    Example:
      otrip-sim validate scenarios/jakarta/jaklingko-2022.yaml
      otrip-sim run scenarios/jakarta/okotrip-2018.yaml --out results/okotrip
    """


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Results folder to create.")
@click.option("--seed", type=int, default=None, help="Root random seed (default: the scenario's meta.seed).")
@click.option("--demand-scale", type=float, default=1.0, show_default=True,
              help="What if demand were F times today: multiply every OD volume (full network).")
@click.option("--sample", type=float, default=1.0, show_default=True,
              help="Simulate this fraction of persons (capacities scaled by it, figures expanded to the "
                   "whole day), e.g. 0.2 for a quick run.")
@click.option("--force", is_flag=True,
              help="Replace a non-empty --out folder (only once the new results are complete).")
@click.option("--taps-csv", is_flag=True, help="Also write the tap log as fare_transactions.csv.")
@click.option("--clearing-methods", type=click.Choice(["scenario", "all"]), default="scenario",
              show_default=True,
              help="'all' also writes clearing_methods.csv: every operator's income under every clearing "
                   "rule.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar with the simulated clock (default: when stderr is a terminal).")
@click.option("--warm-start", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Start crowding feedback from the crowding costs of this results folder.")
@click.option("--reference", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With mode choice: the user benefit against the run in this results folder (same "
                   "persons: same seed, sample and demand).")
@_user_errors
@parallel_options
@_outside_files
@set_option
@_memory_check
@_reproducible
def run(scenario: Path, out: Path, seed: int | None, demand_scale: float, sample: float, force: bool,
        taps_csv: bool, clearing_methods: str, progress: bool | None, warm_start: Path | None,
        reference: Path | None, replications: int, workers: int, executor: str, scheduler: str | None,
        quiet: bool) -> None:
    """Simulate one service day of SCENARIO and write results to --out.

    \b
    Example:
      otrip-sim run scenarios/jakarta/okotrip-2018.yaml --out results/okotrip --sample 0.2
    """
    from .atomic import check_out_dir
    from .compile import as_compiled
    from .output import benefit_against, read_crowding, write_results
    from .run import crowding_slots
    from .run import run as run_model
    from .units import format_money
    from .validation import validation_table, verdict

    check_out_dir(out, force)  # fail before a long run, not after it
    if progress is None:
        progress = sys.stderr.isatty() and not quiet
    compiled = as_compiled(scenario)
    crowd = read_crowding(warm_start, compiled.network, crowding_slots(compiled.loaded.spec.meta)) \
        if warm_start is not None else None
    res = run_model(compiled, seed=seed, demand_scale=demand_scale, sample=sample, progress=progress,
                    warm_start=crowd)
    extra: dict[str, Any] = {}
    if reference is not None:
        extra["extra_summary"] = {"benefit_against": benefit_against(res.summary(), reference)}
    if replications > 1:  # replication 0 is `res`, written in full; 1..N-1 give the intervals
        from .replicate import extend_run

        block, table = extend_run(res, replications, workers, executor, scheduler, progress)
        extra = {"extra_summary": extra.get("extra_summary", {}) | {"replications": block},
                 "extra_tables": {"replications": table}}
    write_results(res, out, force=force, taps_csv=taps_csv, all_clearing_methods=clearing_methods == "all",
                  **extra)
    s = res.summary()
    t = s["totals"]
    cur = s["currency"]
    click.echo(f"{s['scenario']}: seed {s['seed']}, demand scale {demand_scale:g}, "
               f"{sum(res.timings.values()):.1f} s; estimates {s['estimates']}")
    click.echo(f"  persons {t['persons']:,} ({t['journeys_per_person']:.2f} journeys each)")
    click.echo(f"  journeys {t['journeys']:,} served, {t['journeys_unserved']:,} unserved; "
               f"boardings {t['boardings']:,}; "
               f"transfers {t['transfers']:,}; denied boardings {t['denied_boardings']:,}")
    click.echo(f"  fare revenue {format_money(t['fare_revenue'], cur)}; "
               f"operator payments {format_money(t['operator_payments'], cur)}; "
               f"subsidy {format_money(t['subsidy'], cur)} (city {format_money(t['subsidy_city'], cur)}, "
               f"national {format_money(t['subsidy_national'], cur)})")
    for op, o in s["operators"].items():
        click.echo(f"    {op:<14} boardings {o['boardings']:>9,}  "
                   f"fare revenue {format_money(o['fare_revenue'], cur):>18}"
                   f"  cleared {format_money(o['fare_revenue_cleared'], cur):>18}  "
                   f"payment {format_money(o['payment'], cur):>18}")
    if res.loaded.spec.validation:
        click.echo(f"  validation: {verdict(validation_table(res))} ({out / 'validation.csv'})")
    if "benefit_against" in extra.get("extra_summary", {}):
        b = extra["extra_summary"]["benefit_against"]
        click.echo(f"  user benefit against {reference}: {format_money(b['user_benefit'], cur)} a day "
                   f"(public-transport journeys {b['pt_journeys_change']:+,})")
    if "extra_tables" in extra:
        figures = extra["extra_summary"]["replications"]["metrics"]
        for name in ("journeys", "fare_revenue", "subsidy", "fare_per_journey", "farebox_recovery"):
            f = figures[name]
            if f["mean"] is None or f["ci_low"] is None:
                continue  # undefined (no operator costs: no farebox recovery)
            show = ((lambda v: format_money(round(v), cur)) if f["unit"] == cur else
                    (lambda v: f"{v:,.4f}" if abs(v) < 10 else f"{v:,.1f}"))
            click.echo(f"  {replications} replications: {name} {show(f['mean'])} "
                       f"[{show(f['ci_low'])}, {show(f['ci_high'])}] (95%, simulation noise)")
        click.echo(f"replications: {out / 'replications.csv'}")
    click.echo(f"results: {out}")
    click.echo(f"plots:   {out / 'plots'}")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="Treat warnings (stops no route serves, OD pairs with no path, a route over 200 km, a "
                   "fare over Rp 100,000, over 20% of journeys with no path) as errors.")
@_user_errors
@_outside_files
def validate(scenario: Path, strict: bool) -> None:
    """Check SCENARIO (and every file it references) without running it.

    It loads and compiles the scenario as a run does (network, fare policy, gravity demand), so a
    scenario found valid cannot fail in a run on its input.

    \b
    Example:
      otrip-sim validate scenarios/jakarta/jaklingko-2022.yaml --strict
    """
    from .checks import warnings
    from .compile import compile_scenario

    compiled = compile_scenario(_loaded(scenario))
    found = warnings(compiled)
    if strict and found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise UserError(f"{len(found)} warning(s), errors under --strict: {'; '.join(found[:3])}{more}")
    s = compiled.loaded.spec  # with a gravity model: its derived zones and OD rows
    od = s.demand.od if isinstance(s.demand.od, list) else []  # rows by now, never a file name
    trips = sum(r.trips for r in od)
    click.echo(f"{compiled.loaded.path}: valid")
    year = f" ({s.meta.year})" if s.meta.year else ""
    click.echo(f"  {s.meta.name}{year}: {len(s.operators)} operators, "
               f"{len(compiled.network.stop_ids)} stops, {len(compiled.network.route_ids)} routes running, "
               f"{len(od)} OD rows, {trips:,.0f} journeys/day, {len(s.fares.windows)} window rules")
    for line in found:
        click.echo(f"warning: {line}", err=True)


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion).

    \b
    Example:
      otrip-sim schema > scenario.schema.json
    """
    from .schema import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(by_alias=False), indent=2))


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--journeys", "taps", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tap CSV: rider, operator, board_time[, category, journey_id, route, board_stop, "
                   "alight_stop, alight_time, distance_km, media].")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Priced CSV to write (input rows + fare, rule).")
@click.option("--skip-bad", "skip_bad", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Price the good rows and write the bad ones, with line and reason, to this file.")
@click.option("--summary", "summary", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a per-rider summary CSV.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="For a TIDES file: CSV kind,tides,otrip mapping its operators (by pattern_id, trip or "
                   "stop_id), routes and rider categories to the scenario's.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@_user_errors
@_outside_files
@_memory_check
def fares(
    scenario: Path, taps: Path, out: Path, skip_bad: Path | None, summary: Path | None,
    map_file: Path | None, force: bool,
) -> None:
    """Price the legs of a tap file under SCENARIO's fare policy.

    Each row is one tap-in; each rider's rows are priced together as one card. The output has the
    input rows in input order with the settled `fare` and the `rule` that set it; totals go to
    stderr. Bad rows are listed with their line numbers (exit status 2, nothing written) unless
    --skip-bad names a file for them.

    \b
    Example:
      otrip-sim fares scenarios/jakarta/jaklingko-2022.yaml --journeys notebooks/data/taps-sample.csv \\
        --out results/priced.csv
    """
    from contextlib import ExitStack

    from .atomic import atomic_file
    from .replay import replay
    from .tides import read_map
    from .units import format_money

    named = {"--out": out, "--skip-bad": skip_bad, "--summary": summary}
    _distinct_outputs(named)
    loaded = _loaded(scenario)
    inputs = [taps, loaded.path, *(loaded.path.parent / name for name in loaded.inputs)]
    scenario = loaded
    with ExitStack() as stack:  # every output file is checked first, written last, all or none
        files = {name: stack.enter_context(atomic_file(p, force, inputs)) for name, p in
                 (("out", out), ("rejects", skip_bad), ("summary", summary)) if p is not None}
        mapping = read_map(map_file) if map_file is not None else None
        result = replay(scenario, taps, skip_bad=skip_bad is not None, mapping=mapping)
        _csv(result.priced_parts(), files["out"])
        if "rejects" in files:
            _csv(result.rejects, files["rejects"])
        if "summary" in files:
            _csv(result.per_rider(), files["summary"])
    t = result.totals()
    # totals() mixes counts with the per-operator table; these are its int and dict entries
    fare = cast(int, t["fare"])
    operators = cast(dict[str, dict[str, int]], t["operators"])
    click.echo(f"{t['legs']:,} legs of {t['riders']:,} riders priced, {t['rejected']:,} rejected; "
               f"fares {format_money(fare, result.currency)}", err=True)
    for op, v in operators.items():
        click.echo(f"  {op:<14} {v['legs']:>9,} legs  {format_money(v['fare'], result.currency):>18}",
                   err=True)
    kinds = ("no_stations", "missing_tap_out", "no_fare", "distance_from_stops", "distance_over_network",
             "no_distance", "skipped_no_boarding", "unrecognised_action", "unmatched_exit",
             "operator_from_stop", "operator_from_map")
    notes = {k: t[k] for k in kinds if t.get(k)}
    if notes:
        click.echo("  " + ", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in notes.items()), err=True)


def _distinct_outputs(named: dict[str, Path | None]) -> None:
    """Two output options naming one file would overwrite one output with another."""
    seen: dict[Path, str] = {}
    for option, path in named.items():
        if path is None:
            continue
        key = path.resolve()
        if key in seen:
            raise UserError(f"{option} {path}: the same file as {seen[key]}; give each output its own file")
        seen[key] = option


def _csv(df: Any, path: Path) -> None:
    """CSV out through Arrow's writer (perf: several times faster than pandas on a million rows);
    ``df`` is a frame, or an iterable of frames with the same columns written one after another
    (one header: a large output without a second copy of it in memory)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    parts = [df] if isinstance(df, pd.DataFrame) else df
    writer, first = None, None
    for part in parts:
        table = pa.Table.from_pandas(part, preserve_index=False)
        first = table if first is None else first
        if len(table):
            if writer is None:
                writer, schema = pacsv.CSVWriter(str(path), table.schema), table.schema
            writer.write_table(table.cast(schema))  # an all-empty column's type is inferred as null
    if writer is None:
        pacsv.write_csv(first, path)  # no rows: the header only
    else:
        writer.close()


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--journeys", "taps", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tap CSV (as for `otrip-sim fares`).")
@click.option("--rider", required=True, help="The rider (card) to explain.")
@_user_errors
@_outside_files
@_memory_check
def explain(scenario: Path, taps: Path, rider: str) -> None:
    """Explain, tap by tap, how one rider's fares were set: the card's open windows, what was
    paid so far, the cap remaining, and the settlement of each window.

    \b
    Example:
      otrip-sim explain scenarios/jakarta/jaklingko-2022.yaml --journeys notebooks/data/taps-sample.csv \\
        --rider 650
    """
    from .replay import explain_rider

    for line in explain_rider(scenario, taps, rider):
        click.echo(line)


@main.command("network-import")
@click.argument("feeds", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Network folder to create.")
@click.option("--date", default=None,
              help="Service day YYYYMMDD (default: per feed, the weekday with the most trips).")
@click.option("--operator", "operator_opts", multiple=True, metavar="AGENCY=ID",
              help="Operator id for a GTFS agency_id (or agency_name); repeatable. "
                   "Default: the slugified agency_id.")
@click.option("--capacity", "capacity_opts", multiple=True, metavar="MODE=N",
              help="Passengers per vehicle for a mode (bus, tram, metro, rail, ferry, ...) or a GTFS "
                   "route_type; repeatable.")
@click.option("--walk-radius", type=float, default=300, show_default=True,
              help="Link stops within this walk (metres, straight line x 1.3); 0: off.")
@click.option("--default-speed", type=float, default=20, show_default=True,
              help="km/h for routes whose trips have no times.")
@click.option("--prefix", "prefixes", multiple=True,
              help="Id prefix of each feed, in order (default: from the file names).")
@click.option("--force", is_flag=True,
              help="Replace a non-empty --out folder (only once the new network is complete).")
@_user_errors
@_zip_limits
def network_import(feeds: tuple[Path, ...], out: Path, date: str | None, operator_opts: tuple[str, ...],
                   capacity_opts: tuple[str, ...], walk_radius: float, default_speed: float,
                   prefixes: tuple[str, ...], force: bool, zip_limits: Any) -> None:
    """Build a scenario network (stops, routes, walking links, operators) from GTFS FEEDS (zip files
    or folders).

    One route per GTFS route and direction (the stop pattern most trips follow on one service day),
    with distances, run times, headways and assumed capacities. Warnings and every fallback go to
    stderr and to --out/IMPORT.md. Method: docs/gtfs-import.md.

    \b
    Example:
      otrip-sim network-import tests/data/bogor-angkot/gtfs.zip tests/data/caltrain/caltrain_weekday.zip \\
        --out results/network --capacity bus=12
    """
    from .errors import InputError
    from .gtfs import import_network
    from .units import format_clock

    def pairs(values: tuple[str, ...], option: str, what: str) -> dict[str, str]:
        parsed = {}
        for v in values:
            key, sep, value = v.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise InputError(option, "", f"expected {what}", v)
            parsed[key.strip()] = value.strip()
        return parsed

    operators = pairs(operator_opts, "--operator", "AGENCY=ID")
    capacity = {}
    for mode, n in pairs(capacity_opts, "--capacity", "MODE=N").items():
        if not n.isdigit() or int(n) == 0:
            raise InputError("--capacity", "", f"{mode}: passengers per vehicle must be an integer > 0", n)
        capacity[mode] = int(n)
    if prefixes and len(prefixes) != len(feeds):
        raise InputError("--prefix", "", f"give one prefix per feed ({len(feeds)} feeds)", list(prefixes))
    sources = dict(zip(prefixes, feeds)) if prefixes else list(feeds)
    report = import_network(sources, out, operators=operators, date=date, walk_radius=walk_radius,
                            capacity=capacity, default_speed_kmh=default_speed, force=force,
                            zip_limits=zip_limits)
    problems = [f"fallback: {x}" for x in report.fallbacks] + [f"warning: {x}" for x in report.warnings]
    for line in problems[:20]:
        click.echo(line, err=True)
    if len(problems) > 20:
        click.echo(f"... and {len(problems) - 20} more (see {out / 'IMPORT.md'})", err=True)
    for f in report.feeds:
        click.echo(f"{f.path}: service day {f.date} ({f.date_rule}), {f.trips:,} trips")
    span = "-".join(format_clock(t, seconds="never") for t in (report.service_start, report.service_end))
    click.echo(f"  {report.stops:,} stops, {report.routes:,} routes, {report.walk_links:,} walking links, "
               f"{len(report.operators)} operators ({', '.join(o['id'] for o in report.operators)}); "
               f"timetable {span}")
    click.echo(f"  {len(report.fallbacks)} fallbacks, {len(report.warnings)} warnings: {out / 'IMPORT.md'}")
    click.echo(f"network: {out}")


@main.command("fares-import")
@click.argument("feed", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file to write (a `fares:` section).")
@click.option("--day", default="monday", show_default=True, help="Day of the week whose timeframes apply.")
@click.option("--media", default=None,
              help="Fare medium whose prices to use (default: the one most products are sold on).")
@click.option("--name", default=None, help="Policy name (default: the feed's name).")
@click.option("--operator", "operator_opts", multiple=True, metavar="KEY=ID",
              help="Operator id for a GTFS network_id, agency_id or agency_name; repeatable. Default: "
                   "network-import's operator for the one agency running the network, else the network_id.")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@_user_errors
@_zip_limits
def fares_import(feed: Path, out: Path, day: str, media: str | None, name: str | None,
                 operator_opts: tuple[str, ...], force: bool, zip_limits: Any) -> None:
    """Turn a GTFS Fares v2 feed (folder or zip) into a scenario `fares:` section.

    Each GTFS network becomes an operator id (named as network-import names its agency, so the two
    imports of one feed fit together); what otrip-sim cannot say exactly is listed at the top of
    the file and on stderr. Method: docs/gtfs-fares.md.

    \b
    Example:
      otrip-sim fares-import tests/data/gtfs-fares-v2/translink_vancouver \\
        --out results/vancouver-fares.yaml --media compass_card
    """
    import yaml

    from .atomic import atomic_file
    from .errors import InputError
    from .gtfs import import_fares

    operators = {}
    for v in operator_opts:
        key, sep, value = v.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError("--operator", "", "expected KEY=ID", v)
        operators[key.strip()] = value.strip()
    with atomic_file(out, force, [feed]) as tmp:
        result = import_fares(feed, name=name, day=day.lower(), media=media, operators=operators,
                              zip_limits=zip_limits)
        header = [f"# GTFS Fares v2 from {feed}, imported by otrip-sim: amounts in minor units of "
                  f"{result.currency}.",
                  f"# Operators (GTFS networks): {', '.join(result.operators)}. "
                  f"Set meta.currency: {result.currency}.",
                  "# Not said exactly (review before use):" if result.notes else "# Every rule was imported."]
        header += [f"#  - {n}" for n in result.notes]
        body = yaml.safe_dump({"fares": result.fares}, sort_keys=False, allow_unicode=True)
        tmp.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    for n in result.notes:
        click.echo(f"note: {n}", err=True)
    click.echo(f"{out}: fares for {len(result.operators)} operators ({', '.join(result.operators)}); "
               f"{len(result.notes)} notes")


@main.command("fares-export")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the GTFS Fares v2 tables.")
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
@_user_errors
@_outside_files
def fares_export(scenario: Path, out: Path, force: bool) -> None:
    """Write SCENARIO's fares as GTFS Fares v2 tables, and list in NOT_EXPORTED.md (and here) what
    GTFS Fares v2 cannot say (caps, integrated distance formulas, distance fares, ...).

    \b
    Example:
      otrip-sim fares-export scenarios/jakarta/okotrip-2018.yaml --out exports/okotrip-gtfs
    """
    from .gtfs import export_fares

    missing = export_fares(_loaded(scenario), out, force=force)
    for line in missing:
        click.echo(f"not exported: {line}", err=True)
    click.echo(f"{out}: GTFS feed (network and Fares v2 tables) written; {len(missing)} parts not "
               "expressible "
               f"(see {out / 'NOT_EXPORTED.md'})")


def _add_study_commands() -> None:
    from .cli_study import commands

    for command in commands(_user_errors):
        main.add_command(command)


_add_study_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
