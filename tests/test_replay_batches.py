"""Replay in batches of whole cards: any batch size prices a file as one batch does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from otrip_sim import InputError
from otrip_sim.cli import _csv
from otrip_sim.replay import card_batches, read_taps, replay

ROOT = Path(__file__).resolve().parent.parent
JAK = ROOT / "scenarios" / "jakarta" / "jaklingko-2022.yaml"

# three LRT + TJ + MRT journeys on one card (an integrated window shares the fare by distance), a
# card alone, a free rider, a card with a bad row; sorted by card
SORTED = """
rider,operator,board_time,category,distance_km
a,lrt,08:00:00,,6
a,transjakarta,08:20:00,,12
a,mrt,09:00:00,,8
a,transjakarta,17:00:00,,5
b,transjakarta,07:00:00,,3
c,mrt,07:30:00,free,4
c,lrt,07:50:00,free,4
d,transjakarta,10:00:00,,4
d,tram,10:30:00,,4
e,krl,06:00:00,,30
e,transjakarta,07:10:00,,12
"""

# the same rows with card a's rows apart and the others shuffled
APART = """
rider,operator,board_time,category,distance_km
a,lrt,08:00:00,,6
c,mrt,07:30:00,free,4
e,krl,06:00:00,,30
a,transjakarta,08:20:00,,12
d,tram,10:30:00,,4
b,transjakarta,07:00:00,,3
a,mrt,09:00:00,,8
d,transjakarta,10:00:00,,4
e,transjakarta,07:10:00,,12
c,lrt,07:50:00,free,4
a,transjakarta,17:00:00,,5
"""


def taps(tmp_path: Path, text: str, name: str = "taps.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n")
    return path


def outputs(path: Path, batch_rows: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    r = replay(JAK, path, skip_bad=True, batch_rows=batch_rows)
    return r.priced, r.rejects, r.per_rider(), r.totals()


def same(one: tuple, other: tuple) -> None:
    for a, b in zip(one[:3], other[:3]):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert one[3] == other[3]


def cards_of(rows: pd.DataFrame, batches: list[np.ndarray]) -> list[set[str]]:
    riders = rows["rider"].to_numpy()
    return [set(riders[b]) for b in batches]


@pytest.mark.parametrize("text", [SORTED, APART], ids=["sorted", "apart"])
@pytest.mark.parametrize("batch_rows", [1, 2, 3, 5])
def test_any_batch_size_prices_as_one_batch(tmp_path, text, batch_rows):
    path = taps(tmp_path, text)
    whole = outputs(path, 10**9)
    assert whole[3]["legs"] == 10 and whole[3]["rejected"] == 1  # d's tram
    assert whole[0]["fare"].sum() > 0
    same(outputs(path, batch_rows), whole)


@pytest.mark.parametrize("text", [SORTED, APART], ids=["sorted", "apart"])
@pytest.mark.parametrize("batch_rows", [1, 2, 3, 5])
def test_no_card_is_split_between_batches(tmp_path, text, batch_rows):
    rows = read_taps(taps(tmp_path, text))
    batches = card_batches(rows, batch_rows)
    every = np.sort(np.concatenate(batches))
    assert every.tolist() == list(range(len(rows)))  # each row once
    seen = cards_of(rows, batches)
    for k, cards in enumerate(seen):
        assert not any(cards & other for other in seen[k + 1:])
    # a card's rows keep their order in the file; a batch exceeds batch_rows only for one card
    for b in batches:
        for card in set(rows["rider"].to_numpy()[b]):
            mine = b[rows["rider"].to_numpy()[b] == card]
            assert (np.diff(mine) > 0).all()
        assert len(b) <= batch_rows or len(set(rows["rider"].to_numpy()[b])) == 1


def test_a_card_straddling_the_batch_size_moves_whole_into_the_next_batch(tmp_path):
    rows = read_taps(taps(tmp_path, SORTED))
    # 3 rows a batch: a's four rows make a batch of their own; b and c (3 rows); d and e (2 rows
    # each) do not fit in one: a naive cut at rows 3, 6, 9 would split a, c and e
    assert [sorted(c) for c in cards_of(rows, card_batches(rows, 3))] == [["a"], ["b", "c"], ["d"], ["e"]]
    assert [sorted(c) for c in cards_of(rows, card_batches(rows, 5))] == [["a", "b"], ["c", "d"], ["e"]]


def test_rows_of_a_card_apart_are_grouped_not_split(tmp_path):
    rows = read_taps(taps(tmp_path, APART))
    batches = card_batches(rows, 2)
    (with_a,) = [b for b in batches if "a" in set(rows["rider"].to_numpy()[b])]
    assert with_a.tolist() == [0, 3, 6, 10]  # a's rows at lines 2, 5, 8 and 12, together, in file order


def test_a_card_apart_is_priced_as_when_its_rows_are_together(tmp_path):
    apart = outputs(taps(tmp_path, APART, "apart.csv"), 2)
    together = outputs(taps(tmp_path, SORTED, "sorted.csv"), 2)
    fares = {(r.rider, r.board_time): r.fare for r in apart[0].itertuples()}
    assert fares == {(r.rider, r.board_time): r.fare for r in together[0].itertuples()}
    assert apart[2].equals(together[2])  # per rider


def test_batches_hold_times_to_the_files_zone(tmp_path):
    # the file's most common zone is +07:00; the first card alone would make Z its own zone
    path = taps(tmp_path, """
rider,operator,board_time
a,transjakarta,2022-09-01T08:00:00Z
b,transjakarta,2022-09-01T08:00:00+07:00
c,transjakarta,2022-09-01T09:00:00+07:00
""")
    for batch_rows in (1, 10):
        r = replay(JAK, path, skip_bad=True, batch_rows=batch_rows)
        assert r.rejects["line"].tolist() == [2]
        assert r.rejects["reason"].tolist() == [
            "board_time in another time zone than the file's other times (+07:00)"]


def test_batches_count_days_from_the_files_first_monday(tmp_path):
    # card b taps in on Sunday 7 January and out on Monday 8 January; alone, its tap-out column
    # would count from Monday 8 January and its board column from Monday 1 January
    path = taps(tmp_path, """
rider,operator,board_time,alight_time,distance_km
a,transjakarta,2024-01-02T08:00:00,2024-01-02T08:30:00,5
b,transjakarta,2024-01-07T23:50:00,2024-01-08T00:10:00,5
""")
    same(outputs(path, 1), outputs(path, 10))
    assert outputs(path, 1)[3]["rejected"] == 0


def test_bad_rows_of_every_batch_are_listed_in_line_order(tmp_path):
    path = taps(tmp_path, APART.replace("e,krl", "e,tram").replace("c,lrt", "c,bus"))
    messages = []
    for batch_rows in (1, 3, 100):
        with pytest.raises(InputError) as info:
            replay(JAK, path, batch_rows=batch_rows)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == messages[2]
    assert ("3 bad rows: line 4: unknown operator 'tram'; line 6: unknown operator 'tram'; "
            "line 11: unknown operator 'bus'") in messages[0]


def test_priced_parts_write_the_same_csv(tmp_path):
    r = replay(JAK, taps(tmp_path, APART), skip_bad=True)
    _csv(r.priced, tmp_path / "one.csv")
    _csv(r.priced_parts(rows=2), tmp_path / "parts.csv")
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    # a part with no accepted rows (d's tram alone) neither adds a header nor changes the types
    _csv(r.priced_parts(rows=1), tmp_path / "ones.csv")
    assert (tmp_path / "ones.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
