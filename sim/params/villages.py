"""How villages are laid on the map and what they start with."""

from __future__ import annotations

import dataclasses

from sim.params.fields import param

__all__ = ["VillageParams"]


@dataclasses.dataclass(frozen=True)
class VillageParams:
    """Where villages stand and what they start with.

    On the real theatre villages come by default from the settlement layer
    (``layer = "settlements"``, :mod:`sim.settlements`): where people lived, scaled to
    the 1926 census of the Tajik ASSR plus the 200,000 who had fled by 1924 (A26-02).
    ``layer = "land_cover"`` (and every synthetic map) puts one village on each habitable
    cell, sized by its land cover (the ``people_*`` fields).
    """

    layer: str = param(
        "settlements",
        "Where villages come from on the real theatre: the derived settlement layer or one per"
        " habitable cell sized by land cover.",
        choices=("settlements", "land_cover"),
    )

    max_elevation: float = param(
        3200.0, "Cells whose mean elevation is above this hold no village (layer land_cover).",
        unit="m", ge=0.0, le=9000.0, prior=(1600.0, 6400.0),
    )
    people_cropland: int = param(
        900, "Population of a village on a cropland cell.", unit="people", ge=0, le=100_000, prior=(450, 1800)
    )
    people_grassland: int = param(
        150, "Population of a village on a grassland (pasture) cell.", unit="people", ge=0, le=100_000, prior=(75, 300)
    )
    people_shrub: int = param(
        60, "Population of a village on a shrubland cell.", unit="people", ge=0, le=100_000, prior=(30, 120)
    )
    people_forest: int = param(80, "Population of a village on a forest cell.", unit="people", ge=0, le=100_000, prior=(40, 160))
    people_town: int = param(
        6000, "Population of a town cell (a historical town of places.csv).", unit="people", ge=0, le=1_000_000, prior=(3000, 12000)
    )
    depopulation: float = param(
        0.0,
        "Share of the generated population that has fled (A26-02: 200,000 fled Tajik lands by"
        " 1924, with two thirds of arable land abandoned).",
        ge=0.0,
        le=1.0,
        ref="A26-02", prior=(0.0, 0.67),
    )
    support: float = param(
        0.5, "Initial leaning of every village toward the insurgents (0.5 neutral).", ge=0.0, le=1.0, prior=(0.25, 1.0)
    )
    grievance: float = param(0.3, "Initial grievance of every village.", ge=0.0, le=1.0, prior=(0.15, 0.6))
    fear: float = param(0.1, "Initial fear of every village.", ge=0.0, le=1.0, prior=(0.05, 0.2))
