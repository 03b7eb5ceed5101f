"""Engagement outcomes by side, per campaign and seed: who broke off, who routed, and why.

The table the lead reruns to check issue #10 (``issues show 13``): for each campaign and
seed, the number of engagements and the share of them that ended at the time limit, with
the insurgents withdrawing or routed, with the state withdrawing or routed; and, for the
state's routs, how many happened where the state's side was *not* surprised, outnumbered
and cut off (should be none: regulars rout only then, volunteers when outnumbered and
either surprised or cut off). Run it with::

    python -m sim.experiments.outcomes                       # the six campaigns, seeds 0-2
    python -m sim.experiments.outcomes raids_1929 --seeds 0 1 2 3 4

The rule is read from the ``state_may_rout`` column of the engagement events (and the
shares of fights in which the state's side was surprised, outnumbered and cut off from
theirs) when the run records them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.kernels.combat.batch import (
    OUTCOME_INSURGENTS_ROUTED,
    OUTCOME_INSURGENTS_WITHDREW,
    OUTCOME_STATE_ROUTED,
    OUTCOME_STATE_WITHDREW,
    OUTCOME_TIME,
)

__all__ = ["CAMPAIGNS", "engagement_outcomes", "outcome_table"]

CAMPAIGNS = (
    "pavlov_1923",
    "attrition_1925",
    "budenny_1926",
    "raids_1929",
    "garm_1929",
    "continuous_1923_1929",
)
"""The documented campaigns the check covers."""

_NAMES = {
    OUTCOME_TIME: "time",
    OUTCOME_INSURGENTS_WITHDREW: "ins_withdrew",
    OUTCOME_INSURGENTS_ROUTED: "ins_routed",
    OUTCOME_STATE_WITHDREW: "state_withdrew",
    OUTCOME_STATE_ROUTED: "state_routed",
}


def engagement_outcomes(events: pd.DataFrame) -> dict[str, float]:
    """Counts and shares of engagement outcomes in one run's ``events`` table.

    Parameters
    ----------
    events : pandas.DataFrame
        A run's events (``RunResult.events``).

    Returns
    -------
    dict
        ``engagements``; ``<outcome>`` share for each of time, ins_withdrew, ins_routed,
        state_withdrew, state_routed; ``state_routs``; ``state_routs_unexplained`` (state
        routs where the recorded conditions do not allow one; -1 when the run does not
        record them); ``surprised``, ``outnumbered``, ``cut_off`` (shares of all engagements in
        which the state's side was so); ``time_limit_hours`` (mean duration of fights that
        hit the limit).
    """
    e = events[events["kind"] == "engagement"]
    n = len(e)
    row: dict[str, float] = {"engagements": float(n)}
    out = e["outcome"].to_numpy(dtype=np.int64) if n else np.zeros(0, np.int64)
    for code, name in _NAMES.items():
        row[name] = float((out == code).mean()) if n else float("nan")
    routed = out == OUTCOME_STATE_ROUTED
    row["state_routs"] = float(routed.sum())
    if "state_may_rout" in e.columns:
        r = e[routed]
        row["state_routs_unexplained"] = float((r["state_may_rout"].to_numpy() <= 0).sum())
        row["surprised"] = float((e["surprised"] > 0).mean()) if n else float("nan")
        row["outnumbered"] = float((e["outnumbered"] > 0).mean()) if n else float("nan")
        row["cut_off"] = float((e["cut_off"] > 0).mean()) if n else float("nan")
    else:
        row["state_routs_unexplained"] = -1.0
    t = e[out == OUTCOME_TIME]
    row["time_limit_hours"] = float(t["duration_h"].mean()) if len(t) else float("nan")
    return row


def outcome_table(campaigns: Sequence[str], seeds: Sequence[int]) -> pd.DataFrame:
    """Run every campaign for every seed and tabulate its engagement outcomes.

    Parameters
    ----------
    campaigns : sequence of str
        Scenario names (or paths) as :func:`sim.scenario.load_scenario` takes them.
    seeds : sequence of int

    Returns
    -------
    pandas.DataFrame
        One row per (campaign, seed) with the columns of :func:`engagement_outcomes` and
        ``on_soviet_soil`` (largest number of insurgent fighters outside Afghanistan).
    """
    from sim.runner import run
    from sim.scenario import load_scenario

    rows = []
    for name in campaigns:
        sc = load_scenario(name)
        for seed in seeds:
            res = run(sc, seed=seed)
            row: dict[str, object] = {"campaign": name, "seed": seed}
            row.update(engagement_outcomes(res.events))
            st = res.steps
            row["on_soviet_soil"] = float(
                (st["insurgent_fighters"] - st["insurgents_in_afghanistan"]).max()
            )
            rows.append(row)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; exit 1 if a state rout is unexplained or a share reaches a fifth."""
    ap = argparse.ArgumentParser(prog="python -m sim.experiments.outcomes", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("campaigns", nargs="*", default=list(CAMPAIGNS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--csv", help="also write the table to this CSV file")
    a = ap.parse_args(argv)
    table = outcome_table(a.campaigns, a.seeds)
    with pd.option_context("display.width", 200, "display.max_columns", 30,
                           "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    if a.csv:
        table.to_csv(a.csv, index=False)
    bad = (table["state_routed"].fillna(0.0) >= 0.2) | (table["state_routs_unexplained"] > 0)
    return 1 if bool(bad.any()) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
