"""``basmachi bench run``: whole campaigns, per entity-day, against two baselines.

For each scenario (by default ``continuous_1923_1929`` and ``raids_1929``) the model is
built and run to the end (or for ``days`` days) three ways in the same process:

- the model as shipped (compiled passes on), CPU time of the days only (the build is
  reported apart);
- the same run on the numpy reference paths (:func:`sim.kernels.dispatch.numpy_reference`);
  the two runs must give the same steps table, which the benchmark checks;
- the floor: a compiled pass that reads every numeric field of the same villages,
  bands and columns and writes two thirds as many, once per simulated day. It is
  memory-bound, so it says what a day would cost if it were one pass over the state.

Costs are CPU seconds (``time.process_time``: user + system of this process), per
entity-day with entities = villages + bands + columns rows. The shipped run also reports
its milliseconds per day by phase (``phase_ms_per_day``, with the recorder, the rest, and
the compiled village pass inside the population phase). The ratios compare figures
measured in the same run, so they hold on a loaded machine better than the times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["bench_run", "floor_pass", "format_run"]

F64 = NDArray[np.float64]


def _floor_kernel() -> Callable[[F64, F64, int], float]:
    import numba

    @numba.njit(cache=True, nogil=True)
    def floor(fields: F64, out: F64, days: int) -> float:  # pragma: no cover - compiled
        r, n = fields.shape
        w = out.shape[0]
        acc = 0.0
        for _ in range(days):
            for i in range(n):
                s = 0.0
                for j in range(r):
                    s += fields[j, i]
                for j in range(w):
                    out[j, i] = 0.5 * fields[j, i] + 1e-3 * s
            acc += out[0, 0]
        return acc

    return floor


def _state_fields(model: Any) -> F64:
    """Every numeric field of the villages, bands and columns, one row per field."""
    s = model.state
    blocks = []
    for table in (s.villages, s.bands, s.columns):
        n = len(table)
        names = [f.name for f in dataclasses.fields(table)]
        cols = [np.asarray(getattr(table, k), dtype=np.float64).reshape(n, -1) for k in names]
        blocks.append(np.concatenate(cols, axis=1) if cols else np.zeros((n, 0)))
    width = max(b.shape[1] for b in blocks)
    padded = [np.pad(b, ((0, 0), (0, width - b.shape[1]))) for b in blocks]
    return np.ascontiguousarray(np.concatenate(padded, axis=0).T)


def floor_pass(model: Any, days: int, *, repeats: int = 3) -> dict[str, float]:
    """CPU seconds per entity-day of the memory-bound compiled pass over ``model``'s state.

    Returns
    -------
    dict
        ``floor_ns_per_entity_day``, ``fields_read``, ``fields_written``.
    """
    fields = _state_fields(model)
    out = np.empty((max(1, 2 * fields.shape[0] // 3), fields.shape[1]))
    kernel = _floor_kernel()
    kernel(fields, out, 1)  # compile / load
    best = np.inf
    for _ in range(repeats):
        t0 = time.process_time()
        kernel(fields, out, days)
        best = min(best, time.process_time() - t0)
    return {"floor_ns_per_entity_day": best / (days * fields.shape[1]) * 1e9,
            "fields_read": float(fields.shape[0]), "fields_written": float(out.shape[0])}


def _timed(f: Callable[..., Any], key: str, acc: dict[str, float]) -> Callable[..., Any]:
    """``f`` adding its CPU seconds to ``acc[key]``."""
    acc.setdefault(key, 0.0)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            acc[key] += time.process_time() - t0

    return timed


def _timed_run(scenario: Any, seed: int,
               parts: dict[str, float] | None = None) -> tuple[Any, float, float]:
    """Build and run; with ``parts``, add each phase's CPU seconds to it, plus ``record``
    (the recorder's day) and ``village_step`` (the compiled village pass, inside
    ``population``). The timers cost two clock reads per phase a day (~0.2 % of a day)."""
    from sim.kernels import compiled
    from sim.model import BasmachiModel

    t0 = time.process_time()
    model = BasmachiModel(scenario, seed=seed)
    t1 = time.process_time()
    step = compiled.village_step
    if parts is not None:
        model.phases = tuple((n, _timed(f, n, parts)) for n, f in model.phases)
        model.recorder.record_day = _timed(  # type: ignore[method-assign]  # this run only
            model.recorder.record_day, "record", parts)
        compiled.village_step = _timed(step, "village_step", parts)
    try:
        model.run()
    finally:
        compiled.village_step = step
    t2 = time.process_time()
    return model, t1 - t0, t2 - t1


def bench_one(name: str, *, days: int | None = None, seed: int | None = None,
              reference: bool = True) -> dict[str, Any]:
    """Figures of one scenario (see the module docstring)."""
    from sim.kernels import dispatch
    from sim.scenario import load_scenario

    scenario = load_scenario(name)
    if days is not None and days < scenario.days:
        scenario = dataclasses.replace(scenario, end=scenario.start + dt.timedelta(days=days - 1))
    seed = scenario.seed if seed is None else seed
    with dispatch.compiled_paths(True):
        _timed_run(dataclasses.replace(scenario, end=scenario.start), seed)  # warm: map, numba
        parts: dict[str, float] = {}
        model, build_s, run_s = _timed_run(scenario, seed, parts)
    s = model.state
    entities = len(s.villages) + len(s.bands) + len(s.columns)
    n_days = scenario.days
    row: dict[str, Any] = {
        "scenario": scenario.name, "days": n_days, "entities": entities,
        "villages": len(s.villages), "bands": len(s.bands), "columns": len(s.columns),
        "build_cpu_s": build_s, "run_cpu_s": run_s,
        "ns_per_entity_day": run_s / (n_days * entities) * 1e9,
        "ms_per_day": run_s / n_days * 1e3,
        # Where the day goes: each phase, the recorder, what is left (agents, glue), and
        # the compiled village pass alone (part of ``population``).
        "phase_ms_per_day": {k: v / n_days * 1e3 for k, v in parts.items()}
        | {"other": (run_s - sum(v for k, v in parts.items() if k != "village_step"))
           / n_days * 1e3},
    }
    floor = floor_pass(model, n_days)
    row.update(floor)
    row["vs_floor"] = row["ns_per_entity_day"] / floor["floor_ns_per_entity_day"]
    if reference:
        with dispatch.numpy_reference():
            ref, _, ref_s = _timed_run(scenario, seed)
        row["numpy_run_cpu_s"] = ref_s
        row["speedup_vs_numpy"] = ref_s / run_s
        same = all(np.array_equal(a, b) for a, b in zip(
            model.recorder.steps_arrays().values(), ref.recorder.steps_arrays().values(),
            strict=True))
        row["same_tables_as_numpy"] = bool(same)
    return row


def bench_run(scenarios: tuple[str, ...] = ("continuous_1923_1929", "raids_1929"), *,
              days: int | None = None, reference: bool = True,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run :func:`bench_one` for each scenario.

    Parameters
    ----------
    scenarios : tuple of str
        Names in ``scenarios/`` or paths.
    days : int, optional
        Cut every scenario to its first ``days`` days.
    reference : bool
        Also time the numpy reference paths (doubles the time).
    log : callable, optional
        Progress lines.

    Returns
    -------
    dict
        ``load_1min`` (load average when the benchmark started), ``cpus`` and
        ``scenarios`` (one dict per scenario).
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for name in scenarios:
        if log is not None:
            log(f"bench run: {name} ...")
        rows.append(bench_one(name, days=days, reference=reference))
    return {"load_1min": load, "cpus": os.cpu_count(), "scenarios": rows}


def format_run(result: dict[str, Any]) -> str:
    """Plain-text table of :func:`bench_run`."""
    lines = [
        f"campaign benchmark (CPU time; load {result['load_1min']:.1f} on {result['cpus']} cpus)",
        f"{'scenario':22s} {'days':>5s} {'entities':>8s} {'run s':>7s} {'ms/day':>7s}"
        f" {'ns/ent-day':>10s} {'floor ns':>8s} {'x floor':>7s} {'numpy s':>8s} {'x numpy':>7s}"
        f" {'same':>5s}",
    ]
    for r in result["scenarios"]:
        ref = (f" {r['numpy_run_cpu_s']:8.2f} {r['speedup_vs_numpy']:7.2f}"
               f" {r['same_tables_as_numpy']!s:>5s}" if "numpy_run_cpu_s" in r
               else f" {'-':>8s} {'-':>7s} {'-':>5s}")
        lines.append(
            f"{r['scenario']:22s} {r['days']:5d} {r['entities']:8d} {r['run_cpu_s']:7.2f}"
            f" {r['ms_per_day']:7.2f} {r['ns_per_entity_day']:10.1f}"
            f" {r['floor_ns_per_entity_day']:8.2f} {r['vs_floor']:7.0f}{ref}"
        )
    for r in result["scenarios"]:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in r.get("phase_ms_per_day", {}).items())
        lines.append(f"  {r['scenario']} ms/day by part: {parts}")
    return "\n".join(lines)
