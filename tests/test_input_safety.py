"""Bad input never crashes, corrupts or escapes: every minimal file of issue 17 as a regression test.

Each case is a scenario (or its parent) that once ended in a traceback, was accepted
and broke at run time, or read/wrote where it should not. Now ``basmachi validate``
exits 2 with a message naming the file and the field, or the run finishes cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.scenario import ScenarioError, ScenarioWarning, load_scenario
from sim.validation import MAX_BYTES, MAX_KEY_PARTS, read_toml
from tests.short_tiny import SHORT

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny.toml"


def tiny_with(extra: str) -> str:
    """The tiny scenario's text with ``extra`` lines appended (top-level keys go first)."""
    return TINY.read_text() + "\n" + extra + "\n"


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


# One entry per minimal file: (file name, text, field the message must name).
REFUSED = {
    "byte_ff": (b'name = "x"\n\xff\n', "UTF-8"),
    "deep_array": (("junk = " + "[" * 500 + "1" + "]" * 500 + "\n").encode(), "nested"),
    "deep_dotted_key": (("a" + ".a" * 1000 + " = 1\n").encode(), "dotted keys"),
    "empty": (b"", "empty"),
}

SCENARIO_CASES = {
    "bbox_inverted": ("[map]\nkind = \"theatre\"\nbbox = [39.5, 37.0, 69.4, 71.9]", "map.bbox"),
    "bbox_inf": ("[map]\nkind = \"theatre\"\nbbox = [37.0, inf, 69.4, 71.9]", "map.bbox"),
    "bbox_nan": ("[map]\nkind = \"theatre\"\nbbox = [37.0, nan, 69.4, 71.9]", "map.bbox"),
    "bbox_outside_theatre": ("[map]\nkind = \"theatre\"\nbbox = [0.0, 1.0, 0.0, 1.0]", "map.bbox"),
    "ambush_inf": ("[combat]\nambush_duration_h = inf", "combat.ambush_duration_h"),
    "collateral_inf": ("[combat]\ncivilian_collateral = inf", "combat.civilian_collateral"),
    "ration_inf": ("[supply]\nration = inf", "supply.ration"),
    "ration_nan": ("[supply]\nration = nan", "supply.ration"),
    "horse_inf": ("[movement]\nhorse_kmh = inf", "movement.horse_kmh"),
    "horse_1e12": ("[movement]\nhorse_kmh = 1e12", "movement.horse_kmh"),
    "horse_1e6": ("[movement]\nhorse_kmh = 1e6", "movement.horse_kmh"),
    "huge_int_in_float": ("[movement]\nhorse_kmh = 99999999999999999999999", "movement.horse_kmh"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unreadable_files_exit_2_naming_the_file(case: str, tmp_path: Path, capsys) -> None:
    text, needle = REFUSED[case]
    path = tmp_path / f"{case}.toml"
    path.write_bytes(text)
    code, err = validate(path, capsys)
    assert code == 2
    assert str(path) in err and needle in err


def test_byte_error_names_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "ff.toml"
    path.write_bytes(b'name = "x"\n\xff\n')
    with pytest.raises(ScenarioError, match="offset 11, line 2"):
        load_scenario(path)


def test_large_dotted_key_files_are_refused_or_read(tmp_path: Path) -> None:
    """200 kB of 1,000-part dotted keys once exhausted memory; now refused before parsing."""
    deep = tmp_path / "deep.toml"
    deep.write_text("".join(f"k{i}" + ".a" * 1000 + " = 1\n" for i in range(100)))
    with pytest.raises(ScenarioError, match="dotted keys of at most"):
        load_scenario(deep)
    wide = tmp_path / "wide.toml"
    line = ".".join(f"p{j}" for j in range(MAX_KEY_PARTS - 1))
    wide.write_text("".join(f"k{i}.{line} = 1\n" for i in range(200_000 // len(line))))
    assert len(read_toml(wide, what="test")) == 200_000 // len(line)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(ScenarioError, match="at most"):
        load_scenario(path)


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_values_that_broke_runs_are_refused(case: str, write_toml, capsys) -> None:
    extra, field = SCENARIO_CASES[case]
    path = write_toml(f"{case}.toml", f'extends = "{TINY.as_posix()}"\n{extra}\n')
    code, err = validate(path, capsys)
    assert code == 2, err
    assert str(path) in err and field in err


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("machine_guns", str(2**63)),
        ("machine_guns", str(2**63 - 1)),
        ("strength", str(2**62)),
        ("count", "1000000000"),
    ],
)
def test_huge_integers_are_refused(field: str, value: str, write_toml, capsys) -> None:
    text = f"""
extends = "{TINY.as_posix()}"
[[columns]]
name = "big"
kind = "infantry"
cell = [2, 2]
{field} = {value}
"""
    path = write_toml("huge.toml", text)
    code, err = validate(path, capsys)
    assert code == 2
    assert f'columns[name="big"].{field}' in err and "<=" in err


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-02-01"), ("9999-01-01", "9999-02-01")])
def test_dates_outside_the_historical_period(start: str, end: str, write_toml, capsys) -> None:
    path = write_toml("years.toml", f'extends = "{TINY.as_posix()}"\nstart = {start}\nend = {end}\n')
    code, err = validate(path, capsys)
    assert code == 2 and "start" in err and "simulated period" in err


def test_too_long_a_run_and_too_many_units(write_toml, capsys) -> None:
    path = write_toml("long.toml", f'extends = "{TINY.as_posix()}"\nstart = 1920-01-01\nend = 1931-01-01\n')
    code, err = validate(path, capsys)
    assert code == 2 and "end" in err and "at most 3653 days" in err
    many = f"""extends = "{TINY.as_posix()}"
[[bands]]
name = "swarm"
cell = [1, 1]
count = 1000
""" + "".join(
        f'[[columns]]\nname = "c{i}"\ncell = [1, 1]\ncount = 1000\n' for i in range(10)
    )
    path = write_toml("many.toml", many)
    code, err = validate(path, capsys)
    assert code == 2 and "at most 10,000 units" in err


def test_memory_budget_is_estimated_up_front(write_toml, capsys, monkeypatch) -> None:
    monkeypatch.setenv("BASMACHI_MEMORY_BUDGET", str(10**6))
    code, err = validate(TINY, capsys)
    assert code == 2 and "memory budget" in err and "BASMACHI_MEMORY_BUDGET" in err


def test_inherited_entry_outside_a_shorter_window_is_a_warning(write_toml) -> None:
    write_toml(
        "parent.toml",
        tiny_with('[[timeline]]\nid = "late-open"\ndate = 1926-04-20\nkind = "sanctuary"\nstatus = "open"'),
    )
    child = write_toml("child.toml", 'extends = "parent.toml"\nname = "short"\nend = 1926-04-10\n')
    with pytest.warns(ScenarioWarning, match=r'parent.toml: timeline\[id="late-open"\].date'):
        load_scenario(child)


# Silent no-ops and duplicates of a child of tiny: (entries, what the message must name).
NO_OPS = {
    "duplicate_names_and_ids": (
        '[[depots]]\nname = "d"\ncell = [1, 1]\n[[depots]]\nname = "d"\ncell = [2, 2]\n'
        '[[timeline]]\nid = "same"\ndate = 1926-03-05\nkind = "sanctuary"\nstatus = "open"\n'
        '[[timeline]]\nid = "same"\ndate = 1926-03-06\nkind = "sanctuary"\nstatus = "closed"\n',
        ('depots[name="d"].name', 'timeline[id="same"].id'),
    ),
    "band_and_column_share_a_name": (
        '[[bands]]\nname = "twin"\ncell = [1, 1]\n[[columns]]\nname = "twin"\ncell = [2, 2]\n',
        ("twin", "not used elsewhere"),
    ),
    "timeline_entry_after_the_end": (
        '[[timeline]]\nid = "too-late"\ndate = 1927-01-01\nkind = "sanctuary"\nstatus = "open"\n',
        ('timeline[id="too-late"].date',),
    ),
    "units_of_an_entry_that_is_not_a_reinforcement": (  # once an IndexError in build (fuzz)
        '[[columns]]\nname = "late"\ncell = [2, 2]\n'
        '[[depots]]\nname = "base"\ncell = [1, 1]\nfollows = "later"\n'
        '[[timeline]]\nid = "p"\ndate = 1926-03-05\nkind = "policy"\n'
        '[[timeline.columns]]\nname = "later"\ncell = [2, 2]\n',
        ('timeline[id="p"].columns', "kind = 'reinforce'"),
    ),
    "remove_of_a_missing_id": (
        '[[timeline]]\nid = "reinforcementz"\nremove = true\n',
        ('timeline[id="reinforcementz"].remove', "reinforcements"),
    ),
}


@pytest.mark.parametrize("case", sorted(NO_OPS))
def test_silent_no_ops_and_duplicates_are_errors_naming_the_entry(case: str, write_toml, capsys) -> None:
    entries, needles = NO_OPS[case]
    path = write_toml(f"{case}.toml", f'extends = "{TINY.as_posix()}"\n{entries}')
    code, err = validate(path, capsys)
    assert code == 2 and str(path) in err, err
    for needle in needles:
        assert needle in err, (needle, err)


def test_errors_in_a_parent_name_the_parent_and_the_users_entry(write_toml, capsys) -> None:
    parent = write_toml(
        "parent.toml",
        tiny_with(
            '[[timeline]]\nid = "amnesty-1925"\ndate = 1926-03-05\nkind = "policy"\n'
            'policy = "amnesty"\ncredibility = 7.0'
        ),
    )
    child = write_toml("child.toml", 'extends = "parent.toml"\nname = "child"\n[combat]\nfortification = 0.5\n')
    code, err = validate(child, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert any(
        line.startswith(f'{parent}: timeline[id="amnesty-1925"].credibility') for line in lines
    ), err
    assert any(line.startswith(f"{child}: combat.fortification") for line in lines), err


@pytest.mark.parametrize(
    "target",
    ["a\u0000b", ".", "x" * 300, "/", "../../../../etc/ld.so.conf", "/etc/passwd", 3],
    ids=["nul", "dot-dir", "long", "root", "dotdot", "absolute", "number"],
)
def test_bad_extends_exit_2(target: object, write_toml, capsys) -> None:
    value = json.dumps(target)
    path = write_toml("bad_extends.toml", f"extends = {value}\nname = \"x\"\n")
    code, err = validate(path, capsys)
    assert code == 2 and "extends" in err and str(path) in err


def test_extends_never_reads_or_echoes_files_outside(tmp_path: Path, capsys) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "decoy.toml").write_text("API_TOKEN = 'tok-123456'\n")
    (secret / ".env").write_text("API_TOKEN = 'tok-123456'\n")
    scen = tmp_path / "scen"
    scen.mkdir()
    for target in ("../secret/decoy.toml", "../secret/.env"):
        path = scen / "s.toml"
        path.write_text(f'extends = "{target}"\nname = "x"\n')
        code, err = validate(path, capsys)
        assert code == 2 and "tok-123456" not in err and "API_TOKEN" not in err
    # The explicit flag follows the chain; the decoy's problems name it but not its contents.
    path.write_text('extends = "../secret/decoy.toml"\nname = "x"\n')
    assert main(["validate", "--allow-outside", str(path)]) == 2
    err = capsys.readouterr().err
    assert "decoy.toml" in err and "API_TOKEN" not in err and "tok-123456" not in err


def test_unsafe_names_cannot_escape_the_output_root(write_toml, capsys) -> None:
    path = write_toml("escape.toml", f'extends = "{TINY.as_posix()}"\nname = "../../../escaped"\n')
    code, err = validate(path, capsys)
    assert code == 2 and "name" in err and "output file names" in err


def test_out_holding_another_run_asks_for_overwrite(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    short = tmp_path / "short.toml"
    short.write_text(SHORT)
    assert main(["run", str(short), "--out", str(out), "--quiet"]) == 0
    first = pd.read_parquet(out / "runs.parquet")
    assert main(["run", str(short), "--out", str(out), "--quiet", "--seed", "9"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert pd.read_parquet(out / "runs.parquet").equals(first)
    assert main(["run", str(short), "--out", str(out), "--quiet", "--seed", "9", "--overwrite"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"runs", "steps", "events", "plot"}
    for entry in manifest["files"].values():
        assert (out / entry["file"]).stat().st_size == entry["bytes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "short.toml"]  # no temporaries left


def test_out_on_a_folder_of_other_files_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["run", "tiny", "--out", str(tmp_path), "--quiet", "--overwrite"]) == 2
    assert "other files" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_dask_dashboard_listens_on_loopback_only() -> None:
    pytest.importorskip("distributed")
    from sim.experiments.executors import DaskExecutor

    ex = DaskExecutor(1)
    try:
        link = ex.client.dashboard_link
        sockets = ex._cluster.scheduler.http_server._sockets.values()
        hosts = {s.getsockname()[0] for s in sockets}
    finally:
        ex.close()
    assert "127.0.0.1" in link
    assert hosts == {"127.0.0.1"}


SPEC = f"""
[sweep]
name = "s"
scenario = "{TINY.as_posix()}"
design = "lhs"
samples = 4
[[parameters]]
path = "movement.march_hours"
min = 6.0
max = 10.0
"""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('name = "s"', 'name = "../../../escaped"'), "sweep.name"),
        (("samples = 4", "samples = 4611686018427387904"), "sweep.samples"),
        (("max = 10.0", "max = inf"), "parameters[0].max"),
        (("min = 6.0", "min = nan"), "parameters[0].min"),
        (("samples = 4", "samples = 4\nreplicates = 100000000"), "sweep.replicates"),
    ],
)
def test_sweep_spec_values_are_checked_by_the_one_validator(change, field, tmp_path, capsys) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.replace(*change))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(path) in err and field in err
    assert not (tmp_path / "out").exists()


def test_sweep_spec_is_read_with_limits_and_never_echoes_outside_files(tmp_path, capsys) -> None:
    path = tmp_path / "spec.toml"
    path.write_bytes(SPEC.encode() + b"\xff")
    assert main(["sweep", str(path), "--quiet"]) == 2
    assert "UTF-8" in capsys.readouterr().err
    secret = tmp_path / "elsewhere" / "decoy.toml"
    secret.parent.mkdir()
    secret.write_text("API_TOKEN = 'tok-123456'\n")
    sub = tmp_path / "specs"
    sub.mkdir()
    path = sub / "spec.toml"
    path.write_text(SPEC.replace(TINY.as_posix(), "../elsewhere/decoy.toml"))
    assert main(["sweep", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "sweep.scenario" in err and "tok-123456" not in err and "API_TOKEN" not in err


def _small_result():
    from sim.runner import run
    from sim.scenario import parse_scenario

    data = {"name": "w", "start": "1926-03-01", "end": "1926-03-03",
            "map": {"kind": "synthetic", "rows": 4, "cols": 4},
            "bands": [{"name": "b", "cell": [1, 1], "fighters": 10}]}
    return run(parse_scenario(data), seed=1)


def test_a_failure_while_writing_leaves_the_previous_set_whole(tmp_path: Path) -> None:
    from sim.results import read_result, write_run_set

    out = tmp_path / "run"
    first = _small_result()
    write_run_set(first, out, extras=lambda tmp: {"plot": _touch(tmp / "summary.png", b"old")})

    def crash(tmp: Path) -> dict[str, Path]:
        (tmp / "summary.png").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_run_set(_small_result(), out, overwrite=True, extras=crash)
    assert (out / "summary.png").read_bytes() == b"old"
    pd.testing.assert_frame_equal(read_result(out).steps, first.steps)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def _touch(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _check_run_set(out: Path) -> str:
    """Assert ``out`` holds one complete run (manifest, sizes, hashes, run ids); return its seed."""
    import hashlib

    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) >= {"runs", "steps", "events"}
    for entry in manifest["files"].values():
        data = (out / entry["file"]).read_bytes()
        assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    ids = set(manifest["run_ids"])
    for table in ("runs", "steps", "events"):
        frame = pd.read_parquet(out / f"{table}.parquet")
        assert set(frame["run_id"]) <= ids, table  # no table of another run
    runs = pd.read_parquet(out / "runs.parquet")
    assert str(runs["seed_entropy"].iloc[0]) == manifest["seed_entropy"]
    return str(manifest["seed_entropy"])


@pytest.mark.slow
def test_killing_a_run_never_leaves_a_mixed_or_empty_set(tmp_path: Path) -> None:
    """SIGKILL at random moments of `run --out DIR --overwrite`: DIR holds the old run or the new one."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import numpy as np

    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "sim", "run", "tiny", "--out", str(out), "--quiet", "--overwrite"]
    t0 = time.perf_counter()
    subprocess.run([*cmd, "--seed", "1"], check=True, capture_output=True)
    whole = time.perf_counter() - t0  # start-up, run, plot and write of one run
    assert _check_run_set(out) == "1"  # the manifest names the master seed's entropy
    # Random moments over the whole run, half of them in its last third (the writing).
    rng = np.random.default_rng(2026)
    moments = np.concatenate([rng.uniform(0.1, 1.1, 5), rng.uniform(0.67, 1.05, 5)]) * whole
    finished = killed = 0
    for k, delay in enumerate(moments):
        seed = str(k + 2)
        before = _check_run_set(out)
        proc = subprocess.Popen([*cmd, "--seed", seed], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=float(delay))
            finished += 1
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed += 1
        assert _check_run_set(out) in (before, seed), (k, delay)  # the old run or the new one
    assert killed >= 3  # the moments do interrupt runs
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run"]
    assert all(name.startswith(".run.") for name in leftovers), leftovers  # only hidden temporaries


def test_parameter_and_calibration_files_are_read_with_the_same_limits(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"[combat]\nambush_bonus = 2.0\n\xff\n")
    assert main(["run", "tiny", "--params", str(bad), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err and "UTF-8" in err
    from sim.calibration.spec import load_calibration_spec

    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100 + "]" * 100 + "\n")
    with pytest.raises(ScenarioError, match="nested at most"):
        load_calibration_spec(deep)


def test_a_world_without_villages_runs_to_the_end(write_toml) -> None:
    """``depopulation = 1.0`` leaves no village (once an IndexError in supply): a legitimate world."""
    from fuzz_inputs import run_briefly

    path = write_toml("empty_land.toml", f'extends = "{TINY.as_posix()}"\n[villages]\ndepopulation = 1.0\n')
    run_briefly(path, days=10_000)  # every day of the scenario, tables finite and people conserved


def _numeric_fields() -> list[tuple[str, object]]:
    """Every numeric field of the schema: the parameter sections and every scenario table."""
    import dataclasses
    import importlib
    import pkgutil
    import types
    import typing

    import sim.params
    from sim.params.fields import meta_of
    from sim.scenario import Scenario

    out: list[tuple[str, object]] = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            tp = hints[f.name]
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            inner = args[0] if typing.get_origin(tp) in (tuple, typing.Union, types.UnionType) else tp
            if dataclasses.is_dataclass(inner):
                walk(inner, f"{prefix}{f.name}.")  # type: ignore[arg-type]
            elif inner in (int, float):
                out.append((f"{prefix}{f.name}", meta_of(f)))

    walk(Scenario, "")
    for info in pkgutil.iter_modules(sim.params.__path__):
        if info.name == "fields":  # the declarations' own metadata, not parameters
            continue
        mod = importlib.import_module(f"sim.params.{info.name}")
        for obj in vars(mod).values():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                walk(obj, f"{info.name}:")
    return out


# Numbers whose range is checked against something else than fixed bounds.
CHECKED_ELSEWHERE = {
    "timeline.value": "checked against the bounds of the parameter its `path` names",
}


def test_every_number_of_the_schema_has_finite_bounds_holding_its_prior() -> None:
    """No numeric field accepts an unbounded value; every prior range lies within the bounds."""
    import math

    fields = _numeric_fields()
    assert len(fields) > 200
    loose, outside = [], []
    for name, meta in fields:
        if name in CHECKED_ELSEWHERE:
            continue
        lower = None if meta is None else (meta.ge if meta.ge is not None else meta.gt)  # type: ignore[attr-defined]
        upper = None if meta is None else meta.le  # type: ignore[attr-defined]
        if lower is None or upper is None or not (math.isfinite(lower) and math.isfinite(upper)):
            loose.append(name)
            continue
        prior = meta.prior  # type: ignore[attr-defined]
        if prior is not None and not (lower <= prior[0] <= prior[1] <= upper):
            outside.append(f"{name}: prior {prior} outside [{lower}, {upper}]")
    assert loose == [], "numbers without a finite lower and upper bound"
    assert outside == []
    assert set(CHECKED_ELSEWHERE) <= {name for name, _ in fields}  # no stale exception


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ('[[bands]]\nname = "far"\ncell = [1, 99999999999999999999]', 'bands[name="far"].cell[1]'),
        ('[[bands]]\nname = "neg"\ncell = [-1, 2]', 'bands[name="neg"].cell[0]'),
        ('[map]\nkind = "theatre"\nbbox = [37.0, 1e300, 69.4, 71.9]', "map.bbox[1]"),
    ],
)
def test_every_element_of_a_list_of_numbers_is_bounded(entry: str, field: str, write_toml, capsys) -> None:
    path = write_toml("elements.toml", f'extends = "{TINY.as_posix()}"\n{entry}\n')
    code, err = validate(path, capsys)
    assert code == 2 and f"{path}: {field} = " in err, err


def _load_targets(path: Path) -> object:
    from sim.scoring.target_file import load_targets

    return load_targets(path)


def _load_sweep(path: Path) -> object:
    from sim.experiments.spec import load_spec

    return load_spec(path)


def _apply_params(path: Path) -> object:
    from sim.calibration.overlay import apply_params

    return apply_params(load_scenario("tiny"), path)


# Shipped input files of the other kinds, their reader, and what to fix in a copy read elsewhere.
OTHER_INPUTS = {
    "targets": ("calibration/targets.toml", _load_targets, {}),
    "sweep spec": ("scenarios/sweeps/tiny_lhs.toml", _load_sweep, {("sweep", "scenario"): "tiny"}),
    "parameters": ("calibration/fitted/point.toml", _apply_params, {}),
}


@pytest.mark.parametrize("kind", sorted(OTHER_INPUTS))
def test_mutants_of_every_kind_of_input_file_are_read_or_refused_cleanly(kind: str, tmp_path: Path) -> None:
    """Random changes of a shipped targets file, sweep spec or parameter file: read, or an
    InputError whose every problem names the file, a field and what is allowed; nothing else."""
    import tomllib

    from fuzz_inputs import mutate, to_toml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sim.validation import InputError

    source, read, fixes = OTHER_INPUTS[kind]
    shipped = tomllib.loads((ROOT / source).read_text(encoding="utf-8"))
    for (table, key), value in fixes.items():
        shipped[table][key] = value
    path = tmp_path / "mutant.toml"
    tally = {"read": 0, "refused": 0}

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        mutant = tomllib.loads(to_toml(shipped))  # a fresh copy
        for _ in range(data.draw(st.integers(1, 3))):
            mutant = data.draw(mutate(mutant))
        path.write_text(to_toml(mutant), encoding="utf-8")
        problems = []
        try:
            read(path)
        except InputError as exc:
            problems = exc.problems
            tally["refused"] += 1
        else:
            tally["read"] += 1
        for p in problems:
            assert p.file == str(path) and p.allowed and str(p).startswith(f"{path}: "), str(p)

    check()
    assert tally["refused"] > 0
