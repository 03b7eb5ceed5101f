"""Binomial sampling by inversion, and the split of a side's draw into loss categories."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from sim.kernels.combat.arrays import pick

__all__ = ["VAR_EXACT", "binomial_from_uniform", "draw_side"]

F64 = NDArray[np.float64]


VAR_EXACT = 9.0
"""Binomial variance below which :func:`binomial_from_uniform` inverts the CDF exactly."""


def binomial_from_uniform(n: F64, p: F64, u: F64) -> F64:
    """Binomial(n, p) variates from uniforms by inversion (one uniform per draw).

    Exact inversion of the CDF by sequential search when ``n p (1-p) < VAR_EXACT``
    (using ``X = n - Binomial(n, 1-p)`` for p > 1/2, so the search is short);
    otherwise the Cornish-Fisher normal approximation with continuity correction,
    ``floor(mu + sigma (z + g (z^2 - 1) / 6) + 1/2)`` with skewness ``g``, clipped to
    [0, n]; its CDF error is below about 1 % there. The variate is a monotone
    function of ``u``, so common random numbers couple runs.

    Parameters
    ----------
    n : ndarray of float64, shape (k,)
        Whole numbers of trials.
    p : ndarray of float64, shape (k,)
        Probabilities in [0, 1].
    u : ndarray of float64, shape (k,)
        Uniforms in [0, 1).

    Returns
    -------
    ndarray of float64, shape (k,)
        Whole numbers in [0, n].

    References
    ----------
    Devroye, L. (1986). Non-Uniform Random Variate Generation, ch. X (inversion);
    Johnson, Kemp & Kotz (2005). Univariate Discrete Distributions, 3.6 (normal
    approximations to the binomial).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _binomial(np.asarray(n, dtype=np.float64), np.asarray(p, dtype=np.float64),
                         np.asarray(u, dtype=np.float64))


def _binomial(n: F64, p: F64, u: F64) -> F64:
    p = np.maximum(p, 0.0)
    np.minimum(p, 1.0, out=p)
    var = n * p
    var *= 1.0 - p
    out = np.zeros_like(n)
    big = var >= VAR_EXACT
    i = np.flatnonzero(big)
    if i.size:
        # floor(n p + sd (z + g (z^2 - 1) / 6) + 1/2), g = (1 - 2 p) / sd
        pi = p[i]
        ni = n[i]
        sd = np.sqrt(var[i])
        z = special.ndtri(u[i])
        g = 1.0 - 2.0 * pi
        g /= sd
        x = z * z
        x -= 1.0
        x *= g
        x /= 6.0
        x += z
        x *= sd
        x += ni * pi
        x += 0.5
        np.floor(x, out=x)
        np.maximum(x, 0.0, out=x)
        np.minimum(x, ni, out=x)
        out[i] = x
    small = ~big
    small &= p > 0.0
    small &= n > 0
    i = np.flatnonzero(small)
    if i.size:
        # sequential search from 0 on the side of the smaller probability; every
        # search still running at step k has the same k, so k is a scalar and each
        # search's result is the number of steps it stayed active
        pi = p[i]
        flip = pi > 0.5
        q = pick(flip, 1.0 - pi, pi)
        ui = u[i]
        uu = pick(flip, 1.0 - ui, ui)
        nn = n[i]
        pmf = np.log1p(-q)
        pmf *= nn
        np.exp(pmf, out=pmf)
        cdf = pmf.copy()
        odds = 1.0 - q
        np.divide(q, odds, out=odds)
        k = np.zeros(i.size)
        res = np.zeros(i.size)
        pos = np.arange(i.size)
        act = cdf < uu
        step = 0.0
        fac = np.empty(i.size)
        while True:
            n_act = int(np.count_nonzero(act))
            if n_act == 0:
                break
            if 2 * n_act < act.size:  # drop the finished searches
                res[pos] = k
                keep = np.flatnonzero(act)
                pos = pos[keep]
                nn, odds, uu, pmf, cdf, k = (a[keep] for a in (nn, odds, uu, pmf, cdf, k))
                act = np.ones(n_act, dtype=bool)
                fac = fac[:n_act]
            step += 1.0
            np.subtract(nn, step, out=fac)  # pmf *= (n - k + 1) / k * odds
            fac += 1.0
            fac /= step
            fac *= odds
            pmf *= fac
            cdf += pmf
            k += act
            act &= cdf < uu
            act &= step < nn
        res[pos] = k
        out[i] = pick(flip, n[i] - res, res)
    return out


def draw_side(n: F64, e: tuple[F64, F64, F64], u_total: F64, u_split: F64
               ) -> tuple[F64, F64, F64]:
    """Binomial total around the expectation, split by systematic rounding.

    ``total ~ Binomial(n, (e_k + e_w + e_c) / n)``; killed = floor(total s_k + u),
    killed + wounded = floor(total (s_k + s_w) + u) with the shares s of the
    expectation: each category is unbiased and the three sum to the total.
    """
    e_k, e_w, e_c = e
    e_kw = e_k + e_w
    e_all = e_kw + e_c
    pos = e_all > 0.0
    den = e_all + ~pos  # e_all where positive, else 1
    sk = e_k / den
    sk *= pos
    skw = np.divide(e_kw, den, out=e_kw)
    skw *= pos
    live = n > 0
    q = n + ~live
    np.divide(e_all, q, out=q)
    q *= live
    total = binomial_from_uniform(n, q, u_total)
    killed = total * sk
    killed += u_split
    np.floor(killed, out=killed)
    kw = np.multiply(total, skw, out=skw)
    kw += u_split
    np.floor(kw, out=kw)
    np.minimum(kw, total, out=kw)
    wounded = kw - killed
    captured = np.subtract(total, kw, out=kw)
    return killed, wounded, captured
