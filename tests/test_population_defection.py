"""Scripted traces for defection both ways and rival leaders."""

from __future__ import annotations

import dataclasses

import numpy as np
from population_world import make_bands, make_columns, make_villages, make_world

from sim.kernels.defection import band_switch, levy, rival_clash, state_desertion
from sim.kernels.population import PopulationToday, add_volunteer_rows, population_day
from sim.params.population import PopulationParams
from sim.state import ColumnKind, Columns, Order

P = PopulationParams()


def test_band_from_converted_village_becomes_volunteer_detachment():
    b = make_bands([5, 6], 200, morale=0.0)
    c, vrow = add_volunteer_rows(make_columns([50], 300), b)
    assert not c.active[vrow].any()
    p = dataclasses.replace(P, band_defect_rate=1.0)
    b2, c2, switched, evs = band_switch(
        b, c, home_side=np.array([-1, 1]), authority=np.zeros(2),
        leader_here=np.array([True, False]), volunteer_row=vrow, params=p,
        rng=np.random.default_rng(0),
    )
    # Band 0 switched; its leader keeps an escort; band 1 (home still loyal) did not.
    assert c2.active[vrow[0]] and c2.kind[vrow[0]] == ColumnKind.VOLUNTEER
    assert c2.order[vrow[0]] == Order.PURSUE and c2.cell[vrow[0]] == 5
    assert c2.strength[vrow[0]] == switched == 200 - b2.fighters[0]
    assert b2.fighters[0] == 20 and b2.active[0]
    assert b2.fighters[1] == 200 and not c2.active[vrow[1]]
    assert evs[0].kind == "band_defection"


def test_loyal_or_high_morale_bands_do_not_switch():
    b = make_bands(np.arange(50), 100, morale=1.0)
    c, vrow = add_volunteer_rows(Columns.empty(0), b)
    _, c2, switched, _ = band_switch(b, c, home_side=np.full(50, -1), authority=np.zeros(50),
                                     leader_here=np.zeros(50, bool), volunteer_row=vrow,
                                     params=P, rng=np.random.default_rng(0))
    assert switched == 0 and not c2.active.any()


def test_converted_tribe_raises_levies():
    v = make_villages([5], 4000)
    b = make_bands([5], 100)
    c, vrow = add_volunteer_rows(Columns.empty(0), b)
    rng = np.random.default_rng(1)
    total = 0
    for _ in range(60):
        c, v, k, _ = levy(c, v, home_village=np.array([0]), home_side=np.array([-1]),
                          band_home=b.home, volunteer_row=vrow, params=P, rng=rng)
        total += k
    assert total > 0 and c.strength[vrow[0]] == total and c.active[vrow[0]]
    assert v.population[0] == 4000 - total


def test_state_units_desert_when_losing_and_locals_more():
    regular = make_columns(np.arange(40), 500, kind=ColumnKind.INFANTRY, morale=0.2)
    local = make_columns(np.arange(40), 500, kind=ColumnKind.VOLUNTEER, morale=0.2)
    b = make_bands([0], 10)
    look = np.full(100, -1)
    look[0] = 0
    args = {"band_of_cell": look, "params": P}
    c0, *_ = state_desertion(regular, b, losing=0.0, rng=np.random.default_rng(0), **args)
    assert (c0.strength == 500).all()
    _, _, d_reg, j_reg, _ = state_desertion(regular, b, losing=1.0, rng=np.random.default_rng(0), **args)
    _, b2, d_loc, j_loc, _ = state_desertion(local, b, losing=1.0, rng=np.random.default_rng(0), **args)
    assert d_loc + j_loc > 2 * (d_reg + j_reg) > 0
    assert b2.fighters[0] == 10 + j_loc  # only the unit standing with the band can join it


def test_rival_bands_in_one_cell_fight():
    b = make_bands([3, 3, 7], 200, leader=np.array([0, 1, 2]))
    rivals = np.zeros((3, 3), bool)
    rivals[0, 1] = rivals[1, 0] = True
    p = dataclasses.replace(P, rival_clash_rate=1.0)
    b2, killed, evs = rival_clash(b, rivals=rivals, leading=np.array([0, 1, 2]), params=p,
                                  rng=np.random.default_rng(0))
    assert killed > 0 and b2.fighters[2] == 200
    assert b2.fighters[:2].sum() == 400 - killed
    friends = np.zeros((3, 3), bool)
    _, none, _ = rival_clash(b, rivals=friends, leading=np.array([0, 1, 2]), params=p,
                             rng=np.random.default_rng(0))
    assert none == 0


def test_village_side_switching_drives_defection_in_population_day():
    v = make_villages([5, 6, 15], 3000, support=0.1)
    b = make_bands([5], 150, morale=0.0)
    state, ctx = make_world(b, Columns.empty(0), v)
    p = dataclasses.replace(P, band_defect_rate=1.0)
    new, evs = population_day(state, context=ctx, today=PopulationToday(), params=p,
                              rng=np.random.default_rng(0))
    vr = ctx.volunteer_row[0]
    assert new.columns.active[vr] and new.columns.strength[vr] >= 150 - 20
    assert new.ledger.defected_to_state > 0
    assert {e.kind for e in evs} >= {"band_defection"}
