"""Mode choice: each tour by public transport or by an outside mode (motorcycle, ojek, car, walk).

A nested logit (docs/model.md, "Mode choice"): the lower level is path choice
(:func:`otrip_sim.choice.choose_day`), whose composite cost ``C = −s · ln Σₖ exp(−cₖ / s)``
(``s = choice.spread``) is what public transport costs a journey; the upper level is a logit over
the tour's generalised cost with scale ``S = s / θ``, seconds:

* public transport: the sum of its journeys' composite costs (a journey with no path goes by the
  ``fallback`` mode, at its cost);
* an outside mode: per journey ``time + money × 3600 / value of time + constant``, with time
  ``road km ÷ speed`` at the departure and money ``fixed_cost + cost_per_km × km``; a person
  without it (``availability``) or a journey longer than its ``max_distance`` cannot take it;
  modes in the ``nest`` share a nest of scale ``mu``.

``absolute`` demand (all-mode OD) draws each tour's mode from these probabilities.  ``pivot``
demand (a public-transport OD) keeps each zone pair's base share ``P⁰`` under the reference fares
and moves riders only by the change of public transport's utility
``Δ = −(C_PT − C⁰_PT) / S``: ``P′ = P⁰ e^Δ / (P⁰ e^Δ + 1 − P⁰)``.  A person who rides under the
reference stays with probability ``min(1, P′ / P⁰)``; one who does not switches in with
``max(0, (P′ − P⁰) / (1 − P⁰))``: the share is ``P′`` and the reference run is the fixed demand.

Draws are keyed by (person, tour): common random numbers across policies and samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .demand import Riders
from .geo import great_circle_m
from .grouped import group_starts, run_index
from .rng import keyed_gumbel, keyed_uniform
from .schema import Modes, Stop
from .schema.behaviour import ProductChoice

PT = "pt"
NOT_MADE = -1
"""``ModeDay.mode`` of a journey its person does not make today (``modes.frequency``)."""
_CLIP = 50.0  # |Δ| beyond which a change of utility counts as this many scales (a path gained or lost)


@dataclass(frozen=True)
class ModeDay:
    """The mode of every journey of the all-mode population, and what the choice weighed.

    Attributes
    ----------
    mode_ids:
        ``("pt", <outside modes>…)``.
    mode:
        Per journey: index into ``mode_ids`` — its tour's mode, or the fallback mode for a
        journey of a public-transport tour with no path.
    metres:
        Per journey: road metres between its zones (straight line × ``modes.detour``).
    cost:
        Per journey made by an outside mode: what it paid, minor units; by public transport, the
        money of a first or last mile by the access mode (0 walked: its fares come from
        settlement).
    p_pt:
        Per journey: the probability that its tour goes by public transport.
    benefit:
        Per journey, on its tour's first: pivot — the change of the tour's logsum against the
        reference fares, minor units at the person's value of time (positive: better off);
        absolute — the logsum itself (differences between runs on the same seed are the user
        benefit).
    tour_pt:
        Per journey: its tour goes by public transport (its journeys with no path by the fallback).
    basis:
        ``"pivot"`` or ``"absolute"`` (``meta.demand_basis``).
    scale:
        The mode level's scale ``S = spread ÷ theta``, seconds.
    p_travel:
        With ``modes.frequency``: per journey, the probability that its person travels today
        (``mode`` is :data:`NOT_MADE` for the journeys of those who do not); ``None``: all do.
    access_ride:
        With ``modes.access``: per journey, by public transport with a first or last mile by the
        access mode (its money is then the journey's ``cost``, paid beside the fares).
    expected:
        Per mode of ``mode_ids``: the journeys the model expects by it, the sum of the tours'
        probabilities (a public-transport tour's journeys with no path by the fallback mode),
        free of the draws — what calibration fits mode constants to.
    """

    mode_ids: tuple[str, ...]
    mode: np.ndarray
    metres: np.ndarray
    cost: np.ndarray
    p_pt: np.ndarray
    benefit: np.ndarray
    tour_pt: np.ndarray
    basis: str
    scale: float
    p_travel: np.ndarray | None = None
    access_ride: np.ndarray | None = None
    expected: np.ndarray | None = None

    @property
    def by_pt(self) -> np.ndarray:
        """Per journey: made by public transport (the journeys the simulation carries)."""
        return self.mode == 0

    @property
    def made(self) -> np.ndarray:
        """Per journey: made today, by any mode."""
        return self.mode != NOT_MADE


def road_metres(stops: Sequence[Stop], stop_ids: Sequence[str], access: dict[str, list[tuple[int, int]]],
                detour: float) -> np.ndarray:
    """Zone × zone road metres: great-circle distance between the zones' centres (the mean of
    their access stops' positions) × ``detour``, integer."""
    pos = {s.id: (s.lat, s.lon) for s in stops}
    centre = np.array([np.mean([pos[stop_ids[i]] for i, _ in access[z]], axis=0) for z in access])
    lat, lon = centre[:, 0], centre[:, 1]
    return np.round(great_circle_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * detour).astype(
        np.int64)


def ride_access(modes: Modes, stops: Sequence[Stop], stop_ids: Sequence[str],
                access: dict[str, list[tuple[int, int]]],
                served: np.ndarray) -> dict[str, list[tuple[int, int, int]]]:
    """Each zone's stops by the access mode (``modes.access``): the ``stops`` nearest served stops
    within ``max_distance`` road metres of the zone's centre that it does not walk to, as ``(stop
    index, seconds at the mode's speed, money)``.  Empty without ``modes.access``."""
    spec = modes.access
    if spec is None:
        return {}
    om = next(m for m in modes.outside if m.id == spec.mode)
    pos = {s.id: (s.lat, s.lon) for s in stops}
    lat = np.array([pos[i][0] for i in stop_ids])
    lon = np.array([pos[i][1] for i in stop_ids])
    out: dict[str, list[tuple[int, int, int]]] = {}
    for zone, entries in access.items():
        c_lat, c_lon = np.mean([pos[stop_ids[i]] for i, _ in entries], axis=0)
        road = great_circle_m(c_lat, c_lon, lat, lon) * modes.detour
        walked = np.zeros(len(stop_ids), dtype=bool)
        walked[[i for i, _ in entries]] = True
        near = np.flatnonzero(served & ~walked & (road <= spec.max_distance))
        near = near[np.argsort(road[near], kind="stable")][: spec.stops]
        out[zone] = [(int(i), round(road[i] / 1000 / om.speed_kmh * 3600),
                      om.fixed_cost + round(om.cost_per_km * road[i] / 1000)) for i in near]
    return out


def pt_share(modes: Modes, metres: np.ndarray) -> np.ndarray:
    """The base public-transport share (``modes.pt_share``, by road distance) of every zone pair."""
    ups = np.array([b.up_to for b in modes.pt_share[:-1]], dtype=np.int64)
    shares = np.array([b.share for b in modes.pt_share])
    return shares[np.searchsorted(ups, metres, side="left")]


def outside_costs(modes: Modes, metres: np.ndarray, depart: np.ndarray,
                  vot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per journey and outside mode: generalised cost (seconds; ``inf`` beyond ``max_distance``)
    and money (minor units)."""
    n, m = len(metres), len(modes.outside)
    cost = np.zeros((n, m))
    money = np.zeros((n, m), dtype=np.int64)
    for k, om in enumerate(modes.outside):
        kmh = np.full(n, om.speed_kmh)
        for band in om.speeds:
            kmh[(depart >= band.start) & (depart < band.end)] = band.kmh
        money[:, k] = om.fixed_cost + np.round(om.cost_per_km * metres / 1000).astype(np.int64)
        cost[:, k] = metres / 1000 / kmh * 3600 + money[:, k] * 3600 / vot + om.constant
        if om.max_distance is not None:
            cost[metres > om.max_distance, k] = np.inf
    return cost, money


def nested_logit(utility: np.ndarray, nest: Sequence[int], mu: float) -> tuple[np.ndarray, np.ndarray]:
    """Choice probabilities of alternatives (columns) and the logsum, per row.

    ``utility`` is in units of the upper scale, ``-inf`` where an alternative is not available;
    the alternatives ``nest`` share a nest of scale ``mu`` (every other alternative is its own).
    A row with nothing available has probabilities 0 and logsum ``-inf``."""
    u = np.asarray(utility, dtype=np.float64)
    n, m = u.shape
    inner = np.zeros(m, dtype=bool)
    inner[list(nest)] = True
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        parts = [u[:, ~inner]]
        if inner.any():
            nu = u[:, inner] / mu
            top = np.max(nu, axis=1, keepdims=True)
            top_f = np.where(np.isfinite(top), top, 0.0)
            within_sum = np.exp(nu - top_f).sum(axis=1, keepdims=True)
            inclusive = mu * (np.log(within_sum) + top_f)
            parts.append(inclusive)
        upper = np.concatenate(parts, axis=1)
        big = np.max(upper, axis=1, keepdims=True)
        big_f = np.where(np.isfinite(big), big, 0.0)
        e = np.exp(upper - big_f)
        total = e.sum(axis=1, keepdims=True)
        logsum = (np.log(total) + big_f)[:, 0]
        p_upper = np.where(total > 0, e / np.where(total > 0, total, 1), 0.0)
        p = np.zeros((n, m))
        p[:, ~inner] = p_upper[:, : (~inner).sum()]
        if inner.any():
            p_nest = p_upper[:, -1:]
            cond = np.exp(nu - top_f) / within_sum
            p[:, inner] = p_nest * np.where(np.isfinite(cond), cond, 0.0)
    return np.nan_to_num(p), logsum


@dataclass(frozen=True)
class _Tours:
    """Per tour, what the mode choice weighs (see :func:`choose_modes`)."""

    ids: tuple[str, ...]
    starts: np.ndarray
    tour_of: np.ndarray
    p_pt: np.ndarray
    p0: np.ndarray | None
    benefit_s: np.ndarray
    u_out: np.ndarray
    raw_cost: np.ndarray
    out_money: np.ndarray
    no_path: np.ndarray
    fallback: int | None
    nest: list[int]
    mu: float
    scale: float


def _tours(modes: Modes, basis: str, riders: Riders, composite: np.ndarray, composite_ref: np.ndarray | None,
           metres: np.ndarray, share0: np.ndarray | None, vot: np.ndarray, spread: float, seed: int,
           replication: int) -> _Tours:
    """Every tour's probability of public transport, logsum (seconds) and the outside modes'
    utilities (the arguments of :func:`choose_modes`)."""
    n = len(riders)
    scale = spread / modes.theta
    ids = (PT, *(m.id for m in modes.outside))
    raw_cost, out_money = outside_costs(modes, metres, riders.depart, vot)
    # availability: per person and mode (ownership), per journey (distance)
    own = np.ones(raw_cost.shape, dtype=bool)
    for k, om in enumerate(modes.outside):
        u_own = keyed_uniform(seed, "own", riders.person_key, k, replication=replication)
        own[:, k] = u_own < om.availability
    out_cost = np.where(own, raw_cost, np.inf)
    no_path = ~np.isfinite(composite)
    fb = ids.index(modes.fallback) - 1 if modes.fallback is not None else None

    def with_fallback(c: np.ndarray) -> np.ndarray:
        """A journey with no path goes by the fallback mode (hailed, not owned)."""
        return c if fb is None else np.where(np.isfinite(c), c, raw_cost[:, fb])

    tour_start = riders.tour_start
    starts = np.flatnonzero(tour_start)
    tour_of = run_index(tour_start)

    def per_tour(c: np.ndarray) -> np.ndarray:
        return np.add.reduceat(c, starts, axis=0) if n else np.zeros((0, *c.shape[1:]))

    g_pt = per_tour(with_fallback(composite))
    g_out = per_tour(out_cost)
    u_out = -g_out / scale
    nest = [ids.index(m) - 1 for m in modes.nest.modes] if modes.nest is not None else []
    mu = modes.nest.mu if modes.nest is not None else 1.0
    if basis == "absolute":
        p, logsum = nested_logit(np.concatenate([(-g_pt / scale)[:, None], u_out], axis=1),
                                 [k + 1 for k in nest], mu)
        p_pt = p[:, 0]
        benefit_s = logsum * scale
    else:
        assert share0 is not None, "a pivot needs the base shares"
        p0 = share0[starts]
        g_ref = g_pt if composite_ref is None else per_tour(with_fallback(composite_ref))
        with np.errstate(invalid="ignore"):
            delta = np.where(np.isinf(g_pt) & np.isinf(g_ref), 0.0, -(g_pt - g_ref) / scale)
        delta = np.clip(np.nan_to_num(delta, nan=0.0), -_CLIP, _CLIP)
        p_pt = 1 / (1 + np.exp(-(np.log(p0 / (1 - p0)) + delta)))
        benefit_s = scale * np.logaddexp(np.log(p0) + delta, np.log1p(-p0))
    return _Tours(ids, starts, tour_of, p_pt, p0 if basis != "absolute" else None, benefit_s, u_out, raw_cost,
                  out_money, no_path, fb, nest, mu, scale)


def tour_logsums(modes: Modes, basis: str, riders: Riders, composite: np.ndarray,
                 composite_ref: np.ndarray | None, metres: np.ndarray, share0: np.ndarray | None,
                 vot: np.ndarray, spread: float, seed: int,
                 replication: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first journey of every tour and the tour's logsum, seconds (absolute: ``S · ln Σ
    exp(−G / S)``; pivot: its change against the reference fares) — what product choice weighs."""
    t = _tours(modes, basis, riders, composite, composite_ref, metres, share0, vot, spread, seed, replication)
    return t.starts, t.benefit_s


def choose_modes(modes: Modes, basis: str, riders: Riders, composite: np.ndarray,
                 composite_ref: np.ndarray | None, metres: np.ndarray, share0: np.ndarray | None,
                 vot: np.ndarray, spread: float, seed: int, replication: int = 0) -> ModeDay:
    """Every tour's mode (see the module docstring).

    Parameters
    ----------
    modes, basis:
        The ``modes`` section and ``meta.demand_basis``.
    riders:
        The all-mode population's journeys (a person's consecutive, tour by tour).
    composite, composite_ref:
        Per journey: public transport's composite cost (seconds, ``inf``: no path) under the
        scenario's fares and, for a pivot, under the reference fares (``None``: the same).
    metres:
        Per journey: road metres between its zones.
    share0:
        Pivot: per journey, the base public-transport share of its person's OD row.
    vot:
        Per journey: the person's value of time, minor units per hour.
    spread, seed, replication:
        ``choice.spread`` (the path level's scale, seconds) and the keys of the draws.
    """
    n = len(riders)
    t = _tours(modes, basis, riders, composite, composite_ref, metres, share0, vot, spread, seed, replication)
    ids, starts, tour_of, p_pt, p0, benefit_s = t.ids, t.starts, t.tour_of, t.p_pt, t.p0, t.benefit_s
    u_out, raw_cost, out_money, no_path, fb, nest, mu, scale = (t.u_out, t.raw_cost, t.out_money, t.no_path,
                                                                t.fallback, t.nest, t.mu, t.scale)
    vot_t = vot[starts]
    u = keyed_uniform(seed, "mode", riders.person_key[starts], riders.tour[starts].astype(np.int64),
                      replication=replication)
    if basis == "absolute":
        by_pt = u < p_pt
    else:
        assert p0 is not None
        base = riders.base[starts]
        with np.errstate(divide="ignore", invalid="ignore"):
            by_pt = np.where(base == 1, u < p_pt / p0, u < (p_pt - p0) / (1 - p0))
        by_pt = np.where(base == 2, u < p_pt, by_pt)  # a new traveller has no base mode
    travels, p_travel, benefit_s = _frequency(modes, basis, riders, starts, benefit_s, scale, seed,
                                              replication)
    # the outside mode of the others: by the outside modes' own logit
    p_out, _ = nested_logit(u_out, nest, mu)
    none = p_out.sum(axis=1) == 0  # no outside mode available: chosen as if all were
    if none.any():
        all_out = np.add.reduceat(raw_cost, starts, axis=0)
        p_out[none] = nested_logit(-all_out[none] / scale, nest, mu)[0]
    # the expected journeys by mode: public transport where a path exists, else the fallback
    size = np.diff(np.append(starts, n))
    with_path = np.add.reduceat((~no_path).astype(float), starts) if n else np.zeros(0)
    expected = np.zeros(len(ids))
    expected[0] = float((p_pt * p_travel * with_path).sum())
    expected[1:] = (((1 - p_pt) * p_travel * size)[:, None] * p_out).sum(axis=0)
    if fb is not None:
        expected[fb + 1] += float((p_pt * p_travel * (size - with_path)).sum())
    cdf = np.cumsum(p_out, axis=1)
    u2 = keyed_uniform(seed, "mode", riders.person_key[starts], riders.tour[starts].astype(np.int64), 1,
                       replication=replication)
    pick = np.minimum((cdf < (u2 * cdf[:, -1])[:, None]).sum(axis=1), len(modes.outside) - 1) + 1
    tour_mode = np.where(by_pt, 0, pick)
    mode = tour_mode[tour_of] if n else np.zeros(0, dtype=np.int64)
    if fb is not None:
        mode = np.where((mode == 0) & no_path, fb + 1, mode)
    by_pt = by_pt & travels
    mode = np.where(travels[tour_of], mode, NOT_MADE) if n else mode
    paid = np.take_along_axis(out_money, np.maximum(mode - 1, 0)[:, None], axis=1)[:, 0]
    cost = np.where(mode > 0, paid, 0)
    benefit = np.zeros(n)
    benefit[starts] = benefit_s * vot_t / 3600
    return ModeDay(ids, mode.astype(np.int16), metres, cost.astype(np.int64), p_pt[tour_of] if n else p_pt,
                   benefit, by_pt[tour_of] if n else by_pt, basis, scale,
                   None if modes.frequency is None else p_travel[tour_of] if n else p_travel,
                   expected=expected)


def _frequency(modes: Modes, basis: str, riders: Riders, starts: np.ndarray, logsum_s: np.ndarray,
               scale: float, seed: int, replication: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per tour: whether its person travels today, the probability that persons like them do, and
    the tour's logsum with that choice (seconds; on the person's first tour, the day's).  Without
    ``modes.frequency``: everyone travels and the logsums are the tours'."""
    f = modes.frequency
    if f is None:
        return np.ones(len(starts), dtype=bool), np.ones(len(starts)), logsum_s
    person = riders.person[starts]
    first = group_starts(person)
    of = run_index(first)
    day = np.add.reduceat(logsum_s, np.flatnonzero(first)) if len(starts) else np.zeros(0)
    s_f = scale / f.theta
    u = keyed_uniform(seed, "trip", riders.person_key[starts][first], replication=replication)
    if basis == "absolute":
        v = (f.constant + day) / s_f
        p = 1 / (1 + np.exp(-np.clip(v, -_CLIP, _CLIP)))
        travels, level = u < p, s_f * np.logaddexp(0.0, v)
    else:
        f0 = f.base_share
        delta = np.clip(day / s_f, -_CLIP, _CLIP)
        p = 1 / (1 + np.exp(-(np.log(f0 / (1 - f0)) + delta)))
        base = riders.base[starts][first]
        travels = np.where(base == 2, u < (p - f0) / (1 - f0), u < p / f0)
        level = s_f * np.logaddexp(np.log(f0) + delta, np.log1p(-f0))  # 0 under the reference fares
    out = np.zeros(len(starts))
    out[np.flatnonzero(first)] = level
    return travels[of], p[of], out


def choose_products(products: ProductChoice, media_ids: Sequence[str], logsums: Sequence[np.ndarray],
                    riders: Riders, seed: int, replication: int = 0) -> np.ndarray:
    """Every person's fare medium, chosen above the day (``modes.products``).

    Parameters
    ----------
    products:
        The product choice: days a week, scale, friction per medium.
    media_ids:
        The fare media (``fares.media``), in index order.
    logsums:
        Per medium: per journey, the logsum (seconds) of the journey's tour with that medium on
        its first journey, 0 on the others (:func:`tour_logsums`).
    riders:
        The all-mode population's journeys.
    seed, replication:
        Keys of the Gumbel draws, per (person, medium): the same person weighs the same tastes
        under every policy.

    Returns
    -------
    numpy.ndarray
        Per journey: the index of its person's medium.
    """
    start = group_starts(riders.person)
    person_start = np.flatnonzero(start)
    utility = np.stack([
        (products.days * np.add.reduceat(ls, person_start) - products.friction.get(m, 0)) / products.scale
        for m, ls in zip(media_ids, logsums)], axis=1) if len(person_start) else np.zeros((0, len(media_ids)))
    taste = keyed_gumbel(seed, "product", riders.person_key[person_start][:, None],
                         np.arange(len(media_ids))[None, :], replication=replication)
    chosen = np.argmax(utility + taste, axis=1).astype(np.int16)
    return chosen[run_index(start)]
