"""Reproducible randomness: one root seed; draws keyed to what they decide.

Two kinds of draw, both derived from the root seed and a purpose name, so adding a purpose never
shifts the draws of another:

- :func:`stream`: a numpy generator per purpose, for draws that belong to no person (none left in
  a run; kept for tools and tests that want a plain seeded generator).
- :func:`keyed_uniform` and the functions built on it: a counter-based hash of ``(seed,
  replication, purpose, key, ...)`` (the SplitMix64 finaliser over 64-bit words), so a draw is a
  pure function of what it decides — a person, their tour, a path's identity — and not of its
  position in an array.  The same person makes the same draws in two fare policies, in two nested
  samples and in replication ``k`` whatever the number of replications (common random numbers,
  as ActivitySim's per-person channels and MATSim's per-agent seeds do).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

PURPOSES = {"demand": 0, "category": 1, "choice": 2, "evasion": 3, "media": 4, "sample": 5, "depart": 6,
            "purpose": 7, "activity": 8, "tour": 9, "place": 10, "segment": 11, "mode": 12, "own": 13,
            "product": 14, "trip": 15}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def stream(seed: int, purpose: str, replication: int = 0) -> np.random.Generator:
    """The generator for ``purpose`` of replication ``replication`` under root ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, PURPOSES[purpose])))


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that spreads every input bit (wrapping)."""
    x = x + _GOLDEN
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def id_keys(ids: Iterable[str]) -> np.ndarray:
    """A stable 64-bit key per string id (BLAKE2b), the same on every machine and in every run."""
    return np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
                     for s in ids], dtype=np.uint64)


def combine(*keys: np.ndarray | int) -> np.ndarray:
    """One 64-bit key from several (arrays broadcast; order matters)."""
    with np.errstate(over="ignore"):
        h = np.uint64(0x5851F42D4C957F2D) * np.ones((), dtype=np.uint64)
        for k in keys:
            h = _mix(h ^ np.asarray(k).astype(np.uint64))
    return np.asarray(h)


def keyed_uniform(seed: int, purpose: str, *keys: np.ndarray | int, replication: int = 0) -> np.ndarray:
    """Uniform draws in ``[0, 1)``, one per element of the broadcast ``keys``, each a pure function
    of ``(seed, replication, purpose, keys)``.

    Parameters
    ----------
    seed, replication:
        The root seed and the replication number (≥ 0).
    purpose:
        What the draw decides (a key of :data:`PURPOSES`).
    keys:
        Integer arrays (or ints) naming the decision, e.g. ``(person key, trip number)``.

    Returns
    -------
    numpy.ndarray
        Float64 draws with 53 random bits, shaped as the broadcast keys.
    """
    h = combine(seed, replication, PURPOSES[purpose], *keys)
    return (h >> _S11).astype(np.float64) * (1.0 / (1 << 53))


def keyed_normal(seed: int, purpose: str, *keys: np.ndarray | int, replication: int = 0) -> np.ndarray:
    """Standard normal draws keyed as :func:`keyed_uniform` (Box–Muller on two keyed uniforms)."""
    u1 = keyed_uniform(seed, purpose, *keys, 1, replication=replication)
    u2 = keyed_uniform(seed, purpose, *keys, 2, replication=replication)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def keyed_gumbel(seed: int, purpose: str, *keys: np.ndarray | int, replication: int = 0) -> np.ndarray:
    """Standard Gumbel draws keyed as :func:`keyed_uniform`."""
    u = keyed_uniform(seed, purpose, *keys, replication=replication)
    return -np.log(-np.log(np.clip(u, 1e-300, None)))


def keyed_choice(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The index drawn by uniforms ``u`` among ``weights`` (inverse CDF; weights need not sum to 1)."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(cdf) - 1)


def keyed_poisson(seed: int, purpose: str, mean: np.ndarray, *keys: np.ndarray | int,
                  replication: int = 0) -> np.ndarray:
    """Poisson counts with the given means, keyed as :func:`keyed_uniform` (one key per mean).

    Exact for means up to 500 (the CDF inverted at a keyed uniform, summed term by term over the
    rows still unresolved); above, the normal approximation with continuity correction from a
    keyed normal, whose error there is below 1% of a standard deviation.
    """
    mean = np.asarray(mean, dtype=np.float64)
    out = np.zeros(len(mean), dtype=np.int64)
    big = mean > 500
    if big.any():
        z = keyed_normal(seed, purpose, *keys, replication=replication)
        z = np.broadcast_to(z, mean.shape)[big]
        out[big] = np.maximum(np.floor(mean[big] + np.sqrt(mean[big]) * z + 0.5), 0).astype(np.int64)
    u = np.broadcast_to(keyed_uniform(seed, purpose, *keys, replication=replication), mean.shape)
    idx = np.flatnonzero(~big & (mean > 0))
    lam, uu = mean[idx], u[idx]
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    k = 0
    while len(idx):
        done = uu < cdf
        out[idx[done]] = k
        keep = ~done
        idx, lam, uu, pmf, cdf = idx[keep], lam[keep], uu[keep], pmf[keep], cdf[keep]
        k += 1
        pmf = pmf * lam / k
        cdf = cdf + pmf
        if k > 2000:  # rounding left the CDF just short of u: the tail beyond is below 1e-15
            out[idx] = k
            break
    return out
