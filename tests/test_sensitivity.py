"""Sensitivity analysis: SALib indices through the sweep machinery, checked on analytic cases."""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments import make_design, parse_spec
from sim.experiments.commands import register
from sim.experiments.sensitivity import analyse, sensitivity
from sim.experiments.spec import ParameterSpec, SweepSpec
from sim.scenario import ScenarioError
from tests.short_tiny import SHORT, TINY

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
[sweep]
name = "sens"
scenario = "short.toml"
design = "{design}"
samples = {samples}
replicates = 1
seed = 3

[[parameters]]
path = "movement.march_hours"
min = 4.0
max = 12.0

[[parameters]]
path = "supply.requisition_share"
min = 0.02
max = 0.5

[outputs]
metrics = ["band_food", "bands_active"]
events = ["requisition"]

[sensitivity]
outputs = ["band_food", "events_requisition_n", "bands_active"]
resamples = 50

[execution]
executor = "serial"
"""


def synthetic(design: str, samples: int, params: tuple[ParameterSpec, ...]) -> SweepSpec:
    """A spec over made-up parameters, for analysing known functions (never run)."""
    spec = parse_spec({
        "sweep": {"name": "f", "scenario": str(TINY), "design": design, "samples": samples, "seed": 5},
        "parameters": [{"path": "movement.march_hours", "min": 4.0, "max": 12.0},
                       {"path": "movement.flee_ratio", "min": 1.0, "max": 2.0}],
        "sensitivity": {"resamples": 100},
    })
    return dataclasses.replace(spec, parameters=params)


def test_sobol_indices_of_the_ishigami_function() -> None:
    pi = math.pi
    params = tuple(ParameterSpec(f"x{i}", "float", -pi, pi) for i in (1, 2, 3))
    spec = synthetic("saltelli", 1024, params)
    x = make_design(spec).points.to_numpy()
    y = np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    runs = pd.DataFrame({"point": np.arange(len(y)), "error": "", "y": y})
    got = analyse(spec, runs, ("y",)).set_index("parameter")
    # analytic values (Ishigami & Homma 1990; Sobol' 2007)
    np.testing.assert_allclose(got["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(got["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert (got["S1_conf"] > 0).all()
    assert (got["ST_conf"] < 0.1).all()


def test_morris_finds_the_inert_parameter() -> None:
    params = (ParameterSpec("a", "float", 0.0, 1.0), ParameterSpec("b", "float", 0.0, 1.0))
    spec = synthetic("morris", 20, params)
    x = make_design(spec).points.to_numpy()
    runs = pd.DataFrame({"point": np.arange(len(x)), "error": "", "y": 3.0 * x[:, 0]})
    got = analyse(spec, runs, ("y",)).set_index("parameter")
    assert got.loc["a", "mu_star"] == pytest.approx(3.0)
    assert got.loc["b", "mu_star"] == pytest.approx(0.0)


def test_constant_output_gives_nan_without_warnings() -> None:
    params = (ParameterSpec("a", "float", 0.0, 1.0), ParameterSpec("b", "float", 0.0, 1.0))
    spec = synthetic("saltelli", 8, params)
    n = len(make_design(spec))
    runs = pd.DataFrame({"point": np.arange(n), "error": "", "y": np.ones(n)})
    got = analyse(spec, runs, ("y",))
    assert got["S1"].isna().all()
    assert (got["note"] == "constant output").all()


def write(folder: Path, design: str = "saltelli", samples: int = 4) -> Path:
    (folder / "short.toml").write_text(SHORT)
    path = folder / "sens.toml"
    path.write_text(SPEC.format(design=design, samples=samples))
    return path


def test_sensitivity_end_to_end(tmp_path: Path) -> None:
    res = sensitivity(write(tmp_path), tmp_path / "out", progress=False)
    assert res.method == "sobol"
    assert res.sweep.n_runs == 4 * (2 + 2)
    idx = res.indices
    assert list(idx.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf", "note"]
    assert len(idx) == 3 * 2
    assert idx.loc[idx["output"] == "band_food", "S1"].notna().all()
    assert res.plot_path is not None
    assert res.plot_path.stat().st_size > 10_000
    assert (tmp_path / "out" / "sensitivity.csv").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(res.table_path), idx)


def test_sensitivity_needs_a_sensitivity_design(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"sweep\.design = 'lhs'"):
        sensitivity(write(tmp_path, design="lhs"), tmp_path / "out", progress=False)
    with pytest.raises(ScenarioError, match="sensitivity.outputs"):
        sensitivity(write(tmp_path), tmp_path / "out", outputs=("nothing",), progress=False)


def test_cli_sensitivity_prints_indices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = argparse.ArgumentParser(prog="basmachi")
    register(p.add_subparsers(dest="command", required=True))
    spec = write(tmp_path, design="morris", samples=3)
    args = p.parse_args(["sensitivity", str(spec), "--out", str(tmp_path / "o"), "--quiet",
                         "--outputs", "band_food"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "mu_star_conf" in text
    assert "movement.march_hours" in text
    assert (tmp_path / "o" / "sensitivity.png").exists()


@pytest.mark.slow
def test_tiny_sobol_example(tmp_path: Path) -> None:
    res = sensitivity(ROOT / "scenarios" / "sweeps" / "tiny_sobol.toml", tmp_path / "out",
                      workers=2, progress=False)
    assert res.sweep.n_runs == 160
    assert res.indices[["S1_conf", "ST_conf"]].notna().all().all()
