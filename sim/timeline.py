"""The scenario timeline compiled into day-indexed lookups.

Policy windows and sanctuary entries may be limited to a region
(:mod:`sim.regions`); compiled against a map they carry the cells where they act.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sim.scenario import SANCTUARY, Scenario, TimelineEvent

if TYPE_CHECKING:
    from sim.geography import Theatre

__all__ = ["PolicyWindow", "Schedule", "compile_timeline"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class PolicyWindow:
    """A policy in force from ``first`` to ``last`` (days since the start, inclusive).

    ``area`` holds the cells where it acts, shape (n_cells,); ``None`` when the
    timeline was compiled without a map (then it acts everywhere).
    """

    policy: str
    first: int
    last: int
    credibility: float
    intensity: float
    source: str
    area: Bool | None = dataclasses.field(default=None, compare=False, repr=False)

    def active(self, day: int) -> bool:
        """Whether the window covers ``day``."""
        return self.first <= day <= self.last


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What the timeline says for each day.

    Attributes
    ----------
    sanctuary : tuple of str, length ``days``
        Status of the Afghan side on each day.
    switches : dict of str to tuple of bool
        Each doctrine or technology switch, per day.
    policies : tuple of PolicyWindow
    actions : dict of int to list of TimelineEvent
        Discrete entries (reinforce, withdraw, orders, supply_shock, leader_exit, set)
        by the day they take effect.
    """

    sanctuary: tuple[str, ...]
    switches: dict[str, tuple[bool, ...]]
    policies: tuple[PolicyWindow, ...]
    actions: dict[int, list[TimelineEvent]]
    sanctuary_changes: tuple[tuple[int, I64], ...] = ()

    _by_name: dict[str, tuple[PolicyWindow, ...]] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False)
    _cells_memo: dict[tuple[str, tuple[int, ...], int], tuple[I64, F64, F64]] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False)
    _cells_seen: dict[tuple[str, tuple[int, ...], int], I64] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False)
    _force: dict[str, tuple[bool, ...]] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[PolicyWindow]] = defaultdict(list)
        for w in self.policies:
            by_name[w.policy].append(w)
        self._by_name.update({k: tuple(v) for k, v in by_name.items()})

    def _active(self, name: str, day: int) -> tuple[int, ...]:
        """Positions (in declaration order) of the windows of ``name`` covering ``day``."""
        return tuple(i for i, w in enumerate(self._by_name.get(name, ()))
                     if w.first <= day <= w.last)

    def policy(self, name: str, day: int) -> PolicyWindow | None:
        """The window of policy ``name`` in force on ``day`` (the latest declared wins)."""
        active = self._active(name, day)
        return self._by_name[name][active[-1]] if active else None

    def in_force(self, name: str, day: int) -> bool:
        """Whether any window of policy ``name`` covers ``day`` (anywhere on the map).

        Looked up in a table of the scenario's days built once per policy (days outside
        them: from the windows).
        """
        days = self._force.get(name)
        if days is None:
            covered = [False] * len(self.sanctuary)
            for w in self._by_name.get(name, ()):
                lo, hi = max(w.first, 0), min(w.last, len(covered) - 1)
                if lo <= hi:
                    covered[lo:hi + 1] = [True] * (hi + 1 - lo)
            days = self._force[name] = tuple(covered)
        if 0 <= day < len(days):
            return days[day]
        return any(w.first <= day <= w.last for w in self._by_name.get(name, ()))

    def policy_cells(self, name: str, day: int, cells: I64) -> tuple[F64, F64]:
        """Intensity and credibility of policy ``name`` on ``day`` at each of ``cells``.

        Where several windows of the policy cover a cell, the latest declared wins;
        0 where none does.

        The result for a set of windows in force is kept while ``cells`` stays the same
        (villages do not move; one result per number of cells, so that callers asking for
        different cells keep theirs): the arrays of a window in force are then read-only
        and shared by the days it covers; fresh zeros when no window is in force. The array
        found equal to the kept cells is remembered, and the same array object coming back
        is not compared again (callers never write the cells they pass).

        Parameters
        ----------
        name : str
        day : int
        cells : ndarray of int64, shape (n,)
            Flat cell indices (e.g. of villages or bands).

        Returns
        -------
        intensity, credibility : ndarray of float64, shape (n,)
        """
        active = self._active(name, day)
        if not active:
            return np.zeros(cells.shape, dtype=np.float64), np.zeros(cells.shape, dtype=np.float64)
        # one entry per number of cells: callers asking for different cells (the villages',
        # the whole map's) keep theirs instead of replacing each other's every day
        key = (name, active, int(cells.size))
        hit = self._cells_memo.get(key)
        if hit is not None and (self._cells_seen.get(key) is cells or (
                hit[0].shape == cells.shape and np.array_equal(hit[0], cells))):
            self._cells_seen[key] = cells
            return hit[1], hit[2]
        inten = np.zeros(cells.shape, dtype=np.float64)
        cred = np.zeros(cells.shape, dtype=np.float64)
        windows = self._by_name[name]
        for i in active:
            w = windows[i]
            here = np.ones(cells.shape, bool) if w.area is None else w.area[cells]
            inten = np.where(here, w.intensity, inten)
            cred = np.where(here, w.credibility, cred)
        kept = np.array(cells, dtype=np.int64)
        for a in (kept, inten, cred):
            a.setflags(write=False)
        self._cells_memo[key] = (kept, inten, cred)
        self._cells_seen[key] = cells
        return inten, cred

    def sanctuary_status(self, day: int) -> I64 | None:
        """Sanctuary status of every cell on ``day`` (index into ``SANCTUARY``).

        ``None`` when no entry is limited to a region (then :attr:`sanctuary` says it
        for the whole Afghan side); only Afghan cells' values matter.
        """
        found = None
        for first, status in self.sanctuary_changes:
            if first <= day:
                found = status
        return found

    def switches_on(self, day: int) -> dict[str, bool]:
        """Every switch and its state on ``day``."""
        return {k: v[day] for k, v in self.switches.items()}


def compile_timeline(s: Scenario, theatre: Theatre | None = None) -> Schedule:
    """Turn the scenario's dated entries into per-day lookups.

    Entries dated before the start apply from day 0 (a policy that began earlier
    is in force; a sanctuary status set earlier holds). With a ``theatre`` each
    policy window carries the cells where it acts and sanctuary entries limited to
    a region give per-cell statuses (:meth:`Schedule.sanctuary_status`).
    """
    from sim.regions import entry_area

    days = s.days
    entries = sorted(s.timeline, key=lambda e: e.date)
    status = [s.sanctuary] * days
    switch_state = {name: [name in s.switches] * days for name in _all_switches()}
    policies: list[PolicyWindow] = []
    actions: dict[int, list[TimelineEvent]] = defaultdict(list)
    scoped = theatre is not None and any(
        e.kind == "sanctuary" and (e.region or e.places or e.country not in ("", "afghanistan"))
        for e in entries)
    cell_status = (np.full(theatre.country.size, SANCTUARY.index(s.sanctuary), dtype=np.int64)
                   if scoped and theatre is not None else None)
    changes: list[tuple[int, I64]] = []
    for e in entries:
        day = max((e.date - s.start).days, 0)
        if e.kind == "sanctuary":
            if cell_status is not None and theatre is not None:
                area = entry_area(theatre, e, s.regions, default_country="afghanistan")
                cell_status = np.where(area, SANCTUARY.index(e.status), cell_status)
                changes.append((day, cell_status))
                if e.region or e.places:
                    continue  # a regional status leaves the whole side's status alone
            for d in range(day, days):
                status[d] = e.status
        elif e.kind == "switch":
            for d in range(day, days):
                switch_state[e.switch][d] = e.on
        elif e.kind == "policy":
            last = (e.end - s.start).days if e.end is not None else days - 1
            if last >= 0:
                where = (None if theatre is None
                         else entry_area(theatre, e, s.regions, default_country="soviet"))
                policies.append(
                    PolicyWindow(e.policy, day, last, e.credibility, e.intensity, e.source, where)
                )
        elif day < days:
            actions[day].append(e)
    return Schedule(
        sanctuary=tuple(status),
        switches={k: tuple(v) for k, v in switch_state.items()},
        policies=tuple(policies),
        actions=dict(actions),
        sanctuary_changes=tuple(changes),
    )


def _all_switches() -> tuple[str, ...]:
    from sim.scenario import SWITCHES

    return SWITCHES
