"""Score plots and the score command: "never" said plainly, uninformative targets marked,
no backend switched on import, and the --null flag."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import matplotlib
from test_scoring import GARM, fake_run, one

from sim.scoring.evaluate import evaluate
from sim.scoring.report import plot_score, verdict

UNINFORMATIVE = """
[[target]]
id = "A26-11"
scenarios = ["fake"]
kind = "absent"
title = "true by construction"
event = "nothing"
uninformative = "true by construction, for the test"
"""


def test_importing_the_report_leaves_the_backend_alone() -> None:
    before = matplotlib.get_backend()
    importlib.reload(importlib.import_module("sim.scoring.report"))
    assert matplotlib.get_backend() == before


def test_verdicts_say_never_and_mark_what_does_not_count(tmp_path: Path) -> None:
    ts = one(tmp_path, GARM + UNINFORMATIVE)
    on_time = fake_run(events=[{"day": 21, "kind": "town_captured", "name": "Garm"}])
    never, free = evaluate(ts, [fake_run()]).results
    assert verdict(never) == "never"
    assert verdict(free) == "HIT, not counted (uninformative)"
    assert verdict(evaluate(ts, [on_time]).results[0]) == "HIT"
    png = plot_score([fake_run()], evaluate(ts, [fake_run()]), tmp_path / "score.png")
    assert png.stat().st_size > 10_000


def test_score_null_on_the_command_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sim", "score", "budenny_1926", "--null", "--replicates", "1",
         "--json", "--quiet", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    d = json.loads(out.stdout)
    assert d["null"] is True and d["hits"] == 0 and d["informative"] >= 1
    assert (tmp_path / "score.png").exists() and (tmp_path / "score.csv").exists()
