"""World state as struct-of-arrays: one numpy array per attribute, one row per unit.

Rows are stable for the whole run: a band that disperses keeps its row with
``active`` set to False, so row indices can be stored in events and in Mesa
agent handles. Positions are flat cell indices ``row * ncols + col`` into the
theatre grid, which makes grouping by cell a single ``np.bincount``.

The containers are plain mutable dataclasses of arrays; kernels never mutate
their inputs but return new arrays, and the model swaps them in.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BandMode",
    "Bands",
    "ColumnKind",
    "Columns",
    "Order",
    "Villages",
    "WorldState",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


class ColumnKind(IntEnum):
    """Type of a state unit."""

    INFANTRY = 0
    CAVALRY = 1
    GARRISON = 2
    VOLUNTEER = 3
    OGPU = 4


class Order(IntEnum):
    """Standing order of a state unit, set by the scenario and its timeline."""

    HOLD = 0
    PATROL = 1
    PURSUE = 2
    MARCH = 3


class BandMode(IntEnum):
    """What a band chose to do today (recorded for traces and plots)."""

    HOLD = 0
    FLEE = 1
    FORAGE = 2
    RAID = 3
    SANCTUARY = 4
    HOME = 5


class _Table:
    """Shared behaviour of the struct-of-arrays containers."""

    def __len__(self) -> int:
        first = dataclasses.fields(self)[0]  # type: ignore[arg-type]
        return int(getattr(self, first.name).shape[0])

    def copy(self) -> Self:
        """Deep copy of every array."""
        return dataclasses.replace(  # type: ignore[type-var]
            self,  # type: ignore[arg-type]
            **{f.name: getattr(self, f.name).copy() for f in dataclasses.fields(self)},  # type: ignore[arg-type]
        )

    def take(self, rows: NDArray[np.intp]) -> Self:
        """A new table holding only ``rows`` (used to permute in tests)."""
        return dataclasses.replace(  # type: ignore[type-var]
            self,  # type: ignore[arg-type]
            **{f.name: getattr(self, f.name)[rows] for f in dataclasses.fields(self)},  # type: ignore[arg-type]
        )

    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(getattr(self, f.name).nbytes) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    @classmethod
    def empty(cls, n: int) -> Self:
        """A table of ``n`` rows with every array zeroed (``False`` for flags)."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            dtype = _DTYPES[str(f.type)]
            kwargs[f.name] = np.zeros(n, dtype=dtype)
        return cls(**kwargs)


_DTYPES: dict[str, type[np.generic]] = {"F64": np.float64, "I64": np.int64, "Bool": np.bool_}


@dataclasses.dataclass
class Bands(_Table):
    """Basmachi bands, shape ``(n_bands,)`` for every array.

    Attributes
    ----------
    fighters : int64
        Men under arms.
    morale : float64
        In [0, 1]; 1 is eager, 0 is ready to disperse.
    food : float64
        Rations carried (person-days).
    herd : float64
        Sheep driven with the band (a walking food store).
    hunger : float64
        In [0, 1]: smoothed share of the daily ration not met.
    cell, home : int64
        Flat cell index of the band and of its home base.
    leader : int64
        Row of the band's leader in the scenario's leader list, -1 if none.
    mode : int64
        :class:`BandMode` chosen today.
    recent_losses : float64
        Exponentially decaying count of men lost (killed, wounded, captured, deserted).
    recent_success : float64
        Exponentially decaying score of won fights and raids.
    active : bool
        False once the band has dispersed, surrendered or left the map for good.
    """

    fighters: I64
    morale: F64
    food: F64
    herd: F64
    hunger: F64
    cell: I64
    home: I64
    leader: I64
    mode: I64
    recent_losses: F64
    recent_success: F64
    active: Bool


@dataclasses.dataclass
class Columns(_Table):
    """Red Army columns, garrisons, volunteer and OGPU detachments, shape ``(n_columns,)``.

    Attributes
    ----------
    kind : int64
        :class:`ColumnKind`.
    strength : int64
        Men.
    machine_guns, guns : int64
        Machine guns and mountain guns with the unit.
    supply : float64
        Days of rations carried per man.
    morale : float64
        In [0, 1].
    order : int64
        :class:`Order`.
    target : int64
        Flat cell the unit marches to under ``MARCH`` (its post under ``HOLD``), -1 if none.
    home : int64
        Flat cell the unit patrols around and returns to.
    cell : int64
        Flat cell index.
    active : bool
        False once withdrawn or destroyed.
    """

    kind: I64
    strength: I64
    machine_guns: I64
    guns: I64
    supply: F64
    morale: F64
    order: I64
    target: I64
    home: I64
    cell: I64
    active: Bool


@dataclasses.dataclass
class Villages(_Table):
    """Villages and towns, shape ``(n_villages,)``.

    Attributes
    ----------
    cell : int64
        Flat cell index (at most one village per cell).
    population : int64
        Civilians living there.
    food : float64
        Stored food (person-days).
    crop : float64
        Standing grain crop expected at harvest (person-days); 0 under cotton.
    cotton : bool
        True when the fields are under the food-for-cotton plan.
    support : float64
        In [0, 1]: leaning to the insurgents (1) or to the state (0); 0.5 is neutral.
    grievance : float64
        In [0, 1]: accumulated grievance against the state.
    fear : float64
        In [0, 1]: fear of repression.
    requisitioned : float64
        Food taken from the village today by either side (person-days).
    """

    cell: I64
    population: I64
    food: F64
    crop: F64
    cotton: Bool
    support: F64
    grievance: F64
    fear: F64
    requisitioned: F64


@dataclasses.dataclass
class WorldState:
    """Everything that changes during a run.

    Attributes
    ----------
    day : int
        Days since the scenario start (0 on the first day).
    bands, columns, villages
        The three struct-of-arrays tables.
    sanctuary : str
        Today's status of the Afghan side: "open", "tolerated", "closed" or "hostile".
    """

    day: int
    bands: Bands
    columns: Columns
    villages: Villages
    sanctuary: str = "tolerated"
    switches: dict[str, bool] = dataclasses.field(default_factory=dict)
