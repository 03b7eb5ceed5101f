"""Scoring runs the model through the one door, sim.runner.run, with a probe; errors surface."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sim.model import BasmachiModel
from sim.results import RunResult
from sim.runner import run
from sim.scenario import Scenario, load_scenario
from sim.scoring.runs import TargetProbe, run_replicate, seeds_for
from sim.scoring.targets import EventFilter, Target, TargetError


def short_tiny() -> Scenario:
    s = load_scenario("tiny")
    return dataclasses.replace(s, end=s.start + dt.timedelta(days=15))


def _target(place: str = "") -> Target:
    return Target(
        id="R29-13", key="k", scenarios=("tiny",), kind="count", title="t", weight=0.5,
        reliability="", events=EventFilter(kinds=("engagement",), place=place), low=0.0,
    )


def test_a_scored_replicate_is_the_recorded_run_plus_the_probe_columns() -> None:
    s = short_tiny()
    (ss,) = seeds_for(7, 1)
    scored = run_replicate(s, seed=ss, targets=[_target()])
    (ss,) = seeds_for(7, 1)
    plain = run(s, seed=ss)
    assert scored.events.equals(plain.events)
    assert scored.steps[plain.steps.columns].equals(plain.steps)
    extra = set(scored.steps.columns) - set(plain.steps.columns)
    assert "in_country" in extra and any(c.startswith("fighters[") for c in extra)
    assert {"band_leaders", "column_names", "places"} <= set(scored.runs.columns)


class _Boom:
    def start(self, model: BasmachiModel) -> None:
        pass

    def day(self, model: BasmachiModel) -> None:
        if model.state.day == 3:
            raise RuntimeError("probe failed on day 3")

    def finish(self, model: BasmachiModel, result: RunResult) -> None:
        pass


def test_an_error_in_a_probe_is_raised_not_skipped() -> None:
    with pytest.raises(RuntimeError, match="day 3"):
        run(short_tiny(), seed=1, probes=[_Boom()])


def test_a_target_naming_a_place_the_map_lacks_is_an_error() -> None:
    with pytest.raises(TargetError, match="Atlantis"):
        run(short_tiny(), seed=1, probes=[TargetProbe([_target("Atlantis")])])
