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

__all__ = ["MAX_ROW", "neighbour_mean", "village_step"]

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
    """``np.clip(x, 0.0, 1.0)`` for one float: ``x`` unless strictly outside the bounds, so
    NaN and ``-0.0`` come back unchanged, as numpy gives them."""
    if x < 0.0:
        return 0.0
    return 1.0 if x > 1.0 else x


@jit
def _village_dynamics(g: F64, f: F64, w: F64, s: F64, cotton: NDArray[np.bool_], coll: F64,
                      state_taken: F64, requisitioned: F64, collateral: F64,
                      fighting: NDArray[np.bool_], has_fighting: bool,
                      state_present: NDArray[np.bool_], band_present: NDArray[np.bool_],
                      town: NDArray[np.bool_], has_town: bool, pol: F64, c: F64,
                      people: I64, packed: F64, wear: F64) -> None:
    """Grievance, fear, weariness and support before the spread: ``packed[i]`` is support,
    grievance, fear and people (as float) of village ``i``, read together by the spread;
    ``packed[n]`` is the padding row of :func:`_village_spread8`; ``wear`` the weariness."""
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
        war = requisitioned[i] > 0 or collateral[i] > 0 or (has_fighting and fighting[i])
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
        packed[i, 0] = _clip01(s2)
        packed[i, 1] = g2
        packed[i, 2] = f2
        packed[i, 3] = people[i]
        wear[i] = w2
    if n:  # what the reference adds for a missing neighbour: weight 0, field * 0.0
        for a in range(3):
            packed[n, a] = packed[0, a] * 0.0
        packed[n, 3] = 0.0


def village_step(
    villages: tuple[F64, F64, F64, F64, I64, F64], *, cotton: NDArray[np.bool_], coll: F64,
    state_taken: F64, requisitioned: F64, collateral: F64, fighting: NDArray[np.bool_] | None,
    state_present: NDArray[np.bool_], band_present: NDArray[np.bool_],
    town: NDArray[np.bool_] | None, policies: F64, constants: F64, nbrs: I64,
    padded: NDArray[np.int32] | None, spread: float, border_days: F64 | None, side: I64,
    flight: F64,
) -> tuple[F64, F64, F64, F64, F64, I64, I64 | None, I64]:
    """Compiled village step of :func:`sim.kernels.villages.village_day`: grievance, fear,
    weariness and support, their spread to the neighbours, flight chances and sides, in
    one call (same results as the numpy reference, bit for bit up to the sign of a zero
    flight probability, which draws nothing either way), with the villages where people
    may flee and those that changed sides (what the caller would otherwise find with
    several passes over every village).

    Parameters
    ----------
    villages : tuple of six ndarrays, shape (n,)
        Support, grievance, fear, weariness (float64), population (int64) and food
        (float64) of the villages.
    cotton, state_present, band_present : ndarray of bool, shape (n,)
    coll, state_taken, requisitioned, collateral : ndarray of float64, shape (n,)
        ``coll`` is the collateral grievance term (computed with numpy's ``exp``).
    fighting, town : ndarray of bool, shape (n,), or None (none)
    policies : ndarray of float64, shape (9, n) or (9, 1)
        Intensities in the order of :class:`sim.kernels.villages.VillagePolicies`, per
        village or (second form) the same for every village.
    constants : ndarray of float64, shape (26,)
        See :func:`sim.kernels.villages._dynamics_constants`.
    nbrs : ndarray of int64, shape (n, k)
        Neighbouring villages, -1 for none; ``k <= MAX_ROW``.
    padded : ndarray of int32, shape (n, 8), or None
        :attr:`sim.kernels.neighbours.NeighbourTable.padded` of ``nbrs`` when ``k == 8``:
        the unrolled spread.
    spread : float
    border_days : ndarray of float64, shape (n,), or None
    side : ndarray of int64, shape (n,)
        Yesterday's sides.
    flight : ndarray of float64, shape (8,)
        ``famine_days, flight_fear, max(1 - flight_fear, 1e-9), flight_carry_days,
        flight_rate, side_high, side_low, side_reset``.

    Returns
    -------
    support, grievance, fear, weariness : ndarray of float64, shape (n,)
    prob : ndarray of float64, shape (n,)
        Each person's chance to flee today.
    side : ndarray of int64, shape (n,)
    live : ndarray of int64, shape (m,), or None
        The villages, in order, with people and a positive chance to flee: where
        :func:`sim.kernels.draws.sparse_binomial` draws. None when a population is negative
        or a chance NaN (which that draw refuses).
    switched : ndarray of int64, shape (k,)
        The villages, in order, whose side differs from yesterday's.
    """
    s, g, f, w, pop, food = villages
    n = g.size
    packed, wear, out = np.empty((n + 1, 4)), np.empty(n), np.empty((3, n))
    prob, new_side = np.empty(n), np.empty(n, dtype=np.int64)
    live, switched = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    no = np.zeros(1, dtype=np.bool_)
    n_live, n_switched = _village_step(
        g, f, w, s, cotton, coll, state_taken, requisitioned, collateral,
        no if fighting is None else fighting, fighting is not None, state_present, band_present,
        no if town is None else town, town is not None, policies, constants,
        nbrs, np.zeros((1, 8), dtype=np.int32) if padded is None else padded, padded is not None,
        pop, float(spread), food, np.zeros(1) if border_days is None else border_days,
        border_days is not None, side, flight, packed, wear, out, prob, new_side, live,
        switched)
    return (out[0], out[1], out[2], wear, prob, new_side,
            None if n_live < 0 else live[:n_live], switched[:n_switched])


@jit
def _village_spread(packed: F64, nbrs: I64, spread: float, out: F64) -> None:
    """The spread of the three fields of ``packed`` (see :func:`_village_dynamics`) over
    neighbour rows of any length ``k <= MAX_ROW``, -1 for none."""
    n = out.shape[1]
    k = nbrs.shape[1]
    wrow = np.empty(k)
    srow = np.empty(k)
    for i in range(n):
        for j in range(k):
            v = nbrs[i, j]
            wrow[j] = packed[v, 3] if v >= 0 else 0.0
        tot = _row_sum(wrow, k)
        whole = packed[i, 3] + tot
        share = tot / whole if whole > 0 else 0.0
        for a in range(3):
            for j in range(k):
                v = nbrs[i, j]
                srow[j] = packed[v, a] * wrow[j] if v >= 0 else packed[0, a] * 0.0
            total = _row_sum(srow, k)
            mean = total / tot if tot > 0 else 0.0
            xi = packed[i, a]
            out[a, i] = _clip01(xi + spread * share * (mean - xi))


@inline
def _sum8(a0: float, a1: float, a2: float, a3: float, a4: float, a5: float, a6: float,
          a7: float) -> float:
    """Sum of eight floats in numpy's pairwise order."""
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))


@jit
def _village_spread8(packed: F64, padded: NDArray[np.int32], spread: float, out: F64) -> None:
    """:func:`_village_spread` for rows of eight (radius 1 without the centre, the usual
    table), the row sums unrolled in numpy's order. Each neighbour's three fields and
    people are read from one row of ``packed`` (one cache line); missing neighbours point
    at its padding row ``n`` (weight 0 and the fields' ``x[0] * 0.0``, which is what the
    reference adds for them: ``z * 0.0 == z`` for the zeros and NaN it can be)."""
    n = out.shape[1]
    for i in range(n):
        v0, v1, v2, v3 = padded[i, 0], padded[i, 1], padded[i, 2], padded[i, 3]
        v4, v5, v6, v7 = padded[i, 4], padded[i, 5], padded[i, 6], padded[i, 7]
        w0, w1, w2, w3 = packed[v0, 3], packed[v1, 3], packed[v2, 3], packed[v3, 3]
        w4, w5, w6, w7 = packed[v4, 3], packed[v5, 3], packed[v6, 3], packed[v7, 3]
        tot = _sum8(w0, w1, w2, w3, w4, w5, w6, w7)
        whole = packed[i, 3] + tot
        share = tot / whole if whole > 0 else 0.0
        t0 = _sum8(packed[v0, 0] * w0, packed[v1, 0] * w1, packed[v2, 0] * w2,
                   packed[v3, 0] * w3, packed[v4, 0] * w4, packed[v5, 0] * w5,
                   packed[v6, 0] * w6, packed[v7, 0] * w7)
        t1 = _sum8(packed[v0, 1] * w0, packed[v1, 1] * w1, packed[v2, 1] * w2,
                   packed[v3, 1] * w3, packed[v4, 1] * w4, packed[v5, 1] * w5,
                   packed[v6, 1] * w6, packed[v7, 1] * w7)
        t2 = _sum8(packed[v0, 2] * w0, packed[v1, 2] * w1, packed[v2, 2] * w2,
                   packed[v3, 2] * w3, packed[v4, 2] * w4, packed[v5, 2] * w5,
                   packed[v6, 2] * w6, packed[v7, 2] * w7)
        some = tot > 0
        m0 = t0 / tot if some else 0.0
        m1 = t1 / tot if some else 0.0
        m2 = t2 / tot if some else 0.0
        x0, x1, x2 = packed[i, 0], packed[i, 1], packed[i, 2]
        out[0, i] = _clip01(x0 + spread * share * (m0 - x0))
        out[1, i] = _clip01(x1 + spread * share * (m1 - x1))
        out[2, i] = _clip01(x2 + spread * share * (m2 - x2))


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
def _village_flight(fear: F64, support: F64, people: I64, food: F64, border_days: F64,
                    has_border: bool, side: I64, c: F64, prob: F64, new_side: I64,
                    live: I64, switched: I64) -> tuple[int, int]:
    """Chances to flee and sides; the rows of ``live`` and ``switched`` (see
    :func:`village_step`) and their counts, -1 live rows for a negative population or a
    NaN chance."""
    n = fear.size
    n_live = 0
    n_switched = 0
    valid = True
    for i in range(n):
        pi = float(people[i])
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
        if sd != side[i]:
            switched[n_switched] = i
            n_switched += 1
        if people[i] < 0 or np.isnan(prob[i]):
            valid = False
        elif people[i] > 0 and prob[i] > 0:
            live[n_live] = i
            n_live += 1
    return (n_live if valid else -1), n_switched


@jit
def _village_step(g: F64, f: F64, w: F64, s: F64, cotton: NDArray[np.bool_], coll: F64,
                  state_taken: F64, requisitioned: F64, collateral: F64,
                  fighting: NDArray[np.bool_], has_fighting: bool,
                  state_present: NDArray[np.bool_], band_present: NDArray[np.bool_],
                  town: NDArray[np.bool_], has_town: bool, pol: F64, c: F64, nbrs: I64,
                  padded: NDArray[np.int32], has_padded: bool, people: I64, spread: float,
                  food: F64, border_days: F64, has_border: bool, side: I64, cf: F64,
                  packed: F64, wear: F64, out: F64, prob: F64, new_side: I64, live: I64,
                  switched: I64) -> tuple[int, int]:
    _village_dynamics(g, f, w, s, cotton, coll, state_taken, requisitioned, collateral,
                      fighting, has_fighting, state_present, band_present, town, has_town,
                      pol, c, people, packed, wear)
    if g.size:
        if has_padded:
            _village_spread8(packed, padded, spread, out)
        else:
            _village_spread(packed, nbrs, spread, out)
    return _village_flight(out[2], out[0], people, food, border_days, has_border, side, cf,
                           prob, new_side, live, switched)
