"""Matplotlib rendering of a :class:`~sim.geography.Theatre` (Agg-safe, object API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection

from sim.geography import Country, Theatre

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["draw_theatre", "edge_segments"]

_TOWN_WORDS = ("town", "city")


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


def draw_theatre(theatre: Theatre, ax: Axes | None = None, *, label_places: bool = True) -> Axes:
    """Draw relief, rivers, crossings, the Soviet-Afghan border and towns.

    Parameters
    ----------
    theatre : Theatre
        Map to draw; arrays of shape (rows, cols).
    ax : matplotlib Axes, optional
        Target axes; a new figure is created (object API, no pyplot state
        beyond ``plt.subplots``) when omitted.
    label_places : bool
        Write the names of towns and cities next to their dots.

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
    ax.imshow(
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
        ax.add_collection(LineCollection(list(rivers), colors="#1f5fd6", linewidths=1.4, zorder=3))

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
                list(border), colors="#b00020", linewidths=1.0, linestyles="--", zorder=4
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

    for name, (row, col) in theatre.places.items():
        feature = theatre.place_kinds.get(name, "")
        if not any(w in feature for w in _TOWN_WORDS):
            continue
        lat, lon = theatre.centre(row, col)
        mark_afg = int(theatre.country[row, col]) == int(Country.AFGHANISTAN)
        ax.plot(lon, lat, "o", ms=3.5, color="#7a0000" if mark_afg else "k", zorder=6)
        if label_places:
            ax.annotate(
                name,
                (lon, lat),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=6.5,
                zorder=7,
                clip_on=True,
            )

    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (extent[2] + extent[3]))))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    return ax
