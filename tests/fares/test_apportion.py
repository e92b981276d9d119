"""largest_remainder: exact integer split in proportion to weights, ties to the earlier position."""

from __future__ import annotations

import pytest

from otrip_sim.fares import largest_remainder


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (9_000, [16_000, 12_000, 8_000], [4_000, 3_000, 2_000]),  # the JakLingko published example
        (10, [1, 1, 1], [4, 3, 3]),  # 3.33 each; one unit left → first (tie)
        (2, [1, 1, 1], [1, 1, 0]),  # 0.67 each; two units left → first two (ties)
        (1, [1, 1], [1, 0]),
        (5, [1, 2], [2, 3]),  # 1.67 / 3.33 → floors 1 / 3; the unit goes to the larger remainder .67
        (5, [2, 1], [3, 2]),  # 3.33 / 1.67 → the unit goes to the second
        (100, [1, 0, 1], [50, 0, 50]),
        (7, [0, 1], [0, 7]),
        (0, [3, 4], [0, 0]),
        (7, [0, 0, 0], [7, 0, 0]),  # all weights 0: everything to the first position
        (8_000, [10_500, 10_500, 10_500], [2_667, 2_667, 2_666]),
    ],
)
def test_examples(total, weights, shares):
    assert largest_remainder(total, weights) == shares


def test_empty_weights():
    assert largest_remainder(0, []) == []
    with pytest.raises(ValueError):
        largest_remainder(1, [])


def test_remainder_order_beats_position():
    # 10 × (1, 3, 6) / 10 = 1, 3, 6 exact; 11 × → 1.1 / 3.3 / 6.6 → floors 1 / 3 / 6 (10), unit → .6 (last)
    assert largest_remainder(11, [1, 3, 6]) == [1, 3, 7]
