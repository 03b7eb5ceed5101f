"""The deterministic combat law against scipy's ODE solver and Engel's Iwo Jima fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from sim.kernels.combat import lanchester_mixed


def _ode(case):
    b0, s0, kb, ks, hb, hs, t_max, lb, ls = case

    def rhs(_t, y):
        b, s = max(y[0], 0.0), max(y[1], 0.0)
        return [-kb * s * (b if hb else 1.0), -ks * b * (s if hs else 1.0)]

    def band_floor(_t, y):
        return y[0] - lb

    def state_floor(_t, y):
        return y[1] - ls

    band_floor.terminal = state_floor.terminal = True  # type: ignore[attr-defined]
    band_floor.direction = state_floor.direction = -1  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs,
        (0.0, t_max),
        [b0, s0],
        method="DOP853",
        rtol=1e-12,
        atol=1e-10,
        events=[band_floor, state_floor],
    )
    return sol.y[0, -1], sol.y[1, -1], sol.t[-1]


def _cases(hb: bool, hs: bool, n: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        b0, s0 = rng.uniform(20, 1000, 2)
        kb = rng.uniform(0.002, 0.05) / (b0 if hb else 1.0)
        ks = rng.uniform(0.002, 0.05) / (s0 if hs else 1.0)
        t_max = rng.uniform(0.5, 60.0)
        lb = b0 * rng.uniform(0.0, 0.9) if rng.random() < 0.7 else 0.0
        ls = s0 * rng.uniform(0.0, 0.9) if rng.random() < 0.7 else 0.0
        yield b0, s0, kb, ks, hb, hs, t_max, lb, ls


@pytest.mark.parametrize(
    ("hb", "hs", "law", "seed"),
    [
        (False, False, "square", 1),
        (True, True, "linear", 2),
        (True, False, "mixed", 3),
        (False, True, "mixed swapped", 4),
    ],
)
def test_matches_solve_ivp(hb: bool, hs: bool, law: str, seed: int) -> None:
    """Closed forms with break-off agree with solve_ivp (terminal events) to 1e-6."""
    cases = list(_cases(hb, hs, 40, seed=seed))
    arr = [np.array(c, dtype=float) for c in zip(*cases, strict=True)]
    got = lanchester_mixed(
        arr[0],
        arr[1],
        k_band=arr[2],
        k_state=arr[3],
        band_hidden=arr[4].astype(bool),
        state_hidden=arr[5].astype(bool),
        duration=arr[6],
        band_floor=arr[7],
        state_floor=arr[8],
    )
    for i, case in enumerate(cases):
        b, s, t = _ode(case)
        scale = 1e-6 * max(case[0], case[1])
        assert got.band[i] == pytest.approx(b, rel=1e-6, abs=scale), (law, case)
        assert got.state[i] == pytest.approx(s, rel=1e-6, abs=scale), (law, case)
        assert got.duration[i] == pytest.approx(t, rel=1e-6, abs=1e-9), (law, case)


def test_no_break_off_long_fight() -> None:
    """Without floors the square law runs to annihilation of the weaker side."""
    got = lanchester_mixed(
        np.array([100.0]),
        np.array([200.0]),
        k_band=np.array([0.01]),
        k_state=np.array([0.01]),
        band_hidden=np.array([False]),
        state_hidden=np.array([False]),
        duration=np.array([1e3]),
        band_floor=np.array([0.0]),
        state_floor=np.array([0.0]),
    )
    assert got.band[0] == 0.0
    assert got.state[0] == pytest.approx(np.sqrt(200.0**2 - 100.0**2), rel=1e-9)
    assert got.ended[0] == 1


def test_engel_iwo_jima() -> None:
    """Engel (1954): square law, a = 0.0544 (Japanese on US), b = 0.0106 (US on Japanese).

    US landings 54,000 on day 0, 6,000 on day 2, 13,000 on day 5 (73,000 in all)
    against 21,500 Japanese without reinforcement. Engel's fit leaves the Japanese
    force wiped out at the end of the 36-day battle and about 52,700-52,800 US
    troops active (the documented US active strength is 73,000 less about 20,265
    casualties = 52,735; Engel 1954, Fig. 1 and text; Braun, *Differential Equations
    and Their Applications*, sec. 4.5). Reinforcements are applied between phases.
    """
    us, jp = 54_000.0, 21_500.0
    hours_per_day = 1.0  # coefficients are per day; time unit = day
    total = 0.0
    for start, end, landing in ((0.0, 2.0, 6_000.0), (2.0, 5.0, 13_000.0), (5.0, 36.0, 0.0)):
        r = lanchester_mixed(
            np.array([jp]),
            np.array([us]),
            k_band=np.array([0.0106]),
            k_state=np.array([0.0544]),
            band_hidden=np.array([False]),
            state_hidden=np.array([False]),
            duration=np.array([(end - start) * hours_per_day]),
            band_floor=np.array([0.0]),
            state_floor=np.array([0.0]),
        )
        jp, us = float(r.band[0]), float(r.state[0]) + landing
        total += float(r.duration[0])
    assert jp == pytest.approx(0.0, abs=1.0)  # the garrison is destroyed
    assert 34.0 < total <= 36.0  # ... near the end of the battle
    assert us == pytest.approx(52_735.0, rel=0.02)
