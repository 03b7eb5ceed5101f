"""A real kill: ``basmachi calibrate`` SIGKILLed mid-run and resumed loses and repeats no evaluation.

The agent-based model on the three-week tiny scenario, on the local process pool, against a
synthetic target (test outcomes row T-01), compared with an uninterrupted calibration.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration.search import load_evaluations
from tests.short_tiny import SHORT

SPEC = """
[calibration]
name = "kill"
campaigns = ["short.toml"]
targets = "targets.toml"
replicates = 1
seed = 3
budget = 6
method = "cmaes"
batch = 3
startup = 3

[[parameters]]
path = "movement.flee_ratio"
min = 0.5
max = 3.0

[[parameters]]
path = "combat.aimed_lethality_state"
min = 0.005
max = 0.05
scale = "log"

[abc]
population = 4
generations = 1

[execution]
executor = "local"
workers = 2
"""

TARGETS = """
[[target]]
id = "T-01"
scenarios = ["tiny_short"]
kind = "level"
title = "fighters at day 15"
series = "insurgent_fighters"
date = 1926-03-16
agg = "last"
low = 100
high = 300
weight = 0.5
"""


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.mark.slow
def test_sigkilled_calibration_resumes_without_losing_or_repeating(tmp_path: Path) -> None:
    (tmp_path / "short.toml").write_text(SHORT)
    (tmp_path / "targets.toml").write_text(TARGETS)
    (tmp_path / "outcomes.csv").write_text("id,role,reliability\nT-01,train,judgement\n")
    (tmp_path / "spec.toml").write_text(SPEC)
    env = {**os.environ, "BASMACHI_OUTCOMES": str(tmp_path / "outcomes.csv"), "BASMACHI_HISTORY": str(tmp_path)}
    whole = _run(["calibrate", "spec.toml", "--out", "whole", "--quiet"], tmp_path, env)
    assert whole.returncode == 0, whole.stderr

    cut = subprocess.Popen([sys.executable, "-m", "sim", "calibrate", "spec.toml", "--out", "cut", "--quiet"],
                           cwd=tmp_path, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while len(load_evaluations(tmp_path / "cut" / "search")) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        assert cut.poll() is None, "finished before the kill"
    os.killpg(cut.pid, signal.SIGKILL)
    cut.wait()
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cut" / "search" / "evals").glob("*.json")}
    assert 3 <= len(before) < 6
    resumed = _run(["calibrate", "spec.toml", "--out", "cut", "--quiet", "--resume"], tmp_path, env)
    assert resumed.returncode == 0, resumed.stderr
    evals = tmp_path / "cut" / "search" / "evals"
    assert all((evals / n).stat().st_mtime_ns == t for n, t in before.items())  # none re-run
    assert len(list(evals.glob("*.json"))) == 6 and not list(evals.glob(".*"))  # none lost, no debris
    for name in ("search/trials.parquet", "abc/particles.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "whole" / name),
                                      pd.read_parquet(tmp_path / "cut" / name))
