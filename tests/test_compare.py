"""Replications, intervals and comparisons of fare policies (issue 14): the interval maths on known
samples, common random numbers (identical policies differ by exactly zero; pairing narrows the
interval of a real difference), replications as a stable prefix, parallel equal to serial, the
``run --replications`` and ``compare`` outputs, and the report (parsed, escaped, self-contained)."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import otrip_sim
from otrip_sim import load_scenario
from otrip_sim.cli import main
from otrip_sim.compare import COMPARISON_COLUMNS, compare
from otrip_sim.errors import InputError
from otrip_sim.replicate import replicate
from otrip_sim.stats import (
    holm,
    mean_interval,
    paired_difference,
    ratio_interval,
    replications_needed,
    t_cdf,
    t_quantile,
    unpaired_difference,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TINY = SCENARIOS / "tiny" / "tiny.yaml"

BASELINE = SCENARIOS / "jakarta" / "baseline-2018.yaml"
OKOTRIP = SCENARIOS / "jakarta" / "okotrip-2018.yaml"


# --- interval maths on known samples ---------------------------------------------------------

@pytest.mark.parametrize(("df", "q"), [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (30, 2.0423)])
def test_t_quantile_matches_the_tables(df: int, q: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(q, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-q, abs=1e-4)
    assert t_cdf(q, df) == pytest.approx(0.975, abs=1e-5)


def test_mean_interval_of_a_known_sample() -> None:
    iv = mean_interval([1, 2, 3, 4, 5])  # mean 3, sd √2.5, se √0.5; t(4) = 2.7764
    half = 2.776445 * math.sqrt(0.5)
    assert iv.mean == 3
    assert iv.low == pytest.approx(3 - half, rel=1e-6)
    assert iv.high == pytest.approx(3 + half, rel=1e-6)
    assert mean_interval([4.0]).low is None  # one replication: no spread to estimate
    assert mean_interval([1.0, float("nan")]).mean is None


def test_ratio_interval_by_the_delta_method() -> None:
    num, den = np.array([10.0, 12, 11, 13]), np.array([4.0, 5, 4, 6])
    iv = ratio_interval(num, den)
    r = num.mean() / den.mean()
    cov = np.cov(num, den, ddof=1)
    se = math.sqrt((cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (4 * den.mean() ** 2))
    assert iv.mean == pytest.approx(r)
    assert iv.high - iv.mean == pytest.approx(t_quantile(0.975, 3) * se)
    # a numerator proportional to the denominator has no ratio noise at all
    exact = ratio_interval([2.0, 4, 6], [1.0, 2, 3])
    assert (exact.mean, exact.low, exact.high) == (2.0, 2.0, 2.0)
    assert ratio_interval([1.0, 2.0], [0.0, 0.0]).mean is None


def test_pairing_removes_the_shared_noise() -> None:
    rng = np.random.default_rng(1)
    shared = rng.normal(100, 10, 8)
    a, b = shared, shared + 1 + rng.normal(0, 0.1, 8)
    paired, unpaired = paired_difference(a, b), unpaired_difference(a, b)
    assert paired.mean == pytest.approx(unpaired.mean)
    assert paired.width < unpaired.width / 10
    assert paired.low > 0 > unpaired.low


def test_holm_adjustment() -> None:
    assert holm([0.01, 0.04, 0.03, None]) == [pytest.approx(0.03), pytest.approx(0.06), pytest.approx(0.06),
                                             None]
    assert holm([0.5, 0.9]) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_replications_needed_for_a_half_width() -> None:
    # sd of differences 10, ± 5 wanted: n with t(n-1)·10/√n ≤ 5
    n = replications_needed(10, 5)
    assert n is not None
    assert t_quantile(0.975, n - 1) * 10 / math.sqrt(n) <= 5
    assert t_quantile(0.975, n - 2) * 10 / math.sqrt(n - 1) > 5


# --- replications and common random numbers ----------------------------------------------------

def test_replications_are_a_stable_prefix_and_parallel_equals_serial() -> None:
    three = replicate(TINY, 3, demand_scale=0.3)
    two_parallel = replicate(TINY, 2, demand_scale=0.3, workers=2)
    assert [r.values for r in two_parallel] == [r.values for r in three[:2]]
    assert [r.routes for r in two_parallel] == [r.routes for r in three[:2]]
    assert three[0].values != three[1].values  # independent draws


def test_dask_local_cluster_equals_local_processes() -> None:
    pytest.importorskip("dask.distributed")
    local = replicate(TINY, 2, demand_scale=0.3)
    dask = replicate(TINY, 2, demand_scale=0.3, workers=2, executor="dask")
    assert [r.values for r in dask] == [r.values for r in local]


def test_identical_policies_differ_by_exactly_zero() -> None:
    c = compare([TINY, TINY], 3, demand_scale=0.3)
    rows = c.rows()
    second = rows[rows["scenario"] == rows["scenario"].iloc[-1]]
    assert (second["delta_vs_first"].fillna(0) == 0).all()
    assert (second["delta_ci_low"].fillna(0) == 0).all()
    assert (second["delta_ci_high"].fillna(0) == 0).all()
    assert c.warnings() == []
    assert "the same fares" in c.fares_diff()[0]


@pytest.fixture(scope="module")
def jakarta() -> object:
    return compare([BASELINE, OKOTRIP], 3, sample=0.1)


def test_pairing_narrows_the_okotrip_difference(jakarta: object) -> None:
    c = jakarta
    for metric in ("fare_revenue", "subsidy"):
        paired, unpaired = c.delta(1, metric), c.delta(1, metric, paired=False)
        assert paired.mean == pytest.approx(unpaired.mean)
        assert paired.width < unpaired.width / 2, metric
    # OK OTrip's cap lowers fare revenue and raises the city's subsidy, beyond the noise
    assert c.delta(1, "fare_revenue").high < 0
    assert c.delta(1, "subsidy").low > 0


def test_comparison_table_is_long_and_ordered(jakarta: object) -> None:
    c = jakarta
    rows = c.rows()
    assert list(rows.columns) == COMPARISON_COLUMNS
    assert list(rows["scenario"].unique()) == ["baseline-2018", "okotrip-2018"]
    assert list(rows["metric"][rows["scenario"] == "baseline-2018"]) == c.metrics
    assert c.metrics[:4] == ["persons", "persons_simulated", "journeys_per_person", "journeys"]
    head = c.headline()
    row = head[head["metric"] == "fare_revenue"].iloc[0]
    assert row["p_holm"] >= row["p_value"]
    assert bool(row["significant"])
    el = c.elasticity()
    assert not el["fare_change_uniform"].iloc[0]  # the cap changes TransJakarta's fares, not KRL's
    assert c.warnings() == []  # a fare-only counterfactual


def test_warning_when_more_than_fares_differ() -> None:
    other = load_scenario(TINY, overrides={"choice.spread": "9min"})
    c = compare([TINY, other], 1, demand_scale=0.2)
    assert len(c.warnings()) == 1
    assert "choice" in c.warnings()[0]


def test_overrides_validate_as_if_written_in_the_file(write_scenario, tiny_doc) -> None:
    edited = write_scenario(lambda d: d["fares"]["windows"][0].update(cap=1234), name="edited.yaml")
    plain = write_scenario(name="plain.yaml")
    cap = next(k for k in tiny_doc["fares"]["windows"][0] if k == "cap")
    via_set = load_scenario(plain, overrides={f"fares.windows[0].{cap}": 1234})
    assert via_set.spec.fares == load_scenario(edited).spec.fares
    assert via_set.overrides == {"fares.windows[0].cap": 1234}


# --- the command line -----------------------------------------------------------------------------

def test_run_with_replications_writes_intervals(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = CliRunner().invoke(main, ["run", str(TINY), "--out", str(out), "--demand-scale", "0.3",
                                  "--replications", "3", "--quiet"])
    assert r.exit_code == 0, r.output
    block = json.loads((out / "summary.json").read_text())["replications"]
    assert block["n"] == 3 and block["replications"] == [0, 1, 2]
    assert "simulation noise" in block["noise"]
    fare = block["metrics"]["fare_revenue"]
    assert fare["ci_low"] <= fare["mean"] <= fare["ci_high"]
    assert len(fare["values"]) == 3
    assert block["metrics"]["fare_per_journey"]["interval"] == "delta method (ratio)"
    table = pd.read_csv(out / "replications.csv")
    assert list(table.columns[:5]) == ["metric", "unit", "mean", "ci_low", "ci_high"]
    assert table.set_index("metric").loc["fare_revenue", "mean"] == pytest.approx(fare["mean"])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src") or "")
        for key in ("href", "src"):
            if a.get(key) and tag != "img":
                self.links.append(a[key] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_compare_command_writes_a_self_contained_escaped_report(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", str(TINY), str(TINY), "--out", str(out), "--demand-scale", "0.3",
                                  "--replications", "2", "--quiet",
                                  "--set", "meta.title=<script>alert(1)</script>"])
    assert r.exit_code == 0, r.output
    for name in ("comparison.csv", "headline.csv", "elasticity.csv", "fares_diff.txt", "report.html",
                 "plots/operators.png", "plots/map_1.png"):
        assert (out / name).is_file(), name
    page = _Page()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags  # the title shows as text
    assert "<script>alert(1)</script>" in "".join(page.text)
    assert len(page.images) >= 4
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    assert page.links == []  # nothing fetched from the network
    assert "Provenance" in page.text and "Headline changes" in page.text
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == COMPARISON_COLUMNS


@pytest.mark.parametrize(("args", "message"), [
    (["compare", str(TINY)], "needs two scenarios or more"),
    (["compare", str(TINY), str(TINY), "--set", "fares.windows[9].cap=1"], "fares.windows[9]: --set"),
    (["run", str(TINY), "--set", "fares.windows[0].cap=-5"], "tiny.yaml: fares.windows[0].cap: must be"),
    (["run", str(TINY), "--set", "nonsense"], "--set: expected PATH=VALUE"),
])
def test_bad_input_is_one_located_message(tmp_path: Path, args: list[str], message: str) -> None:
    r = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x")])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "x").exists()


def test_an_operator_only_one_scenario_has_raises_no_warning(write_scenario) -> None:
    import warnings

    def extra_operator(doc):  # a third operator with no route: no boardings in either, NaN-free
        doc["operators"].append({"id": "ferry", "name": "Ferry", "mode": "ferry"})
        doc["fares"]["standalone"]["ferry"] = {"kind": "flat", "amount": 1000}

    a, b = write_scenario(None, "a.yaml"), write_scenario(extra_operator, "b.yaml")
    c = compare([a, b], 2, demand_scale=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert c.fare_change_uniform(1) in (True, False)
        c.elasticity()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium on this machine (Debian package chromium)")
def test_the_report_renders_in_chromium_with_every_image_loaded(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", str(TINY), str(TINY), "--out", str(out), "--demand-scale", "0.3",
                                  "--replications", "2", "--quiet"])
    assert r.exit_code == 0, r.output
    # the report as written, and a probe appended after it that writes what the browser loaded
    probe = ("<script>window.addEventListener('load', () => { const im = [...document.images]; "
             "document.title = 'images ' + im.length + ' broken ' + "
             "im.filter(i => !(i.complete && i.naturalWidth > 0)).length; });</script>")
    page = tmp_path / "probe.html"
    page.write_text((out / "report.html").read_text(encoding="utf-8") + probe, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom"]
    done = subprocess.run([str(CHROMIUM), *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r"<title>images (\d+) broken (\d+)</title>", done.stdout)
    assert found, done.stdout[:2000]
    images, broken = int(found.group(1)), int(found.group(2))
    assert images >= 4 and broken == 0


def test_overrides_reach_into_a_section_kept_in_its_own_file(tmp_path: Path) -> None:
    """`--set modes.theta=0.1` where the scenario says `modes: demand/modes.yaml` changes that
    file's value (as written there), leaves the file alone, hashes it as an input and refuses a bad
    value with the field's path."""
    jakarta = ROOT / "scenarios" / "jakarta" / "okotrip-2018.yaml"
    modes_file = jakarta.parent / "demand" / "modes.yaml"
    before = modes_file.read_bytes()
    plain = load_scenario(jakarta)
    changed = load_scenario(jakarta, overrides={"modes.theta": 0.1, "modes.nest.mu": 0.7})
    assert (plain.spec.modes.theta, changed.spec.modes.theta) == (0.05, 0.1)
    assert changed.spec.modes.nest.mu == 0.7
    assert changed.spec.modes.outside == plain.spec.modes.outside  # the rest as in the file
    assert changed.inputs == plain.inputs and "demand/modes.yaml" in changed.inputs
    assert modes_file.read_bytes() == before
    with pytest.raises(InputError, match=r"modes\.theta: .*less than or equal to 1 \(got 5\)"):
        load_scenario(jakarta, overrides={"modes.theta": 5})
    assert otrip_sim.compile_scenario(changed).loaded.spec.modes.theta == 0.1  # and it compiles
