"""Mesa's view of the model: agents onto array rows, a grid, a DataCollector.

Each band, column and village is a Mesa agent so that ``model.agents``,
``model.agents_by_type``, ``mesa.DataCollector``, ``mesa.batch_run`` and SolaraViz work,
but its attributes live in the model's struct-of-arrays state: a :class:`RowField`
descriptor reads and writes ``model.state.<table>.<attribute>[row]``. Because the lookup
goes through the agent's own model, several models can coexist in one process.

:class:`MesaTools` (``model.mesa``) keeps Mesa's registries true to the state after
every day:

- ``model.agents`` holds the units present: bands and columns that have arrived and are
  active with men, and every village. Units not yet arrived, withdrawn or destroyed
  stay reachable in ``model.mesa.bands`` and ``model.mesa.columns`` (all rows, in
  table order).
- ``model.grid`` is a Mesa ``OrthogonalVonNeumannGrid`` of the map's cells; a present
  agent is in the cell ``model.grid[agent.pos]`` (``pos`` = ``(row, col)``). Moves are
  made by the kernels on the arrays; the grid follows after each day.
- ``model.datacollector`` is a ``mesa.DataCollector`` whose model reporters are the
  daily metrics of :data:`REPORTERS`, collected after every day (row ``k`` is day ``k``,
  equal to the ``steps`` table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import BasmachiModel
    from sim.scenario import Scenario

__all__ = [
    "REPORTERS",
    "BandAgent",
    "ColumnAgent",
    "MesaTools",
    "RowField",
    "VillageAgent",
    "resolve_scenario",
]

#: Daily metrics (columns of the ``steps`` table) reported by ``model.datacollector``.
REPORTERS = (
    "insurgent_fighters",
    "state_strength",
    "insurgents_in_afghanistan",
    "bands_active",
    "columns_active",
    "villages_pro_insurgent",
    "villages_neutral",
    "villages_pro_state",
    "mean_support",
    "towns_held_by_insurgents",
    "surrendered",
)


class RowField:
    """Descriptor exposing one array of a state table as an agent attribute."""

    def __init__(self, table: str, attribute: str | None = None) -> None:
        self.table = table
        self.attribute = attribute

    def __set_name__(self, owner: type, name: str) -> None:
        if self.attribute is None:
            self.attribute = name

    def _array(self, agent: RowAgent) -> Any:
        return getattr(getattr(agent.model.state, self.table), str(self.attribute))

    def __get__(self, agent: RowAgent | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return self._array(agent)[agent.row].item()

    def __set__(self, agent: RowAgent, value: Any) -> None:
        self._array(agent)[agent.row] = value


class RowAgent(mesa.Agent):  # type: ignore[misc]
    """A Mesa agent bound to one row of a state table."""

    model: BasmachiModel
    table = ""

    def __init__(self, model: BasmachiModel, row: int, name: str) -> None:
        super().__init__(model)
        self.row = row
        self.name = name

    @property
    def pos(self) -> tuple[int, int]:
        """(row, col) of the agent's cell, derived from the arrays on demand."""
        cell = int(getattr(self.model.state, self.table).cell[self.row])
        r, c = divmod(cell, self.model.world.ncols)
        return (r, c)

    @pos.setter
    def pos(self, value: tuple[int, int] | None) -> None:
        # Mesa's Agent.__init__ assigns None; any other value moves the agent.
        if value is not None:
            table = getattr(self.model.state, self.table)
            table.cell[self.row] = int(value[0]) * self.model.world.ncols + int(value[1])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, row={self.row})"


class BandAgent(RowAgent):
    """An insurgent band."""

    table = "bands"
    fighters = RowField("bands")
    morale = RowField("bands")
    food = RowField("bands")
    herd = RowField("bands")
    hunger = RowField("bands")
    cell = RowField("bands")
    home = RowField("bands")
    mode = RowField("bands")
    active = RowField("bands")

    @property
    def leader(self) -> str:
        """Name of the band's leader, or an empty string."""
        i = int(self.model.state.bands.leader[self.row])
        return self.model.world.leader_names[i] if i >= 0 else ""

    @property
    def strength(self) -> int:
        """Men under arms (alias of ``fighters``)."""
        return int(self.fighters)


class ColumnAgent(RowAgent):
    """A state column, garrison, volunteer or OGPU detachment."""

    table = "columns"
    kind = RowField("columns")
    strength = RowField("columns")
    machine_guns = RowField("columns")
    guns = RowField("columns")
    supply = RowField("columns")
    morale = RowField("columns")
    order = RowField("columns")
    cell = RowField("columns")
    active = RowField("columns")


class VillageAgent(RowAgent):
    """A village or town."""

    table = "villages"
    population = RowField("villages")
    food = RowField("villages")
    crop = RowField("villages")
    support = RowField("villages")
    grievance = RowField("villages")
    fear = RowField("villages")
    cell = RowField("villages")


def resolve_scenario(scenario: Scenario | str | Path, parameters: Mapping[str, Any]) -> Scenario:
    """The scenario a model runs, from a Scenario or a name/path and plain parameter values.

    Lets ``BasmachiModel("tiny", seed=3, **{"supply.requisition_share": 0.3})`` and so
    ``mesa.batch_run(BasmachiModel, parameters={"scenario": "tiny", ...})`` work.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A loaded scenario, a file, or a name in ``scenarios/``.
    parameters : mapping of str to value
        Dotted parameter paths (``basmachi schema`` lists them) and their values.

    Raises
    ------
    ScenarioError
        If the scenario cannot be loaded or a value is invalid (file, field, value and
        what is allowed).
    """
    from sim.scenario import Scenario, load_scenario

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return loaded.with_values(dict(parameters)) if parameters else loaded


def _reporter(column: str) -> Callable[[BasmachiModel], float]:
    from sim.recorder import STEP_COLUMNS

    index = STEP_COLUMNS.index(column)

    def report(model: BasmachiModel) -> float:
        return float(model.recorder.rows[-1][index])

    report.__name__ = column
    return report


class MesaTools:
    """Mesa's registries of a model, kept true to its arrays (``model.mesa``).

    Parameters
    ----------
    model : BasmachiModel
    agents : bool
        Create the agents and the grid (a sweep or a benchmark skips them; the
        DataCollector is always there).

    Attributes
    ----------
    bands, columns, villages : list of agents
        Every row of each table, present or not (``model.agents`` holds the present).
    grid : mesa.discrete_space.OrthogonalVonNeumannGrid or None
        The map's cells, ``(rows, cols)``; also ``model.grid``.
    """

    def __init__(self, model: BasmachiModel, *, agents: bool = True) -> None:
        self.model = model
        model.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in REPORTERS}
        )
        self.bands: list[BandAgent] = []
        self.columns: list[ColumnAgent] = []
        self.villages: list[VillageAgent] = []
        self.grid: Any = None
        self._placed: dict[RowAgent, tuple[int, int]] = {}
        # Presence and cells of the units at the last sync, by table.
        self._seen: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not agents:
            model.grid = None
            return
        from mesa.discrete_space import OrthogonalVonNeumannGrid

        w = model.world
        self.bands = [BandAgent(model, i, n) for i, n in enumerate(w.band_names)]
        self.columns = [ColumnAgent(model, i, n) for i, n in enumerate(w.column_names)]
        self.villages = [
            VillageAgent(model, i, f"village-{i}") for i in range(len(model.state.villages))
        ]
        rows, cols = w.afghan.size // w.ncols, w.ncols
        self.grid = OrthogonalVonNeumannGrid((rows, cols), torus=False, random=model.random)
        model.grid = self.grid
        self._registered = set(self.bands) | set(self.columns)
        for village in self.villages:  # villages do not move
            self._place(village, village.pos)
        self.sync()

    def present(self) -> tuple[np.ndarray, np.ndarray]:
        """Which bands and columns are present: arrived, active and with men.

        Returns
        -------
        bands, columns : ndarray of bool, shapes (n_bands,), (n_columns,)
        """
        s = self.model.state
        return (
            s.bands.active & (s.bands.fighters > 0),
            s.columns.active & (s.columns.strength > 0),
        )

    def sync(self) -> None:
        """Register the present units, deregister the others, move agents on the grid.

        Only the agents whose presence or cell changed since the last sync are touched
        (a vectorised comparison finds them), so a day costs Mesa's bookkeeping for the
        units that moved, not a Python pass over every unit.
        """
        if self.grid is None:
            return
        band_here, column_here = self.present()
        model, state = self.model, self.model.state
        ncols = model.world.ncols
        for name, agents, here, cells in (
            ("bands", self.bands, band_here, state.bands.cell),
            ("columns", self.columns, column_here, state.columns.cell),
        ):
            if len(agents) != here.size:
                raise ValueError(f"{len(agents)} {name} agents for {here.size} rows")
            before = self._seen.get(name)
            if before is None or before[0].size != here.size:
                changed = np.arange(here.size)
            else:
                was_here, was_cell = before
                changed = np.flatnonzero((here != was_here) | (here & (cells != was_cell)))
            for i in changed.tolist():
                agent, is_here = agents[i], bool(here[i])
                if is_here and agent not in self._registered:
                    model.register_agent(agent)
                    self._registered.add(agent)
                elif not is_here and agent in self._registered:
                    model.deregister_agent(agent)
                    self._registered.discard(agent)
                self._place(agent, divmod(int(cells[i]), ncols) if is_here else None)
            self._seen[name] = (here.copy(), cells.copy())

    def _place(self, agent: RowAgent, pos: tuple[int, int] | None) -> None:
        old = self._placed.get(agent)
        if old == pos:
            return
        if old is not None:
            self.grid[old].remove_agent(agent)
            del self._placed[agent]
        if pos is not None:
            self.grid[pos].add_agent(agent)
            self._placed[agent] = pos

    def after_step(self) -> None:
        """Collect the day's reporters and bring the registries up to date."""
        self.model.datacollector.collect(self.model)
        self.sync()
