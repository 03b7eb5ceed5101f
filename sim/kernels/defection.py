"""Defection both ways: bands, clans and tribes to the state; soldiers to the bands; rivals.

* A band whose home village has sided with the state switches sides with daily
  probability ``band_defect_rate * (1 - morale) * (1 - authority)``; a clan
  (``clan_share`` of it) alone with ``clan_defect_rate`` times the same factor. The
  men become a state volunteer detachment in the band's reserved column row
  (``volunteer_row``, pre-allocated inactive at build time) with orders to pursue:
  it hunts its former leader. A leader riding with a band that switches keeps an
  escort (``escort_share``) and the band row stays his.
* A converted home village (a tribe) raises levies into the same detachment at
  ``levy_rate`` of its men per day (P23-13: the 60-man Lokai detachment).
* Soldiers desert with probability ``state_desert_rate * losing * (1 - morale)``,
  ``local_desert_multiplier`` times more in volunteer units; ``desert_to_band`` of
  them join a band standing in their cell, the rest go home.
* Bands of rival leaders standing in the same cell fight each other with daily
  probability ``rival_clash_rate``, each losing ``rival_clash_loss`` of its men.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.rowwise import binomial, clip
from sim.params.population import PopulationParams
from sim.state import Bands, ColumnKind, Columns, Order, Villages, replace

__all__ = ["band_switch", "levy", "rival_clash", "state_desertion"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

#: The fields of the volunteer rows :func:`_activate` writes.
_ACTIVATED = ("strength", "kind", "cell", "home", "order", "target", "morale", "supply", "active")
# The codes as plain ints (no enum attribute lookups in the loops).
_PURSUE, _VOLUNTEER = int(Order.PURSUE), int(ColumnKind.VOLUNTEER)


def _activate(columns: Columns, rows: I64, men: I64, cells: I64, homes: I64,
              p: PopulationParams) -> Columns:
    """Put ``men`` into the volunteer rows ``rows`` (unique), activating them if needed
    (``columns`` itself when ``rows`` is empty; a new table otherwise)."""
    if rows.size == 0:
        return columns
    c = replace(columns, **{f: getattr(columns, f).copy() for f in _ACTIVATED})
    for r, m, cell, home in zip(rows.tolist(), men.tolist(), cells.tolist(), homes.tolist(),
                                strict=True):
        if not (c.active[r] and c.strength[r] > 0):  # a new detachment
            c.cell[r], c.home[r], c.order[r], c.target[r] = cell, home, _PURSUE, -1
            c.morale[r], c.supply[r] = p.volunteer_morale, p.volunteer_supply_days
        c.strength[r] += m
        c.kind[r] = _VOLUNTEER
        c.active[r] = c.active[r] or m > 0
    return c


def band_switch(
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
    """Whole bands and clans switch to the state.

    Parameters
    ----------
    bands : Bands
        Shape (n_bands,) (not modified).
    columns : Columns
        Shape (n_columns,) (not modified).
    home_side : ndarray of int64, shape (n_bands,)
        Side of each band's home village (-1 state, 0 neutral, 1 insurgent).
    authority : ndarray of float64, shape (n_bands,)
        Authority of the leader leading each band (0 when leaderless).
    leader_here : ndarray of bool, shape (n_bands,)
        Whether the band's leader rides with it.
    volunteer_row : ndarray of int64, shape (n_bands,)
        Reserved volunteer column row of each band (-1: the band cannot switch).
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    bands, columns : new tables
    switched : int
        Men who changed sides.
    events : list of Events
        ``band_defection`` and ``clan_defection`` (side ``"insurgent"``, ``column`` =
        the detachment's row).
    """
    p = params
    nb = len(bands)
    u = rng.random(nb).tolist()  # one uniform per band, drawn for every row
    men = bands.fighters.tolist()
    k = [0] * nb
    kinds: dict[str, list[int]] = {"band_defection": [], "clan_defection": []}
    for i, (on, m, side, vrow) in enumerate(zip(bands.active.tolist(), men, home_side.tolist(),
                                                volunteer_row.tolist(), strict=True)):
        if not (on and m > 0 and side < 0 and vrow >= 0):
            continue
        factor = clip((1.0 - float(bands.morale[i])) * (1.0 - float(authority[i])), 0.0, 1.0)
        if u[i] < p.band_defect_rate * factor:  # the whole band, but the leader's escort
            escort = math.ceil(p.escort_share * m) if leader_here[i] else 0
            k[i] = min(m - min(escort, m), m)
            kind = "band_defection"
        elif u[i] < (p.band_defect_rate + p.clan_defect_rate) * factor:  # a clan
            k[i] = min(math.floor(p.clan_share * m), m)
            kind = "clan_defection"
        else:
            continue
        if k[i] > 0:
            kinds[kind].append(i)
    rows = [i for i in range(nb) if k[i] > 0]
    if not rows:
        fighters = bands.fighters.copy()
        return replace(bands, fighters=fighters, active=bands.active & (fighters > 0)), columns, 0, []
    ra, ka = np.array(rows, dtype=np.int64), np.array(k, dtype=np.int64)
    new_c = _activate(columns, volunteer_row[ra], ka[ra], bands.cell[ra], bands.home[ra], p)
    fighters = bands.fighters - ka
    new_b = replace(bands, fighters=fighters, active=bands.active & (fighters > 0))
    out: list[Events] = []
    for kind, r in kinds.items():
        if r:
            out.append(events(kind, "insurgent", unit=r, cell=bands.cell[r], n=ka[r],
                              column=volunteer_row[r]))
    return new_b, new_c, sum(k), out


def levy(
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
    """Converted home villages raise state volunteers against their band.

    Parameters
    ----------
    columns, villages : Columns, Villages
    home_village : ndarray of int64, shape (n_bands,)
        Home village of each band (-1 none).
    home_side : ndarray of int64, shape (n_bands,)
    band_home : ndarray of int64, shape (n_bands,)
        Home cell of each band (where a new detachment forms).
    volunteer_row : ndarray of int64, shape (n_bands,)
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    columns, villages : new tables
    levied : int
    events : list of Events
        ``levy`` (side ``"state"``, unit = detachment row, ``village`` = source).
    """
    p = params
    nv = len(villages)
    if nv == 0:
        return columns, villages, 0, []
    # The bands whose converted home village raises levies, and how many bands share it.
    homes = [(i, hv) for i, (hv, side, vrow) in enumerate(zip(
        home_village.tolist(), home_side.tolist(), volunteer_row.tolist(), strict=True))
        if hv >= 0 and side < 0 and vrow >= 0]
    if not homes:
        return columns, villages, 0, []
    shared: dict[int, int] = {}
    for _, hv in homes:
        shared[hv] = shared.get(hv, 0) + 1
    pop = villages.population
    rows, ks = [], []
    for i, hv in homes:  # drawn in row order, as one binomial over the bands
        avail = math.floor(int(pop[hv]) * p.men_share) // shared[hv]
        k = binomial(rng, avail, p.levy_rate)
        if k > 0:
            rows.append(i)
            ks.append(k)
    if not rows:
        return columns, replace(villages, population=pop.copy()), 0, []
    ra, ka = np.array(rows, dtype=np.int64), np.array(ks, dtype=np.int64)
    new_c = _activate(columns, volunteer_row[ra], ka, band_home[ra], band_home[ra], p)
    new_pop = pop.copy()
    for i, k in zip(rows, ks, strict=True):
        new_pop[home_village[i]] -= k
    new_v = replace(villages, population=new_pop)
    out = [events("levy", "state", unit=volunteer_row[ra], cell=band_home[ra], n=ka,
                  village=home_village[ra])]
    return new_c, new_v, sum(ks), out


def state_desertion(
    columns: Columns,
    bands: Bands,
    *,
    losing: float,
    band_of_cell: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Columns, Bands, int, int, list[Events]]:
    """Soldiers desert when the state is losing; some join the band in their cell.

    Parameters
    ----------
    columns, bands : Columns, Bands
    losing : float
        In [0, 1]: how badly the state is doing (e.g. share of towns held by insurgents).
    band_of_cell : ndarray of int64, shape (n_cells,)
        An active band in each cell, -1 where none.
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    columns, bands : new tables
    deserted : int
        Men who went home.
    defected : int
        Men who joined a band.
    events : list of Events
        ``desertion`` (side ``"state"``, ``to_band`` = men who joined the band ``band``).
    """
    p = params
    if losing == 0.0:  # no one deserts (and nothing is drawn)
        return columns, bands, 0, 0, []
    # Column by column (a few dozen): each pass draws in row order, as one call over the table.
    strength = columns.strength.tolist()
    base = p.state_desert_rate * losing
    k = [binomial(rng, s, clip(base * (1.0 - m) * (p.local_desert_multiplier
                                                  if kind == _VOLUNTEER else 1.0), 0.0, 1.0))
         if on and s > 0 else 0
         for s, on, kind, m in zip(strength, columns.active.tolist(), columns.kind.tolist(),
                                   columns.morale.tolist(), strict=True)]
    went = [binomial(rng, x, p.desert_to_band) for x in k]  # drawn for every deserter
    cells = columns.cell.tolist()
    target = band_of_cell[columns.cell].tolist() if band_of_cell.size else [-1] * len(cells)
    join = [j if t >= 0 and x > 0 else 0 for j, t, x in zip(went, target, k, strict=True)]
    fighters = bands.fighters.copy()
    for t, j in zip(target, join, strict=True):
        if j:
            fighters[t] += j
    new_b = replace(bands, fighters=fighters)
    new_c = replace(columns, strength=columns.strength - np.array(k, dtype=np.int64))
    out: list[Events] = []
    rows = [i for i, x in enumerate(k) if x > 0]
    if rows:
        out.append(events("desertion", "state", unit=rows, cell=columns.cell[rows],
                          n=[k[i] for i in rows], to_band=[join[i] for i in rows],
                          band=[target[i] for i in rows]))
    return new_c, new_b, sum(k) - sum(join), sum(join), out


def rival_clash(
    bands: Bands,
    *,
    rivals: Bool,
    leading: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Bands, int, list[Events]]:
    """Bands of rival leaders standing in the same cell may fight each other.

    Pairs are found among neighbours in cell order (a cell with three or more bands
    checks consecutive pairs only).

    Parameters
    ----------
    bands : Bands
    rivals : ndarray of bool, shape (n_leaders, n_leaders)
        Symmetric rivalry matrix.
    leading : ndarray of int64, shape (n_bands,)
        Leader leading each band today, -1 if none.
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    bands : new table
    killed : int
    events : list of Events
        ``rival_clash`` (side ``"insurgent"``, unit = first band, ``other`` = second band).
    """
    p = params
    if rivals.size == 0:
        return bands, 0, []
    on = [i for i, (a, f, ld) in enumerate(zip(bands.active.tolist(), bands.fighters.tolist(),
                                                leading.tolist(), strict=True))
          if a and f > 0 and ld >= 0]
    if len(on) < 2:  # the usual day: no pair to check (and nothing drawn)
        return bands, 0, []
    # Consecutive pairs in cell order (a stable sort of the few bands), each pass of draws
    # in pair order as one call over the pairs.
    cells, men, lead = bands.cell.tolist(), bands.fighters.tolist(), leading.tolist()
    order = sorted(on, key=lambda i: cells[i])
    a, b = order[:-1], order[1:]
    u = rng.random(len(a)).tolist()
    fight = [cells[i] == cells[j] and bool(rivals[lead[i], lead[j]]) and x < p.rival_clash_rate
             for i, j, x in zip(a, b, u, strict=True)]
    ka = [binomial(rng, men[i], p.rival_clash_loss) for i in a]
    kb = [binomial(rng, men[j], p.rival_clash_loss) for j in b]
    loss = [0] * len(bands)
    for i, j, f, x, y in zip(a, b, fight, ka, kb, strict=True):
        if f:
            loss[i] += x
            loss[j] += y
    loss = [min(x, m) for x, m in zip(loss, men, strict=True)]
    lost = np.array(loss, dtype=np.int64)
    new_b = replace(bands, fighters=bands.fighters - lost, recent_losses=bands.recent_losses + lost)
    out: list[Events] = []
    r = [n for n, f in enumerate(fight) if f]
    if r:
        out.append(events("rival_clash", "insurgent", unit=[a[n] for n in r],
                          cell=[cells[a[n]] for n in r], n=[loss[a[n]] + loss[b[n]] for n in r],
                          other=[b[n] for n in r]))
    return new_b, sum(loss), out
