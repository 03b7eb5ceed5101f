"""Parameter sections of a scenario: the one home of every default.

Each section is a frozen dataclass whose fields are declared with
:func:`sim.params.fields.param`, carrying bounds, unit, meaning and reference.
"""
