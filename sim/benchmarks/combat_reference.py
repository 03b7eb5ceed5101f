"""Scalar per-engagement reference of the combat law (oracle and benchmark baseline).

Plain Python with :mod:`math`, one engagement at a time, written independently of
the vectorised kernel's array tricks but implementing the same equations
(:mod:`sim.kernels.combat`). In stochastic mode it pre-draws the same
``rng.random((m, 5))`` uniforms as the kernel and turns them into counts one
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


def _log1px(x: float) -> float:
    if abs(x) < _S:
        return 1.0 - 0.5 * x
    if x <= -1.0:
        return math.inf
    return math.log1p(x) / x


def _expm1x(x: float) -> float:
    if abs(x) < _S:
        return 1.0 + 0.5 * x
    try:
        return math.expm1(x) / x
    except OverflowError:
        return math.inf


def _tanc(w: float) -> float:
    r = math.sqrt(abs(w))
    if r < _S:
        return 1.0 - w / 3.0
    return (math.tanh(r) if w > 0 else math.tan(r)) / r


def _shc(w: float) -> float:
    r = math.sqrt(max(w, 0.0))
    if r < _S:
        return 1.0 + w / 6.0
    return math.sinh(r) / r


def _chc(w: float) -> float:
    r = math.sqrt(abs(w))
    return math.cosh(r) if w >= 0 else math.cos(r)


def _atanc(w: float) -> float:
    r = math.sqrt(abs(w))
    if r < _S:
        return 1.0 + w / 3.0
    if w > 0:
        return math.atanh(r) / r if w < 1.0 else math.inf
    return math.atan(r) / r


def _div(a: float, b: float) -> float:
    if b == 0.0:
        return math.inf if a > 0 else (-math.inf if a < 0 else math.nan)
    return a / b


def _square_cross(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    if lx >= x0:
        return 0.0
    drop2 = ky / kx * (x0 * x0 - lx * lx)
    yl2 = y0 * y0 - drop2
    if yl2 < 0:
        return math.inf
    yl = math.sqrt(yl2)
    dy = drop2 / max(y0 + yl, TINY)
    sx, sy = math.sqrt(ky), math.sqrt(kx)
    den = sx * lx + sy * yl
    if not den > 0:
        return math.inf
    z = (sx * (x0 - lx) + sy * dy) / den
    return z * _log1px(z) / math.sqrt(kx * ky)


def _square_eval(x0: float, y0: float, kx: float, ky: float, t: float) -> float:
    w = kx * ky * t * t
    return x0 * _chc(w) - kx * y0 * t * _shc(w)


def _linear_cross(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    if lx >= x0:
        return 0.0
    yl = y0 - ky / kx * (x0 - lx)
    if not yl > 0:
        return math.inf
    k = ky * x0 - kx * y0
    base = (x0 - lx) / (kx * x0 * yl)
    return base * _log1px(k * base)


def _linear_eval(x0: float, y0: float, kx: float, ky: float, t: float) -> float:
    k = ky * x0 - kx * y0
    try:
        den = math.exp(-k * t) + ky * x0 * t * _expm1x(-k * t)
    except OverflowError:
        return 0.0
    return x0 / den if math.isfinite(den) else 0.0


def _riccati_time(y0: float, a: float, c: float, ly: float) -> float:
    if ly >= y0:
        return 0.0
    den = ly * y0 - a
    if not den > 0:
        return math.inf
    g = (y0 - ly) / den
    return g * _atanc(a * g * g) / c


def _mixed_cross_exposed(x0: float, y0: float, kx: float, ky: float, ly: float) -> float:
    b = 2.0 * ky / kx
    return _riccati_time(y0, y0 * y0 - b * x0, 0.5 * kx, ly)


def _mixed_cross_hidden(x0: float, y0: float, kx: float, ky: float, lx: float) -> float:
    if lx >= x0:
        return 0.0
    b = 2.0 * ky / kx
    drop2 = b * (x0 - lx)
    yl2 = y0 * y0 - drop2
    if yl2 < 0:
        return math.inf
    yl = math.sqrt(yl2)
    dy = drop2 / max(y0 + yl, TINY)
    a = y0 * y0 - b * x0
    den = yl * dy + b * lx
    if not den > 0:
        return math.inf
    g = dy / den
    return g * _atanc(a * g * g) / (0.5 * kx)


def _mixed_eval(x0: float, y0: float, kx: float, ky: float, t: float) -> tuple[float, float]:
    b = 2.0 * ky / kx
    a = y0 * y0 - b * x0
    ct = 0.5 * kx * t
    w = a * ct * ct
    g = ct * _tanc(w)
    y = (y0 + a * g) / (1.0 + y0 * g)
    u = _chc(w) * (1.0 + y0 * g)
    return x0 / (u * u), y


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
    elif hb and hs:
        tb = _linear_cross(b0, s0, kb, ks, lb)
        ts = _linear_cross(s0, b0, ks, kb, ls)
    elif hb:
        tb = _mixed_cross_hidden(b0, s0, kb, ks, lb)
        ts = _mixed_cross_exposed(b0, s0, kb, ks, ls)
    else:
        tb = _mixed_cross_exposed(s0, b0, ks, kb, lb)
        ts = _mixed_cross_hidden(s0, b0, ks, kb, ls)
    t = max(min(tb, ts, big_t), 0.0)
    if not hb and not hs:
        bt = _square_eval(b0, s0, kb, ks, t)
        st = _square_eval(s0, b0, ks, kb, t)
    elif hb and hs:
        bt = _linear_eval(b0, s0, kb, ks, t)
        st = _linear_eval(s0, b0, ks, kb, t)
    elif hb:
        bt, st = _mixed_eval(b0, s0, kb, ks, t)
    else:
        st, bt = _mixed_eval(s0, b0, ks, kb, t)
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
    if mode == "stochastic":
        if rng is None:
            msg = "stochastic mode needs rng"
            raise ValueError(msg)
        u = rng.random((m, 5)).tolist()
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
        size = max((b0 + s0) / 400.0, 1e-9) ** p.duration_size_exponent
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
        if air and ended == 0:
            air_men, air_mg = p.air_reinforcement_men, p.air_reinforcement_mg
            s1 = s_end + air_men
            fp2 = 1.0 + (p.mg_rifle_equivalent * (mgs + air_mg) + p.gun_rifle_equivalent * guns
                         ) / max(s0 + air_men, 1.0)
            k2 = kb / firepower * fp2 * p.aircraft_firepower
            b_end, s_end, h2, ended = lanchester_scalar(
                b_end, s1, kb=k2, ks=ks, hb=hb, hs=hs, big_t=dur - phase1, lb=lb,
                ls=min(ls, s1))
            hours += h2
            firepower = fp2 * p.aircraft_firepower
        s_tot = s0 + air_men
        mg_tot = mgs + air_mg
        fire_state = s_end * firepower * p.aimed_lethality_state
        fire_band = b_end * p.aimed_lethality_insurgent / fort
        band_rout = ended == 1 and fire_state >= p.rout_ratio * fire_band
        state_rout = ended == 2 and fire_band >= p.rout_ratio * fire_state
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
