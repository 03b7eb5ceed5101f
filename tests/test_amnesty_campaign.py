"""The 1925 amnesty on the real map: surrenders come with the window and thin the bands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sim.results import RunResult
from sim.runner import run
from sim.scenario import TimelineEvent, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def amnesty_run() -> tuple[TimelineEvent, RunResult]:
    scenario = load_scenario(SCENARIOS / "attrition_1925.toml")
    window = next(e for e in scenario.timeline if e.kind == "policy" and e.policy == "amnesty")
    return window, run(scenario, seed=scenario.seed)


def test_surrenders_come_only_with_the_1925_amnesty_window(amnesty_run) -> None:
    window, r = amnesty_run
    assert window.end is not None
    surrenders = r.events[r.events["kind"] == "surrender"]
    assert surrenders["n"].sum() > 0
    dates = pd.to_datetime(surrenders["date"]).dt.date
    assert dates.min() >= window.date
    assert dates.max() <= window.end + dt.timedelta(days=1)


def test_band_strength_falls_during_the_1925_amnesty_window(amnesty_run) -> None:
    window, r = amnesty_run
    steps = r.steps.assign(date=pd.to_datetime(r.steps["date"]).dt.date).set_index("date")
    fighters = steps["insurgent_fighters"]
    assert fighters.loc[window.end] < fighters.loc[window.date]
