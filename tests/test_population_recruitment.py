"""Scripted traces for recruitment, sanctuary recovery and village intelligence."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from population_world import make_bands, make_villages, make_world

from sim.kernels.population import PopulationToday, population_day
from sim.kernels.recruitment import intelligence, recruit, sanctuary_recruit
from sim.kernels.villages import neighbourhood
from sim.params.population import PopulationParams
from sim.state import Columns

P = PopulationParams()
SHAPE = (10, 10)


def _valley(support: float, grievance: float, fear: float = 0.1):
    cells = np.array([r * 10 + c for r in range(3, 6) for c in range(3, 6)])
    return make_villages(cells, 900, support=support, grievance=grievance, fear=fear)


def _reach(b, v):
    voc = np.full(100, -1, dtype=np.int64)
    voc[v.cell] = np.arange(len(v))
    return neighbourhood(b.cell, village_of_cell=voc, shape=SHAPE, radius=1)


def test_neutral_or_hostile_villages_give_no_recruits():
    for support in (0.5, 0.3, 0.0):
        v = _valley(support, 1.0)
        b = make_bands([44], 15)
        b2, v2, evs = recruit(b, v, reach=_reach(b, v), eligible=np.ones(1, bool), params=P,
                              rng=np.random.default_rng(0))
        assert b2.fighters[0] == 15 and not evs


def _grow(days: int, *, success: float, grievance: float, seed: int = 1) -> tuple[list[int], int]:
    v = _valley(0.85, grievance)
    b = make_bands([44], 15)
    b.recent_success[:] = success
    rng = np.random.default_rng(seed)
    sizes = []
    for _ in range(days):
        b, v, _ = recruit(b, v, reach=_reach(b, v), eligible=np.ones(1, bool), params=P, rng=rng)
        sizes.append(int(b.fighters[0]))
    assert (v.population >= 0).all()
    assert int(b.fighters[0]) - 15 == 9 * 900 - int(v.population.sum())  # recruits come from villages
    return sizes, int(v.population.sum())


def test_a_successful_raid_raises_recruitment_near_it():
    """Mechanism, not history: the same valley gives more men to a band fresh from a success."""
    after_success, _ = _grow(7, success=1.0, grievance=0.85)
    without, _ = _grow(7, success=0.0, grievance=0.85)
    assert after_success[-1] > without[-1]
    assert after_success[-1] > 15


def test_grievance_raises_recruitment_and_a_band_grows_while_men_remain():
    low, _ = _grow(14, success=1.0, grievance=0.55)
    high, left = _grow(14, success=1.0, grievance=0.95)
    assert high[-1] > low[-1]
    assert all(b >= a for a, b in itertools.pairwise(high))  # recruitment only adds
    assert left >= 0


def test_fear_deters_recruitment():
    args = {"eligible": np.ones(1, bool), "params": P}
    calm = _valley(0.85, 0.85, fear=0.0)
    scared = _valley(0.85, 0.85, fear=1.0)
    b = make_bands([44], 15)
    a, _, _ = recruit(b, calm, reach=_reach(b, calm), rng=np.random.default_rng(2), **args)
    s, _, _ = recruit(b, scared, reach=_reach(b, scared), rng=np.random.default_rng(2), **args)
    assert s.fighters[0] < a.fighters[0]


def test_bands_sharing_villages_never_take_more_men_than_exist():
    v = make_villages([44], 40, support=1.0, grievance=1.0, fear=0.0)
    b = make_bands([44, 44, 45, 43, 34], 5)
    p = dataclasses.replace(P, recruit_rate=1.0)
    b2, v2, _ = recruit(b, v, reach=_reach(b, v), eligible=np.ones(5, bool), params=p,
                        rng=np.random.default_rng(3))
    assert v2.population[0] >= 40 - 10
    assert b2.fighters.sum() - b.fighters.sum() == 40 - v2.population[0]


def test_informing_lowers_and_warning_raises_concealment():
    b = make_bands([44], 100)
    hostile = _valley(0.1, 0.3)
    friendly = _valley(0.9, 0.3)
    neutral = _valley(0.5, 0.3)
    c_h, i_h, _ = intelligence(hostile, reach=_reach(b, hostile), scouts=False, params=P)
    c_f, _, w_f = intelligence(friendly, reach=_reach(b, friendly), scouts=False, params=P)
    c_n, _, _ = intelligence(neutral, reach=_reach(b, neutral), scouts=False, params=P)
    c_s, i_s, _ = intelligence(hostile, reach=_reach(b, hostile), scouts=True, params=P)
    assert c_h[0] < 1.0 == c_n[0] < c_f[0]
    assert i_s[0] >= i_h[0] and c_s[0] <= c_h[0]
    assert w_f[0] > 0


def test_sanctuary_recovers_and_recruits_only_when_open():
    b = make_bands([9, 19], 100, morale=0.2)
    here = np.array([True, False])
    b2, left, evs = sanctuary_recruit(b, 200000, in_sanctuary=here, share=1.0, params=P,
                                      rng=np.random.default_rng(0))
    assert b2.fighters[0] > 100 and b2.fighters[1] == 100
    assert b2.morale[0] > 0.2 and b2.morale[1] == 0.2
    assert 200000 - left == b2.fighters.sum() - 200
    b3, left3, _ = sanctuary_recruit(b, 200000, in_sanctuary=here, share=0.0, params=P,
                                     rng=np.random.default_rng(0))
    assert left3 == 200000 and (b3.fighters == 100).all()


def test_sanctuary_bands_grow_only_to_the_willing_share_of_refugee_men():
    refugees = 200000
    willing = int(refugees * P.men_share * P.refugee_willing_share)
    b = make_bands([9], willing)  # already as many under arms as are willing
    here = np.array([True])
    b2, left, _ = sanctuary_recruit(b, refugees, in_sanctuary=here, share=1.0, params=P,
                                    rng=np.random.default_rng(0))
    assert b2.fighters[0] == willing and left == refugees
    small = make_bands([9], 10)
    for day in range(3000):
        small, refugees, _ = sanctuary_recruit(small, refugees, in_sanctuary=here, share=1.0,
                                               params=P, rng=np.random.default_rng(day))
    assert small.fighters[0] <= int(200000 * P.men_share * P.refugee_willing_share)
    assert small.fighters[0] > 0.5 * willing  # it does approach the cap


def test_population_day_sets_concealment_for_combat():
    v = _valley(0.1, 0.3)
    b = make_bands([44], 100)
    state, ctx = make_world(b, Columns.empty(0), v)
    new, evs = population_day(state, context=ctx, today=PopulationToday(), params=P,
                              rng=np.random.default_rng(0))
    assert new.band_concealment.shape == (1,)
    assert new.band_concealment[0] < 1.0
    assert any(e.kind == "informed_on" for e in evs)
