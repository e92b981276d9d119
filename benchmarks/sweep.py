"""Sweep on Dask: a 100-run sweep at a 10% sample on a LocalCluster of 1, then 2 workers.

Usage: .venv/bin/python benchmarks/sweep.py [--runs 100] [--sample 0.1] [--workers 1,2]
       [--scenario scenarios/jakarta/okotrip-2018.yaml] [--out DIR]

The sweep is what ``otrip-sim sweep S --param fares.windows[0].cap=4000,5000,6000,7000,8000 --param
fares.windows[0].duration=60min,120min,180min,240min --replications R --sample 0.1 --executor
dask`` runs (20 grid points × R replications = ``--runs``), called through the library
(``otrip_sim.sweep``, then ``write_sweep`` into a temporary folder, as the command does). For each
worker count, a ``LocalCluster`` is started as ``--executor dask`` starts it
(:func:`otrip_sim.executors.local_cluster`: processes under nannies, one thread each) and the sweep
is sent to its scheduler; the figures printed are the cluster's start-up, the sweep (loading and
validating the 20 points here, the runs on the workers — their first import of otrip-sim and every
scenario load included —, results back), writing the folder, and their sum, the wall time a user
waits for; from Dask's task stream, the mean time of one run on a worker and how busy the workers
were between the first run's start and the last one's end, and the worker processes' CPU time per
run (runs slower on 2 workers than on 1 for the same CPU time are waiting for a core, taken by
other work; more CPU time per run is the cores slowing each other — shared caches and memory, or
the hypervisor; idle workers would be Dask or the client). Then runs/s, the speed-up of the last
worker count over the first and the scaling efficiency (speed-up / ratio of worker counts), on the
total and on the sweep alone; and ``bare_simpy_event_us``, the cost of one bare SimPy event in this
process (``bare_event_seconds`` of benchmarks/scale.py), a machine-speed yardstick. The results of
every worker count are checked equal to the first's, figure for figure.

Target (performance issue): scaling efficiency >= 0.8 from 1 to 2 workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import bare_event_seconds  # noqa: E402

from otrip_sim.executors import local_cluster  # noqa: E402
from otrip_sim.sweep import sweep, write_sweep  # noqa: E402

CAPS = [4000, 5000, 6000, 7000, 8000]
DURATIONS = ["60min", "120min", "180min", "240min"]


def main() -> None:
    """Run the sweep on each worker count and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="runs in all: a multiple of 20 (grid points)")
    parser.add_argument("--sample", type=float, default=0.1)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--scenario", default="scenarios/jakarta/okotrip-2018.yaml")
    parser.add_argument("--out", type=Path, default=None,
                        help="keep the sweep folder written with the last worker count here")
    args = parser.parse_args()
    points = len(CAPS) * len(DURATIONS)
    if args.runs < points or args.runs % points:
        parser.error(f"--runs must be a multiple of {points} (the grid points)")
    replications = args.runs // points
    counts = [int(w) for w in args.workers.split(",")]
    params = [("fares.windows[0].cap", CAPS), ("fares.windows[0].duration", DURATIONS)]
    from dask.distributed import Client, get_task_stream

    print(f"scenario: {args.scenario}; {points} points x {replications} replications = {args.runs} runs "
          f"at --sample {args.sample}")
    print(f"machine: nproc {os.cpu_count()}, Python {sys.version.split()[0]}, load {os.getloadavg()}")
    event_s = bare_event_seconds()
    print(f"bare_simpy_event_us: {event_s * 1e6:.3f}")
    walls: dict[int, tuple[float, float]] = {}
    first = None
    for n in counts:
        t0 = time.perf_counter()
        cluster = local_cluster(n)
        with Client(cluster) as client:
            client.wait_for_workers(n)
            cpu0 = client.run(time.process_time)  # each worker process's CPU seconds so far
            t1 = time.perf_counter()
            with get_task_stream(client) as stream:  # when each run computed, on which worker
                s = sweep(ROOT / args.scenario, params, replications, sample=args.sample,
                          executor="dask", scheduler=cluster.scheduler_address)
            t2 = time.perf_counter()
            cpu = sum(client.run(time.process_time).values()) - sum(cpu0.values())
            with tempfile.TemporaryDirectory() as tmp:
                write_sweep(s, args.out if args.out is not None and n == counts[-1] else Path(tmp) / "sweep")
            t3 = time.perf_counter()
        cluster.close()
        total, runs_s = t3 - t0, t2 - t1
        walls[n] = (total, runs_s)
        computes = [(x["start"], x["stop"]) for task in stream.data for x in task["startstops"]
                    if x["action"] == "compute"]
        busy = sum(b - a for a, b in computes)
        span = max(b for _, b in computes) - min(a for a, _ in computes)
        print(f"workers {n}: total {total:.1f} s (start-up {t1 - t0:.1f}, sweep {runs_s:.1f}, write "
              f"{t3 - t2:.1f}); {args.runs / total:.2f} runs/s ({args.runs / runs_s:.2f} in the sweep)",
              flush=True)
        print(f"  a run {busy / len(computes):.2f} s on a worker (mean of {len(computes)}), of it "
              f"{cpu / len(computes):.2f} s on a CPU (the worker processes' CPU time / runs); workers busy "
              f"{busy / (n * span):.0%} of the {span:.1f} s from the first run's start to the last's end; "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        if first is None:
            first = s.reps
        elif s.reps != first:
            raise SystemExit(f"workers {n}: results differ from workers {counts[0]}'s")
    if len(counts) > 1:
        a, b = counts[0], counts[-1]
        speedup, speedup_runs = walls[a][0] / walls[b][0], walls[a][1] / walls[b][1]
        print(f"results identical for workers {', '.join(map(str, counts))}")
        print(f"speedup_{a}_to_{b}: {speedup:.2f} (sweep alone {speedup_runs:.2f})")
        print(f"scaling_efficiency: {speedup / (b / a):.2f} (sweep alone {speedup_runs / (b / a):.2f}; "
              f"target >= 0.8)")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
