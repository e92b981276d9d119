"""GTFS in and out: build a scenario network from GTFS feeds, and GTFS Fares v2 import and export.

* :func:`import_network` (``otrip-sim network-import``): stops, routes, walking links and
  operators from one or more feeds; method in ``docs/gtfs-import.md``.
* :func:`import_fares` (``otrip-sim fares-import``): a scenario ``fares`` section from a Fares v2
  feed; :func:`export_fares` (``otrip-sim fares-export``): a scenario's fares as Fares v2 tables;
  method in ``docs/gtfs-fares.md``.

Every feed is read by :class:`~otrip_sim.gtfs.feed.Feed`, the one reader (zip or folder, UTF-8 with
or without a byte-order mark, stripped cells, located errors).
"""

from __future__ import annotations

from .fares_export import export_fares
from .fares_import import FaresImport, import_fares
from .feed import Feed
from .geometry import MAX_SHAPE_OFFSET_M, SDT_UNITS
from .network_import import import_network
from .options import DEFAULT_CAPACITY
from .report import FeedInfo, ImportReport
from .timetable import FALLBACK_SPAN
from .walks import TRANSFER_WALK_SPEED

# the assumptions stay importable from otrip_sim.gtfs, where they were before the split
__all__ = [
    "DEFAULT_CAPACITY",
    "FALLBACK_SPAN",
    "MAX_SHAPE_OFFSET_M",
    "SDT_UNITS",
    "TRANSFER_WALK_SPEED",
    "FaresImport",
    "Feed",
    "FeedInfo",
    "ImportReport",
    "export_fares",
    "import_fares",
    "import_network",
]
