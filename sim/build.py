"""Build the world of a scenario: map, graphs, villages, and the initial unit tables.

Every unit that will ever take part (including those arriving later with a
``reinforce`` entry) gets its row now, inactive until its day, so that row
indices stay stable for the whole run.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.geography import Country, LandCover, Theatre
from sim.kernels.combat import concealment_map
from sim.kernels.control import STATE
from sim.kernels.population import (
    PopulationContext,
    add_volunteer_rows,
    initial_memory,
    people_total,
)
from sim.kernels.terrain import Graph, distance_field
from sim.regions import region_area
from sim.scenario import COLUMN_KINDS, ORDERS, BandSpec, ColumnSpec, Scenario
from sim.settlements import settlement_population
from sim.state import Bands, Columns, Depots, Leaders, PackTrains, Villages, WorldState
from sim.travel import Travel, build_travel, graphs, theatre_of, travel_key

__all__ = ["World", "build_world", "make_theatre"]

I64 = NDArray[np.int64]


@dataclasses.dataclass(frozen=True)
class World:
    """Static facts of a run plus its initial state.

    Nothing in a World changes: a dated ``set`` of a movement or combat parameter
    gives a new World (:meth:`with_settings`) with new graphs or concealment.

    Attributes
    ----------
    theatre : Theatre
    band_graph, horse_graph, foot_graph : Graph
    afghan : ndarray of bool, shape (n_cells,)
    village_of_cell : ndarray of int64, shape (n_cells,)
    depot_hours : ndarray of float64, shape (n_cells,)
        Foot-marching hours to the nearest depot.
    sanctuary_next : ndarray of int64, shape (n_cells,)
        First step toward the nearest Afghan cell, for bands.
    band_names, column_names, leader_names : list of str
    arrivals : dict of int to (band rows, column rows)
        Rows activated by ``reinforce`` entries, by day.
    town_cells : ndarray of int64, shape (n_towns,)
    town_names : list of str
    state : WorldState
        The state on day 0 (the model's state starts as this object and is replaced,
        never mutated, by the phases).
    concealment : ndarray of float64, shape (n_cells,)
        Share of area fire wasted on a band hidden in each cell
        (:func:`sim.kernels.combat.concealment_map` of the combat parameters).
    population : PopulationContext or None
        Static facts of the population rules, built before the first day
        (:func:`sim.phases.population_context`).
    move_cache : dict
        Memo of movement fields (``MoveContext.field_cache``), emptied with new costs.
    column_routes : ndarray of int64, shape (n_scenario_columns, k)
        Waypoint cells of each scenario column's route, in order, -1 padded.
    """

    theatre: Theatre
    band_graph: Graph
    horse_graph: Graph
    foot_graph: Graph
    afghan: NDArray[np.bool_]
    village_of_cell: I64
    depot_hours: NDArray[np.float64]
    sanctuary_next: I64
    band_names: list[str]
    column_names: list[str]
    leader_names: list[str]
    arrivals: dict[int, tuple[I64, I64]]
    town_cells: I64
    town_names: list[str]
    state: WorldState
    depot_cells: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _fields: dict[tuple[int, int], I64] = dataclasses.field(default_factory=dict)
    volunteer_row: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    concealment: NDArray[np.float64] = dataclasses.field(default_factory=lambda: np.zeros(0))
    population: PopulationContext | None = None
    move_cache: dict[tuple[object, ...], NDArray[Any]] = dataclasses.field(default_factory=dict)
    column_routes: I64 = dataclasses.field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.int64)
    )

    @property
    def ncols(self) -> int:
        """Columns of the grid."""
        return self.theatre.shape[1]

    def flat(self, place_or_cell: str | tuple[int, ...]) -> int:
        """Flat cell index of a named place or a [row, col] pair."""
        if isinstance(place_or_cell, str):
            r, c = self.theatre.place(place_or_cell)
        else:
            r, c = place_or_cell[0], place_or_cell[1]
        return int(r) * self.ncols + int(c)

    def with_settings(self, s: Scenario, path: str) -> World:
        """The world after a dated ``set`` of parameter ``path`` (dotted), as a new object.

        Travel costs are precomputed from the movement parameters and concealment from
        the combat parameters: a change of either gives a World with them recomputed;
        any other change gives this World back.
        """
        if path.startswith("movement."):
            band, horse, foot, depot_hours, sanctuary_next = _costs(
                self.theatre, s, depots=self.depot_cells, afghan=self.afghan
            )
            return dataclasses.replace(
                self, band_graph=band, horse_graph=horse, foot_graph=foot,
                depot_hours=depot_hours, sanctuary_next=sanctuary_next, _fields={},
                move_cache={},
            )
        if path.startswith("combat."):
            t = self.theatre
            return dataclasses.replace(
                self, concealment=concealment_map(t.land_cover, t.ruggedness, s.combat)
            )
        return self

    def replicate(self) -> World:
        """A world for one more run of the same scenario: the static map, the graphs with
        their cached distance fields and the movement memos shared (their entries are pure
        functions of graphs this world keeps alive; new costs come with new memos, see
        :meth:`with_settings`), the initial state copied."""
        return dataclasses.replace(self, state=copy.deepcopy(self.state))

    def field_to(self, graph: Graph, cell: int) -> I64:
        """Cached next-cell field toward one cell for one graph."""
        key = (id(graph), cell)
        if key not in self._fields:
            self._fields[key] = distance_field(graph, np.array([cell], dtype=np.int64))[1]
        return self._fields[key]


def _is_settlement(kind: str) -> bool:
    """Whether a place of this ``feature`` (places.csv) can be held: towns, villages, posts."""
    return any(word in kind for word in ("town", "village", "city", "post", "garrison"))


def make_theatre(s: Scenario) -> Theatre:
    """The map of a scenario: the (cropped) real theatre or a synthetic grid."""
    return theatre_of(s.map)


def _costs(
    t: Theatre, s: Scenario, *, depots: I64, afghan: NDArray[np.bool_]
) -> tuple[Graph, Graph, Graph, NDArray[np.float64], I64]:
    """Graphs of the three kinds of mover, hours to the nearest depot, steps to the border."""
    band_graph, horse_graph, foot_graph = graphs(t, s.movement)
    depot_hours, sanctuary_next = _static_fields(band_graph, foot_graph, depots=depots,
                                                 afghan=afghan)
    return band_graph, horse_graph, foot_graph, depot_hours, sanctuary_next


def _static_fields(
    band_graph: Graph, foot_graph: Graph, *, depots: I64, afghan: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], I64]:
    """Hours to the nearest depot on foot and bands' steps to the border (kept on the graphs)."""
    depot_hours = distance_field(foot_graph, depots, keep=True)[0]
    sanctuary_next = distance_field(band_graph, np.flatnonzero(afghan).astype(np.int64),
                                    keep=True)[1]
    return depot_hours, sanctuary_next


def _villages(t: Theatre, s: Scenario) -> Villages:
    p = s.villages
    lc = t.land_cover.reshape(-1)
    if s.map.kind == "theatre" and p.layer == "settlements":
        people = settlement_population(t)
    else:
        people = np.zeros(lc.shape, dtype=np.int64)
        people[lc == LandCover.CROPLAND] = p.people_cropland
        people[lc == LandCover.GRASSLAND] = p.people_grassland
        people[lc == LandCover.SHRUB] = p.people_shrub
        people[lc == LandCover.FOREST] = p.people_forest
        people[lc == LandCover.TOWN] = p.people_town
        people[t.elevation.reshape(-1) > p.max_elevation] = 0
    people = np.floor(people * (1.0 - p.depopulation)).astype(np.int64)
    cells = np.flatnonzero(people > 0).astype(np.int64)
    pop = people[cells]
    n = cells.size
    sp = s.supply
    # Villages start with what is left of the last harvest: a harvest feeds a village for
    # ``harvest_days``, eaten down one day at a time since harvest day.
    since_harvest = (s.start.timetuple().tm_yday - sp.harvest_day_of_year) % 365
    stock_days = max(sp.harvest_days - since_harvest, 0.0)
    support, grievance, fear = np.full(n, p.support), np.full(n, p.grievance), np.full(n, p.fear)
    if s.regions:
        for region in s.regions:  # a handful per scenario, in declared order
            inside = region_area(t, region)[cells]
            if region.support is not None:
                support[inside] = region.support
            if region.grievance is not None:
                grievance[inside] = region.grievance
            if region.fear is not None:
                fear[inside] = region.fear
    return Villages(
        cell=cells,
        population=pop,
        food=pop * sp.ration * stock_days,
        crop=pop * sp.ration * sp.harvest_days,
        cotton=np.zeros(n, dtype=bool),
        support=support,
        grievance=grievance,
        fear=fear,
        requisitioned=np.zeros(n),
        weariness=np.zeros(n),
    )


def _expand(
    specs: tuple[BandSpec, ...] | tuple[ColumnSpec, ...],
) -> Iterator[tuple[str, BandSpec | ColumnSpec]]:
    for spec in specs:
        if spec.count == 1:
            yield spec.name, spec
        else:
            for k in range(spec.count):
                yield f"{spec.name}-{k + 1}", spec


def _supply_tables(
    s: Scenario, flat: Callable[[str, tuple[int, ...]], int], column_names: list[str]
) -> tuple[Depots, PackTrains]:
    """The depots (dates as day numbers, followed column rows, stocks) and pack trains."""
    depots = Depots.empty(len(s.depots))
    for i, d in enumerate(s.depots):
        depots.cell[i] = flat(d.at, d.cell)
        if d.opens is not None:
            depots.opens[i] = (d.opens - s.start).days
        if d.closes is not None:
            depots.closes[i] = (d.closes - s.start).days
        if d.follows:
            depots.follows[i] = column_names.index(d.follows)
        if d.stock is not None:
            depots.stock[i] = d.stock
    names = [d.name for d in s.depots]
    width = max([len(t.route) for t in s.pack_trains] + [0])
    trains = PackTrains.empty(len(s.pack_trains), width)
    for i, t in enumerate(s.pack_trains):
        trains.cell[i] = flat(t.at, t.cell)
        trains.depart[i] = (t.date - s.start).days
        trains.depot[i] = names.index(t.to)
        trains.route[i, : len(t.route)] = [flat(w, ()) for w in t.route]
        trains.rations[i] = t.rations
        trains.escort[i] = t.escort
    return depots, trains


def build_world(s: Scenario, *, travel: Travel | None = None) -> World:
    """Build the static world and the initial :class:`WorldState` of a scenario.

    Parameters
    ----------
    s : Scenario
    travel : Travel, optional
        The map and travel graphs to build on (:func:`sim.batch.shared_travel`: shared by
        every scenario of the same map and movement parameters, with the distance fields
        and movement memos they have searched); by default built here for this world alone.
        The tables are the same either way.

    Raises
    ------
    ValueError
        If ``travel`` was built for another map or other movement parameters.

    Returns
    -------
    World
    """
    if travel is None:
        travel = build_travel(s.map, s.movement)
    elif travel.key != travel_key(s.map, s.movement):
        raise ValueError(
            f"scenario {s.name!r}: the travel graphs given were built for another map or other"
            " movement parameters (sim.travel.travel_key differs); build them from this"
            " scenario's [map] and [movement]")
    t = travel.theatre
    rows, cols = t.shape
    afghan = travel.afghan
    villages = _villages(t, s)
    village_of_cell = np.full(rows * cols, -1, dtype=np.int64)
    village_of_cell[villages.cell] = np.arange(len(villages))
    leaders = [leader.name for leader in s.leaders]

    def flat(at: str, cell: tuple[int, ...]) -> int:
        if at:
            r, c = t.place(at)
            return int(r) * cols + int(c)
        return int(cell[0]) * cols + int(cell[1])

    band_rows: list[tuple[str, BandSpec, int]] = [(n, b, 0) for n, b in _expand(s.bands)]  # type: ignore[misc]
    col_rows: list[tuple[str, ColumnSpec, int]] = [(n, c, 0) for n, c in _expand(s.columns)]  # type: ignore[misc]
    for e in s.timeline:
        if e.kind == "reinforce":
            day = (e.date - s.start).days
            band_rows += [(n, b, day) for n, b in _expand(e.bands)]  # type: ignore[misc]
            col_rows += [(n, c, day) for n, c in _expand(e.columns)]  # type: ignore[misc]

    nb = len(band_rows)
    bands = Bands.empty(nb)
    for i, (_, b, day) in enumerate(band_rows):
        bands.fighters[i] = b.fighters
        bands.morale[i] = b.morale
        bands.food[i] = b.food_days * b.fighters * s.supply.ration
        bands.herd[i] = b.herd
        bands.cell[i] = flat(b.at, b.cell)
        bands.home[i] = flat(b.home, ()) if b.home else bands.cell[i]
        bands.leader[i] = leaders.index(b.leader) if b.leader else -1
        bands.active[i] = day <= 0
    nc = len(col_rows)
    columns = Columns.empty(nc)
    for i, (_, c, day) in enumerate(col_rows):
        columns.kind[i] = COLUMN_KINDS.index(c.kind)
        columns.strength[i] = c.strength
        columns.machine_guns[i] = c.machine_guns
        columns.guns[i] = c.guns
        columns.supply[i] = c.supply_days
        columns.morale[i] = c.morale
        columns.order[i] = ORDERS.index(c.order)
        columns.cell[i] = flat(c.at, c.cell)
        columns.home[i] = columns.cell[i]
        columns.target[i] = (
            flat(c.target, c.target_cell)
            if (c.target or c.target_cell)
            else (columns.cell[i] if c.order == "hold" else -1)
        )
        columns.active[i] = day <= 0
    width = max([len(c.route) for _, c, _ in col_rows] + [0])
    routes = np.full((nc, width), -1, dtype=np.int64)
    for i, (_, c, _) in enumerate(col_rows):
        routes[i, : len(c.route)] = [flat(w, ()) for w in c.route]
    arrivals: dict[int, tuple[I64, I64]] = {}
    for day in sorted(({r[2] for r in band_rows} | {r[2] for r in col_rows}) - {0}):
        arrivals[day] = (
            np.array([i for i, r in enumerate(band_rows) if r[2] == day], dtype=np.int64),
            np.array([i for i, r in enumerate(col_rows) if r[2] == day], dtype=np.int64),
        )

    # Population: one reserved volunteer row per band (the detachment it may become).
    columns, volunteer_row = add_volunteer_rows(columns, bands)
    volunteer_names = [f"{r[0]}-volunteers" for r in band_rows]
    leader_table = Leaders.empty(len(s.leaders))
    leader_table.authority[:] = [ld.authority for ld in s.leaders]
    leader_table.caution[:] = [ld.caution for ld in s.leaders]

    depots = np.array([flat(d.at, d.cell) for d in s.depots], dtype=np.int64)
    band_graph, horse_graph, foot_graph = travel.band_graph, travel.horse_graph, travel.foot_graph
    depot_hours, sanctuary_next = _static_fields(band_graph, foot_graph, depots=depots,
                                                 afghan=afghan)
    towns = [
        (name, r * cols + c)
        for name, (r, c) in t.places.items()
        if _is_settlement(t.place_kinds.get(name, "")) and t.country[r, c] == Country.SOVIET
    ]
    state = WorldState(
        day=0,
        bands=bands,
        columns=columns,
        villages=villages,
        sanctuary=s.sanctuary,
        leaders=leader_table,
        memory=initial_memory(villages, s.population),
        band_concealment=np.ones(len(bands)),
    )
    state.people_initial = people_total(state)
    state.town_holder = np.full(len(towns), STATE, dtype=np.int64)
    state.routes = np.full((len(state.columns), routes.shape[1]), -1, dtype=np.int64)
    state.routes[: routes.shape[0]] = routes
    state.depots, state.trains = _supply_tables(s, flat, [r[0] for r in col_rows])
    return World(
        theatre=t,
        band_graph=band_graph,
        horse_graph=horse_graph,
        foot_graph=foot_graph,
        afghan=afghan,
        village_of_cell=village_of_cell,
        depot_hours=depot_hours,
        sanctuary_next=sanctuary_next,
        band_names=[r[0] for r in band_rows],
        column_names=[r[0] for r in col_rows] + volunteer_names,
        leader_names=leaders,
        arrivals=arrivals,
        town_cells=np.array([c for _, c in towns], dtype=np.int64),
        town_names=[n for n, _ in towns],
        state=state,
        volunteer_row=volunteer_row,
        depot_cells=depots,
        concealment=concealment_map(t.land_cover, t.ruggedness, s.combat),
        column_routes=routes,
        _fields=travel.fields,
        move_cache=travel.move_cache,
    )
