"""The point-estimate search: Optuna (CMA-ES, TPE or random) over the prior box, resumable.

Candidates are asked from an Optuna sampler in batches, each candidate is evaluated on
every campaign through an executor (:mod:`sim.experiments.executors`: one task per
candidate and campaign), and the batch is told back in trial order once complete.

Every finished evaluation is written at once as its own JSON file (``evals/``, written to
a temporary name and renamed, so a file is either whole or absent). Resuming replays the
search: the seeded sampler is asked the same candidates in the same order and told the
same values, the evaluations found on disk are reused and only the missing ones are run.
So a search killed at any moment and resumed loses no finished evaluation, repeats none,
and ends with exactly the trials of an uninterrupted search (the replay checks that each
asked candidate equals the one on disk and stops with an error if not).

Output folder::

    calibration.json     what the search is (spec digest, parameters, campaigns)
    evals/TTTTTT-CAMPAIGN.json   one finished evaluation each
    trials.parquet       one row per candidate: parameters, objective, per-campaign distance
    targets.parquet      one row per candidate, campaign and target
    trace.csv            objective and best-so-far per trial
    best.json, point.toml
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.objective import (
    CampaignEval,
    EvalTask,
    campaign_seed,
    evaluate_task,
    hit_rate,
    objective,
)
from sim.calibration.spec import CalibrationSpec, FitParameter
from sim.results import write_parquet_atomic

__all__ = [
    "CalibrationInterrupted",
    "CalibrationStateError",
    "SearchOutcome",
    "load_evaluations",
    "point_toml",
    "run_evaluations",
    "search",
    "trials_frame",
]

MANIFEST = "calibration.json"
EVALS = "evals"


class CalibrationStateError(RuntimeError):
    """The output folder does not fit the request (another search, or not resumable)."""


class CalibrationInterrupted(RuntimeError):
    """Raised by the injected stop of the tests (``stop_after``) after that many evaluations."""


@dataclasses.dataclass(frozen=True)
class SearchOutcome:
    """What a search produced.

    Attributes
    ----------
    out : Path
    trials : DataFrame
        One row per candidate (see :func:`trials_frame`).
    best : dict
        ``trial``, ``objective``, ``values`` of the best candidate.
    n_evaluations, n_resumed : int
        Evaluations (candidate x campaign) in the search, and those found on disk.
    seconds : float
        Wall time of this call.
    """

    out: Path
    trials: pd.DataFrame
    best: dict[str, Any]
    n_evaluations: int
    n_resumed: int
    seconds: float


# --------------------------------------------------------------------------- evaluation log


def _eval_path(out: Path, trial: int, campaign: str) -> Path:
    return out / EVALS / f"{trial:06d}-{campaign}.json"


def write_evaluation(out: Path, ev: CampaignEval) -> Path:
    """Write one evaluation atomically (temporary file, fsync, rename)."""
    path = _eval_path(out, ev.trial, ev.campaign)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(ev.as_record(), fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def load_evaluations(out: str | Path) -> dict[tuple[int, str], CampaignEval]:
    """Every finished evaluation of a folder, by (trial, campaign); temporary files are ignored."""
    folder = Path(out) / EVALS
    found: dict[tuple[int, str], CampaignEval] = {}
    if not folder.is_dir():
        return found
    for f in sorted(folder.glob("*.json")):
        if f.name.startswith("."):
            continue
        ev = CampaignEval.from_record(json.loads(f.read_text(encoding="utf-8")))
        found[(ev.trial, ev.campaign)] = ev
    return found


def _manifest(spec: CalibrationSpec, kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": spec.name,
        "digest": spec.digest(),
        "spec": spec.origin,
        "campaigns": list(spec.campaigns),
        "parameters": [dataclasses.asdict(p) for p in spec.parameters],
        "model": spec.model,
        "method": spec.method,
        "budget": spec.budget,
        "replicates": spec.replicates,
        "seed": spec.seed,
    }


def prepare(out: Path, spec: CalibrationSpec, *, resume: bool, kind: str = "search") -> dict[tuple[int, str], CampaignEval]:
    """Check or create the output folder; return the evaluations already on disk."""
    manifest = _manifest(spec, kind)
    mpath = out / MANIFEST
    if mpath.exists():
        if not resume:
            raise CalibrationStateError(
                f"{out} already holds a calibration; pass --resume to continue it, or choose another --out")
        old = json.loads(mpath.read_text(encoding="utf-8"))
        if old.get("digest") != manifest["digest"] or old.get("kind") != kind:
            diff = [k for k in manifest if k != "spec" and old.get(k) != manifest[k]] or ["digest"]
            raise CalibrationStateError(
                f"{out} holds a different calibration (differs in: {', '.join(diff)}); resume it with"
                " the same spec, or choose another --out")
        for tmp in (out / EVALS).glob(".*.tmp") if (out / EVALS).is_dir() else ():
            tmp.unlink()
        return load_evaluations(out)
    out.mkdir(parents=True, exist_ok=True)
    if (out / EVALS).exists():
        raise CalibrationStateError(f"{out} holds evaluations but no {MANIFEST}; choose another --out")
    tmp = mpath.with_name(f".{mpath.name}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, mpath)
    return {}


def run_evaluations(
    spec: CalibrationSpec,
    out: Path,
    candidates: Sequence[tuple[int, Mapping[str, float]]],
    done: dict[tuple[int, str], CampaignEval],
    pool: Any,
    *,
    replicates: int | None = None,
    on_result: Callable[[CampaignEval], None] | None = None,
    stop_after: list[int] | None = None,
    seed_of: Callable[[int, int], int] | None = None,
) -> dict[int, list[CampaignEval]]:
    """Evaluate candidates on every campaign, reusing ``done``; persist each new evaluation.

    Parameters
    ----------
    candidates : sequence of (trial number, {path: value})
    done : dict
        Evaluations on disk (updated in place).
    pool : Executor
        An open :class:`sim.experiments.executors.Executor`.
    replicates : int, optional
        Default: the spec's.
    on_result : callable, optional
        Called after each new evaluation is on disk.
    stop_after : list of one int, optional
        Test hook: a countdown of new evaluations after which :class:`CalibrationInterrupted`
        is raised (the evaluation that reaches zero is on disk first).
    seed_of : callable (trial, campaign index) -> int, optional
        Master seed of a candidate's replicates on a campaign. Default: common random
        numbers, :func:`sim.calibration.objective.campaign_seed` of the campaign alone.

    Returns
    -------
    dict of trial to its evaluations, in campaign order
    """
    reps = replicates or spec.replicates
    tasks = []
    for trial, asked in candidates:
        values = {**dict(spec.fixed), **asked}
        for i, (name, scen) in enumerate(zip(spec.campaigns, spec.scenarios, strict=True)):
            if (trial, name) in done:
                _check_same(done[(trial, name)], values, out)
                continue
            seed = seed_of(trial, i) if seed_of is not None else campaign_seed(spec.seed, i)
            tasks.append(EvalTask(trial, name, scen, dict(values), reps, seed, spec.model, spec.targets))
    if tasks:
        for ev in pool.imap_unordered(evaluate_task, tasks, max_in_flight=2 * max(pool.workers, 1)):
            write_evaluation(out, ev)
            done[(ev.trial, ev.campaign)] = ev
            if on_result is not None:
                on_result(ev)
            if stop_after is not None:
                stop_after[0] -= 1
                if stop_after[0] <= 0:
                    raise CalibrationInterrupted("stopped by stop_after (test hook)")
    return {t: [done[(t, c)] for c in spec.campaigns] for t, _ in candidates}


def fixed_and(spec: CalibrationSpec, values: Mapping[str, float]) -> dict[str, float]:
    """A candidate's values with the spec's fixed parameters."""
    return {**dict(spec.fixed), **values}


def _check_same(ev: CampaignEval, values: Mapping[str, float], out: Path) -> None:
    if set(ev.values) != set(values) or any(
        not math.isclose(float(ev.values[k]), float(v), rel_tol=1e-12, abs_tol=0.0) for k, v in values.items()
    ):
        raise CalibrationStateError(
            f"{out}: trial {ev.trial} on disk has parameters {dict(ev.values)} but the replayed search asks"
            f" {dict(values)} (a different optimiser version?); start a new --out")


# --------------------------------------------------------------------------- the search


def _distributions(params: Sequence[FitParameter]) -> dict[str, Any]:
    import optuna

    out: dict[str, Any] = {}
    for p in params:
        if p.kind == "int":
            out[p.path] = optuna.distributions.IntDistribution(round(p.low), round(p.high), log=p.scale == "log")
        else:
            out[p.path] = optuna.distributions.FloatDistribution(p.low, p.high, log=p.scale == "log")
    return out


def batch_size(spec: CalibrationSpec, workers: int) -> int:
    """Candidates per batch: the spec's, else the CMA-ES population, else 2 x workers."""
    if spec.batch:
        return spec.batch
    if spec.method == "cmaes":
        return 4 + int(3 * math.log(max(len(spec.parameters), 1)))
    return max(2 * workers, 2)


def _sampler(spec: CalibrationSpec, startup: int) -> Any:
    import optuna

    if spec.method == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=spec.seed, n_startup_trials=startup,
                                            warn_independent_sampling=False)
    if spec.method == "tpe":
        return optuna.samplers.TPESampler(seed=spec.seed, n_startup_trials=startup, multivariate=True,
                                          constant_liar=True)
    return optuna.samplers.RandomSampler(seed=spec.seed)


def _ask_tell(spec: CalibrationSpec, size: int) -> Iterator[tuple[list[Any], Callable[[list[Any], list[float]], None]]]:
    """Yield batches of asked trials and a function that tells their values (in trial order)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    startup = min(spec.budget, max(size, spec.startup))
    study = optuna.create_study(direction="minimize", sampler=_sampler(spec, startup))
    dists = _distributions(spec.parameters)

    def tell(trials: list[Any], values: list[float]) -> None:
        for t, v in zip(trials, values, strict=True):
            study.tell(t, v if math.isfinite(v) else 1.0)

    n = 0
    while n < spec.budget:
        k = min(size, spec.budget - n)
        yield [study.ask(dists) for _ in range(k)], tell
        n += k


def search(
    spec: CalibrationSpec,
    out: str | Path,
    *,
    executor: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool = True,
    stop_after: int | None = None,
) -> SearchOutcome:
    """Run (or resume) the point-estimate search and write its tables.

    Parameters
    ----------
    spec : CalibrationSpec
    out : path
    executor, workers
        Override the spec's ``[execution]``.
    resume : bool
        Continue the search in ``out``; without it an ``out`` holding one is an error.
    progress : bool
        Progress bar on stderr with the best objective so far.
    stop_after : int, optional
        Test hook: raise :class:`CalibrationInterrupted` after that many new evaluations.

    Returns
    -------
    SearchOutcome
    """
    from tqdm import tqdm

    from sim.experiments.executors import open_executor

    t0 = time.perf_counter()
    out = Path(out)
    done = prepare(out, spec, resume=resume)
    n_resumed = len(done)
    workers = workers or spec.workers
    size = batch_size(spec, workers)
    total = spec.budget * len(spec.campaigns)
    trace: list[dict[str, Any]] = []
    best = math.inf
    bar = tqdm(total=total, initial=n_resumed, unit="eval", desc=f"calibrate {spec.name}",
               disable=not progress, file=sys.stderr)
    countdown = [stop_after] if stop_after is not None else None
    try:
        with warnings.catch_warnings(), open_executor(executor or spec.executor, workers=workers) as pool:
            warnings.simplefilter("ignore", category=_experimental_warning())
            for trials, tell in _ask_tell(spec, size):
                cands = [(t.number, dict(t.params)) for t in trials]
                evals = run_evaluations(spec, out, cands, done, pool, stop_after=countdown,
                                        on_result=lambda _e: bar.update(1))
                values = [objective(evals[t.number]) for t in trials]
                tell(trials, values)
                for t, v in zip(trials, values, strict=True):
                    best = min(best, v) if math.isfinite(v) else best
                    trace.append({"trial": t.number, "objective": v, "best": best,
                                  "seconds": round(time.perf_counter() - t0, 2)})
                bar.set_postfix(best=f"{best:.4f}")
    finally:
        bar.close()
    frame = trials_frame(spec, done)
    _write_outputs(spec, out, frame, done, trace)
    row = frame.iloc[int(np.argmin(frame["objective"].to_numpy(dtype=float)))]
    best_d = {"trial": int(row["trial"]), "objective": float(row["objective"]),
              "values": {p: _plain(row[p]) for p in spec.paths}}
    return SearchOutcome(out, frame, best_d, len(done), n_resumed, time.perf_counter() - t0)


def _experimental_warning() -> type[Warning]:
    import optuna

    return optuna.exceptions.ExperimentalWarning


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def trials_frame(spec: CalibrationSpec, done: Mapping[tuple[int, str], CampaignEval]) -> pd.DataFrame:
    """One row per candidate with every campaign evaluated: ``trial``, the parameters,
    ``objective``, ``hit_rate`` (informative targets), ``distance[CAMPAIGN]`` and ``error``."""
    trials = sorted({t for t, _ in done})
    rows = []
    for t in trials:
        evs = [done[(t, c)] for c in spec.campaigns if (t, c) in done]
        if len(evs) != len(spec.campaigns):
            continue
        row: dict[str, Any] = {"trial": t, **{p: float(evs[0].values[p]) for p in spec.paths}}
        row["objective"] = objective(evs)
        row["hit_rate"] = hit_rate(evs)
        for e in evs:
            row[f"distance[{e.campaign}]"] = e.distance
        row["error"] = "; ".join(f"{e.campaign}: {e.error}" for e in evs if e.error)
        rows.append(row)
    return pd.DataFrame(rows)


def targets_frame(done: Mapping[tuple[int, str], CampaignEval]) -> pd.DataFrame:
    """One row per candidate, campaign and target (median, 5-95 %, distance, hit, share inside)."""
    rows = []
    for (trial, campaign), ev in sorted(done.items()):
        for t in ev.targets:
            rows.append({"trial": trial, "campaign": campaign, "key": t.key, "id": t.id, "kind": t.kind,
                         "weight": t.weight, "informative": t.informative, "documented": t.documented,
                         "median": t.median, "p5": t.p5, "p95": t.p95, "distance": t.distance,
                         "hit": t.hit, "share_in": t.share_in})
    return pd.DataFrame(rows)


def point_toml(values: Mapping[str, Any], *, header: str = "") -> str:
    """A parameter file (``--params``) holding ``values`` as nested TOML tables."""
    tables: dict[str, dict[str, Any]] = {}
    for path, v in sorted(values.items()):
        head, _, key = path.rpartition(".")
        tables.setdefault(head, {})[key] = v
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    for head, items in tables.items():
        lines.append(f"\n[{head}]" if head else "")
        for key, v in items.items():
            lines.append(f"{key} = {_toml_value(v)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return json.dumps(str(v))


def _write_outputs(
    spec: CalibrationSpec, out: Path, frame: pd.DataFrame, done: Mapping[tuple[int, str], CampaignEval],
    trace: list[dict[str, Any]],
) -> None:
    write_parquet_atomic(frame, out / "trials.parquet")
    write_parquet_atomic(targets_frame(done), out / "targets.parquet")
    tr = pd.DataFrame(trace) if trace else pd.DataFrame(columns=["trial", "objective", "best", "seconds"])
    tr.to_csv(out / "trace.csv", index=False)
    if len(frame):
        row = frame.iloc[int(np.argmin(frame["objective"].to_numpy(dtype=float)))]
        values = {p: (round(float(row[p])) if q.kind == "int" else float(row[p]))
                  for p, q in zip(spec.paths, spec.parameters, strict=True)}
        best = {"trial": int(row["trial"]), "objective": float(row["objective"]),
                "hit_rate": float(row["hit_rate"]), "values": values, "seed": spec.seed,
                "campaigns": list(spec.campaigns), "model": spec.model}
        (out / "best.json").write_text(json.dumps(best, indent=2) + "\n", encoding="utf-8")
        header = (f"Best candidate (trial {best['trial']}) of calibration {spec.name!r} ({spec.model}),"
                  f" objective {best['objective']:.4f}; seed {spec.seed}.\n"
                  f"Use: basmachi run SCENARIO --params {out / 'point.toml'}")
        (out / "point.toml").write_text(point_toml(fixed_and(spec, values), header=header), encoding="utf-8")
