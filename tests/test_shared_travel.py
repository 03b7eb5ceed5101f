"""Scenarios that differ outside ``map`` and ``movement`` share the map, the travel graphs
and their searched fields (sim.travel, sim.batch.shared_travel), with the tables of fresh
builds; a change of either section never reuses them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.batch import shared_build, shared_travel
from sim.build import build_world
from sim.kernels import dispatch
from sim.kernels.terrain import distance_field
from sim.params.movement import MovementParams
from sim.scenario import Scenario, load_scenario
from sim.scenario.specs import MapSpec
from sim.scoring.runs import run_replicate
from sim.travel import build_travel, travel_key


def _short(name: str, days: int, values: dict[str, Any] | None = None) -> Scenario:
    s = load_scenario(name)
    s = dataclasses.replace(s, end=s.start + dt.timedelta(days=days - 1))
    return s.with_values(values, semantics=False) if values else s


def _assert_same_tables(a: Any, b: Any) -> None:
    for name in ("runs", "steps", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("compiled", [False, True])
def test_candidates_share_the_travel_graphs_with_the_tables_of_fresh_builds(compiled: bool) -> None:
    """Three calibration-like candidates (combat, villages and population parameters changed)
    run one after another on the shared graphs, whose fields the earlier ones searched:
    each candidate's tables equal those of its own fresh build."""
    candidates = [
        _short("raids_1929", 15, {"combat.ambush_bonus": 1.3}),
        _short("raids_1929", 15, {"villages.support": 0.8, "combat.ambush_bonus": 1.1}),
        _short("raids_1929", 15, {"population.neighbour_cells": 2}),
    ]
    with dispatch.compiled_paths(compiled):
        got = [run_replicate(s, seed=11 + k) for k, s in enumerate(candidates)]
        fresh = [run_replicate(s, seed=11 + k, shared=False) for k, s in enumerate(candidates)]
    worlds = [shared_build(s).world for s in candidates]
    assert len({s.digest() for s in candidates}) == 3
    assert worlds[0].band_graph is worlds[1].band_graph is worlds[2].band_graph
    assert worlds[0].move_cache is worlds[2].move_cache
    assert len(worlds[0].band_graph._kept) >= 3  # the border, towns, villages: searched once
    for g, f in zip(got, fresh, strict=True):
        _assert_same_tables(g, f)
    # the candidates do differ: sharing did not hide their parameters
    assert not got[0].steps.drop(columns="run_id").equals(got[1].steps.drop(columns="run_id"))


def test_a_change_of_movement_or_map_builds_new_graphs() -> None:
    """Other movement costs or another window of the map never reuse the graphs (or their
    fields) of the scenario run before them; their tables are those of fresh builds."""
    base = _short("raids_1929", 15)
    faster = _short("raids_1929", 15, {"movement.horse_kmh": base.movement.horse_kmh * 1.5})
    run_replicate(base, seed=5)
    assert shared_travel(faster) is not shared_travel(base)
    assert not np.array_equal(shared_travel(faster).band_graph.hours,
                              shared_travel(base).band_graph.hours)
    _assert_same_tables(run_replicate(faster, seed=5), run_replicate(faster, seed=5, shared=False))
    assert not run_replicate(faster, seed=5).steps.equals(run_replicate(base, seed=5).steps)

    tiny = _short("tiny", 5)
    wider = dataclasses.replace(tiny, map=dataclasses.replace(tiny.map, cols=tiny.map.cols + 3))
    assert shared_travel(wider).theatre.shape != shared_travel(tiny).theatre.shape
    assert shared_build(wider).world.band_graph.shape == shared_travel(wider).theatre.shape


def _other(value: Any) -> Any:
    """A different allowed-looking value of a parameter's type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.125
    if isinstance(value, str):
        return "synthetic" if value == "theatre" else "theatre"
    if isinstance(value, tuple):
        return (38.0, 39.0, 68.0, 70.0)
    raise AssertionError(f"no other value for {value!r}")


@pytest.mark.parametrize("section", [MapSpec, MovementParams])
def test_the_key_changes_with_every_field_of_map_and_movement(section: type) -> None:
    m, p = MapSpec(), MovementParams()
    base = travel_key(m, p)
    for f in dataclasses.fields(section):
        if section is MapSpec:
            changed = travel_key(dataclasses.replace(m, **{f.name: _other(getattr(m, f.name))}), p)
        else:
            changed = travel_key(m, dataclasses.replace(p, **{f.name: _other(getattr(p, f.name))}))
        assert changed != base, f"{section.__name__}.{f.name} is not in the travel key"
    # equal floats of another sign of zero are different inputs
    assert travel_key(m, dataclasses.replace(p, ruggedness_penalty=-0.0)) != travel_key(
        m, dataclasses.replace(p, ruggedness_penalty=0.0))


def test_the_key_ignores_everything_else() -> None:
    s = _short("raids_1929", 15)
    other = _short("raids_1929", 40, {"combat.ambush_bonus": 1.7, "villages.support": 0.9,
                                      "supply.ration": 1.1})
    assert other.digest() != s.digest()
    assert travel_key(other.map, other.movement) == travel_key(s.map, s.movement)
    assert shared_travel(other) is shared_travel(s)


def test_build_world_refuses_graphs_of_other_movement_costs() -> None:
    s = _short("tiny", 5)
    faster = s.with_values({"movement.foot_kmh": s.movement.foot_kmh + 1.0}, semantics=False)
    with pytest.raises(ValueError, match="movement parameters"):
        build_world(faster, travel=build_travel(s.map, s.movement))
    w = build_world(s, travel=build_travel(s.map, s.movement))
    np.testing.assert_array_equal(w.depot_hours, build_world(s).depot_hours)


def test_trim_forgets_memos_beyond_the_limits() -> None:
    s = _short("tiny", 5)
    t = build_travel(s.map, s.movement)
    for cell in range(5):
        distance_field(t.band_graph, np.array([cell, cell + 7], dtype=np.int64), keep=True)
        t.fields[(id(t.band_graph), cell)] = np.zeros(1, dtype=np.int64)
    t.trim(kept=5, fields=5)
    assert len(t.band_graph._kept) == 5 and len(t.fields) == 5
    t.trim(kept=4, fields=4)
    assert len(t.band_graph._kept) == 0 and len(t.fields) == 0
    # a field searched again after the trim is the same field
    again = distance_field(t.band_graph, np.array([0, 7], dtype=np.int64), keep=True)
    fresh = distance_field(build_travel(s.map, s.movement).band_graph,
                           np.array([0, 7], dtype=np.int64), keep=True)
    for a, b in zip(again, fresh, strict=True):
        np.testing.assert_array_equal(a, b)
