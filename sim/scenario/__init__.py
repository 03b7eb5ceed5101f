"""Scenario files: a frozen, validated schema and the TOML loader.

A scenario is a TOML file converted into the frozen :class:`Scenario` dataclass.
The dataclasses here and in :mod:`sim.params` are the only place defaults live;
the loader checks every key, type, bound and cross-reference and reports all
problems at once, each naming the file, the field path, the bad value and what
is allowed (:class:`ScenarioError`).

What-if variants use ``extends = "other.toml"``: tables are merged key by key;
arrays of tables that carry a ``name`` (bands, columns, leaders, depots, pack trains) or an
``id`` (timeline) are merged entry by entry, an entry with ``remove = true``
deletes the inherited one; any other array replaces the inherited one.
"""

from sim.scenario.choices import (
    COLUMN_KINDS,
    COUNTRIES,
    EVENT_KINDS,
    ORDERS,
    POLICIES,
    SANCTUARY,
    STATE_LEVERS,
    SWITCHES,
)
from sim.scenario.errors import ScenarioError, ScenarioWarning
from sim.scenario.limits import (
    MAX_DAYS,
    MAX_UNITS,
    MEMORY_BUDGET,
    memory_estimate,
)
from sim.scenario.loading import find_scenario, load_scenario
from sim.scenario.schema import Scenario, parse_scenario
from sim.scenario.specs import (
    BandSpec,
    ColumnSpec,
    DepotSpec,
    LeaderSpec,
    MapSpec,
    PackTrainSpec,
    RegionSpec,
)
from sim.scenario.timeline_spec import TimelineEvent
from sim.validation import FIRST_DATE, LAST_DATE, Problem

__all__ = [
    "COLUMN_KINDS",
    "COUNTRIES",
    "EVENT_KINDS",
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_DAYS",
    "MAX_UNITS",
    "MEMORY_BUDGET",
    "ORDERS",
    "POLICIES",
    "SANCTUARY",
    "STATE_LEVERS",
    "SWITCHES",
    "BandSpec",
    "ColumnSpec",
    "DepotSpec",
    "LeaderSpec",
    "MapSpec",
    "PackTrainSpec",
    "Problem",
    "RegionSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "TimelineEvent",
    "find_scenario",
    "load_scenario",
    "memory_estimate",
    "parse_scenario",
]
