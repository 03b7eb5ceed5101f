"""Cross-field checks of a scenario whose fields are each valid: dates, names,
references between sections and named places on the map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.scenario.choices import RUNTIME_SECTIONS, SWITCHES
from sim.scenario.errors import ScenarioError
from sim.scenario.limits import MAX_DAYS, check_size
from sim.scenario.timeline_spec import misplaced_fields
from sim.validation import FIRST_DATE, LAST_DATE, NAME_ALLOWED, Problem, Shown, is_safe_name

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.scenario.specs import BandSpec, ColumnSpec


def check_semantics(s: Scenario, origin: str, problems: list[Problem]) -> None:
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
    check_size(s, rows * cols, origin, problems)

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
    _check_moving_supply(s, origin, problems, check_place)
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
        if ev.kind == "set" and ev.path.split(".")[0] not in RUNTIME_SECTIONS:
            # The map, the villages and the scenario's own fields are built once before the
            # first day: a dated change of them would silently do nothing.
            problems.append(Problem(origin, f"{where}.path", ev.path, "a parameter of "
                                    + ", ".join(f"[{x}]" for x in RUNTIME_SECTIONS)
                                    + " (the map and villages are built before the first day)"))
        elif ev.kind == "set":
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
        else:  # units of another kind of entry would never enter the map
            for key in ("bands", "columns"):
                if getattr(ev, key):
                    problems.append(Problem(
                        origin, f"{where}.{key}", Shown(f"<{len(getattr(ev, key))} entries>"),
                        f"no {key} in an entry of kind {ev.kind!r} (units enter the map only"
                        " with kind = 'reinforce')",
                    ))
        for key, kinds in misplaced_fields(ev):
            value = getattr(ev, key)
            shown = value.isoformat() if isinstance(value, dt.date) else (
                list(value) if isinstance(value, tuple) else value)
            problems.append(Problem(
                origin, f"{where}.{key}", shown,
                f"no {key} in an entry of kind {ev.kind!r} (it would be ignored; {key} belongs to"
                f" kind {' or '.join(repr(k) for k in kinds)})",
            ))


def _check_moving_supply(
    s: Scenario, origin: str, problems: list[Problem], check_place: Callable[..., None]
) -> None:
    """Dated depots, forward bases and pack trains name what exists, within the run."""
    columns = [n for c in s.columns for n in _unit_names(c)]
    for ev in s.timeline:
        columns += [n for c in ev.columns for n in _unit_names(c)]
    window = f"a date within {s.start} .. {s.end}"
    for i, d in enumerate(s.depots):
        where = f"depots[{i}]"
        if d.follows and d.follows not in columns:
            problems.append(Problem(origin, f"{where}.follows", d.follows, (
                "one of " + ", ".join(sorted(columns)) if columns
                else "a column name of this scenario (it has none)")))
        for key in ("opens", "closes"):
            day = getattr(d, key)
            if day is not None and not FIRST_DATE <= day <= LAST_DATE:
                problems.append(Problem(origin, f"{where}.{key}", day.isoformat(),
                                        f"a date within {FIRST_DATE} .. {LAST_DATE}"))
        if d.opens is not None and d.closes is not None and d.closes < d.opens:
            problems.append(Problem(origin, f"{where}.closes", d.closes.isoformat(),
                                    f"a date on or after opens = {d.opens}"))
    _unique(s.pack_trains, "pack_trains", origin, problems)
    depots = sorted(d.name for d in s.depots)
    for i, t in enumerate(s.pack_trains):
        where = f"pack_trains[{i}]"
        check_place(t.at, f"{where}.at", cell=t.cell, required=True)
        for j, w in enumerate(t.route):
            check_place(w, f"{where}.route[{j}]", required=True)
        if t.to not in depots:
            problems.append(Problem(origin, f"{where}.to", t.to, (
                "one of " + ", ".join(depots) if depots
                else "a depot name declared in [[depots]] (none are)")))
        if not s.start <= t.date <= s.end:
            problems.append(Problem(origin, f"{where}.date", t.date.isoformat(), window))


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


def check_window(s: Scenario, origin: str, notes: list[Problem]) -> None:
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
