"""Compare two scenarios: distributions of key outcomes over replicates, side by side.

Outcomes per replicate: peak and final fighters on Soviet soil, surrenders, town-days held
by the insurgents, days to collapse (first day after the peak when fighters on Soviet soil
fall to a tenth of the peak; inf when they never do), insurgent and state losses (killed,
wounded and captured in engagements), and the engagements each side lost.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from sim.results import RunResult

__all__ = ["OUTCOMES", "Comparison", "compare_results", "outcomes_of"]

OUTCOMES = (
    "peak_in_country",
    "final_in_country",
    "surrenders",
    "town_days_held",
    "days_to_collapse",
    "insurgent_losses",
    "state_losses",
    "engagements_lost_by_state",
    "engagements_lost_by_insurgents",
)


def _sum(res: RunResult, kind: str, cols: Sequence[str]) -> float:
    ev = res.events
    sel = ev.loc[(ev["kind"] == kind).to_numpy(dtype=bool, na_value=False)]
    return float(sum(np.nansum(sel[c].to_numpy(dtype=float, na_value=np.nan)) for c in cols if c in sel.columns))


def outcomes_of(res: RunResult) -> dict[str, float]:
    """The key outcomes of one replicate (see the module docstring)."""
    st = res.steps
    inside = (st["insurgent_fighters"] - st["insurgents_in_afghanistan"]).to_numpy(dtype=float)
    peak_day = int(np.argmax(inside)) if inside.size else 0
    peak = float(inside[peak_day]) if inside.size else 0.0
    after = np.flatnonzero(inside[peak_day:] <= 0.1 * peak) if peak > 0 else np.zeros(0, int)
    ev = res.events
    eng = ev.loc[(ev["kind"] == "engagement").to_numpy(dtype=bool, na_value=False)]
    outcome = eng["outcome"].to_numpy(dtype=float, na_value=np.nan) if "outcome" in eng.columns else np.zeros(0)
    return {
        "peak_in_country": peak,
        "final_in_country": float(inside[-1]) if inside.size else 0.0,
        "surrenders": _sum(res, "surrender", ["n"]),
        "town_days_held": float(st["towns_held_by_insurgents"].sum()),
        "days_to_collapse": float(after[0]) if after.size else math.inf,
        "insurgent_losses": _sum(
            res, "engagement", ["insurgents_killed", "insurgents_wounded", "insurgents_captured"]
        ),
        "state_losses": _sum(res, "engagement", ["state_killed", "state_wounded", "state_captured"]),
        "engagements_lost_by_state": float(np.isin(outcome, (2, 4)).sum()),
        "engagements_lost_by_insurgents": float(np.isin(outcome, (1, 3)).sum()),
    }


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Outcomes of the replicates of two scenarios (arrays of shape (replicates,))."""

    a: str
    b: str
    outcomes_a: dict[str, np.ndarray]
    outcomes_b: dict[str, np.ndarray]

    def table(self) -> str:
        """Median [5 % .. 95 %] of every outcome for A and B."""

        def cell(x: np.ndarray) -> str:
            fin = x[np.isfinite(x)]
            if fin.size * 2 < x.size:
                return "never (median)"
            q = np.percentile(x, [50, 5, 95], method="inverted_cdf")
            return " ".join(f"{v:,.0f}" if math.isfinite(v) else "inf" for v in q[:1]) + (
                f" [{q[1]:,.0f} .. {q[2]:,.0f}]".replace("inf", "never")
            )

        rows = [(k, cell(self.outcomes_a[k]), cell(self.outcomes_b[k])) for k in OUTCOMES]
        w = [max(len(r[i]) for r in [("outcome", self.a, self.b), *rows]) for i in range(3)]
        head = ("outcome", self.a, self.b)
        lines = ["  ".join(h.ljust(x) for h, x in zip(head, w, strict=True)), "-" * (sum(w) + 4)]
        lines += ["  ".join(c.ljust(x) for c, x in zip(r, w, strict=True)) for r in rows]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """Medians and 5-95 % of every outcome, JSON-ready."""

        def stats(x: np.ndarray) -> dict[str, float | None]:
            q = np.percentile(x, [50, 5, 95], method="inverted_cdf")
            return {k: (float(v) if math.isfinite(v) else None) for k, v in zip(("median", "p5", "p95"), q, strict=True)}

        return {
            "a": self.a,
            "b": self.b,
            "outcomes": {k: {"a": stats(self.outcomes_a[k]), "b": stats(self.outcomes_b[k])} for k in OUTCOMES},
        }


def compare_results(
    a: str, results_a: Sequence[RunResult], b: str, results_b: Sequence[RunResult]
) -> Comparison:
    """Key outcomes of two sets of replicates."""

    def collect(rs: Sequence[RunResult]) -> dict[str, np.ndarray]:
        rows = [outcomes_of(r) for r in rs]
        return {k: np.array([row[k] for row in rows], dtype=float) for k in OUTCOMES}

    return Comparison(a, b, collect(results_a), collect(results_b))
