"""Village support, grievance and fear: how what each side does moves the villages.

Each village holds three numbers in [0, 1]: ``support`` (1 leans to the insurgents,
0 to the state), ``grievance`` against the state and ``fear`` of repression. Every
day they move with presence and protection, collateral losses, policies of the state
(anti-religious measures, collectivisation, food-for-cotton), repression (applied by
:mod:`sim.kernels.repression`), and spread between neighbouring villages; a village
changes side when its support crosses a threshold (with hysteresis), and people flee
abroad under fear or famine. Requisition already moves support in the supply kernel;
here the state's requisition also raises grievance.

The update is a forward-Euler step of relaxation equations, each clipped to [0, 1]:

    fear'      = fear (1 - fear_decay)
    grievance' = grievance - grievance_decay (grievance - grievance_neutral) + policy + collateral + requisition
    support'   = support + grievance_to_support (grievance - grievance_neutral) (1 - support | support)
                 - protection_pull (1 - grievance) [state present]
                 + presence_pull grievance          [band present, nothing taken]
    x'         = x' + spread (mean of neighbours' x' - x')   for x in support, grievance, fear
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.params.population import PopulationParams
from sim.state import VillageMemory, Villages

__all__ = ["VillagePolicies", "neighbour_mean", "neighbourhood", "village_day"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def window_cells(cells: I64, *, shape: tuple[int, int], radius: int, centre: bool = True
                 ) -> I64:
    """Cells in the square window of Chebyshev ``radius`` around each cell.

    Parameters
    ----------
    cells : ndarray of int64, shape (n,)
        Flat cell indices.
    shape : (rows, cols)
        Grid shape.
    radius : int
    centre : bool
        Include the cell itself.

    Returns
    -------
    ndarray of int64, shape (n, k)
        Flat cell indices, -1 where the window leaves the map;
        ``k = (2 radius + 1)**2`` (minus one without the centre).
    """
    rows, cols = shape
    r, c = np.divmod(np.asarray(cells, dtype=np.int64), cols)
    d = np.arange(-radius, radius + 1)
    dr, dc = (a.reshape(-1) for a in np.meshgrid(d, d, indexing="ij"))
    if not centre:
        keep = (dr != 0) | (dc != 0)
        dr, dc = dr[keep], dc[keep]
    rr = r[:, None] + dr[None, :]
    cc = c[:, None] + dc[None, :]
    ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
    return np.where(ok, rr * cols + cc, -1).astype(np.int64)


def in_window(lookup: I64, window: I64) -> I64:
    """``lookup`` at each cell of a :func:`window_cells` window, -1 off the map.

    Parameters
    ----------
    lookup : ndarray of int64, shape (n_cells,)
        E.g. the row of the village (or unit) in each cell, -1 where none.
    window : ndarray of int64, shape (n, k)

    Returns
    -------
    ndarray of int64, shape (n, k)
    """
    return np.where(window >= 0, lookup[np.maximum(window, 0)], -1).astype(np.int64)


def neighbourhood(
    cells: I64,
    *,
    village_of_cell: I64,
    shape: tuple[int, int],
    radius: int,
    centre: bool = True,
) -> I64:
    """Villages in the square window of Chebyshev ``radius`` around each cell.

    Parameters
    ----------
    cells : ndarray of int64, shape (n,)
        Flat cell indices.
    village_of_cell : ndarray of int64, shape (n_cells,)
        Row of the village in each cell, -1 where none.
    shape : (rows, cols)
        Grid shape.
    radius : int
    centre : bool
        Include the cell itself.

    Returns
    -------
    ndarray of int64, shape (n, k)
        Village rows, -1 where a window cell holds no village or is off the map;
        ``k = (2 radius + 1)**2`` (minus one without the centre).
    """
    return in_window(village_of_cell,
                     window_cells(cells, shape=shape, radius=radius, centre=centre))


def neighbour_mean(values: F64, nbrs: I64, *, weights: F64 | None = None) -> tuple[F64, F64]:
    """Weighted mean of ``values`` over each row's neighbours.

    Parameters
    ----------
    values : ndarray of float64, shape (n_villages,)
    nbrs : ndarray of int64, shape (n, k)
        Village rows, -1 for none.
    weights : ndarray of float64, shape (n_villages,), optional
        E.g. population; uniform if omitted.

    Returns
    -------
    mean : ndarray of float64, shape (n,)
        0 where a row has no neighbour.
    total_weight : ndarray of float64, shape (n,)
    """
    ok = nbrs >= 0
    idx = np.where(ok, nbrs, 0)
    w = np.ones(values.shape) if weights is None else weights
    if values.size == 0:
        z = np.zeros(nbrs.shape[0])
        return z, z.copy()
    ww = np.where(ok, w[idx], 0.0)
    tot = ww.sum(axis=1)
    s = (ww * values[idx]).sum(axis=1)
    return np.divide(s, tot, out=np.zeros_like(s), where=tot > 0), tot


@dataclasses.dataclass(frozen=True)
class VillagePolicies:
    """Intensity of each village-level policy in force today (0 when not in force).

    Attributes
    ----------
    anti_religious, collectivisation, food_for_cotton : float
    """

    anti_religious: float = 0.0
    collectivisation: float = 0.0
    food_for_cotton: float = 0.0


def village_day(
    villages: Villages,
    memory: VillageMemory,
    *,
    nbrs: I64,
    band_present: Bool,
    state_present: Bool,
    state_taken: F64,
    collateral: F64,
    policies: VillagePolicies,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Villages, VillageMemory, int, list[Events]]:
    """One day of support, grievance and fear dynamics, side switching and flight.

    Parameters
    ----------
    villages : Villages
        Today's table, shape (n_villages,) (not modified).
    memory : VillageMemory
        Shape (n_villages,) (not modified).
    nbrs : ndarray of int64, shape (n_villages, k)
        Neighbouring villages of each village (-1 for none), e.g. from :func:`neighbourhood`.
    band_present, state_present : ndarray of bool, shape (n_villages,)
        Whether an active band / state unit stands in the village's cell.
    state_taken : ndarray of float64, shape (n_villages,)
        Share of the village's food the state requisitioned today.
    collateral : ndarray of float64, shape (n_villages,)
        Civilians killed in fighting in the village today.
    policies : VillagePolicies
    params : PopulationParams
    rng : numpy.random.Generator
        For the number of people who flee.

    Returns
    -------
    villages, memory : new tables
    refugees : int
        People who fled abroad today.
    events : list of Events
        ``village_switch`` (side ``"village"``, ``n`` = new side: 1 insurgent, -1 state, 0
        neutral) and ``flight`` (``n`` = people who fled).
    """
    p = params
    n = len(villages)
    pop = villages.population.astype(np.float64)
    s, g, f = villages.support, villages.grievance, villages.fear

    # ---------------------------------------------------------------- grievance
    policy = (
        p.anti_religious_grievance * policies.anti_religious
        + p.collectivisation_grievance * policies.collectivisation
        + p.cotton_grievance * policies.food_for_cotton * villages.cotton
    )
    killed_share = np.divide(collateral, np.maximum(pop + collateral, 1.0))
    coll = p.collateral_grievance * (1.0 - np.exp(-killed_share / p.collateral_scale))
    g2 = g - p.grievance_decay * (g - p.grievance_neutral) + policy * (1.0 - g) + coll + p.requisition_grievance * state_taken
    g2 = np.clip(g2, 0.0, 1.0)

    # ---------------------------------------------------------------- fear
    f2 = np.clip(f * (1.0 - p.fear_decay), 0.0, 1.0)

    # ---------------------------------------------------------------- support
    push = g2 - p.grievance_neutral
    s2 = s + p.grievance_to_support * push * np.where(push > 0, 1.0 - s, s)
    s2 = s2 - p.protection_pull * (1.0 - g2) * state_present
    s2 = s2 + p.presence_pull * g2 * (band_present & (villages.requisitioned <= 0))
    s2 = np.clip(s2, 0.0, 1.0)

    # ---------------------------------------------------------------- spread
    if n:

        def spread(x: F64) -> F64:
            m, tot = neighbour_mean(x, nbrs, weights=pop)
            return np.asarray(np.clip(x + p.spread * np.where(tot > 0, m - x, 0.0), 0.0, 1.0))

        s2, g2, f2 = spread(s2), spread(g2), spread(f2)

    # ---------------------------------------------------------------- flight
    famine = villages.food < np.maximum(pop, 1.0) * p.famine_days
    pressure = np.clip((f2 - p.flight_fear) / max(1.0 - p.flight_fear, 1e-9), 0.0, 1.0)
    pressure = np.maximum(pressure, famine.astype(np.float64))
    fled = rng.binomial(villages.population, np.clip(p.flight_rate * pressure, 0.0, 1.0))
    fled = np.minimum(fled, villages.population).astype(np.int64)

    # ---------------------------------------------------------------- sides
    side = memory.side.copy()
    side = np.where(s2 > p.side_high, 1, np.where(s2 < p.side_low, -1, side))
    # Back to neutral once support returns to the middle from the far side.
    side = np.where((side == 1) & (s2 < 0.5), 0, np.where((side == -1) & (s2 > 0.5), 0, side))
    side = side.astype(np.int64)

    out: list[Events] = []
    sw = np.flatnonzero(side != memory.side)
    if sw.size:
        out.append(events("village_switch", "village", unit=sw, cell=villages.cell[sw], n=side[sw],
                          support=s2[sw]))
    fr = np.flatnonzero(fled > 0)
    if fr.size:
        # Flight touches many villages a day: one row per day keeps the events table small;
        # it names the village that lost most and counts the villages affected.
        top = fr[np.argmax(fled[fr])]
        out.append(events("flight", "village", unit=top, cell=villages.cell[top],
                          n=fled[fr].sum(), villages=fr.size))
    new_v = dataclasses.replace(
        villages, support=s2, grievance=g2, fear=f2, population=villages.population - fled
    )
    new_m = dataclasses.replace(memory, side=side)
    return new_v, new_m, int(fled.sum()), out
