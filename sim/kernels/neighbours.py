"""Fixed neighbour structures of the villages and people-weighted means over them.

Villages do not move, so their neighbour table is built once per world
(:class:`NeighbourTable`) and every daily mean runs over it column by column, in the
order numpy's pairwise summation adds a row: the results equal the readable reference
:func:`neighbour_mean_numpy` bit for bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_ROW", "NeighbourTable", "NeighbourWeights", "neighbour_mean_numpy"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def neighbour_mean_numpy(values: F64, nbrs: I64, *, weights: F64 | None = None
                         ) -> tuple[F64, F64]:
    """Numpy reference of :func:`neighbour_mean` (same parameters and results)."""
    ok = nbrs >= 0
    idx = np.where(ok, nbrs, 0)
    w = np.ones(values.shape) if weights is None else weights
    if values.size == 0:
        z = np.zeros(nbrs.shape[0])
        return z, z.copy()
    ww = np.where(ok, w[idx], 0.0)
    tot = ww.sum(axis=1)
    s = (ww * values[idx]).sum(axis=1)
    return np.divide(s, tot, out=np.zeros_like(s), where=tot > 0), tot


#: Longest neighbour row summed with one block of numpy's pairwise summation.
MAX_ROW = 128


def _pairwise_sum(term: Callable[[int], F64], k: int, n: int | tuple[int, ...]) -> F64:
    """Sum of ``k`` terms, each an array of shape (n,), in the order numpy's pairwise
    summation adds a row of ``k <= 128`` entries (eight accumulators, then a fixed tree):
    ``_pairwise_sum(lambda j: a[:, j].copy(), k, n) == a.sum(axis=1)`` bit for bit for
    a C-contiguous (n, k) ``a``.

    Terms are made one at a time by ``term(j)`` (a fresh array the sum may overwrite) and
    folded in at once, so at most four arrays of shape (n,) are alive: no temporary of
    shape (k, n), whose allocation and release cost more than the arithmetic.

    Parameters
    ----------
    term : callable
        ``term(j)`` for ``j`` in ``range(k)``, a new ndarray of float64, shape ``n``.
    k : int
    n : int or tuple of int
        Shape of each term (the sum is element by element).

    Returns
    -------
    ndarray of float64, shape ``n``
    """
    if k < 8:
        res = np.zeros(n)
        for j in range(k):
            res += term(j)
        return res
    full = k - k % 8

    def acc(j: int) -> F64:  # numpy's j-th accumulator: entries j, j + 8, j + 16, ...
        a = term(j)
        for i in range(8 + j, full, 8):
            a += term(i)
        return a

    res = acc(0)
    res += acc(1)
    mid = acc(2)
    mid += acc(3)
    res += mid
    mid = acc(4)
    mid += acc(5)
    hi = acc(6)
    hi += acc(7)
    mid += hi
    res += mid
    for j in range(full, k):
        res += term(j)
    return res


@dataclasses.dataclass(frozen=True, eq=False)
class NeighbourTable:
    """The fixed neighbour structure of a set of villages, built once (villages do not
    move) and used for every weighted mean of a run.

    It holds the neighbour table by columns, one contiguous array per neighbour slot, so
    a mean is ``k`` vector operations over the villages instead of a gather of short
    rows and a reduction along them; the sums keep numpy's order (see
    :func:`_pairwise_sum`), so :meth:`NeighbourWeights.mean` equals
    :func:`neighbour_mean_numpy` bit for bit.

    Attributes
    ----------
    nbrs : ndarray of int64, shape (n, k)
        Village rows, -1 for none.
    index : tuple of k ndarrays of int64, shape (n,)
        Column ``j`` of ``nbrs`` with -1 replaced by 0.
    absent : tuple of k ndarrays of int64, shape (m_j,)
        Rows where column ``j`` of ``nbrs`` is -1.
    padded : ndarray of int32, shape (n, k)
        ``nbrs`` with -1 replaced by ``n`` (a padding row the compiled spread appends:
        branch-free gathers, half the bytes of ``nbrs``).
    """

    nbrs: I64
    index: tuple[I64, ...]
    absent: tuple[I64, ...]
    padded: NDArray[np.int32]

    @classmethod
    def of(cls, nbrs: I64) -> NeighbourTable:
        """Table of a neighbour array such as :func:`neighbourhood` returns."""
        t = np.asarray(nbrs, dtype=np.int64)
        index = tuple(np.ascontiguousarray(np.maximum(t[:, j], 0)) for j in range(t.shape[1]))
        absent = tuple(np.flatnonzero(t[:, j] < 0) for j in range(t.shape[1]))
        n = t.shape[0]
        if n >= np.iinfo(np.int32).max:
            raise ValueError(f"neighbour table: {n} villages, at most {np.iinfo(np.int32).max - 1}")
        padded = np.where(t < 0, n, t).astype(np.int32)
        for a in (*index, *absent, padded):
            a.setflags(write=False)
        return cls(nbrs=nbrs, index=index, absent=absent, padded=padded)

    def weigh(self, weights: F64 | None = None) -> NeighbourWeights:
        """Gather the neighbours' weights once for several means with the same weights.

        Parameters
        ----------
        weights : ndarray of float64, shape (n_villages,), optional
            E.g. population; uniform if omitted.
        """
        n, k = self.nbrs.shape
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        if k > MAX_ROW:
            return NeighbourWeights(self, (w,), neighbour_mean_numpy(w, self.nbrs, weights=w)[1])
        cols = []
        for j in range(k):
            c = w.take(self.index[j], mode="clip") if n else np.zeros(0)
            c[self.absent[j]] = 0.0
            cols.append(c)
        weight = tuple(cols)
        return NeighbourWeights(self, weight, _pairwise_sum(lambda j: weight[j].copy(), k, n))


@dataclasses.dataclass(frozen=True, eq=False)
class NeighbourWeights:
    """A :class:`NeighbourTable` with its neighbours' weights gathered.

    Attributes
    ----------
    table : NeighbourTable
    weight : tuple of k ndarrays of float64, shape (n,)
        Weight of each neighbour slot, 0 where there is none (for rows longer than
        128, where numpy sums in another order, the villages' own weights alone, and
        :meth:`mean` uses :func:`neighbour_mean_numpy`).
    total : ndarray of float64, shape (n,)
        Neighbours' total weight of each village.
    """

    table: NeighbourTable
    weight: tuple[F64, ...]
    total: F64

    def mean(self, values: F64) -> F64:
        """Weighted mean of ``values`` over each village's neighbours, 0 where it has none:
        the ``mean`` of :func:`neighbour_mean_numpy`.

        Parameters
        ----------
        values : ndarray of float64, shape (n_villages,) or (m, n_villages)
            One field, or ``m`` fields averaged at once (row by row, the same results).

        Returns
        -------
        ndarray of float64, shape (n,) or (m, n)
        """
        n, k = self.table.nbrs.shape
        x = np.asarray(values, dtype=np.float64)
        if x.ndim == 2:
            if n == 0 or x.shape[1] == 0 or k > MAX_ROW:
                return np.stack([self.mean(row) for row in x]) if len(x) else np.zeros((0, n))
            shape: tuple[int, ...] = (x.shape[0], n)
        else:
            if n == 0 or x.size == 0:
                return np.zeros(n)
            if k > MAX_ROW:
                return neighbour_mean_numpy(x, self.table.nbrs, weights=self.weight[0])[0]
            shape = (n,)
        index, weight = self.table.index, self.weight

        def term(j: int) -> F64:  # weight * value, as the reference multiplies them
            t = x.take(index[j], axis=-1, mode="clip")  # in range by construction: no checks
            t *= weight[j]
            return t

        s = _pairwise_sum(term, k, shape)
        total = np.broadcast_to(self.total, shape)
        return np.divide(s, total, out=np.zeros_like(s), where=total > 0)
