"""Calibration: spec validation, resumable search, ABC-SMC, predictive coverage, leave-one-out.

The fast tests calibrate the Lanchester-ODE baseline on two synthetic campaigns against
synthetic targets (rows T-01.. of a test outcomes file), so nothing rests on a documented
figure. A search with a known optimum must find it; a killed search must resume to the
same trials without re-running an evaluation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.abc import abc_smc, coverage, predictive, weighted_quantile
from sim.calibration.crossval import leave_one_out
from sim.calibration.influence import influence
from sim.calibration.objective import CampaignEval, TargetEval, objective
from sim.calibration.search import (
    CalibrationInterrupted,
    CalibrationStateError,
    load_evaluations,
    search,
)
from sim.calibration.spec import load_calibration_spec
from sim.scenario import ScenarioError

CAMPAIGN = """
name = "{name}"
start = 1926-03-01
end = 1926-04-29
[map]
kind = "synthetic"
[[leaders]]
name = "L"
[[bands]]
name = "b"
leader = "L"
fighters = {fighters}
cell = [1, 1]
[[columns]]
name = "c"
strength = 1000
cell = [8, 8]
"""

# Killed men over 60 days: with the other coefficients at zero, I0 (1 - exp(-a S 60)).
# For area_fire a = 1e-5, S = 1000: 500 (1 - e^-0.6) = 225.6 and 800 (1 - e^-0.6) = 361.
TARGETS = """
[[target]]
id = "T-01"
scenarios = ["camp_a"]
kind = "count"
title = "men killed in camp A"
event = "engagement"
column = "insurgents_killed"
low = 215
high = 235
weight = 0.5

[[target]]
id = "T-02"
scenarios = ["camp_b"]
kind = "count"
title = "men killed in camp B"
event = "engagement"
column = "insurgents_killed"
low = 345
high = 375
weight = 0.5
"""

OUTCOMES = "id,role,reliability,description\nT-01,train,judgement,test\nT-02,train,judgement,test\n"

SPEC = """
[calibration]
name = "ode_test"
campaigns = ["camp_a.toml", "camp_b.toml"]
targets = "targets.toml"
model = "ode"
replicates = 1
seed = 11
budget = {budget}
method = "{method}"
batch = 4
startup = 4

[[parameters]]
path = "ode.area_fire"
min = 1e-7
max = 1e-3
scale = "log"

[[parameters]]
path = "ode.aimed_fire"
min = 0.0
max = 1e-3

[fixed]
ode = {{ recruitment = 0.0, amnesty = 0.0, to_sanctuary = 0.0, from_sanctuary = 0.0, exit_fraction = 0.0 }}

[abc]
population = {population}
generations = 2
quantile = 0.3

[execution]
executor = "serial"
"""

ZERO = "[ode]\nrecruitment = 0.0\namnesty = 0.0\nto_sanctuary = 0.0\nfrom_sanctuary = 0.0\n"


def use_history(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Point the scorer at the synthetic outcomes in ``folder`` (both the old and the new variable)."""
    monkeypatch.setenv("BASMACHI_OUTCOMES", str(folder / "outcomes.csv"))
    monkeypatch.setenv("BASMACHI_HISTORY", str(folder))


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "outcomes.csv").write_text(OUTCOMES)
    use_history(monkeypatch, tmp_path)
    (tmp_path / "camp_a.toml").write_text(CAMPAIGN.format(name="camp_a", fighters=500))
    (tmp_path / "camp_b.toml").write_text(CAMPAIGN.format(name="camp_b", fighters=800))
    (tmp_path / "targets.toml").write_text(TARGETS)

    def make(budget: int = 24, method: str = "tpe", population: int = 24) -> Path:
        path = tmp_path / f"spec-{method}-{budget}-{population}.toml"
        path.write_text(SPEC.format(budget=budget, method=method, population=population))
        return path

    return make


# --------------------------------------------------------------------------- spec


def test_spec_problems_name_file_field_value_and_what_is_allowed(tmp_path: Path, setup) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[calibration]\ncampaigns = ["camp_a.toml", "nowhere"]\nmethod = "gradient"\nreplicates = 0\n'
        'colour = 1\n[[parameters]]\npath = "combat.no_such"\n[[parameters]]\npath = "movement.flee_ratio"\n'
    )
    with pytest.raises(ScenarioError) as exc:
        load_calibration_spec(bad)
    text = str(exc.value)
    assert f"{bad}: calibration.method = 'gradient': expected one of cmaes, tpe, random" in text
    assert "calibration.replicates = 0: expected an integer >= 1" in text
    assert "calibration.colour = 1: expected one of the keys" in text
    assert "calibration.campaigns[1] = 'nowhere'" in text
    assert "parameters[0].path = 'combat.no_such'" in text
    assert "parameters[1]" not in text  # movement.flee_ratio declares a prior range: no min/max needed


def test_spec_defaults_and_prior_ranges(setup) -> None:
    spec = load_calibration_spec(setup())
    assert spec.campaigns == ("camp_a", "camp_b")
    a = spec.parameters[0]
    assert (a.low, a.high, a.scale, a.source) == (1e-7, 1e-3, "log", "spec")
    assert a.from_unit(0.5) == pytest.approx(1e-5)
    assert a.to_unit(a.from_unit(0.3)) == pytest.approx(0.3)


# --------------------------------------------------------------------------- search


def test_search_finds_the_known_optimum(setup, tmp_path: Path) -> None:
    spec = load_calibration_spec(setup(budget=40, method="tpe"))
    res = search(spec, tmp_path / "s", progress=False)
    assert res.n_evaluations == 80
    best = res.best["values"]["ode.area_fire"]
    # both targets pin a S = 0.01 (aimed fire is small enough to leave S ~ 1000)
    assert 0.7e-5 < best < 1.4e-5, best
    assert res.best["objective"] < 0.02
    trace = pd.read_csv(tmp_path / "s" / "trace.csv")
    assert (np.diff(trace["best"]) <= 0).all() and trace["best"].iloc[-1] == pytest.approx(res.best["objective"])
    point = (tmp_path / "s" / "point.toml").read_text()
    assert "[ode]" in point and f"area_fire = {best!r}" in point


@pytest.mark.parametrize("method", ["cmaes", "tpe", "random"])
def test_stopped_and_resumed_search_loses_and_repeats_nothing(setup, tmp_path: Path, method: str) -> None:
    spec = load_calibration_spec(setup(budget=12, method=method))
    whole = search(spec, tmp_path / "whole", progress=False)
    out = tmp_path / "cut"
    with pytest.raises(CalibrationInterrupted):
        search(spec, out, progress=False, stop_after=9)
    on_disk = load_evaluations(out)
    assert len(on_disk) == 9
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "evals").iterdir()}
    res = search(spec, out, progress=False, resume=True)
    assert res.n_resumed == 9 and res.n_evaluations == 24
    # nothing finished before the stop was run again, and nothing is missing or doubled
    assert all((out / "evals" / name).stat().st_mtime_ns == t for name, t in stamps.items())
    assert len(list((out / "evals").glob("*.json"))) == 24
    pd.testing.assert_frame_equal(whole.trials, res.trials)


def test_resume_refuses_another_spec_and_a_fresh_run_refuses_an_old_folder(setup, tmp_path: Path) -> None:
    out = tmp_path / "s"
    search(load_calibration_spec(setup(budget=4)), out, progress=False)
    with pytest.raises(CalibrationStateError, match="already holds a calibration"):
        search(load_calibration_spec(setup(budget=4)), out, progress=False)
    with pytest.raises(CalibrationStateError, match="differs in: .*budget"):
        search(load_calibration_spec(setup(budget=8)), out, progress=False, resume=True)


# --------------------------------------------------------------------------- ABC


def test_abc_concentrates_on_the_known_value_and_resumes(setup, tmp_path: Path) -> None:
    spec = load_calibration_spec(setup())
    res = abc_smc(spec, tmp_path / "abc", progress=False)
    acc = res.accepted
    assert res.epsilons[1] <= res.epsilons[0]
    assert acc["weight"].sum() == pytest.approx(1.0)
    a = acc["ode.area_fire"].to_numpy()
    lo, med, hi = weighted_quantile(np.log10(a), acc["weight"].to_numpy(), (0.05, 0.5, 0.95))
    # the prior spans 4 decades; the accepted sets sit within half a decade of 1e-5
    assert -5.5 < lo <= med <= hi < -4.5, (lo, med, hi)
    out = tmp_path / "abc2"
    with pytest.raises(CalibrationInterrupted):
        abc_smc(spec, out, progress=False, stop_after=60)
    again = abc_smc(spec, out, progress=False, resume=True)
    assert again.n_resumed == 60 and again.n_evaluations == 96
    pd.testing.assert_frame_equal(res.particles, again.particles)


def test_weighted_quantile_known_answers() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_quantile(x, np.ones(4), (0.25, 0.5, 1.0)).tolist() == [1.0, 2.0, 4.0]
    assert weighted_quantile(x, np.array([0.0, 0.0, 0.0, 1.0]), (0.05,)).tolist() == [4.0]
    assert weighted_quantile(np.array([1.0, math.inf, math.nan]), np.ones(3), (0.9,)).tolist() == [math.inf]


def _target(key: str, values: tuple[float, ...], low: float | None, high: float | None, *,
            distance: float = 0.0, informative: bool = True) -> TargetEval:
    med = float(np.median(values))
    return TargetEval(key, key, "count", 0.5, informative, "?", low, high, values, med, min(values), max(values),
                      distance, bool((low is None or med >= low) and (high is None or med <= high)), 0.0)


def test_predictive_intervals_and_coverage() -> None:
    evals = {
        0: [CampaignEval(0, "a", {}, (_target("x", (1.0, 2.0), 0, 10), _target("y", (50.0, 60.0), 0, 10)), 0.0)],
        1: [CampaignEval(1, "a", {}, (_target("x", (3.0, 4.0), 0, 10), _target("y", (70.0, 80.0), 0, 10)), 0.0)],
        2: [CampaignEval(2, "a", {}, (_target("x", (99.0, 99.0), 0, 10), _target("y", (1.0, 1.0), 0, 10)), 0.0)],
    }
    table = predictive(evals, {0: 0.5, 1: 0.5, 2: 0.0}).set_index("key")
    assert table.loc["x", "p5"] == 1.0 and table.loc["x", "p95"] == 4.0 and table.loc["x", "runs"] == 4
    assert table.loc["x", "covered"] and table.loc["x", "hit"]
    assert not table.loc["y", "covered"] and not table.loc["y", "hit"]  # 50 .. 80 misses 0 .. 10
    assert coverage(table.reset_index()) == 0.5


# --------------------------------------------------------------------------- leave one out


def _cand(trial: int, d: dict[str, float]) -> list[CampaignEval]:
    return [CampaignEval(trial, c, {}, (_target(c, (0.0,), 0, 1, distance=x),), 0.0) for c, x in d.items()]


def test_leave_one_out_fits_on_the_others_and_predicts_the_held_out() -> None:
    pool = {
        0: _cand(0, {"a": 0.1, "b": 0.1, "c": 0.9}),   # best on a, b; bad on c
        1: _cand(1, {"a": 0.5, "b": 0.5, "c": 0.0}),
        2: _cand(2, {"a": 0.3, "b": 0.9, "c": 0.2}),
    }
    t = leave_one_out(pool, ["a", "b", "c"], quantile=0.5).set_index("held_out")
    assert t.loc["c", "best_trial"] == 0
    assert t.loc["c", "in_distance"] == pytest.approx(0.1)
    assert t.loc["c", "out_distance"] == pytest.approx(0.9)  # the held-out truth is not peeked at
    assert t.loc["c", "prior_out_distance"] == pytest.approx((0.9 + 0.0 + 0.2) / 3)
    assert t.loc["a", "best_trial"] == 1  # on b, c: 0.5/0.5=0.25 < 0.5 (trial 0) < 0.55 (trial 2)
    assert objective(pool[0], campaigns=["a", "b"]) == pytest.approx(0.1)


def test_influence_ranks_the_parameter_that_drives_the_fit_first() -> None:
    rng = np.random.default_rng(7)
    pool = {}
    for t in range(40):
        x, y, z = rng.uniform(size=3)
        # campaign a falls with x (larger x fits better), b rises with y; z does nothing
        values = {"p.x": x, "p.y": y, "p.z": z}
        pool[t] = [CampaignEval(t, c, values, (_target(c, (0.0,), 0, 1, distance=d),), 0.0)
                   for c, d in (("a", 1.0 - x), ("b", 0.3 * y))]
    table = influence(pool, ["p.z", "p.y", "p.x"], ["a", "b"]).set_index("parameter")
    assert table.loc["p.x", "rank"] == 1 and table.loc["p.x", "rho"] < -0.8
    assert table.loc["p.x", "rho[a]"] == pytest.approx(-1.0)
    assert table.loc["p.y", "rho[b]"] == pytest.approx(1.0)
    assert abs(table.loc["p.z", "rho"]) < 0.4 and table.loc["p.z", "p_value"] > 0.01
    assert table.loc["p.z", "rank"] == 3


def test_uninformative_targets_leave_the_objective() -> None:
    ev = CampaignEval(0, "a", {}, (_target("x", (0.0,), 0, 1, distance=1.0),
                                   _target("y", (0.0,), 0, 1, distance=0.0, informative=False)), 0.0)
    assert objective([ev]) == 1.0


# --------------------------------------------------------------------------- the command


def test_calibrate_command_writes_the_shipped_layout(setup, tmp_path: Path, capsys) -> None:
    from sim.cli import main

    spec = setup(budget=4, population=6)
    out = tmp_path / "fit"
    assert main(["calibrate", str(spec), "--out", str(out), "--quiet"]) == 0
    for name in ("point.toml", "posterior.parquet", "predictive.csv", "parameters.csv", "loco.csv",
                 "summary.json", "report.md", "posterior_pairs.png", "predictive.png", "trace.png",
                 "influence.csv"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 4 * 2 + 12 * 2
    assert main(["calibrate", str(spec), "--out", str(out), "--quiet"]) == 2
    assert "already holds a calibration" in capsys.readouterr().err
    assert main(["calibrate", str(spec), "--out", str(out), "--quiet", "--resume"]) == 0
    # a resume that evaluates nothing rewrites the report but keeps the wall time of the work
    assert json.loads((out / "summary.json").read_text())["wall_seconds"] == summary["wall_seconds"] > 0


def test_params_file_overlays_the_scenario(tmp_path: Path, capsys) -> None:
    from sim.calibration.overlay import apply_params
    from sim.cli import main
    from sim.scenario import load_scenario

    good = tmp_path / "p.toml"
    good.write_text("[movement]\nflee_ratio = 1.25\n" + ZERO)
    s = apply_params(load_scenario("tiny"), good)
    assert s.movement.flee_ratio == 1.25
    bad = tmp_path / "bad.toml"
    bad.write_text("[movement]\nflee_ratio = -3.0\n")
    assert main(["run", "tiny", "--params", str(bad), "--quiet", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "movement.flee_ratio = -3.0" in err


# --------------------------------------------------------------------------- screening by fit

SCREEN = """
[sweep]
name = "screen"
scenario = "short.toml"
design = "morris"
samples = 3
replicates = 1
seed = 8

[[parameters]]
path = "combat.aimed_lethality_state"
min = 0.001
max = 0.2
scale = "log"

[[parameters]]
path = "combat.air_delay_h"
min = 2.0
max = 20.0

[outputs]
metrics = ["insurgent_fighters"]
at_days = [15]
score = true
targets = "{targets}"

[sensitivity]
outputs = ["score_distance", "score_in[T-01]"]
resamples = 20

[execution]
executor = "serial"
"""

SCREEN_TARGETS = """
[[target]]
id = "T-01"
scenarios = ["tiny_short"]
kind = "level"
title = "insurgents at day 15"
series = "insurgent_fighters"
date = 1926-03-16
agg = "last"
low = 425
high = 427
weight = 0.5
"""


def test_sweep_scores_each_run_and_morris_ranks_parameters_by_fit(tmp_path: Path, monkeypatch) -> None:
    """Each run's score columns agree with its own series, and Morris indices of the fit are computed."""
    from sim.experiments.sensitivity import sensitivity
    from tests.short_tiny import SHORT

    (tmp_path / "outcomes.csv").write_text(OUTCOMES)
    use_history(monkeypatch, tmp_path)
    (tmp_path / "targets.toml").write_text(SCREEN_TARGETS)
    (tmp_path / "short.toml").write_text(SHORT)
    spec = tmp_path / "screen.toml"
    spec.write_text(SCREEN.format(targets=tmp_path / "targets.toml"))
    res = sensitivity(spec, tmp_path / "out", progress=False, plot=False)
    runs = res.sweep.runs()
    x = runs["score_in[T-01]"].to_numpy()
    day15 = runs["insurgent_fighters_day15"].to_numpy()
    np.testing.assert_array_equal(x == 1.0, (day15 >= 425) & (day15 <= 427))
    # outside: the gap to the nearest bound over the bound's magnitude
    gap = np.where(day15 > 427, (day15 - 427) / 427, np.where(day15 < 425, (425 - day15) / 425, 0.0))
    np.testing.assert_allclose(runs["score_distance[T-01]"], gap)
    np.testing.assert_array_equal(runs["score_distance"], runs["score_distance[T-01]"])
    idx = res.indices.set_index(["output", "parameter"])
    assert np.isfinite(idx.loc[("score_distance", "combat.aimed_lethality_state"), "mu_star"])


@pytest.mark.parametrize("name", ["campaigns", "ode"])
def test_shipped_specs_are_valid(name: str) -> None:
    spec = load_calibration_spec(Path(__file__).resolve().parents[1] / "calibration" / f"{name}.toml")
    assert spec.campaigns == ("pavlov_1923", "attrition_1925", "budenny_1926", "raids_1929")
    assert all(p.low < p.high for p in spec.parameters)
    assert spec.abc.generations >= 1


def test_shipped_screening_spec_scores_every_target_of_its_campaign() -> None:
    from sim.experiments.spec import load_spec
    from sim.scoring.target_file import load_targets

    spec = load_spec(Path(__file__).resolve().parents[1] / "calibration" / "screening_raids_1929.toml")
    keys = [t.key for t in load_targets().for_scenario("raids_1929")]
    assert spec.outputs.score and list(spec.outputs.score_keys) == keys
    assert {f"score_distance[{k}]" for k in keys} <= set(spec.outputs.columns())
