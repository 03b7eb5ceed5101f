"""Notebooks run: every code cell of every notebook executes without error (no Jupyter needed)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_cells_execute(path: Path) -> None:
    nb = json.loads(path.read_text())
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    figures = len(plt.get_fignums())
    plt.close("all")
    # the tour ran the whole scenario, tabulated its events and drew its figures
    result, scenario = namespace["result"], namespace["scenario"]
    days = (scenario.end - scenario.start).days + 1  # type: ignore[attr-defined]
    assert len(result.steps) == days  # type: ignore[attr-defined]
    assert len(result.events) > 0  # type: ignore[attr-defined]
    assert figures >= 2
