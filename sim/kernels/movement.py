"""Movement: where bands and columns choose to go, and how far a day's march takes them.

Decisions are vectorised over all units. Each unit gets a goal field (a "next
cell" array from a shortest-path search toward a set of goal cells, or a local
rule) and walks it edge by edge while its daily budget of marching hours lasts;
a unit always completes at least one edge per day if it has somewhere to go, so
that steep edges slow it down without trapping it.

Band choices, in priority order: flee stronger state forces within reach; head
for the sanctuary when demoralised and the Afghan side admits bands; forage at
supporting villages when hungry; raid a weak garrison within reach; otherwise
return to the home base. Column orders: HOLD stays at its post, PATROL wanders
around home, PURSUE chases the nearest band within pursuit range (patrolling
otherwise), MARCH walks to its target.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from sim.kernels.terrain import Graph, distance_field
from sim.params.movement import MovementParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order

__all__ = [
    "MoveContext",
    "choose_band_modes",
    "move_bands",
    "move_columns",
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
    """

    band_graph: Graph
    horse_graph: Graph
    foot_graph: Graph
    afghan: NDArray[np.bool_]
    sanctuary_open: bool
    village_cell: I64
    village_forage: NDArray[np.bool_]
    home_field: Callable[[Graph, int], I64]


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


def choose_band_modes(
    bands: Bands,
    columns: Columns,
    ctx: MoveContext,
    params: MovementParams,
    *,
    garrison_dist: tuple[F64, I64, I64],
) -> I64:
    """Today's :class:`BandMode` of every band (HOLD for inactive rows).

    Parameters
    ----------
    bands, columns : Bands, Columns
    ctx : MoveContext
    params : MovementParams
    garrison_dist : (hours, next_cell, nearest)
        Distance field to state posts (holding columns), from :func:`distance_field`.

    Returns
    -------
    ndarray of int64, shape (n_bands,)
    """
    rows, cols = ctx.band_graph.shape
    n_cells = rows * cols
    mobile = columns.active & (columns.order != Order.HOLD)
    posted = columns.active & (columns.order == Order.HOLD)
    state = np.bincount(columns.cell[mobile], weights=columns.strength[mobile], minlength=n_cells).astype(np.float64)
    posts = np.bincount(columns.cell[posted], weights=columns.strength[posted], minlength=n_cells).astype(np.float64)
    # Mobile state strength within threat range, approximated by a square window of cells
    # whose half-width is the distance a horseman covers in ``threat_hours`` over typical
    # broken ground (half the flat-ground speed), in cells of about 5 km. Posts that hold
    # threaten only a band next to them (a 3 x 3 window): bands avoid them, not flee them.
    radius = max(1, int(round(params.threat_hours * params.horse_kmh * 0.5 / CELL_KM)))
    width = 2 * radius + 1
    threat = uniform_filter(state.reshape(rows, cols), size=width, mode="constant") * width * width
    near_posts = uniform_filter(posts.reshape(rows, cols), size=3, mode="constant") * 9
    threat_at = threat.reshape(-1)[bands.cell]
    posts_at = near_posts.reshape(-1)[bands.cell]

    mode = np.full(len(bands), BandMode.HOME, dtype=np.int64)
    hours_g, _, nearest_g = garrison_dist
    garrison_strength = np.bincount(
        columns.cell[columns.active & (columns.order == Order.HOLD)],
        weights=columns.strength[columns.active & (columns.order == Order.HOLD)],
        minlength=n_cells,
    )
    target = nearest_g[bands.cell]
    raid = (
        (target >= 0)
        & (hours_g[bands.cell] <= params.raid_hours)
        & (bands.fighters > params.raid_ratio * garrison_strength[np.maximum(target, 0)])
    )
    mode[raid] = BandMode.RAID
    # Next to a post too strong to raid, a band goes no further and waits (it does not
    # flee a force that will not follow it).
    mode[(mode == BandMode.HOME) & (posts_at > params.flee_ratio * bands.fighters)] = BandMode.HOLD
    mode[bands.hunger >= params.hunger_forage] = BandMode.FORAGE
    in_afghan = ctx.afghan[bands.cell]
    to_sanctuary = ctx.sanctuary_open & (bands.morale < params.sanctuary_morale)
    mode[to_sanctuary] = BandMode.SANCTUARY
    mode[to_sanctuary & in_afghan] = BandMode.HOLD
    flee = threat_at > params.flee_ratio * bands.fighters
    mode[flee] = BandMode.FLEE
    mode[~bands.active] = BandMode.HOLD
    return mode


def move_bands(
    bands: Bands,
    columns: Columns,
    ctx: MoveContext,
    params: MovementParams,
    *,
    garrison_dist: tuple[F64, I64, I64],
    sanctuary_next: I64,
) -> Bands:
    """Choose each band's mode and march it one day.

    Returns
    -------
    Bands
        A copy with new ``cell`` and ``mode``.
    """
    graph = ctx.band_graph
    mode = choose_band_modes(bands, columns, ctx, params, garrison_dist=garrison_dist)
    cell = bands.cell.copy()
    budget = np.full(len(bands), params.march_hours)

    def advance(mask: NDArray[np.bool_], field: I64) -> None:
        if mask.any():
            cell[mask] = walk(cell[mask], field, graph.hours, budget[mask])

    # Flee: climb away from state forces (distance to the nearest column grows).
    state_cells = columns.cell[columns.active]
    if (mode == BandMode.FLEE).any():
        d_enemy, _, _ = distance_field(graph, state_cells, limit=4 * params.threat_hours)
        d_enemy = np.where(np.isfinite(d_enemy), d_enemy, 4 * params.threat_hours)
        advance(mode == BandMode.FLEE, _greedy_field(d_enemy, graph, maximise=True))
    advance(mode == BandMode.SANCTUARY, sanctuary_next)
    forage = mode == BandMode.FORAGE
    if forage.any():
        _, next_food, _ = distance_field(graph, ctx.village_cell[ctx.village_forage])
        advance(forage, next_food)
    advance(mode == BandMode.RAID, garrison_dist[1])
    home = mode == BandMode.HOME
    for h in np.unique(bands.home[home]):
        sel = home & (bands.home == h)
        advance(sel, ctx.home_field(graph, int(h)))
    return dataclasses.replace(bands, cell=cell, mode=mode)


def visible_bands(
    bands: Bands,
    columns: Columns,
    *,
    shape: tuple[int, int],
    informed: NDArray[np.bool_],
    beyond_reach: NDArray[np.bool_],
    detection_cells: int,
) -> NDArray[np.bool_]:
    """Bands the state knows where to find today.

    A band is known when a state unit stands within ``detection_cells`` of it or when
    the villages around it inform on it; never when it is beyond reach (across the
    border while pursuit there is not allowed).

    Parameters
    ----------
    bands, columns : Bands, Columns
    shape : (rows, cols)
    informed : ndarray of bool, shape (n_bands,)
        Villages inform on the band (intelligence below neutral).
    beyond_reach : ndarray of bool, shape (n_bands,)
    detection_cells : int

    Returns
    -------
    ndarray of bool, shape (n_bands,)
    """
    rows, cols = shape
    present = np.zeros(rows * cols)
    present[columns.cell[columns.active]] = 1.0
    width = 2 * detection_cells + 1
    seen = uniform_filter(present.reshape(rows, cols), size=width, mode="constant") > 0.5 / width**2
    known: NDArray[np.bool_] = bands.active & ~beyond_reach & (informed | seen.reshape(-1)[bands.cell])
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
            patrol = patrol | (pursue & ~in_range)
        if patrol.any():
            cell[patrol] = _patrol(cell[patrol], columns.home[patrol], graph, params, rng=rng)
        march = active & which & (order == Order.MARCH) & (columns.target >= 0)
        for t in np.unique(columns.target[march]):
            sel = march & (columns.target == t)
            cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
        back = (
            active
            & which
            & (order == Order.HOLD)
            & (columns.target >= 0)
            & (cell != columns.target)
        )
        for t in np.unique(columns.target[back]):
            sel = back & (columns.target == t)
            cell[sel] = walk(cell[sel], ctx.home_field(graph, int(t)), graph.hours, budget[sel])
    return dataclasses.replace(columns, cell=cell)


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
    far = np.abs(r - hr) + np.abs(c - hc) > params.patrol_radius_hours * params.horse_kmh / 5.0
    # Score: random, or distance to home when too far out.
    score = rng.random(nbr.shape)
    home_d = np.abs(nr - hr[:, None]) + np.abs(nc - hc[:, None])
    score = np.where(far[:, None], -home_d.astype(np.float64), score)
    score = np.where(ok, score, -np.inf)
    pick = np.argmax(score, axis=1)
    chosen = nbr[np.arange(cell.size), pick]
    return np.where(ok.any(axis=1), chosen, cell)
