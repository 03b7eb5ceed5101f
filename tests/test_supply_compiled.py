"""The compiled supply pass (:mod:`sim.kernels.supply_compiled`) gives the numpy reference's
tables and events bit for bit, signed zeros included."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_supply import P, _same, tables

from sim.kernels import supply_compiled
from sim.kernels.dispatch import compiled_paths
from sim.kernels.supply import supply_day

# values where the order of max/min/clip and the sign of zero decide the last bit
ZEROS = [-0.0, 0.0]


def _world(seed: int, n_bands: int, n_columns: int, n_villages: int, limited: bool):
    """Bands and columns crowding a few villages, with signed zeros, ties and extremes in
    every field the pass reads."""
    rng = np.random.default_rng(seed)
    n_cells = n_villages + 3  # the last three cells have no village
    b, c, v = tables(n_bands, n_villages, n_columns)
    b.fighters[:] = rng.choice([0, 1, 7, 150, 3000], n_bands)
    b.food[:] = rng.choice([*ZEROS, 1.0, 50.0, 900.0, 1e5], n_bands)
    b.herd[:] = rng.choice([*ZEROS, 1.0, 3.0, 400.0], n_bands)
    b.hunger[:] = rng.choice([*ZEROS, 0.05, 0.3, 1.0], n_bands) * (rng.random(n_bands) < 0.7)
    b.morale[:] = rng.choice([*ZEROS, 0.02, 0.7, 1.0], n_bands)
    b.cell[:] = rng.integers(0, n_cells, n_bands)
    b.active[:] = rng.random(n_bands) < 0.85
    c.cell[:] = rng.integers(0, n_cells, n_columns)
    c.supply[:] = rng.choice([*ZEROS, 0.5, 1.0, 3.0, 10.0], n_columns)
    c.strength[:] = rng.choice([0, 1, 80, 600], n_columns)
    c.morale[:] = rng.choice([*ZEROS, 0.03, 0.7, 1.0], n_columns)
    c.active[:] = rng.random(n_columns) < 0.85
    v.population[:] = rng.choice([0, 1, 40, 400, 5000], n_villages)
    v.food[:] = rng.choice([*ZEROS, 1.0, 3e3, 3e4, 2e6], n_villages)
    v.crop[:] = rng.choice([*ZEROS, 1e4], n_villages)
    v.support[:] = rng.choice([*ZEROS, 0.3, P.gift_support, 0.9, 1.0], n_villages)
    v.cotton[:] = rng.random(n_villages) < 0.4
    voc = np.full(n_cells, -1, np.int64)
    voc[v.cell] = np.arange(n_villages)
    depot = rng.choice([*ZEROS, P.depot_hours, 20.0, 200.0, np.inf], n_cells)
    stock = None
    if limited:
        n_depots = 3
        nearest = np.where(np.isfinite(depot), rng.integers(0, n_depots, n_cells), -1)
        stock = (nearest.astype(np.int64), rng.choice([*ZEROS, 50.0, 1e6, np.inf], n_depots))
    share = rng.choice([*ZEROS, 0.5, 1.0], n_bands)
    return b, c, v, {"village_of_cell": voc, "band_sanctuary_share": share,
                     "depot_hours": depot, "depot_stock": stock}


PARAMS = st.builds(
    lambda a, b, c, d, e: dataclasses.replace(
        P, hunger_desertion=a, herd_growth=b, village_reserve_days=c, scarcity_multiplier=d,
        pack_train_days=e,
    ),
    st.sampled_from([0.0, 0.02, 1.0]), st.sampled_from([0.0, 0.0008]),
    st.sampled_from([0.0, 60.0]), st.sampled_from([1.0, 3.0]), st.sampled_from([0.0, 0.8]),
)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_bands=st.integers(0, 9), n_columns=st.integers(0, 7),
       n_villages=st.integers(1, 4), harvest=st.booleans(), cotton=st.booleans(),
       limited=st.booleans(), params=PARAMS)
def test_compiled_supply_day_equals_numpy(seed, n_bands, n_columns, n_villages, harvest, cotton,
                                          limited, params) -> None:
    b, c, v, kw = _world(seed, n_bands, n_columns, n_villages, limited)
    results = []
    for on in (False, True):
        with compiled_paths(on):
            results.append(supply_day(b, c, v, harvest_today=harvest, food_for_cotton=cotton,
                                      params=params, rng=np.random.default_rng(seed), **kw))
    want, got = results
    for x, y in zip(got[:3], want[:3], strict=True):
        _same(x, y)
    assert [(e.kind, e.side) for e in got[3]] == [(e.kind, e.side) for e in want[3]]
    for x, y in zip(got[3], want[3], strict=True):
        _same(x, y)


def test_a_busy_day_known_answer_on_both_paths() -> None:
    """Two bands share a supporting village with a starving column: gifts, requisition by
    both sides, a slaughtered sheep and a hungry column, worked out by hand."""
    b, c, v = tables(2, 1, 1, fighters=10, food=0.0, herd=2.0, village_food=1e4,
                     population=10, support=0.9)
    c.strength[:] = 5
    c.supply[:] = 0.0
    kw = {"village_of_cell": np.array([0, -1]), "band_sanctuary_share": np.zeros(2),
          "depot_hours": np.full(2, np.inf)}
    p = dataclasses.replace(P, hunger_desertion=0.0)
    for on in (False, True):
        with compiled_paths(on):
            nb, nc, nv, ev = supply_day(b, c, v, harvest_today=False, food_for_cotton=False,
                                        params=p, rng=np.random.default_rng(0), **kw)
        # village: 1e4 - 10 eaten; reserve 600; available 9390, gift pool 3 % = 281.7
        # bands each want 10 * 6 + 10 = 70: 140 < 281.7, all given, nothing requisitioned
        np.testing.assert_array_equal(nb.food, [60.0, 60.0])
        assert nb.hunger.tolist() == [0.0, 0.0] and nb.herd.tolist() == [2.0 * (1.0 + p.herd_growth)] * 2
        # column: one day eaten (-1), takes 5 rations of (9990 - 140 - 600) * 0.5 available
        assert nc.supply.tolist() == [0.0] and nc.morale.tolist() == [0.7]
        assert nv.food[0] == 9990.0 - 140.0 - 5.0
        assert nv.requisitioned[0] == 5.0
        assert [e.kind for e in ev] == ["requisition"] and ev[0].side == "state"


def test_parameter_vector_follows_the_parameters() -> None:
    """The compiled pass reads each parameter from its own slot."""
    p = dataclasses.replace(P, pack_train_days=0.123, column_hunger_morale=0.456)
    s = supply_compiled._scalars(p)
    assert s[supply_compiled._PACK] == 0.123 and s[supply_compiled._COLUMN_MORALE] == 0.456
    assert s[supply_compiled._RATION] == p.ration and not s.flags.writeable


def test_a_nan_hunger_is_refused_on_both_paths() -> None:
    """A NaN desertion probability reaches numpy's binomial, which refuses it, on both
    paths (the compiled one draws only where a deserter is possible otherwise)."""
    b, c, v = tables(2, 1, 0, fighters=10)
    b.hunger[:] = [0.0, np.nan]
    kw = {"village_of_cell": np.array([0, -1]), "band_sanctuary_share": np.zeros(2),
          "depot_hours": np.full(2, np.inf)}
    for on in (False, True):
        with compiled_paths(on), pytest.raises(ValueError, match="p"):
            supply_day(b, c, v, harvest_today=False, food_for_cotton=False, params=P,
                       rng=np.random.default_rng(0), **kw)
