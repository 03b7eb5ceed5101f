"""The engagement-outcome table (python -m sim.experiments.outcomes) counts what it should."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.experiments.outcomes import engagement_outcomes, main


def _events() -> pd.DataFrame:
    rows = [
        # outcome, duration, state_may_rout
        (0, 4.0, 0), (0, 6.0, 0), (1, 1.0, 0), (3, 2.0, 1), (2, 3.0, 0), (4, 1.0, 1), (4, 1.0, 0),
    ]
    e = pd.DataFrame(rows, columns=["outcome", "duration_h", "state_may_rout"])
    e["kind"] = "engagement"
    e["surprised"] = [1, 0, 0, 0, 0, 1, 0]
    e["outnumbered"] = [1, 1, 0, 0, 0, 1, 1]
    e["cut_off"] = 0
    other = pd.DataFrame({"kind": ["desertion"], "outcome": [4], "duration_h": [0.0]})
    return pd.concat([e, other], ignore_index=True)


def test_shares_counts_and_unexplained_routs() -> None:
    r = engagement_outcomes(_events())
    assert r["engagements"] == 7
    assert r["time"] == pytest.approx(2 / 7)
    assert r["ins_withdrew"] == pytest.approx(1 / 7)
    assert r["ins_routed"] == pytest.approx(1 / 7)
    assert r["state_withdrew"] == pytest.approx(1 / 7)
    assert r["state_routed"] == pytest.approx(2 / 7)
    assert r["state_routs"] == 2
    assert r["state_routs_unexplained"] == 1  # the last rout happened where none may
    assert r["surprised"] == pytest.approx(2 / 7)
    assert r["time_limit_hours"] == pytest.approx(5.0)


def test_runs_without_the_rule_columns_say_so() -> None:
    e = _events().drop(columns=["state_may_rout", "surprised", "outnumbered", "cut_off"])
    assert engagement_outcomes(e)["state_routs_unexplained"] == -1


def test_main_prints_one_row_per_campaign_and_seed(capsys: pytest.CaptureFixture[str]) -> None:
    main(["tiny", "--seeds", "0", "1"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:3] == ["campaign", "seed", "engagements"]
    assert [ln.split()[:2] for ln in lines[1:]] == [["tiny", "0"], ["tiny", "1"]]
