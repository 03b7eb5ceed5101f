"""Evaluate targets on replicate runs: per target the documented value, the simulated
median and 5-95 % range, hit or miss; overall the share of targets hit and a weighted distance.

Reduction (one number per replicate, see :mod:`sim.scoring.targets` for the kinds):
a day since the scenario start for ``event_date`` / ``first_below`` (+inf when the event
never happens), days or hours for ``duration``, a number for ``count`` / ``ratio`` /
``level``, and 1 (no such event) or 0 for ``absent``.

Conditions (``given``): a replicate in which the condition's event does not occur says
nothing about the statement (the post was never attacked, the state never campaigned
there): it reduces to "never" for date kinds and to "not applicable" (nan) otherwise, and
never counts as inside. An ``absent`` target with a condition is hit only when at least
half of *all* replicates meet the condition and have no such event.

Hit: the median of the replicates lies inside the documented interval (for ``absent``: at
least half the replicates have no such event). Value kinds need at least half the
replicates applicable to have a median.

Informative targets: a target with an ``uninformative`` reason (one a world where nothing
happens also hits, or one true by construction) is reported but left out of ``hit_rate``,
``weighted_hit_rate`` and ``distance``.

Distance of one target, in [0, 1]: 0 inside the interval; otherwise the gap between the
median and the nearest bound divided by ``scale`` (default: 14 days for dates, else the
magnitude of the nearest bound, at least 1), capped at 1; 1 when the median is undefined
or the event never happens; ``1 - share`` for ``absent``. The overall distance is the
weight-averaged distance, the quantity a calibration will minimise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.results import RunResult
from sim.scoring.select import _DECODED, _count, _day, _first, _select, _start
from sim.scoring.targets import DATE_KINDS, Target

__all__ = ["Evaluation", "TargetResult", "applies", "evaluate", "reduce_run"]

DATE_SCALE_DAYS = 14.0


@dataclasses.dataclass(frozen=True)
class TargetResult:
    """Outcome of one target over the replicates.

    Values of date kinds are days since the scenario start (``inf`` = never).
    """

    target: Target
    start: dt.date
    values: tuple[float, ...]
    low: float | None
    high: float | None
    median: float
    p5: float
    p95: float
    hit: bool
    distance: float
    share_in: float
    applicable: float = 1.0
    """Share of replicates meeting the target's ``given`` condition (1 without one)."""

    @property
    def never(self) -> bool:
        """Whether the median replicate never reaches the target (no event, no value)."""
        return not math.isfinite(self.median)

    @property
    def id(self) -> str:
        """Row id in outcomes.csv."""
        return self.target.id

    def fmt(self, x: float) -> str:
        """A reduced value as text (dates for date kinds)."""
        if isinstance(x, float) and math.isnan(x):
            return "n/a"
        if self.target.is_date:
            if math.isinf(x):
                return "never"
            return (self.start + dt.timedelta(days=round(x))).isoformat()
        if self.target.kind == "absent":
            return f"{x:.0f}"
        return f"{x:.2f}" if abs(x) < 10 else f"{x:,.0f}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record: id, key, title, kind, scenario-independent fields, stats, hit."""

        def val(x: float) -> Any:
            if self.target.is_date:
                return self.fmt(x)
            return None if not math.isfinite(x) else round(float(x), 4)

        return {
            "id": self.target.id,
            "key": self.target.key,
            "title": self.target.title,
            "kind": self.target.kind,
            "documented": self.target.documented(),
            "median": val(self.median),
            "p5": val(self.p5),
            "p95": val(self.p95),
            "hit": self.hit,
            "share_in": round(self.share_in, 3),
            "distance": round(self.distance, 4),
            "weight": self.target.weight,
            "reliability": self.target.reliability,
            "informative": self.target.informative,
            "uninformative": self.target.uninformative,
            "applicable": round(self.applicable, 3),
        }


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Every target of a scenario on a set of replicates, and the overall score."""

    scenario: str
    replicates: int
    results: tuple[TargetResult, ...]
    null: bool = False
    """Whether the replicates are of the null world (:func:`sim.runner.run` with ``null=True``)."""

    @property
    def counted(self) -> tuple[TargetResult, ...]:
        """The informative targets: those the hit rate and the distance are taken over."""
        return tuple(r for r in self.results if r.target.informative)

    @property
    def hits(self) -> int:
        """Informative targets hit."""
        return sum(r.hit for r in self.counted)

    @property
    def hit_rate(self) -> float:
        """Share of informative targets hit (unweighted); nan with none."""
        c = self.counted
        return float(np.mean([r.hit for r in c])) if c else math.nan

    @property
    def weighted_hit_rate(self) -> float:
        """Share of the weight of informative targets hit."""
        w = np.array([r.target.weight for r in self.counted])
        h = np.array([r.hit for r in self.counted], dtype=float)
        return float((w * h).sum() / w.sum()) if w.size else math.nan

    @property
    def distance(self) -> float:
        """Weight-averaged distance of informative targets, in [0, 1] (0: all inside)."""
        w = np.array([r.target.weight for r in self.counted])
        d = np.array([r.distance for r in self.counted])
        return float((w * d).sum() / w.sum()) if w.size else math.nan

    def as_dict(self) -> dict[str, Any]:
        """``{"scenario", "replicates", "null", "targets": [...], "informative", "hits",
        "hit_rate", "weighted_hit_rate", "distance", "uninformative_hits"}``."""
        return {
            "scenario": self.scenario,
            "replicates": self.replicates,
            "null": self.null,
            "targets": [r.as_dict() for r in self.results],
            "informative": len(self.counted),
            "hits": self.hits,
            "hit_rate": _round(self.hit_rate),
            "weighted_hit_rate": _round(self.weighted_hit_rate),
            "distance": _round(self.distance),
            "uninformative_hits": sum(r.hit for r in self.results if not r.target.informative),
        }

    def to_json(self) -> str:
        """:meth:`as_dict` as JSON text."""
        return json.dumps(self.as_dict(), indent=2)

    def to_frame(self) -> pd.DataFrame:
        """One row per target: id, key, title, documented, median, p5, p95, hit, ..."""
        return pd.DataFrame([r.as_dict() for r in self.results])

    def table(self) -> str:
        """The per-target table as aligned text, with the overall score underneath."""
        head = ("id", "target", "documented", "median", "5-95 %", "hit")
        rows = [
            (
                r.target.key + ("" if r.target.informative else " *"),
                r.target.title[:52],
                r.target.documented(),
                "never" if r.never and not r.target.is_date else r.fmt(r.median),
                f"{r.fmt(r.p5)} .. {r.fmt(r.p95)}",
                ("HIT" if r.hit else "miss") + ("" if r.applicable >= 1 else f" (applies {r.applicable:.0%})"),
            )
            for r in self.results
        ]
        widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h) for i, h in enumerate(head)]
        line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
        out = [line, "-" * len(line)]
        out += ["  ".join(c.ljust(w) for c, w in zip(x, widths, strict=True)) for x in rows]
        out.append("-" * len(line))
        if len(self.counted) < len(self.results):
            out.append("* uninformative (reason in targets.toml): shown, not counted")
        world = " (NULL WORLD: nothing happens)" if self.null else ""
        out.append(
            f"{self.scenario}{world}: {self.hits}/{len(self.counted)} informative targets hit"
            f" (hit_rate {self.hit_rate:.2f}, weighted {self.weighted_hit_rate:.2f}),"
            f" distance {self.distance:.3f}, {self.replicates} replicates"
        )
        return "\n".join(out)


def _round(x: float) -> float | None:
    return None if not math.isfinite(x) else round(x, 4)


# --------------------------------------------------------------------------- per run


def _series(res: RunResult, name: str) -> np.ndarray | None:
    steps = res.steps
    if name in steps.columns:
        return np.asarray(steps[name].to_numpy(dtype=float))
    if name == "in_country" and "insurgents_in_afghanistan" in steps.columns:
        return np.asarray(
            (steps["insurgent_fighters"] - steps["insurgents_in_afghanistan"]).to_numpy(dtype=float)
        )
    return None


def _search(t: Target, start: dt.date, n_days: int) -> tuple[int, int]:
    if t.search is None:
        return 0, n_days - 1
    return _day(start, t.search[0]), _day(start, t.search[1])


def _first_day(frame: pd.DataFrame) -> float:
    return float(frame["day"].min()) if len(frame) else math.inf


def applies(t: Target, res: RunResult) -> bool:
    """Whether a replicate meets the target's ``given`` condition (True without one)."""
    if t.given is None:
        return True
    search = _search(t, _start(res), len(res.steps))
    return _count(res, t.given, search) > 0


def reduce_run(t: Target, res: RunResult) -> float:
    """The one number a replicate gives for a target (see the module docstring).

    A replicate that does not meet the ``given`` condition gives +inf (never) for date
    kinds and nan (not applicable) otherwise.
    """
    if not applies(t, res):
        return math.inf if t.is_date else math.nan
    start = _start(res)
    n_days = len(res.steps)
    search = _search(t, start, n_days)
    if t.kind == "event_date":
        assert t.events is not None
        if t.each_leader:
            days = [
                _first(res, dataclasses.replace(t.events, leaders=(lead,)), search)
                for lead in t.events.leaders
            ]
            return max(days) if days else math.inf
        return _first(res, t.events, search)
    if t.kind == "absent":
        assert t.events is not None
        return 1.0 if not _count(res, t.events, search) else 0.0
    if t.kind == "count":
        assert t.events is not None
        if t.agg == "count":
            return float(_count(res, t.events, search))
        ev = _select(res, t.events, search)
        if t.column not in ev.columns:
            return 0.0 if t.agg == "sum" else math.nan
        x = ev[t.column].to_numpy(dtype=float, na_value=np.nan)
        x = x[np.isfinite(x)]
        if t.agg == "sum":
            return float(x.sum())
        if not x.size:
            return math.nan
        return float(x.max() if t.agg == "max" else x.mean())
    if t.kind == "ratio":
        assert t.events is not None
        ev = _select(res, t.events, search)
        if t.numerator not in ev.columns or t.denominator not in ev.columns:
            return math.nan
        den = float(np.nansum(ev[t.denominator].to_numpy(dtype=float, na_value=np.nan)))
        num = float(np.nansum(ev[t.numerator].to_numpy(dtype=float, na_value=np.nan)))
        return num / den if den > 0 else math.nan
    if t.kind == "duration":
        assert t.events is not None
        first = _select(res, t.events, search)
        if t.finish is None:
            if t.column not in first.columns or not len(first):
                return math.nan
            return float(np.nanmax(first[t.column].to_numpy(dtype=float, na_value=np.nan)))
        a = _first_day(first)
        if math.isinf(a):
            return math.nan
        b = _first(res, t.finish, (int(a), search[1]))
        return b - a
    if t.kind == "first_below":
        s = _series(res, t.series)
        if s is None:
            return math.inf
        lo, hi = max(search[0], 0), min(search[1], s.size - 1)
        above = np.maximum.accumulate(s > t.threshold)
        for d in range(lo, hi + 1):
            if s[d] <= t.threshold and d > 0 and above[d - 1]:
                return float(d)
        return math.inf
    if t.kind == "level":
        s = _series(res, t.series)
        assert t.date is not None
        d = _day(start, t.date)
        if s is None or d - t.days > s.size - 1 or d + t.days < 0:
            return math.nan
        x = s[max(d - t.days, 0) : min(d + t.days, s.size - 1) + 1]
        if t.agg == "last":
            return float(x[-1])
        if t.agg == "min":
            return float(np.min(x))
        return float(np.mean(x)) if t.agg == "mean" else float(np.max(x))
    raise ValueError(f"unknown target kind {t.kind!r}")


# --------------------------------------------------------------------------- over replicates


def _pct(x: np.ndarray, q: float) -> float:
    if not x.size:
        return math.nan
    if np.all(np.isfinite(x)):
        return float(np.percentile(x, q))
    return float(np.percentile(x, q, method="inverted_cdf"))


def _bounds(t: Target, start: dt.date) -> tuple[float | None, float | None]:
    if t.kind in DATE_KINDS:
        assert t.window is not None
        return float(_day(start, t.window[0])), float(_day(start, t.window[1]))
    return t.low, t.high


def _inside(x: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    ok = np.isfinite(x)
    if low is not None:
        ok &= x >= low
    if high is not None:
        ok &= x <= high
    return np.asarray(ok, dtype=bool)


def _distance(t: Target, m: float, low: float | None, high: float | None) -> float:
    if not math.isfinite(m):
        return 1.0
    if low is not None and m < low:
        gap, bound = low - m, low
    elif high is not None and m > high:
        gap, bound = m - high, high
    else:
        return 0.0
    scale = t.scale or (DATE_SCALE_DAYS if t.kind in DATE_KINDS else max(abs(bound), 1.0))
    return float(min(gap / scale, 1.0))


def evaluate_target(t: Target, results: Sequence[RunResult]) -> TargetResult:
    """Reduce every replicate and compare the median with the documented interval."""
    start = _start(results[0])
    applicable = float(np.mean([applies(t, r) for r in results]))
    values = np.array([reduce_run(t, r) for r in results], dtype=float)
    low, high = _bounds(t, start)
    if t.kind == "absent":
        share = float((values == 1.0).mean()) if values.size else 0.0
        pool = values[np.isfinite(values)]
        if pool.size * 2 < values.size:
            pool = np.zeros(0)
        med = _pct(pool, 50)
        return TargetResult(
            t, start, tuple(values), 1.0, 1.0, med, _pct(pool, 5), _pct(pool, 95),
            hit=share >= 0.5, distance=1.0 - share, share_in=share, applicable=applicable,
        )
    share = float(_inside(values, low, high).mean()) if values.size else 0.0
    if t.kind in DATE_KINDS:
        pool = values  # +inf (never) takes part in the median
    else:
        pool = values[np.isfinite(values)]
        if pool.size * 2 < values.size:
            pool = np.zeros(0)
    med = _pct(pool, 50)
    hit = bool(math.isfinite(med) and _inside(np.array([med]), low, high)[0])
    return TargetResult(
        t, start, tuple(values), low, high, med, _pct(pool, 5), _pct(pool, 95),
        hit=hit, distance=_distance(t, med, low, high), share_in=share, applicable=applicable,
    )


def evaluate(
    targets: Sequence[Target], results: Sequence[RunResult], *, scenario: str = "", null: bool = False
) -> Evaluation:
    """Evaluate ``targets`` on replicate runs of one scenario.

    Parameters
    ----------
    targets : sequence of Target
    results : sequence of RunResult
        One per replicate (at least one).
    scenario : str
        Name shown in the report; default the scenario of the first run.
    null : bool
        The runs are of the null world (shown in the report).
    """
    if not results:
        raise ValueError("evaluate: no replicate runs given")
    name = scenario or str(results[0].runs["scenario"].iloc[0])
    token = _DECODED.set({})  # each run's events decoded once for all the targets
    try:
        out = tuple(evaluate_target(t, results) for t in targets)
    finally:
        _DECODED.reset(token)
    return Evaluation(name, len(results), out, null=null)
