"""``run()``: the one door through which every experiment runs the model.

The command line, sweeps, scoring and calibration all run a scenario here. What a caller
needs beyond the standard tables (the per-leader and per-place series of scoring, say) it
asks for with *probes*, objects that watch the run and add columns to its tables, so a run
scored is the same run as a run recorded.

``null=True`` runs the *null world* of a scenario: the same map, units and dated inputs
(arrivals, withdrawals, orders, policies, settings), but only the timeline phase acts.
Bands stay where they start (or arrive) and never move, eat, fight, recruit or surrender;
no town changes hands. A documented outcome this world also reproduces carries no
information about the model (``basmachi score --null``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from sim.build import World
from sim.model import BasmachiModel
from sim.results import RunResult
from sim.scenario import Scenario
from sim.seeds import as_seed_sequence, seed_record

__all__ = ["NULL_PHASES", "Probe", "result_of", "run", "simulate"]

NULL_PHASES = ("timeline",)
"""Phases the null world keeps: the scenario's dated inputs, nothing that acts on them."""


class Probe(Protocol):
    """Watches a run and adds what it saw to the run's tables.

    ``start`` is called once the model is built, ``day`` after every simulated day, and
    ``finish`` with the finished model and its tables, which it may extend (new ``steps``
    columns of one value per day, new ``runs`` columns).
    """

    def start(self, model: BasmachiModel) -> None:
        """The model is built; nothing has been simulated."""

    def day(self, model: BasmachiModel) -> None:
        """One day has been simulated (``model.state.day`` days done)."""

    def finish(self, model: BasmachiModel, result: RunResult) -> None:
        """The run is over; add columns to ``result``."""


def simulate(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence = 0,
    agents: bool = False,
    progress: Callable[[int], None] | None = None,
    probes: Sequence[Probe] = (),
    null: bool = False,
    world: World | None = None,
) -> BasmachiModel:
    """Build a model and step it to the end of the scenario; return the model.

    Parameters
    ----------
    scenario : Scenario
    seed : int or numpy.random.SeedSequence
    agents : bool
        Create the Mesa agent views.
    progress : callable, optional
        Called with the number of days done after each day.
    probes : sequence of Probe
        Called at the start and after every day (see :class:`Probe`).
    null : bool
        Run the null world (see the module docstring).
    world : World, optional
        A built world of this scenario no other run uses, e.g.
        ``sim.batch.shared_build(scenario).world.replicate()``: replicates of one scenario
        in one process then build the world and search the static distance fields once.
        Same tables.
    """
    model = BasmachiModel(
        scenario, seed=seed, agents=agents, phases=NULL_PHASES if null else None, world=world
    )
    for p in probes:
        p.start(model)
    while not model.finished:
        model.step()
        for p in probes:
            p.day(model)
        if progress is not None:
            progress(model.state.day)
    return model


def run(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence = 0,
    run_id: int = 0,
    progress: Callable[[int], None] | None = None,
    probes: Sequence[Probe] = (),
    null: bool = False,
    world: World | None = None,
) -> RunResult:
    """Run one scenario with one seed and return its tables.

    Parameters
    ----------
    scenario : Scenario
    seed : int or numpy.random.SeedSequence
        The same seed gives identical tables; the stored entropy and spawn key
        rebuild it (:func:`sim.seeds.from_record`).
    run_id : int
        Identifier written in every table.
    progress : callable, optional
        Called with the number of days done after each day.
    probes : sequence of Probe
        Extra series and run facts (see :class:`Probe`); errors they raise propagate.
    null : bool
        Run the null world (see the module docstring); the ``runs`` table says so in a
        ``null`` column.
    world : World, optional
        See :func:`simulate` (replicates on a shared build); the tables are the same.

    Returns
    -------
    RunResult
    """
    ss = as_seed_sequence(seed)
    model = simulate(scenario, seed=ss, progress=progress, probes=probes, null=null,
                     world=world)
    result = result_of(model, run_id=run_id)
    if null:
        result.runs["null"] = True
    for p in probes:
        p.finish(model, result)
    return result


def result_of(model: BasmachiModel, *, run_id: int = 0) -> RunResult:
    """Tables of a finished model."""
    s = model.scenario
    ss = model.seed_sequence
    runs = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "scenario": s.name,
                "scenario_hash": s.digest(),
                **seed_record(ss),
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "days": s.days,
                "parameters": json.dumps(s.to_dict(), sort_keys=True),
            }
        ]
    )
    steps = pd.DataFrame(model.recorder.steps_arrays())
    steps.insert(0, "run_id", run_id)
    steps.insert(2, "date", pd.Timestamp(s.start) + pd.to_timedelta(steps["day"], unit="D"))
    ev = pd.DataFrame(model.recorder.events_arrays())
    ev.insert(0, "run_id", run_id)
    ev.insert(2, "date", pd.Timestamp(s.start) + pd.to_timedelta(ev["day"], unit="D"))
    ev = ev.astype({"kind": "string", "side": "string", "name": "string"})
    return RunResult(runs=runs, steps=steps, events=ev)
