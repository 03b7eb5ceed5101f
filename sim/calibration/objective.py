"""The calibration objective: one candidate parameter set scored on the training campaigns.

A candidate is evaluated campaign by campaign (one executor task per campaign), each with
``replicates`` runs through the scoring API (:func:`sim.scoring.runs.run_replicates`, which
runs the model through the one door, and :func:`sim.scoring.evaluate.evaluate`). Common
random numbers: the replicate seeds of a campaign depend only on the spec's seed and the
campaign's position, never on the candidate, so two candidates differ only by their
parameters.

The objective is the weight-averaged distance (:mod:`sim.scoring.evaluate`) over the
*informative* targets of all campaigns together: a target the scorer marks as hit by a
world where nothing happens (``informative = False``) carries no information and is left
out. Targets without such a mark count as informative.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.scenario import Scenario

__all__ = [
    "CampaignEval",
    "EvalTask",
    "TargetEval",
    "campaign_seed",
    "evaluate_task",
    "is_informative",
    "objective",
    "scenario_with",
]


@dataclasses.dataclass(frozen=True)
class TargetEval:
    """One target of one campaign for one candidate (values: one per replicate)."""

    key: str
    id: str
    kind: str
    weight: float
    informative: bool
    documented: str
    low: float | None
    high: float | None
    values: tuple[float, ...]
    median: float
    p5: float
    p95: float
    distance: float
    hit: bool
    share_in: float


@dataclasses.dataclass(frozen=True)
class CampaignEval:
    """A candidate's evaluation on one campaign (what one executor task returns)."""

    trial: int
    campaign: str
    values: Mapping[str, float]
    targets: tuple[TargetEval, ...]
    seconds: float
    error: str = ""

    @property
    def distance(self) -> float:
        """Weight-averaged distance over the informative targets (nan with none)."""
        return objective([self])

    def as_record(self) -> dict[str, Any]:
        """JSON-ready record (one line of the evaluation log)."""
        d = dataclasses.asdict(self)
        d["values"] = dict(self.values)
        d["targets"] = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in t.items()}
            | {"values": [None if not math.isfinite(x) else x for x in t["values"]]}
            for t in d["targets"]
        ]
        return d

    @staticmethod
    def from_record(d: Mapping[str, Any]) -> CampaignEval:
        """Inverse of :meth:`as_record` (``None`` numbers read back as nan, or inf for dates)."""

        def num(x: Any, kind: str) -> float:
            if x is None:
                return math.inf if kind in ("event_date", "first_below") else math.nan
            return float(x)

        targets = []
        for t in d["targets"]:
            kind = str(t["kind"])
            targets.append(TargetEval(
                key=t["key"], id=t["id"], kind=kind, weight=float(t["weight"]),
                informative=bool(t["informative"]), documented=t["documented"],
                low=t["low"], high=t["high"], values=tuple(num(x, kind) for x in t["values"]),
                median=num(t["median"], kind), p5=num(t["p5"], kind), p95=num(t["p95"], kind),
                distance=float(t["distance"]), hit=bool(t["hit"]), share_in=float(t["share_in"]),
            ))
        return CampaignEval(int(d["trial"]), str(d["campaign"]), dict(d["values"]), tuple(targets),
                            float(d["seconds"]), str(d.get("error", "")))


@dataclasses.dataclass(frozen=True)
class EvalTask:
    """One executor task: a candidate on one campaign.

    Attributes
    ----------
    trial : int
        Candidate number (Optuna trial number, or ABC proposal number).
    campaign : str
    scenario : Scenario
        The campaign's scenario, before the candidate's values are applied.
    values : mapping of dotted path to value
    replicates : int
    seed : int
        Master seed of the campaign's replicates (common to every candidate).
    model : str
        ``abm`` or ``ode``.
    targets_file : str
        Targets TOML (empty: the default ``calibration/targets.toml``).
    """

    trial: int
    campaign: str
    scenario: Scenario
    values: Mapping[str, float]
    replicates: int
    seed: int
    model: str = "abm"
    targets_file: str = ""


def campaign_seed(seed: int, index: int) -> int:
    """Master seed of campaign ``index``'s replicates: the same for every candidate."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint32)[0])


def is_informative(target: Any) -> bool:
    """Whether the scorer counts a target as informative (default: yes)."""
    flag = getattr(target, "informative", True)
    return bool(flag) if flag is not None else True


def scenario_with(scenario: Scenario, values: Mapping[str, Any], *, origin: str = "<candidate>") -> Scenario:
    """The scenario with the scenario-parameter values applied (``ode.*`` paths are skipped)."""
    own = {k: v for k, v in values.items() if not k.startswith("ode.")}
    return scenario.with_values(own, origin=origin, semantics=False) if own else scenario


def evaluate_task(task: EvalTask) -> CampaignEval:
    """Run a task's replicates and evaluate the campaign's targets (runs in a worker)."""
    import time

    from sim.scoring.evaluate import evaluate
    from sim.scoring.target_file import load_targets

    t0 = time.perf_counter()
    targets = load_targets(task.targets_file or None).for_scenario(task.campaign)
    try:
        if task.model == "ode":
            from sim.lanchester_ode import ode_params, run_ode

            p = ode_params({k: v for k, v in task.values.items() if k.startswith("ode.")})
            results = [run_ode(task.scenario, p)]  # deterministic: one run is every replicate
        else:
            from sim.batch import expect_runs
            from sim.scoring.runs import run_replicates

            scen = scenario_with(task.scenario, task.values, origin=f"candidate {task.trial}")
            expect_runs(scen, task.replicates - 1)  # compiled passes from the first if they pay
            results = run_replicates(scen, task.replicates, seed=task.seed, targets=targets)
        ev = evaluate(targets, results, scenario=task.campaign)
    except Exception as exc:  # a failing candidate scores the worst distance on every target
        return CampaignEval(task.trial, task.campaign, dict(task.values),
                            tuple(_failed(t, task.replicates) for t in targets),
                            time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"[:500])
    out = tuple(
        TargetEval(
            key=r.target.key, id=r.target.id, kind=r.target.kind, weight=r.target.weight,
            informative=is_informative(r.target), documented=r.target.documented(),
            low=r.low, high=r.high, values=tuple(float(x) for x in r.values), median=r.median,
            p5=r.p5, p95=r.p95, distance=r.distance, hit=r.hit, share_in=r.share_in,
        )
        for r in ev.results
    )
    return CampaignEval(task.trial, task.campaign, dict(task.values), out, time.perf_counter() - t0)


def _failed(t: Any, n: int) -> TargetEval:
    return TargetEval(t.key, t.id, t.kind, t.weight, is_informative(t), t.documented(), t.low, t.high,
                      (math.nan,) * n, math.nan, math.nan, math.nan, 1.0, False, 0.0)


def objective(evals: Sequence[CampaignEval], *, campaigns: Sequence[str] | None = None) -> float:
    """Weight-averaged distance over the informative targets of ``evals`` (pooled).

    Parameters
    ----------
    evals : sequence of CampaignEval
        One candidate's evaluations, one per campaign.
    campaigns : sequence of str, optional
        Only these campaigns (leave-one-out); default all.

    Returns
    -------
    float
        In [0, 1]; nan when no informative target is left.
    """
    w = d = 0.0
    for e in evals:
        if campaigns is not None and e.campaign not in campaigns:
            continue
        for t in e.targets:
            if t.informative:
                w += t.weight
                d += t.weight * t.distance
    return d / w if w > 0 else math.nan


def hit_rate(evals: Sequence[CampaignEval], *, campaigns: Sequence[str] | None = None) -> float:
    """Share of informative targets hit (unweighted); nan with none."""
    hits = [t.hit for e in evals if campaigns is None or e.campaign in campaigns
            for t in e.targets if t.informative]
    return float(np.mean(hits)) if hits else math.nan
