"""Compiled (numba) passes for hot paths whose numpy versions are the readable reference.

Each function here does in one pass over fixed tables what a numpy expression in a
kernel does with gathers and temporaries, with the same floating-point operations in
the same order, so that results are bit-identical (tests check both against each
other). In particular numpy adds the ``k`` entries of a row with its pairwise
summation (eight accumulators for ``8 <= k <= 128``, then a fixed tree); the row sums
below reproduce that order.

Functions are compiled on first use and cached on disk (``cache=True``). Callers use
them when :func:`sim.kernels.dispatch.enabled` says so (long runs and batches), their
numpy versions otherwise; results are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_ROW", "bounded_distances", "neighbour_mean"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Longest row numpy sums with a single block of eight accumulators (its PW_BLOCKSIZE).
MAX_ROW = 128

_F = TypeVar("_F", bound=Callable[..., Any])
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


@_jit
def _bounded_dijkstra(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64,
                      limit: float, needed: NDArray[np.bool_], dist: F64) -> None:
    n = dist.size
    remaining = 0
    for i in range(n):
        dist[i] = np.inf
        if needed[i]:
            remaining += 1
    done = np.zeros(n, dtype=np.bool_)
    cap = indices.size + sources.size + 1
    heap_d = np.empty(cap)
    heap_v = np.empty(cap, dtype=np.int64)
    size = 0
    for s in sources:
        if dist[s] > 0.0:
            dist[s] = 0.0
            size = _push(heap_d, heap_v, size, 0.0, s)
    while size > 0 and remaining > 0:
        d = heap_d[0]
        u = heap_v[0]
        size = _pop(heap_d, heap_v, size)
        if done[u]:
            continue
        done[u] = True
        if needed[u]:
            remaining -= 1
        for k in range(indptr[u], indptr[u + 1]):
            v = indices[k]
            if done[v]:
                continue
            nd = d + weights[k]
            if nd <= limit and nd < dist[v]:
                dist[v] = nd
                size = _push(heap_d, heap_v, size, nd, v)


@_inline
def _push(heap_d: F64, heap_v: I64, size: int, d: float, v: int) -> int:
    i = size
    heap_d[i] = d
    heap_v[i] = v
    while i > 0:
        p = (i - 1) // 2
        if heap_d[p] <= heap_d[i]:
            break
        heap_d[p], heap_d[i] = heap_d[i], heap_d[p]
        heap_v[p], heap_v[i] = heap_v[i], heap_v[p]
        i = p
    return size + 1


@_inline
def _pop(heap_d: F64, heap_v: I64, size: int) -> int:
    size -= 1
    heap_d[0] = heap_d[size]
    heap_v[0] = heap_v[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and heap_d[c + 1] < heap_d[c]:
            c += 1
        if heap_d[i] <= heap_d[c]:
            break
        heap_d[c], heap_d[i] = heap_d[i], heap_d[c]
        heap_v[c], heap_v[i] = heap_v[i], heap_v[c]
        i = c
    return size


def bounded_distances(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64, *,
                      limit: float, needed: NDArray[np.bool_]) -> F64:
    """Shortest distances from the nearest source along the edges of a CSR graph, exact
    at the ``needed`` nodes (the search stops once they are all settled).

    The same distances as ``scipy.sparse.csgraph.dijkstra(..., min_only=True,
    limit=limit)`` at the needed nodes: each is the least ``dist[u] + w`` over the
    edges into it, whatever the order nodes are settled in.

    Parameters
    ----------
    indptr, indices, weights : CSR arrays of the graph, shape (n + 1,), (m,), (m,)
    sources : ndarray of int64, shape (k,)
    limit : float
        Nodes further than this are ``inf``.
    needed : ndarray of bool, shape (n,)

    Returns
    -------
    ndarray of float64, shape (n,)
        Exact where ``needed``; elsewhere a tentative distance (at least the true one) or
        ``inf``.
    """
    dist = np.empty(needed.size)
    _bounded_dijkstra(np.asarray(indptr, dtype=np.int64), indices,
                      np.asarray(weights, dtype=np.float64),
                      np.asarray(sources, dtype=np.int64), float(limit), needed, dist)
    return dist
