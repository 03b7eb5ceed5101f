"""Square-window means of a grid read at a few cells: how much state strength lies
around each band, whether any state unit stands near it.

The reference is ``scipy.ndimage.uniform_filter`` over the whole map, read at the cells.
Long runs (:func:`sim.kernels.dispatch.enabled`) use
:func:`sim.kernels.movement_compiled.window_means`, scipy's two running-sum passes computed
only as far as the asked cells read them: the same values, bit for bit; for a grid of a few
units (:func:`box_mean_of`), :func:`sim.kernels.movement_compiled.window_means_of`, which
does not draw the grid.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from sim.kernels import dispatch

__all__ = ["box_mean_at", "box_mean_of"]


def box_mean_at(grid: NDArray[np.float64], width: int, cells: NDArray[np.int64]) -> NDArray[np.float64]:
    """Mean of ``grid`` over the ``width`` x ``width`` window centred on each of ``cells``.

    Parameters
    ----------
    grid : ndarray of float64, shape (rows, cols)
        Cells outside the grid count as 0.
    width : int
        At least 1.
    cells : ndarray of int64, shape (k,)
        Flat cell indices (row * cols + col).

    Returns
    -------
    ndarray of float64, shape (k,)
        ``uniform_filter(grid, size=width, mode="constant").reshape(-1)[cells]``.
    """
    if dispatch.enabled():
        from sim.kernels import movement_compiled  # numba: only once the process does enough work

        return movement_compiled.window_means(grid, width, cells)
    means: NDArray[np.float64] = uniform_filter(grid, size=width, mode="constant")
    return means.reshape(-1)[np.asarray(cells, dtype=np.int64)]


def box_mean_of(src: NDArray[np.int64], weights: NDArray[np.float64] | None,
                shape: tuple[int, int], width: int, cells: NDArray[np.int64]) -> NDArray[np.float64]:
    """:func:`box_mean_at` of the grid holding units at ``src``.

    Parameters
    ----------
    src : ndarray of int64, shape (m,)
        Flat cells of the units.
    weights : ndarray of float64, shape (m,), or None
        Summed per cell (``np.bincount``); None: the grid is 1.0 where any unit stands.
    shape : (rows, cols)
    width : int
    cells : ndarray of int64, shape (k,)

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    if dispatch.enabled():
        from sim.kernels import movement_compiled  # numba: only once the process does enough work

        return movement_compiled.window_means_of(src, weights, shape, width, cells)
    rows, cols = shape
    if weights is None:
        grid = np.zeros(rows * cols)
        grid[src] = 1.0
    else:
        grid = np.bincount(src, weights=weights, minlength=rows * cols).astype(np.float64)
    return box_mean_at(grid.reshape(rows, cols), width, cells)
