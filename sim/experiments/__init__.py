"""Experiments on top of :func:`sim.runner.run`: sweeps, designs, executors, sensitivity.

>>> from sim.experiments import load_spec, sweep
>>> outcome = sweep("scenarios/sweeps/tiny_lhs.toml", "results/sweeps/tiny_lhs")  # doctest: +SKIP
>>> outcome.runs().head()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

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

__getattr__ = lazy_exports(__name__, _HOME)

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
