"""One dated entry of a scenario's timeline (:class:`TimelineEvent`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sim.params.fields import param
from sim.scenario.choices import COUNTRIES, EVENT_KINDS, ORDERS, POLICIES, SANCTUARY, SWITCHES
from sim.scenario.specs import MAX_GRID, BandSpec, ColumnSpec


@dataclasses.dataclass(frozen=True)
class TimelineEvent:
    """One dated entry of the scenario timeline.

    The ``kind`` decides which other fields are used:

    - ``sanctuary``: ``status`` of the Afghan side from ``date`` on.
    - ``policy``: a ``policy`` window from ``date`` to ``end`` (inclusive) with its
      ``credibility`` and ``intensity`` (e.g. an amnesty and its terms). The state's
      levers (``relief``, ``land_reform``, ``concessions``, ``local_cadres``,
      ``fair_amnesty``) win villages over; ``requisition``, ``collectivisation``,
      ``anti_religious``, ``food_for_cotton`` and the repressive policies cost the state
      support (see :mod:`sim.kernels.villages`).

    Where a ``policy`` or ``sanctuary`` entry acts: the cells of the named ``region``
    and/or within ``radius_km`` of the ``places``, limited to ``country``. A policy with
    none of these acts on the whole Soviet side (``country`` defaults to ``"soviet"``:
    the state's policies never reach Afghan villages unless the scenario says
    ``country = "afghanistan"`` or ``"any"``); a sanctuary entry with none of them sets
    the status of the whole Afghan side.
    - ``switch``: doctrine or technology ``switch`` turned ``on`` (or off) from ``date``.
    - ``set``: a parameter at dotted ``path`` takes ``value`` from ``date`` on.
    - ``reinforce``: ``bands`` and/or ``columns`` enter the map on ``date``.
    - ``withdraw``: the named ``units`` leave the map.
    - ``orders``: the named ``units`` get a new ``order`` (and ``target``).
    - ``supply_shock``: the bands of ``leader`` (or the named ``units``) lose
      ``herd_seized`` and ``food_seized`` shares of their herd and food.
    - ``leader_exit``: ``leader`` leaves for Afghanistan with his escort.
    """

    date: dt.date = param(dt.date(1923, 1, 1), "Day the entry takes effect.")
    kind: str = param("policy", "What the entry does.", choices=EVENT_KINDS)
    id: str = param("", "Optional key, so a variant can replace or remove this entry.")
    end: dt.date | None = param(None, "Last day of a policy window (inclusive).")
    status: str = param("tolerated", "Sanctuary status (kind = sanctuary).", choices=SANCTUARY)
    policy: str = param("amnesty", "Policy (kind = policy).", choices=POLICIES)
    credibility: float = param(
        0.5, "How far the population believes the policy's terms (amnesty).", ge=0.0, le=1.0
    )
    intensity: float = param(1.0, "Strength of the policy where it has a scale.", ge=0.0, le=10.0)
    region: str = param("", "Named region ([[regions]]) the policy or sanctuary entry is limited to.")
    places: tuple[str, ...] = param(
        (), "Named places around which the policy or sanctuary entry acts (within radius_km)."
    )
    radius_km: float = param(
        30.0, "Radius around each of `places` (policy, sanctuary).", unit="km", gt=0.0, le=1000.0
    )
    country: str = param(
        "",
        "Country the policy acts in: '' means the Soviet side for a policy and Afghanistan for a"
        " sanctuary entry; 'any' lifts the limit.",
        choices=COUNTRIES,
    )
    switch: str = param(
        "heliographs", "Doctrine or technology switch (kind = switch).", choices=SWITCHES
    )
    on: bool = param(True, "Switch state from this date (kind = switch).")
    path: str = param("", "Dotted parameter path (kind = set), e.g. 'combat.ambush_bonus'.")
    value: float = param(0.0, "New value of the parameter (kind = set).")
    units: tuple[str, ...] = param((), "Unit names (withdraw, orders, supply_shock).")
    order: str = param("pursue", "New order (kind = orders).", choices=ORDERS)
    target: str = param(
        "",
        "Target place of a `march` or `take` order (the post of `hold`, the area of"
        " `pursue`/`patrol`).",
    )
    target_cell: tuple[int, ...] = param(
        (), "[row, col] of the target (kind = orders), if no `target` place is given.",
        ge=0, le=MAX_GRID - 1,
    )
    route: tuple[str, ...] = param(
        (), "Named places to pass through, in order, on the way to the target (kind = orders)."
    )
    leader: str = param("", "Leader concerned (supply_shock, leader_exit).")
    herd_seized: float = param(0.0, "Share of the herd seized (supply_shock).", ge=0.0, le=1.0)
    food_seized: float = param(0.0, "Share of the food seized (supply_shock).", ge=0.0, le=1.0)
    bands: tuple[BandSpec, ...] = param((), "Bands arriving (kind = reinforce).")
    columns: tuple[ColumnSpec, ...] = param((), "State units arriving (kind = reinforce).")
    source: str = param("", "Row id(s) in outcomes.csv this entry rests on.")
    note: str = param("", "Free text.")


# The fields each kind of entry reads (besides date, kind, id, source and note); a field of
# another kind would be ignored, so a scenario that sets one is refused.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "sanctuary": ("status", "region", "places", "radius_km", "country"),
    "policy": ("end", "policy", "credibility", "intensity", "region", "places", "radius_km", "country"),
    "switch": ("switch", "on"),
    "set": ("path", "value"),
    "reinforce": ("bands", "columns"),
    "withdraw": ("units",),
    "orders": ("units", "order", "target", "target_cell", "route"),
    "supply_shock": ("leader", "units", "herd_seized", "food_seized"),
    "leader_exit": ("leader",),
}
COMMON_FIELDS = ("date", "kind", "id", "source", "note")


def misplaced_fields(ev: TimelineEvent) -> list[tuple[str, list[str]]]:
    """Fields ``ev`` sets (away from their defaults) that its kind never reads.

    Returns
    -------
    list of (field, the kinds that read it)
    """
    own = set(KIND_FIELDS.get(ev.kind, ())) | set(COMMON_FIELDS)
    out = []
    for f in dataclasses.fields(ev):
        if f.name in own or f.name in ("bands", "columns"):  # units: checked with their own message
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        if getattr(ev, f.name) != default:
            out.append((f.name, [k for k, names in KIND_FIELDS.items() if f.name in names]))
    return out

