"""Batched replicates give the tables of replicates run one by one with the same seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.batch import SharedBuild, run_replicates, shared_build, simulate_shared
from sim.runner import run, simulate
from sim.scenario import Scenario, load_scenario


def _short(name: str, days: int) -> Scenario:
    s = load_scenario(name)
    return dataclasses.replace(s, end=s.start + dt.timedelta(days=days - 1))


def test_batched_replicates_equal_one_by_one() -> None:
    """Three seeds (one repeated) on one shared build: every table equal, run ids in order."""
    scenario = _short("tiny", 25)
    seeds = [7, 8, 7]
    batched = run_replicates(scenario, seeds, first_run_id=10)
    for k, (seed, got) in enumerate(zip(seeds, batched, strict=True)):
        ref = run(scenario, seed=seed, run_id=10 + k)
        for name in ("runs", "steps", "events"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name))
    # the two replicates of seed 7 agree, the one of seed 8 differs
    pd.testing.assert_frame_equal(batched[0].events.drop(columns="run_id"),
                                  batched[2].events.drop(columns="run_id"))
    assert not batched[0].events.drop(columns="run_id").equals(
        batched[1].events.drop(columns="run_id"))


def test_replicates_share_the_build_but_not_the_state() -> None:
    scenario = _short("tiny", 10)
    build = SharedBuild.of(scenario)
    initial = build.world.state.villages.support.copy()
    a, b = build.model(1), build.model(2)
    assert a.world.band_graph is b.world.band_graph is build.world.band_graph
    assert a.state is not b.state and a.state.villages.support is not initial
    a.run()
    # running one replicate leaves the shared initial state untouched
    np.testing.assert_array_equal(build.world.state.villages.support, initial)
    assert b.state.day == 0
    # the shared graph's cached fields cannot be written by a replicate
    hours = a.world.depot_hours
    with pytest.raises(ValueError, match="read-only"):
        hours[0] = 0.0


def test_process_build_is_reused_per_scenario() -> None:
    s1 = _short("tiny", 5)
    s2 = dataclasses.replace(s1, end=s1.start + dt.timedelta(days=5))
    assert shared_build(s1) is shared_build(s1)
    assert shared_build(s2) is not shared_build(s1)
    m = simulate_shared(s1, seed=3)
    ref = simulate(s1, seed=3)
    for k, v in ref.recorder.steps_arrays().items():
        np.testing.assert_array_equal(m.recorder.steps_arrays()[k], v)


def test_shared_runs_equal_fresh_runs_with_probes_and_null() -> None:
    """``run`` on a replicate of the shared build and the scoring replicates (shared by default) give the tables
    of fresh builds, with the targets' probe and in the null world; the shared initial
    state is never advanced."""
    from sim.scoring.runs import run_replicate

    scenario = _short("raids_1929", 12)
    for seed in (3, 4):
        for null in (False, True):
            fresh = run_replicate(scenario, seed=seed, null=null, shared=False)
            got = run_replicate(scenario, seed=seed, null=null)
            for name in ("runs", "steps", "events"):
                pd.testing.assert_frame_equal(getattr(got, name), getattr(fresh, name))
    pd.testing.assert_frame_equal(
        run(scenario, seed=5, world=shared_build(scenario).world.replicate()).steps,
        run(scenario, seed=5).steps)
    assert shared_build(scenario).world.state.day == 0
