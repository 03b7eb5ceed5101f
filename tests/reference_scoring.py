"""The whole-table form of the scoring's event selection (:func:`sim.scoring.evaluate._select`).

Every filter is a boolean mask over the whole events table; ``sim`` now narrows the rows of
the wanted kinds first and tests only those (with a run's columns decoded once per
evaluation). This is the formulation it replaced, kept as the readable reference: the tests
check both select the same events and give the same evaluations.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from sim.results import RunResult
from sim.scoring.select import TOWN_EVENTS, _day, _json_col, _start
from sim.scoring.targets import EventFilter

__all__ = ["select_reference"]


def select_reference(res: RunResult, f: EventFilter, search: tuple[int, int] | None) -> pd.DataFrame:
    """The events of ``res`` that ``f`` selects within the ``search`` days (or its own)."""
    ev = res.events
    if not len(ev):
        return ev
    if f.search is not None:
        start = _start(res)
        search = _day(start, f.search[0]), _day(start, f.search[1])
    mask = np.array(ev["kind"].isin(list(f.kinds)).to_numpy(dtype=bool, na_value=False), dtype=bool)
    if search is not None:
        day = ev["day"].to_numpy()
        mask = mask & (day >= search[0]) & (day <= search[1])
    if f.side:
        mask = mask & np.asarray((ev["side"] == f.side).to_numpy(dtype=bool, na_value=False))
    names = ev["name"].astype(str).to_numpy()
    if f.leaders:
        lead = _json_col(res, "band_leaders")
        wanted = set(f.leaders)
        mask = mask & np.array([lead.get(n, "") in wanted for n in names], dtype=bool)
    if f.units:
        mask = mask & _of_units(res, ev, names, set(f.units))
    if f.place:
        cells = _json_col(res, "places")
        key = f.place.lower()
        is_town = np.asarray(ev["kind"].isin(list(TOWN_EVENTS)).to_numpy(dtype=bool, na_value=False))
        by_name = np.array([n.lower() == key for n in names], dtype=bool)
        near = np.zeros(len(ev), dtype=bool)
        cell = next((v for k, v in cells.items() if k.lower() == key), None)
        if cell is not None:
            radius = np.where(is_town, 0, f.radius)
            near = (np.abs(ev["row"].to_numpy() - cell[0]) <= radius) & (
                np.abs(ev["col"].to_numpy() - cell[1]) <= radius
            )
        mask = mask & (by_name | near)
    for col, allowed in f.where:
        if col not in ev.columns:
            return ev.iloc[0:0]
        mask = mask & np.isin(ev[col].to_numpy(dtype=float, na_value=np.nan), np.array(allowed))
    return ev.loc[mask]


def _of_units(res: RunResult, ev: pd.DataFrame, names: np.ndarray, units: set[str]) -> Any:
    """Events of the named units: by the event's own unit, or an engagement's lead column."""
    own = np.array([n in units for n in names], dtype=bool)
    if "lead_column" not in ev.columns:
        return own
    raw = res.runs["column_names"].iloc[0] if "column_names" in res.runs.columns else "[]"
    listed = [str(x) for x in json.loads(str(raw))]
    lead = ev["lead_column"].to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(lead) & (lead >= 0) & (lead < len(listed))
    idx = np.where(ok, lead, 0).astype(np.int64)
    by_column = ok & np.array([listed[i] in units if listed else False for i in idx], dtype=bool)
    is_eng = np.asarray((ev["kind"] == "engagement").to_numpy(dtype=bool, na_value=False))
    return np.asarray(own | (is_eng & by_column), dtype=bool)
