"""The root of the schema, the :class:`Scenario` dataclass, and :func:`parse_scenario`,
which builds it from a plain dict and checks it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sim.params.combat import CombatParams
from sim.params.fields import param
from sim.params.movement import MovementParams
from sim.params.population import PopulationParams
from sim.params.supply import SupplyParams
from sim.params.villages import VillageParams
from sim.scenario.choices import SANCTUARY
from sim.scenario.convert import convert_dataclass, plain
from sim.scenario.errors import ScenarioError
from sim.scenario.semantics import check_semantics
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
from sim.validation import Problem


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
    pack_trains: tuple[PackTrainSpec, ...] = ()
    regions: tuple[RegionSpec, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def days(self) -> int:
        """Number of simulated days (steps)."""
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict of the scenario (dates as ISO strings), fit for JSON or TOML."""
        return plain(self)  # type: ignore[no-any-return]

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
    scenario = convert_dataclass(Scenario, data, "", origin, problems)
    if scenario is not None and not problems and semantics:
        check_semantics(scenario, origin, problems)
    if problems or scenario is None:
        raise ScenarioError(problems or [Problem(origin, "", data, "a scenario table")])
    return scenario
