"""The daily combat phase: find, evade, resolve and apply a day's engagements."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.combat.batch import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    OUTCOME_TIME,
    EngagementBatch,
    Mode,
)
from sim.kernels.combat.engagements import evade, find_engagements
from sim.kernels.combat.engine import resolve_engagements
from sim.kernels.combat.losses import allocate, engagement_events, group_sum, lead_row, round_split
from sim.params.combat import CombatParams
from sim.state import Bands, ColumnKind, Columns, Villages, replace

__all__ = ["band_may_rout", "combat_day", "rout_conditions", "state_may_rout"]

F64 = NDArray[np.float64]


def combat_day(
    bands: Bands,
    columns: Columns,
    villages: Villages,
    *,
    concealment: F64,
    ncols: int,
    day_switches: Mapping[str, bool],
    params: CombatParams,
    rng: np.random.Generator,
    mode: Mode = "stochastic",
    band_concealment: F64 | None = None,
) -> tuple[Bands, Columns, Villages, list[Events]]:
    """Find and resolve all of a day's engagements; return new tables and events.

    Inputs are not mutated (on a day without a fight they are returned as they are; the
    new tables share the arrays a fight does not change). Losses of an engagement are spread over its units in
    proportion to their strength; machine guns lost over columns in proportion to
    their guns; men flown in (aircraft switch) join the largest garrison. Bands'
    ``recent_losses`` grow by the men they lost and ``recent_success`` by 1 for a
    fight they won (the state withdrew or routed) and 0.5 for a drawn fight in which
    the state lost more men.

    Parameters
    ----------
    bands, columns, villages
        Today's tables, shapes (n_bands,), (n_columns,), (n_villages,).
    concealment : ndarray of float64, shape (n_cells,)
        From :func:`concealment_map`.
    ncols : int
        Columns of the theatre grid.
    day_switches : mapping of str to bool
        Keys ``"heliographs"`` and ``"aircraft"`` (missing means False).
    params : CombatParams
    rng : numpy.random.Generator
    mode : {"stochastic", "deterministic"}
        Deterministic mode rounds the expectations to whole men.
    band_concealment : ndarray of float64, shape (n_bands,), optional
        Multiplier of each band's concealment from village intelligence (below 1 where
        villages inform on it, above 1 where they warn it); the result is capped at
        ``max_concealment``. None means 1 for every band.

    Returns
    -------
    bands, columns, villages
        New tables.
    events : list of Events
        One ``"engagement"`` batch (side ``"insurgent"``, unit = lead band, cell =
        anchor cell, n = all men lost) with one row per engagement and extra columns
        insurgents_before, state_before, insurgents_/state_ killed, wounded, captured,
        duration_h, outcome (``OUTCOME_*`` codes, see the module docstring), ambush,
        raid, n_bands, n_columns, mg_captured, rifles_captured (by the insurgents),
        rifles_recovered (by the state), air_reinforcement, civilians_killed,
        lead_column, band_hidden; plus ``"rout"`` batches (side ``"insurgent"`` and
        ``"state"``, n = men the routed side lost) when any side routed.
    """
    p = params
    conc = np.asarray(concealment, dtype=np.float64)
    eng = find_engagements(bands, columns, conc, ncols=ncols, params=p)
    if mode == "stochastic" and len(eng):
        modifier = np.ones(len(bands)) if band_concealment is None else band_concealment
        chance = np.clip(p.evasion * conc[bands.cell] * modifier, 0.0, 1.0)
        eng = evade(eng, bands, chance, rng.random(len(bands)))
    m = len(eng)
    if m == 0:  # nothing changes: the tables are handed back as they are
        return bands, columns, villages, [_no_engagement()]
    # new arrays only for the fields a fight changes; the others are shared (never mutated)
    new_b = replace(bands, fighters=bands.fighters.copy(), morale=bands.morale.copy(),
                    recent_losses=bands.recent_losses.copy(),
                    recent_success=bands.recent_success.copy())
    new_c = replace(columns, morale=columns.morale.copy())
    new_v = villages

    bi = np.flatnonzero(eng.band_eng >= 0)
    be = eng.band_eng[bi]
    ci = np.flatnonzero(eng.column_eng >= 0)
    ce = eng.column_eng[ci]
    f = bands.fighters[bi].astype(np.float64)
    ins = group_sum(be, f, m)
    conc_b = conc[bands.cell[bi]]
    if band_concealment is not None:
        conc_b = np.minimum(conc_b * band_concealment[bi], p.max_concealment)
    conc_band = group_sum(be, f * conc_b, m) / ins
    morale_band = group_sum(be, f * bands.morale[bi], m) / ins
    ambush = np.bincount(be, weights=eng.band_ambush[bi], minlength=m) > 0
    s = columns.strength[ci].astype(np.float64)
    is_gar = columns.kind[ci] == ColumnKind.GARRISON
    state = group_sum(ce, s, m)
    kind = columns.kind[ci]
    heliographs = bool(day_switches.get("heliographs", False))
    rule = rout_conditions(
        insurgents=ins,
        state=state,
        volunteer_share=group_sum(ce, s * (kind == ColumnKind.VOLUNTEER), m) / state,
        mounted_share=group_sum(
            ce, s * ((kind == ColumnKind.CAVALRY) | (kind == ColumnKind.VOLUNTEER)), m
        ) / state,
        supply_days=group_sum(ce, s * columns.supply[ci], m) / state,
        band_concealment=conc_band,
        ambush=ambush & ~eng.raid,
        raid=eng.raid,
        heliographs=heliographs,
        params=p,
    )
    batch = EngagementBatch(
        insurgents=ins,
        state=state,
        machine_guns=group_sum(ce, columns.machine_guns[ci], m),
        guns=group_sum(ce, columns.guns[ci], m),
        concealment=conc_band,
        state_concealment=conc[eng.cell],
        band_morale=morale_band,
        garrison_share=group_sum(ce, s * is_gar, m) / state,
        ambush=ambush & ~eng.raid,
        raid=eng.raid,
        state_may_rout=rule["state_may_rout"],
        band_may_rout=rule["band_may_rout"],
    )
    res = resolve_engagements(
        batch,
        params=p,
        heliographs=heliographs,
        aircraft=bool(day_switches.get("aircraft", False)),
        mode=mode,
        rng=rng,
    )
    if mode == "deterministic":
        bk, bw, bc = round_split(res.insurgents_killed, res.insurgents_wounded,
                                  res.insurgents_captured)
        sk, sw, sc = round_split(res.state_killed, res.state_wounded, res.state_captured)
        mg_cap = np.rint(res.mg_captured).astype(np.int64)
        rifles_cap = np.rint(res.rifles_captured)
        rifles_rec = np.rint(res.rifles_recovered)
    else:
        bk, bw, bc = (a.astype(np.int64) for a in (res.insurgents_killed,
                                                    res.insurgents_wounded,
                                                    res.insurgents_captured))
        sk, sw, sc = (a.astype(np.int64) for a in (res.state_killed, res.state_wounded,
                                                    res.state_captured))
        mg_cap = res.mg_captured.astype(np.int64)
        rifles_cap, rifles_rec = res.rifles_captured, res.rifles_recovered
    band_lost = bk + bw + bc
    state_lost = sk + sw + sc

    # --- air reinforcement joins the lead garrison ------------------------------------
    lead_col = lead_row(eng.column_eng, columns.strength.astype(np.float64)
                     + 1e12 * (columns.kind == ColumnKind.GARRISON), m)
    air_men = np.rint(res.air_men).astype(np.int64)
    air_mg = np.rint(res.air_mg).astype(np.int64)
    strength = columns.strength.copy()
    mgs = columns.machine_guns.copy()
    np.add.at(strength, lead_col, air_men)
    np.add.at(mgs, lead_col, air_mg)

    # --- spread the losses over units ----------------------------------------------------
    loss_b = allocate(be, bands.fighters[bi], band_lost)
    loss_c = allocate(ce, strength[ci], state_lost)
    mg_c = allocate(ce, mgs[ci], mg_cap)
    new_b.fighters[bi] = bands.fighters[bi] - loss_b
    new_c.strength = strength
    new_c.strength[ci] = strength[ci] - loss_c
    new_c.machine_guns = mgs
    new_c.machine_guns[ci] = mgs[ci] - mg_c

    out = res.outcome
    band_won = (out == OUTCOME_STATE_WITHDREW) | (out == OUTCOME_STATE_ROUTED)
    state_won = (out == OUTCOME_INSURGENTS_WITHDREW) | (out == OUTCOME_INSURGENTS_ROUTED)
    share_b = band_lost / np.maximum(ins, 1.0)
    share_s = state_lost / np.maximum(state + air_men, 1.0)
    dm_b = (p.morale_win * band_won - p.morale_loss_per_share * share_b
            - p.morale_rout * (out == OUTCOME_INSURGENTS_ROUTED))
    dm_s = (p.morale_win * state_won - p.morale_loss_per_share * share_s
            - p.morale_rout * (out == OUTCOME_STATE_ROUTED))
    new_b.morale[bi] = np.clip(bands.morale[bi] + dm_b[be], 0.0, 1.0)
    new_c.morale[ci] = np.clip(columns.morale[ci] + dm_s[ce], 0.0, 1.0)
    success = np.where(band_won, 1.0, np.where((out == OUTCOME_TIME) & (state_lost > band_lost),
                                                p.draw_success, 0.0))
    new_b.recent_losses[bi] = bands.recent_losses[bi] + loss_b
    new_b.recent_success[bi] = bands.recent_success[bi] + success[be]

    # --- civilians caught in area fire ----------------------------------------------------
    civ = np.zeros(m, dtype=np.int64)
    if len(villages):
        vorder = np.argsort(villages.cell, kind="stable")
        vcells = villages.cell[vorder]
        vpos = np.minimum(np.searchsorted(vcells, eng.cell), vcells.size - 1)
        here = vcells[vpos] == eng.cell
        vrow = vorder[vpos]
        want = np.rint(p.civilian_collateral * (bk + bw) * res.band_hidden).astype(np.int64)
        civ = np.where(here, np.minimum(want, villages.population[vrow]), 0)
        hit = np.flatnonzero(here & (civ > 0))
        if hit.size:
            new_v = replace(villages, population=villages.population.copy())
            np.subtract.at(new_v.population, vrow[hit], civ[hit])

    lead_band = lead_row(eng.band_eng, bands.fighters.astype(np.float64), m)
    cols = {
        "insurgents_before": ins,
        "state_before": state,
        "insurgents_killed": bk,
        "insurgents_wounded": bw,
        "insurgents_captured": bc,
        "state_killed": sk,
        "state_wounded": sw,
        "state_captured": sc,
        "duration_h": res.duration_h,
        "outcome": out,
        "ambush": batch.ambush,
        "raid": batch.raid,
        "n_bands": np.bincount(be, minlength=m),
        "n_columns": np.bincount(ce, minlength=m),
        "mg_captured": mg_cap,
        "rifles_captured": rifles_cap,
        "rifles_recovered": rifles_rec,
        "air_reinforcement": air_men,
        "civilians_killed": civ,
        "lead_column": lead_col,
        "band_hidden": res.band_hidden,
        **{k: v.astype(np.float64) for k, v in rule.items()},
    }
    evs = [engagement_events(lead_band, cols, m, cell=eng.cell,
                              n=band_lost + state_lost)]
    for code, side, lead, lost in ((OUTCOME_INSURGENTS_ROUTED, "insurgent", lead_band, band_lost),
                                   (OUTCOME_STATE_ROUTED, "state", lead_col, state_lost)):
        r = np.flatnonzero(out == code)
        if r.size:
            evs.append(events("rout", side, unit=lead[r], cell=eng.cell[r], n=lost[r]))
    return new_b, new_c, new_v, evs


@functools.cache
def _no_engagement() -> Events:
    """The empty ``engagement`` batch of a day without a fight (built once, read-only)."""
    batch = engagement_events(np.zeros(0, np.int64), {}, 0)
    for a in (batch.unit, batch.cell, batch.n, *batch.extra.values()):
        a.flags.writeable = False
    return batch


def state_may_rout(
    *,
    insurgents: F64,
    state: F64,
    volunteer_share: F64,
    supply_days: F64,
    ambush: NDArray[np.bool_],
    raid: NDArray[np.bool_],
    heliographs: bool,
    params: CombatParams,
) -> NDArray[np.bool_]:
    """Whether the state's side of each engagement can rout if it breaks off.

    Regular columns and garrisons withdraw in order or give up the post; they rout only
    when surprised (an ambush, or a raid without heliograph warning), outnumbered
    (``insurgents >= rout_outnumbered * state``) and cut off (mean supply at or below
    ``rout_cut_off_days``). Local volunteer units (at least ``rout_volunteer_share`` of the men) are more
    brittle: outnumbered, they rout when either surprised or cut off.

    Parameters
    ----------
    insurgents, state, volunteer_share, supply_days : ndarray of float64, shape (m,)
    ambush, raid : ndarray of bool, shape (m,)
    heliographs : bool
    params : CombatParams

    Returns
    -------
    ndarray of bool, shape (m,)
    """
    p = params
    surprised = ambush | (raid & (not heliographs))
    outnumbered = insurgents >= p.rout_outnumbered * state
    cut_off = supply_days <= p.rout_cut_off_days
    volunteers = volunteer_share >= p.rout_volunteer_share
    may: NDArray[np.bool_] = outnumbered & np.where(volunteers, surprised | cut_off,
                                                    surprised & cut_off)
    return may


def band_may_rout(
    *,
    band_concealment: F64,
    mounted_share: F64,
    ambush: NDArray[np.bool_],
    params: CombatParams,
) -> NDArray[np.bool_]:
    """Whether the bands of each engagement can rout if they break off.

    Bands melt away when pressed: a band that breaks off withdraws, scattering into ground
    it knows, unless it is caught on ground that does not hide it (fighter-weighted
    concealment below ``conceal_threshold``), was not itself lying in ambush (it chose the
    ground and the way out) and horsemen (cavalry or volunteer units) are at least
    ``band_rout_mounted_share`` of the state's men engaged, so there is someone to ride it
    down. Whether it then routs depends on the fire left on both sides (``rout_ratio``).

    Parameters
    ----------
    band_concealment, mounted_share : ndarray of float64, shape (m,)
    ambush : ndarray of bool, shape (m,)
        The bands lay in wait (not a raid).
    params : CombatParams

    Returns
    -------
    ndarray of bool, shape (m,)
    """
    p = params
    exposed = band_concealment < p.conceal_threshold
    pursued = mounted_share >= p.band_rout_mounted_share
    may: NDArray[np.bool_] = exposed & pursued & ~ambush
    return may


def rout_conditions(
    *,
    insurgents: F64,
    state: F64,
    volunteer_share: F64,
    mounted_share: F64,
    supply_days: F64,
    band_concealment: F64,
    ambush: NDArray[np.bool_],
    raid: NDArray[np.bool_],
    heliographs: bool,
    params: CombatParams,
) -> dict[str, NDArray[np.bool_]]:
    """Both rout rules and the conditions they rest on, for the engine and the events.

    Returns
    -------
    dict of str to ndarray of bool, shape (m,)
        ``surprised``, ``outnumbered``, ``cut_off``, ``volunteers`` (the state's side),
        ``pursued`` (horsemen can ride the bands down), ``state_may_rout`` and
        ``band_may_rout``.
    """
    p = params
    return {
        "surprised": ambush | (raid & (not heliographs)),
        "outnumbered": insurgents >= p.rout_outnumbered * state,
        "cut_off": supply_days <= p.rout_cut_off_days,
        "volunteers": volunteer_share >= p.rout_volunteer_share,
        "pursued": mounted_share >= p.band_rout_mounted_share,
        "state_may_rout": state_may_rout(
            insurgents=insurgents, state=state, volunteer_share=volunteer_share,
            supply_days=supply_days, ambush=ambush, raid=raid, heliographs=heliographs,
            params=p,
        ),
        "band_may_rout": band_may_rout(
            band_concealment=band_concealment, mounted_share=mounted_share, ambush=ambush,
            params=p,
        ),
    }
