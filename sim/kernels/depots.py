"""Moving supply: dated depots, forward bases that follow a column, pack trains on a route.

Three daily rules, each a pure function of today's tables:

- **Dated depots** (:func:`open_depots`): a depot supplies columns only from the day it
  opens to the day it closes (inclusive).
- **Forward bases** (:func:`follow_columns`): a depot that follows a column moves to the
  place where that column has stood for ``forward_base_days`` days running, if the place
  is a town the state holds or the column's own target (the post it holds, the town it
  took, the end of its march): the base is set up behind the advance, with what it holds.
- **Pack trains** (:func:`pack_trains_day`): a train leaves its start on its date, walks
  ``pack_train_hours`` marching hours a day on the foot graph through its waypoints to its
  depot, and adds its rations to the depot's stock on arrival. A band standing in its
  cell with at least ``pack_train_capture_ratio`` times the escort takes it (the rations go
  to the band).

A depot's ``stock`` is the rations it holds (``inf``: unlimited, the default). Columns
within reach of a depot refill from the nearest open one (:func:`depot_supply`), as far
as a limited stock allows; what they draw is reported as ``depot_draw`` events and taken
from the stock by :func:`draw_stock`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.terrain import Graph, distance_field
from sim.params.supply import SupplyParams
from sim.state import Bands, Columns, Depots, PackTrains, replace

__all__ = [
    "TRAIN_ARRIVED",
    "TRAIN_CAPTURED",
    "TRAIN_ON_THE_WAY",
    "TRAIN_WAITING",
    "DepotSupply",
    "depot_supply",
    "draw_stock",
    "follow_columns",
    "open_depots",
    "pack_trains_day",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]

TRAIN_WAITING = 0
TRAIN_ON_THE_WAY = 1
TRAIN_ARRIVED = 2
TRAIN_CAPTURED = 3
# (the tables themselves, Depots and PackTrains, live in sim.state with the others)


# ---------------------------------------------------------------------------- depots


def open_depots(depots: Depots, day: int) -> Bool:
    """Depots that supply today (their dates include ``day``).

    Returns
    -------
    ndarray of bool, shape (n_depots,)
    """
    is_open: Bool = (depots.opens <= day) & (day <= depots.closes)
    return is_open


def follow_columns(
    depots: Depots,
    columns: Columns,
    *,
    base_cells: Bool,
    params: SupplyParams,
) -> tuple[Depots, list[Events]]:
    """Move each forward base to where the column it follows has settled.

    A followed column that stands on the same cell as yesterday adds a day to its dwell
    there (moving resets it to 0). When it has stood ``forward_base_days`` days running
    on a cell that is a base place (``base_cells``: the towns the state holds) or that
    is its own target, the base moves there with its stock. A base whose column is gone
    (inactive or no men) stays where it is.

    Parameters
    ----------
    depots : Depots
    columns : Columns
        After today's moves.
    base_cells : ndarray of bool, shape (n_cells,)
        Cells where a base can be set up (towns the state holds today).
    params : SupplyParams

    Returns
    -------
    depots : Depots
    events : list of Events
        ``base_moved`` (side state, unit = depot row, cell = the new place, n = stock
        moved, extra ``from_cell``).
    """
    rows = np.flatnonzero(depots.follows >= 0)
    if rows.size == 0:
        return depots, []
    # new arrays for what this rule changes; the others are shared (never mutated)
    new = replace(depots, cell=depots.cell.copy(), seen=depots.seen.copy(),
                  dwell=depots.dwell.copy())
    col = depots.follows[rows]
    alive = columns.active[col] & (columns.strength[col] > 0)
    here = columns.cell[col]
    stayed = alive & (here == depots.seen[rows])
    new.dwell[rows] = np.where(stayed, depots.dwell[rows] + 1, 0)
    new.seen[rows] = np.where(alive, here, -1)
    place = base_cells[here] | (here == columns.target[col])
    settled = alive & place & (new.dwell[rows] >= params.forward_base_days)
    move = rows[settled & (here != depots.cell[rows])]
    if move.size == 0:
        return new, []
    old = depots.cell[move].copy()
    new.cell[move] = columns.cell[depots.follows[move]]
    stock = np.where(np.isfinite(depots.stock[move]), depots.stock[move], -1.0)
    return new, [events("base_moved", "state", unit=move, cell=new.cell[move], n=stock,
                        from_cell=old)]


@dataclasses.dataclass(frozen=True)
class DepotSupply:
    """Where columns can draw supply today, as the supply kernel needs it.

    Attributes
    ----------
    hours : ndarray of float64, shape (n_cells,)
        Marching hours from each cell to the nearest open depot (``inf`` if none).
    nearest : ndarray of int64, shape (n_cells,)
        Row of that depot (-1 if none); among depots on one cell, the first.
    stock : ndarray of float64, shape (n_depots,)
        Rations each depot holds (``inf``: unlimited).
    """

    hours: F64
    nearest: I64
    stock: F64


#: The last nearest-depot table of each grid shape, with the graph, the open rows and cells
#: and the (read-only) distance field it was built from: depots move or open on few days.
_LAST_NEAREST: dict[tuple[int, int], tuple[Graph, bytes, tuple[F64, I64, I64], I64]] = {}


def depot_supply(depots: Depots, day: int, graph: Graph) -> DepotSupply:
    """Hours to and row of the nearest depot open today, on the foot graph.

    Returns
    -------
    DepotSupply
        ``hours`` and ``nearest`` are read-only (shared with the caches).
    """
    n_cells = graph.shape[0] * graph.shape[1]
    is_open = open_depots(depots, day)
    rows = np.flatnonzero(is_open)
    if rows.size == 0:
        return DepotSupply(np.full(n_cells, np.inf), np.full(n_cells, -1, np.int64),
                           depots.stock.copy())
    cells = depots.cell[rows]
    key = rows.tobytes() + cells.tobytes()
    last = _LAST_NEAREST.get(graph.shape)
    if last is not None and last[0] is graph and last[1] == key:
        # the same open depots on the same cells of the same graph as the last call: its
        # field and table (the field a fresh search would give, cached or not)
        field, nearest = last[2], last[3]
    else:
        field = distance_field(graph, cells)  # cached on the graph by its sources
        src = field[2]
        # the first open depot on each source cell
        order = np.argsort(cells, kind="stable")
        cells_sorted = cells[order]
        pos = np.searchsorted(cells_sorted, np.where(src >= 0, src, 0))
        pos = np.minimum(pos, cells_sorted.size - 1)
        nearest = np.where(src >= 0, rows[order][pos], -1).astype(np.int64)
        nearest.flags.writeable = False
        _LAST_NEAREST[graph.shape] = (graph, key, field, nearest)
    return DepotSupply(np.asarray(field[0], dtype=np.float64), nearest, depots.stock.copy())


def draw_stock(depots: Depots, batches: list[Events]) -> Depots:
    """Depots with the rations the ``depot_draw`` events of the day taken from their stock."""
    new = replace(depots, stock=depots.stock.copy())
    for b in batches:
        if b.kind == "depot_draw" and len(b):
            np.subtract.at(new.stock, b.unit, b.n)
    np.maximum(new.stock, 0.0, out=new.stock)
    return new


# ---------------------------------------------------------------------------- pack trains


def pack_trains_day(
    trains: PackTrains,
    depots: Depots,
    bands: Bands,
    *,
    day: int,
    graph: Graph,
    field_to: Callable[[Graph, int], I64],
    params: SupplyParams,
) -> tuple[PackTrains, Depots, Bands, list[Events]]:
    """Pack trains leave, march, deliver or are taken by a band.

    Parameters
    ----------
    trains : PackTrains
    depots : Depots
    bands : Bands
        After today's moves.
    day : int
        Days since the scenario start.
    graph : Graph
        The foot graph (pack animals keep to the tracks the infantry uses).
    field_to : callable
        ``field_to(graph, cell)`` -> next-cell field toward ``cell``, shape (n_cells,).
    params : SupplyParams

    Returns
    -------
    trains, depots, bands
        New tables (the depot's stock grows on arrival; a band's food on capture).
    events : list of Events
        ``pack_train_departed``, ``pack_train_arrived`` (side state, unit = train row,
        n = rations, extra ``depot``) and ``pack_train_captured`` (side insurgent, unit =
        band row, n = rations, extra ``train``).
    """
    out: list[Events] = []
    if not ((trains.status == TRAIN_WAITING) | (trains.status == TRAIN_ON_THE_WAY)).any():
        return trains, depots, bands, out  # every train arrived or taken (or none at all)
    t = trains.copy()
    leave = np.flatnonzero((t.status == TRAIN_WAITING) & (t.depart <= day))
    t.status[leave] = TRAIN_ON_THE_WAY
    if leave.size:
        out.append(events("pack_train_departed", "state", unit=leave, cell=t.cell[leave],
                          n=t.rations[leave], depot=t.depot[leave]))
    new_b, _ = _intercept(t, bands, params, out)  # bands on the trains' way out
    for i in np.flatnonzero(t.status == TRAIN_ON_THE_WAY):
        _march(t, int(i), depots, graph, field_to, float(params.pack_train_hours))
    new_b, _ = _intercept(t, new_b, params, out)  # bands where the trains stop
    wp_left = (t.route >= 0).any(axis=1) if t.route.shape[1] else np.zeros(len(t), bool)
    new_d = depots
    arrived = np.flatnonzero((t.status == TRAIN_ON_THE_WAY) & ~wp_left
                             & (t.cell == depots.cell[t.depot]))
    if arrived.size:
        new_d = depots.copy()
        np.add.at(new_d.stock, t.depot[arrived], t.rations[arrived])
        t.status[arrived] = TRAIN_ARRIVED
        out.append(events("pack_train_arrived", "state", unit=arrived, cell=t.cell[arrived],
                          n=t.rations[arrived], depot=t.depot[arrived]))
    return t, new_d, new_b, out


def _intercept(
    t: PackTrains, bands: Bands, params: SupplyParams, out: list[Events]
) -> tuple[Bands, I64]:
    """Trains on the way taken by the strongest band in their cell, if strong enough.

    Changes ``t`` in place (status); returns the bands with the rations added to the
    takers' food and the rows of the trains taken, and appends ``pack_train_captured``.
    """
    on_way = np.flatnonzero(t.status == TRAIN_ON_THE_WAY)
    act = bands.active & (bands.fighters > 0)
    if on_way.size == 0 or not act.any():
        return bands, np.zeros(0, np.int64)
    taken_rows: list[int] = []
    takers: list[int] = []
    for i in on_way:
        here = np.flatnonzero(act & (bands.cell == t.cell[i]))
        if here.size == 0:
            continue
        strongest = here[np.argmax(bands.fighters[here])]
        if bands.fighters[strongest] >= params.pack_train_capture_ratio * t.escort[i]:
            taken_rows.append(int(i))
            takers.append(int(strongest))
    if not taken_rows:
        return bands, np.zeros(0, np.int64)
    tr = np.array(taken_rows, np.int64)
    tk = np.array(takers, np.int64)
    new_b = bands.copy()
    np.add.at(new_b.food, tk, t.rations[tr])
    t.status[tr] = TRAIN_CAPTURED
    out.append(events("pack_train_captured", "insurgent", unit=tk, cell=t.cell[tr],
                      n=t.rations[tr], train=tr))
    return new_b, tr


def _march(t: PackTrains, i: int, depots: Depots, graph: Graph,
           field_to: Callable[[Graph, int], I64], budget: float) -> None:
    """Walk train ``i`` edge by edge through its waypoints toward its depot.

    An edge is taken while the day's hours cover it; the first edge of the day is always
    taken (as :func:`sim.kernels.movement.walk` does), so a steep one slows but never
    stops the train.
    """
    left, first = budget, True
    r = t.route[i]
    nbr = graph.neighbours()
    for _ in range(graph.hours.shape[0]):  # an acyclic field never has more edges
        cell = int(t.cell[i])
        for j in range(r.size):  # pass the waypoints it stands on
            if r[j] < 0:
                continue
            if r[j] != cell:
                break
            r[j] = -1
        wp = r[r >= 0]
        goal = int(wp[0]) if wp.size else int(depots.cell[t.depot[i]])
        if cell == goal or left <= 0:
            return
        n = int(field_to(graph, goal)[cell])
        if n < 0 or n == cell:
            return
        cost = float(graph.hours[cell][nbr[cell] == n][0])
        if not np.isfinite(cost) or (cost > left and not first):
            return
        t.cell[i] = n
        left -= cost
        first = False
