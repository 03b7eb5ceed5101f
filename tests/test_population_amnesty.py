"""Scripted traces for amnesty take-up, destitution, arrest, relapse and trust."""

from __future__ import annotations

import dataclasses

import numpy as np
from population_world import make_bands, make_villages, make_world

from sim.kernels.amnesty import aftermath, take_up
from sim.kernels.population import PopulationToday, population_day
from sim.params.population import PopulationParams
from sim.state import Bands, Columns, VillageMemory

P = PopulationParams()


def _take(bands: Bands, credibility: float, *, trust: float = 1.0, seed: int = 0, p=P):
    nb = len(bands)
    mem = VillageMemory.empty(1)
    return take_up(
        bands, mem, credibility=credibility, trust=trust, leader_far=np.ones(nb),
        leaderless=np.zeros(nb, bool), leader_here=np.zeros(nb, bool), authority=np.zeros(nb),
        home_village=np.zeros(nb, np.int64), params=p, rng=np.random.default_rng(seed),
    )


def test_zero_credibility_draws_no_one():
    b = make_bands(np.arange(20), 300, morale=0.0, hunger=1.0)
    b.recent_losses[:] = 300
    for seed in range(20):
        assert _take(b, 0.0, seed=seed).surrendered.sum() == 0
        assert _take(b, 1.0, trust=0.0, seed=seed).surrendered.sum() == 0


def test_hungry_beaten_bands_surrender_more():
    fed = make_bands(np.arange(50), 1000, morale=1.0, hunger=0.0)
    beaten = make_bands(np.arange(50), 1000, morale=0.1, hunger=0.9)
    beaten.recent_losses[:] = 300
    a = _take(fed, 1.0, seed=1).surrendered.sum()
    b = _take(beaten, 1.0, seed=1).surrendered.sum()
    assert b > 2 * a > 0
    half = _take(beaten, 0.5, seed=1).surrendered.sum()
    assert half < b


def test_surrendered_go_home_to_their_village():
    b = make_bands([0, 1], 500, morale=0.0, hunger=1.0)
    mem = VillageMemory.empty(3)
    res = take_up(b, mem, credibility=1.0, trust=1.0, leader_far=np.ones(2),
                  leaderless=np.ones(2, bool), leader_here=np.zeros(2, bool),
                  authority=np.zeros(2), home_village=np.array([2, 0]), params=P,
                  rng=np.random.default_rng(0))
    assert res.memory.surrendered[2] == res.surrendered[0] > 0
    assert res.memory.surrendered[0] == res.surrendered[1]
    assert (res.bands.fighters == b.fighters - res.surrendered).all()


def _aftermath_trace(p: PopulationParams, days: int = 120):
    v = make_villages([0, 1], 1000, support=0.5)
    mem = VillageMemory.empty(2)
    mem.surrendered[:] = 200
    b = make_bands([0], 50)
    rng = np.random.default_rng(3)
    trust, log = 1.0, []
    for day in range(days):
        b, mem, trust, arrested, evs = aftermath(b, mem, v, trust=trust,
                                                 band_in_reach=np.array([0, 0]),
                                                 repression=False, params=p, rng=rng)
        log += [(day, e.kind, float(e.n.sum())) for e in evs]
    return b, mem, trust, log


def test_relapse_only_after_destitution_or_arrest():
    never = dataclasses.replace(P, destitution_rate=0.0, arrest_rate=0.0, relapse_rate=0.5)
    b, mem, trust, log = _aftermath_trace(never)
    assert not [k for _, k, _ in log if k == "relapse"]
    assert b.fighters[0] == 50 and mem.surrendered.sum() == 400
    assert trust == 1.0

    b, mem, trust, log = _aftermath_trace(P)
    relapses = [(d, n) for d, k, n in log if k == "relapse"]
    made = [(d, n) for d, k, n in log if k in ("destitution", "hiding")]
    assert relapses, "some destitute returnees go back"
    first_made = min(d for d, _ in made)
    assert min(d for d, _ in relapses) >= first_made
    # Never more relapses than men made destitute up to that day.
    for day, _ in relapses:
        back = sum(n for d, n in relapses if d <= day)
        assert back <= sum(n for d, n in made if d <= day)
    assert b.fighters[0] == 50 + sum(n for _, n in relapses)
    assert trust < 1.0


def test_arrests_under_repression_in_hostile_villages():
    p = dataclasses.replace(P, arrest_rate=0.05, destitution_rate=0.0)
    v = make_villages([0], 1000, support=0.1)
    mem = VillageMemory.empty(1)
    mem.surrendered[:] = 500
    b = make_bands([0], 10)
    _, m2, trust, arrested, evs = aftermath(b, mem, v, trust=1.0, band_in_reach=np.array([-1]),
                                           repression=True, params=p, rng=np.random.default_rng(0))
    assert arrested > 0 and trust < 1.0
    assert {e.kind for e in evs} >= {"arrest", "hiding"}
    assert m2.surrendered[0] == 500 - arrested


def test_amnesty_window_in_population_day_shows_surrenders_and_falling_strength():
    v = make_villages([0, 1, 10, 11], 500, support=0.5)
    b = make_bands([0], 400, morale=0.3, hunger=0.5)
    state, ctx = make_world(b, Columns.empty(0), v)
    rng = np.random.default_rng(0)
    strength, surrendered = [], 0.0
    for day in range(40):
        today = PopulationToday(amnesty=0.8 if day >= 20 else 0.0)
        state, evs = population_day(state, context=ctx, today=today, params=P, rng=rng)
        strength.append(int(state.bands.fighters[0]))
        got = sum(float(e.n.sum()) for e in evs if e.kind == "surrender")
        if day < 20:
            assert got == 0
        surrendered += got
    assert surrendered > 0
    assert strength[-1] < strength[19]
    assert state.memory.surrendered.sum() + state.ledger.insurgents_deserted >= 0
    assert state.ledger.amnestied == surrendered


def _window(bands: Bands, *, far: float, cut: float, days: int, seed: int = 0) -> float:
    """Share of the band that came in over ``days`` of a fully credible amnesty."""
    nb = len(bands)
    start = float(bands.fighters.sum())
    rng = np.random.default_rng(seed)
    for _ in range(days):
        res = take_up(
            bands, VillageMemory.empty(1), credibility=1.0, trust=1.0,
            leader_far=np.full(nb, far), leaderless=np.zeros(nb, bool),
            leader_here=np.zeros(nb, bool), authority=np.zeros(nb),
            home_village=np.zeros(nb, np.int64), params=P, rng=rng, cut_off=np.full(nb, cut),
        )
        bands = res.bands
    return 1.0 - float(bands.fighters.sum()) / start


def test_take_up_reaches_most_of_a_beaten_hungry_cut_off_band_and_stays_low_otherwise():
    beaten = make_bands(np.arange(10), 200, morale=0.0, hunger=1.0)
    beaten.recent_losses[:] = 200
    fed = make_bands(np.arange(10), 200, morale=1.0, hunger=0.0)
    # The 92-day window of 1925 (A26-09 gives its length, an input).
    assert _window(beaten, far=1.0, cut=1.0, days=92) > 0.75
    assert _window(fed, far=0.0, cut=0.0, days=92) < 0.25
    # Each missing condition lowers the pull: with the leader riding along and friends
    # around, a beaten, hungry band comes in far less.
    assert _window(beaten, far=0.0, cut=0.0, days=92) < 0.6 * _window(beaten, far=1.0, cut=1.0,
                                                                         days=92)


def test_cut_off_means_no_friendly_village_in_reach_and_no_open_sanctuary():
    from sim.kernels.population import cut_off

    v = make_villages([1, 2], 100, support=0.3)
    v.support[1] = 0.7
    reach = np.array([[0, -1], [0, 1], [-1, -1]])
    assert list(cut_off(v, reach, sanctuary_open=False)) == [1.0, 0.0, 1.0]
    assert list(cut_off(v, reach, sanctuary_open=True)) == [0.0, 0.0, 0.0]
