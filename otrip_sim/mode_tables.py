"""Tables of a run with mode choice: journeys by mode and hour, fares and benefit by income segment
and rider category, riders gained and lost by home zone, and the ``modes`` and ``behaviour``
blocks of ``summary.json`` (docs/outputs.md).  Computed from plain run data: the
:class:`~otrip_sim.modes.ModeDay`, the all-mode population's journeys and the settled fare of each
public-transport journey; counts and money expanded by the sample."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .demand import Riders
from .grouped import group_starts, run_index
from .modes import ModeDay
from .money import expand


def _whole(x: float) -> int:
    """``x`` rounded to a whole number (money, counts)."""
    return int(np.rint(x))


def _counts(values: pd.Series, expansion: float) -> list[int]:
    """Counts of the sample expanded to the whole day, whole numbers."""
    return [int(expand(int(v), expansion)) for v in values]


def _amounts(values: pd.Series, expansion: float) -> list[int]:
    """Money (or benefit) of the sample expanded to the whole day, whole minor units."""
    return [_whole(v * expansion) for v in values]


def _per(num: pd.Series, den: pd.Series) -> list[int]:
    """Each ``num`` ÷ ``den`` in whole units, 0 where ``den`` is 0."""
    return [_whole(a / b) if b else 0 for a, b in zip(num, den)]


def journey_fares(md: ModeDay, pt_fare: np.ndarray) -> np.ndarray:
    """Per journey of the all-mode population: what it paid — its settled fare by public
    transport (with a first or last mile by the access mode), its outside mode's money otherwise
    (minor units)."""
    paid = md.cost.astype(np.int64).copy()
    pt = np.flatnonzero(md.by_pt)
    paid[pt] = pt_fare + paid[pt]  # the fares, and the money of a first or last mile by the access mode
    return paid


def mode_summary(md: ModeDay, people: Riders, pt_fare: np.ndarray, served: np.ndarray,
                 expansion: float, reference: str) -> dict[str, Any]:
    """The ``modes`` and ``behaviour`` blocks of ``summary.json``.

    ``modes``: per mode, ``trips`` (journeys; public transport: those its riders set out on, served
    or not), ``person_km`` (the zone pairs' road km) and ``average_cost`` (money per journey: the
    settled fare, or the outside mode's cost).  ``behaviour``: the demand basis, the mode level's
    scale, public-transport journeys drawn and expected (the sum of the tours' probabilities:
    the two differ by Monte Carlo error), the user benefit and riders gained and lost."""
    paid = journey_fares(md, pt_fare)
    modes: dict[str, Any] = {}
    for k, name in enumerate(md.mode_ids):
        on = md.mode == k
        n = int(on.sum())
        modes[name] = {"trips": int(expand(n, expansion)),
                       "person_km": round(float(md.metres[on].sum()) / 1000 * expansion, 1),
                       "average_cost": _whole(paid[on].sum() / n) if n else 0}
    behaviour: dict[str, Any] = {
        "basis": md.basis,
        "scale_s": round(md.scale, 3),
        "population_journeys": int(expand(len(md.mode), expansion)),
        "pt_share": round(int(md.by_pt.sum()) / int(md.made.sum()), 4) if md.made.any() else 0.0,
        "pt_tour_journeys": int(expand(int(md.tour_pt.sum()), expansion)),
        "pt_tour_journeys_expected": round(float((md.p_pt * _p_travel(md)).sum()) * expansion, 1),
        "pt_journeys_served": int(expand(int(served.sum()), expansion)),
        "fallback_journeys": int(expand(int((md.tour_pt & ~md.by_pt).sum()), expansion)),
    }
    if md.p_travel is not None:  # trip frequency: journeys not made today, and those made anew
        behaviour["journeys_not_made"] = int(expand(int((~md.made).sum()), expansion))
        behaviour["journeys_made_expected"] = round(float(md.p_travel.sum()) * expansion, 1)
        if md.basis == "pivot":
            induced, suppressed = md.made & (people.base == 2), ~md.made & (people.base != 2)
            behaviour["journeys_induced"] = int(expand(int(induced.sum()), expansion))
            behaviour["journeys_suppressed"] = int(expand(int(suppressed.sum()), expansion))
    if md.access_ride is not None:
        rides = md.access_ride
        behaviour["access_rides"] = {"journeys": int(expand(int(rides.sum()), expansion)),
                                     "money": _whole(float(md.cost[rides].sum()) * expansion)}
    if people.media is not None and people.media_ids:
        behaviour["uptake"] = uptake(md, people, expansion)
    benefit = _whole(float(md.benefit.sum()) * expansion)
    if md.basis == "pivot":
        gained, lost = _gained_lost(md, people)
        behaviour |= {
            "reference": reference,
            "user_benefit": benefit,
            "user_benefit_note": "change of the tours' logsums against the reference fares, at each "
                                 "person's value of time (rule: docs/model.md)",
            "journeys_gained": int(expand(int(gained.sum()), expansion)),
            "journeys_lost": int(expand(int(lost.sum()), expansion)),
        }
    else:
        behaviour |= {"logsum": benefit,
                      "logsum_note": "the tours' logsums at each person's value of time; the difference "
                                     "between two runs on the same seed is the user benefit"}
    return {"modes": modes, "behaviour": behaviour}


def _p_travel(md: ModeDay) -> np.ndarray:
    """Per journey: the probability that it is made today (1 without trip frequency)."""
    return np.ones(len(md.mode)) if md.p_travel is None else md.p_travel


def uptake(md: ModeDay, people: Riders, expansion: float) -> dict[str, dict[str, Any]]:
    """Per fare medium: ``persons`` holding it, their ``share`` of all persons, and ``riders``
    (holders with a journey by public transport)."""
    assert people.media is not None
    first = group_starts(people.person)
    rode = pd.Series(md.by_pt).groupby(people.person).transform("any").to_numpy()
    out: dict[str, dict[str, Any]] = {}
    total = int(first.sum())
    for k, medium in enumerate(people.media_ids):
        holds = first & (people.media == k)
        out[medium] = {"persons": int(expand(int(holds.sum()), expansion)),
                       "share": round(int(holds.sum()) / total, 4) if total else 0.0,
                       "riders": int(expand(int((holds & rode).sum()), expansion))}
    return out


def _gained_lost(md: ModeDay, people: Riders) -> tuple[np.ndarray, np.ndarray]:
    """Per journey: public transport gained it (not by public transport under the reference fares)
    or lost it (by public transport under them)."""
    base = people.base == 1
    return md.tour_pt & ~base, ~md.tour_pt & base


def by_mode(md: ModeDay, people: Riders, pt_fare: np.ndarray, expansion: float) -> pd.DataFrame:
    """Journeys by mode and hour of departure: ``hour``, ``mode``, ``trips``, ``share`` (of the
    hour's journeys, 4 decimals), ``person_km`` (1 decimal), ``money`` (fares or outside-mode cost,
    minor units)."""
    paid = journey_fares(md, pt_fare)
    hour = (people.depart // 3600).astype(np.int64)
    frame = pd.DataFrame({"hour": hour, "mode": md.mode.astype(np.int64), "km": md.metres / 1000,
                          "money": paid})[md.made]
    g = frame.groupby(["hour", "mode"], sort=True).agg(trips=("km", "size"), person_km=("km", "sum"),
                                                        money=("money", "sum")).reset_index()
    total = g.groupby("hour")["trips"].transform("sum")
    return pd.DataFrame({
        "hour": g["hour"],
        "mode": [md.mode_ids[m] for m in g["mode"]],
        "trips": _counts(g["trips"], expansion),
        "share": (g["trips"] / total).round(4),
        "person_km": (g["person_km"] * expansion).round(1),
        "money": _amounts(g["money"], expansion),
    })


def by_segment(md: ModeDay, people: Riders, pt_fare: np.ndarray, expansion: float) -> pd.DataFrame:
    """Who pays and who gains, by income segment and rider category: ``persons``, ``journeys``
    (all modes), ``pt_journeys``, ``pt_share``, ``fare_paid`` (public-transport fares, minor
    units), ``fare_per_pt_journey``, ``fare_per_person_day`` (over persons with a public-transport
    journey), ``user_benefit`` (pivot; absolute: the logsum), ``benefit_per_person``, and, in a
    pivot, ``journeys_gained`` and ``journeys_lost``."""
    fare = np.zeros(len(md.mode), dtype=np.int64)
    fare[np.flatnonzero(md.by_pt)] = pt_fare
    first = group_starts(people.person)
    seg_ids = people.segment_ids or ("",)
    frame = pd.DataFrame({
        "segment": [seg_ids[s] for s in np.maximum(people.segment, 0)] if people.segment_ids
        else [""] * len(people),
        "category": [people.category_ids[c] for c in people.category],
        "person": people.person, "first": first, "pt": md.by_pt, "fare": fare, "benefit": md.benefit,
        "made": md.made,
    })
    gained, lost = _gained_lost(md, people)
    frame["gained"], frame["lost"] = gained, lost
    riders = frame[frame["pt"]].groupby(["segment", "category"])["person"].nunique()
    g = frame.groupby(["segment", "category"], sort=True).agg(
        persons=("first", "sum"), journeys=("made", "sum"), pt_journeys=("pt", "sum"),
        fare_paid=("fare", "sum"),
        user_benefit=("benefit", "sum"), journeys_gained=("gained", "sum"), journeys_lost=("lost", "sum"))
    g["pt_persons"] = riders.reindex(g.index).fillna(0)
    out = pd.DataFrame({
        "segment": [s for s, _ in g.index], "category": [c for _, c in g.index],
        "persons": _counts(g["persons"], expansion),
        "journeys": _counts(g["journeys"], expansion),
        "pt_journeys": _counts(g["pt_journeys"], expansion),
        "pt_share": (g["pt_journeys"] / g["journeys"]).round(4).to_numpy(),
        "fare_paid": _amounts(g["fare_paid"], expansion),
        "fare_per_pt_journey": _per(g["fare_paid"], g["pt_journeys"]),
        "fare_per_person_day": _per(g["fare_paid"], g["pt_persons"]),
        "user_benefit": _amounts(g["user_benefit"], expansion),
        "benefit_per_person": _per(g["user_benefit"], g["persons"]),
    })
    if md.basis == "pivot":
        out["journeys_gained"] = _counts(g["journeys_gained"], expansion)
        out["journeys_lost"] = _counts(g["journeys_lost"], expansion)
    return out


def by_home_zone(md: ModeDay, people: Riders, expansion: float) -> pd.DataFrame:
    """Per home zone (the origin of a person's first journey): ``journeys`` (all modes),
    ``pt_journeys``, ``pt_share``, ``user_benefit`` and, in a pivot, ``journeys_gained`` and
    ``journeys_lost``."""
    start = group_starts(people.person)
    home = people.origin[start][run_index(start)]
    gained, lost = _gained_lost(md, people)
    frame = pd.DataFrame({"zone": home, "pt": md.by_pt, "benefit": md.benefit, "gained": gained,
                          "lost": lost, "made": md.made})
    g = frame.groupby("zone", sort=True).agg(journeys=("made", "sum"), pt_journeys=("pt", "sum"),
                                             user_benefit=("benefit", "sum"), gained=("gained", "sum"),
                                             lost=("lost", "sum"))
    out = pd.DataFrame({
        "zone": [people.zone_ids[z] for z in g.index],
        "journeys": _counts(g["journeys"], expansion),
        "pt_journeys": _counts(g["pt_journeys"], expansion),
        "pt_share": (g["pt_journeys"] / g["journeys"]).round(4).to_numpy(),
        "user_benefit": _amounts(g["user_benefit"], expansion),
    })
    if md.basis == "pivot":
        out["journeys_gained"] = _counts(g["gained"], expansion)
        out["journeys_lost"] = _counts(g["lost"], expansion)
    return out
