"""Where things act: the cells of named regions and of regional policy windows.

A region is the set of cells within ``radius_km`` of one or more named places,
optionally limited to one country; with no place it is the whole country (or the
whole map). Timeline ``policy`` and ``sanctuary`` entries are limited the same way
(see :class:`sim.scenario.TimelineEvent`): to a named region of ``[[regions]]``, to
cells around their own ``places``, or both (union), then to a country. A policy
names no country by default and then acts on the Soviet side only; a sanctuary
entry acts on the Afghan side only.

Distances are straight-line kilometres between cell centres on the grid
(:func:`sim.kernels.terrain.cell_km`), not travel distances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sim.geography import Country, Theatre
from sim.kernels.terrain import cell_km
from sim.scenario import RegionSpec, TimelineEvent

__all__ = ["COUNTRY_CODE", "cells_near", "entry_area", "region_area"]

Bool = NDArray[np.bool_]

COUNTRY_CODE = {"soviet": Country.SOVIET, "afghanistan": Country.AFGHANISTAN}
"""Country scope names of the scenario schema and their :class:`Country` codes."""


def cells_near(t: Theatre, places: Sequence[str], radius_km: float) -> Bool:
    """Cells whose centre lies within ``radius_km`` of any of ``places``.

    Parameters
    ----------
    t : Theatre
    places : sequence of str
        Named places of the theatre.
    radius_km : float

    Returns
    -------
    ndarray of bool, shape (rows * cols,)
    """
    rows, cols = t.shape
    ns_km, ew_km = cell_km(rows, lat_max=t.lat_max, res=t.res)
    r, c = np.divmod(np.arange(rows * cols), cols)
    out = np.zeros(rows * cols, dtype=bool)
    for name in places:
        r0, c0 = t.place(name)
        out |= np.hypot((r - r0) * ns_km, (c - c0) * ew_km[r]) <= radius_km
    return out


def _country(t: Theatre, country: str) -> Bool:
    if country in COUNTRY_CODE:
        return np.asarray(t.country.reshape(-1) == COUNTRY_CODE[country])
    return np.ones(t.country.size, dtype=bool)


def region_area(t: Theatre, region: RegionSpec) -> Bool:
    """Cells of a named region (its places within its radius, limited to its country).

    Returns
    -------
    ndarray of bool, shape (rows * cols,)
    """
    places = ([region.at] if region.at else []) + list(region.places)
    near = cells_near(t, places, region.radius_km) if places else np.ones(t.country.size, bool)
    return near & _country(t, region.country)


def entry_area(
    t: Theatre, entry: TimelineEvent, regions: Sequence[RegionSpec], *, default_country: str
) -> Bool:
    """Cells where a ``policy`` or ``sanctuary`` timeline entry acts.

    Parameters
    ----------
    t : Theatre
    entry : TimelineEvent
    regions : sequence of RegionSpec
        The scenario's named regions.
    default_country : str
        Country used when the entry names none ("soviet" for policies,
        "afghanistan" for the sanctuary).

    Returns
    -------
    ndarray of bool, shape (rows * cols,)
    """
    n = t.country.size
    named = {r.name: r for r in regions}
    scoped = bool(entry.region or entry.places)
    area = np.zeros(n, dtype=bool) if scoped else np.ones(n, dtype=bool)
    if entry.region:
        area |= region_area(t, named[entry.region])
    if entry.places:
        area |= cells_near(t, entry.places, entry.radius_km)
    return area & _country(t, entry.country or default_country)
