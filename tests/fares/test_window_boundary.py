"""A window's time limit, inclusive (the default: a tap exactly ``duration`` after the start
joins) or exclusive (ORCA's "within 2 hours" means less than 120 minutes), for every window kind."""

from __future__ import annotations

import pytest

from otrip_sim import InputError, load_scenario
from otrip_sim.fares import Leg, price, price_card
from otrip_sim.fares.vector import as_arrays
from otrip_sim.policy import compile_policy

M = 60
WINDOWS = {
    "cap": {"cap": 6000},
    "integrated": {"base": 2500, "per_km": 250, "cap": 10000, "min_operators": 1},
    "first_fare": {},
    "transfer": {},
    "pay_difference": {},
}


def _policy(write_scenario, kind, boundary=None, name="scenario.yaml"):
    rule = {"kind": kind, "id": "w", "operators": ["bus", "metro"], "duration": "120min", **WINDOWS[kind]}
    if boundary is not None:
        rule["boundary"] = boundary

    def edit(doc):
        doc["fares"]["windows"] = [rule]
        doc["fares"]["categories"] = []

    return compile_policy(load_scenario(write_scenario(edit, name)).spec.fares)


@pytest.mark.parametrize("kind", sorted(WINDOWS))
def test_exclusive_means_less_than_the_duration(write_scenario, kind):
    inclusive = _policy(write_scenario, kind)
    exclusive = _policy(write_scenario, kind, "exclusive", "b.yaml")
    assert inclusive.windows[0].duration == 7200
    assert exclusive.windows[0].duration == 7199  # whole seconds: < 7,200 s is ≤ 7,199 s
    # bus 3,500 at 08:00, bus again at exactly 10:00 (and at 09:59:59)
    at_120 = [Leg("bus", 8 * 3600), Leg("bus", 10 * 3600)]
    at_119 = [Leg("bus", 8 * 3600), Leg("bus", 10 * 3600 - 1)]
    joined, alone = SECOND_LEG[kind]
    assert price_card(inclusive, at_120)[1].amount == joined
    assert price_card(exclusive, at_119)[1].amount == joined
    assert price_card(exclusive, at_120)[1].amount == alone
    for backend in ("vector", "card") if kind != "transfer" else ("card",):  # transfers: card engine only
        assert price(exclusive, as_arrays(at_120, [0, 0]), backend=backend).window.tolist() == [0, 1]
        assert price(inclusive, as_arrays(at_120, [0, 0]), backend=backend).window.tolist() == [0, 0]


# the second of two 3,500 bus legs, in the first leg's window / in a window of its own
SECOND_LEG = {
    "cap": (2500, 3500),  # what is left of the 6,000 cap / its own fare
    "integrated": (0, 2500),  # 0 km: the window's 2,500 all on its first leg / a window's base
    "first_fare": (0, 3500),
    "transfer": (0, 3500),
    "pay_difference": (0, 3500),
}


def test_orca_within_two_hours_from_the_scenario_file(write_scenario):
    # OTP's ORCA case on the tiny city's bus fare: legs every 30 min from 08:00 to 10:30 pay two
    # fares either way, but under "< 120 min" the 10:00 leg opens the second window, under
    # "≤ 120 min" it still joins the first and the 10:30 leg opens the second
    legs = [Leg("bus", 8 * 3600 + k * 30 * M) for k in range(6)]
    exclusive = _policy(write_scenario, "pay_difference", "exclusive")
    inclusive = _policy(write_scenario, "pay_difference", "inclusive", "b.yaml")
    assert [c.amount for c in price_card(exclusive, legs)] == [3500, 0, 0, 0, 3500, 0]
    assert [c.amount for c in price_card(inclusive, legs)] == [3500, 0, 0, 0, 0, 3500]


def test_boundary_validation_is_located(write_scenario):
    def edit(rule):
        def apply(doc):
            doc["fares"]["windows"] = [rule]
        return apply

    rule = {"kind": "cap", "id": "w", "operators": ["bus"], "duration": "120min", "cap": 5,
            "boundary": "open"}
    with pytest.raises(InputError, match=r"fares\.windows\[0\]\.boundary"):
        load_scenario(write_scenario(edit(rule)))
    rule = {"kind": "first_fare", "id": "w", "operators": ["bus"], "duration": 0, "boundary": "exclusive"}
    with pytest.raises(InputError, match=r"fares\.windows\[0\].*exclusive boundary needs a duration"):
        load_scenario(write_scenario(edit(rule), "b.yaml"))
