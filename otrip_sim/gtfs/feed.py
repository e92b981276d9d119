"""The one GTFS feed reader: tables of a zip file or a folder, as stripped text with line numbers.

Both the network import and the Fares v2 import read feeds through :class:`Feed`, so a feed is read
by the same rules whatever it is imported for:

* a feed is a ``.zip`` file or a folder of ``.txt`` files; inside a zip a table may sit in a
  folder (``feed/stops.txt``): the shallowest copy of each file name is used, and macOS
  ``__MACOSX/`` metadata is ignored;
* text is UTF-8, with or without a byte-order mark; text that is not UTF-8 is refused with the line,
  column and value of the first bad byte (:func:`~otrip_sim.textio.decode_utf8`);
* column names and cells are stripped of surrounding whitespace (a quoted cell may follow the
  space after a comma), and rows whose cells are all empty are dropped;
* ``_line`` keeps each row's line number in the file (header = line 1), blank lines included, so
  errors name the line an editor shows;
* a zero-byte file is refused (a table needs at least its header row); a table lacking one of
  :data:`REQUIRED_COLUMNS` is refused naming the column.

Every error is one :class:`~otrip_sim.errors.InputError` naming the file (with the member's path
inside a zip), the line and, where known, the column.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np
import pandas as pd

from ..errors import InputError
from ..textio import DEFAULT_ZIP_LIMITS, ZipLimits, check_zip, decode_utf8

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
    "calendar.txt": ("service_id",),
    "fare_products.txt": ("fare_product_id", "amount"),
    "fare_leg_rules.txt": ("fare_product_id",),
    "timeframes.txt": ("timeframe_group_id",),
    "stop_areas.txt": ("area_id", "stop_id"),
    "rider_categories.txt": ("rider_category_id",),
}
"""Columns a table must have, by file name, checked on every read.

Only the columns the importers cannot do without; the readers of single tables check the
others (``calendar.txt``'s weekdays, ``transfers.txt``'s stop ids, …) where they need them.
"""


class Feed:
    """A GTFS feed in a zip file or a folder.

    Parameters
    ----------
    path:
        The ``.zip`` file or the folder of ``.txt`` files.
    prefix:
        The feed's id prefix in a multi-feed network import (``""`` for one feed); ``label`` is the
        prefix, else the file or folder name, and names the feed in notes.

    Raises
    ------
    InputError
        ``path`` does not exist, or is a file that is not a zip archive.
    """

    def __init__(self, path: Path, prefix: str = "", limits: ZipLimits = DEFAULT_ZIP_LIMITS) -> None:
        self.path = path
        self.prefix = prefix
        self.label = prefix or path.name
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}  # file name -> path in the folder or zip
        if path.is_dir():
            self._members = {p.name: p.name for p in sorted(path.iterdir()) if p.is_file()}
        elif path.is_file() and zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise InputError(path, "", f"cannot read the zip file: {exc}") from None
            try:
                check_zip(self._zip, path, limits)
            except InputError:
                self._zip.close()
                raise
            depth: dict[str, int] = {}
            for name in self._zip.namelist():
                if name.endswith("/") or name.startswith("__MACOSX/"):
                    continue
                base = PurePosixPath(name).name
                if base not in depth or name.count("/") < depth[base]:
                    depth[base] = name.count("/")
                    self._members[base] = name
        elif path.exists():
            raise InputError(path, "", "not a GTFS feed: expected a .zip file or a folder of GTFS .txt files")
        else:
            raise InputError(path, "", "feed not found: no such folder or zip file")

    def close(self) -> None:
        """Close the zip file (nothing to do for a folder)."""
        if self._zip is not None:
            self._zip.close()

    def display(self, name: str) -> str:
        """The path errors name for table ``name``: the feed's path and the member's path in it.

        Parameters
        ----------
        name : str
            The table's file name (``"stops.txt"``).

        Returns
        -------
        str
            ``<feed path>/<member path>``.
        """
        return f"{self.path}/{self._members.get(name, name)}"

    def tables(self) -> list[str]:
        """The names of the feed's ``.txt`` files (``"stops.txt"``, …), sorted."""
        return sorted(n for n in self._members if n.endswith(".txt"))

    def has(self, name: str) -> bool:
        """Whether the feed has a file ``name`` (``"stops.txt"``), empty or not."""
        return name in self._members

    def sha256(self) -> str:
        """Hex SHA-256 of the zip file, or of the folder's file names and contents in name order."""
        h = hashlib.sha256()
        if self._zip is not None:
            h.update(self.path.read_bytes())
        else:
            for name in sorted(self._members):
                h.update(name.encode() + b"\0" + (self.path / name).read_bytes())
        return h.hexdigest()

    def read(
        self, name: str, columns: Iterable[str] | None = None, required: bool = True
    ) -> pd.DataFrame | None:
        """Read table ``name`` as text.

        Parameters
        ----------
        name:
            File name of the table (``"stop_times.txt"``).
        columns:
            Read only these columns (the others are skipped while parsing, which matters for a
            city's ``stop_times.txt``); default: all.
        required:
            Whether a missing file is an error; otherwise ``None`` is returned for it.

        Returns
        -------
        pandas.DataFrame or None
            One ``str`` column per column of the file, stripped, with empty cells as ``""``, plus
            ``_line`` (int, line in the file; the header is line 1).  Rows whose cells are all
            empty are dropped; the index is 0, 1, ….
        """
        display = self.display(name)
        if not self.has(name):
            if required:
                raise InputError(display, "", "required file missing from the feed")
            return None
        wanted = set(columns) if columns is not None else None
        usecols = (lambda c: c.strip() in wanted) if wanted is not None else None
        try:
            if self._zip is not None:
                with self._zip.open(self._members[name]) as handle:
                    df = _read_table(handle, usecols)
            else:
                df = _read_table(self.path / name, usecols)
        except pd.errors.EmptyDataError:
            raise InputError(display, "line 1", "empty file: expected a header row") from None
        except pd.errors.ParserError as exc:
            raise InputError(display, "", f"cannot parse CSV: {str(exc).strip()}") from None
        except UnicodeDecodeError:
            decode_utf8(self._bytes(name), display)  # the line, column and byte
            # pragma: no cover - pandas and Python disagree on what UTF-8 is
            raise InputError(display, "", "not UTF-8 text (GTFS files are UTF-8)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            # a damaged member (bad CRC, corrupt deflate data), an encrypted one, an unsupported method
            raise InputError(display, "", f"cannot read this file of the feed: {exc}") from None
        df.columns = [c.strip() for c in df.columns]
        df["_line"] = np.arange(2, len(df) + 2)
        data = [c for c in df.columns if c != "_line"]
        for c in data:
            df[c] = df[c].str.strip()
        if len(df) and data:
            df = df[(df[data] != "").any(axis=1)]
        self.require(name, df, REQUIRED_COLUMNS.get(name, ()))
        return df.reset_index(drop=True)

    def read_rows(self, name: str, needs: Iterable[str] = ()) -> pd.DataFrame | None:
        """Read the optional table ``name``: ``None`` when the feed lacks it or it has no data rows.

        A table with rows must have the columns ``needs`` (a header-only file may have any), else
        :class:`InputError` names the first one missing.

        Parameters
        ----------
        name : str
            The table's file name (``"frequencies.txt"``).
        needs : iterable of str
            Columns a table with rows must have.

        Returns
        -------
        pandas.DataFrame or None
            The table as text cells with ``_line`` (its line numbers), or ``None``.

        Raises
        ------
        InputError
            For a missing column.
        """
        df = self.read(name, required=False)
        if df is None or not len(df):
            return None
        self.require(name, df, needs)
        return df

    def require(self, name: str, df: pd.DataFrame, columns: Iterable[str]) -> None:
        """Raise for the first of ``columns`` that the table ``name`` (read as ``df``) lacks.

        Parameters
        ----------
        name : str
            The table's file name, for the message.
        df : pandas.DataFrame
            The table.
        columns : iterable of str
            The columns it must have.

        Raises
        ------
        InputError
            Naming the first missing column, at line 1.
        """
        for col in columns:
            if col not in df.columns:
                raise InputError(self.display(name), "line 1", f"missing column {col!r}")

    def _bytes(self, name: str) -> bytes:
        """The bytes of table ``name``."""
        if self._zip is not None:
            return self._zip.read(self._members[name])
        return (self.path / name).read_bytes()


def _read_table(source: Path | IO[bytes], usecols: Callable[[str], bool] | None) -> pd.DataFrame:
    # dtype=str and no NA parsing: ids such as "0012" or "NA" must stay as written;
    # skip_blank_lines=False keeps the line numbers right (blank rows are dropped afterwards)
    return pd.read_csv(
        source,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        skipinitialspace=True,
        encoding="utf-8-sig",
        usecols=usecols,
    )
