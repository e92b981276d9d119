"""Candidate paths: hand-computed search costs on the tiny city, and the rules every candidate keeps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from otrip_sim.demand import zone_access
from otrip_sim.network import build_network
from otrip_sim.paths import PathTable, find_paths
from otrip_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny():
    loaded = load_scenario(ROOT / "scenarios" / "tiny" / "tiny.yaml")
    net = build_network(loaded)
    access = zone_access(loaded.spec.demand, net.stop_ids)
    pairs = [("hill", "port"), ("port", "hill"), ("hill", "park"), ("market", "port"), ("port", "port")]
    return net, loaded.spec.choice, find_paths(net, access, pairs, loaded.spec.choice), pairs


def _describe(net, path):
    out = []
    for leg in path.legs:
        line = net.lines[leg.line]
        out.append((line.route, net.stop_ids[line.stops[leg.board]], net.stop_ids[line.stops[leg.alight]],
                    leg.walk_s, leg.tapped))
    return out


def test_hand_computed_candidates_hill_to_port(tiny):
    net, _, table, _ = tiny
    cands = table.candidates(0)
    # Bus 1 straight through: wait = median headway (10 and 6 min) / 2 = 240 s x wait_weight 1.5
    # = 360, ride 16 km at 12 km/h = 4,800 s -> 5,160.
    # Bus 1 to Market (5,332 m, 1,600 s) + its wait 360, walk 150 m to the metro (125 s x 2 = 250),
    # metro wait 480 / 2 x 1.5 = 360, transfer penalty 300, metro 720 s, walk 150 m out (250) -> 3,840.
    assert [round(p.cost_s) for p in cands[:2]] == [3840, 5160]
    assert _describe(net, cands[0]) == [("bus-1", "hill", "market", 0, True),
                                        ("metro-1", "m_market", "m_port", 125, True)]
    assert cands[0].egress_s == 125
    assert _describe(net, cands[1]) == [("bus-1", "hill", "port", 0, True)]


def test_candidates_keep_the_rules(tiny):
    net, choice, table, pairs = tiny
    assert len(table.pair_count) == len(pairs)
    for k in range(len(pairs)):
        cands = table.candidates(k)
        assert 0 < len(cands) <= choice.max_paths or pairs[k][0] == pairs[k][1]
        costs = [p.cost_s for p in cands]
        assert costs == sorted(costs) and all(c <= costs[0] * 2 + 900 for c in costs)
        for p in cands:
            routes = [net.lines[leg.line].route_index for leg in p.legs]
            assert len(routes) == len(set(routes))  # never the same route twice
            assert len(p.legs) <= choice.max_transfers + 1
            assert p.legs[0].tapped
            for a, b in zip(p.legs, p.legs[1:]):
                came, at = net.lines[a.line].stops[a.alight], net.lines[b.line].stops[b.board]
                assert came == at or (at in dict(net.walks[came]))  # same stop or one walking link
                area = net.stop_paid_area[came]
                inside = (area is not None and area == net.stop_paid_area[at]
                          == net.lines[a.line].operator == net.lines[b.line].operator)
                assert b.tapped == (not inside)


def test_a_change_inside_the_bus_paid_area_is_untapped(tiny):
    net, _, table, _ = tiny
    # Port -> Hill via the metro, then the Market-Park shuttle, then bus 1: the change from the
    # shuttle to bus 1 at Park stays inside the bus paid area
    found = [_describe(net, p) for p in table.candidates(1)]
    assert [("metro-1", "m_port", "m_market", 125, True), ("bus-2", "market", "park", 125, True),
            ("bus-1", "park", "hill", 0, False)] in found


def test_path_table_round_trip(tiny):
    _, _, table, pairs = tiny
    paths = [table.candidates(k) for k in range(len(pairs))]
    again = PathTable.from_paths(paths)
    assert [again.candidates(k) for k in range(len(pairs))] == paths


def test_boarding_constants_enter_the_search_costs(tiny):
    """The operators' boarding constants (calibration) are added per boarding in the search, as
    path choice adds them, so a rail bonus draws rail paths into the candidates.  Hill → port
    (hand costs above): metro path 3,840 = bus boarding + metro boarding, bus-only 5,160."""
    net, choice, _, pairs = tiny
    loaded = load_scenario(ROOT / "scenarios" / "tiny" / "tiny.yaml")
    access = zone_access(loaded.spec.demand, net.stop_ids)

    def costs(per_route: dict[str, float]) -> list[tuple[int, list[str]]]:
        boarding = np.array([per_route.get(ln.route.split("-")[0], 0.0) for ln in net.lines])
        table = find_paths(net, access, pairs[:1], choice, boarding=boarding)
        cands = table.candidates(0)[:2]
        return [(round(p.cost_s), [net.lines[leg.line].route for leg in p.legs]) for p in cands]

    assert costs({"metro": -600}) == [(3240, ["bus-1", "metro-1"]), (5160, ["bus-1"])]
    assert costs({"bus": 2000}) == [(5840, ["bus-1", "metro-1"]), (7160, ["bus-1"])]
    # a search cost below zero: candidates within 900 s of the best are kept, the bus-only path
    # (6,320 s dearer) is dropped as nobody would take it
    best = costs({"metro": -5000})
    assert best[0] == (-1160, ["bus-1", "metro-1"]) and all(c <= -1160 + 900 for c, _ in best)
