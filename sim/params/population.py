"""Population parameters: village support, grievance and fear, recruitment, amnesty, defection.

Every rate is per day. The defaults are reasoned from the documented figures of
``outcomes.csv`` (rows named in ``ref``) and from orders of magnitude, never fitted
to the ``train`` rows; "judgement" marks a guess awaiting calibration.

How the defaults were chosen
----------------------------
* Villages. Support, grievance and fear are in [0, 1]. Policies move them by a few
  hundredths a day at intensity 1, so that a policy in force for a season (about 90
  days) can carry a village across the whole range; fear fades over about two months
  (``fear_decay`` 0.015), grievance over about a year (0.003). Neighbouring villages
  pull each other a tenth of the way per day (``spread``): a valley takes weeks to
  follow a village.
* Recruitment (R29-06 as an order of magnitude, not fitted). About a quarter of a
  village's people are men of fighting age; only villages leaning to the insurgents
  (support above 0.5) give recruits. In a grievance-rich valley (support 0.8,
  grievance 0.8) after a victory, 3-4 % of the men in reach join each day; with about
  2,000 men in reach that is 60-80 a day, the order of 15 -> 800 men in two or three
  weeks. A neutral village gives none.
* Amnesty (A26-09, A26-14). The 1925 window lasted 92 days. A fighter at full hunger,
  beaten and demoralised under a fully credible amnesty surrenders with probability
  about 2 % a day (most of a hungry band over a season); a fed, winning band with its
  leader close loses a tenth of that. Returnees are left destitute at 1 % a day
  (A26-14: "left hungry, homeless") and a tenth of the destitute go back each week.
* Repression (A26-11, A26-12). The OGPU shot 208 supporters in 1925-26, about 0.3 a
  day over the theatre; among roughly 100,000 people in pro-insurgent villages near
  state units that is about 3e-6 per person and day at intensity 1. One court passed
  45 death sentences in 70 cases (0.64): ``trial_death_share``.
* Defection (P23-13, A26-15). The Lokai's 60-man detachment came from a tribe of some
  thousands: levies are about 1 % of the men of a converted home village per week.
"""

from __future__ import annotations

import dataclasses

from sim.params.fields import param, probability

__all__ = ["PopulationParams"]


@dataclasses.dataclass(frozen=True)
class PopulationParams:
    """Parameters of the population phase (villages, recruitment, amnesty, defection, leaders)."""

    # --- villages: support, grievance, fear ------------------------------------------------
    men_share: float = probability(
        0.25, "Share of a village's people who are men of fighting age (recruits, levies)."
    )
    spread: float = probability(
        0.1,
        "Daily pull toward the neighbours: a village closes this share of the gap to its"
        " neighbours' people-weighted mean, times the neighbours' share of the people of the"
        " village and its neighbours (a town moves its hamlets more than they move it).",
    )
    neighbour_cells: int = param(
        1, "Chebyshev radius (cells) within which villages are neighbours.", unit="cells", ge=1, le=3
    )
    fear_decay: float = param(0.015, "Daily fading of fear.", unit="1/d", ge=0.0, le=1.0)
    grievance_decay: float = param(
        0.003, "Daily fading of grievance toward grievance_neutral.", unit="1/d", ge=0.0, le=1.0
    )
    protection_pull: float = param(
        0.004,
        "Daily fall of support for the insurgents where state units protect the village,"
        " scaled by (1 - grievance).",
        unit="1/d",
        ge=0.0,
        le=1.0,
    )
    presence_pull: float = param(
        0.004,
        "Daily rise of support where a band stays without requisitioning, scaled by grievance.",
        unit="1/d",
        ge=0.0,
        le=1.0,
    )
    grievance_to_support: float = param(
        0.01,
        "Daily drift of support per unit of grievance above grievance_neutral, scaled by the room"
        " left (1 - support upward, support downward).",
        unit="1/d",
        ge=0.0,
        le=1.0,
    )
    grievance_neutral: float = probability(
        0.3,
        "Grievance at which support does not drift; above it support rises toward the insurgents,"
        " below it falls (the default equals the initial grievance of villages).",
    )
    requisition_grievance: float = param(
        0.5,
        "Rise of grievance against the state per share of a village's food the state takes.",
        ge=0.0,
        ref="A26-04", le=10.0,
    )
    collateral_grievance: float = probability(
        0.2, "Rise of grievance when fighting in a village kills a share of it equal to collateral_scale."
    )
    collateral_scale: float = param(
        0.01, "Share of a village killed that raises grievance by about 63% of collateral_grievance.",
        ge=1e-06, le=1.0,
    )
    anti_religious_grievance: float = param(
        0.004, "Daily rise of grievance under anti-religious measures at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-21",
    )
    collectivisation_grievance: float = param(
        0.008, "Daily rise of grievance under forced collectivisation at intensity 1.",
        unit="1/d", ge=0.0, le=1.0,
    )
    cotton_grievance: float = param(
        0.002, "Daily rise of grievance of a village under food-for-cotton at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-03",
    )
    # --- the contest: rest, the state's levers and measures, the insurgents' costs ----------
    support_rest: float = probability(
        0.5,
        "Support a village relaxes to when neither side presses it (0.5: neutral; most villagers"
        " wanted to be left alone).",
    )
    town_support_rest: float = probability(
        0.3,
        "Support the towns and posts of the gazetteer relax to: the state's officials, garrisons,"
        " traders and workers lived there; the Basmachi were a rural movement (BRIEF: garrisons"
        " hold towns).",
    )
    support_relax: float = param(
        0.004,
        "Daily relaxation of support toward support_rest (half-life about half a year).",
        unit="1/d", ge=0.0, le=0.2,
    )
    requisition_campaign_grievance: float = param(
        0.006, "Daily rise of grievance under a state requisition campaign at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-04 (requisition angers villages); rate judgement",
    )
    relief_grievance: float = param(
        0.004,
        "Daily share of grievance removed by relief and economic recovery at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement (cf. CTX-03, narrative: NEP relief placated Fergana)",
    )
    land_reform_grievance: float = param(
        0.003, "Daily share of grievance removed by land and water reform at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement (cf. CTX-03, narrative: land reform placated Fergana)",
    )
    concessions_grievance: float = param(
        0.003,
        "Daily share of grievance removed by religious and legal concessions at intensity 1"
        " (they also cancel anti-religious measures in proportion to their intensity).",
        unit="1/d", ge=0.0, le=1.0,
    )
    cadres_grievance: float = param(
        0.001, "Daily share of grievance removed by local cadres at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="R29-18 (local self-defence units, political work)",
    )
    cadres_protection: float = param(
        1.0, "Relative rise of protection_pull where local cadres work (intensity 1).",
        ge=0.0, le=10.0, ref="R29-18",
    )
    lever_support: float = param(
        0.002,
        "Daily fall of support for the insurgents per unit of the state's levers in force"
        " (relief, land reform, concessions, local cadres, fair amnesty), scaled by support.",
        unit="1/d", ge=0.0, le=0.1, ref="judgement (cf. CTX-03, narrative)",
    )
    fair_amnesty_effect: float = probability(
        0.8,
        "Share by which fair treatment of amnestied men (policy fair_amnesty at intensity 1)"
        " cuts their destitution and arrest.",
    )
    momentum_pull: float = param(
        0.003,
        "Daily pull of support toward the winning side at full momentum, scaled by the room left.",
        unit="1/d", ge=0.0, le=0.1,
    )
    momentum_memory: float = param(
        0.05, "Weight of today's balance of fortunes in the momentum (about three weeks' memory).",
        ge=0.0, le=1.0,
    )
    momentum_scale: float = param(
        20.0, "Men lost in a day below which the balance of losses says little (damping).",
        unit="people", ge=1.0, le=10_000.0,
    )
    weariness_gain: float = probability(
        0.05, "Rise of war-weariness of a village on a day of fighting in reach or requisition."
    )
    weariness_decay: float = param(
        0.01, "Daily fading of war-weariness.", unit="1/d", ge=0.0, le=1.0
    )
    weariness_pull: float = param(
        0.005, "Daily pull of support toward weariness_target at full war-weariness.",
        unit="1/d", ge=0.0, le=0.1,
    )
    weariness_target: float = probability(
        0.4,
        "Support a war-weary village drifts to: peace, which after 1923 the state could offer and"
        " the bands could not.",
    )
    reprisal_rate: float = param(
        0.02,
        "Daily probability that a band punishes a village in reach that informs on it.",
        unit="1/d", ge=0.0, le=1.0,
    )
    reprisal_kill_share: float = probability(0.002, "Share of a punished village the band kills.")
    reprisal_fear: float = probability(0.2, "Rise of fear of a village punished by a band.")
    reprisal_support_cut: float = probability(
        0.05, "Fall of support for the insurgents of a village punished by a band."
    )
    side_high: float = probability(0.6, "Support above which a village sides with the insurgents.")
    side_low: float = probability(0.4, "Support below which a village sides with the state.")
    flight_rate: float = param(
        0.002,
        "Daily share of a village that flees abroad at full fear or in famine (A26-02: 200,000"
        " fled over a few years).",
        unit="1/d", ge=0.0, le=1.0, ref="A26-02",
    )
    flight_fear: float = probability(0.5, "Fear above which people start to flee.")
    flight_day_hours: float = param(
        4.0,
        "Hours of horse travel refugees on foot with their goods cover in a day (about half a"
        " horseman's speed for eight hours).",
        unit="h/d", ge=0.5, le=24.0,
    )
    flight_carry_days: float = param(
        15.0, "Most days of food a fleeing family carries: refugees go no further than it lasts.",
        unit="d", ge=0.0, le=365.0,
    )
    policy_reach_hours: float = param(
        24.0,
        "Travel hours from the nearest Soviet town at which the state's policies act at 1/e of"
        " their intensity: its measures and levers reached the villages its officials could.",
        unit="h", ge=1.0, le=1000.0,
    )
    # --- recruitment and intelligence ---------------------------------------------------------
    reach_cells: int = param(
        1, "Chebyshev radius (cells) of villages a band recruits from and is seen by.",
        unit="cells", ge=0, le=3,
    )
    recruit_rate: float = param(
        0.05,
        "Daily probability that a man of fighting age joins a band in reach, at full support and"
        " grievance (support is counted above neutral).",
        unit="1/d", ge=0.0, le=1.0, ref="R29-06 (order of magnitude)",
    )
    success_recruit_gain: float = param(
        1.0,
        "Relative rise of recruitment with a band's momentum (recent success net of losses,"
        " saturating): 1 doubles it at full momentum. Applies to villages and refugee camps.",
        ge=0.0, le=100.0,
    )
    defeat_recruit_cut: float = probability(
        0.8,
        "Share of recruitment lost at full negative momentum (recent losses outweigh success)."
        " Judgement.",
    )
    defeat_weight: float = param(
        3.0,
        "Weight of recent losses, as a share of the band's strength, against recent successes"
        " in a band's momentum (losing a third of the band cancels one success). Judgement.",
        ge=0.0, le=100.0,
    )
    town_success: float = param(
        1.0,
        "Success credited to each band present when a town or post falls to the insurgents"
        " (the same unit as a won engagement). Judgement.",
        ge=0.0, le=100.0,
    )
    fear_deterrence: float = probability(0.7, "Share of recruitment suppressed at full fear.")
    refugee_recruit_rate: float = param(
        0.002,
        "Daily probability that a willing refugee man not yet under arms joins a band in an open"
        " sanctuary (half when tolerated).",
        unit="1/d", ge=0.0, le=1.0, ref="A26-23",
    )
    refugee_willing_share: float = param(
        0.05,
        "Share of refugee men ever willing to fight: the bands in the sanctuary grow toward this"
        " share of the refugee men and no further (most of the 200,000 who fled, A26-02, never"
        " fought).",
        ge=0.0, le=1.0, ref="A26-02; judgement",
    )
    sanctuary_morale: float = param(
        0.02, "Daily morale regained by a band in an open sanctuary (half when tolerated).",
        unit="1/d", ge=0.0, le=1.0,
    )
    internment_rate: float = param(
        0.01, "Daily share of a band the Afghan authorities intern when the border is hostile.",
        unit="1/d", ge=0.0, le=1.0,
    )
    inform_threshold: float = probability(0.4, "Villages below this support inform on bands.")
    warn_threshold: float = probability(0.6, "Villages above this support warn bands.")
    inform_penalty: float = param(
        0.5, "Largest fall of a band's concealment multiplier when every village in reach informs.",
        ge=0.0, le=1.0,
    )
    warn_bonus: float = param(
        0.3, "Largest rise of a band's concealment multiplier when every village in reach warns.",
        ge=0.0, le=1.0,
    )
    scouts_inform_gain: float = param(
        0.5, "Relative rise of informing when the state uses local scouts (switch local_scouts).",
        ge=0.0, ref="P23-03", le=100.0,
    )
    memory_decay: float = param(
        0.05, "Daily fading of a band's recent losses and recent success (about 2 weeks).",
        unit="1/d", ge=0.0, le=1.0,
    )
    # --- amnesty ------------------------------------------------------------------------------
    amnesty_rate: float = param(
        0.02,
        "Daily probability that a fighter surrenders under a fully credible amnesty when hungry,"
        " beaten, demoralised and far from his leader.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-09 (92-day window)",
    )
    amnesty_floor: float = probability(
        0.1, "Share of amnesty_rate that applies to a fed, winning band with its leader present."
    )
    weight_hunger: float = param(1.0, "Weight of hunger in the pull of an amnesty.", ge=0.0, le=100.0)
    weight_losses: float = param(1.0, "Weight of recent losses in the pull of an amnesty.", ge=0.0, le=100.0)
    weight_morale: float = param(1.0, "Weight of low morale in the pull of an amnesty.", ge=0.0, le=100.0)
    weight_leader: float = param(1.0, "Weight of distance from the leader in the pull.", ge=0.0, le=100.0)
    losses_scale: float = param(
        0.2, "Share of a band lost recently at which the losses term is saturated.", ge=1e-06, le=1.0
    )
    leader_distance_cells: float = param(
        10.0, "Distance in cells from his leader at which a fighter feels fully on his own.",
        unit="cells", ge=0.01, le=1000.0,
    )
    leader_amnesty_rate: float = param(
        0.001, "Daily probability that a leader takes a fully credible amnesty (scaled by 1 - authority).",
        unit="1/d", ge=0.0, le=1.0,
    )
    destitution_rate: float = param(
        0.01, "Daily probability that a returnee is left destitute (no land, food or work).",
        unit="1/d", ge=0.0, le=1.0, ref="A26-14",
    )
    arrest_rate: float = param(
        0.002,
        "Daily probability that a returnee is arrested on denunciation, scaled by 1 - credibility"
        " and doubled under show trials or executions.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-14",
    )
    arrest_flight: float = probability(
        0.2, "Share of a village's other returnees who go into hiding (destitute) after an arrest there."
    )
    relapse_rate: float = param(
        0.015, "Daily probability that a destitute returnee goes back to a band in reach.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-14",
    )
    trust_loss: float = param(
        2.0, "Fall of amnesty trust per share of returnees made destitute or arrested in a day.", ge=0.0, le=100.0
    )
    trust_recovery: float = param(
        0.005, "Daily recovery of amnesty trust toward 1.", unit="1/d", ge=0.0, le=1.0
    )
    # --- defection ----------------------------------------------------------------------------
    band_defect_rate: float = param(
        0.01,
        "Daily probability that a band whose home village sided with the state switches sides,"
        " scaled by (1 - morale) and by (1 - authority) of its leader.",
        unit="1/d", ge=0.0, le=1.0, ref="P23-13",
    )
    clan_defect_rate: float = param(
        0.02, "Daily probability that a clan of such a band switches alone.", unit="1/d", ge=0.0, le=1.0
    )
    clan_share: float = probability(0.2, "Share of a band that forms a clan.")
    escort_share: float = probability(
        0.1, "Share of a defecting band that stays with its leader as his escort."
    )
    levy_rate: float = param(
        0.0015,
        "Daily share of the men of a band's converted home village raised as state volunteers.",
        unit="1/d", ge=0.0, le=1.0, ref="P23-13",
    )
    state_desert_rate: float = param(
        0.005,
        "Daily desertion probability of a soldier at zero morale when the state is losing"
        " (scaled by the share of towns held by insurgents and 1 - morale).",
        unit="1/d", ge=0.0, le=1.0,
    )
    local_desert_multiplier: float = param(
        3.0, "How much more readily local volunteer units desert than regulars.", ge=1.0, le=100.0
    )
    desert_to_band: float = probability(
        0.3, "Share of deserters who join a band in their cell when one is there."
    )
    rival_clash_rate: float = probability(
        0.05, "Daily probability that bands of rival leaders in the same cell fight each other."
    )
    rival_clash_loss: float = probability(0.03, "Share of each band killed in a clash between rivals.")
    # --- repression ---------------------------------------------------------------------------
    execution_rate: float = param(
        3e-6, "Daily probability that a person of a pro-insurgent village near state units is shot,"
        " at intensity 1.", unit="1/d", ge=0.0, le=1.0, ref="A26-12",
    )
    trial_rate: float = param(
        2e-5, "Daily probability that a person of such a village is tried, at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-11",
    )
    trial_death_share: float = probability(
        0.64, "Share of the tried sentenced to death (the rest imprisoned).", ref="A26-11"
    )
    repression_fear: float = probability(
        0.15, "Rise of fear of a village where someone is shot or tried (per day of such events)."
    )
    repression_support_cut: float = probability(
        0.05, "Fall of active support of such a village per day of such events."
    )
    repression_grievance: float = probability(
        0.05, "Rise of grievance of such a village per day of such events."
    )
    raid_kill_share: float = probability(0.005, "Share of a village killed in a punitive raid.")
    raid_food_share: float = probability(0.3, "Share of a village's food seized in a punitive raid.")
    raid_fear: float = probability(0.3, "Rise of fear from a punitive raid.")
    raid_grievance: float = probability(0.2, "Rise of grievance from a punitive raid.")
    raid_support_cut: float = probability(0.15, "Fall of support from a punitive raid.")
    burning_flight: float = probability(0.5, "Share of a burned village that flees abroad.")
    burning_kill_share: float = probability(0.02, "Share of a burned village killed.")
    # --- leaders ------------------------------------------------------------------------------
    leader_exposure: float = probability(
        0.3, "Chance of a leader being among his band's casualties relative to an ordinary fighter."
    )
    wound_days: float = param(30.0, "Days a wounded leader is out of action.", unit="d", ge=0.0, le=3650.0)
    exit_rate: float = param(
        0.02, "Daily probability that a cautious leader of a hungry, beaten band leaves for Afghanistan.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-19",
    )
    return_rate: float = param(
        0.01, "Daily probability that an exiled leader with a recovered band comes back.",
        unit="1/d", ge=0.0, le=1.0,
    )
    return_morale: float = probability(0.7, "Morale a band in exile needs before its leader comes back.")
    betrayal_rate: float = param(
        0.005, "Daily probability that a leader is betrayed when every village in reach informs.",
        unit="1/d", ge=0.0, le=1.0,
    )
    fragment_rate: float = param(
        0.01, "Daily share of a leaderless band at zero morale that drifts home.",
        unit="1/d", ge=0.0, le=1.0,
    )
    disperse_morale: float = probability(0.15, "Morale below which a leaderless band may disperse.")
    disperse_rate: float = param(
        0.05, "Daily probability that a leaderless band below disperse_morale disperses.",
        unit="1/d", ge=0.0, le=1.0,
    )
    leaderless_amnesty: float = param(
        1.0, "Extra weight of the amnesty pull on a leaderless band.", ge=0.0, le=100.0
    )
    # --- moved from the kernels (defaults unchanged) ---------------------------------------
    tolerated_sanctuary_share: float = param(
        0.5,
        "Share of the open sanctuary's help (food on the Afghan side, refugee recruits) bands"
        " get when the Afghan side only tolerates them (1 open, 0 closed or hostile).",
        ge=0.0,
        le=1.0,
        ref="judgement",
    )
    volunteer_morale: float = param(
        0.7, "Morale of a state volunteer detachment when it is raised.", ge=0.0, le=1.0,
        ref="judgement",
    )
    volunteer_supply_days: float = param(
        5.0, "Days of supply a state volunteer detachment carries when it is raised.",
        unit="d", ge=0.0, ref="judgement",
    )
    famine_days: float = param(
        1.0,
        "Days of food per inhabitant below which a village is in famine (its people flee as"
        " at full fear).",
        unit="d",
        ge=0.0,
        ref="judgement",
    )
    arrest_hostility_slope: float = param(
        2.0,
        "Hostility to returned insurgents per unit of a village's support for the state"
        " (1 - support), capped at 1: at the default a village at support 0.5 or below is"
        " fully hostile.",
        ge=0.0,
        ref="judgement",
    )
    repression_arrest_factor: float = param(
        2.0, "How much more often returned insurgents are arrested while repression is on.",
        ge=1.0, ref="judgement",
    )
    burning_raid_weight: float = param(
        2.0,
        "How many punitive raids a village burning counts as for the fear, grievance and"
        " support it moves.",
        ge=0.0,
        ref="judgement",
    )
