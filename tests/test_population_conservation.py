"""Invariants of the population phase: people conserved, shares in [0, 1], no negative counts."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from population_world import make_bands, make_columns, make_leaders, make_villages, make_world

from sim.kernels.population import PopulationToday, people_total, population_day
from sim.kernels.repression import RepressionPolicies
from sim.kernels.villages import VillagePolicies
from sim.params.population import PopulationParams

SHAPE = (6, 6)
N_CELLS = SHAPE[0] * SHAPE[1]
unit = st.floats(0.0, 1.0)


@st.composite
def worlds(draw):
    nv = draw(st.integers(0, 12))
    vcells = np.array(draw(st.lists(st.integers(0, N_CELLS - 4), min_size=nv, max_size=nv,
                                    unique=True)), dtype=np.int64)
    v = make_villages(vcells, 0)
    v.population[:] = draw(st.lists(st.integers(0, 3000), min_size=nv, max_size=nv)) or []
    v.food[:] = v.population * draw(st.floats(0.0, 300.0))
    for name in ("support", "grievance", "fear"):
        getattr(v, name)[:] = draw(st.lists(unit, min_size=nv, max_size=nv)) or []
    nb = draw(st.integers(0, 6))
    nl = draw(st.integers(0, 3))
    b = make_bands(draw(st.lists(st.integers(0, N_CELLS - 1), min_size=nb, max_size=nb)) or
                   np.zeros(0, np.int64), 0)
    b.fighters[:] = draw(st.lists(st.integers(0, 500), min_size=nb, max_size=nb)) or []
    b.morale[:] = draw(st.lists(unit, min_size=nb, max_size=nb)) or []
    b.hunger[:] = draw(st.lists(unit, min_size=nb, max_size=nb)) or []
    b.recent_losses[:] = draw(st.lists(st.floats(0, 300), min_size=nb, max_size=nb)) or []
    b.recent_success[:] = draw(st.lists(st.floats(0, 3), min_size=nb, max_size=nb)) or []
    b.leader[:] = draw(st.lists(st.integers(-1, nl - 1), min_size=nb, max_size=nb)) or []
    b.active[:] = draw(st.lists(st.booleans(), min_size=nb, max_size=nb)) or []
    nc = draw(st.integers(0, 4))
    c = make_columns(draw(st.lists(st.integers(0, N_CELLS - 1), min_size=nc, max_size=nc)) or
                     np.zeros(0, np.int64), 0)
    c.strength[:] = draw(st.lists(st.integers(0, 500), min_size=nc, max_size=nc)) or []
    c.kind[:] = draw(st.lists(st.integers(0, 4), min_size=nc, max_size=nc)) or []
    c.order[:] = draw(st.lists(st.integers(0, 3), min_size=nc, max_size=nc)) or []
    c.morale[:] = draw(st.lists(unit, min_size=nc, max_size=nc)) or []
    lead = make_leaders(nl)
    lead.authority[:] = draw(st.lists(unit, min_size=nl, max_size=nl)) or []
    lead.caution[:] = draw(st.lists(unit, min_size=nl, max_size=nl)) or []
    lead.status[:] = draw(st.lists(st.integers(0, 5), min_size=nl, max_size=nl)) or []
    rivals = np.array(draw(st.lists(st.booleans(), min_size=nl * nl, max_size=nl * nl)),
                      dtype=bool).reshape(nl, nl)
    # Crank the rates up so that every rule fires in a few days.
    p = dataclasses.replace(
        PopulationParams(), band_defect_rate=draw(unit), clan_defect_rate=draw(unit),
        levy_rate=draw(st.floats(0, 0.2)), state_desert_rate=draw(st.floats(0, 0.5)),
        rival_clash_rate=draw(unit), betrayal_rate=draw(unit), exit_rate=draw(unit),
        destitution_rate=draw(unit), arrest_rate=draw(st.floats(0, 0.5)),
        relapse_rate=draw(unit), execution_rate=draw(st.floats(0, 0.01)),
        trial_rate=draw(st.floats(0, 0.01)), flight_rate=draw(st.floats(0, 0.2)),
        recruit_rate=draw(unit), disperse_rate=draw(unit), fragment_rate=draw(st.floats(0, 0.5)),
        refugee_recruit_rate=draw(st.floats(0, 0.5)), internment_rate=draw(st.floats(0, 0.5)),
    )
    state, ctx = make_world(b, c, v, shape=SHAPE, leaders=lead, afghan_cols=draw(st.integers(0, 2)),
                            rivals=rivals, params=p)
    today = PopulationToday(
        amnesty=draw(unit),
        village=VillagePolicies(draw(st.floats(0, 10)), draw(st.floats(0, 10)), draw(st.floats(0, 10))),
        repression=RepressionPolicies(draw(st.floats(0, 10)), draw(st.floats(0, 10)),
                                      draw(st.floats(0, 10)), draw(st.floats(0, 10))),
        sanctuary=draw(st.sampled_from(["open", "tolerated", "closed", "hostile"])),
        scouts=draw(st.booleans()),
        losing=draw(unit),
        killed=np.array(draw(st.lists(st.floats(0, 50), min_size=nb, max_size=nb)) or np.zeros(0)),
    )
    return state, ctx, today, p, draw(st.integers(0, 2**32 - 1))


def _check(state) -> None:
    for table in (state.bands, state.columns, state.villages, state.memory, state.leaders):
        for f in dataclasses.fields(table):
            arr = getattr(table, f.name)
            if arr.dtype.kind in "if" and f.name not in ("cell", "home", "target", "leader", "side"):
                assert (arr >= 0).all(), f.name
    v = state.villages
    for name in ("support", "grievance", "fear"):
        a = getattr(v, name)
        assert ((a >= 0) & (a <= 1)).all(), name
    assert (state.memory.destitute <= state.memory.surrendered).all()
    assert 0.0 <= state.amnesty_trust <= 1.0
    assert all(getattr(state.ledger, k) >= 0 for k in state.ledger.STOCKS)
    assert ((state.band_concealment > 0) & (state.band_concealment < 2)).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_people_conserved_and_shares_bounded(world):
    state, ctx, today, p, seed = world
    rng = np.random.default_rng(seed)
    start = state.people_initial
    for _ in range(4):
        state, evs = population_day(state, context=ctx, today=today, params=p, rng=rng)
        assert people_total(state) == start + state.ledger.entered
        _check(state)
        for e in evs:
            assert np.isfinite(e.n).all()


def test_kernels_are_pure_numpy():
    forbidden = {"mesa", "pandas", "matplotlib", "random"}
    root = Path(__file__).resolve().parents[1] / "sim" / "kernels"
    for name in ("villages", "recruitment", "amnesty", "defection", "repression", "leaders",
                 "population"):
        tree = ast.parse((root / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                mods = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not mods & forbidden, (name, mods)
