"""Benchmark of the combat kernel: vectorised vs scalar loop vs memory-bound floor.

``bench_combat`` times, per engagement, (1) the vectorised
:func:`sim.kernels.combat.resolve_engagements` in stochastic mode (as called, and
with its numpy engine alone), (2) the scalar
reference loop :func:`sim.benchmarks.combat_reference.resolve_reference` and (3) the
floor :func:`floor_pass`, a bare numpy pass that reads the same
input arrays and writes the same number of output arrays once. Engagements are
random but realistic (bands of 10-800, columns of 20-600, all four law cases,
ambushes and raids, aircraft and heliographs on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.benchmarks.combat_reference import resolve_reference
from sim.kernels.combat import (
    COMPILED_MIN,
    EngagementBatch,
    EngagementResult,
    Engine,
    combat_threads,
    resolve_engagements,
)
from sim.params.combat import CombatParams

__all__ = ["bench_combat", "floor_pass", "format_combat", "random_batch"]


def random_batch(n: int, rng: np.random.Generator) -> EngagementBatch:
    """n random, plausible engagements (whole numbers of men).

    Parameters
    ----------
    n : int
    rng : numpy.random.Generator

    Returns
    -------
    EngagementBatch
        Arrays of shape (n,).
    """
    raid = rng.random(n) < 0.2
    return EngagementBatch(
        insurgents=rng.integers(10, 800, n).astype(np.float64),
        state=rng.integers(20, 600, n).astype(np.float64),
        machine_guns=rng.integers(0, 8, n).astype(np.float64),
        guns=rng.integers(0, 3, n).astype(np.float64),
        concealment=rng.uniform(0.0, 0.9, n),
        state_concealment=rng.uniform(0.0, 0.95, n),
        band_morale=rng.uniform(0.0, 1.0, n),
        garrison_share=np.where(raid, rng.uniform(0.3, 1.0, n), 0.0),
        ambush=(rng.random(n) < 0.3) & ~raid,
        raid=raid,
    )


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def bench_combat(
    sizes: Sequence[int] = (1_000, 100_000, 1_000_000),
    *,
    scalar_cap: int = 10_000,
    repeat: int = 5,
    seed: int = 12345,
    log: Callable[[str], object] | None = None,
) -> list[dict[str, Any]]:
    """Time the combat law per engagement at several batch sizes.

    ``vectorized_s`` is :func:`~sim.kernels.combat.resolve_engagements` as the model
    and users call it (``engine="auto"``: the numpy engine below
    :data:`~sim.kernels.combat.COMPILED_MIN` engagements, the compiled engine, on all
    cores, from there on); ``numpy_s`` is the numpy engine alone. The scalar loop is
    timed on ``min(n, scalar_cap)`` engagements and scaled per engagement (its cost
    is linear in n), so a 10^6 row does not take minutes. The four timings are taken
    in ``repeat`` interleaved rounds (the array kernels twice in a row in each, so
    that their best run has warm caches) and each is its best run. The compiled engine
    is compiled (or loaded from its on-disk cache) before timing; ``compile_s``
    reports how long that took.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of engagements.
    scalar_cap : int, keyword-only
        Largest subsample timed with the scalar loop.
    repeat : int, keyword-only
    seed : int, keyword-only
    log : callable, keyword-only
        Called with a line of progress before each stage (the CLI prints to stderr).

    Returns
    -------
    list of dict
        One per size with keys ``n``, ``vectorized_s``, ``scalar_s``, ``floor_s``
        (seconds per engagement), ``speedup_vs_scalar``, ``ratio_to_floor``,
        ``numpy_s``, ``numpy_speedup_vs_scalar``, ``engine``, ``threads`` and
        ``compile_s``.
    """
    params = CombatParams()
    say = log if log is not None else (lambda _line: None)
    say("loading the compiled combat engine (the first use after an install or an edit "
        "compiles it: about 30 s)")
    t0 = time.perf_counter()
    warm = random_batch(COMPILED_MIN, np.random.default_rng(seed))
    resolve_engagements(warm, params=params, mode="stochastic", engine="compiled",
                        rng=np.random.default_rng(seed))
    compile_s = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    for n in sizes:
        say(f"timing {int(n):,d} engagements ({repeat} rounds)")
        rng = np.random.default_rng(seed)
        batch = random_batch(int(n), rng)

        def run(engine: Engine, b: EngagementBatch = batch, r: np.random.Generator = rng
                ) -> object:
            return resolve_engagements(b, params=params, heliographs=True, aircraft=True,
                                       mode="stochastic", rng=r, engine=engine)

        def flo(b: EngagementBatch = batch) -> object:
            return floor_pass(b)

        k = min(int(n), scalar_cap)
        sub = random_batch(k, np.random.default_rng(seed + 1))

        def ref(b: EngagementBatch = sub) -> object:
            return resolve_reference(b, params=params, heliographs=True, aircraft=True,
                                     mode="stochastic", rng=np.random.default_rng(seed))

        # interleaved rounds, so that every timing sees the same machine (a shared
        # machine's speed drifts over seconds); within a round the array kernels run
        # twice back to back, so their best run has warm caches as in a batch study
        best = {"auto": np.inf, "numpy": np.inf, "floor": np.inf, "scalar": np.inf}
        for _ in range(repeat):
            best["auto"] = min(best["auto"], _best(lambda: run("auto"), 2) / n)
            best["numpy"] = min(best["numpy"], _best(lambda: run("numpy"), 2) / n)
            best["floor"] = min(best["floor"], _best(flo, 2) / n)
            best["scalar"] = min(best["scalar"], _best(ref, 1) / k)
        t_vec, t_np, t_floor, t_scalar = (float(best[key])
                                          for key in ("auto", "numpy", "floor", "scalar"))
        compiled = int(n) >= COMPILED_MIN
        rows.append(
            {
                "n": int(n),
                "vectorized_s": t_vec,
                "scalar_s": t_scalar,
                "floor_s": t_floor,
                "speedup_vs_scalar": t_scalar / t_vec,
                "ratio_to_floor": t_vec / t_floor,
                "numpy_s": t_np,
                "numpy_speedup_vs_scalar": t_scalar / t_np,
                "engine": "compiled" if compiled else "numpy",
                "threads": combat_threads(int(n)) if compiled else 1,
                "compile_s": compile_s,
            }
        )
    return rows


def format_combat(rows: Sequence[dict[str, Any]]) -> str:
    """Human-readable table of :func:`bench_combat` rows (times in ns per engagement)."""
    head = (f"{'engagements':>12} {'vectorised':>12} {'scalar':>12} {'floor':>10}"
            f" {'x scalar':>9} {'x floor':>8}   {'engine':<14} {'numpy engine':>12}"
            f" {'x scalar':>9}")
    lines = [head, "-" * len(head)]
    for r in rows:
        engine = f"{r['engine']} x{r['threads']}"
        lines.append(
            f"{int(r['n']):>12,d} {r['vectorized_s'] * 1e9:>9.1f} ns {r['scalar_s'] * 1e9:>9.1f} ns"
            f" {r['floor_s'] * 1e9:>7.1f} ns {r['speedup_vs_scalar']:>8.0f}x"
            f" {r['ratio_to_floor']:>7.1f}x   {engine:<14} {r['numpy_s'] * 1e9:>9.1f} ns"
            f" {r['numpy_speedup_vs_scalar']:>8.0f}x"
        )
    if rows:
        lines.append(f"compiled engine ready in {rows[0]['compile_s']:.1f} s "
                     "(compile on first use, then loaded from the on-disk cache)")
    return "\n".join(lines)


def floor_pass(batch: EngagementBatch) -> EngagementResult:
    """Memory-bound floor: read every input array once and write every output once.

    Not a model: it bounds from below what any kernel reading and writing the same
    arrays must cost (the benchmark's ``floor_s``).

    Parameters
    ----------
    batch : EngagementBatch
        m engagements.

    Returns
    -------
    EngagementResult
        Arrays of shape (m,) holding meaningless values.
    """
    acc = batch.insurgents + batch.state
    acc += batch.machine_guns
    acc += batch.guns
    acc += batch.concealment
    acc += batch.state_concealment
    acc += batch.band_morale
    acc += batch.garrison_share
    acc += batch.ambush
    acc += batch.raid
    o = [acc * float(k) for k in range(1, 13)]
    return EngagementResult(
        insurgents_killed=o[0], insurgents_wounded=o[1], insurgents_captured=o[2],
        state_killed=o[3], state_wounded=o[4], state_captured=o[5], duration_h=o[6],
        outcome=acc.astype(np.int64), mg_captured=o[7], rifles_captured=o[8],
        rifles_recovered=o[9], air_men=o[10], air_mg=o[11], band_hidden=acc > 0,
    )
