"""Resuming: a sweep SIGKILLed at random points ends with exactly the runs of an uninterrupted one."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import sweep
from sim.experiments.sweep import SweepStateError
from tests.short_tiny import SHORT

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
[sweep]
name = "resume"
scenario = "short.toml"
design = "lhs"
samples = {samples}
replicates = 2
seed = 99

[[parameters]]
path = "movement.march_hours"
min = 4.0
max = 12.0

[[parameters]]
path = "supply.hunger_desertion"
min = 0.0
max = 0.2

[outputs]
metrics = ["insurgent_fighters", "state_strength", "band_food"]
aggregates = ["mean"]
events = ["requisition"]
timeseries = true

[execution]
executor = "serial"
batch_size = 1
flush_seconds = 0.0
"""

CHILD = """
import sys
from sim.experiments import sweep
if __name__ == "__main__":
    sweep(sys.argv[1], sys.argv[2], executor=sys.argv[3], resume=True, progress=False)
"""


def make_spec(folder: Path, samples: int) -> Path:
    (folder / "short.toml").write_text(SHORT)
    path = folder / "resume.toml"
    path.write_text(SPEC.format(samples=samples))
    return path


def index_lines(out: Path) -> int:
    path = out / "index.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


def start_and_kill(spec: Path, out: Path, executor: str, rng: random.Random, *, max_parts: int) -> bool:
    """Start a resumable sweep in a new process group and SIGKILL it at a random moment.

    Returns False if the sweep finished before the kill.
    """
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(spec), str(out), executor],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = index_lines(out) + rng.randint(1, max_parts)
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and index_lines(out) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.1))
        if proc.poll() is not None:
            return False
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return True
    finally:
        if proc.poll() is None:  # pragma: no cover - only if the kill failed
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def check_index(out: Path, n_runs: int) -> None:
    ids: list[int] = []
    for line in (out / "index.jsonl").read_text().splitlines():
        for lo, hi in json.loads(line)["runs"]:
            ids.extend(range(lo, hi))
    assert sorted(ids) == list(range(n_runs))


def killed_and_resumed(spec: Path, tmp_path: Path, executor: str, seed: int, *, max_parts: int) -> None:
    ref = sweep(spec, tmp_path / "reference", executor="serial", progress=False)
    out = tmp_path / "killed"
    rng = random.Random(seed)
    kills = sum(start_and_kill(spec, out, executor, rng, max_parts=max_parts) for _ in range(2))
    assert kills >= 1, "the sweep finished before it could be killed"
    done_before = index_lines(out)
    res = sweep(spec, out, executor=executor, resume=True, progress=False)
    assert done_before >= 1
    assert 0 < res.n_resumed < res.n_runs
    check_index(out, res.n_runs)
    pd.testing.assert_frame_equal(ref.runs(), res.runs())
    pd.testing.assert_frame_equal(ref.timeseries(), res.timeseries())


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_sigkilled_twice_and_resumed_serial(tmp_path: Path, seed: int) -> None:
    spec = make_spec(tmp_path, samples=12)
    killed_and_resumed(spec, tmp_path, "serial", seed, max_parts=4)


def test_torn_index_line_and_orphan_parts_are_redone(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, samples=4)
    ref = sweep(spec, tmp_path / "reference", progress=False).runs()
    out = tmp_path / "out"
    sweep(spec, out, progress=False)
    lines = (out / "index.jsonl").read_text().splitlines()
    assert len(lines) == 8
    # a kill after writing parts but before their index line, and one in mid-line
    (out / "index.jsonl").write_text("\n".join(lines[:5]) + "\n" + lines[5][:17])
    (out / "runs.parquet").unlink()
    (out / "parts" / ".runs-000009.parquet.tmp").write_bytes(b"partial")
    res = sweep(spec, out, resume=True, progress=False)
    assert res.n_resumed == 5
    check_index(out, 8)
    assert sorted(p.name for p in (out / "parts").iterdir()) == sorted(
        f"{kind}-{n:06d}.parquet" for kind in ("runs", "series") for n in range(1, 9))
    pd.testing.assert_frame_equal(ref, res.runs())


def test_resume_of_a_missing_sweep_starts_it(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, samples=2)
    res = sweep(spec, tmp_path / "fresh", resume=True, progress=False)
    assert res.n_resumed == 0
    assert len(res.runs()) == 4


def test_parts_without_manifest_are_refused(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, samples=2)
    out = tmp_path / "out"
    sweep(spec, out, progress=False)
    (out / "sweep.json").unlink()
    with pytest.raises(SweepStateError, match=r"sweep\.json"):
        sweep(spec, out, progress=False)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_tiny_lhs_sigkilled_twice_on_the_pool(tmp_path: Path, seed: int) -> None:
    spec = ROOT / "scenarios" / "sweeps" / "tiny_lhs.toml"
    killed_and_resumed(spec, tmp_path, "local", seed, max_parts=1)
