"""The columns pricing reads and writes: a table of legs in, their priced fares out.

:class:`LegTable` is what every caller of :func:`otrip_sim.fares.price` builds (settlement after a
run, path and mode choice for candidate paths, replay for tap files); :class:`Priced` is what it
gets back.  Both are plain numpy columns aligned row by row, so a caller never needs to know which
engine priced them or how a rule works.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .outcome import Outcome, rule_id

Codes = dict[str, tuple[dict[Any, int], np.ndarray]]
"""Precomputed integer codes of a string column: name → (value → code, code of every row)."""


@dataclass
class LegTable:
    """Legs as aligned columns, one row per boarding; rows may come in any order.

    Columns
    -------
    card:
        The card (smart card, ticket) a leg was made with: integers, or any sortable values.  The
        legs of one card are priced together, in order of ``board_time`` (ties in row order).
    operator:
        Operator id of the vehicle boarded (strings, or integer codes given in ``codes``).
    board_time:
        Tap-in time, integer seconds of the service day (later days count on: 86,400 s a day).
    metres:
        In-vehicle distance, integer metres (0 where unknown and not needed).
    category:
        Rider category id (strings, or integer codes given in ``codes``).
    board_stop, alight_stop:
        Stop ids (``""``: not known); only station-table and zone fares read them.
    route:
        Route id (``""``: none; strings, or integer codes given in ``codes``).
    tapped:
        ``False`` for a change inside an operator's paid area: no tap; the leg extends the tapped
        leg before it on the same card (its metres and exit stop join that leg).
    tapped_out:
        ``False`` when the rider did not tap out (a distance fare then charges its maximum).
    alight_time:
        Tap-out time, seconds (``-1``: not known).
    media:
        Fare medium the card is (``""``: whatever the policy's rules require).
    codes:
        Optional precomputed codes of ``operator``, ``category`` and ``route`` (see :data:`Codes`):
        pass them when those columns are integer codes.
    """

    card: np.ndarray
    operator: np.ndarray
    board_time: np.ndarray
    metres: np.ndarray
    category: np.ndarray
    board_stop: np.ndarray
    alight_stop: np.ndarray
    route: np.ndarray
    tapped: np.ndarray | None = None
    tapped_out: np.ndarray | None = None
    alight_time: np.ndarray | None = None
    media: np.ndarray | None = None
    codes: Codes = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.card)
        if self.tapped is None:
            self.tapped = np.ones(n, dtype=bool)
        if self.tapped_out is None:
            self.tapped_out = np.ones(n, dtype=bool)
        if self.alight_time is None:
            self.alight_time = np.full(n, -1, dtype=np.int64)
        if self.media is None:
            self.media = np.full(n, "", dtype=object)

    def __len__(self) -> int:
        return len(self.card)

    def take(self, idx: np.ndarray) -> LegTable:
        """The rows ``idx`` (positions), codes included."""
        cols = {f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name != "codes"}
        codes = {name: (index, values[idx]) for name, (index, values) in self.codes.items()}
        return LegTable(**cols, codes=codes)

    def names(self, column: str) -> np.ndarray:
        """A string column as strings (decoding integer codes), as an object array."""
        values = getattr(self, column)
        if column not in self.codes:
            return np.asarray(values, dtype=object)
        index, codes = self.codes[column]
        lookup = np.empty(max(index.values(), default=-1) + 1, dtype=object)
        for name, code in index.items():
            lookup[code] = name
        return lookup[codes] if len(codes) else np.zeros(0, dtype=object)


class RuleTable:
    """Rule ids as small integer codes, each with its source and :class:`Outcome`.

    Codes are given in order of first use.

    Attributes
    ----------
    names:
        ``names[k]``: the rule id of code ``k``, as written to outputs.
    sources:
        ``sources[k]``: the id of the operator, window, pass, category rule or cap that decided it.
    outcomes:
        ``outcomes[k]``: what happened (``int`` values of :class:`Outcome`; :attr:`outcome` as
        ``int8``).
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self.sources: list[str] = []
        self.outcomes: list[int] = []
        self._code: dict[str, int] = {}

    def code(self, name: str, source: str, outcome: Outcome) -> int:
        """The code of rule id ``name`` (registered with its source and outcome on first use)."""
        c = self._code.get(name)
        if c is None:
            c = self._code[name] = len(self.names)
            self.names.append(name)
            self.sources.append(source)
            self.outcomes.append(int(outcome))
        return c

    def code_for(self, source: str, outcome: Outcome, band: str = "") -> int:
        """The code of the rule id built from ``source`` and ``outcome`` (see
        :func:`~otrip_sim.fares.outcome.rule_id`; ``band``: a time band's name)."""
        return self.code(rule_id(source, outcome, band), source, outcome)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def outcome(self) -> np.ndarray:
        """Outcome of every code, ``int8``."""
        return np.array(self.outcomes, dtype=np.int8)

    @property
    def source(self) -> np.ndarray:
        """Source of every code, an object array."""
        return np.array(self.sources, dtype=object)


@dataclass
class Transactions:
    """A card transaction log (TIDES ``fare_transactions`` style), one row per transaction.

    Per card the amounts sum to the settled fares.  Rows come card by card; within a card in the
    order the card booked them.

    Columns
    -------
    leg:
        The row of the priced :class:`LegTable`.
    time:
        When it was booked, integer seconds.
    kind:
        :data:`TAP` (the provisional charge at a tap-in) or :data:`ADJUSTMENT` (a settlement
        correction booked when the leg's window closed, or a paid-area change re-priced the leg).
    amount:
        Integer minor units (negative: a refund).
    rule:
        A code into the result's :class:`RuleTable`.
    """

    leg: np.ndarray
    time: np.ndarray
    kind: np.ndarray
    amount: np.ndarray
    rule: np.ndarray


TAP, ADJUSTMENT = 0, 1
"""Transaction kinds."""


@dataclass
class Priced:
    """What :func:`otrip_sim.fares.price` found, aligned with the rows of its :class:`LegTable`.

    Columns
    -------
    fare:
        Settled fare of the leg, integer minor units (0 for a paid-area change).
    rule:
        Code of the rule that set it, into ``rules``.
    own:
        The leg's standalone fare (category rules, exemptions included, applied; a tapped leg
        extended by its paid-area changes), before any window; 0 for a paid-area change.
    window:
        Number of the fare window the leg is in within its card, in the order the card's windows
        opened (``-1``: none); a paid-area change is in its tapped leg's window.
    provisional:
        What the tap-in charged before the leg's window settled (``None`` unless a log was asked).
    transactions:
        The card transaction log (``None`` unless asked).
    """

    fare: np.ndarray
    rule: np.ndarray
    own: np.ndarray
    window: np.ndarray
    rules: RuleTable
    provisional: np.ndarray | None = None
    transactions: Transactions | None = None

    def outcome(self) -> np.ndarray:
        """Outcome of every leg (``int8`` values of :class:`Outcome`)."""
        return self.rules.outcome[self.rule] if len(self.rules) else np.zeros(len(self.rule), dtype=np.int8)

    def rule_names(self) -> np.ndarray:
        """Rule id of every leg, an object array."""
        if not len(self.rules):
            return np.zeros(0, dtype=object)
        return np.array(self.rules.names, dtype=object)[self.rule]
