"""The README's main job shows the April 1929 raid, and its what-if example changes the result."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sim.runner import run
from sim.scenario import load_scenario

README = Path(__file__).resolve().parents[1] / "README.md"


def _raid_seen(seed: int) -> tuple[int, float]:
    result = run(load_scenario("garm_1929"), seed=seed)
    engagements = int((result.events["kind"] == "engagement").sum())
    steps = result.steps
    on_soviet_soil = float((steps.insurgent_fighters - steps.insurgents_in_afghanistan).max())
    return engagements, on_soviet_soil


@pytest.mark.parametrize("seed", [0, 1])
def test_main_job_shows_a_crossing_and_fights(seed: int) -> None:
    engagements, on_soviet_soil = _raid_seen(seed)
    assert engagements > 0 and on_soviet_soil > 0


@pytest.mark.slow
def test_main_job_shows_the_raid_for_ten_seeds_of_ten() -> None:
    seen = [_raid_seen(seed) for seed in range(10)]
    assert all(e > 0 and s > 0 for e, s in seen), seen


def test_readme_what_if_example_changes_the_steps_table() -> None:
    text = README.read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    code = block.group(1)
    m = re.search(r'load_scenario\("([^"]+)"\)', code)
    w = re.search(r"with_values\((\{.*?\})\)", code)
    s = re.search(r"run\(what_if, seed=(\d+)\)", code)
    assert m and w and s, "the README's Python example changed shape: update this test"
    base = load_scenario(m.group(1))
    what_if = base.with_values(ast.literal_eval(w.group(1)))
    seed = int(s.group(1))
    a = run(base, seed=seed).steps.drop(columns=["run_id"])
    b = run(what_if, seed=seed).steps.drop(columns=["run_id"])
    assert not a.equals(b)
    # Visibly different: the forces themselves, not only a rounding digit.
    assert (a.insurgent_fighters != b.insurgent_fighters).any()
