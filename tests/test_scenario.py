"""Scenario files: loading, merging, validation errors that name file, field, value and rule."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

ALL_FILES = sorted(SCENARIOS.glob("*.toml"))

GOOD = """
name = "t"
start = 1926-03-01
end = 1926-03-10
[map]
kind = "synthetic"
rows = 6
cols = 6
[[bands]]
name = "b"
fighters = 50
cell = [1, 1]
"""


@pytest.mark.parametrize("path", ALL_FILES, ids=[p.stem for p in ALL_FILES])
def test_every_scenario_file_validates(path: Path) -> None:
    s = load_scenario(path)
    assert s.days >= 1
    assert main(["validate", str(path)]) == 0


def test_defaults_come_from_the_schema(write_toml) -> None:
    s = load_scenario(write_toml("a.toml", GOOD))
    assert s.movement.march_hours == type(s.movement)().march_hours
    assert s.bands[0].morale == 0.7
    assert s.days == 10


BAD = {
    "unknown field": ("[movement]\nmarch_speed = 3\n", "movement.march_speed"),
    "wrong type": ('[movement]\nmarch_hours = "eight"\n', "movement.march_hours"),
    "probability above 1": ("[supply]\nrequisition_share = 1.5\n", "supply.requisition_share"),
    "negative probability": ("[villages]\nsupport = -0.1\n", "villages.support"),
    "unknown choice": ('sanctuary = "ajar"\n', "sanctuary"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_values_name_file_field_value_and_rule(case: str, write_toml, capsys) -> None:
    extra, field = BAD[case]
    head, tail = GOOD.split("[map]", 1)
    path = write_toml(
        "bad.toml", head + extra + "[map]" + tail if not extra.startswith("[") else GOOD + extra
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    assert field in err
    assert "expected" in err
    assert "Traceback" not in err


def test_end_before_start(write_toml, capsys) -> None:
    path = write_toml("bad.toml", GOOD.replace("end = 1926-03-10", "end = 1926-02-10"))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "end" in err and "1926-02-10" in err and str(path) in err


def test_unknown_place(write_toml, capsys) -> None:
    text = GOOD.replace('kind = "synthetic"', 'kind = "theatre"').replace(
        "cell = [1, 1]", 'at = "Atlantis"'
    )
    path = write_toml("bad.toml", text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert 'bands[name="b"].at' in err and "Atlantis" in err and str(path) in err


def test_extends_cycle(write_toml, capsys) -> None:
    a = write_toml("a.toml", 'extends = "b.toml"\n' + GOOD)
    write_toml("b.toml", 'extends = "a.toml"\n' + GOOD)
    assert main(["validate", str(a)]) == 2
    err = capsys.readouterr().err
    assert "extends" in err and "cycle" in err


def test_missing_parent(write_toml, capsys) -> None:
    a = write_toml("a.toml", 'extends = "nowhere.toml"\n' + GOOD)
    assert main(["validate", str(a)]) == 2
    assert "nowhere.toml" in capsys.readouterr().err


def test_all_problems_reported_at_once(write_toml) -> None:
    path = write_toml("bad.toml", GOOD + '[movement]\nmarch_hours = -1\nflee_ratio = "x"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    paths = {p.path for p in info.value.problems}
    assert {"movement.march_hours", "movement.flee_ratio"} <= paths


def test_extends_merges_tables_and_keyed_arrays(write_toml) -> None:
    write_toml(
        "base.toml",
        GOOD + '[[bands]]\nname = "c"\nfighters = 10\ncell = [2, 2]\n'
        '[[timeline]]\nid = "shock"\ndate = 1926-03-05\nkind = "supply_shock"\nunits = ["b"]\nherd_seized = 1.0\n',
    )
    child = write_toml(
        "child.toml",
        'extends = "base.toml"\nname = "child"\n[movement]\nmarch_hours = 10\n'
        '[[bands]]\nname = "b"\nfighters = 70\n'
        '[[bands]]\nname = "c"\nremove = true\n'
        '[[timeline]]\nid = "shock"\nremove = true\n',
    )
    s = load_scenario(child)
    assert s.name == "child"
    assert s.movement.march_hours == 10
    assert [b.name for b in s.bands] == ["b"]
    assert s.bands[0].fighters == 70
    assert s.bands[0].cell == (1, 1)  # inherited field of the merged entry
    assert s.timeline == ()


def test_with_values_revalidates(write_toml) -> None:
    s = load_scenario(write_toml("a.toml", GOOD))
    t = s.with_values({"movement.march_hours": 10.0, "supply.ration": 1.2})
    assert t.movement.march_hours == 10.0 and t.supply.ration == 1.2
    assert s.movement.march_hours != 10.0  # frozen original untouched
    with pytest.raises(ScenarioError, match="movement.nope"):
        s.with_values({"movement.nope": 1})
    with pytest.raises(ScenarioError, match="supply.requisition_share"):
        s.with_values({"supply.requisition_share": 2.0})


def test_round_trip_and_digest(write_toml) -> None:
    s = load_scenario(write_toml("a.toml", GOOD))
    again = parse_scenario(s.to_dict())
    assert again == s
    assert again.digest() == s.digest()
    assert dataclasses.replace(s, name="other").digest() != s.digest()


def test_unknown_scenario_name_lists_available(capsys) -> None:
    assert main(["run", "no_such_scenario"]) == 2
    assert "tiny" in capsys.readouterr().err


def test_schema_documents_every_parameter(capsys) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    for name in ("march_hours", "requisition_share", "max_elevation", "`movement`", "`timeline[]`"):
        assert name in out


def test_dated_parameter_setting_validates_and_applies(write_toml) -> None:
    from sim.model import BasmachiModel

    text = GOOD + '[[timeline]]\ndate = 1926-03-04\nkind = "set"\npath = "movement.march_hours"\nvalue = 12.0\n'
    s = load_scenario(write_toml("set.toml", text))
    model = BasmachiModel(s, seed=0, agents=False)
    for _ in range(3):
        model.step()
    assert model.params.movement.march_hours == s.movement.march_hours
    model.step()  # day 3 is 1926-03-04
    assert model.params.movement.march_hours == 12.0
    bad = write_toml("bad.toml", text.replace("movement.march_hours", "movement.nothing"))
    with pytest.raises(ScenarioError, match="movement.nothing"):
        load_scenario(bad)


@pytest.mark.parametrize(
    ("entry", "field", "belongs"),
    [
        ('kind = "switch"\nswitch = "aircraft"\nend = 1926-03-20', "end", "'policy'"),
        ('kind = "policy"\npolicy = "amnesty"\nunits = ["b"]', "units", "'withdraw' or 'orders' or 'supply_shock'"),
        ('kind = "set"\npath = "combat.ambush_bonus"\nvalue = 2.0\ncredibility = 0.9', "credibility", "'policy'"),
        ('kind = "withdraw"\nunits = ["b"]\nleader = "L"', "leader", "'supply_shock' or 'leader_exit'"),
    ],
)
def test_a_field_its_kind_of_entry_never_reads_is_refused(write_toml, entry: str, field: str, belongs: str) -> None:
    text = GOOD + f'[[timeline]]\nid = "odd"\ndate = 1926-03-04\n{entry}\n'
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_toml("odd.toml", text))
    message = str(err.value)
    assert "odd.toml" in message and f'timeline[id="odd"].{field}' in message
    assert f"belongs to kind {belongs}" in message
    assert load_scenario(write_toml("fine.toml", text.replace(entry.splitlines()[-1] + "\n", "")))


@pytest.mark.parametrize("path", ["villages.depopulation", "map.rows", "sanctuary", "start"])
def test_dated_setting_of_what_is_built_before_the_first_day_is_refused(write_toml, path: str) -> None:
    text = GOOD + f'[[timeline]]\ndate = 1926-03-04\nkind = "set"\npath = "{path}"\nvalue = 0.3\n'
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_toml("set.toml", text))
    message = str(err.value)
    assert "set.toml" in message and ".path" in message and path in message
    assert "[movement], [supply], [combat], [population]" in message


def test_dated_settings_rebuild_precomputed_costs_and_concealment(write_toml) -> None:
    from sim.model import BasmachiModel

    text = (
        GOOD
        + '[[timeline]]\ndate = 1926-03-02\nkind = "set"\npath = "movement.horse_kmh"\nvalue = 10.0\n'
        + '[[timeline]]\ndate = 1926-03-02\nkind = "set"\npath = "combat.max_concealment"\nvalue = 0.0\n'
    )
    model = BasmachiModel(load_scenario(write_toml("set.toml", text)), seed=0, agents=False)
    model.step()
    before = model.world
    hours_before = before.band_graph.hours.copy()
    assert before.concealment.max() > 0
    model.step()  # 1926-03-02: both settings apply
    finite = hours_before < float("inf")
    assert (model.world.band_graph.hours[finite] < hours_before[finite]).all()
    assert model.world.concealment.max() == 0.0
    # the world is static: the settings gave a new World, the old one is unchanged
    assert model.world is not before
    assert before.concealment.max() > 0
    np.testing.assert_array_equal(before.band_graph.hours, hours_before)
