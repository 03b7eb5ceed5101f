"""Stochastic losses vs expectation, vectorised vs scalar reference, plausibility."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from reference_combat import binomial_scalar, resolve_reference

from sim.benchmarks.combat import random_batch
from sim.kernels.combat import (
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    EngagementBatch,
    binomial_from_uniform,
    resolve_engagements,
)
from sim.params.combat import CombatParams

P = CombatParams()


def _one(
    b: float,
    s: float,
    *,
    mg: float = 0.0,
    conc: float = 0.5,
    morale: float = 0.7,
    garrison: float = 0.0,
    ambush: bool = False,
    raid: bool = False,
    n: int = 1,
) -> EngagementBatch:
    def a(v: float) -> np.ndarray:
        return np.full(n, v, dtype=np.float64)

    return EngagementBatch(
        a(b),
        a(s),
        a(mg),
        a(0.0),
        a(conc),
        a(conc),
        a(morale),
        a(garrison),
        np.full(n, ambush),
        np.full(n, raid),
    )


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_stochastic_mean_matches_expectation(engine: str) -> None:
    """Mean of 20,000 stochastic draws within 5 standard errors of the expectation.

    With a fixed seed the test is deterministic; under a fresh seed each of the six
    comparisons would fail with probability about 6e-7 (normal tail beyond 5 SE), plus
    the bias of the Cornish-Fisher branch, which is far below 1 SE here.
    """
    reps = 20_000
    for batch in (
        _one(100, 300, mg=2, conc=0.6, ambush=True, n=reps),
        _one(800, 90, mg=3, garrison=1.0, raid=True, n=reps),
        _one(40, 60, conc=0.1, n=reps),
    ):
        exp = resolve_engagements(batch, params=P, mode="deterministic",
                                  engine=engine)  # type: ignore[arg-type]
        sto = resolve_engagements(
            batch, params=P, mode="stochastic", rng=np.random.default_rng(2024),
            engine=engine,  # type: ignore[arg-type]
        )
        for name in (
            "insurgents_killed",
            "insurgents_wounded",
            "insurgents_captured",
            "state_killed",
            "state_wounded",
            "state_captured",
        ):
            x = getattr(sto, name)
            se = max(x.std(ddof=1), 0.5) / np.sqrt(reps)
            assert abs(x.mean() - getattr(exp, name)[0]) < 5 * se, name


@pytest.mark.parametrize(("n", "p"), [(5, 0.3), (40, 0.1), (300, 0.02), (500, 0.4), (20, 0.9)])
def test_binomial_from_uniform_distribution(n: int, p: float) -> None:
    """Mean and variance of the inversion sampler match Binomial(n, p) (fixed seed)."""
    reps = 50_000
    u = np.random.default_rng(7).random(reps)
    x = binomial_from_uniform(np.full(reps, float(n)), np.full(reps, p), u)
    assert np.all((x >= 0) & (x <= n))
    assert np.all(x == np.floor(x))
    mean, var = n * p, n * p * (1 - p)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / reps) + 0.01 * np.sqrt(var)
    assert x.var() == pytest.approx(var, rel=0.05)
    ref = np.array([binomial_scalar(float(n), p, v) for v in u[:500]])
    np.testing.assert_array_equal(x[:500], ref)


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
@pytest.mark.parametrize("sw", [{}, {"heliographs": True, "aircraft": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_vectorised_equals_scalar_reference(mode: str, sw: dict[str, bool], engine: str,
                                            masked: bool) -> None:
    """Same uniforms (identically seeded generators) -> same counts; floats to 1e-9."""
    batch = random_batch(3_000, np.random.default_rng(11))
    if masked:  # the state's rout rule: about half the engagements may not rout
        may = np.random.default_rng(12).random(3_000) < 0.5
        band_may = np.random.default_rng(13).random(3_000) < 0.5
        batch = dataclasses.replace(batch, state_may_rout=may, band_may_rout=band_may)
    a = resolve_engagements(batch, params=P, mode=mode, rng=np.random.default_rng(5),  # type: ignore[arg-type]
                            engine=engine, **sw)  # type: ignore[arg-type]
    r = resolve_reference(batch, params=P, mode=mode, rng=np.random.default_rng(5), **sw)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(r, f.name)
        if mode == "stochastic" and f.name != "duration_h":
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-9, err_msg=f.name)


def _lost(r, side: str) -> float:  # type: ignore[no-untyped-def]
    return float(sum(getattr(r, f"{side}_{k}")[0] for k in ("killed", "wounded", "captured")))


def test_plausible_mountain_ambush() -> None:
    """100 insurgents ambushing a column of 300 (2 MGs) in the mountains: no annihilation."""
    batch = _one(100, 300, mg=2, conc=0.6, ambush=True)
    r = resolve_engagements(batch, params=P, mode="deterministic")
    state_lost = _lost(r, "state")
    assert 1.0 < state_lost < 0.25 * 300  # hurt, far from destroyed
    assert _lost(r, "insurgents") < state_lost  # the ambush pays
    stochastic = resolve_engagements(
        _one(100, 300, mg=2, conc=0.6, ambush=True, n=2000),
        params=P,
        mode="stochastic",
        rng=np.random.default_rng(1),
    )
    worst = (stochastic.state_killed + stochastic.state_wounded + stochastic.state_captured).max()
    assert worst < 0.5 * 300


def _assault(defenders: float, *, fortification: float, aircraft: bool) -> tuple[float, bool]:
    """Hours a post of ``defenders`` (3 MGs) holds against 800 raiders, and whether it fell."""
    p = dataclasses.replace(P, fortification=fortification)
    batch = _one(800, defenders, mg=3, conc=0.5, morale=0.8, garrison=1.0, raid=True)
    r = resolve_engagements(batch, params=p, mode="deterministic", aircraft=aircraft)
    fell = int(r.outcome[0]) in (OUTCOME_STATE_WITHDREW, OUTCOME_STATE_ROUTED)
    return float(r.duration_h[0]), fell


DEFENDERS = (10, 20, 45, 90, 180, 360)


@pytest.mark.parametrize("aircraft", [False, True])
@pytest.mark.parametrize("fortification", [1.0, 2.0, 4.0, 8.0])
def test_more_defenders_per_attacker_make_the_post_hold_longer(aircraft: bool, fortification: float) -> None:
    """Mechanism, not history: the fight lasts longer and, once a post holds, a larger one does too."""
    runs = [_assault(d, fortification=fortification, aircraft=aircraft) for d in DEFENDERS]
    hours = [h for h, _ in runs]
    fell = [f for _, f in runs]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(hours)), hours
    assert fell == sorted(fell, reverse=True), fell  # falls for small posts only
    assert fell[0] and not fell[-1]  # 80 raiders per defender overrun it; 2 per defender do not


@pytest.mark.parametrize("defenders", DEFENDERS)
def test_walls_and_aircraft_never_make_a_post_fall_sooner(defenders: float) -> None:
    for aircraft in (False, True):
        prev_hours, prev_fell = _assault(defenders, fortification=1.0, aircraft=aircraft)
        for fort in (2.0, 4.0, 8.0):
            hours, fell = _assault(defenders, fortification=fort, aircraft=aircraft)
            assert hours >= prev_hours - 1e-9 and (fell <= prev_fell)
            prev_hours, prev_fell = hours, fell
    for fort in (1.0, 4.0):
        _, fell_without = _assault(defenders, fortification=fort, aircraft=False)
        _, fell_with = _assault(defenders, fortification=fort, aircraft=True)
        assert fell_with <= fell_without


@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_blocked_resolution_is_identical(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy engine in blocks of CHUNK engagements gives exactly the one-block results."""
    from sim.kernels.combat import engine

    batch = random_batch(2_500, np.random.default_rng(3))
    sw = {"heliographs": True, "aircraft": True, "engine": "numpy"}
    whole = resolve_engagements(batch, params=P, mode=mode, rng=np.random.default_rng(9), **sw)  # type: ignore[arg-type]
    monkeypatch.setattr(engine, "CHUNK", 700)
    blocks = resolve_engagements(batch, params=P, mode=mode, rng=np.random.default_rng(9), **sw)  # type: ignore[arg-type]
    for f in dataclasses.fields(whole):
        np.testing.assert_array_equal(getattr(blocks, f.name), getattr(whole, f.name), f.name)
