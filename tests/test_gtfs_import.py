"""GTFS network import: real feeds (small extracts under tests/data/) become loadable, runnable networks;
broken feeds give one precise error; gaps give warnings and documented fallbacks."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import otrip_sim
from otrip_sim.cli import main
from otrip_sim.errors import InputError, OutputError
from otrip_sim.gtfs import import_network

DATA = Path(__file__).resolve().parent / "data"
GOOGLE = DATA / "google-sample-feed-1"
BOGOR = DATA / "bogor-angkot" / "gtfs.zip"
CALTRAIN = DATA / "caltrain" / "caltrain_weekday.zip"


def routes_of(folder: Path) -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load((folder / "routes.yaml").read_text(encoding="utf-8"))
    return {r["id"]: r for r in doc["routes"]}


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def copy_google(tmp_path: Path) -> Path:
    feed = tmp_path / "feed"
    shutil.copytree(GOOGLE, feed, ignore=shutil.ignore_patterns("*.md"))
    return feed


def edit_table(feed: Path, name: str, edit) -> None:
    df = pd.read_csv(feed / name, dtype=str, keep_default_na=False)
    df = edit(df)
    df.to_csv(feed / name, index=False)


@pytest.fixture(scope="module")
def google(tmp_path_factory):
    out = tmp_path_factory.mktemp("google") / "network"
    return import_network([GOOGLE], out), out


@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """All three feeds in one network, angkot capacity set to 12."""
    out = tmp_path_factory.mktemp("combined") / "network"
    report = import_network([BOGOR, CALTRAIN, GOOGLE], out, capacity={"bus": 12})
    return report, out


# ------------------------------------------------------------------------------ google sample feed
def test_google_sample_feed_routes_stops_and_frequencies(google):
    report, out = google
    assert report.feeds[0].date == "20070101"  # the first Monday: weekday with most trips (FULLW only)
    routes = routes_of(out)
    # weekend-only route AAMV does not run on the imported Monday
    assert sorted(routes) == ["AB-0", "AB-1", "BFC-0", "BFC-1", "CITY-0", "CITY-1", "STBA"]
    city = routes["CITY-0"]
    assert city["stops"] == ["STAGECOACH", "NANAA", "NADAV", "DADAN", "EMSI"]
    assert city["directions"] == "forward" and city["operator"] == "dta" and city["capacity"] == 60
    # departure 6:00 -> NANAA dep 6:07 -> NADAV dep 6:14 -> DADAN dep 6:21 -> EMSI arr 6:26
    assert city["run_times"] == [420, 420, 420, 300]
    # frequencies.txt of trip CITY1, band by band
    assert city["headways"] == [
        {"start": "06:00", "end": "07:59:59", "every": 1800},
        {"start": "08:00", "end": "09:59:59", "every": 600},
        {"start": "10:00", "end": "15:59:59", "every": 1800},
        {"start": "16:00", "end": "18:59:59", "every": 600},
        {"start": "19:00", "end": "22:00", "every": 1800},
    ]
    # no frequencies: one trip BFC1 departing 8:20 -> one departure at 8:20
    assert routes["BFC-0"]["headways"] == [{"start": "08:20", "end": "09:00", "every": 3600}]
    # no shape_dist_traveled, empty shapes.txt: great-circle between the stops, and said so
    ab = routes["AB-0"]
    assert ab["stops"] == ["BEATTY_AIRPORT", "BULLFROG"]
    assert abs(ab["distances"][0] - haversine((36.868446, -116.784582), (36.88108, -116.81797))) < 1.5
    assert any("great-circle" in f for f in report.fallbacks)
    header = (out / "routes.yaml").read_text(encoding="utf-8").split("routes:")[0]
    assert "google-sample-feed-1" in header and "20070101" in header and "great-circle" in header
    stops = pd.read_csv(out / "stops.csv")
    assert len(stops) == 9 and list(stops.columns) == ["stop_id", "name", "lat", "lon", "paid_area"]
    ops = yaml.safe_load((out / "operators.yaml").read_text())
    assert ops == {"operators": [{"id": "dta", "name": "Demo Transit Authority", "mode": "bus"}]}
    md = (out / "IMPORT.md").read_text()
    assert "## Fallbacks" in md and "great-circle" in md and "service_start" in md


def test_single_agency_feed_without_agency_id(tmp_path):
    feed = copy_google(tmp_path)
    edit_table(feed, "agency.txt", lambda df: df.drop(columns=["agency_id"]))
    edit_table(feed, "routes.txt", lambda df: df.drop(columns=["agency_id"]))
    report = import_network([feed], tmp_path / "out")
    assert report.operators == (
        {"id": "demo-transit-authority", "name": "Demo Transit Authority", "mode": "bus"},
    )
    assert {r["operator"] for r in routes_of(tmp_path / "out").values()} == {"demo-transit-authority"}
    assert any("routes without trips on 20070101" in n and "AAMV" in n for n in report.notes)


def test_date_option_picks_that_days_services(tmp_path):
    report = import_network([GOOGLE], tmp_path / "sat", date="20070106")  # a Saturday: FULLW + WE
    assert report.feeds[0].date_rule.startswith("given")
    routes = routes_of(tmp_path / "sat")
    # AAMV1 departs 8:00 and AAMV3 13:00 from the airport: one trip in each of two separate hours
    assert routes["AAMV-0"]["headways"] == [
        {"start": "08:00", "end": "09:00", "every": 3600},
        {"start": "13:00", "end": "14:00", "every": 3600},
    ]
    with pytest.raises(InputError, match=r"no trips run on 20200101"):
        import_network([GOOGLE], tmp_path / "none", date="20200101")
    with pytest.raises(InputError, match=r"--date: expected a date YYYYMMDD"):
        import_network([GOOGLE], tmp_path / "bad", date="2007-01-06")
    assert not (tmp_path / "none").exists() and not (tmp_path / "bad").exists()


def test_shape_dist_traveled_in_kilometres_is_converted(tmp_path):
    feed = copy_google(tmp_path)
    km = {"CITY1": [0, 0.95, 1.6, 2.25, 3.0], "CITY2": [0, 0.75, 1.4, 2.05, 3.0], "STBA": [0, 6.5],
          "AB1": [0, 3.6], "AB2": [0, 3.6], "BFC1": [0, 62.0], "BFC2": [0, 62.0], "AAMV1": [0, 40],
          "AAMV2": [0, 40], "AAMV3": [0, 40], "AAMV4": [0, 40]}

    def add(df):
        df["shape_dist_traveled"] = [
            str(km[t][int(s) - 1]) for t, s in zip(df["trip_id"], df["stop_sequence"])
        ]
        return df

    edit_table(feed, "stop_times.txt", add)
    report = import_network([feed], tmp_path / "out")
    routes = routes_of(tmp_path / "out")
    assert routes["CITY-0"]["distances"] == [950, 650, 650, 750]
    assert routes["BFC-0"]["distances"] == [62000]
    assert any("shape_dist_traveled read as kilometres" in n for n in report.notes)
    assert not any("great-circle" in f for f in report.fallbacks)


def test_stop_times_without_times_fall_back_to_default_speed(tmp_path):
    feed = copy_google(tmp_path)

    def blank(df):
        df["arrival_time"] = ""
        df["departure_time"] = ""
        return df

    edit_table(feed, "stop_times.txt", blank)
    report = import_network([feed], tmp_path / "out", default_speed_kmh=30)
    routes = routes_of(tmp_path / "out")
    city, ab = routes["CITY-0"], routes["AB-0"]
    assert "run_times" not in city and city["speed_kmh"] == 30
    # frequencies still apply
    assert city["headways"][1] == {"start": "08:00", "end": "09:59:59", "every": 600}
    # AB: no times, no frequencies -> its one trip spread over 06:00-22:00
    assert ab["headways"] == [{"start": "06:00", "end": "22:00", "every": 57600}]
    assert any("no stop times: run times from --default-speed 30 km/h" in f for f in report.fallbacks)
    assert any("no departure times and no frequencies" in f for f in report.fallbacks)
    assert "no stop times" in (tmp_path / "out" / "IMPORT.md").read_text()


def test_transfers_txt_gives_walking_links(tmp_path):
    feed = copy_google(tmp_path)
    (feed / "transfers.txt").write_text(
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
        "STAGECOACH,NANAA,2,300\n"
        "DADAN,EMSI,0,\n"
        "NANAA,NADAV,3,\n"
    )
    import_network([feed], tmp_path / "out", walk_radius=900)
    links = pd.read_csv(tmp_path / "out" / "walk_links.csv").set_index(["from_stop", "to_stop"])
    assert links.loc[("NANAA", "STAGECOACH"), "walk_m"] == 360  # 300 s x 1.2 m/s
    assert links.loc[("DADAN", "EMSI"), "walk_m"] == round(
        haversine((36.909489, -116.768242), (36.905697, -116.76218))
    )
    assert ("NADAV", "NANAA") not in links.index  # type 3: not possible, though within the radius
    assert links.loc[("DADAN", "NADAV"), "walk_m"] == round(
        haversine((36.909489, -116.768242), (36.914893, -116.76821)) * 1.3
    )


# ------------------------------------------------------------------------------------ real feeds
def test_bogor_angkot_loops_headways_and_shapes(combined):
    report, out = combined
    routes = {k: v for k, v in routes_of(out).items() if k.startswith("bogor-angkot.")}
    # every trip is a loop back to its first stop; AK-12 makes 22 stop visits and is split where it turns
    parts = [("AK-07", 2), ("AK-08", 3), ("AK-12", 2), ("AK-22", 2), ("AK-23", 2)]
    assert sorted(routes) == [f"bogor-angkot.{r}-p{n}" for r, count in parts for n in range(1, count + 1)]
    p1, p2 = routes["bogor-angkot.AK-12-p1"], routes["bogor-angkot.AK-12-p2"]
    assert p1["stops"][-1] == p2["stops"][0] and len(p1["stops"]) + len(p2["stops"]) - 1 == 22
    assert p2["stops"][-1] == p1["stops"][0]  # the loop closes
    assert len(set(p1["stops"])) == len(p1["stops"]) and len(set(p2["stops"])) == len(p2["stops"])
    # trips every 10 minutes from 00:00 to 23:50 (frequencies.txt names template trips that do not exist)
    assert p1["headways"] == [{"start": "00:00", "end": "24:00", "every": 600}]
    # the second part departs when the trip reaches its first stop, one minute per stop
    offset = sum(p1["run_times"])
    assert p2["headways"][0]["start"] == f"00:{offset // 60:02d}" and offset == 60 * (len(p1["stops"]) - 1)
    assert any(
        "frequencies.txt rows naming trips that are not in trips.txt" in w and "'AK-12'" in w
        for w in report.warnings
    )
    assert all(r["capacity"] == 12 and r["operator"] == "dllaj" for r in routes.values())
    # distances along the shape: at least the straight line, not wildly more
    stops = pd.read_csv(out / "stops.csv").set_index("stop_id")
    for r in routes.values():
        for a, b, d in zip(r["stops"], r["stops"][1:], r["distances"]):
            straight = haversine(tuple(stops.loc[a, ["lat", "lon"]]), tuple(stops.loc[b, ["lat", "lon"]]))
            assert straight - 2 <= d <= 3 * straight + 50


def test_caltrain_patterns_distances_and_headways(combined):
    report, out = combined
    cal = next(f for f in report.feeds if f.prefix == "caltrain-weekday")
    assert cal.date == "20090302" and cal.trips == 98
    routes = routes_of(out)
    local = routes["caltrain-weekday.ct_local-0"]
    assert len(local["stops"]) == 22
    assert local["stops"][0] == "caltrain-weekday.San_Jose_Caltrain"
    assert local["stops"][-1] == "caltrain-weekday.San_Francisco_Caltrain"
    # from the shape: San Jose Diridon - San Francisco 4th & King is 46.8 miles (75.3 km) of track
    assert 74_500 <= sum(local["distances"]) <= 76_500
    assert sum(local["run_times"]) == 91 * 60  # every local of the pattern takes 1 h 31 min
    # the pattern's ten trips leave San Jose at 4:30, 9:10, 10:10 ... 14:10, 18:50, 19:30, 22:30
    assert {"start": "09:10", "end": "15:00", "every": 3600} in local["headways"]
    assert {"start": "18:50", "end": "20:00", "every": 3600} in local["headways"]
    assert local["capacity"] == 1000 and local["operator"] == "caltrain"
    assert any("ct_local direction 0: 4 of 14 trips" in w for w in report.warnings)


def test_several_feeds_get_unique_prefixed_ids(combined, tmp_path):
    report, out = combined
    stops = pd.read_csv(out / "stops.csv")
    assert stops["stop_id"].is_unique
    assert {s.split(".")[0] for s in stops["stop_id"]} == {
        "bogor-angkot", "caltrain-weekday", "google-sample-feed-1",
    }
    assert "caltrain-weekday.San_Francisco_Caltrain" in set(stops["stop_id"])  # spaces replaced
    assert {o["id"] for o in report.operators} == {"dllaj", "caltrain", "dta"}
    # the same feed twice under chosen prefixes: ids stay apart, one operator
    twice = import_network({"a": GOOGLE, "b": GOOGLE}, tmp_path / "twice")
    ids = pd.read_csv(tmp_path / "twice" / "stops.csv")["stop_id"]
    assert ids.is_unique and {"a.STAGECOACH", "b.STAGECOACH"} <= set(ids)
    assert set(routes_of(tmp_path / "twice")) >= {"a.CITY-0", "b.CITY-0"}
    assert [o["id"] for o in twice.operators] == ["dta"]
    id_map = pd.read_csv(tmp_path / "twice" / "id_map.csv")
    assert len(id_map[(id_map["kind"] == "stop") & (id_map["gtfs_id"] == "STAGECOACH")]) == 2


def test_imported_network_loads_and_runs(combined, tmp_path):
    report, out = combined
    ops = yaml.safe_load((out / "operators.yaml").read_text())["operators"]
    start = report.service_start // 3600 * 3600
    end = -(-report.service_end // 3600) * 3600
    b, c, g = "bogor-angkot.", "caltrain-weekday.", "google-sample-feed-1."
    scenario = {
        "meta": {
            "name": "gtfs-import", "currency": "USD", "seed": 1, "service_start": start, "service_end": end,
        },
        "operators": ops,
        "network": {"stops": str(out / "stops.csv"), "routes": str(out / "routes.yaml"),
                    "walk_links": str(out / "walk_links.csv")},
        "demand": {
            "od": [
                {"origin": f"{b}kb-gedong-sawah", "destination": f"{b}Air_Mancur", "trips": 200},
                {"origin": f"{b}Polisi_Militer", "destination": f"{b}Term._Merdeka", "trips": 200},
                {"origin": f"{c}San_Jose_Caltrain", "destination": f"{c}San_Francisco_Caltrain",
                 "trips": 200},
                {"origin": f"{g}STAGECOACH", "destination": f"{g}EMSI", "trips": 100},
            ],
            "profile": [{"start": "07:00", "end": "12:00", "weight": 1}],
            "categories": [{"id": "adult", "share": 1.0, "value_of_time": 1000}],
        },
        "fares": {"name": "flat", "standalone": {o["id"]: {"kind": "flat", "amount": 250} for o in ops}},
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    loaded = otrip_sim.load_scenario(path, allow_outside_files=True)  # the network is elsewhere
    assert len(loaded.routes()) == report.routes
    res = otrip_sim.run(loaded, demand_scale=0.5)
    served = res.journeys[res.journeys["served"]]
    assert len(served) > 0
    assert {"dllaj", "caltrain", "dta"} <= set(res.legs["operator"].astype(str))


# ------------------------------------------------------------------------------------ broken feeds
def test_unknown_stop_in_stop_times_names_file_line_and_value(tmp_path):
    feed = copy_google(tmp_path)

    def bad(df):
        df.loc[4, "stop_id"] = "NOWHERE"
        return df

    edit_table(feed, "stop_times.txt", bad)
    with pytest.raises(InputError) as err:
        import_network([feed], tmp_path / "out")
    assert str(err.value) == (
        f"{feed}/stop_times.txt: line 6, column stop_id: unknown stop (not in stops.txt) (got 'NOWHERE')"
    )
    assert not (tmp_path / "out").exists()


def test_missing_stops_txt(tmp_path):
    feed = copy_google(tmp_path)
    (feed / "stops.txt").unlink()
    with pytest.raises(InputError, match=r"stops.txt: required file missing from the feed"):
        import_network([feed], tmp_path / "out")


def test_unparsable_time(tmp_path):
    feed = copy_google(tmp_path)

    def bad(df):
        df.loc[2, "arrival_time"] = "25:61:00"
        return df

    edit_table(feed, "stop_times.txt", bad)
    with pytest.raises(InputError) as err:
        import_network([feed], tmp_path / "out")
    assert err.value.file == f"{feed}/stop_times.txt"
    assert err.value.path == "line 4, column arrival_time" and err.value.value == "25:61:00"


def test_zip_feed_with_missing_column(tmp_path):
    feed = copy_google(tmp_path)
    edit_table(feed, "trips.txt", lambda df: df.drop(columns=["service_id"]))
    # the tables in a sub-folder of the archive, as some publishers ship them
    archive = shutil.make_archive(str(tmp_path / "published"), "zip", root_dir=tmp_path, base_dir="feed")
    with pytest.raises(
        InputError, match=r"published.zip/feed/trips.txt: line 1: missing column 'service_id'"
    ):
        import_network([archive], tmp_path / "out")


def test_feed_reader_rules_bom_blank_lines_spaces_and_located_errors(tmp_path):
    """The one feed reader (otrip_sim/gtfs/feed.py): a byte-order mark, spaces around cells and a
    quoted cell after a space are read as text; blank lines still count in line numbers; a zero-byte
    table and text that is not UTF-8 are refused with file and line."""
    feed = copy_google(tmp_path)
    stops = (feed / "stops.txt").read_text(encoding="utf-8").splitlines()
    header, first, rest = stops[0], stops[1], stops[2:]
    cells = first.split(",")
    cells[1] = ' "' + cells[1] + '"'  # a quoted stop_name after a space
    spaced = ", ".join(c.strip() if i != 1 else c for i, c in enumerate(cells))
    (feed / "stops.txt").write_text("\ufeff" + header + "\n" + spaced + "\n\n" + "\n".join(rest) + "\n",
                                    encoding="utf-8")
    plain = import_network([GOOGLE], tmp_path / "plain")
    report = import_network([feed], tmp_path / "odd")
    assert report.stops == plain.stops
    assert (tmp_path / "odd" / "stops.csv").read_text() == (tmp_path / "plain" / "stops.csv").read_text()

    def bad(df):
        df.loc[3, "arrival_time"] = "25:61:00"
        return df

    edit_table(feed, "stop_times.txt", bad)
    text = (feed / "stop_times.txt").read_text(encoding="utf-8").splitlines()
    (feed / "stop_times.txt").write_text("\n".join([*text[:3], "", *text[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_network([feed], tmp_path / "out")
    assert err.value.path == "line 6, column arrival_time"  # the blank line 4 counts

    shutil.copy(GOOGLE / "stop_times.txt", feed / "stop_times.txt")
    (feed / "shapes.txt").write_bytes(b"")
    with pytest.raises(InputError, match=r"shapes.txt: line 1: empty file: expected a header row"):
        import_network([feed], tmp_path / "out")
    (feed / "shapes.txt").unlink()
    raw = (feed / "stops.txt").read_bytes().replace(b"Airport", "A\u00e9roport".encode("latin-1"), 1)
    (feed / "stops.txt").write_bytes(raw)
    with pytest.raises(InputError) as err:
        import_network([feed], tmp_path / "out")
    line = raw[: raw.index(b"A\xe9roport")].count(b"\n") + 1
    assert err.value.file == f"{feed}/stops.txt" and err.value.path.startswith(f"line {line}, column ")
    assert "byte 0xE9 is not UTF-8 text; re-save the file as UTF-8" in err.value.message


def test_clock_forms_of_the_import():
    """routes.yaml and IMPORT.md write HH:MM with seconds only where not zero; the CLI summary HH:MM."""
    from otrip_sim.units import format_clock, parse_clock

    assert format_clock(6 * 3600, seconds="nonzero") == "06:00"
    assert format_clock(6 * 3600 + 5, seconds="nonzero") == "06:00:05"
    assert format_clock(25 * 3600 + 65, seconds="never") == "25:01"
    assert format_clock(25 * 3600 + 65) == "25:01:05"
    assert parse_clock(format_clock(93 * 60 + 7, seconds="nonzero")) == 93 * 60 + 7
    with pytest.raises(ValueError, match="seconds must be"):
        format_clock(0, seconds="sometimes")  # type: ignore[arg-type]


def test_bad_options(tmp_path):
    with pytest.raises(InputError, match="--capacity: unknown mode"):
        import_network([GOOGLE], tmp_path / "o", capacity={"spaceship": 3})
    with pytest.raises(InputError, match="--operator: no agency"):
        import_network([GOOGLE], tmp_path / "o", operators={"XYZ": "x"})
    report = import_network([GOOGLE], tmp_path / "o", operators={"DTA": "demo"}, capacity={"3": 40})
    assert report.operators[0]["id"] == "demo"
    assert {r["capacity"] for r in routes_of(tmp_path / "o").values()} == {40}
    with pytest.raises(OutputError, match="not empty"):
        import_network([GOOGLE], tmp_path / "o")


# --------------------------------------------------------------------------------------------- CLI
def test_cli_writes_refuses_and_has_help(tmp_path):
    out = tmp_path / "net"
    runner = CliRunner()
    result = runner.invoke(main, ["network-import", str(GOOGLE), "--out", str(out), "--operator", "DTA=demo",
                                  "--capacity", "bus=40", "--walk-radius", "500"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "stops.csv", "routes.yaml", "walk_links.csv", "operators.yaml", "IMPORT.md", "id_map.csv",
        "manifest.json",
    }
    assert "great-circle" in result.stderr  # fallbacks and warnings go to stderr
    assert f"network: {out}" in result.stdout
    assert all(r["operator"] == "demo" and r["capacity"] == 40 for r in routes_of(out).values())
    again = runner.invoke(main, ["network-import", str(GOOGLE), "--out", str(out)])
    assert again.exit_code == 2 and "not empty" in again.output and "Traceback" not in again.output
    forced = runner.invoke(
        main, ["network-import", str(GOOGLE), "--out", str(out), "--force", "--date", "20070106"]
    )
    assert forced.exit_code == 0 and "AAMV-0" in routes_of(out)
    bad = runner.invoke(
        main, ["network-import", str(GOOGLE), "--out", str(tmp_path / "x"), "--operator", "DTA"]
    )
    assert bad.exit_code == 2 and "--operator: expected AGENCY=ID" in bad.output
    helped = runner.invoke(main, ["network-import", "--help"])
    assert helped.exit_code == 0
    assert "Example:" in helped.output and "otrip-sim network-import" in helped.output


def test_cli_broken_feed_exit_2_without_traceback(tmp_path):
    feed = copy_google(tmp_path)
    (feed / "stops.txt").unlink()
    result = CliRunner().invoke(main, ["network-import", str(feed), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {feed}/stops.txt: required file missing from the feed"
    assert not (tmp_path / "o").exists()
