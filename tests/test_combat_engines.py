"""The compiled engine against the numpy engine, the scalar reference and scipy."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from sim.benchmarks.combat import random_batch
from sim.kernels.combat import EngagementBatch, EngagementResult, engine, resolve_engagements
from sim.kernels.combat import compiled as combat_compiled
from sim.params.combat import CombatParams
from tests.test_combat_invariants import batches, switches

P = CombatParams()
COUNTS = ("insurgents_killed", "insurgents_wounded", "insurgents_captured", "state_killed",
          "state_wounded", "state_captured", "outcome", "mg_captured", "rifles_captured",
          "rifles_recovered", "air_men", "air_mg", "band_hidden")


def _both(batch: EngagementBatch, mode: str, seed: int, **sw: bool
          ) -> tuple[EngagementResult, EngagementResult]:
    return tuple(  # type: ignore[return-value]
        resolve_engagements(batch, params=P, mode=mode, rng=np.random.default_rng(seed),  # type: ignore[arg-type]
                            engine=engine, **sw)  # type: ignore[arg-type]
        for engine in ("numpy", "compiled"))


def _assert_agree(a: EngagementResult, b: EngagementResult, mode: str) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if mode == "stochastic" and f.name in COUNTS:
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:  # expectations and durations: the same expressions, rounded differently
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-9, err_msg=f.name)


@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
@pytest.mark.parametrize("aircraft", [False, True])
def test_compiled_engine_equals_numpy_engine(mode: str, aircraft: bool) -> None:
    """20,000 random engagements: the same counts from the same uniforms."""
    batch = random_batch(20_000, np.random.default_rng(21))
    may = np.random.default_rng(22).random(20_000) < 0.5  # the state's rout rule
    band_may = np.random.default_rng(23).random(20_000) < 0.5  # the bands' rout rule
    batch = dataclasses.replace(batch, state_may_rout=may, band_may_rout=band_may)
    a, b = _both(batch, mode, 4, heliographs=True, aircraft=aircraft)
    _assert_agree(a, b, mode)


@settings(max_examples=60, deadline=None)
@given(batches(n_max=10), switches, st.sampled_from(["deterministic", "stochastic"]),
       st.integers(0, 99))
def test_engines_agree_on_any_batch(batch: EngagementBatch, sw: dict[str, bool], mode: str,
                                    seed: int) -> None:
    a, b = _both(batch, mode, seed, **sw)
    _assert_agree(a, b, mode)


def test_threads_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch split over threads gives exactly the single-thread results."""
    batch = random_batch(3 * combat_compiled.BLOCK + 17, np.random.default_rng(8))
    kw = {"params": P, "heliographs": True, "aircraft": True, "engine": "compiled"}
    one = resolve_engagements(batch, rng=np.random.default_rng(2), **kw)  # type: ignore[arg-type]
    monkeypatch.setattr(combat_compiled, "THREAD_MIN", combat_compiled.BLOCK)
    monkeypatch.setattr(combat_compiled.os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert combat_compiled.threads_for(len(batch)) == 3
    many = resolve_engagements(batch, rng=np.random.default_rng(2), **kw)  # type: ignore[arg-type]
    for f in dataclasses.fields(one):
        np.testing.assert_array_equal(getattr(many, f.name), getattr(one, f.name), f.name)


def test_auto_engine_switches_at_compiled_min(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    real = engine._resolve_compiled

    def spy(batch: EngagementBatch, *args: object) -> EngagementResult:
        used.append(len(batch))
        return real(batch, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_resolve_compiled", spy)
    for n in (engine.COMPILED_MIN - 1, engine.COMPILED_MIN):
        resolve_engagements(random_batch(n, np.random.default_rng(n)), params=P,
                            rng=np.random.default_rng(0))
    assert used == [engine.COMPILED_MIN]


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of 'auto', 'numpy', 'compiled'"):
        resolve_engagements(random_batch(3, np.random.default_rng(0)), params=P,
                            rng=np.random.default_rng(0), engine="gpu")  # type: ignore[arg-type]


def test_ndtri_port_matches_scipy() -> None:
    """Central region, both tails (x < 8 and x >= 8 branches) and the end points."""
    u = np.concatenate([np.linspace(0.0, 1.0, 10_001), np.geomspace(1e-300, 0.1, 2_000),
                        1.0 - np.geomspace(1e-16, 0.1, 500)])
    got = combat_compiled.ndtri(u)
    want = special.ndtri(u)
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=0.0)
