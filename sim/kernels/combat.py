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

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special

from sim.events import Events, events
from sim.kernels.lanchester import TINY, LawResult, lanchester_mixed
from sim.params.combat import CombatParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order, Villages

__all__ = [
    "COMPILED_MIN",
    "OUTCOME_INSURGENTS_ROUTED",
    "OUTCOME_INSURGENTS_WITHDREW",
    "OUTCOME_STATE_ROUTED",
    "OUTCOME_STATE_WITHDREW",
    "OUTCOME_TIME",
    "TINY",
    "EngagementBatch",
    "EngagementResult",
    "Engagements",
    "Engine",
    "LawResult",
    "binomial_from_uniform",
    "combat_day",
    "combat_threads",
    "concealment_map",
    "day_factors",
    "engagement_terms",
    "find_engagements",
    "floor_pass",
    "lanchester_mixed",
    "resolve_engagements",
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

_MODES: tuple[str, ...] = ("stochastic", "deterministic")
_ENGINES: tuple[str, ...] = ("auto", "numpy", "compiled")


# ----------------------------------------------------------------------------------------
# terrain
# ----------------------------------------------------------------------------------------
def concealment_map(
    land_cover: NDArray[np.uint8], ruggedness: NDArray[np.floating], params: CombatParams
) -> F64:
    """Share of area fire wasted on a band hidden in each cell.

    ``c = 1 - (1 - c_cover) * (1 - w * (1 - exp(-rug / scale)))``, capped at
    ``max_concealment``: cover and relief hide independently.

    Parameters
    ----------
    land_cover : ndarray of uint8, shape (rows, cols)
        WATER=0, BARREN=1, GRASSLAND=2, SHRUB=3, FOREST=4, CROPLAND=5, TOWN=6,
        SNOW_ICE=7, WETLAND=8 (other values count as BARREN).
    ruggedness : ndarray of float, shape (rows, cols)
        Standard deviation of elevation within the cell (m).
    params : CombatParams

    Returns
    -------
    ndarray of float64, shape (rows * cols,)
        Concealment in [0, max_concealment] per flat cell ``row * ncols + col``.

    References
    ----------
    Schaffer, M. B. (1968). Lanchester models of guerrilla engagements.
    """
    p = params
    table = np.array(
        [
            p.cover_water,
            p.cover_barren,
            p.cover_grassland,
            p.cover_shrub,
            p.cover_forest,
            p.cover_cropland,
            p.cover_town,
            p.cover_snow_ice,
            p.cover_wetland,
        ],
        dtype=np.float64,
    )
    lc = np.asarray(land_cover).reshape(-1).astype(np.intp)
    lc = np.where((lc >= 0) & (lc < table.size), lc, 1)
    rug = np.maximum(np.asarray(ruggedness, dtype=np.float64).reshape(-1), 0.0)
    if rug.shape != lc.shape:
        msg = f"land_cover {np.shape(land_cover)} and ruggedness {np.shape(ruggedness)} differ"
        raise ValueError(msg + "; pass both grids of shape (rows, cols)")
    relief = p.ruggedness_weight * -np.expm1(-rug / p.ruggedness_scale_m)
    conc = 1.0 - (1.0 - table[lc]) * (1.0 - relief)
    return np.minimum(conc, p.max_concealment)


# ----------------------------------------------------------------------------------------
# engagements: participants -> coefficients -> losses
# ----------------------------------------------------------------------------------------
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
    k_band = _pick(band_hidden, np.multiply(1.0 - batch.concealment, p.area_lethality_state),
                   p.aimed_lethality_state)
    mult = firepower * _pick(raid, night, 1.0)
    mult *= _pick(amb, blind, 1.0)
    k_band *= mult
    # k_state = (area (1 - c_s) if hidden else aimed) * (night * bonus / fort)
    k_state = _pick(state_hidden,
                    np.multiply(1.0 - batch.state_concealment, p.area_lethality_insurgent),
                    p.aimed_lethality_insurgent)
    mult = _pick(raid, night, 0.0)
    mult += _pick(amb, bonus, 0.0)
    mult += plain
    mult /= fort
    k_state *= mult
    base = _pick(amb, p.ambush_duration_h, 0.0)
    base += _pick(raid, p.raid_duration_h, 0.0)
    base += _pick(plain, p.meeting_duration_h, 0.0)
    size = b0 + s0
    size /= 400.0
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
    phase1 = _pick(air, p.air_delay_h, duration) if aircraft else duration
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


def _pick(mask: Bool, yes: float | F64, no: float | F64) -> F64:
    """``np.where(mask, yes, no)`` for finite values, exactly, without a branchy select.

    ``yes * mask + no * ~mask``: multiplying by 0 or 1 and adding 0 are exact.
    """
    out = np.multiply(mask, yes, dtype=np.float64)
    if not (isinstance(no, float) and no == 0.0):
        out += np.multiply(~mask, no, dtype=np.float64)
    return out


VAR_EXACT = 9.0
"""Binomial variance below which :func:`binomial_from_uniform` inverts the CDF exactly."""


def binomial_from_uniform(n: F64, p: F64, u: F64) -> F64:
    """Binomial(n, p) variates from uniforms by inversion (one uniform per draw).

    Exact inversion of the CDF by sequential search when ``n p (1-p) < VAR_EXACT``
    (using ``X = n - Binomial(n, 1-p)`` for p > 1/2, so the search is short);
    otherwise the Cornish-Fisher normal approximation with continuity correction,
    ``floor(mu + sigma (z + g (z^2 - 1) / 6) + 1/2)`` with skewness ``g``, clipped to
    [0, n]; its CDF error is below about 1 % there. The variate is a monotone
    function of ``u``, so common random numbers couple runs.

    Parameters
    ----------
    n : ndarray of float64, shape (k,)
        Whole numbers of trials.
    p : ndarray of float64, shape (k,)
        Probabilities in [0, 1].
    u : ndarray of float64, shape (k,)
        Uniforms in [0, 1).

    Returns
    -------
    ndarray of float64, shape (k,)
        Whole numbers in [0, n].

    References
    ----------
    Devroye, L. (1986). Non-Uniform Random Variate Generation, ch. X (inversion);
    Johnson, Kemp & Kotz (2005). Univariate Discrete Distributions, 3.6 (normal
    approximations to the binomial).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _binomial(np.asarray(n, dtype=np.float64), np.asarray(p, dtype=np.float64),
                         np.asarray(u, dtype=np.float64))


def _binomial(n: F64, p: F64, u: F64) -> F64:
    p = np.maximum(p, 0.0)
    np.minimum(p, 1.0, out=p)
    var = n * p
    var *= 1.0 - p
    out = np.zeros_like(n)
    big = var >= VAR_EXACT
    i = np.flatnonzero(big)
    if i.size:
        # floor(n p + sd (z + g (z^2 - 1) / 6) + 1/2), g = (1 - 2 p) / sd
        pi = p[i]
        ni = n[i]
        sd = np.sqrt(var[i])
        z = special.ndtri(u[i])
        g = 1.0 - 2.0 * pi
        g /= sd
        x = z * z
        x -= 1.0
        x *= g
        x /= 6.0
        x += z
        x *= sd
        x += ni * pi
        x += 0.5
        np.floor(x, out=x)
        np.maximum(x, 0.0, out=x)
        np.minimum(x, ni, out=x)
        out[i] = x
    small = ~big
    small &= p > 0.0
    small &= n > 0
    i = np.flatnonzero(small)
    if i.size:
        # sequential search from 0 on the side of the smaller probability; every
        # search still running at step k has the same k, so k is a scalar and each
        # search's result is the number of steps it stayed active
        pi = p[i]
        flip = pi > 0.5
        q = _pick(flip, 1.0 - pi, pi)
        ui = u[i]
        uu = _pick(flip, 1.0 - ui, ui)
        nn = n[i]
        pmf = np.log1p(-q)
        pmf *= nn
        np.exp(pmf, out=pmf)
        cdf = pmf.copy()
        odds = 1.0 - q
        np.divide(q, odds, out=odds)
        k = np.zeros(i.size)
        res = np.zeros(i.size)
        pos = np.arange(i.size)
        act = cdf < uu
        step = 0.0
        fac = np.empty(i.size)
        while True:
            n_act = int(np.count_nonzero(act))
            if n_act == 0:
                break
            if 2 * n_act < act.size:  # drop the finished searches
                res[pos] = k
                keep = np.flatnonzero(act)
                pos = pos[keep]
                nn, odds, uu, pmf, cdf, k = (a[keep] for a in (nn, odds, uu, pmf, cdf, k))
                act = np.ones(n_act, dtype=bool)
                fac = fac[:n_act]
            step += 1.0
            np.subtract(nn, step, out=fac)  # pmf *= (n - k + 1) / k * odds
            fac += 1.0
            fac /= step
            fac *= odds
            pmf *= fac
            cdf += pmf
            k += act
            act &= cdf < uu
            act &= step < nn
        res[pos] = k
        out[i] = _pick(flip, n[i] - res, res)
    return out


def _draw_side(n: F64, e: tuple[F64, F64, F64], u_total: F64, u_split: F64
               ) -> tuple[F64, F64, F64]:
    """Binomial total around the expectation, split by systematic rounding.

    ``total ~ Binomial(n, (e_k + e_w + e_c) / n)``; killed = floor(total s_k + u),
    killed + wounded = floor(total (s_k + s_w) + u) with the shares s of the
    expectation: each category is unbiased and the three sum to the total.
    """
    e_k, e_w, e_c = e
    e_kw = e_k + e_w
    e_all = e_kw + e_c
    pos = e_all > 0.0
    den = e_all + ~pos  # e_all where positive, else 1
    sk = e_k / den
    sk *= pos
    skw = np.divide(e_kw, den, out=e_kw)
    skw *= pos
    live = n > 0
    q = n + ~live
    np.divide(e_all, q, out=q)
    q *= live
    total = binomial_from_uniform(n, q, u_total)
    killed = total * sk
    killed += u_split
    np.floor(killed, out=killed)
    kw = np.multiply(total, skw, out=skw)
    kw += u_split
    np.floor(kw, out=kw)
    np.minimum(kw, total, out=kw)
    wounded = kw - killed
    captured = np.subtract(total, kw, out=kw)
    return killed, wounded, captured


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

    Two engines evaluate the same expressions: ``"numpy"`` (array passes, this
    module and :mod:`sim.kernels.lanchester`) and ``"compiled"`` (compiled passes over
    blocks, :mod:`sim.kernels.combat_compiled`, on all cores for large batches). They agree
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
        return _resolve(batch, params, heliographs, aircraft, mode, u)
    out = {f.name: np.empty(m, dtype=np.int64 if f.name == "outcome" else
                            bool if f.name == "band_hidden" else np.float64)
           for f in dataclasses.fields(EngagementResult)}
    for lo in range(0, m, CHUNK):
        sl = slice(lo, lo + CHUNK)
        sub = EngagementBatch(**{f.name: getattr(batch, f.name)[sl]
                                 for f in dataclasses.fields(batch)})
        part = _resolve(sub, params, heliographs, aircraft, mode,
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
    from sim.kernels import combat_compiled as cc

    return cc.threads_for(m)


def _resolve_compiled(batch: EngagementBatch, params: CombatParams, heliographs: bool,
                      aircraft: bool, u: F64 | None) -> EngagementResult:
    from sim.kernels import combat_compiled as cc

    pr = cc.param_vector(params, heliographs=heliographs, aircraft=aircraft)
    arrays = tuple(getattr(batch, f.name) for f in dataclasses.fields(batch))
    out, outcome, hidden = cc.compiled_resolve(arrays, pr, u, VAR_EXACT)
    return EngagementResult(
        insurgents_killed=out[0], insurgents_wounded=out[1], insurgents_captured=out[2],
        state_killed=out[3], state_wounded=out[4], state_captured=out[5],
        duration_h=out[6], outcome=outcome, mg_captured=out[7], rifles_captured=out[8],
        rifles_recovered=out[9], air_men=out[10], air_mg=out[11], band_hidden=hidden,
    )


def _resolve(batch: EngagementBatch, params: CombatParams, heliographs: bool, aircraft: bool,
             mode: Mode, u: F64 | None) -> EngagementResult:
    p = params
    b0 = batch.insurgents
    s0 = batch.state
    tm = engagement_terms(batch, params=p, heliographs=heliographs, aircraft=aircraft)
    law = lanchester_mixed(
        b0, s0, k_band=tm.k_band, k_state=tm.k_state, band_hidden=tm.band_hidden,
        state_hidden=tm.state_hidden, duration=tm.phase1, band_floor=tm.band_floor,
        state_floor=tm.state_floor,
    )
    b_end, s_end, hours, ended = law.band, law.state, law.duration, law.ended
    air_men = np.zeros_like(b0)
    air_mg = np.zeros_like(b0)
    firepower = tm.firepower
    # the aircraft land after air_delay_h unless the post has fallen: if the fight
    # is still on it goes into a second phase; if the band has already broken off,
    # they join the pursuit (the rout test below sees their fire)
    arrive = np.flatnonzero(tm.air & (ended <= 1))
    if arrive.size:
        air_men[arrive] = p.air_reinforcement_men
        air_mg[arrive] = p.air_reinforcement_mg
        fp2 = (1.0 + (p.mg_rifle_equivalent * (batch.machine_guns[arrive] + p.air_reinforcement_mg)
                      + p.gun_rifle_equivalent * batch.guns[arrive])
               / np.maximum(s0[arrive] + p.air_reinforcement_men, 1.0))
        firepower = firepower.copy()
        firepower[arrive] = fp2 * p.aircraft_firepower
        late = arrive[ended[arrive] == 1]
        s_end[late] += p.air_reinforcement_men
        on = ended[arrive] == 0
        go = arrive[on]
        if go.size:
            s1 = s_end[go] + p.air_reinforcement_men
            k2 = tm.k_band[go] / tm.firepower[go] * fp2[on] * p.aircraft_firepower
            law2 = lanchester_mixed(
                b_end[go], s1, k_band=k2, k_state=tm.k_state[go],
                band_hidden=tm.band_hidden[go], state_hidden=tm.state_hidden[go],
                duration=tm.duration[go] - tm.phase1[go], band_floor=tm.band_floor[go],
                state_floor=np.minimum(tm.state_floor[go], s1),
            )
            b_end[go] = law2.band
            s_end[go] = law2.state
            hours[go] += law2.duration
            ended[go] = law2.ended
    s_tot = s0 + air_men
    mg_tot = batch.machine_guns + air_mg

    fire_state = s_end * firepower
    fire_state *= p.aimed_lethality_state
    fire_band = b_end * p.aimed_lethality_insurgent
    fire_band /= tm.fort
    band_broke = ended == 1
    state_broke = ended == 2
    band_rout = fire_state >= p.rout_ratio * fire_band
    band_rout &= band_broke
    state_rout = fire_band >= p.rout_ratio * fire_state
    state_rout &= state_broke
    # OUTCOME_* codes: withdrew = ended (1 or 2, 3 counts as time), routed = withdrew + 2
    outcome = band_broke.astype(np.int64)
    outcome += state_broke * np.int64(OUTCOME_STATE_WITHDREW)
    outcome += band_rout * np.int64(OUTCOME_INSURGENTS_ROUTED - OUTCOME_INSURGENTS_WITHDREW)
    outcome += state_rout * np.int64(OUTCOME_STATE_ROUTED - OUTCOME_STATE_WITHDREW)

    ik = p.insurgent_killed_share
    sk = p.state_killed_share
    *_, ic, sc = day_factors(p, heliographs=heliographs)
    rc = p.rout_captured_share
    fb = b0 - b_end
    rb = _pick(band_rout, p.rout_loss_insurgent * b_end, 0.0)
    fs = s_tot - s_end
    rs = _pick(state_rout, p.rout_loss_state * s_end, 0.0)
    e_bk = fb * ik
    e_bk += rb * (1.0 - rc)
    e_bc = fb * ic
    e_bc += rb * rc
    e_bw = fb * (1.0 - ik - ic)
    e_sk = fs * sk
    e_sk += rs * (1.0 - rc)
    e_sc = fs * sc
    e_sc += rs * rc
    e_sw = fs * (1.0 - sk - sc)
    manned = s_tot > 0.0
    lost_share = fs + rs
    lost_share /= s_tot + ~manned
    lost_share *= manned
    lost_share *= p.mg_capture_withdraw
    np.minimum(lost_share, 1.0, out=lost_share)
    mg_p = _pick(state_broke & ~state_rout, lost_share, 0.0)
    mg_p += _pick(state_rout, p.mg_capture_rout, 0.0)

    if mode == "deterministic":
        bk, bw, bc, sk_, sw_, sc_ = e_bk, e_bw, e_bc, e_sk, e_sw, e_sc
        mg_cap = mg_p * mg_tot
    else:
        assert u is not None
        bk, bw, bc = _draw_side(np.rint(b0), (e_bk, e_bw, e_bc), u[0], u[2])
        sk_, sw_, sc_ = _draw_side(np.rint(s_tot), (e_sk, e_sw, e_sc), u[1], u[3])
        mg_cap = np.rint(mg_tot)
        mg_cap *= mg_p
        mg_cap += u[4]
        np.floor(mg_cap, out=mg_cap)

    # the band holds the field when the state broke off, the state when the band did
    rifles_cap = _pick(state_broke, p.field_recovery * sk_, 0.0)
    rifles_cap += sc_
    rifles_rec = _pick(band_broke, p.field_recovery * bk, 0.0)
    rifles_rec += bc
    if mode == "stochastic":
        rifles_cap += 0.5
        np.floor(rifles_cap, out=rifles_cap)
        rifles_rec += 0.5
        np.floor(rifles_rec, out=rifles_rec)
    return EngagementResult(
        insurgents_killed=bk,
        insurgents_wounded=bw,
        insurgents_captured=bc,
        state_killed=sk_,
        state_wounded=sw_,
        state_captured=sc_,
        duration_h=hours,
        outcome=outcome,
        mg_captured=mg_cap,
        rifles_captured=rifles_cap,
        rifles_recovered=rifles_rec,
        air_men=air_men,
        air_mg=air_mg,
        band_hidden=tm.band_hidden,
    )


def floor_pass(batch: EngagementBatch) -> EngagementResult:
    """Memory-bound floor: read every input array once and write every output once.

    Not a model: it bounds from below what any kernel reading and writing the same
    arrays must cost (the benchmark's ``floor_s``).

    Parameters
    ----------
    batch : EngagementBatch
        m engagements.

    Returns
    -------
    EngagementResult
        Arrays of shape (m,) holding meaningless values.
    """
    acc = batch.insurgents + batch.state
    acc += batch.machine_guns
    acc += batch.guns
    acc += batch.concealment
    acc += batch.state_concealment
    acc += batch.band_morale
    acc += batch.garrison_share
    acc += batch.ambush
    acc += batch.raid
    o = [acc * float(k) for k in range(1, 13)]
    return EngagementResult(
        insurgents_killed=o[0], insurgents_wounded=o[1], insurgents_captured=o[2],
        state_killed=o[3], state_wounded=o[4], state_captured=o[5], duration_h=o[6],
        outcome=acc.astype(np.int64), mg_captured=o[7], rifles_captured=o[8],
        rifles_recovered=o[9], air_men=o[10], air_mg=o[11], band_hidden=acc > 0,
    )


# ----------------------------------------------------------------------------------------
# finding engagements
# ----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Engagements:
    """Who fights whom today.

    Attributes
    ----------
    band_eng : ndarray of int64, shape (n_bands,)
        Engagement of each band, -1 if none.
    column_eng : ndarray of int64, shape (n_columns,)
        Engagement of each column, -1 if none.
    cell : ndarray of int64, shape (m,)
        Anchor cell of each engagement (where the state units stand), ascending.
    band_ambush : ndarray of bool, shape (n_bands,)
        The band lies in wait for a moving column in concealing terrain.
    raid : ndarray of bool, shape (m,)
        A garrison is attacked in its post.
    """

    band_eng: I64
    column_eng: I64
    cell: I64
    band_ambush: Bool
    raid: Bool

    def __len__(self) -> int:
        return int(self.cell.shape[0])


def _offsets(reach: int) -> tuple[I64, I64, I64]:
    r = np.arange(-reach, reach + 1)
    dr, dc = (a.reshape(-1) for a in np.meshgrid(r, r, indexing="ij"))
    dist = np.maximum(np.abs(dr), np.abs(dc))
    order = np.lexsort((dc, dr, dist))
    return dr[order].astype(np.int64), dc[order].astype(np.int64), dist[order].astype(np.int64)


def find_engagements(
    bands: Bands,
    columns: Columns,
    concealment: F64,
    *,
    ncols: int,
    params: CombatParams,
) -> Engagements:
    """Group opposing units into engagements (no Python loop over units).

    A band engages the nearest cell within ``reach_cells`` (Chebyshev) holding state
    units when: it shares the cell with a mobile column (contact); it is on a raid
    (any state unit, garrisons included); it lies in wait (mode HOLD) in a cell of
    concealment >= ``ambush_min_concealment`` next to a moving column (ambush); or a
    column on PURSUE/PATROL catches it (unless it is in SANCTUARY). All state units of
    that cell and all bands that chose it form one engagement. Garrisons left alone by
    bands do not sortie.

    Parameters
    ----------
    bands : Bands
        n_bands rows.
    columns : Columns
        n_columns rows.
    concealment : ndarray of float64, shape (n_cells,)
    ncols : int
        Columns of the theatre grid.
    params : CombatParams

    Returns
    -------
    Engagements
    """
    nb, nc = len(bands), len(columns)
    band_eng = np.full(nb, -1, dtype=np.int64)
    column_eng = np.full(nc, -1, dtype=np.int64)
    band_ambush = np.zeros(nb, dtype=bool)
    none = Engagements(band_eng, column_eng, np.zeros(0, np.int64), band_ambush,
                       np.zeros(0, bool))
    ib = np.flatnonzero(bands.active & (bands.fighters > 0))
    ic = np.flatnonzero(columns.active & (columns.strength > 0))
    if ib.size == 0 or ic.size == 0:
        return none
    n_cells = concealment.shape[0]
    nrows = n_cells // ncols
    ucells, cinv = np.unique(columns.cell[ic], return_inverse=True)
    nu = ucells.size
    kind = columns.kind[ic]
    order = columns.order[ic]
    garrison = kind == ColumnKind.GARRISON
    mobile = ~garrison
    moving = mobile & (order != Order.HOLD)
    hunting = mobile & ((order == Order.PURSUE) | (order == Order.PATROL))
    has_garrison = np.bincount(cinv, weights=garrison, minlength=nu) > 0
    has_mobile = np.bincount(cinv, weights=mobile, minlength=nu) > 0
    has_moving = np.bincount(cinv, weights=moving, minlength=nu) > 0
    has_hunting = np.bincount(cinv, weights=hunting, minlength=nu) > 0

    dr, dc, dist = _offsets(int(params.reach_cells))
    bcell = bands.cell[ib]
    br, bcol = np.divmod(bcell, ncols)
    rr = br[:, None] + dr[None, :]
    cc = bcol[:, None] + dc[None, :]
    valid = (rr >= 0) & (rr < nrows) & (cc >= 0) & (cc < ncols)
    cand = np.where(valid, rr * ncols + cc, -1)
    pos = np.minimum(np.searchsorted(ucells, cand), nu - 1)
    hit = valid & (ucells[pos] == cand)
    mode = bands.mode[ib][:, None]
    conc_b = concealment[bcell][:, None]
    lie_in_wait = (mode == BandMode.HOLD) & (conc_b >= params.ambush_min_concealment)
    ambush_ok = lie_in_wait & has_moving[pos] & ~has_garrison[pos]
    engage = hit & (
        (has_mobile[pos] & ((dist[None, :] == 0) | (has_hunting[pos] & (mode != BandMode.SANCTUARY))
                            | ambush_ok))
        | (mode == BandMode.RAID)
    )
    any_e = engage.any(axis=1)
    first = np.argmax(engage, axis=1)
    rows = np.flatnonzero(any_e)
    if rows.size == 0:
        return none
    anchor = pos[rows, first[rows]]
    uniq, local = np.unique(anchor, return_inverse=True)
    band_eng[ib[rows]] = local
    band_ambush[ib[rows]] = ambush_ok[rows, first[rows]]
    eng_of_u = np.full(nu, -1, dtype=np.int64)
    eng_of_u[uniq] = np.arange(uniq.size)
    column_eng[ic] = eng_of_u[cinv]
    return Engagements(
        band_eng=band_eng,
        column_eng=column_eng,
        cell=ucells[uniq].astype(np.int64),
        band_ambush=band_ambush,
        raid=has_garrison[uniq],
    )


def evade(eng: Engagements, bands: Bands, chance: F64, u: F64) -> Engagements:
    """Drop the bands that slip away before a fight, and the engagements left empty.

    A band that lies in wait for a column or attacks a post fights; any other band
    caught by a column (including one on its way to a raid) escapes when ``u < chance``.

    Parameters
    ----------
    eng : Engagements
    bands : Bands
    chance : ndarray of float64, shape (n_bands,)
        Probability of slipping away.
    u : ndarray of float64, shape (n_bands,)
        Uniform draws.

    Returns
    -------
    Engagements
        With engagement ids renumbered 0..m'-1 in the same order.
    """
    engaged = eng.band_eng >= 0
    e = np.where(engaged, eng.band_eng, 0)
    seeks_battle = eng.band_ambush | (engaged & eng.raid[e])
    gone = engaged & ~seeks_battle & (u < chance)
    band_eng = np.where(gone, -1, eng.band_eng)
    keep = np.bincount(band_eng[band_eng >= 0], minlength=len(eng)) > 0
    new_id = np.cumsum(keep) - 1
    band_eng = np.where(band_eng >= 0, new_id[np.maximum(band_eng, 0)], -1)
    ce = eng.column_eng
    alive = ce >= 0
    column_eng = np.where(alive & keep[np.where(alive, ce, 0)], new_id[np.where(alive, ce, 0)], -1)
    return Engagements(
        band_eng=band_eng.astype(np.int64),
        column_eng=column_eng.astype(np.int64),
        cell=eng.cell[keep],
        band_ambush=eng.band_ambush & (band_eng >= 0),
        raid=eng.raid[keep],
    )


# ----------------------------------------------------------------------------------------
# the daily phase
# ----------------------------------------------------------------------------------------
def _allocate(group: I64, weight: I64, total: I64) -> I64:
    """Split integer ``total[g]`` over rows of group g in proportion to ``weight``.

    Cumulative floor rounding in row order: the shares sum exactly to ``total[g]`` and
    no row gets more than its weight when ``total[g] <= sum(weight)``.

    Parameters
    ----------
    group : ndarray of int64, shape (k,)
        Group of each row (>= 0).
    weight : ndarray of int64, shape (k,)
    total : ndarray of int64, shape (m,)

    Returns
    -------
    ndarray of int64, shape (k,)
    """
    k = group.shape[0]
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    g = group[order]
    w = weight[order].astype(np.int64)
    csum = np.cumsum(w)
    wsum = np.bincount(g, weights=w, minlength=total.shape[0]).astype(np.int64)
    start = np.cumsum(wsum) - wsum
    cum = csum - start[g]
    prev = cum - w
    tot = total[g]
    den = np.maximum(wsum[g], 1)
    share = (tot * cum) // den - (tot * prev) // den
    out = np.empty(k, dtype=np.int64)
    out[order] = np.where(wsum[g] > 0, share, 0)
    return out


def _sum(group: I64, weights: NDArray[np.generic] | None, m: int) -> F64:
    """Per-group sums as float64, shape (m,)."""
    return np.bincount(group, weights=weights, minlength=m).astype(np.float64)


def _round_split(k: F64, w: F64, c: F64) -> tuple[I64, I64, I64]:
    """Round expected (killed, wounded, captured) so that the sum is the rounded total."""
    r1 = np.rint(k)
    r2 = np.rint(k + w)
    r3 = np.rint(k + w + c)
    return r1.astype(np.int64), (r2 - r1).astype(np.int64), (r3 - r2).astype(np.int64)


def _lead(group: I64, key: F64, m: int) -> I64:
    """Row with the largest ``key`` in each group (lowest row on ties), shape (m,)."""
    rows = np.flatnonzero(group >= 0)
    out = np.full(m, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    order = np.lexsort((rows, -key[rows], group[rows]))
    srt = rows[order]
    g = group[srt]
    first = np.ones(g.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    out[g[first]] = srt[first]
    return out


def combat_day(
    bands: Bands,
    columns: Columns,
    villages: Villages,
    *,
    concealment: F64,
    ncols: int,
    day_switches: Mapping[str, bool],
    params: CombatParams,
    rng: np.random.Generator,
    mode: Mode = "stochastic",
    band_concealment: F64 | None = None,
) -> tuple[Bands, Columns, Villages, list[Events]]:
    """Find and resolve all of a day's engagements; return new tables and events.

    Inputs are not mutated. Losses of an engagement are spread over its units in
    proportion to their strength; machine guns lost over columns in proportion to
    their guns; men flown in (aircraft switch) join the largest garrison. Bands'
    ``recent_losses`` grow by the men they lost and ``recent_success`` by 1 for a
    fight they won (the state withdrew or routed) and 0.5 for a drawn fight in which
    the state lost more men.

    Parameters
    ----------
    bands, columns, villages
        Today's tables, shapes (n_bands,), (n_columns,), (n_villages,).
    concealment : ndarray of float64, shape (n_cells,)
        From :func:`concealment_map`.
    ncols : int
        Columns of the theatre grid.
    day_switches : mapping of str to bool
        Keys ``"heliographs"`` and ``"aircraft"`` (missing means False).
    params : CombatParams
    rng : numpy.random.Generator
    mode : {"stochastic", "deterministic"}
        Deterministic mode rounds the expectations to whole men.
    band_concealment : ndarray of float64, shape (n_bands,), optional
        Multiplier of each band's concealment from village intelligence (below 1 where
        villages inform on it, above 1 where they warn it); the result is capped at
        ``max_concealment``. None means 1 for every band.

    Returns
    -------
    bands, columns, villages
        New tables.
    events : list of Events
        One ``"engagement"`` batch (side ``"insurgent"``, unit = lead band, cell =
        anchor cell, n = all men lost) with one row per engagement and extra columns
        insurgents_before, state_before, insurgents_/state_ killed, wounded, captured,
        duration_h, outcome (``OUTCOME_*`` codes, see the module docstring), ambush,
        raid, n_bands, n_columns, mg_captured, rifles_captured (by the insurgents),
        rifles_recovered (by the state), air_reinforcement, civilians_killed,
        lead_column, band_hidden; plus ``"rout"`` batches (side ``"insurgent"`` and
        ``"state"``, n = men the routed side lost) when any side routed.
    """
    p = params
    conc = np.asarray(concealment, dtype=np.float64)
    eng = find_engagements(bands, columns, conc, ncols=ncols, params=p)
    if mode == "stochastic" and len(eng):
        modifier = np.ones(len(bands)) if band_concealment is None else band_concealment
        chance = np.clip(p.evasion * conc[bands.cell] * modifier, 0.0, 1.0)
        eng = evade(eng, bands, chance, rng.random(len(bands)))
    new_b, new_c, new_v = bands.copy(), columns.copy(), villages.copy()
    m = len(eng)
    if m == 0:
        return new_b, new_c, new_v, [_engagement_events(np.zeros(0, np.int64), {}, 0)]

    bi = np.flatnonzero(eng.band_eng >= 0)
    be = eng.band_eng[bi]
    ci = np.flatnonzero(eng.column_eng >= 0)
    ce = eng.column_eng[ci]
    f = bands.fighters[bi].astype(np.float64)
    ins = _sum(be, f, m)
    conc_b = conc[bands.cell[bi]]
    if band_concealment is not None:
        conc_b = np.minimum(conc_b * band_concealment[bi], p.max_concealment)
    conc_band = _sum(be, f * conc_b, m) / ins
    morale_band = _sum(be, f * bands.morale[bi], m) / ins
    ambush = np.bincount(be, weights=eng.band_ambush[bi], minlength=m) > 0
    s = columns.strength[ci].astype(np.float64)
    is_gar = columns.kind[ci] == ColumnKind.GARRISON
    state = _sum(ce, s, m)
    batch = EngagementBatch(
        insurgents=ins,
        state=state,
        machine_guns=_sum(ce, columns.machine_guns[ci], m),
        guns=_sum(ce, columns.guns[ci], m),
        concealment=conc_band,
        state_concealment=conc[eng.cell],
        band_morale=morale_band,
        garrison_share=_sum(ce, s * is_gar, m) / state,
        ambush=ambush & ~eng.raid,
        raid=eng.raid,
    )
    res = resolve_engagements(
        batch,
        params=p,
        heliographs=bool(day_switches.get("heliographs", False)),
        aircraft=bool(day_switches.get("aircraft", False)),
        mode=mode,
        rng=rng,
    )
    if mode == "deterministic":
        bk, bw, bc = _round_split(res.insurgents_killed, res.insurgents_wounded,
                                  res.insurgents_captured)
        sk, sw, sc = _round_split(res.state_killed, res.state_wounded, res.state_captured)
        mg_cap = np.rint(res.mg_captured).astype(np.int64)
        rifles_cap = np.rint(res.rifles_captured)
        rifles_rec = np.rint(res.rifles_recovered)
    else:
        bk, bw, bc = (a.astype(np.int64) for a in (res.insurgents_killed,
                                                    res.insurgents_wounded,
                                                    res.insurgents_captured))
        sk, sw, sc = (a.astype(np.int64) for a in (res.state_killed, res.state_wounded,
                                                    res.state_captured))
        mg_cap = res.mg_captured.astype(np.int64)
        rifles_cap, rifles_rec = res.rifles_captured, res.rifles_recovered
    band_lost = bk + bw + bc
    state_lost = sk + sw + sc

    # --- air reinforcement joins the lead garrison ------------------------------------
    lead_col = _lead(eng.column_eng, columns.strength.astype(np.float64)
                     + 1e12 * (columns.kind == ColumnKind.GARRISON), m)
    air_men = np.rint(res.air_men).astype(np.int64)
    air_mg = np.rint(res.air_mg).astype(np.int64)
    strength = columns.strength.copy()
    mgs = columns.machine_guns.copy()
    np.add.at(strength, lead_col, air_men)
    np.add.at(mgs, lead_col, air_mg)

    # --- spread the losses over units ----------------------------------------------------
    loss_b = _allocate(be, bands.fighters[bi], band_lost)
    loss_c = _allocate(ce, strength[ci], state_lost)
    mg_c = _allocate(ce, mgs[ci], mg_cap)
    new_b.fighters[bi] = bands.fighters[bi] - loss_b
    new_c.strength = strength
    new_c.strength[ci] = strength[ci] - loss_c
    new_c.machine_guns = mgs
    new_c.machine_guns[ci] = mgs[ci] - mg_c

    out = res.outcome
    band_won = (out == OUTCOME_STATE_WITHDREW) | (out == OUTCOME_STATE_ROUTED)
    state_won = (out == OUTCOME_INSURGENTS_WITHDREW) | (out == OUTCOME_INSURGENTS_ROUTED)
    share_b = band_lost / np.maximum(ins, 1.0)
    share_s = state_lost / np.maximum(state + air_men, 1.0)
    dm_b = (p.morale_win * band_won - p.morale_loss_per_share * share_b
            - p.morale_rout * (out == OUTCOME_INSURGENTS_ROUTED))
    dm_s = (p.morale_win * state_won - p.morale_loss_per_share * share_s
            - p.morale_rout * (out == OUTCOME_STATE_ROUTED))
    new_b.morale[bi] = np.clip(bands.morale[bi] + dm_b[be], 0.0, 1.0)
    new_c.morale[ci] = np.clip(columns.morale[ci] + dm_s[ce], 0.0, 1.0)
    success = np.where(band_won, 1.0, np.where((out == OUTCOME_TIME) & (state_lost > band_lost),
                                                0.5, 0.0))
    new_b.recent_losses[bi] = bands.recent_losses[bi] + loss_b
    new_b.recent_success[bi] = bands.recent_success[bi] + success[be]

    # --- civilians caught in area fire ----------------------------------------------------
    civ = np.zeros(m, dtype=np.int64)
    if len(villages):
        vorder = np.argsort(villages.cell, kind="stable")
        vcells = villages.cell[vorder]
        vpos = np.minimum(np.searchsorted(vcells, eng.cell), vcells.size - 1)
        here = vcells[vpos] == eng.cell
        vrow = vorder[vpos]
        want = np.rint(p.civilian_collateral * (bk + bw) * res.band_hidden).astype(np.int64)
        civ = np.where(here, np.minimum(want, villages.population[vrow]), 0)
        hit = np.flatnonzero(here & (civ > 0))
        np.subtract.at(new_v.population, vrow[hit], civ[hit])

    lead_band = _lead(eng.band_eng, bands.fighters.astype(np.float64), m)
    cols = {
        "insurgents_before": ins,
        "state_before": state,
        "insurgents_killed": bk,
        "insurgents_wounded": bw,
        "insurgents_captured": bc,
        "state_killed": sk,
        "state_wounded": sw,
        "state_captured": sc,
        "duration_h": res.duration_h,
        "outcome": out,
        "ambush": batch.ambush,
        "raid": batch.raid,
        "n_bands": np.bincount(be, minlength=m),
        "n_columns": np.bincount(ce, minlength=m),
        "mg_captured": mg_cap,
        "rifles_captured": rifles_cap,
        "rifles_recovered": rifles_rec,
        "air_reinforcement": air_men,
        "civilians_killed": civ,
        "lead_column": lead_col,
        "band_hidden": res.band_hidden,
    }
    evs = [_engagement_events(lead_band, cols, m, cell=eng.cell,
                              n=band_lost + state_lost)]
    for code, side, lead, lost in ((OUTCOME_INSURGENTS_ROUTED, "insurgent", lead_band, band_lost),
                                   (OUTCOME_STATE_ROUTED, "state", lead_col, state_lost)):
        r = np.flatnonzero(out == code)
        if r.size:
            evs.append(events("rout", side, unit=lead[r], cell=eng.cell[r], n=lost[r]))
    return new_b, new_c, new_v, evs


_EVENT_COLUMNS = (
    "insurgents_before", "state_before", "insurgents_killed", "insurgents_wounded",
    "insurgents_captured", "state_killed", "state_wounded", "state_captured", "duration_h",
    "outcome", "ambush", "raid", "n_bands", "n_columns", "mg_captured", "rifles_captured",
    "rifles_recovered", "air_reinforcement", "civilians_killed", "lead_column", "band_hidden",
)


def _engagement_events(
    unit: I64,
    cols: Mapping[str, NDArray[np.generic]],
    m: int,
    *,
    cell: I64 | None = None,
    n: I64 | None = None,
) -> Events:
    """The ``"engagement"`` batch with a fixed set of columns (empty when m == 0)."""
    extra = {k: np.asarray(cols.get(k, np.zeros(m)), dtype=np.float64) for k in _EVENT_COLUMNS}
    return events(
        "engagement",
        "insurgent",
        unit=unit,
        cell=np.zeros(m, np.int64) if cell is None else cell,
        n=np.zeros(m) if n is None else n,
        **extra,
    )
