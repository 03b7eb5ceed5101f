"""The numpy engine: integrate the law, decide the outcome, draw the losses.

The law itself (closed forms with break-off) is :func:`sim.kernels.lanchester.lanchester_mixed`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.arrays import pick
from sim.kernels.combat.batch import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    EngagementBatch,
    EngagementResult,
    Mode,
)
from sim.kernels.combat.sampling import draw_side
from sim.kernels.combat.terms import day_factors, engagement_terms
from sim.kernels.lanchester import lanchester_mixed
from sim.params.combat import CombatParams

__all__ = ["resolve_numpy"]

F64 = NDArray[np.float64]


def resolve_numpy(batch: EngagementBatch, params: CombatParams, heliographs: bool, aircraft: bool,
             mode: Mode, u: F64 | None) -> EngagementResult:
    p = params
    b0 = batch.insurgents
    s0 = batch.state
    tm = engagement_terms(batch, params=p, heliographs=heliographs, aircraft=aircraft)
    law = lanchester_mixed(
        b0, s0, k_band=tm.k_band, k_state=tm.k_state, band_hidden=tm.band_hidden,
        state_hidden=tm.state_hidden, duration=tm.phase1, band_floor=tm.band_floor,
        state_floor=tm.state_floor,
    )
    b_end, s_end, hours, ended = law.band, law.state, law.duration, law.ended
    air_men = np.zeros_like(b0)
    air_mg = np.zeros_like(b0)
    firepower = tm.firepower
    # the aircraft land after air_delay_h unless the post has fallen: if the fight
    # is still on it goes into a second phase; if the band has already broken off,
    # they join the pursuit (the rout test below sees their fire)
    arrive = np.flatnonzero(tm.air & (ended <= 1))
    if arrive.size:
        air_men[arrive] = p.air_reinforcement_men
        air_mg[arrive] = p.air_reinforcement_mg
        fp2 = (1.0 + (p.mg_rifle_equivalent * (batch.machine_guns[arrive] + p.air_reinforcement_mg)
                      + p.gun_rifle_equivalent * batch.guns[arrive])
               / np.maximum(s0[arrive] + p.air_reinforcement_men, 1.0))
        firepower = firepower.copy()
        firepower[arrive] = fp2 * p.aircraft_firepower
        late = arrive[ended[arrive] == 1]
        s_end[late] += p.air_reinforcement_men
        on = ended[arrive] == 0
        go = arrive[on]
        if go.size:
            s1 = s_end[go] + p.air_reinforcement_men
            k2 = tm.k_band[go] / tm.firepower[go] * fp2[on] * p.aircraft_firepower
            law2 = lanchester_mixed(
                b_end[go], s1, k_band=k2, k_state=tm.k_state[go],
                band_hidden=tm.band_hidden[go], state_hidden=tm.state_hidden[go],
                duration=tm.duration[go] - tm.phase1[go], band_floor=tm.band_floor[go],
                state_floor=np.minimum(tm.state_floor[go], s1),
            )
            b_end[go] = law2.band
            s_end[go] = law2.state
            hours[go] += law2.duration
            ended[go] = law2.ended
    s_tot = s0 + air_men
    mg_tot = batch.machine_guns + air_mg

    fire_state = s_end * firepower
    fire_state *= p.aimed_lethality_state
    fire_band = b_end * p.aimed_lethality_insurgent
    fire_band /= tm.fort
    band_broke = ended == 1
    state_broke = ended == 2
    band_rout = fire_state >= p.rout_ratio * fire_band
    band_rout &= band_broke
    if batch.band_may_rout is not None:
        band_rout &= batch.band_may_rout
    state_rout = fire_band >= p.rout_ratio * fire_state
    state_rout &= state_broke
    if batch.state_may_rout is not None:
        state_rout &= batch.state_may_rout
    # OUTCOME_* codes: withdrew = ended (1 or 2, 3 counts as time), routed = withdrew + 2
    outcome = band_broke.astype(np.int64)
    outcome += state_broke * np.int64(OUTCOME_STATE_WITHDREW)
    outcome += band_rout * np.int64(OUTCOME_INSURGENTS_ROUTED - OUTCOME_INSURGENTS_WITHDREW)
    outcome += state_rout * np.int64(OUTCOME_STATE_ROUTED - OUTCOME_STATE_WITHDREW)

    ik = p.insurgent_killed_share
    sk = p.state_killed_share
    *_, ic, sc = day_factors(p, heliographs=heliographs)
    rc = p.rout_captured_share
    fb = b0 - b_end
    rb = pick(band_rout, p.rout_loss_insurgent * b_end, 0.0)
    fs = s_tot - s_end
    rs = pick(state_rout, p.rout_loss_state * s_end, 0.0)
    e_bk = fb * ik
    e_bk += rb * (1.0 - rc)
    e_bc = fb * ic
    e_bc += rb * rc
    e_bw = fb * (1.0 - ik - ic)
    e_sk = fs * sk
    e_sk += rs * (1.0 - rc)
    e_sc = fs * sc
    e_sc += rs * rc
    e_sw = fs * (1.0 - sk - sc)
    manned = s_tot > 0.0
    lost_share = fs + rs
    lost_share /= s_tot + ~manned
    lost_share *= manned
    lost_share *= p.mg_capture_withdraw
    np.minimum(lost_share, 1.0, out=lost_share)
    mg_p = pick(state_broke & ~state_rout, lost_share, 0.0)
    mg_p += pick(state_rout, p.mg_capture_rout, 0.0)

    if mode == "deterministic":
        bk, bw, bc, sk_, sw_, sc_ = e_bk, e_bw, e_bc, e_sk, e_sw, e_sc
        mg_cap = mg_p * mg_tot
    else:
        assert u is not None
        bk, bw, bc = draw_side(np.rint(b0), (e_bk, e_bw, e_bc), u[0], u[2])
        sk_, sw_, sc_ = draw_side(np.rint(s_tot), (e_sk, e_sw, e_sc), u[1], u[3])
        mg_cap = np.rint(mg_tot)
        mg_cap *= mg_p
        mg_cap += u[4]
        np.floor(mg_cap, out=mg_cap)

    # the band holds the field when the state broke off, the state when the band did
    rifles_cap = pick(state_broke, p.field_recovery * sk_, 0.0)
    rifles_cap += sc_
    rifles_rec = pick(band_broke, p.field_recovery * bk, 0.0)
    rifles_rec += bc
    if mode == "stochastic":
        rifles_cap += 0.5
        np.floor(rifles_cap, out=rifles_cap)
        rifles_rec += 0.5
        np.floor(rifles_rec, out=rifles_rec)
    return EngagementResult(
        insurgents_killed=bk,
        insurgents_wounded=bw,
        insurgents_captured=bc,
        state_killed=sk_,
        state_wounded=sw_,
        state_captured=sc_,
        duration_h=hours,
        outcome=outcome,
        mg_captured=mg_cap,
        rifles_captured=rifles_cap,
        rifles_recovered=rifles_rec,
        air_men=air_men,
        air_mg=air_mg,
        band_hidden=tm.band_hidden,
    )
