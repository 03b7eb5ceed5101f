"""Column decisions: which bands the state knows where to find, and each state unit's
day's march under its order (hold and sortie, patrol, pursue, march, take)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from sim.kernels import dispatch
from sim.kernels.movement.context import CELL_KM, I64, MoveContext
from sim.kernels.movement.paths import toward, walk
from sim.kernels.movement.window import box_mean_of
from sim.kernels.terrain import Graph, field_toward
from sim.params.movement import MovementParams
from sim.state import Bands, ColumnKind, Columns, Order, replace


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
    if not bands.active.any():  # nothing to know: skip the window
        return np.zeros(len(bands), dtype=bool)
    width = 2 * detection_cells + 1
    seen = box_mean_of(columns.cell[columns.active], None, shape, width, bands.cell) > 0.5 / width**2
    reported = bands.recent_success >= report_success
    known: NDArray[np.bool_] = bands.active & ~beyond_reach & (informed | reported | seen)
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
    kind = columns.kind
    mounted = (kind == ColumnKind.VOLUNTEER) | (kind == ColumnKind.OGPU)
    if sw.get("independent_cavalry", False):
        mounted |= columns.kind == ColumnKind.CAVALRY
    pursuit_hours = params.pursuit_hours
    if sw.get("flying_columns", False):
        pursuit_hours *= params.flying_pursuit_factor
        budget[columns.order == Order.PURSUE] *= params.flying_march_factor
    graphs = ((ctx.horse_graph, mounted), (ctx.foot_graph, ~mounted))
    if dispatch.enabled() and not ctx.insurgent_towns.size and not visible_bands.any():
        # Nothing to chase or retake (four days in five of a long campaign): the same
        # marches planned in one compiled pass over the units instead of the masks below.
        return _quiet_day(columns, cell, goal, mounted, budget, ctx, params, rng=rng)
    order = columns.order
    live = np.where(active, order, -1)  # orders of the active units
    pursue_all = live == Order.PURSUE
    patrol_all = live == Order.PATROL
    hold_all = live == Order.HOLD
    take_all = live == Order.TAKE
    # Where each unit walks toward a cell today (-1: nowhere). The units marching to a
    # cell (sent, march, sortie, back to the post) are disjoint and each walks its own
    # budget: they walk once per distinct cell, after the chase and the patrol, and only
    # those not yet there. Units marching, holding or sent to an area walk to their goal
    # from where they stand (nothing moves them before).
    to_goal = np.where((goal >= 0) & (cell != goal), goal, -1)
    marching = (live == Order.MARCH) | take_all | hold_all
    # The mobile troops of a post strike a known band at its gates that is no stronger
    # than they are; otherwise (and the day after) they walk back to their post.
    sortie = (params.sortie_cells > 0 and bool(hold_all.any())
              and bool((visible_bands & bands.active & (bands.fighters > 0)).any()))
    seen = bool(visible_bands.any())
    for graph, which in graphs:
        pursue = pursue_all & which
        patrol = patrol_all & which
        walking = marching & which
        if pursue.any():
            in_range = _chase(cell, columns, bands, pursue, visible_bands, graph, budget,
                              limit=pursuit_hours, ratio=params.pursue_ratio) if seen else None
            # No band to chase: retake the nearest town the insurgents hold, in range.
            idle = pursue if in_range is None else pursue & ~in_range
            if ctx.insurgent_towns.size and idle.any():
                th, tn = field_toward(graph, ctx.insurgent_towns, limit=pursuit_hours,
                                      cells=cell[idle])
                retake = idle & np.isfinite(th[cell])
                if retake.any():
                    cell[retake] = walk(cell[retake], tn, graph.hours, budget[retake])
                idle &= ~retake
            # Nothing there either: a column sent to an area (a target) marches there first.
            sent = idle & (to_goal >= 0)
            walking |= sent
            patrol |= idle & ~sent
        if patrol.any():
            # Columns patrol around the area they were sent to, or else around home.
            base = np.where(columns.target >= 0, columns.target, columns.home)
            cell[patrol] = _patrol(cell[patrol], base[patrol], graph, params, rng=rng)
        dest = np.where(walking, to_goal, -1)
        if sortie:
            strike = _sortie_targets(columns, bands, hold_all & which, visible_bands, graph,
                                     params)
            # A unit standing at its cell stays there (the field's next step there is none).
            dest = np.where(strike >= 0, np.where(strike == cell, -1, strike), dest)
        for t in _distinct(dest[dest >= 0]):
            sel = dest == t
            cell[sel] = walk(cell[sel], toward(ctx, graph, t, cell[sel]), graph.hours, budget[sel])
    # A column ordered to take a town holds it once it stands in it.
    taken = take_all & (columns.target >= 0) & (cell == columns.target)
    new_order = np.where(taken, Order.HOLD, order).astype(np.int64) if taken.any() \
        else order.astype(np.int64)
    return replace(columns, cell=cell, order=new_order)


def _quiet_day(columns: Columns, cell: I64, goal: I64, mounted: NDArray[np.bool_],
               budget: NDArray[np.float64], ctx: MoveContext, params: MovementParams, *,
               rng: np.random.Generator) -> Columns:
    """:func:`move_columns` on a day no band is known and the insurgents hold no town, from
    :func:`sim.kernels.movement_compiled.column_plan` (the same patrols, from the same
    draws, and marches; ``cell`` is updated in place)."""
    from sim.kernels import movement_compiled  # numba: only once the process does enough work

    plan = movement_compiled.column_plan(columns.active, columns.order, goal, cell, mounted,
                                         columns.target, columns.home, codes=_ORDER_CODES)
    for g, graph in enumerate((ctx.horse_graph, ctx.foot_graph)):
        rows = plan.patrol[g]
        if rows.size:
            cell[rows] = _patrol(cell[rows], plan.patrol_around[g], graph, params, rng=rng)
        rows, to = plan.walk[g], plan.walk_to[g]
        for t in _distinct(to):
            sel = rows[to == t]
            cell[sel] = walk(cell[sel], toward(ctx, graph, t, cell[sel]), graph.hours, budget[sel])
    new_order = columns.order.astype(np.int64)
    for rows, town in zip(plan.take, plan.take_town, strict=True):
        if rows.size:  # a column ordered to take a town holds it once it stands in it
            new_order[rows[cell[rows] == town]] = Order.HOLD
    return replace(columns, cell=cell, order=new_order)


#: The orders as :func:`sim.kernels.movement_compiled.column_plan` takes them.
_ORDER_CODES = np.array([Order.HOLD, Order.PATROL, Order.PURSUE, Order.MARCH, Order.TAKE],
                        dtype=np.int64)


def _distinct(cells: I64) -> list[int]:
    """The distinct values of ``cells`` in increasing order (``np.unique``, cheap when empty)."""
    if cells.size == 0:
        return []
    if cells.size == 1:
        return [int(cells[0])]
    out: list[int] = np.unique(cells).tolist()
    return out


def _chase(
    cell: I64,
    columns: Columns,
    bands: Bands,
    pursue: NDArray[np.bool_],
    visible: NDArray[np.bool_],
    graph: Graph,
    budget: NDArray[np.float64],
    *,
    limit: float,
    ratio: float,
) -> NDArray[np.bool_]:
    """Pursuing columns march toward the nearest known band they can take on (in place).

    A column chases only bands of at most ``ratio`` times its own strength within
    ``limit`` marching hours; ``cell`` is updated for those that march.

    Returns
    -------
    ndarray of bool, shape (n_columns,)
        The pursuing columns that had such a band in range.
    """
    in_range = np.zeros(len(columns), dtype=bool)
    rows = np.flatnonzero(pursue)
    vis = np.flatnonzero(visible)
    if rows.size == 0 or vis.size == 0:
        return in_range
    # The prey of a column is a prefix of the known bands sorted by size.
    by_size = vis[np.argsort(bands.fighters[vis], kind="stable")]
    prey = np.searchsorted(bands.fighters[by_size], ratio * columns.strength[rows], side="right")
    for k in np.unique(prey[prey > 0]):
        sel = rows[prey == k]
        hours, nxt = field_toward(graph, bands.cell[by_size[:k]], limit=limit, cells=cell[sel])
        sel = sel[np.isfinite(hours[cell[sel]])]
        if sel.size:
            cell[sel] = walk(cell[sel], nxt, graph.hours, budget[sel])
            in_range[sel] = True
    return in_range


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
    prey = np.flatnonzero(visible & bands.active & (bands.fighters > 0))
    if prey.size == 0 or params.sortie_cells <= 0:
        return out
    units = np.flatnonzero(
        hold & (columns.kind != ColumnKind.GARRISON) & (columns.cell == columns.target)
    )
    if units.size == 0:
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
    radius = params.patrol_radius_hours * params.horse_kmh / CELL_KM
    table = graph.neighbours()
    draws = rng.random((cell.size, table.shape[1]))
    if dispatch.enabled():  # the same step unit by unit (compiled)
        from sim.kernels import movement_compiled  # numba: only once the process does enough work

        return movement_compiled.patrol_step(cell, home, table, graph.hours, ncols=cols,
                                             radius=radius, draws=draws)
    nbr = table[cell]
    ok = (nbr >= 0) & np.isfinite(graph.hours[cell])
    r, c = np.divmod(cell, cols)
    hr, hc = np.divmod(home, cols)
    nr, nc = np.divmod(np.where(nbr >= 0, nbr, cell[:, None]), cols)
    far = np.abs(r - hr) + np.abs(c - hc) > radius
    # Score: random, or distance to home when too far out.
    score = draws
    home_d = np.abs(nr - hr[:, None]) + np.abs(nc - hc[:, None])
    score = np.where(far[:, None], -home_d.astype(np.float64), score)
    score = np.where(ok, score, -np.inf)
    pick = np.argmax(score, axis=1)
    chosen = nbr[np.arange(cell.size), pick]
    return np.where(ok.any(axis=1), chosen, cell)
