"""Parameters of the aggregate Lanchester-ODE baseline (:mod:`sim.lanchester_ode`).

Constant coefficients, per day. They are not scenario fields: the baseline reads the
scenario for its forces and timeline and takes these from an ``[ode]`` table of a
parameter file (``--params``) or a calibration.

Defaults are order-of-magnitude judgements awaiting calibration (the baseline is fitted
with the same optimiser and targets as the agent-based model); :data:`ODE_PRIORS` gives
the prior range of each.
"""

from __future__ import annotations

import dataclasses

from sim.params.fields import param

__all__ = ["ODE_PRIORS", "OdeParams"]


@dataclasses.dataclass(frozen=True)
class OdeParams:
    """Coefficients of the baseline: mixed Lanchester law plus linear flows."""

    area_fire: float = param(
        2.0e-6,
        "Insurgents lost per day per state soldier per insurgent in the country (area fire on a"
        " concealed band: losses grow with the product of both sides).",
        unit="1/(man day)", ge=0.0, le=1.0, prior=(1e-08, 0.0001),
    )
    aimed_fire: float = param(
        2.0e-3,
        "State soldiers lost per day per insurgent in the country (aimed fire on exposed troops).",
        unit="1/day", ge=0.0, le=1.0, prior=(1e-05, 0.1),
    )
    recruitment: float = param(
        5.0e-3, "Recruits per insurgent in the country per day (a linear growth term).",
        unit="1/day", ge=0.0, le=1.0, prior=(1e-05, 0.05),
    )
    amnesty: float = param(
        1.0e-2,
        "Share of insurgents in the country who surrender per day while an amnesty is in force"
        " (times its credibility).",
        unit="1/day", ge=0.0, le=1.0, prior=(0.0001, 0.1),
    )
    to_sanctuary: float = param(
        5.0e-3,
        "Share of insurgents in the country who cross to Afghanistan per day while the"
        " sanctuary is open or tolerated.",
        unit="1/day", ge=0.0, le=1.0, prior=(0.0001, 0.1),
    )
    from_sanctuary: float = param(
        2.0e-3, "Share of insurgents in Afghanistan who come back per day.", unit="1/day", ge=0.0, le=1.0, prior=(0.0001, 0.1),
    )
    machine_gun_rifles: float = param(
        15.0, "Rifles one machine gun is worth in the state's fire.", ge=0.0, le=1000.0, prior=(7.5, 30.0),
    )
    gun_rifles: float = param(25.0, "Rifles one mountain gun is worth in the state's fire.", ge=0.0, le=1000.0,
        prior=(12.5, 50.0))
    exit_fraction: float = param(
        0.25,
        "A leader leaves for Afghanistan the first day his men in the country fall below this"
        " share of their peak.",
        ge=0.0, le=1.0, prior=(0.02, 0.8),
    )


ODE_PRIORS: dict[str, tuple[float, float, str]] = {
    "area_fire": (1.0e-8, 1.0e-4, "log"),
    "aimed_fire": (1.0e-5, 1.0e-1, "log"),
    "recruitment": (1.0e-5, 5.0e-2, "log"),
    "amnesty": (1.0e-4, 1.0e-1, "log"),
    "to_sanctuary": (1.0e-4, 1.0e-1, "log"),
    "from_sanctuary": (1.0e-4, 1.0e-1, "log"),
    "exit_fraction": (0.02, 0.8, "linear"),
}
"""Prior range (low, high, scale) of every fitted ODE coefficient (judgement: wide, log-uniform).
The same ranges are the ``prior`` of the fields (tests/test_param_priors.py checks they agree)."""
