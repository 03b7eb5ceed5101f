"""``basmachi bench run``: the breakdown of the day by phase, and that timing changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from sim.benchmarks.run import _timed_run
from sim.kernels import compiled, dispatch
from sim.model import BasmachiModel
from sim.scenario import load_scenario


def test_phase_timers_leave_the_run_alone_and_cover_every_phase() -> None:
    """The timed run gives the same steps table as a plain one; every phase, the recorder
    and the compiled village pass get a non-negative time, the village pass no more than
    the population phase that calls it; the module's pass is restored afterwards."""
    base = load_scenario("tiny")
    scenario = dataclasses.replace(base, end=base.start + dt.timedelta(days=19))
    step = compiled.village_step
    parts: dict[str, float] = {}
    with dispatch.compiled_paths(True):
        timed, _, run_s = _timed_run(scenario, 5, parts)
        plain = BasmachiModel(scenario, seed=5)
        plain.run()
    assert compiled.village_step is step
    a, b = timed.recorder.steps_arrays(), plain.recorder.steps_arrays()
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    names = {n for n, _ in plain.phases}
    assert set(parts) == names | {"record", "village_step"}
    assert all(v >= 0.0 for v in parts.values())
    assert parts["village_step"] > 0.0  # tiny has villages: the compiled pass ran
    assert parts["village_step"] <= parts["population"]
    assert sum(v for k, v in parts.items() if k != "village_step") <= run_s + 1e-6
