"""Support on the map: villages coloured by the side they lean to, with a legend.

A separate panel for the run summary (:func:`sim.plots.plot_summary`): a model in,
an Axes out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes

from sim.mapplot import draw_theatre
from sim.recorder import PRO_INSURGENT, PRO_STATE

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = ["SIDE_COLOURS", "plot_support_map"]

SIDE_COLOURS = {"pro-insurgent": "firebrick", "neutral": "khaki", "pro-state": "royalblue"}
"""Colour of each leaning on the map (thresholds of the steps table)."""


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
    ax = draw_theatre(t, ax=ax, label_places=False)
    v = model.state.villages
    r, c = np.divmod(v.cell, model.world.ncols)
    x, y = t.lon_min + (c + 0.5) * t.res, t.lat_max - (r + 0.5) * t.res
    size = 1.0 + 4.0 * np.sqrt(v.population / max(float(v.population.max(initial=1)), 1.0))
    sides = {
        "pro-insurgent": v.support > PRO_INSURGENT,
        "neutral": (v.support >= PRO_STATE) & (v.support <= PRO_INSURGENT),
        "pro-state": v.support < PRO_STATE,
    }
    thresholds = {"pro-insurgent": f"support > {PRO_INSURGENT}",
                  "neutral": f"{PRO_STATE}-{PRO_INSURGENT}",
                  "pro-state": f"support < {PRO_STATE}"}
    for name, mask in sides.items():
        ax.scatter(x[mask], y[mask], s=size[mask] ** 2, color=SIDE_COLOURS[name], alpha=0.7,
                   linewidths=0, label=f"{name} ({thresholds[name]}): {int(mask.sum())}")
    ax.legend(loc="lower left", fontsize=7, title="villages", title_fontsize=7, markerscale=2)
    ax.set_title("Support of the villages at the end")
    return ax
