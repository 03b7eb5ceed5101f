"""Compiled engine of :func:`sim.kernels.combat.resolve_engagements` for large batches.

The numpy engine (:mod:`sim.kernels.combat.outcome`, :mod:`sim.kernels.lanchester`) evaluates
the law in about 250 array passes, each cheap, but together they cost 200-300 ns per
engagement. This engine compiles (numba) a few passes over blocks of engagements
that evaluate, per engagement, the same quantities: the coefficients, the closed
forms of the mixed Lanchester law with break-off in both aircraft phases, the
outcome, the expected losses and the inverse-CDF binomial draws. The coefficients,
outcome, expectations and draws mirror the numpy engine operation by operation
(same association, same branch rules, the NaN propagation of ``np.minimum`` and
``np.maximum`` included). The law uses the same closed forms arranged to need fewer
transcendental calls: a crossing is compared with the time limit through
``exp(om t) - 1`` (square law) or ``tan|tanh(s c t)`` (mixed law) before its
logarithm or inverse function is taken, and at a crossing the value of that function
is known, so a fight that runs to its time limit (most of them) needs one ``expm1``
or ``tan``. The engines therefore agree to rounding: about 1e-11 relative in
deterministic mode and the same counts in stochastic mode from the same uniforms
(``tests/test_combat_engines.py``).

Speed also comes from no temporaries, blocks that stay in cache, the law evaluated
in order of its case (so its branches are predictable), and the short sequential
binomial searches of a block run eight at a time in lockstep (:func:`_search_lanes`).
Batches of at least :data:`THREAD_MIN` engagements are split over the machine's cores
with threads (the compiled function releases the GIL); each engagement's result
depends only on its own inputs and uniforms, so the split changes nothing.

The functions are compiled on first use and cached on disk (``cache=True``): only
the first call after an install or an edit pays the compile time (about 30 s).
:func:`sim.kernels.combat.resolve_engagements` therefore uses this engine only for
batches of at least ``COMPILED_MIN`` engagements (a model's day has tens), so
ordinary runs never compile it.

The inverse normal CDF of the binomial sampler's Cornish-Fisher branch is our port of
the Cephes ``ndtri`` algorithm (Moshier 1989, the algorithm behind
``scipy.special.ndtri``; the coefficients are the published ones); the tests check it
against scipy.

References
----------
Moshier, S. L. (1989). Methods and Programs for Mathematical Functions (Cephes), ndtri.
Deitchman (1962); Schaffer (1968); Lanchester (1916): see :mod:`sim.kernels.combat`.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.terms import day_factors
from sim.kernels.lanchester import ARG_MIN, HALF_PI, R_MAX, SERIES, TINY
from sim.params.combat import CombatParams

__all__ = ["BLOCK", "THREAD_MIN", "compiled_resolve", "ndtri", "param_vector", "threads_for"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

#: Engagements per block: the block's scratch arrays stay in the core's cache.
BLOCK = 4096
#: Batches at least this large are split over the cores with threads.
THREAD_MIN = 32768
#: Engagements of fewer men than this in all take the duration factor from a table.
SIZE_TABLE = 8192

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiler(inline: Literal["never", "always"]) -> Callable[[_F], _F]:
    """numba.njit, typed so that compiled functions keep their signatures for mypy."""
    return cast(Callable[[_F], _F], numba.njit(cache=True, error_model="numpy", nogil=True,
                                                 inline=inline))


_jit = _compiler("never")
_inline = _compiler("always")

_INF = math.inf

# ----------------------------------------------------------------------------------------
# parameter vector (indices are compile-time constants)
# ----------------------------------------------------------------------------------------
_NIGHT, _BONUS, _BLIND = 0, 1, 2
_MG_EQ, _GUN_EQ, _FORT = 3, 4, 5
_CONC_T, _SCONC_T = 6, 7
_AREA_S, _AIMED_S, _AREA_I, _AIMED_I = 8, 9, 10, 11
_DUR_AMB, _DUR_RAID, _DUR_MEET, _DUR_EXP, _DUR_MIN, _DUR_MAX = 12, 13, 14, 15, 16, 17
_BB_MOR, _BB_BASE, _OVERWHELM, _GAR_BREAK, _COL_BREAK = 18, 19, 20, 21, 22
_AIRCRAFT, _AIR_DELAY, _AIR_MEN, _AIR_MG, _AIR_FP = 23, 24, 25, 26, 27
_ROUT_RATIO, _ROUT_I, _ROUT_S = 28, 29, 30
_IK, _IC, _SK, _SC, _RC = 31, 32, 33, 34, 35
_MG_WD, _MG_ROUT, _FIELD = 36, 37, 38
_N_PARAMS = 39


def param_vector(params: CombatParams, *, heliographs: bool, aircraft: bool) -> F64:
    """The scalars the kernel needs (derived ones from :func:`~sim.kernels.combat.day_factors`).

    Parameters
    ----------
    params : CombatParams
    heliographs, aircraft : bool, keyword-only
        Switches of the day.

    Returns
    -------
    ndarray of float64, shape (39,)
    """
    p = params
    v = np.zeros(_N_PARAMS)
    v[_BONUS], v[_BLIND], v[_NIGHT], v[_IC], v[_SC] = day_factors(p, heliographs=heliographs)
    v[_MG_EQ] = p.mg_rifle_equivalent
    v[_GUN_EQ] = p.gun_rifle_equivalent
    v[_FORT] = p.fortification
    v[_CONC_T] = p.conceal_threshold
    v[_SCONC_T] = p.state_conceal_threshold
    v[_AREA_S] = p.area_lethality_state
    v[_AIMED_S] = p.aimed_lethality_state
    v[_AREA_I] = p.area_lethality_insurgent
    v[_AIMED_I] = p.aimed_lethality_insurgent
    v[_DUR_AMB] = p.ambush_duration_h
    v[_DUR_RAID] = p.raid_duration_h
    v[_DUR_MEET] = p.meeting_duration_h
    v[_DUR_EXP] = p.duration_size_exponent
    v[_DUR_MIN] = p.min_duration_h
    v[_DUR_MAX] = p.max_duration_h
    v[_BB_MOR] = p.band_break_morale
    v[_BB_BASE] = p.band_break_base
    v[_OVERWHELM] = p.overwhelm_ratio
    v[_GAR_BREAK] = p.garrison_break_loss
    v[_COL_BREAK] = p.column_break_loss
    v[_AIRCRAFT] = 1.0 if aircraft else 0.0
    v[_AIR_DELAY] = p.air_delay_h
    v[_AIR_MEN] = p.air_reinforcement_men
    v[_AIR_MG] = p.air_reinforcement_mg
    v[_AIR_FP] = p.aircraft_firepower
    v[_ROUT_RATIO] = p.rout_ratio
    v[_ROUT_I] = p.rout_loss_insurgent
    v[_ROUT_S] = p.rout_loss_state
    v[_IK] = p.insurgent_killed_share
    v[_SK] = p.state_killed_share
    v[_RC] = p.rout_captured_share
    v[_MG_WD] = p.mg_capture_withdraw
    v[_MG_ROUT] = p.mg_capture_rout
    v[_FIELD] = p.field_recovery
    return v


@_inline
def _mn(a: float, b: float) -> float:
    """``np.minimum`` of two scalars (NaN propagates)."""
    if a != a:  # noqa: PLR0124 - NaN test
        return a
    if b != b:  # noqa: PLR0124
        return b
    return a if a <= b else b


@_inline
def _mx(a: float, b: float) -> float:
    """``np.maximum`` of two scalars (NaN propagates)."""
    if a != a:  # noqa: PLR0124
        return a
    if b != b:  # noqa: PLR0124
        return b
    return a if a >= b else b


@_inline
def _floor(x: float) -> float:
    """Floor as a float (``math.floor`` returns an int64 under numba)."""
    return float(np.floor(x))


@_inline
def _rint(x: float) -> float:
    """Round half to even, as ``np.rint``."""
    r = _floor(x)
    d = x - r
    if d > 0.5 or (d == 0.5 and r % 2.0 != 0.0):
        r += 1.0
    return r


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


@_inline
def _polevl(x: float, c: F64) -> float:
    ans = c[0]
    for j in range(1, c.shape[0]):
        ans = ans * x + c[j]
    return float(ans)


@_inline
def _p1evl(x: float, c: F64) -> float:
    ans = x + c[0]
    for j in range(1, c.shape[0]):
        ans = ans * x + c[j]
    return float(ans)


@_jit
def _ndtri(y0: float) -> float:
    """Inverse of the standard normal CDF (the Cephes algorithm)."""
    if y0 == 0.0:
        return -_INF
    if y0 == 1.0:
        return _INF
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


@_jit
def _ndtri_array(u: F64) -> F64:
    out = np.empty_like(u)
    for i in range(u.shape[0]):
        out[i] = _ndtri(u[i])
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


# ----------------------------------------------------------------------------------------
# the closed forms (mirroring sim.kernels.lanchester)
# ----------------------------------------------------------------------------------------
@_inline
def _square_z(x0: float, y0: float, kx: float, ky: float, lx: float, rx: float, ry: float
              ) -> tuple[float, float, float, bool]:
    """X's crossing of ``lx`` under the square law as ``z = exp(om t) - 1``.

    Returns ``(z, num, den, ok)`` with ``z = num / den``; ``ok`` False if X never
    falls to ``lx``. The time is ``log1p(z) / om`` (:func:`_square_t`).
    """
    drop2 = ky / kx
    drop2 *= x0 * x0 - lx * lx
    yl2 = y0 * y0 - drop2
    yl = math.sqrt(_mx(yl2, 0.0))
    den = ry * lx + rx * yl
    dy = drop2 / _mx(y0 + yl, TINY)
    num = (x0 - lx) * ry + rx * dy
    return num / den, num, den, den > 0.0 and yl2 >= 0.0


@_inline
def _square_t(z: float, num: float, den: float, om: float) -> float:
    """Hours of a square-law crossing from :func:`_square_z` (denormal levels included)."""
    if math.isinf(z):  # the level is denormal: u0 / ul overflows
        return (math.log(num) - math.log(den)) / om
    return math.log1p(z) / om


@_inline
def _linear_time(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    yl = y0 - ky / kx * (x0 - lx)
    k = ky * x0 - kx * y0
    base = (x0 - lx) / (kx * x0 * yl)
    kb = k * base
    small = abs(kb) < SERIES
    t = math.log1p(_mx(kb, -1.0))
    t /= 1.0 if small else kb
    if small:
        t = 1.0 - 0.5 * kb
    t *= base
    valid = yl > 0.0 and lx < x0
    if valid and not (kb >= -0.5 and kb <= 1e300):
        t = ((math.log(y0) + math.log(lx) - math.log(yl) - math.log(x0)) / k if k != 0.0
             else base)
    if not yl > 0.0:
        t = _INF
    if lx >= x0:
        t = 0.0
    return t


@_inline
def _linear_value(x0: float, y0: float, kx: float, ky: float, t: float) -> float:
    k = ky * x0 - kx * y0
    kt = -k * t
    small = abs(kt) < SERIES
    ex = math.expm1(kt) / (1.0 if small else kt)
    if small:
        ex = 1.0 + 0.5 * kt
    den = math.exp(kt) + ky * x0 * t * ex
    if not math.isfinite(den):
        return 0.0
    return x0 / den


@_inline
def _riccati(g: float, s: float, c: float, sc: float, circular: bool, has_om: bool,
             one_minus: float) -> float:
    th = s * g
    if circular:
        return math.atan(th) / sc
    never = (not one_minus > 0.0) if has_om else (not th < 1.0)
    th = _mx(th, ARG_MIN)
    t = math.atanh(th) / th * g / c
    if has_om and th >= 0.5 and not never:
        t = 0.5 * (math.log1p(th) - math.log(one_minus)) / sc
    if never:
        t = _INF
    return t


@_inline
def _law_code(b0: float, s0: float, k_band: float, k_state: float, hb: bool, hs: bool
              ) -> int:
    """Case of the law: 0 square, 1 band hidden, 2 state hidden, 3 linear, +4 circular."""
    kb = _mx(k_band, TINY)
    ks = _mx(k_state, TINY)
    code = (2 if hs else 0) + (1 if hb else 0)
    if code == 1 and s0 * s0 < ks * 2.0 / kb * b0:
        code = 5
    elif code == 2 and b0 * b0 < kb * 2.0 / ks * s0:
        code = 6
    return code


@_inline
def _law(b0: float, s0: float, k_band: float, k_state: float, code: int, big_t: float,
         band_floor: float, state_floor: float) -> tuple[float, float, float, int]:
    """One engagement of :func:`sim.kernels.lanchester.lanchester_mixed` (``code`` from
    :func:`_law_code`)."""
    kb = _mx(k_band, TINY)
    ks = _mx(k_state, TINY)
    lb = _mn(_mx(band_floor, 0.0), b0)
    ls = _mn(_mx(state_floor, 0.0), s0)
    swap = code in (2, 6)
    if swap:
        x0, y0, kx, ky, lx, ly = s0, b0, ks, kb, ls, lb
    else:
        x0, y0, kx, ky, lx, ly = b0, s0, kb, ks, lb, ls
    tt = big_t
    if code == 0:
        # square law: exp(om t) - 1 is compared before any logarithm is taken, so a
        # fight that runs to its time limit needs one expm1 (no log1p, sinh, exp)
        rx = math.sqrt(kx)
        ry = math.sqrt(ky)
        om = rx * ry
        z_t = math.expm1(om * tt)
        zx, nx, dx, okx = _square_z(x0, y0, kx, ky, lx, rx, ry)
        zy, ny, dy, oky = _square_z(y0, x0, ky, kx, ly, ry, rx)
        tx = _INF
        if lx >= x0:
            tx = 0.0
            zx = 0.0
        elif okx and zx <= z_t:
            tx = _square_t(zx, nx, dx, om)
        ty = _INF
        if ly >= y0:
            ty = 0.0
            zy = 0.0
        elif oky and zy <= z_t:
            ty = _square_t(zy, ny, dy, om)
        t = _mx(_mn(_mn(tx, ty), tt), 0.0)
        if tx <= _mn(ty, tt):
            z = zx
        elif ty <= _mn(tx, tt):
            z = zy
        else:
            z = z_t
        if om * t <= R_MAX and z < _INF:
            # exp(-r) = 1 / (1 + z), sinh r = (z + z / (1 + z)) / 2 with r = om t
            e = 1.0 / (1.0 + z)
            sh = 0.5 * (z + z * e)
        else:
            r = _mn(om * t, R_MAX)
            sh = math.sinh(r)
            e = math.exp(-r)
        xt = x0 * e + (x0 - rx / ry * y0) * sh
        yt = y0 * e + (y0 - ry / rx * x0) * sh
    elif code == 3:
        tx = _linear_time(x0, y0, kx, ky, lx)
        ty = _linear_time(y0, x0, ky, kx, ly)
        t = _mx(_mn(_mn(tx, ty), tt), 0.0)
        xt = _linear_value(x0, y0, kx, ky, t)
        yt = _linear_value(y0, x0, ky, kx, t)
    else:
        # mixed law: tan|tanh(s c t) is compared before arctan|artanh is taken, and at
        # a crossing tan|tanh(s c t) = s g is known, so a fight that runs to its time
        # limit needs one tan or expm1 and a crossing one arctan or artanh
        circular = code > 3
        b = 2.0 * ky / kx
        a = y0 * y0 - b * x0
        c = 0.5 * kx
        s = math.sqrt(abs(a))
        sc = s * c
        den_y = ly * y0 - a
        g_y = (y0 - ly) / den_y
        drop2 = (x0 - lx) * b
        yl2 = y0 * y0 - drop2
        yl = math.sqrt(_mx(yl2, 0.0))
        dy = drop2 / _mx(y0 + yl, TINY)
        den_x = yl * dy + b * lx
        g_x = dy / den_x
        one_minus = 0.0
        if not circular:
            one_minus = b * lx * (y0 + s) / (yl + s) / den_x
        # f(r) = tan|tanh(r) and 1 / cos|cosh(r)^2 at the time limit, r = s c T
        ct = c * tt
        r = _mx(s * ct, ARG_MIN)
        if circular:
            beyond = r >= HALF_PI  # past any crossing: c t = arctan(s g) / s < pi / (2 s)
            r = _mn(r, HALF_PI)
            f_t = math.tan(r)
            th_t = _INF if beyond else f_t
            sec2_t = f_t * f_t + 1.0
        else:
            em = math.expm1(r * -2.0)
            f2 = 2.0 + em
            sec2_t = (1.0 + em) * 4.0 / (f2 * f2)
            f_t = -em / f2
            th_t = f_t
        g_t = f_t / r * ct
        th_x = s * g_x
        th_y = s * g_y
        tx = _INF
        if lx >= x0:
            tx = 0.0
        elif den_x > 0.0 and yl2 >= 0.0 and th_x <= th_t:
            tx = _riccati(g_x, s, c, sc, circular, not circular, one_minus)
        ty = _INF
        if ly >= y0:
            ty = 0.0
        elif den_y > 0.0 and th_y <= th_t:
            ty = _riccati(g_y, s, c, sc, circular, False, 0.0)
        t = _mx(_mn(_mn(tx, ty), tt), 0.0)
        # Y = (y0 + a G) / q, X = x0 sec2 / q^2, q = 1 + y0 G, G = f(s c t) / s
        if tx <= _mn(ty, tt):
            f = 0.0 if tx == 0.0 else g_x
            sec2 = 1.0 + th_x * th_x if circular else one_minus * (1.0 + th_x)
        elif ty <= _mn(tx, tt):
            f = 0.0 if ty == 0.0 else g_y
            sec2 = 1.0 + th_y * th_y if circular else (1.0 - th_y) * (1.0 + th_y)
        else:
            f = g_t
            sec2 = sec2_t
        if f == 0.0:
            sec2 = 1.0
        q = y0 * f + 1.0
        yt = (a * f + y0) / q
        xt = x0 * sec2 / (q * q)
    x_broke = tx <= _mn(ty, tt)
    y_broke = ty <= _mn(tx, tt)
    xt = lx if x_broke else _mn(_mx(xt, lx), x0)
    yt = ly if y_broke else _mn(_mx(yt, ly), y0)
    if swap:
        ended = (1 if y_broke else 0) + (2 if x_broke else 0)
        return yt, xt, t, ended
    ended = (1 if x_broke else 0) + (2 if y_broke else 0)
    return xt, yt, t, ended


# ----------------------------------------------------------------------------------------
# binomial draws (mirroring sim.kernels.combat.sampling.binomial_from_uniform)
# ----------------------------------------------------------------------------------------
@_inline
def _binomial_start(n: float, p: float, u: float, var_exact: float
                    ) -> tuple[float, bool, float, float, bool]:
    """First part of a Binomial(n, p) draw from the uniform u by inversion.

    Exact inversion by sequential search when ``n p (1-p) < var_exact`` (searching on
    the side of the smaller probability), else the Cornish-Fisher normal approximation,
    as :func:`sim.kernels.combat.binomial_from_uniform`. Returns ``(value, search, q,
    uu, flip)``: ``value`` is the draw unless ``search``, in which case the draw is
    ``n - k`` (``flip``, p > 1/2) or ``k``, with k from the sequential search for
    ``(n, q, uu)`` (:func:`_search_lanes`).
    """
    p = _mn(_mx(p, 0.0), 1.0)
    var = n * p * (1.0 - p)
    if var >= var_exact:
        sd = math.sqrt(var)
        z = _ndtri(u)
        g = (1.0 - 2.0 * p) / sd
        x = (((z * z - 1.0) * g / 6.0 + z) * sd + n * p) + 0.5
        return _mn(_mx(_floor(x), 0.0), n), False, 0.0, 0.0, False
    if not (p > 0.0 and n > 0.0):
        return 0.0, False, 0.0, 0.0, False
    flip = p > 0.5
    return 0.0, True, 1.0 - p if flip else p, 1.0 - u if flip else u, flip


_LANES = 8


@_jit
def _search_lanes(n: F64, q: F64, u: F64, count: int, k_out: F64) -> None:
    """Inverse-CDF sequential search for ``count`` draws, ``_LANES`` at a time.

    Draw d is the number of steps its search takes: starting from ``pmf = cdf =
    (1 - q)^n``, each step multiplies pmf by ``(n - k + 1) / k * q / (1 - q)`` and adds it
    to cdf, while ``cdf < u`` and ``k < n``. The lanes of a group step together (a
    finished lane is frozen), which lets the CPU overlap them; every lane does exactly
    the arithmetic of the one-at-a-time search, so the results are the same.
    """
    pmf = np.empty(_LANES)
    cdf = np.empty(_LANES)
    odds = np.empty(_LANES)
    nn = np.empty(_LANES)
    uu = np.empty(_LANES)
    k = np.empty(_LANES)
    act = np.empty(_LANES, dtype=np.bool_)
    for g0 in range(0, count, _LANES):
        m = min(_LANES, count - g0)
        any_act = False
        for lane in range(_LANES):
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
            for lane in range(_LANES):
                a = act[lane]
                pmf[lane] *= (nn[lane] - step + 1.0) / step * odds[lane]
                cdf[lane] += pmf[lane]
                k[lane] += 1.0 if a else 0.0
                a = a & (cdf[lane] < uu[lane]) & (step < nn[lane])
                act[lane] = a
                any_act |= a
        for lane in range(m):
            k_out[g0 + lane] = k[lane]


# ----------------------------------------------------------------------------------------
# the kernel: one range of engagements, block by block
# ----------------------------------------------------------------------------------------
_N_CODES = 7


@_jit
def _resolve_range(ins: F64, st: F64, mgs: F64, guns: F64, conc: F64, sconc: F64,
                   morale: F64, gshare: F64, ambush: Bool, raid_a: Bool, pr: F64, u: F64,
                   stochastic: bool, var_exact: float, out: F64, outcome: I64,
                   hidden: Bool, size_pow: F64, lo: int, hi: int) -> None:
    aircraft = pr[_AIRCRAFT] != 0.0
    n_sizes = size_pow.shape[0]
    kb_a = np.empty(BLOCK)
    ks_a = np.empty(BLOCK)
    dur_a = np.empty(BLOCK)
    ph1_a = np.empty(BLOCK)
    bfl_a = np.empty(BLOCK)
    sfl_a = np.empty(BLOCK)
    fp_a = np.empty(BLOCK)
    fort_a = np.empty(BLOCK)
    bend_a = np.empty(BLOCK)
    send_a = np.empty(BLOCK)
    hours_a = np.empty(BLOCK)
    ended_a = np.empty(BLOCK, dtype=np.int64)
    code_a = np.empty(BLOCK, dtype=np.int64)
    air_a = np.empty(BLOCK, dtype=np.bool_)
    hs_a = np.empty(BLOCK, dtype=np.bool_)
    order = np.empty(BLOCK, dtype=np.int64)
    exp_a = np.empty((6, BLOCK))
    mgp_a = np.empty(BLOCK)
    total_a = np.empty((2, BLOCK))
    s_idx = np.empty(2 * BLOCK, dtype=np.int64)
    s_n = np.empty(2 * BLOCK)
    s_q = np.empty(2 * BLOCK)
    s_u = np.empty(2 * BLOCK)
    s_k = np.empty(2 * BLOCK)
    s_flip = np.empty(2 * BLOCK, dtype=np.bool_)
    counts = np.empty(_N_CODES + 1, dtype=np.int64)
    for start in range(lo, hi, BLOCK):
        nb = min(BLOCK, hi - start)
        # --- pass 1: coefficients, durations, floors, the law's case ----------------------
        for j in range(nb):
            i = start + j
            b0 = ins[i]
            s0 = st[i]
            raid = raid_a[i]
            amb = ambush[i] and not raid
            plain = not amb and not raid
            gs = gshare[i]
            fire = pr[_MG_EQ] * mgs[i] + pr[_GUN_EQ] * guns[i]
            firepower = fire / _mx(s0, 1.0) + 1.0
            fort = (pr[_FORT] - 1.0) * gs + 1.0
            hb = (conc[i] >= pr[_CONC_T] and not raid) or amb
            hs = sconc[i] >= pr[_SCONC_T] and not amb
            k_band = (1.0 - conc[i]) * pr[_AREA_S] if hb else pr[_AIMED_S]
            k_band *= firepower * (pr[_NIGHT] if raid else 1.0) * (pr[_BLIND] if amb else 1.0)
            k_state = (1.0 - sconc[i]) * pr[_AREA_I] if hs else pr[_AIMED_I]
            if raid:
                mult = pr[_NIGHT]
            elif amb:
                mult = pr[_BONUS]
            else:
                mult = 1.0 if plain else 0.0
            k_state *= mult / fort
            if amb:
                base = pr[_DUR_AMB]
            elif raid:
                base = pr[_DUR_RAID]
            else:
                base = pr[_DUR_MEET]
            tot = b0 + s0
            if tot >= 0.0 and tot < n_sizes and tot == np.floor(tot):
                size = size_pow[int(tot)]  # whole numbers of men: numpy's own power
            else:
                size = _mx(tot / 400.0, 1e-9) ** pr[_DUR_EXP]
            duration = _mn(_mx(base * size, pr[_DUR_MIN]), pr[_DUR_MAX])
            band_share = _mn(_mx(pr[_BB_MOR] * morale[i] + pr[_BB_BASE], 0.0), 1.0)
            hold = raid and b0 < pr[_OVERWHELM] * s0
            state_share = (gs * (1.0 if hold else 0.0)) * (pr[_GAR_BREAK] - pr[_COL_BREAK]) \
                + pr[_COL_BREAK]
            air = aircraft and raid and duration > pr[_AIR_DELAY]
            kb_a[j] = k_band
            ks_a[j] = k_state
            dur_a[j] = duration
            ph1_a[j] = pr[_AIR_DELAY] if air else duration
            bfl_a[j] = (1.0 - band_share) * b0
            sfl_a[j] = (1.0 - state_share) * s0
            fp_a[j] = firepower
            fort_a[j] = fort
            air_a[j] = air
            hs_a[j] = hs
            hidden[i] = hb
            code_a[j] = _law_code(b0, s0, k_band, k_state, hb, hs)
        # --- pass 2: the law, phase 1, engagements taken in order of their case ----------
        _sort_by_code(code_a, nb, counts, order)
        for o in range(nb):
            j = order[o]
            i = start + j
            b_end, s_end, hours, ended = _law(ins[i], st[i], kb_a[j], ks_a[j], code_a[j],
                                              ph1_a[j], bfl_a[j], sfl_a[j])
            bend_a[j] = b_end
            send_a[j] = s_end
            hours_a[j] = hours
            ended_a[j] = ended
        # --- the aircraft land (unless the post has fallen): a second phase with men and
        # machine guns flown in and the state's fire multiplied, or, if the band has
        # already broken off, the pursuit ------------------------------------------------
        n2 = 0
        for j in range(nb):
            if air_a[j] and ended_a[j] <= 1:
                i = start + j
                air_men = pr[_AIR_MEN]
                fp2 = 1.0 + (pr[_MG_EQ] * (mgs[i] + pr[_AIR_MG]) + pr[_GUN_EQ] * guns[i]) \
                    / _mx(st[i] + air_men, 1.0)
                k2 = kb_a[j] / fp_a[j] * fp2 * pr[_AIR_FP]
                fp_a[j] = fp2 * pr[_AIR_FP]
                s1 = send_a[j] + air_men
                send_a[j] = s1
                if ended_a[j] == 0:
                    kb_a[j] = k2
                    sfl_a[j] = _mn(sfl_a[j], s1)
                    code_a[j] = _law_code(bend_a[j], s1, k2, ks_a[j], hidden[i], hs_a[j])
                    order[n2] = j
                    n2 += 1
            else:
                air_a[j] = False
        for o in range(n2):
            j = order[o]
            b_end, s_end, h2, ended = _law(bend_a[j], send_a[j], kb_a[j], ks_a[j], code_a[j],
                                           dur_a[j] - ph1_a[j], bfl_a[j], sfl_a[j])
            bend_a[j] = b_end
            send_a[j] = s_end
            hours_a[j] += h2
            ended_a[j] = ended
        # --- pass 3: outcome and expected losses; draws that need no search ------------
        n_search = 0
        for j in range(nb):
            i = start + j
            b0 = ins[i]
            b_end = bend_a[j]
            s_end = send_a[j]
            ended = ended_a[j]
            air_men = pr[_AIR_MEN] if air_a[j] else 0.0
            s_tot = st[i] + air_men
            fire_state = s_end * fp_a[j] * pr[_AIMED_S]
            fire_band = b_end * pr[_AIMED_I] / fort_a[j]
            band_broke = ended == 1
            state_broke = ended == 2
            band_rout = band_broke and fire_state >= pr[_ROUT_RATIO] * fire_band
            state_rout = state_broke and fire_band >= pr[_ROUT_RATIO] * fire_state
            outcome[i] = (1 if band_broke else 0) + (2 if state_broke else 0) \
                + (2 if band_rout else 0) + (2 if state_rout else 0)
            rc = pr[_RC]
            fb = b0 - b_end
            rb = pr[_ROUT_I] * b_end * (1.0 if band_rout else 0.0)
            fs = s_tot - s_end
            rs = pr[_ROUT_S] * s_end * (1.0 if state_rout else 0.0)
            exp_a[0, j] = fb * pr[_IK] + rb * (1.0 - rc)
            exp_a[1, j] = fb * (1.0 - pr[_IK] - pr[_IC])
            exp_a[2, j] = fb * pr[_IC] + rb * rc
            exp_a[3, j] = fs * pr[_SK] + rs * (1.0 - rc)
            exp_a[4, j] = fs * (1.0 - pr[_SK] - pr[_SC])
            exp_a[5, j] = fs * pr[_SC] + rs * rc
            manned = 1.0 if s_tot > 0.0 else 0.0
            lost_share = _mn((fs + rs) / (s_tot + (1.0 - manned)) * manned * pr[_MG_WD], 1.0)
            mg_p = lost_share * (1.0 if state_broke and not state_rout else 0.0)
            mg_p += pr[_MG_ROUT] * (1.0 if state_rout else 0.0)
            mgp_a[j] = mg_p
            if not stochastic:
                continue
            # each side: Binomial(men, expected casualties / men) (u rows 0 and 1)
            for side in range(2):
                n = _rint(b0) if side == 0 else _rint(s_tot)
                e_all = exp_a[3 * side, j] + exp_a[3 * side + 1, j] + exp_a[3 * side + 2, j]
                live = 1.0 if n > 0.0 else 0.0
                q = e_all / (n + (1.0 - live)) * live
                value, search, qq, uq, flip = _binomial_start(n, q, u[side, i], var_exact)
                total_a[side, j] = value
                if search:
                    s_idx[n_search] = side * BLOCK + j
                    s_n[n_search] = n
                    s_q[n_search] = qq
                    s_u[n_search] = uq
                    s_flip[n_search] = flip
                    n_search += 1
        if stochastic:
            _search_lanes(s_n, s_q, s_u, n_search, s_k)
            for d in range(n_search):
                side = s_idx[d] // BLOCK
                total_a[side, s_idx[d] - side * BLOCK] = s_n[d] - s_k[d] if s_flip[d] \
                    else s_k[d]
        # --- pass 4: killed / wounded / captured, captured arms ---------------------------
        for j in range(nb):
            i = start + j
            air_men = pr[_AIR_MEN] if air_a[j] else 0.0
            air_mg = pr[_AIR_MG] if air_a[j] else 0.0
            mg_tot = mgs[i] + air_mg
            band_broke = ended_a[j] == 1
            state_broke = ended_a[j] == 2
            if stochastic:
                # split the total by systematic rounding (u rows 2 and 3): unbiased shares
                for side in range(2):
                    e_k = exp_a[3 * side, j]
                    e_kw = e_k + exp_a[3 * side + 1, j]
                    e_all = e_kw + exp_a[3 * side + 2, j]
                    pos = 1.0 if e_all > 0.0 else 0.0
                    den = e_all + (1.0 - pos)
                    total = total_a[side, j]
                    us = u[2 + side, i]
                    killed = _floor(total * (e_k / den * pos) + us)
                    kw = _mn(_floor(total * (e_kw / den * pos) + us), total)
                    out[3 * side, i] = killed
                    out[3 * side + 1, i] = kw - killed
                    out[3 * side + 2, i] = total - kw
                mg_cap = _floor(_rint(mg_tot) * mgp_a[j] + u[4, i])
            else:
                for r in range(6):
                    out[r, i] = exp_a[r, j]
                mg_cap = mgp_a[j] * mg_tot
            bk = out[0, i]
            bc = out[2, i]
            sk = out[3, i]
            sc = out[5, i]
            rifles_cap = pr[_FIELD] * sk * (1.0 if state_broke else 0.0) + sc
            rifles_rec = pr[_FIELD] * bk * (1.0 if band_broke else 0.0) + bc
            if stochastic:
                rifles_cap = _floor(rifles_cap + 0.5)
                rifles_rec = _floor(rifles_rec + 0.5)
            out[6, i] = hours_a[j]
            out[7, i] = mg_cap
            out[8, i] = rifles_cap
            out[9, i] = rifles_rec
            out[10, i] = air_men
            out[11, i] = air_mg


@_inline
def _sort_by_code(code: I64, nb: int, counts: I64, order: I64) -> None:
    """Counting sort of ``range(nb)`` by ``code[:nb]`` (stable) into ``order``."""
    counts[:] = 0
    for j in range(nb):
        counts[code[j] + 1] += 1
    for c in range(1, counts.shape[0]):
        counts[c] += counts[c - 1]
    for j in range(nb):
        c = code[j]
        order[counts[c]] = j
        counts[c] += 1


@functools.lru_cache(maxsize=16)
def _size_table(exponent: float) -> F64:
    """The duration's size factor for 0 .. SIZE_TABLE - 1 men in all, shape (SIZE_TABLE,).

    Computed with the numpy engine's expression (``np.power``), so durations are
    bit-identical to its own, and one libm ``pow`` per engagement is saved.
    """
    table = np.power(np.maximum(np.arange(SIZE_TABLE) / 400.0, 1e-9), exponent)
    table.flags.writeable = False
    return table


def threads_for(m: int) -> int:
    """Threads :func:`compiled_resolve` uses for m engagements (cores it may run on)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(cores, max(1, m // THREAD_MIN))


def compiled_resolve(arrays: tuple[NDArray[Any], ...], pr: F64, u: F64 | None,
                     var_exact: float) -> tuple[F64, I64, Bool]:
    """Resolve a batch with the compiled kernel, on several threads if it is large.

    Parameters
    ----------
    arrays : tuple of ndarray
        The ten :class:`~sim.kernels.combat.EngagementBatch` fields in field order,
        shape (m,) each (eight float64, then ambush and raid as bool).
    pr : ndarray of float64, shape (39,)
        From :func:`param_vector`.
    u : ndarray of float64, shape (5, m), or None
        Uniforms (stochastic mode); None for the deterministic mode.
    var_exact : float
        :data:`sim.kernels.combat.sampling.VAR_EXACT`.

    Returns
    -------
    out : ndarray of float64, shape (12, m)
        Rows: insurgents killed, wounded, captured; state killed, wounded, captured;
        duration_h, mg_captured, rifles_captured, rifles_recovered, air_men, air_mg.
    outcome : ndarray of int64, shape (m,)
    band_hidden : ndarray of bool, shape (m,)
    """
    f = [np.ascontiguousarray(a, dtype=np.float64) for a in arrays[:8]]
    amb = np.ascontiguousarray(arrays[8], dtype=np.bool_)
    raid = np.ascontiguousarray(arrays[9], dtype=np.bool_)
    m = f[0].shape[0]
    stochastic = u is not None
    uu = np.ascontiguousarray(u, dtype=np.float64) if u is not None else np.zeros((5, 0))
    out = np.empty((12, m))
    outcome = np.empty(m, dtype=np.int64)
    hidden = np.empty(m, dtype=np.bool_)
    ins, st, mgs, guns, conc, sconc, morale, gshare = f
    size_pow = _size_table(float(pr[_DUR_EXP]))
    var = float(var_exact)

    def run(lo: int, hi: int) -> None:
        _resolve_range(ins, st, mgs, guns, conc, sconc, morale, gshare, amb, raid, pr, uu,
                       stochastic, var, out, outcome, hidden, size_pow, lo, hi)

    n_threads = threads_for(m)
    if n_threads == 1:
        run(0, m)
        return out, outcome, hidden
    per = -(-m // n_threads)  # contiguous, equal ranges
    with ThreadPoolExecutor(n_threads) as pool:
        done = [pool.submit(run, lo, min(lo + per, m)) for lo in range(0, m, per)]
        for d in done:
            d.result()
    return out, outcome, hidden
