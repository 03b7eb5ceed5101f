"""Compiled searches against scipy's Dijkstra (the reference path): the same distances,
next steps and nearest sources, ties included, and the same on every node a search
stopped early has scanned."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.kernels import dispatch
from sim.kernels.movement.paths import greedy_field, with_matrix
from sim.kernels.movement.paths import walk as movement_walk
from sim.kernels.movement_compiled import walk as compiled_walk
from sim.kernels.search_compiled import distances_near, flee_walk, search
from sim.kernels.terrain import Graph, distance_field, distance_near, field_toward, walk_reach


def grid_graph(rows: int, cols: int, seed: int, *, ties: bool) -> Graph:
    """Random edge costs; with ``ties`` few distinct small integers (many equal paths)."""
    rng = np.random.default_rng(seed)
    n = rows * cols
    hours = (rng.integers(1, 4, (n, 4)).astype(np.float64) if ties
             else rng.uniform(0.5, 3.0, (n, 4)))
    hours[rng.random((n, 4)) < 0.1] = np.inf  # rivers without fords
    g = Graph(shape=(rows, cols), hours=hours, matrix=csr_matrix((1, 1)))
    return with_matrix(g)


def scipy_field(g: Graph, sources: np.ndarray, limit: float):
    dist, pred, near = dijkstra(g.matrix, directed=True, indices=sources, min_only=True,
                                return_predecessors=True, limit=limit)
    return dist, np.where(pred < 0, -1, pred), np.where(near < 0, -1, near)


graphs = st.fixed_dictionaries({
    "rows": st.integers(1, 14),
    "cols": st.integers(1, 14),
    "seed": st.integers(0, 2**20),
    "ties": st.booleans(),
    "limit": st.sampled_from([np.inf, 2.0, 5.0, 9.5]),
})


@settings(max_examples=150, deadline=None)
@given(g=graphs, data=st.data())
def test_search_is_scipys_dijkstra_and_a_stopped_one_a_prefix_of_it(g: dict, data) -> None:
    graph = grid_graph(g["rows"], g["cols"], g["seed"], ties=g["ties"])
    n = g["rows"] * g["cols"]
    sources = np.unique(np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1,
                                                      max_size=4)), dtype=np.int64))
    m = graph.matrix
    want_d, want_p, want_s = scipy_field(graph, sources, g["limit"])
    d, p, s, complete = search(m.indptr, m.indices, m.data, sources, limit=g["limit"])
    assert complete
    assert np.array_equal(d, want_d) and np.array_equal(p, want_p) and np.array_equal(s, want_s)
    # Stopped once some nodes are scanned: those (and every node scanned before them)
    # carry the full search's answers; the rest are unknown, not wrong.
    asked = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)))
    d, p, s, complete = search(m.indptr, m.indices, m.data, sources, limit=g["limit"],
                               want=asked)
    scanned = np.isfinite(d)
    assert np.isfinite(d[asked]).all() or complete
    if complete:
        assert np.array_equal(d, want_d)
    assert np.array_equal(d[scanned], want_d[scanned])
    assert np.array_equal(p[scanned], want_p[scanned])
    assert np.array_equal(s[scanned], want_s[scanned])
    assert (p[~scanned] == -1).all() and (s[~scanned] == -1).all()
    # A walk from an asked node along next steps stays on scanned nodes.
    for a in asked[np.isfinite(d[asked])]:
        cell = int(a)
        while p[cell] >= 0:
            cell = int(p[cell])
            assert scanned[cell]


@settings(max_examples=150, deadline=None)
@given(g=graphs, data=st.data())
def test_distances_near_are_exact_in_the_boxes(g: dict, data) -> None:
    rows, cols = g["rows"], g["cols"]
    graph = grid_graph(rows, cols, g["seed"], ties=g["ties"])
    n = rows * cols
    sources = np.unique(np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1,
                                                      max_size=4)), dtype=np.int64))
    centres = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
    radius = data.draw(st.integers(0, 3))
    boxes = np.array([[max(c // cols - radius, 0), min(c // cols + radius, rows - 1),
                       max(c % cols - radius, 0), min(c % cols + radius, cols - 1)]
                      for c in centres], dtype=np.int64)
    m = graph.matrix
    cheapest = float(graph.hours[np.isfinite(graph.hours)].min(initial=np.inf))
    want = scipy_field(graph, sources, g["limit"])[0]
    got = distances_near(m.indptr, m.indices, m.data, sources, limit=g["limit"], boxes=boxes,
                         ncols=cols, cheapest=cheapest if np.isfinite(cheapest) else 0.0)
    inside = np.zeros((rows, cols), dtype=bool)
    for r0, r1, c0, c1 in boxes:
        inside[r0:r1 + 1, c0:c1 + 1] = True
    inside = inside.reshape(-1)
    assert np.array_equal(got[inside], want[inside])
    assert (got >= want).all()


@settings(max_examples=150, deadline=None)
@given(g=graphs, data=st.data())
def test_compiled_walk_ends_where_the_numpy_walk_ends(g: dict, data) -> None:
    rows, cols = g["rows"], g["cols"]
    graph = grid_graph(rows, cols, g["seed"], ties=g["ties"])
    n = rows * cols
    rng = np.random.default_rng(g["seed"])
    if data.draw(st.booleans()):  # a shortest-path tree toward a few goals
        goals = np.unique(rng.integers(0, n, 1 + g["seed"] % 3))
        field = scipy_field(graph, goals, g["limit"])[1]
    else:  # any field, with cycles and dead ends (the walk's safety bound acts)
        nbr = graph.neighbours()
        field = nbr[np.arange(n), rng.integers(0, 4, n)]
        field[rng.random(n) < 0.1] = -1
    units = int(data.draw(st.integers(0, 12)))
    cell = rng.integers(0, n, units).astype(np.int64)
    budget = rng.choice([0.0, 0.5, 1.0, 2.0, 3.5, 8.0, 40.0], units)
    max_edges = data.draw(st.sampled_from([None, 0, 1, 3]))
    with dispatch.numpy_reference():
        want = movement_walk(cell, field, graph.hours, budget, max_edges=max_edges)
    got = compiled_walk(cell, field, graph.hours, budget,
                        max_edges=graph.hours.shape[0] if max_edges is None else max_edges)
    assert np.array_equal(got, want)
    with dispatch.compiled_paths(True):
        assert np.array_equal(movement_walk(cell, field, graph.hours, budget,
                                            max_edges=max_edges), want)


@settings(max_examples=100, deadline=None)
@given(g=graphs, data=st.data())
def test_field_toward_walks_like_the_whole_field(g: dict, data) -> None:
    rows, cols = g["rows"], g["cols"]
    n = rows * cols
    graph = grid_graph(rows, cols, g["seed"], ties=g["ties"])
    goals = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)),
                       dtype=np.int64)
    whole_h, whole_n, _ = distance_field(graph, goals, limit=g["limit"])
    for _day in range(3):  # units ask day after day: kept partial fields, or new searches
        cells = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)),
                           dtype=np.int64)
        with dispatch.compiled_paths(True):
            hours, nxt = field_toward(graph, goals, cells=cells, limit=g["limit"])
        assert np.array_equal(hours[cells], whole_h[cells])
        for start in cells.tolist():  # every cell a walk from the asked ones passes
            c = start
            while nxt[c] >= 0:
                assert nxt[c] == whole_n[c] and hours[c] == whole_h[c]
                c = int(nxt[c])
            assert whole_n[c] == -1
        budget = np.full(cells.size, 6.0)
        with dispatch.compiled_paths(True):
            assert np.array_equal(movement_walk(cells, nxt, graph.hours, budget),
                                  movement_walk(cells, whole_n, graph.hours, budget))
    with dispatch.numpy_reference():
        hours, nxt = field_toward(graph, goals, cells=goals, limit=g["limit"])
    assert np.array_equal(hours, whole_h) and np.array_equal(nxt, whole_n)


@settings(max_examples=150, deadline=None)
@given(g=graphs, data=st.data())
def test_compiled_flee_walk_ends_where_the_reference_flight_ends(g: dict, data) -> None:
    n = g["rows"] * g["cols"]
    cells = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5)),
                       dtype=np.int64)
    _flee_walk_against_the_reference(g, data, cells)


@settings(max_examples=100, deadline=None)
@given(g=graphs, data=st.data())
def test_bands_fleeing_from_the_same_cells_end_where_the_reference_flight_ends(
    g: dict, data
) -> None:
    """Bands standing together share the box their steps read, dropped from the search's
    bound once they have all walked: the same flights, whatever the order of the bands."""
    n = g["rows"] * g["cols"]
    starts = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)),
                        dtype=np.int64)
    pick = data.draw(st.lists(st.integers(0, starts.size - 1), min_size=2, max_size=7))
    _flee_walk_against_the_reference(g, data, starts[np.asarray(pick)])


def _flee_walk_against_the_reference(g: dict, data, cells: np.ndarray) -> None:
    rows, cols = g["rows"], g["cols"]
    n = rows * cols
    graph = grid_graph(rows, cols, g["seed"], ties=g["ties"])
    enemies = np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=4)), dtype=np.int64)
    budget = np.asarray(data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.5, 8.0, 30.0]),
                                           min_size=cells.size, max_size=cells.size)))
    horizon = g["limit"] if np.isfinite(g["limit"]) else 12.0
    # The reference: hours exact around the bands, the greedy climb, the walk.
    with dispatch.numpy_reference():
        reach = walk_reach(graph, float(budget.max(initial=0.0))) + 1
        d = distance_near(graph, enemies, limit=horizon, cells=cells, radius=reach)
        d = np.where(np.isfinite(d), d, horizon)
        field = greedy_field(d, graph, maximise=True, near=(cells, reach - 1))
        want = movement_walk(cells, field, graph.hours, budget)
    m = graph.matrix
    got = flee_walk(m.indptr, m.indices, m.data, enemies, horizon=horizon,
                    nbr=graph.neighbours(), hours=graph.hours, cells=cells, budget=budget,
                    max_edges=n)
    assert np.array_equal(got, want)


@settings(max_examples=150, deadline=None)
@given(g=graphs, data=st.data())
def test_a_search_not_passing_through_blocked_nodes_is_scipys_on_the_blocked_graph(
    g: dict, data
) -> None:
    """Blocking nodes (reached, not passed through) is scipy's search on the graph whose
    edges into them cost ``inf`` (rebuilt with ``with_matrix``), ties included."""
    rows, cols = g["rows"], g["cols"]
    n = rows * cols
    graph = grid_graph(rows, cols, g["seed"], ties=g["ties"])
    rng = np.random.default_rng(g["seed"] + 7)
    blocked = rng.random(n) < data.draw(st.sampled_from([0.0, 0.1, 0.3, 0.6]))
    sources = np.unique(np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=4)),
                                   dtype=np.int64))
    nbr = graph.neighbours()
    into = np.where(nbr >= 0, blocked[np.maximum(nbr, 0)], False)
    cut = with_matrix(dataclasses.replace(graph, hours=np.where(into, np.inf, graph.hours)))
    want = scipy_field(cut, sources, g["limit"]) if sources.size else (
        np.full(n, np.inf), np.full(n, -1), np.full(n, -1))
    m = graph.matrix
    d, p, s, complete = search(m.indptr, m.indices, m.data, sources, limit=g["limit"],
                               blocked=blocked)
    assert complete
    assert np.array_equal(d, want[0]) and np.array_equal(p, want[1])
    assert np.array_equal(s, want[2])


def test_a_band_fleeing_far_from_those_that_fled_first_keeps_its_box_in_the_bound() -> None:
    """A strip with the enemy at its west end and bands at both ends: after the near band
    has walked, the search runs on toward the far band's box, its bound now set by that box
    alone (a wrong box there would prune the way to it and leave the far band standing)."""
    cols = 30
    graph = with_matrix(Graph(shape=(1, cols), hours=np.ones((cols, 4)),
                              matrix=csr_matrix((1, 1))))
    enemy = np.array([0], dtype=np.int64)
    horizon = 30.0
    for cells in (np.array([2, 25, 2]), np.array([25, 2]), np.array([2, 25])):
        budget = np.full(cells.size, 3.0)
        with dispatch.numpy_reference():
            reach = walk_reach(graph, 3.0) + 1
            d = distance_near(graph, enemy, limit=horizon, cells=cells, radius=reach)
            field = greedy_field(np.where(np.isfinite(d), d, horizon), graph, maximise=True,
                                 near=(cells, reach - 1))
            want = movement_walk(cells, field, graph.hours, budget)
        m = graph.matrix
        got = flee_walk(m.indptr, m.indices, m.data, enemy, horizon=horizon,
                        nbr=graph.neighbours(), hours=graph.hours, cells=cells, budget=budget,
                        max_edges=cols)
        assert np.array_equal(got, want)
        assert np.array_equal(want, np.where(cells == 2, 5, 28))  # three steps east each
