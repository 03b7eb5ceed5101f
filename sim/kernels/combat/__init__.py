"""Combat: vectorised mixed Lanchester attrition for a guerrilla war.

A day's combat is resolved in three vectorised passes, with no Python loop over
units or engagements:

1. :func:`find_engagements` groups opposing units in the same cell or within reach
   (raids, ambushes, columns catching bands) with sorting, ``np.unique`` and
   ``np.bincount``.
2. :func:`resolve_engagements` turns each engagement's participants into the
   coefficients of a mixed Lanchester law and integrates it over the engagement's
   duration with break-off inside the integration (:func:`lanchester_mixed`, in
   :mod:`sim.kernels.lanchester`, with the closed forms and their robustness notes), then
   draws the losses (binomial around the expectation) or returns the expectation.
3. :func:`combat_day` spreads the losses over the units and returns new tables and
   one ``"engagement"`` event row per engagement.

Modules
-------
:mod:`~sim.kernels.combat.concealment` terrain concealment;
:mod:`~sim.kernels.combat.batch` engagement inputs, results and outcome codes;
:mod:`~sim.kernels.combat.terms` the day's factors and the law's coefficients;
:mod:`~sim.kernels.combat.sampling` binomial draws by inversion;
:mod:`~sim.kernels.combat.outcome` the numpy engine (law, rout, expected and drawn losses);
:mod:`~sim.kernels.combat.engine` engine choice and chunking (:func:`resolve_engagements`);
:mod:`~sim.kernels.combat.compiled` the compiled engine for large batches (numba, imported
only when used);
:mod:`~sim.kernels.combat.engagements` finding engagements and evasion;
:mod:`~sim.kernels.combat.losses` loss allocation and the engagement events;
:mod:`~sim.kernels.combat.day` the daily phase :func:`combat_day`.

The law
-------
Each side is either hidden (hit by area fire) or exposed (hit by aimed fire), which
gives Lanchester's square law, the linear law or Deitchman's mixed law; each has a
closed form with break-off, documented in :mod:`sim.kernels.lanchester`. No numerical
integrator is used.

Outcome codes (``outcome`` column of the events)
-------------------------------------------------
0 ``OUTCOME_TIME``: fought to the time limit (or both sides broke at the same instant);
1 ``OUTCOME_INSURGENTS_WITHDREW``; 2 ``OUTCOME_STATE_WITHDREW`` (a garrison gave up its
post); 3 ``OUTCOME_INSURGENTS_ROUTED``; 4 ``OUTCOME_STATE_ROUTED`` (column routed or
post overrun).

References
----------
Lanchester, F. W. (1916). Aircraft in Warfare: the Dawn of the Fourth Arm. Constable.
Deitchman, S. J. (1962). A Lanchester model of guerrilla warfare. Operations Research
10(6), 818-827.
Schaffer, M. B. (1968). Lanchester models of guerrilla engagements. Operations Research
16(3), 457-488.
Engel, J. H. (1954). A verification of Lanchester's law. Journal of the Operations
Research Society of America 2(2), 163-171.
"""

from sim.kernels.combat.batch import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    OUTCOME_TIME,
    EngagementBatch,
    EngagementResult,
    Engine,
    Mode,
)
from sim.kernels.combat.concealment import concealment_map
from sim.kernels.combat.day import combat_day
from sim.kernels.combat.engagements import Engagements, evade, find_engagements
from sim.kernels.combat.engine import CHUNK, COMPILED_MIN, combat_threads, resolve_engagements
from sim.kernels.combat.sampling import VAR_EXACT, binomial_from_uniform
from sim.kernels.combat.terms import Terms, day_factors, engagement_terms
from sim.kernels.lanchester import TINY, LawResult, lanchester_mixed

__all__ = [
    "CHUNK",
    "COMPILED_MIN",
    "OUTCOME_INSURGENTS_ROUTED",
    "OUTCOME_INSURGENTS_WITHDREW",
    "OUTCOME_STATE_ROUTED",
    "OUTCOME_STATE_WITHDREW",
    "OUTCOME_TIME",
    "TINY",
    "VAR_EXACT",
    "EngagementBatch",
    "EngagementResult",
    "Engagements",
    "Engine",
    "LawResult",
    "Mode",
    "Terms",
    "binomial_from_uniform",
    "combat_day",
    "combat_threads",
    "concealment_map",
    "day_factors",
    "engagement_terms",
    "evade",
    "find_engagements",
    "lanchester_mixed",
    "resolve_engagements",
]
