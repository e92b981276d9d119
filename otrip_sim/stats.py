"""Interval maths for replications: Student t intervals, ratio intervals (delta method), paired
differences and Holm's step-down adjustment.

Pure numpy and :mod:`math` (no scipy): the t distribution's CDF is the closed form for integer
degrees of freedom (Abramowitz & Stegun 26.7.3–4) and its quantile is found by bisection on it.
Every interval here is **simulation noise** — the spread of replications of one scenario under
its assumptions — not parameter uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
"""The confidence level of every interval."""


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` (integer >= 1) degrees of freedom.

    Parameters
    ----------
    t : float
        The point.
    df : int
        Degrees of freedom.

    Returns
    -------
    float
        The probability.
    """
    if df < 1:
        raise ValueError("df must be >= 1")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    theta = math.atan(abs(t) / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 1:  # A&S 26.7.3: P(|T| < t) for odd df
        term, total = math.cos(theta), 0.0
        if df > 1:
            total = term
            for k in range(2, df - 1, 2):
                term *= c2 * k / (k + 1)
                total += term
        inside = 2 / math.pi * (theta + s * total)
    else:  # 26.7.4, even df
        term, total = 1.0, 1.0
        for k in range(1, df - 2, 2):
            term *= c2 * k / (k + 1)
            total += term
        inside = s * total
    inside = min(max(inside, 0.0), 1.0)
    return 0.5 + inside / 2 if t >= 0 else 0.5 - inside / 2


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (bisection on :func:`t_cdf`).

    Parameters
    ----------
    p : float
        A probability in (0, 1).
    df : int
        Degrees of freedom (>= 1).

    Returns
    -------
    float
        t such that P(T <= t) = p, to about 1e-12.
    """
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2


@dataclass(frozen=True)
class Interval:
    """A mean with its two-sided confidence interval; ``low``/``high`` are None with fewer than two
    values (no spread to estimate).  ``p`` is the two-sided p-value of "the mean is 0"."""

    mean: float | None
    low: float | None
    high: float | None
    n: int
    p: float | None = None

    @property
    def width(self) -> float | None:
        """``high - low`` (None when undefined)."""
        return None if self.low is None or self.high is None else self.high - self.low


def mean_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> Interval:
    """Mean and Student t interval of independent replications' values.

    Parameters
    ----------
    values
        One value per replication (None or NaN values make the result undefined).
    level
        Confidence level.

    Returns
    -------
    Interval
        With its p-value for a zero mean (1 when every value is 0, 0 when they are equal and not 0).
    """
    x = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    n = len(x)
    if n == 0 or not np.all(np.isfinite(x)):
        return Interval(None, None, None, n)
    m = float(x.mean())
    if n < 2:
        return Interval(m, None, None, n)
    se = float(x.std(ddof=1)) / math.sqrt(n)
    half = t_quantile(0.5 + level / 2, n - 1) * se
    return Interval(m, m - half, m + half, n, _p_value(m, se, n - 1))


def _p_value(mean: float, se: float, df: int) -> float:
    if se == 0:
        return 1.0 if mean == 0 else 0.0
    return 2 * (1 - t_cdf(abs(mean / se), df))


def ratio_interval(num: Sequence[float] | np.ndarray, den: Sequence[float] | np.ndarray,
                   level: float = LEVEL) -> Interval:
    """The ratio of means ``mean(num) / mean(den)`` and its interval by the **delta method**.

    Var(R) ≈ (s²ₓ − 2R sₓᵧ + R² s²ᵧ) / (n ȳ²), with sample (co)variances over the replications;
    the interval is R ± t(n−1) √Var(R).  (A ratio of sums is what a fare per journey or a farebox
    recovery is; the mean of per-replication ratios would weight small replications too much.)

    Parameters
    ----------
    num, den
        Numerator and denominator, one value per replication.
    level
        Confidence level.

    Returns
    -------
    Interval
        Undefined (None) where the mean denominator is 0.
    """
    x = np.asarray(num, dtype=float)
    y = np.asarray(den, dtype=float)
    n = len(x)
    if n == 0 or len(y) != n or y.mean() == 0 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return Interval(None, None, None, n)
    r = float(x.mean() / y.mean())
    if n < 2:
        return Interval(r, None, None, n)
    cov = np.cov(x, y, ddof=1)
    var = max(float(cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]), 0.0) / (n * float(y.mean()) ** 2)
    half = t_quantile(0.5 + level / 2, n - 1) * math.sqrt(var)
    return Interval(r, r - half, r + half, n, _p_value(r, math.sqrt(var), n - 1))


def paired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
                      level: float = LEVEL) -> Interval:
    """``b − a`` over replications paired by number (common random numbers): the t interval of the
    per-replication differences, which removes the noise the two share.

    Parameters
    ----------
    a, b
        The same replications under two scenarios.
    level
        Confidence level.

    Returns
    -------
    Interval
        Of the mean difference, with its paired t-test p-value.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return mean_interval(y - x, level)


def unpaired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
                        level: float = LEVEL) -> Interval:
    """``b − a`` treating the two sets as independent (Welch's interval): what the difference's
    interval would be without common random numbers, for comparison.

    Parameters
    ----------
    a, b
        Replications of two scenarios.
    level
        Confidence level.

    Returns
    -------
    Interval
        Of the difference of means, with Welch–Satterthwaite degrees of freedom (rounded down).
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        return Interval(float(y.mean() - x.mean()) if len(x) and len(y) else None, None, None, len(x))
    va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    d = float(y.mean() - x.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(d, d, d, len(x), 1.0 if d == 0 else 0.0)
    df = (va + vb) ** 2 / (va**2 / (len(x) - 1) + vb**2 / (len(y) - 1))
    half = t_quantile(0.5 + level / 2, max(int(df), 1)) * se
    return Interval(d, d - half, d + half, len(x), _p_value(d, se, max(int(df), 1)))


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (family-wise error over the given tests; None stays None).

    Parameters
    ----------
    p_values
        One p-value per test.

    Returns
    -------
    list
        Adjusted p-values in the input order: the k-th smallest is multiplied by (m − k + 1),
        made monotone and capped at 1.
    """
    known = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(known)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for k, (p, i) in enumerate(known):
        running = max(running, min(1.0, (m - k) * p))
        out[i] = running
    return out


def replications_needed(sd_difference: float, half_width: float, level: float = LEVEL) -> int | None:
    """How many paired replications make the interval of a difference about ± ``half_width``,
    given the standard deviation of the per-replication differences (iterating the t quantile).

    Parameters
    ----------
    sd_difference
        Standard deviation of the paired differences over replications.
    half_width
        The half width wanted (same units).
    level
        Confidence level.

    Returns
    -------
    int or None
        At least 2; None when ``half_width`` <= 0.
    """
    if half_width <= 0:
        return None
    n = 2
    while n < 100_000 and t_quantile(0.5 + level / 2, n - 1) * sd_difference / math.sqrt(n) > half_width:
        n += 1
    return n
