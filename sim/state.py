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
from collections.abc import Callable
from enum import IntEnum
from typing import Any, Self, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BandMode",
    "Bands",
    "ColumnKind",
    "Columns",
    "Depots",
    "LeaderStatus",
    "Leaders",
    "Ledger",
    "Order",
    "PackTrains",
    "VillageMemory",
    "Villages",
    "WorldState",
    "field_names",
    "replace",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


class _Code(IntEnum):
    """An integer code compared with arrays of codes all day long.

    ``__array_ufunc__`` set to ndarray's own tells numpy the members are plain integers to
    it (no override), so ``array == Order.HOLD`` does not first ask the enum class for the
    attribute through ``EnumType.__getattr__`` (a few microseconds per comparison; the same
    result).
    """

    __array_ufunc__ = np.ndarray.__array_ufunc__


class ColumnKind(_Code):
    """Type of a state unit."""

    INFANTRY = 0
    CAVALRY = 1
    GARRISON = 2
    VOLUNTEER = 3
    OGPU = 4


class Order(_Code):
    """Standing order of a state unit, set by the scenario and its timeline."""

    HOLD = 0
    PATROL = 1
    PURSUE = 2
    MARCH = 3
    TAKE = 4


class BandMode(_Code):
    """What a band chose to do today (recorded for traces and plots)."""

    HOLD = 0
    FLEE = 1
    FORAGE = 2
    RAID = 3
    SANCTUARY = 4
    HOME = 5


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_FIELD_SETS: dict[type, frozenset[str]] = {}
_FIRST_FIELD: dict[type, str] = {}
_NEVER = int(np.iinfo(np.int64).max)  # the closing day of a depot that never closes


def field_names(cls: type) -> tuple[str, ...]:
    """Names of the fields of a dataclass ``cls``, in order (looked up once per class)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
        _FIELD_SETS[cls] = frozenset(names)
    return names


_T = TypeVar("_T")


def replace(obj: _T, /, **changes: Any) -> _T:
    """``dataclasses.replace`` for the state's dataclasses, without re-running ``__init__``.

    A shallow copy of ``obj`` with ``changes`` set, a few times cheaper than
    :func:`dataclasses.replace` (the day's phases replace tables some forty times a day).
    The dataclasses of :mod:`sim.state` have no ``__post_init__`` and no ``init=False``
    fields, so the result is the same object ``dataclasses.replace`` would build.

    Raises
    ------
    TypeError
        When a key of ``changes`` is not a field of ``obj``.
    """
    cls = type(obj)
    names = field_names(cls)
    if not changes.keys() <= _FIELD_SETS[cls]:
        bad = sorted(set(changes) - set(names))
        raise TypeError(f"{cls.__name__} has no field {bad}; fields: {list(names)}")
    new = object.__new__(cls)
    held = obj.__dict__
    # the instance holds its fields only (the usual case): copy them in one go
    fields = held.copy() if len(held) == len(names) else {n: held[n] for n in names}
    fields.update(changes)
    new.__dict__.update(fields)
    return new


class _Table:
    """Shared behaviour of the struct-of-arrays containers."""

    def __len__(self) -> int:
        try:
            name = _FIRST_FIELD[type(self)]
        except KeyError:
            name = _FIRST_FIELD[type(self)] = field_names(type(self))[0]
        n: int = self.__dict__[name].shape[0]
        return n

    def copy(self) -> Self:
        """Deep copy of every array."""
        return self._replace_all(lambda a: a.copy())

    def take(self, rows: NDArray[np.intp]) -> Self:
        """A new table holding only ``rows`` (used to permute in tests)."""
        return self._replace_all(lambda a: a[rows])

    def _replace_all(self, fn: Callable[[Any], Any]) -> Self:
        new = object.__new__(type(self))
        new.__dict__.update({n: fn(getattr(self, n)) for n in field_names(type(self))})
        return new

    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(getattr(self, n).nbytes) for n in field_names(type(self)))

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


NEUTRAL_SUPPORT = 0.5
"""The middle of the support scale of :class:`Villages` (0: all for the state, 1: all for the
insurgents): a definition of the scale, not a tunable value. A village leans to the insurgents
above it; ``2 * (support - NEUTRAL_SUPPORT)`` clipped to [0, 1] is how far it leans."""


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
    weariness : float64
        In [0, 1]: weariness of war (fighting in reach, food taken), fading in peace.
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
    weariness: F64


class LeaderStatus(_Code):
    """Where a named insurgent leader stands today."""

    ACTIVE = 0
    WOUNDED = 1
    EXILED = 2
    KILLED = 3
    CAPTURED = 4
    SURRENDERED = 5


@dataclasses.dataclass
class Leaders(_Table):
    """Named insurgent leaders (kurbashi), shape ``(n_leaders,)``; row = scenario order.

    Attributes
    ----------
    authority, caution : float64
        Traits in [0, 1] from the scenario.
    status : int64
        :class:`LeaderStatus`.
    recovery : float64
        Days left until a wounded leader leads again.
    """

    authority: F64
    caution: F64
    status: I64
    recovery: F64


@dataclasses.dataclass
class VillageMemory(_Table):
    """What the population rules remember about each village, shape ``(n_villages,)``.

    Attributes
    ----------
    side : int64
        -1 sided with the state, 0 neutral, 1 sided with the insurgents (with hysteresis).
    surrendered : int64
        Amnestied ex-fighters living in the village (not in ``Villages.population``).
    destitute : int64
        Of ``surrendered``, those left without land and food or hiding from arrest: the
        only ones who may go back to the bands.
    """

    side: I64
    surrendered: I64
    destitute: I64


@dataclasses.dataclass
class Depots(_Table):
    """The state's depots, one row each.

    Attributes
    ----------
    cell : ndarray of int64, shape (n,)
        Where the depot stands today (a forward base moves).
    opens, closes : ndarray of int64, shape (n,)
        First and last day (days since the scenario start, inclusive) it supplies.
    follows : ndarray of int64, shape (n,)
        Row of the column a forward base follows, -1 for a fixed depot.
    stock : ndarray of float64, shape (n,)
        Rations held (person-days); ``inf`` for an unlimited depot.
    seen : ndarray of int64, shape (n,)
        Cell where the followed column stood yesterday (-1 before the first day).
    dwell : ndarray of int64, shape (n,)
        Days running the followed column has stood at ``seen``.
    """

    cell: I64
    opens: I64
    closes: I64
    follows: I64
    stock: F64
    seen: I64
    dwell: I64

    @classmethod
    def empty(cls, n: int) -> Self:
        """n fixed, always open, unlimited depots at cell 0."""
        return cls(
            cell=np.zeros(n, np.int64),
            opens=np.zeros(n, np.int64),
            closes=np.full(n, np.iinfo(np.int64).max, np.int64),
            follows=np.full(n, -1, np.int64),
            stock=np.full(n, np.inf),
            seen=np.full(n, -1, np.int64),
            dwell=np.zeros(n, np.int64),
        )

    @property
    def moving(self) -> bool:
        """Whether any depot is dated, follows a column or has a limited stock."""
        return bool(
            (self.opens > 0).any() or (self.closes < _NEVER).any() or (self.follows >= 0).any()
            or np.isfinite(self.stock).any()
        )


@dataclasses.dataclass
class PackTrains(_Table):
    """Pack trains (convoys of pack animals), one row each.

    Attributes
    ----------
    cell : ndarray of int64, shape (n,)
        Where the train is (its start before it leaves).
    depart : ndarray of int64, shape (n,)
        Day it leaves (days since the scenario start).
    depot : ndarray of int64, shape (n,)
        Row of the depot it delivers to.
    route : ndarray of int64, shape (n, k)
        Waypoint cells still to pass, in order, -1 padded.
    rations : ndarray of float64, shape (n,)
        Rations carried (person-days).
    escort : ndarray of float64, shape (n,)
        Men escorting it (they only decide whether a band can take it).
    status : ndarray of int64, shape (n,)
        0 waiting, 1 on the way, 2 arrived, 3 captured
        (``TRAIN_*`` of :mod:`sim.kernels.depots`).
    """

    cell: I64
    depart: I64
    depot: I64
    route: I64
    rations: F64
    escort: F64
    status: I64

    @classmethod
    def empty(cls, n: int, k: int = 0) -> Self:
        """n waiting trains with no route, rations or escort."""
        return cls(
            cell=np.zeros(n, np.int64), depart=np.zeros(n, np.int64),
            depot=np.zeros(n, np.int64), route=np.full((n, k), -1, np.int64),
            rations=np.zeros(n), escort=np.zeros(n), status=np.zeros(n, np.int64),
        )


@dataclasses.dataclass
class Ledger:
    """People counts outside the unit tables and villages, and cumulative flows.

    Stocks (each person is in exactly one of them, in a unit row, or in a village):
    ``surrendered`` is the sum of :attr:`VillageMemory.surrendered`; the others are
    totals over the run. ``entered`` counts people who came from outside the map
    (men flown in), so the conservation identity is
    ``bands + columns + civilians + stocks == initial + entered``
    (see :func:`sim.kernels.population.people_total`).
    """

    refugees: int = 0
    civilians_killed: int = 0
    executed: int = 0
    imprisoned: int = 0
    insurgents_killed: int = 0
    insurgents_wounded: int = 0
    insurgents_captured: int = 0
    insurgents_deserted: int = 0
    insurgents_interned: int = 0
    state_killed: int = 0
    state_wounded: int = 0
    state_captured: int = 0
    state_deserted: int = 0
    entered: int = 0
    # flows (cumulative, not part of the identity)
    recruited: int = 0
    amnestied: int = 0
    relapsed: int = 0
    defected_to_state: int = 0
    defected_to_insurgents: int = 0
    levied: int = 0

    STOCKS = (
        "refugees", "civilians_killed", "executed", "imprisoned", "insurgents_killed",
        "insurgents_wounded", "insurgents_captured", "insurgents_deserted",
        "insurgents_interned", "state_killed", "state_wounded", "state_captured",
        "state_deserted",
    )

    def stocks(self) -> int:
        """People held in the ledger's stock categories (``surrendered`` not included)."""
        return sum(int(getattr(self, k)) for k in self.STOCKS)

    def copy(self) -> Ledger:
        """A copy."""
        return replace(self)


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
    leaders : Leaders
        Named leaders and their status.
    memory : VillageMemory
        Per-village side, returnees and destitute returnees.
    ledger : Ledger
        People outside units and villages (killed, refugees ...) and cumulative flows.
    band_concealment : ndarray of float64, shape (n_bands,)
        Multiplier of each band's concealment from village intelligence (1 neutral;
        below 1 when villages inform on it, above 1 when they warn it), set by the
        population phase for the next day's combat.
    amnesty_trust : float
        In [0, 1]: how far the promises of amnesty are still believed.
    momentum : float
        In [-1, 1]: the smoothed pull of the winning side (positive: the insurgents),
        see :func:`sim.kernels.villages.momentum`.
    people_initial : int
        Everyone on the map at the start (units of every row, villages, ledger stocks):
        the left side of the conservation identity.
    town_holder : ndarray of int64, shape (n_towns,)
        Who holds each town (``sim.kernels.control``: 1 state, -1 insurgents, 0 nobody).
    losses_seen : ndarray of float64, shape (n_bands,)
        Each band's ``recent_losses`` as the last population phase left them, so that the
        next one sees only the men lost since (empty before the first population phase).
    routes : ndarray of int64, shape (n_columns, k)
        Waypoints each column has still to pass, in order, -1 padded
        (:func:`sim.kernels.control.steer`).
    depots : Depots
        The state's depots: where each stands today, its dates and stock
        (:mod:`sim.kernels.depots`).
    trains : PackTrains
        The scenario's pack trains on their way (:mod:`sim.kernels.depots`).
    """

    day: int
    bands: Bands
    columns: Columns
    villages: Villages
    sanctuary: str = "tolerated"
    switches: dict[str, bool] = dataclasses.field(default_factory=dict)
    leaders: Leaders = dataclasses.field(default_factory=lambda: Leaders.empty(0))
    memory: VillageMemory = dataclasses.field(default_factory=lambda: VillageMemory.empty(0))
    ledger: Ledger = dataclasses.field(default_factory=Ledger)
    band_concealment: F64 = dataclasses.field(default_factory=lambda: np.ones(0))
    amnesty_trust: float = 1.0
    people_initial: int = 0
    town_holder: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    losses_seen: F64 = dataclasses.field(default_factory=lambda: np.zeros(0))
    momentum: float = 0.0
    routes: I64 = dataclasses.field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    depots: Depots = dataclasses.field(default_factory=lambda: Depots.empty(0))
    trains: PackTrains = dataclasses.field(default_factory=lambda: PackTrains.empty(0))
