"""Experiments on top of :func:`sim.runner.run`: sweeps, designs, executors, sensitivity.

>>> from sim.experiments import load_spec, sweep
>>> outcome = sweep("scenarios/sweeps/tiny_lhs.toml", "results/sweeps/tiny_lhs")  # doctest: +SKIP
>>> outcome.runs().head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiments.designs import Design, make_design
    from sim.experiments.spec import SweepSpec, load_spec, parse_spec
    from sim.experiments.sweep import SweepOutcome, SweepStateError, sweep

# Imported on first use (PEP 562): the command line registers its subcommands from this
# package without paying for pandas.
_HOME = {
    "Design": "designs", "make_design": "designs",
    "SweepSpec": "spec", "load_spec": "spec", "parse_spec": "spec",
    "SweepOutcome": "sweep", "SweepStateError": "sweep", "sweep": "sweep",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"sim.experiments.{_HOME[name]}"), name)
    raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")

__all__ = [
    "Design",
    "SweepOutcome",
    "SweepSpec",
    "SweepStateError",
    "load_spec",
    "make_design",
    "parse_spec",
    "sweep",
]
