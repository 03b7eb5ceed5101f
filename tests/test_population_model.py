"""The population phase inside the model: a real run with an amnesty window, and conservation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim.kernels.population import people_total
from sim.model import BasmachiModel
from sim.scenario import parse_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"
WINDOW_START = 24  # 1926-03-25


def _scenario(amnesty: bool, credibility: float = 0.9):
    data = tomllib.loads(TINY.read_text())
    if amnesty:
        data["timeline"].append({
            "id": "amnesty", "kind": "policy", "policy": "amnesty", "date": "1926-03-25",
            "end": "1926-04-29", "credibility": credibility,
        })
    return parse_scenario(data, origin="tiny+amnesty")


def _run(scenario, seed=3):
    m = BasmachiModel(scenario, seed=seed, agents=False)
    fighters, totals = [], []
    while not m.finished:
        m.step()
        fighters.append(int(m.state.bands.fighters[m.state.bands.active].sum()))
        totals.append(people_total(m.state) - m.state.ledger.entered)
    return m, np.array(fighters), totals


@pytest.fixture(scope="module")
def runs():
    return _run(_scenario(False)), _run(_scenario(True))


def test_people_conserved_every_day_of_a_run(runs):
    for m, _, totals in runs:
        assert all(t == m.state.people_initial for t in totals)


def test_amnesty_window_shows_surrenders_and_falling_strength(runs):
    (_, base, _), (m, amn, _) = runs
    ev = m.recorder.events_arrays()
    days = ev["day"][ev["kind"] == "surrender"]
    assert days.size > 0
    assert days.min() >= WINDOW_START
    assert days.min() <= WINDOW_START + 2  # take-up starts with the window
    # Identical until the window opens, then the amnesty run falls below the baseline.
    np.testing.assert_array_equal(base[:WINDOW_START], amn[:WINDOW_START])
    assert amn[WINDOW_START + 5] < base[WINDOW_START + 5]
    # Over the window (the last day alone is dominated by combat noise once the runs differ).
    assert amn[WINDOW_START:].mean() < base[WINDOW_START:].mean()
    assert m.state.ledger.amnestied == int(ev["n"][ev["kind"] == "surrender"].sum())


def test_zero_credibility_window_changes_nothing():
    _, base, _ = _run(_scenario(False), seed=5)
    m, zero, _ = _run(_scenario(True, credibility=0.0), seed=5)
    np.testing.assert_array_equal(base, zero)
    assert m.state.ledger.amnestied == 0


def test_new_step_columns_are_recorded(runs):
    m = runs[1][0]
    steps = m.recorder.steps_arrays()
    assert "surrendered" in steps and steps["surrendered"][-1] > 0
