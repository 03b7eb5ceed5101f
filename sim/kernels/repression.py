"""Repression: executions, show trials, punitive raids and village burning by the state.

Repression is an action of the state, in force while the scenario's timeline has a
``policy`` window of that name (its ``intensity`` scales it). Its targets are
villages leaning to the insurgents, ``lean = max(2 (support - 1/2), 0)``:

* executions and show trials strike such villages within reach of a state unit:
  each person is shot with probability ``execution_rate * intensity * lean`` and
  tried with ``trial_rate * intensity * lean``; ``trial_death_share`` of the tried
  are shot, the rest imprisoned;
* punitive raids and village burning strike pro-insurgent villages (support above
  ``side_high``) in which a patrolling or pursuing unit stands, with daily
  probability ``min(1, intensity / 2)``: a raid kills ``raid_kill_share`` and seizes
  ``raid_food_share`` of the food; burning kills ``burning_kill_share``, drives
  ``burning_flight`` of the rest abroad and destroys food and crop.

Every struck village gains fear and grievance and loses active support
(``x' = x + a (1 - x)`` for fear and grievance, ``support' = support - b``).
Each intensity may be a per-village array (a window limited to a region).

Random draws are made for the villages they concern only: the uniforms of raids and
burnings for the villages a raiding unit stands in, the losses for the villages struck,
the uniforms of reprisals for the informing villages in a band's reach. (Until November
2026 every village drew them and most draws were thrown away; seeded runs with raids,
burnings or reprisals differ from those of earlier versions.)

:func:`band_reprisals` is the insurgents' repression: a band punishes villages in
reach that inform on it (support below ``inform_threshold``) with daily probability
``reprisal_rate``, killing ``reprisal_kill_share`` of them; the punished village
gains fear (``reprisal_fear``) and turns further against the bands
(``support' = support - reprisal_support_cut``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.draws import sparse_binomial
from sim.params.population import PopulationParams
from sim.state import NEUTRAL_SUPPORT, Villages, replace

__all__ = ["RepressionPolicies", "RepressionResult", "band_reprisals", "repression_day"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class RepressionPolicies:
    """Intensity of each repressive policy today (0 when not in force).

    Each is a float or an array of shape (n_villages,) (windows limited to a region).
    """

    executions: F64 | float = 0.0
    show_trials: F64 | float = 0.0
    punitive_raids: F64 | float = 0.0
    village_burning: F64 | float = 0.0

    def any(self) -> bool:
        """Whether any repression is in force anywhere."""
        values = (self.executions, self.show_trials, self.punitive_raids, self.village_burning)
        if not any(isinstance(x, np.ndarray) for x in values):  # the usual day: four numbers
            return bool(sum(float(x) for x in values) > 0)
        total = (np.asarray(self.executions) + self.show_trials + self.punitive_raids
                 + self.village_burning)
        return bool(np.any(total > 0))


@dataclasses.dataclass(frozen=True)
class RepressionResult:
    """Villages after repression and the people it removed.

    Attributes
    ----------
    villages : Villages
    executed, imprisoned, killed, refugees : int
        People shot (executions and death sentences), imprisoned, killed in raids and
        burnings, and driven abroad.
    events : list of Events
    """

    villages: Villages
    executed: int
    imprisoned: int
    killed: int
    refugees: int
    events: list[Events]


def repression_day(
    villages: Villages,
    *,
    state_near: Bool,
    raiders: Bool,
    policies: RepressionPolicies,
    params: PopulationParams,
    rng: np.random.Generator,
) -> RepressionResult:
    """Apply one day of repression.

    Parameters
    ----------
    villages : Villages
        Shape (n_villages,) (not modified).
    state_near : ndarray of bool, shape (n_villages,)
        A state unit is within reach of the village.
    raiders : ndarray of bool, shape (n_villages,)
        A patrolling or pursuing state unit stands in the village.
    policies : RepressionPolicies
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    RepressionResult
        Events (side ``"village"``): ``execution``, ``show_trial`` (``n`` tried,
        ``death`` sentenced), ``punitive_raid`` and ``village_burned`` (``n`` killed,
        ``fled``).
    """
    p = params
    n = len(villages)
    if n == 0 or not policies.any():
        return RepressionResult(villages, 0, 0, 0, 0, [])
    # Only the villages in reach (executions, trials) and those a raider stands in (raids,
    # burnings) can be struck: everything is computed and drawn for them alone, in the
    # order of their rows (the same draws as over the whole table).
    support, population = villages.support, villages.population
    near_rows = np.flatnonzero(state_near & (support > NEUTRAL_SUPPORT))
    lean = np.clip(2.0 * (support[near_rows] - NEUTRAL_SUPPORT), 0.0, 1.0)
    pop_near = population[near_rows]
    shot = sparse_binomial(rng, pop_near, np.clip(
        p.execution_rate * _at(policies.executions, near_rows) * lean, 0.0, 1.0))
    tried = sparse_binomial(rng, pop_near - shot, np.clip(
        p.trial_rate * _at(policies.show_trials, near_rows) * lean, 0.0, 1.0))
    death = sparse_binomial(rng, tried, p.trial_death_share)
    pop = population.copy()
    pop[near_rows] -= shot + tried

    target = np.flatnonzero(raiders & (support > p.side_high))
    u = rng.random(target.size)
    burning = np.asarray(_at(policies.village_burning, target), dtype=np.float64)
    raids = np.asarray(_at(policies.punitive_raids, target), dtype=np.float64)
    burn = u < np.minimum(1.0, burning / 2.0)
    raid = ~burn & (u < np.minimum(1.0, (burning + raids) / 2.0)) & (raids > 0)
    pop_t = pop[target]
    r_killed = sparse_binomial(rng, np.where(raid, pop_t, 0), p.raid_kill_share)
    b_killed = sparse_binomial(rng, np.where(burn, pop_t, 0), p.burning_kill_share)
    fled = sparse_binomial(rng, np.where(burn, pop_t - r_killed - b_killed, 0), p.burning_flight)
    pop[target] = pop_t - r_killed - b_killed - fled

    # Fear, grievance and support of the struck villages (the others keep theirs).
    hit = np.zeros(n, dtype=bool)
    hit[near_rows] = (shot > 0) | (tried > 0)
    raided = np.zeros(n)
    raided[target] = raid + p.burning_raid_weight * burn
    struck = np.flatnonzero(hit | (raided != 0))
    h, r_w = hit[struck], raided[struck]
    da = p.repression_fear * h + p.raid_fear * r_w
    dg = p.repression_grievance * h + p.raid_grievance * r_w
    ds = p.repression_support_cut * h + p.raid_support_cut * r_w
    f2, g2, s2 = villages.fear.copy(), villages.grievance.copy(), support.copy()
    f, g = f2[struck], g2[struck]
    f2[struck] = np.clip(f + np.clip(da, 0, 1) * (1.0 - f), 0.0, 1.0)
    g2[struck] = np.clip(g + np.clip(dg, 0, 1) * (1.0 - g), 0.0, 1.0)
    s2[struck] = np.clip(s2[struck] - ds, 0.0, 1.0)
    food, crop = villages.food, villages.crop
    if target.size:
        food, crop = food.copy(), crop.copy()
        food[target[raid]] *= 1.0 - p.raid_food_share
        food[target[burn]] = 0.0
        crop[target[burn]] = 0.0

    out: list[Events] = []
    cell = villages.cell
    r = np.flatnonzero(shot > 0)
    if r.size:
        out.append(events("execution", "village", unit=near_rows[r], cell=cell[near_rows[r]],
                          n=shot[r]))
    r = np.flatnonzero(tried > 0)
    if r.size:
        out.append(events("show_trial", "village", unit=near_rows[r], cell=cell[near_rows[r]],
                          n=tried[r], death=death[r]))
    r = np.flatnonzero(raid)
    if r.size:
        out.append(events("punitive_raid", "village", unit=target[r], cell=cell[target[r]],
                          n=r_killed[r]))
    r = np.flatnonzero(burn)
    if r.size:
        out.append(events("village_burned", "village", unit=target[r], cell=cell[target[r]],
                          n=b_killed[r], fled=fled[r]))
    new_v = replace(
        villages, population=pop.astype(np.int64), food=food, crop=crop, fear=f2, grievance=g2,
        support=s2,
    )
    return RepressionResult(
        new_v,
        executed=int(shot.sum() + death.sum()),
        imprisoned=int((tried - death).sum()),
        killed=int(r_killed.sum() + b_killed.sum()),
        refugees=int(fled.sum()),
        events=out,
    )


def _at(x: F64 | float, rows: I64) -> F64 | float:
    """``x`` at ``rows``: a per-village intensity gathered, a scalar as it is."""
    return x[rows] if isinstance(x, np.ndarray) and x.ndim else x


def band_reprisals(
    villages: Villages,
    *,
    band_near: I64,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[Villages, int, list[Events]]:
    """Bands punish the villages in reach that inform on them.

    Parameters
    ----------
    villages : Villages
        Shape (n_villages,) (not modified).
    band_near : ndarray of int64, shape (n_villages,)
        Row of an active band within reach of each village, -1 if none.
    params : PopulationParams
    rng : numpy.random.Generator

    Returns
    -------
    villages : Villages
    killed : int
        People the bands killed.
    events : list of Events
        ``band_reprisal`` (side ``"insurgent"``, ``unit`` = the band, ``village`` =
        the punished village, ``n`` = killed).
    """
    p = params
    n = len(villages)
    if n == 0:
        return villages, 0, []
    informers = np.flatnonzero((band_near >= 0) & (villages.support < p.inform_threshold))
    hit = np.zeros(n, dtype=bool)
    hit[informers] = rng.random(informers.size) < p.reprisal_rate
    if not hit.any():
        return villages, 0, []
    killed = sparse_binomial(rng, np.where(hit, villages.population, 0), p.reprisal_kill_share)
    f = villages.fear
    new_v = replace(
        villages,
        population=(villages.population - killed).astype(np.int64),
        fear=np.clip(f + p.reprisal_fear * hit * (1.0 - f), 0.0, 1.0),
        support=np.clip(villages.support - p.reprisal_support_cut * hit, 0.0, 1.0),
    )
    r = np.flatnonzero(hit)
    ev = events("band_reprisal", "insurgent", unit=band_near[r], cell=villages.cell[r],
                n=killed[r], village=r)
    return new_v, int(killed.sum()), [ev]
