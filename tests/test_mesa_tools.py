"""Mesa's own tools work on the model: agents present, a grid, a DataCollector, batch_run."""

from __future__ import annotations

import re
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.agents import REPORTERS, BandAgent, ColumnAgent, VillageAgent
from sim.model import BasmachiModel
from sim.runner import result_of, run
from sim.scenario import load_scenario

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def stepped():  # type: ignore[no-untyped-def]
    """tiny stepped to its end, with the agents present recorded every day."""
    model = BasmachiModel("tiny", seed=5)
    present = []
    while not model.finished:
        model.step()
        bands = list(model.agents_by_type.get(BandAgent, []))
        columns = list(model.agents_by_type.get(ColumnAgent, []))
        present.append((sum(b.fighters for b in bands), sum(c.strength for c in columns),
                        {b.name for b in bands}))
    return model, present, result_of(model)


def test_model_agents_hold_the_units_present_each_day(stepped) -> None:
    model, present, result = stepped
    steps = result.steps
    assert [p[0] for p in present] == steps["insurgent_fighters"].tolist()
    assert [p[1] for p in present] == steps["state_strength"].tolist()
    assert [len(p[2]) for p in present] == steps["bands_active"].astype(int).tolist()


def test_units_not_yet_arrived_are_reachable_but_not_in_model_agents() -> None:
    scenario = load_scenario("tiny")
    model = BasmachiModel(scenario, seed=5)
    absent = [a for a in model.mesa.bands + model.mesa.columns if not a.active]
    assert absent, "tiny has reinforcements arriving later"
    assert not set(absent) & set(model.agents)
    assert len(model.mesa.bands) == len(model.world.band_names)
    assert len(model.agents_by_type[VillageAgent]) == len(model.state.villages)


def test_grid_cells_hold_the_present_agents_at_their_positions(stepped) -> None:
    model, _, _ = stepped
    rows = model.world.afghan.size // model.world.ncols
    assert model.grid.dimensions == (rows, model.world.ncols)
    for agent in model.mesa.bands + model.mesa.columns:
        in_cells = [cell for cell in model.grid.all_cells if agent in cell.agents]
        if agent in model.agents:
            assert [c.coordinate for c in in_cells] == [agent.pos]
        else:
            assert in_cells == []


def test_datacollector_rows_are_the_steps_table(stepped) -> None:
    model, _, result = stepped
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(REPORTERS)
    pd.testing.assert_frame_equal(
        df.reset_index(drop=True), result.steps[list(REPORTERS)].reset_index(drop=True),
        check_dtype=False,
    )


def test_plain_parameters_and_a_name_build_the_same_model_as_a_scenario() -> None:
    values = {"supply.requisition_share": 0.3}
    a = BasmachiModel("tiny", seed=2, agents=False, **values)
    assert a.scenario == load_scenario("tiny").with_values(values)


def test_batch_run_varies_the_seed_and_matches_run() -> None:
    results = mesa.batch_run(
        BasmachiModel,
        parameters={"scenario": "tiny", "agents": False, "seed": range(2),
                    "supply.requisition_share": [0.1, 0.3]},
        max_steps=100,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    # Mesa reports the last collected row: day 59, the 60th and final day of tiny
    assert len(df) == 4 and df["Step"].eq(59).all()
    for _, row in df.iterrows():
        scenario = load_scenario("tiny").with_values({"supply.requisition_share": row["supply.requisition_share"]})
        final = run(scenario, seed=int(row["seed"])).steps.iloc[-1]
        assert row["insurgent_fighters"] == final["insurgent_fighters"]


def test_readme_batch_run_example_runs() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- batch_run -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README has a batch_run example between <!-- batch_run --> and its code fence"
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README batch_run example", "exec"), namespace)
    table = namespace["table"]
    assert isinstance(table, pd.DataFrame) and len(table) > 0
    assert table["seed"].nunique() > 1
    assert np.isfinite(table["insurgent_fighters"]).all()


def _grid_places(model: BasmachiModel) -> dict[object, list[tuple[int, int]]]:
    """Every unit agent on the grid with the cells holding it."""
    places: dict[object, list[tuple[int, int]]] = {}
    for cell in model.grid.all_cells:
        for agent in cell.agents:
            if not isinstance(agent, VillageAgent):
                places.setdefault(agent, []).append(cell.coordinate)
    return places


def test_registries_follow_the_arrays_every_day_and_after_a_move_by_hand() -> None:
    """Each day (only the units that moved or came and went are touched), every present
    unit is registered and in exactly its own cell, and no absent one is anywhere; a unit
    moved through Mesa's ``pos`` is on its new cell after the next sync."""
    model = BasmachiModel("tiny", seed=5)
    units = model.mesa.bands + model.mesa.columns
    moved_by_hand = False
    while not model.finished:
        model.step()
        places = _grid_places(model)
        for agent in units:
            if agent in model.agents:
                assert places.get(agent) == [agent.pos], agent
            else:
                assert agent not in places, agent
        here = [a for a in model.mesa.columns if a in model.agents]
        if here and not moved_by_hand:
            r, c = here[0].pos
            target = (r, c + 1 if c + 1 < model.world.ncols else c - 1)
            here[0].pos = target
            model.mesa.sync()
            assert _grid_places(model)[here[0]] == [target]
            moved_by_hand = True
    assert moved_by_hand
