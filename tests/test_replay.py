"""Replaying tap data: the Jakarta policies price replayed legs exactly per the published rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from otrip_sim import InputError
from otrip_sim.cli import main
from otrip_sim.replay import explain_rider, parse_times, replay

ROOT = Path(__file__).resolve().parent.parent
JAK = ROOT / "scenarios" / "jakarta"


def taps(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taps.csv"
    path.write_text(text.strip() + "\n")
    return path


def priced(scenario: str, path: Path, **kw) -> pd.DataFrame:
    return replay(JAK / f"{scenario}.yaml", path, **kw).priced


def test_jaklingko_published_example(tmp_path):
    # LRT 6 km + TJ 12 km + MRT 8 km = 26 km -> min(10,000, 2,500 + 250 x 26) = 9,000, settled
    # 4,000/3,000/2,000
    p = priced("jaklingko-2022", taps(tmp_path, """
rider,operator,board_time,distance_km
card1,lrt,08:00:00,6
card1,transjakarta,08:20:00,12
card1,mrt,09:00:00,8
"""))
    assert p["fare"].tolist() == [4000, 3000, 2000]
    assert set(p["rule"]) == {"jaklingko:integrated"}


@pytest.mark.parametrize(
    "rows, expected",
    [
        # MRT Bundaran HI -> TJ CBD Ciledug: 17 km -> 2,500 + 4,250 = 6,750
        ("card,mrt,07:10:00,5\ncard,transjakarta,07:30:00,12", 6750),
        # LRT Boulevard Selatan -> MRT Cipete: 20 km -> 7,500
        ("card,lrt,07:10:00,4\ncard,mrt,07:40:00,16", 7500),
        # LRT Boulevard Utara -> TJ CBD Ciledug: 27 km -> 9,250 (more than 8,500 separately)
        ("card,lrt,07:10:00,5\ncard,transjakarta,07:40:00,22", 9250),
        # one operator only: standalone fares (TJ 3,500 + TJ 3,500)
        ("card,transjakarta,08:00:00,5\ncard,transjakarta,09:00:00,5", 7000),
        # a tap 180 min + 1 s later opens a new window: LRT 5,000 alone, then MRT alone (table needs
        # stops: max 14,000)
        ("card,lrt,08:00:00,5\ncard,mrt,11:00:01,8", 5000 + 14000),
    ],
)
def test_jaklingko_published_checks(tmp_path, rows, expected):
    p = priced("jaklingko-2022", taps(tmp_path, "rider,operator,board_time,distance_km\n" + rows))
    assert p["fare"].sum() == expected


def test_okotrip_design_rule(tmp_path):
    # microbus 3,000 -> TJ 2,000 (remainder) -> TJ 0 (capped); KRL outside the window pays 3,000
    p = priced("okotrip-2018", taps(tmp_path, """
rider,operator,board_time,board_stop,alight_stop
x,mikrotrans,08:00:00,,
x,krl,08:30:00,krl_manggarai,krl_sudirman
x,transjakarta,09:00:00,,
x,transjakarta,10:30:00,,
"""))
    assert p["fare"].tolist() == [3000, 3000, 2000, 0]
    assert p["rule"].tolist() == ["okotrip:own", "krl:distance", "okotrip:remainder", "okotrip:capped"]


def test_okotrip_free_rider_and_early_fare(tmp_path):
    p = priced("okotrip-2018", taps(tmp_path, """
rider,operator,board_time,category
f,transjakarta,06:00:00,free
f,mikrotrans,06:10:00,free
f,angkot,06:20:00,free
e,transjakarta,06:59:59,
e,transjakarta,09:59:59,
e,transjakarta,10:00:00,
"""))
    # free riders: 0 on TJ and microbus, angkot 3,000; early TJ 2,000 then 3,000 (cap 5,000), then 0
    # (window still open at 10:00:00? no: 06:59:59 + 3 h = 09:59:59)
    assert p["fare"].tolist() == [0, 0, 3000, 2000, 3000, 3500]


def test_baseline_every_tap_pays(tmp_path):
    p = priced("baseline-2017", taps(tmp_path, """
rider,operator,board_time,distance_km,alight_time
b,transjakarta,07:00:00,,
b,transjakarta,07:10:00,,
b,krl,07:30:00,25.1,08:10:00
b,krl,09:00:00,25.1,
b,royaltrans,10:00:00,,
"""))
    # KRL 25.1 km: 3,000 + 1,000; the same leg without a tap-out (no alight time or stop) pays the maximum
    assert p["fare"].tolist() == [3500, 3500, 4000, 6000, 20000]


def test_rows_in_any_order_and_output_in_input_order(tmp_path):
    p = priced("jaklingko-2022", taps(tmp_path, """
rider,operator,board_time,distance_km
card1,mrt,09:00:00,8
other,transjakarta,09:00:00,3
card1,lrt,08:00:00,6
card1,transjakarta,08:20:00,12
"""))
    assert p["rider"].tolist() == ["card1", "other", "card1", "card1"]
    assert p["fare"].tolist() == [2000, 3500, 4000, 3000]


def test_iso_times_across_days(tmp_path):
    p = priced("okotrip-2018", taps(tmp_path, """
rider,operator,board_time
w,transjakarta,2018-10-01T06:30:00
w,transjakarta,2018-10-02T06:30:00
w,transjakarta,2018-10-02T07:30:00
"""))
    # each day's early tap pays 2,000; the third is in day 2's window: remainder 3,000
    assert p["fare"].tolist() == [2000, 2000, 3000]


def test_parse_times():
    secs, ok = parse_times(
        pd.Series(["05:00:00", "25:30:15", "2024-01-02T01:00:00", "2024-01-01T23:00:00", "soon", ""])
    )
    assert ok.tolist() == [True, True, True, True, False, False]
    # 1 January 2024 is a Monday: day 0
    assert secs[:4].tolist() == [18000, 91815, 86400 + 3600, 23 * 3600]
    wed, _ = parse_times(pd.Series(["2024-01-03T08:00:00"]))
    assert wed.tolist() == [2 * 86400 + 8 * 3600]  # counted from Monday 1 January


def test_distance_from_stops_and_missing_tap_out(tmp_path):
    p = replay(JAK / "jaklingko-2022.yaml", taps(tmp_path, """
rider,operator,board_time,board_stop,alight_stop,alight_time
k,krl,10:00:00,krl_bogor,krl_manggarai,
k,krl,18:00:00,krl_manggarai,,
m,mrt,09:00:00,mrt_lebak_bulus,mrt_blok_m,09:20:00
m,mrt,18:00:00,,,
"""))
    # KRL Bogor -> Manggarai measured on the line (over 35 km): 3,000 + 1,000 x 2 = 5,000; no tap-out:
    # the maximum
    assert p.priced["fare"].tolist()[:2] == [5000, 6000]
    assert p.priced["rule"].tolist() == [
        "krl:distance", "krl:missing_tap_out", "mrt:station_table", "mrt:no_stations",
    ]
    # Lebak Bulus -> Blok M, 5 stations apart: 8,000; without stations: the maximum 14,000
    assert p.priced["fare"].tolist()[2:] == [8000, 14000]
    assert p.totals()["missing_tap_out"] == 1 and p.totals()["no_stations"] == 1


BAD = """
rider,operator,board_time,category,alight_time,distance_km
ok,transjakarta,08:00:00,,,
u,tram,08:00:00,,,
c,transjakarta,08:00:00,pensioner,,
t,transjakarta,8 o'clock,,,
a,transjakarta,08:00:00,,07:00:00,
d,krl,08:00:00,,,-3
"""


def test_bad_rows_are_reported_with_line_numbers(tmp_path):
    path = taps(tmp_path, BAD)
    with pytest.raises(InputError) as info:
        replay(JAK / "okotrip-2018.yaml", path)
    text = str(info.value)
    assert text.startswith(
        f"{path}: 5 bad rows: line 3: unknown operator 'tram'; line 4: unknown category 'pensioner'; "
        "line 5: unparsable board_time \"8 o'clock\"; line 6: alight_time before board_time; "
        "line 7: negative distance_km"
    )


def test_cli_fares_bad_rows_exit_2_and_nothing_written(tmp_path):
    out = tmp_path / "priced.csv"
    args = ["fares", str(JAK / "okotrip-2018.yaml"), "--journeys", str(taps(tmp_path, BAD)),
            "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "line 3: unknown operator 'tram'" in result.output
    assert not out.exists()


def test_cli_fares_skip_bad_and_summary(tmp_path):
    out, rej, summ = tmp_path / "priced.csv", tmp_path / "rejects.csv", tmp_path / "riders.csv"
    args = ["fares", str(JAK / "okotrip-2018.yaml"), "--journeys", str(taps(tmp_path, BAD)),
            "--out", str(out), "--skip-bad", str(rej), "--summary", str(summ)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, keep_default_na=False)
    assert list(got.columns) == [
        "rider", "operator", "board_time", "category", "alight_time", "distance_km", "fare", "rule",
    ]
    assert got["fare"].tolist() == [3500]
    rejects = pd.read_csv(rej)
    assert rejects["line"].tolist() == [3, 4, 5, 6, 7]
    assert pd.read_csv(summ).to_dict("records") == [{"rider": "ok", "legs": 1, "fare": 3500}]
    assert "1 legs of 1 riders priced, 5 rejected" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "--force" in again.output


def test_unknown_column_and_missing_column(tmp_path):
    with pytest.raises(InputError, match="line 1: missing column 'board_time'"):
        replay(JAK / "okotrip-2018.yaml", taps(tmp_path, "rider,operator\na,transjakarta"))
    with pytest.raises(InputError, match=r"line 1: unknown column .* \(got 'fare_paid'\)"):
        replay(JAK / "okotrip-2018.yaml",
               taps(tmp_path, "rider,operator,board_time,fare_paid\na,transjakarta,08:00:00,1"))


def test_explain_tells_the_story(tmp_path):
    path = taps(tmp_path, """
rider,operator,board_time,distance_km
card1,lrt,08:00:00,6
card1,transjakarta,08:20:00,12
card1,mrt,09:00:00,8
""")
    lines = explain_rider(JAK / "jaklingko-2022.yaml", path, "card1")
    text = "\n".join(lines)
    assert lines[0].startswith("tap 1  08:00:00  lrt  6.0 km  charged Rp 5,000  [lrt:flat]")
    assert "in window 'jaklingko'" in lines[0]
    assert "paid so far Rp 7,000, cap remaining Rp 3,000" in text
    assert "leg 1 lrt: Rp 4,000 [jaklingko:integrated] (tap charged Rp 5,000, adjustment -Rp 1,000)" in text
    assert lines[-1] == "total Rp 9,000"
    args = ["explain", str(JAK / "jaklingko-2022.yaml"), "--journeys", str(path), "--rider", "nobody"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "no rows for this rider" in result.output


def test_explain_shows_date_times_as_read(tmp_path):
    """Taps given as date-times are shown as those date-times, not as hours since the Monday the
    engine counts from (a Saturday's 23:30 tap was '125:30:00'); a window runs past midnight."""
    path = taps(tmp_path, """
rider,operator,board_time,distance_km
c,transjakarta,2022-01-01T23:30:00,5
c,mrt,2022-01-02T00:40:00,8
""")
    lines = explain_rider(JAK / "jaklingko-2022.yaml", path, "c")
    assert lines[0].startswith("tap 1  Sat 2022-01-01 23:30:00  transjakarta")
    assert "open since Sat 2022-01-01 23:30:00 (closes Sun 2022-01-02 02:30:00)" in lines[1]
    assert lines[2].startswith("tap 2  Sun 2022-01-02 00:40:00  mrt")


@pytest.mark.parametrize("scenario", ["baseline-2017", "okotrip-2018", "jaklingko-2022"])
def test_simulated_tap_log_replays_to_the_same_fares(scenario, tmp_path):
    """The simulation's TIDES tap log, priced again by `otrip-sim fares`, gives every tapped leg
    the fare the simulation settled: simulated and real tap data go through the same tools."""
    import otrip_sim

    res = otrip_sim.run(JAK / f"{scenario}.yaml", seed=5, demand_scale=0.03)
    path = tmp_path / "fare_transactions.csv"
    res.taps.to_csv(path, index=False)
    p = replay(JAK / f"{scenario}.yaml", path).priced
    legs = res.legs[res.legs["tapped"] & ~res.legs["evaded"]]
    legs = legs.sort_values(["person", "board_s", "journey", "leg"])
    got = p.assign(person=p["rider"].astype(int)).sort_values(["person", "board_time"], kind="stable")
    assert len(got) == len(legs) > 100
    assert got["fare"].tolist() == legs["fare"].tolist()
    assert got["rule"].tolist() == legs["rule"].astype(str).tolist()


def test_tides_input_pairs_exits_and_skips_adjustments(tmp_path):
    path = taps(tmp_path, """
transaction_id,service_date,event_timestamp,amount,fare_action,pattern_id,stop_id,token_id,rider_category
1,2022-09-01,2022-09-01T08:00:00,5000,Enter,lrt-1:0,lrt_boulevard_selatan,c1,adult
2,2022-09-01,2022-09-01T08:10:00,0,Transfer exit,lrt-1:0,lrt_velodrome,c1,adult
3,2022-09-01,2022-09-01T08:30:00,2000,Transfer entrance,mrt-ns:1,mrt_bundaran_hi,c1,adult
4,2022-09-01,2022-09-01T08:55:00,0,Exit,mrt-ns:1,mrt_lebak_bulus,c1,adult
5,2022-09-01,2022-09-01T11:30:00,-1000,Adjust,,,c1,adult
""")
    r = replay(JAK / "jaklingko-2022.yaml", path)
    p = r.priced
    assert p["operator"].tolist() == ["lrt", "mrt"]
    assert p["alight_stop"].tolist() == ["lrt_velodrome", "mrt_lebak_bulus"]
    assert set(p["rule"]) == {"jaklingko:integrated"}
    assert r.counts["distance_from_stops"] == 2
