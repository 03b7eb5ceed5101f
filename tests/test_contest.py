"""The contest for the villages: both sides win and lose support; policies by region.

Scripted traces for each lever and cost, the equilibrium of a quiet theatre
(Hypothesis over parameters within their bounds), and regional policy windows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from population_world import make_bands, make_villages, make_world

from sim.geography import Country, load_theatre
from sim.kernels.amnesty import aftermath
from sim.kernels.population import PopulationToday, population_day
from sim.kernels.repression import band_reprisals
from sim.kernels.villages import VillagePolicies, momentum, village_day
from sim.params.population import PopulationParams
from sim.regions import cells_near, entry_area
from sim.scenario import ScenarioError, load_scenario, parse_scenario
from sim.state import Columns, VillageMemory
from sim.timeline import compile_timeline

P = PopulationParams()


def _days(v, policies, days, *, params=P, nbrs=None, momentum_value=0.0, fighting=None, seed=0,
          town=None):
    """Run ``days`` of village dynamics with nobody present."""
    n = len(v)
    mem = VillageMemory.empty(n)
    off = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(seed)
    nb = np.full((n, 8), -1) if nbrs is None else nbrs
    for _ in range(days):
        v, mem, _, _ = village_day(
            v, mem, nbrs=nb, band_present=off, state_present=off, state_taken=np.zeros(n),
            collateral=np.zeros(n), policies=policies, params=params, rng=rng,
            fighting=fighting, momentum=momentum_value, town=town,
        )
    return v


# ---------------------------------------------------------------- the state's levers and measures


@pytest.mark.parametrize("lever", ["relief", "land_reform", "concessions", "local_cadres"])
def test_each_lever_lowers_grievance_and_support(lever):
    v0 = make_villages([0, 1], 500, support=0.7, grievance=0.7)
    quiet = _days(v0.copy(), VillagePolicies(), 60)
    levered = _days(v0.copy(), VillagePolicies(**{lever: 1.0}), 60)
    assert (levered.grievance < quiet.grievance - 0.01).all()
    assert (levered.support < quiet.support).all()


def test_measures_raise_grievance_and_support_stays_interior():
    v0 = make_villages([0, 1], 500, support=0.5, grievance=0.3)
    for measure in ("requisition", "collectivisation", "anti_religious"):
        v = _days(v0.copy(), VillagePolicies(**{measure: 1.0}), 365)
        assert (v.grievance > 0.5).all(), measure
        assert (v.support > 0.6).all(), measure
        # Relaxation holds support off the bound even under a year of pressure.
        assert (v.support < 0.95).all(), measure


def test_concessions_cancel_anti_religious_measures():
    v0 = make_villages([0], 500, support=0.5, grievance=0.3)
    hard = _days(v0.copy(), VillagePolicies(anti_religious=1.0), 120)
    eased = _days(v0.copy(), VillagePolicies(anti_religious=1.0, concessions=1.0), 120)
    assert eased.grievance[0] < P.grievance_neutral < hard.grievance[0]


def test_grievance_fades_when_its_causes_stop():
    v0 = make_villages([0], 500, support=0.5, grievance=0.3)
    hot = _days(v0.copy(), VillagePolicies(collectivisation=1.0), 180)
    g_peak = float(hot.grievance[0])
    cooled = _days(hot, VillagePolicies(), 720)
    assert g_peak > 0.6
    assert abs(cooled.grievance[0] - P.grievance_neutral) < 0.25 * (g_peak - P.grievance_neutral)
    assert abs(cooled.support[0] - P.support_rest) < 0.1


def test_towns_rest_on_the_state_side_and_are_not_collectivised():
    v0 = make_villages([0, 1], 5000, support=0.5, grievance=P.grievance_neutral)
    town = np.array([True, False])
    quiet = _days(v0.copy(), VillagePolicies(), 720, town=town)
    assert quiet.support[0] < 0.4 < quiet.support[1] < 0.6
    drive = _days(v0.copy(), VillagePolicies(collectivisation=1.0), 180, town=town)
    assert drive.grievance[0] == pytest.approx(P.grievance_neutral)
    assert drive.grievance[1] > 0.6


def test_fair_amnesty_cuts_destitution_and_arrest():
    v = make_villages(np.arange(10), 1000, support=0.2)
    mem = VillageMemory.empty(10)
    mem.surrendered[:] = 1000
    b = make_bands([99], 10)
    kw = {"trust": 1.0, "band_in_reach": np.full(10, -1), "repression": True, "params": P}
    _, m_unfair, _, arrested_unfair, _ = aftermath(b, mem, v, rng=np.random.default_rng(1), **kw)
    _, m_fair, _, arrested_fair, _ = aftermath(b, mem, v, rng=np.random.default_rng(1),
                                               fairness=1.0, **kw)
    assert m_unfair.destitute.sum() > 0 and arrested_unfair > 0
    assert m_fair.destitute.sum() == 0 and arrested_fair == 0


# ---------------------------------------------------------------- the insurgents' costs


def test_extortion_turns_village_against_the_band_that_extorts():
    # A hungry band sits for a month in a supporting village whose food is short (under
    # food-for-cotton there is no crop to raid): it takes the food, the village turns to
    # the state and informs on that band, not on another band far away.
    from sim.kernels.supply import supply_day
    from sim.params.supply import SupplyParams

    v = make_villages([55], 300, support=0.6, food_days=100.0)
    b = make_bands([55, 5], [400, 50], food=np.array([0.0, 1e6]))
    state, ctx = make_world(b, Columns.empty(0), v)
    rng = np.random.default_rng(0)
    informs: list[float] = []
    for _ in range(40):
        b2, c2, v2, _ = supply_day(
            state.bands, state.columns, state.villages, village_of_cell=ctx.village_of_cell,
            band_sanctuary_share=np.zeros(2), depot_hours=np.full(100, np.inf),
            harvest_today=False, food_for_cotton=False, params=SupplyParams(), rng=rng)
        state = dataclasses.replace(state, bands=b2, columns=c2, villages=v2)
        state, _ = population_day(state, context=ctx, today=PopulationToday(), params=P, rng=rng)
        informs.append(float(state.band_concealment[0]))
    assert state.villages.support[0] < P.inform_threshold
    assert informs[-1] < 1.0  # the extorting band is informed on ...
    assert state.band_concealment[1] == 1.0  # ... the band far away is not


def test_band_reprisals_punish_informers_and_cost_the_bands_support():
    v = make_villages(np.arange(200), 1000, support=0.2, fear=0.0)
    v.support[100:] = 0.8  # these do not inform
    near = np.zeros(200, dtype=np.int64)
    p = dataclasses.replace(P, reprisal_rate=1.0)
    v2, killed, ev = band_reprisals(v, band_near=near, params=p, rng=np.random.default_rng(0))
    assert killed == int(v.population.sum() - v2.population.sum()) > 0
    assert (v2.support[:100] < 0.2).all() and (v2.fear[:100] > 0).all()
    np.testing.assert_array_equal(v2.support[100:], v.support[100:])
    assert ev[0].kind == "band_reprisal" and set(ev[0].extra["village"]) == set(range(100))
    none, k0, _ = band_reprisals(v, band_near=np.full(200, -1), params=p,
                                 rng=np.random.default_rng(0))
    assert k0 == 0 and none is v


def test_war_weariness_pulls_support_toward_peace():
    v0 = make_villages([0, 1], 500, support=0.75, grievance=P.grievance_neutral)
    quiet = _days(v0.copy(), VillagePolicies(), 90)
    fought = _days(v0.copy(), VillagePolicies(), 90, fighting=np.ones(2, dtype=bool))
    assert (fought.weariness > 0.5).all() and (quiet.weariness == 0).all()
    assert (fought.support < quiet.support - 0.02).all()


def test_momentum_pulls_both_ways():
    v0 = make_villages([0], 500, support=0.5, grievance=P.grievance_neutral)
    up = _days(v0.copy(), VillagePolicies(), 60, momentum_value=1.0)
    down = _days(v0.copy(), VillagePolicies(), 60, momentum_value=-1.0)
    assert down.support[0] < 0.5 - 0.02 < 0.5 + 0.02 < up.support[0]


def test_momentum_follows_the_balance_of_losses():
    m = 0.0
    for _ in range(60):
        m = momentum(m, insurgent_losses=0.0, state_losses=100.0, losing=0.0, params=P)
    assert 0.5 < m <= 1.0
    for _ in range(120):
        m = momentum(m, insurgent_losses=100.0, state_losses=0.0, losing=0.0, params=P)
    assert -1.0 <= m < -0.5
    assert momentum(0.0, insurgent_losses=0.0, state_losses=0.0, losing=0.0, params=P) == 0.0


# ---------------------------------------------------------------- equilibrium


_RATES = {
    "support_relax": (0.004, 0.02),
    "grievance_decay": (0.004, 0.02),
    "grievance_to_support": (0.0, 0.05),
    "fear_decay": (0.005, 0.05),
    "weariness_decay": (0.005, 0.05),
    "spread": (0.0, 0.5),
    "support_rest": (0.42, 0.58),
    "grievance_neutral": (0.1, 0.5),
}


@settings(max_examples=8, deadline=None)
@given(
    values=st.fixed_dictionaries({k: st.floats(lo, hi) for k, (lo, hi) in _RATES.items()}),
    seed=st.integers(0, 2**16),
)
def test_quiet_theatre_relaxes_to_a_neutral_equilibrium(values, seed):
    # No policy, no fighting, nobody present: from any start, grievance relaxes to its
    # neutral level, support to its rest (neutral) and fear and weariness to zero.
    p = dataclasses.replace(P, **values)
    rng = np.random.default_rng(seed)
    cells = np.array([r * 10 + c for r in range(4) for c in range(4)])
    v = make_villages(cells, rng.integers(50, 2000, cells.size), food_days=1e4)
    v.support[:] = rng.random(cells.size)
    v.grievance[:] = rng.random(cells.size)
    v.fear[:] = rng.random(cells.size) * 0.4  # below flight_fear: nobody flees
    v.weariness[:] = rng.random(cells.size)
    _, ctx = make_world(make_bands([99], 0), Columns.empty(0), v)
    out = _days(v, VillagePolicies(), 1500, params=p, nbrs=ctx.village_nbrs)
    np.testing.assert_allclose(out.grievance, p.grievance_neutral, atol=0.02)
    np.testing.assert_allclose(out.support, p.support_rest, atol=0.03)
    assert (out.fear < 0.01).all() and (out.weariness < 0.01).all()
    # A neutral majority: every village neutral in the recorder's terms.
    assert ((out.support > 0.4) & (out.support < 0.6)).all()
    assert int(out.population.sum()) == int(v.population.sum())


# ---------------------------------------------------------------- regions


def _schedule(text: str):
    base = """
name = "regional"
start = 1925-01-01
end = 1925-03-01
[map]
kind = "theatre"
"""
    s = parse_scenario(tomllib.loads(base + text))
    t = load_theatre()
    return s, t, compile_timeline(s, t)


def test_relief_window_lowers_grievance_in_its_region_and_only_there():
    s, t, sched = _schedule("""
[[timeline]]
kind = "policy"
policy = "relief"
date = 1925-01-01
end = 1925-03-01
places = ["Garm"]
radius_km = 40
""")
    lc = t.land_cover.reshape(-1)
    cells = np.flatnonzero((lc == 5) | (lc == 2)).astype(np.int64)  # cropland and pasture
    inside = cells_near(t, ["Garm"], 40.0)[cells]
    assert inside.sum() > 5 and (~inside).sum() > 100
    v0 = make_villages(cells, 500, support=0.6, grievance=0.6)
    relief, _ = sched.policy_cells("relief", 10, cells)
    with_relief = _days(v0.copy(), VillagePolicies(relief=relief), 60)
    without = _days(v0.copy(), VillagePolicies(), 60)
    assert (with_relief.grievance[inside] < without.grievance[inside] - 0.05).all()
    np.testing.assert_array_equal(with_relief.grievance[~inside], without.grievance[~inside])
    np.testing.assert_array_equal(with_relief.support[~inside], without.support[~inside])


def test_soviet_policies_never_act_on_afghan_villages_unless_told():
    s, t, sched = _schedule("""
[[timeline]]
kind = "policy"
policy = "collectivisation"
date = 1925-01-01

[[timeline]]
kind = "policy"
policy = "relief"
date = 1925-01-01
country = "any"
""")
    country = t.country.reshape(-1)
    cells = np.arange(country.size, dtype=np.int64)
    coll, _ = sched.policy_cells("collectivisation", 5, cells)
    rel, _ = sched.policy_cells("relief", 5, cells)
    assert (coll[country == Country.AFGHANISTAN] == 0).all()
    assert (coll[country == Country.SOVIET] == 1).all()
    assert (rel == 1).all()


def test_regions_list_of_places_country_and_named_region():
    s, t, sched = _schedule("""
[[regions]]
name = "valleys"
places = ["Garm", "Kulob"]
radius_km = 25

[[timeline]]
kind = "policy"
policy = "local_cadres"
date = 1925-01-01
region = "valleys"

[[timeline]]
kind = "sanctuary"
status = "hostile"
date = 1925-02-01
places = ["Imam Sahib"]
radius_km = 30
""")
    cells = np.arange(t.country.size, dtype=np.int64)
    cad, _ = sched.policy_cells("local_cadres", 0, cells)
    near = cells_near(t, ["Garm"], 25.0) | cells_near(t, ["Kulob"], 25.0)
    np.testing.assert_array_equal(cad > 0, near & (t.country.reshape(-1) == Country.SOVIET))
    assert sched.sanctuary_status(0) is None or (sched.sanctuary_status(0) == 1).all()
    status = sched.sanctuary_status(40)
    imam = cells_near(t, ["Imam Sahib"], 30.0) & (t.country.reshape(-1) == Country.AFGHANISTAN)
    assert status is not None and (status[imam] == 3).all() and (status[~imam] == 1).all()
    assert sched.sanctuary[40] == "tolerated"  # the rest of the Afghan side is unchanged
    area = entry_area(t, s.timeline[0], s.regions, default_country="soviet")
    np.testing.assert_array_equal(area, cad > 0)


def test_bad_region_fields_are_named():
    with pytest.raises(ScenarioError) as err:
        _schedule("""
[[timeline]]
kind = "policy"
policy = "relief"
date = 1925-01-01
region = "nowhere"
places = ["Atlantis"]
country = "france"
""")
    text = str(err.value)
    assert "timeline[0].country = 'france'" in text and "'soviet'" in text
    with pytest.raises(ScenarioError) as err:
        _schedule("""
[[timeline]]
kind = "policy"
policy = "relief"
date = 1925-01-01
region = "nowhere"
places = ["Atlantis"]
""")
    text = str(err.value)
    assert "timeline[0].region = 'nowhere'" in text
    assert "timeline[0].places[0] = 'Atlantis'" in text


def _surrender_cells(name: str) -> tuple[np.ndarray, object, object]:
    from sim.model import BasmachiModel

    s = load_scenario(name)
    # The first two months of the window are enough (and keep the test short).
    s = dataclasses.replace(s, start=dt.date(1925, 3, 10), end=dt.date(1925, 5, 15))
    m = BasmachiModel(s, seed=3, agents=False)
    m.run()
    cells = np.concatenate([b.cell for _, b in m.recorder.batches if b.kind == "surrender"]
                           or [np.zeros(0, np.int64)])
    return cells, m, s


def test_regional_amnesty_draws_surrenders_only_inside_its_region():
    from sim.regions import region_area

    cells, m, s = _surrender_cells("attrition_1925_amnesty_lokai_only")
    t = m.world.theatre  # type: ignore[attr-defined]
    region = next(r for r in s.regions if r.name == "lokai")  # type: ignore[attr-defined]
    inside = region_area(t, region) & (t.country.reshape(-1) == Country.SOVIET)
    assert cells.size > 0, "the regional amnesty drew no one: the test would prove nothing"
    assert inside[cells].all()
    # The same amnesty for the whole Soviet side draws men outside the region too.
    everywhere, _, _ = _surrender_cells("attrition_1925")
    assert (~inside[everywhere]).any()


# ---------------------------------------------------------------- flight and the record


def test_refugees_go_only_as_far_as_their_food_takes_them():
    # A famine (less than a day of food) and full fear in two villages: one a day from the
    # border, one twenty days away. Only the near one empties at the full flight rate.
    v = make_villages([0, 1], 100_000, support=0.5, fear=1.0, food_days=0.5)
    mem = VillageMemory.empty(2)
    off = np.zeros(2, dtype=bool)
    fled_near = fled_far = 0
    rng = np.random.default_rng(5)
    for _ in range(20):
        v2, _, _, _ = village_day(
            v, mem, nbrs=np.full((2, 8), -1), band_present=off, state_present=off,
            state_taken=np.zeros(2), collateral=np.zeros(2), policies=VillagePolicies(),
            params=P, rng=rng, border_days=np.array([1.0, 20.0]))
        fled_near += int(v.population[0] - v2.population[0])
        fled_far += int(v.population[1] - v2.population[1])
    expected_near = 20 * 100_000 * P.flight_rate
    assert abs(fled_near - expected_near) < 5 * np.sqrt(expected_near)  # about 5 sigma
    assert fled_far < 0.15 * fled_near  # (1 + 0.5) / 20 of the rate


def test_steps_table_counts_villages_by_country_and_region():
    from sim.runner import run

    s = load_scenario("tiny")
    res = run(dataclasses.replace(s, end=s.start + dt.timedelta(days=10)), seed=1)
    st = res.steps
    for side in ("pro_insurgent", "neutral", "pro_state"):
        total = st[f"villages_{side}"]
        assert (st[f"villages_{side}_soviet"] + st[f"villages_{side}_afghanistan"] <= total).all()
    whole = st.villages_pro_insurgent + st.villages_neutral + st.villages_pro_state
    soviet = (st.villages_pro_insurgent_soviet + st.villages_neutral_soviet
              + st.villages_pro_state_soviet)
    assert (soviet > 0).all() and (soviet <= whole).all()
    assert st.mean_support_soviet.between(0, 1).all()


def test_support_map_legend_counts_every_village():
    from sim.model import BasmachiModel
    from sim.supportplot import plot_support_map

    s = load_scenario("tiny")
    m = BasmachiModel(dataclasses.replace(s, end=s.start + dt.timedelta(days=3)), seed=2,
                      agents=False)
    m.run()
    m.state.villages.support[:5] = 0.9  # a few of each side
    m.state.villages.support[5:9] = 0.1
    ax = plot_support_map(m)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [lab.split(" ")[0] for lab in labels] == ["pro-insurgent", "neutral", "pro-state"]
    counts = [int(lab.rsplit(": ", 1)[1]) for lab in labels]
    assert sum(counts) == len(m.state.villages) and counts[0] >= 5 and counts[2] >= 4
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
