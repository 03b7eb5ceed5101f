"""Parameter files (``--params FILE``): a TOML of parameter tables laid over a scenario.

A parameter file holds tables named like the scenario's parameter sections::

    [combat]
    aimed_lethality_state = 0.012

    [movement]
    flee_ratio = 1.4

    [ode]                 # coefficients of the Lanchester-ODE baseline (--model ode)
    area_fire = 3e-6

:func:`read_params` flattens it to dotted paths; :func:`apply_params` replaces those
values in a scenario (validated like the scenario file itself); the ``ode`` table is
kept apart for :func:`sim.lanchester_ode.ode_params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.scenario import Problem, Scenario, ScenarioError
from sim.validation import read_toml

__all__ = ["apply_params", "ode_values", "read_params"]


def read_params(path: str | Path) -> dict[str, Any]:
    """The values of a parameter file as ``{dotted path: value}``.

    Raises
    ------
    ScenarioError
        If the file is missing, not TOML, or holds something other than tables of values.
    """
    p = Path(path)
    data = read_toml(p, what="a parameter TOML file")  # size, UTF-8 and nesting limits
    out: dict[str, Any] = {}
    problems: list[Problem] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path_ = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, path_ + ".")
            elif isinstance(value, list):
                problems.append(Problem(str(p), path_, value, "a single value (numbers, booleans, text)"))
            elif not prefix:
                problems.append(Problem(str(p), path_, value, "a value inside a table such as [combat]"))
            else:
                out[path_] = value

    walk(data, "")
    if problems:
        raise ScenarioError(problems)
    return out


def ode_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ode.*`` entries of a parameter file."""
    return {k: v for k, v in values.items() if k.startswith("ode.")}


def apply_params(scenario: Scenario, path: str | Path | None) -> Scenario:
    """``scenario`` with the scenario parameters of the file at ``path`` (``ode.*`` skipped).

    Raises
    ------
    ScenarioError
        Naming the parameter file, the path, the value and what is allowed.
    """
    if path is None:
        return scenario
    values = {k: v for k, v in read_params(path).items() if not k.startswith("ode.")}
    return scenario.with_values(values, origin=str(path)) if values else scenario
