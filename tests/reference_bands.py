"""Whole-array numpy references of the kernels on the few bands and leaders.

:mod:`sim.kernels.leaders`, :mod:`sim.kernels.defection` and
:mod:`sim.kernels.recruitment` compute these rules row by row in plain Python (a day has
some twenty bands and a few leaders: dozens of tiny numpy calls cost more than the rows).
These are the numpy formulations they replaced, kept as the readable reference: the tests
check both give the same tables, events and random stream.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.control import INSURGENT, STATE
from sim.kernels.draws import sparse_binomial
from sim.kernels.leaders import _ACTIVE, _CAPTURED, _EXILED, _KILLED, _WOUNDED, LeaderFate
from sim.kernels.leaders import (
    leaderless_day_numpy as leaderless_day_reference,  # in sim: many bands
)
from sim.kernels.recruitment import momentum, momentum_gain
from sim.kernels.recruitment import recruit_numpy as recruit_reference  # kept in sim: many bands
from sim.params.population import PopulationParams
from sim.state import Bands, ColumnKind, Columns, Leaders, Order, Villages, replace

__all__ = [
    "band_reprisals_reference",
    "band_switch_reference",
    "control_day_reference",
    "intelligence_reference",
    "leader_distance_reference",
    "leader_fate_reference",
    "leaderless_day_reference",
    "leading_reference",
    "levy_reference",
    "recruit_reference",
    "rival_clash_reference",
    "sanctuary_recruit_reference",
    "state_desertion_reference",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def _activate(columns: Columns, rows: I64, men: I64, cells: I64, homes: I64,
              p: PopulationParams) -> Columns:
    """:func:`sim.kernels.defection._activate` as numpy fancy indexing."""
    if rows.size == 0:
        return columns
    fields = ("strength", "kind", "cell", "home", "order", "target", "morale", "supply", "active")
    c = replace(columns, **{f: getattr(columns, f).copy() for f in fields})
    was = c.active[rows] & (c.strength[rows] > 0)
    c.strength[rows] = c.strength[rows] + men
    c.kind[rows] = ColumnKind.VOLUNTEER
    c.cell[rows] = np.where(was, c.cell[rows], cells)
    c.home[rows] = np.where(was, c.home[rows], homes)
    c.order[rows] = np.where(was, c.order[rows], Order.PURSUE)
    c.target[rows] = np.where(was, c.target[rows], -1)
    c.morale[rows] = np.where(was, c.morale[rows], p.volunteer_morale)
    c.supply[rows] = np.where(was, c.supply[rows], p.volunteer_supply_days)
    c.active[rows] = c.active[rows] | (men > 0)
    return c


def leading_reference(bands: Bands, leaders: Leaders) -> tuple[I64, I64]:
    """:func:`sim.kernels.leaders.leading` as numpy whole-array code."""
    nl = len(leaders)
    leader_band = np.full(nl, -1, dtype=np.int64)
    led_by = np.full(len(bands), -1, dtype=np.int64)
    ok = np.flatnonzero(bands.active & (bands.fighters > 0) & (bands.leader >= 0) & (bands.leader < nl))
    if ok.size == 0:
        return leader_band, led_by
    order = ok[np.lexsort((bands.fighters[ok], bands.leader[ok]))]
    lead = bands.leader[order]
    last = np.empty(lead.size, dtype=bool)  # the last (largest) band of each leader
    last[:-1] = lead[1:] != lead[:-1]
    last[-1] = True
    leader_band[lead[last]] = order[last]
    st = leaders.status
    leads = (st == _ACTIVE) | (st == _EXILED)
    rows = leader_band[leads & (leader_band >= 0)]
    led_by[rows] = bands.leader[rows]
    return leader_band, led_by


def leader_distance_reference(bands: Bands, leader_band: I64, *, ncols: int, scale: float) -> F64:
    """:func:`sim.kernels.leaders.leader_distance` as numpy whole-array code."""
    nl = leader_band.size
    has = (bands.leader >= 0) & (bands.leader < nl)
    lb = np.where(has, leader_band[np.where(has, bands.leader, 0)] if nl else -1, -1)
    lcell = np.where(lb >= 0, bands.cell[np.maximum(lb, 0)], 0)
    r1, c1 = np.divmod(bands.cell, ncols)
    r2, c2 = np.divmod(lcell, ncols)
    d = np.maximum(np.abs(r1 - r2), np.abs(c1 - c2)) / scale
    return np.where(lb >= 0, np.clip(d, 0.0, 1.0), 1.0)


def leader_fate_reference(
    bands: Bands,
    leaders: Leaders,
    *,
    leader_band: I64,
    killed: F64,
    wounded: F64,
    captured: F64,
    informing: F64,
    afghan_band: Bool,
    hostile: bool,
    nearest_afghan: I64,
    origin_home: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> LeaderFate:
    """:func:`sim.kernels.leaders.leader_fate` as numpy whole-array code."""
    p = params
    nl = len(leaders)
    out: list[Events] = []
    if nl == 0 or len(bands) == 0:
        return LeaderFate(bands.copy(), leaders.copy(), 0, out)
    st, rec = leaders.status, leaders.recovery
    lb = leader_band
    has = lb >= 0
    bi = np.where(has, lb, 0)
    # Recovery of the wounded.
    healing = st == _WOUNDED
    rec = np.where(healing, rec - 1.0, rec)
    healed = healing & (rec <= 0)
    st = np.where(healed, _ACTIVE, st)
    rec = np.where(healed, 0.0, rec)

    on = has & ((st == _ACTIVE) | (st == _EXILED))
    before = np.maximum(bands.fighters[bi] + killed[bi] + wounded[bi] + captured[bi], 1.0)
    pk = p.leader_exposure * killed[bi] / before
    pw = p.leader_exposure * wounded[bi] / before
    pc = p.leader_exposure * captured[bi] / before
    # The day's four uniforms per leader (fate, betrayal, exit, return) in one call: the
    # same numbers as four calls of nl each.
    u, u_betray, u_exit, u_return = rng.random((4, nl))
    k_ = on & (u < pk)
    w_ = on & ~k_ & (u < pk + pw)
    c_ = on & ~k_ & ~w_ & (u < pk + pw + pc)
    st = np.where(k_, _KILLED, np.where(c_, _CAPTURED, st))
    st = np.where(w_, _WOUNDED, st)
    rec = np.where(w_, p.wound_days, rec)

    # Betrayal by villages that have turned.
    free = on & ~(k_ | w_ | c_) & (st == _ACTIVE) & ~afghan_band[bi]
    betray = free & (u_betray < np.clip(p.betrayal_rate * informing[bi], 0.0, 1.0))
    betray = betray & (bands.fighters[bi] > 0)
    st = np.where(betray, _CAPTURED, st)

    # Exit to Afghanistan and return.
    men = np.maximum(bands.fighters[bi] + bands.recent_losses[bi], 1.0)
    pressure = np.maximum(np.maximum(
        np.clip(bands.hunger[bi], 0.0, 1.0),
        np.clip(bands.recent_losses[bi] / men / p.losses_scale, 0.0, 1.0)),
        1.0 - np.clip(bands.morale[bi], 0.0, 1.0),
    )
    stay = free & ~betray
    leave = stay & (u_exit < np.clip(p.exit_rate * leaders.caution * pressure, 0.0, 1.0))
    st = np.where(leave, _EXILED, st)
    back = (
        has & (leaders.status == _EXILED) & afghan_band[bi] & (not hostile)
        & (bands.morale[bi] >= p.return_morale) & (u_return < p.return_rate)
    )
    st = np.where(back, _ACTIVE, st)

    b = bands
    if betray.any() or leave.any() or back.any():
        # betrayal takes a man, exit and return move the home: the only fields written
        b = replace(bands, fighters=bands.fighters.copy(), home=bands.home.copy())
        np.subtract.at(b.fighters, bi[betray], 1)
        b.home[bi[leave]] = nearest_afghan[bands.cell[bi[leave]]]
        b.home[bi[back]] = origin_home[bi[back]]

    recovered = healed & has
    if (k_ | w_ | c_ | betray | leave | back | recovered).any():
        for kind, mask in (("leader_killed", k_), ("leader_wounded", w_),
                           ("leader_captured", c_), ("leader_betrayed", betray),
                           ("leader_exit", leave), ("leader_return", back),
                           ("leader_recovered", recovered)):
            r = np.flatnonzero(mask)
            if r.size:
                out.append(events(kind, "insurgent", unit=bi[r], cell=bands.cell[bi[r]], n=1,
                                  leader=r))
    new_l = replace(leaders, status=st.astype(np.int64), recovery=rec)
    return LeaderFate(b, new_l, int(betray.sum()), out)


def band_switch_reference(
    bands: Bands,
    columns: Columns,
    *,
    home_side: I64,
    authority: F64,
    leader_here: Bool,
    volunteer_row: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, Columns, int, list[Events]]:
    """:func:`sim.kernels.defection.band_switch` as numpy whole-array code."""
    p = params
    ok = bands.active & (bands.fighters > 0) & (home_side < 0) & (volunteer_row >= 0)
    factor = np.clip((1.0 - bands.morale) * (1.0 - authority), 0.0, 1.0)
    u = rng.random(len(bands))
    whole = ok & (u < p.band_defect_rate * factor)
    clan = ok & ~whole & (u < (p.band_defect_rate + p.clan_defect_rate) * factor)
    men = bands.fighters
    escort = np.where(leader_here, np.ceil(p.escort_share * men), 0).astype(np.int64)
    k = np.where(whole, men - np.minimum(escort, men), 0)
    k = k + np.where(clan, np.floor(p.clan_share * men), 0).astype(np.int64)
    k = np.minimum(k, men).astype(np.int64)
    rows = np.flatnonzero(k > 0)
    new_c = _activate(columns, volunteer_row[rows], k[rows], bands.cell[rows], bands.home[rows], p)
    fighters = men - k
    new_b = replace(bands, fighters=fighters, active=bands.active & (fighters > 0))
    out: list[Events] = []
    for kind, mask in (("band_defection", whole), ("clan_defection", clan)):
        r = np.flatnonzero(mask & (k > 0))
        if r.size:
            out.append(events(kind, "insurgent", unit=r, cell=bands.cell[r], n=k[r],
                              column=volunteer_row[r]))
    return new_b, new_c, int(k.sum()), out


def levy_reference(
    columns: Columns,
    villages: Villages,
    *,
    home_village: I64,
    home_side: I64,
    band_home: I64,
    volunteer_row: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Columns, Villages, int, list[Events]]:
    """:func:`sim.kernels.defection.levy` as numpy whole-array code."""
    p = params
    nv = len(villages)
    ok = (home_village >= 0) & (home_side < 0) & (volunteer_row >= 0)
    if nv == 0 or not ok.any():
        return columns, villages, 0, []
    vi = np.where(ok, home_village, 0)
    shared = np.bincount(vi[ok], minlength=nv)
    men = np.floor(villages.population[vi] * p.men_share).astype(np.int64)
    avail = np.where(ok, men // np.maximum(shared[vi], 1), 0)
    k = rng.binomial(avail, p.levy_rate).astype(np.int64)
    rows = np.flatnonzero(k > 0)
    new_c = _activate(columns, volunteer_row[rows], k[rows], band_home[rows], band_home[rows], p)
    taken = np.bincount(vi, weights=k, minlength=nv).astype(np.int64)
    new_v = replace(villages, population=villages.population - taken)
    out: list[Events] = []
    if rows.size:
        out.append(events("levy", "state", unit=volunteer_row[rows], cell=band_home[rows], n=k[rows],
                          village=home_village[rows]))
    return new_c, new_v, int(k.sum()), out


def intelligence_reference(
    villages: Villages,
    *,
    reach: I64,
    scouts: bool,
    params: PopulationParams,
) -> tuple[F64, F64, F64]:
    """:func:`sim.kernels.recruitment.intelligence` as numpy whole-array code."""
    p = params
    nb = reach.shape[0]
    if nb == 0 or len(villages) == 0:
        return np.ones(nb), np.zeros(nb), np.zeros(nb)
    ok = reach >= 0
    vi = np.where(ok, reach, 0)
    s = villages.support[vi]  # only the villages in reach
    inform = np.clip((p.inform_threshold - s) / max(p.inform_threshold, 1e-9), 0.0, 1.0)
    warn = np.clip((s - p.warn_threshold) / max(1.0 - p.warn_threshold, 1e-9), 0.0, 1.0)
    w = np.where(ok, villages.population[vi].astype(np.float64), 0.0)
    tot = w.sum(axis=1)
    i_ = np.divide((w * inform).sum(axis=1), tot, out=np.zeros(nb), where=tot > 0)
    w_ = np.divide((w * warn).sum(axis=1), tot, out=np.zeros(nb), where=tot > 0)
    gain = 1.0 + (p.scouts_inform_gain if scouts else 0.0)
    i_ = np.clip(i_ * gain, 0.0, 1.0)
    conc = np.clip(1.0 - p.inform_penalty * i_ + p.warn_bonus * w_,
                   1.0 - p.inform_penalty, 1.0 + p.warn_bonus)
    return conc, i_, w_


def sanctuary_recruit_reference(
    bands: Bands,
    refugees: int,
    *,
    in_sanctuary: Bool,
    share: float,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """:func:`sim.kernels.recruitment.sanctuary_recruit` as numpy whole-array code."""
    p = params
    morale = np.where(in_sanctuary, np.clip(bands.morale + p.sanctuary_morale * share, 0.0, 1.0),
                      bands.morale)
    m = np.where(bands.active, momentum(bands, p), 0.0)
    pull = np.where(in_sanctuary, 1.0, np.where(bands.active & ~in_sanctuary, np.maximum(m, 0.0), 0.0))
    if not (pull > 0).any() or share <= 0 or refugees <= 0:
        return replace(bands, morale=morale), refugees, []
    # Bands abroad grow toward the willing share of the refugee men, not beyond it.
    willing = int(refugees * p.men_share * p.refugee_willing_share)
    under_arms = int(bands.fighters[in_sanctuary].sum())
    men = max(willing - under_arms, 0)
    best = float(m[bands.active].max()) if bands.active.any() else 0.0
    rate = p.refugee_recruit_rate * share * float(momentum_gain(np.array([best]), p)[0])
    total = int(rng.binomial(men, min(rate, 1.0)))
    # Split among the bands in the sanctuary in proportion to their size (plus one), and
    # the bands with momentum on the Soviet side in proportion to size times momentum.
    w = (bands.fighters + 1.0) * pull
    got = rng.multinomial(total, w / w.sum()).astype(np.int64)
    new_b = replace(bands, fighters=bands.fighters + got, morale=morale)
    rows = np.flatnonzero(got > 0)
    out = []
    if rows.size:
        out.append(events("recruitment", "insurgent", unit=rows, cell=bands.cell[rows], n=got[rows],
                          refugees=1.0))
    return new_b, refugees - total, out


def rival_clash_reference(
    bands: Bands,
    *,
    rivals: Bool,
    leading: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """:func:`sim.kernels.defection.rival_clash` as numpy whole-array code."""
    p = params
    act = np.flatnonzero(bands.active & (bands.fighters > 0) & (leading >= 0))
    if act.size < 2 or rivals.size == 0:
        return bands, 0, []
    order = act[np.argsort(bands.cell[act], kind="stable")]
    a, b = order[:-1], order[1:]
    la, lb = leading[a], leading[b]
    pair = (bands.cell[a] == bands.cell[b]) & rivals[la, lb]
    fight = pair & (rng.random(a.size) < p.rival_clash_rate)
    loss = np.zeros(len(bands), dtype=np.int64)
    ka = rng.binomial(bands.fighters[a], p.rival_clash_loss) * fight
    kb = rng.binomial(bands.fighters[b], p.rival_clash_loss) * fight
    np.add.at(loss, a, ka)
    np.add.at(loss, b, kb)
    loss = np.minimum(loss, bands.fighters)
    new_b = replace(bands, fighters=bands.fighters - loss,
                                recent_losses=bands.recent_losses + loss)
    out: list[Events] = []
    r = np.flatnonzero(fight)
    if r.size:
        out.append(events("rival_clash", "insurgent", unit=a[r], cell=bands.cell[a[r]],
                          n=loss[a[r]] + loss[b[r]], other=b[r]))
    return new_b, int(loss.sum()), out


def band_reprisals_reference(
    villages: Villages,
    *,
    band_near: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Villages, int, list[Events]]:
    """:func:`sim.kernels.repression.band_reprisals` as numpy whole-array code."""
    p = params
    n = len(villages)
    if n == 0:
        return villages, 0, []
    informers = np.flatnonzero((band_near >= 0) & (villages.support < p.inform_threshold))
    hit = np.zeros(n, dtype=bool)
    hit[informers] = rng.random(informers.size) < p.reprisal_rate
    if not hit.any():
        return villages, 0, []
    killed = sparse_binomial(rng, np.where(hit, villages.population, 0), p.reprisal_kill_share)
    f = villages.fear
    new_v = replace(
        villages,
        population=(villages.population - killed).astype(np.int64),
        fear=np.clip(f + p.reprisal_fear * hit * (1.0 - f), 0.0, 1.0),
        support=np.clip(villages.support - p.reprisal_support_cut * hit, 0.0, 1.0),
    )
    r = np.flatnonzero(hit)
    ev = events("band_reprisal", "insurgent", unit=band_near[r], cell=villages.cell[r],
                n=killed[r], village=r)
    return new_v, int(killed.sum()), [ev]


def control_day_reference(
    holder: NDArray[np.int64],
    town_cells: NDArray[np.int64],
    bands: Bands,
    columns: Columns,
    *,
    n_cells: int,
    town_success: float = 0.0,
) -> tuple[NDArray[np.int64], Bands, list[Events]]:
    """:func:`sim.kernels.control.control_day` with whole-map counts."""
    b = np.bincount(
        bands.cell[bands.active], weights=bands.fighters[bands.active], minlength=n_cells
    )
    c = np.bincount(
        columns.cell[columns.active], weights=columns.strength[columns.active], minlength=n_cells
    )
    bt, ct = b[town_cells], c[town_cells]
    new = holder.copy()
    new[(bt > 0) & (ct == 0)] = INSURGENT
    new[(ct > 0) & (bt == 0)] = STATE
    out: list[Events] = []
    taken = np.flatnonzero((new == INSURGENT) & (holder != INSURGENT))
    if taken.size:
        out.append(
            events("town_captured", "insurgent", unit=taken, cell=town_cells[taken], n=bt[taken])
        )
    if taken.size and town_success > 0:
        taken_cell = np.zeros(n_cells, dtype=bool)
        taken_cell[town_cells[taken]] = True
        takers = bands.active & taken_cell[bands.cell]
        bands = replace(
            bands, recent_success=bands.recent_success + town_success * takers
        )
    back = np.flatnonzero((new == STATE) & (holder == INSURGENT))
    if back.size:
        out.append(events("town_retaken", "state", unit=back, cell=town_cells[back], n=ct[back]))
    return new, bands, out


def state_desertion_reference(
    columns: Columns,
    bands: Bands,
    *,
    losing: float,
    band_of_cell: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Columns, Bands, int, int, list[Events]]:
    """:func:`sim.kernels.defection.state_desertion` as numpy whole-array code."""
    p = params
    if losing == 0.0:  # no one deserts (and nothing is drawn)
        return columns, bands, 0, 0, []
    act = columns.active & (columns.strength > 0)
    mult = np.where(columns.kind == ColumnKind.VOLUNTEER, p.local_desert_multiplier, 1.0)
    prob = np.clip(p.state_desert_rate * losing * (1.0 - columns.morale) * mult, 0.0, 1.0)
    k = rng.binomial(np.where(act, columns.strength, 0), np.where(act, prob, 0.0)).astype(np.int64)
    target = band_of_cell[columns.cell] if band_of_cell.size else np.full(len(columns), -1)
    has = (target >= 0) & (k > 0)
    join = np.where(has, rng.binomial(k, p.desert_to_band), 0).astype(np.int64)
    to_band = np.bincount(np.where(has, target, 0), weights=join, minlength=len(bands))
    new_b = replace(bands, fighters=bands.fighters + to_band[: len(bands)].astype(np.int64))
    new_c = replace(columns, strength=columns.strength - k)
    out: list[Events] = []
    rows = np.flatnonzero(k > 0)
    if rows.size:
        out.append(events("desertion", "state", unit=rows, cell=columns.cell[rows], n=k[rows],
                          to_band=join[rows], band=target[rows]))
    return new_c, new_b, int((k - join).sum()), int(join.sum()), out
