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
binomial searches of a block run eight at a time in lockstep (:func:`search_lanes`).
Batches of at least :data:`THREAD_MIN` engagements are split over the machine's cores
with threads (the compiled function releases the GIL); each engagement's result
depends only on its own inputs and uniforms, so the split changes nothing.

The functions are compiled on first use and cached on disk (``cache=True``): only
the first call after an install or an edit pays the compile time (about 30 s).
:func:`sim.kernels.combat.resolve_engagements` therefore uses this engine only for
batches of at least ``COMPILED_MIN`` engagements (a model's day has tens), so
ordinary runs never compile it.

The engine's parts: :mod:`~sim.kernels.combat.compiled_base` (compiler decorators and
scalar helpers), :mod:`~sim.kernels.combat.compiled_law` (the closed forms),
:mod:`~sim.kernels.combat.compiled_draws` (the inverse normal CDF, a port of Cephes
``ndtri``, and the binomial draws) and this module (parameters, blocks, threads).

References
----------
Deitchman (1962); Schaffer (1968); Lanchester (1916): see :mod:`sim.kernels.combat`.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.compiled_base import floor_float, inline, jit, rint_float, smax, smin
from sim.kernels.combat.compiled_draws import binomial_start, ndtri, search_lanes
from sim.kernels.combat.compiled_law import law, law_code
from sim.kernels.combat.terms import day_factors
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
_DUR_NORM = 39
_N_PARAMS = 40


def param_vector(params: CombatParams, *, heliographs: bool, aircraft: bool) -> F64:
    """The scalars the kernel needs (derived ones from :func:`~sim.kernels.combat.day_factors`).

    Parameters
    ----------
    params : CombatParams
    heliographs, aircraft : bool, keyword-only
        Switches of the day.

    Returns
    -------
    ndarray of float64, shape (40,)
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
    v[_DUR_NORM] = p.duration_size_norm
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


_N_CODES = 7


@jit
def _resolve_range(ins: F64, st: F64, mgs: F64, guns: F64, conc: F64, sconc: F64,
                   morale: F64, gshare: F64, ambush: Bool, raid_a: Bool, may_rout: Bool,
                   band_may: Bool, pr: F64, u: F64,
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
            firepower = fire / smax(s0, 1.0) + 1.0
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
                size = smax(tot / pr[_DUR_NORM], 1e-9) ** pr[_DUR_EXP]
            duration = smin(smax(base * size, pr[_DUR_MIN]), pr[_DUR_MAX])
            band_share = smin(smax(pr[_BB_MOR] * morale[i] + pr[_BB_BASE], 0.0), 1.0)
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
            code_a[j] = law_code(b0, s0, k_band, k_state, hb, hs)
        # --- pass 2: the law, phase 1, engagements taken in order of their case ----------
        _sort_by_code(code_a, nb, counts, order)
        for o in range(nb):
            j = order[o]
            i = start + j
            b_end, s_end, hours, ended = law(ins[i], st[i], kb_a[j], ks_a[j], code_a[j],
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
                    / smax(st[i] + air_men, 1.0)
                k2 = kb_a[j] / fp_a[j] * fp2 * pr[_AIR_FP]
                fp_a[j] = fp2 * pr[_AIR_FP]
                s1 = send_a[j] + air_men
                send_a[j] = s1
                if ended_a[j] == 0:
                    kb_a[j] = k2
                    sfl_a[j] = smin(sfl_a[j], s1)
                    code_a[j] = law_code(bend_a[j], s1, k2, ks_a[j], hidden[i], hs_a[j])
                    order[n2] = j
                    n2 += 1
            else:
                air_a[j] = False
        for o in range(n2):
            j = order[o]
            b_end, s_end, h2, ended = law(bend_a[j], send_a[j], kb_a[j], ks_a[j], code_a[j],
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
            band_rout = (band_broke and band_may[i]
                         and fire_state >= pr[_ROUT_RATIO] * fire_band)
            state_rout = (state_broke and may_rout[i]
                          and fire_band >= pr[_ROUT_RATIO] * fire_state)
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
            lost_share = smin((fs + rs) / (s_tot + (1.0 - manned)) * manned * pr[_MG_WD], 1.0)
            mg_p = lost_share * (1.0 if state_broke and not state_rout else 0.0)
            mg_p += pr[_MG_ROUT] * (1.0 if state_rout else 0.0)
            mgp_a[j] = mg_p
            if not stochastic:
                continue
            # each side: Binomial(men, expected casualties / men) (u rows 0 and 1)
            for side in range(2):
                n = rint_float(b0) if side == 0 else rint_float(s_tot)
                e_all = exp_a[3 * side, j] + exp_a[3 * side + 1, j] + exp_a[3 * side + 2, j]
                live = 1.0 if n > 0.0 else 0.0
                q = e_all / (n + (1.0 - live)) * live
                value, search, qq, uq, flip = binomial_start(n, q, u[side, i], var_exact)
                total_a[side, j] = value
                if search:
                    s_idx[n_search] = side * BLOCK + j
                    s_n[n_search] = n
                    s_q[n_search] = qq
                    s_u[n_search] = uq
                    s_flip[n_search] = flip
                    n_search += 1
        if stochastic:
            search_lanes(s_n, s_q, s_u, n_search, s_k)
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
                    killed = floor_float(total * (e_k / den * pos) + us)
                    kw = smin(floor_float(total * (e_kw / den * pos) + us), total)
                    out[3 * side, i] = killed
                    out[3 * side + 1, i] = kw - killed
                    out[3 * side + 2, i] = total - kw
                mg_cap = floor_float(rint_float(mg_tot) * mgp_a[j] + u[4, i])
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
                rifles_cap = floor_float(rifles_cap + 0.5)
                rifles_rec = floor_float(rifles_rec + 0.5)
            out[6, i] = hours_a[j]
            out[7, i] = mg_cap
            out[8, i] = rifles_cap
            out[9, i] = rifles_rec
            out[10, i] = air_men
            out[11, i] = air_mg


@inline
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
def _size_table(exponent: float, norm: float) -> F64:
    """The duration's size factor for 0 .. SIZE_TABLE - 1 men in all, shape (SIZE_TABLE,).

    Computed with the numpy engine's expression (``np.power``), so durations are
    bit-identical to its own, and one libm ``pow`` per engagement is saved.
    """
    table = np.power(np.maximum(np.arange(SIZE_TABLE) / norm, 1e-9), exponent)
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
        The :class:`~sim.kernels.combat.EngagementBatch` fields in field order,
        shape (m,) each (eight float64, then ambush and raid as bool, then
        state_may_rout and band_may_rout as bool or None for all True).
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
    may = arrays[10] if len(arrays) > 10 else None
    may_rout = (np.ones(m, dtype=np.bool_) if may is None
                else np.ascontiguousarray(may, dtype=np.bool_))
    bmay = arrays[11] if len(arrays) > 11 else None
    band_may = (np.ones(m, dtype=np.bool_) if bmay is None
                else np.ascontiguousarray(bmay, dtype=np.bool_))
    stochastic = u is not None
    uu = np.ascontiguousarray(u, dtype=np.float64) if u is not None else np.zeros((5, 0))
    out = np.empty((12, m))
    outcome = np.empty(m, dtype=np.int64)
    hidden = np.empty(m, dtype=np.bool_)
    ins, st, mgs, guns, conc, sconc, morale, gshare = f
    size_pow = _size_table(float(pr[_DUR_EXP]), float(pr[_DUR_NORM]))
    var = float(var_exact)

    def run(lo: int, hi: int) -> None:
        _resolve_range(ins, st, mgs, guns, conc, sconc, morale, gshare, amb, raid, may_rout,
                       band_may, pr, uu, stochastic, var, out, outcome, hidden, size_pow, lo, hi)

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
