"""Documented outcomes as machine-checkable targets: load and validate ``targets.toml``.

A target turns one ``train`` row of ``outcomes.csv`` into a statement that a set of
replicate runs either meets or misses. Each replicate is reduced to one number (a day,
a count, a ratio, a level, or 0/1 for a negative outcome); the statement is a documented
interval on that number. :mod:`sim.scoring.evaluate` does the reducing.

Kinds (field ``kind``)
----------------------
``event_date``
    Day of the first matching event in ``search``; documented ``window`` of dates.
    With ``leaders = [...]`` the day by which *every* listed leader has had one.
``first_below``
    First day in ``search`` on which ``series`` is at or below ``threshold`` after
    having been above it; documented ``window`` of dates.
``duration``
    Days from the first ``start`` event to the first ``finish`` event at or after it,
    or (with ``column``) the longest value of an event column such as ``duration_h``;
    documented ``low`` / ``high``.
``count``
    ``agg`` (sum, count, max, mean) of ``column`` (default ``n``) over matching events
    in ``search``; documented ``low`` / ``high`` (either may be absent: a one-sided bound)
    or ``value`` with a relative ``tolerance``.
``ratio``
    Sum of ``numerator`` over the sum of ``denominator`` (event columns) of matching
    events in ``search``; documented ``low`` / ``high``.
``level``
    ``agg`` (max, min, mean, last) of ``series`` over ``date`` +- ``days``; documented
    ``low`` / ``high``.
``growth``
    Several ``points`` (date, low, high, days) on one ``series``: a growth curve,
    evaluated as one level check per point (keys ``ID#1``, ``ID#2``, ...).
``absent``
    A negative outcome: no matching event in ``search`` (0/1 per replicate; hit when
    most replicates have none).

Every kind also takes ``given`` (a condition: an event table the replicate must contain
for the statement to apply, e.g. the post was attacked) and ``uninformative`` (the reason
a target is reported but left out of the hit rate: a null world also hits it, or it is
true by construction). Event tables take ``units`` (band or column names) besides
``place``, ``leader`` and ``where``.

Series are columns of the ``steps`` table, ``in_country`` (fighters on the Soviet side),
``fighters[LEADER]`` / ``in_country[LEADER]`` (bands of one leader) and ``near[PLACE]``
(insurgent fighters within ``radius`` cells of a place); :func:`sim.scoring.runs.run_replicates`
records the last three.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.paths import history_dir, project_root

__all__ = [
    "EVENT_KINDS",
    "KINDS",
    "EventFilter",
    "GrowthPoint",
    "Target",
    "TargetError",
    "TargetSet",
    "default_outcomes_path",
    "default_targets_path",
    "load_targets",
    "read_outcomes",
]

KINDS = (
    "event_date",
    "first_below",
    "duration",
    "count",
    "ratio",
    "level",
    "growth",
    "absent",
)
DATE_KINDS = ("event_date", "first_below")
EVENT_KINDS = (*DATE_KINDS[:1], "duration", "count", "ratio", "absent")
SERIES_RE = re.compile(r"^(fighters|in_country|near)\[(.+)\]$")
AGGS = ("sum", "count", "max", "mean", "min", "last")


class TargetError(ValueError):
    """A targets file is malformed; the message names the file, target and field."""


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
        When the file is not there (naming the path).
    """
    path = default_outcomes_path() if path is None else path
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return {row["id"]: row for row in csv.DictReader(fh)}
    except FileNotFoundError:
        raise TargetError(
            f"{path}: no such file; the documented outcomes ship in calibration/history/ "
            "(or set BASMACHI_HISTORY)"
        ) from None


@dataclasses.dataclass(frozen=True)
class EventFilter:
    """Which events a target looks at.

    Attributes
    ----------
    kinds : tuple of str
        Event kinds (``town_captured``, ``engagement``, ``leader_exit``, ...).
    side : str
        ``insurgent``, ``state``, ``village`` or empty for any.
    place : str
        Town events match by name; other events must lie within ``radius`` cells.
    radius : int
        Chebyshev radius in cells around ``place``.
    leaders : tuple of str
        Events of bands led by one of these leaders.
    where : tuple of (column, allowed values)
        Extra columns of the event table and the values allowed (any of them).
    units : tuple of str
        Events of these bands or columns (by scenario name): the event's own unit, or for
        an engagement its lead column. Names a post apart from a town in the same area.
    search : (date, date) or None
        Own search window (used by a ``given`` condition); None: the target's.
    """

    kinds: tuple[str, ...]
    side: str = ""
    place: str = ""
    radius: int = 1
    leaders: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[float, ...]], ...] = ()
    units: tuple[str, ...] = ()
    search: tuple[dt.date, dt.date] | None = None


@dataclasses.dataclass(frozen=True)
class GrowthPoint:
    """One documented point of a growth curve."""

    date: dt.date
    low: float | None
    high: float | None
    days: int = 0


@dataclasses.dataclass(frozen=True)
class Target:
    """One machine-checkable statement of a documented outcome.

    ``low`` / ``high`` are the documented interval of the reduced value (days since
    the scenario start are filled in at evaluation for date kinds, from ``window``).
    ``given`` is the condition under which the statement says anything (e.g. the post
    was attacked): a replicate without a matching event is "not applicable" and cannot
    count as inside. ``uninformative`` is the reason a target is left out of the hit
    rate (empty: it counts).
    """

    id: str
    key: str
    scenarios: tuple[str, ...]
    kind: str
    title: str
    weight: float
    reliability: str
    note: str = ""
    events: EventFilter | None = None
    finish: EventFilter | None = None
    search: tuple[dt.date, dt.date] | None = None
    window: tuple[dt.date, dt.date] | None = None
    low: float | None = None
    high: float | None = None
    column: str = "n"
    agg: str = "sum"
    numerator: str = ""
    denominator: str = ""
    series: str = ""
    threshold: float = 0.0
    date: dt.date | None = None
    days: int = 0
    scale: float | None = None
    each_leader: bool = False
    given: EventFilter | None = None
    uninformative: str = ""

    @property
    def informative(self) -> bool:
        """Whether the target counts in the hit rate and the distance."""
        return not self.uninformative

    @property
    def is_date(self) -> bool:
        """Whether the reduced value is a day (shown as a date)."""
        return self.kind in DATE_KINDS

    def documented(self) -> str:
        """The documented value or window, as text."""
        if self.kind == "absent":
            return "none"
        if self.window is not None:
            a, b = self.window
            return a.isoformat() if a == b else f"{a.isoformat()} .. {b.isoformat()}"
        unit = {"duration": " d" if self.column == "n" else " h"}.get(self.kind, "")
        if self.low is not None and self.high is not None:
            if self.low == self.high:
                return f"{_num(self.low)}{unit}"
            return f"{_num(self.low)} .. {_num(self.high)}{unit}"
        if self.high is not None:
            return f"<= {_num(self.high)}{unit}"
        if self.low is not None:
            return f">= {_num(self.low)}{unit}"
        return "?"


def _num(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 10 and x != int(x) else f"{x:,.0f}"


@dataclasses.dataclass(frozen=True)
class TargetSet:
    """All targets of a file and the train rows it says cannot be checked."""

    targets: tuple[Target, ...]
    unchecked: dict[str, str]
    path: Path
    cited_inputs: dict[str, str] = dataclasses.field(default_factory=dict)
    """Train and narrative rows a scenario ``source`` may cite (row id -> what is used and why)."""

    def for_scenario(self, name: str) -> tuple[Target, ...]:
        """Targets that apply to scenario ``name``."""
        return tuple(t for t in self.targets if name in self.scenarios_of(t))

    @staticmethod
    def scenarios_of(t: Target) -> tuple[str, ...]:
        """Scenarios a target applies to."""
        return t.scenarios

    @property
    def scenarios(self) -> tuple[str, ...]:
        """Every scenario named by some target, sorted."""
        return tuple(sorted({s for t in self.targets for s in t.scenarios}))

    @property
    def ids(self) -> set[str]:
        """Row ids with at least one target."""
        return {t.id for t in self.targets}


# --------------------------------------------------------------------------- loading

_COMMON = {
    "id", "key", "scenarios", "kind", "title", "weight", "reliability", "note", "given",
    "uninformative",
}
_EVENT = {"event", "side", "place", "radius", "leader", "leaders", "where", "units"}
_ALLOWED: dict[str, set[str]] = {
    "event_date": _COMMON | _EVENT | {"search", "window"},
    "first_below": _COMMON | {"series", "threshold", "search", "window"},
    "duration": _COMMON | {"start", "finish", "column", "low", "high", "search", "scale"},
    "count": _COMMON | _EVENT | {"search", "column", "agg", "low", "high", "value", "tolerance", "scale"},
    "ratio": _COMMON | _EVENT | {"search", "numerator", "denominator", "low", "high", "scale"},
    "level": _COMMON | {"series", "date", "days", "agg", "low", "high", "scale"},
    "growth": _COMMON | {"series", "points", "agg", "scale"},
    "absent": _COMMON | _EVENT | {"search"},
}


class _Ctx:
    def __init__(self, path: Path, index: int, data: Mapping[str, Any]) -> None:
        ident = data.get("key") or data.get("id") or "?"
        self.where = f"{path}: target #{index + 1} ({ident})"

    def fail(self, field: str, value: Any, expected: str) -> TargetError:
        return TargetError(f"{self.where}: field {field!r} = {value!r}; expected {expected}")


def _date(ctx: _Ctx, field: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ctx.fail(field, value, "a date such as 1929-04-22")


def _span(ctx: _Ctx, field: str, value: Any) -> tuple[dt.date, dt.date]:
    if not isinstance(value, list) or len(value) != 2:
        raise ctx.fail(field, value, "[first-date, last-date]")
    a, b = _date(ctx, field, value[0]), _date(ctx, field, value[1])
    if b < a:
        raise ctx.fail(field, value, "the first date on or before the last")
    return a, b


def _float(ctx: _Ctx, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.fail(field, value, "a number")
    return float(value)


def _opt(ctx: _Ctx, data: Mapping[str, Any], field: str) -> float | None:
    return None if field not in data else _float(ctx, field, data[field])


def _names(ctx: _Ctx, field: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise ctx.fail(field, value, "a name or a non-empty list of names")


def _filter(ctx: _Ctx, data: Mapping[str, Any], prefix: str = "") -> EventFilter:
    if "event" not in data:
        raise ctx.fail(prefix + "event", None, "an event kind or list of kinds")
    leaders: tuple[str, ...] = ()
    if "leader" in data:
        leaders = _names(ctx, prefix + "leader", data["leader"])
    if "leaders" in data:
        leaders = _names(ctx, prefix + "leaders", data["leaders"])
    where: list[tuple[str, tuple[float, ...]]] = []
    raw = data.get("where", {})
    if not isinstance(raw, dict):
        raise ctx.fail(prefix + "where", raw, "a table of column = value or [values]")
    for col, val in raw.items():
        vals = val if isinstance(val, list) else [val]
        where.append((col, tuple(_float(ctx, f"{prefix}where.{col}", v) for v in vals)))
    side = data.get("side", "")
    if side not in ("", "insurgent", "state", "village"):
        raise ctx.fail(prefix + "side", side, "'insurgent', 'state', 'village' or empty")
    radius = data.get("radius", 1)
    if not isinstance(radius, int) or radius < 0:
        raise ctx.fail(prefix + "radius", radius, "an integer >= 0 (cells)")
    place = data.get("place", "")
    if not isinstance(place, str):
        raise ctx.fail(prefix + "place", place, "a place name")
    units = _names(ctx, prefix + "units", data["units"]) if "units" in data else ()
    search = _span(ctx, prefix + "search", data["search"]) if "search" in data else None
    return EventFilter(
        kinds=_names(ctx, prefix + "event", data["event"]),
        side=side,
        place=place,
        radius=radius,
        leaders=leaders,
        where=tuple(where),
        units=units,
        search=search,
    )


def _bounds(ctx: _Ctx, data: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low, high = _opt(ctx, data, "low"), _opt(ctx, data, "high")
    if "value" in data:
        value = _float(ctx, "value", data["value"])
        tol = _float(ctx, "tolerance", data.get("tolerance", 0.0))
        if tol < 0:
            raise ctx.fail("tolerance", tol, "a relative tolerance >= 0")
        low, high = value * (1 - tol), value * (1 + tol)
    if low is None and high is None:
        raise ctx.fail("low/high", None, "at least one of low, high (or value with tolerance)")
    if low is not None and high is not None and high < low:
        raise ctx.fail("high", high, f"a number >= low ({low})")
    return low, high


def _series(ctx: _Ctx, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ctx.fail("series", value, "a steps column, in_country, fighters[LEADER], in_country[LEADER] or near[PLACE]")
    return value


def _parse(ctx: _Ctx, data: Mapping[str, Any], known: Mapping[str, Mapping[str, str]]) -> list[Target]:
    kind = data.get("kind")
    if kind not in KINDS:
        raise ctx.fail("kind", kind, "one of " + ", ".join(KINDS))
    unknown = set(data) - _ALLOWED[kind]
    if unknown:
        raise ctx.fail(
            sorted(unknown)[0], data[sorted(unknown)[0]],
            f"no such field for kind {kind!r}; allowed: {', '.join(sorted(_ALLOWED[kind]))}",
        )
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise ctx.fail("id", ident, "a row id of outcomes.csv, e.g. 'R29-13'")
    if ident not in known:
        raise ctx.fail("id", ident, "a row id present in outcomes.csv")
    role = known[ident].get("role", "")
    if role != "train":
        raise ctx.fail(
            "id", ident, f"a row with role 'train' (this row has role {role!r}: inputs, "
            "context and excluded rows are never targets)"
        )
    weight = _float(ctx, "weight", data.get("weight", 0.5))
    if not 0 < weight <= 1:
        raise ctx.fail("weight", weight, "a number in (0, 1]")
    title = data.get("title", "")
    if not isinstance(title, str) or not title:
        raise ctx.fail("title", title, "a short statement of the outcome")
    uninformative = data.get("uninformative", "")
    if not isinstance(uninformative, str) or ("uninformative" in data and not uninformative.strip()):
        raise ctx.fail("uninformative", uninformative, "the reason the target is left out of the hit rate")
    given = None
    if "given" in data:
        if not isinstance(data["given"], dict):
            raise ctx.fail("given", data["given"], "a table with event, place, leader, units, search, ...")
        unknown_given = set(data["given"]) - (_EVENT | {"search"})
        if unknown_given:
            f = sorted(unknown_given)[0]
            raise ctx.fail(f"given.{f}", data["given"][f], "one of " + ", ".join(sorted(_EVENT | {"search"})))
        given = _filter(ctx, data["given"], "given.")
    base: dict[str, Any] = {
        "id": ident,
        "key": str(data.get("key", ident)),
        "scenarios": _names(ctx, "scenarios", data.get("scenarios")),
        "kind": kind,
        "title": title,
        "weight": weight,
        "reliability": str(data.get("reliability", known.get(ident, {}).get("reliability", ""))),
        "note": str(data.get("note", "")),
        "given": given,
        "uninformative": uninformative,
    }
    if "search" in data:
        base["search"] = _span(ctx, "search", data["search"])
    if "scale" in data:
        scale = _float(ctx, "scale", data["scale"])
        if scale <= 0:
            raise ctx.fail("scale", scale, "a number > 0")
        base["scale"] = scale
    if kind in EVENT_KINDS and kind != "duration":
        base["events"] = _filter(ctx, data)
        base["each_leader"] = "leaders" in data and kind == "event_date"
    if kind in DATE_KINDS:
        if "window" not in data:
            raise ctx.fail("window", None, "[first-date, last-date] of the documented window")
        base["window"] = _span(ctx, "window", data["window"])
    if kind == "first_below":
        base["series"] = _series(ctx, data.get("series"))
        base["threshold"] = _float(ctx, "threshold", data.get("threshold", 0.0))
    elif kind == "duration":
        for part in ("start", "finish"):
            if part in data and not isinstance(data[part], dict):
                raise ctx.fail(part, data[part], "a table with event, place, leader, ...")
        if "start" not in data:
            raise ctx.fail("start", None, "a table with the event the duration starts with")
        base["events"] = _filter(ctx, data["start"], "start.")
        if "finish" in data:
            base["finish"] = _filter(ctx, data["finish"], "finish.")
        elif "column" not in data:
            raise ctx.fail("finish", None, "a finish event table, or a column such as duration_h")
        base["column"] = str(data.get("column", "n"))
        base["low"], base["high"] = _bounds(ctx, data)
    elif kind == "count":
        agg = data.get("agg", "sum")
        if agg not in AGGS[:4]:
            raise ctx.fail("agg", agg, "one of sum, count, max, mean")
        base["agg"], base["column"] = agg, str(data.get("column", "n"))
        base["low"], base["high"] = _bounds(ctx, data)
    elif kind == "ratio":
        for field in ("numerator", "denominator"):
            if not isinstance(data.get(field), str):
                raise ctx.fail(field, data.get(field), "an event column name")
            base[field] = data[field]
        base["low"], base["high"] = _bounds(ctx, data)
    elif kind == "level":
        base["series"] = _series(ctx, data.get("series"))
        base["date"] = _date(ctx, "date", data.get("date"))
        base["days"] = int(data.get("days", 0))
        agg = data.get("agg", "max")
        if agg not in ("max", "min", "mean", "last"):
            raise ctx.fail("agg", agg, "one of max, min, mean, last")
        base["agg"] = agg
        base["low"], base["high"] = _bounds(ctx, data)
    elif kind == "growth":
        series = _series(ctx, data.get("series"))
        points = data.get("points")
        if not isinstance(points, list) or len(points) < 2:
            raise ctx.fail("points", points, "a list of at least two {date, low, high, days} tables")
        out = []
        for i, p in enumerate(points):
            if not isinstance(p, dict):
                raise ctx.fail(f"points[{i}]", p, "a table {date, low, high, days}")
            low, high = _bounds(ctx, p)
            out.append(
                Target(
                    **{**base, "key": f"{base['key']}#{i + 1}", "kind": "level"},
                    series=series,
                    date=_date(ctx, f"points[{i}].date", p.get("date")),
                    days=int(p.get("days", 0)),
                    agg=str(data.get("agg", "max")),
                    low=low,
                    high=high,
                )
            )
        return out
    return [Target(**base)]


def load_targets(
    path: str | Path | None = None, *, outcomes: Path | None = None
) -> TargetSet:
    """Load and validate a targets file.

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
        Naming the file, the target and the field, and what is allowed.
    """
    path = default_targets_path() if path is None else Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(f"{path}: no such targets file") from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{path}: not valid TOML ({exc})") from None
    known = read_outcomes(outcomes)
    extra = set(data) - {"target", "unchecked", "cited_input", "meta"}
    if extra:
        raise TargetError(
            f"{path}: unknown top-level key {sorted(extra)[0]!r}; allowed: [[target]], "
            "[[unchecked]], [[cited_input]], [meta]"
        )
    targets: list[Target] = []
    for i, entry in enumerate(data.get("target", [])):
        targets.extend(_parse(_Ctx(path, i, entry), entry, known))
    keys = [t.key for t in targets]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise TargetError(f"{path}: duplicate target key {dup[0]!r}; give one of them a distinct `key`")
    unchecked: dict[str, str] = {}
    for i, entry in enumerate(data.get("unchecked", [])):
        ident, reason = entry.get("id"), entry.get("reason")
        if not isinstance(ident, str) or not isinstance(reason, str) or not reason.strip():
            raise TargetError(f"{path}: [[unchecked]] #{i + 1}: needs `id` and a non-empty `reason`")
        if ident not in known:
            raise TargetError(f"{path}: [[unchecked]] #{i + 1}: id {ident!r} is not in outcomes.csv")
        unchecked[ident] = reason
    cited: dict[str, str] = {}
    for i, entry in enumerate(data.get("cited_input", [])):
        ident, reason = entry.get("id"), entry.get("reason")
        if not isinstance(ident, str) or not isinstance(reason, str) or not reason.strip():
            raise TargetError(f"{path}: [[cited_input]] #{i + 1}: needs `id` and a non-empty `reason`")
        role = known.get(ident, {}).get("role")
        if role not in ("train", "narrative"):
            raise TargetError(
                f"{path}: [[cited_input]] #{i + 1}: id {ident!r} has role {role!r}; expected a "
                "train or narrative row of outcomes.csv (input and context rows need no exception, "
                "exclude rows are never cited)"
            )
        cited[ident] = reason
    return TargetSet(targets=tuple(targets), unchecked=unchecked, path=path, cited_inputs=cited)


def missing_train_rows(ts: TargetSet, outcomes: Path | None = None) -> list[str]:
    """Train rows of ``outcomes.csv`` neither targeted nor listed as unchecked."""
    rows = read_outcomes(outcomes)
    return sorted(
        i for i, r in rows.items()
        if r.get("role") == "train" and i not in ts.ids and i not in ts.unchecked
    )


def parse_series(name: str) -> tuple[str, str] | None:
    """``("fighters", "Ibrahim Bek")`` for ``fighters[Ibrahim Bek]``; None for a plain column."""
    m = SERIES_RE.match(name)
    return (m.group(1), m.group(2)) if m else None


def tracked(targets: Sequence[Target]) -> tuple[set[str], dict[str, int]]:
    """Leaders and places (with the largest radius asked) the targets need recorded."""
    leaders: set[str] = set()
    places: dict[str, int] = {}
    for t in targets:
        for f in (t.events, t.finish, t.given):
            if f is not None:
                leaders.update(f.leaders)
                if f.place:
                    places[f.place] = max(places.get(f.place, 0), f.radius)
        parsed = parse_series(t.series) if t.series else None
        if parsed is not None:
            what, name = parsed
            if what == "near":
                places[name] = max(places.get(name, 0), NEAR_RADIUS)
            else:
                leaders.add(name)
    return leaders, places


NEAR_RADIUS = 3
"""Radius in cells (about 15 km) of the ``near[PLACE]`` series."""
