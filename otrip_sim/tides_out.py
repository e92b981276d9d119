"""The tap log as TIDES wants it on disk: typed columns and the ``datapackage.json`` that TIDES
requires at the root of a results folder.

In Parquet ``service_date`` is a date and ``event_timestamp`` a timestamp in the scenario's time
zone (``meta.timezone``; TIDES itself says nothing of zones); in CSV the stamp is ISO 8601 with
its UTC offset (``2018-01-01T05:00:00+07:00``).  The data package names the TIDES profile and
the ``fare_transactions`` table schema by URL at :data:`TIDES_VERSION`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .version import __version__

TIDES_VERSION = "v1.0"
"""The TIDES release the tap log follows (its ``fare_transactions`` schema is unchanged since)."""
TIDES_BASE = f"https://raw.githubusercontent.com/TIDES-transit/TIDES/{TIDES_VERSION}/spec"
PROFILE_URL = f"{TIDES_BASE}/tides-datapackage-profile.json"
SCHEMA_URL = f"{TIDES_BASE}/fare_transactions.schema.json"


def _stamps(taps: pd.DataFrame, service_date: date, timezone: str) -> pd.DatetimeIndex:
    """Each row's ``time_s`` (seconds of the service day) as a time in ``timezone``."""
    day0 = np.datetime64(service_date.isoformat(), "s")
    local = pd.DatetimeIndex(day0 + taps["time_s"].to_numpy().astype("timedelta64[s]"))
    # a stamp in a skipped hour (a DST spring-forward) moves on; one in a repeated hour is the first
    return local.tz_localize(timezone, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward")


def typed_table(taps: pd.DataFrame, service_date: date, timezone: str) -> pa.Table:
    """The tap log as an Arrow table: ``service_date`` a ``date32``, ``event_timestamp`` a
    ``timestamp[s, tz=timezone]``; the other columns as :meth:`pyarrow.Table.from_pandas` makes them.

    Parameters
    ----------
    taps : pandas.DataFrame
        ``RunResult.taps`` (``time_s`` integer seconds of the service day).
    service_date : datetime.date
        The modelled day (``meta.service_date``).
    timezone : str
        IANA zone (``meta.timezone``).

    Returns
    -------
    pyarrow.Table
        For Parquet.
    """
    table = pa.Table.from_pandas(taps, preserve_index=False)
    n = len(taps)
    days = pa.array(np.full(n, np.datetime64(service_date.isoformat(), "D"))).cast(pa.date32())
    stamps = pa.array(_stamps(taps, service_date, timezone), type=pa.timestamp("s", tz=timezone))
    table = table.set_column(table.schema.get_field_index("service_date"), "service_date", days)
    return table.set_column(table.schema.get_field_index("event_timestamp"), "event_timestamp", stamps)


def csv_frame(taps: pd.DataFrame, service_date: date, timezone: str) -> pd.DataFrame:
    """The tap log for CSV: ``event_timestamp`` ISO 8601 with the UTC offset of ``timezone``."""
    stamps = _stamps(taps, service_date, timezone)
    text = stamps.strftime("%Y-%m-%dT%H:%M:%S%z")
    text = text.str[:-2] + ":" + text.str[-2:]  # +0700 -> +07:00, as ISO 8601 writes offsets
    return taps.assign(event_timestamp=text)


def datapackage(name: str, title: str, files: list[str], timezone: str, scenario_file: str) -> dict[str, Any]:
    """The ``datapackage.json`` of a results folder: the TIDES profile, one resource per tap-log
    file (relative path, the ``fare_transactions`` schema by URL), and the sources.

    Parameters
    ----------
    name, title : str
        The scenario's ``meta.name`` and ``meta.title``.
    files : list of str
        The tap-log files written, relative to the folder (``fare_transactions.parquet``, ``.csv``).
    timezone : str
        ``meta.timezone``, stated in the description (TIDES has no time-zone field).
    scenario_file : str
        The scenario, named in ``sources``.

    Returns
    -------
    dict
        The descriptor, ready for JSON.
    """
    resources = []
    for f in files:
        fmt = f.rsplit(".", 1)[-1]
        resources.append({
            "name": "fare_transactions" if fmt == "parquet" else f"fare_transactions-{fmt}",
            "path": f, "profile": "tabular-data-resource", "tides-table": "fare_transactions",
            "schema": SCHEMA_URL, "format": fmt,
            **({"encoding": "utf-8"} if fmt == "csv" else {}),
            "title": f"Simulated card transactions of {name}",
            "description": f"event_timestamp is local time in {timezone} with its UTC offset; otrip-sim adds "
                           "columns after the TIDES ones (see docs/outputs.md)",
        })
    slug = "".join(c if c.isalnum() or c in "-._" else "-" for c in name.lower())
    return {
        "profile": PROFILE_URL,
        "name": slug,
        "title": title or f"otrip-sim run of {name}",
        "description": f"Simulated TIDES fare_transactions (TIDES {TIDES_VERSION}) written by otrip-sim "
                       f"{__version__}; times in {timezone}.",
        "resources": resources,
        "sources": [{"title": f"otrip-sim {__version__} simulation of {scenario_file}"}],
    }
