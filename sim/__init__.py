"""basmachi-sim: a Lanchester-style agent-based simulator of the Basmachi insurgency, 1923-1931.

The public entry points are :func:`sim.scenario.load_scenario`, :func:`sim.runner.run`
and :class:`sim.model.BasmachiModel`; the command line is ``basmachi``.
"""

__version__ = "0.1.0"
