"""Sweeps: specs and their errors, designs, seeds, executors giving identical tables, the CLI."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments import load_spec, make_design, parse_spec, sweep
from sim.experiments.commands import register
from sim.experiments.spec import ParameterSpec
from sim.experiments.sweep import SweepStateError, run_seed
from sim.scenario import ScenarioError
from tests.short_tiny import SHORT, TINY

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "scenarios" / "sweeps"

SPEC = """
[sweep]
name = "small"
scenario = "short.toml"
design = "lhs"
samples = {samples}
replicates = {replicates}
seed = 11

[[parameters]]
path = "movement.march_hours"
min = 4.0
max = 12.0

[[parameters]]
path = "supply.requisition_share"
min = 0.02
max = 0.5
scale = "log"

[outputs]
metrics = ["insurgent_fighters", "band_food", "mean_support"]
at_days = [5]
aggregates = ["mean"]
events = ["requisition"]
timeseries = true
timeseries_every = 2

[execution]
executor = "serial"
flush_seconds = 0.0
"""


def small_spec(folder: Path, *, samples: int = 3, replicates: int = 2) -> Path:
    """A short scenario and an LHS spec over it (samples x replicates runs) in ``folder``."""
    (folder / "short.toml").write_text(SHORT)
    path = folder / "small.toml"
    path.write_text(SPEC.format(samples=samples, replicates=replicates))
    return path


def spec_dict(**changes: object) -> dict[str, object]:
    """A valid spec as a dict over the tiny scenario; ``changes`` replace [sweep] keys."""
    return {
        "sweep": {"name": "t", "scenario": str(TINY), "design": "lhs", "samples": 4, "seed": 1,
                  **changes},
        "parameters": [{"path": "movement.march_hours", "min": 4.0, "max": 12.0},
                       {"path": "supply.requisition_share", "min": 0.0, "max": 0.5}],
    }


# --------------------------------------------------------------------------- seeds


def test_run_seed_is_the_spawned_child() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        mine = run_seed(42, i)
        assert mine.spawn_key == child.spawn_key
        assert (mine.generate_state(4) == child.generate_state(4)).all()


# --------------------------------------------------------------------------- spec errors


def problems_of(data: dict[str, object]) -> list[tuple[str, object, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_spec(data, origin="bad.toml")
    assert all(p.file == "bad.toml" for p in info.value.problems)
    return [(p.path, p.value, p.allowed) for p in info.value.problems]


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"design": "grid"}, "sweep.design", "factorial"),
        ({"samples": 0}, "sweep.samples", "positive"),
        ({"samples": "ten"}, "sweep.samples", "integer"),
        ({"replicates": 0}, "sweep.replicates", ">= 1"),
        ({"seed": -3}, "sweep.seed", ">= 0"),
        ({"design": "sobol", "samples": 10}, "sweep.samples", "power of 2"),
        ({"scenario": "no_such_scenario"}, "sweep.scenario", "tiny"),
        ({"colour": "red"}, "sweep.colour", "one of the keys"),
    ],
)
def test_malformed_sweep_table_names_the_field(change: dict[str, object], field: str, needle: str) -> None:
    found = problems_of(spec_dict(**change))
    assert any(path == field and needle in allowed for path, _, allowed in found), found


def test_malformed_parameters_name_the_field() -> None:
    data = spec_dict()
    data["parameters"] = [
        {"path": "combat.no_such_thing", "min": 0.0, "max": 1.0},
        {"path": "supply.requisition_share", "min": 0.1, "max": 2.0},
        {"path": "movement.march_hours", "min": 9.0, "max": 3.0},
        {"path": "movement.flee_ratio", "levels": [1, 2]},
        {"path": "supply.hunger_desertion", "min": 0.0, "max": 0.1, "scale": "log"},
    ]
    found = problems_of(data)
    fields = {path for path, _, _ in found}
    assert "parameters[0].path" in fields
    assert "parameters[1].max" in fields  # 2.0 is beyond the parameter's bound of 1
    assert any(p == "parameters[1].max" and "<= 1" in a for p, _, a in found), found
    assert "parameters[2].max" in fields
    assert "parameters[3].levels" in fields
    assert "parameters[4].min" in fields


def test_malformed_outputs_and_execution_name_the_field() -> None:
    data = spec_dict()
    data["outputs"] = {"metrics": ["insurgent_fighters", "morale_of_horses"], "at_days": [999],
                       "aggregates": ["median"]}
    data["execution"] = {"executor": "slurm", "workers": 0}
    found = problems_of(data)
    fields = {path for path, _, _ in found}
    assert {"outputs.metrics[1]", "outputs.at_days[0]", "outputs.aggregates[0]",
            "execution.executor", "execution.workers"} <= fields


def test_malformed_spec_file_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[sweep]\nscenario = "tiny"\ndesign = "lhs"\nsamples = 4\n'
                    '[[parameters]]\npath = "movement.march_hours"\nmin = 1.0\nmax = 30.0\n')
    with pytest.raises(ScenarioError) as info:
        load_spec(path)
    text = str(info.value)
    assert str(path) in text
    assert "parameters[0].max = 30.0" in text
    path.write_text("[sweep\n")
    with pytest.raises(ScenarioError, match="valid TOML"):
        load_spec(path)


def test_example_specs_load() -> None:
    lhs = load_spec(SWEEPS / "tiny_lhs.toml")
    assert lhs.design == "lhs"
    assert len(make_design(lhs)) * lhs.replicates == 200
    sob = load_spec(SWEEPS / "tiny_sobol.toml")
    assert sob.design == "saltelli"
    assert len(make_design(sob)) == sob.samples * (len(sob.parameters) + 2)


# --------------------------------------------------------------------------- designs


def test_factorial_design_order_and_types() -> None:
    data = spec_dict(design="factorial")
    del data["sweep"]["samples"]  # type: ignore[attr-defined]
    data["parameters"] = [
        {"path": "movement.march_hours", "levels": [6, 8]},
        {"path": "supply.requisition_share", "min": 0.1, "max": 0.3, "n": 3},
        {"path": "movement.cross_border", "levels": [False, True]},
    ]
    d = make_design(parse_spec(data))
    assert len(d) == 12
    assert d.points["movement.march_hours"].dtype == np.float64
    assert d.points["movement.cross_border"].dtype == bool
    assert list(d.points.iloc[0]) == [6.0, pytest.approx(0.1), False]
    assert list(d.points.iloc[1]) == [6.0, pytest.approx(0.1), True]
    assert d.points.iloc[-1]["movement.march_hours"] == 8.0


@pytest.mark.parametrize(("design", "samples", "rows"),
                         [("lhs", 10, 10), ("sobol", 16, 16), ("saltelli", 8, 8 * 4), ("morris", 5, 5 * 3)])
def test_designs_sizes_bounds_and_determinism(design: str, samples: int, rows: int) -> None:
    spec = parse_spec(spec_dict(design=design, samples=samples))
    a, b = make_design(spec), make_design(spec)
    assert len(a) == rows
    pd.testing.assert_frame_equal(a.points, b.points)
    hours = a.points["movement.march_hours"]
    assert hours.between(4.0, 12.0).all()
    other = make_design(dataclasses.replace(spec, seed=2))
    assert not other.points.equals(a.points)


def test_lhs_is_stratified_and_log_scale() -> None:
    spec = parse_spec(spec_dict(samples=20))
    spec = dataclasses.replace(spec, parameters=(
        spec.parameters[0],
        ParameterSpec("supply.requisition_share", "float", 0.001, 1.0, scale="log"),
    ))
    d = make_design(spec)
    strata = np.floor((d.points["movement.march_hours"] - 4.0) / 8.0 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    log_strata = np.floor((np.log10(d.points["supply.requisition_share"]) + 3) / 3 * 20).astype(int)
    assert sorted(log_strata) == list(range(20))


# --------------------------------------------------------------------------- running


def test_serial_sweep_tables(tmp_path: Path) -> None:
    spec = small_spec(tmp_path)
    res = sweep(spec, tmp_path / "out", progress=False)
    runs = res.runs()
    assert res.n_runs == 6
    assert list(runs["run_id"]) == list(range(6))
    assert list(runs["replicate"]) == [0, 1] * 3
    assert list(runs["point"]) == [0, 0, 1, 1, 2, 2]
    assert (runs["error"] == "").all()
    assert {"movement.march_hours", "supply.requisition_share", "seed_entropy", "spawn_key",
            "insurgent_fighters", "band_food_day5", "mean_support_mean",
            "events_requisition", "events_requisition_n"} <= set(runs.columns)
    assert list(runs["spawn_key"]) == [json.dumps([i]) for i in range(6)]
    # replicates share the design point but not the seed
    assert runs.loc[0, "movement.march_hours"] == runs.loc[1, "movement.march_hours"]
    ts = res.timeseries()
    assert set(ts["run_id"]) == set(range(6))
    assert set(ts["day"]) == set(range(0, 21, 2))
    design = pd.read_parquet(tmp_path / "out" / "design.parquet")
    assert len(design) == 3


def test_a_run_is_rebuilt_alone_from_its_row(tmp_path: Path) -> None:
    from sim.runner import run
    from sim.scenario import load_scenario
    from sim.seeds import from_record

    res = sweep(small_spec(tmp_path), tmp_path / "out", progress=False)
    row = res.runs().iloc[3]
    scenario = load_scenario(tmp_path / "short.toml").with_values(
        {"movement.march_hours": float(row["movement.march_hours"]),
         "supply.requisition_share": float(row["supply.requisition_share"])})
    again = run(scenario, seed=from_record(row["seed_entropy"], row["spawn_key"]), run_id=3)
    assert again.steps["insurgent_fighters"].iloc[-1] == row["insurgent_fighters"]
    assert again.steps["band_food"].iloc[5] == row["band_food_day5"]
    assert scenario.digest() == row["scenario_hash"]


def test_existing_output_needs_resume_and_the_same_spec(tmp_path: Path) -> None:
    spec = small_spec(tmp_path)
    out = tmp_path / "out"
    sweep(spec, out, progress=False)
    with pytest.raises(SweepStateError, match="--resume"):
        sweep(spec, out, progress=False)
    again = sweep(spec, out, resume=True, progress=False)
    assert again.n_resumed == 6
    other = small_spec(tmp_path, samples=4)
    with pytest.raises(SweepStateError, match="different sweep"):
        sweep(other, out, resume=True, progress=False)


def test_failing_runs_are_recorded(tmp_path: Path) -> None:
    spec = load_spec(small_spec(tmp_path))
    broken = dataclasses.replace(spec, parameters=(
        *spec.parameters[:1], ParameterSpec("supply.requisition_share", "float", 2.0, 3.0)))
    res = sweep(broken, tmp_path / "out", progress=False)
    runs = res.runs()
    assert res.n_errors == 6
    assert runs["error"].str.contains("InputError").all()
    assert runs["insurgent_fighters"].isna().all()


def test_serial_local_and_dask_give_identical_tables(tmp_path: Path) -> None:
    spec = small_spec(tmp_path, samples=3, replicates=2)
    tables = {}
    for name in ("serial", "local", "dask"):
        res = sweep(spec, tmp_path / name, executor=name, workers=2, batch_size=1, progress=False)
        assert res.workers == (1 if name == "serial" else 2)
        tables[name] = (res.runs(), res.timeseries())
    for name in ("local", "dask"):
        pd.testing.assert_frame_equal(tables["serial"][0], tables[name][0])
        pd.testing.assert_frame_equal(tables["serial"][1], tables[name][1])


@pytest.mark.slow
def test_tiny_lhs_identical_on_every_executor(tmp_path: Path) -> None:
    spec = SWEEPS / "tiny_lhs.toml"
    ref = sweep(spec, tmp_path / "serial", executor="serial", progress=False).runs()
    assert len(ref) == 200
    assert ref["run_id"].is_unique
    for name in ("local", "dask"):
        other = sweep(spec, tmp_path / name, executor=name, workers=2, progress=False).runs()
        pd.testing.assert_frame_equal(ref, other)


# --------------------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="basmachi")
    register(p.add_subparsers(dest="command", required=True))
    return p


def test_cli_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = small_spec(tmp_path)
    out = tmp_path / "out"
    args = parser().parse_args(["sweep", str(spec), "--out", str(out), "--executor", "serial",
                                "--quiet"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "6 runs" in text
    assert str(out / "runs.parquet") in text
    args = parser().parse_args(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"])
    assert args.func(args) == 0
    assert "6 resumed" in capsys.readouterr().out


def test_cli_bad_input(tmp_path: Path) -> None:
    from sim.cli_args import UsageError

    spec = small_spec(tmp_path)
    args = parser().parse_args(["sweep", str(spec), "--executor", "slurm"])
    with pytest.raises(UsageError, match="serial, local, dask"):
        args.func(args)
    bad = tmp_path / "bad.toml"
    bad.write_text(spec.read_text().replace('design = "lhs"', 'design = "grid"'))
    args = parser().parse_args(["sweep", str(bad), "--out", str(tmp_path / "o")])
    with pytest.raises(ScenarioError, match=r"sweep\.design = 'grid'"):
        args.func(args)
    with pytest.raises(SystemExit):
        parser().parse_args(["sweep", str(spec), "--workers", "0"])


@pytest.mark.slow
def test_joining_a_running_scheduler(tmp_path: Path) -> None:
    from distributed import LocalCluster

    spec = small_spec(tmp_path)
    ref = sweep(spec, tmp_path / "serial", progress=False).runs()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        res = sweep(spec, tmp_path / "remote", executor=f"dask://{address}", progress=False)
    assert res.workers >= 1  # workers that had joined when the sweep started
    assert res.executor == f"dask://{address}"
    pd.testing.assert_frame_equal(ref, res.runs())
