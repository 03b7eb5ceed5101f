"""The day's phases: each wires today's state to one pure kernel.

Every phase has one contract::

    phase(state, day, *, params, rng) -> (state, batches)

``state`` is the :class:`~sim.state.WorldState` (never mutated: a phase returns a new
one), ``day`` the read-only facts of today (:class:`Day`: the static world, the
compiled timeline, the date and the event batches the earlier phases emitted today),
``params`` the scenario with today's parameters and ``rng`` the phase's own stream.
The model (:meth:`sim.model.BasmachiModel.step`) runs :data:`PHASES` in order and
hands each phase's batches to the recorder and to the later phases of the day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.build import World
from sim.events import Events
from sim.kernels import dispatch
from sim.kernels.combat import combat_day
from sim.kernels.control import INSURGENT, STATE, control_day, steer
from sim.kernels.cotton import cotton_villages
from sim.kernels.depots import depot_supply, draw_stock, follow_columns, pack_trains_day
from sim.kernels.movement import MoveContext, move_bands, move_columns, visible_bands
from sim.kernels.population import (
    PopulationContext,
    PopulationToday,
    ledger_from_events,
    population_day,
    sanctuary_share,
)
from sim.kernels.repression import RepressionPolicies
from sim.kernels.supply import supply_day
from sim.kernels.tally import losses_of_day
from sim.kernels.terrain import distance_field
from sim.kernels.timeline import activate, leader_exit, supply_shock, withdraw
from sim.kernels.villages import VillagePolicies
from sim.scenario import ORDERS, SANCTUARY, Scenario, TimelineEvent
from sim.state import (
    Bands,
    Columns,
    Depots,
    LeaderStatus,
    PackTrains,
    Villages,
    WorldState,
    replace,
)
from sim.timeline import Schedule

__all__ = [
    "PHASES",
    "Day",
    "Phase",
    "apply_settings",
    "combat_phase",
    "control_phase",
    "movement_phase",
    "population_context",
    "population_phase",
    "supply_phase",
    "timeline_phase",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Result = tuple[WorldState, list[Events]]


@dataclasses.dataclass(frozen=True)
class Day:
    """What a phase may read about today besides the state.

    Attributes
    ----------
    date : datetime.date
    world : World
        The static world (with today's settings applied).
    schedule : Schedule
        The compiled timeline.
    events : tuple of Events
        Non-empty batches the earlier phases emitted today, in order.
    """

    date: dt.date
    world: World
    schedule: Schedule
    events: tuple[Events, ...] = ()


class Phase(Protocol):
    """Type of a phase: ``(state, day, *, params, rng) -> (state, batches)``."""

    def __call__(
        self, state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
    ) -> Result: ...


def apply_settings(
    params: Scenario, world: World, actions: Sequence[TimelineEvent]
) -> tuple[Scenario, World]:
    """Today's dated ``set`` entries: new parameters and, where costs depend on them, a
    new world (:meth:`World.with_settings`), in the order the entries were declared."""
    for e in actions:
        if e.kind == "set":
            params = params.with_values({e.path: e.value}, semantics=False)
            world = world.with_settings(params, e.path)
    return params, world


def population_context(world: World, state: WorldState, scenario: Scenario) -> PopulationContext:
    """Static facts of the population rules, built once before the first day."""
    dispatch.expect_work(scenario.days * len(state.villages))  # compiled passes if long
    afghan_cells = np.flatnonzero(world.afghan).astype(np.int64)
    border_hours, _, nearest_afghan = distance_field(world.band_graph, afghan_cells, keep=True)
    town_hours = distance_field(world.band_graph, world.town_cells, keep=True)[0]
    cells = np.arange(world.afghan.size, dtype=np.int64)
    nearest_afghan = np.where(nearest_afghan >= 0, nearest_afghan, cells)
    near_village = distance_field(world.band_graph, state.villages.cell, keep=True)[2]
    # Tables swapped in after the build (benchmarks) have no reserved volunteer rows.
    nb = len(state.bands)
    vrow = world.volunteer_row if world.volunteer_row.size == nb else np.full(nb, -1, np.int64)
    nl = len(scenario.leaders)
    rivals = np.zeros((nl, nl), dtype=bool)
    for i, leader in enumerate(scenario.leaders):
        for r in leader.rivals:
            rivals[i, world.leader_names.index(r)] = True
    return PopulationContext.build(
        shape=world.theatre.shape,
        village_cells=state.villages.cell,
        afghan=world.afghan,
        nearest_afghan=nearest_afghan,
        nearest_village_cell=near_village,
        band_home=state.bands.home.copy(),
        volunteer_row=vrow,
        rivals=rivals,
        neighbour_cells=scenario.population.neighbour_cells,
        town_hours=town_hours[state.villages.cell] if world.town_cells.size else None,
        border_hours=border_hours[state.villages.cell] if afghan_cells.size else None,
        town=np.isin(state.villages.cell, world.town_cells),
    )


# ---------------------------------------------------------------------------- timeline


def _rows_of(world: World, names: tuple[str, ...]) -> list[tuple[str, I64]]:
    """Band and column rows a timeline entry names (a name or its numbered copies)."""

    bn = {n: i for i, n in enumerate(world.band_names)}
    cn = {n: i for i, n in enumerate(world.column_names)}

    def match(table: dict[str, int], name: str) -> list[int]:
        return [i for n, i in table.items() if n == name or n.startswith(name + "-")]

    b = np.array([i for n in names for i in match(bn, n)], dtype=np.int64)
    c = np.array([i for n in names for i in match(cn, n)], dtype=np.int64)
    return [(side, rows) for side, rows in (("insurgent", b), ("state", c)) if rows.size]


def _band_rows(world: World, bands: Bands, leader: str, units: tuple[str, ...]) -> I64:
    if leader:
        i = world.leader_names.index(leader)
        return np.flatnonzero((bands.leader == i) & bands.active)
    return np.concatenate(
        [rows for side, rows in _rows_of(world, units) if side == "insurgent"]
        or [np.zeros(0, dtype=np.int64)]
    )


def _nearest_afghan(world: World, cells: I64) -> I64:
    _, _, nearest = distance_field(world.band_graph, np.flatnonzero(world.afghan).astype(np.int64),
                                   keep=True)
    return np.where(nearest[cells] >= 0, nearest[cells], cells)


def timeline_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Sanctuary status and switches of the day, arrivals, withdrawals, orders, supply
    shocks and leader exits (``set`` entries are applied before the phases,
    :func:`apply_settings`)."""
    w, d = day.world, state.day
    bands, columns, routes = state.bands, state.columns, state.routes
    out: list[Events] = []
    if d in w.arrivals:
        brows, crows = w.arrivals[d]
        if brows.size:
            bands, ev = activate(bands, brows, "insurgent")
            out.append(ev)
        if crows.size:
            columns, ev = activate(columns, crows, "state")
            out.append(ev)
    for e in day.schedule.actions.get(d, []):
        if e.kind in ("withdraw", "orders"):
            for side, rows in _rows_of(w, e.units):
                if e.kind == "withdraw":
                    if side == "insurgent":
                        bands, ev = withdraw(bands, rows, side)
                    else:
                        columns, ev = withdraw(columns, rows, side)
                    out.append(ev)
                elif side == "state":
                    columns = _order(columns, rows, e, w)
                    routes = _route(routes, rows, [w.flat(p) for p in e.route])
        elif e.kind == "supply_shock":
            rows = _band_rows(w, bands, e.leader, e.units)
            bands, ev = supply_shock(
                bands, rows, herd_seized=e.herd_seized, food_seized=e.food_seized
            )
            out.append(ev)
        elif e.kind == "leader_exit":
            rows = _band_rows(w, bands, e.leader, ())
            bands, ev = leader_exit(bands, rows, refuge=_nearest_afghan(w, bands.cell[rows]))
            out.append(ev)
    new = replace(
        state,
        bands=bands,
        columns=columns,
        routes=routes,
        sanctuary=day.schedule.sanctuary[d],
        switches=day.schedule.switches_on(d),
    )
    return new, out


def _order(columns: Columns, rows: I64, e: TimelineEvent, world: World) -> Columns:
    """New standing orders for the named columns (and their target place, if any)."""
    new = columns.copy()
    new.order[rows] = ORDERS.index(e.order)
    if e.target or e.target_cell:
        new.target[rows] = world.flat(e.target or e.target_cell)
    elif e.order == "hold":
        new.target[rows] = new.cell[rows]
    else:
        new.target[rows] = -1
    return new


def _route(routes: I64, rows: I64, cells: list[int]) -> I64:
    """Routes with the given rows replaced by ``cells`` (widened if needed)."""
    width = max(routes.shape[1], len(cells))
    out = np.full((routes.shape[0], width), -1, dtype=np.int64)
    out[:, : routes.shape[1]] = routes
    out[rows] = -1
    out[rows, : len(cells)] = cells
    return out


# ---------------------------------------------------------------------------- movement


def _move_context(
    state: WorldState, world: World, params: Scenario, *, column_goal: I64 | None = None
) -> MoveContext:
    v = state.villages

    def forage() -> NDArray[np.bool_]:  # only on days a band looks for food
        reserve = v.population * params.supply.ration * params.supply.village_reserve_days
        out: NDArray[np.bool_] = (v.support >= params.movement.support_forage) & (v.food > reserve)
        return out

    b = state.bands
    # Days of food in hand: read only by bands choosing a mode, none on a day without an
    # active band (move_bands then holds them all).
    stock = ((b.food + b.herd * params.supply.sheep_rations)
             / np.maximum(b.fighters * params.supply.ration, 1e-9)) if b.active.any() else None
    state_towns, insurgent_towns = _towns_held(world, state.town_holder)
    return MoveContext(
        band_graph=world.band_graph,
        horse_graph=world.horse_graph,
        foot_graph=world.foot_graph,
        afghan=world.afghan,
        sanctuary_open=state.sanctuary in ("open", "tolerated"),
        village_cell=v.cell,
        village_forage=forage,
        home_field=world.field_to,
        field_cache=world.move_cache,
        state_towns=state_towns,
        insurgent_towns=insurgent_towns,
        ambush_ground=_ambush_ground(world, params.combat.ambush_min_concealment),
        stock_days=stock,
        column_goal=column_goal,
    )


def _towns_held(world: World, holder: I64) -> tuple[I64, I64]:
    """Cells of the towns the state and the insurgents hold (read-only), kept in the
    world's movement memo by the towns and their holders (they change a few times a
    campaign; worlds sharing the memo, :mod:`sim.travel`, may list other towns)."""
    cache = world.move_cache
    towns, held = world.town_cells.tobytes(), holder.tobytes()
    keys = (("state towns", towns, held), ("insurgent towns", towns, held))
    if keys[0] not in cache or keys[1] not in cache:
        if len(cache) > 512:
            cache.clear()
        for key, side in zip(keys, (STATE, INSURGENT), strict=True):
            cells = world.town_cells[holder == side]
            cells.setflags(write=False)
            cache[key] = cells
    return cache[keys[0]], cache[keys[1]]


def _ambush_ground(world: World, threshold: float) -> NDArray[np.bool_]:
    """Cells concealing enough for a band to lie in wait (read-only), kept in the world's
    movement memo with the concealment map it was drawn from (a dated combat setting gives
    a new map)."""
    cache = world.move_cache
    key = ("ambush ground", threshold)
    if cache.get(("ambush concealment", threshold)) is not world.concealment or key not in cache:
        if len(cache) > 512:
            cache.clear()
        ground = world.concealment >= threshold
        ground.setflags(write=False)
        cache[key] = ground
        cache[("ambush concealment", threshold)] = world.concealment
    out: NDArray[np.bool_] = cache[key]
    return out


def movement_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Bands choose a mode and march; columns follow their orders and pursue."""
    s, w, p = state, day.world, params
    routes = s.routes
    if routes.shape[0] != len(s.columns):  # tables swapped in (benchmarks)
        routes = np.full((len(s.columns), 0), -1, dtype=np.int64)
    goal, routes = steer(s.columns, routes)  # the columns' goals (bands do not read them)
    ctx = _move_context(s, w, p, column_goal=goal)
    bands = move_bands(s.bands, s.columns, ctx, p.movement, sanctuary_next=w.sanctuary_next)
    cross = s.switches.get("cross_border_pursuit", False) or s.sanctuary == "hostile"
    conc = s.band_concealment
    informed = conc < 1.0 if conc.size == len(bands) else np.zeros(len(bands), dtype=bool)
    visible = visible_bands(
        bands,
        s.columns,
        shape=w.theatre.shape,
        informed=informed,
        beyond_reach=w.afghan[bands.cell] & (not cross),
        detection_cells=p.movement.detection_cells,
        report_success=p.movement.report_success,
    )
    columns = move_columns(
        s.columns, bands, ctx, p.movement, rng=rng, visible_bands=visible, switches=s.switches
    )
    return replace(s, bands=bands, columns=columns, routes=routes), []


# ---------------------------------------------------------------------------- supply


def supply_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Food, herds, hunger and desertion of bands; supply of columns; harvests."""
    s, w, p = state, day.world, params
    sanctuary = sanctuary_share(s.sanctuary, tolerated=p.population.tolerated_sanctuary_share)
    share = sanctuary * p.supply.sanctuary_food * w.afghan[s.bands.cell]
    status = day.schedule.sanctuary_status(s.day)
    if status is not None:  # sanctuary entries limited to a region: a status per cell
        tolerated = p.population.tolerated_sanctuary_share
        shares = np.array([sanctuary_share(k, tolerated=tolerated) for k in SANCTUARY])
        share = shares[status[s.bands.cell]] * p.supply.sanctuary_food * w.afghan[s.bands.cell]
    cotton = day.schedule.policy("food_for_cotton", s.day) is not None
    afghan = w.afghan
    if cotton:
        # Only where the plan is in force (the Soviet side unless limited further).
        cells = np.arange(w.afghan.size, dtype=np.int64)
        outside = day.schedule.policy_cells("food_for_cotton", s.day, cells)[0] <= 0
        afghan = w.afghan | outside
    villages = cotton_villages(
        s.villages, land_cover=w.theatre.land_cover, afghan=afghan, in_force=cotton
    )
    depots, trains, bands, out = _moving_supply(s, w, p)
    depot_hours, depot_stock = w.depot_hours, None
    if depots.moving:
        ds = depot_supply(depots, s.day, w.foot_graph)
        depot_hours, depot_stock = ds.hours, (ds.nearest, ds.stock)
    bands, columns, villages, fed = supply_day(
        bands,
        s.columns,
        villages,
        village_of_cell=w.village_of_cell,
        band_sanctuary_share=share.astype(np.float64),
        depot_hours=depot_hours,
        harvest_today=day.date.timetuple().tm_yday == p.supply.harvest_day_of_year,
        food_for_cotton=cotton,
        params=p.supply,
        rng=rng,
        depot_stock=depot_stock,
    )
    out += fed
    if depot_stock is not None:
        depots = draw_stock(depots, fed)
    return replace(s, bands=bands, columns=columns, villages=villages,
                   depots=depots, trains=trains), out


def _moving_supply(
    s: WorldState, w: World, p: Scenario
) -> tuple[Depots, PackTrains, Bands, list[Events]]:
    """Forward bases follow their columns; pack trains march, deliver or are taken."""
    out: list[Events] = []
    depots, trains, bands = s.depots, s.trains, s.bands
    if (depots.follows >= 0).any():
        base = np.zeros(w.afghan.size, dtype=bool)
        base[w.town_cells[s.town_holder == STATE]] = True
        depots, ev = follow_columns(depots, s.columns, base_cells=base, params=p.supply)
        out += ev
    if len(trains):
        trains, depots, bands, ev = pack_trains_day(
            trains, depots, bands, day=s.day, graph=w.foot_graph, field_to=w.field_to,
            params=p.supply,
        )
        out += ev
    return depots, trains, bands, out


# ---------------------------------------------------------------------------- combat


def combat_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Every engagement of the day (:func:`sim.kernels.combat.combat_day`)."""
    s = state
    bands, columns, villages, out = combat_day(
        s.bands,
        s.columns,
        s.villages,
        concealment=day.world.concealment,
        ncols=day.world.ncols,
        day_switches=s.switches,
        params=params.combat,
        rng=rng,
        band_concealment=s.band_concealment if s.band_concealment.size == len(s.bands) else None,
    )
    return replace(s, bands=bands, columns=columns, villages=villages), out


# ---------------------------------------------------------------------------- population


def population_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Villages, recruitment, amnesty, defection, repression and leaders (one kernel),
    fed with the day's batches of the earlier phases."""
    s, w = state, day.world
    assert w.population is not None, "the model builds the population context first"
    seen = s.losses_seen if s.losses_seen.size == len(s.bands) else np.zeros(len(s.bands))
    tally = losses_of_day(
        day.events, s.bands, losses_seen=seen, village_of_cell=w.village_of_cell,
        n_villages=len(s.villages),
    )
    leaders = s.leaders
    if tally.exiled.size and len(leaders):
        leaders = leaders.copy()
        leaders.status[tally.exiled] = LeaderStatus.EXILED
    s = replace(s, leaders=leaders, ledger=ledger_from_events(s.ledger, day.events))

    cells, sched = s.villages.cell, day.schedule

    def intensity(name: str) -> F64 | float:
        # 0 (a scalar, the same everywhere) while no window of the policy is in force
        return sched.policy_cells(name, s.day, cells)[0] if sched.in_force(name, s.day) else 0.0

    towns = s.town_holder
    today = PopulationToday(
        amnesty=(sched.policy_cells("amnesty", s.day, s.bands.cell)[1]
                 if sched.in_force("amnesty", s.day) else 0.0),
        village=VillagePolicies(**{k: intensity(k) for k in (
            "anti_religious", "collectivisation", "food_for_cotton", "requisition", "relief",
            "land_reform", "concessions", "local_cadres", "fair_amnesty")}),
        repression=RepressionPolicies(**{k: intensity(k) for k in (
            "executions", "show_trials", "punitive_raids", "village_burning")}),
        sanctuary=s.sanctuary,
        scouts=bool(s.switches.get("local_scouts", False)),
        losing=(np.count_nonzero(towns == -1) / towns.size) if towns.size else 0.0,
        killed=tally.killed,
        wounded=tally.wounded,
        captured=tally.captured,
        collateral=tally.collateral,
        fight_cells=tally.fight_cells,
        state_losses=tally.state_losses,
        state_taken=_state_taken(day.events, s.villages),
    )
    new, out = population_day(
        s, context=w.population, today=today, params=params.population, rng=rng
    )
    return replace(new, losses_seen=new.bands.recent_losses.copy()), out


def _state_taken(batches: Sequence[Events], villages: Villages) -> NDArray[np.float64]:
    """Share of each village's food the state's columns requisitioned today.

    Returns
    -------
    ndarray of float64, shape (n_villages,)
    """
    nv = len(villages)
    share = np.zeros(nv)
    # the food taken from the few villages requisitioned today, summed in the events' order
    taken: dict[int, float] = {}
    for b in batches:
        if b.kind == "requisition" and b.side == "state" and nv and "village" in b.extra:
            for v, n in zip(b.extra["village"].astype(np.int64).tolist(), b.n.tolist(),
                            strict=True):
                taken[v] = taken.get(v, 0.0) + n
    # share of the food each village had before the columns took theirs
    food = villages.food
    for v, t in taken.items():
        if t > 0:
            share[v] = t / (float(food[v]) + t)
    return share


# ---------------------------------------------------------------------------- control


def control_phase(
    state: WorldState, day: Day, *, params: Scenario, rng: np.random.Generator
) -> Result:
    """Who holds each town after the day's moves and fights; takers gain momentum."""
    s, w = state, day.world
    holder, bands, out = control_day(
        s.town_holder, w.town_cells, s.bands, s.columns, n_cells=w.afghan.size,
        town_success=params.population.town_success,
    )
    return replace(s, town_holder=holder, bands=bands), out


#: The day's phases in order, each with the name of its random stream
#: (:data:`sim.seeds.PHASES`).
PHASES: tuple[tuple[str, Phase], ...] = (
    ("timeline", timeline_phase),
    ("movement", movement_phase),
    ("supply", supply_phase),
    ("combat", combat_phase),
    ("population", population_phase),
    ("control", control_phase),
)
