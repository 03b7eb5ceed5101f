"""The scoring's event selection (rows of the wanted kinds narrowed first, columns decoded
once per evaluation, counts and first days without building the selected table) selects
the events of its whole-table reference (tests/reference_scoring.py), and evaluations are
the same with either."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.results import RunResult
from sim.scenario import load_scenario
from sim.scoring.runs import run_replicates
from sim.scoring.target_file import load_targets
from sim.scoring.targets import EventFilter
from tests.reference_scoring import select_reference

# the module (sim.scoring exports a function of the same name)
ev_mod = importlib.import_module("sim.scoring.evaluate")


@functools.cache
def _runs() -> tuple[RunResult, ...]:
    """Two replicates of raids_1929 with the scoring probe's columns (135 days: engagements,
    town captures, recruitment, desertions among thousands of village events)."""
    s = load_scenario("raids_1929")
    targets = load_targets(None).for_scenario("raids_1929")
    return tuple(run_replicates(s, 2, seed=4, targets=targets))


def _names(res: RunResult) -> dict[str, list]:
    """What the filters can name in a run: its leaders, units, places, kinds and days."""
    r = res.runs.iloc[0]
    ev = res.events
    leaders = sorted(set(json.loads(r["band_leaders"]).values()) - {""})
    named = sorted(set(ev["name"].astype(str)) - {""})
    units = sorted(set(json.loads(r["band_leaders"])) | set(json.loads(r["column_names"])))
    places = sorted(json.loads(r["places"])) + named[:20]
    kinds = sorted(set(ev["kind"].astype(str)))
    days = sorted(set(ev["day"].tolist()))
    return {"leaders": leaders, "units": units + named[:20], "places": places, "kinds": kinds,
            "days": days}


def _maybe(draw: st.DrawFn, values: list) -> list:
    """Nothing (a filter left out) two times in three, else one or two of ``values``."""
    if draw(st.integers(0, 2)) or not values:
        return []
    return draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))


@st.composite
def _filters(draw: st.DrawFn) -> tuple[int, EventFilter, tuple[int, int] | None]:
    k = draw(st.integers(0, 1))
    n = _names(_runs()[k])
    kinds = draw(st.lists(st.sampled_from([*n["kinds"], "no_such_kind"]), min_size=1, max_size=4))
    place = _maybe(draw, [*n["places"], "Nowhere", n["places"][0].upper()])
    where = _maybe(draw, ["fighters", "lead_column", "no_column", "n"])
    f = EventFilter(
        kinds=tuple(kinds),
        side=(_maybe(draw, ["insurgent", "state", "village"]) or [""])[0],
        place=(place or [""])[0],
        radius=draw(st.integers(0, 6)),
        leaders=tuple(_maybe(draw, [*n["leaders"], "Nobody"])),
        where=tuple((c, tuple(float(x) for x in draw(st.lists(st.integers(-1, 30), max_size=4))))
                    for c in where[:1]),
        units=tuple(_maybe(draw, [*n["units"], "nobody"])),
        search=draw(st.sampled_from([None, None, (dt.date(1929, 1, 10), dt.date(1929, 2, 1))])),
    )
    search = None
    if draw(st.booleans()):
        lo = draw(st.sampled_from(n["days"]))
        search = (lo, draw(st.sampled_from([d for d in n["days"] if d >= lo] + [lo - 1])))
    return k, f, search


@settings(max_examples=300)
@given(_filters())
def test_select_takes_the_events_of_the_whole_table_reference(
    case: tuple[int, EventFilter, tuple[int, int] | None],
) -> None:
    k, f, search = case
    res = _runs()[k]
    want = select_reference(res, f, search)
    pd.testing.assert_frame_equal(ev_mod._select(res, f, search), want)
    assert ev_mod._count(res, f, search) == len(want)
    assert ev_mod._first(res, f, search) == ev_mod._first_day(want)
    _SELECTED.append(len(want))
    token = ev_mod._DECODED.set({})  # the same with the columns decoded once per evaluation
    try:
        ev_mod._select(res, f, search)
        pd.testing.assert_frame_equal(ev_mod._select(res, f, search), want)
    finally:
        ev_mod._DECODED.reset(token)


_SELECTED: list[int] = []


def test_the_selection_finds_events() -> None:
    """The cases above are not all empty (most select some events), nor are these."""
    if _SELECTED:  # after the property test in the same session
        assert int((np.array(_SELECTED) > 0).sum()) >= 20
    res = _runs()[0]
    assert len(ev_mod._select(res, EventFilter(kinds=("requisition", "engagement")), None)) > 10
    assert len(ev_mod._select(res, EventFilter(kinds=("requisition",), side="state"), (0, 20))) > 0


@pytest.mark.parametrize("scope", ["raids_1929", "all"])
def test_evaluations_equal_those_of_the_reference(
    scope: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every target of the targets file on the two replicates: the same values, medians,
    hits and distances (``all``: the other campaigns' targets too, other filters)."""
    ts = load_targets(None)
    targets = ts.for_scenario("raids_1929") if scope == "raids_1929" else ts.targets
    got = ev_mod.evaluate(targets, list(_runs()))
    with monkeypatch.context() as m:  # every selection through the whole-table reference
        m.setattr(ev_mod, "_select", select_reference)
        m.setattr(ev_mod, "_count", lambda r, f, s: len(select_reference(r, f, s)))
        m.setattr(ev_mod, "_first", lambda r, f, s: ev_mod._first_day(select_reference(r, f, s)))
        want = ev_mod.evaluate(targets, list(_runs()))
    assert len(got.results) == len(want.results) > 0
    for a, b in zip(got.results, want.results, strict=True):
        np.testing.assert_equal(dataclasses.asdict(a), dataclasses.asdict(b))
