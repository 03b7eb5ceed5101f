"""Leave one campaign out: fit on the others, predict the one left out.

The fit reuses a pool of evaluated candidates (ABC generation 0: prior draws, each run on
every campaign with its own seeds). For each held-out campaign the candidates are ranked by
the objective on the *other* campaigns only; the best one and the accepted set (at or below
the ``quantile`` of those distances) are the fit. The held-out campaign's own runs of those
candidates, never looked at while ranking, are the prediction. Because the pool is drawn
from the prior, no information of the held-out campaign reaches the fit (a search would
have been steered by every campaign).

Reported per campaign: informative hit rate and distance in sample (the campaigns fitted)
and out of sample (the one left out), for the best candidate and the ensemble mean, and the
prior mean of the held-out distance (what no calibration gives).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calibration.objective import CampaignEval, hit_rate, objective

__all__ = ["leave_one_out"]


def leave_one_out(
    evals: Mapping[int, Sequence[CampaignEval]],
    campaigns: Sequence[str],
    *,
    quantile: float = 0.5,
    model: str = "abm",
) -> pd.DataFrame:
    """The leave-one-campaign-out table.

    Parameters
    ----------
    evals : trial -> its evaluations (one per campaign, all campaigns present)
    campaigns : the campaigns, in order
    quantile : share of candidates accepted by the fit on the other campaigns
    model : label written in the ``model`` column

    Returns
    -------
    DataFrame
        One row per held-out campaign: ``model``, ``held_out``, ``candidates``, ``best_trial``,
        ``in_distance``, ``in_hit_rate`` (best candidate on the fitted campaigns),
        ``out_distance``, ``out_hit_rate`` (best candidate on the held-out one),
        ``ensemble_out_distance``, ``ensemble_out_hit_rate`` (mean over the accepted set),
        ``prior_out_distance`` (mean over every candidate), ``targets`` (informative targets
        of the held-out campaign).
    """
    trials = sorted(t for t, evs in evals.items() if {e.campaign for e in evs} >= set(campaigns))
    rows = []
    for held in campaigns:
        train = [c for c in campaigns if c != held]
        fit = np.array([objective(evals[t], campaigns=train) for t in trials])
        fit = np.where(np.isfinite(fit), fit, 1.0)
        out = np.array([objective(evals[t], campaigns=[held]) for t in trials])
        hits = np.array([hit_rate(evals[t], campaigns=[held]) for t in trials])
        if not trials:
            continue
        best = int(np.argmin(fit))
        acc = fit <= np.quantile(fit, quantile)
        n_targets = sum(t.informative for e in evals[trials[0]] if e.campaign == held for t in e.targets)
        rows.append({
            "model": model,
            "held_out": held,
            "candidates": len(trials),
            "best_trial": trials[best],
            "in_distance": float(fit[best]),
            "in_hit_rate": hit_rate(evals[trials[best]], campaigns=train),
            "out_distance": float(out[best]),
            "out_hit_rate": float(hits[best]),
            "ensemble_out_distance": _mean(out[acc]),
            "ensemble_out_hit_rate": _mean(hits[acc]),
            "prior_out_distance": _mean(out),
            "targets": int(n_targets),
        })
    return pd.DataFrame(rows)


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan
