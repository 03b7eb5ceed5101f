"""Which parameters move the fit: rank correlations over the prior draws.

A calibration's first ABC generation is a sample of the prior, each draw run on every
campaign with common random numbers. That sample is also a global screening design: the
Spearman rank correlation between a parameter's drawn values and the fit (the objective
over all campaigns, and each campaign's distance) says how strongly, and in which
direction, the parameter moves the fit over its whole prior range while every other
parameter varies too. It costs no extra run, which matters when each draw costs minutes;
it sees monotone effects only (a parameter whose best value is mid-range shows a weak
correlation), which Morris or Sobol (``basmachi sensitivity``) would catch at a higher cost.

Negative correlation: larger values fit better (the distance falls).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calibration.objective import CampaignEval, objective

__all__ = ["influence"]


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its two-sided p-value over the finite pairs (nan if < 4 pairs)."""
    from scipy.stats import spearmanr

    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 4 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return math.nan, math.nan
    res = spearmanr(x[ok], y[ok])
    return float(res.statistic), float(res.pvalue)


def influence(
    evals: Mapping[int, Sequence[CampaignEval]],
    parameters: Sequence[str],
    campaigns: Sequence[str],
) -> pd.DataFrame:
    """Rank correlation of each parameter with the fit, over a sample of candidates.

    Parameters
    ----------
    evals : trial -> its evaluations (one per campaign); ``n`` trials
    parameters : dotted parameter paths (keys of each evaluation's ``values``)
    campaigns : the campaigns of the objective

    Returns
    -------
    DataFrame
        One row per parameter, sorted by ``abs(rho)`` on the whole objective (largest
        first): ``parameter``, ``rho``, ``p_value`` (whole objective), ``rank``, and
        ``rho[CAMPAIGN]`` per campaign. With fewer than four finite pairs a rho is nan.
    """
    trials = sorted(t for t, evs in evals.items() if {e.campaign for e in evs} >= set(campaigns))
    total = np.array([objective(evals[t], campaigns=campaigns) for t in trials], dtype=float)
    per = {c: np.array([objective(evals[t], campaigns=[c]) for t in trials], dtype=float) for c in campaigns}
    rows = []
    for p in parameters:
        x = np.array([float(evals[t][0].values[p]) for t in trials], dtype=float)
        rho, pv = _spearman(x, total)
        row: dict[str, float | str] = {"parameter": p, "rho": rho, "p_value": pv}
        for c in campaigns:
            row[f"rho[{c}]"] = _spearman(x, per[c])[0]
        rows.append(row)
    table = pd.DataFrame(rows, columns=["parameter", "rho", "p_value", *(f"rho[{c}]" for c in campaigns)])
    order = np.argsort(-np.nan_to_num(np.abs(table["rho"].to_numpy(dtype=float)), nan=-1.0), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table.insert(3, "rank", np.arange(1, len(table) + 1))
    return table
