"""Scripted traces for village support, grievance, fear, spread and repression."""

from __future__ import annotations

import dataclasses

import numpy as np
from population_world import kinds, make_bands, make_columns, make_villages, make_world

from sim.kernels.population import PopulationToday, population_day
from sim.kernels.repression import RepressionPolicies, repression_day
from sim.kernels.supply import supply_day
from sim.kernels.villages import VillagePolicies, village_day
from sim.params.population import PopulationParams
from sim.params.supply import SupplyParams
from sim.state import Columns, VillageMemory

P = PopulationParams()


def _requisition_trace(food_days: float, days: int = 30) -> tuple[float, list[float], dict]:
    """A 400-man band sits in a 300-people village for ``days`` days (supply + population)."""
    sp = SupplyParams()
    v = make_villages([55], 300, support=0.6, food_days=food_days)
    b = make_bands([55], 400, food=0.0)
    state, ctx = make_world(b, Columns.empty(0), v)
    rng = np.random.default_rng(0)
    support, seen = [], {}
    for _ in range(days):
        b2, c2, v2, _ = supply_day(
            state.bands, state.columns, state.villages,
            village_of_cell=ctx.village_of_cell, band_sanctuary_share=np.zeros(1),
            depot_hours=np.full(100, np.inf), harvest_today=False, food_for_cotton=False,
            params=sp, rng=rng,
        )
        state = dataclasses.replace(state, bands=b2, columns=c2, villages=v2)
        state, evs = population_day(state, context=ctx, today=PopulationToday(), params=P, rng=rng)
        support.append(float(state.villages.support[0]))
        for k, n in kinds(evs).items():
            seen[k] = seen.get(k, 0.0) + n
    return float(state.band_concealment[0]), support, seen


def test_requisition_in_famine_turns_village_against_band():
    # Scarcity: food below twice the 60-day reserve, so each ration taken angers more.
    conc_famine, famine, ev_famine = _requisition_trace(food_days=100.0)
    conc_plenty, plenty, _ = _requisition_trace(food_days=400.0)
    assert famine[0] < 0.6
    assert famine[-1] < P.side_low  # the village sided with the state
    assert famine[-1] < plenty[-1]
    assert "village_switch" in ev_famine
    # ... and informs on the band: its concealment falls below neutral.
    assert conc_famine < 1.0
    assert conc_famine <= conc_plenty


def test_no_events_no_drift():
    # At rest (support at its rest level, grievance neutral) nothing moves.
    v = make_villages(np.arange(20) * 3, 500, support=P.support_rest, grievance=P.grievance_neutral,
                      fear=0.0)
    mem = VillageMemory.empty(len(v))
    nb = np.full((len(v), 8), -1)
    off = np.zeros(len(v), dtype=bool)
    v2, _, fled, evs = village_day(
        v, mem, nbrs=nb, band_present=off, state_present=off, state_taken=np.zeros(len(v)),
        collateral=np.zeros(len(v)), policies=VillagePolicies(), params=P,
        rng=np.random.default_rng(1),
    )
    np.testing.assert_allclose(v2.support, v.support)
    np.testing.assert_allclose(v2.grievance, v.grievance)
    assert fled == 0


def test_policies_raise_grievance_then_support():
    v = make_villages([0, 1], 500, support=0.5, grievance=0.3)
    mem = VillageMemory.empty(2)
    off = np.zeros(2, dtype=bool)
    rng = np.random.default_rng(2)
    pol = VillagePolicies(anti_religious=1.0, collectivisation=1.0)
    for _ in range(90):
        v, mem, _, _ = village_day(
            v, mem, nbrs=np.full((2, 8), -1), band_present=off, state_present=off,
            state_taken=np.zeros(2), collateral=np.zeros(2), policies=pol, params=P, rng=rng,
        )
    assert (v.grievance > 0.6).all()
    assert (v.support > 0.55).all()


def test_spread_pulls_neighbours_together():
    # A 3x3 block of villages; the centre leans hard to the insurgents.
    cells = np.array([r * 10 + c for r in range(3) for c in range(3)])
    v = make_villages(cells, 500, support=0.5)
    v.support[4] = 0.9
    state, ctx = make_world(make_bands([99], 0), Columns.empty(0), v)
    mem = VillageMemory.empty(9)
    off = np.zeros(9, dtype=bool)
    v2, _, _, _ = village_day(
        state.villages, mem, nbrs=ctx.village_nbrs, band_present=off, state_present=off,
        state_taken=np.zeros(9), collateral=np.zeros(9), policies=VillagePolicies(), params=P,
        rng=np.random.default_rng(3),
    )
    assert v2.support[4] < 0.9
    others = np.delete(np.arange(9), 4)
    assert (v2.support[others] > 0.5).all()


def test_state_protection_lowers_support():
    v = make_villages([0], 500, support=0.6, grievance=0.3)
    mem = VillageMemory.empty(1)
    v2, *_ = village_day(
        v, mem, nbrs=np.full((1, 8), -1), band_present=np.zeros(1, bool),
        state_present=np.ones(1, bool), state_taken=np.zeros(1), collateral=np.zeros(1),
        policies=VillagePolicies(), params=P, rng=np.random.default_rng(0),
    )
    assert v2.support[0] < 0.6


def test_collateral_raises_grievance():
    v = make_villages([0], 500)
    mem = VillageMemory.empty(1)
    args = {"nbrs": np.full((1, 8), -1), "band_present": np.zeros(1, bool),
                "state_present": np.zeros(1, bool), "state_taken": np.zeros(1),
                "policies": VillagePolicies(), "params": P}
    calm, *_ = village_day(v, mem, collateral=np.zeros(1), rng=np.random.default_rng(0), **args)
    hit, *_ = village_day(v, mem, collateral=np.array([10.0]), rng=np.random.default_rng(0), **args)
    assert hit.grievance[0] > calm.grievance[0] + 0.1


def test_executions_raise_fear_cut_support_raise_grievance_and_are_counted():
    v = make_villages(np.arange(50), 2000, support=0.9, grievance=0.3, fear=0.1)
    near = np.ones(50, dtype=bool)
    p = dataclasses.replace(P, execution_rate=1e-3, trial_rate=1e-3)
    res = repression_day(v, state_near=near, raiders=np.zeros(50, bool),
                         policies=RepressionPolicies(executions=1.0, show_trials=1.0), params=p,
                         rng=np.random.default_rng(4))
    hit = res.villages.population < v.population
    assert hit.all()
    assert (res.villages.fear[hit] > 0.1).all()
    assert (res.villages.support[hit] < 0.9).all()
    assert (res.villages.grievance[hit] > 0.3).all()
    assert res.executed + res.imprisoned == int(v.population.sum() - res.villages.population.sum())
    assert {e.kind for e in res.events} >= {"execution", "show_trial"}


def test_repression_spares_villages_leaning_to_the_state():
    v = make_villages(np.arange(10), 2000, support=0.3)
    res = repression_day(v, state_near=np.ones(10, bool), raiders=np.ones(10, bool),
                         policies=RepressionPolicies(executions=5.0, show_trials=5.0,
                                                     punitive_raids=5.0, village_burning=5.0),
                         params=P, rng=np.random.default_rng(5))
    assert res.executed == res.imprisoned == res.killed == res.refugees == 0


def test_punitive_raid_and_burning():
    v = make_villages(np.arange(20), 1000, support=0.9)
    raid = repression_day(v, state_near=np.ones(20, bool), raiders=np.ones(20, bool),
                          policies=RepressionPolicies(punitive_raids=2.0), params=P,
                          rng=np.random.default_rng(6))
    assert (raid.villages.food < v.food).all()
    assert (raid.villages.fear > v.fear).all()
    burn = repression_day(v, state_near=np.ones(20, bool), raiders=np.ones(20, bool),
                          policies=RepressionPolicies(village_burning=2.0), params=P,
                          rng=np.random.default_rng(6))
    assert (burn.villages.food == 0).all()
    assert burn.refugees > 0
    assert kinds(burn.events)["village_burned"] >= 0


def test_protection_by_columns_and_policy_in_population_day():
    v = make_villages([11, 12], 800, support=0.5)
    c = make_columns([11], 100)
    state, ctx = make_world(make_bands([88], 0), c, v)
    state.bands.active[:] = False
    today = PopulationToday(village=VillagePolicies(collectivisation=2.0))
    new, _ = population_day(state, context=ctx, today=today, params=P, rng=np.random.default_rng(0))
    assert (new.villages.grievance > v.grievance).all()


def test_village_window_is_the_neighbourhood_and_follows_the_radius() -> None:
    """The cached window around villages gives what ``neighbourhood`` computes afresh."""
    from sim.kernels.villages import in_window, neighbourhood

    v = make_villages([0, 11, 55, 99], 100)
    _, ctx = make_world(make_bands([], []), make_columns([], []), v)
    for radius in (1, 2, 1):
        w = ctx.village_window(v.cell, radius)
        assert w.shape == (4, (2 * radius + 1) ** 2)
        np.testing.assert_array_equal(
            in_window(ctx.village_of_cell, w),
            neighbourhood(v.cell, village_of_cell=ctx.village_of_cell, shape=ctx.shape,
                          radius=radius))
    assert ctx.village_window(v.cell, 2) is ctx.village_window(v.cell, 2)
    # the corner village at cell 0 has 5 of its 9 radius-1 cells off the map
    assert int((ctx.village_window(v.cell, 1)[0] < 0).sum()) == 5


def test_a_village_that_sided_with_the_insurgents_turns_neutral_below_side_reset():
    # Support 0.45 (between side_low and side_high): the insurgents' village turns neutral
    # at the default side_reset (0.5), keeps its side when the reset point is lower.
    def side_after(side_reset: float) -> tuple[int, float]:
        v = make_villages([0], 500, support=0.45, grievance=P.grievance_neutral, fear=0.0)
        mem = VillageMemory.empty(1)
        mem.side[:] = 1
        v2, mem2, _, _ = village_day(
            v, mem, nbrs=np.full((1, 8), -1), band_present=np.zeros(1, bool),
            state_present=np.zeros(1, bool), state_taken=np.zeros(1), collateral=np.zeros(1),
            policies=VillagePolicies(), params=dataclasses.replace(P, side_reset=side_reset),
            rng=np.random.default_rng(0),
        )
        return int(mem2.side[0]), float(v2.support[0])

    side, support = side_after(P.side_reset)
    assert P.side_low < 0.42 < support < P.side_reset
    assert side == 0
    assert side_after(0.42)[0] == 1
