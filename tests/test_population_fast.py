"""The population kernels that work on the rows concerned only agree, bit for bit and draw
for draw, with their whole-table references (:mod:`reference_population`); the cached
policy intensities equal the windows they come from."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from population_world import make_bands, make_columns, make_villages, make_world
from reference_population import aftermath_reference, repression_reference

from sim.events import Events
from sim.kernels.amnesty import aftermath
from sim.kernels.population import PopulationToday, population_day
from sim.kernels.repression import RepressionPolicies, repression_day
from sim.kernels.villages import neighbourhood
from sim.kernels.windows import window_rows
from sim.params.population import PopulationParams
from sim.state import VillageMemory, Villages
from sim.timeline import PolicyWindow, Schedule


def _villages(rng: np.random.Generator, n: int) -> Villages:
    v = make_villages(np.arange(n) * 3, rng.integers(0, 2000, n))
    v.population[rng.random(n) < 0.2] = 0
    v.support[:] = np.where(rng.random(n) < 0.3, 0.5, rng.random(n))  # some exactly neutral
    v.grievance[:] = rng.random(n)
    v.fear[:] = rng.random(n)
    v.food[:] = rng.random(n) * 1e5
    return v


def _same_events(a: list[Events], b: list[Events]) -> None:
    assert [(e.kind, e.side) for e in a] == [(e.kind, e.side) for e in b]
    for x, y in zip(a, b, strict=True):
        for f in ("unit", "cell", "n"):
            np.testing.assert_array_equal(getattr(x, f), getattr(y, f))
            assert getattr(x, f).dtype == getattr(y, f).dtype
        assert x.extra.keys() == y.extra.keys()
        for k in x.extra:
            np.testing.assert_array_equal(x.extra[k], y.extra[k])


def _same_table(a: object, b: object) -> None:
    for f in dataclasses.fields(a):  # type: ignore[arg-type]
        x, y = getattr(a, f.name), getattr(b, f.name)
        np.testing.assert_array_equal(x, y, err_msg=f.name)
        assert x.dtype == y.dtype, f.name


def _intensity(rng: np.random.Generator, n: int, per_village: bool, top: float) -> object:
    if not per_village:
        return float(rng.choice([0.0, rng.random() * top]))
    return np.where(rng.random(n) < 0.5, 0.0, rng.random(n) * top)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 60), per_village=st.booleans())
def test_repression_equals_the_whole_table_reference(seed: int, n: int,
                                                     per_village: bool) -> None:
    rng = np.random.default_rng(seed)
    v = _villages(rng, n)
    pol = RepressionPolicies(*(_intensity(rng, n, per_village, top) for top in (50, 50, 2, 2)))
    near, raiders = rng.random(n) < 0.5, rng.random(n) < 0.5
    p = PopulationParams(execution_rate=1e-3, trial_rate=1e-3)
    a, b = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = repression_day(v, state_near=near, raiders=raiders, policies=pol, params=p, rng=a)
    ref = repression_reference(v, state_near=near, raiders=raiders, policies=pol, params=p, rng=b)
    _same_table(got.villages, ref.villages)
    assert (got.executed, got.imprisoned, got.killed, got.refugees) == (
        ref.executed, ref.imprisoned, ref.killed, ref.refugees)
    _same_events(got.events, ref.events)
    assert a.random() == b.random()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), per_village=st.booleans(),
       repression=st.booleans())
def test_aftermath_equals_the_whole_table_reference(seed: int, n: int, per_village: bool,
                                                    repression: bool) -> None:
    rng = np.random.default_rng(seed)
    v = _villages(rng, n)
    m = VillageMemory.empty(n)
    m.surrendered[:] = np.where(rng.random(n) < 0.3, rng.integers(0, 300, n), 0)
    m.destitute[:] = (m.surrendered * rng.random(n)).astype(np.int64)
    bands = make_bands(np.arange(4), 50)
    in_reach = np.where(rng.random(n) < 0.5, rng.integers(0, 4, n), -1).astype(np.int64)
    fair = rng.random(n) if per_village else float(rng.random())
    p = PopulationParams(destitution_rate=0.05, arrest_rate=0.05, relapse_rate=0.1)
    kw = {"trust": float(rng.random()), "band_in_reach": in_reach, "repression": repression,
          "params": p, "fairness": fair, "credibility": float(rng.random())}
    a, b = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = aftermath(bands, m, v, rng=a, **kw)  # type: ignore[arg-type]
    ref = aftermath_reference(bands, m, v, rng=b, **kw)  # type: ignore[arg-type]
    _same_table(got[0], ref[0])
    _same_table(got[1], ref[1])
    assert got[2:4] == ref[2:4]
    _same_events(got[4], ref[4])
    assert a.random() == b.random()


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 12), radius=st.integers(0, 3),
       seed=st.integers(0, 2**32 - 1))
def test_window_rows_equals_the_neighbourhood(rows: int, cols: int, radius: int,
                                              seed: int) -> None:
    rng = np.random.default_rng(seed)
    voc = np.where(rng.random(rows * cols) < 0.5, -1, np.arange(rows * cols)).astype(np.int64)
    cells = rng.integers(0, rows * cols, 7).astype(np.int64)
    got = window_rows(voc, cells, shape=(rows, cols), radius=radius)
    ref = neighbourhood(cells, village_of_cell=voc, shape=(rows, cols), radius=radius)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, ref)


def _loop_policy_cells(policies: tuple[PolicyWindow, ...], name: str, day: int,
                       cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``name`` covering ``day`` in declaration order, the latest winning."""
    inten, cred = np.zeros(cells.shape), np.zeros(cells.shape)
    for w in policies:
        if w.policy == name and w.first <= day <= w.last:
            here = np.ones(cells.shape, bool) if w.area is None else w.area[cells]
            inten, cred = np.where(here, w.intensity, inten), np.where(here, w.credibility, cred)
    return inten, cred


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_windows=st.integers(0, 6))
def test_cached_policy_cells_equal_the_windows(seed: int, n_windows: int) -> None:
    rng = np.random.default_rng(seed)
    n_cells = 30
    windows = tuple(
        PolicyWindow(str(rng.choice(["relief", "amnesty"])), int(first),
                     int(first + rng.integers(0, 20)), float(rng.random()), float(rng.random()),
                     "test",
                     None if rng.random() < 0.3 else rng.random(n_cells) < 0.5)
        for first in rng.integers(0, 20, n_windows))
    sched = Schedule(sanctuary=("open",) * 40, switches={}, policies=windows, actions={})
    villages = np.sort(rng.choice(n_cells, 12, replace=False)).astype(np.int64)
    for day in range(-2, 44):  # and days outside the scenario's (no table of them)
        for name in ("relief", "amnesty", "executions"):
            for cells in (villages, villages.copy(), rng.integers(0, n_cells, 5)):
                got = sched.policy_cells(name, day, cells)
                ref = _loop_policy_cells(windows, name, day, cells)
                np.testing.assert_array_equal(got[0], ref[0])
                np.testing.assert_array_equal(got[1], ref[1])
            assert sched.in_force(name, day) == any(
                w.policy == name and w.first <= day <= w.last for w in windows)
            last = [w for w in windows if w.policy == name and w.first <= day <= w.last]
            assert sched.policy(name, day) is (last[-1] if last else None)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_bands=st.integers(0, 6), n_cols=st.integers(0, 5),
       repression=st.booleans())
def test_reach_by_cells_equals_reach_by_windows(seed: int, n_bands: int, n_cols: int,
                                                repression: bool) -> None:
    """population_day finds the same villages in reach of bands and columns from the units'
    cells (one village per cell) as by windows over the grid: same tables, events, draws."""
    rng = np.random.default_rng(seed)
    shape = (9, 11)
    cells = np.sort(rng.choice(shape[0] * shape[1], 40, replace=False)).astype(np.int64)
    v = make_villages(cells, rng.integers(0, 900, cells.size), support=0.5)
    v.support[:] = rng.random(cells.size)
    b = make_bands(rng.integers(0, shape[0] * shape[1], n_bands), rng.integers(0, 40, n_bands))
    c = make_columns(rng.integers(0, shape[0] * shape[1], n_cols), 100,
                     order=rng.integers(0, 3, n_cols))
    state, ctx = make_world(b, c, v, shape=shape)
    assert ctx.village_cells is not None
    windows = dataclasses.replace(ctx, village_cells=None)
    level = 1.0 if repression else 0.0
    today = PopulationToday(repression=RepressionPolicies(level, level, level, level))
    p = PopulationParams(reprisal_rate=0.5, execution_rate=1e-2)
    a, z = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    s1, s2 = state, state
    for _ in range(3):
        s1, e1 = population_day(s1, context=ctx, today=today, params=p, rng=a)
        s2, e2 = population_day(s2, context=windows, today=today, params=p, rng=z)
        for table in ("bands", "columns", "villages", "memory"):
            _same_table(getattr(s1, table), getattr(s2, table))
        _same_events(e1, e2)
    assert a.random() == z.random()
