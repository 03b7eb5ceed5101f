"""What the movement kernel is told about the map and the day (:class:`MoveContext`),
and the grid's nominal cell size."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.kernels.terrain import Graph

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
    village_forage : ndarray of bool, shape (n_villages,), or a function giving it
        Villages a hungry band would go to (support and food enough). A function is
        called only on days a band looks for food (:meth:`forage_villages`).
    home_field : callable
        ``home_field(cell) -> next_cell`` array of shape (n_cells,) toward one cell
        (cached by the caller: homes and targets are few). Long runs take the same next
        steps from :func:`sim.kernels.terrain.field_toward`, searched only as far as the
        units walking them (see :func:`sim.kernels.movement.paths.toward`).
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
    village_forage: NDArray[np.bool_] | Callable[[], NDArray[np.bool_]]
    home_field: Callable[[Graph, int], I64]
    field_cache: dict[tuple[object, ...], NDArray[Any]] = dataclasses.field(default_factory=dict)
    state_towns: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    insurgent_towns: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ambush_ground: NDArray[np.bool_] | None = None
    column_goal: I64 | None = None
    stock_days: F64 | None = None

    def forage_villages(self) -> NDArray[np.bool_]:
        """:attr:`village_forage` as an array, shape (n_villages,)."""
        forage = self.village_forage
        return forage() if callable(forage) else forage
