"""What a network import found and wrote: :class:`ImportReport`, and the notes gathered on the way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class FeedInfo:
    """One imported feed.

    Attributes
    ----------
    path, prefix:
        The feed's zip file or folder, and its id prefix (``""`` for a single feed).
    date, date_rule:
        The imported service day (``YYYYMMDD``) and why it was chosen.
    trips:
        Trips running that day.
    sha256:
        Hex digest of the feed (see :meth:`Feed.sha256 <otrip_sim.gtfs.feed.Feed.sha256>`).
    """

    path: str
    prefix: str
    date: str
    date_rule: str
    trips: int
    sha256: str


@dataclass(frozen=True)
class ImportReport:
    """What :func:`~otrip_sim.gtfs.import_network` wrote.

    ``warnings`` are problems found in the feeds (data skipped or repaired); ``fallbacks`` name
    every place where a documented default replaced missing data.  ``service_start`` and
    ``service_end`` (seconds since the service day's start) bound the imported timetable: a
    scenario's ``meta`` must cover them.  ``operators`` are the rows of ``operators.yaml``
    (``id``, ``name``, ``mode``).

    Attributes
    ----------
    out : Path
        The network folder written.
    feeds : tuple of FeedInfo
        Each feed read, with its service day.
    stops, routes, walk_links : int
        How many of each were written.
    operators : tuple of dict
        The rows of ``operators.yaml``.
    route_ids : tuple of str
        The routes written.
    service_start, service_end : int
        Integer seconds of the service day bounding the timetable.
    warnings, fallbacks, notes : tuple of str
        The report's lines (see :class:`Notes`).
    """

    out: Path
    feeds: tuple[FeedInfo, ...]
    stops: int
    routes: int
    walk_links: int
    operators: tuple[dict[str, str], ...]
    route_ids: tuple[str, ...]
    service_start: int
    service_end: int
    warnings: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Note(Protocol):
    """Records a note about one feed: ``note(kind, message, subject)``.

    ``kind`` is ``"warning"``, ``"fallback"`` or ``"note"``; notes with the same message are listed
    once, with their subjects (a route, a line, …).
    """

    def __call__(self, kind: str, message: str, subject: str | None = None) -> None:
        """Record one note.

        Parameters
        ----------
        kind : str
            ``"warning"``, ``"fallback"`` or ``"note"``.
        message : str
            The text of the note; notes with the same text are listed once.
        subject : str or None
            What the note is about (a route id, a line, …); ``None``: the whole feed.
        """
        ...


class Notes:
    """Warnings, fallbacks and notes, grouped by message so a city feed does not list 2,000 lines."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], list[str]] = {}

    def add(self, kind: str, feed: str, message: str, subject: str | None = None) -> None:
        """Record ``message`` of ``kind`` about ``feed`` (its label; ``""``: the whole import).

        Parameters
        ----------
        kind : str
            ``"warning"``, ``"fallback"`` or ``"note"``.
        feed : str
            The feed's label; ``""``: the whole import.
        message : str
            The text; the same text again adds only its subject.
        subject : str or None
            What it is about (a route id, a line, …).
        """
        subjects = self._items.setdefault((kind, feed, message), [])
        if subject is not None:
            subjects.append(subject)

    def lines(self, kind: str) -> list[str]:
        """One line per message of ``kind``, with its first 12 subjects and how many there are.

        Parameters
        ----------
        kind : str
            ``"warning"``, ``"fallback"`` or ``"note"``.

        Returns
        -------
        list of str
            ``"<feed>: <message> [<n>: <subjects>]"`` (no count for one subject, no brackets for
            none), in the order the messages were first added.
        """
        out = []
        for (k, feed, message), subjects in self._items.items():
            if k != kind:
                continue
            text = f"{feed}: {message}" if feed else message
            if subjects:
                shown = ", ".join(subjects[:12]) + (
                    f" … and {len(subjects) - 12} more" if len(subjects) > 12 else ""
                )
                text += f" [{len(subjects)}: {shown}]" if len(subjects) > 1 else f" [{shown}]"
            out.append(text)
        return out
