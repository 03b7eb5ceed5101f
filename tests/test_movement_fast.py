"""The movement kernel's shortcuts against the plain rules they replace: same answers,
bit for bit (window means read at a few cells, compiled or not; the raid table; the posts
bands avoid)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import uniform_filter
from test_movement import P, band_table, column_table, context

from sim.geography import synthetic_theatre
from sim.kernels import dispatch
from sim.kernels.movement import bands as bands_module
from sim.kernels.movement import raid_targets, strong_posts
from sim.kernels.movement.window import box_mean_at, box_mean_of
from sim.kernels.terrain import distance_field
from sim.state import BandMode, Order

SHAPE = (9, 11)
N = SHAPE[0] * SHAPE[1]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(1, 30),
    cols=st.integers(1, 30),
    width=st.integers(1, 25),
    data=st.data(),
)
def test_window_means_are_the_whole_map_filter_read_at_the_cells(
    rows: int, cols: int, width: int, data: st.DataObject
) -> None:
    n = rows * cols
    where = data.draw(st.lists(st.integers(0, n - 1), max_size=12))
    values = data.draw(st.lists(st.one_of(st.floats(0, 1e4), st.sampled_from([1.0, 1 / 3, 150.0])),
                                min_size=len(where), max_size=len(where)))
    grid = np.zeros((rows, cols))
    grid.reshape(-1)[where] = values
    cells = np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=10)), dtype=np.int64)
    want = uniform_filter(grid, size=width, mode="constant").reshape(-1)[cells]
    for compiled in (False, True):
        with dispatch.compiled_paths(compiled):
            got = box_mean_at(grid, width, cells)
        assert got.dtype == np.float64 and got.shape == cells.shape
        assert np.array_equal(got.view(np.int64), want.view(np.int64))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(1, 30),
    cols=st.integers(1, 30),
    width=st.integers(1, 25),
    presence=st.booleans(),
    data=st.data(),
)
def test_window_means_of_units_are_the_filter_of_their_grid(
    rows: int, cols: int, width: int, presence: bool, data: st.DataObject
) -> None:
    """The threat around bands and the units near them, without drawing the grid: scipy's
    filter of the grid of the units' summed weights (or 1.0 where any stands), read at
    the cells, bit for bit, on both paths; units sharing cells, weights of zero included."""
    n = rows * cols
    src = np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=12)), dtype=np.int64)
    weights = None if presence else np.asarray(data.draw(st.lists(
        st.one_of(st.floats(0, 1e4), st.sampled_from([0.0, 1.0, 1 / 3, 150.0])),
        min_size=src.size, max_size=src.size)), dtype=np.float64)
    grid = np.zeros(n)
    if weights is None:
        grid[src] = 1.0
    else:
        for c, w in zip(src.tolist(), weights.tolist(), strict=True):
            grid[c] += w
    cells = np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=10)), dtype=np.int64)
    want = uniform_filter(grid.reshape(rows, cols), size=width, mode="constant").reshape(-1)[cells]
    for compiled in (False, True):
        with dispatch.compiled_paths(compiled):
            got = box_mean_of(src, weights, (rows, cols), width, cells)
        assert got.dtype == np.float64 and got.shape == cells.shape
        assert np.array_equal(got.view(np.int64), want.view(np.int64))


def raid_targets_reference(bands, columns, ctx, params):
    """The rule post by post: a band takes a post if nearer than its best so far."""
    graph = ctx.band_graph
    posted = columns.active & (columns.order == Order.HOLD) & (columns.strength > 0)
    target = np.full(len(bands), -1, dtype=np.int64)
    best = np.full(len(bands), np.inf)
    cells = np.concatenate([columns.cell[posted], ctx.state_towns])
    weights = np.concatenate([columns.strength[posted], np.zeros(ctx.state_towns.size)])
    if cells.size == 0 or len(bands) == 0:
        return target, best
    post_cells, inv = np.unique(cells, return_inverse=True)
    strength = np.bincount(inv, weights=weights)
    for j, pc in enumerate(post_cells):
        h = distance_field(graph, np.array([pc]), limit=params.raid_hours)[0][bands.cell]
        ok = (h <= params.raid_hours) & (bands.fighters > params.raid_ratio * strength[j]) & (h < best)
        target[ok] = pc
        best[ok] = h[ok]
    return target, best


def strong_posts_reference(bands, columns, params, shape):
    rows, cols = shape
    posted = columns.active & (columns.order == Order.HOLD) & (columns.strength > 0)
    out = np.zeros((len(bands), rows * cols), dtype=bool)
    if not posted.any() or len(bands) == 0:
        return out
    post_cells, inv = np.unique(columns.cell[posted], return_inverse=True)
    strength = np.bincount(inv, weights=columns.strength[posted])
    k = params.post_avoid_cells
    for i in range(len(bands)):
        for j, pc in enumerate(post_cells):
            if bands.fighters[i] <= params.raid_ratio * strength[j]:
                r, c = divmod(int(pc), cols)
                for rr in range(max(r - k, 0), min(r + k + 1, rows)):
                    for cc in range(max(c - k, 0), min(c + k + 1, cols)):
                        out[i, rr * cols + cc] = True
    return out


world = st.fixed_dictionaries({
    "band_cells": st.lists(st.integers(0, N - 1), min_size=0, max_size=8),
    "post_cells": st.lists(st.integers(0, N - 1), max_size=6),
    "towns": st.lists(st.integers(0, N - 1), max_size=3),
    "seed": st.integers(0, 2**16),
    "raid_hours": st.sampled_from([3.0, 6.5, 24.0, np.inf]),
    "avoid": st.integers(0, 2),
})


@settings(max_examples=120, deadline=None)
@given(w=world)
def test_raid_table_and_avoided_posts_match_the_rules_post_by_post(w: dict) -> None:
    rng = np.random.default_rng(w["seed"])
    # A flat map: many posts at exactly equal distances (ties go to the lowest cell).
    ctx = dataclasses.replace(context(synthetic_theatre(*SHAPE)),
                              state_towns=np.unique(np.asarray(w["towns"], dtype=np.int64)))
    nb, npost = len(w["band_cells"]), len(w["post_cells"])
    bands = band_table(w["band_cells"], rng.choice([5.0, 30.0, 90.0, 300.0], nb))
    posts = column_table(w["post_cells"], rng.choice([0.0, 10.0, 30.0, 100.0], npost))
    posts.active[:] = rng.random(npost) < 0.9
    params = dataclasses.replace(P, raid_hours=w["raid_hours"], post_avoid_cells=w["avoid"])
    want_t, want_h = raid_targets_reference(bands, posts, ctx, params)
    # The stacked table, post by post, or (compiled) one bounded search per post.
    for table, compiled in ((bands_module.RAID_TABLE, False), (0, False), (0, True)):
        saved, bands_module.RAID_TABLE = bands_module.RAID_TABLE, table
        try:
            with dispatch.compiled_paths(compiled):
                target, hours = raid_targets(bands, posts, ctx, params)
                again = raid_targets(bands, posts, ctx, params)  # the kept table
        finally:
            bands_module.RAID_TABLE = saved
        assert np.array_equal(target, want_t) and np.array_equal(again[0], want_t)
        assert np.array_equal(hours, want_h) and np.array_equal(again[1], want_h)
        assert target.dtype == np.int64 and hours.dtype == np.float64
    got = strong_posts(bands, posts, params, shape=SHAPE)
    assert np.array_equal(got, strong_posts_reference(bands, posts, params, SHAPE))


def test_equally_near_posts_go_to_the_lowest_cell_as_post_by_post() -> None:
    ctx = context(synthetic_theatre(*SHAPE))
    cols = SHAPE[1]
    band = band_table([4 * cols + 5], [300.0])
    for cells in ([4 * cols + 3, 4 * cols + 7], [4 * cols + 7, 4 * cols + 3], [3 * cols + 5, 5 * cols + 5]):
        posts = column_table(cells, [10.0, 10.0])
        want = raid_targets_reference(band, posts, ctx, P)
        for table, compiled in ((bands_module.RAID_TABLE, False), (0, True)):
            saved, bands_module.RAID_TABLE = bands_module.RAID_TABLE, table
            try:
                with dispatch.compiled_paths(compiled):
                    target, hours = raid_targets(band, posts, ctx, P)
            finally:
                bands_module.RAID_TABLE = saved
            assert target[0] == min(cells) == want[0][0] and hours[0] == want[1][0]


@settings(max_examples=40, deadline=None)
@given(w=world, hungry=st.booleans(), beaten=st.booleans())
def test_with_no_band_in_the_field_every_band_holds_where_it_stands(
    w: dict, hungry: bool, beaten: bool
) -> None:
    """The shortcut of a day without active bands gives the rules' answer: every band's
    mode is HOLD (as :func:`choose_band_modes` says of inactive rows) and nobody moves;
    no band is known to the state. With the same bands active, the rules do run."""
    from sim.kernels.movement import choose_band_modes, move_bands, visible_bands

    rng = np.random.default_rng(w["seed"])
    ctx = dataclasses.replace(context(synthetic_theatre(*SHAPE)),
                              state_towns=np.unique(np.asarray(w["towns"], dtype=np.int64)))
    nb, npost = len(w["band_cells"]), len(w["post_cells"])
    bands = band_table(w["band_cells"], rng.choice([5.0, 30.0, 90.0, 300.0], nb),
                       hunger=0.9 if hungry else 0.0, morale=0.1 if beaten else 0.8,
                       home=rng.integers(0, N, nb))
    cols = column_table(w["post_cells"], rng.choice([0.0, 10.0, 30.0, 100.0], npost),
                        order=Order.PATROL)
    idle = dataclasses.replace(bands, active=np.zeros(nb, dtype=bool))
    for compiled in (False, True):
        with dispatch.compiled_paths(compiled):
            rules = choose_band_modes(idle, cols, ctx, P)
            moved = move_bands(idle, cols, ctx, P, sanctuary_next=np.arange(N))
            seen = visible_bands(idle, cols, shape=SHAPE, informed=np.ones(nb, dtype=bool),
                                 beyond_reach=np.zeros(nb, dtype=bool), detection_cells=2)
        assert (rules == BandMode.HOLD).all()
        assert np.array_equal(moved.mode, rules) and moved.mode.dtype == np.int64
        assert np.array_equal(moved.cell, idle.cell) and moved.cell is not idle.cell
        assert not seen.any() and seen.shape == (nb,)
    if nb:  # the same bands in the field: the rules choose (hungry ones forage, ...)
        active = move_bands(bands, cols, ctx, P, sanctuary_next=np.arange(N)).mode
        assert np.array_equal(active, choose_band_modes(bands, cols, ctx, P))
        if hungry and not beaten:
            assert (active != BandMode.HOLD).any()


@settings(max_examples=150, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 12), seed=st.integers(0, 2**20),
       radius=st.sampled_from([0.0, 1.0, 2.5, 4.0, 40.0]), units=st.integers(1, 9))
def test_compiled_patrol_step_is_the_numpy_step(
    rows: int, cols: int, seed: int, radius: float, units: int
) -> None:
    """Same steps from the same draws, dead ends and impassable edges included; the
    stream is left where the numpy step leaves it."""
    from scipy.sparse import csr_matrix

    from sim.kernels.movement.columns import _patrol
    from sim.kernels.movement.context import CELL_KM
    from sim.kernels.movement.paths import with_matrix
    from sim.kernels.terrain import Graph

    rng = np.random.default_rng(seed)
    n = rows * cols
    hours = rng.uniform(0.5, 3.0, (n, 4))
    hours[rng.random((n, 4)) < 0.3] = np.inf
    graph = with_matrix(Graph(shape=(rows, cols), hours=hours, matrix=csr_matrix((1, 1))))
    cell = rng.integers(0, n, units)
    home = rng.integers(0, n, units)
    # patrol radius in grid steps = patrol_radius_hours * horse_kmh / CELL_KM
    params = dataclasses.replace(P, patrol_radius_hours=radius * CELL_KM / P.horse_kmh)
    out = []
    for compiled in (False, True):
        stream = np.random.default_rng(seed + 1)
        with dispatch.compiled_paths(compiled):
            out.append(_patrol(cell, home, graph, params, rng=stream))
        out.append(stream.random())
    assert np.array_equal(out[0], out[2]) and out[0].dtype == out[2].dtype == np.int64
    assert out[1] == out[3]
    moved = out[0] != cell
    nbr = graph.neighbours()[cell]
    assert all(out[0][i] in nbr[i] for i in np.flatnonzero(moved))


def test_villages_to_forage_at_given_as_a_function_are_asked_only_when_a_band_forages() -> None:
    """The context may carry the rule instead of today's villages: the same marches, and
    the rule is not evaluated on a day no band looks for food."""
    from sim.kernels.movement import move_bands

    t = synthetic_theatre(10, 10)
    asked = []

    def rule() -> np.ndarray:
        asked.append(1)
        return np.array([False, True])

    kw = {"village_cell": np.array([5, 27], np.int64)}
    given_array = context(t, village_forage=np.array([False, True]), **kw)
    given_rule = context(t, village_forage=rule, **kw)
    bands = band_table([50, 55, 93], [40, 40, 40], home=[50, 0, 99])
    bands.hunger[0] = 0.9  # forages, at the friendly village (27) not the other (5)
    for compiled in (False, True):
        with dispatch.compiled_paths(compiled):
            want = move_bands(bands, column_table([], []), given_array, P,
                              sanctuary_next=np.arange(100))
            got = move_bands(bands, column_table([], []), given_rule, P,
                             sanctuary_next=np.arange(100))
        assert np.array_equal(got.cell, want.cell) and np.array_equal(got.mode, want.mode)
        assert want.mode[0] == BandMode.FORAGE and want.cell[0] != 50
    assert len(asked) == 2
    fed = dataclasses.replace(bands, hunger=np.zeros(3))
    move_bands(fed, column_table([], []), given_rule, P, sanctuary_next=np.arange(100))
    assert len(asked) == 2  # nobody forages: the rule is not asked


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 12), seed=st.integers(0, 2**20),
       share=st.sampled_from([0.0, 0.05, 0.2, 0.5]), data=st.data())
def test_compiled_detour_field_is_the_blocked_graphs_field(
    rows: int, cols: int, seed: int, share: float, data: st.DataObject
) -> None:
    """Long runs search the detour on the graph's own matrix, not passing through the
    zone; the reference builds the graph with the edges into the zone cut: the same field,
    goals inside the zone and unreachable cells included."""
    from scipy.sparse import csr_matrix

    from sim.kernels.movement.paths import detour_field, with_matrix
    from sim.kernels.terrain import Graph

    rng = np.random.default_rng(seed)
    n = rows * cols
    hours = rng.integers(1, 4, (n, 4)).astype(np.float64)  # many equal paths
    hours[rng.random((n, 4)) < 0.15] = np.inf
    graph = with_matrix(Graph(shape=(rows, cols), hours=hours, matrix=csr_matrix((1, 1))))
    avoid = rng.random(n) < share
    sources = np.unique(np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1,
                                                      max_size=4)), dtype=np.int64))
    ctx = context(synthetic_theatre(rows, cols))
    fields = []
    for compiled in (False, True):
        with dispatch.compiled_paths(compiled):
            fresh = dataclasses.replace(ctx, field_cache={})
            fields.append(detour_field(graph, sources, avoid, fresh, P))
    assert np.array_equal(fields[0], fields[1]) and fields[1].dtype == np.int64


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 12), seed=st.integers(0, 2**20),
       share=st.sampled_from([0.0, 0.05, 0.2, 0.5]), data=st.data())
def test_detour_searched_as_far_as_its_walkers_leads_them_as_the_whole_field(
    rows: int, cols: int, seed: int, share: float, data: st.DataObject
) -> None:
    """Long runs search a detour only until the cells of the bands about to walk it are
    scanned, and keep it for the next days' bands: along every walk from those cells it
    is the whole field (the numpy reference), the walks end in the same cells, and a band
    standing where a kept field stopped short gets it searched again."""
    from scipy.sparse import csr_matrix

    from sim.kernels.movement.paths import UNSEARCHED, detour_field, walk, with_matrix
    from sim.kernels.terrain import Graph

    rng = np.random.default_rng(seed)
    n = rows * cols
    hours = rng.integers(1, 4, (n, 4)).astype(np.float64)  # many equal paths
    hours[rng.random((n, 4)) < 0.15] = np.inf
    graph = with_matrix(Graph(shape=(rows, cols), hours=hours, matrix=csr_matrix((1, 1))))
    avoid = rng.random(n) < share
    sources = np.unique(np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1,
                                                      max_size=4)), dtype=np.int64))
    ctx = context(synthetic_theatre(rows, cols))
    with dispatch.numpy_reference():
        whole = detour_field(graph, sources, avoid, dataclasses.replace(ctx, field_cache={}), P)
    kept = dataclasses.replace(ctx, field_cache={})  # shared by the days below
    for _ in range(3):
        cells = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)),
                           dtype=np.int64)
        budget = rng.uniform(0.0, 12.0, cells.size)
        with dispatch.compiled_paths(True):
            part = detour_field(graph, sources, avoid, kept, P, cells=cells)
            assert part.dtype == np.int64 and part.shape == (n,)
            assert np.array_equal(walk(cells, part, hours, budget),
                                  walk(cells, whole, hours, budget))
        assert set(np.unique(part[part != whole]).tolist()) <= {UNSEARCHED}
        for start in cells.tolist():  # every cell of the walk, whatever the budget
            c = start
            for _ in range(n):
                assert part[c] == whole[c]
                if whole[c] < 0:
                    break
                c = int(whole[c])


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**20), units=st.integers(0, 12), goals=st.booleans(),
       towns=st.booleans(), seen=st.booleans(),
       switches=st.sampled_from([{}, {"flying_columns": True}, {"independent_cavalry": True}]))
def test_the_columns_day_planned_in_one_pass_is_the_numpy_day(
    seed: int, units: int, goals: bool, towns: bool, seen: bool, switches: dict
) -> None:
    """Long runs plan the state units' day in one compiled pass when no band is known and
    the insurgents hold no town: the same cells, orders and patrol draws as the numpy
    masks, every order, kind and goal mixed (and the days it does not apply to as well)."""
    from sim.kernels.movement import move_columns
    from sim.kernels.movement.context import CELL_KM
    from sim.state import ColumnKind

    rng = np.random.default_rng(seed)
    cols = column_table(rng.integers(0, N, units), rng.choice([5.0, 50.0, 500.0], units))
    cols.order[:] = rng.integers(0, 5, units)
    cols.kind[:] = rng.integers(0, 5, units)
    cols.active[:] = rng.random(units) < 0.85
    near = rng.integers(0, N, units)  # targets often where the unit stands or next to it
    cols.target[:] = np.where(rng.random(units) < 0.3, -1,
                              np.where(rng.random(units) < 0.4, cols.cell, near))
    cols.home[:] = rng.integers(0, N, units)
    assert set(np.unique(cols.kind).tolist()) <= {int(k) for k in ColumnKind}
    goal = np.where(rng.random(units) < 0.5, cols.target, rng.integers(-1, N, units))
    ctx = dataclasses.replace(
        context(synthetic_theatre(*SHAPE)), column_goal=goal if goals else None,
        insurgent_towns=np.array([7, 40], np.int64) if towns else np.zeros(0, np.int64))
    bands = band_table(rng.integers(0, N, 3), [20.0, 60.0, 400.0])
    visible = np.array([seen, False, seen])
    # A patrol radius of about a cell: patrols turn back toward their target or home.
    params = dataclasses.replace(P, patrol_radius_hours=1.5 * CELL_KM / P.horse_kmh)
    out = []
    for compiled in (False, True):
        stream = np.random.default_rng(seed + 1)
        with dispatch.compiled_paths(compiled):
            moved = move_columns(cols, bands, ctx, params, rng=stream, visible_bands=visible,
                                 switches=switches)
        out.append((moved.cell, moved.order, stream.random()))
    assert np.array_equal(out[0][0], out[1][0]) and out[1][0].dtype == np.int64
    assert np.array_equal(out[0][1], out[1][1]) and out[1][1].dtype == np.int64
    assert out[0][2] == out[1][2]  # the stream left where the numpy day leaves it


def test_towns_held_and_ambush_ground_kept_in_a_shared_memo_are_each_worlds_own() -> None:
    """The movement memo keeps the towns each side holds and the ground to lie in wait on;
    worlds built on one travel share that memo (sim.travel) with other towns or another
    concealment map: each world's context is the formulas' answer on its own arrays."""
    from sim.build import build_world
    from sim.kernels.control import INSURGENT, STATE
    from sim.phases import _move_context
    from sim.scenario import load_scenario
    from sim.state import replace

    s = load_scenario("garm_1929")  # a cut of the real map: towns, varied ground
    world = build_world(s)
    other = dataclasses.replace(world, town_cells=world.town_cells[::-1].copy(),
                                concealment=1.0 - world.concealment)
    assert other.move_cache is world.move_cache and world.town_cells.size > 2
    threshold = s.combat.ambush_min_concealment
    for w, side in ((world, 0), (other, 0), (world, 1), (other, 1), (world, 0)):
        holder = np.where(np.arange(w.town_cells.size) % 3 == side, INSURGENT, STATE)
        ctx = _move_context(replace(w.state, town_holder=holder), w, s)
        assert np.array_equal(ctx.state_towns, w.town_cells[holder == STATE])
        assert np.array_equal(ctx.insurgent_towns, w.town_cells[holder == INSURGENT])
        assert ctx.ambush_ground is not None
        assert np.array_equal(ctx.ambush_ground, w.concealment >= threshold)


def test_posts_kept_by_their_cells_weigh_todays_strengths() -> None:
    """The sort of the posts' cells is kept in the context; the strengths at them are
    summed afresh every day: a garrison that lost men (same cells, new strengths) is
    judged on what it has today, for the raids and for the posts bands go around."""
    cols = SHAPE[1]
    ctx = context(synthetic_theatre(*SHAPE))
    bands = band_table([4 * cols + 5, 2 * cols + 2], [100.0, 30.0])
    cells = [4 * cols + 3, 4 * cols + 3, 6 * cols + 8, 1 * cols + 1]
    for strength in ([10.0, 10.0, 5.0, 5.0], [40.0, 30.0, 5.0, 1.0], [1.0, 2.0, 200.0, 30.0]):
        posts = column_table(cells, strength)
        want = raid_targets_reference(bands, posts, ctx, P)
        got = raid_targets(bands, posts, ctx, P)  # the same context every day
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        kept = bands_module._too_strong(bands, posts, P, ctx)
        fresh = bands_module._too_strong(bands, posts, P)
        assert np.array_equal(kept[0], fresh[0]) and np.array_equal(kept[1], fresh[1])
    assert any(k[0] == "post cells" for k in ctx.field_cache)
