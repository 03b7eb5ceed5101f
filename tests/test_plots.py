"""Every plot type renders readably: titles, axis labels with units, legends, colour bars,
scale bars, dates that do not overprint, and warnings where a figure could mislead."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.experiments.sensitivity import plot_indices, sampling_warning
from sim.geography import load_theatre
from sim.mapplot import add_scale_bar, draw_theatre, nice_length
from sim.model import BasmachiModel
from sim.plots import PositionLayer, plot_campaign, plot_forces, plot_summary, plot_sweep
from sim.runner import result_of, simulate
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def tiny_run():  # type: ignore[no-untyped-def]
    model = simulate(load_scenario("tiny"), seed=3)
    return model, result_of(model)


def _overlaps(texts: Callable[[], list[Text]], fig: Figure) -> list[tuple[str, str]]:
    """Pairs of the texts (read after drawing the figure) whose boxes overlap."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts()
             if t.get_text() and t.get_visible()]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


def _all_text(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(Text))


def test_date_columns_are_datetimes(tiny_run) -> None:
    _, result = tiny_run
    assert result.steps["date"].dtype.kind == "M"
    assert result.events["date"].dtype.kind == "M"
    assert result.steps["date"].iloc[0] == pd.Timestamp("1926-03-01")


def test_forces_plot_has_title_units_legend_and_readable_dates(tiny_run) -> None:
    _, result = tiny_run
    fig = Figure(figsize=(6, 4))
    ax = plot_forces(result.steps, fig.add_subplot())
    assert ax.get_title() and ax.get_ylabel() == "men" and ax.get_xlabel() == "date"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "insurgent fighters", "state strength", "insurgents in Afghanistan"
    ]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert not _overlaps(ax.get_xticklabels, fig)


def test_position_map_has_title_legend_colourbars_and_scale_bar(tiny_run) -> None:
    model, _ = tiny_run
    fig = Figure(figsize=(10, 7))
    ax = fig.add_subplot()
    layer = PositionLayer(model, ax)
    assert "tiny" in ax.get_title() and "1926-04-29" in ax.get_title()
    assert ax.get_xlabel() == "longitude (°E)" and ax.get_ylabel() == "latitude (°N)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"band (area ~ fighters)", "state unit (area ~ men)", "town held by insurgents"} <= set(labels)
    colourbars = sorted(a.get_ylabel() for a in fig.axes if a is not ax)
    assert colourbars == ["elevation (m)", "village support for the insurgents (0-1)"]
    assert any(t.get_text().endswith(" km") for t in ax.texts)
    b = model.state.bands
    assert len(layer.bands.get_offsets()) == int(np.sum(b.active & (b.fighters > 0)))


def test_theatre_map_names_what_it_draws_and_labels_do_not_overprint() -> None:
    theatre = load_theatre()
    fig = Figure(figsize=(14, 8))
    ax = draw_theatre(theatre, ax=fig.add_subplot())
    assert ax.get_title().startswith("Theatre 36.5-41.0°N")
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"river (barrier)", "Soviet-Afghan border", "ford", "ferry/bridge"} <= labels
    assert any(a.get_ylabel() == "elevation (m)" for a in fig.axes)
    names = [t for t in ax.texts if not t.get_text().endswith(" km")]
    assert len(names) > 10
    assert not _overlaps(lambda: names, fig)


def test_scale_bar_length_is_true_at_its_latitude() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(69.0, 72.0)
    ax.set_ylim(37.0, 39.0)
    km = add_scale_bar(ax)
    (x0, x1), (y, _) = ax.lines[0].get_data()
    assert km == nice_length(0.2 * 3.0 * 111.32 * np.cos(np.radians(y)))
    assert (x1 - x0) * 111.32 * np.cos(np.radians(y)) == pytest.approx(km)
    assert [nice_length(v) for v in (0.9, 1.0, 3.7, 49.0, 120.0)] == [0.5, 1.0, 2.0, 20.0, 100.0]


def test_summary_png_is_written(tiny_run, tmp_path) -> None:
    model, result = tiny_run
    path = plot_summary(model, result.steps, tmp_path / "summary.png")
    assert path.stat().st_size > 10_000


def test_campaign_small_multiples_step_the_model_and_date_each_panel() -> None:
    model = BasmachiModel(load_scenario("tiny"), seed=1)
    fig = plot_campaign(model, [0, 10, 20], ncols=3)
    maps = [a for a in fig.axes if a.get_xlabel()]
    assert [a.get_title() for a in maps] == [
        "1926-03-01 (day 0)", "1926-03-10 (day 10)", "1926-03-20 (day 20)"
    ]
    assert model.state.day == 20
    assert "village support for the insurgents (0-1)" in _all_text(fig)


def test_sweep_overview_labels_every_parameter_and_output() -> None:
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"point": np.repeat(np.arange(10), 2), "a.x": np.repeat(rng.random(10), 2),
                         "b.y": np.repeat(rng.random(10), 2), "out": rng.random(20), "error": ""})
    fig = plot_sweep(runs, ["a.x", "b.y"], ["out"], title="t")
    assert [a.get_xlabel() for a in fig.axes] == ["a.x", "b.y"]
    assert fig.axes[0].get_ylabel() == "out"
    assert "10 design points, 20 runs" in fig._suptitle.get_text()


def test_sensitivity_plot_warns_about_impossible_sobol_estimates(tmp_path) -> None:
    good = pd.DataFrame({"output": "y", "parameter": ["a", "b"], "S1": [0.6, 0.2],
                         "S1_conf": [0.1, 0.1], "ST": [0.7, 0.3], "ST_conf": [0.1, 0.1], "note": ""})
    bad = good.assign(S1=[-0.3, 0.2], ST=[1.4, 0.3])
    assert sampling_warning(good) == ""
    assert sampling_warning(bad).startswith("S1 < 0, ST > 1: sampling error")
    png = plot_indices(pd.concat([good, bad.assign(output="z")]), tmp_path / "s.png")
    assert png.stat().st_size > 0


def test_map_command_writes_under_results_with_a_file_backend(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    code = (
        "import sys; from sim.cli import main; rc = main(['map', '--out']);"
        " import matplotlib; print(matplotlib.get_backend()); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "agg"
    assert (tmp_path / "results" / "theatre.png").stat().st_size > 50_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_compare_plot_names_its_boxes_gives_units_and_labels_never(tiny_run, tmp_path) -> None:
    import math

    from sim.scoring.compare import OUTCOMES, Comparison
    from sim.scoring.report import OUTCOME_UNITS, _short, plot_compare

    _, result = tiny_run
    a = {k: np.array([1.0, 2.0, 3.0]) for k in OUTCOMES}
    b = {**a, "days_to_collapse": np.array([math.inf, math.inf, 4.0])}
    cmp = Comparison("raids_1929", "raids_1929_sanctuary_closed", a, b)
    path = plot_compare([result], [result], cmp, tmp_path / "compare.png")
    assert path.stat().st_size > 10_000
    assert set(OUTCOME_UNITS) == set(OUTCOMES)
    assert _short("raids_1929_sanctuary_closed") == "raids_1929_sanctuary\nclosed"
    assert _short("tiny") == "tiny"
