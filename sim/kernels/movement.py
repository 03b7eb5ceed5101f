"""Movement: where bands and columns choose to go, and how far a day's march takes them.

Decisions are vectorised over all units. Each unit gets a goal field (a "next
cell" array from a shortest-path search toward a set of goal cells, or a local
rule) and walks it edge by edge while its daily budget of marching hours lasts;
a unit always completes at least one edge per day if it has somewhere to go, so
that steep edges slow it down without trapping it.

Band choices, in priority order: flee stronger state forces within reach (or,
on concealing ground and not outnumbered beyond ``ambush_odds``, lie in wait for
them); head
for the sanctuary when demoralised and the Afghan side admits bands; forage at
supporting villages when hungry; raid the nearest post or state-held town within reach that it is strong
enough to take; otherwise
return to the home base. A band marching home or to food goes around the posts
too strong for it to raid (it does not enter the cells next to them, except to
leave the one it stands in); when no way around exists, or its goal lies next
to such a post, it stops short and waits. Column orders: HOLD stays at its post (walking back to it if
elsewhere; its mobile troops sortie against a known weaker band at the gates), PATROL wanders around its target area or else home, PURSUE chases the
nearest visible band within pursuit range, else retakes the nearest town the
insurgents hold within that range, else marches to the area it was sent to (its
target) and patrols there, MARCH walks to its target, TAKE walks to its target town
(fighting whoever is in it) and then holds it. Columns with a route pass its
waypoints first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter
from scipy.sparse import csr_matrix

from sim.kernels.terrain import Graph, distance_field, distance_near, walk_reach
from sim.params.movement import MovementParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order

__all__ = [
    "MoveContext",
    "choose_band_modes",
    "move_bands",
    "move_columns",
    "raid_targets",
    "strong_posts",
    "visible_bands",
    "walk",
]

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
CELL_KM = 5.0  # nominal cell size of the 0.05-degree grid


@dataclasses.dataclass(frozen=True)
class MoveContext:
    """What the movement kernel needs to know about the map and today's situation.

    Attributes
    ----------
    band_graph, horse_graph, foot_graph : Graph
        Edge costs for bands (may enter Afghanistan), and for mounted and foot
        state units (may not, unless the scenario allows).
    afghan : ndarray of bool, shape (n_cells,)
        Cells on the Afghan side.
    sanctuary_open : bool
        Whether bands may recover on the Afghan side today (open or tolerated).
    village_cell : ndarray of int64, shape (n_villages,)
    village_forage : ndarray of bool, shape (n_villages,)
        Villages a hungry band would go to (support and food enough).
    home_field : callable
        ``home_field(cell) -> next_cell`` array of shape (n_cells,) toward one cell
        (cached by the caller: homes and targets are few).
    field_cache : dict
        Cache of detour fields, keyed by graph, goal and the cells avoided; the caller
        keeps it across days and clears it when travel costs change.
    state_towns : ndarray of int64, shape (k,)
        Cells of the towns the state holds today; an unguarded one is a raid target
        for any band (loot, prestige, recruits).
    insurgent_towns : ndarray of int64, shape (k,)
        Cells of the towns the insurgents hold today; pursuing columns with no band
        in range go and retake the nearest one within pursuit range.
    ambush_ground : ndarray of bool, shape (n_cells,), optional
        Cells concealing enough for a band to lie in wait (the combat kernel's
        ``ambush_min_concealment``); None: bands never choose to lie in wait.
    column_goal : ndarray of int64, shape (n_columns,), optional
        Where each column heads today (its next waypoint, else its target; see
        :func:`sim.kernels.control.steer`); None: its target.
    stock_days : ndarray of float64, shape (n_bands,), optional
        Days each band can eat from its own food and herd; below ``stock_forage_days``
        it goes where food is (friendly villages, or the sanctuary when it admits bands).
    """

    band_graph: Graph
    horse_graph: Graph
    foot_graph: Graph
    afghan: NDArray[np.bool_]
    sanctuary_open: bool
    village_cell: I64
    village_forage: NDArray[np.bool_]
    home_field: Callable[[Graph, int], I64]
    field_cache: dict[tuple[object, ...], NDArray[Any]] = dataclasses.field(default_factory=dict)
    state_towns: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    insurgent_towns: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ambush_ground: NDArray[np.bool_] | None = None
    column_goal: I64 | None = None
    stock_days: F64 | None = None


def walk(
    cell: I64,
    next_cell: I64,
    hours: F64,
    budget: F64,
    *,
    max_edges: int = 64,
) -> I64:
    """Follow a next-cell field while the marching budget lasts.

    Parameters
    ----------
    cell : ndarray of int64, shape (n,)
        Start cells.
    next_cell : ndarray of int64, shape (n, n_cells) or (n_cells,)
        Field to follow: a shared field, or one row per unit.
    hours : ndarray of float64, shape (n_cells, 4)
        Edge costs of the mover (see :class:`Graph`).
    budget : ndarray of float64, shape (n,)
        Marching hours available today.
    max_edges : int
        Safety bound on the number of edges walked in a day.

    Returns
    -------
    ndarray of int64, shape (n,)
        End cells. A unit always takes its first edge if it has one to take.
    """
    cell = cell.copy()
    left = budget.astype(np.float64).copy()
    first = np.ones(cell.shape, dtype=bool)
    ncols_guess = hours.shape[0]
    for _ in range(max_edges):
        nxt = next_cell[cell] if next_cell.ndim == 1 else next_cell[np.arange(cell.size), cell]
        moving = (nxt >= 0) & (nxt != cell) & (left > 0)
        if not moving.any():
            break
        cost = _edge_cost(cell, nxt, hours, ncols_guess)
        go = moving & ((cost <= left) | first) & np.isfinite(cost)
        if not go.any():
            break
        cell[go] = nxt[go]
        left[go] -= cost[go]
        first &= ~go
        left[moving & ~go] = 0.0
    return cell


def _edge_cost(a: I64, b: I64, hours: F64, _n: int) -> F64:
    """Cost of the edge from cell ``a`` to the neighbouring cell ``b`` (shape (n,))."""
    diff = b - a
    # Direction code: N=0 (b=a-cols), E=1 (b=a+1), S=2 (b=a+cols), W=3 (b=a-1).
    d = np.where(diff == 1, 1, np.where(diff == -1, 3, np.where(diff > 0, 2, 0)))
    return hours[a, d]


def _greedy_field(values: F64, graph: Graph, *, maximise: bool) -> I64:
    """Next-cell field that steps to the passable neighbour with the best value.

    Parameters
    ----------
    values : ndarray of float64, shape (n_cells,)

    Returns
    -------
    ndarray of int64, shape (n_cells,)
        Neighbour improving ``values`` most, or -1 where none improves it.
    """
    nbr = graph.neighbours()
    ok = (nbr >= 0) & np.isfinite(graph.hours)
    vals = np.where(ok, values[np.where(nbr >= 0, nbr, 0)], -np.inf if maximise else np.inf)
    best = np.argmax(vals, axis=1) if maximise else np.argmin(vals, axis=1)
    rows = np.arange(values.size)
    best_val = vals[rows, best]
    better = best_val > values if maximise else best_val < values
    return np.where(better, nbr[rows, best], -1)


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
    post_cells, inv = np.unique(cells, return_inverse=True)
    strength = np.bincount(inv, weights=weights)
    limit = float(params.raid_hours)
    for j, pc in enumerate(post_cells):
        src = np.array([pc], dtype=np.int64)

        def reach(src: I64 = src) -> F64:
            return distance_field(graph, src, limit=limit)[0]

        hours = _cached(ctx, ("reach", id(graph), int(pc), limit), reach)
        h = hours[bands.cell]
        ok = (h <= limit) & (bands.fighters > params.raid_ratio * strength[j]) & (h < best)
        target[ok] = pc
        best[ok] = h[ok]
    return target, best


def choose_band_modes(
    bands: Bands,
    columns: Columns,
    ctx: MoveContext,
    params: MovementParams,
) -> I64:
    """Today's :class:`BandMode` of every band (HOLD for inactive rows).

    Parameters
    ----------
    bands, columns : Bands, Columns
    ctx : MoveContext
    params : MovementParams

    Returns
    -------
    ndarray of int64, shape (n_bands,)
    """
    rows, cols = ctx.band_graph.shape
    n_cells = rows * cols
    mobile = columns.active & (columns.order != Order.HOLD)
    state = np.bincount(columns.cell[mobile], weights=columns.strength[mobile], minlength=n_cells).astype(np.float64)
    # Mobile state strength within threat range, approximated by a square window of cells
    # whose half-width is the distance a horseman covers in ``threat_hours`` over typical
    # broken ground (half the flat-ground speed), in cells of about 5 km.
    radius = max(1, int(round(params.threat_hours * params.horse_kmh * 0.5 / CELL_KM)))
    width = 2 * radius + 1
    threat = uniform_filter(state.reshape(rows, cols), size=width, mode="constant") * width * width
    threat_at = threat.reshape(-1)[bands.cell]

    mode = np.full(len(bands), BandMode.HOME, dtype=np.int64)
    target, _ = raid_targets(bands, columns, ctx, params)
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
    graph = ctx.band_graph
    mode = choose_band_modes(bands, columns, ctx, params)
    cell = bands.cell.copy()
    budget = np.full(len(bands), params.march_hours)

    def advance(mask: NDArray[np.bool_], field: I64) -> None:
        if mask.any():
            cell[mask] = walk(cell[mask], field, graph.hours, budget[mask])

    # Flee: climb away from state forces (distance to the nearest column grows).
    state_cells = columns.cell[columns.active]
    if (mode == BandMode.FLEE).any():
        # Exact around the fleeing bands, as far as a day's walk and one step more can look.
        fleeing = bands.cell[mode == BandMode.FLEE]
        reach = walk_reach(graph, float(budget.max(initial=0.0))) + 1
        d_enemy = distance_near(graph, state_cells, limit=4 * params.threat_hours,
                                cells=fleeing, radius=reach)
        d_enemy = np.where(np.isfinite(d_enemy), d_enemy, 4 * params.threat_hours)
        advance(mode == BandMode.FLEE, _greedy_field(d_enemy, graph, maximise=True))
    advance(mode == BandMode.SANCTUARY, sanctuary_next)
    forage = mode == BandMode.FORAGE
    # Safe places with food: friendly villages, on the Afghan side only while the sanctuary
    # admits bands, and the sanctuary itself (it feeds bands) when it does.
    safe_village = ctx.village_forage & (ctx.sanctuary_open | ~ctx.afghan[ctx.village_cell])
    food_cells = np.unique(ctx.village_cell[safe_village])
    if ctx.sanctuary_open:
        food_cells = np.union1d(food_cells, _border_cells(ctx))
    raiding = mode == BandMode.RAID
    if raiding.any():
        target, _ = raid_targets(bands, columns, ctx, params)
        for t in np.unique(target[raiding]):
            advance(raiding & (target == t), ctx.home_field(graph, int(t)))
    # Home and forage marches go around the posts too strong for the band to raid.
    strong = strong_posts(bands, columns, params, shape=graph.shape)
    for goal_kind, sel_all in (("food", forage), ("home", mode == BandMode.HOME)):
        rows_sel = np.flatnonzero(sel_all)
        if rows_sel.size == 0:
            continue
        goals = bands.home[rows_sel] if goal_kind == "home" else np.full(rows_sel.size, -1)
        if goal_kind == "home" and not ctx.sanctuary_open:
            # A home across a closed or hostile border is no refuge: go to friends instead.
            goals = np.where(ctx.afghan[goals], -1, goals)
        keys: dict[tuple[int, bytes], list[int]] = {}
        for i, g in zip(rows_sel, goals, strict=True):
            keys.setdefault((int(g), strong[i].tobytes()), []).append(int(i))
        for (g, _), members in keys.items():
            idx = np.asarray(members, dtype=np.int64)
            avoid = strong[idx[0]]
            sources = food_cells if g < 0 else np.array([g], dtype=np.int64)
            if sources.size == 0:
                continue
            field = _detour_field(graph, sources, avoid, ctx, params)
            cell[idx] = walk(cell[idx], field, graph.hours, budget[idx])
    return dataclasses.replace(bands, cell=cell, mode=mode)


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

    return _cached(ctx, key, build)


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
    rows, cols = shape
    posted = columns.active & (columns.order == Order.HOLD) & (columns.strength > 0)
    out = np.zeros((len(bands), rows * cols), dtype=bool)
    if not posted.any() or len(bands) == 0:
        return out
    post_cells, inv = np.unique(columns.cell[posted], return_inverse=True)
    strength = np.bincount(inv, weights=columns.strength[posted])
    too_strong = bands.fighters[:, None] <= params.raid_ratio * strength[None, :]
    pr, pc = np.divmod(post_cells, cols)
    k = int(params.post_avoid_cells)
    for dr in range(-k, k + 1):
        for dc in range(-k, k + 1):
            r, c = pr + dr, pc + dc
            ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
            for j in np.flatnonzero(ok):
                out[too_strong[:, j], r[j] * cols + c[j]] = True
    return out


def _detour_field(
    graph: Graph, sources: I64, avoid: NDArray[np.bool_], ctx: MoveContext, params: MovementParams
) -> I64:
    """Next-cell field toward ``sources`` that never steps into an avoided cell.

    A unit inside the avoided zone may step to any neighbour that leads on toward the
    goal, so that it can leave the zone. Goals inside the zone are replaced by the
    nearest cells outside it (the band waits within reach of its goal); when the goal
    cannot be reached without entering the zone, the unit walks the ordinary field and
    stops at the edge of the zone.

    Returns
    -------
    ndarray of int64, shape (n_cells,)
    """
    if not avoid.any():
        if sources.size == 1:
            return ctx.home_field(graph, int(sources[0]))
        return _cached(ctx, ("plain", id(graph), sources.tobytes()),
                       lambda: distance_field(graph, sources)[1])
    key = ("detour", id(graph), sources.tobytes(), np.flatnonzero(avoid).tobytes())

    def build() -> I64:
        nbr = graph.neighbours()
        into = np.where(nbr >= 0, avoid[np.maximum(nbr, 0)], False)
        blocked = dataclasses.replace(graph, hours=np.where(into, np.inf, graph.hours))
        blocked = _with_matrix(blocked)
        goals = sources[~avoid[sources]]
        if goals.size < sources.size:
            # Goals next to a strong post: wait at the nearest cells outside its zone.
            hours, _, _ = distance_field(graph, sources)
            outside = np.flatnonzero(~avoid & np.isfinite(hours))
            if outside.size:
                near = outside[hours[outside] <= hours[outside].min() + params.march_hours]
                goals = np.unique(np.concatenate([goals, near]))
        _, det, _ = distance_field(blocked, goals)
        # Where the detour cannot reach, follow the ordinary field but stop before the zone.
        _, plain, _ = distance_field(graph, goals if goals.size else sources)
        stop = (plain >= 0) & avoid[np.maximum(plain, 0)] & ~avoid
        fallback = np.where(stop, -1, plain)
        return np.where(det >= 0, det, fallback)

    return _cached(ctx, key, build)


def _cached(
    ctx: MoveContext, key: tuple[object, ...], build: Callable[[], NDArray[Any]]
) -> NDArray[Any]:
    """Memoise a field in the caller's cache (bounded: cleared when it grows large)."""
    cache = ctx.field_cache
    if key not in cache:
        if len(cache) > 512:
            cache.clear()
        cache[key] = build()
    return cache[key]


def _with_matrix(graph: Graph) -> Graph:
    """The graph with its sparse (reversed) matrix rebuilt from ``hours``."""
    n = graph.hours.shape[0]
    nbr = graph.neighbours()
    ok = np.isfinite(graph.hours) & (nbr >= 0)
    src = np.broadcast_to(np.arange(n)[:, None], nbr.shape)[ok]
    matrix = csr_matrix((graph.hours[ok], (nbr[ok], src)), shape=(n, n))
    return dataclasses.replace(graph, matrix=matrix)


def visible_bands(
    bands: Bands,
    columns: Columns,
    *,
    shape: tuple[int, int],
    informed: NDArray[np.bool_],
    beyond_reach: NDArray[np.bool_],
    detection_cells: int,
    report_success: float = np.inf,
) -> NDArray[np.bool_]:
    """Bands the state knows where to find today.

    A band is known when a state unit stands within ``detection_cells`` of it, when
    the villages around it inform on it, or when its recent successes (towns taken,
    fights won: ``recent_success`` at least ``report_success``) have been reported and
    its trail is followed; never when it is beyond reach (across the border while
    pursuit there is not allowed).

    Parameters
    ----------
    bands, columns : Bands, Columns
    shape : (rows, cols)
    informed : ndarray of bool, shape (n_bands,)
        Villages inform on the band (intelligence below neutral).
    beyond_reach : ndarray of bool, shape (n_bands,)
    detection_cells : int
    report_success : float
        Recent success from which a band's whereabouts are reported (inf: never).

    Returns
    -------
    ndarray of bool, shape (n_bands,)
    """
    rows, cols = shape
    present = np.zeros(rows * cols)
    present[columns.cell[columns.active]] = 1.0
    width = 2 * detection_cells + 1
    seen = uniform_filter(present.reshape(rows, cols), size=width, mode="constant") > 0.5 / width**2
    reported = bands.recent_success >= report_success
    known: NDArray[np.bool_] = (
        bands.active & ~beyond_reach & (informed | reported | seen.reshape(-1)[bands.cell])
    )
    return known


def move_columns(
    columns: Columns,
    bands: Bands,
    ctx: MoveContext,
    params: MovementParams,
    *,
    rng: np.random.Generator,
    visible_bands: NDArray[np.bool_],
    switches: Mapping[str, bool] | None = None,
) -> Columns:
    """March every state unit one day according to its order.

    Parameters
    ----------
    columns, bands : Columns, Bands
    ctx : MoveContext
    params : MovementParams
    rng : numpy.random.Generator
        For patrol wandering.
    visible_bands : ndarray of bool, shape (n_bands,)
        Bands the state knows where to find (active, and not beyond the border
        unless pursuit across it is allowed).
    switches : mapping of str to bool, optional
        Doctrine in force. Without ``independent_cavalry`` (Pavlov, P23-03) cavalry is
        tied to the infantry and marches at its pace; with ``flying_columns`` (A26-17)
        pursuing columns chase further and march longer.

    Returns
    -------
    Columns
        A copy with new ``cell``.
    """
    cell = columns.cell.copy()
    active = columns.active
    goal = columns.target if ctx.column_goal is None else ctx.column_goal
    sw = switches or {}
    budget = np.full(len(columns), params.march_hours)
    # Volunteers and OGPU ride; regular cavalry rides free only under Pavlov's doctrine.
    mounted = np.isin(columns.kind, (ColumnKind.VOLUNTEER, ColumnKind.OGPU))
    if sw.get("independent_cavalry", False):
        mounted |= columns.kind == ColumnKind.CAVALRY
    pursuit_hours = params.pursuit_hours
    if sw.get("flying_columns", False):
        pursuit_hours *= params.flying_pursuit_factor
        budget[columns.order == Order.PURSUE] *= params.flying_march_factor
    graphs = ((ctx.horse_graph, mounted), (ctx.foot_graph, ~mounted))
    order = columns.order
    for graph, which in graphs:
        pursue = active & which & (order == Order.PURSUE)
        patrol = active & which & (order == Order.PATROL)
        if pursue.any():
            hours, nxt, _ = distance_field(
                graph, bands.cell[visible_bands], limit=pursuit_hours
            )
            in_range = pursue & np.isfinite(hours[cell])
            if in_range.any():
                cell[in_range] = walk(cell[in_range], nxt, graph.hours, budget[in_range])
            # No band to chase: retake the nearest town the insurgents hold, in range.
            idle = pursue & ~in_range
            if idle.any() and ctx.insurgent_towns.size:
                th, tn, _ = distance_field(graph, ctx.insurgent_towns, limit=pursuit_hours)
                retake = idle & np.isfinite(th[cell])
                if retake.any():
                    cell[retake] = walk(cell[retake], tn, graph.hours, budget[retake])
                idle &= ~retake
            # Nothing there either: a column sent to an area (a target) marches there first.
            sent = idle & (goal >= 0) & (cell != goal)
            for t in np.unique(goal[sent]):
                sel = sent & (goal == t)
                cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
            patrol = patrol | (idle & ~sent)
        if patrol.any():
            # Columns patrol around the area they were sent to, or else around home.
            base = np.where(columns.target >= 0, columns.target, columns.home)
            cell[patrol] = _patrol(cell[patrol], base[patrol], graph, params, rng=rng)
        march = active & which & ((order == Order.MARCH) | (order == Order.TAKE)) & (goal >= 0)
        for t in np.unique(goal[march]):
            sel = march & (goal == t)
            cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
        # The mobile troops of a post strike a known band at its gates that is no stronger
        # than they are; otherwise (and the day after) they walk back to their post.
        hold = active & which & (order == Order.HOLD)
        strike = _sortie_targets(columns, bands, hold, visible_bands, graph, params)
        for t in np.unique(strike[strike >= 0]):
            sel = strike == t
            cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
        back = hold & (strike < 0) & (goal >= 0) & (cell != goal)
        for t in np.unique(goal[back]):
            sel = back & (goal == t)
            cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
    # A column ordered to take a town holds it once it stands in it.
    taken = active & (order == Order.TAKE) & (columns.target >= 0) & (cell == columns.target)
    new_order = np.where(taken, Order.HOLD, order).astype(np.int64)
    return dataclasses.replace(columns, cell=cell, order=new_order)


def _sortie_targets(
    columns: Columns,
    bands: Bands,
    hold: NDArray[np.bool_],
    visible: NDArray[np.bool_],
    graph: Graph,
    params: MovementParams,
) -> I64:
    """Cell of the band each holding mobile unit sorties against today, -1 for none.

    A unit that is not a garrison and holds a post (standing at it) strikes the
    largest known band within ``sortie_cells`` (Chebyshev) of it whose fighters do not
    exceed ``sortie_ratio`` times the strength of the post's mobile units.

    Returns
    -------
    ndarray of int64, shape (n_columns,)
    """
    out = np.full(len(columns), -1, dtype=np.int64)
    units = np.flatnonzero(
        hold & (columns.kind != ColumnKind.GARRISON) & (columns.cell == columns.target)
    )
    prey = np.flatnonzero(visible & bands.active & (bands.fighters > 0))
    if units.size == 0 or prey.size == 0 or params.sortie_cells <= 0:
        return out
    cols = graph.shape[1]
    # Mobile strength of each post (all mobile units standing at it strike together).
    _, inv = np.unique(columns.cell[units], return_inverse=True)
    mobile_strength = np.bincount(inv, weights=columns.strength[units])[inv]
    ur, uc = np.divmod(columns.cell[units], cols)
    br, bc = np.divmod(bands.cell[prey], cols)
    near = (np.abs(ur[:, None] - br[None, :]) <= params.sortie_cells) & (
        np.abs(uc[:, None] - bc[None, :]) <= params.sortie_cells
    )
    weak = bands.fighters[prey][None, :] <= params.sortie_ratio * mobile_strength[:, None]
    ok = near & weak
    size = np.where(ok, bands.fighters[prey][None, :], -1.0)
    pick = np.argmax(size, axis=1)
    has = ok.any(axis=1)
    out[units[has]] = bands.cell[prey][pick[has]]
    return out


def _patrol(
    cell: I64, home: I64, graph: Graph, params: MovementParams, *, rng: np.random.Generator
) -> I64:
    """One random passable step per unit, turning back toward home beyond the patrol radius.

    Parameters
    ----------
    cell, home : ndarray of int64, shape (k,)

    Returns
    -------
    ndarray of int64, shape (k,)
    """
    cols = graph.shape[1]
    nbr = graph.neighbours()[cell]
    ok = (nbr >= 0) & np.isfinite(graph.hours[cell])
    r, c = np.divmod(cell, cols)
    hr, hc = np.divmod(home, cols)
    nr, nc = np.divmod(np.where(nbr >= 0, nbr, cell[:, None]), cols)
    far = np.abs(r - hr) + np.abs(c - hc) > params.patrol_radius_hours * params.horse_kmh / CELL_KM
    # Score: random, or distance to home when too far out.
    score = rng.random(nbr.shape)
    home_d = np.abs(nr - hr[:, None]) + np.abs(nc - hc[:, None])
    score = np.where(far[:, None], -home_d.astype(np.float64), score)
    score = np.where(ok, score, -np.inf)
    pick = np.argmax(score, axis=1)
    chosen = nbr[np.arange(cell.size), pick]
    return np.where(ok.any(axis=1), chosen, cell)
