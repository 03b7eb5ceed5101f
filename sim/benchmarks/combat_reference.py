"""Scalar per-engagement reference of the combat law (oracle and benchmark baseline).

Plain Python with :mod:`math`, one engagement at a time, written independently of
the vectorised kernel's array tricks but implementing the same equations
(:mod:`sim.kernels.combat`). In stochastic mode it pre-draws the same
``rng.random((5, m))`` uniforms as the kernel and turns them into counts one
engagement at a time, so both give the same counts from identically seeded generators.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from sim.kernels.combat import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    OUTCOME_TIME,
    TINY,
    VAR_EXACT,
    EngagementBatch,
    EngagementResult,
)
from sim.params.combat import CombatParams

__all__ = ["binomial_scalar", "lanchester_scalar", "resolve_reference"]

_S = 1e-6
_ARG_MIN = 1e-300
_R_MAX = 700.0


def _square_cross(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    """Hours until X falls to lx under dX=-kx*Y, dY=-ky*X (inf if never)."""
    if lx >= x0:
        return 0.0
    drop2 = ky / kx * (x0 * x0 - lx * lx)
    yl2 = y0 * y0 - drop2
    if yl2 < 0:
        return math.inf
    yl = math.sqrt(yl2)
    dy = drop2 / max(y0 + yl, TINY)
    rx, ry = math.sqrt(kx), math.sqrt(ky)
    den = ry * lx + rx * yl
    if not den > 0:
        return math.inf
    num = ry * (x0 - lx) + rx * dy
    try:
        z = num / den
    except OverflowError:
        z = math.inf
    if math.isinf(z):  # denormal level
        return (math.log(num) - math.log(den)) / (rx * ry)
    return math.log1p(z) / (rx * ry)


def _square_eval(x0: float, y0: float, kx: float, ky: float, t: float) -> tuple[float, float]:
    """(X(t), Y(t)) under the square law."""
    rx, ry = math.sqrt(kx), math.sqrt(ky)
    r = min(rx * ry * t, _R_MAX)
    sh, e = math.sinh(r), math.exp(-r)
    return x0 * e + (x0 - rx / ry * y0) * sh, y0 * e + (y0 - ry / rx * x0) * sh


def _linear_cross(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    """Hours until X falls to lx under dX=-kx*X*Y, dY=-ky*X*Y (inf if never)."""
    if lx >= x0:
        return 0.0
    yl = y0 - ky / kx * (x0 - lx)
    if not yl > 0:
        return math.inf
    k = ky * x0 - kx * y0
    try:
        base = (x0 - lx) / (kx * x0 * yl)
    except ZeroDivisionError:
        base = math.inf
    kb = k * base if k != 0.0 else 0.0
    if -0.5 <= kb <= 1e300:
        if abs(kb) < _S:
            return base * (1.0 - 0.5 * kb)
        return base * (math.log1p(kb) / kb)
    if k == 0.0:
        return base
    if lx == 0.0:
        return math.inf
    return (math.log(y0) + math.log(lx) - math.log(yl) - math.log(x0)) / k


def _linear_eval(x0: float, y0: float, kx: float, ky: float, t: float) -> float:
    """X(t) under the linear law (logistic closed form)."""
    k = ky * x0 - kx * y0
    kt = -k * t
    try:
        ex = 1.0 + 0.5 * kt if abs(kt) < _S else math.expm1(kt) / kt
        den = math.exp(kt) + ky * x0 * t * ex
    except OverflowError:
        return 0.0
    return x0 / den if math.isfinite(den) else 0.0


def _riccati(g: float, s: float, c: float, circular: bool, one_minus: float | None = None
             ) -> float:
    """c t = g f(s g) / (s g), f = arctan (circular) or artanh (inf past 1)."""
    th = s * g if not (s == 0.0 and math.isinf(g)) else math.nan
    if circular:
        return math.atan(th) / (s * c)
    if (one_minus is None and not th < 1.0) or (one_minus is not None and not one_minus > 0):
        return math.inf
    if one_minus is not None and th >= 0.5:
        return 0.5 * (math.log1p(th) - math.log(one_minus)) / (s * c)
    th = max(th, _ARG_MIN)
    return math.atanh(th) / th * g / c


def _mixed(x0: float, y0: float, kx: float, ky: float, big_t: float, lx: float, ly: float
           ) -> tuple[float, float, float, float, float]:
    """Mixed law, X hidden, Y exposed: (X(t), Y(t), t, tx, ty)."""
    b = 2.0 * ky / kx
    a = y0 * y0 - b * x0
    c = 0.5 * kx
    s = math.sqrt(abs(a))
    circular = a < 0
    # exposed Y falls to ly
    if ly >= y0:
        ty = 0.0
    elif not ly * y0 - a > 0:
        ty = math.inf
    else:
        ty = _riccati((y0 - ly) / (ly * y0 - a), s, c, circular)
    # hidden X falls to lx when Y falls to yl = sqrt(a + b lx)
    drop2 = b * (x0 - lx)
    yl2 = y0 * y0 - drop2
    yl = math.sqrt(max(yl2, 0.0))
    dy = drop2 / max(y0 + yl, TINY)
    den = yl * dy + b * lx
    if lx >= x0:
        tx = 0.0
    elif not (den > 0 and yl2 >= 0):
        tx = math.inf
    else:
        try:
            g = dy / den
        except ZeroDivisionError:
            g = math.inf
        one_minus = None if circular else b * lx * (y0 + s) / (yl + s) / den
        tx = _riccati(g, s, c, circular, one_minus)
    t = max(min(tx, ty, big_t), 0.0)
    ct = c * t
    r = max(s * ct, _ARG_MIN)
    if circular:
        r = min(r, math.pi / 2.0)
        f = math.tan(r)
        sec2 = 1.0 + f * f
    else:
        em = math.expm1(-2.0 * r)
        f = -em / (2.0 + em)  # tanh r
        sec2 = 4.0 * (1.0 + em) / ((2.0 + em) * (2.0 + em))  # 1 / cosh^2 r
    big_g = ct * (f / r)
    q = 1.0 + y0 * big_g
    return x0 * sec2 / (q * q), (y0 + a * big_g) / q, t, tx, ty


def binomial_scalar(n: float, p: float, u: float) -> float:
    """One draw of :func:`sim.kernels.combat.binomial_from_uniform`."""
    p = min(max(p, 0.0), 1.0)
    var = n * p * (1.0 - p)
    if var >= VAR_EXACT:
        sd = math.sqrt(var)
        z = float(special.ndtri(u))
        g = (1.0 - 2.0 * p) / sd
        x = math.floor(n * p + sd * (z + g * (z * z - 1.0) / 6.0) + 0.5)
        return min(max(float(x), 0.0), n)
    if not (p > 0.0 and n > 0):
        return 0.0
    flip = p > 0.5
    q = 1.0 - p if flip else p
    uu = 1.0 - u if flip else u
    k = 0.0
    pmf = math.exp(n * math.log1p(-q))
    cdf = pmf
    odds = q / (1.0 - q)
    while cdf < uu and k < n:
        k += 1.0
        pmf *= (n - k + 1.0) / k * odds
        cdf += pmf
    return n - k if flip else k


def _draw_side(n: float, es: tuple[float, float, float], ut: float, us: float
               ) -> tuple[float, float, float]:
    ek, ew, ec = es
    e = ek + ew + ec
    q = e / n if n > 0 else 0.0
    sk = ek / e if e > 0 else 0.0
    skw = (ek + ew) / e if e > 0 else 0.0
    total = binomial_scalar(n, q, ut)
    killed = float(math.floor(total * sk + us))
    kw = min(float(math.floor(total * skw + us)), total)
    return killed, kw - killed, total - kw


def lanchester_scalar(
    b0: float, s0: float, *, kb: float, ks: float, hb: bool, hs: bool,
    big_t: float, lb: float, ls: float,
) -> tuple[float, float, float, int]:
    """One engagement of :func:`sim.kernels.combat.lanchester_mixed`.

    Returns
    -------
    (band, state, duration, ended)
    """
    kb, ks = max(kb, TINY), max(ks, TINY)
    lb = min(max(lb, 0.0), b0)
    ls = min(max(ls, 0.0), s0)
    if not hb and not hs:
        tb = _square_cross(b0, s0, kb, ks, lb)
        ts = _square_cross(s0, b0, ks, kb, ls)
        t = max(min(tb, ts, big_t), 0.0)
        bt, st = _square_eval(b0, s0, kb, ks, t)
    elif hb and hs:
        tb = _linear_cross(b0, s0, kb, ks, lb)
        ts = _linear_cross(s0, b0, ks, kb, ls)
        t = max(min(tb, ts, big_t), 0.0)
        bt = _linear_eval(b0, s0, kb, ks, t)
        st = _linear_eval(s0, b0, ks, kb, t)
    elif hb:
        bt, st, t, tb, ts = _mixed(b0, s0, kb, ks, big_t, lb, ls)
    else:
        st, bt, t, ts, tb = _mixed(s0, b0, ks, kb, big_t, ls, lb)
    band_broke = tb <= min(ts, big_t)
    state_broke = ts <= min(tb, big_t)
    bt = lb if band_broke else min(max(bt, lb), b0)
    st = ls if state_broke else min(max(st, ls), s0)
    return bt, st, t, int(band_broke) + 2 * int(state_broke)


def resolve_reference(
    batch: EngagementBatch,
    *,
    params: CombatParams,
    heliographs: bool = False,
    aircraft: bool = False,
    mode: str = "stochastic",
    rng: np.random.Generator | None = None,
) -> EngagementResult:
    """Scalar loop equivalent of :func:`sim.kernels.combat.resolve_engagements`."""
    p = params
    m = len(batch)
    cols: dict[str, list[float]] = {k: [] for k in (
        "bk", "bw", "bc", "sk", "sw", "sc", "hours", "mg", "rcap", "rrec", "airm", "airg")}
    outcomes: list[int] = []
    hidden: list[bool] = []
    warn = p.heliograph_warning if heliographs else 0.0
    ik = p.insurgent_killed_share
    ic = min(p.insurgent_captured_share, 1.0 - ik)
    skp = p.state_killed_share
    scp = min(p.state_captured_share, 1.0 - skp)
    rc = p.rout_captured_share
    ins_l = batch.insurgents.tolist()
    st_l = batch.state.tolist()
    mg_l = batch.machine_guns.tolist()
    gun_l = batch.guns.tolist()
    conc_l = batch.concealment.tolist()
    sconc_l = batch.state_concealment.tolist()
    mor_l = batch.band_morale.tolist()
    gs_l = batch.garrison_share.tolist()
    amb_l = batch.ambush.tolist()
    raid_l = batch.raid.tolist()
    may_l = [True] * m if batch.state_may_rout is None else batch.state_may_rout.tolist()
    bmay_l = [True] * m if batch.band_may_rout is None else batch.band_may_rout.tolist()
    if mode == "stochastic":
        if rng is None:
            msg = "stochastic mode needs rng"
            raise ValueError(msg)
        u = rng.random((5, m)).T.tolist()
    for i in range(m):
        b0, s0, mgs, guns = ins_l[i], st_l[i], mg_l[i], gun_l[i]
        conc, sconc, gs, raid = conc_l[i], sconc_l[i], gs_l[i], raid_l[i]
        amb = amb_l[i] and not raid
        bonus = 1.0 + (p.ambush_bonus - 1.0) * (1.0 - warn) if amb else 1.0
        blind = 1.0 - (1.0 - p.surprise_factor) * (1.0 - warn) if amb else 1.0
        night = 1.0 - p.raid_night_share * (1.0 - p.night_factor) if raid else 1.0
        fire = p.mg_rifle_equivalent * mgs + p.gun_rifle_equivalent * guns
        firepower = 1.0 + fire / max(s0, 1.0)
        fort = 1.0 + (p.fortification - 1.0) * gs
        hb = (conc >= p.conceal_threshold and not raid) or amb
        hs = sconc >= p.state_conceal_threshold and not amb
        kb = (p.area_lethality_state * (1.0 - conc) if hb else p.aimed_lethality_state) * (
            firepower * night * blind)
        ks = (p.area_lethality_insurgent * (1.0 - sconc) if hs
              else p.aimed_lethality_insurgent) * (night * bonus / fort)
        if amb:
            base = p.ambush_duration_h
        elif raid:
            base = p.raid_duration_h
        else:
            base = p.meeting_duration_h
        size = max((b0 + s0) / p.duration_size_norm, 1e-9) ** p.duration_size_exponent
        dur = min(max(base * size, p.min_duration_h), p.max_duration_h)
        bshare = min(max(p.band_break_base + p.band_break_morale * mor_l[i], 0.0), 1.0)
        hold = 0.0 if (b0 >= p.overwhelm_ratio * s0 or not raid) else gs
        sshare = p.column_break_loss + (p.garrison_break_loss - p.column_break_loss) * hold
        lb, ls = b0 * (1.0 - bshare), s0 * (1.0 - sshare)
        air = aircraft and raid and dur > p.air_delay_h
        phase1 = p.air_delay_h if air else dur
        b_end, s_end, hours, ended = lanchester_scalar(
            b0, s0, kb=kb, ks=ks, hb=hb, hs=hs, big_t=phase1, lb=lb, ls=ls)
        air_men = air_mg = 0.0
        if air and ended in (0, 1):  # the planes land unless the post has fallen
            air_men, air_mg = p.air_reinforcement_men, p.air_reinforcement_mg
            s1 = s_end + air_men
            fp2 = 1.0 + (p.mg_rifle_equivalent * (mgs + air_mg) + p.gun_rifle_equivalent * guns
                         ) / max(s0 + air_men, 1.0)
            if ended == 0:  # second phase
                k2 = kb / firepower * fp2 * p.aircraft_firepower
                b_end, s_end, h2, ended = lanchester_scalar(
                    b_end, s1, kb=k2, ks=ks, hb=hb, hs=hs, big_t=dur - phase1, lb=lb,
                    ls=min(ls, s1))
                hours += h2
            else:  # the band has broken off: the aircraft join the pursuit
                s_end = s1
            firepower = fp2 * p.aircraft_firepower
        s_tot = s0 + air_men
        mg_tot = mgs + air_mg
        fire_state = s_end * firepower * p.aimed_lethality_state
        fire_band = b_end * p.aimed_lethality_insurgent / fort
        band_rout = ended == 1 and bmay_l[i] and fire_state >= p.rout_ratio * fire_band
        state_rout = ended == 2 and may_l[i] and fire_band >= p.rout_ratio * fire_state
        if band_rout:
            out = OUTCOME_INSURGENTS_ROUTED
        elif state_rout:
            out = OUTCOME_STATE_ROUTED
        elif ended == 1:
            out = OUTCOME_INSURGENTS_WITHDREW
        elif ended == 2:
            out = OUTCOME_STATE_WITHDREW
        else:
            out = OUTCOME_TIME
        fb, fs = b0 - b_end, s_tot - s_end
        rb = p.rout_loss_insurgent * b_end if band_rout else 0.0
        rs = p.rout_loss_state * s_end if state_rout else 0.0
        e = (fb * ik + rb * (1.0 - rc), fb * (1.0 - ik - ic), fb * ic + rb * rc,
             fs * skp + rs * (1.0 - rc), fs * (1.0 - skp - scp), fs * scp + rs * rc)
        lost_share = (fs + rs) / s_tot if s_tot > 0 else 0.0
        if state_rout:
            mg_p = p.mg_capture_rout
        elif ended == 2:
            mg_p = min(p.mg_capture_withdraw * lost_share, 1.0)
        else:
            mg_p = 0.0
        if mode == "deterministic":
            bk, bw, bc, sk, sw, sc = e
            mg_cap = mg_p * mg_tot
        else:
            ub0, us0, ub1, us1, umg = u[i]
            bk, bw, bc = _draw_side(float(round(b0)), (e[0], e[1], e[2]), ub0, ub1)
            sk, sw, sc = _draw_side(float(round(s_tot)), (e[3], e[4], e[5]), us0, us1)
            mg_cap = float(math.floor(mg_p * round(mg_tot) + umg))
        band_field = out in (OUTCOME_STATE_WITHDREW, OUTCOME_STATE_ROUTED)
        state_field = out in (OUTCOME_INSURGENTS_WITHDREW, OUTCOME_INSURGENTS_ROUTED)
        rcap = sc + (p.field_recovery * sk if band_field else 0.0)
        rrec = bc + (p.field_recovery * bk if state_field else 0.0)
        if mode != "deterministic":
            rcap, rrec = math.floor(rcap + 0.5), math.floor(rrec + 0.5)
        for key, val in zip(
            ("bk", "bw", "bc", "sk", "sw", "sc", "hours", "mg", "rcap", "rrec", "airm", "airg"),
            (bk, bw, bc, sk, sw, sc, hours, mg_cap, rcap, rrec, air_men, air_mg), strict=True,
        ):
            cols[key].append(float(val))
        outcomes.append(out)
        hidden.append(hb)
    a = {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}
    return EngagementResult(
        insurgents_killed=a["bk"], insurgents_wounded=a["bw"], insurgents_captured=a["bc"],
        state_killed=a["sk"], state_wounded=a["sw"], state_captured=a["sc"],
        duration_h=a["hours"], outcome=np.asarray(outcomes, dtype=np.int64),
        mg_captured=a["mg"], rifles_captured=a["rcap"], rifles_recovered=a["rrec"],
        air_men=a["airm"], air_mg=a["airg"], band_hidden=np.asarray(hidden, dtype=bool),
    )
