"""The scenario timeline compiled into day-indexed lookups."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from sim.scenario import Scenario, TimelineEvent

__all__ = ["PolicyWindow", "Schedule", "compile_timeline"]


@dataclasses.dataclass(frozen=True)
class PolicyWindow:
    """A policy in force from ``first`` to ``last`` (days since the start, inclusive)."""

    policy: str
    first: int
    last: int
    credibility: float
    intensity: float
    source: str

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

    def policy(self, name: str, day: int) -> PolicyWindow | None:
        """The window of policy ``name`` in force on ``day`` (the latest declared wins)."""
        found = None
        for w in self.policies:
            if w.policy == name and w.active(day):
                found = w
        return found

    def switches_on(self, day: int) -> dict[str, bool]:
        """Every switch and its state on ``day``."""
        return {k: v[day] for k, v in self.switches.items()}


def compile_timeline(s: Scenario) -> Schedule:
    """Turn the scenario's dated entries into per-day lookups.

    Entries dated before the start apply from day 0 (a policy that began earlier
    is in force; a sanctuary status set earlier holds).
    """
    days = s.days
    entries = sorted(s.timeline, key=lambda e: e.date)
    status = [s.sanctuary] * days
    switch_state = {name: [name in s.switches] * days for name in _all_switches()}
    policies: list[PolicyWindow] = []
    actions: dict[int, list[TimelineEvent]] = defaultdict(list)
    for e in entries:
        day = max((e.date - s.start).days, 0)
        if e.kind == "sanctuary":
            for d in range(day, days):
                status[d] = e.status
        elif e.kind == "switch":
            for d in range(day, days):
                switch_state[e.switch][d] = e.on
        elif e.kind == "policy":
            last = (e.end - s.start).days if e.end is not None else days - 1
            if last >= 0:
                policies.append(
                    PolicyWindow(e.policy, day, last, e.credibility, e.intensity, e.source)
                )
        elif day < days:
            actions[day].append(e)
    return Schedule(
        sanctuary=tuple(status),
        switches={k: tuple(v) for k, v in switch_state.items()},
        policies=tuple(policies),
        actions=dict(actions),
    )


def _all_switches() -> tuple[str, ...]:
    from sim.scenario import SWITCHES

    return SWITCHES
