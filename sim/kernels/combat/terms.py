"""Law terms: the day's scalar factors and each engagement's Lanchester coefficients.

References
----------
Deitchman, S. J. (1962). A Lanchester model of guerrilla warfare. Operations Research
10(6), 818-827.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.arrays import pick
from sim.kernels.combat.batch import EngagementBatch
from sim.params.combat import CombatParams

__all__ = ["Terms", "day_factors", "engagement_terms"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class Terms:
    """Per-engagement law coefficients derived by :func:`engagement_terms`, shape (m,)."""

    k_band: F64
    k_state: F64
    band_hidden: Bool
    state_hidden: Bool
    duration: F64
    band_floor: F64
    state_floor: F64
    firepower: F64
    fort: F64
    air: Bool
    phase1: F64


def day_factors(params: CombatParams, *, heliographs: bool
                ) -> tuple[float, float, float, float, float]:
    """Scalars derived from the parameters and the day's heliograph switch.

    Returns
    -------
    bonus, blind, night : float
        Ambush fire bonus and surprise factor left after heliograph warning, and the
        night factor of a raid averaged over its night share.
    insurgent_captured, state_captured : float
        Captured shares, capped so that killed + captured <= 1.
    """
    p = params
    warn = p.heliograph_warning if heliographs else 0.0
    bonus = 1.0 + (p.ambush_bonus - 1.0) * (1.0 - warn)
    blind = 1.0 - (1.0 - p.surprise_factor) * (1.0 - warn)
    night = 1.0 - p.raid_night_share * (1.0 - p.night_factor)
    return (bonus, blind, night, min(p.insurgent_captured_share, 1.0 - p.insurgent_killed_share),
            min(p.state_captured_share, 1.0 - p.state_killed_share))


def engagement_terms(
    batch: EngagementBatch, *, params: CombatParams, heliographs: bool, aircraft: bool
) -> Terms:
    """Attrition coefficients, law flags, durations and break-off floors.

    Parameters
    ----------
    batch : EngagementBatch
        m engagements.
    params : CombatParams
    heliographs, aircraft : bool
        Today's doctrine/technology switches.

    Returns
    -------
    Terms
        Arrays of shape (m,).

    References
    ----------
    Deitchman (1962): area fire ``kB = c_area (1 - concealment)`` against hidden
    guerrillas, aimed fire against exposed troops.
    """
    p = params
    b0 = batch.insurgents
    s0 = batch.state
    raid = batch.raid
    bonus, blind, night, _, _ = day_factors(p, heliographs=heliographs)
    amb = batch.ambush & ~raid
    n_amb = ~amb
    plain = n_amb & ~raid
    fire = p.mg_rifle_equivalent * batch.machine_guns
    fire += p.gun_rifle_equivalent * batch.guns
    firepower = np.maximum(s0, 1.0)
    np.divide(fire, firepower, out=firepower)
    firepower += 1.0
    fort = (p.fortification - 1.0) * batch.garrison_share
    fort += 1.0
    band_hidden = batch.concealment >= p.conceal_threshold
    band_hidden &= ~raid
    band_hidden |= amb
    state_hidden = batch.state_concealment >= p.state_conceal_threshold
    state_hidden &= n_amb
    # k_band = (area (1 - c) if hidden else aimed) * (firepower * night * blind)
    k_band = pick(band_hidden, np.multiply(1.0 - batch.concealment, p.area_lethality_state),
                   p.aimed_lethality_state)
    mult = firepower * pick(raid, night, 1.0)
    mult *= pick(amb, blind, 1.0)
    k_band *= mult
    # k_state = (area (1 - c_s) if hidden else aimed) * (night * bonus / fort)
    k_state = pick(state_hidden,
                    np.multiply(1.0 - batch.state_concealment, p.area_lethality_insurgent),
                    p.aimed_lethality_insurgent)
    mult = pick(raid, night, 0.0)
    mult += pick(amb, bonus, 0.0)
    mult += plain
    mult /= fort
    k_state *= mult
    base = pick(amb, p.ambush_duration_h, 0.0)
    base += pick(raid, p.raid_duration_h, 0.0)
    base += pick(plain, p.meeting_duration_h, 0.0)
    size = b0 + s0
    size /= p.duration_size_norm
    np.maximum(size, 1e-9, out=size)
    np.power(size, p.duration_size_exponent, out=size)
    duration = np.multiply(base, size, out=base)
    np.maximum(duration, p.min_duration_h, out=duration)
    np.minimum(duration, p.max_duration_h, out=duration)
    band_share = p.band_break_morale * batch.band_morale
    band_share += p.band_break_base
    np.maximum(band_share, 0.0, out=band_share)
    np.minimum(band_share, 1.0, out=band_share)
    hold = b0 < p.overwhelm_ratio * s0
    hold &= raid
    hold_share = np.multiply(batch.garrison_share, hold)
    state_share = hold_share
    state_share *= p.garrison_break_loss - p.column_break_loss
    state_share += p.column_break_loss
    air = (raid & (duration > p.air_delay_h)) if aircraft else np.zeros(len(batch), bool)
    phase1 = pick(air, p.air_delay_h, duration) if aircraft else duration
    band_floor = np.subtract(1.0, band_share, out=band_share)
    band_floor *= b0
    state_floor = np.subtract(1.0, state_share, out=state_share)
    state_floor *= s0
    return Terms(
        k_band=k_band,
        k_state=k_state,
        band_hidden=band_hidden,
        state_hidden=state_hidden,
        duration=duration,
        band_floor=band_floor,
        state_floor=state_floor,
        firepower=firepower,
        fort=fort,
        air=air,
        phase1=phase1,
    )
