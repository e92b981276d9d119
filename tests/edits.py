"""Edits of a scenario document (a plain dict) for tests that write variants of a scenario."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def set_at(path: Sequence[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit setting the value at ``path`` (keys and list indices) to ``value``."""
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value

    return edit
