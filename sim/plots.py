"""Plots: tables (and a model for the maps) in, matplotlib Axes or Figures out.

Importing this module does not choose a matplotlib backend: in a notebook figures
show inline, and the command line selects a file backend itself
(:func:`sim.cli.use_file_backend`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.mapplot import cell_lonlat, draw_theatre

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = [
    "PositionLayer",
    "format_date_axis",
    "plot_campaign",
    "plot_forces",
    "plot_positions",
    "plot_summary",
    "plot_sweep",
    "save_campaign_gif",
]

#: Colour of each side, used by every plot.
INSURGENT_COLOUR = "firebrick"
STATE_COLOUR = "navy"
#: Town marker colour by holder (1 state, -1 insurgents, 0 nobody).
HOLDER_COLOUR = {1: STATE_COLOUR, -1: INSURGENT_COLOUR, 0: "0.5"}


def format_date_axis(ax: Axes) -> Axes:
    """Concise, non-overlapping date ticks on the x axis (``ConciseDateFormatter``)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    return ax


def plot_forces(steps: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Insurgent fighters, state strength and insurgents in Afghanistan over time.

    Parameters
    ----------
    steps : DataFrame
        A run's ``steps`` table (one row per day, ``date`` a datetime column).
    ax : Axes, optional
        Target axes; a new figure when omitted.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    dates = pd.to_datetime(steps["date"])
    ax.plot(dates, steps["insurgent_fighters"], color=INSURGENT_COLOUR, label="insurgent fighters")
    ax.plot(dates, steps["state_strength"], color=STATE_COLOUR, label="state strength")
    ax.plot(
        dates,
        steps["insurgents_in_afghanistan"],
        color=INSURGENT_COLOUR,
        ls=":",
        label="insurgents in Afghanistan",
    )
    ax.set_ylabel("men")
    ax.set_xlabel("date")
    ax.set_ylim(bottom=0)
    ax.set_title("Forces over time")
    ax.legend(loc="best", fontsize=8)
    format_date_axis(ax)
    return ax


def _town_holder(model: BasmachiModel) -> np.ndarray:
    holder = getattr(model.state, "town_holder", None)
    if holder is None:
        holder = model.town_holder
    return np.asarray(holder)


def _last_date(model: BasmachiModel) -> dt.date:
    """Date of the last simulated day (the start date before the first step)."""
    return model.scenario.start + dt.timedelta(days=max(model.state.day - 1, 0))


def _marker(
    marker: str, face: str, edge: str, label: str, *, ms: float | None = None,
    mew: float | None = None,
) -> Line2D:
    """A legend entry of a marker alone (no line): shape, face and edge colour, label,
    and optionally its size and edge width (matplotlib's defaults otherwise)."""
    return Line2D([], [], ls="", marker=marker, mfc=face, mec=edge, label=label,
                  markersize=ms, markeredgewidth=mew)


class PositionLayer:
    """Units, villages and towns of a model drawn over its theatre, updatable in place.

    The terrain is drawn once; :meth:`update` moves the markers to the model's current
    state, so a GIF or an interactive view redraws only what changed.

    Parameters
    ----------
    model : BasmachiModel
    ax : Axes
        Target axes (x = longitude, y = latitude).
    label_places, colorbar, legend : bool
        Town names; colour bars of elevation and village support; legend.
    view : (lon_min, lon_max, lat_min, lat_max), optional
        Zoom to this window of the theatre.
    """

    def __init__(
        self,
        model: BasmachiModel,
        ax: Axes,
        *,
        label_places: bool = True,
        colorbar: bool = True,
        legend: bool = True,
        view: tuple[float, float, float, float] | None = None,
    ) -> None:
        self.ax = ax
        t = model.world.theatre
        self._theatre = t
        draw_theatre(
            t, ax=ax, label_places=label_places, colorbar=colorbar, legend=False, view=view
        )
        v = model.state.villages
        self.villages = ax.scatter(
            *self._lonlat(v.cell),
            c=v.support,
            cmap="coolwarm",
            vmin=0.0,
            vmax=1.0,
            s=4,
            alpha=0.7,
            linewidths=0,
            zorder=6,
        )
        town_xy = self._lonlat(model.world.town_cells)
        self.towns = ax.scatter(
            *town_xy, s=70, facecolors="none", edgecolors="0.5", linewidths=1.6, zorder=7
        )
        self.bands = ax.scatter(
            [], [], marker="^", color=INSURGENT_COLOUR, edgecolor="k", linewidths=0.5, zorder=9
        )
        self.columns = ax.scatter(
            [], [], marker="s", color="royalblue", edgecolor="k", linewidths=0.5, zorder=8
        )
        if colorbar:
            ax.figure.colorbar(
                self.villages,
                ax=ax,
                shrink=0.7,
                pad=0.01,
                label="village support for the insurgents (0-1)",
            )
        if legend:
            handles = [
                Line2D([], [], color="#1f5fd6", lw=1.4, label="river (barrier)"),
                Line2D([], [], color="#b00020", lw=1.0, ls="--", label="Soviet-Afghan border"),
                _marker("o", "#ffd23f", "k", "ford"),
                _marker("s", "#ff7f0e", "k", "ferry/bridge"),
                _marker("^", INSURGENT_COLOUR, "k", "band (area ~ fighters)", ms=8),
                _marker("s", "royalblue", "k", "state unit (area ~ men)", ms=7),
                _marker("o", "none", STATE_COLOUR, "town held by the state", mew=1.6, ms=8),
                _marker("o", "none", INSURGENT_COLOUR, "town held by insurgents", mew=1.6, ms=8),
                _marker("o", "#b40426", "none", "village (colour: support)", ms=4),
            ]
            ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.85)
        self.update(model)

    def _lonlat(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return cell_lonlat(self._theatre, cells)

    def update(self, model: BasmachiModel, *, title: str | None = None) -> None:
        """Move the markers to the model's current state and set the title."""
        s = model.state
        self.villages.set_array(np.asarray(s.villages.support, dtype=np.float64))
        holder = _town_holder(model)
        self.towns.set_edgecolor([HOLDER_COLOUR.get(int(h), "0.5") for h in holder])
        b = s.bands
        act = b.active & (b.fighters > 0)
        self.bands.set_offsets(np.column_stack(self._lonlat(b.cell[act])))
        self.bands.set_sizes(10 + 3 * np.sqrt(b.fighters[act]))
        c = s.columns
        act = c.active & (c.strength > 0)
        self.columns.set_offsets(np.column_stack(self._lonlat(c.cell[act])))
        self.columns.set_sizes(10 + 3 * np.sqrt(c.strength[act]))
        if title is None:
            fighters = int(np.sum(b.fighters[b.active & (b.fighters > 0)]))
            men = int(np.sum(c.strength[c.active & (c.strength > 0)]))
            title = (
                f"{model.scenario.name}, {_last_date(model)} (day {s.day}):"
                f" {fighters} insurgents, {men} state troops"
            )
        self.ax.set_title(title, fontsize=9)


def plot_positions(model: BasmachiModel, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Positions of bands and state units over the map, villages coloured by support.

    Parameters
    ----------
    model : BasmachiModel
        Drawn as it is now (after the days it has run).
    ax : Axes, optional
        Target axes; a new figure when omitted.
    **kwargs
        Passed to :class:`PositionLayer` (``label_places``, ``colorbar``, ``legend``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 7), layout="constrained")
    PositionLayer(model, ax, **kwargs)
    return ax


def plot_summary(model: BasmachiModel, steps: pd.DataFrame, path: str | Path) -> Path:
    """Forces over time, a map of final positions and a map of support, saved as a PNG."""
    from sim.supportplot import plot_support_map

    fig = Figure(figsize=(24, 6.5), layout="constrained")
    a1, a2, a3 = fig.subplots(1, 3, width_ratios=[1, 1.6, 1.6])
    plot_forces(steps, a1)
    plot_positions(model, a2)
    plot_support_map(model, a3)
    fig.suptitle(f"{model.scenario.name}: {model.scenario.start} to {model.scenario.end}")
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def plot_campaign(
    model: BasmachiModel,
    days: Sequence[int],
    *,
    ncols: int = 3,
    panel_width: float = 5.0,
    view: tuple[float, float, float, float] | None = None,
) -> Figure:
    """Small multiples of a campaign: the model stepped to each of ``days`` and drawn.

    Parameters
    ----------
    model : BasmachiModel
        A model that has not yet run past ``min(days)``; it is stepped forward.
    days : sequence of int
        Days (number of days simulated) at which to draw a panel, increasing.
    ncols : int
        Panels per row.
    view : (lon_min, lon_max, lat_min, lat_max), optional
        Zoom every panel to this window.

    Returns
    -------
    Figure
        One panel per day, a shared legend and colour bar.
    """
    days = sorted(int(d) for d in days)
    if days and days[0] < model.state.day:
        raise ValueError(
            f"plot_campaign: day {days[0]} is before the model's day {model.state.day}"
        )
    nrows = -(-len(days) // ncols)
    v = view if view is not None else model.world.theatre.extent
    aspect = (v[3] - v[2]) / (v[1] - v[0]) / np.cos(np.radians(0.5 * (v[2] + v[3])))
    fig = Figure(
        figsize=(panel_width * ncols, panel_width * aspect * nrows + 1.2), layout="constrained"
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, day in enumerate(days):
        while model.state.day < day and not model.finished:
            model.step()
        ax = axes[k // ncols][k % ncols]
        PositionLayer(model, ax, label_places=k == 0, colorbar=False, legend=k == 0, view=view)
        ax.set_title(f"{_last_date(model)} (day {model.state.day})", fontsize=9)
    for k in range(len(days), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    mappable = ScalarMappable(cmap="coolwarm", norm=Normalize(0.0, 1.0))
    fig.colorbar(mappable, ax=axes, shrink=0.6, label="village support for the insurgents (0-1)")
    fig.suptitle(f"{model.scenario.name}: the campaign day by day")
    return fig


def save_campaign_gif(
    model: BasmachiModel,
    path: str | Path,
    *,
    every: int = 1,
    fps: int = 4,
    dpi: int = 80,
    view: tuple[float, float, float, float] | None = None,
) -> Path:
    """Run the model to its end and save an animated GIF of the positions.

    Parameters
    ----------
    model : BasmachiModel
        Stepped from where it is to the end of the scenario.
    path : str or Path
        The GIF to write (Pillow writer).
    every : int
        Days per frame.
    fps : int
        Frames per second.
    view : (lon_min, lon_max, lat_min, lat_max), optional
        Zoom to this window.

    Returns
    -------
    Path
    """
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    layer = PositionLayer(model, ax, view=view)
    frames = -(-(model.scenario.days - model.state.day) // max(every, 1)) + 1

    def advance(i: int) -> list[Any]:
        if i > 0:
            for _ in range(every):
                if not model.finished:
                    model.step()
        layer.update(model)
        return [layer.bands, layer.columns, layer.villages, layer.towns]

    anim = FuncAnimation(fig, advance, frames=frames, blit=False, repeat=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    anim.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
    return path


def plot_sweep(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    outputs: Sequence[str],
    *,
    title: str = "",
    max_outputs: int = 4,
) -> Figure:
    """Overview of a sweep: every output against every varied parameter.

    Each dot is one design point (the mean over its replicates); a vertical bar spans
    its replicates' minimum and maximum when there are several.

    Parameters
    ----------
    runs : DataFrame
        The sweep's ``runs`` table: ``point``, one column per parameter path, the
        outputs, and ``error`` (failed runs are left out).
    parameters : sequence of str
        Parameter columns (x axes).
    outputs : sequence of str
        Output columns (y axes); the first ``max_outputs`` are drawn.

    Returns
    -------
    Figure
    """
    ok = runs[runs["error"] == ""] if "error" in runs else runs
    outputs = [o for o in outputs if o in ok][:max_outputs]
    grouped = ok.groupby("point")
    mean = grouped[[*parameters, *outputs]].mean()
    lo = grouped[outputs].min()
    hi = grouped[outputs].max()
    reps = int(grouped.size().max()) if len(ok) else 0
    fig = Figure(
        figsize=(3.2 * max(len(parameters), 1), 2.6 * max(len(outputs), 1) + 0.6),
        layout="constrained",
    )
    axes = fig.subplots(max(len(outputs), 1), max(len(parameters), 1), squeeze=False)
    for i, out in enumerate(outputs):
        for j, par in enumerate(parameters):
            ax = axes[i][j]
            if reps > 1:
                ax.vlines(mean[par], lo[out], hi[out], color="0.75", lw=0.8, zorder=1)
            ax.scatter(mean[par], mean[out], s=9, color="C0", zorder=2)
            if i == len(outputs) - 1:
                ax.set_xlabel(par, fontsize=8)
            if j == 0:
                ax.set_ylabel(out, fontsize=8)
            ax.tick_params(labelsize=7)
    spread = f"; bars: min-max over {reps} replicates" if reps > 1 else ""
    fig.suptitle(
        (f"{title}: " if title else "")
        + f"{len(mean)} design points, {len(ok)} runs (dots: mean per point{spread})",
        fontsize=10,
    )
    return fig
