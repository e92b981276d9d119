"""Generate the two references of docs/reference/ from the code: the scenario-file reference from
the pydantic models of :mod:`otrip_sim.schema`, the command-line reference from the click commands'
own help.

Run from the repository root after changing a model or a command::

    python docs/reference/generate.py          # rewrites docs/reference/scenario-file.md and cli.md

``tests/test_docs_reference.py`` fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import click
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout: the package next to docs/
    sys.path.insert(0, str(ROOT))

from otrip_sim.cli import main as cli_main  # noqa: E402
from otrip_sim.schema import Scenario  # noqa: E402
from otrip_sim.schema.base import Clock, Distance, Duration, FileRef, Id, Money  # noqa: E402
from otrip_sim.units import format_clock  # noqa: E402

SCENARIO_FILE = HERE / "scenario-file.md"
CLI_FILE = HERE / "cli.md"
COMMAND = "python docs/reference/generate.py"
WIDTH = 100
"""The terminal width the command-line help is formatted for (fixed, so the text is stable)."""


# -------------------------------------------------------------------------------- unit types
def _validator(alias: Any) -> Any:
    """The function of the BeforeValidator that makes ``alias`` (``Duration``, ``Money``) a unit."""
    return next(m.func for m in get_args(alias)[1:] if isinstance(m, BeforeValidator))


UNITS: dict[Any, str] = {
    _validator(Clock): 'clock (`"05:30"`, `"25:30:15"`, seconds)',
    _validator(Duration): 'duration (`"90s"`, `"5min"`, `"3h"`, `"01:30:00"`, seconds)',
    _validator(Distance): 'distance (`"500m"`, `"15.7km"`, metres)',
    _validator(Money): "money (minor units)",
}
ID_PATTERN = next(m.pattern for m in get_args(Id)[1].metadata if hasattr(m, "pattern"))
FILE_REF_TEXT = get_args(FileRef)[1].description
CONSTRAINTS = ((at.Ge, "ge", "≥"), (at.Gt, "gt", ">"), (at.Le, "le", "≤"), (at.Lt, "lt", "<"),
               (at.MinLen, "min_length", "at least"), (at.MaxLen, "max_length", "at most"))


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """A type without its ``Annotated`` layers, and their metadata (field infos flattened)."""
    meta: list[Any] = []
    while get_origin(tp) is Annotated:
        args = get_args(tp)
        tp = args[0]
        for m in args[1:]:
            meta += [m, *m.metadata] if isinstance(m, FieldInfo) else [m]
    return tp, meta


def _unit(meta: list[Any]) -> str | None:
    """The project's own name of a constrained type (a duration, an id, a file path), if it is one."""
    for m in meta:
        if isinstance(m, BeforeValidator) and m.func in UNITS:
            return UNITS[m.func]
        if getattr(m, "pattern", None) == ID_PATTERN:
            return "id"
        if isinstance(m, FieldInfo) and m.description == FILE_REF_TEXT:
            return "file path"
    return None


def _bounds(meta: list[Any]) -> str:
    """The numeric and length limits among ``meta``, e.g. ``≥ 0, ≤ 1``."""
    parts = [f"{sign} {getattr(m, attr):g}" if isinstance(getattr(m, attr), float) else
             f"{sign} {getattr(m, attr)}"
             for m in meta for cls, attr, sign in CONSTRAINTS if isinstance(m, cls)]
    parts += [f"matching `{m.pattern}`" for m in meta if getattr(m, "pattern", None)]
    return ", ".join(dict.fromkeys(parts))


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, UnionType)


def _kinds(models: list[type[BaseModel]]) -> list[str] | None:
    """The ``kind`` tags of a discriminated union's models (None: not one)."""
    tags = [get_args(m.model_fields["kind"].annotation) if "kind" in m.model_fields else () for m in models]
    if len(models) < 2 or not all(len(t) == 1 for t in tags):
        return None
    return [str(t[0]) for t in tags]


# ------------------------------------------------------------------------------ the models
@dataclass
class Section:
    """One model of the schema: where it appears in a scenario file and its fields' rows."""

    model: type[BaseModel]
    paths: list[str]
    kind: str | None = None
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The id of the section's heading."""
        return _anchor(self.model)


def _anchor(model: type[BaseModel]) -> str:
    """The id of a model's section heading: its name, lower case."""
    return model.__name__.lower()


class Walker:
    """Walks the models from :class:`Scenario` in declaration order, depth first.

    Each model is documented once, at its primary path: the shallowest one it is met on (the first
    of those); the paths it is met on inside the documented sections are listed with it.  A first
    walk (``emit`` false) finds the primary paths, the second builds the sections."""

    def __init__(self) -> None:
        self.primary: dict[type[BaseModel], str] = {}
        self.sections: dict[type[BaseModel], Section] = {}
        self.order: list[Section] = []
        self.met: dict[type[BaseModel], list[str]] = {}
        self.emit = False

    def walk(self) -> list[Section]:
        """The sections of every model reachable from :class:`Scenario`, in the order met."""
        self.visit(Scenario, "")
        self.emit = True
        self.visit(Scenario, "")
        for section in self.order:
            section.paths = list(dict.fromkeys([section.paths[0], *self.met[section.model]]))
        return self.order

    def visit(self, model: type[BaseModel], path: str, kind: str | None = None) -> Section | None:
        """Meet ``model`` at ``path``: its section (in the second walk), its fields walked once."""
        if not self.emit:
            known = self.primary.get(model)
            if known is None or path.count(".") < known.count("."):
                self.primary[model] = path
            return self._fields(model, path, None)
        self.met.setdefault(model, []).append(path)
        if model in self.sections:
            return self.sections[model]
        if path != self.primary[model]:
            return None  # met inside a section documented elsewhere: walked from its primary path
        section = Section(model, [path], kind)
        self.sections[model] = section
        self.order.append(section)
        return self._fields(model, path, section)

    def _fields(self, model: type[BaseModel], path: str, section: Section | None) -> Section | None:
        for name, info in model.model_fields.items():
            key = info.validation_alias if isinstance(info.validation_alias, str) else name
            sub = f"{path}.{key}" if path else key
            tp = info.annotation if not info.metadata else Annotated[info.annotation, *info.metadata]
            text = self.type_text(tp, sub, info)
            if section is not None:
                about = info.description or _attribute_docs(model).get(name, "")
                section.rows.append((f"`{key}`", text, _default(info), _text(about)))
        return section

    def type_text(self, tp: Any, path: str, info: FieldInfo | None = None) -> str:
        """A readable type, visiting the models it holds (``path``: where they are in a file)."""
        tp, meta = _unwrap(tp)
        unit = _unit(meta)
        if unit is not None:
            return unit
        bounds = _bounds(meta)
        if _is_union(tp):
            branches = [b for b in get_args(tp) if b is not type(None)]
            models = [b for b in branches if isinstance(b, type) and issubclass(b, BaseModel)]
            kinds = _kinds(models)
            if kinds is not None and len(models) == len(branches):
                links = [self.link(m, path, k, kind=k) for m, k in zip(models, kinds)]
                return "one of the kinds (`kind:`): " + ", ".join(links)
            text = " or ".join(self.type_text(b, path) for b in branches)
            return f"{text} ({bounds})" if bounds else text
        origin = get_origin(tp)
        if origin is list:
            text = f"list of {self.type_text(get_args(tp)[0], path + '[]')}"
        elif origin is dict:
            key_tp, value_tp = get_args(tp)
            placeholder = _placeholder(info)
            text = (f"mapping of {self.type_text(key_tp, path)} → "
                    f"{self.type_text(value_tp, f'{path}.<{placeholder}>')}")
        elif origin is Literal:
            text = "one of: " + ", ".join(f"`{json.dumps(v)}`" if isinstance(v, str) else f"`{v}`"
                                          for v in get_args(tp))
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            return self.link(tp, path, tp.__name__)
        else:
            text = {int: "int", float: "number", str: "text", bool: "`true` or `false`",
                    date: "date (`2024-06-04`)"}.get(tp, getattr(tp, "__name__", str(tp)))
        return f"{text} ({bounds})" if bounds else text

    def link(self, model: type[BaseModel], path: str, label: str, kind: str | None = None) -> str:
        """A link to ``model``'s section, ``model`` met at ``path`` (with ``kind``: as that kind of a
        discriminated union)."""
        self.visit(model, path, kind)
        return f"[{label}](#{_anchor(model)})"


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """The first sentence of each attribute docstring (a string right after a field) of ``model``
    and its bases."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, after in pairwise(body):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                text = " ".join(after.value.value.split())
                found[node.target.id] = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return found


def _placeholder(info: FieldInfo | None) -> str:
    """What a mapping's keys are, from its description (``operator id -> …`` → ``operator``)."""
    m = re.match(r"^(?:[a-z]+: )?([a-z ]+?)(?: id)? ->", (info.description or "") if info else "")
    return m[1].replace(" ", "_") if m else "key"


def _text(text: str) -> str:
    """Docstring or description text as one Markdown table cell (RST literals as code)."""
    text = re.sub(r":(?:mod|func|class|data|attr):`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return " ".join(text.split()).replace("|", "\\|")


def _value(value: Any) -> str:
    """A default value as a scenario file writes it."""
    if isinstance(value, BaseModel):
        dump = value.model_dump(mode="json", exclude_defaults=True)
        return "" if not dump else json.dumps(dump)
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return json.dumps([v.model_dump(mode="json") for v in value], ensure_ascii=False)
    if value is None:
        return "none"
    return json.dumps(value, ensure_ascii=False)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return "optional"
    _, meta = _unwrap(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)
    if isinstance(value, int) and _unit(meta) == UNITS[_validator(Clock)]:
        return f'`"{format_clock(value, seconds="nonzero")}"`'
    text = _value(value)
    return f"`{text}`".replace("|", "\\|") if text else "its fields' defaults"


def scenario_reference() -> str:
    """The scenario-file reference, as Markdown."""
    sections = Walker().walk()
    names = [s.model.__name__ for s in sections]
    assert len(set(names)) == len(names), "two schema models share a name: their anchors would clash"
    out = [
        "# Scenario file reference",
        "",
        f"<!-- generated by `{COMMAND}` from otrip_sim/schema/; do not edit by hand -->",
        "",
        "Every key a scenario file may have, section by section, generated from the schema "
        "(`otrip_sim/schema/`). A section lists the paths where it appears (`[]`: each item of a "
        "list, `<operator>`: each key of a mapping); a model used at several paths is described once. "
        "Unknown keys are errors. How the sections work together: [scenario.md](../scenario.md), "
        "[fares.md](../fares.md), [money.md](../money.md), [model.md](../model.md). "
        "`otrip-sim schema` prints the same schema as JSON Schema.",
        "",
        "Units are written as people write them and converted when the file is read: clock times "
        '(`"05:30"`, hours may pass 24) and durations (`"90s"`, `"5min"`, `"3h"`, `"01:30:00"`, or '
        "integer seconds; units `s`, `sec`, `m` or `min`, `h`; fractions must come to whole seconds) "
        'become seconds, distances (`"500m"`, `"15.7km"`, or integer metres) metres; '
        "money is an integer count of the currency's minor unit (`3500` for Rp 3,500, `250` for "
        "USD 2.50). An `id` is 1 to 100 letters, digits, `_`, `.` or `-`; a `file path` is relative to "
        "the file that names it (a section given as a file path holds what the section would hold "
        "inline: CSV rows for a list of rows, YAML otherwise).",
        "",
    ]
    for s in sections:
        where = f"`{s.paths[0]}`" if s.paths[0] else "Top level"
        heading = f"{where} — {s.model.__name__}" + (f" (`kind: {s.kind}`)" if s.kind else "")
        out += [f'<a id="{s.anchor}"></a>', "", f"## {heading}", ""]
        if len(s.paths) > 1:
            out += ["Also at: " + ", ".join(f"`{p}`" for p in s.paths[1:]) + ".", ""]
        out += _docstring(s.model)
        out += ["| field | type | required / default | description |", "|---|---|---|---|"]
        out += [f"| {' | '.join(row)} |" for row in s.rows]
        out.append("")
    return "\n".join(out)


def _docstring(model: type[BaseModel]) -> list[str]:
    """A model's docstring as Markdown paragraphs (``* `` items kept as a list), each followed by a
    blank line."""
    out: list[str] = []
    for paragraph in inspect.cleandoc(model.__doc__ or "").split("\n\n"):
        items = re.split(r"\n(?=\* )", paragraph.strip())
        out += [_text(item).replace("\\|", "|") for item in items if item] + [""]
    return out if any(out) else []


# ------------------------------------------------------------------------------ the commands
def _help(command: click.Command, ctx: click.Context) -> list[str]:
    """A command's help and, for a group, each subcommand's after it."""
    out = [f"## `{ctx.command_path}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            out += _help(sub, click.Context(sub, info_name=name, parent=ctx, terminal_width=WIDTH,
                                            max_content_width=WIDTH))
    return out


def cli_reference() -> str:
    """The command-line reference, as Markdown: every command's ``--help``."""
    ctx = click.Context(cli_main, info_name="otrip-sim", terminal_width=WIDTH, max_content_width=WIDTH,
                        **cli_main.context_settings)
    out = [
        "# Command-line reference",
        "",
        f"<!-- generated by `{COMMAND}` from the commands' help; do not edit by hand -->",
        "",
        "Every `otrip-sim` command with its `--help` (usage, what it does, its options). How they are "
        "used: [scenario.md](../scenario.md) (`validate`, `schema`), [outputs.md](../outputs.md) "
        "(`run`), [replay.md](../replay.md) (`fares`, `explain`), [compare.md](../compare.md) "
        "(`compare`, `sweep`, replications), [calibration.md](../calibration.md) (`calibrate`), "
        "[gtfs-import.md](../gtfs-import.md) and [gtfs-fares.md](../gtfs-fares.md) "
        "(`network-import`, `fares-import`, `fares-export`).",
        "",
    ]
    return "\n".join(out + _help(cli_main, ctx))


REFERENCES = {SCENARIO_FILE: scenario_reference, CLI_FILE: cli_reference}
"""Each generated file and the function that writes its text."""


def main() -> None:
    """Rewrite both references."""
    for path, make in REFERENCES.items():
        path.write_text(make(), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
