"""Calibration specifications: the TOML schema of ``basmachi calibrate``.

A spec names the training campaigns, the parameters to fit with their prior ranges,
replicates, a master seed, the budget and method of the search, the accepted-ensemble
(ABC) settings, and how to execute. Every problem is reported at once as a
:class:`sim.scenario.ScenarioError` naming the file, field, value and what is allowed::

    [calibration]
    name = "campaigns"
    campaigns = ["pavlov_1923", "attrition_1925", "budenny_1926", "raids_1929"]
    model = "abm"                # abm (the agent-based model) or ode (the Lanchester baseline)
    replicates = 2               # runs per campaign and candidate, common random numbers
    seed = 20261126
    budget = 40                  # candidate parameter sets of the search (0: no search)
    method = "cmaes"             # cmaes | tpe | random (Optuna samplers)
    batch = 0                    # candidates evaluated at once (0: CMA-ES population or 2 x workers)
    startup = 8                  # candidates drawn from the prior before the sampler models the fit

    [fixed]                      # parameters held at other values than their defaults (optional)
    "movement.flee_ratio" = 1.5

    [[parameters]]
    path = "combat.aimed_lethality_state"
    min = 0.005                  # prior range; default: the range the parameter declares
    max = 0.03
    scale = "log"

    [abc]                        # without this table: no ensemble
    population = 16              # proposals per generation
    generations = 2              # 1: rejection ABC on a prior sample
    replicates = 1

    [execution]
    executor = "local"           # serial | local | dask | dask://HOST:PORT
    workers = 2

Prior ranges: a parameter declared in :mod:`sim.params` with a ``prior`` range uses it
unless the spec gives ``min``/``max``; a parameter without one needs them in the spec.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.scenario import Problem, Scenario, ScenarioError, load_scenario
from sim.validation import read_toml

__all__ = [
    "METHODS",
    "MODELS",
    "TRAINING_CAMPAIGNS",
    "AbcSpec",
    "CalibrationSpec",
    "FitParameter",
    "declared_prior",
    "load_calibration_spec",
    "parse_calibration_spec",
]

METHODS = ("cmaes", "tpe", "random")
MODELS = ("abm", "ode")
SCALES = ("linear", "log")
TRAINING_CAMPAIGNS = ("pavlov_1923", "attrition_1925", "budenny_1926", "raids_1929")


@dataclasses.dataclass(frozen=True)
class FitParameter:
    """One fitted parameter and its prior range (uniform, or log-uniform with ``scale = "log"``).

    Attributes
    ----------
    path : str
        Dotted path (``combat.aimed_lethality_state``; ``ode.*`` for the ODE baseline).
    low, high : float
        Prior range.
    scale : str
        ``linear`` or ``log``.
    kind : str
        ``float`` or ``int`` (ints are rounded).
    source : str
        ``spec`` or ``declared`` (the prior range the parameter declares).
    """

    path: str
    low: float
    high: float
    scale: str = "linear"
    kind: str = "float"
    source: str = "spec"

    def from_unit(self, u: float) -> float | int:
        """Map ``u`` in [0, 1] to a value in the prior range (log-uniform for ``scale = "log"``)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.scale == "log":
            lo, hi = math.log(self.low), math.log(self.high)
            x = math.exp(lo + u * (hi - lo))
        else:
            x = self.low + u * (self.high - self.low)
        x = min(max(x, self.low), self.high)
        return round(x) if self.kind == "int" else x

    def to_unit(self, x: float) -> float:
        """Inverse of :meth:`from_unit`."""
        if self.scale == "log":
            lo, hi = math.log(self.low), math.log(self.high)
            return (math.log(x) - lo) / (hi - lo)
        return (x - self.low) / (self.high - self.low)


@dataclasses.dataclass(frozen=True)
class AbcSpec:
    """Settings of the accepted ensemble (ABC-SMC, :mod:`sim.calibration.abc`).

    Attributes
    ----------
    population : int
        Proposals (simulated parameter sets) per generation.
    generations : int
        Generations (the first samples the prior; later ones perturb the previous).
    replicates : int
        Runs per campaign for each proposal.
    quantile : float
        Each generation's threshold is this quantile of its distances (never above the last).
    """

    population: int = 16
    generations: int = 2
    replicates: int = 1
    quantile: float = 0.5


@dataclasses.dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration spec. Build it with :func:`load_calibration_spec`."""

    name: str
    campaigns: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    parameters: tuple[FitParameter, ...]
    model: str = "abm"
    replicates: int = 2
    seed: int = 0
    budget: int = 40
    method: str = "cmaes"
    batch: int = 0
    startup: int = 8
    targets: str = ""
    fixed: tuple[tuple[str, float], ...] = ()
    abc: AbcSpec = dataclasses.field(default_factory=AbcSpec)
    executor: str = "local"
    workers: int = 2
    origin: str = "<spec>"

    @property
    def paths(self) -> tuple[str, ...]:
        """Dotted paths of the fitted parameters, in spec order."""
        return tuple(p.path for p in self.parameters)

    def with_campaigns(self, campaigns: Sequence[str]) -> CalibrationSpec:
        """The same spec fitted on a subset of its campaigns (leave-one-out)."""
        keep = [i for i, c in enumerate(self.campaigns) if c in campaigns]
        return dataclasses.replace(
            self,
            campaigns=tuple(self.campaigns[i] for i in keep),
            scenarios=tuple(self.scenarios[i] for i in keep),
        )

    def digest(self) -> str:
        """SHA-256 of everything that decides the evaluations (not how they run)."""
        data = {
            "campaigns": list(self.campaigns),
            "scenarios": [s.digest() for s in self.scenarios],
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "model": self.model,
            "replicates": self.replicates,
            "seed": self.seed,
            "budget": self.budget,
            "method": self.method,
            "batch": self.batch,
            "startup": self.startup,
            "targets": self.targets,
            "fixed": [list(f) for f in self.fixed],
        }
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def declared_prior(path: str) -> tuple[float, float, str] | None:
    """The prior range a scenario parameter declares in :mod:`sim.params`, if any.

    Reads a ``prior`` attribute of the field's :class:`sim.params.fields.ParamMeta`
    (a ``(low, high)`` pair, or an object with ``low``/``high`` and optional ``scale``).

    Returns
    -------
    (low, high, scale) or None
    """
    from sim.params.fields import meta_of

    cls: Any = Scenario
    field: Any = None
    for key in path.split("."):
        if not dataclasses.is_dataclass(cls):
            return None
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if key not in fields:
            return None
        field = fields[key]
        cls = field.type if isinstance(field.type, type) else _resolve(cls, key)
    meta = meta_of(field) if field is not None else None
    prior = getattr(meta, "prior", None)
    if prior is None:
        return None
    if isinstance(prior, tuple | list) and len(prior) >= 2:
        scale = str(prior[2]) if len(prior) > 2 else "linear"
        return float(prior[0]), float(prior[1]), scale
    low, high = getattr(prior, "low", None), getattr(prior, "high", None)
    if low is None or high is None:
        return None
    return float(low), float(high), str(getattr(prior, "scale", "linear"))


def _resolve(cls: Any, key: str) -> Any:
    import typing

    return typing.get_type_hints(cls).get(key)


# --------------------------------------------------------------------------- loading


def load_calibration_spec(path: str | Path) -> CalibrationSpec:
    """Read and validate a calibration spec TOML file.

    Raises
    ------
    ScenarioError
        Listing every problem with file, field, value and what is allowed.
    """
    p = Path(path)
    data = read_toml(p, what="a calibration spec TOML file")  # size, UTF-8 and nesting limits
    return parse_calibration_spec(data, origin=str(p), base_dir=p.parent)


class _V:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []

    def bad(self, path: str, value: Any, allowed: str) -> None:
        self.problems.append(Problem(self.origin, path, value, allowed))

    def unknown(self, data: Mapping[str, Any], where: str, known: Sequence[str]) -> None:
        for key in data:
            if key not in known:
                self.bad(f"{where}.{key}" if where else key, data[key], "one of the keys " + ", ".join(known))

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        raw = data.get(key, {})
        if not isinstance(raw, dict):
            self.bad(key, raw, f"a [{key}] table")
            return {}
        return raw

    def int_(self, data: Mapping[str, Any], path: str, default: int, lo: int) -> int:
        key = path.rsplit(".", 1)[-1]
        v = data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            self.bad(path, v, f"an integer >= {lo}")
            return default
        return v

    def float_(self, data: Mapping[str, Any], path: str, default: float, lo: float, hi: float) -> float:
        key = path.rsplit(".", 1)[-1]
        v = data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo < v < hi:
            self.bad(path, v, f"a number in ({lo:g}, {hi:g})")
            return default
        return float(v)

    def choice(self, data: Mapping[str, Any], path: str, choices: Sequence[str], default: str) -> str:
        key = path.rsplit(".", 1)[-1]
        v = data.get(key, default)
        if v not in choices:
            self.bad(path, v, "one of " + ", ".join(choices))
            return default
        return str(v)


def parse_calibration_spec(
    data: Mapping[str, Any], *, origin: str = "<spec>", base_dir: str | Path | None = None
) -> CalibrationSpec:
    """Validate a calibration spec given as a nested dict (as read from TOML)."""
    from sim.experiments.spec import check_executor

    v = _V(origin)
    v.unknown(data, "", ("calibration", "parameters", "fixed", "abc", "execution"))
    top = v.table(data, "calibration")
    v.unknown(top, "calibration", ("name", "campaigns", "model", "replicates", "seed", "budget",
                                   "method", "batch", "startup", "targets"))
    name = top.get("name", "calibration")
    if not isinstance(name, str) or not name:
        v.bad("calibration.name", name, "a non-empty name")
        name = "calibration"
    model = v.choice(top, "calibration.model", MODELS, "abm")
    raw_campaigns = top.get("campaigns", list(TRAINING_CAMPAIGNS))
    scenarios: list[Scenario] = []
    campaigns: list[str] = []
    if not isinstance(raw_campaigns, list) or not raw_campaigns or \
            not all(isinstance(c, str) and c for c in raw_campaigns):
        v.bad("calibration.campaigns", raw_campaigns, "a non-empty list of scenario names or paths")
        raw_campaigns = []
    for i, ref in enumerate(raw_campaigns):
        target: str | Path = ref
        if base_dir is not None and (Path(base_dir) / ref).is_file():
            target = Path(base_dir) / ref
        try:
            s = load_scenario(target)
        except ScenarioError as exc:
            if len(exc.problems) == 1 and not exc.problems[0].path:
                v.bad(f"calibration.campaigns[{i}]", ref, exc.problems[0].allowed)
            else:
                v.problems.extend(exc.problems)
            continue
        if s.name in campaigns:
            v.bad(f"calibration.campaigns[{i}]", ref, "each campaign at most once")
            continue
        campaigns.append(s.name)
        scenarios.append(s)
    replicates = v.int_(top, "calibration.replicates", 2, 1)
    seed = v.int_(top, "calibration.seed", 0, 0)
    budget = v.int_(top, "calibration.budget", 40, 0)
    method = v.choice(top, "calibration.method", METHODS, "cmaes")
    batch = v.int_(top, "calibration.batch", 0, 0)
    startup = v.int_(top, "calibration.startup", 8, 0)
    targets = top.get("targets", "")
    if not isinstance(targets, str):
        v.bad("calibration.targets", targets, "a targets TOML path (default calibration/targets.toml)")
        targets = ""
    if targets and base_dir is not None and (Path(base_dir) / targets).is_file():
        targets = str(Path(base_dir) / targets)
    parameters = _parameters(v, data.get("parameters"), scenarios, model)
    fixed = _fixed(v, v.table(data, "fixed"), scenarios, model, {p.path for p in parameters})

    abc_raw = v.table(data, "abc")
    v.unknown(abc_raw, "abc", ("population", "generations", "replicates", "quantile"))
    d = AbcSpec()
    abc = AbcSpec(
        population=v.int_(abc_raw, "abc.population", d.population, 2),
        generations=v.int_(abc_raw, "abc.generations", d.generations if abc_raw else 0, 0),
        replicates=v.int_(abc_raw, "abc.replicates", d.replicates, 1),
        quantile=v.float_(abc_raw, "abc.quantile", d.quantile, 0.0, 1.0),
    )
    ex = v.table(data, "execution")
    v.unknown(ex, "execution", ("executor", "workers"))
    executor = ex.get("executor", "local")
    v.problems.extend(check_executor(executor, origin=origin, path="execution.executor"))
    workers = v.int_(ex, "execution.workers", 2, 1)
    if v.problems:
        raise ScenarioError(v.problems)
    return CalibrationSpec(
        name=name, campaigns=tuple(campaigns), scenarios=tuple(scenarios),
        parameters=tuple(parameters), model=model, replicates=replicates, seed=seed,
        budget=budget, method=method, batch=batch, startup=startup, targets=targets, fixed=fixed, abc=abc,
        executor=str(executor), workers=workers, origin=origin,
    )


def _parameters(v: _V, raw: Any, scenarios: Sequence[Scenario], model: str) -> list[FitParameter]:
    if not isinstance(raw, list) or not raw:
        v.bad("parameters", raw, "one or more [[parameters]] tables, each with a `path`")
        return []
    out: list[FitParameter] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"parameters[{i}]"
        if not isinstance(entry, dict):
            v.bad(where, entry, "a table with `path` (and `min`/`max` unless the parameter declares a prior)")
            continue
        v.unknown(entry, where, ("path", "min", "max", "scale"))
        path = entry.get("path")
        if not isinstance(path, str) or not path or path in seen:
            v.bad(f"{where}.path", path, "a dotted parameter path, each at most once")
            continue
        seen.add(path)
        kind = _kind(v, where, path, scenarios, model)
        if not kind:
            continue
        declared = declared_prior(path) if model == "abm" else _ode_prior(path)
        lo, hi = entry.get("min"), entry.get("max")
        scale = entry.get("scale")
        source = "spec"
        if lo is None and hi is None and declared is not None:
            lo, hi, dscale = declared
            scale = scale or dscale
            source = "declared"
        scale = scale or "linear"
        if scale not in SCALES:
            v.bad(f"{where}.scale", scale, "one of " + ", ".join(SCALES))
            continue
        if any(isinstance(x, bool) or not isinstance(x, int | float) for x in (lo, hi)):
            v.bad(where, {"min": lo, "max": hi},
                  "`min` and `max` numbers (the parameter declares no prior range)")
            continue
        assert isinstance(lo, int | float) and isinstance(hi, int | float)
        if not lo < hi:
            v.bad(f"{where}.max", hi, f"a number greater than min = {lo}")
            continue
        if scale == "log" and lo <= 0:
            v.bad(f"{where}.min", lo, "a positive number for scale = 'log'")
            continue
        for s in scenarios if model == "abm" else ():
            for field, value in (("min", lo), ("max", hi)):
                try:
                    s.with_values({path: round(value) if kind == "int" else float(value)}, semantics=False)
                except ScenarioError as exc:
                    for prob in exc.problems:
                        v.bad(f"{where}.{field}", value, f"{prob.allowed} (parameter {prob.path})")
            break
        out.append(FitParameter(path, float(lo), float(hi), str(scale), kind, source))
    return out


def _fixed(
    v: _V, raw: Mapping[str, Any], scenarios: Sequence[Scenario], model: str, fitted: set[str]
) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    flat: dict[str, Any] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(raw, "")
    for path, value in flat.items():
        where = f"fixed.{path}"
        if path in fitted:
            v.bad(where, value, "a parameter that is not also fitted in [[parameters]]")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            v.bad(where, value, "a number")
            continue
        if not _kind(v, "fixed", path, scenarios, model):
            continue
        if model == "abm" and scenarios:
            try:
                scenarios[0].with_values({path: value}, semantics=False)
            except ScenarioError as exc:
                for prob in exc.problems:
                    v.bad(where, value, prob.allowed)
                continue
        out.append((path, float(value) if isinstance(value, float) else value))
    return tuple(out)


def _kind(v: _V, where: str, path: str, scenarios: Sequence[Scenario], model: str) -> str:
    if model == "ode":
        from sim.params.ode import OdeParams

        head, _, tail = path.partition(".")
        names = {f.name for f in dataclasses.fields(OdeParams)}
        if head != "ode" or tail not in names:
            v.bad(f"{where}.path", path, "an ODE parameter: ode." + ", ode.".join(sorted(names)))
            return ""
        return "float"
    if not scenarios:
        return "float"
    node: Any = scenarios[0].to_dict()
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            v.bad(f"{where}.path", path, "a dotted path to a numeric scenario parameter (see `basmachi schema`)")
            return ""
        node = node[key]
    if isinstance(node, bool) or not isinstance(node, int | float):
        v.bad(f"{where}.path", path, "a numeric (number or integer) parameter")
        return ""
    return "int" if isinstance(node, int) else "float"


def _ode_prior(path: str) -> tuple[float, float, str] | None:
    from sim.params.ode import ODE_PRIORS

    return ODE_PRIORS.get(path.partition(".")[2])
