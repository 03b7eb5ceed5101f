"""The recorder's village sides and support means, per country and region, against the
direct count over each area's villages (one bincount and one gather serve all areas)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import BasmachiModel
from sim.recorder import STEP_COLUMNS
from sim.scenario import load_scenario
from sim.state import replace

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def model() -> BasmachiModel:
    m = BasmachiModel(load_scenario(SCENARIOS / "tiny.toml"), seed=1, agents=False)
    m.step()
    return m


def _direct(support: np.ndarray, weights: np.ndarray, high: float, low: float) -> list[float]:
    return [
        float(np.count_nonzero(support > high)),
        float(np.count_nonzero((support >= low) & (support <= high))),
        float(np.count_nonzero(support < low)),
        float((support * weights).sum() / max(float(weights.sum()), 1.0)),
    ]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), high=st.sampled_from([0.6, 0.5, 0.3]),
       low=st.sampled_from([0.4, 0.5, 0.7]))
def test_sides_and_means_equal_the_direct_count(model: BasmachiModel, seed: int, high: float,
                                                low: float) -> None:
    """Support on and around both thresholds, NaN included, and thresholds that cross."""
    rng = np.random.default_rng(seed)
    v = model.state.villages
    n = len(v)
    support = rng.choice(np.array([0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, np.nan]), n)
    support = np.where(rng.random(n) < 0.5, rng.random(n), support)
    population = rng.integers(0, 5000, n)
    saved = model.state, model.params
    try:
        model.state = replace(model.state, villages=replace(v, support=support,
                                                            population=population))
        model.params = model.params.with_values(
            {"population.side_high": high, "population.side_low": low}, semantics=False)
        model.recorder.record_day()
        row, areas = model.recorder.rows[-1], model.recorder.area_rows[-1]
    finally:
        model.state, model.params = saved
        del model.recorder.rows[-1], model.recorder.area_rows[-1]
    weights = population.astype(np.float64)
    first = STEP_COLUMNS.index("villages_pro_insurgent")
    np.testing.assert_array_equal(row[first:first + 4], _direct(support, weights, high, low))
    want = [x for rows in model.recorder.areas.values()
            for x in _direct(support[rows], weights[rows], high, low)]
    assert len(areas) == len(want) == 4 * len(model.recorder.areas)
    np.testing.assert_array_equal(areas, want)  # bit for bit, NaN where a mean is NaN


@given(st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=300))
def test_mean_is_numpys_mean_bit_for_bit(values: list[float]) -> None:
    from sim.recorder import _mean

    x = np.array(values)
    assert _mean(x) == float(x.mean())
