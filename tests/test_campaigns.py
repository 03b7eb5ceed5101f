"""The documented campaigns: every scenario and what-if file validates, runs a few days and
cites its sources; every train row of outcomes.csv is targeted or listed with a reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from sim.paths import scenarios_dir
from sim.runner import run
from sim.scenario import Scenario, load_scenario
from sim.scoring.target_file import (
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


ROW = re.compile(r"\b([A-Z]{1,3}\d{2}-\d{2})\b")


def _sources(s: Scenario) -> list[tuple[str, str]]:
    out = [(f"{t}:{x.name}", x.source) for t in ("leaders", "bands", "columns", "depots", "regions")
           for x in getattr(s, t, ())]
    for e in s.timeline:
        out.append((f"timeline:{e.id}", e.source))
        out += [(f"timeline.{e.id}:{x.name}", x.source) for x in (*e.bands, *e.columns)]
    return out


@pytest.mark.parametrize("name", [*ALL, "garm_1929", "tiny"])
def test_sources_cite_input_or_context_rows_or_listed_exceptions(name: str) -> None:
    rows = read_outcomes()
    allowed = load_targets().cited_inputs
    bad = []
    for where, src in _sources(load_scenario(name)):
        for row in ROW.findall(src):
            role = rows.get(row, {}).get("role", "not in outcomes.csv")
            if role not in ("input", "context") and row not in allowed:
                bad.append(f"{where} cites {row} ({role})")
    assert not bad, f"{name}: {bad}"


def test_cited_exceptions_are_explained_in_one_place() -> None:
    ts = load_targets()
    rows = read_outcomes()
    assert ts.cited_inputs, "the exceptions list is read"
    for row, reason in ts.cited_inputs.items():
        assert rows[row]["role"] in ("train", "narrative")
        assert len(reason) > 40, row


def test_every_train_row_is_targeted_or_explained() -> None:
    ts = load_targets()
    assert missing_train_rows(ts) == []
    assert set(ts.scenarios) <= set(CAMPAIGNS)
    rows = read_outcomes()
    for t in ts.targets:
        assert rows[t.id]["role"] == "train"
    for name in CAMPAIGNS:
        assert ts.for_scenario(name), f"no targets for {name}"


def test_history_lives_in_the_project() -> None:
    assert default_outcomes_path() == Path(__file__).resolve().parents[1] / "calibration" / "history" / "outcomes.csv"
    assert len(read_outcomes()) > 50


def test_nothing_reads_the_shared_folder_outside_the_project() -> None:
    root = Path(__file__).resolve().parents[1]
    hits = []
    for folder in ("sim", "scenarios", "calibration", "tests"):
        for p in (root / folder).rglob("*"):
            if p.suffix not in (".py", ".toml", ".md") or not p.is_file() or p.name == Path(__file__).name:
                continue
            text = p.read_text(encoding="utf-8")
            if "../shared" in text or '"shared" / "history"' in text:
                hits.append(str(p.relative_to(root)))
    assert not hits


def test_targets_file_is_in_calibration() -> None:
    assert (Path(__file__).resolve().parents[1] / "calibration" / "README.md").exists()


@pytest.mark.parametrize("name", ["raids_1929", "garm_1929", "continuous_1923_1929"])
def test_the_garm_airfield_is_its_own_cell_beside_the_town(name: str) -> None:
    """R29-13 (the town falls) and R29-14 (the airfield holds) can both happen."""
    from sim.build import build_world

    s = load_scenario(name)
    w = build_world(s)
    town = w.flat("Garm")
    names = list(w.column_names)
    cells = {w.state.columns.cell[names.index(n)] for n in ("garm-garrison", "garm-cavalry")}
    assert len(cells) == 1
    (airfield,) = cells
    assert airfield != town
    (tr, tc), (ar, ac) = divmod(int(town), w.ncols), divmod(int(airfield), w.ncols)
    assert max(abs(tr - ar), abs(tc - ac)) == 1
