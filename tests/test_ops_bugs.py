"""Regression tests for three bugs: the food-for-cotton flag was never cleared, state
requisition never raised grievance, and arrests ignored the amnesty's credibility."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from population_world import make_bands, make_columns, make_villages, make_world

from sim.kernels.amnesty import aftermath
from sim.kernels.population import PopulationToday, population_day
from sim.model import BasmachiModel
from sim.params.population import PopulationParams
from sim.scenario import load_scenario
from sim.state import VillageMemory

P = PopulationParams()
ROOT = Path(__file__).resolve().parents[1]


def test_food_for_cotton_fields_go_back_to_grain_when_the_plan_ends(tmp_path: Path) -> None:
    spec = tmp_path / "cotton.toml"
    spec.write_text(
        f'extends = "{ROOT / "scenarios" / "garm_1929.toml"}"\n'
        'name = "cotton"\nend = 1929-04-08\n\n'
        '[[timeline]]\nid = "maksum-crosses"\nremove = true\n\n'
        '[[timeline]]\nid = "relief-column"\nremove = true\n\n'
        '[[timeline]]\nid = "plan"\ndate = 1929-04-02\nend = 1929-04-04\n'
        'kind = "policy"\npolicy = "food_for_cotton"\nsource = "test"\n'
    )
    m = BasmachiModel(load_scenario(str(spec)), seed=0, agents=False)
    seen = []
    while not m.finished:
        m.step()
        seen.append(int(m.state.villages.cotton.sum()))
    assert seen[0] == 0  # 1 April: no plan yet
    assert all(n > 0 for n in seen[1:4])  # 2-4 April: the irrigated farms grow cotton
    assert seen[-1] == 0  # after the plan: grain again (the flag used to stay set forever)


def test_state_requisition_raises_grievance() -> None:
    v = make_villages([11, 77], 800, support=0.5, grievance=0.3)  # far apart: no spill-over
    state, ctx = make_world(make_bands([99], 0), make_columns([40], 100), v)
    state.bands.active[:] = False
    taken = np.array([0.5, 0.0])
    a, _ = population_day(state, context=ctx, today=PopulationToday(), params=P,
                          rng=np.random.default_rng(0))
    b, _ = population_day(state, context=ctx, today=PopulationToday(state_taken=taken), params=P,
                          rng=np.random.default_rng(0))
    assert b.villages.grievance[0] > a.villages.grievance[0]
    assert b.villages.grievance[1] == a.villages.grievance[1]


def test_model_books_state_requisition_as_a_share_of_village_food() -> None:
    m = BasmachiModel(load_scenario("tiny"), seed=0, agents=False)
    captured: list[np.ndarray] = []
    real = population_day

    def spy(state, *, context, today, params, rng):  # type: ignore[no-untyped-def]
        if today.state_taken is not None:
            captured.append(today.state_taken.copy())
        return real(state, context=context, today=today, params=params, rng=rng)

    import sim.phases as model_module

    model_module.population_day = spy  # type: ignore[assignment]
    try:
        for _ in range(40):
            m.step()
    finally:
        model_module.population_day = real
    shares = np.concatenate(captured)
    assert ((shares >= 0) & (shares <= 1)).all()
    reqs = [b for _, b in m.recorder.batches if b.kind == "requisition" and b.side == "state"]
    assert (shares > 0).any() == bool(reqs)


def test_arrests_scale_with_one_minus_credibility() -> None:
    v = make_villages([0], 1000, support=0.1)
    mem = VillageMemory.empty(1)
    mem.surrendered[:] = 5000

    def arrests(credibility: float) -> int:
        _, _, _, n, _ = aftermath(make_bands([0], 10), mem, v, trust=1.0,
                                  band_in_reach=np.array([-1]), repression=False,
                                  params=dataclasses.replace(P, arrest_rate=0.05),
                                  rng=np.random.default_rng(0), credibility=credibility)
        return n

    none, half, full = arrests(0.0), arrests(0.5), arrests(1.0)
    assert full == 0 < half < none
    assert abs(half / none - 0.5) < 0.15  # binomial noise on ~200 arrests
