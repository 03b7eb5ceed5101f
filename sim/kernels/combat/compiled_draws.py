"""Compiled random draws: the inverse normal CDF and binomial draws by inversion.

The inverse normal CDF of the binomial sampler's Cornish-Fisher branch is our port of
the Cephes ``ndtri`` algorithm (Moshier 1989, the algorithm behind
``scipy.special.ndtri``; the coefficients are the published ones); the tests check it
against scipy. The binomial draws mirror :func:`sim.kernels.combat.sampling.binomial_from_uniform`.

References
----------
Moshier, S. L. (1989). Methods and Programs for Mathematical Functions (Cephes), ndtri.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.compiled_base import INF, floor_float, inline, jit, smax, smin

__all__ = ["LANES", "binomial_start", "ndtri", "ndtri_scalar", "search_lanes"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]




# Cephes ndtri coefficients (Moshier 1989): central region and the two tail ranges
_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1,
                -5.66762857469070293439E1, 1.39312609387279679503E1,
                -1.23916583867381258016E0])
_Q0 = np.array([1.95448858338141759834E0, 4.67627912898881538453E0,
                8.63602421390890590575E1, -2.25462687854119370527E2,
                2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1,
                5.71628192246421288162E1, 4.40805073893200834700E1,
                1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2,
                -8.57456785154685413611E-4])
_Q1 = np.array([1.57799883256466749731E1, 4.53907635128879210584E1,
                4.13172038254672030440E1, 1.50425385692907503408E1,
                2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0,
                3.93881025292474443415E0, 1.33303460815807542389E0,
                2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6,
                6.23974539184983293730E-9])
_Q2 = np.array([6.02427039364742014255E0, 3.67983563856160859403E0,
                1.37702099489081330271E0, 2.16236993594496635890E-1,
                1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])
_S2PI = 2.50662827463100050242E0
_EXPM2 = 0.13533528323661269189  # exp(-2)


@inline
def _polevl(x: float, c: F64) -> float:
    ans = c[0]
    for j in range(1, c.shape[0]):
        ans = ans * x + c[j]
    return float(ans)


@inline
def _p1evl(x: float, c: F64) -> float:
    ans = x + c[0]
    for j in range(1, c.shape[0]):
        ans = ans * x + c[j]
    return float(ans)


@jit
def ndtri_scalar(y0: float) -> float:
    """Inverse of the standard normal CDF (the Cephes algorithm)."""
    if y0 == 0.0:
        return -INF
    if y0 == 1.0:
        return INF
    if y0 < 0.0 or y0 > 1.0 or y0 != y0:  # noqa: PLR0124
        return math.nan
    code = True
    y = y0
    if y > 1.0 - _EXPM2:
        y = 1.0 - y
        code = False
    if y > _EXPM2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    x1 = z * (_polevl(z, _P1) / _p1evl(z, _Q1) if x < 8.0
              else _polevl(z, _P2) / _p1evl(z, _Q2))
    x = x0 - x1
    if code:
        x = -x
    return x


@jit
def _ndtri_array(u: F64) -> F64:
    out = np.empty_like(u)
    for i in range(u.shape[0]):
        out[i] = ndtri_scalar(u[i])
    return out


def ndtri(u: F64) -> F64:
    """Inverse standard normal CDF of a float64 array with the compiled Cephes port.

    Parameters
    ----------
    u : ndarray of float64, shape (k,)

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    out: F64 = _ndtri_array(np.ascontiguousarray(u, dtype=np.float64))
    return out


@inline
def binomial_start(n: float, p: float, u: float, var_exact: float
                    ) -> tuple[float, bool, float, float, bool]:
    """First part of a Binomial(n, p) draw from the uniform u by inversion.

    Exact inversion by sequential search when ``n p (1-p) < var_exact`` (searching on
    the side of the smaller probability), else the Cornish-Fisher normal approximation,
    as :func:`sim.kernels.combat.binomial_from_uniform`. Returns ``(value, search, q,
    uu, flip)``: ``value`` is the draw unless ``search``, in which case the draw is
    ``n - k`` (``flip``, p > 1/2) or ``k``, with k from the sequential search for
    ``(n, q, uu)`` (:func:`search_lanes`).
    """
    p = smin(smax(p, 0.0), 1.0)
    var = n * p * (1.0 - p)
    if var >= var_exact:
        sd = math.sqrt(var)
        z = ndtri_scalar(u)
        g = (1.0 - 2.0 * p) / sd
        x = (((z * z - 1.0) * g / 6.0 + z) * sd + n * p) + 0.5
        return smin(smax(floor_float(x), 0.0), n), False, 0.0, 0.0, False
    if not (p > 0.0 and n > 0.0):
        return 0.0, False, 0.0, 0.0, False
    flip = p > 0.5
    return 0.0, True, 1.0 - p if flip else p, 1.0 - u if flip else u, flip


LANES = 8


@jit
def search_lanes(n: F64, q: F64, u: F64, count: int, k_out: F64) -> None:
    """Inverse-CDF sequential search for ``count`` draws, ``LANES`` at a time.

    Draw d is the number of steps its search takes: starting from ``pmf = cdf =
    (1 - q)^n``, each step multiplies pmf by ``(n - k + 1) / k * q / (1 - q)`` and adds it
    to cdf, while ``cdf < u`` and ``k < n``. The lanes of a group step together (a
    finished lane is frozen), which lets the CPU overlap them; every lane does exactly
    the arithmetic of the one-at-a-time search, so the results are the same.
    """
    pmf = np.empty(LANES)
    cdf = np.empty(LANES)
    odds = np.empty(LANES)
    nn = np.empty(LANES)
    uu = np.empty(LANES)
    k = np.empty(LANES)
    act = np.empty(LANES, dtype=np.bool_)
    for g0 in range(0, count, LANES):
        m = min(LANES, count - g0)
        any_act = False
        for lane in range(LANES):
            if lane < m:
                d = g0 + lane
                qd = q[d]
                nn[lane] = n[d]
                uu[lane] = u[d]
                pmf[lane] = math.exp(math.log1p(-qd) * n[d])
                odds[lane] = qd / (1.0 - qd)
            else:  # idle lane
                nn[lane] = 0.0
                uu[lane] = 0.0
                pmf[lane] = 1.0
                odds[lane] = 0.0
            cdf[lane] = pmf[lane]
            k[lane] = 0.0
            act[lane] = cdf[lane] < uu[lane]
            any_act |= act[lane]
        step = 0.0
        while any_act:
            step += 1.0
            any_act = False
            for lane in range(LANES):
                a = act[lane]
                pmf[lane] *= (nn[lane] - step + 1.0) / step * odds[lane]
                cdf[lane] += pmf[lane]
                k[lane] += 1.0 if a else 0.0
                a = a & (cdf[lane] < uu[lane]) & (step < nn[lane])
                act[lane] = a
                any_act |= a
        for lane in range(m):
            k_out[g0 + lane] = k[lane]
