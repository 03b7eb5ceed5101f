"""The mixed Lanchester law in closed form, with break-off (the combat kernel's law).

With insurgents ``B`` and state troops ``S``, each side is either *hidden* (it is
hit by area fire, whose effect grows with its own density) or *exposed* (it is hit
by aimed fire)::

    dB/dt = -kB * S * (B if band hidden else 1)
    dS/dt = -kS * B * (S if state hidden else 1)

Both exposed gives Lanchester's square law, both hidden the linear law, and a hidden
band against an exposed column Deitchman's guerrilla ("mixed", parabolic) law. Each
case has a closed form, including the time at which a side falls to its break-off
level, so the deterministic mode is exact up to rounding (the tests check it against
``scipy.integrate.solve_ivp`` to 1e-6 relative; in practice it agrees to about
1e-10). No numerical integrator is used.

Robustness: for any non-negative finite strengths, coefficients, durations and
floors (zero strengths, zero coefficients, denormal floors, floors at or above the
strength included) every output is finite. Crossing times may be ``inf`` internally
("never within any finite duration").

Speed: the engagements are partitioned once by case (square, linear, and the mixed
law with the hidden side on either side and the parabolic constant of either sign,
which selects circular or hyperbolic functions), each case is gathered into
contiguous arrays, only its own closed form is evaluated with in-place ufuncs, and
the four results are scattered back.

References
----------
Lanchester, F. W. (1916). Aircraft in Warfare: the Dawn of the Fourth Arm. Constable.
Deitchman, S. J. (1962). A Lanchester model of guerrilla warfare. Operations Research
10(6), 818-827.
Engel, J. H. (1954). A verification of Lanchester's law. Journal of the Operations
Research Society of America 2(2), 163-171.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

__all__ = ["ARG_MIN", "HALF_PI", "R_MAX", "SERIES", "TINY", "LawResult", "lanchester_mixed"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

#: Lethality coefficients are floored here so that every closed form stays finite;
#: a floored coefficient changes no strength by even one ulp over any duration.
TINY = 1e-120
#: Cap on the hyperbolic argument when evaluating the square law; only an exactly
#: balanced fight (where the closed form decays like exp(-r)) can get there.
R_MAX = 700.0
#: Floor on the argument of x -> f(x)/x (tan, tanh, artanh); f(x)/x = 1 below it.
ARG_MIN = 1e-300
#: Below this argument the series expansions of the closed forms replace them.
SERIES = 1e-6
#: pi / 2, the cap on the argument of tan in the mixed law.
HALF_PI = float(np.pi / 2.0)



@dataclasses.dataclass(frozen=True)
class LawResult:
    """End state of a batch of Lanchester engagements, each array shape (m,).

    Attributes
    ----------
    band, state : float64
        Strengths when the engagement ends.
    duration : float64
        Hours fought.
    ended : int64
        0 time limit, 1 band reached its floor first, 2 state first, 3 both at once.
    """

    band: F64
    state: F64
    duration: F64
    ended: I64


def _put(a: F64, mask: Bool, value: float | F64) -> None:
    """``a[mask] = value`` (value scalar or shaped like a), fast when mask is sparse."""
    i = np.flatnonzero(mask)
    if i.size:
        a[i] = value if isinstance(value, float) else value[i]


# ----------------------------------------------------------------------------------------
# the closed forms; X and Y are the two sides of one case, all arrays contiguous
# ----------------------------------------------------------------------------------------
def _square_time(x0: F64, y0: F64, kx: F64, ky: F64, lx: F64, rx: F64, ry: F64,
                 om: F64) -> F64:
    """Hours until X falls to ``lx`` under dX=-kx*Y, dY=-ky*X (``inf`` if never).

    ``rx, ry = sqrt(kx), sqrt(ky)``, ``om = rx * ry``. ``u = ry X + rx Y`` decays like
    ``exp(-om t)``, so ``t = log(u0 / ul) / om`` with ``ul`` at the crossing, where Y
    is given by the invariant ``ky X^2 - kx Y^2``.
    """
    drop2 = ky / kx
    drop2 *= x0 * x0 - lx * lx  # y0^2 - yl^2
    yl2 = y0 * y0
    yl2 -= drop2
    yl = np.maximum(yl2, 0.0)
    np.sqrt(yl, out=yl)
    den = ry * lx
    den += rx * yl
    dy = y0 + yl
    np.maximum(dy, TINY, out=dy)
    np.divide(drop2, dy, out=dy)  # y0 - yl
    num = x0 - lx
    num *= ry
    num += rx * dy
    z = num / den
    t = np.log1p(z)
    t /= om
    huge = np.flatnonzero(np.isinf(z) & (den > 0.0))  # denormal level: u0/ul overflows
    if huge.size:
        t[huge] = (np.log(num[huge]) - np.log(den[huge])) / om[huge]
    _put(t, ~((den > 0.0) & (yl2 >= 0.0)), np.inf)
    _put(t, lx >= x0, 0.0)
    return t


def _square(x0: F64, y0: F64, kx: F64, ky: F64, big_t: F64, lx: F64, ly: F64
            ) -> tuple[F64, F64, F64, F64, F64]:
    """Square law: (X(t), Y(t), t, tx, ty) at t = min(tx, ty, big_t)."""
    rx = np.sqrt(kx)
    ry = np.sqrt(ky)
    om = rx * ry
    tx = _square_time(x0, y0, kx, ky, lx, rx, ry, om)
    ty = _square_time(y0, x0, ky, kx, ly, ry, rx, om)
    t = np.minimum(tx, ty)
    np.minimum(t, big_t, out=t)
    np.maximum(t, 0.0, out=t)
    # X(t) = x0 cosh r - (rx/ry) y0 sinh r = x0 exp(-r) + (x0 - (rx/ry) y0) sinh r
    r = om * t
    np.minimum(r, R_MAX, out=r)
    sh = np.sinh(r)
    np.negative(r, out=r)
    e = np.exp(r, out=r)
    dx = rx / ry
    dx *= y0
    np.subtract(x0, dx, out=dx)
    dx *= sh
    xt = x0 * e
    xt += dx
    dy = ry / rx
    dy *= x0
    np.subtract(y0, dy, out=dy)
    dy *= sh
    yt = y0 * e
    yt += dy
    return xt, yt, t, tx, ty


def _linear_time(x0: F64, y0: F64, kx: F64, ky: F64, lx: F64) -> F64:
    """Hours until X falls to ``lx`` under dX=-kx*X*Y, dY=-ky*X*Y (``inf`` if never).

    ``t = log(y0 lx / (yl x0)) / K`` with ``K = ky x0 - kx y0``, written as
    ``base * log1p(K base) / (K base)`` for accuracy near K = 0.
    """
    yl = y0 - ky / kx * (x0 - lx)
    k = ky * x0 - kx * y0
    base = (x0 - lx) / (kx * x0 * yl)
    kb = k * base
    small = np.abs(kb) < SERIES
    t = np.log1p(np.maximum(kb, -1.0))
    t /= np.where(small, 1.0, kb)
    t = np.where(small, 1.0 - 0.5 * kb, t)
    t *= base
    valid = (yl > 0.0) & (lx < x0)
    # log1p loses everything when 1 + K base underflows (denormal level) or K base
    # overflows: use the difference of logarithms there (K != 0), the limit base if K = 0
    bad = np.flatnonzero(valid & ~((kb >= -0.5) & (kb <= 1e300)))
    if bad.size:
        kk = k[bad]
        logs = (np.log(y0[bad]) + np.log(lx[bad]) - np.log(yl[bad]) - np.log(x0[bad])) / kk
        t[bad] = np.where(kk != 0.0, logs, base[bad])
    _put(t, ~(yl > 0.0), np.inf)
    _put(t, lx >= x0, 0.0)
    return t


def _linear_value(x0: F64, y0: F64, kx: F64, ky: F64, t: F64) -> F64:
    """X(t) under the linear law (logistic closed form)."""
    k = ky * x0 - kx * y0
    kt = -k * t
    small = np.abs(kt) < SERIES
    ex = np.expm1(kt) / np.where(small, 1.0, kt)
    ex = np.where(small, 1.0 + 0.5 * kt, ex)
    den = np.exp(kt) + ky * x0 * t * ex
    out = x0 / den
    return np.where(np.isfinite(den), out, 0.0)


def _linear(x0: F64, y0: F64, kx: F64, ky: F64, big_t: F64, lx: F64, ly: F64
            ) -> tuple[F64, F64, F64, F64, F64]:
    """Linear law: (X(t), Y(t), t, tx, ty) at t = min(tx, ty, big_t)."""
    tx = _linear_time(x0, y0, kx, ky, lx)
    ty = _linear_time(y0, x0, ky, kx, ly)
    t = np.maximum(np.minimum(np.minimum(tx, ty), big_t), 0.0)
    return _linear_value(x0, y0, kx, ky, t), _linear_value(y0, x0, ky, kx, t), t, tx, ty


def _mixed(x0: F64, y0: F64, kx: F64, ky: F64, big_t: F64, lx: F64, ly: F64, *,
           circular: bool) -> tuple[F64, F64, F64, F64, F64]:
    """Mixed law, X hidden (dX=-kx*X*Y), Y exposed (dY=-ky*X).

    With ``b = 2 ky / kx`` the parabola ``Y^2 - b X = a`` is invariant and Y obeys
    the Riccati equation ``dY/dt = -c (Y^2 - a)``, ``c = kx / 2``. All engagements of
    a call have ``a < 0`` (``circular``: tan/arctan) or ``a >= 0`` (tanh/artanh).
    Returns (X(t), Y(t), t, tx, ty) at t = min(tx, ty, big_t).
    """
    b = 2.0 * ky
    b /= kx
    a = y0 * y0
    a -= b * x0
    c = 0.5 * kx
    s = np.abs(a)
    np.sqrt(s, out=s)
    sc = s * c
    # Y falls to ly after  c t = (1/s) arctan|artanh(s g),  g = (y0 - ly) / (ly y0 - a)
    den_y = ly * y0
    den_y -= a
    g_y = y0 - ly
    g_y /= den_y
    # X falls to lx when Y falls to yl = sqrt(a + b lx); g = (y0 - yl) / (yl y0 - a)
    drop2 = x0 - lx
    drop2 *= b
    yl2 = y0 * y0
    yl2 -= drop2
    yl = np.maximum(yl2, 0.0)
    np.sqrt(yl, out=yl)
    dy = y0 + yl
    np.maximum(dy, TINY, out=dy)
    np.divide(drop2, dy, out=dy)
    den_x = yl * dy
    den_x += b * lx
    g_x = np.divide(dy, den_x, out=dy)
    one_minus = None
    if not circular:
        # 1 - s g_x without cancellation: b lx (y0 + s) / ((yl + s)(yl y0 - a)); it is 0
        # for lx = 0 (the hidden side only tends to 0) and tiny for a denormal floor
        one_minus = b * lx
        one_minus *= y0 + s
        one_minus /= yl + s
        one_minus /= den_x
    tx = _riccati(g_x, s, c, sc, circular=circular, one_minus=one_minus)
    ty = _riccati(g_y, s, c, sc, circular=circular)
    _put(tx, ~((den_x > 0.0) & (yl2 >= 0.0)), np.inf)
    _put(tx, lx >= x0, 0.0)
    _put(ty, ~(den_y > 0.0), np.inf)
    _put(ty, ly >= y0, 0.0)
    t = np.minimum(tx, ty)
    np.minimum(t, big_t, out=t)
    np.maximum(t, 0.0, out=t)
    # evaluation: r = s c t, G = c t f(r)/r (f = tan or tanh), q = 1 + y0 G,
    # Y = (y0 + a G) / q, X = x0 / (q cos|cosh r)^2
    ct = c * t
    r = s * ct
    np.maximum(r, ARG_MIN, out=r)
    if circular:
        np.minimum(r, HALF_PI, out=r)
        f = np.tan(r)
        sec2 = f * f
        sec2 += 1.0
    else:
        em = np.expm1(r * -2.0)
        f = 2.0 + em
        sec2 = 1.0 + em
        sec2 *= 4.0
        np.divide(em, f, out=em)
        f *= f
        np.divide(sec2, f, out=sec2)  # 1/cosh^2 = 4 e^(-2r) / (1 + e^(-2r))^2
        f = np.negative(em, out=em)  # tanh r
    f /= r
    f *= ct  # G
    q = y0 * f
    q += 1.0
    yt = a * f
    yt += y0
    yt /= q
    q *= q
    xt = x0 * sec2
    xt /= q
    return xt, yt, t, tx, ty


def _riccati(g: F64, s: F64, c: F64, sc: F64, *, circular: bool,
             one_minus: F64 | None = None) -> F64:
    """``c t = g * f(s g) / (s g)`` with f = arctan (circular) or artanh (``inf`` past 1).

    ``one_minus``, if given, is ``1 - s g`` computed without cancellation; it is used
    for ``s g >= 1/2`` as ``t = (log1p(s g) - log(1 - s g)) / (2 s c)``.
    """
    th = s * g
    if circular:
        # s > 0 here; arctan(inf) = pi/2 keeps the time finite when g overflows
        t = np.arctan(th)
        t /= sc
        return t
    never = ~(th < 1.0) if one_minus is None else ~(one_minus > 0.0)  # NaN: never
    np.maximum(th, ARG_MIN, out=th)
    t = np.arctanh(th)
    t /= th
    t *= g
    t /= c
    if one_minus is not None:
        near = np.flatnonzero((th >= 0.5) & ~never)
        if near.size:
            t[near] = 0.5 * (np.log1p(th[near]) - np.log(one_minus[near])) / sc[near]
    _put(t, never, np.inf)
    return t


def lanchester_mixed(
    band: F64,
    state: F64,
    *,
    k_band: F64,
    k_state: F64,
    band_hidden: Bool,
    state_hidden: Bool,
    duration: F64,
    band_floor: F64,
    state_floor: F64,
) -> LawResult:
    """Integrate the mixed Lanchester law exactly, stopping at break-off.

    ``dB/dt = -k_band * S * B**h_B`` and ``dS/dt = -k_state * B * S**h_S`` with
    ``h = 1`` for a hidden side (area fire) and 0 for an exposed one (aimed fire).
    The engagement ends at ``duration`` or when a side falls to its floor, whichever
    comes first; the times of reaching the floors are computed in closed form.

    Parameters
    ----------
    band, state : ndarray of float64, shape (m,)
        Initial strengths (>= 0).
    k_band, k_state : ndarray of float64, shape (m,)
        Attrition coefficients against the band and against the state (per hour;
        per man-hour for a hidden target). Values below ``TINY`` are floored.
    band_hidden, state_hidden : ndarray of bool, shape (m,)
    duration : ndarray of float64, shape (m,)
        Longest duration (hours, >= 0).
    band_floor, state_floor : ndarray of float64, shape (m,)
        Break-off levels (a side withdraws on reaching it; 0 fights to the end;
        clipped to [0, strength]).

    Returns
    -------
    LawResult
        All arrays finite for finite non-negative inputs.

    References
    ----------
    Lanchester (1916) square and linear laws; Deitchman (1962) mixed law, whose
    parabolic invariant ``S**2 - (2 kS / kB) B`` gives the Riccati closed form used here.
    """
    b0 = np.ascontiguousarray(band, dtype=np.float64)
    s0 = np.ascontiguousarray(state, dtype=np.float64)
    kb = np.maximum(np.asarray(k_band, dtype=np.float64), TINY)
    ks = np.maximum(np.asarray(k_state, dtype=np.float64), TINY)
    hb = np.asarray(band_hidden, dtype=bool)
    hs = np.asarray(state_hidden, dtype=bool)
    big_t = np.ascontiguousarray(duration, dtype=np.float64)
    lb = np.maximum(np.asarray(band_floor, dtype=np.float64), 0.0)
    np.minimum(lb, b0, out=lb)
    ls = np.maximum(np.asarray(state_floor, dtype=np.float64), 0.0)
    np.minimum(ls, s0, out=ls)
    m = b0.shape[0]
    bt = np.empty(m)
    st = np.empty(m)
    t_end = np.empty(m)
    ended = np.empty(m, dtype=np.int64)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # case code: 0 square, 1 band hidden, 2 state hidden, 3 linear; +4 for a mixed
        # fight whose parabolic constant is negative (circular functions)
        code = hs.astype(np.uint8)
        code <<= 1
        code |= hb
        bx = ks * 2.0  # a = y0^2 - (2 ky / kx) x0 < 0, X = band
        bx /= kb
        bx *= b0
        neg = np.less(s0 * s0, bx)
        neg &= code == 1
        bx = np.multiply(kb, 2.0, out=bx)  # X = state
        bx /= ks
        bx *= s0
        neg2 = np.less(b0 * b0, bx)
        neg2 &= code == 2
        neg |= neg2
        code += neg.view(np.uint8) << 2
        for case in (0, 1, 2, 3, 5, 6):
            i = np.flatnonzero(code == case)
            if i.size == 0:
                continue
            swap = case in (2, 6)  # X is the hidden state
            if swap:
                x0, y0, kx, ky, lx, ly = s0[i], b0[i], ks[i], kb[i], ls[i], lb[i]
            else:
                x0, y0, kx, ky, lx, ly = b0[i], s0[i], kb[i], ks[i], lb[i], ls[i]
            tt = big_t[i]
            if case == 0:
                xt, yt, t, tx, ty = _square(x0, y0, kx, ky, tt, lx, ly)
            elif case == 3:
                xt, yt, t, tx, ty = _linear(x0, y0, kx, ky, tt, lx, ly)
            else:
                xt, yt, t, tx, ty = _mixed(x0, y0, kx, ky, tt, lx, ly, circular=case > 3)
            x_broke = tx <= np.minimum(ty, tt)
            y_broke = ty <= np.minimum(tx, tt)
            np.maximum(xt, lx, out=xt)
            np.minimum(xt, x0, out=xt)
            _put(xt, x_broke, lx)
            np.maximum(yt, ly, out=yt)
            np.minimum(yt, y0, out=yt)
            _put(yt, y_broke, ly)
            e = (y_broke if swap else x_broke).astype(np.int64)
            e += (x_broke if swap else y_broke).astype(np.int64) * 2
            if swap:
                xt, yt = yt, xt
            bt[i] = xt
            st[i] = yt
            t_end[i] = t
            ended[i] = e
    return LawResult(band=bt, state=st, duration=t_end, ended=ended)
