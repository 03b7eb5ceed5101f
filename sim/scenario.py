"""Scenario files: a frozen, validated schema and the TOML loader.

A scenario is a TOML file converted into the frozen :class:`Scenario` dataclass.
The dataclasses here and in :mod:`sim.params` are the only place defaults live;
the loader checks every key, type, bound and cross-reference and reports all
problems at once, each naming the file, the field path, the bad value and what
is allowed (:class:`ScenarioError`).

What-if variants use ``extends = "other.toml"``: tables are merged key by key;
arrays of tables that carry a ``name`` (bands, columns, leaders, depots) or an
``id`` (timeline) are merged entry by entry, an entry with ``remove = true``
deletes the inherited one; any other array replaces the inherited one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import types
import typing
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, Union

from sim.extends import Origin, read_merged
from sim.params.combat import CombatParams
from sim.params.fields import meta_of, param
from sim.params.movement import MovementParams
from sim.params.population import PopulationParams
from sim.params.supply import SupplyParams
from sim.params.villages import VillageParams
from sim.paths import scenarios_dir
from sim.validation import (
    NAME_ALLOWED,
    InputError,
    Problem,
    Shown,
    is_safe_name,
    number_problem,
)

__all__ = [
    "BandSpec",
    "ColumnSpec",
    "DepotSpec",
    "LeaderSpec",
    "MapSpec",
    "Problem",
    "RegionSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "TimelineEvent",
    "find_scenario",
    "load_scenario",
    "parse_scenario",
]

SANCTUARY = ("open", "tolerated", "closed", "hostile")
COLUMN_KINDS = ("infantry", "cavalry", "garrison", "volunteer", "ogpu")
ORDERS = ("hold", "patrol", "pursue", "march", "take")
POLICIES = (
    "amnesty",
    "food_for_cotton",
    "collectivisation",
    "anti_religious",
    "show_trials",
    "executions",
    "punitive_raids",
    "village_burning",
    "requisition",
    "relief",
    "land_reform",
    "concessions",
    "local_cadres",
    "fair_amnesty",
)
STATE_LEVERS = ("relief", "land_reform", "concessions", "local_cadres", "fair_amnesty")
"""Policies by which the state wins villages over (see :mod:`sim.kernels.villages`)."""
COUNTRIES = ("", "soviet", "afghanistan", "any")
"""Country scopes of a region or policy window ("" = the default of the field)."""
SWITCHES = (
    "heliographs",
    "aircraft",
    "independent_cavalry",
    "local_scouts",
    "flying_columns",
    "cross_border_pursuit",
)
EVENT_KINDS = (
    "sanctuary",
    "policy",
    "switch",
    "set",
    "reinforce",
    "withdraw",
    "orders",
    "supply_shock",
    "leader_exit",
)


# --------------------------------------------------------------------------- schema


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
    )
    rows: int = param(20, "Rows of a synthetic map.", ge=2, le=2000)
    cols: int = param(20, "Columns of a synthetic map.", ge=2, le=2000)


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
    cell: tuple[int, ...] = param((), "[row, col] where it starts, if no `at` place is given.")
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
    cell: tuple[int, ...] = param((), "[row, col] where it starts, if no `at` place is given.")
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
        (), "[row, col] of the target, if no `target` place is given."
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
    """A state supply depot."""

    name: str = param("", "Unique name of the depot.")
    at: str = param("", "Named place of the depot, or empty if `cell` is given.")
    cell: tuple[int, ...] = param((), "[row, col] of the depot, if no `at` place is given.")
    source: str = param("", "Row id(s) in outcomes.csv.")


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


@dataclasses.dataclass(frozen=True)
class TimelineEvent:
    """One dated entry of the scenario timeline.

    The ``kind`` decides which other fields are used:

    - ``sanctuary``: ``status`` of the Afghan side from ``date`` on.
    - ``policy``: a ``policy`` window from ``date`` to ``end`` (inclusive) with its
      ``credibility`` and ``intensity`` (e.g. an amnesty and its terms). The state's
      levers (``relief``, ``land_reform``, ``concessions``, ``local_cadres``,
      ``fair_amnesty``) win villages over; ``requisition``, ``collectivisation``,
      ``anti_religious``, ``food_for_cotton`` and the repressive policies cost the state
      support (see :mod:`sim.kernels.villages`).

    Where a ``policy`` or ``sanctuary`` entry acts: the cells of the named ``region``
    and/or within ``radius_km`` of the ``places``, limited to ``country``. A policy with
    none of these acts on the whole Soviet side (``country`` defaults to ``"soviet"``:
    the state's policies never reach Afghan villages unless the scenario says
    ``country = "afghanistan"`` or ``"any"``); a sanctuary entry with none of them sets
    the status of the whole Afghan side.
    - ``switch``: doctrine or technology ``switch`` turned ``on`` (or off) from ``date``.
    - ``set``: a parameter at dotted ``path`` takes ``value`` from ``date`` on.
    - ``reinforce``: ``bands`` and/or ``columns`` enter the map on ``date``.
    - ``withdraw``: the named ``units`` leave the map.
    - ``orders``: the named ``units`` get a new ``order`` (and ``target``).
    - ``supply_shock``: the bands of ``leader`` (or the named ``units``) lose
      ``herd_seized`` and ``food_seized`` shares of their herd and food.
    - ``leader_exit``: ``leader`` leaves for Afghanistan with his escort.
    """

    date: dt.date = param(dt.date(1923, 1, 1), "Day the entry takes effect.")
    kind: str = param("policy", "What the entry does.", choices=EVENT_KINDS)
    id: str = param("", "Optional key, so a variant can replace or remove this entry.")
    end: dt.date | None = param(None, "Last day of a policy window (inclusive).")
    status: str = param("tolerated", "Sanctuary status (kind = sanctuary).", choices=SANCTUARY)
    policy: str = param("amnesty", "Policy (kind = policy).", choices=POLICIES)
    credibility: float = param(
        0.5, "How far the population believes the policy's terms (amnesty).", ge=0.0, le=1.0
    )
    intensity: float = param(1.0, "Strength of the policy where it has a scale.", ge=0.0, le=10.0)
    region: str = param("", "Named region ([[regions]]) the policy or sanctuary entry is limited to.")
    places: tuple[str, ...] = param(
        (), "Named places around which the policy or sanctuary entry acts (within radius_km)."
    )
    radius_km: float = param(
        30.0, "Radius around each of `places` (policy, sanctuary).", unit="km", gt=0.0, le=1000.0
    )
    country: str = param(
        "",
        "Country the policy acts in: '' means the Soviet side for a policy and Afghanistan for a"
        " sanctuary entry; 'any' lifts the limit.",
        choices=COUNTRIES,
    )
    switch: str = param(
        "heliographs", "Doctrine or technology switch (kind = switch).", choices=SWITCHES
    )
    on: bool = param(True, "Switch state from this date (kind = switch).")
    path: str = param("", "Dotted parameter path (kind = set), e.g. 'combat.ambush_bonus'.")
    value: float = param(0.0, "New value of the parameter (kind = set).")
    units: tuple[str, ...] = param((), "Unit names (withdraw, orders, supply_shock).")
    order: str = param("pursue", "New order (kind = orders).", choices=ORDERS)
    target: str = param(
        "",
        "Target place of a `march` or `take` order (the post of `hold`, the area of"
        " `pursue`/`patrol`).",
    )
    target_cell: tuple[int, ...] = param(
        (), "[row, col] of the target (kind = orders), if no `target` place is given."
    )
    route: tuple[str, ...] = param(
        (), "Named places to pass through, in order, on the way to the target (kind = orders)."
    )
    leader: str = param("", "Leader concerned (supply_shock, leader_exit).")
    herd_seized: float = param(0.0, "Share of the herd seized (supply_shock).", ge=0.0, le=1.0)
    food_seized: float = param(0.0, "Share of the food seized (supply_shock).", ge=0.0, le=1.0)
    bands: tuple[BandSpec, ...] = param((), "Bands arriving (kind = reinforce).")
    columns: tuple[ColumnSpec, ...] = param((), "State units arriving (kind = reinforce).")
    source: str = param("", "Row id(s) in outcomes.csv this entry rests on.")
    note: str = param("", "Free text.")


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario. Build it with :func:`load_scenario`."""

    name: str = param("unnamed", "Short name, used in output file names.")
    description: str = param("", "What the scenario represents.")
    start: dt.date = param(dt.date(1929, 4, 1), "First simulated day.")
    end: dt.date = param(
        dt.date(1929, 4, 30), "Last simulated day (inclusive); one step is one day."
    )
    seed: int = param(
        0, "Default master seed of `basmachi run` when --seed is not given.", ge=0, le=2**53
    )
    sanctuary: str = param(
        "tolerated", "Status of the Afghan side at the start.", choices=SANCTUARY
    )
    switches: tuple[str, ...] = param((), "Doctrine and technology switches on at the start.")
    map: MapSpec = dataclasses.field(default_factory=MapSpec)
    movement: MovementParams = dataclasses.field(default_factory=MovementParams)
    supply: SupplyParams = dataclasses.field(default_factory=SupplyParams)
    combat: CombatParams = dataclasses.field(default_factory=CombatParams)
    population: PopulationParams = dataclasses.field(default_factory=PopulationParams)
    villages: VillageParams = dataclasses.field(default_factory=VillageParams)
    leaders: tuple[LeaderSpec, ...] = ()
    bands: tuple[BandSpec, ...] = ()
    columns: tuple[ColumnSpec, ...] = ()
    depots: tuple[DepotSpec, ...] = ()
    regions: tuple[RegionSpec, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def days(self) -> int:
        """Number of simulated days (steps)."""
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict of the scenario (dates as ISO strings), fit for JSON or TOML."""
        return _plain(self)  # type: ignore[no-any-return]

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form: equal digests mean equal scenarios."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def with_values(
        self, values: Mapping[str, Any], *, origin: str = "<overrides>", semantics: bool = True
    ) -> Scenario:
        """A new scenario with parameters at dotted paths replaced, validated again.

        Parameters
        ----------
        values
            E.g. ``{"combat.ambush_bonus": 2.0, "movement.march_hours": 10}``.
        origin
            Named in error messages as the file.
        semantics
            Also run the cross-field checks (places, names, dates); the fields' own
            types and bounds are always checked.

        Raises
        ------
        ScenarioError
            If a path does not exist or a value is not allowed.
        """
        data = self.to_dict()
        problems: list[Problem] = []
        for path, value in values.items():
            node: Any = data
            keys = path.split(".")
            for key in keys[:-1]:
                if not isinstance(node, dict) or key not in node or not isinstance(node[key], dict):
                    node = None
                    break
                node = node[key]
            if node is None or keys[-1] not in node or isinstance(node[keys[-1]], (dict, list)):
                problems.append(Problem(origin, path, value, "a dotted path to a scalar parameter"))
                continue
            node[keys[-1]] = value
        if problems:
            raise ScenarioError(problems)
        return parse_scenario(data, origin=origin, semantics=semantics)


# --------------------------------------------------------------------------- errors

ScenarioError = InputError
"""A scenario file or parameter set is invalid (the one :class:`sim.validation.InputError`)."""

FIRST_DATE = dt.date(1918, 1, 1)
"""Earliest simulated day: the simulator's historical period starts with the revolt of 1918."""
LAST_DATE = dt.date(1935, 12, 31)
"""Latest simulated day: the last Basmachi raids are documented into the mid-1930s."""
MAX_DAYS = 3653
"""Longest run, in days (ten years)."""
MAX_UNITS = 10_000
"""Most units (bands and columns, counting ``count`` copies and reinforcements) in a run."""
MEMORY_BUDGET = 4 * 1024**3
"""Largest estimated memory of a run, in bytes (``$BASMACHI_MEMORY_BUDGET`` overrides)."""


# --------------------------------------------------------------------------- loading


def find_scenario(name_or_path: str | Path) -> Path:
    """Resolve a scenario given as a path or as a name of a file in ``scenarios/``.

    Raises
    ------
    ScenarioError
        If neither exists; the message lists the available names.
    """
    path = Path(name_or_path)
    base = scenarios_dir()
    with contextlib.suppress(OSError, ValueError):
        if path.is_file():
            return path
        for candidate in (base / f"{name_or_path}.toml", base / str(name_or_path)):
            if candidate.is_file():
                return candidate
    names = sorted(p.stem for p in base.glob("*.toml")) if base.is_dir() else []
    raise ScenarioError(
        [
            Problem(
                str(name_or_path)[:200],
                "",
                str(name_or_path),
                "an existing file or one of " + ", ".join(names),
            )
        ]
    )


def load_scenario(name_or_path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Load, merge (``extends``, see :mod:`sim.extends`) and validate a scenario file.

    Parameters
    ----------
    name_or_path
        A path to a TOML file, or the name of a file in the project's ``scenarios/``.
    allow_outside
        Follow ``extends`` to files outside the scenario's folder tree and ``scenarios/``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem, each with the file where the value is written (the
        scenario or a parent it extends), the field path as the user wrote it
        (``timeline[id="amnesty-1925"].date``), the value and what is allowed.

    Warns
    -----
    ScenarioWarning
        For an inherited timeline entry that cannot take effect in the run's window.
    """
    path = find_scenario(name_or_path)
    roots = (path.resolve().parent, scenarios_dir().resolve())
    data, origin = read_merged(path, roots=roots[1:], allow_outside=allow_outside)
    try:
        scenario = parse_scenario(data, origin=str(path))
    except InputError as exc:
        raise ScenarioError([_hide_outside(_relocate(p, origin), roots) for p in exc.problems]) from None
    notes: list[Problem] = []
    _check_window(scenario, str(path), notes)
    errors: list[Problem] = []
    for note in notes:
        moved = _relocate(note, origin)
        if moved.file == str(path):
            errors.append(moved)
        else:
            warnings.warn(ScenarioWarning(str(moved)), stacklevel=2)
    if errors:
        raise ScenarioError(errors)
    return scenario


class ScenarioWarning(UserWarning):
    """A scenario is valid but part of it (inherited from a parent) has no effect."""


def _hide_outside(p: Problem, roots: tuple[Path, ...]) -> Problem:
    """A problem of a file outside the scenario folders (``allow_outside``), its contents not shown."""
    try:
        inside = any(Path(p.file).resolve().is_relative_to(r) for r in roots)
    except (OSError, ValueError):
        inside = False
    if inside:
        return p
    return Problem(
        p.file,
        "<a field>",
        Shown("<not shown: the file is outside the scenario folders>"),
        p.allowed.split(": ")[0] if p.allowed.startswith("a known field") else p.allowed,
    )


def _relocate(p: Problem, origin: Origin) -> Problem:
    """A problem found in the merged scenario, moved to the file and entry where it is written."""
    file, shown = origin.locate(p.path)
    return Problem(file, shown, p.value, p.allowed)


# --------------------------------------------------------------------------- conversion

T = TypeVar("T")


def parse_scenario(
    data: Mapping[str, Any], *, origin: str = "<scenario>", semantics: bool = True
) -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Listing every problem found.
    """
    problems: list[Problem] = []
    scenario = _convert_dataclass(Scenario, data, "", origin, problems)
    if scenario is not None and not problems and semantics:
        _check_semantics(scenario, origin, problems)
    if problems or scenario is None:
        raise ScenarioError(problems or [Problem(origin, "", data, "a scenario table")])
    return scenario


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is tuple:
        (inner, _) = typing.get_args(tp)
        return f"an array of {_type_name(inner)}"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return f"a table ({tp.__name__})"
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if tp is dt.date:
        return "a date (YYYY-MM-DD)"
    return names.get(tp, str(tp))


def _convert(value: Any, tp: Any, path: str, origin: str, problems: list[Problem]) -> Any:
    """Convert one TOML value to the annotated type, appending problems instead of raising."""
    torigin = typing.get_origin(tp)
    if torigin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(value, args[0], path, origin, problems)
    if torigin is tuple:
        inner = typing.get_args(tp)[0]
        if not isinstance(value, (list, tuple)):
            problems.append(Problem(origin, path, value, _type_name(tp)))
            return None
        return tuple(
            _convert(v, inner, f"{path}[{i}]", origin, problems) for i, v in enumerate(value)
        )
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            problems.append(Problem(origin, path, value, _type_name(tp)))
            return None
        return _convert_dataclass(tp, value, path, origin, problems)  # type: ignore[arg-type]
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and isinstance(value, int):
            ok = abs(value) < 2**1023
            value = float(value) if ok else value
        if ok and not math.isfinite(value):
            problems.append(Problem(origin, path, value, "a finite number"))
            return None
    elif tp is str:
        ok = isinstance(value, str)
    elif tp is dt.date:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    else:  # pragma: no cover - schema declares only the types above
        ok = False
    if not ok:
        problems.append(Problem(origin, path, value, _type_name(tp)))
        return None
    return value


def _convert_dataclass(
    cls: type[T], data: Mapping[str, Any], path: str, origin: str, problems: list[Problem]
) -> T | None:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    before = len(problems)
    for key, value in data.items():
        sub = f"{path}.{key}" if path else key
        if key not in fields:
            allowed = "a known field: " + ", ".join(sorted(fields))
            problems.append(Problem(origin, sub, value, allowed))
            continue
        converted = _convert(value, hints[key], sub, origin, problems)
        meta = meta_of(fields[key])
        if converted is not None and meta is not None:
            _check_bounds(converted, meta, sub, origin, problems)
        kwargs[key] = converted
    if len(problems) > before:
        return None
    return cls(**kwargs)


def _check_bounds(value: Any, meta: Any, path: str, origin: str, problems: list[Problem]) -> None:
    if meta.choices and isinstance(value, str):
        if value not in meta.choices:
            problems.append(Problem(origin, path, value, meta.allowed()))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        bad = number_problem(value, ge=meta.ge, le=meta.le, gt=meta.gt)
        if bad is not None:
            problems.append(Problem(origin, path, value, bad))


def _check_semantics(s: Scenario, origin: str, problems: list[Problem]) -> None:
    """Cross-field checks: dates, names, references and places."""
    from sim.geography import (  # leaf module, loaded lazily
        OutsideTheatreError,
        UnknownPlaceError,
        load_theatre,
    )

    if not is_safe_name(s.name):
        problems.append(Problem(origin, "name", s.name, NAME_ALLOWED))
    period = f"a date within the simulated period {FIRST_DATE} .. {LAST_DATE}"
    for field in ("start", "end"):
        day = getattr(s, field)
        if not FIRST_DATE <= day <= LAST_DATE:
            problems.append(Problem(origin, field, day.isoformat(), period))
    if s.end < s.start:
        problems.append(
            Problem(origin, "end", s.end.isoformat(), f"a date on or after start ({s.start})")
        )
    elif s.days > MAX_DAYS:
        problems.append(
            Problem(origin, "end", s.end.isoformat(), f"a run of at most {MAX_DAYS} days ({s.days} asked)")
        )
    bbox_ok = not s.map.bbox
    if s.map.bbox and (
        len(s.map.bbox) != 4 or s.map.bbox[0] >= s.map.bbox[1] or s.map.bbox[2] >= s.map.bbox[3]
    ):
        problems.append(
            Problem(
                origin,
                "map.bbox",
                list(s.map.bbox),
                "4 numbers [lat_min, lat_max, lon_min, lon_max] with lat_min < lat_max"
                " and lon_min < lon_max",
            )
        )
    elif s.map.bbox:
        bbox_ok = True
    for i, name in enumerate(s.switches):
        if name not in SWITCHES:
            problems.append(
                Problem(origin, f"switches[{i}]", name, "one of " + ", ".join(SWITCHES))
            )

    leaders = {l.name for l in s.leaders}
    _unique(s.leaders, "leaders", origin, problems)
    _unique(s.bands, "bands", origin, problems)
    _unique(s.columns, "columns", origin, problems)
    for i, leader in enumerate(s.leaders):
        for j, rival in enumerate(leader.rivals):
            if rival not in leaders:
                problems.append(
                    Problem(origin, f"leaders[{i}].rivals[{j}]", rival, _one_of(leaders))
                )

    theatre = None
    if s.map.kind == "theatre":
        theatre = load_theatre()
        whole = theatre
        if len(s.map.bbox) == 4 and bbox_ok:
            try:
                theatre = theatre.crop(*s.map.bbox)
            except (OutsideTheatreError, ValueError):
                theatre = None
            if theatre is None or min(theatre.shape) < 2:
                problems.append(
                    Problem(
                        origin,
                        "map.bbox",
                        list(s.map.bbox),
                        f"a window of at least 2 x 2 cells inside the theatre {whole.lat_min:.2f}"
                        f" .. {whole.lat_max:.2f} N, {whole.lon_min:.2f} .. {whole.lon_max:.2f} E",
                    )
                )
                return
        elif s.map.bbox:
            return
    rows, cols = theatre.shape if theatre is not None else (s.map.rows, s.map.cols)
    _check_size(s, rows * cols, origin, problems)

    def check_place(
        value: str,
        field: str,
        *,
        cell: tuple[int, ...] = (),
        required: bool = False,
        cell_name: str = "cell",
    ) -> None:
        if value:
            if theatre is None:
                problems.append(
                    Problem(
                        origin,
                        field,
                        value,
                        "a cell [row, col]: a synthetic map has no named places",
                    )
                )
                return
            try:
                theatre.place(value)
            except UnknownPlaceError as exc:
                problems.append(
                    Problem(origin, field, value, f"a place on this map ({exc.args[0]})")
                )
        elif cell:
            if len(cell) != 2 or not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
                problems.append(
                    Problem(
                        origin,
                        field.rsplit(".", 1)[0] + "." + cell_name,
                        list(cell),
                        f"[row, col] with 0 <= row < {rows}, 0 <= col < {cols}",
                    )
                )
        elif required:
            problems.append(
                Problem(origin, field, value, "a named place, or a `cell` = [row, col]")
            )

    def check_band(b: BandSpec, where: str) -> None:
        check_place(b.at, f"{where}.at", cell=b.cell, required=True)
        check_place(b.home, f"{where}.home")
        if b.leader and b.leader not in leaders:
            problems.append(Problem(origin, f"{where}.leader", b.leader, _one_of(leaders)))

    def check_column(c: ColumnSpec, where: str) -> None:
        check_place(c.at, f"{where}.at", cell=c.cell, required=True)
        check_place(c.target, f"{where}.target", cell=c.target_cell,
                    required=c.order in ("march", "take"), cell_name="target_cell")
        for j, w in enumerate(c.route):
            check_place(w, f"{where}.route[{j}]", required=True)

    for i, b in enumerate(s.bands):
        check_band(b, f"bands[{i}]")
    for i, c in enumerate(s.columns):
        check_column(c, f"columns[{i}]")
    for i, d in enumerate(s.depots):
        check_place(d.at, f"depots[{i}].at", cell=d.cell, required=True)
    _unique(s.regions, "regions", origin, problems)
    _unique(s.depots, "depots", origin, problems)
    _unique_units(s, origin, problems)
    ids: set[str] = set()
    for i, ev in enumerate(s.timeline):
        if ev.id and ev.id in ids:
            problems.append(Problem(origin, f"timeline[{i}].id", ev.id, "an id not used before"))
        ids.add(ev.id)
        if not FIRST_DATE <= ev.date <= LAST_DATE:
            problems.append(Problem(origin, f"timeline[{i}].date", ev.date.isoformat(), period))
    for i, r in enumerate(s.regions):
        check_place(r.at, f"regions[{i}].at", required=not r.places and not r.country)
        for j, name in enumerate(r.places):
            check_place(name, f"regions[{i}].places[{j}]", required=True)
    region_names = {r.name for r in s.regions}

    unit_names = {b.name for b in s.bands} | {c.name for c in s.columns}
    for ev in s.timeline:
        unit_names |= {b.name for b in ev.bands} | {c.name for c in ev.columns}
    for i, ev in enumerate(s.timeline):
        where = f"timeline[{i}]"
        if not s.start <= ev.date <= s.end and ev.kind not in (
            "sanctuary",
            "policy",
            "switch",
            "set",
        ):
            problems.append(
                Problem(
                    origin,
                    f"{where}.date",
                    ev.date.isoformat(),
                    f"a date within {s.start} .. {s.end}",
                )
            )
        if ev.kind in ("policy", "sanctuary"):
            if ev.region and ev.region not in region_names:
                problems.append(Problem(origin, f"{where}.region", ev.region, (
                    "one of " + ", ".join(sorted(region_names)) if region_names
                    else "a region declared in [[regions]] (none are)")))
            for j, name in enumerate(ev.places):
                check_place(name, f"{where}.places[{j}]", required=True)
        if ev.kind == "policy" and ev.end is not None and ev.end < ev.date:
            problems.append(
                Problem(origin, f"{where}.end", ev.end.isoformat(), f"a date on or after {ev.date}")
            )
        if ev.kind == "set":
            try:
                s.with_values({ev.path: ev.value}, origin=origin, semantics=False)
            except ScenarioError as exc:
                for p in exc.problems:
                    problems.append(
                        Problem(origin, f"{where}.path/value", f"{ev.path} = {ev.value}", p.allowed)
                    )
        if ev.kind in ("withdraw", "orders") or (ev.kind == "supply_shock" and not ev.leader):
            if not ev.units:
                problems.append(Problem(origin, f"{where}.units", [], "at least one unit name"))
            for j, u in enumerate(ev.units):
                if u not in unit_names:
                    problems.append(
                        Problem(
                            origin,
                            f"{where}.units[{j}]",
                            u,
                            "a band or column name of this scenario",
                        )
                    )
        if ev.kind in ("supply_shock", "leader_exit") and ev.leader and ev.leader not in leaders:
            problems.append(Problem(origin, f"{where}.leader", ev.leader, _one_of(leaders)))
        if ev.kind == "leader_exit" and not ev.leader:
            problems.append(Problem(origin, f"{where}.leader", "", _one_of(leaders)))
        if ev.kind == "orders":
            check_place(ev.target, f"{where}.target", cell=ev.target_cell,
                        required=ev.order in ("march", "take"), cell_name="target_cell")
            for j, w in enumerate(ev.route):
                check_place(w, f"{where}.route[{j}]", required=True)
        if ev.kind == "reinforce":
            if not ev.bands and not ev.columns:
                problems.append(
                    Problem(origin, f"{where}.bands", [], "at least one band or column")
                )
            for j, b in enumerate(ev.bands):
                check_band(b, f"{where}.bands[{j}]")
            for j, c in enumerate(ev.columns):
                check_column(c, f"{where}.columns[{j}]")


def _unit_names(spec: BandSpec | ColumnSpec) -> list[str]:
    """Names of the units a spec creates (``name-1``, ... when ``count`` > 1)."""
    if spec.count == 1:
        return [spec.name]
    return [f"{spec.name}-{k + 1}" for k in range(spec.count)]


def _unique_units(s: Scenario, origin: str, problems: list[Problem]) -> None:
    """Bands and columns (with their copies and reinforcements) share one namespace."""
    seen: dict[str, str] = {}
    specs: list[tuple[str, BandSpec | ColumnSpec]] = [
        *((f"bands[{i}]", b) for i, b in enumerate(s.bands)),
        *((f"columns[{i}]", c) for i, c in enumerate(s.columns)),
    ]
    for i, ev in enumerate(s.timeline):
        specs += [(f"timeline[{i}].bands[{j}]", b) for j, b in enumerate(ev.bands)]
        specs += [(f"timeline[{i}].columns[{j}]", c) for j, c in enumerate(ev.columns)]
    for where, spec in specs:
        for name in _unit_names(spec):
            if name in seen and seen[name] != where:
                problems.append(
                    Problem(
                        origin,
                        f"{where}.name",
                        spec.name,
                        f"a unit name not used elsewhere ({name!r} is also made by {seen[name]})",
                    )
                )
                break
            seen.setdefault(name, where)


def memory_estimate(days: int, units: int, cells: int) -> int:
    """Rough upper estimate of a run's memory, in bytes.

    About 4 kB a map cell (terrain layers, travel costs to eight neighbours, villages
    and their neighbourhoods), 1 kB a unit (state and path searches) and 64 bytes a
    unit-day of recorded events.
    """
    return 4096 * cells + 1024 * units + 64 * units * days + 1024 * days


def _units_of(s: Scenario) -> int:
    specs: list[BandSpec | ColumnSpec] = [*s.bands, *s.columns]
    for ev in s.timeline:
        specs += [*ev.bands, *ev.columns]
    return sum(spec.count for spec in specs)


def _check_size(s: Scenario, cells: int, origin: str, problems: list[Problem]) -> None:
    units = _units_of(s)
    if units > MAX_UNITS:
        problems.append(
            Problem(origin, "bands/columns", units, f"at most {MAX_UNITS:,} units in all (counting `count`)")
        )
        return
    budget = int(os.environ.get("BASMACHI_MEMORY_BUDGET", MEMORY_BUDGET))
    need = memory_estimate(max(s.days, 1), units, cells)
    if need > budget:
        problems.append(
            Problem(
                origin,
                "<size>",
                f"{s.days} days x {units} units x {cells} cells",
                f"a run estimated within the memory budget of {budget / 1024**3:.1f} GB"
                f" (this one needs about {need / 1024**3:.1f} GB; set BASMACHI_MEMORY_BUDGET"
                " in bytes to allow more)",
            )
        )


def _check_window(s: Scenario, origin: str, notes: list[Problem]) -> None:
    """Timeline entries that cannot take effect between start and end."""
    for i, ev in enumerate(s.timeline):
        where = f"timeline[{i}]"
        if ev.date > s.end:
            notes.append(
                Problem(
                    origin,
                    f"{where}.date",
                    ev.date.isoformat(),
                    f"a date within the run {s.start} .. {s.end} (this entry would do nothing)",
                )
            )
        elif ev.kind == "policy" and ev.end is not None and ev.end < s.start:
            notes.append(
                Problem(
                    origin,
                    f"{where}.end",
                    ev.end.isoformat(),
                    f"a policy window reaching the run {s.start} .. {s.end} (this one does nothing)",
                )
            )


def _unique(items: tuple[Any, ...], field: str, origin: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not item.name:
            problems.append(Problem(origin, f"{field}[{i}].name", item.name, "a non-empty name"))
        elif item.name in seen:
            problems.append(
                Problem(origin, f"{field}[{i}].name", item.name, "a name not used before")
            )
        seen.add(item.name)


def _one_of(names: set[str]) -> str:
    return (
        "one of " + ", ".join(sorted(names))
        if names
        else "a leader declared in [[leaders]] (none are)"
    )


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
