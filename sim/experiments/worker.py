"""What a sweep worker keeps between tasks, and the tables its outputs read from a run.

A worker receives the runs of a sweep in tasks of a few runs; the runs of one design point
come in many tasks. :func:`point_scenario` keeps the scenario of each recent point (the
base with the point's values, validated once) and its digest, so a task does not parse
and validate the scenario again. :func:`output_tables` gives the columns of a finished
run's ``steps`` and ``events`` tables that :func:`sim.experiments.sweep.extract_outputs`
and the time series read, as :func:`sim.runner.result_of` gives them, without building
the rest of the tables (dates, names, every event column, the parameters' JSON).
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.experiments.spec import OutputSpec
    from sim.model import BasmachiModel

__all__ = ["POINTS_KEPT", "output_tables", "point_scenario"]

#: Design points whose scenarios a worker keeps (least recently used dropped first).
POINTS_KEPT = 16

_POINTS: collections.OrderedDict[tuple[str, int, str], tuple[Scenario, str]] = (
    collections.OrderedDict())


def point_scenario(
    base: Scenario, point: int, values: Mapping[str, Any], *, base_digest: str = ""
) -> tuple[Scenario, str]:
    """The scenario of design point ``point`` and its digest, kept for the next tasks.

    Parameters
    ----------
    base : Scenario
        The sweep's base scenario.
    point : int
        The design point (named in error messages).
    values : mapping of dotted path to value
        The point's parameter values.
    base_digest : str
        ``base.digest()`` if the caller knows it (computed here otherwise).

    Returns
    -------
    scenario : Scenario
        ``base.with_values(values, origin=f"design point {point}")``.
    digest : str
        Its :meth:`~sim.scenario.Scenario.digest`.

    Raises
    ------
    ScenarioError
        If a value is not allowed (never kept: the next run of the point raises again).
    """
    key = (base_digest or base.digest(), int(point), repr(tuple(values.items())))
    hit = _POINTS.get(key)
    if hit is None:
        scenario = base.with_values(dict(values), origin=f"design point {point}")
        hit = _POINTS[key] = (scenario, scenario.digest())
    _POINTS.move_to_end(key)
    while len(_POINTS) > POINTS_KEPT:
        _POINTS.popitem(last=False)
    return hit


def output_tables(
    model: BasmachiModel, run_id: int, outputs: OutputSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The outputs' columns of a finished run's tables.

    Returns
    -------
    steps : DataFrame
        ``run_id``, ``day`` and the metrics of ``outputs``, one row per day: the same
        columns (values and dtypes) as ``result_of(model, run_id=run_id).steps``.
    events : DataFrame
        ``kind`` and ``n`` of every event, in the order of ``result_of(...).events``.
    """
    arrays = model.recorder.steps_arrays()
    day = arrays["day"]
    steps = pd.DataFrame({"run_id": np.full(day.size, run_id, dtype=np.int64), "day": day,
                          **{m: arrays[m] for m in outputs.metrics}})
    kind, n = model.recorder.event_kinds()
    return steps, pd.DataFrame({"kind": kind, "n": n})
