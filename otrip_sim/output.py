"""Write a run's results folder: completely or not at all, never over a result silently.

Everything is written into a temporary sibling folder first and renamed into place at the end;
an existing non-empty folder is replaced only with ``force=True`` (and then only once the new one
is complete).
"""

from __future__ import annotations

import json
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from .atomic import atomic_folder
from .choice import SLOT_S, CrowdCosts
from .errors import InputError
from .network import Network
from .plots import save_all
from .results import RunResult
from .textio import csv_records, file_sha256, read_text
from .tides_out import csv_frame, datapackage, typed_table
from .units import format_clock, parse_clock
from .validation import validation_table
from .version import __version__


def write_results(
    res: RunResult,
    out: str | Path,
    force: bool = False,
    taps_csv: bool = False,
    all_clearing_methods: bool = False,
    extra_summary: dict[str, Any] | None = None,
    extra_tables: dict[str, Any] | None = None,
) -> Path:
    """Write every output of ``res`` into the folder ``out`` and return it.

    Files: ``summary.json``, ``journeys.parquet``, ``legs.parquet``, ``fare_transactions.parquet``
    (and ``.csv`` with ``taps_csv``), ``by_operator.csv``, ``by_hour.csv``, ``by_route.csv``,
    ``by_category.csv``, ``transfers.csv``, ``operators.csv``, ``revenue_flows.csv``,
    ``validation.csv``, ``plots/*.png``, ``scenario.resolved.yaml``, ``datapackage.json`` (TIDES)
    and ``manifest.json``; with
    ``all_clearing_methods`` also ``clearing_methods.csv`` and its plot (see docs/outputs.md).

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units, times in seconds, distances in metres).
    out : str or Path
        The results folder to create.
    force : bool
        Replace a non-empty ``out`` (only once the new results are complete).
    taps_csv : bool
        Also write the tap log as ``fare_transactions.csv``.
    all_clearing_methods : bool
        Also write every operator's income under every clearing method.
    extra_summary : dict, optional
        Blocks added to ``summary.json`` (``run --replications``: the ``replications`` block).
    extra_tables : dict, optional
        More CSV tables, name → data frame (``replications.csv``), written as they are.

    Returns
    -------
    Path
        The results folder.
    """
    out = Path(out)
    t0 = time.perf_counter()
    base = res.loaded.path.parent
    inputs = [res.loaded.path, *(base / name for name in res.loaded.inputs)]
    with atomic_folder(out, force, inputs) as tmp:
        _write_all(res, tmp, taps_csv, all_clearing_methods, extra_summary or {})
        for name, table in (extra_tables or {}).items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        manifest = {
            "otrip_sim_version": __version__,
            "scenario": res.loaded.name,
            "scenario_file": str(res.loaded.path),
            "seed": res.seed,
            "demand_scale": res.demand_scale,
            "sample": res.sample,
            "replication": res.replication,
            "overrides": dict(res.loaded.overrides),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "run_seconds": round(sum(res.timings.values()), 3),
            "write_seconds": round(time.perf_counter() - t0, 3),
            "timings_seconds": {k: round(v, 3) for k, v in res.timings.items()},
            "inputs_sha256": res.loaded.inputs,
            **({"crowding_iterations": res.iterations} if res.iterations else {}),
            "outputs_sha256": {f: file_sha256(tmp / f) for f in files},
            "python": platform.python_version(),
            "packages": {
                p: _version(p) for p in ("simpy", "numpy", "pandas", "pyarrow", "pydantic", "matplotlib")
            },
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def crowding_table(net: Network, crowd: CrowdCosts) -> pd.DataFrame:
    """The crowding costs of a run, per line and half-hour slot where they differ from none:
    ``route``, ``direction``, ``slot_start`` (clock), ``multiplier``, ``extra_wait_s``."""
    line, slot = np.nonzero((crowd.multiplier != 1) | (crowd.extra_wait != 0))
    return pd.DataFrame({
        "route": [net.lines[i].route for i in line], "direction": [net.lines[i].direction for i in line],
        "slot_start": [format_clock(int(k) * SLOT_S) for k in slot],
        "multiplier": crowd.multiplier[line, slot].round(6),
        "extra_wait_s": crowd.extra_wait[line, slot].round(3),
    })


def read_crowding(folder: Path, net: Network, slots: int) -> CrowdCosts:
    """The crowding costs a results folder's ``crowding_costs.csv`` holds, on network ``net``
    (``run --warm-start``): lines matched by route and direction; the others, none.

    Raises
    ------
    InputError
        No such file, or a route or value that does not fit.
    """
    path = Path(folder) / "crowding_costs.csv"
    if not path.is_file():
        raise InputError(path, "", "no crowding costs here: --warm-start needs the folder of a run with "
                         "choice.crowding.iterations > 0")
    rows = csv_records(read_text(path), path)
    header = next(rows, (1, []))[1]
    want = ["route", "direction", "slot_start", "multiplier", "extra_wait_s"]
    if header[: len(want)] != want:
        raise InputError(path, "line 1", f"the header must start {','.join(want)}", ",".join(header))
    crowd = CrowdCosts.none(max(len(net.lines), 1), slots)
    index = {(ln.route, str(ln.direction)): ln.index for ln in net.lines}
    for line_no, cells in rows:
        if len(cells) < len(want):
            raise InputError(path, f"line {line_no}", f"{len(want)} cells expected", ",".join(cells))
        route, direction, start, mult, extra = cells[:5]
        if (route, direction) not in index:
            raise InputError(path, f"line {line_no}, column route", "no such route and direction in this "
                             "scenario's network", f"{route} {direction}")
        try:
            slot, m, w = parse_clock(start) // SLOT_S, float(mult), float(extra)
        except ValueError:
            raise InputError(path, f"line {line_no}", "slot_start must be a clock time, multiplier and "
                             "extra_wait_s numbers", ",".join(cells)) from None
        if not (1 <= m <= 10 and 0 <= w <= 86_400):
            raise InputError(path, f"line {line_no}", "multiplier must be in [1, 10] and extra_wait_s in "
                             "[0, 86400]", f"{mult} {extra}")
        crowd.multiplier[index[(route, direction)], min(slot, slots - 1)] = m
        crowd.extra_wait[index[(route, direction)], min(slot, slots - 1)] = w
    return crowd


def benefit_against(summary: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The user benefit of a run with mode choice against the run in results ``folder``
    (``run --reference``): the difference of their logsums (pivot: of their benefits against the
    same reference fares), valid only for the same persons (seed, replication, sample, demand
    scale, all-mode journeys) and the same demand basis.

    Raises
    ------
    InputError
        No summary there, or runs that do not share their persons or basis.
    """
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise InputError(path, "", "no summary.json: --reference needs a results folder of otrip-sim run")
    try:
        ref = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"line {exc.lineno}", "not valid JSON") from None
    mine, theirs = summary.get("behaviour"), ref.get("behaviour") if isinstance(ref, dict) else None
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        raise InputError(path, "behaviour", "both runs need mode choice (a `modes` section) for a user "
                         "benefit")
    for key in ("seed", "replication", "sample", "demand_scale"):
        if ref.get(key) != summary.get(key):
            raise InputError(path, key, f"differs from this run's ({summary.get(key)}): the user benefit "
                             "needs the same persons", ref.get(key))
    if theirs.get("population_journeys") != mine["population_journeys"]:
        raise InputError(path, "modes", "a different all-mode population (another demand or network): the "
                         "user benefit needs the same persons")
    if theirs.get("basis") != mine["basis"] or theirs.get("reference") != mine.get("reference"):
        raise InputError(path, "behaviour.basis", "a different demand basis or pivot reference",
                         f"{theirs.get('basis')} {theirs.get('reference', '')}".strip())
    level = "user_benefit" if mine["basis"] == "pivot" else "logsum"
    return {"results": str(folder), "scenario": ref.get("scenario"),
            "user_benefit": int(mine[level]) - int(theirs[level]),
            "pt_journeys_change": int(mine["pt_tour_journeys"]) - int(theirs["pt_tour_journeys"])}


ROW_GROUP = 500_000  # Parquet rows per row group: a reader can stream a city-scale file group by group

OPERATORS_COLUMNS = [
    "operator", "contract", "payer",
    "fare_revenue", "fare_revenue_cleared", "clearing_gain", "fares_to_payer", "fares_kept", "cost",
    "payment", "net_income", "subsidy", "fare_lost_evasion",
    "weekdays_per_year", "annual_fare_revenue", "annual_fare_revenue_cleared", "annual_payment",
    "annual_subsidy",
    "boardings", "taps", "passenger_km", "vehicle_km", "vehicle_hours", "vehicle_trips", "vehicles",
    "km_per_vehicle", "fare_per_boarding", "subsidy_per_boarding", "subsidy_per_tap", "cost_per_passenger",
    "revenue_per_passenger_km", "farebox_recovery",
]
"""``operators.csv``: money first (exact integers), then the annual money, then service and ratios."""

ROUNDING = {"passenger_km": 1, "vehicle_km": 1, "vehicle_hours": 1, "km_per_vehicle": 1,
            "fare_per_boarding": 1, "subsidy_per_boarding": 1, "subsidy_per_tap": 1, "cost_per_passenger": 1,
            "revenue_per_passenger_km": 1, "farebox_recovery": 4}
"""Decimals of the per-operator tables' non-integer columns (docs/outputs.md): km and hours 1,
money per unit 1, shares 4; money totals and counts are integers."""


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(**{c: df[c].astype(float).round(d) for c, d in ROUNDING.items() if c in df})


def operators_table(res: RunResult) -> pd.DataFrame:
    """``operators.csv``, the per-operator table for planners: the day's money as exact integers
    (minor units), ``clearing_gain`` (cleared − charged: what clearing moves to the operator; the
    column sums to 0), a year of it where the scenario gives ``money.weekdays_per_year``
    (``annual_*`` = the day × ``weekdays_per_year``, weekday equivalents; empty without a factor),
    service, and ratios rounded (:data:`ROUNDING`).

    Parameters
    ----------
    res : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per operator in scenario order, the columns of :data:`OPERATORS_COLUMNS`.
    """
    df = res.by_operator.copy()
    df["clearing_gain"] = df["fare_revenue_cleared"] - df["fare_revenue"]
    factors = res.loaded.spec.money.weekdays_per_year
    # a factor as given (295, or 295.5), empty for an operator without one
    shown = [factors.get(op) for op in df["operator"]]
    whole = [f if f is None or not float(f).is_integer() else int(f) for f in shown]
    df["weekdays_per_year"] = pd.Series(whole, dtype=object)
    for col in ("fare_revenue", "fare_revenue_cleared", "payment", "subsidy"):
        # the day × the factor, whole units (as summary.json's annual block)
        df[f"annual_{col}"] = pd.array([None if f is None else round(int(v) * f)
                                        for v, f in zip(df[col], (factors.get(op) for op in df["operator"]))],
                                       dtype="Int64")
    df["farebox_recovery"] = [None if pd.isna(c) or not c else int(f) / int(c)
                              for f, c in zip(df["fare_revenue_cleared"], df["cost"])]
    return _rounded(df[OPERATORS_COLUMNS])


def _write_all(res: RunResult, d: Path, taps_csv: bool, all_clearing_methods: bool,
               extra_summary: dict[str, Any]) -> None:
    # perf: Arrow encodes, compresses and writes the big Parquet files without the GIL, so a
    # second thread writes them while this one builds the other outputs.  Only Arrow tables
    # (converted here) cross to that thread, never a data frame still in use.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = []
        meta = res.loaded.spec.meta
        for name, frame in (("journeys", res.journeys), ("legs", res.legs), ("fare_transactions", res.taps)):
            table = (typed_table(frame, meta.service_date, meta.timezone) if name == "fare_transactions"
                     else pa.Table.from_pandas(frame, preserve_index=False))
            written.append(
                pool.submit(pq.write_table, table, d / f"{name}.parquet", row_group_size=ROW_GROUP)
            )
        _write_tables(res, d, taps_csv, all_clearing_methods, extra_summary)
        for job in written:
            job.result()  # re-raises a failed write


def _write_tables(res: RunResult, d: Path, taps_csv: bool, all_clearing_methods: bool,
                  extra_summary: dict[str, Any]) -> None:
    summary = res.summary() | extra_summary
    (d / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    meta = res.loaded.spec.meta
    if taps_csv:
        csv_frame(res.taps, meta.service_date, meta.timezone).to_csv(d / "fare_transactions.csv", index=False)
    tap_files = ["fare_transactions.parquet", *(["fare_transactions.csv"] if taps_csv else [])]
    package = datapackage(meta.name, meta.title, tap_files, meta.timezone, str(res.loaded.path))
    (d / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")
    tables = {
        "by_operator": _rounded(res.by_operator), "by_hour": res.by_hour, "by_route": res.by_route,
        "by_category": res.by_category, "transfers": res.transfers,
        # by_operator.csv: deprecated, the same figures as operators.csv; written for one more release
        "operators": operators_table(res), "revenue_flows": res.clearing_flows(),
        "validation": validation_table(res),
        **res.mode_tables(),
    }
    if res.crowd is not None:
        tables["crowding_costs"] = crowding_table(res.network, res.crowd)
    if all_clearing_methods:
        tables["clearing_methods"] = res.clearing_methods()
    for name, table in tables.items():
        # the sample each table's figures were expanded from (1: the whole population simulated)
        table.assign(sample=res.sample).to_csv(d / f"{name}.csv", index=False)
    save_all(res, d / "plots", ("clearing_methods",) if all_clearing_methods else ())
    resolved = res.loaded.spec.model_dump(mode="json", by_alias=True)
    if res.loaded.spec.demand.gravity is not None:  # zones and OD are derived: keep the model, not its output
        resolved["demand"]["zones"] = resolved["demand"]["od"] = None
    header = (
        f"# {res.loaded.path}: resolved by otrip-sim {__version__} "
        "(file references inlined; times in s, distances in m)\n"
    )
    (d / "scenario.resolved.yaml").write_text(header + resolved_yaml(resolved), encoding="utf-8")


def resolved_yaml(doc: dict[str, Any]) -> str:
    """``doc`` as YAML; long lists of records (stops, routes, OD rows, ...) one flow mapping per
    line, which is still YAML, reads as a table and writes fast at city scale.

    Parameters
    ----------
    doc : dict
        A scenario as plain data (times in seconds, distances in metres, money in minor units).

    Returns
    -------
    str
        The YAML text.
    """
    big: dict[str, list[Any]] = {}

    def mark(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: mark(v, f"{path}.{k}") for k, v in node.items()}
        if isinstance(node, list) and len(node) > 50 and all(isinstance(x, dict) for x in node):
            key = f"__otrip_list_{len(big)}__"
            big[key] = node
            return key
        return node

    text = yaml.dump(mark(doc, ""), Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    out = []
    for line in text.splitlines():
        stripped = line.rstrip()
        key = stripped.rsplit(" ", 1)[-1]
        if key in big:
            indent = len(line) - len(line.lstrip()) + 2
            out.append(stripped[: -len(key)].rstrip())
            out.extend(" " * indent + "- " + json.dumps(item, ensure_ascii=False) for item in big[key])
        else:
            out.append(line)
    return "\n".join(out) + "\n"


# libyaml when PyYAML has it: ~10x faster on city-scale networks
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _version(name: str) -> str:
    try:
        return pkg_version(name)
    except Exception:  # pragma: no cover - every listed package is a dependency
        return "unknown"
