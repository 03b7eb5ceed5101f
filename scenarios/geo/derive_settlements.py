"""Derive ``scenarios/geo/settlements.npz``: where people lived in the 1920s, and how many.

Run once after ``derive_theatre.py`` (the output is committed)::

    python scenarios/geo/derive_settlements.py

Inputs: ``scenarios/geo/theatre.npz`` (land cover corrected to the 1920s, GLOBE elevation
mean and minimum per cell, river edges, country, and the places of ``places.csv``).

Rules
-----
* A cell can hold a village only where people can farm or graze: cropland, grassland,
  shrubland, forest or wetland; never water, bare rock or glacier (``BARREN``,
  ``SNOW_ICE``, ``WATER``).
* Never above the snow line: the cell's mean elevation must lie below ``SNOW_LINE_M``
  and its valley floor (minimum elevation) below ``CEILING_M``, the highest permanent
  villages of the Pamir-Alai valleys (judgement).
* Relative density by land cover (``DENSITY``: cropland 1, pasture 0.15, shrub 0.07,
  forest 0.1, wetland 0.05; the ratios of :class:`sim.params.villages.VillageParams`),
  doubled where a river runs along the cell (water), falling linearly from 1 at a valley
  floor of ``LOWLAND_M`` to ``HIGHLAND_FACTOR`` at ``CEILING_M``.
* Towns as towns: the cells of the places whose feature is a town or city hold a town of
  ``TOWN_PEOPLE`` (``CITY_PEOPLE`` for cities): judgement, the 1920s towns of Eastern
  Bukhara held a few thousand people each.
* Scaled to a documented total: the villages and towns of the Tajik ASSR (approximated on
  the grid by ``tajik_assr_mask``) hold ``TARGET_PEOPLE`` = the 1926 census population of
  the Tajik ASSR (827,100; First All-Union Census of the USSR, 17 December 1926, as given
  for the Tajik ASSR, area 143,100 km2, e.g. in the Japanese Wikipedia article
  "タジク自治ソビエト社会主義共和国") plus the 200,000 who had fled Tajik lands by 1924
  (``outcomes.csv`` A26-02, role input): the layer is the population *before* the flight,
  and a scenario's ``villages.depopulation`` takes the fled share away. Cells outside the
  Tajik ASSR (Uzbek, Kyrgyz, Turkmen and Afghan lands) get the same density per unit of
  weight: no figure is documented for them here.
* A cell whose scaled population is below ``MIN_VILLAGE`` holds no village (scattered
  herders' camps are not villages): the lattice thins to where people lived.

The Tajik ASSR of 1926 (without the Khujand district, added in 1929) is approximated as
the Soviet cells south of 39.75N between 67.4E and 70.5E (south of 38.9N only east of
68.1E, leaving Surkhandarya to Uzbekistan) and south of 39.35N east of 70.5E (leaving the
Alai valley to Kyrgyzstan). The Pamir east of 73E lies outside the grid, so the census
figure slightly overstates the grid's share (judgement: by a few per cent).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sim.geography import Country, LandCover  # noqa: E402

HERE = Path(__file__).resolve().parent

CENSUS_1926_TAJIK_ASSR = 827_100
"""Population of the Tajik ASSR at the census of 17 December 1926."""
FLED_BY_1924 = 200_000
"""People who fled Tajik lands by 1924 (outcomes.csv A26-02, role input)."""
TARGET_PEOPLE = CENSUS_1926_TAJIK_ASSR + FLED_BY_1924
"""People of the Tajik ASSR before the flight: the layer's total there."""
POPULATION_RANGE = (CENSUS_1926_TAJIK_ASSR, TARGET_PEOPLE)
"""Documented range of the Tajik ASSR's population in the 1920s (after, before the flight)."""

SNOW_LINE_M = 3500.0
"""No village where a cell's mean elevation reaches this (lower bound of the Pamir-Alai snow line)."""
CEILING_M = 3000.0
"""Highest valley floor with permanent villages (judgement)."""
LOWLAND_M = 1500.0
HIGHLAND_FACTOR = 0.3
WATER_FACTOR = 2.0
MIN_VILLAGE = 100
TOWN_PEOPLE = 5000
CITY_PEOPLE = 20000

DENSITY = {
    LandCover.CROPLAND: 1.0,
    LandCover.GRASSLAND: 0.15,
    LandCover.SHRUB: 0.07,
    LandCover.FOREST: 0.1,
    LandCover.WETLAND: 0.05,
}
UNINHABITABLE = (LandCover.BARREN, LandCover.SNOW_ICE, LandCover.WATER)


def tajik_assr_mask(country: np.ndarray, lat_max: float, lon_min: float, res: float) -> np.ndarray:
    """Soviet cells of the Tajik ASSR of 1926, approximately (see the module docstring)."""
    rows, cols = country.shape
    lat = lat_max - (np.arange(rows) + 0.5) * res
    lon = lon_min + (np.arange(cols) + 0.5) * res
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    west = (la < 39.75) & (lo >= 67.4) & (lo < 70.5) & ((la >= 38.9) | (lo >= 68.1))
    east = (lo >= 70.5) & (la < 39.35)
    return np.asarray((west | east) & (country == Country.SOVIET))


def _river_cells(river_east: np.ndarray, river_south: np.ndarray) -> np.ndarray:
    """Cells with a river on one of their four edges."""
    e = river_east > 0
    s = river_south > 0
    out = e | s
    out[:, 1:] |= e[:, :-1]
    out[1:, :] |= s[:-1, :]
    return out


def derive(theatre: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Compute the settlement arrays from the theatre arrays."""
    lc = theatre["land_cover"]
    elev, floor = theatre["elevation"], theatre["elevation_min"]
    country = theatre["country"]
    weight = np.zeros(lc.shape, dtype=np.float64)
    for cover, d in DENSITY.items():
        weight[lc == cover] = d
    weight *= np.where(_river_cells(theatre["river_east"], theatre["river_south"]), WATER_FACTOR, 1.0)
    t = np.clip((floor - LOWLAND_M) / (CEILING_M - LOWLAND_M), 0.0, 1.0)
    weight *= 1.0 - (1.0 - HIGHLAND_FACTOR) * t
    habitable = (elev < SNOW_LINE_M) & (floor < CEILING_M) & ~np.isin(lc, UNINHABITABLE)
    weight[~habitable] = 0.0

    town = np.zeros(lc.shape, dtype=bool)
    town_people = np.zeros(lc.shape, dtype=np.float64)
    for kind, r, c in zip(theatre["place_kind"], theatre["place_rows"], theatre["place_cols"],
                          strict=True):
        k = str(kind)
        if ("town" in k or "city" in k) and habitable[r, c]:
            town[r, c] = True
            town_people[r, c] = CITY_PEOPLE if "city" in k else TOWN_PEOPLE
    weight[town] = 0.0

    assr = tajik_assr_mask(country, float(theatre["lat_max"]), float(theatre["lon_min"]),
                           float(theatre["res"]))
    people = np.zeros(lc.shape, dtype=np.float64)
    keep = weight > 0
    for _ in range(20):  # dropping small villages changes the total: rescale until stable
        scale = (TARGET_PEOPLE - town_people[assr].sum()) / weight[assr & keep].sum()
        people = np.where(keep, np.rint(weight * scale), 0.0)
        small = keep & (people < MIN_VILLAGE)
        if not small.any():
            break
        keep &= ~small
    people = np.where(town, town_people, people).astype(np.int32)
    return {
        "population": people,
        "town": town,
        "tajik_assr": assr,
        "snow_line_m": np.float64(SNOW_LINE_M),
        "population_range": np.array(POPULATION_RANGE, dtype=np.int64),
        "source": np.array(
            "derived by scenarios/geo/derive_settlements.py from theatre.npz: habitable land"
            " cover below the snow line, density by land cover, water and altitude, towns of"
            " places.csv; scaled so the Tajik ASSR (approximate mask) holds the 1926 census"
            f" {CENSUS_1926_TAJIK_ASSR:,} plus the {FLED_BY_1924:,} fled by 1924 (A26-02)"
        ),
    }


def main() -> None:
    """Read theatre.npz, derive, write settlements.npz and print a summary."""
    with np.load(HERE / "theatre.npz") as d:
        theatre = {k: d[k] for k in d.files}
    out = derive(theatre)
    np.savez_compressed(HERE / "settlements.npz", **out)
    pop = out["population"]
    print(f"villages and towns: {np.count_nonzero(pop)} cells, {int(pop.sum()):,} people;"
          f" Tajik ASSR {int(pop[out['tajik_assr']].sum()):,};"
          f" towns {int(out['town'].sum())}")


if __name__ == "__main__":
    main()
