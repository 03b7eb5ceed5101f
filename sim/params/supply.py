"""Supply parameters: rations, village food, harvest, requisition, herds, depots, forward bases
and pack trains."""

from __future__ import annotations

import dataclasses

from sim.params.fields import param

__all__ = ["SupplyParams"]


@dataclasses.dataclass(frozen=True)
class SupplyParams:
    """Who eats what, where food comes from, and what hunger does."""

    ration: float = param(
        1.0,
        "Rations eaten per person per day (the unit of all food stocks).",
        unit="person-day",
        ge=0.01, le=10.0, prior=(0.8, 1.2),
    )
    band_carry_days: float = param(
        6.0, "Days of rations a band can carry on its horses.", unit="d", ge=0.0, le=365.0, prior=(3.0, 12.0)
    )
    sheep_rations: float = param(
        25.0,
        "Rations one slaughtered sheep yields (about 15 kg of meat at 0.6 kg a day).",
        unit="person-day",
        ge=0.1, le=200.0, prior=(12.5, 50.0),
    )
    herd_growth: float = param(
        0.0008,
        "Daily natural growth of a band's herd on pasture (about 30% a year).",
        unit="1/d",
        ge=0.0,
        le=0.05, prior=(0.0004, 0.0016),
    )
    requisition_share: float = param(
        0.1,
        "Largest share of a village's food above its reserve that a band takes in one day.",
        ge=0.0,
        le=1.0, prior=(0.05, 0.2),
    )
    village_reserve_days: float = param(
        60.0,
        "Days of its own food a village hides or defends from requisition.",
        unit="d",
        ge=0.0, le=3650.0, prior=(30.0, 120.0),
    )
    requisition_support_loss: float = param(
        0.6,
        "Fall in a village's support for the insurgents per share of its food stock requisitioned,"
        " before scaling by scarcity.",
        ge=0.0, le=10.0, prior=(0.3, 1.2),
    )
    scarcity_multiplier: float = param(
        3.0,
        "How much more requisition angers a village that has less than its reserve (famine).",
        ge=1.0, le=100.0, prior=(1.5, 6.0),
    )
    supporter_gift_share: float = param(
        0.03,
        "Share of food above reserve a supporting village gives freely per day (support > 0.6).",
        ge=0.0,
        le=1.0, prior=(0.015, 0.06),
    )
    harvest_day_of_year: int = param(
        200, "Day of the year on which grain is harvested (mid-July).", ge=1, le=365, prior=(170, 230)
    )
    harvest_days: float = param(
        420.0,
        "Grain harvest of a village in days of its own consumption (a surplus year); villages"
        " start a scenario with what is left of the last harvest.",
        unit="d",
        ge=0.0, le=3650.0, prior=(210.0, 840.0),
    )
    cotton_ration_share: float = param(
        0.8,
        "Share of a cotton village's needs the state delivers as food under food-for-cotton.",
        ge=0.0,
        le=1.0,
        ref="A26-03", prior=(0.4, 1.0),
    )
    hunger_memory: float = param(
        0.3,
        "Weight of today's shortfall in the smoothed hunger of a band (exponential smoothing).",
        ge=0.0,
        le=1.0, prior=(0.15, 0.6),
    )
    hunger_desertion: float = param(
        0.02,
        "Daily probability that a fighter deserts at full hunger (scaled by hunger).",
        ge=0.0,
        le=1.0, prior=(0.01, 0.04),
    )
    hunger_morale: float = param(
        0.03, "Daily morale loss of a band at full hunger.", ge=0.0, le=1.0, prior=(0.015, 0.06)
    )
    morale_recovery: float = param(0.01, "Daily morale regained by a fed band.", ge=0.0, le=1.0, prior=(0.005, 0.02))
    recovery_hunger: float = param(
        0.05,
        "A band counts as fed (and regains morale_recovery, scaled by 1 - hunger) while its"
        " hunger is below this. Judgement.",
        gt=0.0, le=1.0, prior=(0.025, 0.1),
    )
    column_supply_days: float = param(
        10.0, "Days of rations a column carries when full.", unit="d", ge=0.1, le=365.0, prior=(5.0, 20.0)
    )
    depot_hours: float = param(
        12.0,
        "Columns within this many marching hours of a depot refill completely.",
        unit="h",
        ge=0.0,
        ref="P23-05", le=480.0, prior=(6.0, 24.0),
    )
    pack_train_days: float = param(
        0.8,
        "Days of supply a pack train brings per day to a column just beyond depot reach.",
        unit="d/d",
        ge=0.0, le=10.0, prior=(0.4, 1.6),
    )
    pack_train_range_hours: float = param(
        48.0,
        "E-folding distance (marching hours beyond depot reach) of pack-train deliveries.",
        unit="h",
        ge=0.1, le=480.0, prior=(24.0, 96.0),
    )
    forward_base_days: float = param(
        2.0,
        "Days running a column must stand in a town the state holds (or at its own target)"
        " before the forward base that follows it is set up there (unloading, guarding,"
        " stacking the stores). Judgement.",
        unit="d",
        ge=0.0, le=365.0, prior=(1.0, 7.0),
    )
    pack_train_hours: float = param(
        8.0,
        "Marching hours a pack train of a scenario's [[pack_trains]] covers a day on the foot"
        " graph (loaded horses, camels and donkeys keep the infantry's pace on mountain"
        " tracks for about a working day). Judgement.",
        unit="h/d",
        gt=0.0, le=24.0, prior=(5.0, 10.0),
    )
    pack_train_capture_ratio: float = param(
        1.0,
        "A band standing in a pack train's cell takes it (and its rations) when its fighters"
        " are at least this many times the escort. Judgement.",
        ge=0.0, le=100.0, prior=(0.5, 2.0),
    )
    column_requisition_share: float = param(
        0.05,
        "Share of a village's food above reserve a hungry column requisitions per day.",
        ge=0.0,
        le=1.0,
        ref="A26-04", prior=(0.025, 0.1),
    )
    state_requisition_anger: float = param(
        0.4,
        "Rise in a village's support for the insurgents per share of its stock taken by the state"
        " (paid at a fraction of market price, A26-04).",
        ge=0.0,
        ref="A26-04", le=10.0, prior=(0.2, 0.8),
    )
    column_hunger_morale: float = param(
        0.05, "Daily morale loss of a column out of supply.", ge=0.0, le=1.0, prior=(0.025, 0.1)
    )
    sanctuary_food: float = param(
        1.0,
        "Share of a band's needs met by refugees and markets on the Afghan side when the"
        " sanctuary is open (half when tolerated, none when closed or hostile).",
        ge=0.0,
        le=1.0, prior=(0.5, 1.0),
    )
    # --- moved from the kernels (defaults unchanged) ---------------------------------------
    gift_support: float = param(
        0.6,
        "Support above which a village gives bands food as a gift (the pro-insurgent side of"
        " population.side_high).",
        ge=0.0,
        le=1.0,
        ref="judgement", prior=(0.3, 1.0),
    )
    scarcity_reserve_multiple: float = param(
        2.0,
        "Village stock, in multiples of its hidden reserve, below which requisition angers more:"
        " scarcity rises linearly from 1 at this stock to scarcity_multiplier at an empty store.",
        ge=0.01,
        le=100.0,
        ref="judgement", prior=(1.0, 4.0),
    )
