"""Sweep specifications: the TOML schema of ``basmachi sweep`` / ``basmachi sensitivity``.

A spec names a base scenario, the parameters to vary (dotted paths into the
scenario), a design, replicates, a master seed, the outputs to keep and how to
execute. Every problem is reported at once as a :class:`sim.scenario.ScenarioError`
whose :class:`~sim.scenario.Problem` entries name the file, the field, the bad value
and what is allowed. A minimal spec::

    [sweep]
    name = "tiny_lhs"
    scenario = "tiny"            # a name in scenarios/ or a path (relative to this file)
    design = "lhs"               # factorial | lhs | sobol | saltelli | morris
    samples = 50                 # design points (saltelli: base samples N, morris: trajectories)
    replicates = 4
    seed = 20240601

    [[parameters]]
    path = "movement.march_hours"
    min = 6.0
    max = 10.0

    [outputs]
    metrics = ["insurgent_fighters", "mean_support"]
    final = true
    at_days = [30]
    aggregates = ["mean", "min"]
    events = ["requisition"]
    timeseries = false

    [execution]
    executor = "local"           # serial | local | dask | dask://HOST:PORT
    workers = 2
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.paths import scenarios_dir
from sim.recorder import STEP_COLUMNS
from sim.scenario import Scenario, ScenarioError, find_scenario, load_scenario
from sim.validation import NAME_ALLOWED, Checker, Problem, is_safe_name, read_toml

__all__ = [
    "AGGREGATES",
    "DESIGNS",
    "ExecutionSpec",
    "OutputSpec",
    "ParameterSpec",
    "SweepSpec",
    "check_executor",
    "load_spec",
    "parse_spec",
]

DESIGNS = ("factorial", "lhs", "sobol", "saltelli", "morris")
SENSITIVITY_DESIGNS = ("saltelli", "morris")
AGGREGATES = ("mean", "min", "max", "std", "sum")
METRICS = tuple(c for c in STEP_COLUMNS if c != "day")
SCALES = ("linear", "log")
EXECUTORS = ("serial", "local", "dask", "dask://HOST:PORT")
MAX_SAMPLES = 1_048_576
"""Most design samples of a sweep (2**20)."""
MAX_REPLICATES = 10_000
"""Most replicates per design point."""


@dataclasses.dataclass(frozen=True)
class ParameterSpec:
    """One varied parameter.

    Continuous designs use ``min``/``max`` (and ``scale``); the factorial design uses
    ``levels``, or ``n`` evenly spaced values between ``min`` and ``max``. ``kind`` is
    taken from the base scenario's value: ``int`` parameters are rounded, ``bool`` and
    ``str`` parameters can only be given as factorial levels.
    """

    path: str
    kind: str  # "float", "int", "bool" or "str"
    min: float | None = None
    max: float | None = None
    levels: tuple[Any, ...] = ()
    n: int = 0
    scale: str = "linear"

    @property
    def bounds(self) -> tuple[float, float]:
        """Sampling bounds (in log10 space for ``scale = "log"``)."""
        lo, hi = float(self.min or 0.0), float(self.max or 0.0)
        if self.scale == "log":
            return math.log10(lo), math.log10(hi)
        return lo, hi

    def from_unit(self, x: float) -> Any:
        """Map a sampled value in :attr:`bounds` to the parameter's value."""
        value = 10.0**x if self.scale == "log" else x
        if self.kind == "int":
            return round(value)
        return float(value)

    def factorial_levels(self) -> tuple[Any, ...]:
        """Levels of the factorial design."""
        if self.levels:
            return self.levels
        lo, hi = self.bounds
        steps = [lo + (hi - lo) * i / (self.n - 1) for i in range(self.n)] if self.n > 1 else [lo]
        return tuple(dict.fromkeys(self.from_unit(x) for x in steps))


@dataclasses.dataclass(frozen=True)
class OutputSpec:
    """What to keep from each run (columns of ``runs.parquet`` and the time-series table)."""

    metrics: tuple[str, ...] = ("insurgent_fighters", "state_strength", "bands_active", "mean_support")
    final: bool = True
    at_days: tuple[int, ...] = ()
    aggregates: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    timeseries: bool = False
    timeseries_every: int = 1
    score: bool = False
    score_keys: tuple[str, ...] = ()
    targets: str = ""

    def columns(self) -> tuple[str, ...]:
        """Names of the output columns, in table order.

        With ``score = true``: ``score_distance`` and ``score_share_in`` (weighted over the
        informative targets of the scenario) and ``score_distance[KEY]``, ``score_in[KEY]``
        per target, each from the run alone (see :func:`sim.calibration.screening.score_columns`).
        """
        cols: list[str] = []
        if self.score:
            cols += ["score_distance", "score_share_in"]
            for k in self.score_keys:
                cols += [f"score_distance[{k}]", f"score_in[{k}]"]
        for m in self.metrics:
            if self.final:
                cols.append(m)
            cols.extend(f"{m}_day{d}" for d in self.at_days)
            cols.extend(f"{m}_{a}" for a in self.aggregates)
        for kind in self.events:
            cols.extend((f"events_{kind}", f"events_{kind}_n"))
        return tuple(cols)


@dataclasses.dataclass(frozen=True)
class ExecutionSpec:
    """How to run: executor, workers, runs per task, tasks in flight, flush policy."""

    executor: str = "local"
    workers: int = 2
    batch_size: int = 0  # 0: automatic
    max_in_flight: int = 0  # 0: 2 x workers
    flush_runs: int = 1000
    flush_seconds: float = 5.0
    on_error: str = "record"


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification. Build it with :func:`load_spec` or :func:`parse_spec`."""

    name: str
    scenario: Scenario
    scenario_ref: str
    design: str
    parameters: tuple[ParameterSpec, ...]
    samples: int = 0
    replicates: int = 1
    seed: int = 0
    scramble: bool = True
    second_order: bool = False
    levels: int = 4
    outputs: OutputSpec = dataclasses.field(default_factory=OutputSpec)
    execution: ExecutionSpec = dataclasses.field(default_factory=ExecutionSpec)
    analyse: tuple[str, ...] = ()
    conf_level: float = 0.95
    resamples: int = 200
    origin: str = "<spec>"

    @property
    def paths(self) -> tuple[str, ...]:
        """Dotted paths of the varied parameters, in spec order."""
        return tuple(p.path for p in self.parameters)

    def digest(self) -> str:
        """SHA-256 of everything that decides the runs and their outputs (not how they run)."""
        data = {
            "scenario": self.scenario.digest(),
            "design": self.design,
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "samples": self.samples,
            "replicates": self.replicates,
            "seed": self.seed,
            "scramble": self.scramble,
            "second_order": self.second_order,
            "levels": self.levels,
            "outputs": dataclasses.asdict(self.outputs),
        }
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- loading


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec TOML file.

    Raises
    ------
    ScenarioError
        Listing every problem with file, field, value and what is allowed (also for
        problems of the base scenario).
    """
    p = Path(path)
    data = read_toml(p, what="a sweep spec TOML file")
    return parse_spec(data, origin=str(p), base_dir=p.parent)


def _scenario_target(ref: str, base_dir: str | Path | None) -> str | Path:
    """The spec's base scenario: a name in scenarios/, or a .toml file under the spec's folder."""
    if base_dir is None or ("/" not in ref and "\\" not in ref and not ref.endswith(".toml")):
        return ref
    candidate = Path(base_dir) / ref
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError, ValueError):
        resolved = None
    roots = (Path(base_dir).resolve(), scenarios_dir().resolve())
    if resolved is None or resolved.suffix != ".toml" or not any(
        resolved.is_relative_to(r) for r in roots
    ):
        raise ScenarioError(
            [Problem(str(ref), "", str(ref), "a scenario name, or a .toml file in the spec's folder"
                     " tree or scenarios/")]
        )
    return candidate if candidate.is_file() else ref


def check_executor(value: Any, *, origin: str, path: str) -> list[Problem]:
    """Problems with an executor name (empty list when it is valid)."""
    if isinstance(value, str):
        if value in ("serial", "local", "dask"):
            return []
        if value.startswith("dask://"):
            host, _, port = value[len("dask://"):].rpartition(":")
            if host and port.isdigit():
                return []
    return [Problem(origin, path, value, "one of " + ", ".join(EXECUTORS))]


def parse_spec(
    data: Mapping[str, Any], *, origin: str = "<spec>", base_dir: str | Path | None = None
) -> SweepSpec:
    """Validate a spec given as a nested dict (as read from TOML)."""
    v = Checker(origin)
    v.unknown(data, "", ("sweep", "parameters", "outputs", "execution", "sensitivity"))
    top = v.table(data, "sweep", required=True)
    name = v.get(top, "sweep.name", str, "unnamed")
    if not is_safe_name(name):
        v.problem("sweep.name", name, NAME_ALLOWED)
    ref = v.get(top, "sweep.scenario", str, "")
    design = v.choice(top, "sweep.design", DESIGNS, "lhs")
    samples = v.get(top, "sweep.samples", int, 0, ge=0, le=MAX_SAMPLES)
    replicates = v.get(top, "sweep.replicates", int, 1, ge=1, le=MAX_REPLICATES)
    seed = v.get(top, "sweep.seed", int, 0, ge=0, le=2**53)
    scramble = v.get(top, "sweep.scramble", bool, True)
    second_order = v.get(top, "sweep.second_order", bool, False)
    levels = v.get(top, "sweep.levels", int, 4, ge=2, le=100)
    v.unknown(top, "sweep", ("name", "scenario", "design", "samples", "replicates", "seed",
                             "scramble", "second_order", "levels"))

    scenario: Scenario | None = None
    if not ref:
        v.problem("sweep.scenario", ref, "a scenario name in scenarios/ or a path to a scenario TOML")
    else:
        try:
            target = _scenario_target(ref, base_dir)
            find_scenario(target)
            scenario = load_scenario(target)
        except ScenarioError as exc:
            if len(exc.problems) == 1 and not exc.problems[0].path:
                v.problem("sweep.scenario", ref, exc.problems[0].allowed)
            else:
                v.problems.extend(exc.problems)

    parameters = _parse_parameters(v, data.get("parameters"), scenario, design)
    if design in ("lhs", "sobol", "saltelli", "morris") and samples < 1:
        v.problem("sweep.samples", samples, f"a positive number of samples for design {design!r}")
    if design in ("sobol", "saltelli") and samples >= 1 and samples & (samples - 1):
        v.problem("sweep.samples", samples,
                  f"a power of 2 for design {design!r} (e.g. {1 << max(samples.bit_length() - 1, 0)}"
                  f" or {1 << samples.bit_length()})")
    if design == "factorial" and samples:
        v.problem("sweep.samples", samples, "no `samples` for a factorial design (levels decide)")
    if design == "morris" and len(parameters) < 2:
        v.problem("parameters", len(parameters), "at least 2 parameters for a Morris design")

    raw_outputs = dict(v.table(data, "outputs"))
    ref_targets = raw_outputs.get("targets")
    if isinstance(ref_targets, str) and ref_targets and base_dir is not None \
            and (Path(base_dir) / ref_targets).is_file():
        raw_outputs["targets"] = str(Path(base_dir) / ref_targets)  # relative to the spec file
    outputs = _parse_outputs(v, raw_outputs, scenario)
    execution = _parse_execution(v, v.table(data, "execution"))

    sens = v.table(data, "sensitivity")
    v.unknown(sens, "sensitivity", ("outputs", "conf_level", "resamples"))
    analyse = tuple(v.get(sens, "sensitivity.outputs", list, []))
    for i, col in enumerate(analyse):
        if col not in outputs.columns():
            v.problem(f"sensitivity.outputs[{i}]", col,
                      "one of the output columns: " + ", ".join(outputs.columns()))
    conf_level = v.get(sens, "sensitivity.conf_level", float, 0.95, gt=0.0, lt=1.0)
    resamples = v.get(sens, "sensitivity.resamples", int, 200, ge=10, le=100_000)

    if v.problems or scenario is None:
        raise ScenarioError(v.problems)
    return SweepSpec(
        name=name, scenario=scenario, scenario_ref=ref, design=design,
        parameters=tuple(parameters), samples=samples, replicates=replicates, seed=seed,
        scramble=scramble, second_order=second_order, levels=levels, outputs=outputs,
        execution=execution, analyse=analyse, conf_level=conf_level, resamples=resamples,
        origin=origin,
    )


def _parse_parameters(
    v: Checker, raw: Any, scenario: Scenario | None, design: str
) -> list[ParameterSpec]:
    if not isinstance(raw, list) or not raw:
        v.problem("parameters", raw, "one or more [[parameters]] tables, each with a `path`")
        return []
    base = scenario.to_dict() if scenario is not None else None
    out: list[ParameterSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"parameters[{i}]"
        if not isinstance(entry, dict):
            v.problem(where, entry, "a table with `path` and `min`/`max` or `levels`")
            continue
        v.unknown(entry, where, ("path", "min", "max", "levels", "n", "scale"))
        path = v.get(entry, f"{where}.path", str, "")
        if not path:
            v.problem(f"{where}.path", path, "a dotted parameter path, e.g. 'movement.march_hours'")
            continue
        if path in seen:
            v.problem(f"{where}.path", path, "each path at most once")
            continue
        seen.add(path)
        kind = "float"
        if base is not None:
            current = _lookup(base, path)
            if current is _MISSING:
                v.problem(f"{where}.path", path,
                          "a dotted path to a scalar parameter of the scenario (see `basmachi schema`)")
                continue
            kind = {bool: "bool", int: "int", float: "float", str: "str"}.get(type(current), "")
            if not kind:
                v.problem(f"{where}.path", path, "a scalar (number, boolean or text) parameter")
                continue
        levels = tuple(v.get(entry, f"{where}.levels", list, []))
        n = v.get(entry, f"{where}.n", int, 0, ge=0, le=1000)
        scale = v.choice(entry, f"{where}.scale", SCALES, "linear")
        lo = entry.get("min")
        hi = entry.get("max")
        for key, val in (("min", lo), ("max", hi)):
            if val is not None and (
                isinstance(val, bool)
                or not isinstance(val, (int, float))
                or not math.isfinite(val)
                or abs(val) > 1e300
            ):
                v.problem(f"{where}.{key}", val, "a finite number")
                lo, hi = (None, hi) if key == "min" else (lo, None)
        numeric = kind in ("int", "float")
        has_range = isinstance(lo, (int, float)) and isinstance(hi, (int, float)) \
            and not isinstance(lo, bool) and not isinstance(hi, bool)
        if design == "factorial":
            if not levels and not (has_range and n >= 1):
                v.problem(where, entry, "`levels = [...]`, or `min`, `max` and `n` (number of levels)")
                continue
        else:
            if levels:
                v.problem(f"{where}.levels", levels,
                          f"no levels for design {design!r}: give `min` and `max` (levels are for factorial)")
                continue
            if not numeric:
                v.problem(f"{where}.path", path,
                          f"a numeric parameter for design {design!r} ({kind} parameters need"
                          " a factorial design with levels)")
                continue
            if not has_range:
                v.problem(where, entry, "`min` and `max` numbers")
                continue
        if has_range:
            assert isinstance(lo, (int, float)) and isinstance(hi, (int, float))
            if not lo < hi:
                v.problem(f"{where}.max", hi, f"a number greater than min = {lo}")
                continue
            if scale == "log" and lo <= 0:
                v.problem(f"{where}.min", lo, "a positive number for scale = 'log'")
                continue
        if scenario is not None:
            probe: list[tuple[str, Any]] = [(f"{where}.levels[{j}]", x) for j, x in enumerate(levels)]
            if has_range:
                probe += [(f"{where}.min", lo), (f"{where}.max", hi)]
            for field, raw_value in probe:
                value = raw_value
                if kind == "int" and isinstance(value, float):
                    value = round(value)
                if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                try:
                    scenario.with_values({path: value}, origin=v.origin)
                except ScenarioError as exc:
                    for prob in exc.problems:
                        v.problem(field, value, f"{prob.allowed} (parameter {prob.path})")
        out.append(ParameterSpec(
            path=path, kind=kind,
            min=float(lo) if has_range else None,  # type: ignore[arg-type]
            max=float(hi) if has_range else None,  # type: ignore[arg-type]
            levels=levels, n=n, scale=scale,
        ))
    return out


def _parse_outputs(v: Checker, raw: Mapping[str, Any], scenario: Scenario | None) -> OutputSpec:
    d = OutputSpec()
    v.unknown(raw, "outputs", ("metrics", "final", "at_days", "aggregates", "events",
                               "timeseries", "timeseries_every", "score", "targets"))
    metrics = tuple(v.get(raw, "outputs.metrics", list, list(d.metrics)))
    for i, m in enumerate(metrics):
        if m not in METRICS:
            v.problem(f"outputs.metrics[{i}]", m, "one of " + ", ".join(METRICS))
    at_days = tuple(v.get(raw, "outputs.at_days", list, []))
    days = scenario.days if scenario is not None else None
    for i, day in enumerate(at_days):
        if not isinstance(day, int) or isinstance(day, bool) or day < 0 or (days is not None and day >= days):
            top = f"0 .. {days - 1}" if days is not None else "0 .. days - 1"
            v.problem(f"outputs.at_days[{i}]", day, f"a day index in {top} (day 0 is the start date)")
    aggregates = tuple(v.get(raw, "outputs.aggregates", list, []))
    for i, a in enumerate(aggregates):
        if a not in AGGREGATES:
            v.problem(f"outputs.aggregates[{i}]", a, "one of " + ", ".join(AGGREGATES))
    events = tuple(v.get(raw, "outputs.events", list, []))
    for i, e in enumerate(events):
        if not isinstance(e, str) or not e.isidentifier():
            v.problem(f"outputs.events[{i}]", e, "an event kind, e.g. 'requisition' or 'desertion'")
    final = v.get(raw, "outputs.final", bool, True)
    timeseries = v.get(raw, "outputs.timeseries", bool, False)
    every = v.get(raw, "outputs.timeseries_every", int, 1, ge=1, le=100_000)
    score = v.get(raw, "outputs.score", bool, False)
    targets = v.get(raw, "outputs.targets", str, "")
    keys: tuple[str, ...] = ()
    if score and scenario is not None:
        from sim.calibration.screening import score_keys

        try:
            keys = score_keys(scenario, targets)
        except ValueError as exc:
            v.problem("outputs.targets", targets, str(exc))
        if not keys:
            v.problem("outputs.score", score, f"targets for scenario {scenario.name!r} in the targets file"
                      " (score = true needs them)")
    out = OutputSpec(metrics=metrics, final=final, at_days=at_days, aggregates=aggregates,
                     events=events, timeseries=timeseries, timeseries_every=every, score=score,
                     score_keys=keys, targets=targets)
    if not out.columns() and not timeseries:
        v.problem("outputs", dict(raw), "at least one output: `final = true`, `at_days`, "
                  "`aggregates`, `events` or `timeseries = true`")
    return out


def _parse_execution(v: Checker, raw: Mapping[str, Any]) -> ExecutionSpec:
    d = ExecutionSpec()
    v.unknown(raw, "execution", ("executor", "workers", "batch_size", "max_in_flight",
                                 "flush_runs", "flush_seconds", "on_error"))
    executor = v.get(raw, "execution.executor", str, d.executor)
    v.problems.extend(check_executor(executor, origin=v.origin, path="execution.executor"))
    return ExecutionSpec(
        executor=executor,
        workers=v.get(raw, "execution.workers", int, d.workers, ge=1, le=1024),
        batch_size=v.get(raw, "execution.batch_size", int, d.batch_size, ge=0, le=1_000_000),
        max_in_flight=v.get(raw, "execution.max_in_flight", int, d.max_in_flight, ge=0, le=1_000_000),
        flush_runs=v.get(raw, "execution.flush_runs", int, d.flush_runs, ge=1, le=10_000_000),
        flush_seconds=v.get(raw, "execution.flush_seconds", float, d.flush_seconds, ge=0.0, le=86_400.0),
        on_error=v.choice(raw, "execution.on_error", ("record", "raise"), d.on_error),
    )


# --------------------------------------------------------------------------- helpers

_MISSING = object()


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    if isinstance(node, (dict, list)):
        return _MISSING
    return node
