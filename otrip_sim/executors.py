"""Run independent jobs (replications, scenarios, grid points) in parallel, results in job order.

One interface, three ways: in this process (``workers=1``), local processes
(:class:`concurrent.futures.ProcessPoolExecutor`, the default with ``workers > 1``), or a Dask
distributed cluster (``executor="dask"``: the cluster at ``scheduler``, else a ``LocalCluster``).
Every job carries its own seed and replication number and the results come back in the order of
the jobs, whatever order they finished in, so the aggregates are the same bit for bit whatever the
executor and the number of workers (docs/compare.md, "Parallel runs").
"""

from __future__ import annotations

import copyreg
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from .errors import InputError

J = TypeVar("J")
R = TypeVar("R")

EXECUTORS = ("local", "dask")


def _reduce_input_error(e: InputError) -> tuple[Any, ...]:
    """An :class:`InputError` raised in a worker, pickled by its fields (pickling an exception
    passes only its text to ``__init__``, which takes four): so a local process's failed job
    reaches the caller as its error, not as a broken pool, and a Dask worker's as the same
    message."""
    return InputError, (e.file, e.path, e.message, e.value)


copyreg.pickle(InputError, _reduce_input_error)


def _single_threaded() -> None:
    """Worker start-up: one BLAS/OpenMP thread per process, so a worker's sums are the serial ones
    (a multi-threaded BLAS may add in another order) and workers do not oversubscribe the cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def run_jobs(fn: Callable[[J], R], jobs: Sequence[J], workers: int = 1, executor: str = "local",
             scheduler: str | None = None, progress: bool = False, desc: str = "runs",
             done: Callable[[int, R], None] | None = None) -> list[R]:
    """``[fn(job) for job in jobs]``, possibly in parallel.

    Parameters
    ----------
    fn
        A module-level function (picklable), deterministic in its job.
    jobs
        The jobs, each picklable.
    workers
        Local processes (1: run here, one after the other); for Dask, the workers of a
        ``LocalCluster`` (ignored with ``scheduler``).
    executor
        ``"local"`` or ``"dask"``.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``).
    progress
        A progress bar of jobs done on stderr.
    desc
        The bar's label.
    done
        Called with (job index, result) as each job finishes (used to save results for resume).

    Returns
    -------
    list
        The results, in the order of ``jobs``.
    """
    if workers < 1:
        raise InputError("--workers", "", "must be >= 1", workers)
    if executor not in EXECUTORS:
        raise InputError("--executor", "", f"must be one of {', '.join(EXECUTORS)}", executor)
    from tqdm import tqdm

    results: dict[int, R] = {}
    with tqdm(total=len(jobs), desc=desc, unit="run", disable=not progress, leave=False) as bar:
        def record(i: int, r: R) -> None:
            results[i] = r
            if done is not None:
                done(i, r)
            bar.update(1)

        if executor == "dask":
            _dask(fn, jobs, workers, scheduler, record)
        elif workers == 1 or len(jobs) <= 1:
            for i, job in enumerate(jobs):
                record(i, fn(job))
        else:
            _processes(fn, jobs, workers, record)
    return [results[i] for i in range(len(jobs))]


def _processes(fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int,
               record: Callable[[int, Any], None]) -> None:
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_single_threaded)
    try:
        futures = {pool.submit(fn, job): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            record(futures[fut], fut.result())
    except BaseException:
        # Ctrl-C, SIGTERM or a failed job: drop the queued jobs instead of running them all
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def local_cluster(workers: int) -> Any:
    """The Dask ``LocalCluster`` that ``executor="dask"`` starts without a ``scheduler``: ``workers``
    worker processes (each under a nanny, which sets one BLAS/OpenMP thread before it starts the
    worker) of one thread each, no dashboard.

    Parameters
    ----------
    workers : int

    Returns
    -------
    distributed.LocalCluster
    """
    from dask.distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def _dask(fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int, scheduler: str | None,
          record: Callable[[int, Any], None]) -> None:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("--executor", "", "dask needs dask.distributed: pip install 'otrip-sim[dask]'",
                         "dask") from None
    cluster = None
    if scheduler is None:
        cluster = local_cluster(workers)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        client.run(_single_threaded)
        futures = client.map(fn, list(jobs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in dask_completed(futures):
            record(index[fut.key], fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
