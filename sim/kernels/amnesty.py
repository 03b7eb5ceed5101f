"""Amnesty: take-up by fighters and leaders, destitution and arrest of returnees, relapse.

Take-up. While an amnesty window is in force, each fighter of an active band
surrenders today with probability

    p = amnesty_rate * credibility * trust * (floor + (1 - floor) * pull)
        * (1 + leaderless_amnesty [band without a leading leader])
    pull = prod_i (1 - w_i + w_i x_i)

over the conditions ``x_i`` in [0, 1]: hunger, recent losses (share of the band,
saturating at ``losses_scale``), 1 - morale, distance from the leader (saturating at
``leader_distance_cells``) and being cut off (no village leaning to the band in
reach and no open sanctuary). Each weight ``w_i`` in [0, 1] says how far the
condition is needed: the pull is 1 only when every weighted condition holds (a
beaten, hungry, demoralised band far from its leader and cut off comes in at the
full rate, most of it over a long window) and falls by ``1 - w_i`` for each that
does not (a fed, winning band with its leader and friends around comes in at about
the floor).

so an amnesty of zero credibility (or after trust is gone) draws no one. A leader
with his band surrenders with probability ``leader_amnesty_rate * credibility * trust
* (1 - authority)``. The surrendered go home: they are kept per village in
:class:`~sim.state.VillageMemory` (``surrendered``), outside the village population.

Aftermath (every day, window or not). Returnees are left destitute at
``destitution_rate``; they are arrested on denunciation at ``arrest_rate`` times
``1 - credibility`` of the amnesty in force (0 outside windows) times the village's
hostility to the insurgents ``2 (1 - support)`` (doubled while show trials or
executions are in force), and after an arrest a share ``arrest_flight`` of the
other returnees of that village goes into hiding (destitute). Only destitute
returnees go back to a band in reach (relapse), at ``relapse_rate``. Trust in amnesty
falls by ``trust_loss`` times the share of returnees made destitute or arrested in
the day and recovers at ``trust_recovery``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.rowwise import clip_array
from sim.params.population import PopulationParams
from sim.state import Bands, VillageMemory, Villages, replace

__all__ = ["AmnestyResult", "aftermath", "take_up"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def pull(
    bands: Bands, *, leader_far: F64, params: PopulationParams, cut_off: F64 | None = None
) -> F64:
    """The pull of an amnesty on each band's fighters in [0, 1] (shape (n_bands,)).

    ``cut_off`` (shape (n_bands,), in [0, 1]; zeros when omitted) says how far each band
    is cut off from friendly villages and the sanctuary.
    """
    p = params
    men = np.maximum(bands.fighters + bands.recent_losses, 1.0)
    losses = np.clip(bands.recent_losses / men / p.losses_scale, 0.0, 1.0)
    cut = np.zeros(len(bands)) if cut_off is None else np.clip(cut_off, 0.0, 1.0)
    raw = np.ones(len(bands))
    for w, x in (
        (p.weight_hunger, np.clip(bands.hunger, 0.0, 1.0)),
        (p.weight_losses, losses),
        (p.weight_morale, 1.0 - np.clip(bands.morale, 0.0, 1.0)),
        (p.weight_leader, np.clip(leader_far, 0.0, 1.0)),
        (p.weight_cut_off, cut),
    ):
        raw = raw * (1.0 - w + w * x)
    return np.asarray(p.amnesty_floor + (1.0 - p.amnesty_floor) * raw, dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class AmnestyResult:
    """What an amnesty day did.

    Attributes
    ----------
    bands : Bands
    memory : VillageMemory
    surrendered : ndarray of int64, shape (n_bands,)
        Fighters of each band who surrendered today.
    leader_surrendered : ndarray of bool, shape (n_bands,)
        Bands whose leader surrendered today.
    unplaced : int
        Surrendered men with no village to go to (counted as deserted by the caller).
    events : list of Events
    """

    bands: Bands
    memory: VillageMemory
    surrendered: I64
    leader_surrendered: Bool
    unplaced: int
    events: list[Events]


def take_up(
    bands: Bands,
    memory: VillageMemory,
    *,
    credibility: F64 | float,
    trust: float,
    leader_far: F64,
    leaderless: Bool,
    leader_here: Bool,
    authority: F64,
    home_village: I64,
    params: PopulationParams,
    rng: np.random.Generator,
    cut_off: F64 | None = None,
) -> AmnestyResult:
    """Surrenders of one day under an amnesty window.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,) (not modified).
    memory : VillageMemory
        Shape (n_villages,) (not modified).
    credibility : float or ndarray of float64, shape (n_bands,)
        Credibility of today's window in [0, 1] where each band stands (0 when no
        window is in force there: a window limited to a region draws only the bands
        inside it).
    trust : float
        Current trust in amnesty promises in [0, 1].
    leader_far : ndarray of float64, shape (n_bands,)
        Distance from the leader in [0, 1] (1 for leaderless bands).
    leaderless : ndarray of bool, shape (n_bands,)
        Bands with no leader leading them today.
    leader_here : ndarray of bool, shape (n_bands,)
        Bands with which their (active) leader rides.
    authority : ndarray of float64, shape (n_bands,)
        Authority of each band's leader (0 when none).
    home_village : ndarray of int64, shape (n_bands,)
        Village each band's men go home to, -1 if none.
    params : PopulationParams
    rng : numpy.random.Generator
    cut_off : ndarray of float64, shape (n_bands,), optional
        1 where the band is cut off from friendly villages and the sanctuary.

    Returns
    -------
    AmnestyResult
        Events: ``surrender`` (side ``"insurgent"``, ``village`` = where they went) and
        ``leader_surrender``.
    """
    p = params
    nb = len(bands)
    c = np.clip(np.broadcast_to(np.asarray(credibility, dtype=np.float64) * trust, (nb,)), 0.0, 1.0)
    act = bands.active & (bands.fighters > 0)
    if nb == 0 or not np.any(c > 0.0):
        z = np.zeros(nb, dtype=np.int64)
        return AmnestyResult(bands, memory, z, np.zeros(nb, dtype=bool), 0, [])
    prob = p.amnesty_rate * c * pull(bands, leader_far=leader_far, params=p, cut_off=cut_off)
    prob = prob * (1.0 + p.leaderless_amnesty * leaderless)
    prob = np.clip(np.where(act, prob, 0.0), 0.0, 1.0)
    k = rng.binomial(np.where(act, bands.fighters, 0), prob).astype(np.int64)
    lead_p = np.clip(p.leader_amnesty_rate * c * (1.0 - authority), 0.0, 1.0)
    lead = act & leader_here & (rng.random(nb) < lead_p)
    # The leader is one of the band's fighters.
    k = np.minimum(k + lead, bands.fighters)
    placed = home_village >= 0
    nv = len(memory)
    add = np.bincount(np.where(placed, home_village, 0), weights=np.where(placed, k, 0),
                      minlength=nv).astype(np.int64)[:nv] if nv else np.zeros(0, np.int64)
    unplaced = int(k[~placed].sum()) if nv else int(k.sum())
    new_b = replace(bands, fighters=bands.fighters - k)
    new_m = replace(memory, surrendered=memory.surrendered + add)
    out: list[Events] = []
    rows = np.flatnonzero(k > 0)
    if rows.size:
        out.append(events("surrender", "insurgent", unit=rows, cell=bands.cell[rows], n=k[rows],
                          village=home_village[rows], credibility=c[rows]))
    rows = np.flatnonzero(lead)
    if rows.size:
        out.append(events("leader_surrender", "insurgent", unit=rows, cell=bands.cell[rows], n=1))
    return AmnestyResult(new_b, new_m, k, lead, unplaced, out)


def aftermath(
    bands: Bands,
    memory: VillageMemory,
    villages: Villages,
    *,
    trust: float,
    band_in_reach: I64,
    repression: bool,
    params: PopulationParams,
    rng: np.random.Generator,
    fairness: F64 | float = 0.0,
    credibility: float = 0.0,
) -> tuple[Bands, VillageMemory, float, int, list[Events]]:
    """Destitution, arrest, hiding and relapse of returnees; trust in amnesty.

    Parameters
    ----------
    bands : Bands
    memory : VillageMemory
    villages : Villages
        For support (denunciation) and cells.
    trust : float
    band_in_reach : ndarray of int64, shape (n_villages,)
        An active band within reach of each village, -1 if none.
    repression : bool
        Whether show trials or executions are in force today.
    params : PopulationParams
    rng : numpy.random.Generator
    fairness : float or ndarray of float64, shape (n_villages,)
        In [0, 1]: how far returnees in each village are treated fairly (the
        ``fair_amnesty`` policy); destitution and arrest fall by this share.
    credibility : float
        Credibility of the amnesty window in force today (0 outside windows): arrests
        are scaled by ``1 - credibility``.

    Returns
    -------
    bands, memory : new tables
    trust : float
    arrested : int
        Returnees arrested today (imprisoned).
    events : list of Events
        ``destitution``, ``arrest``, ``hiding`` (side ``"village"``) and ``relapse``
        (side ``"insurgent"``, ``village`` = where they came from).
    """
    p = params
    out: list[Events] = []
    sur, des = memory.surrendered, memory.destitute
    total = int(sur.sum())
    if len(memory) == 0 or total == 0:
        return bands, memory, float(min(1.0, trust + p.trust_recovery * (1.0 - trust))), 0, out
    # Only villages with returnees have anything to draw: the draws over them, in the
    # order of their rows, are those over the whole table.
    rows = ((sur != 0) | (des != 0)).nonzero()[0]
    sur_r, des_r = sur[rows], des[rows]
    settled = sur_r - des_r
    unfair = 1.0 - clip_array(fairness, 0.0, 1.0)
    unfair = unfair[rows] if np.ndim(unfair) else unfair
    new_des = rng.binomial(settled, p.destitution_rate * unfair).astype(np.int64)
    settled = settled - new_des
    hostility = clip_array(p.arrest_hostility_slope * (1.0 - villages.support[rows]), 0.0, 1.0)
    factor = p.repression_arrest_factor if repression else 1.0
    arr_p = clip_array(p.arrest_rate * (1.0 - credibility) * hostility * factor * unfair, 0.0, 1.0)
    arrested = rng.binomial(settled, arr_p).astype(np.int64)
    settled = settled - arrested
    hide = np.where(arrested > 0, rng.binomial(settled, p.arrest_flight), 0).astype(np.int64)
    des2 = des_r + new_des + hide
    sur2 = sur_r - arrested
    near = band_in_reach[rows]
    can = near >= 0
    relapse = np.where(can, rng.binomial(des2, p.relapse_rate), 0).astype(np.int64)
    des2 = des2 - relapse
    sur2 = sur2 - relapse
    to_band = np.bincount(np.where(can, near, 0), weights=relapse,
                          minlength=len(bands)).astype(np.int64)[: len(bands)]
    new_b = replace(bands, fighters=bands.fighters + to_band)
    broken = float(new_des.sum() + hide.sum() + arrested.sum()) / max(total, 1)
    trust2 = float(clip_array(trust - p.trust_loss * broken + p.trust_recovery * (1.0 - trust),
                              0.0, 1.0))
    for kind, arr in (("destitution", new_des), ("arrest", arrested), ("hiding", hide)):
        r = rows[arr > 0]
        if r.size:
            out.append(events(kind, "village", unit=r, cell=villages.cell[r], n=arr[arr > 0]))
    r = (relapse > 0).nonzero()[0]
    if r.size:
        out.append(events("relapse", "insurgent", unit=near[r], cell=villages.cell[rows[r]],
                          n=relapse[r], village=rows[r]))
    sur_all, des_all = sur.copy(), des.copy()
    sur_all[rows] = sur2
    des_all[rows] = des2
    new_m = replace(memory, surrendered=sur_all, destitute=des_all)
    return new_b, new_m, trust2, int(arrested.sum()), out
