"""Dated entries of the timeline that act on units: arrivals, withdrawals, supply shocks
and leaders leaving for Afghanistan.

Each function takes a table and the rows the entry names, and returns a new table and
the entry's event batch; the input table is not mutated.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.state import Bands, Columns

__all__ = ["activate", "leader_exit", "supply_shock", "withdraw"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
T = TypeVar("T", Bands, Columns)


def activate(table: T, rows: I64, side: str) -> tuple[T, Events]:
    """Units of a ``reinforce`` entry enter on their day.

    Parameters
    ----------
    table : Bands or Columns
    rows : ndarray of int64, shape (k,)
        Rows reserved for the arriving units.
    side : {"insurgent", "state"}

    Returns
    -------
    table
        A copy with ``active`` set on ``rows``.
    Events
        ``"arrival"``, n = men arriving.
    """
    new = table.copy()
    new.active[rows] = True
    size = new.fighters if isinstance(new, Bands) else new.strength
    return new, events("arrival", side, unit=rows, cell=new.cell[rows], n=size[rows])


def withdraw(table: T, rows: I64, side: str) -> tuple[T, Events]:
    """Units named by a ``withdraw`` entry leave the theatre (``"withdrawal"``, n = 0)."""
    new = table.copy()
    new.active[rows] = False
    return new, events("withdrawal", side, unit=rows, cell=new.cell[rows], n=0)


def supply_shock(
    bands: Bands, rows: I64, *, herd_seized: float, food_seized: float
) -> tuple[Bands, Events]:
    """The state seizes shares of the named bands' herds and food stores.

    Parameters
    ----------
    bands : Bands
    rows : ndarray of int64, shape (k,)
    herd_seized, food_seized : float
        Shares in [0, 1] taken (from the scenario's ``supply_shock`` entry).

    Returns
    -------
    Bands
    Events
        ``"supply_shock"``, n = head of livestock seized.
    """
    new = bands.copy()
    seized = new.herd[rows] * herd_seized
    new.herd[rows] -= seized
    new.food[rows] *= 1.0 - food_seized
    return new, events("supply_shock", "insurgent", unit=rows, cell=new.cell[rows], n=seized)


def leader_exit(bands: Bands, rows: I64, *, refuge: I64) -> tuple[Bands, Events]:
    """A leader's bands make for Afghanistan: new home across the border, no morale left.

    Parameters
    ----------
    bands : Bands
    rows : ndarray of int64, shape (k,)
        The leader's active bands.
    refuge : ndarray of int64, shape (k,)
        Their new home cells (the nearest Afghan cell of each band).

    Returns
    -------
    Bands
    Events
        ``"leader_exit"``, n = fighters of each band (the population phase marks the
        leader exiled when it reads this batch).
    """
    new = bands.copy()
    ev = events("leader_exit", "insurgent", unit=rows, cell=new.cell[rows], n=new.fighters[rows])
    new.home[rows] = refuge
    new.morale[rows] = np.minimum(new.morale[rows], 0.0)
    return new, ev
