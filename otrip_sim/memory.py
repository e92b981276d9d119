"""How much memory this machine has, and refusing work that would not fit before it starts.

A run or a replay that outgrows memory does not fail cleanly: the machine swaps, then the kernel
kills the process (or a notebook server's kernel) with nothing said.  So the commands estimate what
they will need first and refuse, with the estimate, what cannot fit (``--no-memory-check`` to try
anyway).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError


def machine_memory() -> int | None:
    """Bytes of memory this process may use: the machine's physical memory, or the container's
    (cgroup) limit when lower; ``None`` when the platform does not say."""
    total: int | None = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
        total = None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = int(text) if total is None else min(total, int(text))
    return total


def gigabytes(n: int) -> str:
    """``n`` bytes as ``"8.4 GB"``."""
    return f"{n / 1e9:.1f} GB"


def check_fits(needed: int, what: str, option: str, advice: str, available: int | None = None) -> None:
    """Refuse work estimated to need more than the machine's memory.

    Parameters
    ----------
    needed : int
        Estimated peak bytes.
    what : str
        The work, for the message (``"the run"``).
    option : str
        The option the message is about (``"--demand-scale"``).
    advice : str
        How to make it fit (``"lower --demand-scale"``).
    available : int, optional
        Bytes available (default: :func:`machine_memory`).

    Raises
    ------
    InputError
        When ``needed`` exceeds the memory available.
    """
    available = machine_memory() if available is None else available
    if available is not None and needed > available:
        raise InputError(option, "", f"{what} would need about {gigabytes(needed)} of memory, more than the "
                         f"{gigabytes(available)} this machine has; {advice}, or pass --no-memory-check to "
                         "try anyway")
