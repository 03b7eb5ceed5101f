"""The Lanchester-ODE baseline: closed forms, timeline inputs, scorer-shaped output."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.lanchester_ode import ode_params, run_ode, simulate_ode
from sim.scenario import Scenario, parse_scenario


def scenario(*, days: int = 60, fighters: int = 500, strength: int = 1000, mg: int = 0,
             timeline: list[dict] | None = None, leader: str = "L") -> Scenario:
    data = {
        "name": "ode_test", "start": "1926-03-01", "end": f"1926-{3 + (days - 1) // 31:02d}-{1 + (days - 1) % 31:02d}",
        "map": {"kind": "synthetic"},
        "leaders": [{"name": leader}] if leader else [],
        "bands": [{"name": "b", "leader": leader, "fighters": fighters, "cell": [1, 1]}],
        "columns": [{"name": "c", "strength": strength, "machine_guns": mg, "cell": [8, 8]}],
        "timeline": timeline or [],
    }
    return parse_scenario(data)


QUIET = {"recruitment": 0.0, "amnesty": 0.0, "to_sanctuary": 0.0, "from_sanctuary": 0.0, "exit_fraction": 0.0}


@settings(max_examples=25)
@given(a=st.floats(1e-6, 5e-5), b=st.floats(1e-3, 5e-2), i0=st.integers(100, 3000), s0=st.integers(200, 5000))
def test_mixed_law_invariant(a: float, b: float, i0: int, s0: int) -> None:
    """Fire alone conserves a S^2 / 2 - b I (Deitchman's mixed law) while both sides stand."""
    p = ode_params({**QUIET, "area_fire": a, "aimed_fire": b})
    r = simulate_ode(scenario(fighters=i0, strength=s0), p)
    i = r.in_country[:, 0]
    s = r.state
    alive = (i > 1.0) & (s > 1.0)
    c0 = a * s0**2 / 2 - b * i0
    c = a * s[alive] ** 2 / 2 - b * i[alive]
    scale = a * s0**2 / 2 + b * i0
    assert np.all(np.abs(c - c0) <= 1e-5 * scale)
    # losses are bookkept: killed per day add up to what the insurgents lost
    assert r.killed[:, 0].sum() == pytest.approx(i0 - i[-1], rel=1e-6, abs=1e-6)


def test_linear_terms_give_an_exponential() -> None:
    """With no fire, I(t) = I0 exp((r - m c k) t) inside an amnesty window of credibility c, intensity k."""
    r_, m, c, k = 0.004, 0.02, 0.5, 1.5
    p = ode_params({**QUIET, "area_fire": 0.0, "aimed_fire": 0.0, "recruitment": r_, "amnesty": m})
    amnesty = [{"date": "1926-03-01", "kind": "policy", "policy": "amnesty", "end": "1926-04-29",
                "credibility": c, "intensity": k}]
    run = simulate_ode(scenario(timeline=amnesty), p)
    t = np.arange(1, 61)
    expected = 500 * np.exp((r_ - m * c * k) * t)
    np.testing.assert_allclose(run.in_country[:, 0], expected, rtol=1e-6)
    # surrenders are the amnesty's share: integral of m c k I dt
    surrendered = m * c * k * 500 * (np.exp((r_ - m * c * k) * 60) - 1) / (r_ - m * c * k)
    assert run.surrendered[:, 0].sum() == pytest.approx(surrendered, rel=1e-6)


def test_machine_guns_multiply_the_state_fire() -> None:
    """Ten machine guns worth 15 rifles each on 1000 men: phi = 1.15, so losses scale like 1.15 S."""
    p = ode_params({**QUIET, "area_fire": 1e-5, "aimed_fire": 0.0, "machine_gun_rifles": 15.0})
    without = simulate_ode(scenario(days=1), p)
    with_mg = simulate_ode(scenario(days=1, mg=10), p)
    # one day, S constant (no aimed fire): I(1) = I0 exp(-a phi S)
    assert without.in_country[0, 0] == pytest.approx(500 * math.exp(-1e-5 * 1000), rel=1e-7)
    assert with_mg.in_country[0, 0] == pytest.approx(500 * math.exp(-1e-5 * 1150), rel=1e-7)


def test_reinforcements_withdrawals_and_leader_exit_follow_the_timeline() -> None:
    p = ode_params({**QUIET, "area_fire": 0.0, "aimed_fire": 0.0})
    tl = [
        {"date": "1926-03-11", "kind": "reinforce", "columns": [{"name": "r", "strength": 400, "cell": [3, 3]}],
         "bands": [{"name": "b2", "leader": "L", "fighters": 100, "cell": [2, 2]}]},
        {"date": "1926-03-21", "kind": "withdraw", "units": ["c"]},
        {"date": "1926-03-25", "kind": "leader_exit", "leader": "L"},
    ]
    r = simulate_ode(scenario(timeline=tl), p)
    assert r.state[9] == 1000 and r.state[10] == 1400 and r.state[20] == 400
    assert r.in_country[9, 0] == 500 and r.in_country[10, 0] == 600
    assert r.exits == ((24, "L"),)


def test_a_leader_leaves_when_his_men_fall_below_the_exit_fraction() -> None:
    p = ode_params({**QUIET, "area_fire": 2e-5, "aimed_fire": 0.0, "exit_fraction": 0.5})
    r = simulate_ode(scenario(strength=2000), p)
    # I(t) = 500 exp(-0.04 t): below 250 from t = ln 2 / 0.04 = 17.3 days, i.e. at the end of day index 17
    assert r.exits == ((17, "L"),)


def test_output_is_shaped_for_the_scorer() -> None:
    from sim.scoring.evaluate import reduce_run
    from sim.scoring.targets import EventFilter, Target

    p = ode_params({**QUIET, "area_fire": 1e-5, "aimed_fire": 1e-3})
    res = run_ode(scenario(), p)
    assert {"insurgent_fighters", "state_strength", "in_country", "fighters[L]", "in_country[L]"} <= set(res.steps)
    killed = Target(id="X", key="X", scenarios=("ode_test",), kind="count", title="t", weight=0.5,
                    reliability="", events=EventFilter(kinds=("engagement",)), column="insurgents_killed")
    total = reduce_run(killed, res)
    assert total == pytest.approx(500 - res.steps["in_country[L]"].iloc[-1], rel=1e-3)
    assert "towns_held_by_insurgents" not in res.steps  # geography is not defined by the baseline


def test_unknown_or_out_of_bounds_coefficients_are_refused() -> None:
    with pytest.raises(ValueError, match=r"ode\.nope = 1\.0: expected an ODE parameter"):
        ode_params({"ode.nope": 1.0})
    with pytest.raises(ValueError, match=r"ode\.exit_fraction = 2\.0: expected a finite number >= 0 and <= 1"):
        ode_params({"ode.exit_fraction": 2.0})
    with pytest.raises(ValueError, match="p.toml") as info:  # every problem, NaN and text included
        ode_params({"area_fire": float("nan"), "recruitment": "x", "amnesty": True}, origin="p.toml")
    assert [p.path for p in info.value.problems] == ["ode.area_fire", "ode.recruitment", "ode.amnesty"]  # type: ignore[attr-defined]
