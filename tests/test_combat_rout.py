"""State morale and rout rule: regular units withdraw rather than rout unless surprised,
outnumbered and cut off; volunteers can rout; bands melt away unless caught in the open by
horsemen; every engine applies the rules the same way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.kernels.combat import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    EngagementBatch,
    combat_day,
    resolve_engagements,
)
from sim.kernels.combat.day import band_may_rout, state_may_rout
from sim.params.combat import CombatParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order, Villages

P = CombatParams()


def _rule(ins: float, st: float, *, vol: float = 0.0, supply: float = 0.0, ambush: bool = False,
          raid: bool = False, helio: bool = False) -> bool:
    one = np.ones(1)
    return bool(state_may_rout(insurgents=ins * one, state=st * one, volunteer_share=vol * one,
                               supply_days=supply * one, ambush=np.array([ambush]),
                               raid=np.array([raid]), heliographs=helio, params=P)[0])


def test_rule_needs_surprise_numbers_and_isolation_for_regulars() -> None:
    assert _rule(600, 100, ambush=True, supply=0.0)  # all three: may rout
    assert not _rule(600, 100, ambush=False, supply=0.0)  # not surprised
    assert not _rule(150, 100, ambush=True, supply=0.0)  # not outnumbered 2:1
    assert not _rule(600, 100, ambush=True, supply=5.0)  # in supply, not cut off
    assert _rule(600, 100, raid=True, supply=0.0)  # a raid without warning surprises a post
    assert not _rule(600, 100, raid=True, supply=0.0, helio=True)  # heliographs warn
    # Volunteers, outnumbered, rout when surprised or cut off (either will do).
    assert _rule(250, 100, vol=0.6, supply=9.0, ambush=True)
    assert _rule(250, 100, vol=0.6, supply=0.0)
    assert not _rule(250, 100, vol=0.6, supply=9.0)  # neither
    assert not _rule(150, 100, vol=0.6, supply=0.0, ambush=True)  # not outnumbered 2:1
    assert not _rule(250, 100, vol=0.4, supply=0.0)  # mostly regulars: needs all three


def test_volunteer_share_decides_which_rule_a_mixed_side_follows() -> None:
    # 40% volunteers, outnumbered 2.5:1, cut off, not surprised: regulars hold together ...
    assert not _rule(250, 100, vol=0.4, supply=0.0)
    # ... unless a side counts as volunteers from a third of its men.
    one = np.ones(1)
    lower = dataclasses.replace(P, rout_volunteer_share=0.3)
    assert state_may_rout(insurgents=250 * one, state=100 * one, volunteer_share=0.4 * one,
                          supply_days=0 * one, ambush=np.array([False]), raid=np.array([False]),
                          heliographs=False, params=lower)[0]


def _ambush_batch(may: bool) -> EngagementBatch:
    return EngagementBatch(
        insurgents=np.array([900.0]), state=np.array([60.0]), machine_guns=np.zeros(1),
        guns=np.zeros(1), concealment=np.array([0.8]), state_concealment=np.zeros(1),
        band_morale=np.ones(1), garrison_share=np.zeros(1), ambush=np.array([True]),
        raid=np.array([False]), state_may_rout=np.array([may]),
    )


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_the_same_broken_column_routs_only_where_it_may(engine: str) -> None:
    res = {may: resolve_engagements(_ambush_batch(may), params=P, mode="deterministic",
                                    engine=engine)  # type: ignore[arg-type]
           for may in (True, False)}
    assert res[True].outcome[0] == OUTCOME_STATE_ROUTED
    assert res[False].outcome[0] == OUTCOME_STATE_WITHDREW
    # A withdrawal loses fewer men than a rout.
    lost = {k: r.state_killed[0] + r.state_captured[0] for k, r in res.items()}
    assert lost[False] < lost[True]


def _one_fight(*, fighters: int, band_morale: float, column_cell: int, strength: int,
               machine_guns: int, kind: int, order: int, supply: float,
               concealment: float) -> dict:
    """One band of ``fighters`` in cell 8 and one column on a 6 x 6 map, fought out
    deterministically; the engagement event's columns."""
    b = Bands.empty(1)
    b.cell[:] = 8
    b.fighters[:] = fighters
    b.mode[:] = BandMode.HOLD
    b.morale[:] = band_morale
    b.active[:] = True
    b.leader[:] = -1
    c = Columns.empty(1)
    c.cell[:] = column_cell
    c.strength[:] = strength
    c.machine_guns[:] = machine_guns
    c.kind[:] = kind
    c.order[:] = order
    c.morale[:] = 0.7
    c.supply[:] = supply
    c.active[:] = True
    *_, out = combat_day(b, c, Villages.empty(0), concealment=np.full(36, concealment), ncols=6,
                         day_switches={}, params=P, rng=np.random.default_rng(0),
                         mode="deterministic")
    return next(e for e in out if e.kind == "engagement").extra


def _trace(kind: int, supply: float) -> int:
    """900 insurgents lying in wait next to a marching column of 60; its outcome code."""
    x = _one_fight(fighters=900, band_morale=1.0, column_cell=7, strength=60, machine_guns=0,
                   kind=kind, order=Order.MARCH, supply=supply, concealment=0.8)
    return int(x["outcome"][0])


def test_trace_ambushed_regulars_rout_only_when_cut_off_volunteers_whenever_broken() -> None:
    assert _trace(ColumnKind.CAVALRY, supply=0.0) == OUTCOME_STATE_ROUTED
    assert _trace(ColumnKind.CAVALRY, supply=6.0) == OUTCOME_STATE_WITHDREW
    assert _trace(ColumnKind.VOLUNTEER, supply=6.0) == OUTCOME_STATE_ROUTED


def test_mask_of_all_true_changes_nothing() -> None:
    from sim.benchmarks.combat import random_batch

    batch = random_batch(2_000, np.random.default_rng(3))
    a = resolve_engagements(batch, params=P, mode="stochastic", rng=np.random.default_rng(1),
                            engine="numpy")
    ones = dataclasses.replace(batch, state_may_rout=np.ones(2_000, bool))
    b = resolve_engagements(ones, params=P, mode="stochastic", rng=np.random.default_rng(1),
                            engine="numpy")
    np.testing.assert_array_equal(a.outcome, b.outcome)


# ---------------------------------------------------------------- the bands' rout rule


def test_band_rule_needs_open_ground_horsemen_and_no_ambush() -> None:
    def rule(conc: float, mounted: float, ambush: bool = False) -> bool:
        return bool(band_may_rout(band_concealment=np.array([conc]),
                                  mounted_share=np.array([mounted]),
                                  ambush=np.array([ambush]), params=P)[0])

    assert rule(0.1, 1.0)  # open ground, cavalry: may rout
    assert not rule(0.6, 1.0)  # ground that hides it: melts away
    assert not rule(0.1, 0.2)  # infantry and garrisons cannot ride it down
    assert not rule(0.1, 1.0, ambush=True)  # it chose the ground and the way out


def _band_broken(kind: int, conc: float) -> tuple[int, float]:
    """120 insurgents meet a column of 400 with 8 machine guns; outcome and band losses."""
    x = _one_fight(fighters=120, band_morale=0.2, column_cell=8, strength=400, machine_guns=8,
                   kind=kind, order=Order.PURSUE, supply=8.0, concealment=conc)
    lost = float(x["insurgents_killed"][0] + x["insurgents_wounded"][0]
                 + x["insurgents_captured"][0])
    return int(x["outcome"][0]), lost


def test_trace_a_beaten_band_routs_only_in_the_open_before_horsemen() -> None:
    cav_open, lost_routed = _band_broken(ColumnKind.CAVALRY, conc=0.1)
    inf_open, lost_withdrew = _band_broken(ColumnKind.INFANTRY, conc=0.1)
    cav_hills, _ = _band_broken(ColumnKind.CAVALRY, conc=0.3)  # just hidden enough
    assert cav_open == OUTCOME_INSURGENTS_ROUTED
    assert inf_open == OUTCOME_INSURGENTS_WITHDREW
    assert cav_hills == OUTCOME_INSURGENTS_WITHDREW
    # Breaking off in order costs fewer men than being ridden down.
    assert lost_withdrew < lost_routed


def test_engagement_events_record_the_rules_and_their_conditions() -> None:
    b = Bands.empty(1)
    b.cell[:] = 8
    b.fighters[:] = 900
    b.mode[:] = BandMode.HOLD
    b.morale[:] = 1.0
    b.active[:] = True
    b.leader[:] = -1
    c = Columns.empty(1)
    c.cell[:] = 7
    c.strength[:] = 60
    c.kind[:] = ColumnKind.CAVALRY
    c.order[:] = Order.MARCH
    c.supply[:] = 0.0
    c.morale[:] = 0.7
    c.active[:] = True
    *_, out = combat_day(b, c, Villages.empty(0), concealment=np.full(36, 0.8), ncols=6,
                         day_switches={}, params=P, rng=np.random.default_rng(0),
                         mode="deterministic")
    x = next(e for e in out if e.kind == "engagement").extra
    assert x["surprised"][0] == 1 and x["outnumbered"][0] == 1 and x["cut_off"][0] == 1
    assert x["state_may_rout"][0] == 1 and x["pursued"][0] == 1
    assert x["band_may_rout"][0] == 0  # lying in ambush in cover
