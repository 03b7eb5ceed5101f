"""Compiled (numba) pass of :func:`sim.kernels.combat.engagements.find_engagements`, whose
numpy code is the readable reference.

One loop over the bands that can fight, each trying the cells within reach nearest first
and stopping at the first engagement, instead of numpy's (bands x cells in reach) tables.
The decisions are comparisons of whole numbers and of concealment against one threshold,
so both paths give the same engagements (tests check it). Importing this module imports
numba: the combat kernel imports it only when :func:`sim.kernels.dispatch.enabled` says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.kernels.jit import jit

__all__ = ["engagements"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@jit
def engagements(
    b_active: Bool, b_fighters: I64, b_cell: I64, b_mode: I64,
    c_active: Bool, c_strength: I64, c_cell: I64, c_kind: I64, c_order: I64,
    concealment: F64, ncols: int, dr: I64, dc: I64, dist: I64, ambush_min: float,
    codes: I64,
) -> tuple[NDArray[Any], ...]:
    """Who fights whom today (see the numpy reference for the rules).

    Parameters
    ----------
    b_* : bands' arrays, shape (n_bands,)
    c_* : columns' arrays, shape (n_columns,)
    concealment : ndarray of float64, shape (n_cells,)
    ncols : int
        Columns of the grid.
    dr, dc, dist : ndarray of int64, shape (k,)
        Offsets of the cells within reach and their distance, nearest first.
    ambush_min : float
        Concealment from which a band holding its ground lies in wait.
    codes : ndarray of int64, shape (7,)
        Band modes HOLD, RAID, SANCTUARY; column kind GARRISON; orders HOLD, PURSUE,
        PATROL.

    Returns
    -------
    band_eng, column_eng, cell, band_ambush, raid
        As the fields of :class:`sim.kernels.combat.engagements.Engagements`.
    """
    hold, raid_mode, sanctuary, garrison_kind = codes[0], codes[1], codes[2], codes[3]
    hold_order, pursue, patrol = codes[4], codes[5], codes[6]
    nb, nc = b_active.size, c_active.size
    band_eng = np.full(nb, -1, dtype=np.int64)
    column_eng = np.full(nc, -1, dtype=np.int64)
    band_ambush = np.zeros(nb, dtype=np.bool_)
    ic = np.flatnonzero(c_active & (c_strength > 0))
    ucells = np.unique(c_cell[ic])
    nu = ucells.size
    has_garrison = np.zeros(nu, dtype=np.bool_)
    has_mobile = np.zeros(nu, dtype=np.bool_)
    has_moving = np.zeros(nu, dtype=np.bool_)
    has_hunting = np.zeros(nu, dtype=np.bool_)
    cinv = np.searchsorted(ucells, c_cell[ic])
    for j in range(ic.size):
        u, c = cinv[j], ic[j]
        if c_kind[c] == garrison_kind:
            has_garrison[u] = True
        else:
            has_mobile[u] = True
            if c_order[c] != hold_order:
                has_moving[u] = True
            if c_order[c] == pursue or c_order[c] == patrol:
                has_hunting[u] = True
    anchor = np.full(nb, -1, dtype=np.int64)
    nrows = concealment.size // ncols
    if nu:
        for b in range(nb):
            if not (b_active[b] and b_fighters[b] > 0):
                continue
            br, bc = b_cell[b] // ncols, b_cell[b] % ncols
            mode = b_mode[b]
            lie_in_wait = mode == hold and concealment[b_cell[b]] >= ambush_min
            for k in range(dr.size):
                rr, cc = br + dr[k], bc + dc[k]
                if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols:
                    continue
                cand = rr * ncols + cc
                u = np.searchsorted(ucells, cand)
                if u >= nu or ucells[u] != cand:
                    continue
                ambush = lie_in_wait and has_moving[u] and not has_garrison[u]
                if (has_mobile[u] and (dist[k] == 0 or (has_hunting[u] and mode != sanctuary)
                                       or ambush)) or mode == raid_mode:
                    anchor[b] = u
                    band_ambush[b] = ambush
                    break
    eng_of_u = np.full(nu, -1, dtype=np.int64)
    for b in range(nb):
        if anchor[b] >= 0:
            eng_of_u[anchor[b]] = 0
    m = 0
    for u in range(nu):
        if eng_of_u[u] == 0:
            eng_of_u[u] = m
            m += 1
    cell = np.empty(m, dtype=np.int64)
    raid = np.empty(m, dtype=np.bool_)
    if m == 0:
        return band_eng, column_eng, cell, band_ambush, raid
    for u in range(nu):
        if eng_of_u[u] >= 0:
            cell[eng_of_u[u]] = ucells[u]
            raid[eng_of_u[u]] = has_garrison[u]
    for b in range(nb):
        if anchor[b] >= 0:
            band_eng[b] = eng_of_u[anchor[b]]
    for j in range(ic.size):
        column_eng[ic[j]] = eng_of_u[cinv[j]]
    return band_eng, column_eng, cell, band_ambush, raid
