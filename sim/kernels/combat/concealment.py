"""Terrain concealment: the share of area fire wasted on a band hidden in each cell."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.params.combat import CombatParams

__all__ = ["concealment_map"]

F64 = NDArray[np.float64]


def concealment_map(
    land_cover: NDArray[np.uint8], ruggedness: NDArray[np.floating], params: CombatParams
) -> F64:
    """Share of area fire wasted on a band hidden in each cell.

    ``c = 1 - (1 - c_cover) * (1 - w * (1 - exp(-rug / scale)))``, capped at
    ``max_concealment``: cover and relief hide independently.

    Parameters
    ----------
    land_cover : ndarray of uint8, shape (rows, cols)
        WATER=0, BARREN=1, GRASSLAND=2, SHRUB=3, FOREST=4, CROPLAND=5, TOWN=6,
        SNOW_ICE=7, WETLAND=8 (other values count as BARREN).
    ruggedness : ndarray of float, shape (rows, cols)
        Standard deviation of elevation within the cell (m).
    params : CombatParams

    Returns
    -------
    ndarray of float64, shape (rows * cols,)
        Concealment in [0, max_concealment] per flat cell ``row * ncols + col``.

    References
    ----------
    Schaffer, M. B. (1968). Lanchester models of guerrilla engagements.
    """
    p = params
    table = np.array(
        [
            p.cover_water,
            p.cover_barren,
            p.cover_grassland,
            p.cover_shrub,
            p.cover_forest,
            p.cover_cropland,
            p.cover_town,
            p.cover_snow_ice,
            p.cover_wetland,
        ],
        dtype=np.float64,
    )
    lc = np.asarray(land_cover).reshape(-1).astype(np.intp)
    lc = np.where((lc >= 0) & (lc < table.size), lc, 1)
    rug = np.maximum(np.asarray(ruggedness, dtype=np.float64).reshape(-1), 0.0)
    if rug.shape != lc.shape:
        msg = f"land_cover {np.shape(land_cover)} and ruggedness {np.shape(ruggedness)} differ"
        raise ValueError(msg + "; pass both grids of shape (rows, cols)")
    relief = p.ruggedness_weight * -np.expm1(-rug / p.ruggedness_scale_m)
    conc = 1.0 - (1.0 - table[lc]) * (1.0 - relief)
    return np.minimum(conc, p.max_concealment)
