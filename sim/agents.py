"""Mesa agents as views onto array rows.

Each band, column and village is a Mesa agent so that ``model.agents``,
``model.agents_by_type``, DataCollector and SolaraViz work, but its attributes
live in the model's struct-of-arrays state: a :class:`RowField` descriptor reads
and writes ``model.state.<table>.<attribute>[row]``. Because the lookup goes
through the agent's own model, several models can coexist in one process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = ["BandAgent", "ColumnAgent", "RowField", "VillageAgent"]


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
