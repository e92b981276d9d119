"""The card transaction log of a run in the TIDES ``fare_transactions`` format.

Computed from a run's data, never from the run object: the legs and journeys frames of
:class:`~otrip_sim.results.RunResult` and the card transactions of its
:class:`~otrip_sim.settlement.Settlement`.  This module imports nothing from ``results``
(``RunResult.taps`` calls :func:`fare_transactions`), so results stay data and the log is one
function of them.

Money is integer minor units (``amount_minor``; ``amount`` is in currency units as TIDES wants),
times are integer seconds of the service day, distances integer metres (``distance_km`` is derived).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .fares import Outcome
from .grouped import group_starts
from .schema.fares import DEFAULT_TIDES_MEDIA
from .units import CURRENCY_DECIMALS

if TYPE_CHECKING:
    from .settlement import Settlement

FARE_ACTIONS = ["Enter", "Transfer entrance", "Adjust", "Exit", "Transfer exit"]
PAY_AS_YOU_GO = "pay-as-you-go"


def sorted_categorical(codes: np.ndarray, names: Sequence[str]) -> pd.Categorical:
    """A categorical of the names ``codes`` use, categories in sorted order.

    Parameters
    ----------
    codes
        Integer codes into ``names``.
    names
        The names the codes stand for.

    Returns
    -------
    pandas.Categorical
        Only the names used, sorted, as ``astype("category")`` of the strings would give but
        without building the strings (``RunResult.legs`` uses it for its ``rule`` column too).
    """
    used = sorted(np.unique(codes).tolist(), key=lambda k: names[k])
    remap = np.zeros(len(names), dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=[names[k] for k in used])


def fare_transactions(legs: pd.DataFrame, journeys: pd.DataFrame, settlement: Settlement,
                      service_date: date, currency: str,
                      media_types: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The card transaction log in the TIDES ``fare_transactions`` format, plus otrip-sim columns.

    Parameters
    ----------
    legs
        ``RunResult.legs``: one row per boarding in journey and leg order; reads ``journey``,
        ``leg``, ``operator``, ``route``, ``direction``, ``board_stop``, ``alight_stop``,
        ``alight_s``, ``metres``, ``tapped``, ``window``, ``evaded``.
    journeys
        ``RunResult.journeys`` (row = journey id); reads ``category``, ``card`` and ``media``
        (the fare medium the person holds; empty: none declared).
    settlement
        The run's settlement; reads the card transactions ``tx_journey``, ``tx_leg``, ``tx_time``
        (s), ``tx_kind``, ``tx_amount`` (minor units), ``tx_rule``, per rule code
        ``rule_names`` and ``rule_outcome`` (capped or not), and per leg ``product``.
    service_date
        The day the log is stamped with.
    currency
        ISO 4217 code; sets ``currency_type`` and the minor-unit scale of ``amount``.
    media_types
        Fare medium id → its TIDES ``fare_media_id`` (``fares.media[].tides_media``); a medium not
        in it, and a card without a medium, is ``Smart card or ticket``.

    Returns
    -------
    pandas.DataFrame
        TIDES columns: ``transaction_id``, ``service_date``, ``event_timestamp`` (local, ISO
        8601), ``amount`` (currency units), ``currency_type``, ``fare_action`` (``Enter`` for a
        card's first tap and for later taps that are charged, ``Transfer entrance`` for later taps
        at no charge, ``Transfer exit``/``Exit`` for
        tap-outs, ``Adjust`` for a settlement correction), ``pattern_id``
        (``<route>:<direction>``), ``stop_id`` (boarding stop), ``num_riders``,
        ``fare_media_id`` (the TIDES media type of the card's medium), ``rider_category``,
        ``fare_product`` (the leg's: the window rule whose window it opened or joined, else the
        pass that priced it, else ``pay-as-you-go``; its tap, exit and adjustments alike),
        ``fare_capped`` (a cap lowered this transaction's amount), ``token_id`` (the card).
        otrip-sim columns: ``card`` (the person's card: one per person for the day), ``journey``,
        ``leg``, ``time_s``, ``type`` (``tap``, ``exit`` = tap-out at the exit, amount 0, or
        ``adjustment``), ``operator``, ``distance_km`` (of a tap's trip, paid-area changes
        included), ``amount_minor`` (integer minor units), ``rule``, ``media`` (the fare medium
        id; empty without one).  Per card the amounts sum to the settled fares.
    """
    st = settlement
    lj = legs["journey"].to_numpy()
    tapped = legs["tapped"].to_numpy()
    # A tap's trip runs to the exit of the paid-area changes after it: each tapped leg with
    # the untapped legs that follow it (a journey's first leg is always tapped).
    gs = np.flatnonzero(tapped)
    ge = np.append(gs[1:], len(legs)) - 1
    trip_keep = ~legs["evaded"].to_numpy()[gs]
    gs, ge = gs[trip_keep], ge[trip_keep]
    trip_metres = (np.add.reduceat(legs["metres"].to_numpy(), np.flatnonzero(tapped))[trip_keep]
                   if len(gs) else gs)
    trip_j = lj[gs]
    last_trip = np.append(group_starts(trip_j)[1:], True) if len(gs) else np.zeros(0, dtype=bool)
    # rows: the card transactions, then one exit per trip; kind 0 tap, 1 adjustment, 2 exit
    n_tx, n_exit = len(st.tx_journey), len(gs)
    journey = np.concatenate([st.tx_journey, trip_j]).astype(np.int64)
    leg = np.concatenate([st.tx_leg, legs["leg"].to_numpy()[gs]]).astype(np.int64)
    time_s = np.concatenate([st.tx_time, legs["alight_s"].to_numpy()[ge]]).astype(np.int64)
    kind = np.concatenate([st.tx_kind.astype(np.int8), np.full(n_exit, 2, dtype=np.int8)])
    amount_minor = np.concatenate([st.tx_amount, np.zeros(n_exit, dtype=np.int64)]).astype(np.int64)
    rule_names = [*st.rule_names, ""]
    rule = np.concatenate([st.tx_rule, np.full(n_exit, len(rule_names) - 1, dtype=np.int32)])
    leg_row = np.concatenate([np.searchsorted(lj, st.tx_journey) + st.tx_leg, gs]).astype(np.int64)
    exit_stop = np.concatenate([np.full(n_tx, -1), legs["alight_stop"].cat.codes.to_numpy()[ge]])
    exit_last = np.concatenate([np.zeros(n_tx, dtype=bool), last_trip])
    rank = np.array([1, 2, 0])[kind]  # exit, tap, adjustment at the same second
    card = journeys["card"].to_numpy()[journey]
    order = np.lexsort((leg, journey, rank, time_s, card))
    cols = (journey, card, leg, time_s, kind, amount_minor, rule, leg_row, exit_stop, exit_last)
    journey, card, leg, time_s, kind, amount_minor, rule, leg_row, exit_stop, exit_last = (
        x[order] for x in cols)
    is_tap, is_exit = kind == 0, kind == 2
    # a tap's distance is its trip's: the exit row of the same (journey, leg) carries it
    trip_at = np.full(len(legs), np.nan)
    trip_at[gs] = trip_metres / 1000.0
    first_tap = np.zeros(len(kind), dtype=bool)
    tap_rows = np.flatnonzero(is_tap)
    first_tap[tap_rows[group_starts(card[tap_rows])]] = True
    scale = 10 ** CURRENCY_DECIMALS.get(currency, 2)
    # the product is the leg's (its window rule, its pass): its tap, exit and adjustments alike
    of_leg = st.product if st.product is not None else np.full(len(legs), "", dtype=object)
    product_code, product_names = pd.factorize(np.where(of_leg == "", PAY_AS_YOU_GO, of_leg))
    # the card's fare medium, and its TIDES media type
    held = journeys["media"].cat
    medium = held.codes.to_numpy()[journey].astype(np.int64)  # -1: no medium
    types = [(media_types or {}).get(m, DEFAULT_TIDES_MEDIA) for m in [*held.categories, ""]]
    type_names = sorted({DEFAULT_TIDES_MEDIA, *types})
    media_type = np.array([type_names.index(t) for t in types])[medium]  # the last one for -1: none
    capped = np.array([*(Outcome(o).capped for o in st.rule_outcome.tolist()), False])[rule]
    # TIDES: "Transfer entrance" is an entry at no charge; a later tap that is charged is an "Enter"
    later_tap = np.where(amount_minor == 0, 1, 0)
    action = np.where(first_tap, 0,
                      np.where(is_tap, later_tap, np.where(kind == 1, 2, np.where(exit_last, 3, 4))))
    route_c, dir_c = legs["route"].cat.codes.to_numpy()[leg_row], legs["direction"].to_numpy()[leg_row]
    patterns = [f"{r}:{d}" for r in legs["route"].cat.categories for d in (0, 1)]
    stop_code = np.where(is_tap, legs["board_stop"].cat.codes.to_numpy()[leg_row], exit_stop)
    ids = pa.array(journey).cast(pa.string())
    # few distinct times: format each once
    times, time_code = np.unique(time_s, return_inverse=True)
    day0 = np.datetime64(service_date.isoformat(), "s")
    stamps = pc.strftime(pa.array(day0 + times.astype("timedelta64[s]")),
                         format="%Y-%m-%dT%H:%M:%S").to_pylist()
    n = len(kind)
    category = journeys["category"]

    def constant(value: str) -> pd.Categorical:
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])

    def coded(codes: np.ndarray, categories: Sequence[str] | pd.Index) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=categories)

    # perf: repeated strings are categoricals (dictionary-encoded in Parquet); only the
    # per-row identifiers are strings
    return pd.DataFrame(
        {
            "transaction_id": pd.array(
                pc.binary_join_element_wise(ids, pa.array(np.arange(n)).cast(pa.string()), "-"), dtype="str"),
            "service_date": constant(service_date.isoformat()),
            "event_timestamp": coded(time_code, stamps),
            "amount": amount_minor if scale == 1 else amount_minor / scale,
            "currency_type": constant(currency),
            "fare_action": coded(action, FARE_ACTIONS),
            "pattern_id": coded(np.where(kind != 1, route_c * 2 + dir_c, -1), patterns),
            "stop_id": coded(np.where(is_tap | is_exit, stop_code, -1), legs["board_stop"].cat.categories),
            "num_riders": 1,
            "fare_media_id": sorted_categorical(media_type, type_names),
            "rider_category": coded(category.cat.codes.to_numpy()[journey].astype(np.int64),
                                    category.cat.categories),
            "fare_product": sorted_categorical(product_code[leg_row], list(product_names)),
            "fare_capped": capped,
            "token_id": pd.array(pa.array(card).cast(pa.string()), dtype="str"),
            "card": card,
            "journey": journey,
            "leg": leg,
            "time_s": time_s,
            "type": coded(np.array([0, 2, 1])[kind], ["tap", "exit", "adjustment"]),
            "operator": coded(legs["operator"].cat.codes.to_numpy()[leg_row],
                              legs["operator"].cat.categories),
            "distance_km": np.where(is_tap, trip_at[leg_row], np.nan),
            "amount_minor": amount_minor,
            "rule": sorted_categorical(rule, rule_names),
            "media": pd.Categorical.from_codes(medium, categories=held.categories),
        }
    )
