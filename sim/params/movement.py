"""Movement parameters: speeds, terrain costs and the decision thresholds of bands and columns."""

from __future__ import annotations

import dataclasses

from sim.params.fields import param

__all__ = ["MovementParams"]


@dataclasses.dataclass(frozen=True)
class MovementParams:
    """How fast units move over which ground, and how they choose where to go."""

    march_hours: float = param(8.0, "Hours a unit marches in a day.", unit="h", ge=0.5, le=24.0, prior=(6.0, 10.0))
    horse_kmh: float = param(
        5.0,
        "Speed of mounted men (bands, cavalry) on flat open ground; 8 h gives 40 km, within the"
        " brief's 30-60 km a day on good ground.",
        unit="km/h",
        ge=0.5,
        ref="BRIEF (theatre)", le=20.0, prior=(4.0, 7.0),
    )
    foot_kmh: float = param(
        3.5, "Speed of infantry and pack trains on flat open ground.", unit="km/h", ge=0.5, le=10.0, prior=(2.5, 4.5)
    )
    climb_penalty: float = param(
        6.0,
        "Extra hours per 1,000 m of ascent or descent across a cell edge (mean elevation difference).",
        unit="h/km",
        ge=0.0, le=60.0, prior=(3.0, 12.0),
    )
    ruggedness_penalty: float = param(
        0.004,
        "Slowdown per metre of in-cell elevation spread: time multiplier is 1 + this * ruggedness.",
        unit="1/m",
        ge=0.0, le=0.1, prior=(0.002, 0.008),
    )
    cover_barren: float = param(1.4, "Time multiplier crossing barren ground.", ge=0.1, le=50.0, prior=(0.7, 2.8))
    cover_grassland: float = param(1.0, "Time multiplier crossing grassland and steppe.", ge=0.1, le=50.0, prior=(0.5, 2.0))
    cover_shrub: float = param(1.2, "Time multiplier crossing shrubland.", ge=0.1, le=50.0, prior=(0.6, 2.4))
    cover_forest: float = param(1.6, "Time multiplier crossing forest.", ge=0.1, le=50.0, prior=(0.8, 3.2))
    cover_cropland: float = param(
        1.1, "Time multiplier crossing fields and irrigation ditches.", ge=0.1, le=50.0, prior=(0.55, 2.2)
    )
    cover_town: float = param(1.0, "Time multiplier crossing a town.", ge=0.1, le=50.0, prior=(0.5, 2.0))
    cover_snow: float = param(4.0, "Time multiplier crossing snow and ice.", ge=0.1, le=50.0, prior=(2.0, 8.0))
    cover_wetland: float = param(2.5, "Time multiplier crossing marsh and tugai thicket.", ge=0.1, le=50.0, prior=(1.25, 5.0))
    cover_water: float = param(8.0, "Time multiplier crossing a lake cell.", ge=0.1, le=50.0, prior=(4.0, 16.0))
    ford_hours: float = param(2.0, "Extra hours to cross a river at a ford.", unit="h", ge=0.0, le=48.0, prior=(1.0, 4.0))
    ferry_hours: float = param(
        4.0, "Extra hours to cross a river by ferry or bridge with a whole unit.", unit="h", ge=0.0, le=48.0, prior=(2.0, 8.0)
    )
    threat_hours: float = param(
        16.0,
        "A band feels threatened by state units this many marching hours away or closer.",
        unit="h",
        ge=0.1, le=240.0, prior=(8.0, 32.0),
    )
    threat_speed_share: float = param(
        0.5,
        "Share of the flat-ground horse speed a horseman keeps over typical broken ground, for"
        " the window within which a band counts state strength: the window reaches"
        " threat_hours * horse_kmh * this km each way (square, in 5-km cells, at least one"
        " cell). Judgement.",
        gt=0.0, le=1.0, prior=(0.25, 1.0),
    )
    flee_horizon: float = param(
        4.0,
        "A fleeing band measures its distance to state units up to this many times"
        " threat_hours; further ones count as that far (it climbs away from the near ones"
        " and is indifferent between far ones). Judgement.",
        ge=1.0, le=20.0, prior=(2.0, 8.0),
    )
    flee_ratio: float = param(
        1.0,
        "A band flees when the state strength within threat range exceeds its own"
        " fighters times this ratio.",
        ge=0.01, le=100.0, prior=(0.5, 2.0),
    )
    ambush_odds: float = param(
        2.0,
        "On ground concealing enough for an ambush, a band lies in wait for approaching state"
        " units instead of fleeing them unless their strength within threat range exceeds its"
        " fighters times this (set it to `flee_ratio` or below to never lie in wait). Judgement.",
        ge=0.01, le=100.0, prior=(1.0, 4.0),
    )
    raid_ratio: float = param(
        3.0,
        "A band raids a garrison when its fighters exceed the garrison's strength times this ratio.",
        ge=0.01, le=100.0, prior=(1.5, 6.0),
    )
    post_avoid_cells: int = param(
        0,
        "Bands marching home or to food go around posts too strong for them to raid, keeping"
        " this many cells (Chebyshev) away from them (0: they only avoid the post's own cell);"
        " where no way around exists, or the goal is the post, they wait short of it. Judgement.",
        ge=0,
        le=5, prior=(0, 1),
    )
    raid_hours: float = param(
        24.0, "Bands consider targets no further than this many marching hours.", unit="h", ge=0.1, le=240.0, prior=(12.0, 48.0)
    )
    hunger_forage: float = param(
        0.2, "Hunger above which a band goes looking for food.", ge=0.0, le=1.0, prior=(0.1, 0.4)
    )
    stock_forage_days: float = param(
        2.0,
        "A band whose own food and herd would last fewer days than this goes where food is"
        " (friendly villages, or the sanctuary while it admits bands) before it goes hungry,"
        " e.g. after its herd is seized; 0 leaves it to hunger alone. Bands fed by villages"
        " refill to `supply.band_carry_days`, and in budenny_1926, attrition_1925 and raids_1929"
        " (seed 0) no band on Soviet soil held less than 3 days of food and herd, so 2 days acts"
        " only on a band that lost its herd and cannot refill. Judgement.",
        ge=0.0, le=365.0,
        prior=(0.0, 5.0),
    )
    support_forage: float = param(
        0.45,
        "Bands forage at villages whose support for them is at least this.",
        ge=0.0,
        le=1.0, prior=(0.225, 0.9),
    )
    sanctuary_morale: float = param(
        0.3,
        "Below this morale a band heads for the Afghan side when the sanctuary is open or tolerated.",
        ge=0.0,
        le=1.0, prior=(0.15, 0.6),
    )
    pursuit_hours: float = param(
        48.0,
        "Columns under PURSUE chase bands within this many marching hours; further, they patrol.",
        unit="h",
        ge=0.1, le=480.0, prior=(24.0, 96.0),
    )
    patrol_radius_hours: float = param(
        16.0, "Columns under PATROL stay within this many hours of home.", unit="h", ge=0.1, le=240.0, prior=(8.0, 32.0)
    )
    detection_cells: int = param(
        1,
        "Columns see a band within this many cells (Chebyshev) of themselves; further away they"
        " know where it is only if the villages around it inform on it.",
        ge=0,
        le=20, prior=(1, 3),
    )
    sortie_cells: int = param(
        1,
        "The mobile troops of a post (cavalry, infantry, volunteers, OGPU holding it, not the"
        " garrison itself) strike a known band within this many cells (Chebyshev) of the post,"
        " and walk back the next day; 0 disables sorties. Judgement.",
        ge=0,
        le=5, prior=(0, 2),
    )
    sortie_ratio: float = param(
        1.0,
        "They sortie only against a band with at most this many times their own strength."
        " Judgement.",
        ge=0.0, le=100.0, prior=(0.5, 2.0),
    )
    pursue_ratio: float = param(
        3.0,
        "Columns under PURSUE chase only known bands of at most this many times their own"
        " strength (a column does not hunt a band it cannot fight: with machine guns a"
        " column took on bands several times its size). Judgement.",
        ge=0.0, le=1000.0, prior=(1.5, 6.0),
    )
    report_success: float = param(
        0.7,
        "A band whose recent success (towns taken, fights won; one per success, fading by"
        " `population.memory_decay` a day) is at least this is known to the state: the raid"
        " was reported and its trail is followed (0.7: about a week after one success)."
        " Judgement.",
        ge=0.01, le=100.0, prior=(0.35, 1.4),
    )
    flying_pursuit_factor: float = param(
        2.0,
        "Under the flying-columns doctrine (switch `flying_columns`, A26-17), pursuing columns"
        " chase bands this many times further.",
        ge=1.0,
        ref="A26-17", le=10.0, prior=(1.0, 4.0),
    )
    flying_march_factor: float = param(
        1.25,
        "Under the flying-columns doctrine, pursuing columns march this many times longer a day"
        " (light, mounted, without pack trains).",
        ge=1.0,
        ref="A26-17", le=3.0, prior=(1.0, 2.5),
    )
    cross_border: bool = param(
        False, "Whether state columns may enter the Afghan side (a doctrine switch)."
    )
