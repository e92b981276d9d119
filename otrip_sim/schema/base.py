"""Building blocks of the scenario schema: the strict base model and the unit-converting field
types (clock times and durations to integer seconds, distances to integer metres, money as an
integer count of minor units)."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..units import parse_clock, parse_distance, parse_duration

SCHEMA_VERSION: Final = 1


def _money(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("money is an integer count of the currency's minor unit (e.g. 3500 for Rp 3,500)")
    if value < 0:
        raise ValueError("must be >= 0")
    return value


_clock_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                           {"type": "string", "pattern": r"^\d{1,3}:[0-5]\d(:[0-5]\d)?$"}]}
_duration_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "examples": ["90s", "5min", "3h", "01:30:00"]}]}
_distance_schema = {"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "examples": ["500m", "15.7km"]}]}

Clock = Annotated[int, BeforeValidator(parse_clock), WithJsonSchema(_clock_schema)]
Duration = Annotated[int, BeforeValidator(parse_duration), WithJsonSchema(_duration_schema)]
Distance = Annotated[int, BeforeValidator(parse_distance), WithJsonSchema(_distance_schema)]
Money = Annotated[int, BeforeValidator(_money), WithJsonSchema({"type": "integer", "minimum": 0})]
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
    """The base of every scenario model: unknown keys are errors and instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


