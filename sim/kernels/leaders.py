"""Leaders: who leads which band, their fate, and what happens to leaderless bands.

A leader rides with the largest active band that names him; he *leads* it while
he is active or in exile (a wounded, dead, captured or surrendered leader leads no
one). His other bands follow him from afar (``leader_far``).

Fate, each day, for the leader of band ``b``:

* combat: he is among the band's casualties with probability ``leader_exposure``
  times the share of the band killed / wounded / captured today (a wounded leader
  is out for ``wound_days``);
* betrayal: on the Soviet side, villages in reach that inform on the band betray
  him with probability ``betrayal_rate * informing`` (he is captured);
* exit: a leader of a hungry, beaten or demoralised band leaves for Afghanistan
  with probability ``exit_rate * caution * pressure`` (the band's home becomes the
  nearest Afghan cell); he comes back when his band in the sanctuary has recovered
  (morale above ``return_morale``) with probability ``return_rate``.

A band with no leader leading it loses ``fragment_rate * (1 - morale)`` of its men
a day (they drift home) and, below ``disperse_morale``, disperses altogether with
probability ``disperse_rate``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.params.population import PopulationParams
from sim.state import Bands, Leaders, LeaderStatus, replace

__all__ = ["LeaderFate", "leader_fate", "leaderless_day", "leading"]

# The statuses as plain ints (comparisons with them skip the enum's attribute lookups).
_ACTIVE, _WOUNDED, _EXILED = int(LeaderStatus.ACTIVE), int(LeaderStatus.WOUNDED), int(LeaderStatus.EXILED)
_KILLED, _CAPTURED = int(LeaderStatus.KILLED), int(LeaderStatus.CAPTURED)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def leading(bands: Bands, leaders: Leaders) -> tuple[I64, I64]:
    """Which band each leader rides with, and which leader leads each band.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,).
    leaders : Leaders
        Shape (n_leaders,).

    Returns
    -------
    leader_band : ndarray of int64, shape (n_leaders,)
        Band row each leader rides with (his largest active band), -1 if none.
    led_by : ndarray of int64, shape (n_bands,)
        Leader leading each band today, -1 if none (leader absent, wounded, dead ...).
    """
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


def leader_distance(bands: Bands, leader_band: I64, *, ncols: int, scale: float) -> F64:
    """Distance of each band from its leader in [0, 1]; 1 when he rides with no band.

    Parameters
    ----------
    bands : Bands
    leader_band : ndarray of int64, shape (n_leaders,)
    ncols : int
        Grid columns (cells are flat indices).
    scale : float
        Chebyshev distance in cells counted as fully apart.

    Returns
    -------
    ndarray of float64, shape (n_bands,)
    """
    nl = leader_band.size
    has = (bands.leader >= 0) & (bands.leader < nl)
    lb = np.where(has, leader_band[np.where(has, bands.leader, 0)] if nl else -1, -1)
    lcell = np.where(lb >= 0, bands.cell[np.maximum(lb, 0)], 0)
    r1, c1 = np.divmod(bands.cell, ncols)
    r2, c2 = np.divmod(lcell, ncols)
    d = np.maximum(np.abs(r1 - r2), np.abs(c1 - c2)) / scale
    return np.where(lb >= 0, np.clip(d, 0.0, 1.0), 1.0)


@dataclasses.dataclass(frozen=True)
class LeaderFate:
    """Leaders and bands after the day's fates.

    Attributes
    ----------
    bands : Bands
    leaders : Leaders
    betrayed : int
        Leaders captured by betrayal (taken out of their band's fighters).
    events : list of Events
    """

    bands: Bands
    leaders: Leaders
    betrayed: int
    events: list[Events]


def leader_fate(
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
    """Wounding, death, capture, betrayal, exit and return of leaders.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,) (not modified).
    leaders : Leaders
        Shape (n_leaders,) (not modified).
    leader_band : ndarray of int64, shape (n_leaders,)
        From :func:`leading`.
    killed, wounded, captured : ndarray of float64, shape (n_bands,)
        Men each band lost in combat today.
    informing : ndarray of float64, shape (n_bands,)
        Informing intensity of the villages in reach in [0, 1].
    afghan_band : ndarray of bool, shape (n_bands,)
        Bands on the Afghan side.
    hostile : bool
        Whether the Afghan side is hostile (no return from exile to a safe rest).
    nearest_afghan : ndarray of int64, shape (n_cells,)
        Nearest Afghan cell of each cell.
    origin_home : ndarray of int64, shape (n_bands,)
        Home cell each band had at the start (restored when its leader comes back).
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    LeaderFate
        Events (side ``"insurgent"``, unit = band): ``leader_killed``,
        ``leader_wounded``, ``leader_captured``, ``leader_betrayed``, ``leader_exit``,
        ``leader_return``, ``leader_recovered``.
    """
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


def leaderless_day(
    bands: Bands,
    *,
    leaderless: Bool,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """Leaderless bands fragment (men drift home) and may disperse.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,) (not modified).
    leaderless : ndarray of bool, shape (n_bands,)
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    bands : new table
    gone : int
        Men who went home (deserted).
    events : list of Events
        ``fragmentation`` and ``band_dispersed`` (side ``"insurgent"``).
    """
    p = params
    act = leaderless & bands.active & (bands.fighters > 0)
    frag = rng.binomial(np.where(act, bands.fighters, 0),
                        np.clip(p.fragment_rate * (1.0 - bands.morale), 0.0, 1.0) * act)
    left = bands.fighters - frag
    disperse = act & (bands.morale < p.disperse_morale) & (rng.random(len(bands)) < p.disperse_rate)
    gone_d = np.where(disperse, left, 0)
    fighters = left - gone_d
    new_b = replace(
        bands, fighters=fighters.astype(np.int64),
        active=bands.active & ~disperse,
        recent_losses=bands.recent_losses + frag + gone_d,
    )
    out: list[Events] = []
    r = np.flatnonzero(frag > 0)
    if r.size:
        out.append(events("fragmentation", "insurgent", unit=r, cell=bands.cell[r], n=frag[r]))
    r = np.flatnonzero(disperse)
    if r.size:
        out.append(events("band_dispersed", "insurgent", unit=r, cell=bands.cell[r], n=gone_d[r]))
    return new_b, int(frag.sum() + gone_d.sum()), out
