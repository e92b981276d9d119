"""FarePolicy validation and the three Jakarta policies' structure (§3)."""

from __future__ import annotations

import dataclasses

import pytest
from builders import BASELINE, JAKLINGKO, OKOTRIP

from otrip_sim.fares import (
    CapWindow,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
)


def flat(*ops):
    return {op: FlatFare(op, 1_000) for op in ops}


def test_operator_in_two_windows_is_rejected():
    w1 = CapWindow("a", frozenset({"bus", "rail"}), 3_600, 5_000)
    w2 = FirstFareWindow("b", frozenset({"rail"}), 3_600)
    with pytest.raises(ValueError, match="two window rules"):
        FarePolicy("p", flat("bus", "rail"), windows=(w1, w2))


def test_window_with_unknown_operator_is_rejected():
    w = IntegratedWindow("i", frozenset({"bus", "ferry"}), 3_600, 2_500, 250, 10_000)
    with pytest.raises(ValueError, match="no standalone fare"):
        FarePolicy("p", flat("bus"), windows=(w,))


def test_disjoint_windows_are_accepted():
    w1 = CapWindow("a", frozenset({"bus"}), 3_600, 5_000)
    w2 = FirstFareWindow("b", frozenset({"rail"}), 3_600)
    policy = FarePolicy("p", flat("bus", "rail", "ferry"), windows=(w1, w2))
    assert policy.window_of("bus") is w1
    assert policy.window_of("rail") is w2
    assert policy.window_of("ferry") is None


def test_policy_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BASELINE.name = "x"  # type: ignore[misc]


def test_jakarta_operators_per_policy():
    assert set(BASELINE.standalone) == {"transjakarta", "angkot", "krl", "royaltrans"}
    assert set(OKOTRIP.standalone) == {"transjakarta", "angkot", "krl", "royaltrans", "mikrotrans"}
    operators = {"transjakarta", "mikrotrans", "angkot", "krl", "mrt", "lrt", "royaltrans"}
    assert set(JAKLINGKO.standalone) == operators


def test_jakarta_windows():
    assert BASELINE.windows == ()
    assert {op for op in OKOTRIP.standalone if OKOTRIP.window_of(op)} == {"transjakarta", "mikrotrans"}
    assert {op for op in JAKLINGKO.standalone if JAKLINGKO.window_of(op)} == {"transjakarta", "mrt", "lrt"}
    assert JAKLINGKO.window_of("royaltrans") is None and OKOTRIP.window_of("royaltrans") is None


def test_jakarta_free_exemptions():
    exempt = {op for op in JAKLINGKO.standalone if JAKLINGKO.exemption("free", op)}
    assert exempt == {"transjakarta", "mikrotrans", "mrt", "lrt"}
    assert JAKLINGKO.exemption("adult", "transjakarta") is None
    assert {op for op in BASELINE.standalone if BASELINE.exemption("free", op)} == {"transjakarta"}
