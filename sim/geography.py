"""Theatre geography: a 0.05° raster of Eastern Bukhara and its borderlands.

The arrays are derived once by ``scenarios/geo/derive_theatre.py`` from NOAA GLOBE
elevation and MODIS 2019 land cover (corrected for the 1920s) and shipped as
``scenarios/geo/theatre.npz``.  This module is pure numpy and never needs the raw
data packages.

Conventions
-----------
* The grid has ``rows x cols`` cells; row 0 is the northern edge (``lat_max``),
  column 0 the western edge (``lon_min``); every cell is ``res`` degrees square.
* Rivers are barriers on cell *edges* for 4-connected movement:
  ``river_east[r, c]`` is the river id (1-based, 0 = none) on the edge between
  cells ``(r, c)`` and ``(r, c + 1)`` (last column always 0); ``river_south[r, c]``
  likewise between ``(r, c)`` and ``(r + 1, c)`` (last row always 0).
* ``crossing_east`` / ``crossing_south`` mark fords (1) and ferries/bridges (2) on
  some of those river edges.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Country",
    "LandCover",
    "OutsideTheatreError",
    "Theatre",
    "UnknownPlaceError",
    "blocked_components",
    "default_theatre_path",
    "load_theatre",
    "synthetic_theatre",
]

KM_PER_DEG_LAT = 111.32
"""Kilometres per degree of latitude (spherical approximation)."""


class LandCover(IntEnum):
    """Land-cover classes of the theatre (1920s-corrected)."""

    WATER = 0
    BARREN = 1
    GRASSLAND = 2
    SHRUB = 3
    FOREST = 4
    CROPLAND = 5
    TOWN = 6
    SNOW_ICE = 7
    WETLAND = 8


class Country(IntEnum):
    """Sovereignty of a cell (Soviet Central Asia, Afghanistan, anything else)."""

    SOVIET = 1
    AFGHANISTAN = 2
    OTHER = 3


class OutsideTheatreError(ValueError):
    """A coordinate lies outside the theatre box."""


class UnknownPlaceError(KeyError):
    """A place name is not in the theatre gazetteer."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _ro(a: npt.ArrayLike, dtype: Any) -> np.ndarray:
    """Return a read-only contiguous copy of ``a`` as ``dtype``."""
    out = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Theatre:
    """Raster description of the theatre of operations.

    Attributes
    ----------
    elevation : np.ndarray, shape (rows, cols), float32
        Mean GLOBE elevation of the cell, metres.
    elevation_min, elevation_max : np.ndarray, shape (rows, cols), float32
        Minimum / maximum of the 30" GLOBE samples in the cell, metres.
    ruggedness : np.ndarray, shape (rows, cols), float32
        Standard deviation of the GLOBE samples in the cell, metres.
    land_cover : np.ndarray, shape (rows, cols), uint8
        :class:`LandCover` codes.
    country : np.ndarray, shape (rows, cols), uint8
        :class:`Country` codes.
    river_east, river_south : np.ndarray, shape (rows, cols), uint8
        River id (1-based, 0 = none) on the east / south edge of each cell.
    crossing_east, crossing_south : np.ndarray, shape (rows, cols), uint8
        0 = none, 1 = ford, 2 = ferry or bridge, on the east / south edge.
    lat_max, lon_min, res : float
        Northern edge, western edge and cell size in degrees.
    river_names : tuple of str
        ``river_names[i]`` is the name of river id ``i + 1``.
    places : Mapping[str, tuple[int, int]]
        Canonical place name -> (row, col).
    place_kinds : Mapping[str, str]
        Canonical place name -> feature kind (``"town"``, ``"river crossing"``...).
    place_aliases : Mapping[str, str]
        Lower-case alternative name -> canonical name.
    """

    elevation: np.ndarray
    elevation_min: np.ndarray
    elevation_max: np.ndarray
    ruggedness: np.ndarray
    land_cover: np.ndarray
    country: np.ndarray
    river_east: np.ndarray
    river_south: np.ndarray
    crossing_east: np.ndarray
    crossing_south: np.ndarray
    lat_max: float
    lon_min: float
    res: float
    river_names: tuple[str, ...] = ()
    places: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    place_kinds: Mapping[str, str] = field(default_factory=dict)
    place_aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = np.shape(self.elevation)
        if len(shape) != 2:
            raise ValueError(f"elevation must be 2-D, got shape {shape}")
        specs: dict[str, Any] = {
            "elevation": np.float32,
            "elevation_min": np.float32,
            "elevation_max": np.float32,
            "ruggedness": np.float32,
            "land_cover": np.uint8,
            "country": np.uint8,
            "river_east": np.uint8,
            "river_south": np.uint8,
            "crossing_east": np.uint8,
            "crossing_south": np.uint8,
        }
        for name, dtype in specs.items():
            arr = _ro(getattr(self, name), dtype)
            if arr.shape != shape:
                raise ValueError(f"{name} has shape {arr.shape}, expected {shape}")
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "lat_max", float(self.lat_max))
        object.__setattr__(self, "lon_min", float(self.lon_min))
        object.__setattr__(self, "res", float(self.res))
        object.__setattr__(self, "river_names", tuple(str(n) for n in self.river_names))
        object.__setattr__(
            self,
            "places",
            MappingProxyType({str(k): (int(v[0]), int(v[1])) for k, v in self.places.items()}),
        )
        object.__setattr__(
            self,
            "place_kinds",
            MappingProxyType({str(k): str(v) for k, v in self.place_kinds.items()}),
        )
        object.__setattr__(
            self,
            "place_aliases",
            MappingProxyType({str(k).lower(): str(v) for k, v in self.place_aliases.items()}),
        )

    # ------------------------------------------------------------------ geometry
    @property
    def shape(self) -> tuple[int, int]:
        """Grid shape ``(rows, cols)``."""
        r, c = self.elevation.shape
        return int(r), int(c)

    @property
    def lat_min(self) -> float:
        """Southern edge of the box, degrees."""
        return self.lat_max - self.shape[0] * self.res

    @property
    def lon_max(self) -> float:
        """Eastern edge of the box, degrees."""
        return self.lon_min + self.shape[1] * self.res

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(lon_min, lon_max, lat_min, lat_max)`` for ``imshow(extent=...)``."""
        return (self.lon_min, self.lon_max, self.lat_min, self.lat_max)

    def cell(self, lat: float, lon: float) -> tuple[int, int]:
        """Return the ``(row, col)`` of the cell containing ``(lat, lon)``.

        A point exactly on a cell boundary belongs to the cell south / east of it.

        Raises
        ------
        OutsideTheatreError
            If the point lies outside the box.
        """
        rows, cols = self.shape
        fr = (self.lat_max - lat) / self.res
        fc = (lon - self.lon_min) / self.res
        if not (math.isfinite(fr) and math.isfinite(fc)):
            raise OutsideTheatreError(f"point ({lat}, {lon}) is not a finite coordinate")
        row = math.floor(fr + 1e-9)
        col = math.floor(fc + 1e-9)
        if not (0 <= row < rows and 0 <= col < cols):
            raise OutsideTheatreError(
                f"point ({lat:.4f}N, {lon:.4f}E) lies outside the theatre "
                f"{self.lat_min:.2f}-{self.lat_max:.2f}N x {self.lon_min:.2f}-{self.lon_max:.2f}E"
            )
        return int(row), int(col)

    def centre(self, row: int, col: int) -> tuple[float, float]:
        """Return ``(lat, lon)`` of the centre of cell ``(row, col)``."""
        rows, cols = self.shape
        if not (0 <= row < rows and 0 <= col < cols):
            raise IndexError(f"cell ({row}, {col}) outside grid of shape {self.shape}")
        return (
            self.lat_max - (row + 0.5) * self.res,
            self.lon_min + (col + 0.5) * self.res,
        )

    def latitudes(self) -> np.ndarray:
        """Cell-centre latitudes, shape (rows,), float64."""
        return self.lat_max - (np.arange(self.shape[0]) + 0.5) * self.res

    def longitudes(self) -> np.ndarray:
        """Cell-centre longitudes, shape (cols,), float64."""
        return self.lon_min + (np.arange(self.shape[1]) + 0.5) * self.res

    def step_km(self) -> tuple[float, np.ndarray]:
        """Cell sizes in kilometres.

        Returns
        -------
        ns_km : float
            North-south size of every cell.
        ew_km : np.ndarray, shape (rows,), float64
            East-west size of the cells of each row (shrinks with latitude).
        """
        ns = self.res * KM_PER_DEG_LAT
        ew = ns * np.cos(np.radians(self.latitudes()))
        return ns, ew

    # ------------------------------------------------------------------ queries
    def describe(self, lat: float, lon: float) -> dict[str, Any]:
        """Summarise the cell containing a point.

        Returns
        -------
        dict
            Keys ``row``, ``col`` (int), ``elevation_m`` (int, rounded mean),
            ``land_cover`` (lower-case :class:`LandCover` name) and ``country``
            (``"soviet"``, ``"afghanistan"`` or ``"other"``).
        """
        row, col = self.cell(lat, lon)
        return {
            "row": row,
            "col": col,
            "elevation_m": round(float(self.elevation[row, col])),
            "land_cover": LandCover(int(self.land_cover[row, col])).name.lower(),
            "country": Country(int(self.country[row, col])).name.lower(),
        }

    def place(self, name: str) -> tuple[int, int]:
        """Return the cell of a named place (case-insensitive, alt names accepted).

        Raises
        ------
        UnknownPlaceError
            If the name is unknown; the message lists close matches.
        """
        key = name.strip().lower()
        lower = {k.lower(): k for k in self.places}
        if key in lower:
            return self.places[lower[key]]
        if key in self.place_aliases and self.place_aliases[key] in self.places:
            return self.places[self.place_aliases[key]]
        candidates = list(lower) + list(self.place_aliases)
        close = difflib.get_close_matches(key, candidates, n=4, cutoff=0.6)
        names = sorted({lower.get(c) or self.place_aliases[c] for c in close})
        hint = f"; did you mean {', '.join(names)}?" if names else ""
        raise UnknownPlaceError(f"unknown place {name!r}{hint}")

    def crop(self, lat_min: float, lat_max: float, lon_min: float, lon_max: float) -> Theatre:
        """Return the sub-window of whole cells covering the given box.

        The window spans the cells containing the north-west corner
        ``(lat_max, lon_min)`` to those just inside ``(lat_min, lon_max)``.  Places
        outside are dropped; the last column of the east-edge arrays and the last
        row of the south-edge arrays are zeroed (those edges leave the window).
        """
        if lat_min >= lat_max or lon_min >= lon_max:
            raise ValueError("crop box must have lat_min < lat_max and lon_min < lon_max")
        rows, cols = self.shape
        r0 = max(0, math.floor((self.lat_max - lat_max) / self.res + 1e-9))
        r1 = min(rows, math.ceil((self.lat_max - lat_min) / self.res - 1e-9))
        c0 = max(0, math.floor((lon_min - self.lon_min) / self.res + 1e-9))
        c1 = min(cols, math.ceil((lon_max - self.lon_min) / self.res - 1e-9))
        if r1 <= r0 or c1 <= c0:
            raise OutsideTheatreError(
                f"crop box {lat_min}-{lat_max}N x {lon_min}-{lon_max}E does not overlap "
                f"the theatre {self.lat_min:.2f}-{self.lat_max:.2f}N x "
                f"{self.lon_min:.2f}-{self.lon_max:.2f}E"
            )
        win = (slice(r0, r1), slice(c0, c1))
        east = {n: np.array(getattr(self, n)[win]) for n in ("river_east", "crossing_east")}
        south = {n: np.array(getattr(self, n)[win]) for n in ("river_south", "crossing_south")}
        for a in east.values():
            a[:, -1] = 0
        for a in south.values():
            a[-1, :] = 0
        places = {
            k: (r - r0, c - c0)
            for k, (r, c) in self.places.items()
            if r0 <= r < r1 and c0 <= c < c1
        }
        return Theatre(
            elevation=self.elevation[win],
            elevation_min=self.elevation_min[win],
            elevation_max=self.elevation_max[win],
            ruggedness=self.ruggedness[win],
            land_cover=self.land_cover[win],
            country=self.country[win],
            river_east=east["river_east"],
            river_south=south["river_south"],
            crossing_east=east["crossing_east"],
            crossing_south=south["crossing_south"],
            lat_max=self.lat_max - r0 * self.res,
            lon_min=self.lon_min + c0 * self.res,
            res=self.res,
            river_names=self.river_names,
            places=places,
            place_kinds={k: v for k, v in self.place_kinds.items() if k in places},
            place_aliases={k: v for k, v in self.place_aliases.items() if v in places},
        )


def blocked_components(theatre: Theatre, *, allow_crossings: bool) -> np.ndarray:
    """Label the 4-connected regions left when river edges are impassable.

    Parameters
    ----------
    theatre : Theatre
        The map.
    allow_crossings : bool
        If true, river edges carrying a ford/ferry/bridge stay passable.

    Returns
    -------
    np.ndarray, shape (rows, cols), int32
        Component label (0-based) of every cell.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows, cols = theatre.shape
    idx = np.arange(rows * cols).reshape(rows, cols)
    open_e = theatre.river_east[:, :-1] == 0
    open_s = theatre.river_south[:-1, :] == 0
    if allow_crossings:
        open_e |= theatre.crossing_east[:, :-1] > 0
        open_s |= theatre.crossing_south[:-1, :] > 0
    src = np.concatenate([idx[:, :-1][open_e], idx[:-1, :][open_s]])
    dst = np.concatenate([idx[:, 1:][open_e], idx[1:, :][open_s]])
    n = rows * cols
    graph = coo_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int32).reshape(rows, cols)


def default_theatre_path() -> Path:
    """``<repo root>/scenarios/geo/theatre.npz``."""
    return Path(__file__).resolve().parents[1] / "scenarios" / "geo" / "theatre.npz"


def _str_list(a: np.ndarray) -> list[str]:
    return [str(x) for x in np.asarray(a).ravel().tolist()]


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> Theatre:
    with np.load(path, allow_pickle=False) as z:
        names = _str_list(z["place_names"])
        rows = z["place_rows"].astype(int).tolist()
        cols = z["place_cols"].astype(int).tolist()
        kinds = _str_list(z["place_kind"]) if "place_kind" in z.files else [""] * len(names)
        alts = _str_list(z["place_alt"]) if "place_alt" in z.files else [""] * len(names)
        aliases: dict[str, str] = {}
        for name, alt in zip(names, alts, strict=True):
            for raw in alt.split(";"):
                a = raw.strip()
                if a and a.lower() != "unresolved":
                    aliases.setdefault(a.lower(), name)
        return Theatre(
            elevation=z["elevation"],
            elevation_min=z["elevation_min"],
            elevation_max=z["elevation_max"],
            ruggedness=z["ruggedness"],
            land_cover=z["land_cover"],
            country=z["country"],
            river_east=z["river_east"],
            river_south=z["river_south"],
            crossing_east=z["crossing_east"],
            crossing_south=z["crossing_south"],
            lat_max=float(z["lat_max"]),
            lon_min=float(z["lon_min"]),
            res=float(z["res"]),
            river_names=tuple(_str_list(z["river_names"])),
            places={n: (r, c) for n, r, c in zip(names, rows, cols, strict=True)},
            place_kinds=dict(zip(names, kinds, strict=True)),
            place_aliases=aliases,
        )


def load_theatre(path: Path | None = None) -> Theatre:
    """Load (and cache) the derived theatre.

    Parameters
    ----------
    path : Path, optional
        An ``.npz`` written by ``scenarios/geo/derive_theatre.py``; defaults to
        :func:`default_theatre_path`.
    """
    p = default_theatre_path() if path is None else Path(path)
    return _load_cached(p.resolve())


def synthetic_theatre(
    rows: int,
    cols: int,
    *,
    elevation: float = 500.0,
    land_cover: LandCover = LandCover.GRASSLAND,
    res: float = 0.05,
    lat_max: float = 39.0,
    lon_min: float = 68.0,
) -> Theatre:
    """A flat, uniform, river-less, all-Soviet map for tests and benchmarks.

    Returns
    -------
    Theatre
        Arrays of shape ``(rows, cols)``; ruggedness 0, no places.
    """
    if rows <= 0 or cols <= 0:
        raise ValueError(f"rows and cols must be positive, got {rows}x{cols}")
    shape = (rows, cols)
    elev = np.full(shape, elevation, dtype=np.float32)
    zeros = np.zeros(shape, dtype=np.uint8)
    return Theatre(
        elevation=elev,
        elevation_min=elev,
        elevation_max=elev,
        ruggedness=np.zeros(shape, dtype=np.float32),
        land_cover=np.full(shape, int(land_cover), dtype=np.uint8),
        country=np.full(shape, int(Country.SOVIET), dtype=np.uint8),
        river_east=zeros,
        river_south=zeros,
        crossing_east=zeros,
        crossing_south=zeros,
        lat_max=lat_max,
        lon_min=lon_min,
        res=res,
    )
