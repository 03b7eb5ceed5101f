"""Band decisions: which mode each band is in today (flee, lie in wait, sanctuary,
forage, raid, home) and its day's march, going around posts too strong for it."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.kernels import dispatch
from sim.kernels.movement.context import CELL_KM, F64, I64, MoveContext
from sim.kernels.movement.paths import cached, detour_field, greedy_field, toward, walk
from sim.kernels.movement.window import box_mean_of
from sim.kernels.terrain import Graph, distance_field, distance_near, walk_reach
from sim.params.movement import MovementParams
from sim.state import BandMode, Bands, Columns, Order, replace

#: Largest stacked table of post-to-cell hours kept for :func:`raid_targets` (values;
#: 2**22 float64 = 32 MiB). Beyond it the fields are read post by post: same answers.
RAID_TABLE = 2**22


def raid_targets(
    bands: Bands, columns: Columns, ctx: MoveContext, params: MovementParams
) -> tuple[I64, F64]:
    """The post each band would raid: the nearest one within reach that it is strong enough to take.

    A post (state units holding a cell, or a town the state holds) is within reach when
    it is at most ``raid_hours`` of marching away, and takeable when the band's fighters
    exceed ``raid_ratio`` times the strength there (any band can take an unguarded town).
    A band passes by the posts too strong for it and considers the next ones.

    Returns
    -------
    target : ndarray of int64, shape (n_bands,)
        Cell of the chosen post, -1 for none.
    hours : ndarray of float64, shape (n_bands,)
        Marching hours to it (``inf`` for none).
    """
    graph = ctx.band_graph
    nb = len(bands)
    posted = columns.active & (columns.order == Order.HOLD) & (columns.strength > 0)
    target = np.full(nb, -1, dtype=np.int64)
    best = np.full(nb, np.inf)
    # Posts, and the towns the state holds (unguarded ones have strength 0 there).
    cells = np.concatenate([columns.cell[posted], ctx.state_towns])
    weights = np.concatenate([columns.strength[posted], np.zeros(ctx.state_towns.size)])
    if cells.size == 0 or nb == 0:
        return target, best
    post_cells, strength = _posts(cells, weights, ctx)
    limit = float(params.raid_hours)
    at = bands.cell
    # Marching hours from each band to each post (posts x bands), from one cached field
    # per post (the same posts are asked about day after day), stacked into one table
    # while the posts stay the same (they change a few times a campaign).
    table = _reach_table(graph, post_cells, limit, ctx)
    if table is not None:
        hours = table[:, at]
    elif dispatch.enabled():  # many posts: one bounded search each, nothing kept
        from sim.kernels import search_compiled  # numba: only once the process does enough work

        return search_compiled.raid_choice(
            *graph.csr, post_cells.astype(np.int64), strength, limit=limit,
            ratio=float(params.raid_ratio), band_cells=at, fighters=bands.fighters)
    else:
        hours = np.empty((post_cells.size, nb))
        for j, pc in enumerate(post_cells.tolist()):
            hours[j] = _reach_field(graph, pc, limit, ctx)[at]
    # The nearest takeable post within reach; the first (lowest cell) among equally near.
    ok = (hours <= limit) & (bands.fighters[None, :] > params.raid_ratio * strength[:, None])
    hours = np.where(ok, hours, np.inf)
    pick = np.argmin(hours, axis=0)
    best = hours[pick, np.arange(nb)]
    found = best < np.inf
    target[found] = post_cells[pick[found]]
    return target, best


def _posts(cells: I64, weights: F64, ctx: MoveContext | None) -> tuple[I64, F64]:
    """The sorted distinct ``cells`` and the ``weights`` summed at each (``np.unique``,
    ``np.bincount``); the sort kept in ``ctx`` by the cells (read-only): the posts stay
    where they are for weeks, and sorting them cost more than the rest of a band's raid
    choice."""
    key_cells, key_inverse = ("post cells", cells.tobytes()), ("post inverse", cells.tobytes())
    cache = {} if ctx is None else ctx.field_cache
    kept, inv = cache.get(key_cells), cache.get(key_inverse)
    if kept is None or inv is None or cells.dtype != np.int64:
        kept, inv = np.unique(cells, return_inverse=True)
        kept.setflags(write=False)
        inv.setflags(write=False)
        if ctx is not None and cells.dtype == np.int64:
            if len(cache) > 512:
                cache.clear()
            cache[key_cells], cache[key_inverse] = kept, inv
    summed: F64 = np.bincount(inv, weights=weights).astype(np.float64, copy=False)
    return kept, summed


def _reach_table(graph: Graph, posts: I64, limit: float, ctx: MoveContext) -> F64 | None:
    """The reach fields of ``posts`` stacked, shape (n_posts, n_cells), kept in ``ctx``
    for the last set of posts asked; None if larger than :data:`RAID_TABLE` values."""
    n = graph.hours.shape[0]
    if posts.size * n > RAID_TABLE:
        return None
    key = ("raid posts", id(graph), limit)
    last = ctx.field_cache.get(key)
    table = ctx.field_cache.get(("raid table", id(graph), limit))
    if last is None or table is None or not np.array_equal(last, posts):
        table = np.stack([_reach_field(graph, pc, limit, ctx) for pc in posts.tolist()])
        table.setflags(write=False)
        ctx.field_cache[key] = posts.copy()
        ctx.field_cache[("raid table", id(graph), limit)] = table
    return table


def _reach_field(graph: Graph, cell: int, limit: float, ctx: MoveContext) -> F64:
    """Marching hours to ``cell`` from every cell, up to ``limit`` (cached in ``ctx``)."""
    key = ("reach", id(graph), cell, limit)
    field = ctx.field_cache.get(key)
    if field is None:
        src = np.array([cell], dtype=np.int64)
        field = cached(ctx, key, lambda: distance_field(graph, src, limit=limit)[0])
    return field


def choose_band_modes(
    bands: Bands,
    columns: Columns,
    ctx: MoveContext,
    params: MovementParams,
    *,
    raid: tuple[I64, F64] | None = None,
) -> I64:
    """Today's :class:`BandMode` of every band (HOLD for inactive rows).

    Parameters
    ----------
    bands, columns : Bands, Columns
    ctx : MoveContext
    params : MovementParams
    raid : (target, hours), optional
        :func:`raid_targets` of the same bands, columns and context, if the caller has
        it already (computed here otherwise).

    Returns
    -------
    ndarray of int64, shape (n_bands,)
    """
    mobile = columns.active & (columns.order != Order.HOLD)
    # Mobile state strength within threat range, approximated by a square window of cells
    # whose half-width is the distance a horseman covers in ``threat_hours`` over typical
    # broken ground (``threat_speed_share`` of the flat-ground speed), in cells of about 5 km.
    km = params.threat_hours * params.horse_kmh * params.threat_speed_share
    radius = max(1, int(round(km / CELL_KM)))
    width = 2 * radius + 1
    threat_at = box_mean_of(columns.cell[mobile], columns.strength[mobile], ctx.band_graph.shape,
                            width, bands.cell) * width * width

    mode = np.full(len(bands), BandMode.HOME, dtype=np.int64)
    target, _ = raid_targets(bands, columns, ctx, params) if raid is None else raid
    mode[target >= 0] = BandMode.RAID
    # Posts too strong to raid are not fled (they do not follow) but avoided: see
    # :func:`move_bands`, which routes around them and waits where it cannot.
    mode[bands.hunger >= params.hunger_forage] = BandMode.FORAGE
    if ctx.stock_days is not None:
        # A band that lost its herd or stores goes where food is before it starves.
        mode[bands.active & (ctx.stock_days < params.stock_forage_days)] = BandMode.FORAGE
    in_afghan = ctx.afghan[bands.cell]
    to_sanctuary = ctx.sanctuary_open & (bands.morale < params.sanctuary_morale)
    mode[to_sanctuary] = BandMode.SANCTUARY
    mode[to_sanctuary & in_afghan] = BandMode.HOLD
    flee = threat_at > params.flee_ratio * bands.fighters
    mode[flee] = BandMode.FLEE
    if ctx.ambush_ground is not None:
        # On concealing ground a band not too outnumbered lies in wait for the column
        # instead of running from it (mountain ambushes, BRIEF mechanism 1).
        wait = flee & ctx.ambush_ground[bands.cell] & (
            threat_at <= params.ambush_odds * bands.fighters
        )
        mode[wait] = BandMode.HOLD
    mode[~bands.active] = BandMode.HOLD
    return mode


def move_bands(
    bands: Bands,
    columns: Columns,
    ctx: MoveContext,
    params: MovementParams,
    *,
    sanctuary_next: I64,
) -> Bands:
    """Choose each band's mode and march it one day.

    Returns
    -------
    Bands
        A copy with new ``cell`` and ``mode``.
    """
    if not bands.active.any():
        # Every band holds (inactive ones always do): nothing to choose or march. Two days
        # in three of a long campaign have no band in the field.
        hold = np.full(len(bands), BandMode.HOLD, dtype=np.int64)
        return replace(bands, cell=bands.cell.copy(), mode=hold)
    graph = ctx.band_graph
    raid = raid_targets(bands, columns, ctx, params)  # for the modes and the raids
    mode = choose_band_modes(bands, columns, ctx, params, raid=raid)
    cell = bands.cell.copy()
    budget = np.full(len(bands), params.march_hours)

    def advance(mask: NDArray[np.bool_], field: I64) -> None:
        if mask.any():
            cell[mask] = walk(cell[mask], field, graph.hours, budget[mask])

    # Flee: climb away from state forces (distance to the nearest column grows).
    state_cells = columns.cell[columns.active]
    horizon = params.flee_horizon * params.threat_hours
    if (mode == BandMode.FLEE).any() and dispatch.enabled():
        # The same walks, each step reading hours the search has just reached (compiled).
        from sim.kernels import search_compiled  # numba: only once the process does enough work

        flee = mode == BandMode.FLEE
        cell[flee] = search_compiled.flee_walk(
            *graph.csr, state_cells, horizon=horizon, nbr=graph.neighbours(),
            hours=graph.hours, cells=cell[flee], budget=budget[flee],
            max_edges=graph.hours.shape[0], cheapest=graph.cheapest)
    elif (mode == BandMode.FLEE).any():
        # Exact around the fleeing bands, as far as a day's walk and one step more can look.
        fleeing = bands.cell[mode == BandMode.FLEE]
        reach = walk_reach(graph, float(budget.max(initial=0.0))) + 1
        d_enemy = distance_near(graph, state_cells, limit=horizon, cells=fleeing, radius=reach)
        d_enemy = np.where(np.isfinite(d_enemy), d_enemy, horizon)
        advance(mode == BandMode.FLEE,
                greedy_field(d_enemy, graph, maximise=True, near=(fleeing, reach - 1)))
    advance(mode == BandMode.SANCTUARY, sanctuary_next)
    raiding = mode == BandMode.RAID
    if raiding.any():
        target, _ = raid
        for t in np.unique(target[raiding]).tolist():
            sel = raiding & (target == t)
            advance(sel, toward(ctx, graph, t, cell[sel]))
    # Home and forage marches go around the posts too strong for the band to raid.
    marching = [(kind, np.flatnonzero(mode == m))
                for kind, m in (("food", BandMode.FORAGE), ("home", BandMode.HOME))]
    if not any(rows_sel.size for _, rows_sel in marching):
        return replace(bands, cell=cell, mode=mode)
    post_cells, too_strong = _too_strong(bands, columns, params, ctx)
    food_cells: I64 | None = None  # found when a band first needs them
    for goal_kind, rows_sel in marching:
        if rows_sel.size == 0:
            continue
        goals = bands.home[rows_sel] if goal_kind == "home" else np.full(rows_sel.size, -1)
        if goal_kind == "home" and not ctx.sanctuary_open:
            # A home across a closed or hostile border is no refuge: go to friends instead.
            goals = np.where(ctx.afghan[goals], -1, goals)
        # Bands with the same goal and the same posts to keep away from march together.
        keys: dict[tuple[int, bytes], list[int]] = {}
        for i, g in zip(rows_sel.tolist(), goals.tolist(), strict=True):
            keys.setdefault((g, too_strong[i].tobytes()), []).append(i)
        for (g, _), members in keys.items():
            idx = np.asarray(members, dtype=np.int64)
            if g >= 0:
                sources = np.array([g], dtype=np.int64)
            else:
                food_cells = _food_cells(ctx) if food_cells is None else food_cells
                sources = food_cells
            if sources.size == 0:
                continue
            at = cell[idx]
            field = _detour(graph, sources, post_cells[too_strong[idx[0]]], ctx, params, cells=at)
            cell[idx] = walk(at, field, graph.hours, budget[idx])
    return replace(bands, cell=cell, mode=mode)


def _detour(graph: Graph, sources: I64, posts: I64, ctx: MoveContext,
            params: MovementParams, *, cells: I64) -> I64:
    """:func:`detour_field` toward ``sources`` around the zones of ``posts`` (sorted cells;
    :func:`_avoid_map`) for the bands at ``cells``, kept in ``ctx`` by the posts: the map
    of the zones is drawn only when the field is built (long runs: searched as far as
    those bands, and again when later ones stand beyond)."""
    k = int(params.post_avoid_cells)
    at = cells if dispatch.enabled() else None
    key = ("detour around posts", id(graph), sources.tobytes(), posts.tobytes(), k, at is None)
    return cached(ctx, key, lambda: detour_field(graph, sources, _avoid_map(posts, k, graph.shape),
                                                 ctx, params, cells=at), cells=at)


def _food_cells(ctx: MoveContext) -> I64:
    """Safe places with food, sorted: friendly villages, on the Afghan side only while the
    sanctuary admits bands, and the sanctuary itself (it feeds bands) when it does."""
    safe_village = ctx.forage_villages() & (ctx.sanctuary_open | ~ctx.afghan[ctx.village_cell])
    # Sorted distinct cells by marking a map (what np.unique / np.union1d return, without
    # hashing thousands of villages a day).
    food_map = np.zeros(ctx.afghan.size, dtype=bool)
    food_map[ctx.village_cell[safe_village]] = True
    if ctx.sanctuary_open:
        food_map[_border_cells(ctx)] = True
    return np.flatnonzero(food_map).astype(np.int64)


def _border_cells(ctx: MoveContext) -> I64:
    """Afghan cells next to the Soviet side (where a band enters the sanctuary)."""
    key = ("border", id(ctx.afghan))

    def build() -> I64:
        rows, cols = ctx.band_graph.shape
        a = ctx.afghan.reshape(rows, cols)
        edge = np.zeros_like(a)
        edge[1:, :] |= a[1:, :] & ~a[:-1, :]
        edge[:-1, :] |= a[:-1, :] & ~a[1:, :]
        edge[:, 1:] |= a[:, 1:] & ~a[:, :-1]
        edge[:, :-1] |= a[:, :-1] & ~a[:, 1:]
        return np.flatnonzero(edge.reshape(-1)).astype(np.int64)

    return cached(ctx, key, build)


def strong_posts(
    bands: Bands, columns: Columns, params: MovementParams, *, shape: tuple[int, int]
) -> NDArray[np.bool_]:
    """Per band, the cells it keeps out of: next to a post too strong for it to raid.

    A post (state units holding a cell) is too strong for a band when the band's fighters
    do not exceed ``raid_ratio`` times the strength there; the band keeps out of the
    post's cell and the cells within ``post_avoid_cells`` (Chebyshev) of it.

    Parameters
    ----------
    bands, columns : Bands, Columns
    params : MovementParams
    shape : (rows, cols)

    Returns
    -------
    ndarray of bool, shape (n_bands, n_cells)
    """
    post_cells, too_strong = _too_strong(bands, columns, params)
    k = int(params.post_avoid_cells)
    return np.array([_avoid_map(post_cells[row], k, shape) for row in too_strong],
                    dtype=bool).reshape(len(bands), shape[0] * shape[1])


def _too_strong(
    bands: Bands, columns: Columns, params: MovementParams, ctx: MoveContext | None = None
) -> tuple[I64, NDArray[np.bool_]]:
    """The posts (cells of holding state units) and which of them each band cannot take
    (the posts and their strength kept in ``ctx``, if given: :func:`_posts`).

    Returns
    -------
    post_cells : ndarray of int64, shape (n_posts,)
        Sorted distinct cells.
    too_strong : ndarray of bool, shape (n_bands, n_posts)
        The band's fighters do not exceed ``raid_ratio`` times the strength there.
    """
    posted = columns.active & (columns.order == Order.HOLD) & (columns.strength > 0)
    if not posted.any() or len(bands) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((len(bands), 0), dtype=bool)
    post_cells, strength = _posts(columns.cell[posted], columns.strength[posted], ctx)
    too_strong = bands.fighters[:, None] <= params.raid_ratio * strength[None, :]
    return post_cells.astype(np.int64), too_strong


def _avoid_map(posts: I64, k: int, shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Cells within Chebyshev ``k`` of the ``posts`` (flat cells), as a map of shape (n_cells,)."""
    rows, cols = shape
    out = np.zeros(rows * cols, dtype=bool)
    if k == 0:
        out[posts] = True
        return out
    grid = out.reshape(rows, cols)
    r, c = np.divmod(posts, cols)
    for rr, cc in zip(r.tolist(), c.tolist(), strict=True):
        grid[max(rr - k, 0):rr + k + 1, max(cc - k, 0):cc + k + 1] = True
    return out
