"""Reproducible random streams: one root seed, one independent stream per purpose.

Streams are derived with :class:`numpy.random.SeedSequence` from ``(seed, purpose)``, so adding a
new purpose never shifts the draws of an existing one, and two fare policies run with the same
seed see the same riders with the same draws (common random numbers).
"""

from __future__ import annotations

import numpy as np

PURPOSES = {"demand": 0, "category": 1, "choice": 2, "evasion": 3, "media": 4}


def stream(seed: int, purpose: str, replication: int = 0) -> np.random.Generator:
    """The generator for ``purpose`` of replication ``replication`` under root ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, PURPOSES[purpose])))
