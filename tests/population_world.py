"""Small hand-made worlds for the population tests (no map files, no Mesa)."""

from __future__ import annotations

import numpy as np

from sim.kernels.population import (
    PopulationContext,
    add_volunteer_rows,
    initial_memory,
    people_total,
)
from sim.params.population import PopulationParams
from sim.state import Bands, Columns, Leaders, Villages, WorldState


def make_villages(cells, population, *, support=0.5, grievance=0.3, fear=0.1, food_days=150.0):
    cells = np.asarray(cells, dtype=np.int64)
    n = cells.size
    pop = np.broadcast_to(np.asarray(population, dtype=np.int64), (n,)).copy()
    v = Villages.empty(n)
    v.cell[:] = cells
    v.population[:] = pop
    v.food[:] = pop * food_days
    v.crop[:] = pop * 400.0
    v.support[:] = support
    v.grievance[:] = grievance
    v.fear[:] = fear
    return v


def make_bands(cells, fighters, *, leader=-1, morale=0.7, hunger=0.0, food=100.0):
    cells = np.asarray(cells, dtype=np.int64)
    n = cells.size
    b = Bands.empty(n)
    b.cell[:] = cells
    b.home[:] = cells
    b.fighters[:] = fighters
    b.leader[:] = leader
    b.morale[:] = morale
    b.hunger[:] = hunger
    b.food[:] = food
    b.active[:] = True
    return b


def make_columns(cells, strength, *, kind=0, order=0, morale=0.7):
    cells = np.asarray(cells, dtype=np.int64)
    n = cells.size
    c = Columns.empty(n)
    c.cell[:] = cells
    c.home[:] = cells
    c.target[:] = cells
    c.strength[:] = strength
    c.kind[:] = kind
    c.order[:] = order
    c.morale[:] = morale
    c.supply[:] = 5.0
    c.active[:] = True
    return c


def make_leaders(n, *, authority=0.7, caution=0.5):
    lead = Leaders.empty(n)
    lead.authority[:] = authority
    lead.caution[:] = caution
    return lead


def make_world(
    bands,
    columns,
    villages,
    *,
    shape=(10, 10),
    leaders=None,
    afghan_cols=0,
    rivals=None,
    params=None,
):
    """A WorldState and its PopulationContext on a ``shape`` grid.

    The last ``afghan_cols`` columns of the grid are the Afghan side.
    """
    p = params or PopulationParams()
    rows, cols = shape
    n_cells = rows * cols
    afghan = np.zeros(shape, dtype=bool)
    if afghan_cols:
        afghan[:, cols - afghan_cols :] = True
    afghan = afghan.reshape(-1)
    columns, volunteer_row = add_volunteer_rows(columns, bands)
    leaders = leaders if leaders is not None else make_leaders(0)
    nl = len(leaders)
    state = WorldState(
        day=0,
        bands=bands,
        columns=columns,
        villages=villages,
        leaders=leaders,
        memory=initial_memory(villages, p),
        band_concealment=np.ones(len(bands)),
    )
    state.people_initial = people_total(state)
    # Nearest village / Afghan cell by Chebyshev distance (brute force: tiny grids).
    r, c = np.divmod(np.arange(n_cells), cols)

    def nearest(targets):
        if targets.size == 0:
            return np.full(n_cells, -1, dtype=np.int64)
        tr, tc = np.divmod(targets, cols)
        d = np.maximum(np.abs(r[:, None] - tr[None, :]), np.abs(c[:, None] - tc[None, :]))
        return targets[np.argmin(d, axis=1)].astype(np.int64)

    near_afghan = nearest(np.flatnonzero(afghan))
    near_afghan = np.where(near_afghan >= 0, near_afghan, np.arange(n_cells))
    ctx = PopulationContext.build(
        shape=shape,
        village_cells=villages.cell,
        afghan=afghan,
        nearest_afghan=near_afghan,
        nearest_village_cell=nearest(villages.cell),
        band_home=bands.home.copy(),
        volunteer_row=volunteer_row,
        rivals=np.zeros((nl, nl), dtype=bool) if rivals is None else rivals,
        neighbour_cells=p.neighbour_cells,
    )
    return state, ctx


def kinds(evs):
    """Event counts by kind: {kind: total n}."""
    out = {}
    for e in evs:
        out[e.kind] = out.get(e.kind, 0.0) + float(e.n.sum())
    return out
