"""Moving supply: dated depots, forward bases that follow a column, pack trains on a route.

Scripted traces on a flat synthetic map with no bands near the state's units, so supply
is all that changes a column's days of rations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest

from sim.kernels.depots import TRAIN_ARRIVED, TRAIN_CAPTURED, pack_trains_day
from sim.model import BasmachiModel
from sim.params.supply import SupplyParams
from sim.scenario import ScenarioError, parse_scenario
from sim.state import Bands, Depots, PackTrains

START = dt.date(1926, 3, 1)


def _scenario(*, depots: list[dict[str, Any]], columns: list[dict[str, Any]],
              pack_trains: list[dict[str, Any]] | None = None, days: int = 40,
              bands: list[dict[str, Any]] | None = None) -> Any:
    data = {
        "name": "supply-trace",
        "start": START,
        "end": START + dt.timedelta(days=days - 1),
        "map": {"kind": "synthetic", "rows": 6, "cols": 90},
        # a lone band far in the corner, out of everyone's way
        "bands": bands if bands is not None else [
            {"name": "far", "fighters": 5, "cell": [5, 0], "food_days": 300}],
        "columns": columns,
        "depots": depots,
        "pack_trains": pack_trains or [],
    }
    return parse_scenario(data)


def _supply_by_day(s: Any, column: int = 0) -> tuple[list[float], list[int]]:
    m = BasmachiModel(s, seed=3)
    supply, cells = [], []
    while not m.finished:
        m.step()
        supply.append(float(m.state.columns.supply[column]))
        cells.append(int(m.state.columns.cell[column]))
    return supply, cells


MARCHER = {"name": "col", "kind": "infantry", "strength": 200, "cell": [2, 2],
           "order": "march", "target_cell": [2, 85]}


def test_a_column_beyond_its_fixed_depot_starves_but_not_with_a_forward_base() -> None:
    fixed = [{"name": "base", "cell": [2, 2]}]
    following = [{"name": "base", "cell": [2, 2], "follows": "col"}]
    alone, cells = _supply_by_day(_scenario(depots=fixed, columns=[MARCHER]))
    with_base, cells_b = _supply_by_day(_scenario(depots=following, columns=[MARCHER]))
    assert cells[-1] == cells_b[-1] == 2 * 90 + 85  # both got there
    assert alone[-1] < 1.0  # far beyond the fixed depot: out of supply
    assert with_base[-1] == pytest.approx(SupplyParams().column_supply_days)


def test_the_forward_base_moves_only_after_the_column_has_settled() -> None:
    s = _scenario(depots=[{"name": "base", "cell": [2, 2], "follows": "col"}],
                  columns=[MARCHER])
    m = BasmachiModel(s, seed=3)
    arrived = moved = None
    while not m.finished:
        m.step()
        if arrived is None and m.state.columns.cell[0] == 2 * 90 + 85:
            arrived = m.state.day - 1  # the day index it arrived on
        if moved is None and m.state.depots.cell[0] == 2 * 90 + 85:
            moved = m.state.day - 1
    assert arrived is not None and moved is not None
    assert moved - arrived == int(SupplyParams().forward_base_days)


def test_a_dated_depot_supplies_only_within_its_dates() -> None:
    holder = {"name": "col", "kind": "infantry", "strength": 200, "cell": [2, 40],
              "order": "hold", "supply_days": 3.0}
    opens, closes = START + dt.timedelta(days=10), START + dt.timedelta(days=19)
    s = _scenario(depots=[{"name": "dated", "cell": [2, 40], "opens": opens,
                           "closes": closes}], columns=[holder], days=30)
    supply, _ = _supply_by_day(s)
    full = SupplyParams().column_supply_days
    # day k of the list is the state after day k (0-based days since the start)
    assert supply[9] == 0.0  # three days' rations eaten before it opened, no depot anywhere
    assert all(x == full for x in supply[10:20])  # open: refilled every day
    assert supply[29] == pytest.approx(full - 10)  # closed: ten days eaten since


def test_a_pack_train_arrives_after_route_length_over_speed_and_stocks_its_depot() -> None:
    holder = {"name": "col", "kind": "infantry", "strength": 100, "cell": [2, 80],
              "order": "hold", "supply_days": 10.0}
    s = _scenario(
        depots=[{"name": "far", "cell": [2, 80], "stock": 0.0}],
        columns=[holder],
        pack_trains=[{"name": "train", "date": START + dt.timedelta(days=2), "cell": [2, 10],
                      "to": "far", "route": [], "rations": 3000.0, "escort": 20}],
        days=40,
    )
    m = BasmachiModel(s, seed=3)
    g = m.world.foot_graph
    east = g.hours[2 * 90 + 10: 2 * 90 + 80, 1]  # the edges along row 2, col 10 -> 80
    assert np.allclose(east, east[0])  # flat map: every edge costs the same
    per_day = max(1, int(SupplyParams().pack_train_hours // east[0]))
    expected = 2 + int(np.ceil(70 / per_day)) - 1  # leaves on day 2, walks that day
    arrived = None
    stock_before = stock_after = supply_before = supply_after = None
    while not m.finished:
        m.step()
        if arrived is None and m.state.trains.status[0] == TRAIN_ARRIVED:
            arrived = m.state.day - 1  # the day index it arrived on
            stock_after = float(m.state.depots.stock[0])
            supply_after = float(m.state.columns.supply[0])
        if arrived is None:
            stock_before = float(m.state.depots.stock[0])
            supply_before = float(m.state.columns.supply[0])
    assert arrived == expected
    assert stock_before == 0.0
    # the column had eaten what it carried; the rations arrived and it refilled that day
    # (today's ration and a full load: eleven days for 100 men)
    assert supply_before == 0.0
    assert supply_after == pytest.approx(SupplyParams().column_supply_days)
    assert stock_after == pytest.approx(3000.0 - 100 * (SupplyParams().column_supply_days + 1))


def test_a_limited_stock_is_shared_and_runs_out() -> None:
    holder = {"name": "col", "kind": "infantry", "strength": 100, "cell": [2, 40],
              "order": "hold", "supply_days": 1.0}
    s = _scenario(depots=[{"name": "small", "cell": [2, 40], "stock": 1500.0}],
                  columns=[holder], days=30)
    supply, _ = _supply_by_day(s)
    m_stock = 1500.0 / 100  # days of rations for 100 men
    # 1 day carried + 15 days in store = about 16 days fed, then empty
    assert supply[5] == pytest.approx(SupplyParams().column_supply_days)
    assert supply[-1] == 0.0
    assert sum(1 for x in supply if x > 0) == pytest.approx(m_stock + 1 - 1, abs=1)


def test_a_band_strong_enough_takes_a_pack_train() -> None:
    tr = PackTrains.empty(2, 0)
    tr.cell[:] = [5, 9]
    tr.depot[:] = 0
    tr.rations[:] = 1000.0
    tr.escort[:] = [50, 50]
    depots = Depots.empty(1)
    depots.cell[:] = 400
    b = Bands.empty(2)
    b.active[:] = True
    b.fighters[:] = [60, 30]  # strong enough / too weak for the escort of 50
    b.cell[:] = [5, 9]
    b.leader[:] = -1
    world = BasmachiModel(_scenario(depots=[{"name": "d", "cell": [2, 2]}],
                                    columns=[MARCHER], days=2), seed=0).world
    # zero hours a day: the trains leave but stay where the bands are
    p = SupplyParams(pack_train_hours=1e-9)
    new_t, _, new_b, ev = pack_trains_day(tr, depots, b, day=0, graph=world.foot_graph,
                                          field_to=world.field_to,
                                          params=p)
    assert list(new_t.status) == [TRAIN_CAPTURED, 1]
    assert new_b.food[0] == pytest.approx(1000.0) and new_b.food[1] == 0.0
    assert any(e.kind == "pack_train_captured" for e in ev)


@pytest.mark.parametrize(("entry", "field"), [
    ({"depots": [{"name": "d", "cell": [1, 1], "follows": "nobody"}]}, "depots[0].follows"),
    ({"depots": [{"name": "d", "cell": [1, 1], "opens": dt.date(1926, 3, 9),
                  "closes": dt.date(1926, 3, 5)}]}, "depots[0].closes"),
    ({"depots": [{"name": "d", "cell": [1, 1]}],
      "pack_trains": [{"name": "t", "date": dt.date(1926, 3, 2), "cell": [1, 1],
                       "to": "nowhere"}]}, "pack_trains[0].to"),
    ({"depots": [{"name": "d", "cell": [1, 1]}],
      "pack_trains": [{"name": "t", "date": dt.date(1927, 3, 2), "cell": [1, 1],
                       "to": "d"}]}, "pack_trains[0].date"),
    ({"depots": [{"name": "d", "cell": [1, 1], "stock": -5.0}]}, "depots[0].stock"),
])
def test_bad_supply_entries_name_field_value_and_what_is_allowed(entry: dict[str, Any],
                                                                 field: str) -> None:
    data: dict[str, Any] = {"name": "bad", "start": START, "end": START + dt.timedelta(days=9),
                            "map": {"kind": "synthetic"},
                            "columns": [{"name": "col", "cell": [2, 2]}], **entry}
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, origin="bad.toml")
    problems = [p for p in err.value.problems if p.path == field]
    assert problems, err.value.problems
    assert problems[0].file == "bad.toml" and problems[0].allowed


def test_scenarios_without_moving_supply_keep_the_static_depot_field() -> None:
    s = _scenario(depots=[{"name": "base", "cell": [2, 2]}], columns=[MARCHER], days=3)
    m = BasmachiModel(s, seed=1)
    assert not m.state.depots.moving and len(m.state.trains) == 0


def test_depot_supply_reuses_its_table_only_for_the_same_graph_and_depots() -> None:
    """A day with the same open depots on the same graph hands back the last table; another
    graph of the same shape, a moved or closed depot give what a fresh search gives."""
    from test_fast_paths import _graph

    from sim.kernels import depots as dep
    from sim.kernels.terrain import _search

    def fresh(d: Depots, day: int, graph: Any) -> tuple[np.ndarray, np.ndarray]:
        rows = np.flatnonzero(dep.open_depots(d, day))
        hours, _, src = _search(graph, np.unique(d.cell[rows]), np.inf)
        first = {int(c): int(r) for r, c in zip(rows[::-1], d.cell[rows][::-1], strict=True)}
        return hours, np.array([first.get(int(s), -1) for s in src], dtype=np.int64)

    g1, g2 = _graph(1), _graph(2)
    d = Depots.empty(3)
    d.cell[:] = [40, 7, 40]
    d.closes[1] = 5
    for day, graph, moved in [(0, g1, None), (1, g1, None), (2, g2, None), (3, g2, (0, 99)),
                              (9, g2, None), (10, g1, None)]:
        if moved is not None:
            d = dataclasses.replace(d, cell=d.cell.copy())
            d.cell[moved[0]] = moved[1]
        got = dep.depot_supply(d, day, graph)
        hours, nearest = fresh(d, day, graph)
        np.testing.assert_array_equal(got.hours, hours)
        np.testing.assert_array_equal(got.nearest, nearest)
    again = dep.depot_supply(d, 10, g1)
    assert again.nearest is got.nearest  # reused, not searched again
