"""A sweep worker's shortcuts give the values of the plain path: the outputs read from the
recorder's arrays equal those of ``run()``'s tables, design points' scenarios are kept per
base and point, and a task's runs are announced to the dispatcher before the first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch import expect_runs, shared_build, simulate_shared
from sim.experiments import parse_spec
from sim.experiments.sweep import extract_outputs, run_seed
from sim.experiments.worker import output_tables, point_scenario
from sim.kernels import dispatch
from sim.runner import result_of, run
from sim.scenario import Scenario, ScenarioError, load_scenario
from tests.short_tiny import TINY


def _outputs(scenario: str, **outputs: object) -> object:
    spec = parse_spec({
        "sweep": {"name": "w", "scenario": scenario, "design": "factorial", "replicates": 1,
                  "seed": 3},
        "parameters": [{"path": "movement.march_hours", "levels": [8.0]}],
        "outputs": outputs,
    }, origin="<test>")
    return spec.outputs


@pytest.mark.parametrize("seed", [1, 2])
def test_outputs_from_the_arrays_equal_those_of_the_tables(seed: int) -> None:
    """Every metric, aggregate, day and event count, and the time series, bit for bit."""
    from sim.experiments.spec import METRICS

    s = load_scenario(TINY)
    out = _outputs(str(TINY), metrics=list(METRICS), at_days=[0, 7, 30, 59],
                   aggregates=["mean", "min", "max", "std", "sum"],
                   events=["requisition", "engagement", "recruitment", "no_such_kind"],
                   timeseries=True, timeseries_every=3)
    model = simulate_shared(s, seed=run_seed(5, seed))
    steps, events = output_tables(model, 40 + seed, out)  # type: ignore[arg-type]
    full = result_of(model, run_id=40 + seed)
    got = extract_outputs(steps, events, out)  # type: ignore[arg-type]
    want = extract_outputs(full.steps, full.events, out)  # type: ignore[arg-type]
    assert list(got) == list(want)
    np.testing.assert_equal(got, want)  # NaN equal to NaN, every other value exactly
    assert want["events_requisition"] > 0 and want["events_no_such_kind"] == 0.0
    cols = ["run_id", "day", *out.metrics]  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(steps[cols], full.steps[cols])
    # and the whole path equals run()'s tables
    again = run(s, seed=run_seed(5, seed), run_id=40 + seed)
    assert extract_outputs(again.steps, again.events, out) == want  # type: ignore[arg-type]


def test_design_points_are_kept_per_base_and_point() -> None:
    base = load_scenario(TINY)
    a, da = point_scenario(base, 0, {"movement.march_hours": 6.0})
    b, db = point_scenario(base, 0, {"movement.march_hours": 6.0}, base_digest=base.digest())
    assert a is b and da == db == a.digest()
    assert a.movement.march_hours == 6.0
    c, _ = point_scenario(base, 1, {"movement.march_hours": 7.0})
    assert c.movement.march_hours == 7.0 and c is not a
    # another base (a different digest) never gets the first base's scenario
    other = base.with_values({"supply.ration": base.supply.ration * 1.5})
    d, dd = point_scenario(other, 0, {"movement.march_hours": 6.0})
    assert d is not a and d.supply.ration == other.supply.ration and dd != da
    with pytest.raises(ScenarioError, match="design point 2"):
        point_scenario(base, 2, {"movement.march_hours": -1.0})
    with pytest.raises(ScenarioError, match="design point 2"):  # not kept: raised again
        point_scenario(base, 2, {"movement.march_hours": -1.0})


def test_a_task_announces_its_runs_before_the_first() -> None:
    s: Scenario = load_scenario(TINY)
    per_run = s.days * len(shared_build(s).world.state.villages)
    saved = dispatch._WORK[0]
    try:
        dispatch._WORK[0] = 0.0
        expect_runs(s, 0)
        assert dispatch._WORK[0] == 0.0
        expect_runs(s, 3)
        assert dispatch._WORK[0] == 3 * per_run
    finally:
        dispatch._WORK[0] = saved


def test_serial_sweep_rows_equal_runs_one_by_one(tmp_path: Path) -> None:
    """The sweep's outputs (through the kept points, builds and array outputs) equal
    extract_outputs of run() for every run of two design points."""
    from sim.experiments import sweep

    spec = parse_spec({
        "sweep": {"name": "w", "scenario": str(TINY), "design": "factorial", "replicates": 2,
                  "seed": 9},
        "parameters": [{"path": "supply.requisition_share", "levels": [0.1, 0.3]}],
        "outputs": {"metrics": ["insurgent_fighters", "mean_support"], "aggregates": ["mean"],
                    "events": ["requisition"]},
        "execution": {"executor": "serial", "batch_size": 3, "flush_seconds": 0.0},
    }, origin="<test>")
    rows = sweep(spec, tmp_path / "out", progress=False).runs()
    for _, r in rows.iterrows():
        scenario = spec.scenario.with_values(
            {"supply.requisition_share": float(r["supply.requisition_share"])})
        res = run(scenario, seed=run_seed(9, int(r["run_id"])))
        for k, v in extract_outputs(res.steps, res.events, spec.outputs).items():
            assert r[k] == v, k
        assert r["scenario_hash"] == scenario.digest()
