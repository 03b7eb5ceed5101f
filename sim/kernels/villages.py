"""Village support, grievance and fear: the contest for the villages.

Each village holds four numbers in [0, 1]: ``support`` (1 leans to the insurgents,
0 to the state), ``grievance`` against the state, ``fear`` of repression and
``weariness`` of war. Both sides win and lose villages:

* the state loses them by its measures (anti-religious campaigns, collectivisation,
  food-for-cotton, requisition campaigns, requisition in the supply kernel, collateral
  losses, repression in :mod:`sim.kernels.repression`), which raise grievance, and
  wins them by its levers (relief and economic recovery, land and water reform,
  religious and legal concessions, local cadres, fair treatment of amnestied men),
  which lower grievance and pull support toward it, and by protecting villages
  (more so with local cadres);
* the insurgents win them by standing in them without taking their food, and lose
  them by extortion (band requisition in the supply kernel, harsher when food is
  short), reprisals against informers (:func:`sim.kernels.repression.band_reprisals`)
  and the war they bring: fighting in reach and requisition by either side make a
  village weary of war, and weariness pulls its support toward peace
  (``weariness_target``, on the state's side of neutral by default);
* the pull of a winning or losing side (``momentum``, see :func:`momentum`) moves
  every village toward the side that is winning;
* with no pressure, grievance fades to ``grievance_neutral`` and support relaxes to
  ``support_rest`` (neutral by default): most villagers want to be left alone, so a
  neutral majority is the equilibrium, not a drift to 0 or 1; towns and posts, where the
  state's own people lived, rest at ``town_support_rest`` and are not collectivised.

Every policy intensity may be a scalar or a per-village array (regional windows).
The update is a forward-Euler step of relaxation equations, each clipped to [0, 1]:

    fear'      = fear (1 - fear_decay)
    weariness' = weariness (1 - weariness_decay) + weariness_gain war (1 - weariness)
    grievance' = grievance - grievance_decay (grievance - grievance_neutral)
                 + raise (1 - grievance) - levers_g grievance + collateral + requisition
    support'   = support + grievance_to_support (grievance' - grievance_neutral) room
                 - support_relax (support - support_rest)
                 - lever_support L support
                 + momentum_pull m (1 - support | support)
                 - weariness_pull weariness' (support - weariness_target)
                 - protection_pull (1 - grievance') (1 + cadres_protection cadres) [state present]
                 + presence_pull grievance'          [band present, nothing taken]
    x'         = x' + spread W / (people + W) (mean of neighbours' x' - x')
                 for x in support, grievance, fear (W: the neighbours' people)

where ``raise`` sums the state's measures (anti-religious intensity reduced by
religious concessions), ``levers_g`` the grievance relief of its levers, ``L`` the
sum of their intensities, ``room`` is ``1 - support`` when grievance pushes up and
``support`` when it pushes down, ``war`` is 1 where there was fighting in reach or
food was taken today.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels import dispatch
from sim.kernels.draws import sparse_binomial
from sim.kernels.neighbours import (
    MAX_ROW,
    NeighbourTable,
    NeighbourWeights,
    neighbour_mean_numpy,
)
from sim.kernels.rowwise import clip
from sim.params.population import PopulationParams
from sim.state import VillageMemory, Villages

__all__ = [
    "NeighbourTable", "NeighbourWeights", "VillagePolicies", "momentum", "neighbour_mean",
    "neighbour_mean_numpy", "neighbourhood", "village_day",
]

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

    Runs the compiled pass of :mod:`sim.kernels.compiled` (one pass over the fixed
    neighbour table, no temporaries) when :func:`sim.kernels.dispatch.enabled`, else
    :func:`neighbour_mean_numpy`, the readable reference it agrees with bit for bit.

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
    if values.size == 0 or nbrs.shape[1] > 128 or not dispatch.enabled():
        return neighbour_mean_numpy(values, nbrs, weights=weights)
    from sim.kernels import compiled  # numba: only once the process does enough work

    w = np.ones(values.shape) if weights is None else weights
    return compiled.neighbour_mean(values, nbrs, w)


@dataclasses.dataclass(frozen=True)
class VillagePolicies:
    """Intensity of each village-level policy in force today (0 when not in force).

    Each is a float (the same everywhere) or an array of shape (n_villages,) for
    windows limited to a region.

    Attributes
    ----------
    anti_religious, collectivisation, food_for_cotton, requisition : float or ndarray
        Measures that raise grievance against the state.
    relief, land_reform, concessions, local_cadres, fair_amnesty : float or ndarray
        The state's levers: lower grievance and pull support toward the state.
    """

    anti_religious: F64 | float = 0.0
    collectivisation: F64 | float = 0.0
    food_for_cotton: F64 | float = 0.0
    requisition: F64 | float = 0.0
    relief: F64 | float = 0.0
    land_reform: F64 | float = 0.0
    concessions: F64 | float = 0.0
    local_cadres: F64 | float = 0.0
    fair_amnesty: F64 | float = 0.0

    def levers(self) -> F64 | float:
        """Sum of the intensities of the state's levers."""
        return (self.relief + self.land_reform + self.concessions + self.local_cadres
                + self.fair_amnesty)


def momentum(
    previous: float,
    *,
    insurgent_losses: float,
    state_losses: float,
    losing: float,
    params: PopulationParams,
) -> float:
    """Smoothed pull of the winning side, in [-1, 1] (positive: the insurgents win).

    Today's signal is the balance of losses,
    ``(state_losses - insurgent_losses) / (state_losses + insurgent_losses + momentum_scale)``,
    plus ``losing`` (the share of towns the insurgents hold), clipped to [-1, 1];
    the momentum is its exponential average with weight ``momentum_memory``.

    Parameters
    ----------
    previous : float
        Yesterday's momentum.
    insurgent_losses, state_losses : float
        Men lost today by each side (killed, wounded, captured, surrendered, deserted).
    losing : float
        In [0, 1]: share of towns held by the insurgents.
    params : PopulationParams

    Returns
    -------
    float
    """
    p = params
    bal = (state_losses - insurgent_losses) / (state_losses + insurgent_losses + p.momentum_scale)
    x = clip(float(bal + losing), -1.0, 1.0)  # np.clip of one float, without its wrappers
    return clip(float((1.0 - p.momentum_memory) * previous + p.momentum_memory * x), -1.0, 1.0)


_POLICY_ORDER = tuple(f.name for f in dataclasses.fields(VillagePolicies))


def _dynamics_constants(p: PopulationParams, m: float) -> F64:
    """The scalars of the compiled village step, in the order it reads them."""
    return np.array([
        p.anti_religious_grievance, p.collectivisation_grievance,
        p.requisition_campaign_grievance, p.cotton_grievance, p.relief_grievance,
        p.land_reform_grievance, p.concessions_grievance, p.cadres_grievance,
        p.grievance_decay, p.grievance_neutral, p.requisition_grievance, 1.0 - p.fear_decay,
        1.0 - p.weariness_decay, p.weariness_gain, p.grievance_to_support, p.support_rest,
        p.town_support_rest, p.support_relax, p.lever_support, p.momentum_pull * m, m,
        p.weariness_pull, p.weariness_target, p.protection_pull, p.cadres_protection,
        p.presence_pull,
    ], dtype=np.float64)


def _dynamics_numpy(
    villages: Villages, *, coll: F64, state_taken: F64, collateral: F64, fighting: Bool | None,
    state_present: Bool, band_present: Bool, policies: VillagePolicies,
    params: PopulationParams, momentum: float, town: Bool | None,
) -> tuple[F64, F64, F64, F64]:
    """Grievance, fear, weariness and support of :func:`village_day` before the spread
    (numpy reference of :func:`sim.kernels.compiled.village_step`)."""
    p, pol = params, policies
    s, g, f = villages.support, villages.grievance, villages.fear

    # ---------------------------------------------------------------- grievance
    religious = pol.anti_religious * np.maximum(1.0 - np.asarray(pol.concessions), 0.0)
    rural = 1.0 if town is None else ~town
    raise_ = (
        p.anti_religious_grievance * religious
        + (p.collectivisation_grievance * pol.collectivisation
           + p.requisition_campaign_grievance * pol.requisition) * rural
        + p.cotton_grievance * pol.food_for_cotton * villages.cotton
    )
    relief = (
        p.relief_grievance * pol.relief
        + p.land_reform_grievance * pol.land_reform
        + p.concessions_grievance * pol.concessions
        + p.cadres_grievance * pol.local_cadres
    )
    g2 = (g - p.grievance_decay * (g - p.grievance_neutral) + raise_ * (1.0 - g)
          - np.minimum(relief, 1.0) * g + coll + p.requisition_grievance * state_taken)
    g2 = np.clip(g2, 0.0, 1.0)

    # ---------------------------------------------------------------- fear, weariness
    f2 = np.clip(f * (1.0 - p.fear_decay), 0.0, 1.0)
    war = (villages.requisitioned > 0) | (collateral > 0)
    if fighting is not None:
        war = war | fighting
    w = villages.weariness
    w2 = np.clip(w * (1.0 - p.weariness_decay) + p.weariness_gain * war * (1.0 - w), 0.0, 1.0)

    # ---------------------------------------------------------------- support
    push = g2 - p.grievance_neutral
    s2 = s + p.grievance_to_support * push * np.where(push > 0, 1.0 - s, s)
    rest = p.support_rest if town is None else np.where(town, p.town_support_rest, p.support_rest)
    s2 = s2 - p.support_relax * (s - rest)
    s2 = s2 - p.lever_support * pol.levers() * s
    m = float(np.clip(momentum, -1.0, 1.0))
    s2 = s2 + p.momentum_pull * m * ((1.0 - s) if m > 0 else s)
    s2 = s2 - p.weariness_pull * w2 * (s - p.weariness_target)
    protect = p.protection_pull * (1.0 + p.cadres_protection * np.asarray(pol.local_cadres))
    s2 = s2 - protect * (1.0 - g2) * state_present
    s2 = s2 + p.presence_pull * g2 * (band_present & (villages.requisitioned <= 0))
    s2 = np.clip(s2, 0.0, 1.0)

    return g2, f2, w2, s2


def _spread_numpy(table: NeighbourTable, pop: F64, fields: tuple[F64, F64, F64],
                  spread: float) -> tuple[F64, F64, F64]:
    """Each field pulled toward its neighbours' people-weighted mean (numpy reference of
    :func:`sim.kernels.compiled.village_step`)."""
    # Mean of the village and its neighbours, weighted by people: a town moves its
    # hamlets more than they move it. The neighbours' weights are the same for the
    # three means, so they are gathered once.
    weighed = table.weigh(pop)
    tot = weighed.total
    whole = pop + tot
    share = np.divide(tot, whole, out=np.zeros_like(tot), where=whole > 0)

    a, b, c = fields
    x = np.stack([a, b, c])  # the three means in one pass over the neighbour slots
    pulled = np.clip(x + spread * share * (weighed.mean(x) - x), 0.0, 1.0)
    return pulled[0], pulled[1], pulled[2]


def _flight_numpy(villages: Villages, pop: F64, fear: F64, p: PopulationParams,
                  border_days: F64 | None) -> F64:
    """Each person's chance to flee today (numpy reference of
    :func:`sim.kernels.compiled.village_step`)."""
    famine = villages.food < np.maximum(pop, 1.0) * p.famine_days
    pressure = np.clip((fear - p.flight_fear) / max(1.0 - p.flight_fear, 1e-9), 0.0, 1.0)
    pressure = np.maximum(pressure, famine.astype(np.float64))
    if border_days is not None:
        carried = np.minimum(villages.food / np.maximum(pop, 1.0), p.flight_carry_days)
        pressure = pressure * np.clip((1.0 + carried) / np.maximum(border_days, 1.0), 0.0, 1.0)
    return np.asarray(np.clip(p.flight_rate * pressure, 0.0, 1.0))


def _sides_numpy(side: I64, support: F64, p: PopulationParams) -> I64:
    """Each village's side after today's support (numpy reference of
    :func:`sim.kernels.compiled.village_step`)."""
    side = np.where(support > p.side_high, 1, np.where(support < p.side_low, -1, side))
    # Back to neutral once support returns past ``side_reset`` (the middle) from the far side.
    reset = p.side_reset
    side = np.where((side == 1) & (support < reset), 0,
                    np.where((side == -1) & (support > reset), 0, side))
    return side.astype(np.int64)


#: The last policy rows built from read-only arrays, with the values they came from.
def _flight_constants(p: PopulationParams) -> F64:
    """The scalars of the compiled flight and sides, in the order it reads them."""
    return np.array([p.famine_days, p.flight_fear, max(1.0 - p.flight_fear, 1e-9),
                     p.flight_carry_days, p.flight_rate, p.side_high, p.side_low,
                     p.side_reset])


_ROWS_MEMO: list[tuple[tuple[object, ...], F64]] = []


def _policy_rows(pol: VillagePolicies, n: int) -> F64:
    """The policies as the compiled step reads them: shape (9, 1) when each is one value
    for every village, else (9, n) (kept while the same read-only arrays come back, as
    the timeline's windows do day after day)."""
    values = tuple(getattr(pol, k) for k in _POLICY_ORDER)
    if all(np.ndim(v) == 0 for v in values):
        return np.array(values, dtype=np.float64).reshape(len(values), 1)
    if _ROWS_MEMO:
        (old, rows), = _ROWS_MEMO
        if rows.shape[1] == n and all(a is b for a, b in zip(old, values, strict=True)):
            return rows
    rows = np.empty((len(values), n))
    for r, v in enumerate(values):
        rows[r] = v
    if all(np.ndim(v) == 0 or not np.asarray(v).flags.writeable for v in values):
        rows.setflags(write=False)
        _ROWS_MEMO[:] = [(values, rows)]
    return rows


def _after_flight(villages: Villages, memory: VillageMemory, s2: F64, g2: F64, f2: F64,
                  w2: F64, prob: F64, side: I64, live: I64, switched: I64,
                  rng: np.random.Generator) -> tuple[Villages, VillageMemory, int, list[Events]]:
    """The end of :func:`village_day` after the compiled step, touching only the ``live``
    rows (people and a positive chance to flee, in order: where :func:`sparse_binomial`
    draws) and the ``switched`` ones: the same draws, events and tables."""
    people = villages.population
    drawn = rng.binomial(people[live], prob[live]) if live.size else np.zeros(0, np.int64)
    drawn = np.minimum(drawn, people[live]).astype(np.int64)
    out: list[Events] = []
    if switched.size:
        out.append(events("village_switch", "village", unit=switched,
                          cell=villages.cell[switched], n=side[switched],
                          support=s2[switched]))
    gone = drawn > 0
    population = people.copy()  # a new table, as the reference's subtraction gives
    if gone.any():
        fr, lost = live[gone], drawn[gone]
        top = fr[np.argmax(lost)]
        out.append(events("flight", "village", unit=top, cell=villages.cell[top],
                          n=lost.sum(), villages=fr.size))
        population[fr] -= lost
    new_v = dataclasses.replace(villages, support=s2, grievance=g2, fear=f2, weariness=w2,
                                population=population)
    return new_v, dataclasses.replace(memory, side=side), int(drawn.sum()), out


def village_day(
    villages: Villages,
    memory: VillageMemory,
    *,
    nbrs: I64 | NeighbourTable,
    band_present: Bool,
    state_present: Bool,
    state_taken: F64,
    collateral: F64,
    policies: VillagePolicies,
    params: PopulationParams,
    rng: np.random.Generator,
    fighting: Bool | None = None,
    momentum: float = 0.0,
    border_days: F64 | None = None,
    town: Bool | None = None,
) -> tuple[Villages, VillageMemory, int, list[Events]]:
    """One day of support, grievance and fear dynamics, side switching and flight.

    Parameters
    ----------
    villages : Villages
        Today's table, shape (n_villages,) (not modified).
    memory : VillageMemory
        Shape (n_villages,) (not modified).
    nbrs : ndarray of int64, shape (n_villages, k), or NeighbourTable
        Neighbouring villages of each village (-1 for none), e.g. from :func:`neighbourhood`;
        a :class:`NeighbourTable` of it (built once per run) saves rebuilding it daily.
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
    fighting : ndarray of bool, shape (n_villages,), optional
        An engagement took place within reach of the village today (none if omitted).
    momentum : float
        In [-1, 1], from :func:`momentum`: positive when the insurgents are winning.
    border_days : ndarray of float64, shape (n_villages,), optional
        Days of travel from each village to the border. People flee only as far as the
        food they carry takes them: the share able to go is
        ``min(1, (1 + carried) / border_days)`` with ``carried`` the village's days of
        food per person, at most ``flight_carry_days`` (no limit when omitted).
    town : ndarray of bool, shape (n_villages,), optional
        Towns and posts: they relax to ``town_support_rest`` instead of ``support_rest``
        and are not collectivised or subject to requisition campaigns (none if omitted).

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
    s, g, f = villages.support, villages.grievance, villages.fear
    pol = policies

    if collateral.any():  # (people + collateral: float64, as the people converted first)
        killed_share = np.divide(collateral, np.maximum(villages.population + collateral, 1.0))
        coll = p.collateral_grievance * (1.0 - np.exp(-killed_share / p.collateral_scale))
    else:  # what the expression gives for no collateral: 0 everywhere
        coll = np.zeros(n)
    table = nbrs if isinstance(nbrs, NeighbourTable) else NeighbourTable.of(nbrs)
    if n and table.nbrs.shape[1] <= MAX_ROW and dispatch.enabled():
        from sim.kernels import compiled  # numba: only once the process does enough work

        k = table.nbrs.shape[1]
        s2, g2, f2, w2, prob, side, live, switched = compiled.village_step(
            (s, g, f, villages.weariness, villages.population, villages.food),
            cotton=villages.cotton,
            coll=coll, state_taken=np.asarray(state_taken, dtype=np.float64),
            requisitioned=villages.requisitioned, collateral=collateral, fighting=fighting,
            state_present=state_present, band_present=band_present, town=town,
            policies=_policy_rows(pol, n),
            constants=_dynamics_constants(p, clip(float(momentum), -1.0, 1.0)),
            nbrs=table.nbrs, padded=table.padded if k == 8 else None, spread=p.spread,
            border_days=border_days, side=memory.side, flight=_flight_constants(p))
        if live is not None:  # the same draws and tables as below, on the rows that can flee
            return _after_flight(villages, memory, s2, g2, f2, w2, prob, side, live, switched,
                                 rng)
    else:
        pop = villages.population.astype(np.float64)
        g2, f2, w2, s2 = _dynamics_numpy(villages, coll=coll, state_taken=state_taken,
                                         collateral=collateral, fighting=fighting,
                                         state_present=state_present, band_present=band_present,
                                         policies=pol, params=p, momentum=momentum, town=town)
        if n:
            s2, g2, f2 = _spread_numpy(table, pop, (s2, g2, f2), p.spread)
        prob = _flight_numpy(villages, pop, f2, p, border_days)
        side = _sides_numpy(memory.side, s2, p)
    fled = sparse_binomial(rng, villages.population, prob)  # raises on bad tables
    fled = np.minimum(fled, villages.population).astype(np.int64)

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
        villages, support=s2, grievance=g2, fear=f2, weariness=w2,
        population=villages.population - fled,
    )
    new_m = dataclasses.replace(memory, side=side)
    return new_v, new_m, int(fled.sum()), out
