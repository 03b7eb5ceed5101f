"""Control of towns: take and hold orders, reoccupation, routes of waypoints (traces)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from test_movement import band_table, column_table, context

from sim.geography import synthetic_theatre
from sim.kernels.control import INSURGENT, STATE, control_day, steer
from sim.kernels.movement import move_columns
from sim.model import BasmachiModel
from sim.params.movement import MovementParams
from sim.scenario import ScenarioError, load_scenario
from sim.state import Order

P = MovementParams()
N = 20
TOWN = 10 * N + 10


def _day(cols, bands, holder, ctx, routes=None):  # type: ignore[no-untyped-def]
    goal, routes = steer(cols, routes if routes is not None else np.full((len(cols), 0), -1))
    ctx = dataclasses.replace(ctx, column_goal=goal)
    cols = move_columns(cols, bands, ctx, P, rng=np.random.default_rng(0),
                        visible_bands=np.zeros(len(bands), bool))
    holder, _, evs = control_day(holder, np.array([TOWN]), bands, cols, n_cells=N * N)
    return cols, holder, evs, routes


def test_a_town_left_empty_is_reoccupied_by_the_column_ordered_to_hold_it() -> None:
    ctx = context(synthetic_theatre(N, N))
    cols = column_table([10 * N + 16], [100])  # its post is the town; it stands 6 cells away
    cols.target[:] = TOWN
    gone = band_table([0], [50])
    gone.active[:] = False  # the band that took the town has left
    holder = np.array([INSURGENT])
    kinds = []
    for _ in range(10):
        cols, holder, evs, _ = _day(cols, gone, holder, ctx)
        kinds += [e.kind for e in evs]
    assert cols.cell[0] == TOWN and holder[0] == STATE
    assert kinds == ["town_retaken"]


def test_take_marches_to_the_town_by_its_route_and_then_holds_it() -> None:
    ctx = context(synthetic_theatre(N, N))
    cols = column_table([2 * N + 2], [200], order=Order.TAKE)
    cols.target[:] = TOWN
    waypoint = 2 * N + 15
    routes = np.array([[waypoint]])
    holder = np.array([INSURGENT])
    band = band_table([TOWN], [30])
    band.active[:] = False
    passed = False
    for _ in range(30):
        cols, holder, _, routes = _day(cols, band, holder, ctx, routes)
        passed |= bool(cols.cell[0] == waypoint)
        if cols.cell[0] == TOWN:
            break
    assert passed  # it went by the waypoint, not straight across
    assert cols.cell[0] == TOWN and cols.order[0] == Order.HOLD and holder[0] == STATE
    assert (routes == -1).all()


def test_steer_passes_waypoints_in_order() -> None:
    cols = column_table([5, 7], [10, 10], order=Order.MARCH)
    cols.target[:] = [99, 98]
    routes = np.array([[5, 6], [-1, -1]])
    goal, left = steer(cols, routes)
    assert list(goal) == [6, 98] and list(left[0]) == [-1, 6]


def test_scenario_orders_take_a_cell_with_a_route(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    spec = tmp_path / "take.toml"
    spec.write_text(
        f'extends = "{root / "scenarios" / "tiny.toml"}"\nname = "take"\n\n'
        '[[timeline]]\nid = "take-it"\ndate = 1926-03-02\nkind = "orders"\n'
        'units = ["garrison"]\norder = "take"\ntarget_cell = [20, 18]\nsource = "test"\n'
    )
    sc = load_scenario(str(spec))
    m = BasmachiModel(sc, seed=0, agents=False)
    row = m.world.column_names.index("garrison")
    goal = 20 * m.world.ncols + 18
    start = m.state.columns.cell[row]
    assert start != goal
    while not m.finished and m.state.columns.cell[row] != goal:
        m.step()
    assert m.state.columns.target[row] == goal and m.state.columns.cell[row] == goal
    m.step()
    assert m.state.columns.order[row] == Order.HOLD  # taken: it holds the cell now
    bad = tmp_path / "bad.toml"
    bad.write_text(spec.read_text().replace('target_cell = [20, 18]\n', ''))
    with pytest.raises(ScenarioError, match="target"):
        load_scenario(str(bad))
