"""The settlement layer: where people lived in the 1920s, and how many (population per cell).

Derived once by ``scenarios/geo/derive_settlements.py`` from the theatre (land cover,
elevation, water, places) and scaled to the documented population of the Tajik ASSR;
shipped as ``scenarios/geo/settlements.npz``. Pure numpy, like :mod:`sim.geography`.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim.geography import Theatre, default_theatre_path

__all__ = ["default_settlements_path", "settlement_population"]


def default_settlements_path() -> Path:
    """``settlements.npz`` next to the theatre file."""
    return default_theatre_path().parent / "settlements.npz"


@functools.lru_cache(maxsize=2)
def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def load_layer(path: Path | None = None) -> dict[str, np.ndarray]:
    """All arrays of the settlement file (cached): ``population``, ``town``, ``tajik_assr`` ..."""
    return _load((default_settlements_path() if path is None else Path(path)).resolve())


def settlement_population(t: Theatre, path: Path | None = None) -> NDArray[np.int64]:
    """People of each cell of ``t`` (the full theatre or a window cropped from it).

    Returns
    -------
    ndarray of int64, shape (rows * cols,)
        0 where nobody lived.

    Raises
    ------
    ValueError
        If ``t`` is not a window of the grid the layer was derived on.
    """
    full = load_layer(path)["population"]
    base = default_theatre_path()
    with np.load(base) as d:
        lat_max, lon_min, res = float(d["lat_max"]), float(d["lon_min"]), float(d["res"])
    r0 = round((lat_max - t.lat_max) / res)
    c0 = round((t.lon_min - lon_min) / res)
    rows, cols = t.shape
    if (not math.isclose(t.res, res) or r0 < 0 or c0 < 0
            or r0 + rows > full.shape[0] or c0 + cols > full.shape[1]):
        raise ValueError(f"the map ({t.lat_max}N, {t.lon_min}E, {rows}x{cols}) is not a window"
                         " of the settlement layer's grid")
    return np.asarray(full[r0:r0 + rows, c0:c0 + cols], dtype=np.int64).reshape(-1)
