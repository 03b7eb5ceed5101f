"""The Mesa model: one step is one day, a fixed loop over phases on array state.

``BasmachiModel.step()`` applies the day's dated settings, then runs the phases of
:data:`sim.phases.PHASES` in order: the timeline (arrivals, withdrawals, orders,
supply shocks, leader exits), movement, supply, combat, the population rules and
control of towns. Each phase is a pure function of the state and the day's facts
with its own random stream, returning a new state and event batches; the model hands
the batches to the recorder and to the later phases of the day, then records the day.
See ``docs/dataflow.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

import mesa
import numpy as np

from sim.agents import MesaTools, resolve_scenario
from sim.build import World, build_world
from sim.events import Events
from sim.phases import PHASES, Day, apply_settings, population_context
from sim.recorder import Recorder
from sim.scenario import Scenario
from sim.seeds import as_seed_sequence, phase_generators
from sim.state import WorldState, replace
from sim.timeline import compile_timeline

__all__ = ["BasmachiModel"]


class BasmachiModel(mesa.Model):  # type: ignore[misc]
    """A run of one scenario.

    Parameters
    ----------
    scenario : Scenario
    seed : int or numpy.random.SeedSequence
        Master seed of the run; every phase draws from its own child stream.
    agents : bool
        Create the Mesa agent views (default). Benchmarks and sweeps may skip them.
    world : World, optional
        A built world of this scenario not used by another run (``World.replicate()``
        of a shared build, :mod:`sim.batch`); built afresh when omitted.
    phases : sequence of str, optional
        Names of the phases of :data:`sim.phases.PHASES` to run (default all); the null
        world of :func:`sim.runner.run` keeps only the timeline.

    Attributes
    ----------
    world : World
        Static map, graphs and names (replaced by a new World when a dated setting
        changes what it precomputes).
    state : WorldState
        Everything that changes, replaced by each phase.
    recorder : Recorder
        Daily metrics and events.
    params : Scenario
        The scenario with today's parameters: ``scenario`` as loaded, plus the dated
        ``set`` entries of its timeline applied so far.
    """

    def __init__(
        self,
        scenario: Scenario | str,
        *,
        seed: int | np.random.SeedSequence = 0,
        agents: bool = True,
        world: World | None = None,
        phases: Sequence[str] | None = None,
        **kwargs: object,
    ) -> None:
        scenario = resolve_scenario(scenario, kwargs)  # name or path, dotted-path values
        self.seed_sequence = as_seed_sequence(seed)
        self.rngs = phase_generators(self.seed_sequence)
        super().__init__(rng=self.rngs["mesa"])
        self.scenario = scenario
        self.params = scenario
        self.world: World = build_world(scenario) if world is None else world
        self.state: WorldState = self.world.state
        self.schedule = compile_timeline(scenario, self.world.theatre)
        self.recorder = Recorder(self)
        unknown = set(phases or ()) - {n for n, _ in PHASES}
        if unknown:
            raise ValueError(f"no phase {sorted(unknown)}; phases: {[n for n, _ in PHASES]}")
        self.phases = tuple((n, f) for n, f in PHASES if phases is None or n in phases)
        self.mesa = MesaTools(self, agents=agents)  # agents, grid, datacollector (sim.agents)

    @property
    def date(self) -> dt.date:
        """Calendar date of the current day."""
        return self.scenario.start + dt.timedelta(days=self.state.day)

    @property
    def finished(self) -> bool:
        """Whether every day of the scenario has been simulated."""
        return self.state.day >= self.scenario.days

    def step(self) -> None:
        """Simulate one day: the dated settings, every phase in order, then record."""
        if self.finished:
            self.running = False
            return
        day = self.state.day
        self.params, self.world = apply_settings(
            self.params, self.world, self.schedule.actions.get(day, ())
        )
        if self.world.population is None:
            context = population_context(self.world, self.state, self.params)
            self.world = dataclasses.replace(self.world, population=context)
        today: list[Events] = []
        date = self.date
        for name, phase in self.phases:
            facts = Day(date, self.world, self.schedule, tuple(today))
            self.state, out = phase(self.state, facts, params=self.params, rng=self.rngs[name])
            today.extend(b for b in out if len(b))
            self.emit(out)
        self.recorder.record_day()
        self.mesa.after_step()
        self.state = replace(self.state, day=day + 1)
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
