"""The documented campaigns: every scenario and what-if file validates, runs a few days and
cites its sources; every train row of outcomes.csv is targeted or listed with a reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest

from sim.paths import scenarios_dir
from sim.runner import run
from sim.scenario import load_scenario
from sim.scoring.targets import (
    default_outcomes_path,
    load_targets,
    missing_train_rows,
    read_outcomes,
)

CAMPAIGNS = ["pavlov_1923", "attrition_1925", "budenny_1926", "raids_1929", "continuous_1923_1929"]
VARIANTS = [
    "raids_1929_no_aircraft",
    "raids_1929_sanctuary_closed",
    "attrition_1925_amnesty_year_long",
    "attrition_1925_no_food_for_cotton",
    "pavlov_1923_cavalry_tied_to_infantry",
    "budenny_1926_no_heliographs",
]
ALL = CAMPAIGNS + VARIANTS


@pytest.mark.parametrize("name", ALL)
def test_validates_and_runs_a_few_days(name: str) -> None:
    s = load_scenario(name)
    short = dataclasses.replace(s, end=s.start + dt.timedelta(days=2))
    res = run(short, seed=1)
    assert len(res.steps) == 3


@pytest.mark.parametrize("name", ALL)
def test_variants_extend_and_every_input_has_a_source(name: str) -> None:
    path = scenarios_dir() / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if name in VARIANTS:
        assert "extends" in data
    s = load_scenario(name)
    missing = []
    for table in ("leaders", "bands", "columns", "depots"):
        missing += [f"{table}:{x.name}" for x in getattr(s, table) if not x.source.strip()]
    for e in s.timeline:
        if not e.source.strip():
            missing.append(f"timeline:{e.id or e.kind}")
        missing += [f"timeline.{e.id}:{x.name}" for x in (*e.bands, *e.columns) if not x.source.strip()]
    assert not missing, f"{name}: inputs without a source: {missing}"


def test_sources_cite_real_rows() -> None:
    rows = read_outcomes()
    if not rows:
        pytest.skip("outcomes.csv not available")
    import re

    for name in CAMPAIGNS:
        text = (scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8")
        for m in set(re.findall(r"\b([A-Z]{1,3}\d{2}-\d{2})\b", text)):
            if m.startswith("E22"):
                continue  # cited only as context in a note
            assert m in rows, f"{name} cites unknown row {m}"


def test_every_train_row_is_targeted_or_explained() -> None:
    if not default_outcomes_path().exists():
        pytest.skip("outcomes.csv not available")
    ts = load_targets()
    assert missing_train_rows(ts) == []
    assert set(ts.scenarios) <= set(CAMPAIGNS)
    rows = read_outcomes()
    for t in ts.targets:
        assert rows[t.id]["role"] == "train"
    for name in CAMPAIGNS:
        assert ts.for_scenario(name), f"no targets for {name}"


def test_targets_file_is_in_calibration() -> None:
    assert (Path(__file__).resolve().parents[1] / "calibration" / "README.md").exists()
