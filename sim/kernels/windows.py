"""Highest unit row in the square window around each cell (who is within reach of whom).

:func:`window_max` answers, for the villages, "which band (or column) stands within
``reach_cells``" with one separable maximum filter over the grid, or, while few cells
are occupied, by marking the window of each occupied cell; :func:`_any_in_window` is
the readable reference that gathers every window (tests check they agree).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter

from sim.kernels.villages import in_window

__all__ = ["SPARSE_FACTOR", "minus_ones", "reach_max", "units_at", "window_max", "window_rows",
           "window_table"]

I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

#: :func:`window_max` marks the windows of the occupied cells instead of filtering the
#: whole grid while they cover less than 1/SPARSE_FACTOR of it (a speed choice only).
SPARSE_FACTOR = 8


def _any_in_window(lookup: I64, window: I64) -> I64:
    """Highest row of ``lookup`` found in each row's window, -1 if none (numpy reference
    of :func:`window_max`)."""
    w = in_window(lookup, window)
    return w.max(axis=1) if w.shape[1] else np.full(window.shape[0], -1, dtype=np.int64)


def window_max(lookup: I64, cells: I64, *, shape: tuple[int, int], radius: int) -> I64:
    """Highest value of ``lookup`` in the square window of Chebyshev ``radius`` around
    each cell, -1 if none (off-map cells count as -1).

    One separable maximum filter over the grid instead of gathering a window per
    cell: the same result as ``in_window(lookup, window_cells(cells, ...)).max(axis=1)``.

    Parameters
    ----------
    lookup : ndarray of int64, shape (n_cells,)
        E.g. the row of the unit in each cell, -1 where none (values >= -1).
    cells : ndarray of int64, shape (n,)
    shape : (rows, cols)
    radius : int

    Returns
    -------
    ndarray of int64, shape (n,)
    """
    occupied = np.flatnonzero(lookup >= 0)
    if occupied.size * (2 * radius + 1) ** 2 * SPARSE_FACTOR < lookup.size:
        return _window_max_sparse(lookup, cells, shape=shape, radius=radius, occupied=occupied)
    grid = maximum_filter(lookup.reshape(shape), size=2 * radius + 1, mode="constant", cval=-1)
    return np.asarray(grid.reshape(-1)[cells], dtype=np.int64)


@functools.cache
def _offsets(radius: int) -> tuple[I64, I64]:
    """Row and column offsets of the square window of ``radius`` (read-only, built once)."""
    d = np.arange(-radius, radius + 1, dtype=np.int64)
    dr, dc = (a.reshape(-1) for a in np.meshgrid(d, d, indexing="ij"))
    dr.setflags(write=False)
    dc.setflags(write=False)
    return dr, dc


def _window_max_sparse(lookup: I64, cells: I64, *, shape: tuple[int, int], radius: int,
                       occupied: I64 | None = None) -> I64:
    """:func:`window_max` by marking the window of every occupied cell (few units on a
    large map): the windows are symmetric, so a cell's window holds an occupied cell
    exactly when that cell's window holds it.

    ``occupied`` : the cells where ``lookup >= 0`` in increasing order (found when omitted).
    """
    if occupied is None:
        occupied = np.flatnonzero(lookup >= 0)
    rows, cols = shape
    dr, dc = _offsets(int(radius))
    r, c = np.divmod(occupied, cols)
    rr = r[:, None] + dr
    cc = c[:, None] + dc
    ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
    vals = np.repeat(lookup[occupied], ok.shape[1])  # the value of each window cell
    grid = np.full(lookup.size, -1, dtype=np.int64)
    np.maximum.at(grid, (rr * cols + cc)[ok], vals[ok.reshape(-1)])
    return np.asarray(grid[cells], dtype=np.int64)


def window_rows(lookup: I64, cells: I64, *, shape: tuple[int, int], radius: int) -> I64:
    """``lookup`` at every cell of the square window of ``radius`` around each of ``cells``,
    -1 off the map: ``in_window(lookup, window_cells(cells, ...))`` with the window
    offsets built once (e.g. the villages in reach of each band).

    Parameters
    ----------
    lookup : ndarray of int64, shape (n_cells,)
    cells : ndarray of int64, shape (n,)
    shape : (rows, cols)
    radius : int

    Returns
    -------
    ndarray of int64, shape (n, (2 radius + 1)**2)
        Row by row, the window's cells in row-major order (as :func:`window_cells`).
    """
    rows, cols = shape
    dr, dc = _offsets(int(radius))
    r, c = np.divmod(np.asarray(cells, dtype=np.int64), cols)
    rr = r[:, None] + dr
    cc = c[:, None] + dc
    ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
    return np.where(ok, lookup[np.where(ok, rr * cols + cc, 0)], -1).astype(np.int64)


def window_table(lookup: I64, *, shape: tuple[int, int], radius: int) -> I64:
    """:func:`window_rows` of every cell of the grid, ``window_rows(lookup, arange(n_cells),
    ...)``, from one shifted view of the padded grid per window offset.

    Parameters
    ----------
    lookup : ndarray of int64, shape (n_cells,)
    shape : (rows, cols)
    radius : int

    Returns
    -------
    ndarray of int64, shape (n_cells, (2 radius + 1)**2)
    """
    rows, cols = shape
    r = int(radius)
    padded = np.full((rows + 2 * r, cols + 2 * r), -1, dtype=np.int64)
    padded[r:r + rows, r:r + cols] = np.asarray(lookup, dtype=np.int64).reshape(shape)
    dr, dc = _offsets(r)
    out = np.empty((rows * cols, dr.size), dtype=np.int64)
    for j, (a, b) in enumerate(zip(dr.tolist(), dc.tolist(), strict=True)):
        out[:, j] = padded[r + a:r + a + rows, r + b:r + b + cols].reshape(-1)
    return out


def units_at(village_of_cell: I64, cells: I64, n: int) -> Bool:
    """Which of ``n`` villages have one of ``cells`` as their cell, when each village has
    a cell of its own (``village_of_cell`` names it): shape (n,)."""
    out = np.zeros(n, dtype=bool)
    rows = village_of_cell[cells]
    out[rows[rows >= 0]] = True
    return out


def reach_max(reach: I64, rows: I64, n: int) -> I64:
    """Highest of ``rows`` whose row of ``reach`` holds each of ``n`` villages, -1 if none.

    With ``reach`` from :func:`window_rows` (the villages near each unit) and one village
    per cell this is :func:`window_max` of the units' lookup at the villages' cells: the
    windows are symmetric.

    Parameters
    ----------
    reach : ndarray of int64, shape (n_units, k)
        Village rows near each unit, -1 for none.
    rows : ndarray of int64, shape (m,)
        The units that count (increasing).
    n : int
        Number of villages.

    Returns
    -------
    ndarray of int64, shape (n,)
    """
    near = minus_ones(n).copy()
    r = reach[rows]
    ok = r >= 0
    # (the unit of each village found: the row of its entry, both in row-major order)
    np.maximum.at(near, r[ok], np.asarray(rows, dtype=np.int64)[ok.nonzero()[0]])
    return near


@functools.lru_cache(maxsize=8)
def minus_ones(n: int) -> I64:
    """``n`` times -1 (read-only, built once per size: a copy costs less than ``np.full``)."""
    out = np.full(n, -1, dtype=np.int64)
    out.setflags(write=False)
    return out
