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

import numpy as np
from numpy.typing import NDArray

from sim.kernels.jit import inline, jit

__all__ = [
    "MAX_ROW", "neighbour_mean", "village_dynamics", "village_flight",
    "village_spread",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Longest row numpy sums with a single block of eight accumulators (its PW_BLOCKSIZE).
MAX_ROW = 128


@jit
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


@inline
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


@inline
def _clip01(x: float) -> float:
    """``np.clip(x, 0.0, 1.0)`` for one float, NaN and signed zeros as numpy treats them."""
    if np.isnan(x):
        return x
    y = x if x > 0.0 else 0.0
    return y if y < 1.0 else 1.0


@jit
def _village_dynamics(g: F64, f: F64, w: F64, s: F64, cotton: NDArray[np.bool_], coll: F64,
                      state_taken: F64, requisitioned: F64, collateral: F64,
                      fighting: NDArray[np.bool_], state_present: NDArray[np.bool_],
                      band_present: NDArray[np.bool_], town: NDArray[np.bool_], has_town: bool,
                      pol: F64, c: F64, out: F64) -> None:
    n = g.size
    wide = pol.shape[1] > 1
    for i in range(n):
        j = i if wide else 0
        anti, colz, ffc, req = pol[0, j], pol[1, j], pol[2, j], pol[3, j]
        rel, land, conc, cad, fair = pol[4, j], pol[5, j], pol[6, j], pol[7, j], pol[8, j]
        rural = 1.0
        if has_town and town[i]:
            rural = 0.0
        one_minus = 1.0 - conc
        religious = anti * (one_minus if one_minus >= 0.0 or np.isnan(one_minus) else 0.0)
        raise_ = (c[0] * religious + (c[1] * colz + c[2] * req) * rural
                  + c[3] * ffc * (1.0 if cotton[i] else 0.0))
        relief = c[4] * rel + c[5] * land + c[6] * conc + c[7] * cad
        gi = g[i]
        rmin = relief if relief <= 1.0 or np.isnan(relief) else 1.0
        g2 = (gi - c[8] * (gi - c[9]) + raise_ * (1.0 - gi) - rmin * gi + coll[i]
              + c[10] * state_taken[i])
        g2 = _clip01(g2)
        f2 = _clip01(f[i] * c[11])
        war = requisitioned[i] > 0 or collateral[i] > 0 or fighting[i]
        wi = w[i]
        w2 = _clip01(wi * c[12] + c[13] * (1.0 if war else 0.0) * (1.0 - wi))
        si = s[i]
        push = g2 - c[9]
        s2 = si + c[14] * push * ((1.0 - si) if push > 0 else si)
        rest = c[16] if has_town and town[i] else c[15]
        s2 = s2 - c[17] * (si - rest)
        levers = rel + land + conc + cad + fair
        s2 = s2 - c[18] * levers * si
        s2 = s2 + c[19] * ((1.0 - si) if c[20] > 0 else si)
        s2 = s2 - c[21] * w2 * (si - c[22])
        protect = c[23] * (1.0 + c[24] * cad)
        s2 = s2 - protect * (1.0 - g2) * (1.0 if state_present[i] else 0.0)
        bp = band_present[i] and requisitioned[i] <= 0
        s2 = s2 + c[25] * g2 * (1.0 if bp else 0.0)
        out[0, i] = g2
        out[1, i] = f2
        out[2, i] = w2
        out[3, i] = _clip01(s2)


def village_dynamics(
    g: F64, f: F64, w: F64, s: F64, *, cotton: NDArray[np.bool_], coll: F64, state_taken: F64,
    requisitioned: F64, collateral: F64, fighting: NDArray[np.bool_],
    state_present: NDArray[np.bool_], band_present: NDArray[np.bool_],
    town: NDArray[np.bool_] | None, policies: F64, constants: F64,
) -> tuple[F64, F64, F64, F64]:
    """Compiled grievance, fear, weariness and support step of
    :func:`sim.kernels.villages.village_day` before the spread (same results, bit for bit).

    Parameters
    ----------
    g, f, w, s, coll, state_taken, requisitioned, collateral : ndarray of float64, shape (n,)
        ``coll`` is the collateral grievance term (computed with numpy's ``exp``).
    cotton, fighting, state_present, band_present : ndarray of bool, shape (n,)
    town : ndarray of bool, shape (n,), or None
    policies : ndarray of float64, shape (9, n) or (9, 1)
        Intensities in the order of :class:`sim.kernels.villages.VillagePolicies`, per
        village or (second form) the same for every village.
    constants : ndarray of float64, shape (26,)
        See :func:`sim.kernels.villages._dynamics_constants`.

    Returns
    -------
    g2, f2, w2, s2 : ndarray of float64, shape (n,)
    """
    n = g.size
    out = np.empty((4, n))
    has_town = town is not None
    _village_dynamics(g, f, w, s, cotton, coll, state_taken, requisitioned, collateral, fighting,
                      state_present, band_present,
                      town if town is not None else np.zeros(1, dtype=np.bool_), has_town,
                      policies, constants, out)
    return out[0], out[1], out[2], out[3]


@jit
def _village_spread(x: F64, nbrs: I64, pop: F64, spread: float, out: F64) -> None:
    m, n = x.shape
    k = nbrs.shape[1]
    wrow = np.empty(k)
    srow = np.empty(k)
    for i in range(n):
        for j in range(k):
            v = nbrs[i, j]
            wrow[j] = pop[v] if v >= 0 else 0.0
        tot = _row_sum(wrow, k)
        whole = pop[i] + tot
        share = tot / whole if whole > 0 else 0.0
        for a in range(m):
            for j in range(k):
                v = nbrs[i, j]
                srow[j] = x[a, v] * wrow[j] if v >= 0 else x[a, 0] * 0.0
            total = _row_sum(srow, k)
            mean = total / tot if tot > 0 else 0.0
            xi = x[a, i]
            out[a, i] = _clip01(xi + spread * share * (mean - xi))


@inline
def _weight(pop: F64, v: int) -> float:
    return pop[v] if v >= 0 else 0.0


@inline
def _term(xt: F64, v: int, a: int, w: float, zero: float) -> float:
    return xt[v, a] * w if v >= 0 else zero


@jit
def _village_spread8(x: F64, nbrs: I64, pop: F64, spread: float, out: F64) -> None:
    """:func:`_village_spread` for rows of eight (radius 1 without the centre, the usual
    table): the row sums unrolled in numpy's order, the fields read village by village
    from a transposed copy (one cache line per neighbour instead of one per field)."""
    m, n = x.shape
    xt = np.empty((n, m))
    for a in range(m):
        for i in range(n):
            xt[i, a] = x[a, i]
    zero = np.empty(m)  # what the reference adds for a missing neighbour
    for a in range(m):
        zero[a] = x[a, 0] * 0.0
    for i in range(n):
        v0, v1, v2, v3 = nbrs[i, 0], nbrs[i, 1], nbrs[i, 2], nbrs[i, 3]
        v4, v5, v6, v7 = nbrs[i, 4], nbrs[i, 5], nbrs[i, 6], nbrs[i, 7]
        w0, w1 = _weight(pop, v0), _weight(pop, v1)
        w2, w3 = _weight(pop, v2), _weight(pop, v3)
        w4, w5 = _weight(pop, v4), _weight(pop, v5)
        w6, w7 = _weight(pop, v6), _weight(pop, v7)
        tot = ((w0 + w1) + (w2 + w3)) + ((w4 + w5) + (w6 + w7))
        whole = pop[i] + tot
        share = tot / whole if whole > 0 else 0.0
        for a in range(m):
            z = zero[a]
            total = (((_term(xt, v0, a, w0, z) + _term(xt, v1, a, w1, z))
                      + (_term(xt, v2, a, w2, z) + _term(xt, v3, a, w3, z)))
                     + ((_term(xt, v4, a, w4, z) + _term(xt, v5, a, w5, z))
                        + (_term(xt, v6, a, w6, z) + _term(xt, v7, a, w7, z))))
            mean = total / tot if tot > 0 else 0.0
            xi = xt[i, a]
            out[a, i] = _clip01(xi + spread * share * (mean - xi))


def village_spread(values: F64, nbrs: I64, pop: F64, spread: float) -> F64:
    """Compiled spread of :func:`sim.kernels.villages.village_day` for several fields at
    once (same results, bit for bit).

    Parameters
    ----------
    values : ndarray of float64, shape (m, n)
        The fields to spread (support, grievance, fear), each read before any is updated.
    nbrs : ndarray of int64, shape (n, k)
        ``k <= MAX_ROW``.
    pop : ndarray of float64, shape (n,)
    spread : float

    Returns
    -------
    ndarray of float64, shape (m, n)
    """
    out = np.empty(values.shape)
    kernel = _village_spread8 if nbrs.shape[1] == 8 and values.shape[1] else _village_spread
    kernel(np.ascontiguousarray(values, dtype=np.float64),
           np.ascontiguousarray(nbrs, dtype=np.int64),
           np.ascontiguousarray(pop, dtype=np.float64), float(spread), out)
    return out


@inline
def _max(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN wins)."""
    if np.isnan(a) or a >= b:
        return a
    return b


@inline
def _min(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN wins)."""
    if np.isnan(a) or a <= b:
        return a
    return b


@jit
def _village_flight(fear: F64, support: F64, pop: F64, food: F64, border_days: F64,
                    has_border: bool, side: I64, c: F64, prob: F64, new_side: I64) -> None:
    n = fear.size
    for i in range(n):
        pi = pop[i]
        famine = 1.0 if food[i] < _max(pi, 1.0) * c[0] else 0.0
        pressure = _max(_clip01((fear[i] - c[1]) / c[2]), famine)
        if has_border:
            carried = _min(food[i] / _max(pi, 1.0), c[3])
            pressure = pressure * _clip01((1.0 + carried) / _max(border_days[i], 1.0))
        prob[i] = _clip01(c[4] * pressure)
        s = support[i]
        sd = side[i]
        if s > c[5]:
            sd = 1
        elif s < c[6]:
            sd = -1
        if (sd == 1 and s < c[7]) or (sd == -1 and s > c[7]):
            sd = 0
        new_side[i] = sd


def village_flight(fear: F64, support: F64, *, pop: F64, food: F64, border_days: F64 | None,
                   side: I64, constants: F64) -> tuple[F64, I64]:
    """Compiled flight probability and sides of :func:`sim.kernels.villages.village_day`
    (same results as its numpy reference, bit for bit up to the sign of a zero
    probability, which draws nothing either way).

    Parameters
    ----------
    fear, support, pop, food : ndarray of float64, shape (n,)
        Today's fear and support (after the spread), people and food.
    border_days : ndarray of float64, shape (n,), or None
    side : ndarray of int64, shape (n,)
        Yesterday's sides.
    constants : ndarray of float64, shape (8,)
        ``famine_days, flight_fear, max(1 - flight_fear, 1e-9), flight_carry_days,
        flight_rate, side_high, side_low, side_reset``.

    Returns
    -------
    prob : ndarray of float64, shape (n,)
        Each person's chance to flee today.
    side : ndarray of int64, shape (n,)
    """
    n = fear.size
    prob, new_side = np.empty(n), np.empty(n, dtype=np.int64)
    has_border = border_days is not None
    _village_flight(fear, support, pop, food,
                    border_days if border_days is not None else np.zeros(1), has_border,
                    side, constants, prob, new_side)
    return prob, new_side
