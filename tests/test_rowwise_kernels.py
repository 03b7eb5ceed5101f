"""The kernels that work row by row on the few bands and leaders agree, bit for bit and draw
for draw, with their whole-array numpy references (:mod:`reference_bands`), and the helpers
of :mod:`sim.kernels.rowwise` with numpy's clip and binomial."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from population_world import make_bands, make_columns, make_villages, make_world
from reference_bands import (
    band_reprisals_reference,
    band_switch_reference,
    control_day_reference,
    intelligence_reference,
    leader_distance_reference,
    leader_fate_reference,
    leaderless_day_reference,
    leading_reference,
    levy_reference,
    recruit_reference,
    rival_clash_reference,
    sanctuary_recruit_reference,
    state_desertion_reference,
)

from sim.events import Events, events
from sim.geography import LandCover
from sim.kernels import population_context
from sim.kernels.control import control_day
from sim.kernels.cotton import cotton_villages
from sim.kernels.defection import band_switch, levy, rival_clash, state_desertion
from sim.kernels.leaders import leader_distance, leader_fate, leaderless_day, leading
from sim.kernels.recruitment import intelligence, recruit, sanctuary_recruit
from sim.kernels.repression import band_reprisals
from sim.kernels.rowwise import binomial, clip, row_sum
from sim.kernels.windows import window_rows, window_table
from sim.params.population import PopulationParams
from sim.phases import _state_taken
from sim.state import Bands, ColumnKind, Columns, Leaders, LeaderStatus, Order, Villages

SEEDS = st.integers(0, 2**32 - 1)


def same_events(a: list[Events], b: list[Events]) -> None:
    assert [(e.kind, e.side) for e in a] == [(e.kind, e.side) for e in b]
    for x, y in zip(a, b, strict=True):
        for f in ("unit", "cell", "n"):
            np.testing.assert_array_equal(getattr(x, f), getattr(y, f))
            assert getattr(x, f).dtype == getattr(y, f).dtype
        assert x.extra.keys() == y.extra.keys()
        for k in x.extra:
            np.testing.assert_array_equal(x.extra[k], y.extra[k])
            assert x.extra[k].dtype == y.extra[k].dtype


def same_table(a: object, b: object) -> None:
    assert type(a) is type(b)
    for f in dataclasses.fields(a):  # type: ignore[arg-type]
        x, y = getattr(a, f.name), getattr(b, f.name)
        np.testing.assert_array_equal(x, y, err_msg=f.name)
        assert x.dtype == y.dtype, f.name
        # signed zeros too
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(np.signbit(x), np.signbit(y), err_msg=f.name)


def _pick(rng: np.random.Generator, n: int, values: list[float]) -> np.ndarray:
    """Random floats with some exact special values (ties, bounds) mixed in."""
    x = rng.random(n)
    special = rng.random(n) < 0.3
    x[special] = rng.choice(values, int(special.sum()))
    return x


def random_bands(rng: np.random.Generator, nb: int, nl: int, n_cells: int = 100) -> Bands:
    b = Bands.empty(nb)
    b.fighters[:] = np.where(rng.random(nb) < 0.2, 0, rng.integers(0, 300, nb))
    b.fighters[rng.random(nb) < 0.3] = 50  # ties for the largest band
    b.morale[:] = _pick(rng, nb, [0.0, 1.0, 0.2])
    b.hunger[:] = _pick(rng, nb, [0.0, 1.0]) * 1.2
    b.cell[:] = rng.integers(0, n_cells, nb)
    b.home[:] = rng.integers(0, n_cells, nb)
    b.leader[:] = rng.integers(-1, nl + 1, nb) if nl else -1
    b.recent_losses[:] = np.where(rng.random(nb) < 0.5, 0.0, rng.random(nb) * 100)
    b.recent_success[:] = rng.random(nb)
    b.active[:] = rng.random(nb) < 0.8
    return b


def random_leaders(rng: np.random.Generator, nl: int) -> Leaders:
    lead = Leaders.empty(nl)
    lead.authority[:] = _pick(rng, nl, [0.0, 1.0])
    lead.caution[:] = _pick(rng, nl, [0.0, 1.0]) * 3
    lead.status[:] = rng.choice([int(s) for s in LeaderStatus], nl)
    lead.recovery[:] = rng.integers(0, 3, nl).astype(np.float64)
    return lead


def random_params(rng: np.random.Generator) -> PopulationParams:
    """Rates from 0 to high enough that every branch is taken."""
    p = PopulationParams()
    rates = {name: float(rng.choice([0.0, rng.random(), 1.0])) for name in (
        "leader_exposure", "betrayal_rate", "exit_rate", "return_rate", "fragment_rate",
        "disperse_rate", "return_morale", "disperse_morale")}
    return dataclasses.replace(p, **rates)


@settings(max_examples=150, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25), nl=st.integers(0, 8))
def test_leading_and_distance_equal_the_references(seed: int, nb: int, nl: int) -> None:
    rng = np.random.default_rng(seed)
    b, lead = random_bands(rng, nb, nl), random_leaders(rng, nl)
    got, ref = leading(b, lead), leading_reference(b, lead)
    for x, y in zip(got, ref, strict=True):
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype
    lb = np.where(rng.random(nl) < 0.3, -1, got[0])
    for ncols, scale in ((10, 3.0), (7, 2)):
        x = leader_distance(b, lb, ncols=ncols, scale=scale)
        y = leader_distance_reference(b, lb, ncols=ncols, scale=scale)
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25), nl=st.integers(0, 8), hostile=st.booleans())
def test_leader_fate_equals_the_reference(seed: int, nb: int, nl: int, hostile: bool) -> None:
    rng = np.random.default_rng(seed)
    b, lead = random_bands(rng, nb, nl), random_leaders(rng, nl)
    p = random_params(rng)
    lb = leading(b, lead)[0]
    if nl and rng.random() < 0.3:  # any leader_band, not only leading's
        lb = rng.integers(-1, max(nb, 1), nl) if nb else np.full(nl, -1)
    hurt = [np.where(rng.random(nb) < 0.5, 0.0, rng.random(nb) * 200) for _ in range(3)]
    kw = {"leader_band": lb, "killed": hurt[0], "wounded": hurt[1], "captured": hurt[2],
              "informing": _pick(rng, nb, [0.0, 1.0]), "afghan_band": rng.random(nb) < 0.4,
              "hostile": hostile, "nearest_afghan": rng.integers(0, 100, 100),
              "origin_home": rng.integers(0, 100, nb), "params": p}
    a, c = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = leader_fate(b, lead, rng=a, **kw)  # type: ignore[arg-type]
    ref = leader_fate_reference(b, lead, rng=c, **kw)  # type: ignore[arg-type]
    same_table(got.bands, ref.bands)
    same_table(got.leaders, ref.leaders)
    assert got.betrayed == ref.betrayed
    same_events(got.events, ref.events)
    assert a.random() == c.random()


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25))
def test_leaderless_day_equals_the_reference(seed: int, nb: int) -> None:
    rng = np.random.default_rng(seed)
    b = random_bands(rng, nb, 3)
    p = random_params(rng)
    leaderless = rng.random(nb) < 0.6
    a, c = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = leaderless_day(b, leaderless=leaderless, params=p, rng=a)
    ref = leaderless_day_reference(b, leaderless=leaderless, params=p, rng=c)
    same_table(got[0], ref[0])
    assert got[1] == ref[1] and type(got[1]) is type(ref[1])
    same_events(got[2], ref[2])
    assert a.random() == c.random()


@pytest.mark.parametrize("x", [-1.0, -0.0, 0.0, 0.3, 1.0, 1.5, float("nan"), float("inf"),
                               -float("inf"), 5e-324])
@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-0.0, 0.0), (0.5, 2.0)])
def test_clip_is_numpys(x: float, bounds: tuple[float, float]) -> None:
    got, ref = clip(x, *bounds), float(np.clip(np.float64(x), *bounds))
    assert (got == ref or (np.isnan(got) and np.isnan(ref))) and np.signbit(got) == np.signbit(ref)


@settings(max_examples=100, deadline=None)
@given(seed=SEEDS, n=st.integers(0, 30))
def test_binomial_element_by_element_is_one_numpy_call(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    trials = np.where(rng.random(n) < 0.3, 0, rng.integers(0, 5000, n))
    prob = np.where(rng.random(n) < 0.3, rng.choice([0.0, 1.0, 0.5], n), rng.random(n))
    a, c = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = [binomial(a, int(k), float(q)) for k, q in zip(trials, prob, strict=True)]
    np.testing.assert_array_equal(got, c.binomial(trials, prob))
    assert a.random() == c.random()


def test_binomial_refuses_what_numpy_refuses() -> None:
    rng = np.random.default_rng(0)
    for n, q in ((-1, 0.5), (0, -0.1), (0, 1.5), (3, float("nan"))):
        with pytest.raises(ValueError, match="binomial"):
            binomial(rng, n, q)


def random_villages(rng: np.random.Generator, nv: int, n_cells: int = 100) -> Villages:
    v = Villages.empty(nv)
    v.cell[:] = rng.integers(0, n_cells, nv)
    v.population[:] = np.where(rng.random(nv) < 0.2, 0, rng.integers(0, 3000, nv))
    v.support[:] = _pick(rng, nv, [0.5, 0.0, 1.0, 0.2, 0.8])
    v.grievance[:] = _pick(rng, nv, [0.0, 1.0])
    v.fear[:] = _pick(rng, nv, [0.0, 1.0])
    return v


def random_columns(rng: np.random.Generator, nc: int, n_cells: int = 100) -> Columns:
    c = Columns.empty(nc)
    c.strength[:] = np.where(rng.random(nc) < 0.5, 0, rng.integers(0, 100, nc))
    c.kind[:] = ColumnKind.VOLUNTEER
    c.order[:] = rng.choice([int(o) for o in Order], nc)
    c.cell[:] = rng.integers(0, n_cells, nc)
    c.home[:] = rng.integers(0, n_cells, nc)
    c.morale[:] = rng.random(nc)
    c.active[:] = rng.random(nc) < 0.5
    return c


def random_reach(rng: np.random.Generator, nb: int, nv: int, k: int) -> np.ndarray:
    reach = rng.integers(0, max(nv, 1), (nb, k)) if nv else np.full((nb, k), -1)
    reach[rng.random((nb, k)) < 0.4] = -1
    if nb > 1:
        reach[-1] = reach[0]  # two bands in one place
    return reach.astype(np.int64)


def defection_params(rng: np.random.Generator) -> PopulationParams:
    return dataclasses.replace(PopulationParams(), **{
        name: float(rng.choice([0.0, rng.random(), 1.0])) for name in (
            "band_defect_rate", "clan_defect_rate", "escort_share", "clan_share", "levy_rate",
            "men_share")})


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25), nv=st.integers(0, 30))
def test_band_switch_and_levy_equal_the_references(seed: int, nb: int, nv: int) -> None:
    rng = np.random.default_rng(seed)
    b, p = random_bands(rng, nb, 3), defection_params(rng)
    extra = int(rng.integers(0, 5))
    c = random_columns(rng, extra + nb)
    vrow = np.where(rng.random(nb) < 0.2, -1, extra + np.arange(nb)).astype(np.int64)
    side = rng.integers(-1, 2, nb).astype(np.int64)
    kw = {"home_side": side, "authority": _pick(rng, nb, [0.0, 1.0]),
              "leader_here": rng.random(nb) < 0.5, "volunteer_row": vrow, "params": p}
    a, r = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = band_switch(b, c, rng=a, **kw)  # type: ignore[arg-type]
    ref = band_switch_reference(b, c, rng=r, **kw)  # type: ignore[arg-type]
    same_table(got[0], ref[0])
    same_table(got[1], ref[1])
    assert got[2] == ref[2]
    same_events(got[3], ref[3])
    v = random_villages(rng, nv)
    home = (rng.integers(-1, nv, nb) if nv else np.full(nb, -1)).astype(np.int64)
    kw = {"home_village": home, "home_side": side, "band_home": rng.integers(0, 100, nb),
              "volunteer_row": vrow, "params": p}
    got = levy(c, v, rng=a, **kw)  # type: ignore[arg-type]
    ref = levy_reference(c, v, rng=r, **kw)  # type: ignore[arg-type]
    same_table(got[0], ref[0])
    same_table(got[1], ref[1])
    assert got[2] == ref[2]
    same_events(got[3], ref[3])
    assert a.random() == r.random()


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25), nv=st.integers(0, 30), k=st.sampled_from([1, 9, 25]),
       scouts=st.booleans())
def test_recruit_and_intelligence_equal_the_references(seed: int, nb: int, nv: int, k: int,
                                                       scouts: bool) -> None:
    rng = np.random.default_rng(seed)
    b, v = random_bands(rng, nb, 3), random_villages(rng, nv)
    b.recent_success[:] = _pick(rng, nb, [0.0]) * 3
    reach = random_reach(rng, nb, nv, k)
    p = dataclasses.replace(PopulationParams(), **{
        name: float(rng.choice([0.0, rng.random(), 1.0])) for name in (
            "recruit_rate", "fear_deterrence", "men_share", "success_recruit_gain",
            "defeat_recruit_cut", "inform_threshold", "warn_threshold", "inform_penalty",
            "warn_bonus", "scouts_inform_gain")})
    eligible = rng.random(nb) < 0.7
    a, r = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = recruit(b, v, reach=reach, eligible=eligible, params=p, rng=a)
    ref = recruit_reference(b, v, reach=reach, eligible=eligible, params=p, rng=r)
    same_table(got[0], ref[0])
    same_table(got[1], ref[1])
    same_events(got[2], ref[2])
    assert a.random() == r.random()
    for x, y in zip(intelligence(v, reach=reach, scouts=scouts, params=p),
                    intelligence_reference(v, reach=reach, scouts=scouts, params=p), strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(np.signbit(x), np.signbit(y))
        assert x.dtype == y.dtype


@settings(max_examples=100, deadline=None)
@given(seed=SEEDS, rows=st.integers(1, 4), n=st.integers(0, 140))
def test_row_sum_is_numpys_sum_along_rows(seed: int, rows: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(rows, n)) * 10.0 ** rng.integers(-5, 15, size=(rows, n))
    a[rng.random((rows, n)) < 0.3] = rng.choice([0.0, -0.0])
    ref = a.sum(axis=1)
    got = np.array([row_sum(r) for r in a.tolist()])
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(ref))


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 25), refugees=st.sampled_from([0, 1, 500, 100000]),
       share=st.sampled_from([0.0, 0.5, 1.0]))
def test_sanctuary_recruit_equals_the_reference(seed: int, nb: int, refugees: int,
                                                share: float) -> None:
    rng = np.random.default_rng(seed)
    b = random_bands(rng, nb, 3)
    b.recent_success[:] = _pick(rng, nb, [0.0]) * 3 - 1
    inside = b.active & (rng.random(nb) < 0.3)
    p = dataclasses.replace(PopulationParams(), sanctuary_morale=float(rng.random()))
    a, r = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = sanctuary_recruit(b, refugees, in_sanctuary=inside, share=share, params=p, rng=a)
    ref = sanctuary_recruit_reference(b, refugees, in_sanctuary=inside, share=share, params=p,
                                      rng=r)
    same_table(got[0], ref[0])
    assert got[1] == ref[1]
    same_events(got[2], ref[2])
    assert a.random() == r.random()


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 12), nv=st.integers(0, 40))
def test_rival_clash_and_band_reprisals_equal_the_references(seed: int, nb: int, nv: int) -> None:
    rng = np.random.default_rng(seed)
    b = random_bands(rng, nb, 3, n_cells=4)  # a few cells: bands meet
    rivals = rng.random((3, 3)) < 0.6
    rivals = rivals | rivals.T
    lead = rng.integers(-1, 3, nb).astype(np.int64)
    p = dataclasses.replace(PopulationParams(), rival_clash_rate=float(rng.choice([0.0, 0.5, 1.0])),
                            reprisal_rate=float(rng.choice([0.0, 0.5, 1.0])))
    a, r = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    for riv in (rivals, np.zeros((0, 0), dtype=bool)):
        got = rival_clash(b, rivals=riv, leading=lead, params=p, rng=a)
        ref = rival_clash_reference(b, rivals=riv, leading=lead, params=p, rng=r)
        same_table(got[0], ref[0])
        assert got[1] == ref[1]
        same_events(got[2], ref[2])
    v = random_villages(rng, nv)
    near = np.where(rng.random(nv) < 0.5, -1, rng.integers(0, 5, nv)).astype(np.int64)
    got = band_reprisals(v, band_near=near, params=p, rng=a)
    ref = band_reprisals_reference(v, band_near=near, params=p, rng=r)
    same_table(got[0], ref[0])
    assert got[1] == ref[1]
    same_events(got[2], ref[2])
    assert a.random() == r.random()


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 12), nc=st.integers(0, 12), nt=st.integers(0, 6),
       success=st.sampled_from([0.0, 0.5]))
def test_control_day_equals_the_reference(seed: int, nb: int, nc: int, nt: int,
                                          success: float) -> None:
    rng = np.random.default_rng(seed)
    b, c = random_bands(rng, nb, 3, n_cells=8), random_columns(rng, nc, n_cells=8)
    towns = rng.choice(8, nt, replace=False).astype(np.int64)
    holder = rng.integers(-1, 2, nt).astype(np.int64)
    got = control_day(holder, towns, b, c, n_cells=8, town_success=success)
    ref = control_day_reference(holder, towns, b, c, n_cells=8, town_success=success)
    np.testing.assert_array_equal(got[0], ref[0])
    assert got[0].dtype == ref[0].dtype
    same_table(got[1], ref[1])
    same_events(got[2], ref[2])


@settings(max_examples=50, deadline=None)
@given(seed=SEEDS, nv=st.integers(0, 30), in_force=st.booleans())
def test_cotton_villages_are_the_soviet_side_croplands_while_in_force(seed: int, nv: int,
                                                                     in_force: bool) -> None:
    rng = np.random.default_rng(seed)
    v = random_villages(rng, nv, n_cells=20)
    cover = rng.integers(0, 8, (4, 5)).astype(np.uint8)
    afghan = rng.random(20) < 0.3
    got = cotton_villages(v, land_cover=cover, afghan=afghan, in_force=in_force)
    ref = (cover.reshape(-1)[v.cell] == LandCover.CROPLAND) & ~afghan[v.cell] & in_force
    np.testing.assert_array_equal(got.cotton, ref)
    assert got.cotton.dtype == np.bool_ and got.cotton is not v.cotton
    assert got.population is v.population  # the other arrays are shared


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, rows=st.integers(1, 9), cols=st.integers(1, 9), radius=st.integers(0, 2))
def test_villages_near_equal_the_windows_day_after_day(seed: int, rows: int, cols: int,
                                                       radius: int) -> None:
    rng = np.random.default_rng(seed)
    _, ctx = make_world(make_bands([0], 10), make_columns([0], 10), make_villages([0], 100),
                        shape=(rows, cols))
    whole = population_context.NEAR_TABLE_MAX
    try:
        for table_max in (whole, 0, whole):  # every cell's rows at once, or cell by cell
            population_context.NEAR_TABLE_MAX = table_max
            # a new lookup: new rows
            ctx = dataclasses.replace(ctx, village_of_cell=np.where(
                rng.random(rows * cols) < 0.4, -1, rng.integers(0, 50, rows * cols)
            ).astype(np.int64))
            for _ in range(4):  # the kept rows and new cells mixed, repeated cells
                cells = rng.integers(0, rows * cols, int(rng.integers(0, 12))).astype(np.int64)
                got = ctx.villages_near(cells, radius)
                ref = window_rows(ctx.village_of_cell, cells, shape=(rows, cols), radius=radius)
                np.testing.assert_array_equal(got, ref)
                assert got.dtype == ref.dtype and got.shape == ref.shape
                got[:] = -2  # the caller's own array
                np.testing.assert_array_equal(ctx.villages_near(cells, radius), ref)
    finally:
        population_context.NEAR_TABLE_MAX = whole


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, rows=st.integers(1, 12), cols=st.integers(1, 12), radius=st.integers(0, 3))
def test_window_table_is_every_cells_window_rows(seed: int, rows: int, cols: int,
                                                 radius: int) -> None:
    rng = np.random.default_rng(seed)
    lookup = np.where(rng.random(rows * cols) < 0.4, -1,
                      rng.integers(0, 50, rows * cols)).astype(np.int64)
    got = window_table(lookup, shape=(rows, cols), radius=radius)
    ref = window_rows(lookup, np.arange(rows * cols), shape=(rows, cols), radius=radius)
    np.testing.assert_array_equal(got, ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape


def test_by_cell_compares_cells_once_per_array() -> None:
    cells = np.array([0, 4, 7], dtype=np.int64)
    _, ctx = make_world(make_bands([0], 10), make_columns([0], 10),
                        make_villages(cells, 100), shape=(3, 3))
    assert ctx.village_cells is not None
    same = cells.copy()
    assert ctx.by_cell(same) and ctx.by_cell(same) and ctx.by_cell(cells.copy())
    assert not ctx.by_cell(np.array([0, 4, 8], dtype=np.int64))
    assert not ctx.by_cell(np.array([0, 4], dtype=np.int64))
    # a context with other cells sharing the cache does not take the kept array for its own
    other = dataclasses.replace(ctx, village_cells=np.array([1, 4, 7], dtype=np.int64))
    assert ctx.by_cell(same) and not other.by_cell(same) and ctx.by_cell(same)
    assert not dataclasses.replace(ctx, village_cells=None).by_cell(same)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, nv=st.integers(0, 20), n_batches=st.integers(0, 3))
def test_state_taken_equals_the_whole_table_formula(seed: int, nv: int, n_batches: int) -> None:
    rng = np.random.default_rng(seed)
    v = random_villages(rng, nv)
    v.food[:] = np.where(rng.random(nv) < 0.3, 0.0, rng.random(nv) * 1e4)
    batches = []
    for i in range(n_batches):
        k = int(rng.integers(0, 6)) if nv else 0
        rows = rng.integers(0, max(nv, 1), k)
        batches.append(events("requisition" if i != 1 else "other", "state", unit=np.arange(k),
                              cell=rows, n=np.where(rng.random(k) < 0.2, 0.0, rng.random(k) * 50),
                              village=rows))
    taken = np.zeros(nv)
    for b in batches:
        if b.kind == "requisition" and nv:
            np.add.at(taken, b.extra["village"].astype(np.int64), b.n)
    ref = np.divide(taken, v.food + taken, out=np.zeros(nv), where=taken > 0)
    got = _state_taken(batches, v)
    np.testing.assert_array_equal(got, ref)
    assert got.dtype == ref.dtype


def test_border_days_are_computed_once_per_value_and_read_only() -> None:
    _, ctx = make_world(make_bands([0], 10), make_columns([0], 10), make_villages([0, 5], 100))
    ctx = dataclasses.replace(ctx, border_hours=np.array([3.0, 10.0]))
    a = ctx.border_days(8.0)
    np.testing.assert_array_equal(a, np.array([3.0, 10.0]) / 8.0)
    assert ctx.border_days(8.0) is a and not a.flags.writeable
    np.testing.assert_array_equal(ctx.border_days(4.0), np.array([3.0, 10.0]) / 4.0)


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, nb=st.integers(0, 10), nc=st.integers(0, 15),
       losing=st.sampled_from([0.0, 0.3, 1.0]), lookup=st.booleans())
def test_state_desertion_equals_the_reference(seed: int, nb: int, nc: int, losing: float,
                                              lookup: bool) -> None:
    rng = np.random.default_rng(seed)
    b, c = random_bands(rng, nb, 3, n_cells=6), random_columns(rng, nc, n_cells=6)
    c.kind[:] = rng.choice([int(k) for k in ColumnKind], nc)
    look = (np.where(rng.random(6) < 0.5, -1, rng.integers(0, max(nb, 1), 6)).astype(np.int64)
            if lookup and nb else np.full(0, -1, dtype=np.int64))
    p = dataclasses.replace(PopulationParams(), state_desert_rate=float(rng.random()),
                            desert_to_band=float(rng.choice([0.0, 0.5, 1.0])))
    a, r = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = state_desertion(c, b, losing=losing, band_of_cell=look, params=p, rng=a)
    ref = state_desertion_reference(c, b, losing=losing, band_of_cell=look, params=p, rng=r)
    same_table(got[0], ref[0])
    same_table(got[1], ref[1])
    assert got[2:4] == ref[2:4]
    same_events(got[4], ref[4])
    assert a.random() == r.random()


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, nb=st.integers(1, 25), nv=st.integers(1, 30))
def test_recruit_of_many_bands_switches_to_its_numpy_form_with_the_same_tables(
    seed: int, nb: int, nv: int
) -> None:
    """Above ``ROWWISE_MAX_BANDS`` recruiting bands :func:`recruit` takes its numpy form:
    the same tables, events and stream as row by row (here with the switch lowered to 0)."""
    from sim.kernels import rowwise as rec

    rng = np.random.default_rng(seed)
    b, v = random_bands(rng, nb, 3), random_villages(rng, nv)
    reach = random_reach(rng, nb, nv, 9)
    eligible = rng.random(nb) < 0.8
    p = dataclasses.replace(PopulationParams(), recruit_rate=0.3, men_share=0.5)
    out = []
    for limit in (rec.ROWWISE_MAX_BANDS, 0):
        r = np.random.default_rng(seed + 1)
        saved, rec.ROWWISE_MAX_BANDS = rec.ROWWISE_MAX_BANDS, limit
        try:
            out.append((*recruit(b, v, reach=reach, eligible=eligible, params=p, rng=r), r.random()))
        finally:
            rec.ROWWISE_MAX_BANDS = saved
    (b1, v1, e1, x1), (b2, v2, e2, x2) = out
    same_table(b1, b2)
    same_table(v1, v2)
    same_events(e1, e2)
    assert x1 == x2


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, nb=st.integers(1, 25))
def test_leaderless_day_of_many_bands_switches_to_its_numpy_form_with_the_same_tables(
    seed: int, nb: int
) -> None:
    """Above ``ROWWISE_MAX_BANDS`` bands :func:`leaderless_day` takes its numpy form: the
    same tables, events, count and stream as row by row (here with the switch lowered to 0)."""
    from sim.kernels import rowwise as rec

    rng = np.random.default_rng(seed)
    b = random_bands(rng, nb, 3)
    lost = rng.random(nb) < 0.7
    p = dataclasses.replace(PopulationParams(), fragment_rate=0.2, disperse_morale=0.6,
                            disperse_rate=0.5)
    out = []
    for limit in (rec.ROWWISE_MAX_BANDS, 0):
        r = np.random.default_rng(seed + 1)
        saved, rec.ROWWISE_MAX_BANDS = rec.ROWWISE_MAX_BANDS, limit
        try:
            out.append((*leaderless_day(b, leaderless=lost, params=p, rng=r), r.random()))
        finally:
            rec.ROWWISE_MAX_BANDS = saved
    (b1, n1, e1, x1), (b2, n2, e2, x2) = out
    same_table(b1, b2)
    same_events(e1, e2)
    assert n1 == n2 and x1 == x2
