"""Supply: everyone eats; bands live off villages, herds and the sanctuary; columns off depots.

One call per day resolves, for all units at once:

- **Bands** refill their carried rations from the Afghan side (when it admits
  them), from gifts of supporting villages in their cell and from requisition
  (a share of the food above the village's hidden reserve), then eat; a
  shortfall is met by slaughtering sheep from the herd; what is still missing
  raises hunger, which lowers morale and makes fighters desert.
- **Villages** eat, harvest grain once a year (no grain under food-for-cotton,
  when the state delivers part of their needs instead), and lose support for
  whichever side requisitions from them, more when food is scarce.
- **Columns** eat from what they carry, refill at depots, are fed by pack trains
  whose deliveries fall off with distance beyond depot reach, requisition from
  villages when empty, and lose morale when out of supply.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels import dispatch
from sim.params.supply import SupplyParams
from sim.state import Bands, Columns, Villages, replace

__all__ = ["supply_day", "supply_day_numpy"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

THRESHOLD = 64
"""Entries up to which :func:`_groups` groups in plain Python (faster than ``np.unique`` for
the few bands or columns of a day; a speed setting, not a result)."""



def supply_day(
    bands: Bands,
    columns: Columns,
    villages: Villages,
    *,
    village_of_cell: I64,
    band_sanctuary_share: F64,
    depot_hours: F64,
    harvest_today: bool,
    food_for_cotton: bool,
    params: SupplyParams,
    rng: np.random.Generator,
    depot_stock: tuple[I64, F64] | None = None,
) -> tuple[Bands, Columns, Villages, list[Events]]:
    """Resolve one day of supply for every unit and village.

    Parameters
    ----------
    bands, columns, villages
        Current tables (not modified).
    village_of_cell : ndarray of int64, shape (n_cells,)
        Row of the village in each cell, -1 where none.
    band_sanctuary_share : ndarray of float64, shape (n_bands,)
        Share of each band's needs met on the Afghan side today (0 on the Soviet side).
    depot_hours : ndarray of float64, shape (n_cells,)
        Marching hours from each cell to the nearest depot (``inf`` if none).
    harvest_today : bool
        Whether today is harvest day.
    food_for_cotton : bool
        Whether the food-for-cotton plan is in force today.
    params : SupplyParams
    rng : numpy.random.Generator
        For desertion draws.
    depot_stock : (nearest, stock), optional
        Row of the nearest open depot of each cell, shape (n_cells,) (-1: none), and the
        rations each depot holds, shape (n_depots,) (``inf``: unlimited). A column draws
        its refill (and its pack-train deliveries) from the nearest depot; where that
        depot's stock is short, its columns share what there is in proportion to what
        they want. None: every depot is unlimited.

    Returns
    -------
    bands, columns, villages : new tables
    events : list of Events
        ``desertion`` (insurgent), ``requisition`` (insurgent and state),
        ``herd_slaughter`` (insurgent), ``out_of_supply`` (state) and, for depots with a
        limited stock, ``depot_draw`` (state, unit = depot row, n = rations drawn) batches.

    Notes
    -----
    Runs the compiled pass of :mod:`sim.kernels.supply_compiled` when
    :func:`sim.kernels.dispatch.enabled` (long runs and batches), else the numpy reference
    :func:`supply_day_numpy`; both give the same tables and events to the last bit.
    """
    if dispatch.enabled():
        from sim.kernels import supply_compiled  # numba: only once the process does enough work

        return supply_compiled.supply_day(
            bands, columns, villages, village_of_cell=village_of_cell,
            band_sanctuary_share=band_sanctuary_share, depot_hours=depot_hours,
            harvest_today=harvest_today, food_for_cotton=food_for_cotton, params=params,
            rng=rng, depot_stock=depot_stock,
        )
    return supply_day_numpy(
        bands, columns, villages, village_of_cell=village_of_cell,
        band_sanctuary_share=band_sanctuary_share, depot_hours=depot_hours,
        harvest_today=harvest_today, food_for_cotton=food_for_cotton, params=params,
        rng=rng, depot_stock=depot_stock,
    )


def supply_day_numpy(
    bands: Bands,
    columns: Columns,
    villages: Villages,
    *,
    village_of_cell: I64,
    band_sanctuary_share: F64,
    depot_hours: F64,
    harvest_today: bool,
    food_for_cotton: bool,
    params: SupplyParams,
    rng: np.random.Generator,
    depot_stock: tuple[I64, F64] | None = None,
) -> tuple[Bands, Columns, Villages, list[Events]]:
    """The numpy reference of :func:`supply_day` (same arguments and results), in whole-array
    operations: the readable statement of the day's supply."""
    p = params
    out: list[Events] = []
    # Village-sized arrays are touched whole only to eat, harvest and write the new
    # tables; gifts and requisition are worked out on the few villages that have a band
    # or an empty column in them (same operations element by element, so the same bits).
    food_before = villages.food
    n_v = len(villages)

    # ---------------------------------------------------------------- villages eat
    need_v = villages.population * p.ration
    delivered = (
        np.where(villages.cotton & food_for_cotton, p.cotton_ration_share * need_v, 0.0)
        if food_for_cotton else 0.0
    )
    v_food = villages.food + delivered
    v_food -= need_v
    np.maximum(v_food, 0.0, out=v_food)
    if harvest_today:
        v_food = v_food + np.where(villages.cotton, 0.0, villages.crop)
    v_support = villages.support.copy()
    requisitioned = np.zeros(n_v)

    # ---------------------------------------------------------------- bands
    act = bands.active & (bands.fighters > 0)
    fighters = np.where(act, bands.fighters, 0).astype(np.float64)
    need = fighters * p.ration
    cap = need * p.band_carry_days
    want = np.maximum(cap + need - bands.food, 0.0)
    got = want * band_sanctuary_share
    want = want - got

    v = np.where(act, village_of_cell[bands.cell], -1)
    hv = np.flatnonzero(v >= 0)
    # the villages with a band (u) and each such band's entry in them (inv)
    u, inv = _groups(v[hv])
    k = u.size
    reserve = need_v[u] * p.village_reserve_days
    available = np.maximum(v_food[u] - reserve, 0.0)
    # Gifts from supporting villages, shared among the bands present by their wants.
    demand = np.bincount(inv, weights=want[hv], minlength=k)
    gift_pool = np.where(v_support[u] > p.gift_support, p.supporter_gift_share * available, 0.0)
    gift_ratio = np.divide(
        np.minimum(gift_pool, demand), demand, out=np.zeros(k), where=demand > 0
    )
    gift = np.zeros_like(want)  # gathered only where a village exists (there may be none)
    gift[hv] = want[hv] * gift_ratio[inv]
    want = want - gift
    # Requisition: at most a share of what is above the reserve.
    demand = np.bincount(inv, weights=want[hv], minlength=k)
    req_pool = p.requisition_share * np.maximum(
        available - np.bincount(inv, weights=gift[hv], minlength=k), 0.0
    )
    req_ratio = np.divide(np.minimum(req_pool, demand), demand, out=np.zeros(k), where=demand > 0)
    taken = np.zeros_like(want)
    taken[hv] = want[hv] * req_ratio[inv]
    gift_v = np.bincount(inv, weights=gift[hv], minlength=k)
    taken_v = np.bincount(inv, weights=taken[hv], minlength=k)
    v_food[u] = v_food[u] - gift_v - taken_v
    before = food_before[u]
    scarcity = 1.0 + (p.scarcity_multiplier - 1.0) * np.clip(
        1.0 - before / np.maximum(p.scarcity_reserve_multiple * reserve, 1e-9), 0.0, 1.0
    )
    share_taken = np.divide(taken_v, before, out=np.zeros(k), where=before > 0)
    v_support[u] = v_support[u] - p.requisition_support_loss * scarcity * share_taken
    requisitioned[u] = taken_v

    food = bands.food + got + gift + taken - need
    short = np.maximum(-food, 0.0)
    sheep = np.minimum(bands.herd, np.ceil(short / p.sheep_rations))
    food = food + sheep * p.sheep_rations
    unmet = np.maximum(-food, 0.0)
    food = np.maximum(food, 0.0)
    unmet_frac = np.divide(unmet, need, out=np.zeros_like(need), where=need > 0)
    hunger = np.where(
        act, (1.0 - p.hunger_memory) * bands.hunger + p.hunger_memory * unmet_frac, bands.hunger
    )
    herd = (bands.herd - sheep) * (1.0 + p.herd_growth * (unmet_frac == 0))
    deserters = rng.binomial(
        np.where(act, bands.fighters, 0), np.clip(p.hunger_desertion * hunger, 0.0, 1.0)
    )
    morale = np.clip(
        bands.morale
        - p.hunger_morale * hunger
        + p.morale_recovery * (1.0 - hunger) * (hunger < p.recovery_hunger),
        0.0,
        1.0,
    )
    morale = np.where(act, morale, bands.morale)
    new_bands = replace(
        bands,
        fighters=bands.fighters - deserters,
        food=food,
        herd=herd,
        hunger=hunger,
        morale=morale,
        recent_losses=bands.recent_losses + deserters,
    )
    rows = np.flatnonzero(deserters > 0)
    if rows.size:
        out.append(
            events("desertion", "insurgent", unit=rows, cell=bands.cell[rows], n=deserters[rows])
        )
    rows = np.flatnonzero(taken > 0)
    if rows.size:
        out.append(
            events(
                "requisition",
                "insurgent",
                unit=rows,
                cell=bands.cell[rows],
                n=taken[rows],
                village=v[rows],
            )
        )
    rows = np.flatnonzero(sheep > 0)
    if rows.size:
        out.append(
            events("herd_slaughter", "insurgent", unit=rows, cell=bands.cell[rows], n=sheep[rows])
        )

    # ---------------------------------------------------------------- columns
    cact = columns.active & (columns.strength > 0)
    supply = np.where(cact, columns.supply - 1.0, columns.supply)
    dist = depot_hours[columns.cell]
    at_depot = cact & (dist <= p.depot_hours)
    beyond = np.where(np.isfinite(dist), dist - p.depot_hours, np.inf)
    pack = np.where(
        cact & ~at_depot,
        p.pack_train_days * np.exp(-np.maximum(beyond, 0.0) / p.pack_train_range_hours),
        0.0,
    )
    refilled = np.where(
        at_depot, p.column_supply_days, np.minimum(supply + pack, p.column_supply_days)
    )
    draws: Events | None = None
    if depot_stock is not None and np.isfinite(depot_stock[1]).any():
        refilled, draws = _limited_by_stock(
            columns, cact, supply, refilled, depot_stock, params=p
        )
    supply = refilled
    # Empty columns requisition from the village in their cell.
    empty = cact & (supply < 0)
    cv = np.where(empty, village_of_cell[columns.cell], -1)
    hcv = np.flatnonzero(cv >= 0)
    cu, cinv = _groups(cv[hcv])
    k = cu.size
    men = columns.strength.astype(np.float64)
    c_want = np.where(cv >= 0, -supply * men * p.ration, 0.0)
    c_reserve = need_v[cu] * p.village_reserve_days
    c_food = v_food[cu]
    c_avail = np.maximum(c_food - c_reserve, 0.0) * p.column_requisition_share
    c_demand = np.bincount(cinv, weights=c_want[hcv], minlength=k)
    c_ratio = np.divide(
        np.minimum(c_avail, c_demand), c_demand, out=np.zeros(k), where=c_demand > 0
    )
    c_taken = np.zeros_like(c_want)
    c_taken[hcv] = c_want[hcv] * c_ratio[cinv]
    c_taken_v = np.bincount(cinv, weights=c_taken[hcv], minlength=k)
    share_c = np.divide(c_taken_v, np.maximum(c_food, 1e-9), out=np.zeros(k), where=c_food > 0)
    v_food[cu] = c_food - c_taken_v
    c_before = food_before[cu]
    c_scarcity = 1.0 + (p.scarcity_multiplier - 1.0) * np.clip(
        1.0 - c_before / np.maximum(p.scarcity_reserve_multiple * c_reserve, 1e-9), 0.0, 1.0
    )
    v_support[cu] = v_support[cu] + p.state_requisition_anger * c_scarcity * share_c
    requisitioned[cu] = requisitioned[cu] + c_taken_v
    supply = supply + np.divide(c_taken, men * p.ration, out=np.zeros_like(men), where=men > 0)
    hungry_c = cact & (supply < 0)
    c_morale = np.where(
        hungry_c, np.clip(columns.morale - p.column_hunger_morale, 0.0, 1.0), columns.morale
    )
    supply = np.maximum(supply, 0.0)
    new_columns = replace(columns, supply=supply, morale=c_morale)
    rows = np.flatnonzero(c_taken > 0)
    if rows.size:
        out.append(
            events(
                "requisition",
                "state",
                unit=rows,
                cell=columns.cell[rows],
                n=c_taken[rows],
                village=cv[rows],
            )
        )
    rows = np.flatnonzero(hungry_c)
    if rows.size:
        out.append(
            events("out_of_supply", "state", unit=rows, cell=columns.cell[rows], n=men[rows])
        )

    if draws is not None and len(draws):
        out.append(draws)

    # Elsewhere the old whole-array sums added 0.0 (turning a -0.0 into 0.0): so here.
    v_support += 0.0
    np.maximum(v_food, 0.0, out=v_food)
    np.clip(v_support, 0.0, 1.0, out=v_support)
    new_villages = replace(villages, food=v_food, support=v_support, requisitioned=requisitioned)
    return new_bands, new_columns, new_villages, out


def _groups(rows: I64) -> tuple[I64, NDArray[np.intp]]:
    """``np.unique(rows, return_inverse=True)``: the distinct rows, ascending, and where
    each entry's row is among them.

    Parameters
    ----------
    rows : ndarray of int64, shape (k,)

    Returns
    -------
    distinct : ndarray of int64, shape (u,)
    inverse : ndarray of intp, shape (k,)
    """
    if rows.size > THRESHOLD:
        distinct, inverse = np.unique(rows, return_inverse=True)
        return distinct, inverse.reshape(-1)
    values = rows.tolist()
    ordered = sorted(set(values))
    place = {x: i for i, x in enumerate(ordered)}
    return (np.array(ordered, dtype=np.int64),
            np.array([place[x] for x in values], dtype=np.intp))


def _limited_by_stock(
    columns: Columns,
    cact: NDArray[np.bool_],
    before: F64,
    refilled: F64,
    depot_stock: tuple[I64, F64],
    *,
    params: SupplyParams,
) -> tuple[F64, Events]:
    """Refills cut to what the nearest depots hold; the rations drawn from limited ones.

    Parameters
    ----------
    columns : Columns
    cact : ndarray of bool, shape (n_columns,)
        Active columns with men.
    before, refilled : ndarray of float64, shape (n_columns,)
        Days of supply after today's rations and after an unlimited refill.
    depot_stock : (nearest, stock)
        See :func:`supply_day`.

    Returns
    -------
    supply : ndarray of float64, shape (n_columns,)
    draws : Events
        ``depot_draw`` (side state, unit = depot row, n = rations drawn, extra ``column``).
    """
    nearest, stock = depot_stock
    d = np.where(cact, nearest[columns.cell], -1)
    limited = (d >= 0) & ~np.isinf(stock[np.maximum(d, 0)])
    men = columns.strength.astype(np.float64)
    want = np.where(limited, np.maximum(refilled - before, 0.0) * men * params.ration, 0.0)
    di = np.maximum(d, 0)
    total = np.bincount(di[limited], weights=want[limited], minlength=stock.size)
    ratio = np.divide(np.minimum(stock, total), total, out=np.zeros(stock.size), where=total > 0)
    got = np.where(limited, want * ratio[di], 0.0)
    days = np.divide(got, men * params.ration, out=np.zeros_like(men), where=men > 0)
    supply = np.where(limited, np.minimum(before, refilled) + np.where(refilled > before, days, 0.0),
                      refilled)
    rows = np.flatnonzero(got > 0)
    return supply, events("depot_draw", "state", unit=d[rows], cell=columns.cell[rows],
                          n=got[rows], column=rows)
