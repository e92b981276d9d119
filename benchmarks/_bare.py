"""The cost of one bare SimPy event on this machine, measured in the calling process: the unit of
the benchmarks' machine-independent figures (``bare_simpy_events_per_journey``, ``..._per_leg``)."""

from __future__ import annotations

import time

import simpy


def bare_event_seconds() -> float:
    """Seconds per bare SimPy timeout event: best of 3 runs of 1,000,000 events in 100 processes."""

    def proc(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(1)

    best = float("inf")
    for _ in range(3):
        env = simpy.Environment()
        for _ in range(100):
            env.process(proc(env, 10_000))
        t0 = time.perf_counter()
        env.run()
        best = min(best, time.perf_counter() - t0)
    return best / 1_000_000
