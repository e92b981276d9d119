"""The new window constructs through replay (`otrip-sim fares`) and `explain` on a tap file of the
tiny city: bus Hill -> Market at 08:00 (Rp 3,500), metro Market -> Port at 08:30 (9 km:
3,000 + 1,000 x 2 = Rp 5,000)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from otrip_sim.cli import main
from otrip_sim.replay import explain_rider, replay

TAPS = ("rider,operator,board_time,board_stop,alight_stop,distance_km\n"
        "a,bus,08:00:00,hill,market,6\n"
        "a,metro,08:30:00,m_market,m_port,9\n")
ZONE_OF = {"hill": "h", "market": "m", "park": "m", "port": "p", "m_market": "m", "m_port": "p"}
ZONES = [{"stop_id": s, "zone": z} for s, z in ZONE_OF.items()]
BOTH = {"id": "w", "operators": ["bus", "metro"], "duration": "90min"}
RULES = {
    # the dearer metro pays the difference: 5,000 - 3,500
    "pay_difference": ({"kind": "pay_difference", **BOTH}, [3500, 1500], ["w:first", "w:difference"]),
    # bus -> metro costs a fixed Rp 1,000
    "transfer_matrix": ({"kind": "transfer_matrix", **BOTH,
                         "pairs": [{"from": ["bus"], "to": ["metro"],
                                    "fare": {"kind": "fixed", "amount": 1000}}]},
                        [3500, 1000], ["bus:standard", "w:transfer"]),
    # one Hill -> Port fare, 5,000, shared 3,500 : 5,000 -> 2,058.8 / 2,941.2 -> 2,059 / 2,941
    "od_chain": ({"kind": "od_chain", **BOTH,
                  "fare": {"kind": "zones", "zones": ZONES,
                           "fares": [{"from_zone": "h", "to_zone": "p", "amount": 5000},
                                     {"from_zone": "h", "to_zone": "m", "amount": 3000},
                                     {"from_zone": "m", "to_zone": "p", "amount": 4000},
                                     {"from_zone": "m", "to_zone": "m", "amount": 2000}]}},
                 [2059, 2941], ["w:od", "w:od"]),
}


@pytest.mark.parametrize("kind", sorted(RULES))
def test_replay_and_explain(write_scenario, tmp_path, kind):
    rule, fares, rules = RULES[kind]

    def edit(doc):
        doc["fares"]["windows"] = [rule]

    path = write_scenario(edit)
    taps = tmp_path / "taps.csv"
    taps.write_text(TAPS)
    priced = replay(path, taps).priced
    assert priced["fare"].tolist() == fares
    assert priced["rule"].tolist() == rules
    lines = explain_rider(path, taps, "a")
    assert lines[-1] == f"total Rp {sum(fares):,}"
    result = CliRunner().invoke(main, ["explain", str(path), "--journeys", str(taps), "--rider", "a"])
    assert result.exit_code == 0 and lines[-1] in result.output
