"""Tests of the theatre geography layer (sim.geography, sim.mapplot)."""

from __future__ import annotations

import csv

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from sim.geography import (
    Country,
    LandCover,
    OutsideTheatreError,
    Theatre,
    UnknownPlaceError,
    blocked_components,
    default_theatre_path,
    load_theatre,
    synthetic_theatre,
)
from sim.paths import history_file

PLACES_CSV = history_file("places.csv")


def test_the_derived_theatre_is_committed() -> None:
    assert default_theatre_path().is_file()


@pytest.fixture(scope="module")
def theatre() -> Theatre:
    return load_theatre()


def test_shape_and_metadata(theatre: Theatre) -> None:
    assert theatre.shape == (90, 180)
    assert theatre.lat_max == pytest.approx(41.0)
    assert theatre.lon_min == pytest.approx(64.0)
    assert theatre.res == pytest.approx(0.05)
    assert theatre.elevation.dtype == np.float32
    assert theatre.land_cover.dtype == np.uint8
    assert set(np.unique(theatre.land_cover)) <= {int(v) for v in LandCover}
    assert set(np.unique(theatre.country)) <= {int(v) for v in Country}
    assert "Amu Darya/Panj" in theatre.river_names
    assert not theatre.river_east[:, -1].any()
    assert not theatre.river_south[-1, :].any()
    # crossings only on river edges
    assert not ((theatre.crossing_east > 0) & (theatre.river_east == 0)).any()
    assert not ((theatre.crossing_south > 0) & (theatre.river_south == 0)).any()


@pytest.mark.parametrize(
    ("name", "point", "bounds"),
    [
        ("Dushanbe", (38.56, 68.77), (650, 950)),
        ("Garm", (39.02, 70.37), (1250, 1750)),
        ("Termez", (37.22, 67.28), (200, 450)),
    ],
)
def test_elevation_spot_checks(
    theatre: Theatre, name: str, point: tuple[float, float], bounds: tuple[int, int]
) -> None:
    lo, hi = bounds
    d = theatre.describe(*point)
    assert lo <= d["elevation_m"] <= hi, (name, d)
    assert theatre.place(name) == (d["row"], d["col"])


def test_countries(theatre: Theatre) -> None:
    assert theatre.describe(36.68, 69.11)["country"] == "afghanistan"  # Khanabad
    assert theatre.describe(38.56, 68.77)["country"] == "soviet"  # Dushanbe
    for name, kind in theatre.place_kinds.items():
        c = Country(int(theatre.country[theatre.places[name]]))
        if "(Afghanistan)" in kind:
            assert c is Country.AFGHANISTAN, name
        elif "town" in kind or "city" in kind:
            assert c is Country.SOVIET, name


def test_river_barrier_separates_afghan_side(theatre: Theatre) -> None:
    closed = blocked_components(theatre, allow_crossings=False)
    assert closed[theatre.place("Khanabad")] != closed[theatre.place("Dushanbe")]
    opened = blocked_components(theatre, allow_crossings=True)
    assert opened[theatre.place("Khanabad")] == opened[theatre.place("Dushanbe")]
    assert opened[theatre.place("Qal'ai Khumb")] == opened[theatre.place("Dushanbe")]
    assert opened.shape == theatre.shape


def test_describe_keys_and_types(theatre: Theatre) -> None:
    d = theatre.describe(38.56, 68.77)
    assert set(d) == {"row", "col", "elevation_m", "land_cover", "country"}
    assert isinstance(d["row"], int)
    assert isinstance(d["col"], int)
    assert isinstance(d["elevation_m"], int)
    assert d["land_cover"] in {m.name.lower() for m in LandCover}
    assert d["country"] in {"soviet", "afghanistan", "other"}


@pytest.mark.parametrize(("lat", "lon"), [(41.5, 68.0), (36.0, 68.0), (38.0, 63.5), (38.0, 73.0)])
def test_cell_outside_raises(theatre: Theatre, lat: float, lon: float) -> None:
    with pytest.raises(OutsideTheatreError, match="outside the theatre"):
        theatre.cell(lat, lon)


def test_cell_and_centre_roundtrip(theatre: Theatre) -> None:
    assert theatre.cell(41.0, 64.0) == (0, 0)
    assert theatre.cell(36.5001, 72.9999) == (89, 179)
    for r, c in [(0, 0), (45, 90), (89, 179)]:
        assert theatre.cell(*theatre.centre(r, c)) == (r, c)


def test_every_in_box_place_is_snapped(theatre: Theatre) -> None:
    with PLACES_CSV.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["lat"] and r["lon"]]
    n = 0
    for r in rows:
        lat, lon = float(r["lat"]), float(r["lon"])
        try:
            cell = theatre.cell(lat, lon)
        except OutsideTheatreError:
            assert r["name"] not in theatre.places
            continue
        assert theatre.places[r["name"]] == cell, r["name"]
        n += 1
    assert n == len(theatre.places)


def test_place_lookup(theatre: Theatre) -> None:
    assert theatre.place("dushanbe") == theatre.place("Dushanbe")
    assert theatre.place("Dyushambe") == theatre.place("Dushanbe")
    assert theatre.place("KURGAN-TYUBE") == theatre.place("Qurghonteppa")
    with pytest.raises(UnknownPlaceError, match="Dushanbe"):
        theatre.place("Dushanbee")
    with pytest.raises(KeyError):
        theatre.place("Atlantis")


def test_crop_consistency(theatre: Theatre) -> None:
    sub = theatre.crop(37.5, 39.0, 68.0, 70.0)
    r0, c0 = theatre.cell(39.0, 68.0)
    rows, cols = sub.shape
    assert (rows, cols) == (30, 40)
    win = (slice(r0, r0 + rows), slice(c0, c0 + cols))
    np.testing.assert_array_equal(sub.elevation, theatre.elevation[win])
    np.testing.assert_array_equal(sub.country, theatre.country[win])
    np.testing.assert_array_equal(sub.river_east[:, :-1], theatre.river_east[win][:, :-1])
    np.testing.assert_array_equal(sub.river_south[:-1], theatre.river_south[win][:-1])
    assert not sub.river_east[:, -1].any()
    assert not sub.crossing_south[-1].any()
    assert "Dushanbe" in sub.places
    assert "Samarkand" not in sub.places
    lat, lon = 38.56, 68.77
    assert sub.describe(lat, lon)["elevation_m"] == theatre.describe(lat, lon)["elevation_m"]
    r, c = theatre.place("Dushanbe")
    assert sub.place("Dushanbe") == (r - r0, c - c0)


def test_step_km(theatre: Theatre) -> None:
    ns, ew = theatre.step_km()
    assert ns == pytest.approx(5.57, abs=0.05)
    assert ew.shape == (theatre.shape[0],)
    assert 4.0 < ew.min() < ew.max() < ns


def test_synthetic_theatre() -> None:
    t = synthetic_theatre(12, 20, elevation=300.0)
    assert t.shape == (12, 20)
    assert not t.river_east.any()
    assert not t.river_south.any()
    assert (t.country == Country.SOVIET).all()
    assert (t.land_cover == LandCover.GRASSLAND).all()
    assert t.describe(*t.centre(3, 4))["elevation_m"] == 300
    labels = blocked_components(t, allow_crossings=False)
    assert np.unique(labels).size == 1


def test_draw_theatre_returns_axes(theatre: Theatre) -> None:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.mapplot import draw_theatre

    fig = Figure()
    ax = fig.add_subplot()
    out = draw_theatre(theatre.crop(37.0, 39.0, 67.0, 70.0), ax)
    assert isinstance(out, Axes)
    assert out is ax
    assert len(out.collections) >= 2  # rivers + border (+ crossings)
    assert len(out.lines) > 0  # town dots
