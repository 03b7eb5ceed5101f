"""The Mesa model: determinism, agents as array views, DataCollector, rebuilding a run."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.agents import BandAgent, ColumnAgent, VillageAgent
from sim.model import BasmachiModel
from sim.runner import run
from sim.scenario import load_scenario
from sim.seeds import from_record

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(SCENARIOS / "tiny.toml")


def test_same_seed_same_tables_other_seed_differs(tiny) -> None:
    a, b, c = run(tiny, seed=11), run(tiny, seed=11), run(tiny, seed=12)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not (a.steps.equals(c.steps) and a.events.equals(c.events))


def test_run_rebuilds_from_stored_seed(tiny) -> None:
    ss = np.random.SeedSequence(2024).spawn(3)[2]
    first = run(tiny, seed=ss)
    row = first.runs.iloc[0]
    again = run(tiny, seed=from_record(row["seed_entropy"], row["spawn_key"]))
    pd.testing.assert_frame_equal(first.steps, again.steps)
    pd.testing.assert_frame_equal(first.events, again.events)


def test_tables_shape(tiny) -> None:
    r = run(tiny, seed=3)
    assert len(r.runs) == 1
    assert r.runs.loc[0, "scenario_hash"] == tiny.digest()
    assert list(r.steps["day"]) == list(range(tiny.days))
    assert r.parameters["name"] == "tiny"
    assert {"day", "kind", "side", "unit", "name", "cell", "row", "col", "n"} <= set(
        r.events.columns
    )
    assert (r.events["day"] >= 0).all() and (r.events["day"] < tiny.days).all()


def test_agents_are_views_of_array_rows(tiny) -> None:
    model = BasmachiModel(tiny, seed=1)
    bands = model.agents_by_type[BandAgent]
    assert len(model.mesa.bands) == len(model.state.bands)  # every row, present or not
    here_b, here_c = model.mesa.present()
    assert len(bands) == here_b.sum()  # model.agents: the units present
    assert len(model.agents_by_type[VillageAgent]) == len(model.state.villages)
    assert len(model.agents) == here_b.sum() + here_c.sum() + len(model.state.villages)
    band = next(iter(bands))
    assert band.fighters == model.state.bands.fighters[band.row]
    band.fighters = 999
    assert model.state.bands.fighters[band.row] == 999
    model.step()  # kernels replace arrays: the view must follow
    assert band.fighters == model.state.bands.fighters[band.row]
    assert band.pos == divmod(int(model.state.bands.cell[band.row]), model.world.ncols)
    assert band.leader == "Kurbashi A"


def test_two_models_in_one_process_do_not_share_state(tiny) -> None:
    m1, m2 = BasmachiModel(tiny, seed=1), BasmachiModel(tiny, seed=1)
    a1 = next(iter(m1.agents_by_type[ColumnAgent]))
    a2 = next(iter(m2.agents_by_type[ColumnAgent]))
    a1.strength = 1
    assert a2.strength != 1


def test_datacollector_reads_agent_views(tiny) -> None:
    model = BasmachiModel(tiny, seed=1)
    dc = mesa.DataCollector(
        model_reporters={
            "fighters": lambda m: int(m.state.bands.fighters[m.state.bands.active].sum())
        },
        agent_reporters={"morale": lambda a: getattr(a, "morale", None)},
    )
    for _ in range(3):
        model.step()
        dc.collect(model)
    frame = dc.get_model_vars_dataframe()
    assert len(frame) == 3
    agents = dc.get_agent_vars_dataframe()
    assert agents["morale"].dropna().between(0, 1).all()


def test_model_stops_at_the_end(tiny) -> None:
    model = BasmachiModel(tiny, seed=1, agents=False)
    model.run()
    assert model.finished and not model.running
    assert len(model.recorder.rows) == tiny.days
    model.step()  # stepping past the end changes nothing
    assert len(model.recorder.rows) == tiny.days


def test_timeline_actions_happen_on_their_day(tiny) -> None:
    r = run(tiny, seed=5)
    ev = r.events
    shock = ev[ev["kind"] == "supply_shock"]
    assert list(shock["day"]) == [(tiny.timeline[0].date - tiny.start).days]
    assert shock["n"].iloc[0] > 0  # the herd existed and was taken
    arrival = ev[(ev["kind"] == "arrival") & (ev["side"] == "state")]
    assert list(arrival["name"]) == ["relief"]
    steps = r.steps.set_index("day")
    day = (tiny.timeline[1].date - tiny.start).days
    assert steps.loc[day, "columns_active"] == steps.loc[day - 1, "columns_active"] + 1


def _arrays(obj: object, prefix: str = "") -> dict[str, np.ndarray]:
    """Every array of a (nested) dataclass, by dotted field name."""
    out: dict[str, np.ndarray] = {}
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        if isinstance(v, np.ndarray):
            out[prefix + f.name] = v
        elif dataclasses.is_dataclass(v):
            out.update(_arrays(v, prefix + f.name + "."))
    return out


def test_a_day_replaces_the_state_and_mutates_none_of_it(tiny) -> None:
    """Every phase is pure: yesterday's state object keeps its arrays after a step."""
    model = BasmachiModel(tiny, seed=2, agents=False)
    for _ in range(5):
        before = model.state
        snapshot = copy.deepcopy(_arrays(before))
        model.step()
        assert model.state is not before
        for name, arr in _arrays(before).items():
            np.testing.assert_array_equal(arr, snapshot[name], err_msg=name)


def test_phases_read_nothing_back_from_the_recorder(tiny) -> None:
    """The day's events reach the phases directly: emptying the recorder changes nothing."""
    normal = BasmachiModel(tiny, seed=4, agents=False)
    normal.run()
    emptied = BasmachiModel(tiny, seed=4, agents=False)
    while not emptied.finished:
        emptied.step()
        emptied.recorder.batches.clear()
    assert len(emptied.recorder.rows) == len(normal.recorder.rows)
    np.testing.assert_array_equal(
        np.array(emptied.recorder.rows), np.array(normal.recorder.rows)
    )
