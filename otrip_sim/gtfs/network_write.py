"""Writing the imported network folder: ``stops.csv``, ``routes.yaml``, ``walk_links.csv``,
``operators.yaml``, ``id_map.csv`` and ``IMPORT.md``, checked with the scenario loader's readers."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from ..atomic import atomic_folder
from ..errors import InputError
from ..scenario import _read_yaml, read_csv_records
from ..schema import Operator, RoutesFile, Stop, WalkLink
from ..units import format_clock
from ..version import __version__
from .report import ImportReport

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def ordered_route(r: dict[str, Any]) -> dict[str, Any]:
    """A route dict with the ``routes.yaml`` keys only, in the order people read them.

    Parameters
    ----------
    r : dict
        A route as the import builds it (distances in integer metres, run times and headways in
        integer seconds).

    Returns
    -------
    dict
        ``id``, ``name``, ``operator``, ``stops``, ``distances``, ``run_times``, ``speed_kmh``,
        ``capacity``, ``headways``, ``directions`` — those present, in that order.
    """
    keys = [
        "id",
        "name",
        "operator",
        "stops",
        "distances",
        "run_times",
        "speed_kmh",
        "capacity",
        "headways",
        "directions",
    ]
    return {k: r[k] for k in keys if k in r}


def write_network(
    out: Path,
    force: bool,
    report: ImportReport,
    stops: list[dict[str, Any]],
    routes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    operators: list[dict[str, Any]],
    id_rows: list[tuple[str, str, str, str, str]],
    cap_used: dict[str, int],
    inputs: Iterable[Path] = (),
) -> None:
    """Write the network folder ``out`` completely or not at all, then check it loads.

    Parameters
    ----------
    out, force:
        The folder, and whether to replace a non-empty one.
    report:
        What the import did (the headers of ``routes.yaml`` and ``IMPORT.md``).
    stops:
        ``stops.csv`` rows: ``stop_id``, ``name``, ``lat``, ``lon`` (degrees, as written in the feed),
        ``paid_area``.
    routes:
        ``routes.yaml`` rows (see :func:`ordered_route`).
    links:
        ``walk_links.csv`` rows: ``from_stop``, ``to_stop``, ``walk_m`` (metres), ``note``.
    operators:
        ``operators.yaml`` rows: ``id``, ``name``, ``mode``.
    id_rows:
        ``id_map.csv`` rows: ``kind``, ``feed``, ``gtfs_id``, ``detail``, ``otrip_id``.
    cap_used:
        ``"mode (route_type N)"`` -> passengers per vehicle, as applied.
    inputs:
        The feeds read, which ``out`` must not hold.
    """
    with atomic_folder(out, force, inputs) as tmp:
        pd.DataFrame(
            [{k: s[k] for k in ("stop_id", "name", "lat", "lon", "paid_area")} for s in stops]
        ).to_csv(tmp / "stops.csv", index=False, quoting=csv.QUOTE_MINIMAL)
        pd.DataFrame(links, columns=["from_stop", "to_stop", "walk_m", "note"]).to_csv(
            tmp / "walk_links.csv", index=False
        )
        pd.DataFrame(id_rows, columns=["kind", "feed", "gtfs_id", "detail", "otrip_id"]).to_csv(
            tmp / "id_map.csv", index=False
        )
        header = _header(report, cap_used)
        body = yaml.dump(
            {"routes": routes},
            Dumper=_DUMPER,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None,
            width=110,
        )
        (tmp / "routes.yaml").write_text(header + body, encoding="utf-8")
        ops = yaml.safe_dump(
            {"operators": operators}, sort_keys=False, allow_unicode=True, default_flow_style=None
        )
        (tmp / "operators.yaml").write_text(
            "# Operators of the imported network: paste this list into the scenario's `operators:`.\n"
            "# Each needs a standalone fare under fares.standalone (see docs/fares.md).\n" + ops,
            encoding="utf-8",
        )
        (tmp / "IMPORT.md").write_text(_import_md(report, cap_used, len(routes)), encoding="utf-8")
        _self_check(tmp)


def _self_check(folder: Path) -> None:
    """The written files must load with the scenario loader's own readers."""
    try:
        read_csv_records(folder / "stops.csv", Stop, "stops.csv")
        read_csv_records(folder / "walk_links.csv", WalkLink, "walk_links.csv")
        # what safe_dump leaves unquoted is text for the loader's narrower number rules too,
        # so a fast safe load gives the same data as the loader's own
        text = (folder / "routes.yaml").read_text(encoding="utf-8")
        routes = yaml.load(text, Loader=_LOADER)
        RoutesFile.model_validate(routes)
        for op in _read_yaml(folder / "operators.yaml")["operators"]:
            Operator.model_validate(op)
    except (InputError, ValidationError) as exc:  # pragma: no cover - a bug in this module
        raise RuntimeError(f"otrip-sim bug: the imported network does not load: {exc}") from exc


def _span(report: ImportReport, dash: str) -> str:
    """The timetable's span, ``"05:30-23:10"`` (seconds only where not zero)."""
    start = format_clock(report.service_start, seconds="nonzero")
    return f"{start}{dash}{format_clock(report.service_end, seconds='nonzero')}"


def _header(report: ImportReport, cap_used: dict[str, int]) -> str:
    lines = [
        (
            f"Imported by otrip-sim {__version__} network-import from GTFS (see IMPORT.md and "
            "docs/gtfs-import.md)."
        ),
        "Feeds:",
    ]
    for f in report.feeds:
        lines.append(
            f"  {f.path}{' (prefix ' + f.prefix + ')' if f.prefix else ''}: service day {f.date} "
            f"({f.date_rule}), {f.trips} trips; sha256 {f.sha256[:16]}…"
        )
    lines.append(
        "One route per GTFS route and direction: "
        "the stop pattern most trips follow that day (directions: forward)."
    )
    lines.append(f"Timetable spans {_span(report, '-')}: meta.service_start/service_end must cover it.")
    lines.append(
        "Capacities (assumed by mode): " + ", ".join(f"{k} {v}" for k, v in sorted(cap_used.items()))
    )
    if report.fallbacks:
        lines.append("Fallbacks used:")
        lines += [f"  - {x}" for x in report.fallbacks]
    else:
        lines.append("Fallbacks used: none")
    lines += [f"Note: {x}" for x in report.notes]
    if report.warnings:
        lines.append(f"Warnings: {len(report.warnings)} (listed in IMPORT.md)")
    return "".join(f"# {x}\n" for x in lines)


def _import_md(report: ImportReport, cap_used: dict[str, int], n_routes: int) -> str:
    start = report.service_start // 3600 * 3600
    end = -(-report.service_end // 3600) * 3600
    md = [
        "# GTFS import",
        "",
        f"Written by otrip-sim {__version__} `network-import` (method: `docs/gtfs-import.md`).",
        "",
        "## Feeds",
        "",
        "| feed | prefix | service day | chosen as | trips that day | sha256 |",
        "|---|---|---|---|---|---|",
    ]
    for f in report.feeds:
        md.append(
            f"| `{f.path}` | {f.prefix or '—'} | {f.date} | {f.date_rule} | {f.trips} | `{f.sha256[:16]}…` |"
        )
    md += [
        "",
        "## Result",
        "",
        (
            f"- {report.stops} stops (`stops.csv`), {n_routes} routes (`routes.yaml`), "
            f"{report.walk_links} walking links (`walk_links.csv`), {len(report.operators)} operators "
            "(`operators.yaml`); `id_map.csv` maps GTFS ids to otrip-sim ids."
        ),
        f"- The timetable runs {_span(report, '–')}.",
        "- Capacities (passengers per vehicle, assumed by mode): "
        + ", ".join(f"{k}: {v}" for k, v in sorted(cap_used.items()))
        + ".",
        "",
        "## Fallbacks",
        "",
    ]
    md += [f"- {x}" for x in report.fallbacks] or ["None."]
    md += ["", "## Warnings", ""]
    md += [f"- {x}" for x in report.warnings] or ["None."]
    md += ["", "## Notes", ""]
    md += [f"- {x}" for x in report.notes] or ["None."]
    md += [
        "",
        "## Using it",
        "",
        (
            "Copy `operators.yaml`'s list into the scenario, give each operator a standalone fare, and "
            "name the files (paths relative to the scenario file):"
        ),
        "",
        "```yaml",
        "meta:",
        f'  service_start: "{format_clock(start, seconds="nonzero")}"',
        f'  service_end: "{format_clock(end, seconds="nonzero")}"',
        "network:",
        "  stops: network/stops.csv",
        "  routes: network/routes.yaml",
        "  walk_links: network/walk_links.csv",
        "```",
        "",
    ]
    return "\n".join(md)
