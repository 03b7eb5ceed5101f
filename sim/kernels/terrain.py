"""Travel time over the grid: cell-edge costs in marching hours and shortest-path fields.

Movement is 4-connected between cell centres. Crossing an edge costs the
distance divided by the unit's speed, times the mean land-cover and ruggedness
multipliers of the two cells, plus a climbing penalty for the difference in mean
elevation, plus the ford or ferry time where the edge crosses a river. A river
edge without a crossing is impassable, as is any edge into a forbidden country.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.params.movement import MovementParams

__all__ = ["Graph", "build_graph", "cell_km", "cover_multiplier", "distance_field",
           "distance_near", "field_toward", "grid_neighbours", "walk_reach"]

#: Distance fields kept per graph (least recently used dropped first). Fields toward one
#: cell (homes, march targets: few per scenario) and those asked to be kept are never
#: dropped: replicates sharing the graph reuse them.
FIELD_CACHE = 32

Field = tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]

KM_PER_DEGREE = 111.2
# Neighbour offsets in the order N, E, S, W.
DIRECTIONS = ((-1, 0), (0, 1), (1, 0), (0, -1))


def cover_multiplier(land_cover: NDArray[np.uint8], p: MovementParams) -> NDArray[np.float64]:
    """Time multiplier of each cell's land cover.

    Parameters
    ----------
    land_cover : ndarray of uint8, shape (rows, cols)
        Classes of :class:`sim.geography.LandCover` (WATER=0 ... WETLAND=8).

    Returns
    -------
    ndarray of float64, shape (rows, cols)
    """
    table = np.array(
        [
            p.cover_water,
            p.cover_barren,
            p.cover_grassland,
            p.cover_shrub,
            p.cover_forest,
            p.cover_cropland,
            p.cover_town,
            p.cover_snow,
            p.cover_wetland,
        ]
    )
    return table[np.clip(land_cover.astype(np.intp), 0, len(table) - 1)]


def cell_km(rows: int, *, lat_max: float, res: float) -> tuple[float, NDArray[np.float64]]:
    """North-south cell size and east-west cell size per row, in km.

    Returns
    -------
    ns_km : float
    ew_km : ndarray of float64, shape (rows,)
    """
    lat = lat_max - (np.arange(rows) + 0.5) * res
    return res * KM_PER_DEGREE, res * KM_PER_DEGREE * np.cos(np.radians(lat))


@dataclasses.dataclass(frozen=True)
class Graph:
    """Edge costs of one kind of mover.

    Attributes
    ----------
    shape : (rows, cols)
    hours : ndarray of float64, shape (n_cells, 4)
        Hours to cross to the N, E, S, W neighbour; ``inf`` where impassable or off the map.
    matrix : scipy.sparse.csr_matrix, shape (n_cells, n_cells)
        The same costs as a sparse graph for Dijkstra.
    """

    shape: tuple[int, int]
    hours: NDArray[np.float64]
    matrix: csr_matrix
    # Caches of distance fields (see distance_field). Not init fields: a graph derived
    # with dataclasses.replace (other costs) starts with empty caches.
    _fields: OrderedDict[tuple[bytes, float], Field] = dataclasses.field(
        default_factory=OrderedDict, compare=False, repr=False, init=False)
    _kept: dict[tuple[bytes, float], Field] = dataclasses.field(
        default_factory=dict, compare=False, repr=False, init=False)
    _partial: OrderedDict[tuple[bytes, float], tuple[Field, bool]] = dataclasses.field(
        default_factory=OrderedDict, compare=False, repr=False, init=False)

    @property
    def ncols(self) -> int:
        """Columns of the grid (flat index = row * ncols + col)."""
        return self.shape[1]

    @functools.cached_property
    def cheapest(self) -> float:
        """Cost of the cheapest passable edge (``inf`` if none)."""
        finite = self.hours[np.isfinite(self.hours)]
        return float(finite.min()) if finite.size else float(np.inf)

    @functools.cached_property
    def csr(self) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:
        """``matrix``'s indptr (as int64), indices and data, as the compiled searches of
        :mod:`sim.kernels.search_compiled` take them: converted once per graph, not at
        every search."""
        m = self.matrix
        return (np.asarray(m.indptr, dtype=np.int64), m.indices,
                np.asarray(m.data, dtype=np.float64))

    def neighbours(self) -> NDArray[np.int64]:
        """Flat index of the N, E, S, W neighbour of every cell, -1 off the map.

        The table depends on the grid shape only: it is built once per shape and
        shared (read-only).

        Returns
        -------
        ndarray of int64, shape (n_cells, 4)
        """
        return grid_neighbours(self.shape)


@functools.lru_cache(maxsize=8)
def grid_neighbours(shape: tuple[int, int]) -> NDArray[np.int64]:
    """Flat index of the N, E, S, W neighbour of every cell of a grid, -1 off the map.

    Parameters
    ----------
    shape : (rows, cols)

    Returns
    -------
    ndarray of int64, shape (rows * cols, 4)
        Read-only (cached).
    """
    rows, cols = shape
    r, c = np.divmod(np.arange(rows * cols), cols)
    out = np.full((rows * cols, 4), -1, dtype=np.int64)
    for d, (dr, dc) in enumerate(DIRECTIONS):
        rr, cc = r + dr, c + dc
        ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        out[ok, d] = rr[ok] * cols + cc[ok]
    out.setflags(write=False)
    return out


def build_graph(
    *,
    elevation: NDArray[np.floating],
    ruggedness: NDArray[np.floating],
    land_cover: NDArray[np.uint8],
    river_east: NDArray[np.integer],
    river_south: NDArray[np.integer],
    crossing_east: NDArray[np.integer],
    crossing_south: NDArray[np.integer],
    lat_max: float,
    res: float,
    speed_kmh: float,
    params: MovementParams,
    forbidden: NDArray[np.bool_] | None = None,
) -> Graph:
    """Edge costs for a mover of speed ``speed_kmh``.

    Parameters
    ----------
    elevation, ruggedness : ndarray, shape (rows, cols)
        Mean elevation and in-cell spread (m).
    land_cover : ndarray of uint8, shape (rows, cols)
    river_east, river_south : ndarray, shape (rows, cols)
        Non-zero where a river runs on the edge to the east / south neighbour.
    crossing_east, crossing_south : ndarray, shape (rows, cols)
        0 none, 1 ford, 2 ferry or bridge on that edge.
    lat_max, res : float
        Northern edge and cell size of the grid, degrees.
    speed_kmh : float
        Speed on flat open ground.
    params : MovementParams
    forbidden : ndarray of bool, shape (rows, cols), optional
        Cells this mover may not enter (e.g. the Afghan side for state units).

    Returns
    -------
    Graph
    """
    rows, cols = land_cover.shape
    ns_km, ew_km = cell_km(rows, lat_max=lat_max, res=res)
    mult = cover_multiplier(land_cover, params) * (1.0 + params.ruggedness_penalty * ruggedness)
    elev = elevation.astype(np.float64)

    def edge(
        a_mult: NDArray[np.float64],
        b_mult: NDArray[np.float64],
        km: NDArray[np.float64] | float,
        climb: NDArray[np.float64],
        river: NDArray[np.integer],
        crossing: NDArray[np.integer],
    ) -> NDArray[np.float64]:
        hours = (
            km / speed_kmh * 0.5 * (a_mult + b_mult) + params.climb_penalty * np.abs(climb) / 1000.0
        )
        extra = np.where(crossing == 2, params.ferry_hours, params.ford_hours)
        hours = np.where(river > 0, np.where(crossing > 0, hours + extra, np.inf), hours)
        return np.asarray(hours, dtype=np.float64)

    east = np.full((rows, cols), np.inf)
    south = np.full((rows, cols), np.inf)
    east[:, :-1] = edge(
        mult[:, :-1],
        mult[:, 1:],
        ew_km[:, None],
        elev[:, 1:] - elev[:, :-1],
        river_east[:, :-1],
        crossing_east[:, :-1],
    )
    ns_mid = np.full((rows - 1, 1), ns_km)
    south[:-1, :] = edge(
        mult[:-1, :],
        mult[1:, :],
        ns_mid,
        elev[1:, :] - elev[:-1, :],
        river_south[:-1, :],
        crossing_south[:-1, :],
    )
    hours = np.full((rows, cols, 4), np.inf)
    hours[:, :, 1] = east
    hours[:, :, 2] = south
    hours[:, 1:, 3] = east[:, :-1]
    hours[1:, :, 0] = south[:-1, :]
    if forbidden is not None:
        # No edge may lead into a forbidden cell.
        hours[1:, :, 0] = np.where(forbidden[:-1, :], np.inf, hours[1:, :, 0])
        hours[:, :-1, 1] = np.where(forbidden[:, 1:], np.inf, hours[:, :-1, 1])
        hours[:-1, :, 2] = np.where(forbidden[1:, :], np.inf, hours[:-1, :, 2])
        hours[:, 1:, 3] = np.where(forbidden[:, :-1], np.inf, hours[:, 1:, 3])
    flat = hours.reshape(rows * cols, 4)
    graph = Graph(shape=(rows, cols), hours=flat, matrix=csr_matrix((1, 1)))
    nbr = graph.neighbours()
    ok = np.isfinite(flat) & (nbr >= 0)
    src = np.broadcast_to(np.arange(rows * cols)[:, None], nbr.shape)[ok]
    # Dijkstra's graph holds reversed edges so that fields measure travel *to* the sources.
    matrix = csr_matrix((flat[ok], (nbr[ok], src)), shape=(rows * cols, rows * cols))
    return dataclasses.replace(graph, matrix=matrix)


def distance_field(
    graph: Graph, sources: NDArray[np.int64], *, limit: float = np.inf, keep: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Travel time from every cell to the nearest source, with the first step to take.

    Parameters
    ----------
    graph : Graph
    sources : ndarray of int64, shape (k,)
        Flat cell indices (duplicates allowed).
    limit : float
        Stop searching beyond this many hours (cells further get ``inf``).
    keep : bool
        Keep the field for the graph's lifetime (fields of the static map, asked for once
        per run: replicates sharing the graph reuse them).

    Returns (read-only arrays, cached on the graph by sources and limit: the same
    posts, villages or homes are searched for on many days)
    -------
    hours : ndarray of float64, shape (n_cells,)
        Marching hours to the nearest source (``inf`` if unreachable or no source).
    next_cell : ndarray of int64, shape (n_cells,)
        The neighbour to move to on a fastest path (-1 at a source or if unreachable).
    nearest : ndarray of int64, shape (n_cells,)
        The source cell reached (-1 if none).
    """
    src = np.asarray(sources, dtype=np.int64)
    if src.size > 1 and not (src[1:] > src[:-1]).all():  # sorted and distinct already: skip
        src = np.unique(src)
    key = (src.tobytes(), float(limit))
    if keep or (src.size == 1 and limit == np.inf):
        if key not in graph._kept:
            graph._kept[key] = _frozen(_search(graph, src, limit))
        return graph._kept[key]
    cache = graph._fields
    hit = cache.get(key)
    if hit is not None:
        cache.move_to_end(key)
        return hit
    out = cache[key] = _frozen(_search(graph, src, limit))
    if len(cache) > FIELD_CACHE:
        cache.popitem(last=False)
    return out


def field_toward(
    graph: Graph, sources: NDArray[np.int64], *, cells: NDArray[np.int64],
    limit: float = np.inf,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Hours and next steps toward the nearest source, as :func:`distance_field`, exact
    at ``cells`` and along the next steps from them.

    Units standing at ``cells`` walk the field or read its hours there. Long runs
    (:func:`sim.kernels.dispatch.enabled`) search only until those cells are scanned
    (:func:`sim.kernels.search_compiled.search`: scipy's order and ties), keeping the
    partial field on the graph (least recently used dropped beyond :data:`FIELD_CACHE`)
    for the next days' units as long as they stand where it reached; otherwise, or when
    the whole field is at hand, the whole field.

    Parameters
    ----------
    graph : Graph
    sources : ndarray of int64, shape (k,)
    cells : ndarray of int64, shape (m,)
    limit : float

    Returns
    -------
    hours : ndarray of float64, shape (n_cells,)
        ``distance_field(graph, sources, limit=limit)[0]`` at ``cells`` and every cell their
        next steps lead through; ``inf`` elsewhere where the search stopped short.
    next_cell : ndarray of int64, shape (n_cells,)
        ``distance_field(...)[1]`` at the same cells (-1 elsewhere where it stopped short).
    """
    from sim.kernels import dispatch

    src = np.asarray(sources, dtype=np.int64)
    if src.size > 1 and not (src[1:] > src[:-1]).all():
        src = np.unique(src)
    key = (src.tobytes(), float(limit))
    whole = graph._kept.get(key)
    if whole is None:
        whole = graph._fields.get(key)
    if whole is not None or not dispatch.enabled() or src.size == 0:
        hours, next_cell, _ = whole if whole is not None else distance_field(graph, src,
                                                                            limit=limit)
        return hours, next_cell
    at = np.asarray(cells, dtype=np.int64)
    part = graph._partial.get(key)
    if part is not None and (part[1] or np.isfinite(part[0][0][at]).all()):
        graph._partial.move_to_end(key)
        return part[0][0], part[0][1]
    from sim.kernels import search_compiled  # numba: only once the process does enough work

    hours, next_cell, nearest, complete = search_compiled.search(
        *graph.csr, src, limit=limit, want=at)
    field = _frozen((hours, next_cell, nearest))
    graph._partial[key] = (field, complete)
    graph._partial.move_to_end(key)
    if len(graph._partial) > FIELD_CACHE:
        graph._partial.popitem(last=False)
    return hours, next_cell


def _frozen(field: Field) -> Field:
    for a in field:
        a.setflags(write=False)
    return field


def _search(graph: Graph, src: NDArray[np.int64], limit: float) -> Field:
    """Dijkstra from the sorted unique ``src`` (see :func:`distance_field`)."""
    n = graph.matrix.shape[0]
    if src.size == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    dist, pred, nearest = dijkstra(
        graph.matrix,
        directed=True,
        indices=src,
        min_only=True,
        return_predecessors=True,
        limit=limit,
    )
    # The graph is reversed (edge b->a carries the cost a->b), so the predecessor of a
    # cell on the tree rooted at the sources is the next cell toward them.
    next_cell = np.where(pred < 0, -1, pred).astype(np.int64)
    return dist.astype(np.float64), next_cell, np.where(nearest < 0, -1, nearest).astype(np.int64)


def walk_reach(graph: Graph, budget: float, *, max_edges: int | None = None) -> int:
    """Most edges a walk with ``budget`` marching hours can take on ``graph`` in a day.

    The first edge is always taken; every further one costs at least the cheapest edge
    of the graph (see :func:`sim.kernels.movement.walk`). ``max_edges`` caps the answer
    as it caps the walk (default: the number of cells, which no walk exceeds).
    """
    if max_edges is None:
        max_edges = graph.hours.shape[0]
    cheapest = graph.cheapest
    if cheapest == np.inf:
        return 0
    if cheapest <= 0.0:
        return max_edges
    return int(min(max_edges, 1 + np.floor(budget / cheapest)))


def distance_near(
    graph: Graph, sources: NDArray[np.int64], *, limit: float, cells: NDArray[np.int64],
    radius: int,
) -> NDArray[np.float64]:
    """Hours to the nearest source (as :func:`distance_field`), exact only near ``cells``.

    A search that stops once every cell within Chebyshev ``radius`` of ``cells`` is
    settled: a few bands fleeing columns need the distance field around themselves, not
    over the whole map.

    Parameters
    ----------
    graph : Graph
    sources : ndarray of int64, shape (k,)
    limit : float
    cells : ndarray of int64, shape (m,)
    radius : int

    Returns
    -------
    ndarray of float64, shape (n_cells,)
        Equal to ``distance_field(graph, sources, limit=limit)[0]`` within ``radius`` of
        ``cells``; elsewhere at least that (possibly ``inf``).
    """
    from sim.kernels import dispatch

    src = np.unique(np.asarray(sources, dtype=np.int64))
    if not dispatch.enabled() or src.size == 0:
        return distance_field(graph, src, limit=limit)[0]
    from sim.kernels import search_compiled  # numba: only once the process does enough work

    rows, cols = graph.shape
    r, c = np.divmod(np.asarray(cells, dtype=np.int64), cols)
    boxes = np.stack([np.maximum(r - radius, 0), np.minimum(r + radius, rows - 1),
                      np.maximum(c - radius, 0), np.minimum(c + radius, cols - 1)], axis=1)
    cheapest = graph.cheapest if np.isfinite(graph.cheapest) else 0.0
    return search_compiled.distances_near(*graph.csr, src, limit=limit,
                                          boxes=boxes, ncols=cols, cheapest=cheapest)
