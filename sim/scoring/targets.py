"""Documented outcomes as machine-checkable targets: what a target is.

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

:mod:`sim.scoring.target_file` reads and validates a targets file into these types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from sim.validation import InputError

__all__ = [
    "AGGS",
    "DATE_KINDS",
    "EVENT_KINDS",
    "KINDS",
    "NEAR_RADIUS",
    "EventFilter",
    "GrowthPoint",
    "Target",
    "TargetError",
    "TargetSet",
    "parse_series",
    "tracked",
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


class TargetError(InputError):
    """A targets file (or a target's use in a run) is invalid; ``problems`` lists every issue."""


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
