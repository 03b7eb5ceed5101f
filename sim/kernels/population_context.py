"""Static facts of the population rules for one run: the map's lookups, the villages'
neighbour table and the bands' homes (:class:`PopulationContext`), with the per-value
caches of the policies' reach."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from numpy.typing import NDArray

from sim.kernels.villages import NeighbourTable, neighbourhood, window_cells
from sim.kernels.windows import window_rows, window_table

__all__ = ["NEAR_TABLE_MAX", "PopulationContext"]

#: Most entries (cells times window size) of a grid whose villages near every cell
#: :meth:`PopulationContext.villages_near` tabulates at the first call (8 bytes each; a speed
#: choice only: on a larger grid the rows are computed cell by cell as units come to them).
NEAR_TABLE_MAX = 4_000_000

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class PopulationContext:
    """Static facts the population rules need (built once per run).

    Attributes
    ----------
    shape : (rows, cols)
        Grid shape.
    village_of_cell : ndarray of int64, shape (n_cells,)
    afghan : ndarray of bool, shape (n_cells,)
    nearest_afghan : ndarray of int64, shape (n_cells,)
        Nearest Afghan cell of every cell (the cell itself when none is reachable).
    village_nbrs : ndarray of int64, shape (n_villages, k)
        Neighbouring villages of each village, -1 for none.
    home_village : ndarray of int64, shape (n_bands,)
        Village each band's men come from and go home to, -1 if none.
    origin_home : ndarray of int64, shape (n_bands,)
        Home cell of each band at the start.
    volunteer_row : ndarray of int64, shape (n_bands,)
        Reserved (inactive) volunteer column row of each band, -1 if none.
    rivals : ndarray of bool, shape (n_leaders, n_leaders)
        Symmetric rivalry matrix.
    town_hours : ndarray of float64, shape (n_villages,), optional
        Travel hours from each village to the nearest Soviet town: the state's policies
        act at ``exp(-town_hours / policy_reach_hours)`` of their intensity (everywhere
        in full when omitted).
    border_hours : ndarray of float64, shape (n_villages,), optional
        Travel hours from each village to the nearest Afghan cell: how far refugees
        must go (no limit when omitted).
    town : ndarray of bool, shape (n_villages,), optional
        Villages that are towns or posts of the gazetteer (see
        :func:`sim.kernels.villages.village_day`).
    neighbour_table : NeighbourTable, optional
        ``village_nbrs`` as a fixed structure for the daily means (built from
        ``village_nbrs`` each day when omitted).
    village_cells : ndarray of int64, shape (n_villages,), optional
        Cell of each village (read-only), given when every village has a cell of its own:
        ``village_of_cell`` then names the one village in a unit's cell, and the villages
        in reach of the few units are found from their cells instead of a window over
        the grid (same answers; see :func:`sim.kernels.windows.reach_max`).
    """

    shape: tuple[int, int]
    village_of_cell: I64
    afghan: Bool
    nearest_afghan: I64
    village_nbrs: I64
    home_village: I64
    origin_home: I64
    volunteer_row: I64
    rivals: Bool
    _windows: dict[tuple[int, int], I64] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    _reach: dict[float, F64] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    _admin: dict[tuple[str, float], tuple[F64, F64]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    _near: dict[int, _NearRows] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    _same_cells: list[I64] = dataclasses.field(default_factory=list, compare=False, repr=False)
    _border: dict[float, F64] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)
    town_hours: F64 | None = None
    border_hours: F64 | None = None
    town: Bool | None = None
    neighbour_table: NeighbourTable | None = None
    village_cells: I64 | None = None

    def by_cell(self, cells: I64) -> bool:
        """Whether ``cells`` (the villages' cells today) are :attr:`village_cells`: every
        village has a cell of its own and the rows are the context's.

        Villages do not move and kernels never write their inputs, so the array found equal
        is kept and the same array object coming back is not compared again.
        """
        if self.village_cells is None:
            return False
        # (the context's own array kept too: ``dataclasses.replace`` shares this cache)
        if (self._same_cells and self._same_cells[0] is cells
                and self._same_cells[1] is self.village_cells):
            return True
        same = bool(np.array_equal(cells, self.village_cells))
        if same:
            self._same_cells[:] = [cells, self.village_cells]
        return same

    def village_window(self, village_cells: I64, radius: int) -> I64:
        """Cells within ``radius`` of each village, shape (n_villages, k), -1 off the map.

        Villages do not move, so the window is computed once per radius (a dated
        ``set`` may change the radius) and reused every day.
        """
        key = (int(radius), int(village_cells.size))
        if key not in self._windows:
            self._windows[key] = window_cells(village_cells, shape=self.shape, radius=radius)
        return self._windows[key]

    def villages_near(self, cells: I64, radius: int) -> I64:
        """The villages in the window of ``radius`` around each of ``cells``:
        ``window_rows(village_of_cell, cells, shape=shape, radius=radius)``.

        Villages do not move, so the rows are computed once and kept in a table a day
        gathers the units' rows from: for every cell at the first call on a grid of at most
        ``NEAR_TABLE_MAX`` entries, else for each cell the first time a unit stands there.

        Returns
        -------
        ndarray of int64, shape (n, (2 radius + 1)**2)
        """
        r = int(radius)
        kept = self._near.get(r)
        if kept is None or kept.lookup is not self.village_of_cell:
            # (the lookup kept too: ``dataclasses.replace`` shares this cache)
            kept = self._near[r] = _NearRows.of(self.village_of_cell, r, self.shape)
        return kept.rows(np.asarray(cells, dtype=np.int64), self.shape)

    def border_days(self, day_hours: float) -> F64:
        """``border_hours / day_hours``: days of travel to the border, computed once per
        value of ``day_hours`` (read-only)."""
        assert self.border_hours is not None
        key = float(day_hours)
        if key not in self._border:
            days = self.border_hours / day_hours
            days.setflags(write=False)
            self._border[key] = days
        return self._border[key]

    def policy_reach(self, hours: float) -> F64:
        """``exp(-town_hours / hours)``, computed once per value of ``hours`` (read-only)."""
        assert self.town_hours is not None
        key = float(hours)
        if key not in self._reach:
            r = np.exp(-self.town_hours / hours)
            r.setflags(write=False)
            self._reach[key] = r
        return self._reach[key]

    def administered(self, name: str, value: F64 | float, hours: float) -> F64:
        """``value * policy_reach(hours)``: the intensity of policy ``name`` where the
        state's administration reaches. A read-only ``value`` (the intensities a timeline
        window shares between the days it covers) gives a read-only product kept while
        the same array comes back."""
        reach = self.policy_reach(hours)
        if not isinstance(value, np.ndarray) or value.flags.writeable:
            return np.asarray(value * reach, dtype=np.float64)
        key = (name, float(hours))
        hit = self._admin.get(key)
        if hit is None or hit[0] is not value:
            product = np.asarray(value * reach, dtype=np.float64)
            product.setflags(write=False)
            hit = self._admin[key] = (value, product)
        return hit[1]

    @classmethod
    def build(
        cls,
        *,
        shape: tuple[int, int],
        village_cells: I64,
        afghan: Bool,
        nearest_afghan: I64,
        nearest_village_cell: I64,
        band_home: I64,
        volunteer_row: I64,
        rivals: Bool,
        neighbour_cells: int,
        town_hours: F64 | None = None,
        border_hours: F64 | None = None,
        town: Bool | None = None,
    ) -> PopulationContext:
        """Assemble a context from the map and the initial tables.

        Parameters
        ----------
        nearest_village_cell : ndarray of int64, shape (n_cells,)
            Cell of the nearest village of each cell (-1 if none), e.g. the ``nearest``
            output of :func:`sim.kernels.terrain.distance_field` from the village cells.
        """
        n_cells = shape[0] * shape[1]
        voc = np.full(n_cells, -1, dtype=np.int64)
        voc[village_cells] = np.arange(village_cells.size)
        near = nearest_village_cell[band_home] if band_home.size else np.zeros(0, np.int64)
        home_village = np.where(near >= 0, voc[np.maximum(near, 0)], -1).astype(np.int64)
        table = _village_neighbours(np.asarray(village_cells, dtype=np.int64).tobytes(),
                                    (int(shape[0]), int(shape[1])), int(neighbour_cells))
        r = np.asarray(rivals, dtype=bool)
        cells = np.array(village_cells, dtype=np.int64)
        cells.setflags(write=False)
        own = bool(np.array_equal(voc[cells], np.arange(cells.size)))  # one village per cell
        return cls(shape=shape, village_of_cell=voc, afghan=afghan, nearest_afghan=nearest_afghan,
                   village_nbrs=table.nbrs, home_village=home_village, origin_home=band_home.copy(),
                   volunteer_row=volunteer_row, rivals=r | r.T, town_hours=town_hours,
                   border_hours=border_hours, town=town, neighbour_table=table,
                   village_cells=cells if own else None)


@dataclasses.dataclass
class _NearRows:
    """The villages near each cell: of every cell, or of those a unit has stood in.

    Attributes
    ----------
    lookup : ndarray of int64, shape (n_cells,)
        The village of each cell the rows were read from.
    radius : int
    slot : ndarray of int64, shape (n_cells,)
        Row of ``table`` holding each cell's villages, -1 while not computed; ``None`` when
        the table holds every cell's in cell order.
    table : ndarray of int64, shape (capacity, (2 radius + 1)**2)
        The rows, the first ``used`` of them filled (the capacity doubles as needed).
    used : int
    """

    lookup: I64
    radius: int
    slot: I64 | None
    table: I64
    used: int = 0

    @classmethod
    def of(cls, lookup: I64, radius: int, shape: tuple[int, int]) -> _NearRows:
        """Every cell's rows on a grid of at most ``NEAR_TABLE_MAX`` entries, else none yet."""
        k = (2 * radius + 1) ** 2
        if lookup.size * k <= NEAR_TABLE_MAX:
            table = window_table(lookup, shape=shape, radius=radius)
            return cls(lookup, radius, None, table, lookup.size)
        return cls(lookup, radius, np.full(lookup.size, -1, dtype=np.int64),
                   np.zeros((0, k), dtype=np.int64))

    def rows(self, cells: I64, shape: tuple[int, int]) -> I64:
        """``window_rows(lookup, cells, shape=shape, radius=radius)``, computing the rows
        of the cells not seen before."""
        if self.slot is None:
            whole: I64 = self.table[cells]
            return whole
        slot = self.slot[cells]
        new = cells[slot < 0]
        if new.size:
            new = np.unique(new)
            end = self.used + new.size
            if end > self.table.shape[0]:
                grown = np.zeros((max(end, 2 * self.table.shape[0]), self.table.shape[1]),
                                 dtype=np.int64)
                grown[: self.used] = self.table[: self.used]
                self.table = grown
            self.table[self.used:end] = window_rows(self.lookup, new, shape=shape,
                                                    radius=self.radius)
            self.slot[new] = np.arange(self.used, end)
            self.used = end
            slot = self.slot[cells]
        out: I64 = self.table[slot]
        return out


@functools.lru_cache(maxsize=4)
def _village_neighbours(cells: bytes, shape: tuple[int, int], radius: int) -> NeighbourTable:
    """Neighbouring villages of each village (read-only; built once per map and radius,
    shared by the replicates of a scenario run in one process)."""
    village_cells = np.frombuffer(cells, dtype=np.int64)
    voc = np.full(shape[0] * shape[1], -1, dtype=np.int64)
    voc[village_cells] = np.arange(village_cells.size)
    nbrs = neighbourhood(village_cells, village_of_cell=voc, shape=shape, radius=radius,
                         centre=False)
    nbrs.setflags(write=False)
    return NeighbourTable.of(nbrs)
