"""``basmachi bench sweep``: sweep throughput and the overhead of each executor.

For each scenario (``raids_1929`` and the synthetic ``tiny``) the same replicated
design is run five ways: ``run()`` in a loop (unbatched: every run builds its world;
the compute baseline), :func:`sim.batch.run_replicates` (batched: one shared build),
and the sweep machinery on the ``serial``, ``local`` (process pool) and ``dask``
(LocalCluster) executors with ``workers`` workers (sweep workers share builds per
scenario). Reported:

- ``unbatched_runs_per_cpu_s`` / ``batched_runs_per_cpu_s``: replicates per CPU second
  of this process, and ``batched_speedup`` their ratio;

- ``runs_per_min``: runs per minute of the local pool, start-up included;
- ``parallel_efficiency``: serial sweep time / (pool time x workers), 1.0 is ideal;
- ``pool_overhead_s`` / ``dask_overhead_s``: worker-seconds per run beyond the
  compute baseline, ``(wall x workers - runs x t_run) / runs``; process start-up
  (importing numpy, pandas and Mesa in each spawned worker) is amortised over the runs.

Headline numbers are those of ``tiny``; ``scenarios`` holds every scenario's figures.
On a machine with as many cores as workers, the parent process (writing parts,
progress) competes with the workers, which the efficiency includes.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.paths import scenarios_dir

__all__ = ["bench_sweep", "format_sweep"]


def _spec(scenario: str, runs: int, workers: int) -> Any:
    from sim.experiments.spec import parse_spec
    from sim.scenario import load_scenario

    base = load_scenario(scenario)
    return parse_spec(
        {
            "sweep": {"name": f"bench_{base.name}", "scenario": scenario, "design": "factorial",
                      "replicates": runs, "seed": 12345},
            "parameters": [{"path": "movement.march_hours", "levels": [base.movement.march_hours]}],
            "outputs": {"metrics": ["insurgent_fighters", "state_strength", "mean_support"],
                        "aggregates": ["mean"]},
            "execution": {"workers": workers, "flush_seconds": 5.0},
        },
        origin=f"<bench {scenario}>",
    )


def _one(scenario: str, runs: int, workers: int, *, dask: bool) -> dict[str, Any]:
    import numpy as np

    from sim.experiments.sweep import run_seed, sweep
    from sim.runner import run

    spec = _spec(scenario, runs, workers)
    base = spec.scenario
    run(base, seed=0)  # warm caches (geography) before timing
    from sim.batch import run_replicates

    k = max(3, min(runs, 10))
    seeds = [run_seed(spec.seed, i) for i in range(k)]
    t0, c0 = time.perf_counter(), time.process_time()
    for ss in seeds:
        run(base, seed=ss)
    t_run = (time.perf_counter() - t0) / k
    cpu_unbatched = (time.process_time() - c0) / k
    c0 = time.process_time()
    run_replicates(base, seeds)
    cpu_batched = (time.process_time() - c0) / k
    row: dict[str, Any] = {"scenario": base.name, "days": base.days, "runs": runs,
                           "workers": workers, "run_s": t_run,
                           "unbatched_runs_per_cpu_s": 1.0 / cpu_unbatched,
                           "batched_runs_per_cpu_s": 1.0 / cpu_batched,
                           "batched_speedup": cpu_unbatched / cpu_batched}
    walls: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        for name in ("serial", "local", *(("dask",) if dask else ())):
            out = Path(tmp) / name
            t0 = time.perf_counter()
            res = sweep(spec, out, executor=name, workers=workers, progress=False)
            walls[name] = time.perf_counter() - t0
            if res.n_errors:
                raise RuntimeError(f"bench sweep {scenario}/{name}: {res.n_errors} runs failed")
    compute = runs * t_run
    row["serial_s"] = walls["serial"]
    row["serial_overhead_s"] = (walls["serial"] - compute) / runs
    row["local_s"] = walls["local"]
    row["runs_per_min"] = runs / walls["local"] * 60.0
    row["serial_runs_per_min"] = runs / walls["serial"] * 60.0
    row["parallel_efficiency"] = walls["serial"] / (walls["local"] * workers)
    row["pool_overhead_s"] = (walls["local"] * workers - compute) / runs
    if dask:
        row["dask_s"] = walls["dask"]
        row["dask_runs_per_min"] = runs / walls["dask"] * 60.0
        row["dask_overhead_s"] = (walls["dask"] * workers - compute) / runs
    else:
        row["dask_overhead_s"] = float(np.nan)
    return row


def bench_sweep(
    *, runs: int = 48, real_runs: int = 16, workers: int = 2, dask: bool = True,
    real: str | None = "raids_1929",
) -> dict[str, Any]:
    """Measure sweep throughput on ``tiny`` and, if its file exists, a real scenario.

    Parameters
    ----------
    runs : int
        Runs of the tiny scenario per executor.
    real_runs : int
        Runs of the real scenario per executor.
    workers : int
    dask : bool
        Also time the Dask LocalCluster executor (needs dask.distributed).
    real : str or None
        Name of the real scenario in ``scenarios/``; skipped if absent.

    Returns
    -------
    dict
        ``runs_per_min``, ``parallel_efficiency``, ``pool_overhead_s``,
        ``dask_overhead_s`` (of tiny) and ``scenarios`` (each scenario's figures).
    """
    rows = [_one("tiny", runs, workers, dask=dask)]
    if real and (scenarios_dir() / f"{real}.toml").is_file():
        rows.append(_one(real, real_runs, workers, dask=dask))
    head = rows[0]
    return {
        "load_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"),
        "runs_per_min": head["runs_per_min"],
        "parallel_efficiency": head["parallel_efficiency"],
        "pool_overhead_s": head["pool_overhead_s"],
        "dask_overhead_s": head["dask_overhead_s"],
        "workers": workers,
        "scenarios": {r["scenario"]: r for r in rows},
    }


def format_sweep(result: dict[str, Any]) -> str:
    """A plain-text table of :func:`bench_sweep`'s result."""
    lines = [
        f"sweep benchmark, {result['workers']} workers (overheads: worker-seconds per run beyond"
        f" run()); load {result.get('load_1min', float('nan')):.1f} at the end",
        f"{'scenario':12s} {'runs':>5s} {'run s':>7s} {'serial/min':>10s} {'local/min':>10s}"
        f" {'dask/min':>9s} {'par.eff':>7s} {'pool ovh s':>10s} {'dask ovh s':>10s}"
        f" {'1by1/cpu-s':>10s} {'batch/cpu-s':>11s} {'x batch':>7s}",
    ]
    for r in result["scenarios"].values():
        dask_rate = f"{r['dask_runs_per_min']:9.0f}" if "dask_runs_per_min" in r else f"{'-':>9s}"
        lines.append(
            f"{r['scenario']:12s} {r['runs']:5d} {r['run_s']:7.3f} {r['serial_runs_per_min']:10.0f}"
            f" {r['runs_per_min']:10.0f} {dask_rate} {r['parallel_efficiency']:7.2f}"
            f" {r['pool_overhead_s']:10.3f} {r['dask_overhead_s']:10.3f}"
            f" {r['unbatched_runs_per_cpu_s']:10.2f} {r['batched_runs_per_cpu_s']:11.2f}"
            f" {r['batched_speedup']:7.2f}"
        )
    return "\n".join(lines)
