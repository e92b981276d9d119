"""A run or replay estimated to outgrow the machine's memory is refused before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from otrip_sim import InputError, load_scenario
from otrip_sim.cli import main
from otrip_sim.compile import BASE_BYTES, BYTES_PER_JOURNEY, memory_estimate
from otrip_sim.memory import check_fits, machine_memory

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
OKO = ROOT / "scenarios" / "jakarta" / "okotrip-2018.yaml"


def test_the_estimate_grows_with_the_journeys():
    loaded = load_scenario(TINY)
    assert memory_estimate(loaded, 1.0) == BASE_BYTES + 7000 * BYTES_PER_JOURNEY
    assert memory_estimate(loaded, 1000.0) == BASE_BYTES + 7_000_000 * BYTES_PER_JOURNEY


def test_check_fits_refuses_beyond_the_memory():
    with pytest.raises(InputError) as info:
        check_fits(10_500_000_000, "the run", "--demand-scale", "lower --demand-scale",
                   available=8_000_000_000)
    assert str(info.value) == (
        "--demand-scale: the run would need about 10.5 GB of memory, more than the 8.0 GB "
        "this machine has; lower --demand-scale, or pass --no-memory-check to try anyway")
    check_fits(1, "the run", "--demand-scale", "", available=2)


def test_machine_memory_is_known_here():
    assert (machine_memory() or 0) > 100_000_000


def test_run_refuses_a_demand_scale_beyond_memory_before_starting(tmp_path):
    scale = 2 * (machine_memory() or 0) / (7000 * BYTES_PER_JOURNEY)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(TINY), "--out", str(out), "--demand-scale", f"{scale:.0f}"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: --demand-scale: the run would need about ")
    assert "--no-memory-check" in result.output and not out.exists()


def test_fares_refuses_a_tap_file_beyond_memory(tmp_path, monkeypatch):
    import otrip_sim.memory as memory

    monkeypatch.setattr(memory, "machine_memory", lambda: 450_000_000)
    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time\n" + "a,transjakarta,08:00:00\n" * 200_000)
    args = ["fares", str(OKO), "--journeys", str(taps), "--out", str(tmp_path / "p.csv")]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert refused.output.startswith("Error: --journeys: replaying this tap file would need about")
    assert not (tmp_path / "p.csv").exists()
