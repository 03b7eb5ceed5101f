"""Momentum recruitment: scripted traces of a raid that takes a post and one that is repulsed."""

from __future__ import annotations

import dataclasses

import numpy as np
from population_world import make_bands, make_columns, make_villages

from sim.kernels.control import INSURGENT, STATE, control_day
from sim.kernels.recruitment import momentum, momentum_gain, recruit, sanctuary_recruit
from sim.kernels.villages import neighbourhood
from sim.params.population import PopulationParams

P = PopulationParams()
SHAPE = (10, 10)
TOWN = 44


def _valley(start: int):
    cells = np.array([start + r * 10 + c for r in range(3) for c in range(3)])
    return make_villages(cells, 600, support=0.7, grievance=0.6, fear=0.1)


def _week_after(bands, villages, seed: int) -> int:
    """Men recruited in the seven days after the raid (memory fading as in the model)."""
    voc = np.full(100, -1, dtype=np.int64)
    voc[villages.cell] = np.arange(len(villages))
    rng = np.random.default_rng(seed)
    start = int(bands.fighters.sum())
    for _ in range(7):
        reach = neighbourhood(bands.cell, village_of_cell=voc, shape=SHAPE, radius=1)
        bands, villages, _ = recruit(bands, villages, reach=reach,
                                     eligible=np.ones(len(bands), bool), params=P, rng=rng)
        bands = dataclasses.replace(
            bands,
            recent_success=bands.recent_success * (1 - P.memory_decay),
            recent_losses=bands.recent_losses * (1 - P.memory_decay),
        )
    return int(bands.fighters.sum()) - start


def test_a_raid_that_takes_a_post_recruits_more_in_the_next_week_than_one_repulsed():
    # Two identical bands of 60 at two identical towns in identical valleys.
    taker = make_bands([TOWN], 60)
    repulsed = make_bands([TOWN], 60)
    empty = make_columns([0], 0)
    empty.active[:] = False
    holder = np.array([STATE])
    # The taker stands in the town with no state unit: the town falls, the band gains success.
    new_holder, taker, evs = control_day(holder, np.array([TOWN]), taker, empty,
                                         n_cells=100, town_success=P.town_success)
    assert new_holder[0] == INSURGENT and [e.kind for e in evs] == ["town_captured"]
    assert taker.recent_success[0] == P.town_success
    # The repulsed band lost a fifth of its men at the post and took nothing.
    repulsed.fighters[:] = 48
    repulsed.recent_losses[:] = 12
    assert momentum(taker, P)[0] > 0 > momentum(repulsed, P)[0]
    wins = [_week_after(taker, _valley(33), s) for s in range(20)]
    losses = [_week_after(repulsed, _valley(33), s) for s in range(20)]
    # Same villages and seeds: the winner recruits more every time, and on average by more
    # than half again (gain 1 + tanh(1) against a cut at negative momentum).
    assert all(w > lo for w, lo in zip(wins, losses, strict=True))
    assert np.mean(wins) > 1.5 * np.mean(losses)


def test_momentum_gain_is_bounded_and_monotone():
    m = np.linspace(-1, 1, 41)
    g = momentum_gain(m, P)
    assert (np.diff(g) >= 0).all() and g.min() >= 0
    assert g[20] == 1.0 and np.isclose(g[-1], 1 + P.success_recruit_gain)
    cut = dataclasses.replace(P, defeat_recruit_cut=1.0)
    assert momentum_gain(np.array([-1.0]), cut)[0] == 0.0


def test_no_success_no_change_and_no_willing_men_no_recruits():
    # Without success or losses recruitment is as before (gain 1); hostile villages give
    # nobody however well the band does.
    b = make_bands([44], 30)
    assert momentum_gain(momentum(b, P), P)[0] == 1.0
    b.recent_success[:] = 5.0
    hostile = make_villages(np.array([43, 45]), 600, support=0.3, grievance=0.9)
    voc = np.full(100, -1, dtype=np.int64)
    voc[hostile.cell] = np.arange(2)
    reach = neighbourhood(b.cell, village_of_cell=voc, shape=SHAPE, radius=1)
    b2, _, _ = recruit(b, hostile, reach=reach, eligible=np.ones(1, bool), params=P,
                       rng=np.random.default_rng(0))
    assert b2.fighters[0] == 30


def test_refugees_cross_to_a_winning_band_and_not_to_a_beaten_one():
    # One band in the sanctuary, one winning and one beaten on the Soviet side.
    b = make_bands([90, 44, 45], 100)
    b.recent_success[:] = [0.0, 2.0, 0.0]
    b.recent_losses[:] = [0.0, 0.0, 60.0]
    in_sanct = np.array([True, False, False])
    got = np.zeros(3)
    left = 200_000
    rng = np.random.default_rng(3)
    for _ in range(10):
        b2, left2, _ = sanctuary_recruit(b, left, in_sanctuary=in_sanct, share=1.0, params=P,
                                         rng=rng)
        got += b2.fighters - b.fighters
        assert left - left2 == int((b2.fighters - b.fighters).sum())
    assert got[1] > 0 and got[2] == 0 and got[0] > 0
    # Bounded by the willing share: with no willing men left, nobody joins.
    none, _, _ = sanctuary_recruit(b, 100, in_sanctuary=in_sanct, share=1.0,
                                   params=dataclasses.replace(P, refugee_willing_share=0.0),
                                   rng=np.random.default_rng(0))
    assert (none.fighters == b.fighters).all()
