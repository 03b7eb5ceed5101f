"""Reading a targets file (``calibration/targets.toml``) and the documented outcomes it cites.

The file is read with the limits of :func:`sim.validation.read_toml` (size, UTF-8,
nesting) and checked with the one :class:`sim.validation.Checker`: every problem of
every entry is collected, each naming the file, the entry as the user wrote it
(``target[key="P23-06-date"].window``, or ``target[id="R29-14"]`` without a ``key``),
the value and what is allowed, and raised together as one
:class:`sim.scoring.targets.TargetError`. The kinds and their fields are described in
:mod:`sim.scoring.targets`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.paths import history_dir, project_root
from sim.scoring.targets import (
    AGGS,
    DATE_KINDS,
    EVENT_KINDS,
    KINDS,
    EventFilter,
    Target,
    TargetError,
    TargetSet,
)
from sim.validation import FIRST_DATE, LAST_DATE, Checker, InputError, Problem, Shown, read_toml

__all__ = [
    "MAX_LEVEL_DAYS",
    "MAX_MAGNITUDE",
    "MAX_RADIUS",
    "default_outcomes_path",
    "default_targets_path",
    "load_targets",
    "missing_train_rows",
    "read_outcomes",
]

MAX_MAGNITUDE = 1e12
"""Largest documented number (bound, value, threshold, scale, ``where`` value) in absolute value."""
MAX_RADIUS = 1000
"""Largest ``radius`` around a place, in cells."""
MAX_LEVEL_DAYS = 366
"""Most days either side of a level's ``date`` it is read over."""

_COMMON = (
    "id", "key", "scenarios", "kind", "title", "weight", "reliability", "note", "given",
    "uninformative",
)
_EVENT = ("event", "side", "place", "radius", "leader", "leaders", "where", "units")
_FILTER = (*_EVENT, "search")
_ALLOWED: dict[str, tuple[str, ...]] = {
    "event_date": (*_COMMON, *_EVENT, "search", "window"),
    "first_below": (*_COMMON, "series", "threshold", "search", "window"),
    "duration": (*_COMMON, "start", "finish", "column", "low", "high", "search", "scale"),
    "count": (*_COMMON, *_EVENT, "search", "column", "agg", "low", "high", "value", "tolerance", "scale"),
    "ratio": (*_COMMON, *_EVENT, "search", "numerator", "denominator", "low", "high", "scale"),
    "level": (*_COMMON, "series", "date", "days", "agg", "low", "high", "scale"),
    "growth": (*_COMMON, "series", "points", "agg", "scale"),
    "absent": (*_COMMON, *_EVENT, "search"),
}
_POINT = ("date", "days", "low", "high", "value", "tolerance")
_TOP = ("target", "unchecked", "cited_input", "meta")
_SIDES = ("", "insurgent", "state", "village")
_SERIES = "a steps column, in_country, fighters[LEADER], in_country[LEADER] or near[PLACE]"
_DATE = f"a date such as 1929-04-22, within {FIRST_DATE} .. {LAST_DATE}"
_NUMBER = {"ge": -MAX_MAGNITUDE, "le": MAX_MAGNITUDE}


def default_targets_path() -> Path:
    """``calibration/targets.toml`` of the project."""
    return project_root() / "calibration" / "targets.toml"


def default_outcomes_path() -> Path:
    """The documented outcomes: ``outcomes.csv`` of :func:`sim.paths.history_dir`."""
    return history_dir() / "outcomes.csv"


def read_outcomes(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Rows of ``outcomes.csv`` by id.

    Raises
    ------
    TargetError
        When the file is missing, unreadable, not UTF-8 or has no ``id`` column (naming
        the path and what is expected).
    """
    path = default_outcomes_path() if path is None else path
    expected = "the documented outcomes (outcomes.csv, shipped in calibration/history/; or set BASMACHI_HISTORY)"

    def bad(value: str, allowed: str) -> TargetError:
        return TargetError([Problem(str(path), "", Shown(value), allowed)])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise bad("<no such file>", f"an existing file: {expected}") from None
    except IsADirectoryError:
        raise bad("<folder>", f"a file, not a folder: {expected}") from None
    except (OSError, ValueError) as exc:
        raise bad("<file>", f"a readable file: {expected} ({exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"<byte 0x{raw[exc.start:exc.start + 1].hex()} at offset {exc.start}>", "UTF-8 text") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise bad("<file>", f"a valid CSV file ({exc})") from None
    if not rows or "id" not in rows[0]:
        raise bad("<file>", f"a CSV table with an `id` column: {expected}")
    return {row["id"]: row for row in rows if isinstance(row.get("id"), str)}


# --------------------------------------------------------------------------- one entry


class _Entry:
    """Checked reading of one table of the file (a target, a point, an event table)."""

    def __init__(self, v: Checker, data: Mapping[str, Any], where: str) -> None:
        self.v, self.data, self.where = v, data, where

    def path(self, field: str) -> str:
        return f"{self.where}.{field}"

    def problem(self, field: str, value: Any, allowed: str) -> None:
        self.v.problem(self.path(field), value, allowed)

    def get(self, field: str, typ: type, default: Any, **bounds: float) -> Any:
        return self.v.get(self.data, self.path(field), typ, default, **bounds)

    def text(self, field: str, default: str = "", *, required: bool = False, what: str = "text") -> str:
        if required and field not in self.data:
            self.problem(field, None, what)
            return default
        value = self.get(field, str, None)
        if value is None:
            return default
        if required and not value.strip():
            self.problem(field, value, what)
        return str(value)

    def number(self, field: str, default: float | None = None, **bounds: float) -> float | None:
        return self.v.get(self.data, self.path(field), float, default, **(bounds or _NUMBER))  # type: ignore[no-any-return]

    def choice(self, field: str, choices: tuple[str, ...], default: str) -> str:
        return self.v.choice(self.data, self.path(field), choices, default)

    def unknown(self, allowed: tuple[str, ...], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(key, self.data[key], f"a field of {what}: one of {', '.join(sorted(allowed))}")

    def date(self, field: str, value: Any) -> dt.date | None:
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, dt.date) or not FIRST_DATE <= day <= LAST_DATE:
            self.problem(field, Shown(value.isoformat()) if isinstance(value, dt.date) else value, _DATE)
            return None
        return day

    def span(self, field: str) -> tuple[dt.date, dt.date] | None:
        value = self.data[field]
        if not isinstance(value, list) or len(value) != 2:
            self.problem(field, value, "[first-date, last-date]")
            return None
        a, b = self.date(field, value[0]), self.date(field, value[1])
        if a is None or b is None:
            return None
        if b < a:
            self.problem(field, value, "the first date on or before the last")
            return None
        return a, b

    def names(self, field: str, *, required: bool = False) -> tuple[str, ...]:
        if field not in self.data:
            if required:
                self.problem(field, None, "a name or a non-empty list of names")
            return ()
        value = self.data[field]
        if isinstance(value, str) and value:
            return (value,)
        if isinstance(value, list) and value and all(isinstance(x, str) and x for x in value):
            return tuple(value)
        self.problem(field, value, "a name or a non-empty list of names")
        return ()

    def sub(self, field: str, what: str) -> _Entry | None:
        value = self.data[field]
        if not isinstance(value, dict):
            self.problem(field, value, f"a table ({what})")
            return None
        return _Entry(self.v, value, self.path(field))

    def bounds(self) -> tuple[float | None, float | None]:
        """``low`` / ``high``, or ``value`` with a relative ``tolerance``; at least one."""
        low, high = self.number("low"), self.number("high")
        if "value" in self.data:
            value = self.number("value")
            tol = self.number("tolerance", 0.0, ge=0.0, le=100.0)
            if value is None or tol is None:
                return None, None
            low, high = value * (1 - tol), value * (1 + tol)
        elif not {"low", "high"} & set(self.data):
            self.problem("low/high", None, "at least one of low, high (or value with tolerance)")
        if low is not None and high is not None and high < low:
            self.problem("high", high, f"a number >= low ({low:g})")
        return low, high

    def series(self) -> str:
        return self.text("series", required=True, what=_SERIES)


def _filter(e: _Entry) -> EventFilter | None:
    """The event table of a target (or of its ``start``, ``finish`` or ``given``)."""
    kinds = e.names("event", required=True)
    leaders = e.names("leader")
    if "leaders" in e.data:
        leaders = e.names("leaders")
    where: list[tuple[str, tuple[float, ...]]] = []
    raw = e.data.get("where", {})
    if not isinstance(raw, dict):
        e.problem("where", raw, "a table of column = value or [values]")
        raw = {}
    for col, val in raw.items():
        path = e.path(f"where.{col}")
        if isinstance(val, list) and not val:
            e.v.problem(path, val, "a number or a non-empty list of numbers")
            continue
        got = (
            [e.v.value(f"{path}[{i}]", x, float, None, **_NUMBER) for i, x in enumerate(val)]
            if isinstance(val, list)
            else [e.v.value(path, val, float, None, **_NUMBER)]
        )
        if None not in got:
            where.append((str(col), tuple(float(g) for g in got)))
    side = e.choice("side", _SIDES, "")
    radius = e.get("radius", int, 1, ge=0, le=MAX_RADIUS)
    place = e.text("place")
    units = e.names("units")
    search = e.span("search") if "search" in e.data else None
    if not kinds:
        return None
    return EventFilter(
        kinds=kinds, side=side, place=place, radius=radius, leaders=leaders,
        where=tuple(where), units=units, search=search,
    )


def _label(entry: Mapping[str, Any], index: int) -> str:
    """How the user names a target: ``target[key="..."]``, ``target[id="..."]`` or ``target[3]``."""
    for field in ("key", "id"):
        value = entry.get(field)
        if isinstance(value, str) and value:
            return f'target[{field}="{value}"]'
    return f"target[{index}]"


def _target(e: _Entry, known: Mapping[str, Mapping[str, str]]) -> list[Target]:
    """The target(s) of one ``[[target]]`` entry (several for a growth curve), problems recorded."""
    data = e.data
    kind = data.get("kind")
    if kind not in KINDS:
        e.problem("kind", kind, "one of " + ", ".join(KINDS))
        kind = ""
    if kind:
        e.unknown(_ALLOWED[kind], f"a target of kind {kind!r}")
    ident = e.text("id", required=True, what="a row id of outcomes.csv, e.g. 'R29-13'")
    if ident and ident not in known:
        e.problem("id", ident, "a row id present in outcomes.csv")
    elif ident and known[ident].get("role", "") != "train":
        e.problem(
            "id", ident, f"a row with role 'train' (this row has role {known[ident].get('role', '')!r}:"
            " inputs, context and excluded rows are never targets)"
        )
    title = e.text("title", required=True, what="a short statement of the outcome")
    uninformative = e.get("uninformative", str, "")
    if "uninformative" in data and isinstance(data["uninformative"], str) and not uninformative.strip():
        e.problem("uninformative", uninformative, "the reason the target is left out of the hit rate")
    given = None
    if "given" in data:
        g = e.sub("given", "event, place, leader, units, search, ...")
        if g is not None:
            g.unknown(_FILTER, "an event condition")
            given = _filter(g)
    base: dict[str, Any] = {
        "id": ident,
        "key": e.text("key", ident, required="key" in data, what="a distinct name for the target"),
        "scenarios": e.names("scenarios", required=True),
        "kind": kind,
        "title": title,
        "weight": e.number("weight", 0.5, gt=0.0, le=1.0),
        "reliability": e.text("reliability", known.get(ident, {}).get("reliability", "")),
        "note": e.text("note"),
        "given": given,
        "uninformative": uninformative,
    }
    if "search" in data:
        base["search"] = e.span("search")
    if "scale" in data:
        base["scale"] = e.number("scale", None, gt=0.0, le=MAX_MAGNITUDE)
    if kind in EVENT_KINDS and kind != "duration":
        base["events"] = _filter(e)
        base["each_leader"] = "leaders" in data and kind == "event_date"
    if kind in DATE_KINDS:
        if "window" in data:
            base["window"] = e.span("window")
        else:
            e.problem("window", None, "[first-date, last-date] of the documented window")
    if kind == "first_below":
        base["series"] = e.series()
        base["threshold"] = e.number("threshold", 0.0)
    elif kind == "duration":
        parts = {p: e.sub(p, "event, place, leader, ...") if p in data else None for p in ("start", "finish")}
        for part in parts.values():
            if part is not None:
                part.unknown(_FILTER, "an event table")
        if "start" not in data:
            e.problem("start", None, "a table with the event the duration starts with")
        if "finish" not in data and "column" not in data:
            e.problem("finish", None, "a finish event table, or a column such as duration_h")
        base["events"] = None if parts["start"] is None else _filter(parts["start"])
        base["finish"] = None if parts["finish"] is None else _filter(parts["finish"])
        base["column"] = e.text("column", "n")
        base["low"], base["high"] = e.bounds()
    elif kind == "count":
        base["agg"] = e.choice("agg", AGGS[:4], "sum")
        base["column"] = e.text("column", "n")
        base["low"], base["high"] = e.bounds()
    elif kind == "ratio":
        for field in ("numerator", "denominator"):
            base[field] = e.text(field, required=True, what="an event column name")
        base["low"], base["high"] = e.bounds()
    elif kind == "level":
        base["series"] = e.series()
        if "date" in data:
            base["date"] = e.date("date", data["date"])
        else:
            e.problem("date", None, _DATE)
        base["days"] = e.get("days", int, 0, ge=0, le=MAX_LEVEL_DAYS)
        base["agg"] = e.choice("agg", AGGS[2:], "max")
        base["low"], base["high"] = e.bounds()
    elif kind == "growth":
        return _growth(e, base)
    return [Target(**base)]


def _growth(e: _Entry, base: dict[str, Any]) -> list[Target]:
    """A growth curve: one level target per point (keys ``KEY#1``, ``KEY#2``, ...)."""
    series = e.series()
    agg = e.choice("agg", AGGS[2:], "max")
    points = e.data.get("points")
    if not isinstance(points, list) or len(points) < 2:
        e.problem("points", points, "a list of at least two {date, low, high, days} tables")
        return []
    out = []
    for i, raw in enumerate(points):
        if not isinstance(raw, dict):
            e.problem(f"points[{i}]", raw, "a table {date, low, high, days}")
            continue
        p = _Entry(e.v, raw, e.path(f"points[{i}]"))
        p.unknown(_POINT, "a growth point")
        low, high = p.bounds()
        day = p.date("date", raw["date"]) if "date" in raw else None
        if "date" not in raw:
            p.problem("date", None, _DATE)
        out.append(
            Target(
                **{**base, "key": f"{base['key']}#{i + 1}", "kind": "level"},
                series=series,
                date=day,
                days=p.get("days", int, 0, ge=0, le=MAX_LEVEL_DAYS),
                agg=agg,
                low=low,
                high=high,
            )
        )
    return out


# --------------------------------------------------------------------------- the file


def _entries(v: Checker, data: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The tables of the array of tables ``[[key]]`` (problems for anything else)."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        v.problem(key, raw, f"an array of tables [[{key}]]")
        return []
    out: list[tuple[int, Mapping[str, Any]]] = []
    for i, entry in enumerate(raw):
        if isinstance(entry, dict):
            out.append((i, entry))
        else:
            v.problem(f"{key}[{i}]", entry, f"a table [[{key}]]")
    return out


def _exceptions(
    v: Checker, data: Mapping[str, Any], key: str, known: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """``[[unchecked]]`` or ``[[cited_input]]``: row id -> reason."""
    out: dict[str, str] = {}
    for i, raw in _entries(v, data, key):
        ident = raw.get("id")
        e = _Entry(v, raw, f'{key}[id="{ident}"]' if isinstance(ident, str) and ident else f"{key}[{i}]")
        e.unknown(("id", "reason"), f"[[{key}]]")
        ident = e.text("id", required=True, what="a row id of outcomes.csv")
        reason = e.text("reason", required=True, what="a non-empty reason")
        if not ident:
            continue
        role = known.get(ident, {}).get("role")
        if role is None:
            e.problem("id", ident, "a row id present in outcomes.csv")
        elif key == "cited_input" and role not in ("train", "narrative"):
            e.problem(
                "id", ident, f"a train or narrative row of outcomes.csv (this row has role {role!r}:"
                " input and context rows need no exception, exclude rows are never cited)"
            )
        elif ident in out:
            e.problem("id", ident, f"one [[{key}]] entry per row id (this one is listed twice)")
        else:
            out[ident] = reason
    return out


def load_targets(path: str | Path | None = None, *, outcomes: Path | None = None) -> TargetSet:
    """Read and validate a targets file.

    Parameters
    ----------
    path : path, optional
        Default :func:`default_targets_path`.
    outcomes : path, optional
        ``outcomes.csv`` to check row ids and roles against (default
        :func:`default_outcomes_path`; a missing file is an error).

    Raises
    ------
    TargetError
        Listing every problem: the file, the entry and field as written, the value and
        what is allowed.
    """
    path = default_targets_path() if path is None else Path(path)
    try:
        data = read_toml(path, what="a targets TOML file")
    except InputError as exc:  # the reader's problems, as the targets' error type
        raise TargetError(exc.problems) from None
    known = read_outcomes(outcomes)
    v = Checker(str(path))
    v.unknown(data, "", _TOP)
    targets: list[Target] = []
    for i, entry in _entries(v, data, "target"):
        targets.extend(_target(_Entry(v, entry, _label(entry, i)), known))
    seen: set[str] = set()
    for t in targets:
        if t.key in seen:
            v.problem(f'target[key="{t.key}"]', t.key, "a distinct key (give one of the targets its own `key`)")
        seen.add(t.key)
    unchecked = _exceptions(v, data, "unchecked", known)
    cited = _exceptions(v, data, "cited_input", known)
    if v.problems:
        raise TargetError(v.problems)
    return TargetSet(targets=tuple(targets), unchecked=unchecked, path=path, cited_inputs=cited)


def missing_train_rows(ts: TargetSet, outcomes: Path | None = None) -> list[str]:
    """Train rows of ``outcomes.csv`` neither targeted nor listed as unchecked."""
    rows = read_outcomes(outcomes)
    return sorted(
        i for i, r in rows.items()
        if r.get("role") == "train" and i not in ts.ids and i not in ts.unchecked
    )
