"""Control of named towns and posts: who holds each place today, and columns' routes.

A town's holder changes when one side enters it and the other is absent
(``town_captured`` / ``town_retaken`` events). State units take and hold towns by
their orders (``take``: march there, fight whoever is in it, then hold it; ``hold``:
walk back to the post when elsewhere, so a town left empty is reoccupied), along an
optional route of waypoints (:func:`steer`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.state import Bands, Columns, replace

__all__ = ["INSURGENT", "STATE", "control_day", "steer"]

STATE = 1
INSURGENT = -1


def control_day(
    holder: NDArray[np.int64],
    town_cells: NDArray[np.int64],
    bands: Bands,
    columns: Columns,
    *,
    n_cells: int,
    town_success: float = 0.0,
) -> tuple[NDArray[np.int64], Bands, list[Events]]:
    """Update who holds each town.

    A town is taken by the insurgents when a band stands in it and no state unit
    does; it is retaken when a state unit stands in it and no band does. A town
    with both sides present (a fight that did not end) or neither keeps its holder.

    Parameters
    ----------
    holder : ndarray of int64, shape (n_towns,)
        ``STATE`` (1), ``INSURGENT`` (-1) or 0 (nobody) for each town.
    town_cells : ndarray of int64, shape (n_towns,)
    bands, columns : Bands, Columns
    n_cells : int
    town_success : float
        Added to the ``recent_success`` of every band standing in a town it takes today
        (momentum: the news of a town taken brings recruits).

    Returns
    -------
    holder : ndarray of int64, shape (n_towns,)
    bands : Bands
        With ``recent_success`` raised for the takers.
    events : list of Events
        ``town_captured`` (side insurgent, unit = town index) and ``town_retaken``
        (side state), with ``n`` the strength present.
    """
    # Strength present in each town's cell: sums over the few active units (in plain
    # Python: whole-map counts would cost more than the units), as floats.
    at_b: dict[int, float] = {}
    for cell, men, on in zip(bands.cell.tolist(), bands.fighters.tolist(), bands.active.tolist(),
                             strict=True):
        if on:
            at_b[cell] = at_b.get(cell, 0.0) + men
    at_c: dict[int, float] = {}
    for cell, men, on in zip(columns.cell.tolist(), columns.strength.tolist(),
                             columns.active.tolist(), strict=True):
        if on:
            at_c[cell] = at_c.get(cell, 0.0) + men
    # Town by town (a few dozen), in plain Python too.
    towns, held = town_cells.tolist(), holder.tolist()
    now = list(held)
    taken: list[int] = []
    back: list[int] = []
    for i, t in enumerate(towns):
        bt, ct = at_b.get(t, 0.0), at_c.get(t, 0.0)
        if bt > 0 and ct == 0:
            now[i] = INSURGENT
        elif ct > 0 and bt == 0:
            now[i] = STATE
        if now[i] == INSURGENT and held[i] != INSURGENT:
            taken.append(i)
        elif now[i] == STATE and held[i] == INSURGENT:
            back.append(i)
    new = np.array(now, dtype=np.int64)
    out: list[Events] = []
    if taken:
        out.append(events("town_captured", "insurgent", unit=taken, cell=town_cells[taken],
                          n=[at_b.get(towns[i], 0.0) for i in taken]))
        if town_success > 0:
            taken_cell = np.zeros(n_cells, dtype=bool)
            taken_cell[town_cells[taken]] = True
            takers = bands.active & taken_cell[bands.cell]
            bands = replace(
                bands, recent_success=bands.recent_success + town_success * takers
            )
    if back:
        out.append(events("town_retaken", "state", unit=back, cell=town_cells[back],
                          n=[at_c.get(towns[i], 0.0) for i in back]))
    return new, bands, out


def steer(
    columns: Columns, routes: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where each column heads today: its next waypoint, else its target.

    A waypoint the column stands on is passed (dropped from its route).

    Parameters
    ----------
    columns : Columns
        Shape (n_columns,).
    routes : ndarray of int64, shape (n_columns, k)
        Waypoint cells in order, -1 where none (or passed).

    Returns
    -------
    goal : ndarray of int64, shape (n_columns,)
        The first waypoint not yet passed, or ``columns.target`` (-1: none).
    routes : ndarray of int64, shape (n_columns, k)
        With the waypoints reached today dropped.
    """
    routes = routes.copy()
    n, k = routes.shape
    rows = np.arange(n)
    for _ in range(k):  # several waypoints may share a cell
        has = routes >= 0
        first = np.argmax(has, axis=1)
        wp = np.where(has.any(axis=1), routes[rows, first], -1)
        reached = (wp >= 0) & (wp == columns.cell) & columns.active
        if not reached.any():
            break
        routes[rows[reached], first[reached]] = -1
    has = routes >= 0
    first = np.argmax(has, axis=1) if k else np.zeros(n, dtype=np.int64)
    wp = np.where(has.any(axis=1), routes[rows, first], -1) if k else np.full(n, -1)
    goal = np.where(wp >= 0, wp, columns.target).astype(np.int64)
    return goal, routes
