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
from sim.kernels import rowwise
from sim.kernels.rowwise import binomial, clip
from sim.params.population import PopulationParams
from sim.state import Bands, Leaders, LeaderStatus, replace

__all__ = ["LeaderFate", "leader_fate", "leaderless_day", "leaderless_day_numpy", "leading"]

# The statuses as plain ints (comparisons with them skip the enum's attribute lookups).
_ACTIVE, _WOUNDED, _EXILED = int(LeaderStatus.ACTIVE), int(LeaderStatus.WOUNDED), int(LeaderStatus.EXILED)
_KILLED, _CAPTURED = int(LeaderStatus.KILLED), int(LeaderStatus.CAPTURED)
#: The leaders' fates, in the order of their event batches.
_FATES = ("leader_killed", "leader_wounded", "leader_captured", "leader_betrayed",
          "leader_exit", "leader_return", "leader_recovered")

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
    nl, nb = len(leaders), len(bands)
    # For each leader his band with the most fighters (ties: the later row), row by row.
    best: dict[int, tuple[int, int]] = {}
    for row, (act, men, lead) in enumerate(zip(bands.active.tolist(), bands.fighters.tolist(),
                                               bands.leader.tolist(), strict=True)):
        if act and men > 0 and 0 <= lead < nl:
            held = best.get(lead)
            if held is None or men >= held[0]:
                best[lead] = (men, row)
    leader_band = [-1] * nl
    led_by = [-1] * nb
    status = leaders.status.tolist()
    for lead, (_, row) in best.items():
        leader_band[lead] = row
        if status[lead] in (_ACTIVE, _EXILED):
            led_by[row] = lead
    return np.array(leader_band, dtype=np.int64), np.array(led_by, dtype=np.int64)


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
    lbs, cells = leader_band.tolist(), bands.cell.tolist()
    out = []
    for lead, cell in zip(bands.leader.tolist(), cells, strict=True):
        lb = lbs[lead] if 0 <= lead < nl else -1
        if lb < 0:
            out.append(1.0)
            continue
        r1, c1 = divmod(cell, ncols)
        r2, c2 = divmod(cells[lb], ncols)
        out.append(clip(max(abs(r1 - r2), abs(c1 - c2)) / scale, 0.0, 1.0))
    return np.array(out, dtype=np.float64)


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
    # The day's four uniforms per leader (fate, betrayal, exit, return) in one call: the
    # same numbers as four calls of nl each.
    u_fate, u_betray, u_exit, u_return = rng.random((4, nl)).tolist()
    fighters, losses = bands.fighters.tolist(), bands.recent_losses.tolist()
    hunger, morale = bands.hunger.tolist(), bands.morale.tolist()
    kil, wou, cap = killed.tolist(), wounded.tolist(), captured.tolist()
    inf, afg = informing.tolist(), afghan_band.tolist()
    status, recovery = leaders.status.tolist(), leaders.recovery.tolist()
    caution = leaders.caution.tolist()
    kinds: dict[str, list[int]] = {k: [] for k in _FATES}
    betrayed: list[int] = []
    left: list[int] = []
    came_back: list[int] = []
    for i, lb in enumerate(leader_band.tolist()):
        was = st = status[i]
        has = lb >= 0
        b = lb if has else 0
        if st == _WOUNDED:  # recovery of the wounded
            recovery[i] -= 1.0
            if recovery[i] <= 0:
                st, recovery[i] = _ACTIVE, 0.0
                if has:
                    kinds["leader_recovered"].append(i)
        if not has:
            status[i] = st
            continue
        free = False
        if st in (_ACTIVE, _EXILED):
            before = max(fighters[b] + kil[b] + wou[b] + cap[b], 1.0)
            pk = p.leader_exposure * kil[b] / before
            pw = p.leader_exposure * wou[b] / before
            pc = p.leader_exposure * cap[b] / before
            u = u_fate[i]
            if u < pk:
                st = _KILLED
                kinds["leader_killed"].append(i)
            elif u < pk + pw:
                st, recovery[i] = _WOUNDED, p.wound_days
                kinds["leader_wounded"].append(i)
            elif u < pk + pw + pc:
                st = _CAPTURED
                kinds["leader_captured"].append(i)
            else:
                free = st == _ACTIVE and not afg[b]
        if free:
            # Betrayal by villages that have turned.
            if (u_betray[i] < clip(p.betrayal_rate * inf[b], 0.0, 1.0)) and fighters[b] > 0:
                st = _CAPTURED
                kinds["leader_betrayed"].append(i)
                betrayed.append(b)
            else:
                # Exit to Afghanistan.
                men = max(fighters[b] + losses[b], 1.0)
                pressure = max(clip(hunger[b], 0.0, 1.0),
                               clip(losses[b] / men / p.losses_scale, 0.0, 1.0),
                               1.0 - clip(morale[b], 0.0, 1.0))
                if u_exit[i] < clip(p.exit_rate * caution[i] * pressure, 0.0, 1.0):
                    st = _EXILED
                    kinds["leader_exit"].append(i)
                    left.append(b)
        if (was == _EXILED and afg[b] and not hostile and morale[b] >= p.return_morale
                and u_return[i] < p.return_rate):  # return from exile
            st = _ACTIVE
            kinds["leader_return"].append(i)
            came_back.append(b)
        status[i] = st

    bd = bands
    if betrayed or left or came_back:
        # betrayal takes a man, exit and return move the home: the only fields written
        bd = replace(bands, fighters=bands.fighters.copy(), home=bands.home.copy())
        for b in betrayed:
            bd.fighters[b] -= 1
        for b in left:
            bd.home[b] = nearest_afghan[bands.cell[b]]
        for b in came_back:
            bd.home[b] = origin_home[b]
    cell = bands.cell
    lb_all = leader_band
    for kind in _FATES:
        r = kinds[kind]
        if r:
            rows = np.array(r, dtype=np.int64)
            out.append(events(kind, "insurgent", unit=lb_all[rows], cell=cell[lb_all[rows]], n=1,
                              leader=rows))
    new_l = replace(leaders, status=np.array(status, dtype=np.int64),
                    recovery=np.array(recovery, dtype=np.float64))
    return LeaderFate(bd, new_l, len(betrayed), out)


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
    nb = len(bands)
    if nb > rowwise.ROWWISE_MAX_BANDS:
        return leaderless_day_numpy(bands, leaderless=leaderless, params=p, rng=rng)
    fighters, morale = bands.fighters.tolist(), bands.morale.tolist()
    act = [(lost and on and men > 0) for lost, on, men in
           zip(leaderless.tolist(), bands.active.tolist(), fighters, strict=True)]
    # Fragmentation, drawn band by band in row order (as one binomial over the table).
    frag = [binomial(rng, fighters[i], clip(p.fragment_rate * (1.0 - morale[i]), 0.0, 1.0))
            if act[i] else 0 for i in range(nb)]
    u = rng.random(nb).tolist()
    # Then dispersal, and the table's new columns, in one pass over the bands.
    losses = bands.recent_losses.tolist()
    men, lost, gone_d = [0] * nb, [0.0] * nb, [0] * nb
    dispersed, fragmented = [], []
    for i in range(nb):
        left = fighters[i] - frag[i]
        if act[i] and morale[i] < p.disperse_morale and u[i] < p.disperse_rate:
            dispersed.append(i)
            gone_d[i] = left
        men[i] = left - gone_d[i]
        lost[i] = losses[i] + frag[i] + gone_d[i]
        if frag[i] > 0:
            fragmented.append(i)
    active = bands.active.copy()
    active[dispersed] = False
    new_b = replace(bands, fighters=np.array(men, dtype=np.int64), active=active,
                    recent_losses=np.array(lost, dtype=np.float64))
    out: list[Events] = []
    if fragmented:
        out.append(events("fragmentation", "insurgent", unit=fragmented,
                          cell=bands.cell[fragmented], n=[frag[i] for i in fragmented]))
    if dispersed:
        out.append(events("band_dispersed", "insurgent", unit=dispersed,
                          cell=bands.cell[dispersed], n=[gone_d[i] for i in dispersed]))
    return new_b, sum(frag) + sum(gone_d), out


def leaderless_day_numpy(
    bands: Bands,
    *,
    leaderless: Bool,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """:func:`leaderless_day` as whole-array numpy code (the same tables, events and draws),
    used for more than ``rowwise.ROWWISE_MAX_BANDS`` bands; parameters and returns as there."""
    p = params
    act = leaderless & bands.active & (bands.fighters > 0)
    frag = rng.binomial(np.where(act, bands.fighters, 0),
                        np.clip(p.fragment_rate * (1.0 - bands.morale), 0.0, 1.0) * act)
    left = bands.fighters - frag
    disperse = act & (bands.morale < p.disperse_morale) & (rng.random(len(bands)) < p.disperse_rate)
    gone_d = np.where(disperse, left, 0)
    new_b = replace(
        bands, fighters=(left - gone_d).astype(np.int64), active=bands.active & ~disperse,
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


