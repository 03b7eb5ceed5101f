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
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, Union

from sim.params.combat import CombatParams
from sim.params.fields import meta_of, param
from sim.params.movement import MovementParams
from sim.params.population import PopulationParams
from sim.params.supply import SupplyParams
from sim.params.villages import VillageParams
from sim.paths import scenarios_dir

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
    "TimelineEvent",
    "find_scenario",
    "load_scenario",
    "parse_scenario",
]

SANCTUARY = ("open", "tolerated", "closed", "hostile")
COLUMN_KINDS = ("infantry", "cavalry", "garrison", "volunteer", "ogpu")
ORDERS = ("hold", "patrol", "pursue", "march")
POLICIES = (
    "amnesty",
    "food_for_cotton",
    "collectivisation",
    "anti_religious",
    "show_trials",
    "executions",
    "punitive_raids",
    "village_burning",
)
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
    fighters: int = param(100, "Men under arms.", ge=0)
    at: str = param(
        "", "Named place where it starts (see `basmachi map`), or empty if `cell` is given."
    )
    cell: tuple[int, ...] = param((), "[row, col] where it starts, if no `at` place is given.")
    home: str = param("", "Named place of its home base; defaults to where it starts.")
    morale: float = param(0.7, "Initial morale.", ge=0.0, le=1.0)
    food_days: float = param(3.0, "Rations carried at the start, in days.", ge=0.0)
    herd: float = param(0.0, "Sheep driven with the band.", ge=0.0)
    count: int = param(1, "Number of identical bands to create (named name-1, name-2, ...).", ge=1)
    source: str = param("", "Row id(s) in outcomes.csv the figures come from.")


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """A state unit: a column, garrison, volunteer or OGPU detachment."""

    name: str = param("", "Unique name of the unit.")
    kind: str = param("infantry", "Type of unit.", choices=COLUMN_KINDS)
    strength: int = param(300, "Men.", ge=0)
    machine_guns: int = param(0, "Machine guns.", ge=0)
    guns: int = param(0, "Mountain guns.", ge=0)
    at: str = param("", "Named place where it starts, or empty if `cell` is given.")
    cell: tuple[int, ...] = param((), "[row, col] where it starts, if no `at` place is given.")
    order: str = param("hold", "Standing order.", choices=ORDERS)
    target: str = param(
        "",
        "Named place it marches to under `march`, its post under `hold`, the area it is sent"
        " to under `pursue` (it marches there while no band is within pursuit range, then"
        " patrols around it) or patrols around under `patrol`.",
    )
    supply_days: float = param(10.0, "Days of rations carried at the start.", ge=0.0)
    morale: float = param(0.7, "Initial morale.", ge=0.0, le=1.0)
    count: int = param(1, "Number of identical units to create (named name-1, name-2, ...).", ge=1)
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
    """Initial leaning of the villages around a place (e.g. a leader's home valley)."""

    name: str = param("", "Unique name of the region.")
    at: str = param("", "Named place at the centre of the region.")
    radius_km: float = param(30.0, "Villages within this distance of the place are set.", unit="km", gt=0.0)
    support: float = param(0.5, "Initial leaning toward the insurgents.", ge=0.0, le=1.0)
    grievance: float = param(0.3, "Initial grievance.", ge=0.0, le=1.0)
    fear: float = param(0.1, "Initial fear.", ge=0.0, le=1.0)
    source: str = param("", "Row id(s) in outcomes.csv, or 'judgement'.")


@dataclasses.dataclass(frozen=True)
class TimelineEvent:
    """One dated entry of the scenario timeline.

    The ``kind`` decides which other fields are used:

    - ``sanctuary``: ``status`` of the Afghan side from ``date`` on.
    - ``policy``: a ``policy`` window from ``date`` to ``end`` (inclusive) with its
      ``credibility`` and ``intensity`` (e.g. an amnesty and its terms).
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
    switch: str = param(
        "heliographs", "Doctrine or technology switch (kind = switch).", choices=SWITCHES
    )
    on: bool = param(True, "Switch state from this date (kind = switch).")
    path: str = param("", "Dotted parameter path (kind = set), e.g. 'combat.ambush_bonus'.")
    value: float = param(0.0, "New value of the parameter (kind = set).")
    units: tuple[str, ...] = param((), "Unit names (withdraw, orders, supply_shock).")
    order: str = param("pursue", "New order (kind = orders).", choices=ORDERS)
    target: str = param(
        "", "Target place of a `march` order (the post of `hold`, the area of `pursue`/`patrol`)."
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
    seed: int = param(0, "Default master seed of `basmachi run` when --seed is not given.", ge=0)
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


@dataclasses.dataclass(frozen=True)
class Problem:
    """One validation problem: where, what, and what would be allowed."""

    file: str
    path: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{self.file}: {self.path or '<top>'} = {shown}: expected {self.allowed}"


class ScenarioError(ValueError):
    """A scenario file or parameter set is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --------------------------------------------------------------------------- loading


def find_scenario(name_or_path: str | Path) -> Path:
    """Resolve a scenario given as a path or as a name of a file in ``scenarios/``.

    Raises
    ------
    ScenarioError
        If neither exists; the message lists the available names.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    base = scenarios_dir()
    for candidate in (base / f"{name_or_path}.toml", base / str(name_or_path)):
        if candidate.is_file():
            return candidate
    names = sorted(p.stem for p in base.glob("*.toml")) if base.is_dir() else []
    raise ScenarioError(
        [
            Problem(
                str(name_or_path),
                "",
                str(name_or_path),
                "an existing file or one of " + ", ".join(names),
            )
        ]
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load, merge (``extends``) and validate a scenario file.

    Parameters
    ----------
    name_or_path
        A path to a TOML file, or the name of a file in the project's ``scenarios/``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem, each with file, field path, value and what is allowed.
    """
    path = find_scenario(name_or_path)
    data = _read_merged(path, chain=())
    return parse_scenario(data, origin=str(path))


def _read_toml(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    origin = str(chain[-1]) if chain else str(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(
            [Problem(origin, "extends", str(path), "an existing TOML file")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(str(path), "", "<file>", f"valid TOML ({exc})")]) from None


def _read_merged(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError([Problem(str(chain[-1]), "extends", path.name, f"no cycle ({cycle})")])
    data = _read_toml(path, chain)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError([Problem(str(path), "extends", parent, "a file name (string)")])
    parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not parent_path.suffix:
        parent_path = parent_path.with_suffix(".toml")
    base = _read_merged(parent_path, (*chain, path))
    return _merge(base, data)


_KEYS = ("name", "id")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into ``base`` (see the module docstring for the rules)."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value)
        elif isinstance(old, list) and isinstance(value, list) and _keyed(old) and _keyed(value):
            out[key] = _merge_keyed(old, value)
        else:
            out[key] = value
    return out


def _key_of(entry: dict[str, Any]) -> str | None:
    for k in _KEYS:
        if isinstance(entry.get(k), str) and entry[k]:
            return f"{k}:{entry[k]}"
    return None


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(i, dict) for i in items)


def _merge_keyed(base: list[dict[str, Any]], over: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = list(base)
    index = {_key_of(e): i for i, e in enumerate(out) if _key_of(e) is not None}
    removed: set[int] = set()
    for given in over:
        key = _key_of(given)
        entry = dict(given)
        remove = entry.pop("remove", False) is True
        if key is not None and key in index:
            i = index[key]
            if remove:
                removed.add(i)
            else:
                out[i] = _merge(out[i], entry)
        elif not remove:
            out.append(entry)
    return [e for i, e in enumerate(out) if i not in removed]


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
        value = float(value) if ok else value
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
    bad = False
    if meta.choices and isinstance(value, str):
        bad = value not in meta.choices
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        bad = (
            (meta.ge is not None and value < meta.ge)
            or (meta.le is not None and value > meta.le)
            or (meta.gt is not None and value <= meta.gt)
            or (isinstance(value, float) and math.isnan(value))
        )
    if bad:
        problems.append(Problem(origin, path, value, meta.allowed()))


def _check_semantics(s: Scenario, origin: str, problems: list[Problem]) -> None:
    """Cross-field checks: dates, names, references and places."""
    from sim.geography import UnknownPlaceError, load_theatre  # leaf module, loaded lazily

    if s.end < s.start:
        problems.append(
            Problem(origin, "end", s.end.isoformat(), f"a date on or after start ({s.start})")
        )
    if s.map.bbox and len(s.map.bbox) != 4:
        problems.append(
            Problem(
                origin,
                "map.bbox",
                list(s.map.bbox),
                "4 numbers [lat_min, lat_max, lon_min, lon_max]",
            )
        )
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
        if len(s.map.bbox) == 4:
            theatre = theatre.crop(*s.map.bbox)
    rows, cols = theatre.shape if theatre is not None else (s.map.rows, s.map.cols)

    def check_place(
        value: str, field: str, *, cell: tuple[int, ...] = (), required: bool = False
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
                        field.rsplit(".", 1)[0] + ".cell",
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
        check_place(c.target, f"{where}.target", required=c.order == "march")

    for i, b in enumerate(s.bands):
        check_band(b, f"bands[{i}]")
    for i, c in enumerate(s.columns):
        check_column(c, f"columns[{i}]")
    for i, d in enumerate(s.depots):
        check_place(d.at, f"depots[{i}].at", cell=d.cell, required=True)
    _unique(s.regions, "regions", origin, problems)
    for i, r in enumerate(s.regions):
        check_place(r.at, f"regions[{i}].at", required=True)

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
        if ev.kind == "orders" and ev.order == "march":
            check_place(ev.target, f"{where}.target", required=True)
        if ev.kind == "reinforce":
            if not ev.bands and not ev.columns:
                problems.append(
                    Problem(origin, f"{where}.bands", [], "at least one band or column")
                )
            for j, b in enumerate(ev.bands):
                check_band(b, f"{where}.bands[{j}]")
            for j, c in enumerate(ev.columns):
                check_column(c, f"{where}.columns[{j}]")


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
