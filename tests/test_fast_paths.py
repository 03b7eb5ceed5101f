"""Fast paths agree with their readable references, bit for bit."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from sim.kernels.dispatch import compiled_paths
from sim.kernels.movement.paths import greedy_field
from sim.kernels.terrain import Graph, build_graph, distance_field, grid_neighbours
from sim.kernels.villages import (
    NeighbourTable,
    VillagePolicies,
    in_window,
    neighbour_mean,
    neighbour_mean_numpy,
    neighbourhood,
    village_day,
    window_cells,
)
from sim.kernels.windows import _any_in_window, _window_max_sparse, window_max
from sim.params.movement import MovementParams
from sim.params.population import PopulationParams
from sim.state import VillageMemory, Villages


def _random_villages(
    rows: int, cols: int, radius: int, density: float, centre: bool, seed: int, uniform: bool
) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """Villages scattered over a grid at ``density``, their neighbourhoods, values over many
    magnitudes (any change in the order of additions shows) and optional weights."""
    rng = np.random.default_rng(seed)
    n_cells = rows * cols
    cells = np.flatnonzero(rng.random(n_cells) < density).astype(np.int64)
    if cells.size == 0:
        cells = np.array([0], dtype=np.int64)
    voc = np.full(n_cells, -1, dtype=np.int64)
    voc[cells] = np.arange(cells.size)
    nbrs = neighbourhood(cells, village_of_cell=voc, shape=(rows, cols), radius=radius,
                         centre=centre)
    values = rng.random(cells.size) * 10.0 ** rng.integers(-6, 6, cells.size)
    weights = None if uniform else rng.integers(0, 5000, cells.size).astype(np.float64)
    return nbrs, values, weights


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 12), cols=st.integers(1, 12), radius=st.integers(1, 3),
    density=st.floats(0.0, 1.0), centre=st.booleans(), seed=st.integers(0, 2**32 - 1),
    uniform=st.booleans(),
)
def test_compiled_neighbour_mean_equals_numpy(
    rows: int, cols: int, radius: int, density: float, centre: bool, seed: int, uniform: bool
) -> None:
    """Same means and weights to the last bit, for row lengths on both sides of eight."""
    nbrs, values, weights = _random_villages(rows, cols, radius, density, centre, seed, uniform)
    with compiled_paths(True):
        fast = neighbour_mean(values, nbrs, weights=weights)
    ref = neighbour_mean_numpy(values, nbrs, weights=weights)
    for a, b in zip(fast, ref, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_neighbour_mean_known_answer() -> None:
    """Two neighbours of weights 1 and 3 holding 0 and 1: mean 0.75; a lone row gives 0."""
    nbrs = np.array([[1, 2, -1], [-1, -1, -1]], dtype=np.int64)
    values = np.array([0.5, 0.0, 1.0])
    for on in (True, False):
        with compiled_paths(on):
            mean, tot = neighbour_mean(values, nbrs, weights=np.array([9.0, 1.0, 3.0]))
        np.testing.assert_array_equal(mean, [0.75, 0.0])
        np.testing.assert_array_equal(tot, [4.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 15), cols=st.integers(1, 15), radius=st.integers(0, 3),
       density=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_window_max_equals_window_gather(
    rows: int, cols: int, radius: int, density: float, seed: int
) -> None:
    """The grid maximum filter finds the same highest row as gathering every window."""
    rng = np.random.default_rng(seed)
    n_cells = rows * cols
    lookup = np.full(n_cells, -1, dtype=np.int64)
    occupied = np.flatnonzero(rng.random(n_cells) < density)
    lookup[occupied] = rng.permutation(occupied.size)
    cells = rng.integers(0, n_cells, 20).astype(np.int64)
    ref = _any_in_window(lookup, window_cells(cells, shape=(rows, cols), radius=radius))
    got = window_max(lookup, cells, shape=(rows, cols), radius=radius)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, ref)
    # the path for few units on a large map, whatever the density
    sparse = _window_max_sparse(lookup, cells, shape=(rows, cols), radius=radius)
    assert sparse.dtype == np.int64
    np.testing.assert_array_equal(sparse, ref)
    np.testing.assert_array_equal(
        got, in_window(lookup, window_cells(cells, shape=(rows, cols), radius=radius)).max(axis=1))


def _graph(seed: int = 0) -> Graph:
    rng = np.random.default_rng(seed)
    shape = (12, 17)
    z = np.zeros(shape)
    return build_graph(
        elevation=rng.random(shape) * 2000, ruggedness=rng.random(shape) * 0.3,
        land_cover=rng.integers(1, 7, shape).astype(np.uint8),
        river_east=(rng.random(shape) < 0.1).astype(np.int8), river_south=z.astype(np.int8),
        crossing_east=(rng.random(shape) < 0.5).astype(np.int8), crossing_south=z.astype(np.int8),
        lat_max=40.0, res=0.05, speed_kmh=5.0, params=MovementParams(),
    )


def test_grid_neighbours_built_once_and_read_only() -> None:
    g = _graph()
    nbr = g.neighbours()
    assert nbr is grid_neighbours((12, 17))
    assert not nbr.flags.writeable
    # cell 0 is in the north-west corner: no N or W neighbour
    np.testing.assert_array_equal(nbr[0], [-1, 1, 17, -1])
    with pytest.raises(ValueError, match="read-only"):
        nbr[0, 0] = 5


def test_cached_distance_field_equals_a_fresh_search() -> None:
    """Repeated sources (in any order, with duplicates) return the first search's arrays;
    those equal a search on a fresh graph and cannot be modified by a caller."""
    g, fresh = _graph(), _graph()
    src = np.array([5, 100, 5, 42], dtype=np.int64)
    first = distance_field(g, src, limit=30.0)
    again = distance_field(g, src[::-1].copy(), limit=30.0)
    assert all(a is b for a, b in zip(first, again, strict=True))
    ref = distance_field(fresh, np.array([42, 100, 5]), limit=30.0)
    for a, b in zip(first, ref, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not a.flags.writeable
    other = distance_field(g, src, limit=60.0)
    assert (np.isfinite(other[0]).sum() > np.isfinite(first[0]).sum())
    assert distance_field(g, np.zeros(0, np.int64))[2].max() == -1


def test_a_graph_derived_with_other_costs_does_not_see_the_cached_fields() -> None:
    """dataclasses.replace (e.g. a graph with a zone blocked) starts with empty caches."""
    import dataclasses

    g = _graph()
    src = np.array([0], dtype=np.int64)
    before = distance_field(g, src)[0]
    blocked = dataclasses.replace(g, hours=np.full_like(g.hours, np.inf))
    assert blocked._kept == {} and blocked._fields == {}
    assert np.isfinite(before).sum() > 1
    assert g._kept  # the original keeps its field


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_src=st.integers(0, 6), n_cells=st.integers(1, 4),
       radius=st.integers(0, 4), limit=st.sampled_from([3.0, 12.0, 40.0, np.inf]))
def test_local_search_equals_the_whole_map_search_near_the_cells(
    seed: int, n_src: int, n_cells: int, radius: int, limit: float
) -> None:
    """The search that stops early gives the whole-map distances around the given cells,
    and nowhere anything shorter."""
    from sim.kernels.terrain import distance_near

    g = _graph(seed % 7)
    rng = np.random.default_rng(seed)
    n = g.shape[0] * g.shape[1]
    src = rng.integers(0, n, n_src).astype(np.int64)
    cells = rng.integers(0, n, n_cells).astype(np.int64)
    with compiled_paths(True):
        near = distance_near(g, src, limit=limit, cells=cells, radius=radius)
    full = distance_field(_graph(seed % 7), src, limit=limit)[0]
    r, c = np.divmod(np.arange(n), g.shape[1])
    cr, cc = np.divmod(cells, g.shape[1])
    inside = ((np.abs(r[:, None] - cr[None, :]) <= radius)
              & (np.abs(c[:, None] - cc[None, :]) <= radius)).any(axis=1)
    np.testing.assert_array_equal(near[inside], full[inside])
    assert (near >= full).all()


def test_walk_reach_bounds_the_edges_of_a_day() -> None:
    """No walk with the day's budget leaves the box walk_reach gives."""
    from sim.kernels.movement import walk
    from sim.kernels.terrain import walk_reach

    g = _graph(3)
    n = g.shape[0] * g.shape[1]
    reach = walk_reach(g, 8.0)
    cheapest = g.hours[np.isfinite(g.hours)].min()
    assert reach == min(64, 1 + int(8.0 // cheapest))
    for target in (0, n - 1, n // 2):
        field = distance_field(g, np.array([target]))[1]
        start = np.arange(n, dtype=np.int64)
        end = walk(start, field, g.hours, np.full(n, 8.0))
        steps = np.abs(end // g.shape[1] - start // g.shape[1]) + np.abs(
            end % g.shape[1] - start % g.shape[1])
        assert steps.max() <= reach


def test_compiled_paths_follow_the_announced_work() -> None:
    """Short runs stay on numpy; the compiled passes start once enough work is announced."""
    from sim.kernels import dispatch

    saved = dispatch._WORK[0]
    try:
        dispatch._WORK[0] = 0.0
        assert not dispatch.enabled()
        dispatch.expect_work(dispatch.THRESHOLD / 2)
        assert not dispatch.enabled()
        with compiled_paths(True):
            assert dispatch.enabled()
        dispatch.expect_work(dispatch.THRESHOLD / 2)
        assert dispatch.enabled()
        with dispatch.numpy_reference():
            assert not dispatch.enabled()
        assert dispatch.enabled()
    finally:
        dispatch._WORK[0] = saved


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 12), cols=st.integers(1, 12), radius=st.integers(1, 6),
    density=st.floats(0.0, 1.0), centre=st.booleans(), seed=st.integers(0, 2**32 - 1),
    uniform=st.booleans(),
)
def test_neighbour_table_equals_numpy(
    rows: int, cols: int, radius: int, density: float, centre: bool, seed: int, uniform: bool
) -> None:
    """The fixed-structure table gives the reference's means and weights to the last bit,
    for rows shorter than eight, between eight and 128, and longer (radius 6: 168)."""
    nbrs, values, weights = _random_villages(rows, cols, radius, density, centre, seed, uniform)
    weighed = NeighbourTable.of(nbrs).weigh(weights)
    mean, tot = neighbour_mean_numpy(values, nbrs, weights=weights)
    np.testing.assert_array_equal(weighed.total, tot)
    got = weighed.mean(values)
    assert got.dtype == mean.dtype and got.shape == mean.shape
    np.testing.assert_array_equal(got, mean)
    # Several fields at once: row by row the same means.
    fields = np.stack([values, values[::-1].copy(), np.sqrt(values)])
    both = weighed.mean(fields)
    assert both.shape == fields.shape
    for row, field in zip(both, fields, strict=True):
        np.testing.assert_array_equal(row, neighbour_mean_numpy(field, nbrs, weights=weights)[0])


def test_neighbour_table_known_answer() -> None:
    """Two neighbours of weights 1 and 3 holding 0 and 1: mean 0.75; a lone row gives 0."""
    nbrs = np.array([[1, 2, -1], [-1, -1, -1]], dtype=np.int64)
    weighed = NeighbourTable.of(nbrs).weigh(np.array([9.0, 1.0, 3.0]))
    np.testing.assert_array_equal(weighed.mean(np.array([0.5, 0.0, 1.0])), [0.75, 0.0])
    np.testing.assert_array_equal(weighed.total, [4.0, 0.0])
@settings(max_examples=50, deadline=None)
@given(rows=st.integers(1, 14), cols=st.integers(1, 14), radius=st.integers(0, 4),
       n_cells=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), maximise=st.booleans())
def test_greedy_field_near_cells_equals_whole_map(
    rows: int, cols: int, radius: int, n_cells: int, seed: int, maximise: bool
) -> None:
    """Within the radius of the given cells the local field is the whole-map field; -1
    elsewhere."""
    rng = np.random.default_rng(seed)
    hours = np.where(rng.random((rows * cols, 4)) < 0.2, np.inf, rng.random((rows * cols, 4)))
    graph = Graph(shape=(rows, cols), hours=hours, matrix=csr_matrix((1, 1)))
    values = np.where(rng.random(rows * cols) < 0.1, np.inf, rng.random(rows * cols))
    cells = rng.integers(0, rows * cols, n_cells).astype(np.int64)
    whole = greedy_field(values, graph, maximise=maximise)
    local = greedy_field(values, graph, maximise=maximise, near=(cells, radius))
    r, c = np.divmod(np.arange(rows * cols), cols)
    cr, cc = np.divmod(cells, cols)
    inside = ((np.abs(r[:, None] - cr[None, :]) <= radius)
              & (np.abs(c[:, None] - cc[None, :]) <= radius)).any(axis=1)
    np.testing.assert_array_equal(local[inside], whole[inside])
    assert (local[~inside] == -1).all()


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), n_side=st.integers(1, 9), towns=st.booleans(),
    fights=st.booleans(), scalar=st.booleans(), momentum_value=st.floats(-1.5, 1.5),
    radius=st.integers(1, 2), border=st.booleans(),
)
def test_compiled_village_day_equals_numpy(
    seed: int, n_side: int, towns: bool, fights: bool, scalar: bool, momentum_value: float,
    radius: int, border: bool,
) -> None:
    """The compiled village step (dynamics, spread, flight and sides) gives the numpy
    reference's tables to the last bit: every policy scalar or per village, towns or none,
    fighting or none, a border or none, villages already on either side."""
    rng = np.random.default_rng(seed)
    n = n_side * n_side
    cells = np.arange(n, dtype=np.int64)
    v = Villages.empty(n)
    v.cell[:] = cells
    v.population[:] = rng.integers(0, 3000, n)
    few = rng.random(n) < 0.3  # empty villages and single people too
    v.population[few] = rng.integers(0, 3, int(few.sum()))
    v.food[:] = v.population * rng.uniform(0, 200, n)
    for f in ("support", "grievance", "fear", "weariness"):  # some at the bounds, -0.0 too
        getattr(v, f)[:] = np.where(rng.random(n) < 0.1, rng.integers(0, 2, n), rng.random(n))
        getattr(v, f)[rng.random(n) < 0.05] = -0.0
    v.cotton[:] = rng.random(n) < 0.3
    v.requisitioned[:] = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    voc = np.full(n, -1, dtype=np.int64)
    voc[cells] = cells
    nbrs = neighbourhood(cells, village_of_cell=voc, shape=(n_side, n_side), radius=radius,
                         centre=False)

    def level() -> float | np.ndarray:
        return float(rng.random()) if scalar else np.where(rng.random(n) < 0.5, 0.0, rng.random(n))

    pol = VillagePolicies(**{f.name: level() for f in dataclasses.fields(VillagePolicies)})
    band_present, state_present = rng.random(n) < 0.3, rng.random(n) < 0.3
    state_taken = np.where(rng.random(n) < 0.2, rng.random(n), 0.0)
    collateral = np.where(rng.random(n) < 0.2, rng.integers(0, 50, n), 0).astype(np.float64)
    fighting = (rng.random(n) < 0.3) if fights else None
    border_days = rng.uniform(0.5, 20, n) if border else None
    town = (rng.random(n) < 0.2) if towns else None
    memory = VillageMemory.empty(n)
    memory.side[:] = rng.integers(-1, 2, n)
    # Frightened or hungry villages, so that people flee.
    params = PopulationParams(flight_rate=0.05, flight_fear=0.3)
    out, after = [], []
    for on in (True, False):
        draws = np.random.default_rng(seed)
        with compiled_paths(on):
            out.append(village_day(
                v, memory, nbrs=nbrs, band_present=band_present,
                state_present=state_present, state_taken=state_taken, collateral=collateral,
                policies=pol, params=params, rng=draws,
                fighting=fighting, momentum=momentum_value, border_days=border_days, town=town,
            ))
        after.append(draws.random())  # the same draws were taken from the stream
    (va, ma, fa, ea), (vb, mb, fb, eb) = out
    assert after[0] == after[1]
    assert va.population is not v.population  # new tables, the input left alone
    for f in dataclasses.fields(Villages):
        a, b = getattr(va, f.name), getattr(vb, f.name)
        if a.dtype == np.float64:  # to the bit: signed zeros and NaN payloads included
            a, b = a.view(np.int64), b.view(np.int64)
        np.testing.assert_array_equal(a, b, err_msg=f.name)
    np.testing.assert_array_equal(ma.side, mb.side)
    assert fa == fb and [e.kind for e in ea] == [e.kind for e in eb]
    for a, b in zip(ea, eb, strict=True):
        for col in ("unit", "cell", "n"):
            np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=col)
        assert a.extra.keys() == b.extra.keys()
        for key in a.extra:
            np.testing.assert_array_equal(a.extra[key], b.extra[key], err_msg=key)


@pytest.mark.parametrize("bad", ["population", "fear"])
def test_compiled_village_day_refuses_what_numpy_refuses(bad: str) -> None:
    """A negative population or a NaN fear (hence a NaN chance to flee) stops both paths
    with the same error, before any table is returned."""
    n = 4
    v = Villages.empty(n)
    v.cell[:] = np.arange(n)
    v.population[:] = 100
    v.fear[:] = 0.9
    if bad == "population":
        v.population[2] = -1
    else:
        v.fear[1] = np.nan
    nbrs = np.full((n, 8), -1, dtype=np.int64)
    nbrs[:, 0] = (np.arange(n) + 1) % n
    zero = np.zeros(n)
    for on in (True, False):
        with compiled_paths(on), pytest.raises(ValueError, match="binomial needs"):
            village_day(v, VillageMemory.empty(n), nbrs=nbrs, band_present=zero > 0,
                        state_present=zero > 0, state_taken=zero, collateral=zero,
                        policies=VillagePolicies(), rng=np.random.default_rng(0),
                        params=PopulationParams(flight_rate=0.05, flight_fear=0.3))


def test_policy_rows_kept_only_for_the_same_read_only_arrays() -> None:
    """The compiled step's policy rows are reused while the timeline hands back the same
    read-only arrays, rebuilt for writable arrays (which could have changed) or others."""
    from sim.kernels.villages import _policy_rows

    n = 5
    fixed = np.linspace(0.0, 1.0, n)
    fixed.setflags(write=False)
    pol = VillagePolicies(collectivisation=fixed, relief=0.25)
    first = _policy_rows(pol, n)
    np.testing.assert_array_equal(first[1], fixed)
    np.testing.assert_array_equal(first[4], np.full(n, 0.25))
    assert _policy_rows(VillagePolicies(collectivisation=fixed, relief=0.25), n) is first
    other = fixed.copy()  # equal values, another (writable) array: never kept
    again = _policy_rows(VillagePolicies(collectivisation=other, relief=0.25), n)
    assert again is not first
    other[0] = 0.9
    np.testing.assert_array_equal(
        _policy_rows(VillagePolicies(collectivisation=other, relief=0.25), n)[1], other)
    assert _policy_rows(VillagePolicies(), n).shape == (9, 1)
