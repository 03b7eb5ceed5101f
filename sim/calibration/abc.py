"""An accepted ensemble by ABC-SMC (population Monte Carlo with adaptive thresholds).

The method (Beaumont, Cornuet, Marin & Robert 2009; Toni et al. 2009), with a fixed number
of simulations per generation so the cost is known in advance:

1. Generation 0 draws ``population`` parameter sets from the prior (uniform on each
   parameter's range, log-uniform for ``scale = "log"``), runs each on every campaign and
   computes its distance (:func:`sim.calibration.objective.objective`).
   The threshold ``eps_0`` is the ``quantile`` of those distances; the sets at or below it
   are accepted with equal weights.
2. Generation ``t`` draws ``population`` proposals by picking an accepted set of ``t - 1``
   by weight and moving it with a Gaussian kernel of twice the weighted covariance
   (in the unit cube of the prior; proposals outside the prior's support are redrawn),
   runs them, sets ``eps_t = min(eps_{t-1}, quantile of the new distances)``, accepts those
   at or below it and weights each by ``prior / sum_j w_j K(theta | theta_j)``.

With ``generations = 1`` this is plain rejection ABC on a prior sample. Unlike the search,
every proposal runs with its own seeds (independent simulations, as ABC needs).
The accepted sets of the last generation, with their weights, are the ensemble; their runs
give the predictive distribution of every target (weighted 5 %, 50 % and 95 % quantiles).

Everything is seeded from the spec's seed and persisted per evaluation (as the search), so
a killed run resumes without losing or repeating an evaluation and ends identical.

References
----------
Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. & Robert, C. P. (2009). Adaptive approximate
Bayesian computation. Biometrika 96(4), 983-990.
Toni, T., Welch, D., Strelkowa, N., Ipsen, A. & Stumpf, M. P. H. (2009). Approximate
Bayesian computation scheme for parameter inference and model selection in dynamical
systems. J. R. Soc. Interface 6, 187-202.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.calibration.objective import CampaignEval, TargetEval, objective
from sim.calibration.search import prepare, run_evaluations
from sim.calibration.spec import CalibrationSpec
from sim.results import write_parquet_atomic

__all__ = ["AbcOutcome", "abc_seed", "abc_smc", "coverage", "predictive", "weighted_quantile"]

F64 = NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class AbcOutcome:
    """The ensemble and what it took.

    Attributes
    ----------
    out : Path
    particles : DataFrame
        Every proposal: ``trial``, ``generation``, parameters, ``distance``,
        ``distance[CAMPAIGN]``, ``accepted``, ``weight`` (of the last generation's ensemble).
    epsilons : list of float
        Threshold of each generation.
    n_evaluations, n_resumed : int
    seconds : float
    """

    out: Path
    particles: pd.DataFrame
    epsilons: list[float]
    n_evaluations: int
    n_resumed: int
    seconds: float

    @property
    def accepted(self) -> pd.DataFrame:
        """The ensemble: accepted proposals of the last generation, with their weights."""
        last = int(self.particles["generation"].max())
        p = self.particles
        return p[(p["generation"] == last) & p["accepted"]].reset_index(drop=True)


def abc_seed(seed: int, trial: int, campaign: int) -> int:
    """Master seed of proposal ``trial``'s replicates on campaign ``campaign`` (independent)."""
    ss = np.random.SeedSequence([seed, 0xABC, trial, campaign])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _kernel_density(x: F64, centres: F64, weights: F64, cov: F64) -> F64:
    """Mixture density ``sum_j w_j N(x_i; c_j, cov)`` for each row of ``x`` (shape (n,))."""
    inv = np.linalg.inv(cov)
    _, logdet = np.linalg.slogdet(cov)
    d = x.shape[1]
    diff = x[:, None, :] - centres[None, :, :]
    q = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
    dens = np.exp(-0.5 * q - 0.5 * logdet - 0.5 * d * math.log(2 * math.pi))
    return np.asarray(dens @ weights, dtype=np.float64)


def _perturbation(u: F64, w: F64) -> F64:
    """Twice the weighted covariance of the accepted sets (Beaumont et al. 2009), regularised."""
    d = u.shape[1]
    if len(u) < 2:
        return np.eye(d) * 0.01
    cov = np.atleast_2d(np.cov(u, rowvar=False, aweights=w))
    return np.asarray(2.0 * cov + np.eye(d) * 1e-6, dtype=np.float64)


def abc_smc(
    spec: CalibrationSpec,
    out: str | Path,
    *,
    executor: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool = True,
    stop_after: int | None = None,
) -> AbcOutcome:
    """Run (or resume) ABC-SMC with the spec's ``[abc]`` settings; write its tables in ``out``.

    Writes ``particles.parquet`` (every proposal), ``accepted.parquet`` (the ensemble),
    ``abc.json`` (thresholds, acceptance) and ``evals/`` (one file per evaluation).
    """
    from tqdm import tqdm

    from sim.experiments.executors import open_executor

    t0 = time.perf_counter()
    out = Path(out)
    a = spec.abc
    abc_spec = dataclasses.replace(spec, budget=a.population * a.generations, replicates=a.replicates,
                                   method="abc")
    done = prepare(out, abc_spec, resume=resume, kind="abc")
    n_resumed = len(done)
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0xABC]))
    d = len(spec.parameters)
    rows: list[dict[str, Any]] = []
    epsilons: list[float] = []
    prev_u: F64 | None = None
    prev_w: F64 | None = None
    cov = np.eye(d)
    trial = 0
    countdown = [stop_after] if stop_after is not None else None
    bar = tqdm(total=a.population * a.generations * len(spec.campaigns), initial=n_resumed, unit="eval",
               desc=f"abc {spec.name}", disable=not progress, file=sys.stderr)
    try:
        with open_executor(executor or spec.executor, workers=workers or spec.workers) as pool:
            for g in range(a.generations):
                if prev_u is None or prev_w is None:
                    u = rng.random((a.population, d))
                else:
                    cov = _perturbation(prev_u, prev_w)
                    u = _propose(rng, prev_u, prev_w, cov, a.population)
                cands = [(trial + i, _values(spec, u[i])) for i in range(a.population)]
                evals = run_evaluations(
                    spec, out, cands, done, pool, replicates=a.replicates, stop_after=countdown,
                    on_result=lambda _e: bar.update(1), seed_of=lambda t, c: abc_seed(spec.seed, t, c),
                )
                dist = np.array([objective(evals[t]) for t, _ in cands])
                dist = np.where(np.isfinite(dist), dist, 1.0)
                eps = float(np.quantile(dist, a.quantile))
                if epsilons:
                    eps = min(eps, epsilons[-1])
                acc = dist <= eps
                if not acc.any():  # keep the best one rather than an empty ensemble
                    acc = dist <= dist.min()
                if prev_u is None or prev_w is None:
                    w = np.ones(a.population)
                else:
                    w = 1.0 / np.maximum(_kernel_density(u, prev_u, prev_w, cov), 1e-300)
                w = np.where(acc, w, 0.0)
                w = w / w.sum()
                epsilons.append(eps)
                for i, (t, vals) in enumerate(cands):
                    row: dict[str, Any] = {"trial": t, "generation": g, **vals, "distance": float(dist[i])}
                    for e in evals[t]:
                        row[f"distance[{e.campaign}]"] = e.distance
                    row["accepted"] = bool(acc[i])
                    row["weight"] = float(w[i])
                    rows.append(row)
                prev_u, prev_w = u[acc], w[acc]
                trial += a.population
                bar.set_postfix(eps=f"{eps:.4f}", accepted=int(acc.sum()))
    finally:
        bar.close()
    particles = pd.DataFrame(rows)
    outcome = AbcOutcome(out, particles, epsilons, len(done), n_resumed, time.perf_counter() - t0)
    write_parquet_atomic(particles, out / "particles.parquet")
    write_parquet_atomic(outcome.accepted, out / "accepted.parquet")
    (out / "abc.json").write_text(json.dumps({
        "method": "ABC-SMC (population Monte Carlo, adaptive thresholds; Beaumont et al. 2009)",
        "population": a.population, "generations": a.generations, "replicates": a.replicates,
        "quantile": a.quantile, "epsilons": epsilons, "accepted": int(len(outcome.accepted)),
        "evaluations": len(done), "seed": spec.seed,
    }, indent=2) + "\n", encoding="utf-8")
    return outcome


def _values(spec: CalibrationSpec, u: F64) -> dict[str, float]:
    return {p.path: float(p.from_unit(float(x))) for p, x in zip(spec.parameters, u, strict=True)}


def _propose(rng: np.random.Generator, centres: F64, w: F64, cov: F64, n: int) -> F64:
    """``n`` draws from the kernel mixture, redrawn until inside the unit cube (the prior's support)."""
    chol = np.linalg.cholesky(cov)
    out = np.empty((n, centres.shape[1]))
    for i in range(n):
        for _ in range(10_000):
            j = int(rng.choice(len(centres), p=w))
            x = centres[j] + chol @ rng.standard_normal(centres.shape[1])
            if np.all((x >= 0.0) & (x <= 1.0)):
                break
        else:  # pragma: no cover - only with a degenerate covariance
            x = np.clip(x, 0.0, 1.0)
        out[i] = x
    return out


# --------------------------------------------------------------------------- predictive


def weighted_quantile(x: F64, w: F64, q: Sequence[float]) -> F64:
    """Quantiles ``q`` of values ``x`` with weights ``w`` (inverse of the weighted CDF).

    ``+inf`` (an event that never happens) takes part like any value; nan is dropped.
    """
    keep = ~np.isnan(x)
    x, w = x[keep], w[keep]
    if not x.size or w.sum() <= 0:
        return np.full(len(q), np.nan)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cdf = np.cumsum(w) / w.sum()
    idx = np.searchsorted(cdf, np.asarray(q, dtype=float) - 1e-12, side="left")
    return np.asarray(x[np.minimum(idx, x.size - 1)], dtype=np.float64)


def predictive(
    evals: Mapping[int, Sequence[CampaignEval]], weights: Mapping[int, float]
) -> pd.DataFrame:
    """Predictive 90 % interval of every target from the ensemble's runs.

    Parameters
    ----------
    evals : trial -> its evaluations (one per campaign)
    weights : trial -> ensemble weight

    Returns
    -------
    DataFrame
        One row per campaign and target: ``campaign``, ``key``, ``id``, ``kind``, ``documented``,
        ``low``, ``high``, ``informative``, ``p5``, ``median``, ``p95``, ``hit`` (median inside the
        documented interval), ``covered`` (the 90 % interval meets the documented interval),
        ``runs``.
    """
    by_target: dict[tuple[str, str], list[tuple[TargetEval, float]]] = {}
    for trial, evs in evals.items():
        w = weights.get(trial, 0.0)
        if w <= 0:
            continue
        for e in evs:
            for t in e.targets:
                by_target.setdefault((e.campaign, t.key), []).append((t, w))
    rows = []
    for (campaign, key), items in by_target.items():
        t0 = items[0][0]
        x = np.concatenate([np.asarray(t.values, dtype=float) for t, _ in items])
        ww = np.concatenate([np.full(len(t.values), w / max(len(t.values), 1)) for t, w in items])
        p5, med, p95 = weighted_quantile(x, ww, (0.05, 0.5, 0.95))
        low, high = _bounds(t0)
        rows.append({
            "campaign": campaign, "key": key, "id": t0.id, "kind": t0.kind, "documented": t0.documented,
            "low": low, "high": high, "informative": t0.informative, "weight": t0.weight,
            "p5": p5, "median": med, "p95": p95,
            "hit": _inside(med, low, high), "covered": _meets(p5, p95, low, high), "runs": int(x.size),
        })
    return pd.DataFrame(rows)


def _bounds(t: TargetEval) -> tuple[float, float]:
    if t.kind == "absent":
        return 1.0, 1.0
    lo = -math.inf if t.low is None else float(t.low)
    hi = math.inf if t.high is None else float(t.high)
    return lo, hi


def _inside(x: float, lo: float, hi: float) -> bool:
    return bool(math.isfinite(x) and lo <= x <= hi)


def _meets(p5: float, p95: float, lo: float, hi: float) -> bool:
    if math.isnan(p5) or math.isnan(p95):
        return False
    return bool(p5 <= hi and p95 >= lo)


def coverage(table: pd.DataFrame, *, informative_only: bool = True) -> float:
    """Share of targets whose predictive 90 % interval meets the documented interval."""
    t = table[table["informative"]] if informative_only else table
    return float(t["covered"].mean()) if len(t) else math.nan
