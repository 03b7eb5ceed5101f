"""The calibration notebook runs on the shipped result and shows what the files say."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_calibration.ipynb"
FITTED = ROOT / "calibration" / "fitted"


def test_calibration_notebook_on_the_shipped_result() -> None:
    nb = json.loads(NOTEBOOK.read_text())
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), NOTEBOOK.name, "exec"), namespace)
    figures = len(plt.get_fignums())
    plt.close("all")
    assert figures >= 5  # posterior strips, predictive, leave-one-out bars, influence, pairs
    pred = pd.read_csv(FITTED / "predictive.csv")
    summary = json.loads((FITTED / "summary.json").read_text())
    # the notebook's coverage is the shipped report's, recomputed from the per-target table
    assert namespace["coverage"] == pred.loc[pred["informative"], "covered"].mean()
    assert abs(float(namespace["coverage"]) - summary["ensemble"]["coverage"]) < 1e-12  # type: ignore[arg-type]
    loco = namespace["loco"]
    assert set(loco["model"]) == {"abm", "ode"}  # type: ignore[index]
    assert set(loco["held_out"]) == set(summary["campaigns"])  # type: ignore[index]


def test_shipped_point_is_a_usable_parameter_file() -> None:
    from sim.calibration.overlay import apply_params
    from sim.scenario import load_scenario

    summary = json.loads((FITTED / "summary.json").read_text())
    s = apply_params(load_scenario("raids_1929"), FITTED / "point.toml")
    for path, value in summary["point"]["values"].items():
        section, name = path.split(".")
        assert getattr(getattr(s, section), name) == value
