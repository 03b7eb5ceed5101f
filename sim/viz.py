"""Interactive map in the browser: a Mesa SolaraViz page of a scenario (``basmachi viz``).

The page shows the theatre with the bands, the state's columns, villages coloured by their
support for the insurgents and towns ringed by who holds them (the drawing of
:class:`sim.plots.PositionLayer`); Mesa's Step, Play and Reset controls; charts of the
forces and of the villages' leaning from ``model.datacollector``; and the parameters a user
can change before a run (seed, march hours, requisition share, sanctuary status; Reset
rebuilds the model with them).

``basmachi viz SCENARIO`` serves it with ``solara run sim.viz`` and opens the browser; in a
notebook, display ``make_page("garm_1929")``. Needs the ``viz`` extra
(``pip install -e '.[viz]'``: solara, altair and networkx for ``mesa.visualization``).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import solara as _solara
from matplotlib.figure import Figure

from sim.model import BasmachiModel
from sim.plots import PositionLayer, format_date_axis
from sim.scenario import Scenario, load_scenario

__all__ = ["CHARTS", "ENV_SCENARIO", "ENV_SEED", "Page", "make_page", "user_parameters"]

solara: Any = _solara  # used untyped: its components are built by decorators

#: Environment variables through which ``basmachi viz`` tells the page what to show.
ENV_SCENARIO = "BASMACHI_VIZ_SCENARIO"
ENV_SEED = "BASMACHI_VIZ_SEED"

#: Charts beside the map: (title, y label, {datacollector column: colour}).
CHARTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "Forces",
        "men",
        {
            "insurgent_fighters": "firebrick",
            "insurgents_in_afghanistan": "salmon",
            "state_strength": "navy",
        },
    ),
    (
        "Villages by leaning",
        "villages",
        {
            "villages_pro_insurgent": "firebrick",
            "villages_neutral": "0.5",
            "villages_pro_state": "navy",
        },
    ),
)


def _visualization() -> Any:
    """``mesa.visualization``, imported on first use (its import warns about its own hooks)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*hooks.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*use_state.*", category=UserWarning)
        import mesa.visualization
        from mesa.visualization import utils
    return mesa.visualization, utils


def user_parameters(scenario: str, seed: int) -> dict[str, Any]:
    """Mesa ``model_params`` of the page: the scenario fixed, the rest adjustable.

    Parameters
    ----------
    scenario : str
        Scenario name or path (fixed for the page).
    seed : int
        Initial seed.

    Returns
    -------
    dict
        Keyword arguments of :class:`sim.model.BasmachiModel` (dotted parameter paths
        included): fixed values, or Mesa user-input specifications with type, value and range.
    """
    s = load_scenario(scenario)
    return {
        "scenario": scenario,
        "seed": {"type": "SliderInt", "value": seed, "label": "seed", "min": 0, "max": 99},
        "movement.march_hours": {
            "type": "SliderFloat",
            "value": float(s.movement.march_hours),
            "label": "march hours a day (movement.march_hours)",
            "min": 2.0,
            "max": 14.0,
            "step": 0.5,
        },
        "supply.requisition_share": {
            "type": "SliderFloat",
            "value": float(s.supply.requisition_share),
            "label": "share of village food requisitioned (supply.requisition_share)",
            "min": 0.0,
            "max": 0.6,
            "step": 0.02,
        },
        "sanctuary": {
            "type": "Select",
            "value": s.sanctuary,
            "label": "Afghan sanctuary at the start (sanctuary)",
            "values": ["open", "tolerated", "closed", "hostile"],
        },
    }


def _view(s: Scenario) -> tuple[float, float, float, float] | None:
    """The scenario's theatre window as (lon_min, lon_max, lat_min, lat_max), if any."""
    bbox = tuple(float(x) for x in s.map.bbox)
    if len(bbox) != 4:
        return None
    return (bbox[2], bbox[3], bbox[0], bbox[1])


@solara.component  # type: ignore[untyped-decorator]
def TheatreMap(model: BasmachiModel) -> None:
    """The theatre with units, villages and towns, redrawn after every step."""
    _, utils = _visualization()
    utils.update_counter.get()
    fig = Figure(figsize=(12, 8), layout="constrained")
    PositionLayer(model, fig.subplots(), view=_view(model.scenario))
    solara.FigureMatplotlib(fig, format="png")


def _chart(title: str, ylabel: str, columns: dict[str, str]) -> Any:
    @solara.component  # type: ignore[untyped-decorator]
    def Chart(model: BasmachiModel) -> None:
        _, utils = _visualization()
        utils.update_counter.get()
        fig = Figure(figsize=(6, 3), layout="constrained")
        ax = fig.subplots()
        df = model.datacollector.get_model_vars_dataframe()
        dates = np.datetime64(model.scenario.start, "D") + np.arange(len(df))
        for column, colour in columns.items():
            values = df[column].to_numpy(dtype=float) if len(df) else np.zeros(0)
            ax.plot(dates, values, color=colour, label=column.replace("_", " "))
        ax.set_title(f"{title} ({model.scenario.name})", fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("date")
        ax.legend(fontsize=7, loc="upper left")
        ax.set_xlim(mdates.date2num(model.scenario.start), mdates.date2num(model.scenario.end))  # type: ignore[no-untyped-call]
        ax.set_ylim(bottom=0)
        format_date_axis(ax)
        solara.FigureMatplotlib(fig, format="png")

    return Chart


def make_page(scenario: str, *, seed: int = 0, model: BasmachiModel | None = None) -> Any:
    """The SolaraViz element of a scenario: map, controls, charts and parameters.

    Parameters
    ----------
    scenario : str
        Scenario name or path.
    seed : int
        Initial seed.
    model : BasmachiModel, optional
        The model to show (default: a new one of ``scenario`` and ``seed``).
    """
    viz, _ = _visualization()
    if model is None:
        model = BasmachiModel(scenario, seed=seed)
    components = [(TheatreMap, 0)] + [(_chart(*c), 0) for c in CHARTS]
    return viz.SolaraViz(
        model,
        components=components,
        model_params=user_parameters(scenario, seed),
        name=f"basmachi-sim: {model.scenario.name}",
        play_interval=400,
    )


@solara.component  # type: ignore[untyped-decorator]
def Page() -> Any:
    """Entry point of ``solara run sim.viz``: the scenario and seed come from the environment."""
    scenario = os.environ.get(ENV_SCENARIO, "garm_1929")
    seed = int(os.environ.get(ENV_SEED, "0"))
    model = solara.use_memo(lambda: BasmachiModel(scenario, seed=seed), [])
    return make_page(scenario, seed=seed, model=model)
