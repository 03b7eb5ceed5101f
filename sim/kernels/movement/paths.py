"""Path helpers shared by bands and columns: walking a next-cell field within a day's
budget, greedy and detour fields, and the cache of fields kept across days."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from sim.kernels import dispatch
from sim.kernels.movement.context import F64, I64, MoveContext
from sim.kernels.terrain import Graph, distance_field, field_toward
from sim.params.movement import MovementParams

#: Next step in a field searched only part of the way (:func:`detour_field`) where the
#: search stopped short: no walk from the cells it was searched for reads it (and a walk
#: stops at any negative next step).
UNSEARCHED = -2


def walk(
    cell: I64,
    next_cell: I64,
    hours: F64,
    budget: F64,
    *,
    max_edges: int | None = None,
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
    max_edges : int, optional
        Safety bound on the number of edges walked in a day. Default: the number of
        cells. A next-cell field (a shortest-path tree, or a greedy field that strictly
        improves its values) has no cycle, so a walk along it passes each cell at most
        once and this bound never cuts it short: it only guards against a malformed
        field. How far a unit gets is set by its budget and the edge costs alone.

    Returns
    -------
    ndarray of int64, shape (n,)
        End cells. A unit always takes its first edge if it has one to take.

    Long runs walk a shared field unit by unit in compiled code
    (:func:`sim.kernels.movement_compiled.walk`, same end cells).
    """
    if next_cell.ndim == 1 and dispatch.enabled():
        from sim.kernels import movement_compiled  # numba: only once the process does enough work

        return movement_compiled.walk(cell, next_cell, hours, budget,
                                    max_edges=hours.shape[0] if max_edges is None else max_edges)
    cell = cell.copy()
    left = budget.astype(np.float64).copy()
    first = np.ones(cell.shape, dtype=bool)
    ncols_guess = hours.shape[0]
    for _ in range(hours.shape[0] if max_edges is None else max_edges):
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


def toward(ctx: MoveContext, graph: Graph, goal: int, cells: I64) -> I64:
    """Next steps toward ``goal`` for units at ``cells``: the context's whole field, or in
    long runs the same steps searched only as far as those units (see
    :func:`sim.kernels.terrain.field_toward`)."""
    if dispatch.enabled():
        return field_toward(graph, np.array([goal], dtype=np.int64), cells=cells)[1]
    return ctx.home_field(graph, goal)


def greedy_field(values: F64, graph: Graph, *, maximise: bool,
                 near: tuple[I64, int] | None = None) -> I64:
    """Next-cell field that steps to the passable neighbour with the best value.

    Parameters
    ----------
    values : ndarray of float64, shape (n_cells,)
    near : (cells, radius), optional
        Compute the field only within Chebyshev ``radius`` of these cells (-1
        elsewhere): a walk of at most ``radius`` edges from them reads nothing else.

    Returns
    -------
    ndarray of int64, shape (n_cells,)
        Neighbour improving ``values`` most, or -1 where none improves it.
    """
    nbr_all = graph.neighbours()
    if near is None:
        rows = np.arange(values.size)
    else:
        cells, radius = near
        n_rows, n_cols = graph.shape
        mask = np.zeros((n_rows, n_cols), dtype=bool)
        r, c = np.divmod(np.asarray(cells, dtype=np.int64), n_cols)
        for rr, cc in zip(r.tolist(), c.tolist(), strict=True):
            mask[max(rr - radius, 0):rr + radius + 1, max(cc - radius, 0):cc + radius + 1] = True
        rows = np.flatnonzero(mask)
    nbr = nbr_all[rows]
    ok = (nbr >= 0) & np.isfinite(graph.hours[rows])
    vals = np.where(ok, values[np.where(nbr >= 0, nbr, 0)], -np.inf if maximise else np.inf)
    best = np.argmax(vals, axis=1) if maximise else np.argmin(vals, axis=1)
    at = np.arange(rows.size)
    best_val = vals[at, best]
    here = values[rows]
    better = best_val > here if maximise else best_val < here
    out = np.full(values.size, -1, dtype=np.int64)
    out[rows] = np.where(better, nbr[at, best], -1)
    return out


def detour_field(
    graph: Graph, sources: I64, avoid: NDArray[np.bool_], ctx: MoveContext, params: MovementParams,
    *, cells: I64 | None = None,
) -> I64:
    """Next-cell field toward ``sources`` that never steps into an avoided cell.

    A unit inside the avoided zone may step to any neighbour that leads on toward the
    goal, so that it can leave the zone. Goals inside the zone are replaced by the
    nearest cells outside it (the band waits within reach of its goal); when the goal
    cannot be reached without entering the zone, the unit walks the ordinary field and
    stops at the edge of the zone.

    Parameters
    ----------
    graph : Graph
    sources : ndarray of int64, shape (k,)
        Sorted distinct goal cells.
    avoid : ndarray of bool, shape (n_cells,)
    ctx : MoveContext
        Its ``field_cache`` keeps the field.
    params : MovementParams
    cells : ndarray of int64, shape (m,), optional
        Cells of the units about to walk the field. Long runs
        (:func:`sim.kernels.dispatch.enabled`) then search the detour only until these
        are scanned (scipy's order and ties, :func:`sim.kernels.search_compiled.search`):
        the field is the whole one at them and along every walk from them, and
        :data:`UNSEARCHED` where the search stopped short, which no such walk reads. A
        kept field is searched again when later units stand where it stopped short.

    Returns
    -------
    ndarray of int64, shape (n_cells,)
    """
    if not avoid.any():
        if sources.size == 1:
            return ctx.home_field(graph, int(sources[0]))
        return cached(ctx, ("plain", id(graph), sources.tobytes()),
                       lambda: distance_field(graph, sources)[1])
    at = cells if cells is not None and dispatch.enabled() else None
    key = ("detour" if at is None else "detour, part", id(graph), sources.tobytes(),
           np.flatnonzero(avoid).tobytes())

    def build() -> I64:
        goals = sources[~avoid[sources]]
        if goals.size < sources.size:
            # Goals next to a strong post: wait at the nearest cells outside its zone.
            hours, _, _ = distance_field(graph, sources)
            outside = np.flatnonzero(~avoid & np.isfinite(hours))
            if outside.size:
                near = outside[hours[outside] <= hours[outside].min() + params.march_hours]
                goals = np.unique(np.concatenate([goals, near]))
        if dispatch.enabled():
            # The same search on the graph's own matrix, not passing through the zone
            # (its rows emptied: what the matrix of the blocked costs below holds).
            from sim.kernels import search_compiled  # numba: only once the process does enough work

            if goals.size > 1 and not (goals[1:] > goals[:-1]).all():  # sorted distinct: as is
                goals = np.unique(goals)
            dist, det, _, complete = search_compiled.search(*graph.csr, goals,
                                                            want=at, blocked=avoid)
            if not complete:  # every unit's cell scanned: its walk reads nothing else
                return np.where(np.isfinite(dist), det, UNSEARCHED)
        else:
            nbr = graph.neighbours()
            into = np.where(nbr >= 0, avoid[np.maximum(nbr, 0)], False)
            blocked = with_matrix(dataclasses.replace(graph, hours=np.where(into, np.inf,
                                                                            graph.hours)))
            _, det, _ = distance_field(blocked, goals)
        # Where the detour cannot reach, follow the ordinary field but stop before the zone.
        _, plain, _ = distance_field(graph, goals if goals.size else sources)
        stop = (plain >= 0) & avoid[np.maximum(plain, 0)] & ~avoid
        fallback = np.where(stop, -1, plain)
        return np.where(det >= 0, det, fallback)

    return cached(ctx, key, build, cells=at)


def cached(
    ctx: MoveContext, key: tuple[object, ...], build: Callable[[], NDArray[Any]], *,
    cells: I64 | None = None,
) -> NDArray[Any]:
    """Memoise a field in the caller's cache (bounded: cleared when it grows large).

    With ``cells``, the field is a next-cell field that may have been searched only part
    of the way (:data:`UNSEARCHED` elsewhere, see :func:`detour_field`): a kept one is
    built again when one of ``cells`` lies where its search stopped short."""
    cache = ctx.field_cache
    hit = cache.get(key)
    if hit is not None and (cells is None or not (hit[cells] == UNSEARCHED).any()):
        return hit
    if len(cache) > 512:
        cache.clear()
    field = cache[key] = build()
    return field


def with_matrix(graph: Graph) -> Graph:
    """The graph with its sparse (reversed) matrix rebuilt from ``hours``."""
    n = graph.hours.shape[0]
    nbr = graph.neighbours()
    ok = np.isfinite(graph.hours) & (nbr >= 0)
    src = np.broadcast_to(np.arange(n)[:, None], nbr.shape)[ok]
    matrix = csr_matrix((graph.hours[ok], (nbr[ok], src)), shape=(n, n))
    return dataclasses.replace(graph, matrix=matrix)
