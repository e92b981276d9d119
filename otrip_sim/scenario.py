"""Load a scenario file: read YAML and referenced CSV/YAML files, validate, cross-check.

This is the input boundary.  Every problem becomes one :class:`~otrip_sim.errors.InputError`
naming the file, the field path (or CSV line and column) and the bad value.

Loading only reads and validates: the schema (:mod:`otrip_sim.schema`) and every reference
between sections that can be checked on the records themselves (ids, operators, stops, zones).
It builds nothing.  The checks that need the built network or the compiled fare policy (a cap
contains the fares it caps, every reachable stop pair is priced, every gravity zone reaches a
stop) run in :func:`otrip_sim.compile.compile_scenario`, which ``run``, ``replay`` and
``otrip-sim validate`` all call; past that step the code trusts its inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError, shorten
from .overrides import apply_overrides, parse_path
from .schema import (
    Calibration,
    Modes,
    ODRow,
    Route,
    RoutesFile,
    Scenario,
    SegmentShare,
    StationTableSpec,
    Stop,
    TableRow,
    Tours,
    WalkLink,
    ZoneAccess,
    ZoneFareRow,
    ZoneRow,
    ZonesSpec,
    ZoneStopRow,
)
from .schema.base import closest, known_keys
from .schema.behaviour import apply_calibration
from .textio import csv_records, file_sha256, lies_inside, read_text, read_yaml

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


def _rows(value: str | list[R] | None) -> list[R]:
    """The records of a (possibly file-referenced) list field once loaded: the loader replaces
    every file reference by its rows, so a string is never left here; ``None`` (an absent
    optional list) has no rows."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with every file reference resolved into inline records.

    Attributes
    ----------
    spec:
        The validated :class:`~otrip_sim.schema.Scenario`; all file references replaced by lists.
    path:
        The scenario file.
    inputs:
        SHA-256 of every file read, keyed by path relative to the scenario's folder.
    origins:
        The file each resolved reference was read from, keyed by (section path, key), e.g.
        ``("network", "stops")`` or ``("fares.standalone.mrt", "table")``; an error found after
        loading names that file (see :meth:`source`).
    overrides:
        The ``--set`` changes applied to the file's document before validation (path → value).
    """

    spec: Scenario
    path: Path
    inputs: dict[str, str] = field(default_factory=dict)
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's ``meta.name``."""
        return self.spec.meta.name

    def source(self, prefix: str, key: str) -> str:
        """The file the records of ``prefix.key`` came from: a referenced CSV/YAML file, or the
        scenario file itself when they were written inline.

        Parameters
        ----------
        prefix : str
            The section path (``"network"``, ``"fares.standalone.mrt"``).
        key : str
            The field holding the records (``"stops"``, ``"table"``).

        Returns
        -------
        str
            The file's path, for messages.
        """
        return self.origins.get((prefix, key), str(self.path))

    def routes(self) -> list[Route]:
        """The routes running in the scenario's year.

        Returns
        -------
        list of Route
            In file order; lengths in integer metres, headways in integer seconds.
        """
        return [r for r in _rows(self.spec.network.routes) if r.runs_in(self.spec.meta.year)]


def _error_path(loc: Iterable[Any], raw: Any) -> str:
    """A pydantic error location as a field path (``fares.windows[1].cap``), walking the raw
    document to drop the parts that are not fields: union branch names and the ``kind`` tags of
    discriminated unions."""
    out = ""
    node = raw
    parts = list(loc)
    for k, part in enumerate(parts):
        if isinstance(node, dict) and node.get("kind") == part and (k + 1 < len(parts) or part not in node):
            continue  # the tag of a discriminated union (it may also be a field name: kind "cap")
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            continue
        if isinstance(node, dict) and part in node:
            out += f".{part}" if out else str(part)
            node = node[part]
        elif "[" in part or part in {"str", "int", "float", "bool", "list", "dict", "none"}:
            continue  # a union branch
        else:
            out += f".{part}" if out else str(part)
            node = None
    return out


def _from_validation(err: ValidationError, file: Path | str, raw: Any,
                     model: type[BaseModel] = Scenario) -> InputError:
    """The most specific of pydantic's errors (the deepest location) as an InputError; an unknown
    key comes first (it often hides a required key: ``durration`` makes ``duration`` missing), with
    the closest known key of ``model`` at that place."""
    errors = err.errors(include_url=False)
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        loc = tuple(unknown[0]["loc"])
        key = str(loc[-1])
        known = known_keys(model, loc[:-1])
        near = closest(key, known)
        hint = f" (did you mean {near!r}?)" if near else (f" (known: {', '.join(known)})" if known else "")
        return InputError(file, _error_path(loc, raw), f"unknown key {shorten(key)!r}{hint}")
    first = max(errors, key=lambda e: (len(e["loc"]), -errors.index(e)))
    path = _error_path(first["loc"], raw)
    msg = first["msg"]
    for lead in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(lead)
    value = first.get("input")
    if isinstance(value, (dict, list)) or first["type"] == "missing":
        return InputError(file, path, msg)
    return InputError(file, path, msg, value)


def _read_yaml(path: Path, display: str | Path | None = None) -> Any:
    """Parse a YAML file by the loader's strict rules (:func:`otrip_sim.textio.read_yaml`)."""
    return read_yaml(path, display)


def read_csv_records(path: Path, model: type[M], display: str) -> list[M]:
    """Parse a UTF-8 CSV into ``model`` rows; an error names the file, line and column."""
    records = csv_records(read_text(path, display), display)
    first = next(records, None)
    if first is None:
        raise InputError(display, "line 1", "empty file: expected a header row")
    names = list(model.model_fields)
    # a column is named by the field's (string) validation alias, else by the field
    column = {n: f.validation_alias if isinstance(f.validation_alias, str) else n
              for n, f in model.model_fields.items()}
    aliases = set(column.values())
    required = {column[n] for n, f in model.model_fields.items() if f.is_required()}
    # text columns (ids, names) keep their text: stop 8039 and zone 1 are ids, not numbers
    text = {column[n] for n, f in model.model_fields.items() if f.annotation in (str, str | None)}
    header = [h.strip() for h in first[1]]
    unknown = [h for h in header if h not in aliases and h not in names]
    if unknown:
        near = closest(unknown[0], sorted(aliases))
        hint = f"did you mean {near!r}?" if near else f"expected {sorted(aliases)}"
        raise InputError(display, "line 1", f"unknown column ({hint})", unknown[0])
    missing = sorted(required - set(header))
    if missing:
        raise InputError(display, "line 1", f"missing column {missing[0]!r}")
    rows: list[M] = []
    for line, cells in records:
        if not cells:
            continue  # a blank line
        if len(cells) > len(header):
            raise InputError(display, f"line {line}", "more fields than the header has")
        clean = {k: v.strip() if k in text else _csv_value(v) for k, v in zip(header, cells) if v != ""}
        try:
            rows.append(model.model_validate(clean))
        except ValidationError as err:
            e = _from_validation(err, display, clean, model)
            raise InputError(display, f"line {line}, column {e.path}", e.message, e.value) from None
    return rows


def _validated(model: type[M], path: Path, display: str) -> M:
    """A YAML file read and validated as ``model``, errors located in it."""
    doc = _read_yaml(path)
    try:
        return model.model_validate(doc)
    except ValidationError as err:
        raise _from_validation(err, display, doc) from None


def _csv_value(text: str) -> Any:
    """CSV cells are text; integers stay integers so money and metres stay exact."""
    t = text.strip()
    if t.lstrip("-").isdigit():
        return int(t)
    try:
        return float(t) if any(c in t for c in ".eE") and t[0] in "-0123456789." else t
    except ValueError:
        return t


def _yaml_kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "single value"


SECTION_FILES: tuple[tuple[str, ...], ...] = (("modes",), ("calibration",), ("demand", "tours"))
"""Sections a scenario may keep in a YAML file of their own, which ``--set`` can reach into."""


def load_scenario(path: str | Path, allow_outside_files: bool = False,
                  overrides: Mapping[str, Any] | None = None, as_reference: bool = False) -> LoadedScenario:
    """Read, validate and cross-check a scenario file; build nothing.

    Parameters
    ----------
    path:
        The scenario YAML file; the CSV/YAML files it references are read relative to its folder.
    allow_outside_files:
        Read referenced files outside the scenario's folder (by ``..``, an absolute path or a
        symlink); by default such a reference is an error and the file is not opened.
    overrides:
        ``dotted.path -> value`` changes (``{"fares.windows[0].cap": 6000}``, the ``--set`` option),
        applied to the document before it is validated, so a bad value is refused and located as
        if it were written in the file (:mod:`otrip_sim.overrides`).

    Returns
    -------
    LoadedScenario
        The validated records, every file reference replaced by its rows.  A gravity model's
        zones and OD rows are derived later, by :func:`otrip_sim.compile.compile_scenario`.

    Raises
    ------
    InputError
        On any problem, naming file, field path (or CSV line and column) and value.
    """
    path = Path(path)
    base = path.parent
    raw = _read_yaml(path)
    if raw is None:
        raise InputError(path, "", "empty file: a scenario is a YAML mapping with meta, operators, network, "
                         "demand and fares (see docs/scenario.md)")
    if not isinstance(raw, dict):
        raise InputError(path, "", "a scenario file must be a YAML mapping of sections (meta, operators, "
                         f"network, ...), not a {_yaml_kind(raw)}")
    inputs: dict[str, str] = {path.name: file_sha256(path)}
    origins: dict[tuple[str, str], str] = {}

    def resolve(section: dict[str, Any], key: str, prefix: str, loader: Callable[[Path, str], Any]) -> None:
        value = section.get(key)
        if isinstance(value, str):
            ref = (base / value) if not Path(value).is_absolute() else Path(value)
            display = str(ref)
            where = f"{prefix}.{key}" if prefix else key
            if not allow_outside_files and not lies_inside(ref, base):
                raise InputError(path, where, "the file lies outside the scenario's folder "
                                 f"({base}); pass --allow-outside-files to read it", value)
            if not ref.is_file():
                raise InputError(path, where, "file not found", value)
            section[key] = loader(ref, display)
            origins[(prefix, key)] = display
            inputs[str(Path(value))] = file_sha256(ref)

    if overrides:
        # a change inside a section kept in its own YAML file (`--set modes.theta=0.1` with
        # `modes: demand/modes.yaml`) is made in that file's document, read in its place first
        paths = [parse_path(p) for p in overrides]
        for *outer, name in SECTION_FILES:
            holder = raw.get(outer[0]) if outer else raw
            inside = [*outer, name]
            if isinstance(holder, dict) and any(p[:len(inside)] == inside != p for p in paths):
                resolve(holder, name, ".".join(outer), lambda p, d: _read_yaml(p))
        apply_overrides(raw, overrides, str(path))

    def routes_loader(ref: Path, display: str) -> list[Route]:
        doc = _read_yaml(ref)
        try:
            return list(RoutesFile.model_validate(doc).routes)
        except ValidationError as err:
            raise _from_validation(err, display, doc, RoutesFile) from None

    def tours_loader(ref: Path, display: str) -> Tours:
        return _validated(Tours, ref, display)

    net = raw.get("network")
    if isinstance(net, dict):
        resolve(net, "stops", "network", lambda p, d: read_csv_records(p, Stop, d))
        resolve(net, "routes", "network", routes_loader)
        resolve(net, "walk_links", "network", lambda p, d: read_csv_records(p, WalkLink, d))
    dem = raw.get("demand")
    if isinstance(dem, dict):
        resolve(dem, "zones", "demand", lambda p, d: read_csv_records(p, ZoneAccess, d))
        resolve(dem, "od", "demand", lambda p, d: read_csv_records(p, ODRow, d))
        resolve(dem, "tours", "demand", tours_loader)
        if as_reference:  # only its fares are read: its own mode choice is not run
            dem.pop("pivot_reference", None)
            if isinstance(raw.get("choice", {}), dict):
                raw.setdefault("choice", {})["mode_choice"] = False
        resolve(dem, "pivot_reference", "demand",
                lambda p, d: load_scenario(p, allow_outside_files, as_reference=True).spec.fares)
        if isinstance(dem.get("gravity"), dict):
            resolve(dem["gravity"], "zones", "demand.gravity", lambda p, d: read_csv_records(p, ZoneRow, d))
    modes = raw.get("modes")
    if isinstance(modes, dict):
        resolve(modes, "segment_shares", "modes", lambda p, d: read_csv_records(p, SegmentShare, d))
    resolve(raw, "modes", "", lambda p, d: _validated(Modes, p, d))
    resolve(raw, "calibration", "", lambda p, d: _validated(Calibration, p, d))
    if isinstance(raw.get("modes"), Modes) and isinstance(raw["modes"].segment_shares, str):
        # a modes file's income table: relative to the scenario file, like every reference
        holder = {"segment_shares": raw["modes"].segment_shares}
        resolve(holder, "segment_shares", "modes", lambda p, d: read_csv_records(p, SegmentShare, d))
        try:
            raw["modes"] = Modes.model_validate(raw["modes"].model_dump() | holder)
        except ValidationError as err:
            where = origins.get(("modes", "segment_shares"), str(path))
            message = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
            raise InputError(where, "", message) from None
    fares = raw.get("fares")
    fare_specs: list[tuple[str, Any]] = []
    if isinstance(fares, dict) and isinstance(fares.get("standalone"), dict):
        fare_specs += [(f"fares.standalone.{op}", spec) for op, spec in fares["standalone"].items()]
    if isinstance(fares, dict) and isinstance(fares.get("route_fares"), list):
        fare_specs += [
            (f"fares.route_fares[{i}].fare", rf.get("fare"))
            for i, rf in enumerate(fares["route_fares"])
            if isinstance(rf, dict)
        ]
    if isinstance(fares, dict) and isinstance(fares.get("windows"), list):  # an OD chain's fare table
        fare_specs += [(f"fares.windows[{i}].fare", w.get("fare")) for i, w in enumerate(fares["windows"])
                       if isinstance(w, dict) and w.get("kind") == "od_chain"]
    for prefix, spec in fare_specs:
        if isinstance(spec, dict) and spec.get("kind") == "station_table":
            resolve(spec, "table", prefix, lambda p, d: read_csv_records(p, TableRow, d))
        if isinstance(spec, dict) and spec.get("kind") == "zones":
            resolve(spec, "zones", prefix, lambda p, d: read_csv_records(p, ZoneStopRow, d))
            resolve(spec, "fares", prefix, lambda p, d: read_csv_records(p, ZoneFareRow, d))
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise _from_validation(err, path, raw) from None
    loaded = LoadedScenario(scenario, path, inputs, origins, dict(overrides or {}))
    _cross_check(loaded)
    return with_calibration(loaded)


def with_calibration(loaded: LoadedScenario, calibration: Calibration | None = None) -> LoadedScenario:
    """``loaded`` with its ``calibration`` section (or ``calibration`` instead) applied by
    :func:`~otrip_sim.schema.behaviour.apply_calibration`, errors located in its file."""
    cal = loaded.spec.calibration if calibration is None else calibration
    if not isinstance(cal, Calibration):
        return loaded
    file = loaded.origins.get(("", "calibration"), str(loaded.path))
    return replace(loaded, spec=apply_calibration(loaded.spec, cal, file,
                                                  "calibration." if file == str(loaded.path) else ""))


def _cross_check(loaded: LoadedScenario) -> None:
    """Every reference between sections must resolve (checked on the records: nothing is built)."""
    s = loaded.spec
    file = loaded.path

    def where(prefix: str, key: str, index: int, column: str) -> tuple[str, str]:
        src = loaded.origins.get((prefix, key))
        if src is None:
            return str(file), f"{prefix}.{key}[{index}].{column}"
        # CSV rows: header is line 1; YAML route files: routes[index]
        if src.endswith(".csv"):
            return src, f"line {index + 2}, column {column}"
        return src, f"routes[{index}].{column}"

    year = s.meta.year
    operators = [o.id for o in s.operators]
    if (dup := _first_duplicate(operators)) is not None:
        raise InputError(file, "operators", "duplicate operator id", dup)
    op_set = set(operators)
    stops = _rows(s.network.stops)
    stop_ids = [st.id for st in stops]
    if (dup := _first_duplicate(stop_ids)) is not None:
        second = stop_ids.index(dup, stop_ids.index(dup) + 1)
        raise InputError(*where("network", "stops", second, "stop_id"), "duplicate stop id", dup)
    stop_set = set(stop_ids)
    routes = _rows(s.network.routes)
    # a multi-year network may name operators of other years (the MRT's stations in 2017)
    network_ops = set(op_set)
    for r in routes:
        network_ops.update([r.operator] if isinstance(r.operator, str) else r.operator.values())
    for i, st in enumerate(stops):
        if st.paid_area is not None and st.paid_area not in network_ops:
            raise InputError(*where("network", "stops", i, "paid_area"), "unknown operator", st.paid_area)

    route_ids = [r.id for r in routes]
    dup = _first_duplicate(route_ids)
    if dup is not None:
        second = route_ids.index(dup, route_ids.index(dup) + 1)
        raise InputError(*where("network", "routes", second, "id"), "duplicate route id", dup)
    running = 0
    for i, r in enumerate(routes):
        by_year = r.years is not None or isinstance(r.operator, dict) or any(b.years for b in r.headways)
        if by_year and year is None:
            raise InputError(file, "meta.year", f"required: route {r.id!r} depends on the year")
        for j, sid in enumerate(r.stops):
            if sid not in stop_set:
                raise InputError(*where("network", "routes", i, f"stops[{j}]"), "unknown stop", sid)
        if not r.runs_in(year):
            continue
        running += 1
        try:
            op = r.operator_in(year)
        except ValueError as exc:
            raise InputError(*where("network", "routes", i, "operator"), str(exc), r.operator) from None
        if op not in op_set:
            raise InputError(
                *where("network", "routes", i, "operator"), f"unknown operator (declared: {sorted(op_set)})",
                op,
            )
        if not r.headways_in(year):
            years = [b.years for b in r.headways]
            raise InputError(*where("network", "routes", i, "headways"), f"no band runs in {year}", years)
        for j, band in enumerate(r.headways):
            if band.runs_in(year) and (band.start < s.meta.service_start or band.end > s.meta.service_end):
                raise InputError(
                    *where("network", "routes", i, f"headways[{j}]"),
                    "band lies outside meta.service_start..service_end", f"{band.start}-{band.end}",
                )
    if running == 0:
        raise InputError(file, "network.routes", f"no route runs in year {year}")

    for i, link in enumerate(_rows(s.network.walk_links)):
        for col in ("from_stop", "to_stop"):
            if getattr(link, col) not in stop_set:
                raise InputError(*where("network", "walk_links", i, col), "unknown stop", getattr(link, col))

    if s.demand.gravity is not None:
        # gravity zones become access zones at compile time; their ids must be unique already
        gravity_ids = [z.zone_id for z in _rows(s.demand.gravity.zones)]
        dup = _first_duplicate(gravity_ids)
        if dup is not None:
            raise InputError(loaded.source("demand.gravity", "zones"), "zone_id", "duplicate zone id", dup)
    for j, profile_band in enumerate(s.demand.profile):
        if profile_band.start < s.meta.service_start or profile_band.end > s.meta.service_end:
            raise InputError(file, f"demand.profile[{j}]",
                             "band lies outside meta.service_start..service_end",
                             f"{profile_band.start}-{profile_band.end}")
    zones = s.demand.zones
    if zones is None:
        zone_set = stop_set
    else:
        zone_set = set()
        for i, z in enumerate(_rows(zones)):
            if z.stop_id not in stop_set:
                raise InputError(*where("demand", "zones", i, "stop_id"), "unknown stop", z.stop_id)
            zone_set.add(z.zone_id)
    # a gravity model's OD rows are derived (at compile time) from its zones, so none to check here
    homes = ({z.zone_id for z in _rows(s.demand.gravity.zones)} if s.demand.gravity is not None else zone_set)
    if isinstance(s.modes, Modes) and isinstance(s.modes.segment_shares, list):
        for i, share in enumerate(s.modes.segment_shares):
            if share.zone_id not in homes:
                raise InputError(*where("modes", "segment_shares", i, "zone_id"), "unknown zone",
                                 share.zone_id)
    for i, od in enumerate(_rows(s.demand.od)):
        for col in ("origin", "destination"):
            if getattr(od, col) not in zone_set:
                what = "zone" if zones is not None else "stop"
                raise InputError(*where("demand", "od", i, col), f"unknown {what}", getattr(od, col))

    fares = s.fares
    for op in fares.standalone:
        if op not in op_set:
            raise InputError(
                file, f"fares.standalone.{op}", f"unknown operator (declared: {sorted(op_set)})", op
            )
    for op in operators:
        if op not in fares.standalone:
            raise InputError(file, "fares.standalone", f"operator {op!r} has no standalone fare")
    categories = {c.id for c in s.demand.categories}
    ref = s.demand.pivot_reference
    if ref is not None and not isinstance(ref, str):  # its fares price this scenario's riders
        ref_file = loaded.origins.get(("demand", "pivot_reference"), str(file))
        for op in sorted(op_set ^ set(ref.standalone)):
            raise InputError(file, "demand.pivot_reference", f"its fares ({ref_file}) do not have this "
                             f"scenario's operators: {op!r} is in one and not the other", op)
        for rule in ref.categories:
            if rule.category not in categories:
                raise InputError(file, "demand.pivot_reference", f"its fares ({ref_file}) name a rider "
                                 "category this scenario does not have", rule.category)
    exempted: dict[tuple[str, str], int] = {}
    for i, rule in enumerate(fares.categories):
        for j, op in enumerate(rule.operators):
            if (rule.category, op) in exempted:
                raise InputError(
                    file, f"fares.categories[{i}].operators[{j}]",
                    f"category {rule.category!r} on this operator is already in "
                    f"fares.categories[{exempted[(rule.category, op)]}]", op,
                )
            exempted[(rule.category, op)] = i
        if rule.category not in categories:
            raise InputError(
                file, f"fares.categories[{i}].category",
                f"unknown rider category (declared: {sorted(categories)})", rule.category,
            )
        for j, op in enumerate(rule.operators):
            if op not in op_set:
                raise InputError(file, f"fares.categories[{i}].operators[{j}]", "unknown operator", op)
    seen_window: dict[str, str] = {}
    ids = set()
    for i, w in enumerate(fares.windows):
        if w.id in ids:
            raise InputError(file, f"fares.windows[{i}].id", "duplicate window id", w.id)
        ids.add(w.id)
        for j, op in enumerate(w.operators):
            if op not in op_set:
                raise InputError(file, f"fares.windows[{i}].operators[{j}]", "unknown operator", op)
            if op in seen_window:
                raise InputError(
                    file, f"fares.windows[{i}].operators[{j}]",
                    f"operator is already in window {seen_window[op]!r}: "
                    "an operator may be in one window rule only", op,
                )
            seen_window[op] = w.id
    media_ids = {m.id for m in fares.media}
    pass_ids: set[str] = set()
    for i, fare_pass in enumerate(fares.passes):
        if fare_pass.id in pass_ids:
            raise InputError(file, f"fares.passes[{i}].id", "duplicate pass id", fare_pass.id)
        pass_ids.add(fare_pass.id)
        if media_ids and fare_pass.id not in media_ids:
            raise InputError(
                file, f"fares.passes[{i}].id",
                "a pass is held as a fare medium: declare it in fares.media (with its share)", fare_pass.id,
            )
        for j, op in enumerate(fare_pass.operators):
            if op not in op_set:
                raise InputError(file, f"fares.passes[{i}].operators[{j}]", "unknown operator", op)
    for i, medium in enumerate(fares.media):
        for j, wid in enumerate(medium.unlocks):
            if wid not in ids:
                raise InputError(
                    file, f"fares.media[{i}].unlocks[{j}]", f"unknown window rule (declared: {sorted(ids)})",
                    wid,
                )
    cap_ids: set[str] = set()
    for i, cap in enumerate(fares.caps):
        if cap.id in cap_ids or cap.id in ids:
            raise InputError(file, f"fares.caps[{i}].id", "duplicate rule id", cap.id)
        cap_ids.add(cap.id)
        for j, op in enumerate(cap.operators):
            if op not in op_set:
                raise InputError(file, f"fares.caps[{i}].operators[{j}]", "unknown operator", op)
    money_maps = (
        ("contracts", s.money.contracts),
        ("fare_evasion", s.money.fare_evasion),
        ("clearing.shares", s.money.clearing.shares),
        ("weekdays_per_year", s.money.weekdays_per_year),
    )
    for key, mapping in money_maps:
        for op in mapping:
            if op not in op_set:
                raise InputError(
                    file, f"money.{key}.{op}", f"unknown operator (declared: {sorted(op_set)})", op
                )
    if s.meta.counterfactual and s.validation:
        raise InputError(file, "validation[0]", "a counterfactual (meta.counterfactual: true) was never in "
                         "force with its network and demand, so it carries no validation targets of its own")
    route_set = {r.id for r in routes}
    for i, v in enumerate(s.validation):
        for col, known in (("operator", op_set), ("feeder", op_set), ("category", categories),
                           ("route", route_set)):
            value = getattr(v, col)
            if value is not None and value not in known:
                raise InputError(file, f"validation[{i}].{col}", "unknown id", value)
        for col, known in (("operators", op_set), ("among", route_set)):
            for j, value in enumerate(getattr(v, col) or []):
                if value not in known:
                    raise InputError(file, f"validation[{i}].{col}[{j}]", "unknown id", value)
        if v.per_year and v.year_operator not in s.money.weekdays_per_year:
            raise InputError(file, f"validation[{i}].per_year", "a yearly count needs "
                             "money.weekdays_per_year of its operator", v.year_operator or v.metric)
    by_route = {r.id: r for r in routes}
    fare_of_route: dict[str, int] = {}
    for i, rf in enumerate(fares.route_fares):
        for j, rid in enumerate(rf.routes):
            if rid not in by_route:
                raise InputError(file, f"fares.route_fares[{i}].routes[{j}]", "unknown route", rid)
            if rid in fare_of_route:
                raise InputError(
                    file, f"fares.route_fares[{i}].routes[{j}]",
                    f"route already has a fare in fares.route_fares[{fare_of_route[rid]}]", rid,
                )
            fare_of_route[rid] = i
    specs = [(f"fares.standalone.{op}", spec) for op, spec in fares.standalone.items()]
    specs += [(f"fares.route_fares[{i}].fare", rf.fare) for i, rf in enumerate(fares.route_fares)]
    specs += [(f"fares.windows[{i}].fare", w.fare) for i, w in enumerate(fares.windows)
              if w.kind == "od_chain"]
    for i, w in enumerate(fares.windows):
        for j, join in enumerate(w.joins if w.kind == "od_chain" else []):
            for k, stop in enumerate(join.at):
                if stop not in stop_set:
                    raise InputError(file, f"fares.windows[{i}].joins[{j}].at[{k}]", "unknown stop", stop)
    for prefix, spec in specs:
        if isinstance(spec, StationTableSpec):
            _check_table(loaded, prefix, spec)
        elif isinstance(spec, ZonesSpec):
            _check_zones(loaded, prefix, spec)


def _row_path(src: str, prefix: str, key: str, i: int, col: str) -> str:
    """Where row ``i`` of ``prefix.key`` is: a CSV line (the header is line 1) or a field path."""
    return f"line {i + 2}, column {col}" if src.endswith(".csv") else f"{prefix}.{key}[{i}].{col}"


def _check_table(loaded: LoadedScenario, prefix: str, spec: StationTableSpec) -> None:
    """A station table names known stops.  (That it prices every pair a rider can travel is
    checked at compile time, on the network's lines.)"""
    src = loaded.source(prefix, "table")
    stop_set = {st.id for st in _rows(loaded.spec.network.stops)}
    for i, row in enumerate(_rows(spec.table)):
        for col in ("from_stop", "to_stop"):
            if getattr(row, col) not in stop_set:
                raise InputError(
                    src, _row_path(src, prefix, "table", i, col), "unknown stop", getattr(row, col)
                )


def _check_zones(loaded: LoadedScenario, prefix: str, spec: ZonesSpec) -> None:
    """A zone fare puts known stops in one zone each and prices zones that have stops.  (That it
    prices every zone pair a rider can travel is checked at compile time.)"""
    zsrc, fsrc = loaded.source(prefix, "zones"), loaded.source(prefix, "fares")
    stop_set = {st.id for st in _rows(loaded.spec.network.stops)}
    zone_of: dict[str, str] = {}
    for i, zrow in enumerate(_rows(spec.zones)):
        if zrow.stop_id not in stop_set:
            raise InputError(zsrc, _row_path(zsrc, prefix, "zones", i, "stop_id"), "unknown stop",
                             zrow.stop_id)
        if zrow.stop_id in zone_of and zone_of[zrow.stop_id] != zrow.zone:
            raise InputError(zsrc, _row_path(zsrc, prefix, "zones", i, "zone"),
                             f"stop {zrow.stop_id!r} is already in zone {zone_of[zrow.stop_id]!r}", zrow.zone)
        zone_of[zrow.stop_id] = zrow.zone
    zones = set(zone_of.values())
    for i, frow in enumerate(_rows(spec.fares)):
        for col in ("from_zone", "to_zone"):
            if getattr(frow, col) not in zones:
                raise InputError(fsrc, _row_path(fsrc, prefix, "fares", i, col),
                                 "unknown zone (no stop is in it)", getattr(frow, col))


def _first_duplicate(items: list[str]) -> str | None:
    seen: set[str] = set()
    for x in items:
        if x in seen:
            return x
        seen.add(x)
    return None


def with_overrides(loaded: LoadedScenario, overrides: Mapping[str, Any]) -> LoadedScenario:
    """``loaded`` with more ``--set`` changes: its file reloaded with its own overrides and then
    ``overrides``, validated and located as :func:`load_scenario` does.

    Parameters
    ----------
    loaded : LoadedScenario
        A scenario loaded from its file.
    overrides : mapping
        ``dotted.path -> value``.

    Returns
    -------
    LoadedScenario
    """
    return load_scenario(loaded.path, True, {**loaded.overrides, **overrides})
