"""Movement: travel costs, river barriers, walking budgets, and the decision rules."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.geography import synthetic_theatre
from sim.kernels.movement import (
    MoveContext,
    choose_band_modes,
    move_bands,
    move_columns,
    raid_targets,
    visible_bands,
    walk,
)
from sim.kernels.terrain import build_graph, distance_field
from sim.params.movement import MovementParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order

P = MovementParams()


def graph_of(theatre, *, speed=5.0, forbidden=None):
    return build_graph(
        elevation=theatre.elevation,
        ruggedness=theatre.ruggedness,
        land_cover=theatre.land_cover,
        river_east=theatre.river_east,
        river_south=theatre.river_south,
        crossing_east=theatre.crossing_east,
        crossing_south=theatre.crossing_south,
        lat_max=theatre.lat_max,
        res=theatre.res,
        speed_kmh=speed,
        params=P,
        forbidden=forbidden,
    )


def with_river(rows=10, cols=10, ford_row=None):
    """A flat map split by a north-south river between columns 4 and 5."""
    t = synthetic_theatre(rows, cols)
    re = np.zeros((rows, cols), np.uint8)
    re[:, 4] = 1
    ce = np.zeros((rows, cols), np.uint8)
    if ford_row is not None:
        ce[ford_row, 4] = 1
    import dataclasses

    return dataclasses.replace(t, river_east=re, crossing_east=ce)


def test_flat_edge_cost_is_distance_over_speed() -> None:
    t = synthetic_theatre(5, 5)
    g = graph_of(t)
    ns = t.res * 111.2
    assert np.isclose(g.hours[7, 2], ns / 5.0)  # southward edge
    assert np.isinf(g.hours[0, 0]) and np.isinf(g.hours[0, 3])  # off the map


def test_river_without_crossing_is_a_barrier() -> None:
    g = graph_of(with_river())
    hours, _, _ = distance_field(g, np.array([0]))
    assert np.isinf(hours.reshape(10, 10)[:, 5:]).all()
    assert np.isfinite(hours.reshape(10, 10)[:, :5]).all()


def test_crossing_only_at_the_ford() -> None:
    g = graph_of(with_river(ford_row=7))
    hours, nxt, _ = distance_field(g, np.array([9]))  # (0, 9): east bank
    # From the west bank the path must go through the ford edge (7,4)-(7,5).
    cell, path = 0, []
    while nxt[cell] >= 0:
        path.append((cell, int(nxt[cell])))
        cell = int(nxt[cell])
    assert (7 * 10 + 4, 7 * 10 + 5) in path
    assert hours[0] > hours[4]  # detour to the ford costs more than the straight line would


def test_slope_and_cover_slow_movement() -> None:
    flat = graph_of(synthetic_theatre(4, 4))
    steep_t = synthetic_theatre(4, 4)
    import dataclasses

    elev = np.tile(np.arange(4) * 500.0, (4, 1)).astype(np.float32)
    steep = graph_of(dataclasses.replace(steep_t, elevation=elev))
    assert (
        steep.hours[:, 1][np.isfinite(flat.hours[:, 1])]
        > flat.hours[:, 1][np.isfinite(flat.hours[:, 1])]
    ).all()


@settings(max_examples=40, deadline=None)
@given(budget=st.floats(0.1, 30.0), start=st.integers(0, 99))
def test_walk_respects_budget_but_always_takes_one_edge(budget: float, start: int) -> None:
    g = graph_of(synthetic_theatre(10, 10))
    hours, nxt, _ = distance_field(g, np.array([55]))
    end = walk(np.array([start]), nxt, g.hours, np.array([budget]))[0]
    travelled = hours[start] - hours[end]
    edge = g.hours[np.isfinite(g.hours)].min()
    if start != 55:
        assert end != start  # at least one edge
        assert travelled <= max(budget, hours[start] - hours[nxt[start]]) + 1e-9
        assert hours[end] <= hours[start]
    # With enough budget it arrives.
    if budget >= hours[start] + edge:
        assert end == 55


def band_table(cells, fighters, **kw) -> Bands:
    b = Bands.empty(len(cells))
    b.cell[:] = cells
    b.home[:] = kw.get("home", cells)
    b.fighters[:] = fighters
    b.morale[:] = kw.get("morale", 0.8)
    b.hunger[:] = kw.get("hunger", 0.0)
    b.leader[:] = -1
    b.active[:] = True
    return b


def column_table(cells, strength, order=Order.HOLD) -> Columns:
    c = Columns.empty(len(cells))
    c.cell[:] = cells
    c.home[:] = cells
    c.target[:] = np.where(order == Order.HOLD, cells, -1)
    c.strength[:] = strength
    c.order[:] = order
    c.active[:] = True
    return c


def context(theatre, **kw) -> MoveContext:
    g = graph_of(theatre)
    cache: dict = {}

    def field(graph, cell):
        return cache.setdefault((id(graph), cell), distance_field(graph, np.array([cell]))[1])

    return MoveContext(
        band_graph=g,
        horse_graph=g,
        foot_graph=graph_of(theatre, speed=3.5),
        afghan=kw.get("afghan", np.zeros(theatre.shape[0] * theatre.shape[1], bool)),
        sanctuary_open=kw.get("sanctuary_open", True),
        village_cell=kw.get("village_cell", np.zeros(0, np.int64)),
        village_forage=kw.get("village_forage", np.zeros(0, bool)),
        home_field=field,
        stock_days=kw.get("stock_days"),
    )


def test_band_flees_a_stronger_column_and_keeps_away() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    bands = band_table([10 * 20 + 10], [50])
    cols = column_table([10 * 20 + 12], [400], order=Order.PURSUE)
    moved = move_bands(bands, cols, ctx, P, sanctuary_next=np.full(400, -1))
    assert moved.mode[0] == BandMode.FLEE
    d0 = distance_field(ctx.band_graph, cols.cell)[0]
    assert d0[moved.cell[0]] > d0[bands.cell[0]]


def test_strong_band_raids_a_weak_post_and_weak_band_does_not() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    post = column_table([5 * 20 + 5], [20])
    garrison = distance_field(ctx.band_graph, post.cell, limit=48)
    bands = band_table([12 * 20 + 12, 12 * 20 + 13], [200, 10])
    p = MovementParams(flee_ratio=10.0)
    modes = choose_band_modes(bands, post, ctx, p)
    assert modes[0] == BandMode.RAID and modes[1] == BandMode.HOME
    moved = move_bands(bands, post, ctx, p, sanctuary_next=np.full(400, -1))
    assert garrison[0][moved.cell[0]] < garrison[0][bands.cell[0]]


def test_hungry_band_forages_and_beaten_band_seeks_sanctuary() -> None:
    t = synthetic_theatre(10, 10)
    afghan = np.zeros(100, bool)
    afghan[90:] = True
    ctx = context(
        t, afghan=afghan, village_cell=np.array([5], np.int64), village_forage=np.array([True])
    )
    bands = band_table([50, 55], [40, 40])
    bands.hunger[0] = 0.9
    bands.morale[1] = 0.1
    modes = choose_band_modes(bands, column_table([], []), ctx, P)
    assert list(modes) == [BandMode.FORAGE, BandMode.SANCTUARY]
    closed = context(
        t,
        afghan=afghan,
        sanctuary_open=False,
        village_cell=np.array([5], np.int64),
        village_forage=np.array([True]),
    )
    modes = choose_band_modes(bands, column_table([], []), closed, P)
    assert modes[1] == BandMode.HOME  # nowhere to go when the border is closed


def test_columns_follow_orders() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    bands = band_table([2 * 20 + 2], [100])
    cols = column_table([15 * 20 + 15, 15 * 20 + 15, 10 * 20 + 10], [100, 100, 100])
    cols.order[:] = [Order.PURSUE, Order.HOLD, Order.PATROL]
    rng = np.random.default_rng(0)
    out = move_columns(cols, bands, ctx, P, rng=rng, visible_bands=np.array([True]))
    d = distance_field(ctx.horse_graph, bands.cell)[0]
    assert d[out.cell[0]] < d[cols.cell[0]]  # pursuer closes in
    assert out.cell[1] == cols.cell[1]  # holder holds
    r, c = divmod(int(out.cell[2]), 20)
    assert abs(r - 10) + abs(c - 10) == 1  # patrol takes one step
    hidden = move_columns(cols, bands, ctx, P, rng=rng, visible_bands=np.array([False]))
    assert hidden.cell[0] != cols.cell[0]  # nothing to chase: the pursuer patrols


def test_state_units_do_not_enter_forbidden_cells() -> None:
    t = synthetic_theatre(10, 10)
    forbidden = np.zeros((10, 10), bool)
    forbidden[:, 5:] = True
    g = graph_of(t, forbidden=forbidden)
    # Travel time *to* a forbidden cell is infinite from the allowed side.
    hours, _, _ = distance_field(g, np.array([9]))
    assert np.isinf(hours.reshape(10, 10)[:, :5]).all()
    out, _, _ = distance_field(g, np.array([0]))
    assert np.isfinite(out.reshape(10, 10)[:, :6]).all()  # the edge column can still walk out


def test_band_goes_around_a_post_it_cannot_take_and_waits_where_it_cannot() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    post = column_table([10 * 20 + 11], [300])  # holding post next door, on the way home
    bands = band_table([10 * 20 + 10, 2 * 20 + 2], [50, 50], home=[10 * 20 + 12, 2 * 20 + 2])
    modes = choose_band_modes(bands, post, ctx, P)
    assert list(modes) == [BandMode.HOME, BandMode.HOME]  # neither flees a post
    mobile = column_table([10 * 20 + 11], [300], order=Order.PATROL)
    assert choose_band_modes(bands, mobile, ctx, P)[0] == BandMode.FLEE
    # Open ground: it goes around the post's cell and gets home.
    cell = bands.cell.copy()
    for _ in range(5):
        bands.cell[:] = cell
        moved = move_bands(bands, post, ctx, P, sanctuary_next=np.full(400, -1))
        assert moved.cell[0] != post.cell[0]
        cell = moved.cell
    assert cell[0] == 10 * 20 + 12
    # A corridor one cell wide through the post: no way around, the band waits short of it.
    walls = np.ones((20, 20), bool)
    walls[10, :] = False
    g = graph_of(t, forbidden=walls)
    shut = dataclasses.replace(ctx, band_graph=g, field_cache={})
    bands.cell[0] = 10 * 20 + 10
    moved = move_bands(bands, post, shut, P, sanctuary_next=np.full(400, -1))
    assert moved.cell[0] == bands.cell[0] == 10 * 20 + 10
    # A band strong enough to take the post raids it instead.
    big = band_table([10 * 20 + 10], [1000], home=[10 * 20 + 12])
    assert choose_band_modes(big, post, ctx, P)[0] == BandMode.RAID


def test_band_raids_the_nearest_post_it_can_take_not_merely_the_nearest() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    posts = column_table([10 * 20 + 12, 10 * 20 + 15], [300, 10])  # strong near, weak further
    bands = band_table([10 * 20 + 10], [60])
    target, hours = raid_targets(bands, posts, ctx, P)
    assert target[0] == 10 * 20 + 15 and np.isfinite(hours[0])
    # An unguarded town the state holds is a target for any band; a taken one is not.
    town = dataclasses.replace(ctx, state_towns=np.array([12 * 20 + 10], np.int64), field_cache={})
    small = band_table([10 * 20 + 10], [5])
    assert raid_targets(small, column_table([], []), town, P)[0][0] == 12 * 20 + 10
    assert raid_targets(small, column_table([], []), ctx, P)[0][0] == -1


def test_doctrine_switches_free_the_cavalry_and_extend_pursuit() -> None:
    t = synthetic_theatre(30, 30)
    ctx = context(t)
    bands = band_table([2 * 30 + 2], [100])
    cav = column_table([25 * 30 + 25], [100], order=Order.PURSUE)
    cav.kind[:] = 1  # cavalry
    rng = np.random.default_rng(0)
    vis = np.array([True])
    d = distance_field(ctx.horse_graph, bands.cell)[0]
    p = MovementParams(pursuit_hours=200.0)
    tied = move_columns(cav, bands, ctx, p, rng=rng, visible_bands=vis, switches={})
    free = move_columns(cav, bands, ctx, p, rng=rng, visible_bands=vis, switches={"independent_cavalry": True})
    assert d[free.cell[0]] < d[tied.cell[0]] < d[cav.cell[0]]
    short = MovementParams(pursuit_hours=40.0)
    far = column_table([25 * 30 + 25], [100], order=Order.PURSUE)
    far.kind[:] = 3  # volunteers ride
    plain = move_columns(far, bands, ctx, short, rng=np.random.default_rng(1), visible_bands=vis, switches={})
    flying = move_columns(far, bands, ctx, short, rng=np.random.default_rng(1), visible_bands=vis,
                          switches={"flying_columns": True})
    assert d[flying.cell[0]] < d[plain.cell[0]]  # out of plain pursuit range, within flying range


def test_columns_see_only_nearby_or_informed_bands() -> None:
    from sim.kernels.movement import visible_bands

    bands = band_table([0, 55, 99, 90], [50, 50, 50, 50])
    cols = column_table([44], [300], order=Order.PURSUE)
    informed = np.array([False, False, True, True])
    beyond = np.array([False, False, False, True])
    seen = visible_bands(bands, cols, shape=(10, 10), informed=informed, beyond_reach=beyond,
                         detection_cells=1)
    # band 0 far and uninformed: hidden; band 1 next to the column: seen; band 2 informed
    # on: seen; band 3 informed on but across the border: out of reach.
    assert list(seen) == [False, True, True, False]
    wide = visible_bands(bands, cols, shape=(10, 10), informed=informed, beyond_reach=beyond,
                         detection_cells=5)
    assert wide[0]


def test_band_lies_in_wait_on_concealing_ground_unless_far_outnumbered() -> None:
    t = synthetic_theatre(20, 20)
    cover = np.ones(400, bool)
    ctx = dataclasses.replace(context(t), ambush_ground=cover)
    bands = band_table([10 * 20 + 10], [100])
    near = column_table([10 * 20 + 13], [150], order=Order.PATROL)
    assert choose_band_modes(bands, near, ctx, P)[0] == BandMode.HOLD  # 1.5:1, lies in wait
    far_more = column_table([10 * 20 + 13], [250], order=Order.PATROL)
    assert choose_band_modes(bands, far_more, ctx, P)[0] == BandMode.FLEE  # beyond 2:1
    open_ground = dataclasses.replace(ctx, ambush_ground=np.zeros(400, bool))
    assert choose_band_modes(bands, near, open_ground, P)[0] == BandMode.FLEE


def test_post_cavalry_sorties_against_a_weaker_known_band_and_returns() -> None:
    t = synthetic_theatre(20, 20)
    ctx = context(t)
    post = 10 * 20 + 10
    cols = column_table([post, post], [20, 75])
    cols.kind[:] = [ColumnKind.GARRISON, ColumnKind.CAVALRY]
    band = band_table([10 * 20 + 11], [60])
    rng = np.random.default_rng(0)
    out = move_columns(cols, band, ctx, P, rng=rng, visible_bands=np.array([True]))
    assert out.cell[1] == band.cell[0] and out.cell[0] == post  # cavalry strikes, garrison stays
    back = move_columns(out, band, ctx, P, rng=rng, visible_bands=np.array([False]))
    assert back.cell[1] == post  # unseen band: back to the post
    strong = band_table([10 * 20 + 11], [200])
    stay = move_columns(cols, strong, ctx, P, rng=rng, visible_bands=np.array([True]))
    assert (stay.cell == post).all()  # a stronger band is left alone
    unseen = move_columns(cols, band, ctx, P, rng=rng, visible_bands=np.array([False]))
    assert (unseen.cell == post).all()


def test_reported_success_makes_a_band_known() -> None:
    bands = band_table([5, 95], [50, 50])
    bands.recent_success[:] = [1.0, 0.2]
    cols = column_table([], [])
    args = {"shape": (10, 10), "informed": np.zeros(2, bool), "detection_cells": 1}
    seen = visible_bands(bands, cols, beyond_reach=np.zeros(2, bool), report_success=0.7, **args)
    assert list(seen) == [True, False]
    across = visible_bands(bands, cols, beyond_reach=np.ones(2, bool), report_success=0.7, **args)
    assert not across.any()


def test_pursuing_column_retakes_a_town_then_goes_to_its_area() -> None:
    t = synthetic_theatre(30, 30)
    town = 5 * 30 + 5
    area = 25 * 30 + 25
    ctx = dataclasses.replace(context(t), insurgent_towns=np.array([town], np.int64))
    cols = column_table([8 * 30 + 8], [300], order=Order.PURSUE)
    cols.target[:] = area
    bands = band_table([0], [10])
    rng = np.random.default_rng(0)
    d_town = distance_field(ctx.horse_graph, np.array([town]))[0]
    out = move_columns(cols, bands, ctx, P, rng=rng, visible_bands=np.array([False]))
    assert d_town[out.cell[0]] < d_town[cols.cell[0]]  # heads for the lost town
    calm = context(t)
    d_area = distance_field(calm.horse_graph, np.array([area]))[0]
    out = move_columns(cols, bands, calm, P, rng=rng, visible_bands=np.array([False]))
    assert d_area[out.cell[0]] < d_area[cols.cell[0]]  # no town lost: marches to its area


def test_a_band_whose_sanctuary_is_hostile_does_not_head_for_it() -> None:
    t = synthetic_theatre(20, 20)
    afghan = np.zeros(400, bool)
    afghan[15 * 20 :] = True  # rows 15-19 are the Afghan side
    friends = np.array([2 * 20 + 10], np.int64)  # a friendly village far from the border
    kw = {"afghan": afghan, "village_cell": friends, "village_forage": np.array([True])}
    home = 18 * 20 + 10  # its base across the border
    bands = band_table([10 * 20 + 10], [80], home=[home])
    d_border = distance_field(context(t).band_graph, np.flatnonzero(afghan))[0]
    open_ctx = context(t, sanctuary_open=True, **kw)
    moved = move_bands(bands, column_table([], []), open_ctx, P, sanctuary_next=np.full(400, -1))
    assert d_border[moved.cell[0]] < d_border[bands.cell[0]]  # open: it goes home
    for_hostile = context(t, sanctuary_open=False, **kw)  # closed or hostile: no refuge
    cell = bands.cell.copy()
    for _ in range(5):
        moved = move_bands(dataclasses.replace(bands, cell=cell), column_table([], []),
                           for_hostile, P, sanctuary_next=np.full(400, -1))
        assert d_border[moved.cell[0]] >= d_border[cell[0]]
        cell = moved.cell
    assert cell[0] == friends[0]  # it went to its friends instead
    # A beaten band does not seek a closed sanctuary either.
    beaten = dataclasses.replace(bands, morale=np.array([0.1]))
    assert choose_band_modes(beaten, column_table([], []), for_hostile, P)[0] != BandMode.SANCTUARY


def test_a_band_that_lost_its_stores_goes_where_food_is() -> None:
    t = synthetic_theatre(20, 20)
    afghan = np.zeros(400, bool)
    afghan[15 * 20 :] = True
    p = MovementParams(stock_forage_days=3.0)
    bands = band_table([10 * 20 + 10], [80])
    ctx = context(t, afghan=afghan, sanctuary_open=True, stock_days=np.array([0.5]))
    assert choose_band_modes(bands, column_table([], []), ctx, p)[0] == BandMode.FORAGE
    moved = move_bands(bands, column_table([], []), ctx, p, sanctuary_next=np.full(400, -1))
    d_border = distance_field(ctx.band_graph, np.flatnonzero(afghan))[0]
    assert d_border[moved.cell[0]] < d_border[bands.cell[0]]  # the open sanctuary feeds it
    fed = dataclasses.replace(ctx, stock_days=np.array([30.0]))
    assert choose_band_modes(bands, column_table([], []), fed, p)[0] == BandMode.HOME


def test_walk_is_limited_by_its_budget_not_by_a_count_of_edges() -> None:
    # A 1 x 200 corridor of cheap edges eastward (1/32 h each, exact in binary): 8 h reach
    # the far end, 3 h take exactly 96 edges.
    n = 200
    hours = np.full((n, 4), np.inf)
    hours[:-1, 1] = 1 / 32
    nxt = np.append(np.arange(1, n), -1)
    assert walk(np.array([0]), nxt, hours, np.array([8.0]))[0] == n - 1
    assert walk(np.array([0]), nxt, hours, np.array([3.0]))[0] == 96
    assert walk(np.array([0]), nxt, hours, np.array([8.0]), max_edges=64)[0] == 64


def test_threat_window_reaches_further_with_a_larger_threat_speed_share() -> None:
    # A column 12 cells (about 60 km) from a weaker band: outside the default window of
    # 16 h * 5 km/h * 0.5 = 40 km (8 cells), inside the window at full flat-ground speed.
    t = synthetic_theatre(40, 40)
    ctx = context(t)
    bands = band_table([20 * 40 + 20], [50])
    cols = column_table([20 * 40 + 32], [400], order=Order.PURSUE)
    assert choose_band_modes(bands, cols, ctx, P)[0] != BandMode.FLEE
    wide = dataclasses.replace(P, threat_speed_share=1.0)
    assert choose_band_modes(bands, cols, ctx, wide)[0] == BandMode.FLEE


def test_a_pursuing_column_does_not_hunt_a_band_it_cannot_fight() -> None:
    """Trace: a 10-man detachment ignores a known band of 200 and chases one of 20."""
    from sim.kernels.movement.columns import _chase

    mp = MovementParams()
    t = synthetic_theatre(5, 30)
    g = build_graph(elevation=t.elevation, ruggedness=t.ruggedness, land_cover=t.land_cover,
                    river_east=t.river_east, river_south=t.river_south,
                    crossing_east=t.crossing_east, crossing_south=t.crossing_south,
                    lat_max=t.lat_max, res=t.res, speed_kmh=mp.horse_kmh, params=mp)
    b = Bands.empty(2)
    b.active[:] = True
    b.fighters[:] = [200, 20]
    b.cell[:] = [2 * 30 + 18, 2 * 30 + 0]  # the big band 8 cells east, the small 10 west
    b.leader[:] = -1
    c = Columns.empty(2)
    c.active[:] = True
    c.strength[:] = [10, 100]
    c.cell[:] = 2 * 30 + 10
    c.order[:] = Order.PURSUE
    cell = c.cell.copy()
    seen = np.ones(2, dtype=bool)
    in_range = _chase(cell, c, b, c.active, seen, g, np.full(2, 8.0), limit=np.inf, ratio=3.0)
    assert in_range.all()
    assert cell[0] < 2 * 30 + 10  # the detachment rides west, to the band of 20
    assert cell[1] > 2 * 30 + 10  # the column of 100 rides east, to the nearer band of 200


def test_a_fleeing_band_sees_state_units_only_up_to_flee_horizon() -> None:
    # A column 8 cells south and 8 east (about 16 h of marching), at the corner of the
    # threat window (8 cells: 8 h at full speed): the band flees. Within a horizon of
    # 4 x 8 h it climbs away; with a horizon of 1 x 8 h every cell around it is "as far as
    # the horizon" and it has nowhere better to go.
    t = synthetic_theatre(30, 30)
    ctx = context(t)
    bands = band_table([10 * 30 + 10], [50])
    cols = column_table([18 * 30 + 18], [400], order=Order.PURSUE)
    base = dataclasses.replace(P, threat_hours=8.0, threat_speed_share=1.0)
    d0 = distance_field(ctx.band_graph, cols.cell)[0]
    assert 1.5 * 8.0 < d0[bands.cell[0]] < 4.0 * 8.0
    for horizon, moves in ((4.0, True), (1.0, False)):
        p = dataclasses.replace(base, flee_horizon=horizon)
        moved = move_bands(bands, cols, ctx, p, sanctuary_next=np.full(900, -1))
        assert moved.mode[0] == BandMode.FLEE
        assert (moved.cell[0] != bands.cell[0]) == moves
        if moves:
            assert d0[moved.cell[0]] > d0[bands.cell[0]]
