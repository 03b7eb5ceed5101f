"""Scripted traces for leaders: who leads, fates, betrayal, exit, leaderless bands."""

from __future__ import annotations

import dataclasses

import numpy as np
from population_world import make_bands, make_leaders

from sim.kernels.leaders import leader_fate, leaderless_day, leading
from sim.params.population import PopulationParams
from sim.state import LeaderStatus

P = PopulationParams()


def _fate(b, lead, *, p=P, killed=None, informing=None, afghan=None, seed=0, origin=None):
    nb = len(b)
    z = np.zeros(nb)
    lb, _ = leading(b, lead)
    return leader_fate(
        b, lead, leader_band=lb, killed=z if killed is None else killed, wounded=z, captured=z,
        informing=z if informing is None else informing,
        afghan_band=np.zeros(nb, bool) if afghan is None else afghan, hostile=False,
        nearest_afghan=np.full(100, 99), origin_home=b.home.copy() if origin is None else origin, params=p,
        rng=np.random.default_rng(seed),
    )


def test_leader_rides_with_his_largest_band_and_wounded_lead_no_one():
    b = make_bands([1, 2, 3], [50, 200, 80], leader=np.array([0, 0, 1]))
    lead = make_leaders(2)
    lb, led_by = leading(b, lead)
    assert list(lb) == [1, 2] and list(led_by) == [-1, 0, 1]
    lead.status[1] = LeaderStatus.WOUNDED
    _, led_by = leading(b, lead)
    assert list(led_by) == [-1, 0, -1]


def test_heavy_losses_kill_or_wound_leaders():
    b = make_bands(np.arange(200), 10, leader=np.arange(200))
    lead = make_leaders(200)
    out = _fate(b, lead, killed=np.full(200, 90.0), p=dataclasses.replace(P, exit_rate=0.0))
    killed = (out.leaders.status == LeaderStatus.KILLED).sum()
    assert 0 < killed < 200
    calm = _fate(b, lead, p=dataclasses.replace(P, exit_rate=0.0, betrayal_rate=0.0))
    assert (calm.leaders.status == LeaderStatus.ACTIVE).all()


def test_betrayal_by_villages_that_turned():
    b = make_bands([1, 2], 100, leader=np.array([0, 1]))
    lead = make_leaders(2)
    p = dataclasses.replace(P, betrayal_rate=1.0, exit_rate=0.0)
    out = _fate(b, lead, p=p, informing=np.array([1.0, 0.0]))
    assert out.leaders.status[0] == LeaderStatus.CAPTURED
    assert out.leaders.status[1] == LeaderStatus.ACTIVE
    assert out.betrayed == 1 and out.bands.fighters[0] == 99
    assert any(e.kind == "leader_betrayed" for e in out.events)


def test_cautious_leader_of_beaten_band_exits_and_returns():
    b = make_bands([1], 100, leader=0, morale=0.0, hunger=1.0)
    lead = make_leaders(1, caution=1.0)
    p = dataclasses.replace(P, exit_rate=1.0, betrayal_rate=0.0)
    out = _fate(b, lead, p=p)
    assert out.leaders.status[0] == LeaderStatus.EXILED and out.bands.home[0] == 99
    # In the sanctuary and recovered: he comes back and the band goes home.
    b2 = out.bands.copy()
    b2.morale[:] = 1.0
    back = _fate(b2, out.leaders, p=dataclasses.replace(p, return_rate=1.0),
                 afghan=np.ones(1, bool), origin=np.array([1]))
    assert back.leaders.status[0] == LeaderStatus.ACTIVE and back.bands.home[0] == 1


def test_wounded_leader_recovers():
    b = make_bands([1], 100, leader=0)
    lead = make_leaders(1)
    lead.status[0] = LeaderStatus.WOUNDED
    lead.recovery[0] = 2
    p = dataclasses.replace(P, exit_rate=0.0, betrayal_rate=0.0)
    one = _fate(b, lead, p=p)
    assert one.leaders.status[0] == LeaderStatus.WOUNDED
    two = _fate(b, one.leaders, p=p)
    assert two.leaders.status[0] == LeaderStatus.ACTIVE


def test_leaderless_bands_fragment_and_disperse():
    b = make_bands(np.arange(100), 100, morale=0.05)
    p = dataclasses.replace(P, disperse_rate=0.5)
    led = np.zeros(100, bool)
    b1, gone, _ = leaderless_day(b, leaderless=led, params=p, rng=np.random.default_rng(0))
    assert gone == 0 and b1.active.all()
    b2, gone, evs = leaderless_day(b, leaderless=~led, params=p, rng=np.random.default_rng(0))
    assert gone > 0 and 0 < (~b2.active).sum() < 100
    assert gone == 100 * 100 - b2.fighters.sum()
    assert {e.kind for e in evs} == {"fragmentation", "band_dispersed"}
