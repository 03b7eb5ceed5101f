"""Benchmark of a model day: vectorised phases against per-agent Python baselines.

``bench_step`` builds a synthetic scenario (a flat map with one village per
cell, half the units bands and half state units with mixed orders) with its Mesa
agents created (one per band, column and village: views onto the arrays), times
whole days of :meth:`BasmachiModel.step` (every phase), and times two baselines in
the same process:

- a plain Mesa 3 model of the same number of agents on a ``MultiGrid`` of the same
  size, each agent stepping to a random neighbouring cell (``shuffle_do("step")``): the
  idiom Mesa users know, doing much less per agent than our day;
- a per-agent Python implementation of the same movement and supply rules on the same
  state, looping over agents the way a conventional Mesa model's ``agent.step()``
  would; it shares the model's shortest-path fields (computed once per day for all
  agents either way), is timed on a subsample of agents and reported per unit-step.

Times are CPU seconds of this process (``time.process_time``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import tracemalloc
from typing import Any

import numpy as np

from sim.kernels.movement import CELL_KM
from sim.kernels.population import sanctuary_share
from sim.kernels.terrain import distance_field
from sim.model import BasmachiModel
from sim.scenario import MapSpec, Scenario
from sim.state import BandMode, Order

__all__ = ["bench_step", "format_step", "reference_day", "synthetic_model"]


def synthetic_model(
    units: int, villages: int, *, seed: int = 0, agents: bool = False
) -> BasmachiModel:
    """A model on a flat square map with about ``villages`` cells and ``units`` units.

    Half the units are bands (random cells, 20 home bases), half state units
    (a third holding, a third patrolling, a third pursuing).
    """
    side = max(4, int(math.ceil(math.sqrt(villages))))
    scenario = Scenario(
        name="bench",
        start=dt.date(1926, 3, 1),
        end=dt.date(1926, 12, 31),
        map=MapSpec(kind="synthetic", rows=side, cols=side),
    )
    model = BasmachiModel(scenario, seed=seed, agents=False)
    rng = np.random.default_rng(seed)
    n_cells = side * side
    nb = units // 2
    nc = units - nb
    from sim.state import Bands, Columns

    bands = Bands.empty(nb)
    bands.fighters[:] = rng.integers(20, 300, nb)
    bands.morale[:] = rng.uniform(0.2, 1.0, nb)
    bands.food[:] = bands.fighters * rng.uniform(0, 4, nb)
    bands.herd[:] = rng.integers(0, 200, nb)
    bands.hunger[:] = rng.uniform(0, 0.5, nb)
    bands.cell[:] = rng.integers(0, n_cells, nb)
    bands.home[:] = rng.choice(rng.integers(0, n_cells, 20), nb)
    bands.leader[:] = -1
    bands.active[:] = True
    cols = Columns.empty(nc)
    cols.kind[:] = rng.integers(0, 5, nc)
    cols.strength[:] = rng.integers(50, 500, nc)
    cols.machine_guns[:] = rng.integers(0, 6, nc)
    cols.supply[:] = rng.uniform(0, 10, nc)
    cols.morale[:] = 0.7
    cols.order[:] = rng.choice([Order.HOLD, Order.PATROL, Order.PURSUE], nc)
    cols.cell[:] = rng.integers(0, n_cells, nc)
    cols.home[:] = cols.cell
    cols.target[:] = np.where(cols.order == Order.HOLD, cols.cell, -1)
    cols.active[:] = True
    model.state.bands, model.state.columns = bands, cols
    model.world = dataclasses.replace(
        model.world,
        band_names=[f"b{i}" for i in range(nb)],
        column_names=[f"c{i}" for i in range(nc)],
    )
    if agents:  # the Mesa agents (and grid) of the swapped-in tables
        from sim.agents import MesaTools

        model.mesa = MesaTools(model, agents=True)
    return model


def mesa_random_walk(agents: int, side: int, *, steps: int = 3, seed: int = 0) -> float:
    """Agent-steps per CPU second of a plain Mesa 3 random walk on a ``MultiGrid``.

    Parameters
    ----------
    agents : int
    side : int
        The grid is ``side`` x ``side`` (not a torus).
    steps : int
        Steps timed (after one untimed step).
    """
    import mesa
    from mesa.space import MultiGrid

    class Walker(mesa.Agent):  # type: ignore[misc]
        def step(self) -> None:
            cells = self.model.grid.get_neighborhood(self.pos, moore=False, include_center=False)
            self.model.grid.move_agent(self, self.random.choice(cells))

    class Walk(mesa.Model):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(seed=seed)
            self.grid = MultiGrid(side, side, torus=False)
            for _ in range(agents):
                a = Walker(self)
                self.grid.place_agent(a, (self.random.randrange(side), self.random.randrange(side)))

        def step(self) -> None:
            self.agents.shuffle_do("step")

    m = Walk()
    m.step()
    t0 = time.process_time()
    for _ in range(steps):
        m.step()
    return agents * steps / (time.process_time() - t0)


def reference_day(model: BasmachiModel, band_rows: np.ndarray, column_rows: np.ndarray) -> None:
    """Movement and supply of the given agents, one agent at a time in Python.

    The same rules as :mod:`sim.kernels.movement` and :mod:`sim.kernels.supply`
    (mode choice, walking the fields with a marching budget, refilling, eating,
    slaughtering sheep, hunger, desertion, column supply), written as the
    per-agent ``step()`` methods of a conventional agent-based model. Results are
    written back into the model's arrays.
    """
    s, w, p = model.state, model.world, model.params
    mp, sp = p.movement, p.supply
    rows, cols = w.band_graph.shape
    hours = w.band_graph.hours
    nbr = w.band_graph.neighbours()
    rng = model.rngs["supply"]
    b, c, v = s.bands, s.columns, s.villages
    # Per-cell state strength, accumulated agent by agent.
    strength = [0.0] * (rows * cols)
    for j in range(len(c)):
        if c.active[j]:
            strength[int(c.cell[j])] += float(c.strength[j])
    radius = max(1, round(mp.threat_hours * mp.horse_kmh * 0.5 / CELL_KM))
    posts = c.active & (c.order == Order.HOLD)
    _, g_next, g_near = distance_field(w.band_graph, c.cell[posts], limit=mp.raid_hours * 2)
    share_open = sanctuary_share(s.sanctuary, tolerated=p.population.tolerated_sanctuary_share)

    def walk_one(cell: int, field: np.ndarray) -> int:
        left, first = mp.march_hours, True
        for _ in range(64):
            nxt = int(field[cell])
            if nxt < 0 or nxt == cell or left <= 0:
                break
            d = next(k for k in range(4) if nbr[cell, k] == nxt)
            cost = float(hours[cell, d])
            if not (cost <= left or first) or not math.isfinite(cost):
                break
            cell, left, first = nxt, left - cost, False
        return cell

    for i in band_rows:
        if not b.active[i]:
            continue
        cell = int(b.cell[i])
        r0, c0 = divmod(cell, cols)
        threat = 0.0
        for r in range(max(0, r0 - radius), min(rows, r0 + radius + 1)):
            for cc in range(max(0, c0 - radius), min(cols, c0 + radius + 1)):
                threat += strength[r * cols + cc]
        mode = BandMode.HOME
        if threat > mp.flee_ratio * b.fighters[i]:
            mode = BandMode.FLEE
        elif b.hunger[i] >= mp.hunger_forage:
            mode = BandMode.FORAGE
        elif g_near[cell] >= 0:
            mode = BandMode.RAID
        field = g_next if mode == BandMode.RAID else w.field_to(w.band_graph, int(b.home[i]))
        if mode != BandMode.FLEE:
            cell = walk_one(cell, field)
        b.cell[i], b.mode[i] = cell, mode
        # Supply of this band.
        need = float(b.fighters[i]) * sp.ration
        want = max(need * sp.band_carry_days + need - float(b.food[i]), 0.0)
        got = want * share_open * float(w.afghan[cell])
        vi = int(w.village_of_cell[cell])
        if vi >= 0:
            reserve = float(v.population[vi]) * sp.ration * sp.village_reserve_days
            avail = max(float(v.food[vi]) - reserve, 0.0)
            take = min(want - got, sp.requisition_share * avail)
            v.food[vi] -= take
            got += take
        food = float(b.food[i]) + got - need
        if food < 0:
            sheep = min(float(b.herd[i]), math.ceil(-food / sp.sheep_rations))
            b.herd[i] -= sheep
            food += sheep * sp.sheep_rations
        unmet = max(-food, 0.0) / need if need > 0 else 0.0
        b.food[i] = max(food, 0.0)
        b.hunger[i] = (1 - sp.hunger_memory) * b.hunger[i] + sp.hunger_memory * unmet
        b.fighters[i] -= rng.binomial(
            int(b.fighters[i]), min(1.0, sp.hunger_desertion * b.hunger[i])
        )

    for j in column_rows:
        if not c.active[j]:
            continue
        cell = int(c.cell[j])
        if c.order[j] != Order.HOLD:
            cell = walk_one(cell, w.field_to(w.foot_graph, int(c.home[j])))
        c.cell[j] = cell
        supply = float(c.supply[j]) - 1.0
        dist = float(w.depot_hours[cell])
        if dist <= sp.depot_hours:
            supply = sp.column_supply_days
        elif math.isfinite(dist):
            supply = min(
                supply
                + sp.pack_train_days
                * math.exp(-(dist - sp.depot_hours) / sp.pack_train_range_hours),
                sp.column_supply_days,
            )
        c.supply[j] = max(supply, 0.0)


def bench_step(
    *, units: int = 10_000, villages: int = 10_000, days: int = 5, reference_units: int = 1_000
) -> dict[str, Any]:
    """Unit-steps per second of the model day against the per-agent reference.

    Parameters
    ----------
    units, villages : int
        Size of the synthetic scenario.
    days : int
        Days timed for the vectorised model.
    reference_units : int
        Agents stepped by the reference loop (a subsample; scaled per unit-step).

    Returns
    -------
    dict
        ``units``, ``unit_steps_per_s``, ``reference_unit_steps_per_s``, ``speedup``,
        ``mesa_random_walk_steps_per_s``, ``vs_mesa_random_walk``, ``bytes_per_unit``
        and details.
    """
    model = synthetic_model(units, villages, agents=True)
    n_agents = len(model.agents)
    model.step()  # warm-up: builds and caches shortest-path fields
    t0 = time.process_time()
    for _ in range(days):
        model.step()
    vec_s = (time.process_time() - t0) / days
    side = model.world.theatre.shape[0]
    mesa_rate = mesa_random_walk(units, side)
    ref_model = synthetic_model(units, villages)
    ref_model.step()
    k = min(reference_units, units // 2)
    rows = np.arange(k)
    t0 = time.process_time()
    reference_day(ref_model, rows, rows)
    ref_s = time.process_time() - t0
    ref_rate = 2 * k / ref_s
    tracemalloc.start()
    mem_model = synthetic_model(units, villages)
    mem_model.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = units / vec_s
    return {
        "units": units,
        "villages": len(model.state.villages),
        "unit_steps_per_s": rate,
        "reference_unit_steps_per_s": ref_rate,
        "speedup": rate / ref_rate,
        "mesa_random_walk_steps_per_s": mesa_rate,
        "vs_mesa_random_walk": rate / mesa_rate,
        "mesa_agents_in_model": n_agents,
        "bytes_per_unit": peak / units,
        "seconds_per_day": vec_s,
        "reference_agents_timed": 2 * k,
    }


def format_step(row: dict[str, Any]) -> str:
    """Human-readable report of :func:`bench_step`."""
    return "\n".join(
        [
            f"synthetic day: {row['units']:,} units, {row['villages']:,} villages",
            f"  vectorised model (all phases) {row['unit_steps_per_s']:>14,.0f} unit-steps/s"
            f"  ({row['seconds_per_day'] * 1e3:.1f} ms/day)",
            f"  per-agent Python reference    {row['reference_unit_steps_per_s']:>14,.0f} unit-steps/s"
            f"  (timed on {row['reference_agents_timed']:,} agents)",
            f"  speedup                       {row['speedup']:>14,.1f} x",
            f"  plain Mesa 3 random walk      {row['mesa_random_walk_steps_per_s']:>14,.0f}"
            f" agent-steps/s  (same number of agents, same grid)",
            f"  model / Mesa random walk      {row['vs_mesa_random_walk']:>14,.1f} x"
            f"  ({row['mesa_agents_in_model']:,} Mesa agents in the model)",
            f"  peak memory per unit          {row['bytes_per_unit']:>14,.0f} bytes",
        ]
    )
