"""Screening by fit: sweep outputs that hold the score of each run against the targets.

With ``[outputs] score = true`` in a sweep spec, every run goes through the scoring API
(:func:`sim.scoring.runs.run_replicate`, the one door plus the series targets need) and its
row gains, from that run alone:

- ``score_distance[KEY]``: the target's distance (:mod:`sim.scoring.evaluate`) in [0, 1];
- ``score_in[KEY]``: 1 if the run's value lies inside the documented interval, else 0;
- ``score_distance``, ``score_share_in``: their weighted means over the informative targets.

``basmachi sensitivity`` averages outputs over replicates per design point, so
``score_in[KEY]`` becomes the share of replicates inside and a Morris or Sobol analysis of
``score_distance`` ranks the parameters by their effect on the fit within their ranges.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.results import RunResult
from sim.scenario import Scenario

__all__ = ["run_scored", "score_columns", "score_keys"]


def _targets(scenario: Scenario, targets_file: str) -> tuple[Any, ...]:
    from sim.scoring.target_file import load_targets
    from sim.scoring.targets import TargetError

    try:
        return load_targets(targets_file or None).for_scenario(scenario.name)
    except TargetError as exc:
        raise ValueError(str(exc)) from None


def score_keys(scenario: Scenario, targets_file: str = "") -> tuple[str, ...]:
    """Keys of the targets of ``scenario`` (in file order).

    Raises
    ------
    ValueError
        If the targets file is malformed.
    """
    return tuple(t.key for t in _targets(scenario, targets_file))


def score_columns(targets: tuple[Any, ...], result: RunResult) -> dict[str, float]:
    """The score columns of one run (see the module docstring)."""
    from sim.calibration.objective import is_informative
    from sim.scoring.evaluate import evaluate

    ev = evaluate(list(targets), [result])
    row: dict[str, float] = {}
    w = d = s = 0.0
    for r in ev.results:
        row[f"score_distance[{r.target.key}]"] = float(r.distance)
        row[f"score_in[{r.target.key}]"] = float(r.share_in)
        if is_informative(r.target):
            w += r.target.weight
            d += r.target.weight * r.distance
            s += r.target.weight * r.share_in
    row["score_distance"] = d / w if w > 0 else float("nan")
    row["score_share_in"] = s / w if w > 0 else float("nan")
    return row


def run_scored(
    scenario: Scenario, seed: np.random.SeedSequence, run_id: int, targets_file: str = ""
) -> tuple[RunResult, dict[str, float]]:
    """Run one replicate through the scoring API and return it with its score columns."""
    from sim.scoring.runs import run_replicate

    targets = _targets(scenario, targets_file)
    result = run_replicate(scenario, seed=seed, run_id=run_id, targets=targets)
    return result, score_columns(targets, result)
