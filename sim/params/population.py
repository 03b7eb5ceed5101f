"""Population parameters: village support, grievance and fear, recruitment, amnesty, defection.

Every rate is per day. The defaults are reasoned from ``input`` and ``context`` rows of
``outcomes.csv`` (named in ``ref``) and from orders of magnitude; none rests on a
``train`` row (a calibration target). "judgement" marks a guess awaiting calibration,
with a wide ``prior``. Rates first set from a target and since re-marked judgement are
listed in ``calibration/README.md``.

How the defaults were chosen
----------------------------
* Villages. Support, grievance and fear are in [0, 1]. Policies move them by a few
  hundredths a day at intensity 1, so that a policy in force for a season (about 90
  days) can carry a village across the whole range; fear fades over about two months
  (``fear_decay`` 0.015), grievance over about a year (0.003). Neighbouring villages
  pull each other a tenth of the way per day (``spread``): a valley takes weeks to
  follow a village.
* Recruitment (judgement, prior 0.005-0.2). About a quarter of a village's people are
  men of fighting age; only villages leaning to the insurgents (support above 0.5) give
  recruits. In a grievance-rich valley (support 0.8, grievance 0.8) after a victory,
  3-4 % of the men in reach join each day. A neutral village gives none.
* Amnesty (A26-09, input). The 1925 window lasted 92 days. A fighter at full hunger,
  beaten and demoralised under a fully credible amnesty surrenders with probability
  about 2 % a day (most of a hungry band over a season); a fed, winning band with its
  leader close loses a tenth of that. Returnees are left destitute at 1 % a day and a
  tenth of the destitute go back each week (judgement, wide priors: the relapse of
  A26-14 is a target).
* Repression (judgement, wide priors). Executions of about 3e-6 per person and day at
  intensity 1 and trials of 2e-5 are orders of magnitude; half of those tried are
  sentenced to death (``trial_death_share`` 0.5, a round judgement: the documented
  share, A26-11, is a target and true by construction in the model). The counts of
  A26-11 and A26-12 are targets, not inputs.
* Defection (judgement, wide priors). Levies are about 1 % of the men of a converted home
  village per week; the size of the Lokai detachment (P23-13) is a target.
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
        0.25, "Share of a village's people who are men of fighting age (recruits, levies).", prior=(0.125, 0.5)
    )
    spread: float = probability(
        0.1,
        "Daily pull toward the neighbours: a village closes this share of the gap to its"
        " neighbours' people-weighted mean, times the neighbours' share of the people of the"
        " village and its neighbours (a town moves its hamlets more than they move it).", prior=(0.05, 0.2),
    )
    neighbour_cells: int = param(
        1, "Chebyshev radius (cells) within which villages are neighbours.", unit="cells", ge=1, le=3, prior=(1, 2)
    )
    fear_decay: float = param(0.015, "Daily fading of fear.", unit="1/d", ge=0.0, le=1.0, prior=(0.0075, 0.03))
    grievance_decay: float = param(
        0.003, "Daily fading of grievance toward grievance_neutral.", unit="1/d", ge=0.0, le=1.0, prior=(0.0015, 0.006)
    )
    protection_pull: float = param(
        0.004,
        "Daily fall of support for the insurgents where state units protect the village,"
        " scaled by (1 - grievance).",
        unit="1/d",
        ge=0.0,
        le=1.0, prior=(0.002, 0.008),
    )
    presence_pull: float = param(
        0.004,
        "Daily rise of support where a band stays without requisitioning, scaled by grievance.",
        unit="1/d",
        ge=0.0,
        le=1.0, prior=(0.002, 0.008),
    )
    grievance_to_support: float = param(
        0.01,
        "Daily drift of support per unit of grievance above grievance_neutral, scaled by the room"
        " left (1 - support upward, support downward).",
        unit="1/d",
        ge=0.0,
        le=1.0, prior=(0.005, 0.02),
    )
    grievance_neutral: float = probability(
        0.3,
        "Grievance at which support does not drift; above it support rises toward the insurgents,"
        " below it falls (the default equals the initial grievance of villages).", prior=(0.15, 0.6),
    )
    requisition_grievance: float = param(
        0.5,
        "Rise of grievance against the state per share of a village's food the state takes.",
        ge=0.0,
        ref="A26-04", le=10.0, prior=(0.25, 1.0),
    )
    collateral_grievance: float = probability(
        0.2, "Rise of grievance when fighting in a village kills a share of it equal to collateral_scale.", prior=(0.1, 0.4)
    )
    collateral_scale: float = param(
        0.01, "Share of a village killed that raises grievance by about 63% of collateral_grievance.",
        ge=1e-06, le=1.0, prior=(0.005, 0.02),
    )
    anti_religious_grievance: float = param(
        0.004, "Daily rise of grievance under anti-religious measures at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-21", prior=(0.002, 0.008),
    )
    collectivisation_grievance: float = param(
        0.008, "Daily rise of grievance under forced collectivisation at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.004, 0.016),
    )
    cotton_grievance: float = param(
        0.002, "Daily rise of grievance of a village under food-for-cotton at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-03", prior=(0.001, 0.004),
    )
    # --- the contest: rest, the state's levers and measures, the insurgents' costs ----------
    support_rest: float = probability(
        0.5,
        "Support a village relaxes to when neither side presses it (0.5: neutral; most villagers"
        " wanted to be left alone).", prior=(0.25, 1.0),
    )
    town_support_rest: float = probability(
        0.3,
        "Support the towns and posts of the gazetteer relax to: the state's officials, garrisons,"
        " traders and workers lived there; the Basmachi were a rural movement (BRIEF: garrisons"
        " hold towns).", prior=(0.15, 0.6),
    )
    support_relax: float = param(
        0.004,
        "Daily relaxation of support toward support_rest (half-life about half a year).",
        unit="1/d", ge=0.0, le=0.2, prior=(0.002, 0.008),
    )
    requisition_campaign_grievance: float = param(
        0.006, "Daily rise of grievance under a state requisition campaign at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-04 (requisition angers villages); rate judgement", prior=(0.003, 0.012),
    )
    relief_grievance: float = param(
        0.004,
        "Daily share of grievance removed by relief and economic recovery at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement (cf. CTX-03, narrative: NEP relief placated Fergana)", prior=(0.002, 0.008),
    )
    land_reform_grievance: float = param(
        0.003, "Daily share of grievance removed by land and water reform at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement (cf. CTX-03, narrative: land reform placated Fergana)", prior=(0.0015, 0.006),
    )
    concessions_grievance: float = param(
        0.003,
        "Daily share of grievance removed by religious and legal concessions at intensity 1"
        " (they also cancel anti-religious measures in proportion to their intensity).",
        unit="1/d", ge=0.0, le=1.0, prior=(0.0015, 0.006),
    )
    cadres_grievance: float = param(
        0.001, "Daily share of grievance removed by local cadres at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="R29-18 (local self-defence units, political work)", prior=(0.0005, 0.002),
    )
    cadres_protection: float = param(
        1.0, "Relative rise of protection_pull where local cadres work (intensity 1).",
        ge=0.0, le=10.0, ref="R29-18", prior=(0.5, 2.0),
    )
    lever_support: float = param(
        0.002,
        "Daily fall of support for the insurgents per unit of the state's levers in force"
        " (relief, land reform, concessions, local cadres, fair amnesty), scaled by support.",
        unit="1/d", ge=0.0, le=0.1, ref="judgement (cf. CTX-03, narrative)", prior=(0.001, 0.004),
    )
    fair_amnesty_effect: float = probability(
        0.8,
        "Share by which fair treatment of amnestied men (policy fair_amnesty at intensity 1)"
        " cuts their destitution and arrest.", prior=(0.4, 1.0),
    )
    momentum_pull: float = param(
        0.003,
        "Daily pull of support toward the winning side at full momentum, scaled by the room left.",
        unit="1/d", ge=0.0, le=0.1, prior=(0.0015, 0.006),
    )
    momentum_memory: float = param(
        0.05, "Weight of today's balance of fortunes in the momentum (about three weeks' memory).",
        ge=0.0, le=1.0, prior=(0.025, 0.1),
    )
    momentum_scale: float = param(
        20.0, "Men lost in a day below which the balance of losses says little (damping).",
        unit="people", ge=1.0, le=10_000.0, prior=(10.0, 40.0),
    )
    weariness_gain: float = probability(
        0.05, "Rise of war-weariness of a village on a day of fighting in reach or requisition.", prior=(0.025, 0.1)
    )
    weariness_decay: float = param(
        0.01, "Daily fading of war-weariness.", unit="1/d", ge=0.0, le=1.0, prior=(0.005, 0.02)
    )
    weariness_pull: float = param(
        0.005, "Daily pull of support toward weariness_target at full war-weariness.",
        unit="1/d", ge=0.0, le=0.1, prior=(0.0025, 0.01),
    )
    weariness_target: float = probability(
        0.4,
        "Support a war-weary village drifts to: peace, which after 1923 the state could offer and"
        " the bands could not.", prior=(0.2, 0.8),
    )
    reprisal_rate: float = param(
        0.02,
        "Daily probability that a band punishes a village in reach that informs on it.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.01, 0.04),
    )
    reprisal_kill_share: float = probability(0.002, "Share of a punished village the band kills.", prior=(0.001, 0.004))
    reprisal_fear: float = probability(0.2, "Rise of fear of a village punished by a band.", prior=(0.1, 0.4))
    reprisal_support_cut: float = probability(
        0.05, "Fall of support for the insurgents of a village punished by a band.", prior=(0.025, 0.1)
    )
    side_high: float = probability(0.6, "Support above which a village sides with the insurgents.", prior=(0.3, 1.0))
    side_low: float = probability(0.4, "Support below which a village sides with the state.", prior=(0.2, 0.8))
    side_reset: float = probability(
        0.5,
        "A village that sided with the insurgents turns neutral again when its support falls"
        " below this, one that sided with the state when its support rises above it (0.5: the"
        " middle of the scale; between side_low and side_high the side it took sticks)."
        " Judgement.",
        prior=(0.4, 0.6),
    )
    flight_rate: float = param(
        0.002,
        "Daily share of a village that flees abroad at full fear or in famine (A26-02: 200,000"
        " fled over a few years).",
        unit="1/d", ge=0.0, le=1.0, ref="A26-02", prior=(0.001, 0.004),
    )
    flight_fear: float = probability(0.5, "Fear above which people start to flee.", prior=(0.25, 1.0))
    flight_day_hours: float = param(
        4.0,
        "Hours of horse travel refugees on foot with their goods cover in a day (about half a"
        " horseman's speed for eight hours).",
        unit="h/d", ge=0.5, le=24.0, prior=(2.0, 8.0),
    )
    flight_carry_days: float = param(
        15.0, "Most days of food a fleeing family carries: refugees go no further than it lasts.",
        unit="d", ge=0.0, le=365.0, prior=(7.5, 30.0),
    )
    policy_reach_hours: float = param(
        24.0,
        "Travel hours from the nearest Soviet town at which the state's policies act at 1/e of"
        " their intensity: its measures and levers reached the villages its officials could.",
        unit="h", ge=1.0, le=1000.0, prior=(12.0, 48.0),
    )
    # --- recruitment and intelligence ---------------------------------------------------------
    reach_cells: int = param(
        1, "Chebyshev radius (cells) of villages a band recruits from and is seen by.",
        unit="cells", ge=0, le=3, prior=(0, 2),
    )
    recruit_rate: float = param(
        0.05,
        "Daily probability that a man of fighting age joins a band in reach, at full support and"
        " grievance (support is counted above neutral).",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.005, 0.2),
    )
    success_recruit_gain: float = param(
        1.0,
        "Relative rise of recruitment with a band's momentum (recent success net of losses,"
        " saturating): 1 doubles it at full momentum. Applies to villages and refugee camps.",
        ge=0.0, le=100.0, prior=(0.5, 2.0),
    )
    defeat_recruit_cut: float = probability(
        0.8,
        "Share of recruitment lost at full negative momentum (recent losses outweigh success)."
        " Judgement.", prior=(0.4, 1.0),
    )
    defeat_weight: float = param(
        3.0,
        "Weight of recent losses, as a share of the band's strength, against recent successes"
        " in a band's momentum (losing a third of the band cancels one success). Judgement.",
        ge=0.0, le=100.0, prior=(1.5, 6.0),
    )
    town_success: float = param(
        1.0,
        "Success credited to each band present when a town or post falls to the insurgents"
        " (the same unit as a won engagement). Judgement.",
        ge=0.0, le=100.0, prior=(0.5, 2.0),
    )
    fear_deterrence: float = probability(0.7, "Share of recruitment suppressed at full fear.", prior=(0.35, 1.0))
    refugee_recruit_rate: float = param(
        0.002,
        "Daily probability that a willing refugee man not yet under arms joins a band in an open"
        " sanctuary (half when tolerated).",
        unit="1/d", ge=0.0, le=1.0, ref="judgement (A26-23, narrative: levies on refugees in exile)", prior=(0.001, 0.004),
    )
    refugee_willing_share: float = param(
        0.05,
        "Share of refugee men ever willing to fight: the bands in the sanctuary grow toward this"
        " share of the refugee men and no further (most of the 200,000 who fled, A26-02, never"
        " fought).",
        ge=0.0, le=1.0, ref="A26-02; judgement", prior=(0.025, 0.1),
    )
    sanctuary_morale: float = param(
        0.02, "Daily morale regained by a band in an open sanctuary (half when tolerated).",
        unit="1/d", ge=0.0, le=1.0, prior=(0.01, 0.04),
    )
    internment_rate: float = param(
        0.01, "Daily share of a band the Afghan authorities intern when the border is hostile.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.005, 0.02),
    )
    inform_threshold: float = probability(0.4, "Villages below this support inform on bands.", prior=(0.2, 0.8))
    warn_threshold: float = probability(0.6, "Villages above this support warn bands.", prior=(0.3, 1.0))
    inform_penalty: float = param(
        0.5, "Largest fall of a band's concealment multiplier when every village in reach informs.",
        ge=0.0, le=1.0, prior=(0.25, 1.0),
    )
    warn_bonus: float = param(
        0.3, "Largest rise of a band's concealment multiplier when every village in reach warns.",
        ge=0.0, le=1.0, prior=(0.15, 0.6),
    )
    scouts_inform_gain: float = param(
        0.5, "Relative rise of informing when the state uses local scouts (switch local_scouts).",
        ge=0.0, ref="P23-03", le=100.0, prior=(0.25, 1.0),
    )
    memory_decay: float = param(
        0.05, "Daily fading of a band's recent losses and recent success (about 2 weeks).",
        unit="1/d", ge=0.0, le=1.0, prior=(0.025, 0.1),
    )
    # --- amnesty ------------------------------------------------------------------------------
    amnesty_rate: float = param(
        0.02,
        "Daily probability that a fighter surrenders under a fully credible amnesty when hungry,"
        " beaten, demoralised and far from his leader.",
        unit="1/d", ge=0.0, le=1.0, ref="A26-09 (92-day window)", prior=(0.01, 0.04),
    )
    amnesty_floor: float = probability(
        0.1, "Share of amnesty_rate that applies to a fed, winning band with its leader present.", prior=(0.05, 0.2)
    )
    weight_hunger: float = probability(
        0.5,
        "How far hunger is needed for the full pull of an amnesty (the pull is the product"
        " over conditions of 1 - weight + weight * condition). Judgement.",
        prior=(0.2, 0.8),
    )
    weight_losses: float = probability(
        0.5, "How far recent losses are needed for the full pull of an amnesty. Judgement.",
        prior=(0.2, 0.8),
    )
    weight_morale: float = probability(
        0.5, "How far low morale is needed for the full pull of an amnesty. Judgement.",
        prior=(0.2, 0.8),
    )
    weight_leader: float = probability(
        0.5, "How far distance from the leader is needed for the full pull. Judgement.",
        prior=(0.2, 0.8),
    )
    weight_cut_off: float = probability(
        0.5,
        "How far being cut off (no village leaning to the band in reach, no open sanctuary)"
        " is needed for the full pull. Judgement.",
        prior=(0.2, 0.8),
    )
    losses_scale: float = param(
        0.2, "Share of a band lost recently at which the losses term is saturated.", ge=1e-06, le=1.0, prior=(0.1, 0.4)
    )
    leader_distance_cells: float = param(
        10.0, "Distance in cells from his leader at which a fighter feels fully on his own.",
        unit="cells", ge=0.01, le=1000.0, prior=(5.0, 20.0),
    )
    leader_amnesty_rate: float = param(
        0.001, "Daily probability that a leader takes a fully credible amnesty (scaled by 1 - authority).",
        unit="1/d", ge=0.0, le=1.0, prior=(0.0005, 0.002),
    )
    destitution_rate: float = param(
        0.01, "Daily probability that a returnee is left destitute (no land, food or work).",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.001, 0.05),
    )
    arrest_rate: float = param(
        0.002,
        "Daily probability that a returnee is arrested on denunciation, scaled by 1 - credibility"
        " and doubled under show trials or executions.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.0002, 0.01),
    )
    arrest_flight: float = probability(
        0.2, "Share of a village's other returnees who go into hiding (destitute) after an arrest there.", prior=(0.1, 0.4)
    )
    relapse_rate: float = param(
        0.015, "Daily probability that a destitute returnee goes back to a band in reach.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.002, 0.06),
    )
    trust_loss: float = param(
        2.0, "Fall of amnesty trust per share of returnees made destitute or arrested in a day.", ge=0.0, le=100.0, prior=(1.0, 4.0)
    )
    trust_recovery: float = param(
        0.005, "Daily recovery of amnesty trust toward 1.", unit="1/d", ge=0.0, le=1.0, prior=(0.0025, 0.01)
    )
    # --- defection ----------------------------------------------------------------------------
    band_defect_rate: float = param(
        0.01,
        "Daily probability that a band whose home village sided with the state switches sides,"
        " scaled by (1 - morale) and by (1 - authority) of its leader.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.001, 0.05),
    )
    clan_defect_rate: float = param(
        0.02, "Daily probability that a clan of such a band switches alone.", unit="1/d", ge=0.0, le=1.0, prior=(0.01, 0.04)
    )
    clan_share: float = probability(0.2, "Share of a band that forms a clan.", prior=(0.1, 0.4))
    escort_share: float = probability(
        0.1, "Share of a defecting band that stays with its leader as his escort.", prior=(0.05, 0.2)
    )
    levy_rate: float = param(
        0.0015,
        "Daily share of the men of a band's converted home village raised as state volunteers.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.0002, 0.01),
    )
    state_desert_rate: float = param(
        0.005,
        "Daily desertion probability of a soldier at zero morale when the state is losing"
        " (scaled by the share of towns held by insurgents and 1 - morale).",
        unit="1/d", ge=0.0, le=1.0, prior=(0.0025, 0.01),
    )
    local_desert_multiplier: float = param(
        3.0, "How much more readily local volunteer units desert than regulars.", ge=1.0, le=100.0, prior=(1.5, 6.0)
    )
    desert_to_band: float = probability(
        0.3, "Share of deserters who join a band in their cell when one is there.", prior=(0.15, 0.6)
    )
    rival_clash_rate: float = probability(
        0.05, "Daily probability that bands of rival leaders in the same cell fight each other.", prior=(0.025, 0.1)
    )
    rival_clash_loss: float = probability(0.03, "Share of each band killed in a clash between rivals.", prior=(0.015, 0.06))
    # --- repression ---------------------------------------------------------------------------
    execution_rate: float = param(
        3e-6, "Daily probability that a person of a pro-insurgent village near state units is shot,"
        " at intensity 1.", unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(3e-07, 3e-05),
    )
    trial_rate: float = param(
        2e-5, "Daily probability that a person of such a village is tried, at intensity 1.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(2e-06, 0.0002),
    )
    trial_death_share: float = probability(
        0.5, "Share of the tried sentenced to death (the rest imprisoned).",
        ref="judgement: a round half (the documented share is a target)", prior=(0.2, 0.9)
    )
    repression_fear: float = probability(
        0.15, "Rise of fear of a village where someone is shot or tried (per day of such events).", prior=(0.075, 0.3)
    )
    repression_support_cut: float = probability(
        0.05, "Fall of active support of such a village per day of such events.", prior=(0.025, 0.1)
    )
    repression_grievance: float = probability(
        0.05, "Rise of grievance of such a village per day of such events.", prior=(0.025, 0.1)
    )
    raid_kill_share: float = probability(0.005, "Share of a village killed in a punitive raid.", prior=(0.0025, 0.01))
    raid_food_share: float = probability(0.3, "Share of a village's food seized in a punitive raid.", prior=(0.15, 0.6))
    raid_fear: float = probability(0.3, "Rise of fear from a punitive raid.", prior=(0.15, 0.6))
    raid_grievance: float = probability(0.2, "Rise of grievance from a punitive raid.", prior=(0.1, 0.4))
    raid_support_cut: float = probability(0.15, "Fall of support from a punitive raid.", prior=(0.075, 0.3))
    burning_flight: float = probability(0.5, "Share of a burned village that flees abroad.", prior=(0.25, 1.0))
    burning_kill_share: float = probability(0.02, "Share of a burned village killed.", prior=(0.01, 0.04))
    # --- leaders ------------------------------------------------------------------------------
    leader_exposure: float = probability(
        0.3, "Chance of a leader being among his band's casualties relative to an ordinary fighter.", prior=(0.15, 0.6)
    )
    wound_days: float = param(30.0, "Days a wounded leader is out of action.", unit="d", ge=0.0, le=3650.0, prior=(15.0, 60.0))
    exit_rate: float = param(
        0.02, "Daily probability that a cautious leader of a hungry, beaten band leaves for Afghanistan.",
        unit="1/d", ge=0.0, le=1.0, ref="judgement, wide prior (re-derived: calibration/README.md)", prior=(0.002, 0.1),
    )
    return_rate: float = param(
        0.01, "Daily probability that an exiled leader with a recovered band comes back.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.005, 0.02),
    )
    return_morale: float = probability(0.7, "Morale a band in exile needs before its leader comes back.", prior=(0.35, 1.0))
    betrayal_rate: float = param(
        0.005, "Daily probability that a leader is betrayed when every village in reach informs.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.0025, 0.01),
    )
    fragment_rate: float = param(
        0.01, "Daily share of a leaderless band at zero morale that drifts home.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.005, 0.02),
    )
    disperse_morale: float = probability(0.15, "Morale below which a leaderless band may disperse.", prior=(0.075, 0.3))
    disperse_rate: float = param(
        0.05, "Daily probability that a leaderless band below disperse_morale disperses.",
        unit="1/d", ge=0.0, le=1.0, prior=(0.025, 0.1),
    )
    leaderless_amnesty: float = param(
        1.0, "Extra weight of the amnesty pull on a leaderless band.", ge=0.0, le=100.0, prior=(0.5, 2.0)
    )
    # --- moved from the kernels (defaults unchanged) ---------------------------------------
    tolerated_sanctuary_share: float = param(
        0.5,
        "Share of the open sanctuary's help (food on the Afghan side, refugee recruits) bands"
        " get when the Afghan side only tolerates them (1 open, 0 closed or hostile).",
        ge=0.0,
        le=1.0,
        ref="judgement", prior=(0.25, 1.0),
    )
    volunteer_morale: float = param(
        0.7, "Morale of a state volunteer detachment when it is raised.", ge=0.0, le=1.0,
        ref="judgement", prior=(0.35, 1.0),
    )
    volunteer_supply_days: float = param(
        5.0, "Days of supply a state volunteer detachment carries when it is raised.",
        unit="d", ge=0.0, le=365.0, ref="judgement", prior=(2.5, 10.0),
    )
    famine_days: float = param(
        1.0,
        "Days of food per inhabitant below which a village is in famine (its people flee as"
        " at full fear).",
        unit="d",
        ge=0.0,
        le=365.0,
        ref="judgement", prior=(0.5, 2.0),
    )
    arrest_hostility_slope: float = param(
        2.0,
        "Hostility to returned insurgents per unit of a village's support for the state"
        " (1 - support), capped at 1: at the default a village at support 0.5 or below is"
        " fully hostile.",
        ge=0.0,
        le=100.0,
        ref="judgement", prior=(1.0, 4.0),
    )
    repression_arrest_factor: float = param(
        2.0, "How much more often returned insurgents are arrested while repression is on.",
        ge=1.0, le=100.0, ref="judgement", prior=(1.0, 4.0),
    )
    burning_raid_weight: float = param(
        2.0,
        "How many punitive raids a village burning counts as for the fear, grievance and"
        " support it moves.",
        ge=0.0,
        le=100.0,
        ref="judgement", prior=(1.0, 4.0),
    )
