"""``run()``: the one door through which every experiment runs the model."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.model import BasmachiModel
from sim.results import RunResult
from sim.scenario import Scenario
from sim.seeds import as_seed_sequence, seed_record

__all__ = ["result_of", "run", "simulate"]


def simulate(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence = 0,
    agents: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BasmachiModel:
    """Build a model and step it to the end of the scenario; return the model."""
    model = BasmachiModel(scenario, seed=seed, agents=agents)
    model.run(progress)
    return model


def run(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence = 0,
    run_id: int = 0,
    progress: Callable[[int], None] | None = None,
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

    Returns
    -------
    RunResult
    """
    ss = as_seed_sequence(seed)
    model = simulate(scenario, seed=ss, progress=progress)
    return result_of(model, run_id=run_id)


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
