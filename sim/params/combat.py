"""Combat parameters: the mixed Lanchester law, concealment, surprise, firepower, break-off.

Every number is per hour of fighting unless said otherwise. Engagements last hours,
not days.

How the defaults were chosen
----------------------------
The defaults are reasoned guesses ("judgement") or published figures awaiting
calibration, each with a ``prior`` range; none rests on a calibration target:

* Aimed fire. A rifleman in a skirmish fires a few aimed rounds a minute at men he
  can see; with 1-3 % of aimed rounds disabling a man at 200-500 m and most of an
  hour spent moving and taking cover, one exposed rifle disables about 0.01-0.02 men
  an hour. Red Army regulars (better ammunition supply, trained musketry) get 0.015,
  Basmachi horsemen with mixed old rifles 0.010.
* Area fire. Against a band hidden in rocks or orchards the state fires at where the
  band might be, so its casualties grow with the band's density as well
  (Deitchman 1962). The coefficient is set so that a 100-man band in the open loses
  what aimed fire would inflict (1.5e-4 = 0.015 / 100); concealment then scales it down.
* Firepower. A Maxim gun fires 250-600 rounds a minute against 10-15 for a rifle but
  is far less accurate per round: about 15 rifles. A mountain gun about 25.
* Assaults on posts. The rule of thumb that an attacker needs three to one at the point
  of attack against a prepared position (Mearsheimer 1989), times the ``fortification``
  divisor of 4, gives the ``overwhelm_ratio`` of 12. A night assault lasts until dawn:
  about 10 hours of darkness at 39 N in spring (``raid_duration_h``).
* Aircraft (switch ``aircraft``, 1929). The size of the air reinforcement (40 men with
  machine guns, landing the morning after a night attack) is the input half of R29-14,
  listed as an exception in ``calibration/README.md``; whether the post holds is the
  target.

References
----------
Mearsheimer, J. J. (1989). Assessing the conventional balance: the 3:1 rule and its
critics. International Security 13(4), 54-89.
Deitchman, S. J. (1962). A Lanchester model of guerrilla warfare. Operations Research
10(6), 818-827.
Schaffer, M. B. (1968). Lanchester models of guerrilla engagements. Operations Research
16(3), 457-488.
Engel, J. H. (1954). A verification of Lanchester's law. Journal of the Operations
Research Society of America 2(2), 163-171.
"""

from __future__ import annotations

import dataclasses

from sim.params.fields import param, probability

__all__ = ["CombatParams"]


@dataclasses.dataclass(frozen=True)
class CombatParams:
    """Lethality, concealment, surprise, firepower, duration, break-off and effects of fights."""

    # --- lethality -------------------------------------------------------------------
    aimed_lethality_state: float = param(
        0.015,
        "Men disabled per hour by one state rifle firing aimed fire at exposed insurgents.",
        unit="1/h",
        ge=0.0,
        ref="Deitchman 1962 (aimed-fire term); value judgement", le=1.0, prior=(0.0075, 0.03),
    )
    aimed_lethality_insurgent: float = param(
        0.010,
        "Men disabled per hour by one insurgent rifle firing aimed fire at exposed troops.",
        unit="1/h",
        ge=0.0,
        ref="Deitchman 1962 (aimed-fire term); value judgement", le=1.0, prior=(0.005, 0.02),
    )
    area_lethality_state: float = param(
        1.5e-4,
        "Area-fire coefficient of one state rifle against a concealed band, per insurgent"
        " present, before concealment (0.015/h against 100 men in the open).",
        unit="1/(man h)",
        ge=0.0,
        ref="Deitchman 1962 (area-fire term); Schaffer 1968", le=0.01, prior=(7.5e-05, 0.0003),
    )
    area_lethality_insurgent: float = param(
        1.0e-4,
        "Area-fire coefficient of one insurgent rifle against concealed state troops, per"
        " soldier present, before concealment.",
        unit="1/(man h)",
        ge=0.0,
        ref="Schaffer 1968; value judgement", le=0.01, prior=(5e-05, 0.0002),
    )
    # --- concealment -----------------------------------------------------------------
    cover_water: float = param(0.0, "Concealment of open water.", ge=0.0, le=1.0, prior=(0.0, 0.1))
    cover_barren: float = param(0.15, "Concealment of bare rock, scree and desert.", ge=0.0, le=1.0, prior=(0.075, 0.3))
    cover_grassland: float = param(0.10, "Concealment of open steppe and pasture.", ge=0.0, le=1.0, prior=(0.05, 0.2))
    cover_shrub: float = param(0.35, "Concealment of shrub and tugai thicket.", ge=0.0, le=1.0, prior=(0.175, 0.7))
    cover_forest: float = param(0.60, "Concealment of forest.", ge=0.0, le=1.0, prior=(0.3, 1.0))
    cover_cropland: float = param(
        0.30, "Concealment of fields, orchards and irrigation ditches.", ge=0.0, le=1.0, prior=(0.15, 0.6)
    )
    cover_town: float = param(0.50, "Concealment of walled compounds and lanes.", ge=0.0, le=1.0, prior=(0.25, 1.0))
    cover_snow_ice: float = param(0.05, "Concealment of snowfields and glaciers.", ge=0.0, le=1.0, prior=(0.025, 0.1))
    cover_wetland: float = param(0.40, "Concealment of reed beds and marsh.", ge=0.0, le=1.0, prior=(0.2, 0.8))
    ruggedness_scale_m: float = param(
        250.0,
        "Ruggedness (std of elevation in the cell) at which relief hides 63 % of what it can.",
        unit="m",
        ge=1.0, le=5000.0, prior=(125.0, 500.0),
    )
    ruggedness_weight: float = param(
        0.6,
        "Largest share of area fire that broken relief wastes on its own.",
        ge=0.0,
        le=1.0, prior=(0.3, 1.0),
    )
    max_concealment: float = param(
        0.9, "Cap on combined concealment (some fire always finds its mark).", ge=0.0, le=1.0, prior=(0.45, 1.0)
    )
    conceal_threshold: float = param(
        0.3,
        "Concealment at or above which a band fights hidden (area fire against it, linear"
        " term); below it the band is exposed to aimed fire (square term).",
        ge=0.0,
        le=1.0,
        ref="Deitchman 1962; Schaffer 1968", prior=(0.15, 0.6),
    )
    state_conceal_threshold: float = param(
        0.85,
        "Concealment at or above which a column not taken by surprise also fights hidden.",
        ge=0.0,
        le=1.0, prior=(0.425, 1.0),
    )
    # --- night and surprise --------------------------------------------------------------
    raid_night_share: float = param(
        0.5,
        "Share of a raid's hours fought in darkness (raids came at night or dawn).",
        ge=0.0,
        le=1.0,
        ref="judgement (raids came at night or dawn)", prior=(0.2, 0.8),
    )
    night_factor: float = param(
        0.5, "Lethality multiplier of both sides' fire in darkness.", ge=0.0, le=1.0, prior=(0.25, 1.0)
    )
    ambush_bonus: float = param(
        4.0,
        "Multiplier on the insurgents' aimed fire in an ambush (targets bunched on a track,"
        " first volleys at close range).",
        ge=1.0, le=100.0, prior=(2.0, 8.0),
    )
    surprise_factor: float = param(
        0.5,
        "Multiplier on the return fire of an ambushed column (it fires blind at first).",
        ge=0.0,
        le=1.0, prior=(0.25, 1.0),
    )
    ambush_min_concealment: float = param(
        0.35, "Least concealment of a cell in which a band can lie in wait.", ge=0.0, le=1.0, prior=(0.175, 0.7)
    )
    heliograph_warning: float = probability(
        0.8,
        "Share of the ambush bonus and surprise removed when heliograph stations give warning.", prior=(0.4, 1.0),
    )
    # --- firepower and fortification -----------------------------------------------------
    mg_rifle_equivalent: float = param(
        15.0, "Rifles one machine gun is worth in fire.", unit="rifles", ge=0.0, le=1000.0, prior=(7.5, 30.0)
    )
    gun_rifle_equivalent: float = param(
        25.0, "Rifles one mountain gun is worth in fire.", unit="rifles", ge=0.0, le=1000.0, prior=(12.5, 50.0)
    )
    fortification: float = param(
        4.0,
        "Divisor on the attackers' fire against a garrison in its post (walls, loopholes).",
        ge=1.0, le=100.0, prior=(2.0, 8.0),
    )
    # --- aircraft (switch "aircraft") ------------------------------------------------------
    aircraft_firepower: float = param(
        1.5,
        "Multiplier on the state's fire once aircraft are over a fight at a post.",
        ge=1.0,
        ref="judgement", le=100.0, prior=(1.0, 3.0),
    )
    air_reinforcement_men: float = param(
        40.0, "Men flown in to a post under attack.", unit="men", ge=0.0, ref="R29-14", le=10000.0, prior=(20.0, 80.0)
    )
    air_reinforcement_mg: float = param(
        4.0, "Machine guns flown in with them.", unit="guns", ge=0.0, ref="R29-14", le=1000.0, prior=(2.0, 8.0)
    )
    air_delay_h: float = param(
        8.0,
        "Hours from the start of an attack on a post until the aircraft land (they land"
        " unless the post has fallen; if the band has broken off, they join the pursuit).",
        unit="h",
        ge=0.0,
        ref="R29-14", le=240.0, prior=(3.0, 16.0),
    )
    # --- duration ----------------------------------------------------------------------------
    meeting_duration_h: float = param(
        4.0, "Longest duration of a meeting engagement of about 400 men.", unit="h", ge=0.01, le=240.0, prior=(2.0, 8.0)
    )
    ambush_duration_h: float = param(
        2.0, "Longest duration of an ambush before the band slips away.", unit="h", ge=0.01, le=240.0, prior=(1.0, 4.0)
    )
    raid_duration_h: float = param(
        10.0, "Longest duration of an assault on a post.", unit="h", ge=0.01,
        ref="judgement: a night assault lasts until dawn (about 10 h of darkness at 39 N in"
        " spring)", le=240.0, prior=(4.0, 16.0)
    )
    duration_size_exponent: float = param(
        0.25,
        "Elasticity of duration with the number of men engaged (total/400).",
        ge=0.0,
        le=1.0, prior=(0.125, 0.5),
    )
    min_duration_h: float = param(0.5, "Lower bound on an engagement's duration.", unit="h", ge=0.01, le=240.0, prior=(0.25, 1.0))
    max_duration_h: float = param(
        24.0, "Upper bound on an engagement's duration.", unit="h", ge=0.01, le=240.0, prior=(12.0, 48.0)
    )
    # --- break-off and rout ------------------------------------------------------------------
    band_break_base: float = probability(
        0.05, "Share of its men a band with zero morale loses before breaking off.", prior=(0.025, 0.1)
    )
    band_break_morale: float = probability(
        0.25, "Extra share of its men a band accepts to lose per unit of morale.", prior=(0.125, 0.5)
    )
    column_break_loss: float = probability(
        0.35, "Share of its men a column loses before withdrawing.", prior=(0.175, 0.7)
    )
    garrison_break_loss: float = probability(
        0.7, "Share of its men a garrison loses before giving up its post.", prior=(0.35, 1.0)
    )
    overwhelm_ratio: float = param(
        12.0,
        "Insurgents per defender at which a garrison counts as overwhelmed and breaks like a"
        " column.",
        ge=0.01,
        ref="the 3:1 rule for attacking a prepared position (Mearsheimer 1989, International"
        " Security 13(4), 54-89) times the default fortification divisor 4", le=1000.0, prior=(6.0, 20.0),
    )
    rout_ratio: float = param(
        3.0,
        "A withdrawing side routs when the enemy's remaining effective fire exceeds this many"
        " times its own. For the state's side this applies only where it may rout at all"
        " (see `rout_outnumbered`).",
        ge=0.01, le=1000.0, prior=(1.5, 6.0),
    )
    rout_outnumbered: float = param(
        2.0,
        "State morale and rout rule: regular units (infantry, cavalry, garrisons, OGPU) that"
        " break off withdraw in order (or give up the post) and rout only when surprised (an"
        " ambush, or a raid on a post without heliograph warning), outnumbered by at least"
        " this many insurgents per man engaged, and cut off (their mean supply is at or below"
        " `rout_cut_off_days`). Local volunteer units are more brittle: outnumbered so, they"
        " rout when either surprised or cut off (a side counts as volunteer when volunteers"
        " are at least `rout_volunteer_share` of its men)."
        " Judgement.",
        ge=0.0, le=100.0,
        prior=(1.0, 4.0),
    )
    rout_volunteer_share: float = param(
        0.5,
        "A state side counts as volunteer units for the rout rule above when volunteers are at"
        " least this share of its men engaged (0.5: the majority). Judgement.",
        gt=0.0, le=1.0, prior=(0.25, 0.75),
    )
    rout_cut_off_days: float = param(
        0.0,
        "State units engaged whose strength-weighted mean supply is at or below this many days"
        " are cut off (for the rout rule above). Judgement.",
        ge=0.0, le=365.0,
        prior=(0.0, 3.0),
    )
    band_rout_mounted_share: float = probability(
        0.5,
        "Band rout rule: a band that breaks off melts away (withdraws) unless it is caught on"
        " ground that does not hide it (concealment below `conceal_threshold`), was not lying"
        " in ambush, and horsemen (cavalry or volunteer units) make up at least this share of"
        " the state's men engaged, so there is someone to ride it down; then it routs when the"
        " state's remaining fire exceeds `rout_ratio` times its own. Judgement.",
        prior=(0.25, 1.0),
    )
    rout_loss_insurgent: float = probability(
        0.1, "Share of a routed band's remaining men lost in the pursuit (bands melt away).", prior=(0.05, 0.2)
    )
    rout_loss_state: float = probability(
        0.3, "Share of a routed column's or overrun post's remaining men lost.", prior=(0.15, 0.6)
    )
    # --- casualties and capture --------------------------------------------------------------
    insurgent_killed_share: float = probability(
        0.45, "Share of insurgent fire casualties killed (the rest wounded or captured).", prior=(0.225, 0.9)
    )
    insurgent_captured_share: float = probability(
        0.1, "Share of insurgent fire casualties captured.", prior=(0.05, 0.2)
    )
    state_killed_share: float = probability(0.3, "Share of state fire casualties killed.", prior=(0.15, 0.6))
    state_captured_share: float = probability(0.02, "Share of state fire casualties captured.", prior=(0.01, 0.04))
    rout_captured_share: float = probability(
        0.5, "Share of pursuit losses captured (the rest killed).", prior=(0.25, 1.0)
    )
    field_recovery: float = probability(
        0.5, "Share of the fallen enemy's rifles recovered by the side holding the field.", prior=(0.25, 1.0)
    )
    mg_capture_withdraw: float = probability(
        0.1, "Share of its machine guns a withdrawing state unit loses per share of men lost.", prior=(0.05, 0.2)
    )
    mg_capture_rout: float = probability(
        0.6, "Share of its machine guns a routed column or overrun post loses.", prior=(0.3, 1.0)
    )
    civilian_collateral: float = param(
        0.2,
        "Civilians killed per insurgent casualty when a hidden band fights in a village cell.",
        ge=0.0, le=10.0, prior=(0.1, 0.4),
    )
    # --- morale and memory ---------------------------------------------------------------------
    morale_win: float = probability(0.1, "Morale gained by the side that holds the field.", prior=(0.05, 0.2))
    morale_loss_per_share: float = param(
        0.5, "Morale lost per share of the unit's men lost in the fight.", ge=0.0, le=100.0, prior=(0.25, 1.0)
    )
    morale_rout: float = probability(0.2, "Further morale lost by a routed side.", prior=(0.1, 0.4))
    draw_success: float = probability(
        0.5,
        "Success (in won fights) credited to a band for a fight that ends undecided at"
        " nightfall in which the state lost more men than the band (a won fight counts 1; see"
        " movement.report_success). Judgement.",
        prior=(0.25, 1.0),
    )
    # --- evasion -----------------------------------------------------------------------------
    evasion: float = probability(
        0.8,
        "Chance per unit of concealment that a band caught by a column without seeking battle"
        " (not lying in wait, not raiding) slips away before a fight (bands 'melt away when"
        " pressed', BRIEF); scaled by the band's intelligence multiplier. Stochastic mode only.",
        ref="BRIEF (actors); judgement", prior=(0.4, 1.0),
    )
    # --- reach -------------------------------------------------------------------------------
    reach_cells: int = param(
        1,
        "Chebyshev distance in cells within which raids, ambushes and pursuits make contact.",
        unit="cells",
        ge=0,
        le=3, prior=(0, 2),
    )
    # --- moved from the kernels (defaults unchanged) ---------------------------------------
    duration_size_norm: float = param(
        400.0,
        "Men engaged (both sides) at which a fight lasts its base duration; the duration"
        " scales with (men / duration_size_norm) ** duration_size_exponent.",
        unit="men",
        ge=1.0,
        le=100_000.0,
        ref="judgement", prior=(200.0, 800.0),
    )
