"""Matplotlib rendering of a :class:`~sim.geography.Theatre` (Agg-safe, object API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection

from sim.geography import KM_PER_DEG_LAT, Country, Theatre

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["add_scale_bar", "cell_lonlat", "draw_theatre", "edge_segments", "nice_length"]

_TOWN_WORDS = ("town", "city")


def cell_lonlat(theatre: Theatre, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of the centres of flat cell indices, each of shape (n,)."""
    r, c = np.divmod(np.asarray(cells, dtype=np.int64), theatre.shape[1])
    return theatre.lon_min + (c + 0.5) * theatre.res, theatre.lat_max - (r + 0.5) * theatre.res


def edge_segments(theatre: Theatre, east: np.ndarray, south: np.ndarray) -> np.ndarray:
    """Line segments (lon, lat) of the cell edges flagged in two edge masks.

    Parameters
    ----------
    theatre : Theatre
        Supplies the georeferencing.
    east, south : np.ndarray, shape (rows, cols), bool
        ``east[r, c]`` flags the edge between ``(r, c)`` and ``(r, c + 1)``;
        ``south[r, c]`` the edge between ``(r, c)`` and ``(r + 1, c)``.

    Returns
    -------
    np.ndarray, shape (n, 2, 2), float64
        ``n`` segments, each ``[[lon0, lat0], [lon1, lat1]]``.
    """
    res, lat0, lon0 = theatre.res, theatre.lat_max, theatre.lon_min
    er, ec = np.nonzero(east)
    sr, sc = np.nonzero(south)
    x = lon0 + (ec + 1) * res
    seg_e = np.stack(
        [np.stack([x, lat0 - er * res], -1), np.stack([x, lat0 - (er + 1) * res], -1)], 1
    )
    y = lat0 - (sr + 1) * res
    seg_s = np.stack(
        [np.stack([lon0 + sc * res, y], -1), np.stack([lon0 + (sc + 1) * res, y], -1)], 1
    )
    return np.concatenate([seg_e.reshape(-1, 2, 2), seg_s.reshape(-1, 2, 2)]).astype(np.float64)


def _hillshade(elev: np.ndarray, res_m: float) -> np.ndarray:
    """Simple NW-lit hillshade in [0, 1], shape of ``elev``."""
    gy, gx = np.gradient(elev.astype(np.float64), res_m)
    slope = np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, gy)
    az, alt = np.radians(315.0), np.radians(45.0)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.asarray(np.clip(shade, 0.0, 1.0))


def draw_theatre(
    theatre: Theatre,
    ax: Axes | None = None,
    *,
    label_places: bool = True,
    colorbar: bool = True,
    legend: bool = True,
    scale_km: float | None = None,
    title: str | None = None,
    view: tuple[float, float, float, float] | None = None,
) -> Axes:
    """Draw relief, rivers, crossings, the Soviet-Afghan border and towns.

    Parameters
    ----------
    theatre : Theatre
        Map to draw; arrays of shape (rows, cols).
    ax : matplotlib Axes, optional
        Target axes; a new figure is created (object API, no pyplot state
        beyond ``plt.subplots``) when omitted.
    label_places : bool
        Write the names of towns and cities next to their dots (a name that would
        overprint one already written is left out).
    colorbar : bool
        Add a colour bar of the elevation (metres).
    legend : bool
        Add a legend of rivers, border, crossings and towns (upper right).
    scale_km : float, optional
        Length of the scale bar in kilometres (default: about a fifth of the width).
    title : str, optional
        Axes title (default: the theatre's extent).
    view : (lon_min, lon_max, lat_min, lat_max), optional
        Zoom to this window (default: the whole theatre).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (x = longitude, y = latitude).
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(12, 7))
    extent = theatre.extent
    elev = np.asarray(theatre.elevation, dtype=np.float64)
    top = max(1000.0, float(np.nanmax(elev)))
    # vmin below sea level keeps the lowlands green rather than "water" blue.
    relief = ax.imshow(
        elev,
        extent=extent,
        origin="upper",
        cmap="terrain",
        vmin=-0.3 * top,
        vmax=top,
        interpolation="nearest",
        zorder=0,
    )
    ns_km, _ = theatre.step_km()
    shade = _hillshade(elev, ns_km * 1000.0)
    ax.imshow(
        shade,
        extent=extent,
        origin="upper",
        cmap="gray",
        alpha=0.35,
        vmin=0.0,
        vmax=1.0,
        interpolation="bilinear",
        zorder=1,
    )

    rivers = edge_segments(theatre, theatre.river_east > 0, theatre.river_south > 0)
    if len(rivers):
        ax.add_collection(
            LineCollection(
                list(rivers), colors="#1f5fd6", linewidths=1.4, zorder=3, label="river (barrier)"
            )
        )

    # Border: edges between cells of different country.
    c = theatre.country
    diff_e = np.zeros(c.shape, dtype=bool)
    diff_s = np.zeros(c.shape, dtype=bool)
    diff_e[:, :-1] = c[:, :-1] != c[:, 1:]
    diff_s[:-1, :] = c[:-1, :] != c[1:, :]
    border = edge_segments(theatre, diff_e, diff_s)
    if len(border):
        ax.add_collection(
            LineCollection(
                list(border),
                colors="#b00020",
                linewidths=1.0,
                linestyles="--",
                zorder=4,
                label="Soviet-Afghan border",
            )
        )

    # Crossings: markers at the edge midpoints.
    res = theatre.res
    for kind, marker, colour in ((1, "o", "#ffd23f"), (2, "s", "#ff7f0e")):
        er, ec = np.nonzero(theatre.crossing_east == kind)
        sr, sc = np.nonzero(theatre.crossing_south == kind)
        xs = np.concatenate([theatre.lon_min + (ec + 1) * res, theatre.lon_min + (sc + 0.5) * res])
        ys = np.concatenate([theatre.lat_max - (er + 0.5) * res, theatre.lat_max - (sr + 1) * res])
        if xs.size:
            ax.scatter(
                xs,
                ys,
                s=14,
                marker=marker,
                c=colour,
                edgecolors="k",
                linewidths=0.4,
                zorder=5,
                label="ford" if kind == 1 else "ferry/bridge",
            )

    # Labels that would overprint one already written are left out: boxes estimated from
    # the text length and the axes' size (0.6 em per character, 1.3 em high).
    v = view if view is not None else extent
    root = ax.get_figure(root=True)
    fig_w, fig_h = root.get_size_inches() if root is not None else (12.0, 7.0)
    pos = ax.get_position()
    aspect = 1.0 / np.cos(np.radians(0.5 * (v[2] + v[3])))  # as set below
    # The equal-aspect box fits the tighter side; 15 % margin for a colour bar added later.
    deg_per_pt_x = 1.15 * max(
        (v[1] - v[0]) / max(pos.width * fig_w * 72.0, 1.0),
        (v[3] - v[2]) * aspect / max(pos.height * fig_h * 72.0, 1.0),
    )
    deg_per_pt_y = deg_per_pt_x / aspect
    fontsize = 6.5
    placed: list[tuple[float, float, float, float]] = []
    towns = 0
    for name, (row, col) in theatre.places.items():
        feature = theatre.place_kinds.get(name, "")
        if not any(w in feature for w in _TOWN_WORDS):
            continue
        lat, lon = theatre.centre(row, col)
        mark_afg = int(theatre.country[row, col]) == int(Country.AFGHANISTAN)
        ax.plot(lon, lat, "o", ms=3.5, color="#7a0000" if mark_afg else "k", zorder=6)
        towns += 1
        x0 = lon + 3 * deg_per_pt_x
        y0 = lat + 2 * deg_per_pt_y
        box = (
            x0,
            x0 + 0.6 * fontsize * len(name) * deg_per_pt_x,
            y0,
            y0 + 1.3 * fontsize * deg_per_pt_y,
        )
        if label_places and not any(
            box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in placed
        ):
            placed.append(box)
            ax.annotate(
                name,
                (lon, lat),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=fontsize,
                zorder=7,
                clip_on=True,
            )
    if towns:
        ax.plot([], [], "o", ms=3.5, color="k", label="town (Afghan: dark red)")

    ax.set_xlim(v[0], v[1])
    ax.set_ylim(v[2], v[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (v[2] + v[3]))))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    add_scale_bar(ax, km=scale_km)
    if colorbar:
        ax.figure.colorbar(relief, ax=ax, shrink=0.7, pad=0.01, label="elevation (m)")
    if legend:
        ax.legend(loc="upper right", fontsize=7, framealpha=0.85)
    if title is None:
        title = (
            f"Theatre {v[2]:.1f}-{v[3]:.1f}°N, {v[0]:.1f}-{v[1]:.1f}°E"
            f" ({theatre.shape[0]} x {theatre.shape[1]} cells of {theatre.res:g}°)"
        )
    ax.set_title(title)
    return ax


def nice_length(km: float) -> float:
    """The largest of 1, 2, 5 x 10^k kilometres not above ``km`` (``km`` > 0)."""
    exp = 10.0 ** np.floor(np.log10(km))
    return float(max(m * exp for m in (1.0, 2.0, 5.0) if m * exp <= km))


def add_scale_bar(ax: Axes, *, km: float | None = None) -> float:
    """Draw a scale bar in the lower right corner; return its length in kilometres.

    The bar is measured along the parallel at the bar's own latitude (the map's x axis
    is longitude, so a kilometre spans more degrees further north).

    Parameters
    ----------
    ax : Axes
        Map axes with x = longitude and y = latitude (degrees), limits already set.
    km : float, optional
        Length in kilometres; default a round length near a fifth of the map's width.
    """

    lon0, lon1 = ax.get_xlim()
    lat0, lat1 = ax.get_ylim()
    y = lat0 + 0.06 * (lat1 - lat0)
    km_per_deg_lon = KM_PER_DEG_LAT * float(np.cos(np.radians(y)))
    if km is None:
        km = nice_length(0.2 * (lon1 - lon0) * km_per_deg_lon)
    width = km / km_per_deg_lon
    x1 = lon1 - 0.04 * (lon1 - lon0)
    x0 = x1 - width
    ax.plot([x0, x1], [y, y], color="k", lw=3, solid_capstyle="butt", zorder=8)
    ax.plot([x0, x1], [y, y], color="w", lw=1, solid_capstyle="butt", zorder=9)
    ax.annotate(
        f"{km:g} km",
        ((x0 + x1) / 2, y),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=7,
        zorder=9,
        bbox={"boxstyle": "round,pad=0.15", "fc": "w", "ec": "none", "alpha": 0.7},
    )
    return km
