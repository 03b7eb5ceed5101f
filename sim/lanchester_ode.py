"""The baseline to beat: a plain aggregate Lanchester ODE that reads the same scenario files.

One insurgent group per leader (bands without a leader form the group ``""``), split into
men in the country ``I_k`` and men in Afghanistan ``A_k``, against one state force ``S``.
Constant coefficients (:class:`sim.params.ode.OdeParams`, per day)::

    dI_k/dt = -a F I_k + r I_k - m(t) I_k - f(t) I_k + g A_k
    dA_k/dt =  f(t) I_k - g A_k
    dS/dt   = -b sum_k I_k                    (S >= 0)

with ``F = phi S`` the state's fire (``phi`` counts machine guns and mountain guns as
rifles, fixed by the roster), ``a`` area fire on concealed bands (losses grow with the
product of both sides), ``b`` aimed fire on exposed troops (Deitchman's mixed law),
``r`` recruitment, ``m(t) = amnesty x credibility x intensity`` inside amnesty windows,
``f(t)`` flight to the sanctuary while it is open or tolerated and ``g`` return.
The timeline's ``reinforce`` entries add men on their date, ``withdraw`` removes the named
units, ``leader_exit`` entries are emitted as events; a leader also leaves the first day
his men in the country fall below ``exit_fraction`` of their peak. Nothing else of the
scenario (map, villages, supply, orders) is used: that is what makes it a baseline.

Closed forms checked by the tests: with only fire, ``a F^2 / (2 phi) - b I`` is conserved
(for ``phi = 1``: ``a S^2 / 2 - b I``); with only the linear terms, ``I(t) = I(0) exp((r - m) t)``.

Output is a :class:`sim.results.RunResult` shaped like the agent-based model's, with the
series where they are defined: ``insurgent_fighters``, ``insurgents_in_afghanistan``,
``state_strength``, ``in_country``, ``fighters[LEADER]``, ``in_country[LEADER]``, and daily
``engagement`` (``insurgents_killed``, ``state_killed``), ``surrender`` and ``leader_exit``
events. Series and events that need geography (``near[PLACE]``, town captures) are absent,
so targets on them count as missed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.params.ode import OdeParams
from sim.results import RunResult
from sim.scenario import Scenario
from sim.timeline import compile_timeline

__all__ = ["OdeRun", "ode_params", "rhs", "run_ode", "simulate_ode"]

F64 = NDArray[np.float64]


def ode_params(values: Mapping[str, Any] | None = None, *, origin: str = "<ode parameters>") -> OdeParams:
    """:class:`OdeParams` with ``values`` (keys ``name`` or ``ode.name``) overlaid.

    Parameters
    ----------
    values
        Coefficients by name.
    origin
        The file named in problems (e.g. the ``--params`` file).

    Raises
    ------
    sim.validation.InputError
        Listing every unknown name and every value that is not a finite number within the
        declared bounds.
    """
    from sim.params.fields import meta_of
    from sim.validation import Checker

    v = Checker(origin)
    out: dict[str, float] = {}
    fields = {f.name: f for f in dataclasses.fields(OdeParams)}
    for key, value in (values or {}).items():
        name = key.removeprefix("ode.")
        if name not in fields:
            v.problem(f"ode.{name}", value, "an ODE parameter: one of " + ", ".join(sorted(fields)))
            continue
        meta = meta_of(fields[name])
        bounds = {} if meta is None else {
            k: b for k, b in (("ge", meta.ge), ("le", meta.le), ("gt", meta.gt)) if b is not None
        }
        x = v.value(f"ode.{name}", value, float, None, **bounds)
        if x is not None:
            out[name] = x
    v.raise_if_any()
    return dataclasses.replace(OdeParams(), **out)


def rhs(
    y: F64, *, p: OdeParams, k: int, phi: float, amnesty: float, flight: float
) -> F64:
    """Right-hand side of the system.

    Parameters
    ----------
    y : ndarray, shape (4 k + 2,)
        ``I`` (k), ``A`` (k), ``S``, then the cumulative insurgents killed per group (k),
        surrendered per group (k) and state killed (1).
    p : OdeParams
    k : int
        Number of insurgent groups.
    phi : float
        State fire per soldier (rifles plus weapons, over men).
    amnesty, flight : float
        The surrender rate ``m(t)`` and the flight rate ``f(t)`` in force.

    Returns
    -------
    ndarray, shape (4 k + 2,)
    """
    i = np.maximum(y[:k], 0.0)
    a = np.maximum(y[k:2 * k], 0.0)
    s = max(float(y[2 * k]), 0.0)
    killed = p.area_fire * phi * s * i
    surrender = amnesty * i
    d_i = -killed + p.recruitment * i - surrender - flight * i + p.from_sanctuary * a
    d_a = flight * i - p.from_sanctuary * a
    d_s = -p.aimed_fire * float(i.sum()) if s > 0 else 0.0
    return np.concatenate([d_i, d_a, [d_s], killed, surrender, [-d_s]])


@dataclasses.dataclass(frozen=True)
class OdeRun:
    """Daily solution of one scenario (arrays of shape (days,) or (days, groups))."""

    scenario: Scenario
    groups: tuple[str, ...]
    in_country: F64
    in_afghanistan: F64
    state: F64
    killed: F64
    surrendered: F64
    state_killed: F64
    exits: tuple[tuple[int, str], ...]


def _roster(s: Scenario) -> tuple[dict[str, float], dict[str, tuple[float, float, float]]]:
    bands = {b.name: float(b.fighters * b.count) for b in s.bands}
    cols = {c.name: (float(c.strength * c.count), float(c.machine_guns * c.count), float(c.guns * c.count))
            for c in s.columns}
    for e in s.timeline:
        for b in e.bands:
            bands[b.name] = float(b.fighters * b.count)
        for c in e.columns:
            cols[c.name] = (float(c.strength * c.count), float(c.machine_guns * c.count), float(c.guns * c.count))
    return bands, cols


def _afghan_places(s: Scenario) -> set[str]:
    """Places of the scenario's bands that lie in Afghanistan (theatre maps only)."""
    if s.map.kind != "theatre":
        return set()
    from sim.geography import Country, load_theatre

    t = load_theatre()
    names = {b.at for b in s.bands} | {b.at for e in s.timeline for b in e.bands}
    out = set()
    for name in names - {""}:
        try:
            r, c = t.place(name)
        except KeyError:
            continue
        if int(t.country[r, c]) == Country.AFGHANISTAN:
            out.add(name)
    return out


def simulate_ode(scenario: Scenario, params: OdeParams | None = None) -> OdeRun:
    """Integrate the baseline over the scenario's days (see the module docstring).

    The solution is piecewise: coefficients and forces change only at the start of a
    day; each stretch of days with the same coefficients and no timeline entry is one
    :func:`scipy.integrate.solve_ivp` (RK45) call evaluated at the end of every day.
    """
    from scipy.integrate import solve_ivp

    p = params or OdeParams()
    s = scenario
    sched = compile_timeline(s)
    days = s.days
    groups = sorted({b.leader for b in s.bands} | {b.leader for e in s.timeline for b in e.bands})
    gi = {g: j for j, g in enumerate(groups)}
    k = len(groups)
    afghan = _afghan_places(s)
    y = np.zeros(4 * k + 2)

    def add_bands(bands: Any) -> None:
        for b in bands:
            j = gi[b.leader]
            y[(k + j) if b.at in afghan else j] += b.fighters * b.count

    weapons = np.zeros(3)  # men, machine guns, guns on the map

    def add_columns(cols: Any, sign: float = 1.0) -> None:
        for c in cols:
            add = np.array([c.strength, c.machine_guns, c.guns], dtype=float) * c.count * sign
            weapons[:] = np.maximum(weapons + add, 0.0)
            y[2 * k] = max(y[2 * k] + add[0], 0.0)

    add_bands(s.bands)
    add_columns(s.columns)
    band_roster, col_roster = _roster(s)
    out_i = np.zeros((days, k))
    out_a = np.zeros((days, k))
    out_s = np.zeros(days)
    cum = np.zeros((days, 2 * k + 1))
    exits: list[tuple[int, str]] = []
    gone: set[str] = set()
    peak = np.zeros(k)
    rates = [_rates(sched, p, d) for d in range(days)]
    day = 0
    while day < days:
        for e in sched.actions.get(day, []):
            if e.kind == "reinforce":
                add_bands(e.bands)
                add_columns(e.columns)
            elif e.kind == "withdraw":
                for u in e.units:
                    if u in col_roster:
                        men, mg, guns = col_roster[u]
                        add = -np.array([men, mg, guns])
                        weapons[:] = np.maximum(weapons + add, 0.0)
                        y[2 * k] = max(y[2 * k] - men, 0.0)
                    elif u in band_roster:
                        for j in range(k):
                            take = min(band_roster[u], y[j])
                            y[j] -= take
            elif e.kind == "leader_exit" and e.leader and e.leader not in gone:
                gone.add(e.leader)
                exits.append((day, e.leader))
        # a segment: days with the same coefficients and no timeline action after its first day
        end = day + 1
        while end < days and rates[end] == rates[day] and end not in sched.actions:
            end += 1
        peak = np.maximum(peak, y[:k])
        amnesty, flight = rates[day]
        men = max(weapons[0], 1.0)
        phi = (weapons[0] + p.machine_gun_rifles * weapons[1] + p.gun_rifles * weapons[2]) / men
        n = end - day
        sol = solve_ivp(
            _bound_rhs(p, k, phi, amnesty, flight), (0.0, float(n)), y, method="RK45",
            rtol=1e-8, atol=1e-8, t_eval=np.arange(1, n + 1, dtype=float),
        )
        ys = np.asarray(sol.y, dtype=np.float64).T  # (n, 4 k + 2)
        ys[:, : 2 * k + 1] = np.maximum(ys[:, : 2 * k + 1], 0.0)
        out_i[day:end], out_a[day:end], out_s[day:end] = ys[:, :k], ys[:, k:2 * k], ys[:, 2 * k]
        cum[day:end] = ys[:, 2 * k + 1:]
        for d in range(day, end):
            peak = np.maximum(peak, out_i[d])
            for j, g in enumerate(groups):
                if g and g not in gone and peak[j] > 0 and out_i[d, j] < p.exit_fraction * peak[j]:
                    gone.add(g)
                    exits.append((d, g))
        y = ys[-1].copy()
        day = end
    daily = np.diff(np.vstack([np.zeros(2 * k + 1), cum]), axis=0)
    return OdeRun(
        scenario=s, groups=tuple(groups), in_country=out_i, in_afghanistan=out_a, state=out_s,
        killed=daily[:, :k], surrendered=daily[:, k:2 * k], state_killed=daily[:, 2 * k],
        exits=tuple(exits),
    )


def _bound_rhs(p: OdeParams, k: int, phi: float, amnesty: float, flight: float) -> Any:
    def f(_t: float, yy: F64) -> F64:
        return rhs(yy, p=p, k=k, phi=phi, amnesty=amnesty, flight=flight)

    return f


def _rates(sched: Any, p: OdeParams, day: int) -> tuple[float, float]:
    """Amnesty surrender rate and sanctuary flight rate in force on ``day``."""
    am = sched.policy("amnesty", day)
    amnesty = p.amnesty * am.credibility * am.intensity if am is not None else 0.0
    flight = p.to_sanctuary if sched.sanctuary[day] in ("open", "tolerated") else 0.0
    return amnesty, flight


def run_ode(scenario: Scenario, params: OdeParams | None = None, *, run_id: int = 0) -> RunResult:
    """Run the baseline and return its tables in the shape of :func:`sim.runner.run`'s.

    ``runs`` carries ``band_leaders`` (one pseudo-band ``ode:LEADER`` per group) and an
    empty ``places``, so :func:`sim.scoring.evaluate.evaluate` scores it unchanged.
    """
    r = simulate_ode(scenario, params)
    s = scenario
    days = s.days
    dates = [s.start + dt.timedelta(days=d) for d in range(days)]
    inside = r.in_country.sum(axis=1)
    outside = r.in_afghanistan.sum(axis=1)
    steps: dict[str, Any] = {
        "run_id": run_id,
        "day": np.arange(days),
        "date": dates,
        "insurgent_fighters": inside + outside,
        "state_strength": r.state,
        "insurgents_in_afghanistan": outside,
        "insurgents_killed": r.killed.sum(axis=1),
        "surrendered": r.surrendered.sum(axis=1),
        "in_country": inside,
    }
    for j, g in enumerate(r.groups):
        if g:
            steps[f"fighters[{g}]"] = r.in_country[:, j] + r.in_afghanistan[:, j]
            steps[f"in_country[{g}]"] = r.in_country[:, j]
    rows: list[dict[str, Any]] = []
    for d in range(days):
        for j, g in enumerate(r.groups):
            kill, lost = float(r.killed[d, j]), float(r.state_killed[d]) * _share(r, d, j)
            if kill >= 0.5 or lost >= 0.5:
                rows.append({"day": d, "kind": "engagement", "side": "insurgent", "name": f"ode:{g}",
                             "n": round(kill + lost), "insurgents_killed": kill, "state_killed": lost})
            sur = float(r.surrendered[d, j])
            if sur >= 0.5:
                rows.append({"day": d, "kind": "surrender", "side": "insurgent", "name": f"ode:{g}",
                             "n": round(sur)})
    for d, g in r.exits:
        rows.append({"day": d, "kind": "leader_exit", "side": "insurgent", "name": f"ode:{g}", "n": 1})
    ev = pd.DataFrame(rows, columns=["day", "kind", "side", "name", "n", "insurgents_killed", "state_killed"])
    ev = ev.sort_values(["day"], kind="stable").reset_index(drop=True)
    ev.insert(0, "run_id", run_id)
    ev.insert(2, "date", [s.start + dt.timedelta(days=int(d)) for d in ev["day"]])
    ev["unit"] = -1
    ev["cell"] = -1
    ev["row"] = -1
    ev["col"] = -1
    ev = ev.astype({"kind": "string", "side": "string", "name": "string", "n": "int64",
                    "insurgents_killed": "float64", "state_killed": "float64"})
    runs = pd.DataFrame([{
        "run_id": run_id, "scenario": s.name, "scenario_hash": s.digest(), "seed_entropy": "",
        "spawn_key": "", "start": s.start.isoformat(), "end": s.end.isoformat(), "days": days,
        "parameters": json.dumps({"model": "ode", **dataclasses.asdict(params or OdeParams())}),
        "band_leaders": json.dumps({f"ode:{g}": g for g in r.groups}),
        "places": "{}",
    }])
    return RunResult(runs=runs, steps=pd.DataFrame(steps), events=ev)


def _share(r: OdeRun, d: int, j: int) -> float:
    tot = float(r.in_country[d].sum())
    return float(r.in_country[d, j]) / tot if tot > 0 else 0.0
