"""Travel: the part of a built world that depends only on the map and the movement parameters.

The three travel graphs (and the distance fields cached on them), the Afghan mask and the
movement memos of a world are functions of two sections of a scenario: ``map`` (which
grid) and ``movement`` (the costs of crossing it). :func:`build_travel` takes those two
sections and nothing else, so it cannot read anything its key does not hold;
:func:`travel_key` names them exactly (``repr`` of every field: ``-0.0`` and ``0.0``
differ). Scenarios that differ anywhere else (combat, population, bands, dates, the
parameters a calibration candidate or a sweep's design point sets) give the same key and
can share one :class:`Travel` (:func:`sim.batch.shared_travel`): the second world
built on it finds the static distance fields (to the depots, the border, the towns, the
villages, every home and target) and the movement memos already searched.

Every shared memo holds pure functions of the graphs and arrays this object keeps alive
(fields by their sources, movement fields keyed by ``id`` of a graph or of the Afghan
mask held here), so a world built on a shared Travel sees exactly the arrays it would
have searched itself: same tables.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.geography import Country, Theatre, default_theatre_path, load_theatre, synthetic_theatre
from sim.kernels.terrain import Graph, build_graph
from sim.params.movement import MovementParams
from sim.scenario.specs import MapSpec

__all__ = ["Travel", "build_travel", "theatre_of", "travel_key"]

I64 = NDArray[np.int64]


def travel_key(map_spec: MapSpec, movement: MovementParams) -> str:
    """What a :class:`Travel` depends on, as text: every field of the two sections (and the
    theatre file a real map is cut from). Equal keys give equal graphs."""
    source = "synthetic" if map_spec.kind == "synthetic" else str(default_theatre_path())
    return repr((source, dataclasses.astuple(map_spec), dataclasses.astuple(movement)))


def theatre_of(map_spec: MapSpec) -> Theatre:
    """The map of a scenario: the (cropped) real theatre or a synthetic grid."""
    if map_spec.kind == "synthetic":
        return synthetic_theatre(map_spec.rows, map_spec.cols)
    theatre = load_theatre()
    if len(map_spec.bbox) == 4:
        theatre = theatre.crop(*map_spec.bbox)
    return theatre


def graphs(t: Theatre, movement: MovementParams) -> tuple[Graph, Graph, Graph]:
    """Travel graphs of bands (who may cross the border), cavalry and infantry."""
    common = {
        "elevation": t.elevation,
        "ruggedness": t.ruggedness,
        "land_cover": t.land_cover,
        "river_east": t.river_east,
        "river_south": t.river_south,
        "crossing_east": t.crossing_east,
        "crossing_south": t.crossing_south,
        "lat_max": t.lat_max,
        "res": t.res,
        "params": movement,
    }
    forbidden = None if movement.cross_border else (t.country == Country.AFGHANISTAN)
    band = build_graph(speed_kmh=movement.horse_kmh, **common)  # type: ignore[arg-type]
    horse = build_graph(speed_kmh=movement.horse_kmh, forbidden=forbidden, **common)  # type: ignore[arg-type]
    foot = build_graph(speed_kmh=movement.foot_kmh, forbidden=forbidden, **common)  # type: ignore[arg-type]
    return band, horse, foot


@dataclasses.dataclass(frozen=True)
class Travel:
    """The map, its travel graphs and the movement memos of every world built on them.

    Attributes
    ----------
    key : str
        :func:`travel_key` of the sections it was built from.
    theatre : Theatre
    afghan : ndarray of bool, shape (n_cells,)
    band_graph, horse_graph, foot_graph : Graph
        With their caches of distance fields (:func:`sim.kernels.terrain.distance_field`).
    fields : dict
        Next-cell fields toward one cell (:meth:`sim.build.World.field_to`).
    move_cache : dict
        Movement memos (``MoveContext.field_cache``), shared by every world built on this
        travel: an entry must be keyed by (or checked against) everything it reads beyond
        these graphs and the Afghan mask (towns, concealment, parameters).
    """

    key: str
    theatre: Theatre
    afghan: NDArray[np.bool_]
    band_graph: Graph
    horse_graph: Graph
    foot_graph: Graph
    fields: dict[tuple[int, int], I64] = dataclasses.field(default_factory=dict)
    move_cache: dict[tuple[object, ...], NDArray[Any]] = dataclasses.field(default_factory=dict)

    def trim(self, *, kept: int, fields: int) -> None:
        """Forget the memos beyond ``kept`` whole fields kept per graph and ``fields``
        next-cell fields: a calibration varying, say, where villages stand would add new
        sources every candidate. Dropping a memo only means searching it again."""
        for g in (self.band_graph, self.horse_graph, self.foot_graph):
            if len(g._kept) > kept:
                g._kept.clear()
        if len(self.fields) > fields:
            self.fields.clear()


def build_travel(map_spec: MapSpec, movement: MovementParams) -> Travel:
    """Load or cut the map and build its three travel graphs (memos empty)."""
    t = theatre_of(map_spec)
    band, horse, foot = graphs(t, movement)
    return Travel(
        key=travel_key(map_spec, movement),
        theatre=t,
        afghan=(t.country == Country.AFGHANISTAN).reshape(-1),
        band_graph=band,
        horse_graph=horse,
        foot_graph=foot,
    )
