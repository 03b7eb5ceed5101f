"""Limits of a run: the simulated period, the longest run, the most units and the memory
budget, with the check that a scenario stays within them.

The historical period (``FIRST_DATE`` .. ``LAST_DATE``) is declared once in
:mod:`sim.validation`, shared with the targets files.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sim.validation import Problem

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.scenario.specs import BandSpec, ColumnSpec

MAX_DAYS = 3653
"""Longest run, in days (ten years)."""
MAX_UNITS = 10_000
"""Most units (bands and columns, counting ``count`` copies and reinforcements) in a run."""
MEMORY_BUDGET = 4 * 1024**3
"""Largest estimated memory of a run, in bytes (``$BASMACHI_MEMORY_BUDGET`` overrides)."""


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


def check_size(s: Scenario, cells: int, origin: str, problems: list[Problem]) -> None:
    """Append a problem if the run has too many units or exceeds the memory budget."""
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
