"""Repression draws random numbers only for the villages it strikes.

Adding villages it leaves alone (leaning to the state, out of reach, no raider in them)
must not change what happens to the villages it strikes: the stream is the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from population_world import make_villages

from sim.kernels.draws import sparse_binomial
from sim.kernels.repression import RepressionPolicies, band_reprisals, repression_day
from sim.params.population import PopulationParams
from sim.state import Villages

P = PopulationParams()


def _with_bystanders(v: Villages, spots: np.ndarray, n: int) -> Villages:
    """``v`` spread over ``n`` rows at ``spots``, the other rows untouchable bystanders."""
    out = make_villages(np.arange(n) + 1000, 700, support=0.2)
    for f in ("cell", "population", "food", "crop", "support", "grievance", "fear"):
        getattr(out, f)[spots] = getattr(v, f)
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_struck=st.integers(1, 12), extra=st.integers(0, 40),
       burning=st.floats(0.0, 2.0), raids=st.floats(0.0, 2.0), executions=st.floats(0.0, 3.0))
def test_bystanders_do_not_change_the_struck(seed: int, n_struck: int, extra: int,
                                            burning: float, raids: float,
                                            executions: float) -> None:
    rng = np.random.default_rng(seed)
    v = make_villages(np.arange(n_struck), rng.integers(1, 3000, n_struck), support=0.9)
    pol = RepressionPolicies(executions=executions, show_trials=executions,
                             punitive_raids=raids, village_burning=burning)
    p = PopulationParams(execution_rate=1e-3, trial_rate=1e-3)
    alone = repression_day(v, state_near=np.ones(n_struck, bool), raiders=np.ones(n_struck, bool),
                           policies=pol, params=p, rng=np.random.default_rng(seed))
    n = n_struck + extra
    spots = np.sort(rng.choice(n, n_struck, replace=False))
    crowd = _with_bystanders(v, spots, n)
    mask = np.zeros(n, dtype=bool)
    mask[spots] = True
    res = repression_day(crowd, state_near=mask, raiders=mask, policies=pol, params=p,
                         rng=np.random.default_rng(seed))
    for f in ("population", "food", "crop", "support", "grievance", "fear"):
        np.testing.assert_array_equal(getattr(res.villages, f)[spots], getattr(alone.villages, f))
        np.testing.assert_array_equal(getattr(res.villages, f)[~mask], getattr(crowd, f)[~mask])
    assert (res.executed, res.imprisoned, res.killed, res.refugees) == (
        alone.executed, alone.imprisoned, alone.killed, alone.refugees)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_inf=st.integers(1, 12), extra=st.integers(0, 40))
def test_reprisal_bystanders_do_not_change_the_punished(seed: int, n_inf: int, extra: int) -> None:
    rng = np.random.default_rng(seed)
    v = make_villages(np.arange(n_inf), rng.integers(1, 3000, n_inf), support=0.05)
    p = PopulationParams(reprisal_rate=0.5)
    alone = band_reprisals(v, band_near=np.zeros(n_inf, np.int64), params=p,
                           rng=np.random.default_rng(seed))
    n = n_inf + extra
    spots = np.sort(rng.choice(n, n_inf, replace=False))
    crowd = _with_bystanders(v, spots, n)
    crowd.support[~np.isin(np.arange(n), spots)] = 0.05  # informers, but no band in reach
    near = np.full(n, -1, dtype=np.int64)
    near[spots] = 0
    got = band_reprisals(crowd, band_near=near, params=p, rng=np.random.default_rng(seed))
    assert got[1] == alone[1]
    for f in ("population", "support", "fear"):
        np.testing.assert_array_equal(getattr(got[0], f)[spots], getattr(alone[0], f))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(0, 30), scalar=st.booleans())
def test_sparse_binomial_is_numpys_draw(seed: int, size: int, scalar: bool) -> None:
    """Skipping n == 0 or prob == 0 changes neither the draws nor the stream after them."""
    rng = np.random.default_rng(seed)
    n = np.where(rng.random(size) < 0.4, 0, rng.integers(0, 5000, size)).astype(np.int64)
    prob: float | np.ndarray = (float(rng.random()) if scalar
                                else np.where(rng.random(size) < 0.5, 0.0, rng.random(size)))
    a, b = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    np.testing.assert_array_equal(sparse_binomial(a, n, prob), b.binomial(n, prob))
    assert a.random() == b.random()


def test_sparse_binomial_refuses_what_numpy_refuses() -> None:
    rng = np.random.default_rng(0)
    for n, prob in (([3, -1], 0.5), ([3, 0], np.array([0.5, -0.1])), ([3, 0], np.nan),
                    ([3, 2], np.array([0.5, 1.5]))):
        with pytest.raises(ValueError, match=r"binomial|p [<>]"):
            sparse_binomial(rng, np.asarray(n, dtype=np.int64), prob)
