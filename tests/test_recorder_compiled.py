"""The compiled pass of the day's metrics (:mod:`sim.recorder_compiled`) appends the numpy
reference's rows bit for bit: signed zeros, NaN, empty tables and long pairwise sums."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels.dispatch import compiled_paths
from sim.model import BasmachiModel
from sim.recorder_compiled import pairwise_sum
from sim.scenario import load_scenario
from sim.state import Bands, ColumnKind, Columns, LeaderStatus, Villages, replace

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SPECIAL = np.array([-0.0, 0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, 1e6, np.nan])


@pytest.fixture(scope="module")
def model() -> BasmachiModel:
    m = BasmachiModel(load_scenario(SCENARIOS / "tiny.toml"), seed=1, agents=False)
    m.step()
    return m


def _floats(rng: np.random.Generator, n: int, nan: bool) -> np.ndarray:
    pool = SPECIAL if nan else SPECIAL[:-1]
    return np.where(rng.random(n) < 0.5, rng.random(n) * 10.0 ** rng.integers(-3, 4, n),
                    rng.choice(pool, n))


def _state(model: BasmachiModel, seed: int, n_bands: int, n_columns: int, extra: int,
           nan: bool, concealment: bool):
    rng = np.random.default_rng(seed)
    s = model.state
    n_v = len(s.villages) + extra  # the areas' rows index the first villages
    v = Villages.empty(n_v)
    v.population[:] = rng.choice([0, 1, 300, 5000], n_v)
    for name in ("support", "grievance", "fear", "food"):
        setattr(v, name, _floats(rng, n_v, nan))
    b = Bands.empty(n_bands)
    b.active[:] = rng.random(n_bands) < 0.7
    b.fighters[:] = rng.choice([0, 1, 40, 900], n_bands)
    b.cell[:] = rng.integers(0, model.world.afghan.size, n_bands)
    for name in ("food", "herd", "hunger", "morale"):
        setattr(b, name, _floats(rng, n_bands, nan))
    c = Columns.empty(n_columns)
    c.active[:] = rng.random(n_columns) < 0.7
    c.strength[:] = rng.choice([0, 1, 500], n_columns)
    c.kind[:] = rng.choice([int(k) for k in ColumnKind], n_columns)
    c.supply[:] = _floats(rng, n_columns, nan)
    towns = rng.choice([-1, 0, 1], s.town_holder.size)
    leaders = replace(s.leaders, status=rng.choice([int(k) for k in LeaderStatus],
                                                   len(s.leaders)))
    return replace(s, villages=v, bands=b, columns=c, town_holder=towns, leaders=leaders,
                   band_concealment=_floats(rng, n_bands if concealment else 0, nan))


def _same(x: list[float], y: list[float]) -> None:
    a, b = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_bands=st.integers(0, 150),
       n_columns=st.integers(0, 20), extra=st.sampled_from([0, 7, 130, 3000]),
       nan=st.booleans(), concealment=st.booleans())
def test_compiled_day_metrics_equal_numpy(model: BasmachiModel, seed: int, n_bands: int,
                                          n_columns: int, extra: int, nan: bool,
                                          concealment: bool) -> None:
    saved = model.state
    rec = model.recorder
    try:
        model.state = _state(model, seed, n_bands, n_columns, extra, nan, concealment)
        got = []
        for on in (False, True):
            with compiled_paths(on):
                rec.record_day()
            got.append((list(rec.rows.pop()), rec.area_rows.pop()))
    finally:
        model.state = saved
    (row_np, areas_np), (row_c, areas_c) = got
    assert len(row_c) == len(row_np) and len(areas_c) == len(areas_np) > 0
    _same(row_c, row_np)
    _same(areas_c, areas_np)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 3000), seed=st.integers(0, 2**32 - 1), lo=st.integers(0, 20),
       zeros=st.booleans())
def test_pairwise_sum_is_numpys_sum(n: int, seed: int, lo: int, zeros: bool) -> None:
    """Every run length numpy sums differently (below 8, one block, halves), from any start,
    magnitudes far apart and all-signed-zero runs."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(lo + n) * 10.0 ** rng.integers(-8, 9, lo + n)
    if zeros:
        a = rng.choice([-0.0, 0.0], lo + n)
    want = a[lo:].sum()
    got = pairwise_sum(a, lo, n)
    assert got == want and np.signbit(got) == np.signbit(want)
