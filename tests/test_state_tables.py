"""The state's tables and event batches: the cheap replace, copy and length, and the
event builder's fast path, checked against what ``dataclasses`` and numpy broadcasting give."""

from __future__ import annotations

import dataclasses
from enum import IntEnum

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.events import Events, events
from sim.state import (
    BandMode,
    Bands,
    ColumnKind,
    Columns,
    LeaderStatus,
    Ledger,
    Order,
    Villages,
    WorldState,
    field_names,
    replace,
)


def _world(n: int) -> WorldState:
    bands = Bands.empty(n)
    bands.fighters[:] = np.arange(n)
    return WorldState(day=3, bands=bands, columns=Columns.empty(2), villages=Villages.empty(5))


def test_replace_builds_what_dataclasses_replace_builds() -> None:
    s = _world(4)
    new_bands = Bands.empty(4)
    a = replace(s, day=4, bands=new_bands)
    b = dataclasses.replace(s, day=4, bands=new_bands)
    assert type(a) is WorldState
    for name in field_names(WorldState):
        assert getattr(a, name) is getattr(b, name), name
    assert s.day == 3 and s.bands is not new_bands  # the original is untouched
    led = Ledger(refugees=5)
    assert replace(led, executed=2) == dataclasses.replace(led, executed=2)


def test_replace_refuses_a_field_the_class_does_not_have() -> None:
    with pytest.raises(TypeError, match="Bands has no field \\['fightrs'\\]"):
        replace(Bands.empty(1), fightrs=np.zeros(1, np.int64))


def test_field_names_follow_the_declaration_order() -> None:
    assert field_names(Bands) == tuple(f.name for f in dataclasses.fields(Bands))


@given(st.integers(0, 50))
def test_len_and_copy(n: int) -> None:
    b = Bands.empty(n)
    assert len(b) == n
    c = b.copy()
    assert type(c) is Bands and len(c) == n
    for name in field_names(Bands):
        assert getattr(c, name) is not getattr(b, name)
        np.testing.assert_array_equal(getattr(c, name), getattr(b, name))
    c.fighters[:] = 7
    assert not b.fighters.any()


@given(st.integers(1, 6), st.booleans(), st.booleans())
def test_events_fast_path_equals_broadcasting(k: int, scalar_cell: bool, scalar_n: bool) -> None:
    unit = np.arange(k)
    cell = 5 if scalar_cell else np.arange(k) * 3
    n = 2.5 if scalar_n else np.linspace(0.0, 1.0, k)
    e = events("x", "state", unit=unit, cell=cell, n=n, extra=1.0, other=np.ones(k, np.int64))
    ref = np.broadcast_arrays(unit, cell, n, 1.0, np.ones(k))
    for got, want in zip((e.unit, e.cell, e.n, e.extra["extra"], e.extra["other"]), ref,
                         strict=True):
        assert got.shape == (k,) and got.flags.c_contiguous
        np.testing.assert_array_equal(got, want)
    assert e.unit.dtype == np.int64 and e.n.dtype == np.float64
    assert e.extra["other"].dtype == np.float64
    # the batch holds its fields only, as the dataclass's own constructor would set them
    assert vars(e).keys() == vars(Events("x", "state", e.unit, e.cell, e.n, e.extra)).keys()
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.kind = "y"  # type: ignore[misc]


def test_events_of_other_shapes_still_broadcast() -> None:
    e = events("x", "state", unit=np.zeros((2, 3)), cell=1, n=np.ones(3))
    assert len(e) == 6 and e.cell.tolist() == [1] * 6
    one = events("x", "state", unit=1, cell=2, n=3.0)
    assert len(one) == 1 and one.n.tolist() == [3.0]
    with pytest.raises(ValueError, match="broadcast"):
        events("x", "state", unit=np.zeros(2), cell=np.zeros(3), n=0.0)


@pytest.mark.parametrize("code", [ColumnKind, Order, BandMode, LeaderStatus])
def test_codes_compare_with_arrays_as_their_integers(code: type[IntEnum]) -> None:
    a = np.arange(-1, 8)
    assert "__array_ufunc__" not in code.__members__
    for member in code:
        np.testing.assert_array_equal(a == member, a == int(member))
        np.testing.assert_array_equal(np.add(a, member), a + int(member))
        assert np.full(2, member).tolist() == [int(member)] * 2


def test_replace_keeps_fields_only() -> None:
    """An attribute set on an instance besides its fields is not carried over (as with
    dataclasses.replace, which builds the new object through __init__)."""
    led = Ledger(refugees=3)
    led.note = "x"  # type: ignore[attr-defined]
    new = replace(led, executed=1)
    assert not hasattr(new, "note")
    assert new == dataclasses.replace(led, executed=1)
