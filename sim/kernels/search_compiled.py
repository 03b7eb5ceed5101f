"""Compiled (numba) shortest-path searches that stop early, with scipy's answers.

:func:`sim.kernels.terrain.distance_field` asks ``scipy.sparse.csgraph.dijkstra`` for a
whole-map field even when a handful of units will read it near themselves. scipy's
Dijkstra (``min_only``, since 1.15 on a ``std::priority_queue`` of ``(-distance, node)``
with stale entries skipped) scans nodes in increasing distance and, among equally near
ones, the highest node first; a node's next step and nearest source are those of the
first scanned neighbour that strictly shortened it. The search here keeps the same order
(a binary heap on the same pair) and the same rule, so it gives the same distances, next
steps and nearest sources, ties included (``tests/test_search_compiled.py`` checks it
against scipy). Stopping it after a prefix of that order leaves every node scanned so far
with exactly the answers of the full search. That makes a partial field safe to walk: a
unit follows next steps through nodes nearer the goal than itself, all scanned before it.

- :func:`search` -- distances, next steps and nearest sources, stopping once every
  ``want``-ed node is scanned (or nothing is left within ``limit``);
- :func:`distances_near` -- distances only, exact at the nodes of a few boxes, never
  pushing a node from which no box can be reached within ``limit`` (grid steps to the
  nearest box times the cheapest edge bound the hours still to go). Distances do not
  depend on the order of ties, so this one may leave nodes out;
- :func:`raid_choice` -- the post each band would raid, one bounded search per post;
- :func:`flee_walk` -- fleeing bands' climbs, the search run on as far as their steps read.

Walks along a given field and window means are in :mod:`sim.kernels.movement_compiled`.

The scipy path (:func:`sim.kernels.terrain.distance_field`) stays the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.kernels.jit import inline, jit

__all__ = ["distances_near", "flee_walk", "raid_choice", "search"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@inline
def _before(d1: float, v1: int, d2: float, v2: int) -> bool:
    """Scan order: nearer first; among equally near nodes the higher one first."""
    return d1 < d2 or (d1 == d2 and v1 > v2)


@inline
def _push(heap_d: F64, heap_v: I64, size: int, d: float, v: int) -> int:
    i = size
    heap_d[i] = d
    heap_v[i] = v
    while i > 0:
        p = (i - 1) // 2
        if not _before(heap_d[i], heap_v[i], heap_d[p], heap_v[p]):
            break
        heap_d[p], heap_d[i] = heap_d[i], heap_d[p]
        heap_v[p], heap_v[i] = heap_v[i], heap_v[p]
        i = p
    return size + 1


@inline
def _pop(heap_d: F64, heap_v: I64, size: int) -> int:
    size -= 1
    heap_d[0] = heap_d[size]
    heap_v[0] = heap_v[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and _before(heap_d[c + 1], heap_v[c + 1], heap_d[c], heap_v[c]):
            c += 1
        if not _before(heap_d[c], heap_v[c], heap_d[i], heap_v[i]):
            break
        heap_d[c], heap_d[i] = heap_d[i], heap_d[c]
        heap_v[c], heap_v[i] = heap_v[i], heap_v[c]
        i = c
    return size


@inline
def _seeded(indices: NDArray[np.int32], sources: I64, tent: F64) -> tuple[F64, I64, int]:
    """A heap large enough for every push of a search, holding each source once at
    distance 0 (``tent`` set to 0 there; it must be inf, or 0 for a repeated source)."""
    cap = indices.size + sources.size + 1
    heap_d = np.empty(cap)
    heap_v = np.empty(cap, dtype=np.int64)
    size = 0
    for s in sources:
        if tent[s] > 0.0:
            tent[s] = 0.0
            size = _push(heap_d, heap_v, size, 0.0, s)
    return heap_d, heap_v, size


@jit
def _dijkstra(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64,
              limit: float, want: NDArray[np.bool_], n_want: int, dist: F64, pred: I64,
              nearest: I64, blocked: NDArray[np.bool_]) -> bool:
    """Fill ``dist`` (inf where not scanned), ``pred`` and ``nearest`` (-1 where not
    scanned; ``pred`` -1 at sources), stopping once ``n_want`` nodes flagged in ``want``
    are scanned (never if ``n_want`` < 0); the edges of ``blocked`` nodes are not
    followed. Returns whether nothing was left to scan."""
    n = dist.size
    done = np.zeros(n, dtype=np.bool_)
    tent = np.full(n, np.inf)
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
        nearest[i] = -1
    heap_d, heap_v, size = _seeded(indices, sources, tent)
    for s in sources:
        nearest[s] = s
    remaining = n_want
    while size > 0:
        d = heap_d[0]
        v = heap_v[0]
        size = _pop(heap_d, heap_v, size)
        if done[v] or d > tent[v]:
            continue  # a stale entry
        done[v] = True
        dist[v] = d
        sv = nearest[v]
        for j in range(indptr[v], indptr[v] if blocked[v] else indptr[v + 1]):
            u = indices[j]
            if done[u]:
                continue
            nv = d + weights[j]
            if nv <= limit and nv < tent[u]:
                tent[u] = nv
                pred[u] = v
                nearest[u] = sv
                size = _push(heap_d, heap_v, size, nv, u)
        if want[v]:
            remaining -= 1
            if remaining == 0:
                break
    complete = True
    for i in range(n):  # reached but not scanned: tentative, not part of the answer
        if not done[i] and tent[i] < np.inf:
            pred[i] = -1
            nearest[i] = -1
            complete = False
    return complete


def search(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64, *,
           limit: float = np.inf, want: I64 | None = None,
           blocked: NDArray[np.bool_] | None = None) -> tuple[F64, I64, I64, bool]:
    """Multi-source Dijkstra toward ``sources`` on a CSR graph, as scipy runs it, stopped
    once every node of ``want`` is scanned.

    Parameters
    ----------
    indptr, indices, weights : CSR arrays, shape (n + 1,), (m,), (m,)
        As :class:`sim.kernels.terrain.Graph` holds them (reversed edges).
    sources : ndarray of int64, shape (k,)
    limit : float
        Nodes further than this are never reached.
    want : ndarray of int64, shape (w,), optional
        Nodes to scan before stopping (None: run to the end).
    blocked : ndarray of bool, shape (n,), optional
        Nodes reached but not passed through: the search on the graph with their rows
        emptied (for the reversed band graph: no step *into* them, as
        :func:`sim.kernels.movement.paths.detour_field` builds it), the same order and
        ties as scipy on that graph.

    Returns
    -------
    hours : ndarray of float64, shape (n,)
        ``dijkstra(..., min_only=True, limit=limit)`` at every scanned node, ``inf`` elsewhere.
    next_cell : ndarray of int64, shape (n,)
        Its predecessors there (-1 at the sources and where not scanned).
    nearest : ndarray of int64, shape (n,)
        Its nearest sources there (-1 where not scanned).
    complete : bool
        Nothing was left to scan: nodes not scanned are out of reach.
    """
    n = indptr.size - 1
    flags = np.zeros(n, dtype=np.bool_)
    n_want = -1
    if want is not None:
        flags[np.asarray(want, dtype=np.int64)] = True
        n_want = int(flags.sum())
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    nearest = np.empty(n, dtype=np.int64)
    stop = np.zeros(n, dtype=np.bool_) if blocked is None else np.asarray(blocked, dtype=np.bool_)
    complete = _dijkstra(np.asarray(indptr, dtype=np.int64), indices,
                         np.asarray(weights, dtype=np.float64),
                         np.asarray(sources, dtype=np.int64), float(limit), flags, n_want,
                         dist, pred, nearest, stop)
    return dist, pred, nearest, bool(complete)


@jit
def _near_dijkstra(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64,
                   limit: float, boxes: I64, ncols: int, step_hours: float, dist: F64
                   ) -> None:
    """Distances toward ``sources``, exact inside ``boxes`` (rows: r0, r1, c0, c1,
    inclusive), stopping once those are scanned; a node from which no box can be reached
    within ``limit`` (grid steps to the nearest box times ``step_hours``) is never pushed."""
    n = dist.size
    done = np.zeros(n, dtype=np.bool_)
    inside = np.zeros(n, dtype=np.bool_)
    remaining = 0
    for b in range(boxes.shape[0]):
        for r in range(boxes[b, 0], boxes[b, 1] + 1):
            for c in range(boxes[b, 2], boxes[b, 3] + 1):
                i = r * ncols + c
                if not inside[i]:
                    inside[i] = True
                    remaining += 1
    for i in range(n):
        dist[i] = np.inf
    heap_d, heap_v, size = _seeded(indices, sources, dist)
    while size > 0 and remaining > 0:
        d = heap_d[0]
        v = heap_v[0]
        size = _pop(heap_d, heap_v, size)
        if done[v] or d > dist[v]:
            continue
        done[v] = True
        if inside[v]:
            remaining -= 1
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            if done[u]:
                continue
            nv = d + weights[j]
            if nv <= limit and nv < dist[u]:
                if not inside[u] and nv + _steps_to(u, boxes, ncols) * step_hours > limit:
                    continue  # no box within reach through u
                dist[u] = nv
                size = _push(heap_d, heap_v, size, nv, u)


@inline
def _steps_to(v: int, boxes: I64, ncols: int) -> int:
    """Fewest grid steps from node ``v`` into any box."""
    r = v // ncols
    c = v - r * ncols
    best = -1
    for b in range(boxes.shape[0]):
        dr = boxes[b, 0] - r if r < boxes[b, 0] else (r - boxes[b, 1] if r > boxes[b, 1] else 0)
        dc = boxes[b, 2] - c if c < boxes[b, 2] else (c - boxes[b, 3] if c > boxes[b, 3] else 0)
        if best < 0 or dr + dc < best:
            best = dr + dc
    return best


def distances_near(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64, *,
                   limit: float, boxes: I64, ncols: int, cheapest: float) -> F64:
    """Hours to the nearest source, exact inside ``boxes``.

    Parameters
    ----------
    indptr, indices, weights : CSR arrays of a grid graph (node = row * ncols + col)
    sources : ndarray of int64, shape (k,)
    limit : float
        Nodes further than this are ``inf``.
    boxes : ndarray of int64, shape (b, 4)
        Row and column ranges (first, last) where distances must be exact.
    ncols : int
    cheapest : float
        No edge costs less (0 turns the pruning off).

    Returns
    -------
    ndarray of float64, shape (n,)
        ``dijkstra(..., min_only=True, limit=limit)`` inside the boxes; elsewhere at
        least that, or ``inf``.
    """
    n = indptr.size - 1
    dist = np.empty(n)
    # A path of s grid steps costs at least s * cheapest; shaving a relative 1e-9 off
    # covers the rounding of the sums along it (1e-16 per addition), so no node on a
    # shortest path into a box is left out. The margin changes speed, not answers.
    step_hours = float(cheapest) * (1.0 - 1e-9)
    _near_dijkstra(np.asarray(indptr, dtype=np.int64), indices,
                   np.asarray(weights, dtype=np.float64), np.asarray(sources, dtype=np.int64),
                   float(limit), np.ascontiguousarray(boxes, dtype=np.int64), int(ncols),
                   step_hours, dist)
    return dist


@jit
def _raid_choice(indptr: I64, indices: NDArray[np.int32], weights: F64, posts: I64,
                 strength: F64, limit: float, ratio: float, by_cell: I64, start: I64,
                 fighters: F64, target: I64, best: F64) -> None:
    """For each post in order, a search out to ``limit``; every band standing on a
    scanned node that can take the post and is nearer to it than to its best so far
    takes it (in place on ``target`` and ``best``)."""
    n = indptr.size - 1
    tent = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    cap = indices.size + 2
    heap_d = np.empty(cap)
    heap_v = np.empty(cap, dtype=np.int64)
    for j in range(posts.size):
        bar = ratio * strength[j]
        able = False
        for b in range(fighters.size):
            if fighters[b] > bar:
                able = True
                break
        if not able:
            continue  # no band can take this post: no search
        pc = posts[j]
        n_touched = 0
        tent[pc] = 0.0
        touched[n_touched] = pc
        n_touched += 1
        size = _push(heap_d, heap_v, 0, 0.0, pc)
        while size > 0:
            d = heap_d[0]
            v = heap_v[0]
            size = _pop(heap_d, heap_v, size)
            if done[v] or d > tent[v]:
                continue
            done[v] = True
            for k in range(start[v], start[v + 1]):
                b = by_cell[k]
                if fighters[b] > bar and d < best[b]:
                    best[b] = d
                    target[b] = pc
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if done[u]:
                    continue
                nv = d + weights[e]
                if nv <= limit and nv < tent[u]:
                    if tent[u] == np.inf:
                        touched[n_touched] = u
                        n_touched += 1
                    tent[u] = nv
                    size = _push(heap_d, heap_v, size, nv, u)
        for i in range(n_touched):
            tent[touched[i]] = np.inf
            done[touched[i]] = False


def raid_choice(indptr: I64, indices: NDArray[np.int32], weights: F64, posts: I64,
                strength: NDArray[Any], *, limit: float, ratio: float, band_cells: I64,
                fighters: NDArray[Any]) -> tuple[I64, F64]:
    """The nearest post within ``limit`` hours each band can take (fighters above
    ``ratio`` times the post's strength), the lowest post first among equally near:
    :func:`sim.kernels.movement.raid_targets`, one bounded search per post, no field kept.

    Parameters
    ----------
    indptr, indices, weights : CSR arrays of the band graph (reversed edges)
    posts : ndarray of int64, shape (p,)
        Sorted distinct cells.
    strength : ndarray, shape (p,)
    limit, ratio : float
    band_cells : ndarray of int64, shape (b,)
    fighters : ndarray, shape (b,)
        Compared as float64, as numpy compares them.

    Returns
    -------
    target : ndarray of int64, shape (b,)
        -1 for none.
    hours : ndarray of float64, shape (b,)
        ``inf`` for none.
    """
    n = indptr.size - 1
    band_cells = np.asarray(band_cells, dtype=np.int64)
    by_cell = np.argsort(band_cells, kind="stable").astype(np.int64)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(band_cells, minlength=n), out=start[1:])
    target = np.full(band_cells.size, -1, dtype=np.int64)
    best = np.full(band_cells.size, np.inf)
    _raid_choice(np.asarray(indptr, dtype=np.int64), indices,
                 np.asarray(weights, dtype=np.float64), np.asarray(posts, dtype=np.int64),
                 np.asarray(strength, dtype=np.float64), float(limit), float(ratio), by_cell,
                 start, np.asarray(fighters, dtype=np.float64), target, best)
    return target, best


@inline
def _settle(target: int, indptr: I64, indices: NDArray[np.int32], weights: F64,
            limit: float, tent: F64, done: NDArray[np.bool_], heap_d: F64, heap_v: I64,
            size: int, inside: NDArray[np.bool_], boxes: I64, ncols: int,
            step_hours: float) -> int:
    """Run the search on until ``target`` is scanned or nothing is left; returns the heap
    size. A node outside ``inside`` from which no box can be reached within ``limit`` is
    never pushed (as in :func:`_near_dijkstra`)."""
    while not done[target] and size > 0:
        d = heap_d[0]
        v = heap_v[0]
        size = _pop(heap_d, heap_v, size)
        if done[v] or d > tent[v]:
            continue
        done[v] = True
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            if done[u]:
                continue
            nv = d + weights[j]
            if nv <= limit and nv < tent[u]:
                if not inside[u] and not _reaches(u, boxes, ncols, nv, step_hours, limit):
                    continue  # no box within reach through u
                tent[u] = nv
                size = _push(heap_d, heap_v, size, nv, u)
    return size


@inline
def _reaches(v: int, boxes: I64, ncols: int, hours: float, step_hours: float,
             limit: float) -> bool:
    """Whether ``hours + _steps_to(v, boxes, ncols) * step_hours <= limit``: the same test
    box by box (the sum grows with the steps), stopping at the first box within reach."""
    r = v // ncols
    c = v - r * ncols
    for b in range(boxes.shape[0]):
        dr = boxes[b, 0] - r if r < boxes[b, 0] else (r - boxes[b, 1] if r > boxes[b, 1] else 0)
        dc = boxes[b, 2] - c if c < boxes[b, 2] else (c - boxes[b, 3] if c > boxes[b, 3] else 0)
        if not hours + (dr + dc) * step_hours > limit:
            return True
    return False


@jit
def _flee_walk(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64,
               horizon: float, nbr: I64, hours: F64, cells: I64, budget: F64,
               max_edges: int, radius: int, ncols: int, step_hours: float, starts: I64,
               box_of: I64) -> None:
    n = indptr.size - 1
    tent = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    # The cells a band's steps read: within ``radius`` of where it starts (one box per
    # distinct start: bands of a cell flee together).
    n_rows = n // ncols
    boxes = np.empty((starts.size, 4), dtype=np.int64)
    inside = np.zeros(n, dtype=np.bool_)
    for i in range(starts.size):
        r = starts[i] // ncols
        c = starts[i] - r * ncols
        boxes[i, 0] = max(r - radius, 0)
        boxes[i, 1] = min(r + radius, n_rows - 1)
        boxes[i, 2] = max(c - radius, 0)
        boxes[i, 3] = min(c + radius, ncols - 1)
        for rr in range(boxes[i, 0], boxes[i, 1] + 1):
            for cc in range(boxes[i, 2], boxes[i, 3] + 1):
                inside[rr * ncols + cc] = True
    # Boxes still read (the first n_live rows): a box whose bands have all walked is
    # dropped from the pruning bound (row_box, pos: which box each row holds and where).
    remaining = np.zeros(starts.size, dtype=np.int64)
    for i in range(cells.size):
        remaining[box_of[i]] += 1
    pos = np.arange(starts.size)
    row_box = np.arange(starts.size)
    n_live = starts.size
    heap_d, heap_v, size = _seeded(indices, sources, tent)
    for i in range(cells.size):
        c = cells[i]
        left = budget[i]
        first = True
        live = boxes[:n_live]
        for _ in range(max_edges):
            size = _settle(c, indptr, indices, weights, horizon, tent, done, heap_d, heap_v,
                           size, inside, live, ncols, step_hours)
            here = tent[c] if done[c] else horizon
            best = -1
            best_val = -np.inf
            for k in range(4):
                u = nbr[c, k]
                if u < 0 or not np.isfinite(hours[c, k]):
                    continue
                size = _settle(u, indptr, indices, weights, horizon, tent, done, heap_d,
                               heap_v, size, inside, live, ncols, step_hours)
                val = tent[u] if done[u] else horizon
                if val > best_val:
                    best_val = val
                    best = k
            if best < 0 or not best_val > here or not left > 0.0:
                break
            nxt = nbr[c, best]
            diff = nxt - c
            d = 1 if diff == 1 else (3 if diff == -1 else (2 if diff > 0 else 0))
            cost = hours[c, d]
            if not ((cost <= left or first) and np.isfinite(cost)):
                break
            c = nxt
            left -= cost
            first = False
        cells[i] = c
        k = box_of[i]
        remaining[k] -= 1
        if remaining[k] == 0:  # the last row takes the dropped box's place
            n_live -= 1
            r = pos[k]
            boxes[r] = boxes[n_live]
            pos[row_box[n_live]] = r
            row_box[r] = row_box[n_live]


def flee_walk(indptr: I64, indices: NDArray[np.int32], weights: F64, sources: I64, *,
              horizon: float, nbr: I64, hours: F64, cells: I64, budget: F64,
              max_edges: int, cheapest: float | None = None) -> I64:
    """Fleeing bands climbing away from ``sources`` (state units) for a day.

    The reference (:func:`sim.kernels.movement.move_bands`) takes the hours to the nearest
    source, capped at ``horizon`` (the search's limit), exact around the bands
    (:func:`sim.kernels.terrain.distance_near`), builds the field stepping to the passable
    neighbour with the most hours if it has more than here (first such among N, E, S, W:
    :func:`sim.kernels.movement.paths.greedy_field`) and walks it with the budget
    (:func:`sim.kernels.movement.walk`). Here each band walks that rule step by step and
    the search from the sources runs on only until every cell a step reads is scanned (or
    out of reach: ``horizon``): the same end cells. A node from which no box still to be
    read (one per distinct start cell, dropped once its bands have walked) lies within
    reach is never pushed.

    Parameters
    ----------
    indptr, indices, weights : CSR arrays of the band graph (reversed edges)
    sources : ndarray of int64, shape (k,)
    horizon : float
    nbr : ndarray of int64, shape (n_cells, 4)
        :meth:`sim.kernels.terrain.Graph.neighbours`.
    hours : ndarray of float64, shape (n_cells, 4)
    cells : ndarray of int64, shape (m,)
    budget : ndarray of float64, shape (m,)
    max_edges : int
    cheapest : float, optional
        The cheapest passable edge of ``hours`` (:attr:`sim.kernels.terrain.Graph.cheapest`;
        computed if not given).

    Returns
    -------
    ndarray of int64, shape (m,)
        End cells.
    """
    n = nbr.shape[0]
    if cheapest is None:
        finite = hours[np.isfinite(hours)]
        cheapest = float(finite.min()) if finite.size else float(np.inf)
    # walk_reach: the first edge always, every further one costs at least the cheapest.
    if cheapest == np.inf:
        reach = 0
    elif cheapest <= 0.0:
        reach = int(max_edges)
    else:
        reach = int(min(max_edges, 1 + np.floor(float(np.max(budget, initial=0.0)) / cheapest)))
    ncols = int(nbr[0, 2]) if n > 0 and nbr[0, 2] >= 0 else max(n, 1)  # south of cell 0
    # Rounding margin of the pruning bound, as in distances_near (speed, not answers).
    step_hours = cheapest * (1.0 - 1e-9) if 0.0 < cheapest < np.inf else 0.0
    out = np.array(cells, dtype=np.int64)
    starts, box_of = np.unique(out, return_inverse=True)
    _flee_walk(np.asarray(indptr, dtype=np.int64), indices,
               np.asarray(weights, dtype=np.float64),
               np.unique(np.asarray(sources, dtype=np.int64)), float(horizon),
               np.asarray(nbr, dtype=np.int64), np.asarray(hours, dtype=np.float64), out,
               np.asarray(budget, dtype=np.float64), int(max_edges), reach + 1, ncols,
               float(step_hours), starts, box_of.astype(np.int64))
    return out
