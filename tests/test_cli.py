"""The command line: run writes tables and a plot; map answers as JSON; errors exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_tables_plot_and_summary(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tiny"
    assert main(["run", "tiny", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "insurgents" in printed and "wrote" in printed
    for name in ("runs", "steps", "events"):
        assert len(pd.read_parquet(out / f"{name}.parquet")) > 0
    assert (out / "summary.png").stat().st_size > 10_000


def test_run_twice_same_seed_identical_files(tmp_path: Path) -> None:
    for k in ("a", "b", "c"):
        seed = "4" if k != "c" else "5"
        assert (
            main(
                [
                    "run",
                    str(ROOT / "scenarios" / "tiny.toml"),
                    "--seed",
                    seed,
                    "--out",
                    str(tmp_path / k),
                    "--quiet",
                ]
            )
            == 0
        )
    for name in ("steps", "events"):
        a, b = (pd.read_parquet(tmp_path / k / f"{name}.parquet") for k in ("a", "b"))
        pd.testing.assert_frame_equal(a, b)
    a, c = (pd.read_parquet(tmp_path / k / "events.parquet") for k in ("a", "c"))
    assert not a.equals(c)


def test_map_at_prints_one_json_object(capsys) -> None:
    assert main(["map", "--at", "38.56,68.77"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"row", "col", "elevation_m", "land_cover", "country"}
    assert 650 <= data["elevation_m"] <= 950 and data["country"] == "soviet"


def test_map_errors_exit_2(capsys) -> None:
    assert main(["map", "--at", "10,10"]) == 2
    assert main(["map", "--at", "north"]) == 2
    err = capsys.readouterr().err
    assert "LAT,LON" in err and "Traceback" not in err


def test_map_draws_png(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    assert main(["map", "--out", str(out)]) == 0
    assert out.stat().st_size > 20_000


def test_python_dash_m_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 3\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "name" in proc.stderr and "Traceback" not in proc.stderr


def test_bench_step_json(capsys) -> None:
    assert (
        main(["bench", "step", "--units", "400", "--villages", "400", "--days", "2", "--json"]) == 0
    )
    row = json.loads(capsys.readouterr().out)
    assert {
        "units",
        "unit_steps_per_s",
        "reference_unit_steps_per_s",
        "speedup",
        "bytes_per_unit",
    } <= set(row)
    assert row["units"] == 400 and row["unit_steps_per_s"] > 0 and row["bytes_per_unit"] > 0


def test_bench_combat_json(capsys) -> None:
    """The issue's keys, one row per size, ratios consistent with the timings."""
    assert main(["bench", "combat", "--sizes", "100", "600", "--json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [r["n"] for r in rows] == [100, 600]
    for r in rows:
        assert {"vectorized_s", "scalar_s", "floor_s", "speedup_vs_scalar", "ratio_to_floor",
                "numpy_s", "engine", "threads"} <= set(r)
        assert min(r["vectorized_s"], r["scalar_s"], r["floor_s"], r["numpy_s"]) > 0
        assert r["speedup_vs_scalar"] == pytest.approx(r["scalar_s"] / r["vectorized_s"])
        assert r["ratio_to_floor"] == pytest.approx(r["vectorized_s"] / r["floor_s"])
    assert [r["engine"] for r in rows] == ["numpy", "compiled"]
    assert "timing 600 engagements" in captured.err
