"""Scalar per-engagement reference of the combat law, re-exported for the tests.

The implementation lives in :mod:`sim.benchmarks.combat_reference` because the
benchmark times it as its baseline.
"""

from sim.benchmarks.combat_reference import binomial_scalar, lanchester_scalar, resolve_reference

__all__ = ["binomial_scalar", "lanchester_scalar", "resolve_reference"]
