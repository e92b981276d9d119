"""The fare engine: prices a card's legs under a :class:`~otrip_sim.fares.rules.FarePolicy`.

Two ways to price, which must agree (a property test checks it):

* :func:`price_card` — the whole card at once: group legs into windows, price each window.
* :class:`Card` — tap by tap, as a smart-card reader does: each tap gets a *provisional* charge
  from the card's state; when a window closes its legs get their *settled* fares and the
  difference is booked as adjustment transactions.

Pure Python: no SimPy, no pandas, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .apportion import largest_remainder
from .outcome import Outcome
from .rules import (
    DAY,
    CapWindow,
    Charge,
    FarePass,
    FarePolicy,
    FirstFareWindow,
    IntegratedWindow,
    Leg,
    OdChainWindow,
    PayDifferenceWindow,
    TransferMatrixWindow,
    TransferWindow,
    WindowRule,
    charge,
    joins,
)


def apply_period_caps(policy: FarePolicy, legs: Sequence[Leg], charges: list[Charge]) -> list[Charge]:
    """Limit settled charges by the policy's period caps, legs taken in order of ``board_time``.

    Every cap covering a leg's operator is checked at once, so the order of caps never matters;
    a leg reduced by a cap carries the rule ``<cap id>:capped`` (of the tightest cap).

    Parameters
    ----------
    policy:
        The policy whose ``period_caps`` apply.
    legs:
        One card's legs (board times in integer seconds), any order.
    charges:
        Their settled charges, aligned with ``legs`` (integer minor units).

    Returns
    -------
    list[Charge]
        The charges after the caps, aligned with ``legs`` (``charges`` itself without caps).
    """
    caps = policy.period_caps
    if not caps:
        return charges
    out = list(charges)
    paid: list[dict[int, int]] = [{} for _ in caps]
    history: list[list[tuple[int, int]]] = [[] for _ in caps]  # rolling weeks: (time, amount)
    for i in sorted(range(len(legs)), key=lambda k: legs[k].board_time):
        amount = out[i].amount
        if amount <= 0:
            continue
        leg = legs[i]
        best: tuple[int, str] | None = None
        keys: list[int | None] = []
        for c, cap in enumerate(caps):
            if leg.operator not in cap.operators:
                keys.append(None)
                continue
            t = leg.board_time - cap.day_start
            if cap.period == "rolling_week":
                key = t
                spent = sum(a for when, a in history[c] if when > leg.board_time - 7 * DAY)
            else:
                key = t // (DAY if cap.period == "day" else 7 * DAY)
                spent = paid[c].get(key, 0)
            keys.append(key)
            left = max(0, cap.cap - spent)
            if best is None or (left, cap.id) < best:
                best = (left, cap.id)
        if best is None:
            continue
        pay = min(amount, best[0])
        if pay < amount:
            out[i] = charge(pay, best[1], Outcome.PERIOD_CAPPED)
        for c, cap_key in enumerate(keys):
            if cap_key is None:
                continue
            if caps[c].period == "rolling_week":
                history[c].append((leg.board_time, pay))
            else:
                paid[c][cap_key] = paid[c].get(cap_key, 0) + pay
    return out


class PassState:
    """The passes a card has bought: which period each one is valid for."""

    __slots__ = ("_bought", "_period")

    def __init__(self) -> None:
        self._period: dict[str, int] = {}
        self._bought: dict[str, int] = {}

    def charge(self, fare_pass: FarePass, leg: Leg) -> Charge:
        """The pass's charge for ``leg``: its price (integer minor units) when the leg starts a new
        validity period, which it records, else 0."""
        key, bought = fare_pass.period(leg.board_time, self._bought.get(fare_pass.id))
        if self._period.get(fare_pass.id) == key:
            return charge(0, fare_pass.id, Outcome.PASS)
        self._period[fare_pass.id] = key
        self._bought[fare_pass.id] = bought
        return charge(fare_pass.price, fare_pass.id, Outcome.PASS_PURCHASE)


def paid_area_charge(leg: Leg) -> Charge:
    """A change inside an operator's paid area: no tap, nothing charged."""
    return charge(0, leg.operator, Outcome.PAID_AREA)


def extend(leg: Leg, extra_m: int, exit_stop: str | None) -> Leg:
    """The tapped ``leg`` extended by the untapped paid-area legs that follow it: their metres are
    added (so they count towards a window's distance and the leg's settlement weight, and a
    distance fare prices entry to exit) and the rider's exit stop becomes the leg's alight stop.

    ``extra_m`` is the followers' distance in integer metres; ``exit_stop`` the last follower's
    alight stop (``None``: no follower, or its stop is not known).
    """
    if not extra_m and exit_stop is None:
        return leg
    alight_stop = exit_stop if exit_stop is not None else leg.alight_stop
    return replace(leg, metres=leg.metres + extra_m, alight_stop=alight_stop)


def price_window(policy: FarePolicy, rule: WindowRule, legs: Sequence[Leg]) -> list[Charge]:
    """Settled charges of the tapped legs of one window, in tap order.

    Parameters
    ----------
    policy:
        The policy (for the legs' own fares).
    rule:
        The window's rule.
    legs:
        The window's legs, extended by :func:`extend`, in tap order.

    Returns
    -------
    list[Charge]
        One charge per leg, integer minor units.
    """
    if isinstance(rule, CapWindow):
        charges = []
        paid = 0
        for leg in legs:
            own = policy.own_fare(leg).amount
            pay = min(own, rule.cap - paid)
            paid += pay
            if pay == own:
                kind = Outcome.WINDOW_OWN
            else:
                kind = Outcome.WINDOW_REMAINDER if pay > 0 else Outcome.WINDOW_CAPPED
            charges.append(charge(pay, rule.id, kind))
        return charges
    if isinstance(rule, FirstFareWindow):
        first = policy.own_fare(legs[0]).amount
        free = charge(0, rule.id, Outcome.WINDOW_FREE)
        return [charge(first, rule.id, Outcome.WINDOW_FIRST)] + [free] * (len(legs) - 1)
    if isinstance(rule, TransferWindow):
        own_charges = [policy.own_fare(leg) for leg in legs]
        return [own_charges[0]] + [rule.transfer_charge(c) for c in own_charges[1:]]
    if isinstance(rule, OdChainWindow):
        alone = [policy.own_fare(leg) for leg in legs]
        head, tail = legs[0], legs[-1]
        if len(legs) == 1 or not rule.prices(head.board_stop, tail.alight_stop):
            return alone
        effective = replace(head, metres=sum(leg.metres for leg in legs), alight_stop=tail.alight_stop,
                            alight_time=tail.alight_time, tapped_out=tail.tapped_out)
        total = rule.fare.price(effective).amount
        return [charge(share, rule.id, Outcome.OD_CHAIN)
                for share in largest_remainder(total, [c.amount for c in alone])]
    if isinstance(rule, TransferMatrixWindow):
        fares = [policy.own_fare(leg) for leg in legs]
        return [fares[0]] + [rule.pairs[(a.operator, b.operator)].charge(rule.id, o.amount, before.amount)
                             for a, b, o, before in zip(legs, legs[1:], fares[1:], fares)]
    if isinstance(rule, PayDifferenceWindow):
        charges = []
        credit = 0  # the dearest own fare the window has covered so far
        for k, leg in enumerate(legs):
            own = policy.own_fare(leg).amount
            if k == 0:
                charges.append(charge(own, rule.id, Outcome.WINDOW_FIRST))
            elif own > credit:
                charges.append(charge(own - credit, rule.id, Outcome.PAY_DIFFERENCE))
            else:
                charges.append(charge(0, rule.id, Outcome.WINDOW_FREE))
            credit = max(credit, own)
        return charges
    # IntegratedWindow
    standalone = [policy.own_fare(leg) for leg in legs]
    if len({leg.operator for leg in legs}) < rule.min_operators:
        return standalone
    metres = [leg.metres for leg in legs]
    km = (sum(metres) + 500) // 1000  # the window's total, rounded to the nearest km, halves up
    tariff = rule.base + rule.per_km * km
    total = min(rule.cap, tariff)
    if rule.cheaper_of_standalone and sum(c.amount for c in standalone) < total:
        return [charge(c.amount, rule.id, Outcome.STANDALONE_CHEAPER) for c in standalone]
    weights = list(metres)
    weights[0] += rule.first_leg_weight_m
    kind = Outcome.INTEGRATED_CAPPED if tariff > rule.cap else Outcome.INTEGRATED  # the cap bound
    return [charge(share, rule.id, kind) for share in largest_remainder(total, weights)]


def window_start(policy: FarePolicy, rule: WindowRule, legs: Sequence[Leg]) -> int:
    """When the window of ``rule`` made of ``legs`` (in tap order) started: its first tap-in, or,
    for a pay-the-difference window that restarts, the last tap-in that paid a difference
    (integer seconds)."""
    if isinstance(rule, PayDifferenceWindow) and rule.restart:
        for leg, c in zip(reversed(legs), reversed(price_window(policy, rule, legs))):
            if c.outcome is Outcome.PAY_DIFFERENCE:
                return leg.board_time
    return legs[0].board_time


def price_card(policy: FarePolicy, legs: Sequence[Leg]) -> list[Charge]:
    """Settled charge of every leg of one card (one rider's data).

    Precedence: paid-area changes are free and extend the tapped leg before them; category
    exemptions come next and are invisible to windows, as legs without a fare product; then
    passes; then window rules; then standalone fares; period caps last.

    Parameters
    ----------
    policy:
        The fare policy.
    legs:
        The card's legs (times in integer seconds, distances in integer metres), any order; they
        are taken in order of ``board_time`` (ties in input order).

    Returns
    -------
    list[Charge]
        One charge per leg, aligned with ``legs``, integer minor units.
    """
    n = len(legs)
    order = sorted(range(n), key=lambda k: legs[k].board_time)
    extra_m = [0] * n
    exit_stop: list[str | None] = [None] * n
    host = -1  # the last tapped leg, which untapped paid-area legs extend
    for i in order:
        if legs[i].tapped:
            host = i
        elif host >= 0:
            extra_m[host] += legs[i].metres
            exit_stop[host] = legs[i].alight_stop
    charges: list[Charge | None] = [None] * n
    pass_state = PassState()
    windows: list[tuple[WindowRule, list[int]]] = []
    open_window: dict[str, list[int]] = {}  # rule id -> members of its open window
    full = [extend(legs[i], extra_m[i], exit_stop[i]) for i in range(n)]
    for i in order:
        leg = full[i]
        if not leg.tapped:
            charges[i] = paid_area_charge(leg)
            continue
        exempt = policy.exemption(leg.category, leg.operator)
        if exempt is not None:
            charges[i] = charge(0, exempt, Outcome.EXEMPT)
            continue
        unpriced = policy.no_fare(leg)
        if unpriced is not None:
            charges[i] = unpriced
            continue
        fare_pass = policy.pass_for(leg)
        if fare_pass is not None:
            charges[i] = pass_state.charge(fare_pass, leg)
            continue
        rule = policy.window_for(leg)
        if rule is None:
            charges[i] = policy.own_fare(leg)
            continue
        current = open_window.get(rule.id)
        # the leg as tapped decides whether it joins, as a card reader sees it (an OD chain asks
        # for its alighting stop; paid-area changes after it come later)
        if current is None or not joins(rule, full[current[0]], full[current[-1]], len(current), legs[i],
                                        window_start(policy, rule, [full[k] for k in current])):
            current = open_window[rule.id] = []
            windows.append((rule, current))
        current.append(i)
    for rule, members in windows:
        for i, c in zip(members, price_window(policy, rule, [full[i] for i in members])):
            charges[i] = c
    return apply_period_caps(policy, full, charges)  # type: ignore[arg-type]  # every slot was filled above


@dataclass(frozen=True, slots=True)
class Transaction:
    """One line of a card's transaction log (TIDES ``fare_transactions`` style).

    Per card the amounts sum to the settled fares.

    Attributes
    ----------
    leg:
        The leg's index on the card, in tap order.
    time:
        When it was booked, integer seconds.
    kind:
        ``"tap"`` (the provisional charge at a tap-in) or ``"adjustment"`` (a settlement correction
        booked when the leg's window closed, a paid-area change re-priced the leg or a period cap
        refunded part of it).
    amount:
        Integer minor units (negative: a refund).
    rule, outcome, source:
        As in :class:`~otrip_sim.fares.rules.Charge`.
    """

    leg: int
    time: int
    kind: str
    amount: int
    rule: str
    outcome: Outcome = field(default=Outcome.FLAT, compare=False)
    source: str = field(default="", compare=False)


@dataclass
class _OpenWindow:
    rule: WindowRule
    start: int
    number: int
    members: list[int] = field(default_factory=list)
    paid: int = 0


class Card:
    """A smart card priced tap by tap.

    Parameters
    ----------
    policy:
        The fare policy.

    Attributes
    ----------
    legs:
        The legs as tapped, each extended by the paid-area changes after it.
    provisional:
        Per leg: what its tap-in charged, integer minor units.
    settled:
        Per leg: its settled charge (``None`` while its window is open).
    window:
        Per leg: its window number within the card (``-1``: none).
    transactions:
        The card's transaction log.

    Examples
    --------
    >>> from otrip_sim.fares.rules import FarePolicy, FlatFare, Leg
    >>> card = Card(FarePolicy("flat", {"bus": FlatFare("bus", 3500)}))
    >>> card.tap(Leg("bus", 3600)).amount
    3500
    >>> [c.amount for c in card.settle()]
    [3500]
    """

    __slots__ = ("_host", "_last_t", "_open", "_passes", "_windows", "legs", "policy", "provisional",
                 "settled", "transactions", "window")

    def __init__(self, policy: FarePolicy):
        self.policy = policy
        self.legs: list[Leg] = []  # as tapped, each extended by the paid-area legs after it
        self.provisional: list[int] = []
        self.settled: list[Charge | None] = []
        # window number of each leg within the card (-1: in no window); a paid-area change
        # belongs to the window of the leg it extends.  Revenue clearing works window by window.
        self.window: list[int] = []
        self.transactions: list[Transaction] = []
        self._open: dict[str, _OpenWindow] = {}
        self._host = -1
        self._last_t = -1
        self._windows = 0
        self._passes = PassState()

    def tap(self, leg: Leg) -> Charge:
        """Register a boarding and return its provisional charge.

        The charge of a leg outside any window, or in a cap window, is already final; in an
        integrated window it is the window's running price minus what the window has collected so
        far (it may be negative: a refund).

        Parameters
        ----------
        leg:
            The boarding (times in integer seconds, distance in integer metres); legs must come in
            order of ``board_time``.

        Returns
        -------
        Charge
            The provisional charge, integer minor units.
        """
        if leg.board_time < self._last_t:
            raise ValueError("taps must come in order of board_time")
        self._last_t = leg.board_time
        i = len(self.legs)
        self.legs.append(leg)
        policy = self.policy
        if not leg.tapped:
            # No tap, so no window closes here: the change extends the last tapped leg, whose
            # window (if any) is still open and settles with the extended leg.
            h = self._host
            self.window.append(self.window[h] if h >= 0 else -1)
            if h >= 0:
                self.legs[h] = extend(self.legs[h], leg.metres, leg.alight_stop)
                for w in self._open.values():  # a longer leg may change where its window restarted
                    if h in w.members:
                        w.start = window_start(policy, w.rule, [self.legs[k] for k in w.members])
                before = self.settled[h]
                if before is not None and policy.pass_for(self.legs[h]) is None:
                    # the host's own fare was final: price entry to exit again (a pass does not
                    # depend on the distance)
                    after = policy.standalone_charge(self.legs[h])
                    if after.amount != before.amount:
                        self.transactions.append(Transaction(h, leg.board_time, "adjustment",
                                                             after.amount - before.amount, after.rule,
                                                             after.outcome, after.source))
                    self.settled[h] = after
            return self._final(i, paid_area_charge(leg))
        self.close(before=leg.board_time)
        self._host = i
        exempt = policy.exemption(leg.category, leg.operator)
        unpriced = policy.no_fare(leg) if exempt is None else None
        fare_pass = policy.pass_for(leg) if exempt is None and unpriced is None else None
        rule = policy.window_for(leg) if exempt is None and unpriced is None and fare_pass is None else None
        if rule is None:
            self.window.append(-1)
            if exempt is not None:
                return self._final(i, charge(0, exempt, Outcome.EXEMPT))
            if unpriced is not None:
                return self._final(i, unpriced)
            if fare_pass is not None:
                return self._final(i, self._passes.charge(fare_pass, leg))
            return self._final(i, policy.own_fare(leg))
        window = self._open.get(rule.id)
        if window is not None and not joins(rule, self.legs[window.members[0]], self.legs[window.members[-1]],
                                            len(window.members), leg, window.start):
            self._settle_window(rule.id, leg.board_time)
            window = None
        if window is None:
            window = self._open[rule.id] = _OpenWindow(rule, leg.board_time, self._windows)
            self._windows += 1
        window.members.append(i)
        self.window.append(window.number)
        members = [self.legs[k] for k in window.members]
        running = price_window(policy, rule, members)
        window.start = window_start(policy, rule, members)
        amount = sum(c.amount for c in running) - window.paid
        window.paid += amount
        self.provisional.append(amount)
        self.settled.append(None)
        last = running[-1]
        self.transactions.append(Transaction(i, leg.board_time, "tap", amount, last.rule, last.outcome,
                                             last.source))
        return Charge(amount, last.rule, last.outcome, last.source)

    def _final(self, i: int, charge: Charge) -> Charge:
        self.provisional.append(charge.amount)
        self.settled.append(charge)
        if not (charge.amount == 0 and not self.legs[i].tapped):
            self.transactions.append(Transaction(i, self.legs[i].board_time, "tap", charge.amount,
                                                 charge.rule, charge.outcome, charge.source))
        return charge

    def close(self, before: int | None = None) -> list[int]:
        """Settle the windows that have closed by time ``before`` (all of them if ``None``).

        A window closes ``duration`` seconds after its first tap-in: a tap later than that cannot
        join it (a transfer chain closes only when a tap cannot join it, or here with ``None``).

        Parameters
        ----------
        before:
            A time, integer seconds (``None``: the end of the card's data).

        Returns
        -------
        list[int]
            The indices of legs whose fare became final.
        """
        done: list[int] = []
        if not self._open:  # perf: called before every tap; most cards have no open window
            return done
        for rid, window in list(self._open.items()):
            if before is None:
                done += self._settle_window(rid, max(self.legs[k].board_time for k in window.members))
            elif not isinstance(window.rule, TransferWindow) and before > window.start + window.rule.duration:
                # a transfer chain may go on as long as each next leg is in time: it closes when
                # a leg cannot join it (in tap) or at the end of the card's data
                done += self._settle_window(rid, window.start + window.rule.duration)
        return done

    def _settle_window(self, rid: str, at: int) -> list[int]:
        window = self._open.pop(rid)
        members = window.members
        charges = price_window(self.policy, window.rule, [self.legs[k] for k in members])
        for k, settled in zip(members, charges):
            self.settled[k] = settled
            delta = settled.amount - self.provisional[k]
            if delta:
                self.transactions.append(
                    Transaction(k, at, "adjustment", delta, settled.rule, settled.outcome, settled.source))
        return list(members)

    def windows(self) -> list[dict[str, object]]:
        """The open windows: ``rule``, ``start``, ``closes`` (last second a tap can join, counted
        from the window's start), ``legs``, ``paid`` (collected so far), ``cap_remaining``
        (``None`` without a cap), ``transfers`` used (transfer rules only) and ``credit`` (the dearest
        own fare covered so far; pay-the-difference rules only)."""
        out: list[dict[str, object]] = []
        for w in self._open.values():
            cap = w.rule.cap if isinstance(w.rule, (CapWindow, IntegratedWindow)) else None
            out.append({
                "rule": w.rule.id, "start": w.start, "closes": w.start + w.rule.duration,
                "legs": len(w.members), "paid": w.paid,
                "cap_remaining": None if cap is None else cap - w.paid,
                "transfers": (len(w.members) - 1 if isinstance(w.rule, (TransferWindow, TransferMatrixWindow))
                              else None),
                "credit": (max(self.policy.own_fare(self.legs[k]).amount for k in w.members)
                           if isinstance(w.rule, PayDifferenceWindow) else None),
            })
        return out

    def settle(self) -> list[Charge]:
        """Close every window (end of the card's data), apply period caps (a refund booked as an
        adjustment) and return all settled charges in tap order (integer minor units)."""
        self.close()
        settled: list[Charge] = self.settled  # type: ignore[assignment]  # all windows closed: no None left
        capped = apply_period_caps(self.policy, self.legs, settled)
        for k, (before, after) in enumerate(zip(settled, capped)):
            if after.amount != before.amount:
                self.transactions.append(Transaction(k, self.legs[k].board_time, "adjustment",
                                                     after.amount - before.amount, after.rule, after.outcome,
                                                     after.source))
        self.settled = list(capped)
        return self.settled  # type: ignore[return-value]  # every leg settled: no None left
