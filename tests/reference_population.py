"""Whole-table references of population kernels that now work on the rows concerned only.

Each function computes over every village and draws with numpy over the whole table (numpy
draws nothing where ``n == 0`` or ``p == 0``), as the kernels did before they restricted
their work to the villages in reach, struck or holding returnees; the tests check the
kernels give the same tables, events and random stream.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.events import Events, events
from sim.kernels.repression import RepressionPolicies, RepressionResult
from sim.params.population import PopulationParams
from sim.state import NEUTRAL_SUPPORT, Bands, VillageMemory, Villages

__all__ = ["aftermath_reference", "repression_reference"]


def repression_reference(
    villages: Villages, *, state_near: np.ndarray, raiders: np.ndarray,
    policies: RepressionPolicies, params: PopulationParams, rng: np.random.Generator,
) -> RepressionResult:
    """:func:`sim.kernels.repression.repression_day` over the whole table."""
    p = params
    n = len(villages)
    if n == 0 or not policies.any():
        return RepressionResult(villages, 0, 0, 0, 0, [])
    pop = villages.population.copy()
    lean = np.clip(2.0 * (villages.support - NEUTRAL_SUPPORT), 0.0, 1.0)
    near = state_near & (lean > 0)
    shot = rng.binomial(pop, np.clip(p.execution_rate * policies.executions * lean * near, 0, 1))
    pop = pop - shot
    tried = rng.binomial(pop, np.clip(p.trial_rate * policies.show_trials * lean * near, 0, 1))
    death = rng.binomial(tried, p.trial_death_share)
    pop = pop - tried
    hit = (shot > 0) | (tried > 0)
    target = np.flatnonzero(raiders & (villages.support > p.side_high))
    u = np.full(n, np.inf)
    u[target] = rng.random(target.size)
    burning = np.asarray(policies.village_burning, dtype=np.float64)
    raids = np.asarray(policies.punitive_raids, dtype=np.float64)
    burn = u < np.minimum(1.0, burning / 2.0)
    raid = ~burn & (u < np.minimum(1.0, (burning + raids) / 2.0)) & (raids > 0)
    r_killed = rng.binomial(np.where(raid, pop, 0), p.raid_kill_share)
    b_killed = rng.binomial(np.where(burn, pop, 0), p.burning_kill_share)
    pop = pop - r_killed - b_killed
    fled = rng.binomial(np.where(burn, pop, 0), p.burning_flight)
    pop = pop - fled
    food = np.where(burn, 0.0, np.where(raid, villages.food * (1.0 - p.raid_food_share),
                                        villages.food))
    crop = np.where(burn, 0.0, villages.crop)
    f, g, s = villages.fear, villages.grievance, villages.support
    weight = raid + p.burning_raid_weight * burn
    da = p.repression_fear * hit + p.raid_fear * weight
    dg = p.repression_grievance * hit + p.raid_grievance * weight
    ds = p.repression_support_cut * hit + p.raid_support_cut * weight
    out: list[Events] = []
    cell = villages.cell
    for kind, mask, n_, extra in (
        ("execution", shot > 0, shot, {}), ("show_trial", tried > 0, tried, {"death": death}),
        ("punitive_raid", raid, r_killed, {}), ("village_burned", burn, b_killed, {"fled": fled}),
    ):
        r = np.flatnonzero(mask)
        if r.size:
            out.append(events(kind, "village", unit=r, cell=cell[r], n=n_[r],
                              **{k: v[r] for k, v in extra.items()}))
    new_v = dataclasses.replace(
        villages, population=pop.astype(np.int64), food=food, crop=crop,
        fear=np.clip(f + np.clip(da, 0, 1) * (1.0 - f), 0.0, 1.0),
        grievance=np.clip(g + np.clip(dg, 0, 1) * (1.0 - g), 0.0, 1.0),
        support=np.clip(s - ds, 0.0, 1.0),
    )
    return RepressionResult(new_v, executed=int(shot.sum() + death.sum()),
                            imprisoned=int((tried - death).sum()),
                            killed=int(r_killed.sum() + b_killed.sum()),
                            refugees=int(fled.sum()), events=out)


def aftermath_reference(
    bands: Bands, memory: VillageMemory, villages: Villages, *, trust: float,
    band_in_reach: np.ndarray, repression: bool, params: PopulationParams,
    rng: np.random.Generator, fairness: np.ndarray | float = 0.0, credibility: float = 0.0,
) -> tuple[Bands, VillageMemory, float, int, list[Events]]:
    """:func:`sim.kernels.amnesty.aftermath` over the whole table."""
    p = params
    out: list[Events] = []
    sur, des = memory.surrendered, memory.destitute
    total = int(sur.sum())
    if len(memory) == 0 or total == 0:
        return bands, memory, float(min(1.0, trust + p.trust_recovery * (1.0 - trust))), 0, out
    settled = sur - des
    unfair = 1.0 - np.clip(fairness, 0.0, 1.0)
    new_des = rng.binomial(settled, p.destitution_rate * unfair)
    settled = settled - new_des
    hostility = np.clip(p.arrest_hostility_slope * (1.0 - villages.support), 0.0, 1.0)
    factor = p.repression_arrest_factor if repression else 1.0
    arr_p = np.clip(p.arrest_rate * (1.0 - credibility) * hostility * factor * unfair, 0.0, 1.0)
    arrested = rng.binomial(settled, arr_p)
    settled = settled - arrested
    hide = np.where(arrested > 0, rng.binomial(settled, p.arrest_flight), 0)
    can = band_in_reach >= 0
    des2 = des + new_des + hide
    relapse = np.where(can, rng.binomial(des2, p.relapse_rate), 0)
    to_band = np.bincount(np.where(can, band_in_reach, 0), weights=relapse,
                          minlength=len(bands)).astype(np.int64)[: len(bands)]
    broken = float(new_des.sum() + hide.sum() + arrested.sum()) / max(total, 1)
    trust2 = float(np.clip(trust - p.trust_loss * broken + p.trust_recovery * (1.0 - trust),
                           0.0, 1.0))
    for kind, arr in (("destitution", new_des), ("arrest", arrested), ("hiding", hide)):
        rows = np.flatnonzero(arr > 0)
        if rows.size:
            out.append(events(kind, "village", unit=rows, cell=villages.cell[rows], n=arr[rows]))
    rows = np.flatnonzero(relapse > 0)
    if rows.size:
        out.append(events("relapse", "insurgent", unit=band_in_reach[rows],
                          cell=villages.cell[rows], n=relapse[rows], village=rows))
    new_b = dataclasses.replace(bands, fighters=bands.fighters + to_band)
    new_m = dataclasses.replace(memory, surrendered=sur - arrested - relapse,
                                destitute=des2 - relapse)
    return new_b, new_m, trust2, int(arrested.sum()), out
