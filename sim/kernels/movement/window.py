"""Square-window means of a grid read at a few cells: how much state strength lies
around each band, whether any state unit stands near it.

The reference is ``scipy.ndimage.uniform_filter`` over the whole map, read at the cells.
Long runs (:func:`sim.kernels.dispatch.enabled`) use
:func:`sim.kernels.movement_compiled.window_means`, scipy's two running-sum passes computed
only as far as the asked cells read them: the same values, bit for bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from sim.kernels import dispatch

__all__ = ["box_mean_at"]


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
