"""Building blocks of the scenario schema: the strict base model and the unit-converting field
types (clock times and durations to integer seconds, distances to integer metres, money as an
integer count of minor units)."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..units import parse_clock, parse_distance, parse_duration

SCHEMA_VERSION: Final = 1


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


