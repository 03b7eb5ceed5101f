"""The closed vocabularies of a scenario file: sanctuary states, kinds of unit, orders,
policies, countries, switches and kinds of timeline entry."""

from __future__ import annotations

SANCTUARY = ("open", "tolerated", "closed", "hostile")
COLUMN_KINDS = ("infantry", "cavalry", "garrison", "volunteer", "ogpu")
ORDERS = ("hold", "patrol", "pursue", "march", "take")
POLICIES = (
    "amnesty",
    "food_for_cotton",
    "collectivisation",
    "anti_religious",
    "show_trials",
    "executions",
    "punitive_raids",
    "village_burning",
    "requisition",
    "relief",
    "land_reform",
    "concessions",
    "local_cadres",
    "fair_amnesty",
)
STATE_LEVERS = ("relief", "land_reform", "concessions", "local_cadres", "fair_amnesty")
"""Policies by which the state wins villages over (see :mod:`sim.kernels.villages`)."""
COUNTRIES = ("", "soviet", "afghanistan", "any")
"""Country scopes of a region or policy window ("" = the default of the field)."""
SWITCHES = (
    "heliographs",
    "aircraft",
    "independent_cavalry",
    "local_scouts",
    "flying_columns",
    "cross_border_pursuit",
)
EVENT_KINDS = (
    "sanctuary",
    "policy",
    "switch",
    "set",
    "reinforce",
    "withdraw",
    "orders",
    "supply_shock",
    "leader_exit",
)
# Sections whose parameters a dated ``set`` entry may change: the rules read them every day.
RUNTIME_SECTIONS = ("movement", "supply", "combat", "population")
