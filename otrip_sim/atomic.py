"""Write outputs completely or not at all, and never over an existing result silently."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError


def check_out_dir(out: Path, force: bool) -> None:
    """Refuse an ``out`` that is a file, or a non-empty folder without ``force``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"{out}: folder exists and is not empty; choose another --out or pass --force "
                          "to replace it")


@contextmanager
def atomic_folder(out: Path, force: bool) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``out`` to write into; when the block ends without an
    error it becomes ``out`` (an existing folder is replaced only with ``force``, and only then),
    otherwise it is removed and ``out`` is left as it was."""
    check_out_dir(out, force)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if out.exists():
            check_out_dir(out, force)  # re-check: something may have appeared meanwhile
            backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            backup.rmdir()
            out.rename(backup)
            tmp.rename(out)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(path: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` to write; it replaces ``path`` when the block ends
    without an error.  An existing ``path`` is refused without ``force``."""
    if path.exists() and not force:
        raise OutputError(f"{path}: exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
