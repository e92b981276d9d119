"""A worker's compiled scenarios (``otrip_sim.replicate.compiled_for``): the cached path gives the
uncached results bit for bit, a changed scenario file is read again (in this process and on a
long-lived Dask cluster, as between two sweeps on ``dask worker`` processes), a worker whose files
differ from the caller's refuses to run, and a worker's error reaches the caller as itself."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from otrip_sim import compile_scenario, load_scenario, run
from otrip_sim.errors import InputError
from otrip_sim.executors import run_jobs
from otrip_sim.replicate import (
    _CACHE,
    CACHE_SIZE,
    Job,
    compiled_for,
    job_for,
    replicate,
    replicate_of,
    run_job,
)
from otrip_sim.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny" / "tiny.yaml"
CAP = "fares.windows[0].cap"


def _copy(tmp_path: Path) -> Path:
    shutil.copy(TINY, tmp_path / "tiny.yaml")
    return tmp_path / "tiny.yaml"


def _raise_fares(path: Path) -> None:
    """The tiny city's bus fare from Rp 3,500 to Rp 4,000 (the file's text changed, its path not)."""
    text = path.read_text(encoding="utf-8")
    assert "default: 3500" in text
    path.write_text(text.replace("default: 3500", "default: 4000"), encoding="utf-8")


def _uncached(path: Path, k: int) -> dict:
    res = run(compile_scenario(load_scenario(path)), seed=None, demand_scale=0.3, replication=k)
    return replicate_of(res).values


def test_the_cache_gives_the_uncached_results_and_is_used() -> None:
    _CACHE.clear()
    loaded = load_scenario(TINY)
    jobs = [job_for(loaded, k, demand_scale=0.3) for k in range(2)]
    assert jobs[0].inputs == tuple(sorted(loaded.inputs.items()))
    first = compiled_for(jobs[0])
    assert compiled_for(jobs[1]) is first  # read and compiled once for both replications
    assert [run_job(j).values for j in jobs] == [_uncached(TINY, k) for k in range(2)]


def test_a_changed_file_is_read_again_not_served_from_the_cache(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = replicate(path, 1, demand_scale=0.3)[0].values  # cached in this process
    _raise_fares(path)
    after = replicate(path, 1, demand_scale=0.3)[0].values
    assert after["fare_revenue"] != before["fare_revenue"]
    assert after == _uncached(path, 0)


def test_a_worker_reading_other_files_refuses_to_run(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    job = job_for(path, 0, demand_scale=0.3)
    _raise_fares(path)  # changed after the job was made: what a worker with another copy reads
    with pytest.raises(InputError, match=r"tiny\.yaml differ: changed since, or another copy"):
        run_job(job)
    # a job without input hashes (made by hand) is read every time, never cached
    bare = replace(job, inputs=())
    assert run_job(bare).values == _uncached(path, 0)
    assert all(key[-1] for key in _CACHE)


def test_the_cache_keeps_the_most_recently_used(tmp_path: Path) -> None:
    _CACHE.clear()
    loaded = load_scenario(TINY)
    jobs = [job_for(loaded, 0, overrides={CAP: 5000 + 100 * i}) for i in range(CACHE_SIZE + 1)]
    first = compiled_for(jobs[0])
    for j in jobs[1:CACHE_SIZE]:
        compiled_for(j)
    assert compiled_for(jobs[0]) is first  # used again: now the most recent
    compiled_for(jobs[CACHE_SIZE])  # one too many: the least recently used (jobs[1]) goes
    assert len(_CACHE) == CACHE_SIZE
    assert compiled_for(jobs[0]) is first


def test_a_workers_input_error_reaches_the_caller_as_itself() -> None:
    missing = Job("/nonexistent/otrip/x.yaml")
    with pytest.raises(InputError) as serial:
        run_jobs(run_job, [missing], 1)
    with pytest.raises(InputError) as processes:  # not a BrokenProcessPool
        run_jobs(run_job, [missing, missing], 2)
    assert str(processes.value) == str(serial.value) == "/nonexistent/otrip/x.yaml: file not found"


def test_dask_a_long_lived_cluster_reads_a_changed_file_again_and_sweeps_bit_for_bit(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    from otrip_sim.executors import local_cluster

    path = _copy(tmp_path)
    params = [(CAP, [5000, 8000])]
    serial = sweep(path, params, 2, demand_scale=0.3)
    with local_cluster(2) as cluster, Client(cluster):
        address = cluster.scheduler_address
        on_dask = sweep(path, params, 2, demand_scale=0.3, executor="dask", scheduler=address)
        assert on_dask.reps == serial.reps
        _raise_fares(path)  # the workers keep their compiled scenarios between the two sweeps
        changed = sweep(path, params, 2, demand_scale=0.3, executor="dask", scheduler=address)
        assert changed.reps == sweep(path, params, 2, demand_scale=0.3).reps
        assert changed.reps != serial.reps
        with pytest.raises(InputError) as err:
            run_jobs(run_job, [Job(str(tmp_path / "nope.yaml"))], executor="dask", scheduler=address)
        assert str(err.value) == f"{tmp_path / 'nope.yaml'}: file not found"
