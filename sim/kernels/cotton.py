"""Food for cotton: which villages the plan turns over to growing cotton."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.geography import LandCover
from sim.state import Villages, replace

__all__ = ["cotton_villages"]

_CROPLAND = int(LandCover.CROPLAND)


def cotton_villages(
    villages: Villages,
    *,
    land_cover: NDArray[np.uint8],
    afghan: NDArray[np.bool_],
    in_force: bool = True,
) -> Villages:
    """Villages on the irrigated fields of the Soviet side grow cotton while the plan is in force.

    The plan took the irrigated fields (land cover CROPLAND) of the Soviet side; pasture
    and mountain villages kept their own grain. When the plan ends (``in_force`` False)
    the fields go back to grain.

    Parameters
    ----------
    villages : Villages
        n_villages rows.
    land_cover : ndarray of uint8, shape (rows, cols)
    afghan : ndarray of bool, shape (n_cells,)
    in_force : bool
        Whether the food-for-cotton plan is in force today.

    Returns
    -------
    Villages
        A new table with ``cotton`` set on the farming villages (other arrays shared).
    """
    cell = villages.cell
    if not in_force:  # no village grows cotton (nothing to look up)
        return replace(villages, cotton=np.zeros(cell.shape, dtype=bool))
    farms = (land_cover.reshape(-1)[cell] == _CROPLAND) & ~afghan[cell]
    return replace(villages, cotton=farms)
