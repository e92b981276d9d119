"""Building blocks of the scenario schema: the strict base model and the unit-converting field
types (clock times and durations to integer seconds, distances to integer metres, money as an
integer count of minor units)."""

from __future__ import annotations

import difflib
from itertools import pairwise
from types import UnionType
from typing import Annotated, Any, Final, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..units import parse_clock, parse_distance, parse_duration

SCHEMA_VERSION: Final = 1
M = TypeVar("M", bound=BaseModel)


MAX_MONEY: Final = 1_000_000_000
"""Largest amount (minor units) a scenario may state: Rp 1 billion, or 10 million in a 2-decimal
currency.  A day of 10 million legs at this fare still sums within 64-bit integers."""

MAX_CLOCK: Final = 7 * 24 * 3600
"""Latest clock time, seconds after the service day's midnight (168:00:00)."""

MAX_DURATION: Final = 366 * 24 * 3600
"""Longest duration: a year (a window, a headway, a run time, a period)."""

MAX_DISTANCE: Final = 40_075_000
"""Longest distance in metres: once round the Earth."""

MAX_COUNT: Final = 1e10
"""Largest count or weight (journeys, population, jobs, profile weights, clearing shares)."""

MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2200


def _money(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("money is an integer count of the currency's minor unit (e.g. 3500 for Rp 3,500)")
    if value < 0:
        raise ValueError("must be >= 0")
    if value > MAX_MONEY:
        raise ValueError(f"must be <= {MAX_MONEY:,} (the largest amount otrip-sim accepts, in minor units)")
    return value


def _at_most(limit: int, what: str) -> Any:
    def check(value: int) -> int:
        if value > limit:
            raise ValueError(f"must be <= {limit:,} {what}")
        return value

    return check


_clock_schema = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_CLOCK},
                           {"type": "string", "pattern": r"^\d{1,3}:[0-5]\d(:[0-5]\d)?$"}]}
_duration_schema = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_DURATION},
                              {"type": "string", "examples": ["90s", "5min", "3h", "01:30:00"]}]}
_distance_schema = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_DISTANCE},
                              {"type": "string", "examples": ["500m", "15.7km"]}]}

Clock = Annotated[int, BeforeValidator(parse_clock), AfterValidator(_at_most(MAX_CLOCK, "s (168:00:00)")),
                  WithJsonSchema(_clock_schema)]
Duration = Annotated[int, BeforeValidator(parse_duration),
                     AfterValidator(_at_most(MAX_DURATION, "s (366 days)")), WithJsonSchema(_duration_schema)]
Distance = Annotated[int, BeforeValidator(parse_distance),
                     AfterValidator(_at_most(MAX_DISTANCE, "m (once round the Earth)")),
                     WithJsonSchema(_distance_schema)]
Money = Annotated[int, BeforeValidator(_money),
                  WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_MONEY})]


def scaled_money(model: M, factor: float) -> M:
    """``model`` with every :data:`Money` amount in it (nested models and lists included)
    multiplied by ``factor`` and rounded to whole minor units: e.g. every fare of a ``fares``
    section raised by 25%."""

    def scaled(value: Any, money: bool) -> Any:
        if isinstance(value, BaseModel):
            return scaled_money(value, factor)
        if isinstance(value, list):
            return [scaled(v, money) for v in value]
        if isinstance(value, dict):
            return {k: scaled(v, money) for k, v in value.items()}
        if money and isinstance(value, int) and not isinstance(value, bool):
            return min(round(value * factor), MAX_MONEY)
        return value

    update = {name: scaled(getattr(model, name), _is_money(info))
              for name, info in type(model).model_fields.items()}
    return model.model_copy(update=update)


def _is_money(info: Any) -> bool:
    """Whether a field holds money: :data:`Money`, optional or in a list."""
    if any(isinstance(m, BeforeValidator) and m.func is _money for m in info.metadata):
        return True
    pending = [info.annotation]
    while pending:
        tp = pending.pop()
        if tp == Money:
            return True
        pending += list(get_args(tp))
    return False


Count = Annotated[float, Field(ge=0, le=MAX_COUNT)]
"""A finite count or weight >= 0 (journeys per day, population, a profile weight)."""
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]
FileRef = Annotated[str, Field(description="a file path, relative to the file that names it")]


def _no_overlap(bands: list[Any], what: str) -> None:
    """Bands with ``start``/``end`` (and maybe ``name``) must not overlap."""
    ordered = sorted(bands, key=lambda b: b.start)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            names = f" {a.name!r} and {b.name!r}" if hasattr(a, "name") else ""
            raise ValueError(f"{what}{names} overlap at {b.start} s")


class Strict(BaseModel):
    """The base of every scenario model: unknown keys are errors, floats are finite and instances
    are frozen."""

    # allow_inf_nan=False: every float of a scenario is finite (`.inf`, `.nan`, 1e400 are errors)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)




def _branches(tp: Any) -> list[Any]:
    """The alternatives of a type: the members of a union (``None`` left out), metadata dropped."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, UnionType):
        return [b for arg in get_args(tp) if arg is not type(None) for b in _branches(arg)]
    return [tp]


def _models(tp: Any) -> list[type[BaseModel]]:
    return [b for b in _branches(tp) if isinstance(b, type) and issubclass(b, BaseModel)]


def _step(tp: Any, part: str | int) -> Any:
    """The type one step of a pydantic error location into ``tp`` (a union branch name or a
    discriminated union's tag consumes nothing or picks the tagged model)."""
    branches = _branches(tp)
    if isinstance(part, int):
        return next((get_args(b)[0] for b in branches if get_origin(b) is list), None)
    models = _models(tp)
    for m in models if len(models) > 1 else []:
        kind = m.model_fields.get("kind")
        if kind is not None and part in get_args(kind.annotation):
            return m  # the tag of a discriminated union
    for m in models:
        if part in m.model_fields:
            return m.model_fields[part].annotation
        for name, f in m.model_fields.items():
            if f.validation_alias == part:
                return m.model_fields[name].annotation
    for b in branches:
        if get_origin(b) is dict:
            return get_args(b)[1]
    return tp  # a union branch name (``list[Route]``, ``str``)


def known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a mapping at pydantic error location ``loc`` (the mapping's own location) may have.

    Parameters
    ----------
    model : type of BaseModel
        The model validated (``Scenario``, a CSV row model).
    loc : tuple
        The location of the mapping, as pydantic reports it (branch names and tags included).

    Returns
    -------
    list of str
        Its field names (with their string aliases); empty when the location is not a model.
    """
    tp: Any = model
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    keys: list[str] = []
    for m in _models(tp):
        for name, f in m.model_fields.items():
            keys.append(f.validation_alias if isinstance(f.validation_alias, str) else name)
    return list(dict.fromkeys(keys))


def closest(word: str, choices: list[str]) -> str | None:
    """The choice closest to a mistyped ``word`` (``durration`` → ``duration``), if any is close."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None
