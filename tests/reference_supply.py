"""Whole-map reference of :func:`sim.kernels.supply.supply_day` for the tests.

This is the formulation the kernel had before it worked out gifts and requisition only
on the villages with a band or an empty column in them: every village-sized quantity
over the whole map. The kernel must give the same tables and events bit for bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.events import Events, events
from sim.kernels.supply import _limited_by_stock
from sim.params.supply import SupplyParams
from sim.state import Bands, Columns, Villages

__all__ = ["supply_day_whole_map"]


def supply_day_whole_map(
    bands: Bands,
    columns: Columns,
    villages: Villages,
    *,
    village_of_cell: np.ndarray,
    band_sanctuary_share: np.ndarray,
    depot_hours: np.ndarray,
    harvest_today: bool,
    food_for_cotton: bool,
    params: SupplyParams,
    rng: np.random.Generator,
    depot_stock: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Bands, Columns, Villages, list[Events]]:
    """Same arguments and results as :func:`sim.kernels.supply.supply_day`."""
    p = params
    out: list[Events] = []
    v_food = villages.food.copy()
    v_support = villages.support.copy()
    reserve = villages.population * p.ration * p.village_reserve_days
    food_before = villages.food.copy()

    # ---------------------------------------------------------------- villages eat
    need_v = villages.population * p.ration
    delivered = np.where(villages.cotton & food_for_cotton, p.cotton_ration_share * need_v, 0.0)
    v_food = v_food + delivered - need_v
    v_food = np.maximum(v_food, 0.0)
    if harvest_today:
        v_food = v_food + np.where(villages.cotton, 0.0, villages.crop)

    # ---------------------------------------------------------------- bands
    act = bands.active & (bands.fighters > 0)
    fighters = np.where(act, bands.fighters, 0).astype(np.float64)
    need = fighters * p.ration
    cap = need * p.band_carry_days
    want = np.maximum(cap + need - bands.food, 0.0)
    got = want * band_sanctuary_share
    want = want - got

    v = np.where(act, village_of_cell[bands.cell], -1)
    has_v = v >= 0
    vi = np.where(has_v, v, 0)
    n_v = len(villages)
    available = np.maximum(v_food - reserve, 0.0)
    # Gifts from supporting villages, shared among the bands present by their wants.
    demand = np.bincount(vi[has_v], weights=want[has_v], minlength=n_v)
    gift_pool = np.where(v_support > p.gift_support, p.supporter_gift_share * available, 0.0)
    gift_ratio = np.divide(
        np.minimum(gift_pool, demand), demand, out=np.zeros(n_v), where=demand > 0
    )
    gift = np.zeros_like(want)  # gathered only where a village exists (there may be none)
    gift[has_v] = want[has_v] * gift_ratio[v[has_v]]
    want = want - gift
    # Requisition: at most a share of what is above the reserve.
    demand = np.bincount(vi[has_v], weights=want[has_v], minlength=n_v)
    req_pool = p.requisition_share * np.maximum(
        available - np.bincount(vi[has_v], weights=gift[has_v], minlength=n_v), 0.0
    )
    req_ratio = np.divide(np.minimum(req_pool, demand), demand, out=np.zeros(n_v), where=demand > 0)
    taken = np.zeros_like(want)
    taken[has_v] = want[has_v] * req_ratio[v[has_v]]
    gift_v = np.bincount(vi[has_v], weights=gift[has_v], minlength=n_v)
    taken_v = np.bincount(vi[has_v], weights=taken[has_v], minlength=n_v)
    v_food = v_food - gift_v - taken_v
    scarcity = 1.0 + (p.scarcity_multiplier - 1.0) * np.clip(
        1.0 - food_before / np.maximum(p.scarcity_reserve_multiple * reserve, 1e-9), 0.0, 1.0
    )
    share_taken = np.divide(taken_v, food_before, out=np.zeros(n_v), where=food_before > 0)
    v_support = v_support - p.requisition_support_loss * scarcity * share_taken

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
    new_bands = dataclasses.replace(
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
    has_cv = cv >= 0
    cvi = np.where(has_cv, cv, 0)
    men = columns.strength.astype(np.float64)
    c_want = np.where(has_cv, -supply * men * p.ration, 0.0)
    c_avail = np.maximum(v_food - reserve, 0.0) * p.column_requisition_share
    c_demand = np.bincount(cvi[has_cv], weights=c_want[has_cv], minlength=n_v)
    c_ratio = np.divide(
        np.minimum(c_avail, c_demand), c_demand, out=np.zeros(n_v), where=c_demand > 0
    )
    c_taken = np.zeros_like(c_want)
    c_taken[has_cv] = c_want[has_cv] * c_ratio[cv[has_cv]]
    c_taken_v = np.bincount(cvi[has_cv], weights=c_taken[has_cv], minlength=n_v)
    share_c = np.divide(c_taken_v, np.maximum(v_food, 1e-9), out=np.zeros(n_v), where=v_food > 0)
    v_food = v_food - c_taken_v
    v_support = v_support + p.state_requisition_anger * scarcity * share_c
    supply = supply + np.divide(c_taken, men * p.ration, out=np.zeros_like(men), where=men > 0)
    hungry_c = cact & (supply < 0)
    c_morale = np.where(
        hungry_c, np.clip(columns.morale - p.column_hunger_morale, 0.0, 1.0), columns.morale
    )
    supply = np.maximum(supply, 0.0)
    new_columns = dataclasses.replace(columns, supply=supply, morale=c_morale)
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

    new_villages = dataclasses.replace(
        villages,
        food=np.maximum(v_food, 0.0),
        support=np.clip(v_support, 0.0, 1.0),
        requisitioned=(taken_v + c_taken_v).astype(np.float64),
    )
    return new_bands, new_columns, new_villages, out
