"""Sweeps: a design x replicates of seeded runs through an executor, streamed to disk.

Run ``i`` (``run_id = point * replicates + replicate``, in design order) is seeded with
``SeedSequence(seed, spawn_key=(i,))`` -- exactly the ``i``-th child of
``SeedSequence(seed).spawn(n_runs)`` -- so every seed is fixed before dispatch and a
run's result depends neither on the executor, the number of workers nor the order
in which runs finish. Any run can be rebuilt alone from its ``seed_entropy`` and
``spawn_key`` (:func:`sim.seeds.from_record`) and its design point.

The output folder holds::

    sweep.json             what the sweep is (spec digest, design, columns)
    design.parquet         the design points
    parts/runs-NNNNNN.parquet, parts/series-NNNNNN.parquet
                           finished runs, written atomically as they come in
    index.jsonl            one line per part: its file names and run ids
    runs.parquet           the final table: one row per run, ordered by run_id
    timeseries.parquet     (``outputs.timeseries = true``) metrics per run and day

A part counts only once its index line is written; on ``resume`` parts missing
from the index (a kill between the two writes) are deleted and their runs redone,
so a sweep killed at any moment and resumed ends with exactly the runs, and the
values, of an uninterrupted one. Memory stays bounded: results are flushed every
``flush_runs`` runs or ``flush_seconds`` seconds and the final tables are merged
from the parts in chunks of run ids.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.designs import Design, make_design
from sim.experiments.executors import open_executor
from sim.experiments.spec import OutputSpec, SweepSpec, check_executor, load_spec
from sim.results import write_parquet_atomic
from sim.scenario import Scenario, ScenarioError
from sim.seeds import seed_record

__all__ = [
    "BatchTask",
    "SweepOutcome",
    "SweepStateError",
    "extract_outputs",
    "plan",
    "run_batch",
    "run_seed",
    "sweep",
]

INDEX = "index.jsonl"
MANIFEST = "sweep.json"


class SweepStateError(RuntimeError):
    """The output folder does not fit the request (e.g. it holds another sweep)."""


# --------------------------------------------------------------------------- worker side


@dataclasses.dataclass(frozen=True)
class BatchTask:
    """Runs sent to a worker as one task.

    Attributes
    ----------
    base : Scenario
        The base scenario; each run applies its design point with ``with_values``.
    seed : int
        Master seed of the sweep.
    outputs : OutputSpec
    runs : tuple of (run_id, point, replicate)
    values : mapping of point to {dotted path: value}
    raise_errors : bool
        Raise a failing run's exception instead of recording it in ``error``.
    base_digest : str
        ``base.digest()``, computed once by the parent ("" : the worker computes it).
    """

    base: Scenario
    seed: int
    outputs: OutputSpec
    runs: tuple[tuple[int, int, int], ...]
    values: Mapping[int, Mapping[str, Any]]
    raise_errors: bool = False
    base_digest: str = ""


@dataclasses.dataclass(frozen=True)
class BatchOutput:
    """What a task returns: rows of ``runs.parquet``, optional time series, compute seconds."""

    rows: pd.DataFrame
    series: pd.DataFrame | None
    seconds: float


def run_seed(seed: int, run_id: int) -> np.random.SeedSequence:
    """Seed of run ``run_id``: the ``run_id``-th child of ``SeedSequence(seed)``."""
    return np.random.SeedSequence(seed, spawn_key=(run_id,))


def extract_outputs(steps: pd.DataFrame, events: pd.DataFrame, outputs: OutputSpec) -> dict[str, float]:
    """The output columns of one run from its ``steps`` and ``events`` tables."""
    row: dict[str, float] = {}
    by_day = steps.set_index("day")
    for m in outputs.metrics:
        col = by_day[m].to_numpy(dtype=np.float64)
        if outputs.final:
            row[m] = float(col[-1])
        for d in outputs.at_days:
            row[f"{m}_day{d}"] = float(by_day[m].get(d, np.nan))
        for agg in outputs.aggregates:
            row[f"{m}_{agg}"] = float(getattr(np, agg)(col)) if len(col) else math.nan
    for kind in outputs.events:
        mask = (events["kind"] == kind).to_numpy(dtype=bool, na_value=False)
        row[f"events_{kind}"] = float(mask.sum())
        row[f"events_{kind}_n"] = float(events["n"].to_numpy(dtype=np.float64)[mask].sum())
    return row


def run_batch(task: BatchTask) -> BatchOutput:
    """Run every run of ``task`` (in a worker) and return its rows.

    The worker keeps the design points' scenarios (:func:`~sim.experiments.worker.point_scenario`)
    and their builds (:func:`sim.batch.shared_build`) for its next tasks, announces the
    task's runs to :mod:`sim.kernels.dispatch` before the first (:func:`sim.batch.expect_runs`)
    and reads the outputs from the recorder's arrays
    (:func:`~sim.experiments.worker.output_tables`); the same values as
    ``extract_outputs`` of :func:`sim.runner.run`'s tables.
    """
    from sim.batch import expect_runs, simulate_shared
    from sim.experiments.worker import output_tables, point_scenario

    t0 = time.perf_counter()
    out = task.outputs
    columns = out.columns()
    rows: list[dict[str, Any]] = []
    series: list[pd.DataFrame] = []
    for k, (run_id, point, replicate) in enumerate(task.runs):
        values = dict(task.values[point])
        ss = run_seed(task.seed, run_id)
        row: dict[str, Any] = {"run_id": run_id, "point": point, "replicate": replicate, **values,
                               **seed_record(ss), "scenario_hash": "", "error": ""}
        try:
            scenario, row["scenario_hash"] = point_scenario(task.base, point, values,
                                                            base_digest=task.base_digest)
            if k == 0:  # the compiled passes from this run on if the task's work pays for them
                expect_runs(scenario, len(task.runs) - 1)
            if out.score:
                from sim.calibration.screening import run_scored

                result, scores = run_scored(scenario, ss, run_id, out.targets)
                row.update(scores)
                steps, events = result.steps, result.events
            else:
                # Runs of one design point share the world's build in this worker (sim.batch).
                steps, events = output_tables(simulate_shared(scenario, seed=ss), run_id, out)
            row.update(extract_outputs(steps, events, out))
            if out.timeseries:
                keep = steps[steps["day"] % out.timeseries_every == 0]
                series.append(keep[["run_id", "day", *out.metrics]].reset_index(drop=True))
        except Exception as exc:  # a failing run is recorded (or re-raised) with its seed
            if task.raise_errors:
                raise
            row["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        rows.append(row)
    frame = pd.DataFrame(rows)
    for c in columns:
        if c not in frame:
            frame[c] = np.nan
    lead = ["run_id", "point", "replicate", *task.values[task.runs[0][1]].keys(),
            "seed_entropy", "spawn_key", "scenario_hash"]
    frame = frame[[*lead, *columns, "error"]]
    frame = frame.astype(dict.fromkeys(columns, "float64") | {"run_id": "int64", "point": "int64",
                                                             "replicate": "int64"})
    ts = None
    if out.timeseries:
        ts = pd.concat(series, ignore_index=True) if series else _empty_series(out)
        ts = ts.astype(dict.fromkeys(out.metrics, "float64") | {"run_id": "int64", "day": "int64"})
    return BatchOutput(frame, ts, time.perf_counter() - t0)


def _empty_series(out: OutputSpec) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in ("run_id", "day", *out.metrics)})


# --------------------------------------------------------------------------- parent side


@dataclasses.dataclass(frozen=True)
class SweepOutcome:
    """Where a sweep's tables are and what happened.

    Attributes
    ----------
    out : Path
        The output folder.
    runs_path : Path
        ``OUT/runs.parquet``.
    timeseries_path : Path or None
        ``OUT/timeseries.parquet`` if the spec asked for time series.
    n_runs : int
        Runs in the sweep.
    n_resumed : int
        Runs found finished on disk at the start (``resume``).
    n_errors : int
        Runs whose ``error`` is not empty.
    seconds : float
        Wall time of this call.
    executor : str
    workers : int
    """

    out: Path
    runs_path: Path
    timeseries_path: Path | None
    n_runs: int
    n_resumed: int
    n_errors: int
    seconds: float
    executor: str
    workers: int

    def runs(self) -> pd.DataFrame:
        """The final table, one row per run."""
        return pd.read_parquet(self.runs_path)

    def timeseries(self) -> pd.DataFrame:
        """The time-series table (raises if the sweep has none)."""
        if self.timeseries_path is None:
            raise FileNotFoundError("this sweep kept no time series (outputs.timeseries = false)")
        return pd.read_parquet(self.timeseries_path)


def plan(spec: SweepSpec, design: Design | None = None) -> tuple[Design, int]:
    """Design and number of runs (design points x replicates) of ``spec``."""
    design = design if design is not None else make_design(spec)
    return design, len(design) * spec.replicates


def sweep(
    spec: SweepSpec | str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    executor: str | None = None,
    resume: bool = False,
    progress: bool = True,
    batch_size: int | None = None,
) -> SweepOutcome:
    """Run a sweep and write its tables.

    Parameters
    ----------
    spec : SweepSpec or path to a spec TOML
    out : path, optional
        Output folder (default ``results/sweeps/<name>``).
    workers, executor, batch_size
        Override ``[execution]`` of the spec; executor is ``serial``, ``local``,
        ``dask`` or ``dask://HOST:PORT``.
    resume : bool
        Continue the sweep already in ``out``, skipping finished runs. Without it, an
        ``out`` holding a sweep is an error.
    progress : bool
        Show a progress bar (rate and ETA) on stderr.

    Returns
    -------
    SweepOutcome

    Raises
    ------
    ScenarioError
        For a malformed spec (every problem names file, field, value, allowed).
    SweepStateError
        If ``out`` holds another sweep, or holds one and ``resume`` is false.
    """
    t0 = time.perf_counter()
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    ex = spec.execution
    executor = executor or ex.executor
    problems = check_executor(executor, origin="--executor", path="executor")
    if problems:
        raise ScenarioError(problems)
    workers = workers or ex.workers
    out = Path(out) if out is not None else Path("results") / "sweeps" / spec.name
    design, n_runs = plan(spec)
    done = _prepare(out, spec, design, n_runs, resume=resume)
    n_resumed = int(done.sum())
    pending = np.flatnonzero(~done)

    writer = _PartWriter(out, spec.outputs, flush_runs=ex.flush_runs, flush_seconds=ex.flush_seconds)
    from tqdm import tqdm

    bar = tqdm(total=n_runs, initial=n_resumed, unit="run", desc=spec.name, disable=not progress,
               file=sys.stderr, smoothing=0.1)
    used = executor
    try:
        if len(pending):
            with open_executor(executor, workers=workers) as pool:
                used, workers = pool.name, pool.workers
                size = batch_size or ex.batch_size or _auto_batch(len(pending), workers)
                in_flight = ex.max_in_flight or 2 * workers
                tasks = _tasks(spec, design, pending, size)
                for res in pool.imap_unordered(run_batch, tasks, max_in_flight=in_flight):
                    writer.add(res)
                    bar.update(len(res.rows))
    finally:
        bar.close()
        writer.flush()
    runs_path, ts_path = _merge_all(out, spec.outputs, n_runs)
    n_errors = int((pd.read_parquet(runs_path, columns=["error"])["error"] != "").sum())
    return SweepOutcome(out, runs_path, ts_path, n_runs, n_resumed, n_errors,
                        time.perf_counter() - t0, used, workers)


def _auto_batch(n_pending: int, workers: int) -> int:
    """Runs per task: enough tasks to balance load and show progress, few enough to amortise."""
    return max(1, min(16, math.ceil(n_pending / (workers * 16))))


def _tasks(spec: SweepSpec, design: Design, pending: np.ndarray, size: int) -> Iterator[BatchTask]:
    reps = spec.replicates
    cols = list(spec.paths)
    raise_errors = spec.execution.on_error == "raise"
    base_digest = spec.scenario.digest()
    for lo in range(0, len(pending), size):
        ids = [int(i) for i in pending[lo:lo + size]]
        runs = tuple((i, i // reps, i % reps) for i in ids)
        points = design.points
        values = {p: _plain_values({c: points[c].iat[p] for c in cols}) for p in {r[1] for r in runs}}
        yield BatchTask(spec.scenario, spec.seed, spec.outputs, runs, values, raise_errors,
                        base_digest)


def _plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}


def _manifest(spec: SweepSpec, design: Design, n_runs: int) -> dict[str, Any]:
    return {
        "name": spec.name,
        "digest": spec.digest(),
        "spec": spec.origin,
        "scenario": spec.scenario_ref,
        "scenario_hash": spec.scenario.digest(),
        "design": spec.design,
        "parameters": list(spec.paths),
        "points": len(design),
        "replicates": spec.replicates,
        "seed": spec.seed,
        "runs": n_runs,
        "outputs": list(spec.outputs.columns()),
        "timeseries": spec.outputs.timeseries,
    }


def _prepare(out: Path, spec: SweepSpec, design: Design, n_runs: int, *, resume: bool) -> np.ndarray:
    """Check or create the output folder; return the mask of finished runs."""
    manifest = _manifest(spec, design, n_runs)
    mpath = out / MANIFEST
    done = np.zeros(n_runs, dtype=bool)
    if mpath.exists():
        if not resume:
            raise SweepStateError(
                f"{out} already holds a sweep; pass --resume (resume=True) to continue it,"
                " or choose another output folder")
        old = json.loads(mpath.read_text())
        if old.get("digest") != manifest["digest"]:
            diff = [k for k in manifest if k != "spec" and old.get(k) != manifest[k]] or ["digest"]
            raise SweepStateError(
                f"{out} holds a different sweep (differs in: {', '.join(diff)}); resume it with"
                " the same spec, or choose another output folder")
        for entry in _read_index(out):
            for lo, hi in entry["runs"]:
                done[lo:hi] = True
        _remove_orphans(out)
        return done
    out.mkdir(parents=True, exist_ok=True)
    if (out / INDEX).exists() or (out / "parts").exists():
        raise SweepStateError(f"{out} holds sweep parts but no {MANIFEST}; choose another output folder")
    frame = design.points.reset_index(names="point")
    write_parquet_atomic(frame, out / "design.parquet")
    _write_text_atomic(mpath, json.dumps(manifest, indent=2) + "\n")
    return done


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _read_index(out: Path) -> list[dict[str, Any]]:
    """Valid index lines (a torn last line from a kill is ignored)."""
    path = out / INDEX
    if not path.exists():
        return []
    entries = []
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and "runs" in entry and "files" in entry:
            entries.append(entry)
    return entries


def _remove_orphans(out: Path) -> None:
    """Delete part files not named in the index and rewrite the index without torn lines."""
    entries = _read_index(out)
    known = {f for e in entries for f in e["files"]}
    parts = out / "parts"
    if parts.is_dir():
        for f in parts.iterdir():
            if f.name not in known:
                f.unlink()
    _write_text_atomic(out / INDEX, "".join(json.dumps(e) + "\n" for e in entries))


def _ranges(ids: np.ndarray) -> list[list[int]]:
    """Sorted run ids as half-open ``[lo, hi)`` ranges."""
    if not len(ids):
        return []
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    return [[int(c[0]), int(c[-1]) + 1] for c in np.split(ids, breaks)]


class _PartWriter:
    """Buffers finished batches and writes them as atomic parts plus an index line."""

    def __init__(self, out: Path, outputs: OutputSpec, *, flush_runs: int, flush_seconds: float) -> None:
        self.out = out
        self.outputs = outputs
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        self.rows: list[pd.DataFrame] = []
        self.series: list[pd.DataFrame] = []
        self.seconds = 0.0
        self.buffered = 0
        self.last = time.monotonic()
        numbers = [int(f.split("-")[1].split(".")[0]) for e in _read_index(out) for f in e["files"]]
        self.next = max(numbers, default=0) + 1

    def add(self, res: BatchOutput) -> None:
        self.rows.append(res.rows)
        if res.series is not None:
            self.series.append(res.series)
        self.seconds += res.seconds
        self.buffered += len(res.rows)
        if self.buffered >= self.flush_runs or time.monotonic() - self.last >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.rows:
            return
        rows = pd.concat(self.rows, ignore_index=True).sort_values("run_id", kind="stable")
        n = self.next
        files = []
        if self.outputs.timeseries:
            series = pd.concat(self.series, ignore_index=True) if self.series else _empty_series(self.outputs)
            series = series.sort_values(["run_id", "day"], kind="stable")
            name = f"series-{n:06d}.parquet"
            write_parquet_atomic(series, self.out / "parts" / name)
            files.append(name)
        name = f"runs-{n:06d}.parquet"
        write_parquet_atomic(rows, self.out / "parts" / name)
        files.append(name)
        entry = {"part": n, "files": files, "runs": _ranges(rows["run_id"].to_numpy()),
                 "n": len(rows), "compute_seconds": round(self.seconds, 4)}
        fd = os.open(self.out / INDEX, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(entry) + "\n").encode())
        finally:
            os.close(fd)
        self.next += 1
        self.rows, self.series, self.seconds, self.buffered = [], [], 0.0, 0


def _merge_all(out: Path, outputs: OutputSpec, n_runs: int) -> tuple[Path, Path | None]:
    entries = _read_index(out)
    runs_files = [out / "parts" / f for e in entries for f in e["files"] if f.startswith("runs-")]
    got = sum(int(e["n"]) for e in entries)
    if got != n_runs:
        raise SweepStateError(f"{out}: {got} of {n_runs} runs finished; run again with --resume")
    runs_path = _merge(runs_files, out / "runs.parquet", n_runs, chunk=200_000, expect_unique=True)
    ts_path = None
    if outputs.timeseries:
        files = [out / "parts" / f for e in entries for f in e["files"] if f.startswith("series-")]
        ts_path = _merge(files, out / "timeseries.parquet", n_runs, chunk=5_000, expect_unique=False)
    return runs_path, ts_path


def _merge(files: list[Path], target: Path, n_runs: int, *, chunk: int, expect_unique: bool) -> Path:
    """Concatenate parts ordered by run id, ``chunk`` run ids at a time, into ``target``."""
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    dataset = pads.dataset([str(f) for f in files], format="parquet")
    tmp = target.with_name(f".{target.name}.tmp")
    seen = 0
    writer = pq.ParquetWriter(tmp, dataset.schema)
    try:
        for lo in range(0, n_runs, chunk):
            field = pads.field("run_id")
            table = dataset.to_table(filter=(field >= lo) & (field < lo + chunk))
            keys = [("run_id", "ascending"), ("day", "ascending")] if "day" in table.column_names \
                else [("run_id", "ascending")]
            table = table.sort_by(keys)
            if expect_unique:
                ids = table.column("run_id").to_numpy()
                if len(ids) != min(chunk, n_runs - lo) or (len(ids) > 1 and not (np.diff(ids) == 1).all()):
                    raise SweepStateError(f"{target.parent}: parts hold missing or duplicated runs")
                seen += len(ids)
            writer.write_table(table)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(tmp, target)
    return target
