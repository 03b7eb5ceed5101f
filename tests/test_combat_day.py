"""combat_day on small hand-built tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.kernels.combat import combat_day, concealment_map, find_engagements
from sim.params.combat import CombatParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order, Villages

P = CombatParams()
NCOLS = 6
CONC = np.full(36, 0.6)


def _bands(cells: list[int], fighters: list[int], modes: list[int]) -> Bands:
    b = Bands.empty(len(cells))
    b.cell[:] = cells
    b.fighters[:] = fighters
    b.mode[:] = modes
    b.morale[:] = 0.7
    b.active[:] = True
    b.leader[:] = -1
    return b


def _columns(
    cells: list[int], strength: list[int], kinds: list[int], orders: list[int], mgs: list[int]
) -> Columns:
    c = Columns.empty(len(cells))
    c.cell[:] = cells
    c.strength[:] = strength
    c.kind[:] = kinds
    c.order[:] = orders
    c.machine_guns[:] = mgs
    c.morale[:] = 0.7
    c.active[:] = True
    return c


def _villages() -> Villages:
    v = Villages.empty(2)
    v.cell[:] = [7, 30]
    v.population[:] = [500, 800]
    v.support[:] = 0.5
    return v


def _world():  # type: ignore[no-untyped-def]
    # band 0 holds in wait at cell 8 next to a marching column at cell 7 (ambush);
    # band 1 raids the garrison at cell 21 from cell 15 (reach 1, diagonal);
    # band 2 sits far away at cell 35 with nobody in reach; band 3 is inactive at cell 7.
    bands = _bands(
        [8, 15, 35, 7],
        [100, 800, 50, 200],
        [BandMode.HOLD, BandMode.RAID, BandMode.HOLD, BandMode.HOLD],
    )
    bands.active[3] = False
    columns = _columns(
        [7, 21, 0],
        [300, 90, 150],
        [ColumnKind.CAVALRY, ColumnKind.GARRISON, ColumnKind.INFANTRY],
        [Order.MARCH, Order.HOLD, Order.HOLD],
        [2, 3, 1],
    )
    return bands, columns, _villages()


def _snapshot(*tables):  # type: ignore[no-untyped-def]
    return [{f.name: getattr(t, f.name).copy() for f in dataclasses.fields(t)} for t in tables]


@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_engagements_found_only_in_reach(mode: str) -> None:
    bands, columns, villages = _world()
    before = _snapshot(bands, columns, villages)
    nb, nc, _nv, evs = combat_day(
        bands,
        columns,
        villages,
        concealment=CONC,
        ncols=NCOLS,
        day_switches={},
        params=P,
        rng=np.random.default_rng(3),
        mode=mode,
    )  # type: ignore[arg-type]
    # inputs untouched
    for snap, table in zip(before, (bands, columns, villages), strict=True):
        for name, arr in snap.items():
            np.testing.assert_array_equal(getattr(table, name), arr)
    eng = evs[0]
    assert eng.kind == "engagement"
    assert len(eng) == 2
    assert sorted(eng.cell.tolist()) == [7, 21]
    row = {int(c): i for i, c in enumerate(eng.cell)}
    amb, raid = row[7], row[21]
    assert eng.extra["ambush"][amb] == 1
    assert eng.extra["raid"][amb] == 0
    assert eng.extra["raid"][raid] == 1
    assert eng.extra["ambush"][raid] == 0
    assert eng.unit[amb] == 0
    assert eng.unit[raid] == 1
    assert eng.extra["lead_column"][amb] == 0
    assert eng.extra["lead_column"][raid] == 1
    assert eng.extra["insurgents_before"][raid] == 800
    assert eng.extra["state_before"][raid] == 90
    # units out of reach or inactive are untouched
    assert nb.fighters[2] == 50
    assert nb.fighters[3] == 200
    assert nc.strength[2] == 150
    assert nc.morale[2] == columns.morale[2]
    # events consistent with the changes in strength
    for i, (brow, crow) in enumerate(((0, 0), (1, 1)) if amb == 0 else ((1, 1), (0, 0))):
        x = eng.extra
        b_lost = (
            x["insurgents_killed"][i] + x["insurgents_wounded"][i] + x["insurgents_captured"][i]
        )
        s_lost = x["state_killed"][i] + x["state_wounded"][i] + x["state_captured"][i]
        assert bands.fighters[brow] - nb.fighters[brow] == b_lost
        assert columns.strength[crow] + x["air_reinforcement"][i] - nc.strength[crow] == s_lost
        assert eng.n[i] == b_lost + s_lost
        assert columns.machine_guns[crow] - nc.machine_guns[crow] == x["mg_captured"][i]
        assert nb.recent_losses[brow] == bands.recent_losses[brow] + b_lost
    assert np.all(nb.fighters >= 0)
    assert np.all(nc.strength >= 0)
    assert np.all((nb.morale >= 0) & (nb.morale <= 1))


def test_no_engagement_when_nobody_in_reach() -> None:
    bands = _bands([35], [100], [BandMode.RAID])
    columns = _columns([0], [300], [ColumnKind.CAVALRY], [Order.PURSUE], [2])
    nb, nc, _, evs = combat_day(
        bands,
        columns,
        _villages(),
        concealment=CONC,
        ncols=NCOLS,
        day_switches={"aircraft": True},
        params=P,
        rng=np.random.default_rng(0),
    )
    assert len(evs) == 1
    assert len(evs[0]) == 0
    assert nb.fighters[0] == 100
    assert nc.strength[0] == 300


def test_garrison_alone_does_not_sortie_and_flight_evades() -> None:
    """A holding band beside a garrison, and a fleeing band beside a marching column."""
    bands = _bands([1, 14], [100, 100], [BandMode.HOLD, BandMode.FLEE])
    columns = _columns(
        [0, 20],
        [90, 300],
        [ColumnKind.GARRISON, ColumnKind.INFANTRY],
        [Order.HOLD, Order.MARCH],
        [3, 2],
    )
    eng = find_engagements(bands, columns, np.full(36, 0.1), ncols=NCOLS, params=P)
    assert len(eng) == 0
    # a pursuing column catches the fleeing band
    columns.order[1] = Order.PURSUE
    eng = find_engagements(bands, columns, np.full(36, 0.1), ncols=NCOLS, params=P)
    assert len(eng) == 1
    assert eng.band_eng.tolist() == [-1, 0]


def test_several_units_one_engagement_and_aircraft() -> None:
    bands = _bands([14, 15, 21], [300, 300, 200], [BandMode.RAID] * 3)
    columns = _columns(
        [21, 21],
        [16, 75],
        [ColumnKind.GARRISON, ColumnKind.CAVALRY],
        [Order.HOLD, Order.HOLD],
        [1, 2],
    )
    nb, nc, _, evs = combat_day(
        bands,
        columns,
        _villages(),
        concealment=CONC,
        ncols=NCOLS,
        day_switches={"aircraft": True},
        params=P,
        rng=np.random.default_rng(0),
        mode="deterministic",
    )
    x = evs[0].extra
    assert len(evs[0]) == 1
    assert x["n_bands"][0] == 3
    assert x["n_columns"][0] == 2
    assert x["air_reinforcement"][0] == P.air_reinforcement_men
    assert (
        nc.strength.sum() + x["state_killed"][0] + x["state_wounded"][0] + x["state_captured"][0]
        == 16 + 75 + P.air_reinforcement_men
    )
    assert (
        nb.fighters.sum()
        == 800 - evs[0].n[0] + x["state_killed"][0] + x["state_wounded"][0] + x["state_captured"][0]
    )


def test_concealment_map() -> None:
    lc = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]], dtype=np.uint8)
    flat = concealment_map(lc, np.zeros((3, 3)), P)
    assert flat.shape == (9,)
    assert flat[0] == P.cover_water
    assert flat[4] == P.cover_forest
    rugged = concealment_map(lc, np.full((3, 3), 1000.0), P)
    assert np.all(rugged >= flat)
    assert np.all(rugged <= P.max_concealment)


def test_informing_villages_expose_a_band_and_warnings_hide_it() -> None:
    bands, columns, villages = _world()
    conc = np.full(36, 0.6)
    kw = {"concealment": conc, "ncols": 6, "day_switches": {}, "params": CombatParams(),
          "rng": np.random.default_rng(0), "mode": "deterministic"}

    def band_losses(modifier: float) -> float:
        mult = np.full(len(bands), modifier)
        _, _, _, ev = combat_day(bands, columns, villages, band_concealment=mult, **kw)
        e = next(b for b in ev if b.kind == "engagement")
        return float((e.extra["insurgents_killed"] + e.extra["insurgents_wounded"]).sum())

    informed, neutral, warned = band_losses(0.3), band_losses(1.0), band_losses(1.5)
    assert informed > neutral >= warned
    _, _, _, ev = combat_day(bands, columns, villages, **kw)
    e = next(b for b in ev if b.kind == "engagement")
    assert neutral == float((e.extra["insurgents_killed"] + e.extra["insurgents_wounded"]).sum())


def test_a_band_is_credited_draw_success_for_an_undecided_fight_costlier_to_the_state() -> None:
    # Bands 600 strong in wait beside 300-man columns on open ground; some fights end
    # undecided at nightfall. Each band's recent success grows by 1 for a won fight, by
    # draw_success for an undecided one in which the state lost more men, else by 0.
    from sim.kernels.combat import (
        OUTCOME_STATE_ROUTED,
        OUTCOME_STATE_WITHDREW,
        OUTCOME_TIME,
    )

    p = dataclasses.replace(P, draw_success=0.3)
    draws = 0
    for seed in range(40):
        bands = _bands([8], [120], [BandMode.HOLD])
        columns = _columns([7], [300], [ColumnKind.CAVALRY], [Order.MARCH], [0])
        nb, _, _, evs = combat_day(
            bands, columns, _villages(), concealment=np.full(36, 0.9), ncols=NCOLS,
            day_switches={}, params=p, rng=np.random.default_rng(seed), mode="stochastic",
        )  # type: ignore[arg-type]
        x = evs[0].extra
        assert evs[0].kind == "engagement" and len(evs[0]) == 1
        b_lost = x["insurgents_killed"][0] + x["insurgents_wounded"][0] + x["insurgents_captured"][0]
        s_lost = x["state_killed"][0] + x["state_wounded"][0] + x["state_captured"][0]
        out = x["outcome"][0]
        won = out in (OUTCOME_STATE_WITHDREW, OUTCOME_STATE_ROUTED)
        draw = out == OUTCOME_TIME and s_lost > b_lost
        draws += draw
        expected = 1.0 if won else (p.draw_success if draw else 0.0)
        assert nb.recent_success[0] == pytest.approx(expected)
    assert draws > 0  # the case the parameter is about occurred
