"""Square-window means of a grid read at a few cells, bit for bit what
``scipy.ndimage.uniform_filter(grid, size=width, mode="constant")`` gives there.

Bands ask how much state strength lies around them and columns whether any state unit
stands near a band: a handful of cells on a map of 16,000. The whole-map filter costs
two passes over every cell; here the first pass (down the columns) runs only over the
map columns that hold a non-zero value and the second (along the rows) only over the rows
of the cells asked for. Each pass is scipy's running sum (``NI_UniformFilter1D``): the
sum of the first window, then ``+= entering - leaving`` along the line, each value divided
by the width; ``np.cumsum`` adds in the same order, so the results are identical.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

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
        ``uniform_filter(grid, size=width, mode="constant").reshape(-1)[cells]``, bit for bit.
    """
    cols = grid.shape[1]
    cells = np.asarray(cells, dtype=np.int64)
    if width == 1:  # scipy skips an axis of size 1: the grid itself
        return np.asarray(grid, dtype=np.float64).reshape(-1)[cells]
    out = np.zeros(cells.size)
    occupied = np.flatnonzero(grid.any(axis=0))
    if occupied.size == 0 or cells.size == 0:
        return out  # an all-zero line stays exactly 0.0 through both passes
    down = _line_means(grid[:, occupied], width)  # first pass: (rows, k) of the occupied columns
    r, c = np.divmod(cells, cols)
    wanted, row_of = np.unique(r, return_inverse=True)
    lines = np.zeros((cols, wanted.size))
    lines[occupied, :] = down[wanted].T
    across = _line_means(lines, width)  # second pass along the wanted rows: (cols, n_rows)
    out[:] = across[c, row_of]
    return out


def _line_means(lines: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Running window means down axis 0 of ``lines`` (n, k), zero beyond both ends."""
    n, k = lines.shape
    before = width // 2
    padded = np.zeros((n + width - 1, k))
    padded[before:before + n] = lines
    acc = np.empty((n, k))
    acc[0] = np.cumsum(padded[:width], axis=0)[-1]  # the first window, summed in order
    acc[1:] = padded[width:width + n - 1] - padded[:n - 1]  # entering minus leaving
    np.cumsum(acc, axis=0, out=acc)
    out: NDArray[np.float64] = acc / width
    return out
