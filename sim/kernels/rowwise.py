"""Plain-Python helpers for kernels that work row by row on a few bands, leaders or columns.

A day has some twenty bands, a few leaders and a few dozen columns: there, a loop over
Python floats costs less than the dozens of tiny numpy calls of a whole-array formulation.
These helpers keep numpy's answers bit for bit: :func:`clip` is ``np.clip`` of a float
(signed zeros and NaN included) and :func:`binomial` is one element of ``rng.binomial``
(numpy draws nothing where ``n == 0`` or ``p == 0``, so drawing element by element in row
order consumes the stream exactly as one call over the array does).
"""

from __future__ import annotations

import numpy as np
from numpy._core import umath

__all__ = ["MANY_DRAWS", "ROWWISE_MAX_BANDS", "binomial", "binomials", "clip", "clip_array",
           "row_sum"]

#: Most bands the row-by-row kernels handle in plain Python; beyond, their whole-array numpy
#: forms (same tables and draws) cost less (``bench step``'s thousands of bands).
ROWWISE_MAX_BANDS = 64

#: From this many draws :func:`binomials` makes one numpy call rather than one call per draw
#: (speed only: the stream is the same).
MANY_DRAWS = 16

#: ``np.clip(a, lo, hi)`` of a float array with both bounds, without its Python wrappers
#: (``np.clip`` calls this ufunc after checks that concern integer arrays only).
clip_array = umath.clip  # type: ignore[attr-defined]


def clip(x: float, lo: float, hi: float) -> float:
    """``np.clip(x, lo, hi)`` of one float: ``x`` unless strictly outside the bounds (so NaN
    stays NaN and ``-0.0`` clipped at ``0.0`` stays ``-0.0``, as numpy gives)."""
    if x < lo:
        return lo
    return hi if x > hi else x


def binomial(rng: np.random.Generator, n: int, p: float) -> int:
    """One element of ``rng.binomial(n, p)``: 0 without drawing where ``n == 0`` or ``p == 0``.

    Raises
    ------
    ValueError
        Where numpy's binomial would: ``n < 0``, ``p`` outside [0, 1] or NaN.
    """
    if not 0.0 <= p <= 1.0 or n < 0:
        raise ValueError("binomial needs n >= 0 and 0 <= prob <= 1 (not NaN)")
    if n == 0 or p == 0.0:
        return 0
    return int(rng.binomial(n, p))


def row_sum(values: list[float]) -> float:
    """``np.sum`` of one row of a C-ordered float64 table along its last axis, bit for bit.

    numpy adds a row of ``n`` floats pairwise: below 8 one by one; up to 128 in eight
    interleaved partial sums added as a tree, the rest one by one; beyond that it splits the
    row in halves (left to numpy here). The reduction starts from ``0.0``.
    """
    n = len(values)
    if n > 128:
        return float(np.add.reduce(np.array(values, dtype=np.float64)))
    if n < 8:
        res = 0.0
        for x in values:
            res += x
        return 0.0 + res
    r = values[:8]
    full = n - n % 8
    for i in range(8, full, 8):
        for j in range(8):
            r[j] += values[i + j]
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for x in values[full:]:
        res += x
    return 0.0 + res


def binomials(rng: np.random.Generator, n: list[int], p: list[float]) -> list[int]:
    """``sparse_binomial(rng, n, p)`` of lists: ``rng.binomial`` drawn where ``n > 0`` and
    ``p > 0`` in order (one numpy call for many, one by one for a few: the same stream),
    0 elsewhere.

    Raises
    ------
    ValueError
        As :func:`sim.kernels.draws.sparse_binomial`: an ``n < 0``, a ``p < 0`` or NaN, a
        ``p > 1`` where ``n > 0``.
    """
    live = []
    for i, (k, q) in enumerate(zip(n, p, strict=True)):
        if k < 0 or not q >= 0.0:
            raise ValueError("binomial needs n >= 0 and 0 <= prob <= 1 (not NaN)")
        if k > 0 and q > 0.0:
            live.append(i)
    out = [0] * len(n)
    if len(live) < MANY_DRAWS:
        for i in live:
            out[i] = int(rng.binomial(n[i], p[i]))
    else:
        got = rng.binomial(np.array([n[i] for i in live], dtype=np.int64),
                           np.array([p[i] for i in live], dtype=np.float64)).tolist()
        for i, k in zip(live, got, strict=True):
            out[i] = k
    return out
