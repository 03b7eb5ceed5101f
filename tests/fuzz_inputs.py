"""Mutants of the shipped scenarios and the one property every input must satisfy.

A mutant is a shipped scenario parsed, changed at random places (wrong types, out-of-range
numbers, inf/nan, huge integers, unicode, deep nesting, dates far away, duplicated or
removed entries, unknown keys), written back as TOML, optionally corrupted at the byte level
and optionally split into an ``extends`` chain. The property (:func:`check_mutant`):
``basmachi validate`` ends with exit 2 and every message line names a file and a field, or
exit 0 and then a run of the first days finishes with finite, non-negative tables and people
conserved every day. Anything else (an exception escaping the CLI, a run-time error of an
accepted file, a NaN, a negative count, a person lost) is a failure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import math
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
#: tiny (synthetic, fast) is drawn more often than the real-map scenarios.
WEIGHTED = [p for p in SHIPPED if p.stem == "tiny"] * 4 + SHIPPED

# --------------------------------------------------------------------------- TOML writer


def _key(k: str) -> str:
    return _string(k)


def _string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("\x7f", "\\u007f")


def toml_value(v: Any) -> str:
    """One value as inline TOML (tables inline, arrays inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(data: dict[str, Any]) -> str:
    """A table as TOML text, one top-level key a line."""
    return "".join(f"{_key(k)} = {toml_value(v)}\n" for k, v in data.items())


# --------------------------------------------------------------------------- mutations

BAD_SCALARS: list[Any] = [
    math.inf, -math.inf, math.nan, 2**63, 2**63 - 1, -(2**63), 2**70, 10**400, 0, -1, 1,
    1e300, -1e300, 1e-300, 1e6, 1e12, 0.0, -0.5, 0.5, 1.0, 2.0, 10.0, 1000.0,
    "", "x" * 300, "../../../escaped", "a\u0000b", "\u202e\u0645\u0631\u062d\u0628\u0627 \U0001f600",
    True, False, [], {}, [1, 2], [0.0, 1.0, 0.0, 1.0], [39.5, 37.0, 69.4, 71.9], {"a": 1},
    dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1926, 3, 5), dt.date(1929, 4, 20),
    "1929-04-01", "tiny", "tiny.toml", "/", ".",
]

scalars = st.one_of(
    st.sampled_from(BAD_SCALARS),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1950, 12, 31)),
    st.booleans(),
)


def _nested(depth: int) -> Any:
    v: Any = 1
    for _ in range(depth):
        v = [v]
    return v


def _paths(node: Any, prefix: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None,
           depth: int = 0) -> list[tuple[Any, ...]]:
    """Every path to a value (tables, arrays and leaves) in a parsed file."""
    out = [] if out is None else out
    if depth > 8:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            _paths(v, (*prefix, k), out, depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            _paths(v, (*prefix, i), out, depth + 1)
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


KINDS = ["sanctuary", "policy", "switch", "set", "reinforce", "withdraw", "orders",
         "supply_shock", "leader_exit", "nonsense"]
SET_PATHS = ["combat.ambush_bonus", "movement.horse_kmh", "supply.ration", "nope.nope", "combat"]


@st.composite
def mutate(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """One random change of a parsed scenario (in place; returns it)."""
    paths = _paths(data)
    op = draw(st.sampled_from(
        ["set", "set", "set", "scale", "delete", "unknown", "duplicate", "deep", "dates",
         "timeline", "remove"]
    ))
    if op in ("set", "scale", "delete", "duplicate", "deep") and not paths:
        op = "unknown"
    if op == "set":
        path = draw(st.sampled_from(paths))
        _get(data, path[:-1])[path[-1]] = draw(scalars)
    elif op == "scale":
        numeric = [p for p in paths if isinstance(_get(data, p), (int, float))
                   and not isinstance(_get(data, p), bool)]
        if numeric:
            path = draw(st.sampled_from(numeric))
            factor = draw(st.sampled_from([0, -1, 2, 10, 1000, 10**6, 10**12, 0.5, 1e-9]))
            value = _get(data, path) * factor
            _get(data, path[:-1])[path[-1]] = value
    elif op == "delete":
        path = draw(st.sampled_from(paths))
        del _get(data, path[:-1])[path[-1]]
    elif op == "unknown":
        tables = [()] + [p for p in paths if isinstance(_get(data, p), dict)]
        path = draw(st.sampled_from(tables))
        _get(data, path)[draw(st.sampled_from(["bogus", "API_TOKEN", "ré", "a.b"]))] = draw(scalars)
    elif op == "duplicate":
        arrays = [p for p in paths if isinstance(_get(data, p), list) and _get(data, p)]
        if arrays:
            arr = _get(data, draw(st.sampled_from(arrays)))
            arr.append(json.loads(json.dumps(arr[draw(st.integers(0, len(arr) - 1))], default=str)))
    elif op == "deep":
        path = draw(st.sampled_from(paths))
        _get(data, path[:-1])[path[-1]] = _nested(draw(st.sampled_from([3, 10, 17, 40, 600])))
    elif op == "dates":
        day = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
                   | st.dates(min_value=dt.date(1915, 1, 1), max_value=dt.date(1940, 1, 1)))
        data[draw(st.sampled_from(["start", "end"]))] = day
    elif op == "timeline":
        entry: dict[str, Any] = {
            "kind": draw(st.sampled_from(KINDS)),
            "date": draw(st.dates(min_value=dt.date(1915, 1, 1), max_value=dt.date(1940, 1, 1))),
        }
        if draw(st.booleans()):
            entry["id"] = draw(st.sampled_from(["e1", "e1", "reinforcements", "x"]))
        if entry["kind"] == "set":
            entry["path"] = draw(st.sampled_from(SET_PATHS))
            entry["value"] = draw(scalars)
        if entry["kind"] == "reinforce":
            entry["bands"] = [{"name": draw(st.sampled_from(["nb", "nb"])), "cell": [1, 1],
                               "fighters": draw(st.integers(-5, 2**64)),
                               "count": draw(st.integers(-1, 2**40))}]
        data.setdefault("timeline", [])
        if isinstance(data["timeline"], list):
            data["timeline"].append(entry)
    elif op == "remove":
        data.setdefault("timeline", [])
        if isinstance(data["timeline"], list):
            data["timeline"].append({"id": draw(st.sampled_from(["nope", "reinforcements"])),
                                     "remove": draw(st.sampled_from([True, "yes", 1]))})
    return data


def _section_fields() -> list[tuple[str, str, Any]]:
    """(section, field, ParamMeta) of every bounded number of the parameter sections."""
    from sim.params.fields import meta_of
    from sim.scenario import Scenario

    out = []
    for section in ("movement", "supply", "combat", "population", "villages"):
        cls = type(getattr(Scenario(), section))
        for f in dataclasses.fields(cls):
            meta = meta_of(f)
            if meta is not None and isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
                out.append((section, f.name, meta))
    return out


SECTION_FIELDS = _section_fields()


@st.composite
def extreme(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Set one parameter to an allowed extreme (a bound, just inside one, or anywhere between)."""
    section, name, meta = draw(st.sampled_from(SECTION_FIELDS))
    lo = meta.ge if meta.ge is not None else (meta.gt if meta.gt is not None else 0.0)
    hi = meta.le if meta.le is not None else max(lo, 1.0) * 100
    integer = isinstance(getattr(getattr(__import__("sim.scenario").scenario.Scenario(), section), name), int)
    if integer:
        value: Any = draw(st.sampled_from([int(lo), int(hi)]) | st.integers(int(math.ceil(lo)), int(hi)))
    else:
        low = lo if meta.gt is None else math.nextafter(lo, math.inf)
        value = draw(st.sampled_from([low, hi, (low + hi) / 2]) | st.floats(low, hi))
    table = data.setdefault(section, {})
    if isinstance(table, dict):
        table[name] = value
    return data


@dataclasses.dataclass
class Mutant:
    """Files written for one example; ``entry`` is the one to validate."""

    files: dict[str, bytes]
    entry: str


@st.composite
def mutants(draw: st.DrawFn) -> Mutant:
    """A mutant scenario, possibly as a child extending a mutated parent, possibly byte-corrupted."""
    source = draw(st.sampled_from(WEIGHTED))
    data = tomllib.loads(source.read_text())
    if isinstance(data.get("extends"), str):  # a shipped variant: keep its parent, by full path
        data["extends"] = (source.parent / data["extends"]).as_posix()
    base = source
    if draw(st.booleans()):  # allowed values at their extremes: these mutants run
        for _ in range(draw(st.integers(1, 4))):
            data = draw(extreme(data))
    else:
        for _ in range(draw(st.integers(1, 3))):
            data = draw(mutate(data))
    files: dict[str, bytes] = {}
    shape = draw(st.sampled_from(["alone", "alone", "child", "chain", "extends-shipped"]))
    if shape == "alone":
        files["mutant.toml"] = to_toml(data).encode()
    elif shape == "extends-shipped":
        child: dict[str, Any] = {"extends": base.as_posix()}
        for _ in range(draw(st.integers(1, 2))):
            child = draw(mutate(child))
        child["extends"] = draw(st.sampled_from([base.as_posix()] * 4 + BAD_SCALARS[-4:]))
        files["mutant.toml"] = to_toml(child).encode()
    else:
        files["parent.toml"] = to_toml(data).encode()
        child = {"extends": "parent.toml", "name": "child"}
        for _ in range(draw(st.integers(0, 2))):
            child = draw(mutate(child))
        if shape == "chain":
            files["middle.toml"] = to_toml({**child, "extends": "parent.toml"}).encode()
            child = {"extends": draw(st.sampled_from(["middle.toml", "middle", "mutant.toml"]))}
        files["mutant.toml"] = to_toml(child).encode()
    raw = files["mutant.toml"]
    corrupt = draw(st.sampled_from(["none"] * 12 + ["byte", "truncate", "bom"]))
    if corrupt == "byte" and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1:]
    elif corrupt == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif corrupt == "bom":
        raw = b"\xef\xbb\xbf" + raw
    files["mutant.toml"] = raw
    return Mutant(files, "mutant.toml")


# --------------------------------------------------------------------------- the property

LINE = re.compile(r"^(?P<file>[^\n]+?\.toml): (?P<field>[^\n]*?) = .*: expected .+$")
COUNT_COLUMN = re.compile(r"killed|wounded|captured|fighters|strength|deserted|surrender|men$")


@dataclasses.dataclass
class Outcome:
    """What happened to one mutant: ``refused`` (exit 2) or ``ran`` (exit 0 and a clean run)."""

    kind: str
    detail: str = ""


def check_mutant(folder: Path, mutant: Mutant, *, days: int) -> Outcome:
    """Write a mutant into ``folder`` and assert the property; returns what happened."""
    from sim.cli import main

    for name, raw in mutant.files.items():
        (folder / name).write_bytes(raw)
    path = folder / mutant.entry
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", str(path)])
    text = err.getvalue()
    assert code in (0, 2), text
    if code == 2:
        lines = [ln for ln in text.splitlines() if ln and not ln.startswith("warning:")]
        assert lines, "exit 2 without a message"
        for line in lines:
            m = LINE.match(line)
            assert m is not None, f"message does not name file and field: {line!r}"
        return Outcome("refused", lines[0])
    run_briefly(path, days=days)
    return Outcome("ran")


def run_briefly(path: Path, *, days: int) -> None:
    """Run an accepted scenario for its first ``days`` days; assert finite, conserved tables."""
    from sim.kernels.population import people_total
    from sim.model import BasmachiModel
    from sim.runner import result_of
    from sim.scenario import ScenarioWarning, load_scenario

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        scenario = load_scenario(path)
    model = BasmachiModel(scenario, seed=1, agents=False)
    for _ in range(min(days, scenario.days)):
        model.step()
        state = model.state
        assert people_total(state) - state.ledger.entered == state.people_initial, "people not conserved"
    result = result_of(model)
    steps = result.steps.select_dtypes("number")
    assert np.isfinite(steps.to_numpy(dtype=float)).all(), "non-finite value in steps"
    assert (steps.drop(columns=["run_id", "day"]).to_numpy(dtype=float) >= 0).all(), "negative value in steps"
    events = result.events.select_dtypes("number")
    values = events.to_numpy(dtype=float)
    assert not np.isinf(values).any(), "infinite value in events"
    for col in events.columns:
        if COUNT_COLUMN.search(col):
            v = events[col].to_numpy(dtype=float)
            assert (v[~np.isnan(v)] >= 0).all(), f"negative count in events.{col}"


def main(argv: list[str] | None = None) -> int:
    """``python tests/fuzz_inputs.py N OUT [DAYS]``: a fresh fuzz of N mutants, keeping every failure.

    Unlike the test (which stops and shrinks at the first failure), this tries all N random
    mutants, writes each failing one with its traceback to ``OUT/failNNNN/`` and prints the
    tally every 100 mutants and at the end. Exit code 1 if any failed.
    """
    import collections
    import os
    import sys
    import tempfile
    import time
    import traceback

    from hypothesis import HealthCheck, Phase, given, settings

    args = sys.argv[1:] if argv is None else argv
    n, out = int(args[0]), Path(args[1])
    days = int(args[2]) if len(args) > 2 else 3
    out.mkdir(parents=True, exist_ok=True)
    tally: collections.Counter[str] = collections.Counter()
    t0 = time.time()
    from sim.scenario import ScenarioWarning

    warnings.simplefilter("error")  # as in the test suite: a RuntimeWarning (overflow, NaN) fails
    warnings.simplefilter("ignore", ScenarioWarning)

    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(mutants())
    def one(mutant: Mutant) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                tally[check_mutant(Path(tmp), mutant, days=days).kind] += 1
            except BaseException:
                tally["failed"] += 1
                where = out / f"fail{tally['failed']:04d}"
                where.mkdir()
                for name, raw in mutant.files.items():
                    (where / name).write_bytes(raw)
                (where / "error.txt").write_text(traceback.format_exc())
        done = sum(tally.values())
        if done % 100 == 0:
            print(done, dict(tally), f"{time.time() - t0:.0f} s", flush=True)

    one()
    print(f"fuzz: {sum(tally.values())} mutants tried, {tally['refused']} refused,"
          f" {tally['ran']} ran ({days} days each), {tally['failed']} failed,"
          f" {time.time() - t0:.0f} s, pid {os.getpid()}")
    return 1 if tally["failed"] else 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    sys.exit(main())
