"""Known-answer tests of target loading and evaluation on synthetic RunResults."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.results import RunResult
from sim.scoring.compare import compare_results, outcomes_of
from sim.scoring.evaluate import evaluate, reduce_run
from sim.scoring.target_file import load_targets
from sim.scoring.targets import TargetError

START = dt.date(1929, 4, 1)
DAYS = 40


def fake_run(
    *,
    events: list[dict[str, object]] = (),  # type: ignore[assignment]
    fighters: np.ndarray | None = None,
    afghan: np.ndarray | None = None,
    extra: dict[str, np.ndarray] | None = None,
    run_id: int = 0,
) -> RunResult:
    f = np.full(DAYS, 100.0) if fighters is None else fighters
    a = np.zeros(DAYS) if afghan is None else afghan
    steps = pd.DataFrame(
        {
            "run_id": run_id,
            "day": np.arange(DAYS),
            "date": [START + dt.timedelta(days=i) for i in range(DAYS)],
            "insurgent_fighters": f,
            "insurgents_in_afghanistan": a,
            "state_strength": np.full(DAYS, 300.0),
            "towns_held_by_insurgents": np.zeros(DAYS),
            **(extra or {}),
        }
    )
    cols = ["day", "kind", "side", "name", "row", "col", "n", "outcome", "insurgents_killed", "death", "lead_column", "raid"]
    ev = pd.DataFrame([{c: e.get(c, np.nan if c not in ("kind", "side", "name") else "") for c in cols} for e in events], columns=cols)
    runs = pd.DataFrame(
        [{
            "run_id": run_id, "scenario": "fake", "start": START.isoformat(),
            "band_leaders": json.dumps({"maksum": "Fuzail Maksum", "other": "Ibrahim Bek"}),
            "places": json.dumps({"Garm": [39, 127]}),
            "column_names": json.dumps(["garm-town", "airfield-guard"]),
        }]
    )
    return RunResult(runs=runs, steps=steps, events=ev)


def write_targets(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "targets.toml"
    p.write_text(body, encoding="utf-8")
    return p


def one(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    ts = load_targets(write_targets(tmp_path, body))
    return ts.targets


GARM = """
[[target]]
id = "R29-13"
scenarios = ["fake"]
kind = "event_date"
title = "Garm captured"
event = "town_captured"
place = "Garm"
window = [1929-04-20, 1929-04-24]
weight = 0.5
"""


def test_event_date_hit_and_miss(tmp_path: Path) -> None:
    (t,) = one(tmp_path, GARM)
    on_time = [fake_run(events=[{"day": 21, "kind": "town_captured", "side": "insurgent", "name": "Garm", "row": 39, "col": 127, "n": 800}]) for _ in range(3)]
    late = [fake_run(events=[{"day": 30, "kind": "town_captured", "side": "insurgent", "name": "Garm", "row": 39, "col": 127}])]
    ev = evaluate([t], on_time)
    r = ev.results[0]
    assert r.hit and r.median == 21 and r.fmt(r.median) == "1929-04-22"
    assert ev.hit_rate == 1.0 and ev.distance == 0.0
    ev = evaluate([t], late)
    assert not ev.results[0].hit
    assert ev.distance == pytest.approx(7 / 14)  # day 30 is 7 days after 24 April (day 23)
    never = evaluate([t], [fake_run()])
    assert never.results[0].fmt(never.results[0].median) == "never" and never.distance == 1.0


def test_median_over_replicates(tmp_path: Path) -> None:
    (t,) = one(tmp_path, GARM)
    runs = [fake_run(events=[{"day": d, "kind": "town_captured", "name": "Garm"}]) for d in (19, 20, 21, 22, 35)]
    r = evaluate([t], runs).results[0]
    assert r.median == 21 and r.hit and r.share_in == pytest.approx(0.8)  # 19..22 inside [19, 23]
    assert r.p5 == pytest.approx(19.2) and r.p95 == pytest.approx(32.4)


def test_count_upper_bound_and_leader_filter(tmp_path: Path) -> None:
    (t,) = one(tmp_path, """
[[target]]
id = "A26-13"
scenarios = ["fake"]
kind = "count"
title = "killed"
event = "engagement"
leader = "Fuzail Maksum"
column = "insurgents_killed"
search = [1929-04-05, 1929-04-30]
high = 100
""")
    evs = [
        {"day": 2, "kind": "engagement", "name": "maksum", "insurgents_killed": 500},  # before window
        {"day": 10, "kind": "engagement", "name": "maksum", "insurgents_killed": 60},
        {"day": 11, "kind": "engagement", "name": "other", "insurgents_killed": 900},  # other leader
        {"day": 12, "kind": "engagement", "name": "maksum", "insurgents_killed": 30},
    ]
    run = fake_run(events=evs)
    assert reduce_run(t, run) == 90
    assert evaluate([t], [run]).results[0].hit


def test_ratio_duration_absent_and_growth(tmp_path: Path) -> None:
    ts = one(tmp_path, """
[[target]]
id = "A26-11"
scenarios = ["fake"]
kind = "ratio"
title = "death share"
event = "show_trial"
numerator = "death"
denominator = "n"
low = 0.6
high = 0.7

[[target]]
id = "R29-13"
key = "held"
scenarios = ["fake"]
kind = "duration"
title = "held"
start = { event = "town_captured", place = "Garm" }
finish = { event = "town_retaken", place = "Garm" }
low = 0
high = 2

[[target]]
id = "R29-14"
scenarios = ["fake"]
kind = "absent"
title = "holds"
event = "engagement"
where = { outcome = [2, 4] }

[[target]]
id = "R29-06"
scenarios = ["fake"]
kind = "growth"
title = "growth"
series = "in_country[Fuzail Maksum]"
points = [{ date = 1929-04-05, low = 100, high = 400 }, { date = 1929-04-10, days = 1, low = 400, high = 1200 }]

[[target]]
id = "R29-16"
scenarios = ["fake"]
kind = "first_below"
title = "back"
series = "in_country"
threshold = 10
window = [1929-04-20, 1929-04-25]
""")
    assert [t.key for t in ts] == ["A26-11", "held", "R29-14", "R29-06#1", "R29-06#2", "R29-16"]
    growth = np.concatenate([np.full(4, 15.0), np.full(4, 200.0), np.full(DAYS - 8, 800.0)])
    fighters = np.concatenate([np.full(22, 300.0), np.zeros(DAYS - 22)])
    run = fake_run(
        events=[
            {"day": 3, "kind": "show_trial", "n": 70, "death": 45},
            {"day": 5, "kind": "town_captured", "name": "Garm"},
            {"day": 6, "kind": "town_retaken", "name": "Garm"},
            {"day": 7, "kind": "engagement", "outcome": 1},
        ],
        fighters=fighters,
        extra={"in_country[Fuzail Maksum]": growth},
    )
    values = [reduce_run(t, run) for t in ts]
    assert values[0] == pytest.approx(45 / 70)
    assert values[1] == 1
    assert values[2] == 1.0
    assert values[3:5] == [200.0, 800.0]
    assert values[5] == 22
    ev = evaluate(ts, [run])
    assert all(r.hit for r in ev.results), ev.table()
    lost = fake_run(events=[{"day": 7, "kind": "engagement", "outcome": 4}])
    r = evaluate([ts[2]], [lost, lost, run]).results[0]
    assert not r.hit and r.distance == pytest.approx(2 / 3)
    assert math.isnan(reduce_run(ts[1], lost))  # never captured: duration undefined


def test_json_shape(tmp_path: Path) -> None:
    (t,) = one(tmp_path, GARM)
    d = evaluate([t], [fake_run()]).as_dict()
    assert set(d) >= {"targets", "hit_rate", "distance"}
    assert set(d["targets"][0]) >= {"id", "documented", "median", "p5", "p95", "hit"}
    json.dumps(d)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "nope"\ntitle = "t"', "kind"),
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "count"\ntitle = "t"\nevent = "e"', "low/high"),
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "count"\ntitle = "t"\nevent = "e"\nlow = 5\nhigh = 1', "high"),
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "event_date"\ntitle = "t"\nevent = "e"', "window"),
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "absent"\ntitle = "t"\nevent = "e"\nbogus = 1', "bogus"),
        ('[[target]]\nid = "R29-13"\nscenarios = ["a"]\nkind = "absent"\ntitle = "t"\nevent = "e"\nweight = 3', "weight"),
        ("[[target]\n", "TOML"),
    ],
)
def test_bad_targets_are_explained(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        load_targets(write_targets(tmp_path, body))


def test_input_rows_cannot_be_targets(tmp_path: Path) -> None:
    csv = tmp_path / "o.csv"
    csv.write_text("id,role,reliability\nP23-02,input,x\nP23-06,train,y\n", encoding="utf-8")
    body = '[[target]]\nid = "P23-02"\nscenarios = ["a"]\nkind = "absent"\ntitle = "t"\nevent = "e"\n'
    with pytest.raises(TargetError, match="role 'train'"):
        load_targets(write_targets(tmp_path, body), outcomes=csv)


def test_compare_outcomes() -> None:
    f = np.concatenate([np.linspace(100, 500, 10), np.full(10, 40.0), np.zeros(DAYS - 20)])
    run = fake_run(fighters=f, events=[{"day": 3, "kind": "engagement", "outcome": 4, "insurgents_killed": 5}])
    o = outcomes_of(run)
    assert o["peak_in_country"] == 500 and o["days_to_collapse"] == 1
    assert o["engagements_lost_by_state"] == 1 and o["insurgent_losses"] == 5
    cmp = compare_results("a", [run], "b", [fake_run()])
    assert "peak_in_country" in cmp.table()


def test_a_missing_outcomes_file_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="none.csv.*no such file"):
        load_targets(write_targets(tmp_path, GARM), outcomes=tmp_path / "none.csv")


HOLDS = """
[[target]]
id = "R29-14"
scenarios = ["fake"]
kind = "absent"
title = "the airfield holds"
event = "engagement"
units = ["airfield-guard"]
where = { outcome = [2, 4] }
given = { event = "engagement", units = ["airfield-guard"] }
"""


def _eng(day: int, outcome: int, lead_column: int) -> dict[str, object]:
    return {"day": day, "kind": "engagement", "side": "insurgent", "name": "maksum",
            "outcome": outcome, "lead_column": lead_column}


def test_a_post_holds_only_if_it_was_attacked(tmp_path: Path) -> None:
    (t,) = one(tmp_path, HOLDS)
    quiet = fake_run()
    beaten_off = fake_run(events=[_eng(5, 1, 1)])
    fell = fake_run(events=[_eng(5, 4, 1)])
    elsewhere = fake_run(events=[_eng(5, 4, 0)])  # the town's column lost, not the airfield
    assert math.isnan(reduce_run(t, quiet))
    assert reduce_run(t, beaten_off) == 1.0
    assert reduce_run(t, fell) == 0.0
    assert math.isnan(reduce_run(t, elsewhere))
    never_attacked = evaluate([t], [quiet] * 3).results[0]
    assert not never_attacked.hit and never_attacked.applicable == 0.0 and never_attacked.distance == 1.0
    held = evaluate([t], [beaten_off, beaten_off, quiet]).results[0]
    assert held.hit and held.share_in == pytest.approx(2 / 3) and held.applicable == pytest.approx(2 / 3)
    # half the replicates must be attacked *and* hold: one attacked and held of three is a miss
    assert not evaluate([t], [beaten_off, quiet, quiet]).results[0].hit


def test_a_condition_on_a_value_target_makes_unmet_replicates_not_applicable(tmp_path: Path) -> None:
    (t,) = one(tmp_path, """
[[target]]
id = "P23-11"
scenarios = ["fake"]
kind = "count"
title = "killed in the attack"
event = "engagement"
column = "insurgents_killed"
high = 1682
given = { event = "engagement", where = { raid = 1 } }
""")
    no_attack = fake_run(events=[{"day": 3, "kind": "engagement", "insurgents_killed": 10}])
    assert math.isnan(reduce_run(t, no_attack))
    r = evaluate([t], [no_attack, no_attack, fake_run()]).results[0]
    assert not r.hit and r.never


def test_a_condition_on_a_date_target_makes_unmet_replicates_never(tmp_path: Path) -> None:
    (t,) = one(tmp_path, """
[[target]]
id = "R29-04"
scenarios = ["fake"]
kind = "first_below"
title = "beaten"
series = "in_country"
threshold = 10
window = [1929-04-05, 1929-04-15]
given = { event = "engagement", leader = "Fuzail Maksum", search = [1929-04-01, 1929-04-15] }
""")
    walks_home = np.concatenate([np.full(8, 100.0), np.zeros(DAYS - 8)])
    assert reduce_run(t, fake_run(fighters=walks_home)) == math.inf
    fought = fake_run(fighters=walks_home, events=[{"day": 6, "kind": "engagement", "name": "maksum"}])
    assert reduce_run(t, fought) == 8


def test_uninformative_targets_are_shown_but_not_counted(tmp_path: Path) -> None:
    ts = one(tmp_path, GARM + """
[[target]]
id = "A26-11"
scenarios = ["fake"]
kind = "absent"
title = "true by construction"
event = "nothing"
uninformative = "true by construction"
""")
    ev = evaluate(ts, [fake_run()])
    assert [r.hit for r in ev.results] == [False, True]
    assert ev.hit_rate == 0.0 and ev.hits == 0 and ev.distance == 1.0
    d = ev.as_dict()
    assert d["informative"] == 1 and d["uninformative_hits"] == 1
    assert d["targets"][1]["informative"] is False
    assert "uninformative" in ev.table()


def test_an_empty_uninformative_reason_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="uninformative"):
        one(tmp_path, GARM + 'uninformative = " "\n')
