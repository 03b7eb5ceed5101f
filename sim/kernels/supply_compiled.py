"""Compiled (numba) pass of :func:`sim.kernels.supply.supply_day`, whose numpy body is the
readable reference.

One pass over the villages (eat, harvest, write the new tables), one over the bands and
one over the columns, with the same floating-point operations in the same order as the
numpy code, so the tables are the same bits (tests check both, signed zeros included).
Gifts and requisition are shared per village among the units in it, each village's sums
accumulated in the order of the units, as ``np.bincount`` does. Two things stay with
numpy: the exponential fall-off of pack-train deliveries (``np.exp``, whose last bit may
differ from the compiled one's on some machines) and the desertion draws (the caller's
generator).

Like the other compiled passes (:mod:`sim.kernels.compiled`), this module imports numba:
:func:`sim.kernels.supply.supply_day` imports it only when
:func:`sim.kernels.dispatch.enabled` says so.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.jit import inline, jit
from sim.params.supply import SupplyParams
from sim.state import Bands, Columns, Villages, replace

__all__ = ["supply_day"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

# positions of the parameters in the vector the compiled pass reads (see _scalars)
(_RATION, _CARRY, _SHEEP, _HERD_GROWTH, _REQ_SHARE, _RESERVE_DAYS, _SUPPORT_LOSS,
 _SCARCITY, _GIFT_SHARE, _COTTON_SHARE, _MEMORY, _DESERTION, _HUNGER_MORALE,
 _RECOVERY, _RECOVERY_HUNGER, _COLUMN_DAYS, _DEPOT_HOURS, _GIFT_SUPPORT,
 _SCARCITY_RESERVE, _COLUMN_REQ_SHARE, _ANGER, _COLUMN_MORALE, _PACK) = range(23)


@functools.lru_cache(maxsize=16)
def _scalars(p: SupplyParams) -> F64:
    """The parameters the compiled pass reads, as float64 in the order of the ``_``
    constants above (built once per parameter set)."""
    out = np.array([
        p.ration, p.band_carry_days, p.sheep_rations, p.herd_growth, p.requisition_share,
        p.village_reserve_days, p.requisition_support_loss, p.scarcity_multiplier,
        p.supporter_gift_share, p.cotton_ration_share, p.hunger_memory, p.hunger_desertion,
        p.hunger_morale, p.morale_recovery, p.recovery_hunger, p.column_supply_days,
        p.depot_hours, p.gift_support, p.scarcity_reserve_multiple,
        p.column_requisition_share, p.state_requisition_anger, p.column_hunger_morale,
        p.pack_train_days,
    ], dtype=np.float64)
    out.flags.writeable = False
    return out


@inline
def _maximum(a: float, b: float) -> float:
    """``np.maximum(a, b)`` as numpy computes it on x86: NaN wins, ``b`` on ties (so
    ``np.maximum(-0.0, 0.0)`` is ``0.0``)."""
    if np.isnan(a):
        return a
    return a if a > b else b


@inline
def _minimum(a: float, b: float) -> float:
    """``np.minimum(a, b)``: NaN wins, ``b`` on ties."""
    if np.isnan(a):
        return a
    return a if a < b else b


@inline
def _clip(x: float, lo: float, hi: float) -> float:
    """``np.clip(x, lo, hi)``: NaN stays, ``x`` itself on ties (``-0.0`` stays ``-0.0``)."""
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@inline
def _groups(vill: I64, where: I64) -> I64:
    """The distinct villages of ``vill`` (entries ``< 0``: none), ascending, and in
    ``where[i]`` the place of entry ``i``'s village among them (-1: none)."""
    order = np.argsort(vill, kind="mergesort")
    distinct = np.empty(vill.size, dtype=np.int64)
    k = 0
    for i in order:
        v = vill[i]
        if v < 0:
            where[i] = -1
            continue
        if k == 0 or distinct[k - 1] != v:
            distinct[k] = v
            k += 1
        where[i] = k - 1
    return distinct[:k]


@inline
def _eaten(pop: int, food: float, crop: float, cotton: bool, harvest: bool,
           food_for_cotton: bool, ration: float, cotton_share: float) -> float:
    """A village's food after eating (and the harvest), before any unit takes some (scalar
    arguments: an inlined function taking arrays would count references on every call)."""
    need = pop * ration
    delivered = (cotton_share * need if cotton else 0.0) if food_for_cotton else 0.0
    f = _maximum((food + delivered) - need, 0.0)
    if harvest:
        f = f + (0.0 if cotton else crop)
    return f


@jit
def _decay_exponent(depot_hours: F64, cell: I64, reach: float, range_hours: float) -> F64:
    """The exponent of the fall-off of pack-train deliveries of each column: ``np.exp`` of
    it is ``np.exp(-np.maximum(beyond, 0.0) / range_hours)`` of the numpy reference."""
    out = np.empty(cell.size)
    for j in range(cell.size):
        dist = depot_hours[cell[j]]
        beyond = dist - reach if np.isfinite(dist) else np.inf
        out[j] = -_maximum(beyond, 0.0) / range_hours
    return out


@jit
def _pass(
    pop: I64, v_food0: F64, crop: F64, cotton: Bool, support: F64,
    b_active: Bool, b_fighters: I64, b_food: F64, b_herd: F64, b_hunger: F64, b_morale: F64,
    b_cell: I64, share: F64,
    c_active: Bool, c_strength: I64, c_supply: F64, c_morale: F64, c_cell: I64,
    decay: F64, depot_hours: F64,
    village_of_cell: I64, nearest: I64, stock: F64,
    harvest: bool, food_for_cotton: bool, limited_any: bool, s: F64,
) -> tuple[NDArray[Any], ...]:
    n_v, n_b, n_c = pop.size, b_food.size, c_supply.size
    ration = s[_RATION]
    reserve_days = s[_RESERVE_DAYS]
    scarcity_m = s[_SCARCITY] - 1.0
    cotton_share = s[_COTTON_SHARE]

    # ------------------------------------------------------------ villages eat
    # Every village's final values at once; those with a unit in them are set back to
    # what they held after eating, worked on, and finished at the end.
    v_food = np.empty(n_v)
    v_support = np.empty(n_v)
    for i in range(n_v):
        eaten = _eaten(pop[i], v_food0[i], crop[i], cotton[i], harvest, food_for_cotton,
                       ration, cotton_share)
        v_food[i] = _maximum(eaten, 0.0)
        v_support[i] = _clip(support[i] + 0.0, 0.0, 1.0)
    requisitioned = np.zeros(n_v)

    # ------------------------------------------------------------ bands
    b_v = np.empty(n_b, dtype=np.int64)
    n_draw = np.empty(n_b, dtype=np.int64)
    need_b = np.empty(n_b)
    got = np.empty(n_b)
    want = np.empty(n_b)
    for j in range(n_b):
        act = b_active[j] and b_fighters[j] > 0
        n_draw[j] = b_fighters[j] if act else 0
        need = float(n_draw[j]) * ration
        need_b[j] = need
        w = _maximum(need * s[_CARRY] + need - b_food[j], 0.0)
        g = w * share[j]
        got[j] = g
        want[j] = w - g
        b_v[j] = village_of_cell[b_cell[j]] if act else -1
    grp = np.empty(n_b, dtype=np.int64)
    u = _groups(b_v, grp)
    k = u.size
    demand = np.zeros(k)
    for j in range(n_b):
        if grp[j] >= 0:
            demand[grp[j]] += want[j]
    available = np.empty(k)
    gift_ratio = np.zeros(k)
    for g in range(k):
        v = u[g]
        v_food[v] = _eaten(pop[v], v_food0[v], crop[v], cotton[v], harvest, food_for_cotton,
                           ration, cotton_share)
        v_support[v] = support[v]
        available[g] = _maximum(v_food[v] - pop[v] * ration * reserve_days, 0.0)
        pool = s[_GIFT_SHARE] * available[g] if v_support[v] > s[_GIFT_SUPPORT] else 0.0
        if demand[g] > 0:
            gift_ratio[g] = _minimum(pool, demand[g]) / demand[g]
    gift = np.zeros(n_b)
    demand2 = np.zeros(k)
    gift_v = np.zeros(k)
    for j in range(n_b):
        g = grp[j]
        if g >= 0:
            gift[j] = want[j] * gift_ratio[g]
        want[j] = want[j] - gift[j]
        if g >= 0:
            demand2[g] += want[j]
            gift_v[g] += gift[j]
    req_ratio = np.zeros(k)
    for g in range(k):
        pool = s[_REQ_SHARE] * _maximum(available[g] - gift_v[g], 0.0)
        if demand2[g] > 0:
            req_ratio[g] = _minimum(pool, demand2[g]) / demand2[g]
    taken = np.zeros(n_b)
    taken_v = np.zeros(k)
    for j in range(n_b):
        g = grp[j]
        if g >= 0:
            taken[j] = want[j] * req_ratio[g]
            taken_v[g] += taken[j]
    for g in range(k):
        v = u[g]
        v_food[v] = v_food[v] - gift_v[g] - taken_v[g]
        before = v_food0[v]
        reserve = pop[v] * ration * reserve_days
        scarcity = 1.0 + scarcity_m * _clip(
            1.0 - before / _maximum(s[_SCARCITY_RESERVE] * reserve, 1e-9), 0.0, 1.0)
        share_taken = taken_v[g] / before if before > 0 else 0.0
        v_support[v] = v_support[v] - s[_SUPPORT_LOSS] * scarcity * share_taken
        requisitioned[v] = taken_v[g]

    food = np.empty(n_b)
    herd = np.empty(n_b)
    hunger = np.empty(n_b)
    morale = np.empty(n_b)
    p_desert = np.empty(n_b)
    sheep = np.empty(n_b)
    keep = 1.0 - s[_MEMORY]
    bad = False
    for j in range(n_b):
        need = need_b[j]
        f = b_food[j] + got[j] + gift[j] + taken[j] - need
        short = _maximum(-f, 0.0)
        sh = _minimum(b_herd[j], np.ceil(short / s[_SHEEP]))
        sheep[j] = sh
        f = f + sh * s[_SHEEP]
        unmet = _maximum(-f, 0.0)
        food[j] = _maximum(f, 0.0)
        unmet_frac = unmet / need if need > 0 else 0.0
        act = b_active[j] and b_fighters[j] > 0
        h = keep * b_hunger[j] + s[_MEMORY] * unmet_frac if act else b_hunger[j]
        hunger[j] = h
        herd[j] = (b_herd[j] - sh) * (1.0 + s[_HERD_GROWTH] * (1.0 if unmet_frac == 0 else 0.0))
        p_desert[j] = _clip(s[_DESERTION] * h, 0.0, 1.0)
        bad = bad or np.isnan(p_desert[j])
        m = _clip(
            b_morale[j] - s[_HUNGER_MORALE] * h
            + s[_RECOVERY] * (1.0 - h) * (1.0 if h < s[_RECOVERY_HUNGER] else 0.0),
            0.0, 1.0,
        )
        morale[j] = m if act else b_morale[j]
    # numpy's binomial draws nothing where n or p is 0: only the others are drawn (all of
    # them when a probability is NaN, for numpy to refuse)
    live = np.arange(n_b) if bad else np.flatnonzero((n_draw > 0) & (p_desert > 0))

    # ------------------------------------------------------------ columns
    supply = np.empty(n_c)
    refilled = np.empty(n_c)
    men = np.empty(n_c)
    for j in range(n_c):
        cact = c_active[j] and c_strength[j] > 0
        sup = c_supply[j] - 1.0 if cact else c_supply[j]
        supply[j] = sup
        men[j] = float(c_strength[j])
        at_depot = cact and depot_hours[c_cell[j]] <= s[_DEPOT_HOURS]
        pack = s[_PACK] * decay[j] if cact and not at_depot else 0.0
        refilled[j] = s[_COLUMN_DAYS] if at_depot else _minimum(sup + pack, s[_COLUMN_DAYS])
    depot = np.full(n_c, -1, dtype=np.int64)
    drawn = np.zeros(n_c)
    if limited_any:
        _limited(c_active, c_strength, c_cell, men, supply, refilled, nearest, stock, ration,
                 depot, drawn)
    cv = np.full(n_c, -1, dtype=np.int64)
    c_want = np.zeros(n_c)
    for j in range(n_c):
        sup = refilled[j]
        supply[j] = sup
        if c_active[j] and c_strength[j] > 0 and sup < 0:
            cv[j] = village_of_cell[c_cell[j]]
        if cv[j] >= 0:
            c_want[j] = -sup * men[j] * ration
    cgrp = np.empty(n_c, dtype=np.int64)
    cu = _groups(cv, cgrp)
    k = cu.size
    c_demand = np.zeros(k)
    for j in range(n_c):
        if cgrp[j] >= 0:
            c_demand[cgrp[j]] += c_want[j]
    c_ratio = np.zeros(k)
    for g in range(k):
        v = cu[g]
        at = np.searchsorted(u, v)
        if at == u.size or u[at] != v:  # no band there: back to what it held after eating
            v_food[v] = _eaten(pop[v], v_food0[v], crop[v], cotton[v], harvest,
                               food_for_cotton, ration, cotton_share)
            v_support[v] = support[v]
        avail = _maximum(v_food[v] - pop[v] * ration * reserve_days, 0.0) * s[_COLUMN_REQ_SHARE]
        if c_demand[g] > 0:
            c_ratio[g] = _minimum(avail, c_demand[g]) / c_demand[g]
    c_taken = np.zeros(n_c)
    c_taken_v = np.zeros(k)
    for j in range(n_c):
        g = cgrp[j]
        if g >= 0:
            c_taken[j] = c_want[j] * c_ratio[g]
            c_taken_v[g] += c_taken[j]
    for g in range(k):
        v = cu[g]
        c_food = v_food[v]
        share_c = c_taken_v[g] / _maximum(c_food, 1e-9) if c_food > 0 else 0.0
        v_food[v] = c_food - c_taken_v[g]
        before = v_food0[v]
        reserve = pop[v] * ration * reserve_days
        scarcity = 1.0 + scarcity_m * _clip(
            1.0 - before / _maximum(s[_SCARCITY_RESERVE] * reserve, 1e-9), 0.0, 1.0)
        v_support[v] = v_support[v] + s[_ANGER] * scarcity * share_c
        requisitioned[v] = requisitioned[v] + c_taken_v[g]
    hungry = np.zeros(n_c, dtype=np.bool_)
    new_morale = c_morale.copy()
    for j in range(n_c):
        nm = men[j] * ration
        sup = supply[j] + (c_taken[j] / nm if men[j] > 0 else 0.0)
        if c_active[j] and c_strength[j] > 0 and sup < 0:
            hungry[j] = True
            new_morale[j] = _clip(c_morale[j] - s[_COLUMN_MORALE], 0.0, 1.0)
        supply[j] = _maximum(sup, 0.0)

    # ------------------------------------------------------------ villages with units: finish
    for g in range(u.size + cu.size):
        v = u[g] if g < u.size else cu[g - u.size]
        v_food[v] = _maximum(v_food[v], 0.0)
        v_support[v] = _clip(v_support[v] + 0.0, 0.0, 1.0)
    return (v_food, v_support, requisitioned,
            food, herd, hunger, morale, n_draw, p_desert, live, b_v, taken, sheep,
            supply, new_morale, cv, c_taken, men, depot, drawn,
            np.flatnonzero(taken > 0), np.flatnonzero(sheep > 0), np.flatnonzero(c_taken > 0),
            np.flatnonzero(hungry), np.flatnonzero(drawn > 0))


@inline
def _limited(c_active: Bool, c_strength: I64, c_cell: I64, men: F64, before: F64,
             refilled: F64, nearest: I64, stock: F64, ration: float, depot: I64,
             drawn: F64) -> None:
    """Refills cut to what the nearest depots hold (``refilled`` updated in place), the
    depot of each column (``depot``, -1: none) and the rations it drew (``drawn``):
    :func:`sim.kernels.supply._limited_by_stock`."""
    n_c = men.size
    limited = np.zeros(n_c, dtype=np.bool_)
    want = np.zeros(n_c)
    total = np.zeros(stock.size)
    for j in range(n_c):
        d = nearest[c_cell[j]] if c_active[j] and c_strength[j] > 0 else -1
        depot[j] = d
        if d >= 0 and not np.isinf(stock[d]):
            limited[j] = True
            want[j] = _maximum(refilled[j] - before[j], 0.0) * men[j] * ration
            total[d] += want[j]
    ratio = np.zeros(stock.size)
    for d in range(stock.size):
        if total[d] > 0:
            ratio[d] = _minimum(stock[d], total[d]) / total[d]
    for j in range(n_c):
        if limited[j]:
            got = want[j] * ratio[depot[j]]
            drawn[j] = got
            days = got / (men[j] * ration) if men[j] > 0 else 0.0
            b, r = before[j], refilled[j]
            refilled[j] = _minimum(b, r) + (days if r > b else 0.0)


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
    """:func:`sim.kernels.supply.supply_day` in one compiled pass: same arguments, same
    tables and events to the last bit."""
    p = params
    decay = np.exp(_decay_exponent(depot_hours, columns.cell, p.depot_hours,
                                   p.pack_train_range_hours))
    limited = depot_stock is not None and bool(np.isfinite(depot_stock[1]).any())
    nearest, stock = depot_stock if depot_stock is not None else (_NO_DEPOTS, _NO_STOCK)
    (v_food, v_support, requisitioned,
     food, herd, hunger, morale, n_draw, p_desert, live, b_v, taken, sheep,
     supply, c_morale, cv, c_taken, men, depot, drawn,
     r_taken, r_sheep, r_creq, r_hungry, r_drawn) = _pass(
        villages.population, villages.food, villages.crop, villages.cotton, villages.support,
        bands.active, bands.fighters, bands.food, bands.herd, bands.hunger, bands.morale,
        bands.cell, band_sanctuary_share,
        columns.active, columns.strength, columns.supply, columns.morale, columns.cell,
        decay, depot_hours, village_of_cell, nearest, stock,
        harvest_today, food_for_cotton, limited, _scalars(p),
    )
    out: list[Events] = []
    deserters = np.zeros(n_draw.size, dtype=np.int64)
    if live.size:
        deserters[live] = rng.binomial(n_draw[live], p_desert[live])
        rows = np.flatnonzero(deserters > 0)
        if rows.size:
            out.append(events("desertion", "insurgent", unit=rows, cell=bands.cell[rows],
                              n=deserters[rows]))
    if r_taken.size:
        out.append(events("requisition", "insurgent", unit=r_taken, cell=bands.cell[r_taken],
                          n=taken[r_taken], village=b_v[r_taken]))
    if r_sheep.size:
        out.append(events("herd_slaughter", "insurgent", unit=r_sheep,
                          cell=bands.cell[r_sheep], n=sheep[r_sheep]))
    if r_creq.size:
        out.append(events("requisition", "state", unit=r_creq, cell=columns.cell[r_creq],
                          n=c_taken[r_creq], village=cv[r_creq]))
    if r_hungry.size:
        out.append(events("out_of_supply", "state", unit=r_hungry,
                          cell=columns.cell[r_hungry], n=men[r_hungry]))
    if r_drawn.size:
        out.append(events("depot_draw", "state", unit=depot[r_drawn],
                          cell=columns.cell[r_drawn], n=drawn[r_drawn], column=r_drawn))
    new_bands = replace(bands, fighters=bands.fighters - deserters, food=food, herd=herd,
                        hunger=hunger, morale=morale,
                        recent_losses=bands.recent_losses + deserters)
    new_columns = replace(columns, supply=supply, morale=c_morale)
    new_villages = replace(villages, food=v_food, support=v_support,
                           requisitioned=requisitioned)
    return new_bands, new_columns, new_villages, out


_NO_DEPOTS = np.zeros(0, dtype=np.int64)
_NO_STOCK = np.zeros(0)
