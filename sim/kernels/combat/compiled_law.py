"""Compiled closed forms of the mixed Lanchester law for one engagement.

They mirror :mod:`sim.kernels.lanchester` operation by operation, arranged to need fewer
transcendental calls (see :mod:`sim.kernels.combat.compiled`).
"""

from __future__ import annotations

import math

from sim.kernels.combat.compiled_base import INF, inline, smax, smin
from sim.kernels.lanchester import ARG_MIN, HALF_PI, R_MAX, SERIES, TINY

__all__ = ["law", "law_code"]


@inline
def _square_z(x0: float, y0: float, kx: float, ky: float, lx: float, rx: float, ry: float
              ) -> tuple[float, float, float, bool]:
    """X's crossing of ``lx`` under the square law as ``z = exp(om t) - 1``.

    Returns ``(z, num, den, ok)`` with ``z = num / den``; ``ok`` False if X never
    falls to ``lx``. The time is ``log1p(z) / om`` (:func:`_square_t`).
    """
    drop2 = ky / kx
    drop2 *= x0 * x0 - lx * lx
    yl2 = y0 * y0 - drop2
    yl = math.sqrt(smax(yl2, 0.0))
    den = ry * lx + rx * yl
    dy = drop2 / smax(y0 + yl, TINY)
    num = (x0 - lx) * ry + rx * dy
    return num / den, num, den, den > 0.0 and yl2 >= 0.0


@inline
def _square_t(z: float, num: float, den: float, om: float) -> float:
    """Hours of a square-law crossing from :func:`_square_z` (denormal levels included)."""
    if math.isinf(z):  # the level is denormal: u0 / ul overflows
        return (math.log(num) - math.log(den)) / om
    return math.log1p(z) / om


@inline
def _linear_time(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    yl = y0 - ky / kx * (x0 - lx)
    k = ky * x0 - kx * y0
    base = (x0 - lx) / (kx * x0 * yl)
    kb = k * base
    small = abs(kb) < SERIES
    t = math.log1p(smax(kb, -1.0))
    t /= 1.0 if small else kb
    if small:
        t = 1.0 - 0.5 * kb
    t *= base
    valid = yl > 0.0 and lx < x0
    if valid and not (kb >= -0.5 and kb <= 1e300):
        t = ((math.log(y0) + math.log(lx) - math.log(yl) - math.log(x0)) / k if k != 0.0
             else base)
    if not yl > 0.0:
        t = INF
    if lx >= x0:
        t = 0.0
    return t


@inline
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


@inline
def _riccati(g: float, s: float, c: float, sc: float, circular: bool, has_om: bool,
             one_minus: float) -> float:
    th = s * g
    if circular:
        return math.atan(th) / sc
    never = (not one_minus > 0.0) if has_om else (not th < 1.0)
    th = smax(th, ARG_MIN)
    t = math.atanh(th) / th * g / c
    if has_om and th >= 0.5 and not never:
        t = 0.5 * (math.log1p(th) - math.log(one_minus)) / sc
    if never:
        t = INF
    return t


@inline
def law_code(b0: float, s0: float, k_band: float, k_state: float, hb: bool, hs: bool
              ) -> int:
    """Case of the law: 0 square, 1 band hidden, 2 state hidden, 3 linear, +4 circular."""
    kb = smax(k_band, TINY)
    ks = smax(k_state, TINY)
    code = (2 if hs else 0) + (1 if hb else 0)
    if code == 1 and s0 * s0 < ks * 2.0 / kb * b0:
        code = 5
    elif code == 2 and b0 * b0 < kb * 2.0 / ks * s0:
        code = 6
    return code


@inline
def law(b0: float, s0: float, k_band: float, k_state: float, code: int, big_t: float,
         band_floor: float, state_floor: float) -> tuple[float, float, float, int]:
    """One engagement of :func:`sim.kernels.lanchester.lanchester_mixed` (``code`` from
    :func:`law_code`)."""
    kb = smax(k_band, TINY)
    ks = smax(k_state, TINY)
    lb = smin(smax(band_floor, 0.0), b0)
    ls = smin(smax(state_floor, 0.0), s0)
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
        tx = INF
        if lx >= x0:
            tx = 0.0
            zx = 0.0
        elif okx and zx <= z_t:
            tx = _square_t(zx, nx, dx, om)
        ty = INF
        if ly >= y0:
            ty = 0.0
            zy = 0.0
        elif oky and zy <= z_t:
            ty = _square_t(zy, ny, dy, om)
        t = smax(smin(smin(tx, ty), tt), 0.0)
        if tx <= smin(ty, tt):
            z = zx
        elif ty <= smin(tx, tt):
            z = zy
        else:
            z = z_t
        if om * t <= R_MAX and z < INF:
            # exp(-r) = 1 / (1 + z), sinh r = (z + z / (1 + z)) / 2 with r = om t
            e = 1.0 / (1.0 + z)
            sh = 0.5 * (z + z * e)
        else:
            r = smin(om * t, R_MAX)
            sh = math.sinh(r)
            e = math.exp(-r)
        xt = x0 * e + (x0 - rx / ry * y0) * sh
        yt = y0 * e + (y0 - ry / rx * x0) * sh
    elif code == 3:
        tx = _linear_time(x0, y0, kx, ky, lx)
        ty = _linear_time(y0, x0, ky, kx, ly)
        t = smax(smin(smin(tx, ty), tt), 0.0)
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
        yl = math.sqrt(smax(yl2, 0.0))
        dy = drop2 / smax(y0 + yl, TINY)
        den_x = yl * dy + b * lx
        g_x = dy / den_x
        one_minus = 0.0
        if not circular:
            one_minus = b * lx * (y0 + s) / (yl + s) / den_x
        # f(r) = tan|tanh(r) and 1 / cos|cosh(r)^2 at the time limit, r = s c T
        ct = c * tt
        r = smax(s * ct, ARG_MIN)
        if circular:
            beyond = r >= HALF_PI  # past any crossing: c t = arctan(s g) / s < pi / (2 s)
            r = smin(r, HALF_PI)
            f_t = math.tan(r)
            th_t = INF if beyond else f_t
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
        tx = INF
        if lx >= x0:
            tx = 0.0
        elif den_x > 0.0 and yl2 >= 0.0 and th_x <= th_t:
            tx = _riccati(g_x, s, c, sc, circular, not circular, one_minus)
        ty = INF
        if ly >= y0:
            ty = 0.0
        elif den_y > 0.0 and th_y <= th_t:
            ty = _riccati(g_y, s, c, sc, circular, False, 0.0)
        t = smax(smin(smin(tx, ty), tt), 0.0)
        # Y = (y0 + a G) / q, X = x0 sec2 / q^2, q = 1 + y0 G, G = f(s c t) / s
        if tx <= smin(ty, tt):
            f = 0.0 if tx == 0.0 else g_x
            sec2 = 1.0 + th_x * th_x if circular else one_minus * (1.0 + th_x)
        elif ty <= smin(tx, tt):
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
    x_broke = tx <= smin(ty, tt)
    y_broke = ty <= smin(tx, tt)
    xt = lx if x_broke else smin(smax(xt, lx), x0)
    yt = ly if y_broke else smin(smax(yt, ly), y0)
    if swap:
        ended = (1 if y_broke else 0) + (2 if x_broke else 0)
        return yt, xt, t, ended
    ended = (1 if x_broke else 0) + (2 if y_broke else 0)
    return xt, yt, t, ended
