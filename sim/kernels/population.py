"""The population phase: one entry point that runs every population rule for a day.

:func:`population_day` runs, in order: leaders' positions; village dynamics (support,
grievance, fear, spread, flight, side switching); repression; intelligence (the
bands' concealment multipliers); leaders' fates (combat, betrayal, exit and return);
amnesty take-up and its aftermath (destitution, arrest, relapse); recruitment in
reach and in the sanctuary; defection both ways (bands and clans, levies, state
desertion, rival clashes); fragmentation of leaderless bands; internment on a hostile
Afghan side; and the fading of bands' memories of losses and success.

People are conserved: every person is in a band row, a column row, a village, among
the returnees of :class:`~sim.state.VillageMemory`, or in a stock of the
:class:`~sim.state.Ledger`; :func:`people_total` adds them up and must stay equal to
the initial total plus ``ledger.entered``. Losses made by other phases (desertion in
supply, casualties in combat) enter the ledger through :func:`ledger_from_events`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from sim.events import Events, events
from sim.kernels.amnesty import aftermath, take_up
from sim.kernels.defection import band_switch, levy, rival_clash, state_desertion
from sim.kernels.leaders import leader_distance, leader_fate, leaderless_day, leading
from sim.kernels.ledger import ledger_from_events, people_total
from sim.kernels.population_context import PopulationContext
from sim.kernels.recruitment import intelligence, recruit, sanctuary_recruit
from sim.kernels.repression import RepressionPolicies, band_reprisals, repression_day
from sim.kernels.rowwise import clip, clip_array
from sim.kernels.villages import (
    VillagePolicies,
    momentum,
    village_day,
)
from sim.kernels.windows import minus_ones, reach_max, units_at, window_max
from sim.params.population import PopulationParams
from sim.state import (
    NEUTRAL_SUPPORT,
    Bands,
    ColumnKind,
    Columns,
    LeaderStatus,
    Order,
    VillageMemory,
    Villages,
    WorldState,
    replace,
)

__all__ = [
    "PopulationContext",
    "PopulationToday",
    "add_volunteer_rows",
    "initial_memory",
    "ledger_from_events",
    "people_total",
    "population_day",
    "sanctuary_share",
    "window_max",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]



def sanctuary_share(status: str, *, tolerated: float) -> float:
    """Share of the open sanctuary's help bands get under the Afghan side's ``status``.

    1 when ``"open"``, ``tolerated`` (``PopulationParams.tolerated_sanctuary_share``) when
    ``"tolerated"``, 0 when ``"closed"`` or ``"hostile"``.
    """
    return {"open": 1.0, "tolerated": tolerated}.get(status, 0.0)


@dataclasses.dataclass(frozen=True)
class PopulationToday:
    """What the day brings to the population rules (policies and other phases' results).

    Attributes
    ----------
    amnesty : float or ndarray of float64, shape (n_bands,)
        Credibility of the amnesty window in force where each band stands (0 when none).
    village : VillagePolicies
    repression : RepressionPolicies
    sanctuary : str
        Status of the Afghan side.
    scouts : bool
        Whether the state uses local scouts.
    losing : float
        In [0, 1]: how badly the state is doing (share of towns held by insurgents).
    killed, wounded, captured : ndarray of float64, shape (n_bands,), optional
        Each band's combat losses today (zeros when omitted).
    collateral : ndarray of float64, shape (n_villages,), optional
        Civilians killed in fighting in each village today.
    fight_cells : ndarray of int64, shape (n_fights,), optional
        Cells of today's engagements (villages in reach grow weary of war).
    state_losses : float
        State soldiers killed, wounded and captured today (for the momentum).
    state_taken : ndarray of float64, shape (n_villages,), optional
        Share of each village's food the state's columns requisitioned today (raises
        grievance by ``requisition_grievance`` times it; zeros when omitted).
    """

    amnesty: F64 | float = 0.0
    village: VillagePolicies = dataclasses.field(default_factory=VillagePolicies)
    repression: RepressionPolicies = dataclasses.field(default_factory=RepressionPolicies)
    sanctuary: str = "tolerated"
    scouts: bool = False
    losing: float = 0.0
    killed: F64 | None = None
    wounded: F64 | None = None
    captured: F64 | None = None
    collateral: F64 | None = None
    fight_cells: I64 | None = None
    state_losses: float = 0.0
    state_taken: F64 | None = None


def add_volunteer_rows(columns: Columns, bands: Bands) -> tuple[Columns, I64]:
    """Append one inactive volunteer row per band, for the detachment it may become.

    Parameters
    ----------
    columns : Columns
        Shape (n_columns,).
    bands : Bands
        Shape (n_bands,).

    Returns
    -------
    columns : Columns
        Shape (n_columns + n_bands,).
    volunteer_row : ndarray of int64, shape (n_bands,)
    """
    nb, nc = len(bands), len(columns)
    spare = Columns.empty(nb)
    spare.kind[:] = ColumnKind.VOLUNTEER
    spare.order[:] = Order.PURSUE
    spare.target[:] = -1
    spare.cell[:] = bands.home
    spare.home[:] = bands.home
    merged = Columns(**{f.name: np.concatenate([getattr(columns, f.name), getattr(spare, f.name)])
                        for f in dataclasses.fields(Columns)})
    return merged, np.arange(nc, nc + nb, dtype=np.int64)


def initial_memory(villages: Villages, params: PopulationParams) -> VillageMemory:
    """Village memory at the start: sides from the initial support, no returnees."""
    m = VillageMemory.empty(len(villages))
    m.side[:] = np.where(villages.support > params.side_high, 1,
                         np.where(villages.support < params.side_low, -1, 0))
    return m


def cut_off(villages: Villages, reach: I64, *, sanctuary_open: bool) -> F64:
    """1 for bands with no village leaning to them in reach and no open sanctuary, else 0.

    Parameters
    ----------
    villages : Villages
    reach : ndarray of int64, shape (n_bands, k)
        Villages in reach of each band, -1 for none.
    sanctuary_open : bool

    Returns
    -------
    ndarray of float64, shape (n_bands,)
    """
    nb = reach.shape[0]
    if sanctuary_open:
        return np.zeros(nb)
    ok = reach >= 0
    if len(villages) == 0:
        return np.ones(nb)
    friendly = ok & (villages.support[np.where(ok, reach, 0)] > NEUTRAL_SUPPORT)
    out: F64 = np.where(friendly.any(axis=1), 0.0, 1.0)
    return out


#: The village policies that act where the state's administration reaches (food-for-cotton
#: acts on the fields it was planted in, wherever they are).
_ADMINISTERED = tuple(f.name for f in dataclasses.fields(VillagePolicies)
                      if f.name != "food_for_cotton")


def _fighting_rows(bands: Bands) -> list[int]:
    """Rows of the active bands with fighters."""
    return [i for i, (on, men) in enumerate(zip(bands.active.tolist(), bands.fighters.tolist(),
                                                strict=True)) if on and men > 0]


def _positive(value: F64 | float) -> bool:
    """Whether ``value`` (a number or an array) is above 0 anywhere."""
    if isinstance(value, (float, int)):
        return value > 0
    return bool(np.any(np.asarray(value) > 0))


def _zero(value: F64 | float) -> bool:
    """A scalar 0: a policy not in force anywhere (its product with the reach is 0 too)."""
    return isinstance(value, (float, int)) and value == 0


def population_day(
    state: WorldState,
    *,
    context: PopulationContext,
    today: PopulationToday,
    params: PopulationParams,
    rng: np.random.Generator,
) -> tuple[WorldState, list[Events]]:
    """Run every population rule for one day.

    Parameters
    ----------
    state : WorldState
        Today's state after combat (not modified).
    context : PopulationContext
    today : PopulationToday
    params : PopulationParams
    rng : numpy.random.Generator
        The population phase's stream.

    Returns
    -------
    state : WorldState
        A new state with new bands, columns, villages, leaders, memory, ledger,
        ``band_concealment`` and ``amnesty_trust``.
    events : list of Events
    """
    p, ctx = params, context
    # The kernels return new tables and never modify their inputs: only the ledger is
    # updated in place here (a copy).
    b, c, v = state.bands, state.columns, state.villages
    mem, led, leaders = state.memory, state.ledger.copy(), state.leaders
    out: list[Events] = []
    nb, nv = len(b), len(v)
    n_cells = ctx.shape[0] * ctx.shape[1]
    zeros_b = np.zeros(nb)
    killed = today.killed if today.killed is not None else zeros_b
    wounded = today.wounded if today.wounded is not None else zeros_b
    captured = today.captured if today.captured is not None else zeros_b
    collateral = today.collateral if today.collateral is not None else np.zeros(nv)

    def band_lookup(bands: Bands) -> I64:
        look = minus_ones(n_cells).copy()
        ok = (bands.active & (bands.fighters > 0)).nonzero()[0]
        look[bands.cell[ok]] = ok
        return look

    # Who is in reach of which village: while every village has a cell of its own (the
    # context's), from the units' few cells; else by a window over the grid. Same answers.
    voc, radius = ctx.village_of_cell, p.reach_cells
    by_cell = ctx.by_cell(v.cell)
    reach = ctx.villages_near(b.cell, radius)  # villages near each band
    reach_cells = b.cell

    def bands_near(bands: Bands) -> I64:
        """Highest row of an active band within reach of each village, -1 if none."""
        if by_cell and bands.cell is reach_cells:
            return reach_max(reach, (bands.active & (bands.fighters > 0)).nonzero()[0], nv)
        return window_max(band_lookup(bands), v.cell, shape=ctx.shape, radius=radius)

    def units_in(cells: I64) -> Bool:
        """Villages in whose cell one of ``cells`` lies."""
        if by_cell:
            return units_at(voc, cells, nv)
        look = np.zeros(n_cells, dtype=bool)
        look[cells] = True
        return look[v.cell]

    # ------------------------------------------------------------------ villages
    c_act = c.active & (c.strength > 0)
    state_taken = today.state_taken if today.state_taken is not None else np.zeros(nv)
    mom = momentum(state.momentum, insurgent_losses=float(killed.sum() + wounded.sum()
                                                          + captured.sum()),
                   state_losses=today.state_losses, losing=today.losing, params=p)
    fighting: Bool | None = None
    if today.fight_cells is not None and today.fight_cells.size and nv:
        fought = minus_ones(n_cells).copy()
        fought[today.fight_cells] = 0
        fighting = window_max(fought, v.cell, shape=ctx.shape, radius=p.reach_cells) >= 0
    policies = today.village
    if ctx.town_hours is not None and nv:
        # The state's policies act where its administration reaches.
        policies = replace(policies, **{
            name: ctx.administered(name, value, p.policy_reach_hours)
            for name in _ADMINISTERED if not _zero(value := getattr(policies, name))})
    border_days = (None if ctx.border_hours is None
                   else ctx.border_days(p.flight_day_hours))
    v, mem, fled, ev = village_day(
        v, mem, nbrs=ctx.village_nbrs if ctx.neighbour_table is None else ctx.neighbour_table,
        band_present=units_in(b.cell[b.active & (b.fighters > 0)]),
        state_present=units_in(c.cell[c_act]), state_taken=state_taken, collateral=collateral,
        policies=policies, params=p, rng=rng, fighting=fighting, momentum=mom,
        border_days=border_days, town=ctx.town,
    )
    led.refugees += fled
    out += ev

    # ------------------------------------------------------------------ repression
    if today.repression.any():
        roam = c_act & ((c.order == Order.PATROL) | (c.order == Order.PURSUE))
        if by_cell:  # the villages in reach of any column marked
            near = np.zeros(nv, dtype=bool)
            at = ctx.villages_near(c.cell[c_act], radius)
            near[at[at >= 0]] = True
        else:
            col_look = minus_ones(n_cells).copy()
            col_look[c.cell[c_act]] = np.flatnonzero(c_act)
            near = window_max(col_look, v.cell, shape=ctx.shape, radius=radius) >= 0
        rep = repression_day(v, state_near=near, raiders=units_in(c.cell[roam]),
                             policies=today.repression, params=p, rng=rng)
        v = rep.villages
        led.executed += rep.executed
        led.imprisoned += rep.imprisoned
        led.civilians_killed += rep.killed
        led.refugees += rep.refugees
        out += rep.events

    # ------------------------------------------------------------------ intelligence
    conc, informing, _ = intelligence(v, reach=reach, scouts=today.scouts, params=p)
    afghan_band = ctx.afghan[b.cell] if nb else np.zeros(0, dtype=bool)
    conc = np.where(afghan_band, 1.0, conc)
    rows = (b.active & (informing > 0) & ~afghan_band).nonzero()[0]
    if rows.size:
        out.append(events("informed_on", "insurgent", unit=rows, cell=b.cell[rows], n=informing[rows]))

    # ------------------------------------------------------------------ reprisals of the bands
    near_band: I64 | None = None
    near_rows = (b.active & (b.fighters > 0)).nonzero()[0]
    if nv and nb:
        near_band = bands_near(b)
        v, punished, ev = band_reprisals(v, band_near=near_band, params=p, rng=rng)
        led.civilians_killed += punished
        out += ev

    # ------------------------------------------------------------------ leaders
    leader_band, _ = leading(b, leaders)
    fate = leader_fate(
        b, leaders, leader_band=leader_band, killed=killed, wounded=wounded, captured=captured,
        informing=informing, afghan_band=afghan_band, hostile=today.sanctuary == "hostile",
        nearest_afghan=ctx.nearest_afghan, origin_home=ctx.origin_home, params=p, rng=rng,
    )
    b, leaders = fate.bands, fate.leaders
    led.insurgents_captured += fate.betrayed
    out += fate.events
    leader_band, led_by = leading(b, leaders)
    leaderless = led_by < 0
    # Whether each band's leader rides with it, and his authority (row by row: few bands).
    lb_rows, led_rows = leader_band.tolist(), led_by.tolist()
    rides = [False] * nb
    for r in lb_rows:
        if r >= 0 and led_rows[r] >= 0:
            rides[r] = True
    leader_here = np.array(rides, dtype=bool)
    auth = leaders.authority.tolist()
    authority = np.array([auth[x] if x >= 0 else 0.0 for x in led_rows], dtype=np.float64)

    # ------------------------------------------------------------------ amnesty
    if _positive(today.amnesty):
        # the distance of each band from a leader leading one band (amnesty only)
        leads_one = [False] * len(leaders)
        for x in led_rows:
            if x >= 0:
                leads_one[x] = True
        far = leader_distance(b, np.array([r if one else -1 for r, one in zip(
            lb_rows, leads_one, strict=True)], dtype=np.int64),
                              ncols=ctx.shape[1], scale=p.leader_distance_cells)
        res = take_up(
            b, mem, credibility=today.amnesty, trust=state.amnesty_trust, leader_far=far,
            leaderless=leaderless, leader_here=leader_here, authority=authority,
            home_village=ctx.home_village, params=p, rng=rng,
            cut_off=cut_off(v, reach, sanctuary_open=today.sanctuary in ("open", "tolerated")),
        )
        b, mem = res.bands, res.memory
        led.amnestied += int(res.surrendered.sum()) - res.unplaced
        led.insurgents_deserted += res.unplaced
        gone = np.flatnonzero(res.leader_surrendered)
        leaders.status[b.leader[gone]] = LeaderStatus.SURRENDERED
        out += res.events
    same = (near_band is not None and b.cell is reach_cells
            and _fighting_rows(b) == near_rows.tolist())
    in_reach = near_band if same and near_band is not None else bands_near(b)
    ex, trials = today.repression.executions, today.repression.show_trials
    repressing = (ex + trials > 0 if isinstance(ex, (float, int)) and isinstance(trials, (float, int))
                  else bool(np.any(np.asarray(ex) + trials > 0)))
    fair = today.village.fair_amnesty
    b, mem, trust, arrested, ev = aftermath(
        b, mem, v, trust=state.amnesty_trust, band_in_reach=in_reach, repression=repressing,
        params=p, rng=rng,
        credibility=(float(today.amnesty) if isinstance(today.amnesty, (float, int)) else
                     float(np.max(today.amnesty)) if np.size(today.amnesty) else 0.0),
        fairness=(clip(p.fair_amnesty_effect * fair, 0.0, 1.0) if isinstance(fair, (float, int))
                  else
                  clip_array(p.fair_amnesty_effect * np.asarray(fair), 0.0, 1.0)),
    )
    led.imprisoned += arrested
    led.relapsed += int(sum(float(e.n.sum()) for e in ev if e.kind == "relapse"))
    out += ev

    # ------------------------------------------------------------------ recruitment
    before = int(b.fighters.sum())
    b, v, ev = recruit(b, v, reach=reach, eligible=b.active & ~afghan_band, params=p, rng=rng)
    out += ev
    share = sanctuary_share(today.sanctuary, tolerated=p.tolerated_sanctuary_share)
    b, led.refugees, ev = sanctuary_recruit(b, led.refugees, in_sanctuary=b.active & afghan_band,
                                            share=share, params=p, rng=rng)
    out += ev
    led.recruited += int(b.fighters.sum()) - before

    # ------------------------------------------------------------------ defection
    side = mem.side
    home_side = np.array([int(side[h]) if h >= 0 and nv else 0
                          for h in ctx.home_village.tolist()], dtype=np.int64)
    b, c, switched, ev = band_switch(b, c, home_side=home_side, authority=authority,
                                     leader_here=leader_here, volunteer_row=ctx.volunteer_row,
                                     params=p, rng=rng)
    led.defected_to_state += switched
    out += ev
    c, v, levied, ev = levy(c, v, home_village=ctx.home_village, home_side=home_side,
                            band_home=ctx.origin_home, volunteer_row=ctx.volunteer_row,
                            params=p, rng=rng)
    led.levied += levied
    out += ev
    # (no one deserts while the state is not losing: no lookup is needed then)
    look = band_lookup(b) if today.losing != 0.0 else np.full(0, -1, dtype=np.int64)
    c, b, deserted, joined, ev = state_desertion(c, b, losing=today.losing,
                                                 band_of_cell=look, params=p, rng=rng)
    led.state_deserted += deserted
    led.defected_to_insurgents += joined
    out += ev
    b, clash_killed, ev = rival_clash(b, rivals=ctx.rivals, leading=led_by, params=p, rng=rng)
    led.insurgents_killed += clash_killed
    out += ev

    # ------------------------------------------------------------------ leaderless bands
    b, gone_home, ev = leaderless_day(b, leaderless=leaderless, params=p, rng=rng)
    led.insurgents_deserted += gone_home
    out += ev

    # ------------------------------------------------------------------ hostile sanctuary
    if today.sanctuary == "hostile":
        here = b.active & afghan_band
        k = rng.binomial(np.where(here, b.fighters, 0), p.internment_rate).astype(np.int64)
        b = replace(b, fighters=b.fighters - k)
        led.insurgents_interned += int(k.sum())
        rows = np.flatnonzero(k > 0)
        if rows.size:
            out.append(events("internment", "insurgent", unit=rows, cell=b.cell[rows], n=k[rows]))

    # ------------------------------------------------------------------ memory fades
    b = replace(b, recent_losses=b.recent_losses * (1.0 - p.memory_decay),
                            recent_success=b.recent_success * (1.0 - p.memory_decay),
                            active=b.active & (b.fighters > 0))

    new_state = replace(
        state, bands=b, columns=c, villages=v, leaders=leaders, memory=mem, ledger=led,
        band_concealment=conc, amnesty_trust=trust, momentum=mom,
    )
    return new_state, out
