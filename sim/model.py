"""The Mesa model: one step is one day, a fixed schedule of phases over array state.

``BasmachiModel.step()`` runs, in order: the timeline (arrivals, withdrawals,
orders, supply shocks, parameter switches), movement, supply, combat, the
population rules, control of towns, and recording. Every phase reads the
struct-of-arrays state, calls a pure kernel with its own random stream, and
swaps the returned arrays in; kernels report what happened as event batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from sim.agents import BandAgent, ColumnAgent, VillageAgent
from sim.build import World, build_world
from sim.events import Events, events
from sim.geography import LandCover
from sim.kernels.combat import combat_day, concealment_map
from sim.kernels.control import INSURGENT, STATE, control_day
from sim.kernels.movement import MoveContext, move_bands, move_columns, visible_bands
from sim.kernels.population import (
    PopulationContext,
    PopulationToday,
    ledger_from_events,
    population_day,
)
from sim.kernels.repression import RepressionPolicies
from sim.kernels.supply import supply_day
from sim.kernels.terrain import distance_field
from sim.kernels.villages import VillagePolicies
from sim.recorder import Recorder
from sim.scenario import ORDERS, Scenario
from sim.seeds import as_seed_sequence, phase_generators
from sim.state import LeaderStatus, WorldState
from sim.timeline import compile_timeline

__all__ = ["BasmachiModel"]

SANCTUARY_SHARE = {"open": 1.0, "tolerated": 0.5, "closed": 0.0, "hostile": 0.0}


class BasmachiModel(mesa.Model):  # type: ignore[misc]
    """A run of one scenario.

    Parameters
    ----------
    scenario : Scenario
    seed : int or numpy.random.SeedSequence
        Master seed of the run; every phase draws from its own child stream.
    agents : bool
        Create the Mesa agent views (default). Benchmarks and sweeps may skip them.

    Attributes
    ----------
    world : World
        Static map, graphs and names.
    state : WorldState
        The arrays that change.
    recorder : Recorder
        Daily metrics and events.
    params : Scenario
        The scenario with today's parameters: ``scenario`` as loaded, plus the dated
        ``set`` entries of its timeline applied so far.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | np.random.SeedSequence = 0,
        agents: bool = True,
    ) -> None:
        self.seed_sequence = as_seed_sequence(seed)
        self.rngs = phase_generators(self.seed_sequence)
        super().__init__(rng=self.rngs["mesa"])
        self.scenario = scenario
        self.params = scenario
        self.world: World = build_world(scenario)
        self.state: WorldState = self.world.state
        self.schedule = compile_timeline(scenario)
        n_towns = self.world.town_cells.size
        self.town_holder = np.full(n_towns, STATE, dtype=np.int64)
        self.recorder = Recorder(self)
        t = self.world.theatre
        self._concealment = concealment_map(t.land_cover, t.ruggedness, scenario.combat)
        self._move_cache: dict[tuple[object, ...], np.ndarray[Any, Any]] = {}
        self.phases: list[tuple[str, Callable[[], None]]] = [
            ("timeline", self._timeline),
            ("movement", self._movement),
            ("supply", self._supply),
            ("combat", self._combat_phase),
            ("population", self._population),
            ("control", self._control),
        ]
        if agents:
            for i, name in enumerate(self.world.band_names):
                BandAgent(self, i, name)
            for i, name in enumerate(self.world.column_names):
                ColumnAgent(self, i, name)
            for i in range(len(self.state.villages)):
                VillageAgent(self, i, f"village-{i}")

    # ------------------------------------------------------------------ schedule

    @property
    def date(self) -> dt.date:
        """Calendar date of the current day."""
        return self.scenario.start + dt.timedelta(days=self.state.day)

    @property
    def finished(self) -> bool:
        """Whether every day of the scenario has been simulated."""
        return self.state.day >= self.scenario.days

    def step(self) -> None:
        """Simulate one day: every phase in order, then record."""
        if self.finished:
            self.running = False
            return
        for _, phase in self.phases:
            phase()
        self.recorder.record_day()
        self.state.day += 1
        self.running = not self.finished

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Step to the end of the scenario, calling ``progress(day)`` after each day."""
        while not self.finished:
            self.step()
            if progress is not None:
                progress(self.state.day)

    def emit(self, batches: list[Events]) -> None:
        """Hand event batches to the recorder, stamped with today."""
        self.recorder.add_events(self.state.day, batches)

    # ------------------------------------------------------------------ phases

    def _timeline(self) -> None:
        s, day = self.state, self.state.day
        s.sanctuary = self.schedule.sanctuary[day]
        s.switches = self.schedule.switches_on(day)
        out: list[Events] = []
        if day in self.world.arrivals:
            brows, crows = self.world.arrivals[day]
            for side, table, rows in (("insurgent", s.bands, brows), ("state", s.columns, crows)):
                table.active[rows] = True
                size = table.fighters if side == "insurgent" else table.strength  # type: ignore[union-attr]
                if rows.size:
                    out.append(
                        events("arrival", side, unit=rows, cell=table.cell[rows], n=size[rows])
                    )
        for e in self.schedule.actions.get(day, []):
            if e.kind == "set":
                self.params = self.params.with_values({e.path: e.value}, semantics=False)
                if e.path.startswith("movement."):  # travel costs are precomputed
                    self.world.rebuild_costs(self.params)
                    self._move_cache.clear()
                elif e.path.startswith("combat."):  # so is the terrain's concealment
                    t = self.world.theatre
                    self._concealment = concealment_map(
                        t.land_cover, t.ruggedness, self.params.combat
                    )
            elif e.kind in ("withdraw", "orders"):
                for side, rows in self._rows_of(e.units):
                    table = s.bands if side == "insurgent" else s.columns
                    if e.kind == "withdraw":
                        table.active[rows] = False
                        out.append(
                            events("withdrawal", side, unit=rows, cell=table.cell[rows], n=0)
                        )
                    elif side == "state":
                        s.columns.order[rows] = ORDERS.index(e.order)
                        if e.target:
                            s.columns.target[rows] = self.world.flat(e.target)
                        elif e.order == "hold":
                            s.columns.target[rows] = s.columns.cell[rows]
                        else:
                            s.columns.target[rows] = -1
            elif e.kind == "supply_shock":
                rows = self._band_rows(e.leader, e.units)
                seized = s.bands.herd[rows] * e.herd_seized
                s.bands.herd[rows] -= seized
                s.bands.food[rows] *= 1.0 - e.food_seized
                out.append(
                    events(
                        "supply_shock", "insurgent", unit=rows, cell=s.bands.cell[rows], n=seized
                    )
                )
            elif e.kind == "leader_exit":
                rows = self._band_rows(e.leader, ())
                out.append(
                    events(
                        "leader_exit",
                        "insurgent",
                        unit=rows,
                        cell=s.bands.cell[rows],
                        n=s.bands.fighters[rows],
                    )
                )
                s.bands.home[rows] = self._nearest_afghan(s.bands.cell[rows])
                s.bands.morale[rows] = np.minimum(s.bands.morale[rows], 0.0)
        self.emit(out)

    def _rows_of(self, names: tuple[str, ...]) -> list[tuple[str, np.ndarray]]:
        bn = {n: i for i, n in enumerate(self.world.band_names)}
        cn = {n: i for i, n in enumerate(self.world.column_names)}

        def match(table: dict[str, int], name: str) -> list[int]:
            return [i for n, i in table.items() if n == name or n.startswith(name + "-")]

        b = np.array([i for n in names for i in match(bn, n)], dtype=np.int64)
        c = np.array([i for n in names for i in match(cn, n)], dtype=np.int64)
        return [(side, rows) for side, rows in (("insurgent", b), ("state", c)) if rows.size]

    def _band_rows(self, leader: str, units: tuple[str, ...]) -> np.ndarray:
        if leader:
            i = self.world.leader_names.index(leader)
            return np.flatnonzero((self.state.bands.leader == i) & self.state.bands.active)
        return np.concatenate(
            [rows for side, rows in self._rows_of(units) if side == "insurgent"]
            or [np.zeros(0, dtype=np.int64)]
        )

    def _nearest_afghan(self, cells: np.ndarray) -> np.ndarray:
        _, _, nearest = distance_field(
            self.world.band_graph, np.flatnonzero(self.world.afghan).astype(np.int64)
        )
        return np.where(nearest[cells] >= 0, nearest[cells], cells)

    def _move_context(self) -> MoveContext:
        s, w, p = self.state, self.world, self.params
        v = s.villages
        reserve = v.population * p.supply.ration * p.supply.village_reserve_days
        return MoveContext(
            band_graph=w.band_graph,
            horse_graph=w.horse_graph,
            foot_graph=w.foot_graph,
            afghan=w.afghan,
            sanctuary_open=s.sanctuary in ("open", "tolerated"),
            village_cell=v.cell,
            village_forage=(v.support >= p.movement.support_forage) & (v.food > reserve),
            home_field=w.field_to,
            field_cache=self._move_cache,
            state_towns=w.town_cells[self.town_holder == STATE],
            insurgent_towns=w.town_cells[self.town_holder == INSURGENT],
            ambush_ground=self._concealment >= p.combat.ambush_min_concealment,
        )

    def _movement(self) -> None:
        s, w, p = self.state, self.world, self.params
        ctx = self._move_context()
        s.bands = move_bands(s.bands, s.columns, ctx, p.movement, sanctuary_next=w.sanctuary_next)
        cross = s.switches.get("cross_border_pursuit", False) or s.sanctuary == "hostile"
        conc = s.band_concealment
        informed = conc < 1.0 if conc.size == len(s.bands) else np.zeros(len(s.bands), dtype=bool)
        visible = visible_bands(
            s.bands,
            s.columns,
            shape=w.theatre.shape,
            informed=informed,
            beyond_reach=w.afghan[s.bands.cell] & (not cross),
            detection_cells=p.movement.detection_cells,
            report_success=p.movement.report_success,
        )
        s.columns = move_columns(
            s.columns,
            s.bands,
            ctx,
            p.movement,
            rng=self.rngs["movement"],
            visible_bands=visible,
            switches=s.switches,
        )

    def _supply(self) -> None:
        s, w, p = self.state, self.world, self.params
        share = SANCTUARY_SHARE[s.sanctuary] * p.supply.sanctuary_food * w.afghan[s.bands.cell]
        doy = self.date.timetuple().tm_yday
        cotton = self.schedule.policy("food_for_cotton", s.day) is not None
        if cotton:
            # The plan took the irrigated fields of the Soviet side; pasture and mountain
            # villages kept their own grain.
            cell = s.villages.cell
            farms = (w.theatre.land_cover.reshape(-1)[cell] == LandCover.CROPLAND) & ~w.afghan[cell]
            s.villages.cotton = s.villages.cotton | farms
        s.bands, s.columns, s.villages, out = supply_day(
            s.bands,
            s.columns,
            s.villages,
            village_of_cell=w.village_of_cell,
            band_sanctuary_share=share.astype(np.float64),
            depot_hours=w.depot_hours,
            harvest_today=doy == p.supply.harvest_day_of_year,
            food_for_cotton=cotton,
            params=p.supply,
            rng=self.rngs["supply"],
        )
        self.emit(out)

    def _combat_phase(self) -> None:
        s = self.state
        s.bands, s.columns, s.villages, out = combat_day(
            s.bands,
            s.columns,
            s.villages,
            concealment=self._concealment,
            ncols=self.world.ncols,
            day_switches=s.switches,
            params=self.params.combat,
            rng=self.rngs["combat"],
            band_concealment=(
                s.band_concealment if s.band_concealment.size == len(s.bands) else None
            ),
        )
        self.emit(out)

    def _control(self) -> None:
        s = self.state
        self.town_holder, s.bands, out = control_day(
            self.town_holder,
            self.world.town_cells,
            s.bands,
            s.columns,
            n_cells=self.world.afghan.size,
            town_success=self.params.population.town_success,
        )
        self.emit(out)

    # ------------------------------------------------------------------ population

    def _population_context(self) -> PopulationContext:
        ctx: PopulationContext | None = getattr(self, "_pop_ctx", None)
        if ctx is None:
            w, s = self.world, self.state
            afghan_cells = np.flatnonzero(w.afghan).astype(np.int64)
            nearest_afghan = distance_field(w.band_graph, afghan_cells)[2]
            cells = np.arange(w.afghan.size, dtype=np.int64)
            nearest_afghan = np.where(nearest_afghan >= 0, nearest_afghan, cells)
            near_village = distance_field(w.band_graph, s.villages.cell)[2]
            # Tables swapped in after the build (benchmarks) have no reserved volunteer rows.
            nb = len(s.bands)
            vrow = w.volunteer_row if w.volunteer_row.size == nb else np.full(nb, -1, np.int64)
            nl = len(self.scenario.leaders)
            rivals = np.zeros((nl, nl), dtype=bool)
            for i, leader in enumerate(self.scenario.leaders):
                for r in leader.rivals:
                    rivals[i, w.leader_names.index(r)] = True
            ctx = PopulationContext.build(
                shape=w.theatre.shape,
                village_cells=s.villages.cell,
                afghan=w.afghan,
                nearest_afghan=nearest_afghan,
                nearest_village_cell=near_village,
                band_home=s.bands.home.copy(),
                volunteer_row=vrow,
                rivals=rivals,
                neighbour_cells=self.params.population.neighbour_cells,
            )
            self._pop_ctx = ctx
            self._pop_seen = 0
            self._pop_mark = np.zeros(len(s.bands))
        return ctx

    def _population(self) -> None:
        """Villages, recruitment, amnesty, defection, repression and leaders (one kernel call)."""
        s, w, p = self.state, self.world, self.params
        ctx = self._population_context()
        new = [b for _, b in self.recorder.batches[self._pop_seen :]]
        s.ledger = ledger_from_events(s.ledger, new)
        nb, nv = len(s.bands), len(s.villages)
        deserted = np.zeros(nb)
        collateral = np.zeros(nv)
        totals = np.zeros(3)
        for b in new:
            if b.kind == "desertion" and b.side == "insurgent":
                np.add.at(deserted, b.unit, b.n)
            elif b.kind == "engagement" and len(b):
                totals += [
                    float(b.extra[k].sum()) if k in b.extra else 0.0
                    for k in ("insurgents_killed", "insurgents_wounded", "insurgents_captured")
                ]
                if "civilians_killed" in b.extra and nv:
                    vrow = w.village_of_cell[b.cell]
                    ok = vrow >= 0
                    np.add.at(collateral, vrow[ok], b.extra["civilians_killed"][ok])
            elif b.kind == "leader_exit" and b.side == "insurgent" and len(s.leaders):
                lead = s.bands.leader[b.unit]
                s.leaders.status[lead[lead >= 0]] = LeaderStatus.EXILED
        lost = np.maximum(s.bands.recent_losses - self._pop_mark - deserted, 0.0)
        share = totals / totals.sum() if totals.sum() > 0 else np.zeros(3)

        def intensity(name: str) -> float:
            win = self.schedule.policy(name, s.day)
            return float(win.intensity) if win is not None else 0.0

        amnesty = self.schedule.policy("amnesty", s.day)
        towns = self.town_holder
        today = PopulationToday(
            amnesty=float(amnesty.credibility) if amnesty is not None else 0.0,
            village=VillagePolicies(
                anti_religious=intensity("anti_religious"),
                collectivisation=intensity("collectivisation"),
                food_for_cotton=intensity("food_for_cotton"),
            ),
            repression=RepressionPolicies(
                executions=intensity("executions"),
                show_trials=intensity("show_trials"),
                punitive_raids=intensity("punitive_raids"),
                village_burning=intensity("village_burning"),
            ),
            sanctuary=s.sanctuary,
            scouts=bool(s.switches.get("local_scouts", False)),
            losing=float(np.mean(towns == -1)) if towns.size else 0.0,
            killed=lost * share[0],
            wounded=lost * share[1],
            captured=lost * share[2],
            collateral=collateral,
        )
        new_state, out = population_day(
            s, context=ctx, today=today, params=p.population, rng=self.rngs["population"]
        )
        s.bands, s.columns, s.villages = new_state.bands, new_state.columns, new_state.villages
        s.leaders, s.memory, s.ledger = new_state.leaders, new_state.memory, new_state.ledger
        s.band_concealment, s.amnesty_trust = new_state.band_concealment, new_state.amnesty_trust
        self.emit(out)
        self._pop_seen = len(self.recorder.batches)
        self._pop_mark = s.bands.recent_losses.copy()
