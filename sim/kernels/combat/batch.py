"""What the law needs to know about each engagement, what it returns, and outcome codes.

Outcome codes (``outcome`` column of the events)
-------------------------------------------------
0 ``OUTCOME_TIME``: fought to the time limit (or both sides broke at the same instant);
1 ``OUTCOME_INSURGENTS_WITHDREW``; 2 ``OUTCOME_STATE_WITHDREW`` (a garrison gave up its
post); 3 ``OUTCOME_INSURGENTS_ROUTED``; 4 ``OUTCOME_STATE_ROUTED`` (column routed or
post overrun).

A side that breaks off routs when the enemy's remaining fire exceeds ``rout_ratio`` times
its own; the state's regular units rout only where ``state_may_rout`` allows it
(surprised, outnumbered and cut off, see :func:`sim.kernels.combat.day.state_may_rout`)
and otherwise withdraw in order; bands rout only where ``band_may_rout`` allows it
(caught on open ground by horsemen who can pursue them, see
:func:`sim.kernels.combat.day.band_may_rout`) and otherwise melt away (withdraw).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "OUTCOME_INSURGENTS_ROUTED",
    "OUTCOME_INSURGENTS_WITHDREW",
    "OUTCOME_STATE_ROUTED",
    "OUTCOME_STATE_WITHDREW",
    "OUTCOME_TIME",
    "EngagementBatch",
    "EngagementResult",
    "Engine",
    "Mode",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]
Mode = Literal["stochastic", "deterministic"]
Engine = Literal["auto", "numpy", "compiled"]

OUTCOME_TIME = 0
OUTCOME_INSURGENTS_WITHDREW = 1
OUTCOME_STATE_WITHDREW = 2
OUTCOME_INSURGENTS_ROUTED = 3
OUTCOME_STATE_ROUTED = 4


@dataclasses.dataclass(frozen=True)
class EngagementBatch:
    """What the law needs to know about each engagement, every array shape (m,).

    Attributes
    ----------
    insurgents, state : float64
        Men engaged on each side (whole numbers in stochastic mode).
    machine_guns, guns : float64
        State machine guns and mountain guns engaged.
    concealment : float64
        Fighter-weighted concealment of the bands' cells.
    state_concealment : float64
        Concealment of the cell the state units hold.
    band_morale : float64
        Fighter-weighted band morale in [0, 1].
    garrison_share : float64
        Share of the state's men who are a garrison in its post.
    ambush, raid : bool
        A band lies in wait for a moving column; bands assault a post.
    state_may_rout : bool or None
        Whether the state's side can rout if it breaks off (see
        :func:`sim.kernels.combat.day.state_may_rout`); where it cannot, breaking off
        is a withdrawal. None: it always can (the law on its own).
    band_may_rout : bool or None
        Whether the bands can rout if they break off (see
        :func:`sim.kernels.combat.day.band_may_rout`): where they cannot (ground that hides
        them, their own ambush, no horsemen to pursue them) breaking off is a withdrawal.
        None: they always can.
    """

    insurgents: F64
    state: F64
    machine_guns: F64
    guns: F64
    concealment: F64
    state_concealment: F64
    band_morale: F64
    garrison_share: F64
    ambush: Bool
    raid: Bool
    state_may_rout: Bool | None = None
    band_may_rout: Bool | None = None

    def __len__(self) -> int:
        return int(self.insurgents.shape[0])


@dataclasses.dataclass(frozen=True)
class EngagementResult:
    """Losses and outcome of each engagement, every array shape (m,).

    Counts are float64: whole numbers in stochastic mode, expectations in
    deterministic mode.

    Attributes
    ----------
    insurgents_killed, insurgents_wounded, insurgents_captured : float64
    state_killed, state_wounded, state_captured : float64
    duration_h : float64
        Hours fought (up to the end of the last phase).
    outcome : int64
        ``OUTCOME_*`` code.
    mg_captured : float64
        State machine guns taken by the insurgents.
    rifles_captured : float64
        Rifles taken by the insurgents (from prisoners and, holding the field, the fallen).
    rifles_recovered : float64
        Rifles taken by the state from insurgent prisoners and fallen.
    air_men, air_mg : float64
        Men and machine guns flown in to the post (aircraft switch).
    band_hidden : bool
        The bands fought hidden (area fire against them).
    """

    insurgents_killed: F64
    insurgents_wounded: F64
    insurgents_captured: F64
    state_killed: F64
    state_wounded: F64
    state_captured: F64
    duration_h: F64
    outcome: I64
    mg_captured: F64
    rifles_captured: F64
    rifles_recovered: F64
    air_men: F64
    air_mg: F64
    band_hidden: Bool
