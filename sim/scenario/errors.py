"""The error and warning a scenario file raises."""

from __future__ import annotations

from sim.validation import InputError

ScenarioError = InputError
"""A scenario file or parameter set is invalid (the one :class:`sim.validation.InputError`)."""


class ScenarioWarning(UserWarning):
    """A scenario is valid but part of it (inherited from a parent) has no effect."""
