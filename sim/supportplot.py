"""Support on the map: villages coloured by the side they lean to, with a legend.

A separate panel for the run summary (:func:`sim.plots.plot_summary`): a model in,
an Axes out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes

from sim.mapplot import cell_lonlat, draw_theatre

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = ["SIDE_COLOURS", "plot_support_map"]

SIDE_COLOURS = {"pro-insurgent": "firebrick", "neutral": "khaki", "pro-state": "royalblue"}
"""Colour of each leaning on the map (thresholds population.side_high / side_low, as in the steps table)."""


def plot_support_map(model: BasmachiModel, ax: Axes | None = None) -> Axes:
    """Villages at the end of the run, coloured by leaning, sized by people.

    Parameters
    ----------
    model : BasmachiModel
        A model that has run (its current state is drawn).
    ax : Axes, optional

    Returns
    -------
    Axes
        With a legend giving each leaning's threshold and its number of villages.
    """
    t = model.world.theatre
    high, low = model.params.population.side_high, model.params.population.side_low
    ax = draw_theatre(t, ax=ax, label_places=False, legend=False)
    v = model.state.villages
    x, y = cell_lonlat(t, v.cell)
    size = 1.0 + 4.0 * np.sqrt(v.population / max(float(v.population.max(initial=1)), 1.0))
    sides = {
        "pro-insurgent": v.support > high,
        "neutral": (v.support >= low) & (v.support <= high),
        "pro-state": v.support < low,
    }
    thresholds = {"pro-insurgent": f"support > {high:g}", "neutral": f"{low:g}-{high:g}",
                  "pro-state": f"support < {low:g}"}
    for name, mask in sides.items():
        ax.scatter(x[mask], y[mask], s=size[mask] ** 2, color=SIDE_COLOURS[name], alpha=0.7,
                   linewidths=0, label=f"{name} ({thresholds[name]}): {int(mask.sum())}")
    ax.legend(loc="lower left", fontsize=7, title="villages", title_fontsize=7, markerscale=2)
    ax.set_title("Support of the villages at the end")
    return ax
