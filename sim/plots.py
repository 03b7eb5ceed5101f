"""Plots: tables (and a finished model for the map) in, matplotlib Axes out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.mapplot import draw_theatre

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = ["plot_forces", "plot_positions", "plot_summary"]


def plot_forces(steps: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Insurgent fighters, state strength and insurgents in Afghanistan over time."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    dates = pd.to_datetime(steps["date"])
    ax.plot(dates, steps["insurgent_fighters"], color="firebrick", label="insurgent fighters")
    ax.plot(dates, steps["state_strength"], color="navy", label="state strength")
    ax.plot(
        dates,
        steps["insurgents_in_afghanistan"],
        color="firebrick",
        ls=":",
        label="insurgents in Afghanistan",
    )
    ax.set_ylabel("men")
    ax.set_title("Forces over time")
    ax.legend(loc="best", fontsize=8)
    ax.figure.autofmt_xdate()
    return ax


def plot_positions(model: BasmachiModel, ax: Axes | None = None) -> Axes:
    """Final positions of bands and state units over the map, villages shaded by leaning."""
    t = model.world.theatre
    ax = draw_theatre(t, ax=ax, label_places=True)
    ncols = model.world.ncols

    def lonlat(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r, c = np.divmod(cells, ncols)
        return t.lon_min + (c + 0.5) * t.res, t.lat_max - (r + 0.5) * t.res

    v = model.state.villages
    x, y = lonlat(v.cell)
    ax.scatter(
        x,
        y,
        c=v.support,
        cmap="coolwarm",
        vmin=0,
        vmax=1,
        s=2,
        alpha=0.5,
        label="villages (red: pro-insurgent)",
    )
    b = model.state.bands
    act = b.active & (b.fighters > 0)
    x, y = lonlat(b.cell[act])
    ax.scatter(
        x,
        y,
        s=10 + np.sqrt(b.fighters[act]) * 3,
        marker="^",
        color="firebrick",
        edgecolor="k",
        label="bands",
    )
    c = model.state.columns
    act = c.active & (c.strength > 0)
    x, y = lonlat(c.cell[act])
    ax.scatter(
        x,
        y,
        s=10 + np.sqrt(c.strength[act]) * 3,
        marker="s",
        color="royalblue",
        edgecolor="k",
        label="state units",
    )
    ax.set_title(f"Positions on {model.date - np.timedelta64(1, 'D').astype(object)}")
    ax.legend(loc="lower left", fontsize=7)
    return ax


def plot_summary(model: BasmachiModel, steps: pd.DataFrame, path: str | Path) -> Path:
    """Forces over time and a map of final positions, saved as a PNG."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, 1.4]})
    plot_forces(steps, a1)
    plot_positions(model, a2)
    fig.suptitle(f"{model.scenario.name}: {model.scenario.start} to {model.scenario.end}")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
