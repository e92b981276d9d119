"""Write outputs completely or not at all, and never over an existing result silently.

An output folder written through :func:`atomic_folder` carries ``manifest.json``, listing every
file otrip-sim wrote into it (``outputs_sha256``).  ``--force`` replaces only such a folder, and only
while it holds nothing else: a folder without that manifest, with a file the manifest does not list,
or holding one of the command's own inputs (the scenario's folder, a feed) is refused, so ``--force``
can never delete a scenario, its network or its demand.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .errors import OutputError
from .textio import file_sha256
from .version import __version__

MANIFEST = "manifest.json"
"""The file that marks a folder as an otrip-sim output folder."""

FILE_MODE = 0o644
FOLDER_MODE = 0o755


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return path.absolute()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _not_replaceable(out: Path, inputs: Iterable[Path]) -> str | None:
    """Why ``--force`` must not replace the non-empty folder ``out`` (``None`` when it may)."""
    folder = _resolved(out)
    for item in inputs:
        if _inside(_resolved(Path(item)), folder):
            return f"holds an input of this command ({item})"
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"is not an otrip-sim output folder (no readable {MANIFEST})"
    listed = manifest.get("outputs_sha256") if isinstance(manifest, dict) else None
    if not isinstance(listed, dict) or "otrip_sim_version" not in manifest:
        return f"is not an otrip-sim output folder ({MANIFEST} was not written by otrip-sim)"
    for p in sorted(out.rglob("*")):
        name = p.relative_to(out).as_posix()
        if (p.is_file() or p.is_symlink()) and name != MANIFEST and name not in listed:
            return f"holds a file otrip-sim did not write there ({name!r})"
    return None


def check_out_dir(out: Path, force: bool, inputs: Iterable[Path] = ()) -> None:
    """Refuse an ``out`` that is a file, or a non-empty folder unless ``force`` and it is an
    otrip-sim output folder holding only what otrip-sim wrote and none of ``inputs``.

    Parameters
    ----------
    out : Path
        The output folder.
    force : bool
        Whether a non-empty ``out`` may be replaced.
    inputs : iterable of Path
        The command's input files and folders: ``out`` may neither contain nor lie inside one.

    Raises
    ------
    OutputError
        Saying why ``out`` cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    inputs = list(inputs)
    if not out.is_dir():
        folder = _resolved(out)
        for item in inputs:
            if _inside(_resolved(Path(item)), folder):
                raise OutputError(f"{out}: would hold an input of this command ({item}); "
                                  "choose another --out")
        return
    if not any(out.iterdir()):
        return
    if not force:
        raise OutputError(f"{out}: folder exists and is not empty; choose another --out or pass --force "
                          "to replace it")
    why = _not_replaceable(out, inputs)
    if why is not None:
        raise OutputError(f"{out}: {why}; --force replaces only a folder otrip-sim wrote (with its "
                          f"{MANIFEST}); choose another --out")


def _write_manifest(folder: Path) -> None:
    """A minimal manifest for a writer that does not write its own."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    manifest = {
        "otrip_sim_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "outputs_sha256": {f: file_sha256(folder / f) for f in files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _normal_modes(folder: Path) -> None:
    """``mkdtemp``/``mkstemp`` create private (0700/0600) entries; outputs get the usual modes."""
    os.chmod(folder, FOLDER_MODE)
    for p in folder.rglob("*"):
        if not p.is_symlink():
            os.chmod(p, FOLDER_MODE if p.is_dir() else FILE_MODE)


@contextmanager
def atomic_folder(out: Path, force: bool, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``out`` to write into; when the block ends without an
    error it becomes ``out`` (an existing folder is replaced only with ``force``, and only as
    :func:`check_out_dir` allows), otherwise it is removed and ``out`` is left as it was.  The
    folder gets a ``manifest.json`` listing its files unless the block wrote one.

    Parameters
    ----------
    out : Path
        The folder to create.
    force : bool
        Whether an existing otrip-sim output folder may be replaced.
    inputs : iterable of Path
        The command's inputs, which ``out`` must not hold.
    """
    inputs = list(inputs)
    check_out_dir(out, force, inputs)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the folder: {exc.strerror or exc}") from None
    try:
        yield tmp
        if not (tmp / MANIFEST).exists():
            _write_manifest(tmp)
        _normal_modes(tmp)
        if out.exists():
            check_out_dir(out, force, inputs)  # re-check: something may have appeared meanwhile
            backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            backup.rmdir()
            out.rename(backup)
            tmp.rename(out)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{out}: cannot write the results: {exc.strerror or exc}") from None
        raise


@contextmanager
def atomic_file(path: Path, force: bool, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` to write; it replaces ``path`` when the block ends
    without an error.  An existing ``path`` is refused without ``force``, and always when it is one
    of ``inputs``.

    Parameters
    ----------
    path : Path
        The file to write.
    force : bool
        Whether an existing file may be overwritten.
    inputs : iterable of Path
        The command's input files, which ``path`` must not be.
    """
    for item in inputs:
        if _resolved(Path(item)) == _resolved(path):
            raise OutputError(f"{path}: is an input of this command; choose another output file")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file to write")
    if path.exists() and not force:
        raise OutputError(f"{path}: exists; pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the file: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
        raise
