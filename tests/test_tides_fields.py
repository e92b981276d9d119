"""The TIDES fields of the tap log that say what a tap was: ``fare_capped`` where a cap lowered the
amount, ``fare_product`` the leg's window (its opening tap included) or pass, ``fare_media_id`` the
TIDES media type of the card's medium (``fares.media[].tides_media``), with otrip-sim's ``media``
column naming the medium, which replay reads back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import frictionless
import numpy as np
import pandas as pd
import pytest
import yaml

import otrip_sim
from otrip_sim.fares import FarePolicy, FlatFare, IntegratedWindow, LegTable, price, products
from otrip_sim.output import write_results
from otrip_sim.replay import replay
from otrip_sim.settlement import Settlement
from otrip_sim.taplog import fare_transactions

pytestmark = pytest.mark.filterwarnings("ignore:The --schema-sync option is deprecated:DeprecationWarning")
ROOT = Path(__file__).resolve().parent.parent
TIDES = Path(__file__).parent / "data" / "tides"
H = 3600

# JakLingko's tariff on flat standalone fares: TJ 3,500, LRT 5,000 (in the window), KRL 3,000 (not)
POLICY = FarePolicy(
    "jak",
    {"transjakarta": FlatFare("transjakarta", 3_500), "lrt": FlatFare("lrt", 5_000),
     "krl": FlatFare("krl", 3_000)},
    windows=(IntegratedWindow("jaklingko", frozenset({"transjakarta", "lrt"}), 3 * H, 2_500, 250, 10_000),),
)


def _log(legs: list[tuple[int, str, int, int]], media: list[str | None], media_types: dict[str, str]):
    """The tap log of hand-made legs ``(journey, operator, board time s, metres)``, one card per
    journey, each ridden 20 minutes from stop ``s<i>`` to ``a<i>``; journey ``j`` holds ``media[j]``."""
    n = len(legs)
    journey = np.array([j for j, *_ in legs], dtype=np.int64)
    ops = np.array([op for _, op, _, _ in legs], dtype=object)
    board = np.array([t for *_, t, _ in legs], dtype=np.int64)
    metres = np.array([m for *_, m in legs], dtype=np.int64)
    held = np.array([media[j] or "" for j in journey], dtype=object)
    table = LegTable(card=journey, operator=ops, board_time=board, metres=metres,
                     category=np.full(n, "adult", dtype=object), board_stop=np.full(n, "", dtype=object),
                     alight_stop=np.full(n, "", dtype=object), route=np.full(n, "", dtype=object), media=held)
    priced = price(POLICY, table, log=True)
    tx = priced.transactions
    leg_no = np.concatenate([np.arange(c) for c in np.bincount(journey)])
    st = Settlement(
        rows=np.arange(n), fare=priced.fare, rule=priced.rule, window=priced.window, standalone=priced.own,
        evaded=np.zeros(n, dtype=bool),
        journey_fare=np.bincount(journey, weights=priced.fare).astype(np.int64),
        rule_names=list(priced.rules.names), rule_source=priced.rules.source,
        rule_outcome=priced.rules.outcome,
        tx_journey=journey[tx.leg], tx_leg=leg_no[tx.leg], tx_time=tx.time, tx_kind=tx.kind,
        tx_amount=tx.amount, tx_rule=tx.rule, product=products(POLICY, table, priced))
    stops = [f"s{i}" for i in range(n)] + [f"a{i}" for i in range(n)]
    frame = pd.DataFrame({
        "journey": journey, "leg": leg_no, "operator": pd.Categorical(ops), "route": pd.Categorical(ops),
        "direction": np.zeros(n, dtype=np.int8),
        "board_stop": pd.Categorical.from_codes(np.arange(n), categories=stops),
        "alight_stop": pd.Categorical.from_codes(np.arange(n) + n, categories=stops),
        "alight_s": board + 1200, "metres": metres, "tapped": True, "window": priced.window, "evaded": False,
    })
    journeys = pd.DataFrame({"card": np.arange(len(media)),
                             "category": pd.Categorical(["adult"] * len(media)),
                             "media": pd.Categorical(media)})
    return fare_transactions(frame, journeys, st, date(2022, 9, 1), "IDR", media_types)


def test_capped_product_and_media_of_each_transaction_by_hand():
    # journey 0, app QR: the JakLingko cap case of tests/fares/test_pricing.py on flat fares:
    #   08:00 TJ 12 km   window opens, one operator: its own 3,500          not capped
    #   08:30 LRT 6 km   K = 18 → 7,000: 7,000 − 3,500 = 3,500               not capped
    #   09:00 TJ 16 km   K = 34 → 11,000 > 10,000: 10,000 − 7,000 = 3,000    capped (4,000 without the cap)
    #   09:40 LRT 5 km   K = 39, still the cap: 0                            capped
    #   11:00 the window settles 10,000 by weights 22 / 6 / 16 / 5 (Σ 49): 4,490 / 1,225 / 3,265 / 1,020
    #         → adjustments +990, −2,275, +265, +1,020, all capped
    #   11:30 TJ 5 km    opens a new window (one operator: its own 3,500)   not capped, still jaklingko
    # journey 1, the stored-value card: KRL, in no window: pay-as-you-go; journey 2 declares no medium
    legs = [(0, "transjakarta", 8 * H, 12_000), (0, "lrt", 8 * H + 1800, 6_000),
            (0, "transjakarta", 9 * H, 16_000), (0, "lrt", 9 * H + 2400, 5_000),
            (0, "transjakarta", 11 * H + 1800, 5_000), (1, "krl", 7 * H, 20_000), (2, "krl", 7 * H, 1_000)]
    taps = _log(legs, ["app-qr", "emoney", None],
                {"app-qr": "Optical scan", "emoney": "Smart card or ticket"})
    got = list(zip(taps["journey"], taps["leg"], taps["type"].astype(str), taps["time_s"],
                   taps["amount_minor"], taps["fare_action"].astype(str), taps["fare_product"].astype(str),
                   taps["fare_capped"]))
    settle = 11 * H
    assert got == [  # card by card, in time order
        (0, 0, "tap", 8 * H, 3_500, "Enter", "jaklingko", False),
        (0, 0, "exit", 8 * H + 1200, 0, "Transfer exit", "jaklingko", False),
        (0, 1, "tap", 8 * H + 1800, 3_500, "Enter", "jaklingko", False),
        (0, 1, "exit", 8 * H + 3000, 0, "Transfer exit", "jaklingko", False),
        (0, 2, "tap", 9 * H, 3_000, "Enter", "jaklingko", True),
        (0, 2, "exit", 9 * H + 1200, 0, "Transfer exit", "jaklingko", False),
        (0, 3, "tap", 9 * H + 2400, 0, "Transfer entrance", "jaklingko", True),
        (0, 3, "exit", 9 * H + 3600, 0, "Transfer exit", "jaklingko", False),
        (0, 0, "adjustment", settle, 990, "Adjust", "jaklingko", True),
        (0, 1, "adjustment", settle, -2_275, "Adjust", "jaklingko", True),
        (0, 2, "adjustment", settle, 265, "Adjust", "jaklingko", True),
        (0, 3, "adjustment", settle, 1_020, "Adjust", "jaklingko", True),
        (0, 4, "tap", 11 * H + 1800, 3_500, "Enter", "jaklingko", False),
        (0, 4, "exit", 11 * H + 3000, 0, "Exit", "jaklingko", False),
        (1, 0, "tap", 7 * H, 3_000, "Enter", "pay-as-you-go", False),
        (1, 0, "exit", 7 * H + 1200, 0, "Exit", "pay-as-you-go", False),
        (2, 0, "tap", 7 * H, 3_000, "Enter", "pay-as-you-go", False),
        (2, 0, "exit", 7 * H + 1200, 0, "Exit", "pay-as-you-go", False),
    ]
    by_journey = taps.groupby("journey", observed=True)
    assert by_journey["fare_media_id"].unique().map(lambda v: v.tolist()).to_dict() == {
        0: ["Optical scan"], 1: ["Smart card or ticket"], 2: ["Smart card or ticket"]}
    assert taps["media"].astype(object).where(taps["media"].notna(), None).tolist() == (
        ["app-qr"] * 14 + ["emoney"] * 2 + [None] * 2)
    assert taps.groupby("journey")["amount_minor"].sum().tolist() == [13_500, 3_000, 3_000]  # 10,000 + 3,500


def test_a_window_opened_and_never_joined_is_still_its_product():
    # one TJ tap: it opens a JakLingko window (a card reader cannot know no other operator follows);
    # the window has one operator, so the leg pays its own 3,500 with its own rule, in product jaklingko
    taps = _log([(0, "transjakarta", 8 * H, 5_000)], [None], {})
    assert taps["fare_product"].astype(str).tolist() == ["jaklingko", "jaklingko"]
    assert taps["rule"].astype(str).tolist()[0] == "transjakarta:flat"
    assert taps["fare_media_id"].astype(str).tolist() == ["Smart card or ticket"] * 2


def _tiny_with_media(tmp_path: Path) -> Path:
    doc = yaml.safe_load((ROOT / "scenarios" / "tiny" / "tiny.yaml").read_text())
    doc["fares"]["media"] = [{"id": "app", "share": 0.4, "tides_media": "Optical scan"},
                             {"id": "card", "share": 0.6}]
    # the app's bus fare differs, so a replay that lost the medium would price differently
    doc["fares"]["media_fares"] = [
        {"media": ["app"], "operators": ["bus"], "fare": {"kind": "flat", "amount": 3000}}]
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def media_run(tmp_path_factory):
    path = _tiny_with_media(tmp_path_factory.mktemp("media"))
    return path, otrip_sim.run(path, seed=3, demand_scale=0.2)


def test_a_run_writes_each_cards_medium_and_its_tides_media_type(media_run):
    _, res = media_run
    taps = res.taps
    held = res.journeys["media"].astype(str).to_numpy()[taps["journey"].to_numpy()]
    assert (taps["media"].astype(str).to_numpy() == held).all()
    expected = np.where(held == "app", "Optical scan", "Smart card or ticket")
    assert (taps["fare_media_id"].astype(str).to_numpy() == expected).all()
    assert set(held) == {"app", "card"}


def test_the_product_is_the_window_of_every_leg_in_one(media_run):
    # tiny: one cap window, city-pass, over both operators; free riders are exempt (no window)
    _, res = media_run
    taps, legs = res.taps, res.legs
    window = legs.set_index(["journey", "leg"])["window"]
    in_window = window.reindex(pd.MultiIndex.from_frame(taps[["journey", "leg"]])).to_numpy() >= 0
    product = taps["fare_product"].astype(str).to_numpy()
    assert in_window.any() and (~in_window).any()
    assert (product[in_window] == "city-pass").all() and (product[~in_window] == "pay-as-you-go").all()
    first = taps[taps["type"] == "tap"].groupby("card").head(1)
    assert (first["fare_product"].astype(str) == "city-pass").any()  # the opening tap carries its window


def test_the_written_log_validates_and_replays_with_its_media(media_run, tmp_path):
    path, res = media_run
    folder = write_results(res, tmp_path / "out", taps_csv=True)
    descriptor = json.loads((TIDES / "fare_transactions.schema.json").read_text())
    schema = frictionless.Schema.from_descriptor(descriptor)
    report = frictionless.Resource(path="fare_transactions.csv", basepath=str(folder), schema=schema,
                                   detector=frictionless.Detector(schema_sync=True)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    r = replay(path, folder / "fare_transactions.csv")
    assert len(r.rejects) == 0 and len(r.priced) == int((res.taps["type"] == "tap").sum())
    assert int(r.priced["fare"].sum()) == int(res.legs["fare"].sum())
    # without otrip-sim's media column each TIDES media type names the scenario's one medium of that
    # type (Optical scan: the app; Smart card or ticket: the card), so the fares are the run's
    taps = pd.read_csv(folder / "fare_transactions.csv", dtype=str, keep_default_na=False)
    taps.drop(columns="media").to_csv(tmp_path / "tides_only.csv", index=False)
    found = replay(path, tmp_path / "tides_only.csv")
    assert len(found.rejects) == 0 and int(found.priced["fare"].sum()) == int(res.legs["fare"].sum())
    assert set(found.rows["media"]) == {"app", "card"}
    # a media type two media share names neither: the app riders' bus fare is lost
    doc = yaml.safe_load(path.read_text())
    doc["fares"]["media"][1]["tides_media"] = "Optical scan"
    (path.parent / "shared.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    lost = replay(path.parent / "shared.yaml", tmp_path / "tides_only.csv")
    assert len(lost.rejects) == 0 and int(lost.priced["fare"].sum()) != int(res.legs["fare"].sum())
    # unless a --map names it
    mapped = replay(path.parent / "shared.yaml", tmp_path / "tides_only.csv",
                    mapping={"fare_media_id": {"Optical scan": "app", "Smart card or ticket": "card"}})
    assert int(mapped.priced["fare"].sum()) != int(lost.priced["fare"].sum())


def test_a_medium_names_only_a_tides_media_type():
    from pydantic import ValidationError

    from otrip_sim.schema.fares import TIDES_MEDIA, MediaSpec

    assert MediaSpec(id="card", share=1).tides_media == "Smart card or ticket"  # today's value, kept
    assert MediaSpec(id="app", share=1, tides_media="Optical scan").tides_media == "Optical scan"
    schema = json.loads((TIDES / "fare_transactions.schema.json").read_text())
    field = next(f for f in schema["fields"] if f["name"] == "fare_media_id")
    assert list(TIDES_MEDIA) == field["constraints"]["enum"]  # exactly TIDES' enumeration
    with pytest.raises(ValidationError, match="tides_media"):
        MediaSpec(id="app", share=1, tides_media="QR code")
