"""Compiled (numba) passes for hot paths whose numpy versions are the readable reference.

Each function here does in one pass over fixed tables what a numpy expression in a
kernel does with gathers and temporaries, with the same floating-point operations in
the same order, so that results are bit-identical (tests check both against each
other). In particular numpy adds the ``k`` entries of a row with its pairwise
summation (eight accumulators for ``8 <= k <= 128``, then a fixed tree); the row sums
below reproduce that order.

Functions are compiled on first use and cached on disk (``cache=True``). Within
:func:`numpy_reference` the callers run their numpy versions instead (benchmarks
compare the two paths; results are the same).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_ROW", "enabled", "neighbour_mean", "numpy_reference"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Longest row numpy sums with a single block of eight accumulators (its PW_BLOCKSIZE).
MAX_ROW = 128

_F = TypeVar("_F", bound=Callable[..., Any])
_ON = [True]


def enabled() -> bool:
    """Whether callers should use the compiled passes (False inside :func:`numpy_reference`)."""
    return _ON[0]


@contextlib.contextmanager
def numpy_reference() -> Iterator[None]:
    """Run the numpy reference paths instead of the compiled ones inside this block."""
    before = _ON[0]
    _ON[0] = False
    try:
        yield
    finally:
        _ON[0] = before


def _jit(f: _F) -> _F:
    """numba.njit (no fast-math: operations keep numpy's order), typed for mypy."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", nogil=True)(f))


def _inline(f: _F) -> _F:
    """Like :func:`_jit`, inlined into its callers."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", inline="always")(f))


@_jit
def _neighbour_mean(values: F64, nbrs: I64, weights: F64, mean: F64, total: F64) -> None:
    n, k = nbrs.shape
    wrow = np.empty(k)
    srow = np.empty(k)
    for i in range(n):
        for j in range(k):
            v = nbrs[i, j]
            if v >= 0:
                w = weights[v]
                wrow[j] = w
                srow[j] = w * values[v]
            else:
                wrow[j] = 0.0
                srow[j] = 0.0 * values[0]
        tot = _row_sum(wrow, k)
        s = _row_sum(srow, k)
        total[i] = tot
        mean[i] = s / tot if tot > 0 else 0.0


@_inline
def _row_sum(a: F64, k: int) -> float:
    """Sum of ``a[:k]`` in the order of numpy's pairwise summation (``k <= 128``)."""
    if k < 8:
        res = 0.0
        for i in range(k):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
    r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
    full = k - k % 8
    for i in range(8, full, 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(full, k):
        res += a[i]
    return float(res)


def neighbour_mean(values: F64, nbrs: I64, weights: F64) -> tuple[F64, F64]:
    """Compiled :func:`sim.kernels.villages.neighbour_mean` (same results, bit for bit).

    Parameters
    ----------
    values, weights : ndarray of float64, shape (n_villages,)
        ``n_villages >= 1``.
    nbrs : ndarray of int64, shape (n, k)
        Village rows, -1 for none; ``k <= MAX_ROW``.

    Returns
    -------
    mean, total_weight : ndarray of float64, shape (n,)
    """
    n = nbrs.shape[0]
    mean, total = np.empty(n), np.empty(n)
    _neighbour_mean(np.ascontiguousarray(values, dtype=np.float64),
                    np.ascontiguousarray(nbrs, dtype=np.int64),
                    np.ascontiguousarray(weights, dtype=np.float64), mean, total)
    return mean, total
