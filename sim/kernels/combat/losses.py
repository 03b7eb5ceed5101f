"""Loss allocation over units and the day's engagement event batch."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events

__all__ = ["EVENT_COLUMNS", "allocate", "engagement_events", "group_sum", "lead_row",
           "round_split"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def allocate(group: I64, weight: I64, total: I64) -> I64:
    """Split integer ``total[g]`` over rows of group g in proportion to ``weight``.

    Cumulative floor rounding in row order: the shares sum exactly to ``total[g]`` and
    no row gets more than its weight when ``total[g] <= sum(weight)``.

    Parameters
    ----------
    group : ndarray of int64, shape (k,)
        Group of each row (>= 0).
    weight : ndarray of int64, shape (k,)
    total : ndarray of int64, shape (m,)

    Returns
    -------
    ndarray of int64, shape (k,)
    """
    k = group.shape[0]
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    g = group[order]
    w = weight[order].astype(np.int64)
    csum = np.cumsum(w)
    wsum = np.bincount(g, weights=w, minlength=total.shape[0]).astype(np.int64)
    start = np.cumsum(wsum) - wsum
    cum = csum - start[g]
    prev = cum - w
    tot = total[g]
    den = np.maximum(wsum[g], 1)
    share = (tot * cum) // den - (tot * prev) // den
    out = np.empty(k, dtype=np.int64)
    out[order] = np.where(wsum[g] > 0, share, 0)
    return out


def group_sum(group: I64, weights: NDArray[np.generic] | None, m: int) -> F64:
    """Per-group sums as float64, shape (m,)."""
    return np.bincount(group, weights=weights, minlength=m).astype(np.float64)


def round_split(k: F64, w: F64, c: F64) -> tuple[I64, I64, I64]:
    """Round expected (killed, wounded, captured) so that the sum is the rounded total."""
    r1 = np.rint(k)
    r2 = np.rint(k + w)
    r3 = np.rint(k + w + c)
    return r1.astype(np.int64), (r2 - r1).astype(np.int64), (r3 - r2).astype(np.int64)


def lead_row(group: I64, key: F64, m: int) -> I64:
    """Row with the largest ``key`` in each group (lowest row on ties), shape (m,)."""
    rows = np.flatnonzero(group >= 0)
    out = np.full(m, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    order = np.lexsort((rows, -key[rows], group[rows]))
    srt = rows[order]
    g = group[srt]
    first = np.ones(g.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    out[g[first]] = srt[first]
    return out



EVENT_COLUMNS = (
    "insurgents_before", "state_before", "insurgents_killed", "insurgents_wounded",
    "insurgents_captured", "state_killed", "state_wounded", "state_captured", "duration_h",
    "outcome", "ambush", "raid", "n_bands", "n_columns", "mg_captured", "rifles_captured",
    "rifles_recovered", "air_reinforcement", "civilians_killed", "lead_column", "band_hidden",
    "surprised", "outnumbered", "cut_off", "volunteers", "pursued", "state_may_rout",
    "band_may_rout",
)


def engagement_events(
    unit: I64,
    cols: Mapping[str, NDArray[np.generic]],
    m: int,
    *,
    cell: I64 | None = None,
    n: I64 | None = None,
) -> Events:
    """The ``"engagement"`` batch with a fixed set of columns (empty when m == 0)."""
    extra = {k: np.asarray(cols.get(k, np.zeros(m)), dtype=np.float64) for k in EVENT_COLUMNS}
    return events(
        "engagement",
        "insurgent",
        unit=unit,
        cell=np.zeros(m, np.int64) if cell is None else cell,
        n=np.zeros(m) if n is None else n,
        **extra,
    )
