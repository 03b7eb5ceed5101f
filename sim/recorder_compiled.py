"""Compiled (numba) pass of the day's metrics of :meth:`sim.recorder.Recorder.record_day`,
whose numpy code is the readable reference.

One pass over the bands, the columns and the villages (and the areas' villages) gives
every metric that reads the state's arrays. Sums of floats follow numpy's pairwise
summation (``0.0 +`` the pairwise sum of the entries: blocks of up to 128 entries with
eight accumulators, halves of larger runs rounded to multiples of 8), so the steps table
is the same bits on both paths (tests check it). Importing this module imports numba:
the recorder imports it only when :func:`sim.kernels.dispatch.enabled` says so.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.kernels.jit import jit

__all__ = ["N_METRICS", "day_metrics", "pairwise_sum"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

#: Metrics before the areas' in the vector :func:`day_metrics` returns.
N_METRICS = 21

#: Longest run numpy sums with one block of eight accumulators (its PW_BLOCKSIZE).
_BLOCK = 128


@jit
def pairwise_sum(a: F64, lo: int, n: int) -> float:
    """``a[lo:lo + n].sum()`` to the last bit: numpy adds to 0.0 the pairwise sum, which
    splits a run longer than 128 entries in two halves (the first rounded down to a multiple
    of 8) and sums a shorter one with eight accumulators. Evaluated with an explicit stack
    (the same tree, left to right; no recursion, which numba's cache handles badly)."""
    # pending runs (start, length, whether both halves are summed) and finished sums
    run_lo = np.empty(128, dtype=np.int64)
    run_n = np.empty(128, dtype=np.int64)
    run_join = np.empty(128, dtype=np.bool_)
    sums = np.empty(128)
    run_lo[0], run_n[0], run_join[0] = lo, n, False
    top = 1
    done = 0
    while top:
        top -= 1
        s, k, join = run_lo[top], run_n[top], run_join[top]
        if join:  # both halves summed: left plus right
            done -= 1
            sums[done - 1] = sums[done - 1] + sums[done]
        elif k > _BLOCK:
            half = k // 2
            half -= half % 8
            run_lo[top], run_n[top], run_join[top] = s, k, True
            run_lo[top + 1], run_n[top + 1], run_join[top + 1] = s + half, k - half, False
            run_lo[top + 2], run_n[top + 2], run_join[top + 2] = s, half, False
            top += 3
        elif k < 8:
            res = 0.0
            for i in range(s, s + k):
                res += a[i]
            sums[done] = res
            done += 1
        else:
            r0, r1, r2, r3 = a[s], a[s + 1], a[s + 2], a[s + 3]
            r4, r5, r6, r7 = a[s + 4], a[s + 5], a[s + 6], a[s + 7]
            m = s + k - k % 8
            for i in range(s + 8, m, 8):
                r0 += a[i]
                r1 += a[i + 1]
                r2 += a[i + 2]
                r3 += a[i + 3]
                r4 += a[i + 4]
                r5 += a[i + 5]
                r6 += a[i + 6]
                r7 += a[i + 7]
            res = float(((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)))
            for i in range(m, s + k):
                res += a[i]
            sums[done] = res
            done += 1
    return 0.0 + float(sums[0])


@jit
def _at_least_one(x: float) -> float:
    """Python's ``max(x, 1.0)`` (``x`` unless 1.0 is larger: NaN stays)."""
    return 1.0 if x < 1.0 else x


@jit
def day_metrics(
    b_active: Bool, b_fighters: I64, b_cell: I64, b_food: F64, b_herd: F64, b_hunger: F64,
    b_morale: F64, concealment: F64, afghan: Bool,
    c_active: Bool, c_strength: I64, c_kind: I64, c_supply: F64, volunteer: int,
    pop: I64, support: F64, grievance: F64, fear: F64, v_food: F64, high: float, low: float,
    town_holder: I64, insurgent: int, leader_status: I64, active_leader: int,
    area_rows: NDArray[np.intp], area_bounds: I64,
) -> F64:
    """The day's metrics of :meth:`sim.recorder.Recorder.record_day` that read arrays.

    Parameters
    ----------
    b_* : bands' arrays, shape (n_bands,); concealment shape (n_bands,) or (0,)
    afghan : ndarray of bool, shape (n_cells,)
    c_* : columns' arrays, shape (n_columns,); volunteer: the volunteers' kind code
    pop, support, grievance, fear, v_food : villages' arrays, shape (n_villages,)
    high, low : support above which a village is pro-insurgent, below which pro-state
    town_holder, leader_status : codes; insurgent, active_leader: the codes counted
    area_rows : ndarray of intp, shape (m,)
        Every area's village rows end to end.
    area_bounds : ndarray of int64, shape (n_areas, 2)
        Where each area starts and ends in ``area_rows``.

    Returns
    -------
    ndarray of float64, shape (N_METRICS + 4 * n_areas,)
        Fighters, state strength, bands and columns active, fighters in Afghanistan,
        villages pro-insurgent, neutral and pro-state, mean support, grievance and fear,
        village food, band food and herd, mean hunger and morale, mean column supply,
        towns held by insurgents, volunteers, active leaders, mean band concealment; then
        per area villages pro-insurgent, neutral and pro-state and mean support.
    """
    n_areas = area_bounds.shape[0]
    out = np.empty(N_METRICS + 4 * n_areas)
    # ------------------------------------------------------------ bands
    n_b = b_active.size
    fighters = 0
    in_afghan = 0
    with_men = 0
    kept = np.empty((4, n_b))  # food, herd, hunger, morale of the active bands
    conceal = np.empty(n_b)
    k = 0
    for j in range(n_b):
        if b_active[j]:
            fighters += b_fighters[j]
            if afghan[b_cell[j]]:
                in_afghan += b_fighters[j]
            if b_fighters[j] > 0:
                with_men += 1
            kept[0, k] = b_food[j]
            kept[1, k] = b_herd[j]
            kept[2, k] = b_hunger[j]
            kept[3, k] = b_morale[j]
            if concealment.size:
                conceal[k] = concealment[j]
            k += 1
    # ------------------------------------------------------------ columns
    n_c = c_active.size
    strength = 0
    c_with_men = 0
    volunteers = 0
    c_supply_kept = np.empty(n_c)
    kc = 0
    for j in range(n_c):
        if c_active[j]:
            strength += c_strength[j]
            if c_strength[j] > 0:
                c_with_men += 1
            if c_kind[j] == volunteer:
                volunteers += c_strength[j]
            c_supply_kept[kc] = c_supply[j]
            kc += 1
    # ------------------------------------------------------------ villages
    n_v = pop.size
    weights = np.empty(n_v)
    support_w = np.empty(n_v)
    grievance_w = np.empty(n_v)
    fear_w = np.empty(n_v)
    pro = neutral = pro_state = 0  # villages whose side code has bit 0, 2 and 1 set
    for i in range(n_v):
        s = support[i]
        pro += s > high
        pro_state += s < low
        neutral += low <= s <= high
        w = float(pop[i])
        weights[i] = w
        support_w[i] = s * w
        grievance_w[i] = grievance[i] * w
        fear_w[i] = fear[i] * w
    total = _at_least_one(pairwise_sum(weights, 0, n_v))
    out[0] = fighters
    out[1] = strength
    out[2] = with_men
    out[3] = c_with_men
    out[4] = in_afghan
    out[5] = pro
    out[6] = neutral
    out[7] = pro_state
    out[8] = pairwise_sum(support_w, 0, n_v) / total
    out[9] = pairwise_sum(grievance_w, 0, n_v) / total
    out[10] = pairwise_sum(fear_w, 0, n_v) / total
    out[11] = pairwise_sum(v_food, 0, n_v)
    out[12] = pairwise_sum(kept[0], 0, k)
    out[13] = pairwise_sum(kept[1], 0, k)
    out[14] = pairwise_sum(kept[2], 0, k) / k if k else 0.0
    out[15] = pairwise_sum(kept[3], 0, k) / k if k else 0.0
    out[16] = pairwise_sum(c_supply_kept, 0, kc) / kc if kc else 0.0
    out[17] = np.count_nonzero(town_holder == insurgent)
    out[18] = volunteers
    out[19] = np.count_nonzero(leader_status == active_leader)
    out[20] = pairwise_sum(conceal, 0, k) / k if k and concealment.size else 1.0
    # ------------------------------------------------------------ areas
    m = area_rows.size
    sw = np.empty(m)
    ww = np.empty(m)
    for i in range(m):
        sw[i] = support_w[area_rows[i]]
        ww[i] = weights[area_rows[i]]
    for a in range(n_areas):
        lo, hi = area_bounds[a, 0], area_bounds[a, 1]
        pro = neutral = pro_state = 0
        for i in range(lo, hi):
            s = support[area_rows[i]]
            pro += s > high
            pro_state += s < low
            neutral += low <= s <= high
        at = N_METRICS + 4 * a
        out[at] = pro
        out[at + 1] = neutral
        out[at + 2] = pro_state
        out[at + 3] = pairwise_sum(sw, lo, hi - lo) / _at_least_one(
            pairwise_sum(ww, lo, hi - lo))
    return out
