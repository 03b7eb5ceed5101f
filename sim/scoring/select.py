"""Which events a target's filter selects in a run (:class:`~sim.scoring.targets.EventFilter`).

The filters narrow the rows of the wanted kinds, then the others test only those rows.
Within one :func:`sim.scoring.evaluate.evaluate` (:data:`_DECODED` set), a run's events
are decoded once (rows of each kind, days, names, JSON columns of the runs table, start
date) for all its targets; counts and first days come from the rows without building the
selected table. The whole-table formulation is kept as the reference in
``tests/reference_scoring.py``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.results import RunResult
from sim.scoring.targets import EventFilter

__all__: list[str] = []

TOWN_EVENTS = ("town_captured", "town_retaken")


def _start(res: RunResult) -> dt.date:
    memo = _DECODED.get()
    hit = memo.get(id(res.runs)) if memo is not None else None
    if hit is not None and hit[0] is res.runs:
        start: dt.date = hit[1]
        return start
    start = dt.date.fromisoformat(str(res.runs["start"].iloc[0]))
    if memo is not None:
        memo[id(res.runs)] = (res.runs, start)
    return start


def _day(start: dt.date, d: dt.date) -> int:
    return (d - start).days


def _json_col(res: RunResult, col: str) -> dict[str, Any]:
    if col not in res.runs.columns:
        return {}
    out: dict[str, Any] = json.loads(str(res.runs[col].iloc[0]))
    return out


@dataclasses.dataclass
class _Decoded:
    """A run's event columns as :func:`_select` reads them, decoded once per evaluation.

    Attributes
    ----------
    rows : dict of str to ndarray of int64
        Sorted row positions of each event kind (missing kinds have none).
    day : ndarray, shape (n_events,)
    names : ndarray of str, shape (n_events,)
        ``ev["name"].astype(str)``.
    json : dict
        Decoded JSON columns of the ``runs`` table, by column.
    """

    rows: dict[str, np.ndarray]
    day: np.ndarray
    names: np.ndarray
    json: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, ev: pd.DataFrame) -> _Decoded:
        codes, kinds = pd.factorize(ev["kind"])  # missing kinds: code -1
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(kinds) + 1))
        rows = {str(k): np.sort(order[bounds[i]:bounds[i + 1]]) for i, k in enumerate(kinds)}
        return cls(rows, ev["day"].to_numpy(), ev["name"].astype(str).to_numpy())

    def of_kinds(self, kinds: Sequence[str]) -> np.ndarray:
        """Sorted row positions of the events of any of ``kinds``."""
        empty = np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate([self.rows.get(k, empty) for k in dict.fromkeys(kinds)]
                                      or [empty]))

    def json_col(self, res: RunResult, col: str) -> dict[str, Any]:
        if col not in self.json:
            self.json[col] = _json_col(res, col)
        return self.json[col]


#: Decoded events and start dates of the runs of the evaluation under way (see
#: :func:`evaluate`), by ``id`` of the events or runs table (kept alive here).
_DECODED: contextvars.ContextVar[dict[int, tuple[pd.DataFrame, Any]] | None] = (
    contextvars.ContextVar("_DECODED", default=None))


def _decoded(ev: pd.DataFrame) -> _Decoded:
    """The decoded columns of ``ev``: kept for the evaluation under way, else decoded now."""
    memo = _DECODED.get()
    if memo is None:
        return _Decoded.of(ev)
    hit = memo.get(id(ev))
    if hit is None or hit[0] is not ev:
        hit = memo[id(ev)] = (ev, _Decoded.of(ev))
    decoded: _Decoded = hit[1]
    return decoded


def _select(res: RunResult, f: EventFilter, search: tuple[int, int] | None) -> pd.DataFrame:
    """The events of ``res`` that ``f`` selects within the ``search`` days (or its own):
    ``ev.loc[mask]`` of the rows :func:`_rows` finds."""
    ev = res.events
    if not len(ev):
        return ev
    at = _rows(res, f, search)
    if at is None:
        return ev.iloc[0:0]
    mask = np.zeros(len(ev), dtype=bool)
    mask[at] = True
    return ev.loc[mask]


def _count(res: RunResult, f: EventFilter, search: tuple[int, int] | None) -> int:
    """``len(_select(res, f, search))``."""
    at = _rows(res, f, search)
    return 0 if at is None else int(at.size)


def _first(res: RunResult, f: EventFilter, search: tuple[int, int] | None) -> float:
    """``_first_day(_select(res, f, search))``: the first day of the selected events."""
    at = _rows(res, f, search)
    if at is None or not at.size:
        return math.inf
    return float(res.events["day"].to_numpy()[at].min())


def _rows(res: RunResult, f: EventFilter, search: tuple[int, int] | None) -> np.ndarray | None:
    """Sorted positions of the events ``f`` selects (None: a ``where`` column is missing).

    The filters narrow the rows of the wanted kinds, then the others test only those
    rows (every filter is a condition on one row: the order does not matter)."""
    ev = res.events
    if not len(ev):
        return np.zeros(0, dtype=np.int64)
    if f.search is not None:
        start = _start(res)
        search = _day(start, f.search[0]), _day(start, f.search[1])
    d = _decoded(ev)
    at = d.of_kinds(f.kinds)
    if search is not None:
        day = d.day[at]
        at = at[(day >= search[0]) & (day <= search[1])]
    if f.side:
        at = at[np.asarray((ev["side"].iloc[at] == f.side).to_numpy(dtype=bool, na_value=False))]
    names = d.names[at]
    if f.leaders:
        lead = d.json_col(res, "band_leaders")
        wanted = set(f.leaders)
        keep = np.array([lead.get(n, "") in wanted for n in names], dtype=bool)
        at, names = at[keep], names[keep]
    if f.units:
        keep = _of_units(d.json_col(res, "column_names") if "column_names" in res.runs.columns
                         else None, ev, d, at, names, set(f.units))
        at, names = at[keep], names[keep]
    if f.place:
        cells = d.json_col(res, "places")
        key = f.place.lower()
        is_town = np.isin(at, d.of_kinds(TOWN_EVENTS))
        by_name = np.array([n.lower() == key for n in names], dtype=bool)
        near = np.zeros(at.size, dtype=bool)
        cell = next((v for k, v in cells.items() if k.lower() == key), None)
        if cell is not None:
            radius = np.where(is_town, 0, f.radius)
            near = (np.abs(ev["row"].to_numpy()[at] - cell[0]) <= radius) & (
                np.abs(ev["col"].to_numpy()[at] - cell[1]) <= radius
            )
        at = at[by_name | near]
    for col, allowed in f.where:
        if col not in ev.columns:
            return None
        at = at[np.isin(ev[col].to_numpy(dtype=float, na_value=np.nan)[at], np.array(allowed))]
    return at


def _of_units(listed_raw: Any, ev: pd.DataFrame, d: _Decoded, at: np.ndarray, names: np.ndarray,
              units: set[str]) -> np.ndarray:
    """Which of the events at rows ``at`` are of the named units: by the event's own unit,
    or an engagement's lead column (``listed_raw``: the run's column names, or None)."""
    own = np.array([n in units for n in names], dtype=bool)
    if "lead_column" not in ev.columns:
        return own
    listed = [str(x) for x in (listed_raw if listed_raw is not None else [])]
    lead = ev["lead_column"].to_numpy(dtype=float, na_value=np.nan)[at]
    ok = np.isfinite(lead) & (lead >= 0) & (lead < len(listed))
    idx = np.where(ok, lead, 0).astype(np.int64)
    by_column = ok & np.array([listed[i] in units if listed else False for i in idx], dtype=bool)
    is_eng = np.isin(at, d.of_kinds(("engagement",)))
    return np.asarray(own | (is_eng & by_column), dtype=bool)
