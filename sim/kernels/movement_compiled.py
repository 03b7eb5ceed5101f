"""Compiled (numba) passes of the movement kernel that are not searches: walking a
shared next-cell field unit by unit, square-window means read at a few cells, and the
patrol step.

Both give the numpy reference's results bit for bit (``tests/test_search_compiled.py``,
``tests/test_movement_fast.py``); callers use them when :func:`sim.kernels.dispatch.enabled`
says so (long runs), as :mod:`sim.kernels.search_compiled` does for the searches.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from sim.kernels.jit import jit

__all__ = ["ColumnPlan", "column_plan", "patrol_step", "walk", "window_means",
           "window_means_of"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]



@jit
def _walk(cell: I64, next_cell: I64, hours: F64, budget: F64, max_edges: int) -> None:
    """:func:`sim.kernels.movement.walk` unit by unit, in place on ``cell``."""
    for i in range(cell.size):
        c = cell[i]
        left = budget[i]
        first = True
        for _ in range(max_edges):
            nxt = next_cell[c]
            if nxt < 0 or nxt == c or not left > 0.0:
                break
            diff = nxt - c
            d = 1 if diff == 1 else (3 if diff == -1 else (2 if diff > 0 else 0))
            cost = hours[c, d]
            if not ((cost <= left or first) and np.isfinite(cost)):
                break
            c = nxt
            left -= cost
            first = False
        cell[i] = c


def walk(cell: I64, next_cell: I64, hours: F64, budget: F64, *, max_edges: int) -> I64:
    """:func:`sim.kernels.movement.walk` for a shared field (shape (n_cells,)), compiled.

    Each unit follows ``next_cell`` edge by edge while its budget lasts (its first edge
    always, if passable), at most ``max_edges`` edges: the same end cells as the numpy
    walk, which advances all units one edge per round.

    Returns
    -------
    ndarray of int64, shape (n,)
    """
    out = np.array(cell, dtype=np.int64)
    _walk(out, np.asarray(next_cell, dtype=np.int64), np.asarray(hours, dtype=np.float64),
          np.asarray(budget, dtype=np.float64), int(max_edges))
    return out


@jit
def _window_means(grid: F64, width: int, cells: I64, out: F64) -> None:
    """``uniform_filter(grid, size=width, mode="constant")`` at ``cells`` (width > 1):
    scipy's two running-sum passes (down the columns, then along the rows), the first
    over the rows up to the last asked for, the second over the asked rows only."""
    rows, cols = grid.shape
    before = width // 2
    need_row = np.zeros(rows, dtype=np.bool_)
    last = 0
    for cell in cells:
        r = cell // cols
        need_row[r] = True
        last = max(last, r)
    down = np.zeros((rows, cols))
    for c in range(cols):
        occupied = False
        for r in range(rows):
            if grid[r, c] != 0.0:
                occupied = True
                break
        if not occupied:
            continue  # scipy's running sum of zeros stays exactly 0.0
        # Padded line: p[k] = grid[k - before, c] inside the map, 0 outside.
        tmp = 0.0
        for k in range(width):
            i = k - before
            tmp += grid[i, c] if 0 <= i < rows else 0.0
        down[0, c] = tmp / width
        for ll in range(1, last + 1):
            i_in = ll + width - 1 - before
            i_out = ll - 1 - before
            tmp += ((grid[i_in, c] if i_in < rows else 0.0)
                    - (grid[i_out, c] if i_out >= 0 else 0.0))
            down[ll, c] = tmp / width
    across = np.zeros((rows, cols))
    for r in range(rows):
        if not need_row[r]:
            continue
        tmp = 0.0
        for k in range(width):
            i = k - before
            tmp += down[r, i] if 0 <= i < cols else 0.0
        across[r, 0] = tmp / width
        for ll in range(1, cols):
            i_in = ll + width - 1 - before
            i_out = ll - 1 - before
            tmp += ((down[r, i_in] if i_in < cols else 0.0)
                    - (down[r, i_out] if i_out >= 0 else 0.0))
            across[r, ll] = tmp / width
    for j in range(cells.size):
        r = cells[j] // cols
        out[j] = across[r, cells[j] - r * cols]


def window_means(grid: F64, width: int, cells: I64) -> F64:
    """``uniform_filter(grid, size=width, mode="constant").reshape(-1)[cells]``, bit for bit,
    computing only what those cells read.

    Parameters
    ----------
    grid : ndarray of float64, shape (rows, cols)
    width : int
    cells : ndarray of int64, shape (k,)

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    cells = np.asarray(cells, dtype=np.int64)
    grid = np.ascontiguousarray(grid, dtype=np.float64)
    if width == 1 or cells.size == 0:  # scipy skips an axis of size 1: the grid itself
        return grid.reshape(-1)[cells]
    out = np.zeros(cells.size)
    _window_means(grid, int(width), cells, out)
    return out


@jit
def _window_means_of(src: I64, weights: F64, presence: bool, rows: int, cols: int, width: int,
                     cells: I64, out: F64) -> None:
    """:func:`_window_means` of the grid holding ``weights`` summed at the cells ``src``
    (``presence``: 1.0 where any stands), without drawing the grid: the running sums down
    the columns that hold a unit only (the others stay exactly 0.0, as scipy's do)."""
    before = width // 2
    last = 0
    for cell in cells:
        last = max(last, cell // cols)
    # The columns holding units, in any order: slot of each column, -1 for an empty one.
    slot = np.full(cols, -1, dtype=np.int64)
    n_slots = 0
    for cell in src:
        c = cell % cols
        if slot[c] < 0:
            slot[c] = n_slots
            n_slots += 1
    line = np.zeros((n_slots, rows))  # the grid's occupied columns
    for k in range(src.size):
        r = src[k] // cols
        j = slot[src[k] - r * cols]
        if presence:
            line[j, r] = 1.0
        else:
            line[j, r] += weights[k]
    down = np.zeros((n_slots, last + 1))
    for j in range(n_slots):
        g = line[j]
        tmp = 0.0
        for k in range(width):
            i = k - before
            tmp += g[i] if 0 <= i < rows else 0.0
        down[j, 0] = tmp / width
        for ll in range(1, last + 1):
            i_in = ll + width - 1 - before
            i_out = ll - 1 - before
            tmp += (g[i_in] if i_in < rows else 0.0) - (g[i_out] if i_out >= 0 else 0.0)
            down[j, ll] = tmp / width
    for q in range(cells.size):
        r = cells[q] // cols
        at = cells[q] - r * cols
        tmp = 0.0
        for k in range(width):
            i = k - before
            if 0 <= i < cols and slot[i] >= 0:
                tmp += down[slot[i], r]
            else:
                tmp += 0.0
        value = tmp / width
        for ll in range(1, at + 1):
            i_in = ll + width - 1 - before
            i_out = ll - 1 - before
            v_in = down[slot[i_in], r] if i_in < cols and slot[i_in] >= 0 else 0.0
            v_out = down[slot[i_out], r] if i_out >= 0 and slot[i_out] >= 0 else 0.0
            tmp += v_in - v_out
            value = tmp / width
        out[q] = value


def window_means_of(src: I64, weights: F64 | None, shape: tuple[int, int], width: int,
                    cells: I64) -> F64:
    """:func:`window_means` of the grid of ``shape`` holding ``weights`` summed at the cells
    ``src`` (as ``np.bincount`` sums them; None: 1.0 where any stands), bit for bit, without
    drawing the grid.

    Parameters
    ----------
    src : ndarray of int64, shape (m,)
    weights : ndarray of float64, shape (m,), or None
    shape : (rows, cols)
    width : int
    cells : ndarray of int64, shape (k,)

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    rows, cols = shape
    src = np.asarray(src, dtype=np.int64)
    w = np.zeros(0) if weights is None else np.asarray(weights, dtype=np.float64)
    cells = np.asarray(cells, dtype=np.int64)
    out = np.zeros(cells.size)
    if width == 1 or cells.size == 0:  # scipy skips an axis of size 1: the grid itself
        grid = np.zeros(rows * cols)
        if weights is None:
            grid[src] = 1.0
        else:
            np.add.at(grid, src, w)
        return grid[cells]
    _window_means_of(src, w, weights is None, int(rows), int(cols), int(width), cells, out)
    return out


@jit
def _patrol_step(cell: I64, home: I64, nbr: I64, hours: F64, ncols: int, radius: float,
                 draws: F64, out: I64) -> None:
    """:func:`sim.kernels.movement.columns._patrol` unit by unit (``out`` in place)."""
    for i in range(cell.size):
        c = cell[i]
        r = c // ncols
        hr = home[i] // ncols
        hc = home[i] - hr * ncols
        far = abs(r - hr) + abs(c - r * ncols - hc) > radius
        best = -np.inf
        pick = -1
        for k in range(nbr.shape[1]):
            u = nbr[c, k]
            if u < 0 or not np.isfinite(hours[c, k]):
                continue
            if far:
                ur = u // ncols
                score = -float(abs(ur - hr) + abs(u - ur * ncols - hc))
            else:
                score = draws[i, k]
            if pick < 0 or score > best:  # the first best, as argmax
                best = score
                pick = k
        out[i] = c if pick < 0 else nbr[c, pick]


def patrol_step(cell: I64, home: I64, nbr: I64, hours: F64, *, ncols: int, radius: float,
                draws: F64) -> I64:
    """One patrol step per unit, as :func:`sim.kernels.movement.columns._patrol` takes it
    from the same uniform ``draws``.

    Parameters
    ----------
    cell, home : ndarray of int64, shape (k,)
    nbr : ndarray of int64, shape (n_cells, 4)
    hours : ndarray of float64, shape (n_cells, 4)
    ncols : int
    radius : float
        Grid steps (Manhattan) from home beyond which a unit turns back.
    draws : ndarray of float64, shape (k, 4)

    Returns
    -------
    ndarray of int64, shape (k,)
    """
    out = np.empty(cell.size, dtype=np.int64)
    _patrol_step(np.asarray(cell, dtype=np.int64), np.asarray(home, dtype=np.int64), nbr,
                 hours, int(ncols), float(radius), np.asarray(draws, dtype=np.float64), out)
    return out



@jit
def _column_plan(active: NDArray[np.bool_], order: I64, goal: I64, cell: I64,
                 mounted: NDArray[np.bool_], target: I64, home: I64, codes: I64,
                 rows: I64, cells: I64, counts: I64) -> None:
    """Per graph ``g`` (0: mounted units, 1: the others), in row order: the patrolling
    units ``rows[g, 0]`` and the cells they patrol around ``cells[g, 0]``, the units
    walking to their goal ``rows[g, 1]`` and the goal ``cells[g, 1]``, the units to take
    a town ``rows[g, 2]`` and the town ``cells[g, 2]``; ``counts[g]`` how many of each.
    ``codes``: the orders HOLD, PATROL, PURSUE, MARCH, TAKE."""
    hold, patrol, pursue, march, take = codes[0], codes[1], codes[2], codes[3], codes[4]
    for i in range(active.size):
        if not active[i]:
            continue
        g = 0 if mounted[i] else 1
        o = order[i]
        away = goal[i] >= 0 and cell[i] != goal[i]
        if o == patrol or (o == pursue and not away):
            kind, to = 0, target[i] if target[i] >= 0 else home[i]
        elif away and o in (pursue, march, take, hold):
            kind, to = 1, goal[i]
        else:
            kind, to = -1, -1
        if kind >= 0:
            rows[g, kind, counts[g, kind]] = i
            cells[g, kind, counts[g, kind]] = to
            counts[g, kind] += 1
        if o == take and target[i] >= 0:
            rows[g, 2, counts[g, 2]] = i
            cells[g, 2, counts[g, 2]] = target[i]
            counts[g, 2] += 1


class ColumnPlan(NamedTuple):
    """What the state units do on a day no band is known and the insurgents hold no town
    (:func:`column_plan`); each field holds one array per graph (mounted units first),
    rows in increasing order."""

    patrol: tuple[I64, I64]
    patrol_around: tuple[I64, I64]
    walk: tuple[I64, I64]
    walk_to: tuple[I64, I64]
    take: tuple[I64, I64]
    take_town: tuple[I64, I64]


def column_plan(active: NDArray[np.bool_], order: I64, goal: I64, cell: I64,
                mounted: NDArray[np.bool_], target: I64, home: I64, *, codes: I64) -> ColumnPlan:
    """The state units' day in one pass when nothing is to chase or retake: pursuing units
    march to the area they were sent to (their goal) or else patrol; patrolling units
    patrol around their target, else home; marching, taking and holding units walk to
    their goal unless there (as :func:`sim.kernels.movement.columns.move_columns` decides
    it, mask by mask, on such a day).

    Parameters
    ----------
    active : ndarray of bool, shape (n,)
    order, goal, cell, target, home : ndarray of int64, shape (n,)
    mounted : ndarray of bool, shape (n,)
        Units on the mounted graph.
    codes : ndarray of int64, shape (5,)
        The orders HOLD, PATROL, PURSUE, MARCH, TAKE.

    Returns
    -------
    ColumnPlan
    """
    n = active.size
    rows = np.empty((2, 3, n), dtype=np.int64)
    cells = np.empty((2, 3, n), dtype=np.int64)
    counts = np.zeros((2, 3), dtype=np.int64)
    _column_plan(np.asarray(active, dtype=np.bool_), np.asarray(order, dtype=np.int64),
                 np.asarray(goal, dtype=np.int64), np.asarray(cell, dtype=np.int64),
                 np.asarray(mounted, dtype=np.bool_), np.asarray(target, dtype=np.int64),
                 np.asarray(home, dtype=np.int64), codes, rows, cells, counts)
    k = counts.tolist()

    def part(a: I64, kind: int) -> tuple[I64, I64]:
        return a[0, kind, :k[0][kind]], a[1, kind, :k[1][kind]]

    return ColumnPlan(part(rows, 0), part(cells, 0), part(rows, 1), part(cells, 1),
                      part(rows, 2), part(cells, 2))
