"""Recruitment and intelligence: villages in reach feed bands with men and with warnings.

Recruitment. A man of fighting age in a village within ``reach_cells`` of a band
joins it today with probability

    p = recruit_rate * max(2 (support - 1/2), 0) * grievance
        * g(momentum) * (1 - fear_deterrence * fear)

so neutral or hostile villages give no one, and fear of repression deters. When
several bands draw on one village their draws are scaled down together so that a
village never gives more men than it has. In an open (tolerated) sanctuary, refugee
men join the bands there at ``refugee_recruit_rate`` (half).

Momentum. A band's momentum is

    m = tanh(recent_success - defeat_weight * recent_losses / (fighters + 1))

in (-1, 1): posts and towns taken, columns repulsed and loot raise it, men lost
lower it, and both fade with ``memory_decay`` (about two weeks). Recruitment is
multiplied by ``g(m) = 1 + success_recruit_gain * m`` when ``m > 0`` and by
``1 + defeat_recruit_cut * m`` (never below 0) when ``m < 0``; only willing men
(support above neutral, grievance) can join, and never more than the villages
have. News of success also reaches the refugee camps: willing refugee men cross to
join a band on the Soviet side with positive momentum (weight ``m``) as well as
the bands resting in the sanctuary, and the camps' daily joining rate is
multiplied by ``g`` of the best momentum of any band. The pool stays bounded by the
willing share of the refugee men.

Intelligence. Villages below ``inform_threshold`` inform on the bands in reach,
villages above ``warn_threshold`` warn them. The population-weighted intensities
``I`` and ``W`` in [0, 1] give each band a concealment multiplier

    m = 1 - inform_penalty * I * (1 + scouts_inform_gain [local scouts]) + warn_bonus * W

clipped to [1 - inform_penalty, 1 + warn_bonus], for the combat kernel to apply.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels import rowwise
from sim.kernels.rowwise import binomial, clip, clip_array
from sim.params.population import PopulationParams
from sim.state import NEUTRAL_SUPPORT, Bands, Villages, replace

__all__ = ["intelligence", "momentum", "momentum_gain", "recruit", "recruit_numpy",
           "sanctuary_recruit"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def momentum(bands: Bands, params: PopulationParams) -> F64:
    """Each band's momentum in (-1, 1): recent success against recent losses (shape (n_bands,))."""
    rel_loss = bands.recent_losses / (np.maximum(bands.fighters, 0.0) + 1.0)
    m: F64 = np.tanh(bands.recent_success - params.defeat_weight * rel_loss)
    return m


def _momentum_of(bands: Bands, rows: list[int], params: PopulationParams) -> list[float]:
    """:func:`momentum` of the bands at ``rows`` (numpy's tanh: ``math.tanh`` differs in the
    last bit)."""
    if not rows:
        return []
    f, won, lost = bands.fighters.tolist(), bands.recent_success.tolist(), bands.recent_losses.tolist()
    x = [won[i] - params.defeat_weight * (lost[i] / (max(f[i], 0.0) + 1.0)) for i in rows]
    out: list[float] = np.tanh(np.array(x, dtype=np.float64)).tolist()
    return out


def momentum_gain(m: F64, params: PopulationParams) -> F64:
    """Multiplier of recruitment for momentum ``m`` (same shape), >= 0."""
    g: F64 = np.where(
        m > 0,
        1.0 + params.success_recruit_gain * m,
        np.maximum(1.0 + params.defeat_recruit_cut * m, 0.0),
    )
    return g


def recruit(
    bands: Bands,
    villages: Villages,
    *,
    reach: I64,
    eligible: Bool,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, Villages, list[Events]]:
    """Bands take recruits from the villages in reach.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,) (not modified).
    villages : Villages
        Shape (n_villages,) (not modified).
    reach : ndarray of int64, shape (n_bands, k)
        Villages within reach of each band (-1 for none).
    eligible : ndarray of bool, shape (n_bands,)
        Bands able to recruit today (active, on the Soviet side).
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    bands, villages : new tables
    events : list of Events
        ``recruitment`` (side ``"insurgent"``, one row per band that gained men).
    """
    p = params
    nb, _k = reach.shape
    nv = len(villages)
    if nb == 0 or nv == 0:
        return bands, villages, []
    # The eligible bands and the villages in their reach, row by row; a village shared by
    # several bands splits its men among them.
    rows = [i for i, ok in enumerate(eligible.tolist()) if ok]
    if len(rows) > rowwise.ROWWISE_MAX_BANDS:
        return recruit_numpy(bands, villages, reach=reach, eligible=eligible, params=p, rng=rng)
    near = reach[rows].tolist()
    shared: dict[int, int] = {}
    for row in near:
        for v in row:
            if v >= 0:
                shared[v] = shared.get(v, 0) + 1
    gain = _momentum_of(bands, rows, p)
    pop = villages.population.copy()
    support, grievance, fear = villages.support, villages.grievance, villages.fear
    willing: dict[int, float] = {}
    by_band = [0] * nb
    for i, row, m in zip(rows, near, gain, strict=True):
        boost = 1.0 + p.success_recruit_gain * m if m > 0 else max(1.0 + p.defeat_recruit_cut * m,
                                                                   0.0)
        for v in row:
            if v < 0:
                continue
            w = willing.get(v)
            if w is None:
                lean = clip(2.0 * (float(support[v]) - NEUTRAL_SUPPORT), 0.0, 1.0)
                w = willing[v] = clip(p.recruit_rate * lean * float(grievance[v])
                                      * (1.0 - p.fear_deterrence * float(fear[v])), 0.0, 1.0)
            # the men as the day began (pop is lowered as bands take them)
            men = math.floor(int(villages.population[v]) * p.men_share) // shared[v]
            got = binomial(rng, men, clip(w * boost, 0.0, 1.0))
            if got:
                by_band[i] += got
                pop[v] -= got
    new_b = replace(bands, fighters=bands.fighters + np.array(by_band, dtype=np.int64))
    new_v = replace(villages, population=pop)
    out: list[Events] = []
    took = [i for i in rows if by_band[i] > 0]
    if took:
        out.append(events("recruitment", "insurgent", unit=took, cell=bands.cell[took],
                          n=[by_band[i] for i in took]))
    return new_b, new_v, out


def recruit_numpy(
    bands: Bands,
    villages: Villages,
    *,
    reach: I64,
    eligible: Bool,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, Villages, list[Events]]:
    """:func:`recruit` as whole-array numpy code (the same tables, events and draws: numpy
    draws nothing where there are no men or no chance, and draws the others in row order).

    Used by :func:`recruit` for more than ``rowwise.ROWWISE_MAX_BANDS`` recruiting bands;
    parameters and returns as there.
    """
    p = params
    nb, _k = reach.shape
    nv = len(villages)
    if nb == 0 or nv == 0:
        return bands, villages, []
    ok = (reach >= 0) & eligible[:, None]
    vi = np.where(ok, reach, 0)
    lean = np.clip(2.0 * (villages.support[vi] - NEUTRAL_SUPPORT), 0.0, 1.0)
    willing = np.clip(p.recruit_rate * lean * villages.grievance[vi]
                      * (1.0 - p.fear_deterrence * villages.fear[vi]), 0.0, 1.0)
    prob = np.clip(willing * momentum_gain(momentum(bands, p), p)[:, None], 0.0, 1.0)
    # Each band sees the village's men; a village shared by several bands splits its men.
    shared = np.bincount(vi[ok], minlength=nv)
    men = np.floor(villages.population[vi] * p.men_share).astype(np.int64)
    per_band = np.where(ok, men // np.maximum(shared[vi], 1), 0)
    got = np.where(ok, rng.binomial(per_band, np.where(ok, prob, 0.0)).astype(np.int64), 0)
    by_village = np.bincount(vi.reshape(-1), weights=got.reshape(-1), minlength=nv)
    by_band = got.sum(axis=1)
    new_b = replace(bands, fighters=bands.fighters + by_band)
    new_v = replace(villages, population=villages.population - by_village.astype(np.int64))
    took = np.flatnonzero(by_band > 0)
    out = []
    if took.size:
        out.append(events("recruitment", "insurgent", unit=took, cell=bands.cell[took],
                          n=by_band[took]))
    return new_b, new_v, out


def sanctuary_recruit(
    bands: Bands,
    refugees: int,
    *,
    in_sanctuary: Bool,
    share: float,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """Bands in the Afghan sanctuary, or winning across the border, recruit among refugees.

    Bands in the sanctuary also recover morale.

    Parameters
    ----------
    bands : Bands
    refugees : int
        Refugees abroad.
    in_sanctuary : ndarray of bool, shape (n_bands,)
        Active bands on the Afghan side (active bands elsewhere with positive momentum
        draw refugees too).
    share : float
        1 when the sanctuary is open, 0.5 when tolerated, 0 when closed or hostile.
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    bands : new table
    refugees : int
        Refugees left.
    events : list of Events
        ``recruitment`` (side ``"insurgent"``, ``refugees`` = 1).
    """
    p = params
    nb = len(bands)
    ins, act = in_sanctuary.tolist(), bands.active.tolist()
    morale = bands.morale.copy()
    for i in range(nb):
        if ins[i]:
            morale[i] = clip(float(morale[i]) + p.sanctuary_morale * share, 0.0, 1.0)
    on = [i for i in range(nb) if act[i]]
    m_on = _momentum_of(bands, on, p)
    pull = [1.0 if ins[i] else 0.0 for i in range(nb)]
    for i, x in zip(on, m_on, strict=True):
        if not ins[i]:
            pull[i] = x if x > 0.0 else 0.0  # np.maximum(x, 0.0): +0.0 for -0.0
    if not any(x > 0 for x in pull) or share <= 0 or refugees <= 0:
        return replace(bands, morale=morale), refugees, []
    m = np.zeros(nb)
    m[on] = m_on
    # Bands abroad grow toward the willing share of the refugee men, not beyond it.
    willing = int(refugees * p.men_share * p.refugee_willing_share)
    under_arms = int(bands.fighters[in_sanctuary].sum())
    men = max(willing - under_arms, 0)
    best = float(m[bands.active].max()) if bands.active.any() else 0.0
    rate = p.refugee_recruit_rate * share * float(momentum_gain(np.array([best]), p)[0])
    total = int(rng.binomial(men, min(rate, 1.0)))
    # Split among the bands in the sanctuary in proportion to their size (plus one), and
    # the bands with momentum on the Soviet side in proportion to size times momentum.
    w = (bands.fighters + 1.0) * np.array(pull)
    got = rng.multinomial(total, w / w.sum()).astype(np.int64)
    new_b = replace(bands, fighters=bands.fighters + got, morale=morale)
    rows = np.flatnonzero(got > 0)
    out = []
    if rows.size:
        out.append(events("recruitment", "insurgent", unit=rows, cell=bands.cell[rows], n=got[rows],
                          refugees=1.0))
    return new_b, refugees - total, out


def intelligence(
    villages: Villages,
    *,
    reach: I64,
    scouts: bool,
    params: PopulationParams,
) -> tuple[F64, F64, F64]:
    """What the villages in reach tell about each band.

    Parameters
    ----------
    villages : Villages
    reach : ndarray of int64, shape (n_bands, k)
    scouts : bool
        Whether the state uses local scouts (switch ``local_scouts``).
    params : PopulationParams

    Returns
    -------
    concealment : ndarray of float64, shape (n_bands,)
        Multiplier of the band's concealment (1 neutral).
    informing, warning : ndarray of float64, shape (n_bands,)
        Population-weighted intensities in [0, 1].
    """
    p = params
    nb = reach.shape[0]
    if nb == 0 or len(villages) == 0:
        return np.ones(nb), np.zeros(nb), np.zeros(nb)
    # Whole-array numpy over the (n_bands, k) villages in reach (a few hundred entries), with
    # the ufuncs called directly: a Python loop over the entries would cost more.
    ok = reach >= 0
    vi = np.where(ok, reach, 0)
    s = villages.support[vi]  # only the villages in reach
    inform = clip_array((p.inform_threshold - s) / max(p.inform_threshold, 1e-9), 0.0, 1.0)
    warn = clip_array((s - p.warn_threshold) / max(1.0 - p.warn_threshold, 1e-9), 0.0, 1.0)
    w = np.where(ok, villages.population[vi].astype(np.float64), 0.0)
    tot = np.add.reduce(w, axis=1)
    some = tot > 0
    i_ = np.divide(np.add.reduce(w * inform, axis=1), tot, out=np.zeros(nb), where=some)
    w_ = np.divide(np.add.reduce(w * warn, axis=1), tot, out=np.zeros(nb), where=some)
    gain = 1.0 + (p.scouts_inform_gain if scouts else 0.0)
    i_ = clip_array(i_ * gain, 0.0, 1.0)
    conc = clip_array(1.0 - p.inform_penalty * i_ + p.warn_bonus * w_,
                      1.0 - p.inform_penalty, 1.0 + p.warn_bonus)
    return conc, i_, w_
