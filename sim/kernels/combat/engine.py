"""Engine choice and chunking: :func:`resolve_engagements`, the door to both engines.

The numpy engine (:mod:`sim.kernels.combat.outcome`) runs every batch below
:data:`COMPILED_MIN` engagements (a model's day has tens), in blocks of :data:`CHUNK`;
the compiled engine (:mod:`sim.kernels.combat.compiled`, numba, imported only when
used) runs larger batch studies.

References
----------
Deitchman, S. J. (1962). A Lanchester model of guerrilla warfare. Operations Research
10(6), 818-827.
Schaffer, M. B. (1968). Lanchester models of guerrilla engagements. Operations Research
16(3), 457-488.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.kernels.combat.batch import EngagementBatch, EngagementResult, Engine, Mode
from sim.kernels.combat.outcome import resolve_numpy
from sim.kernels.combat.sampling import VAR_EXACT
from sim.params.combat import CombatParams

__all__ = ["CHUNK", "COMPILED_MIN", "combat_threads", "resolve_engagements"]

F64 = NDArray[np.float64]

_MODES: tuple[str, ...] = ("stochastic", "deterministic")
_ENGINES: tuple[str, ...] = ("auto", "numpy", "compiled")


def resolve_engagements(
    batch: EngagementBatch,
    *,
    params: CombatParams,
    heliographs: bool = False,
    aircraft: bool = False,
    mode: Mode = "stochastic",
    rng: np.random.Generator | None = None,
    engine: Engine = "auto",
) -> EngagementResult:
    """Resolve m engagements at once: integrate, decide the outcome, draw the losses.

    The deterministic law (:func:`lanchester_mixed`) gives the expected fire
    casualties; a side that breaks off routs when the enemy's remaining fire exceeds
    ``rout_ratio`` times its own and then loses a further share in the pursuit.
    With aircraft a fight at a post runs in two phases: men and machine guns land
    after ``air_delay_h`` and the state's fire is multiplied by ``aircraft_firepower``.
    They land unless the post has fallen: if the band has broken off before, they
    join the pursuit (the rout test sees their fire), so a band cannot lose less
    by breaking off sooner when the state's fire is stronger.

    In stochastic mode one ``rng.random((5, m))`` call pre-draws all uniforms
    (rows: band total, state total, band split, state split, machine guns). Each
    side's casualties are Binomial(men, expected casualties / men) by inversion
    (:func:`binomial_from_uniform`), split into killed / wounded / captured by
    systematic rounding (unbiased per category); machine guns lost are the expected
    number rounded up with probability equal to its fraction. Given the same uniforms
    the scalar reference (``sim.benchmarks.combat_reference``) gives the same counts.

    Two engines evaluate the same expressions: ``"numpy"`` (array passes,
    :mod:`sim.kernels.combat.outcome` and :mod:`sim.kernels.lanchester`) and
    ``"compiled"`` (compiled passes over blocks, :mod:`sim.kernels.combat.compiled`, on all cores for large batches). They agree
    to the rounding of transcendental functions (the same counts from the same
    uniforms). ``"auto"`` uses the compiled engine from :data:`COMPILED_MIN`
    engagements on, so a model's day (tens of engagements) never pays its one-off
    compile time.

    Parameters
    ----------
    batch : EngagementBatch
        m engagements.
    params : CombatParams
    heliographs, aircraft : bool, keyword-only
        Switches of the day.
    mode : {"stochastic", "deterministic"}
    rng : numpy.random.Generator
        Required in stochastic mode.
    engine : {"auto", "numpy", "compiled"}

    Returns
    -------
    EngagementResult
        Arrays of shape (m,).

    References
    ----------
    Deitchman (1962); Schaffer (1968). Binomial attrition around the Lanchester
    expectation as in the stochastic Lanchester literature (e.g. Brown 1963).
    """
    if mode not in _MODES:
        msg = f"mode must be 'stochastic' or 'deterministic', not {mode!r}"
        raise ValueError(msg)
    if engine not in _ENGINES:
        msg = f"engine must be one of {', '.join(map(repr, _ENGINES))}, not {engine!r}"
        raise ValueError(msg)
    if mode == "stochastic" and rng is None:
        msg = "stochastic mode needs rng=numpy.random.default_rng(seed)"
        raise ValueError(msg)
    m = len(batch)
    u = rng.random((5, m)) if rng is not None and mode == "stochastic" else None
    if engine == "compiled" or (engine == "auto" and m >= COMPILED_MIN):
        return _resolve_compiled(batch, params, heliographs, aircraft, u)
    if m <= CHUNK:
        return resolve_numpy(batch, params, heliographs, aircraft, mode, u)
    out = {f.name: np.empty(m, dtype=np.int64 if f.name == "outcome" else
                            bool if f.name == "band_hidden" else np.float64)
           for f in dataclasses.fields(EngagementResult)}
    for lo in range(0, m, CHUNK):
        sl = slice(lo, lo + CHUNK)
        fields: dict[str, Any] = {f.name: _rows(getattr(batch, f.name), sl)
                                  for f in dataclasses.fields(batch)}
        sub = EngagementBatch(**fields)
        part = resolve_numpy(sub, params, heliographs, aircraft, mode,
                        None if u is None else u[:, sl])
        for name, arr in out.items():
            arr[sl] = getattr(part, name)
    return EngagementResult(**out)


#: Engagements resolved per block by the numpy engine: the temporaries of a block
#: stay in cache and are recycled by the allocator instead of being mapped afresh.
CHUNK = 16384
#: Batches from this size on use the compiled engine when ``engine="auto"``: a batch
#: study, never a model's day (tens of engagements), so model runs never compile it.
COMPILED_MIN = 512


def combat_threads(m: int) -> int:
    """Threads the compiled engine uses for a batch of m engagements."""
    from sim.kernels.combat import compiled as cc

    return cc.threads_for(m)


def _resolve_compiled(batch: EngagementBatch, params: CombatParams, heliographs: bool,
                      aircraft: bool, u: F64 | None) -> EngagementResult:
    from sim.kernels.combat import compiled as cc

    pr = cc.param_vector(params, heliographs=heliographs, aircraft=aircraft)
    arrays = tuple(getattr(batch, f.name) for f in dataclasses.fields(batch))
    out, outcome, hidden = cc.compiled_resolve(arrays, pr, u, VAR_EXACT)
    return EngagementResult(
        insurgents_killed=out[0], insurgents_wounded=out[1], insurgents_captured=out[2],
        state_killed=out[3], state_wounded=out[4], state_captured=out[5],
        duration_h=out[6], outcome=outcome, mg_captured=out[7], rifles_captured=out[8],
        rifles_recovered=out[9], air_men=out[10], air_mg=out[11], band_hidden=hidden,
    )


def _rows(a: NDArray[Any] | None, sl: slice) -> NDArray[Any] | None:
    """A slice of an optional batch field."""
    return None if a is None else a[sl]
