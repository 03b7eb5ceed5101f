"""Experiments on top of :func:`sim.runner.run`: sweeps, designs, executors, sensitivity.

>>> from sim.experiments import load_spec, sweep
>>> outcome = sweep("scenarios/sweeps/tiny_lhs.toml", "results/sweeps/tiny_lhs")  # doctest: +SKIP
>>> outcome.runs().head()  # doctest: +SKIP
"""

from __future__ import annotations

from sim.experiments.designs import Design, make_design
from sim.experiments.spec import SweepSpec, load_spec, parse_spec
from sim.experiments.sweep import SweepOutcome, SweepStateError, sweep

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
