"""The settlement layer: villages where people lived, scaled to the documented population."""

from __future__ import annotations

import importlib.util

import numpy as np

from sim.geography import LandCover, load_theatre
from sim.settlements import default_settlements_path, load_layer, settlement_population


def _derive_module():
    path = default_settlements_path().parent / "derive_settlements.py"
    spec = importlib.util.spec_from_file_location("derive_settlements", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_no_village_above_the_snow_line_or_on_rock_ice_or_water():
    t = load_theatre()
    layer = load_layer()
    pop = layer["population"]
    lived = pop > 0
    assert lived.sum() > 1000
    assert (t.elevation[lived] < float(layer["snow_line_m"])).all()
    bad = np.isin(t.land_cover, [LandCover.BARREN, LandCover.SNOW_ICE, LandCover.WATER])
    assert not (lived & bad).any()
    # Glaciers and high rock are common in the theatre: the rule removes real cells.
    assert (bad | (t.elevation >= float(layer["snow_line_m"]))).sum() > 1000


def test_total_population_within_the_documented_range():
    layer = load_layer()
    low, high = (int(x) for x in layer["population_range"])
    assert (low, high) == (827_100, 827_100 + 200_000)  # 1926 census; A26-02 (input)
    total = int(layer["population"][layer["tajik_assr"]].sum())
    assert low <= total <= high * 1.005  # rounding of village sizes


def test_towns_are_towns_and_villages_are_smaller():
    t = load_theatre()
    layer = load_layer()
    pop, town = layer["population"], layer["town"]
    for name in ("Dushanbe", "Garm", "Kulob", "Samarkand"):
        r, c = t.places[name]
        assert town[r, c], name
    assert pop[town].min() > np.percentile(pop[(pop > 0) & ~town], 90)


def test_committed_layer_is_what_the_script_derives():
    mod = _derive_module()
    with np.load(default_settlements_path().parent / "theatre.npz") as d:
        theatre = {k: d[k] for k in d.files}
    fresh = mod.derive(theatre)
    np.testing.assert_array_equal(fresh["population"], load_layer()["population"])


def test_cropped_map_reads_the_same_cells():
    t = load_theatre()
    full = settlement_population(t).reshape(t.shape)
    crop = t.crop(37.5, 39.5, 68.0, 71.0)
    part = settlement_population(crop).reshape(crop.shape)
    r0 = round((t.lat_max - crop.lat_max) / t.res)
    c0 = round((crop.lon_min - t.lon_min) / t.res)
    np.testing.assert_array_equal(part, full[r0:r0 + crop.shape[0], c0:c0 + crop.shape[1]])
