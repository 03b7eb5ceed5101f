"""The null world (bands never move, fight or recruit) hits no informative target, and is null."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from sim.runner import NULL_PHASES, run, simulate
from sim.scenario import load_scenario
from sim.scoring.evaluate import evaluate
from sim.scoring.runs import run_replicates
from sim.scoring.target_file import load_targets

CAMPAIGNS = ["pavlov_1923", "attrition_1925", "budenny_1926", "raids_1929", "continuous_1923_1929"]


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_the_null_world_hits_no_informative_target(name: str) -> None:
    targets = load_targets().for_scenario(name)
    scenario = load_scenario(name)
    # the null world draws no random numbers: one replicate is every replicate
    ev = evaluate(targets, run_replicates(scenario, 1, seed=1, targets=targets, null=True), null=True)
    hit = [r.target.key for r in ev.counted if r.hit]
    assert not hit, f"{name}: the null world hits {hit}; rewrite them or give an `uninformative` reason"
    assert ev.counted, name


def test_every_uninformative_target_gives_its_reason() -> None:
    for t in load_targets().targets:
        assert t.informative or len(t.uninformative) > 20, t.key


def test_in_the_null_world_bands_stay_put_and_nothing_fights() -> None:
    s = load_scenario("tiny")
    model = simulate(s, seed=3, null=True)
    assert [name for name, _ in model.phases] == list(NULL_PHASES)
    start = simulate(dataclasses.replace(s, end=s.start), seed=3, null=True)
    b0, b1 = start.state.bands, model.state.bands
    present = b0.active  # bands there from the start
    assert np.array_equal(b1.cell[present], b0.cell[present])
    assert np.array_equal(b1.fighters[present], b0.fighters[present])
    res = run(s, seed=3, null=True)
    kinds = set(res.events["kind"].astype(str))
    assert not kinds & {"engagement", "recruit", "town_captured", "surrender", "desertion"}, kinds
    assert bool(res.runs["null"].iloc[0])


def test_the_null_world_is_the_same_for_every_seed() -> None:
    s = load_scenario("tiny")
    s = dataclasses.replace(s, end=s.start + dt.timedelta(days=20))
    a, b = run(s, seed=1, null=True), run(s, seed=2, null=True)
    assert a.steps.equals(b.steps)
