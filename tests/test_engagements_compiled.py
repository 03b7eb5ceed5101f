"""The compiled engagement finder (:mod:`sim.kernels.combat.engagements_compiled`) gives the
numpy reference's engagements: crowded cells, map edges, every mode, order and kind."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels.combat import find_engagements
from sim.kernels.combat.engagements import find_engagements_numpy
from sim.kernels.dispatch import compiled_paths
from sim.params.combat import CombatParams
from sim.state import BandMode, Bands, ColumnKind, Columns, Order

P = CombatParams()


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_bands=st.integers(0, 12), n_columns=st.integers(0, 10),
       nrows=st.integers(1, 7), ncols=st.integers(1, 7), reach=st.integers(0, 3))
def test_compiled_engagements_equal_numpy(seed, n_bands, n_columns, nrows, ncols, reach) -> None:
    rng = np.random.default_rng(seed)
    n_cells = nrows * ncols
    b = Bands.empty(n_bands)
    b.active[:] = rng.random(n_bands) < 0.85
    b.fighters[:] = rng.choice([0, 5, 200], n_bands)
    b.cell[:] = rng.integers(0, n_cells, n_bands)
    b.mode[:] = rng.choice([int(m) for m in BandMode], n_bands)
    c = Columns.empty(n_columns)
    c.active[:] = rng.random(n_columns) < 0.85
    c.strength[:] = rng.choice([0, 50, 400], n_columns)
    c.cell[:] = rng.integers(0, n_cells, n_columns)  # often several in a cell
    c.kind[:] = rng.choice([int(k) for k in ColumnKind], n_columns)
    c.order[:] = rng.choice([int(o) for o in Order], n_columns)
    params = dataclasses.replace(P, reach_cells=reach)
    conc = rng.choice([0.0, params.ambush_min_concealment, 0.9], n_cells)
    want = find_engagements_numpy(b, c, conc, ncols=ncols, params=params)
    with compiled_paths(True):
        got = find_engagements(b, c, conc, ncols=ncols, params=params)
    for f in dataclasses.fields(want):
        x, y = getattr(got, f.name), getattr(want, f.name)
        assert x.dtype == y.dtype, f.name
        np.testing.assert_array_equal(x, y, err_msg=f.name)
