"""Specs of what a scenario places on the map: the map itself, leaders, bands, state
units (columns), depots, pack trains and named regions."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sim.params.fields import param
from sim.scenario.choices import COLUMN_KINDS, COUNTRIES, ORDERS

MAX_GRID = 2000
"""Most rows or columns of a map; a ``cell`` index is below it."""


@dataclasses.dataclass(frozen=True)
class MapSpec:
    """Which map the scenario is played on."""

    kind: str = param(
        "theatre",
        "The real theatre of Eastern Bukhara, or a flat synthetic grid for tests and benchmarks.",
        choices=("theatre", "synthetic"),
    )
    bbox: tuple[float, ...] = param(
        (),
        "Window of the theatre as [lat_min, lat_max, lon_min, lon_max]; empty for the whole theatre.",
        unit="degrees",
        ge=-180.0,
        le=180.0,
    )
    rows: int = param(20, "Rows of a synthetic map.", ge=2, le=MAX_GRID)
    cols: int = param(20, "Columns of a synthetic map.", ge=2, le=MAX_GRID)


@dataclasses.dataclass(frozen=True)
class LeaderSpec:
    """A named insurgent leader (kurbashi)."""

    name: str = param("", "Unique name, e.g. 'Ibrahim Bek'.")
    authority: float = param(
        0.7, "How firmly he holds his men: raises morale, slows fragmentation.", ge=0.0, le=1.0
    )
    caution: float = param(
        0.5, "How readily he avoids battle and retreats to the sanctuary.", ge=0.0, le=1.0
    )
    rivals: tuple[str, ...] = param((), "Leaders he refuses to cooperate with.")
    source: str = param("", "Row id(s) in outcomes.csv the leader's data come from.")


@dataclasses.dataclass(frozen=True)
class BandSpec:
    """An insurgent band placed at the start (or arriving with a ``reinforce`` event)."""

    name: str = param("", "Unique name of the band.")
    leader: str = param("", "Name of its leader (one of [[leaders]]), or empty.")
    fighters: int = param(100, "Men under arms.", ge=0, le=100_000)
    at: str = param(
        "", "Named place where it starts (see `basmachi map`), or empty if `cell` is given."
    )
    cell: tuple[int, ...] = param(
        (), "[row, col] where it starts, if no `at` place is given.", ge=0, le=MAX_GRID - 1
    )
    home: str = param("", "Named place of its home base; defaults to where it starts.")
    morale: float = param(0.7, "Initial morale.", ge=0.0, le=1.0)
    food_days: float = param(3.0, "Rations carried at the start, in days.", ge=0.0, le=3650.0)
    herd: float = param(0.0, "Sheep driven with the band.", ge=0.0, le=1000000.0)
    count: int = param(1, "Number of identical bands to create (named name-1, name-2, ...).", ge=1, le=1_000)
    source: str = param("", "Row id(s) in outcomes.csv the figures come from.")


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """A state unit: a column, garrison, volunteer or OGPU detachment."""

    name: str = param("", "Unique name of the unit.")
    kind: str = param("infantry", "Type of unit.", choices=COLUMN_KINDS)
    strength: int = param(300, "Men.", ge=0, le=100_000)
    machine_guns: int = param(0, "Machine guns.", ge=0, le=10_000)
    guns: int = param(0, "Mountain guns.", ge=0, le=10_000)
    at: str = param("", "Named place where it starts, or empty if `cell` is given.")
    cell: tuple[int, ...] = param(
        (), "[row, col] where it starts, if no `at` place is given.", ge=0, le=MAX_GRID - 1
    )
    order: str = param("hold", "Standing order.", choices=ORDERS)
    target: str = param(
        "",
        "Named place it marches to under `march`, the town it marches to, enters (fighting"
        " any band there) and then holds under `take`, its post under `hold` (it walks back"
        " to it when elsewhere, so it reoccupies a town left empty), the area it is sent"
        " to under `pursue` (it marches there while no band is within pursuit range, then"
        " patrols around it) or patrols around under `patrol`.",
    )
    target_cell: tuple[int, ...] = param(
        (), "[row, col] of the target, if no `target` place is given.", ge=0, le=MAX_GRID - 1
    )
    route: tuple[str, ...] = param(
        (),
        "Named places to pass through, in order, on the way to the target (march, take,"
        " hold, pursue).",
    )
    supply_days: float = param(10.0, "Days of rations carried at the start.", ge=0.0, le=3650.0)
    morale: float = param(0.7, "Initial morale.", ge=0.0, le=1.0)
    count: int = param(1, "Number of identical units to create (named name-1, name-2, ...).", ge=1, le=1_000)
    source: str = param("", "Row id(s) in outcomes.csv the figures come from.")


@dataclasses.dataclass(frozen=True)
class DepotSpec:
    """A state supply depot: fixed, dated, or a forward base that follows a column.

    Columns within ``supply.depot_hours`` of the nearest open depot refill there; a depot
    with a ``stock`` gives only what it holds (pack trains add to it).
    """

    name: str = param("", "Unique name of the depot.")
    at: str = param("", "Named place of the depot, or empty if `cell` is given.")
    cell: tuple[int, ...] = param(
        (), "[row, col] of the depot, if no `at` place is given.", ge=0, le=MAX_GRID - 1
    )
    opens: dt.date | None = param(None, "First day it supplies (empty: from the start).")
    closes: dt.date | None = param(None, "Last day it supplies, inclusive (empty: to the end).")
    follows: str = param(
        "",
        "Name of a column whose advance the depot follows (a forward base): it moves to"
        " where that column has stood `supply.forward_base_days` days running in a town the"
        " state holds or at its own target.",
    )
    stock: float | None = param(
        None, "Rations it holds, in person-days (empty: unlimited).", unit="person-day",
        ge=0.0, le=1e9,
    )
    source: str = param("", "Row id(s) in outcomes.csv.")


@dataclasses.dataclass(frozen=True)
class PackTrainSpec:
    """A pack train: a convoy carrying rations along a route to a depot.

    It leaves on ``date`` from its start, marches ``supply.pack_train_hours`` a day on the
    foot graph through the ``route`` to the depot named in ``to`` (wherever that depot
    stands that day) and adds its ``rations`` to the depot's stock. A band standing in
    its cell with at least ``supply.pack_train_capture_ratio`` times the ``escort`` takes
    it.
    """

    name: str = param("", "Unique name of the pack train.")
    date: dt.date = param(dt.date(1923, 1, 1), "Day it leaves.")
    at: str = param("", "Named place it leaves from, or empty if `cell` is given.")
    cell: tuple[int, ...] = param(
        (), "[row, col] it leaves from, if no `at` place is given.", ge=0, le=MAX_GRID - 1
    )
    to: str = param("", "Name of the depot ([[depots]]) it delivers to.")
    route: tuple[str, ...] = param((), "Named places to pass through, in order, on the way.")
    rations: float = param(
        10000.0, "Rations carried, in person-days.", unit="person-day", ge=0.0, le=1e9
    )
    escort: int = param(
        30, "Men escorting it (they decide only whether a band can take it).", ge=0,
        le=100_000,
    )
    source: str = param("", "Row id(s) in outcomes.csv, or 'judgement'.")


@dataclasses.dataclass(frozen=True)
class RegionSpec:
    """A named region: the cells within ``radius_km`` of its places, limited to a country.

    A region may set the initial leaning of its villages (``support``, ``grievance``,
    ``fear``; a value left out keeps the villages' default) and may be named by the
    ``region`` of a timeline entry to limit a policy window or the sanctuary to it.
    """

    name: str = param("", "Unique name of the region.")
    at: str = param("", "Named place at the centre of the region.")
    places: tuple[str, ...] = param((), "Further named places whose surroundings belong to the region.")
    radius_km: float = param(
        30.0, "Cells within this distance of one of the places belong to the region.", unit="km",
        gt=0.0, le=1000.0,
    )
    country: str = param(
        "", "Limit the region to one country's cells ('' or 'any': no limit).", choices=COUNTRIES
    )
    support: float | None = param(None, "Initial leaning toward the insurgents.", ge=0.0, le=1.0)
    grievance: float | None = param(None, "Initial grievance.", ge=0.0, le=1.0)
    fear: float | None = param(None, "Initial fear.", ge=0.0, le=1.0)
    source: str = param("", "Row id(s) in outcomes.csv, or 'judgement'.")
