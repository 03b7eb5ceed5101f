"""Finding engagements (who fights whom today) and evasion before a fight."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from numpy.typing import NDArray

from sim.kernels import dispatch
from sim.params.combat import CombatParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order

__all__ = ["Engagements", "evade", "find_engagements", "find_engagements_numpy"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class Engagements:
    """Who fights whom today.

    Attributes
    ----------
    band_eng : ndarray of int64, shape (n_bands,)
        Engagement of each band, -1 if none.
    column_eng : ndarray of int64, shape (n_columns,)
        Engagement of each column, -1 if none.
    cell : ndarray of int64, shape (m,)
        Anchor cell of each engagement (where the state units stand), ascending.
    band_ambush : ndarray of bool, shape (n_bands,)
        The band lies in wait for a moving column in concealing terrain.
    raid : ndarray of bool, shape (m,)
        A garrison is attacked in its post.
    """

    band_eng: I64
    column_eng: I64
    cell: I64
    band_ambush: Bool
    raid: Bool

    def __len__(self) -> int:
        return int(self.cell.shape[0])


@functools.cache
def _offsets(reach: int) -> tuple[I64, I64, I64]:
    """Row and column offsets of the cells within ``reach`` (Chebyshev) and their distance,
    nearest first (built once per reach; read-only)."""
    r = np.arange(-reach, reach + 1)
    dr, dc = (a.reshape(-1) for a in np.meshgrid(r, r, indexing="ij"))
    dist = np.maximum(np.abs(dr), np.abs(dc))
    order = np.lexsort((dc, dr, dist))
    out = dr[order].astype(np.int64), dc[order].astype(np.int64), dist[order].astype(np.int64)
    for a in out:
        a.flags.writeable = False
    return out


def find_engagements(
    bands: Bands,
    columns: Columns,
    concealment: F64,
    *,
    ncols: int,
    params: CombatParams,
) -> Engagements:
    """Group opposing units into engagements (no Python loop over units).

    A band engages the nearest cell within ``reach_cells`` (Chebyshev) holding state
    units when: it shares the cell with a mobile column (contact); it is on a raid
    (any state unit, garrisons included); it lies in wait (mode HOLD) in a cell of
    concealment >= ``ambush_min_concealment`` next to a moving column (ambush); or a
    column on PURSUE/PATROL catches it (unless it is in SANCTUARY). All state units of
    that cell and all bands that chose it form one engagement. Garrisons left alone by
    bands do not sortie.

    Parameters
    ----------
    bands : Bands
        n_bands rows.
    columns : Columns
        n_columns rows.
    concealment : ndarray of float64, shape (n_cells,)
    ncols : int
        Columns of the theatre grid.
    params : CombatParams

    Returns
    -------
    Engagements

    Notes
    -----
    Runs the compiled pass of :mod:`sim.kernels.combat.engagements_compiled` when
    :func:`sim.kernels.dispatch.enabled` (long runs and batches), else the numpy reference
    :func:`find_engagements_numpy`; both find the same engagements.
    """
    if dispatch.enabled():
        from sim.kernels.combat import engagements_compiled  # numba: only for enough work

        dr, dc, dist = _offsets(int(params.reach_cells))
        band_eng, column_eng, cell, band_ambush, raid = engagements_compiled.engagements(
            bands.active, bands.fighters, bands.cell, bands.mode,
            columns.active, columns.strength, columns.cell, columns.kind, columns.order,
            concealment, ncols, dr, dc, dist, float(params.ambush_min_concealment), _CODES,
        )
        return Engagements(band_eng, column_eng, cell, band_ambush, raid)
    return find_engagements_numpy(bands, columns, concealment, ncols=ncols, params=params)


_CODES = np.array([BandMode.HOLD, BandMode.RAID, BandMode.SANCTUARY, ColumnKind.GARRISON,
                   Order.HOLD, Order.PURSUE, Order.PATROL], dtype=np.int64)
"""The codes the compiled pass compares with, in the order it reads them."""


def find_engagements_numpy(
    bands: Bands,
    columns: Columns,
    concealment: F64,
    *,
    ncols: int,
    params: CombatParams,
) -> Engagements:
    """The numpy reference of :func:`find_engagements` (same arguments and result)."""
    nb, nc = len(bands), len(columns)
    band_eng = np.full(nb, -1, dtype=np.int64)
    column_eng = np.full(nc, -1, dtype=np.int64)
    band_ambush = np.zeros(nb, dtype=bool)
    none = Engagements(band_eng, column_eng, np.zeros(0, np.int64), band_ambush,
                       np.zeros(0, bool))
    ib = np.flatnonzero(bands.active & (bands.fighters > 0))
    ic = np.flatnonzero(columns.active & (columns.strength > 0))
    if ib.size == 0 or ic.size == 0:
        return none
    n_cells = concealment.shape[0]
    nrows = n_cells // ncols
    ucells, cinv = np.unique(columns.cell[ic], return_inverse=True)
    nu = ucells.size
    kind = columns.kind[ic]
    order = columns.order[ic]
    garrison = kind == ColumnKind.GARRISON
    mobile = ~garrison
    moving = mobile & (order != Order.HOLD)
    hunting = mobile & ((order == Order.PURSUE) | (order == Order.PATROL))
    has_garrison = np.bincount(cinv, weights=garrison, minlength=nu) > 0
    has_mobile = np.bincount(cinv, weights=mobile, minlength=nu) > 0
    has_moving = np.bincount(cinv, weights=moving, minlength=nu) > 0
    has_hunting = np.bincount(cinv, weights=hunting, minlength=nu) > 0

    dr, dc, dist = _offsets(int(params.reach_cells))
    bcell = bands.cell[ib]
    br, bcol = np.divmod(bcell, ncols)
    rr = br[:, None] + dr[None, :]
    cc = bcol[:, None] + dc[None, :]
    valid = (rr >= 0) & (rr < nrows) & (cc >= 0) & (cc < ncols)
    cand = np.where(valid, rr * ncols + cc, -1)
    pos = np.minimum(np.searchsorted(ucells, cand), nu - 1)
    hit = valid & (ucells[pos] == cand)
    mode = bands.mode[ib][:, None]
    conc_b = concealment[bcell][:, None]
    lie_in_wait = (mode == BandMode.HOLD) & (conc_b >= params.ambush_min_concealment)
    ambush_ok = lie_in_wait & has_moving[pos] & ~has_garrison[pos]
    engage = hit & (
        (has_mobile[pos] & ((dist[None, :] == 0) | (has_hunting[pos] & (mode != BandMode.SANCTUARY))
                            | ambush_ok))
        | (mode == BandMode.RAID)
    )
    any_e = engage.any(axis=1)
    first = np.argmax(engage, axis=1)
    rows = np.flatnonzero(any_e)
    if rows.size == 0:
        return none
    anchor = pos[rows, first[rows]]
    uniq, local = np.unique(anchor, return_inverse=True)
    band_eng[ib[rows]] = local
    band_ambush[ib[rows]] = ambush_ok[rows, first[rows]]
    eng_of_u = np.full(nu, -1, dtype=np.int64)
    eng_of_u[uniq] = np.arange(uniq.size)
    column_eng[ic] = eng_of_u[cinv]
    return Engagements(
        band_eng=band_eng,
        column_eng=column_eng,
        cell=ucells[uniq].astype(np.int64),
        band_ambush=band_ambush,
        raid=has_garrison[uniq],
    )


def evade(eng: Engagements, bands: Bands, chance: F64, u: F64) -> Engagements:
    """Drop the bands that slip away before a fight, and the engagements left empty.

    A band that lies in wait for a column or attacks a post fights; any other band
    caught by a column (including one on its way to a raid) escapes when ``u < chance``.

    Parameters
    ----------
    eng : Engagements
    bands : Bands
    chance : ndarray of float64, shape (n_bands,)
        Probability of slipping away.
    u : ndarray of float64, shape (n_bands,)
        Uniform draws.

    Returns
    -------
    Engagements
        With engagement ids renumbered 0..m'-1 in the same order.
    """
    engaged = eng.band_eng >= 0
    e = np.where(engaged, eng.band_eng, 0)
    seeks_battle = eng.band_ambush | (engaged & eng.raid[e])
    gone = engaged & ~seeks_battle & (u < chance)
    band_eng = np.where(gone, -1, eng.band_eng)
    keep = np.bincount(band_eng[band_eng >= 0], minlength=len(eng)) > 0
    new_id = np.cumsum(keep) - 1
    band_eng = np.where(band_eng >= 0, new_id[np.maximum(band_eng, 0)], -1)
    ce = eng.column_eng
    alive = ce >= 0
    column_eng = np.where(alive & keep[np.where(alive, ce, 0)], new_id[np.where(alive, ce, 0)], -1)
    return Engagements(
        band_eng=band_eng.astype(np.int64),
        column_eng=column_eng.astype(np.int64),
        cell=eng.cell[keep],
        band_ambush=eng.band_ambush & (band_eng >= 0),
        raid=eng.raid[keep],
    )
