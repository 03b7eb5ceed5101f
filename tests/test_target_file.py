"""A targets file is read through the one validator: limits, every problem, the user's own entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scoring.target_file import load_targets, read_outcomes
from sim.scoring.targets import TargetError
from sim.validation import InputError

GOOD = """
[[target]]
id = "R29-13"
key = "garm"
scenarios = ["raids_1929"]
kind = "event_date"
title = "Garm falls"
event = "town_captured"
place = "Garm"
window = [1929-04-22, 1929-04-23]
"""


def write(tmp_path: Path, body: str | bytes, name: str = "targets.toml") -> Path:
    p = tmp_path / name
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(body, encoding="utf-8")
    return p


def problems_of(path: Path, **kw: Path) -> list[str]:
    with pytest.raises(TargetError) as info:
        load_targets(path, **kw)
    assert isinstance(info.value, InputError)  # one error type for every input file
    return [str(p) for p in info.value.problems]


def test_every_problem_of_every_entry_is_listed_against_the_users_entry(tmp_path: Path) -> None:
    body = GOOD + """
[[target]]
id = "R29-14"
scenarios = ["raids_1929"]
kind = "count"
title = "the airfield holds"
event = "engagement"
weight = 3
radius = -1
low = inf
side = "rebels"

[[target]]
id = "R29-13"
key = "garm-level"
scenarios = ["raids_1929"]
kind = "level"
title = "t"
series = "in_country"
date = 1850-01-01
days = 2.5
high = 10
agg = "sum"
bogus = 1
"""
    path = write(tmp_path, body)
    shown = problems_of(path)
    expected = [
        ('target[id="R29-14"].weight', "3", "<= 1"),
        ('target[id="R29-14"].radius', "-1", ">= 0"),
        ('target[id="R29-14"].low', "inf", "finite"),
        ('target[id="R29-14"].side', "'rebels'", "insurgent"),
        ('target[key="garm-level"].date', "1850-01-01", "1918-01-01 .. 1935-12-31"),
        ('target[key="garm-level"].days', "2.5", "an integer"),
        ('target[key="garm-level"].agg', "'sum'", "max"),
        ('target[key="garm-level"].bogus', "1", "a field of a target of kind 'level'"),
    ]
    for field, value, allowed in expected:
        hits = [s for s in shown if s.startswith(f"{path}: {field} = {value}: expected") and allowed in s]
        assert hits, (field, shown)
    assert len(shown) == len(expected), shown


@pytest.mark.parametrize(
    ("body", "field", "allowed"),
    [
        (b"[[target]]\nid = '\xff'\n", "<top>", "UTF-8"),
        ("junk = " + "[" * 300 + "]" * 300 + "\n", "<top>", "nested at most"),
        ("[[target]\n", "<top>", "valid TOML"),
        ("[target]\nid = 'R29-13'\n", "target", "an array of tables [[target]]"),
        ("target = [1, 2]\n", "target[0]", "a table [[target]]"),
        ("secret = 'x'\n", "secret", "one of the keys target"),
        (GOOD + "radius = 99999999999999999999999\n", 'target[key="garm"].radius', "an integer >= 0 and <= 1000"),
        (GOOD.replace('key = "garm"\n', 'key = 5\n'), 'target[id="R29-13"].key', "text"),
        (GOOD.replace("window = [1929-04-22, 1929-04-23]", "window = [1929-04-23, 1929-04-22]"),
         'target[key="garm"].window', "on or before"),
        (GOOD + GOOD, 'target[key="garm"]', "a distinct key"),
        (GOOD.replace('event = "town_captured"\n', "where = {outcome = []}\nevent = 'x'\n"),
         'target[key="garm"].where.outcome', "non-empty list"),
        (GOOD.replace('event = "town_captured"\n', "where = {outcome = [1, nan]}\nevent = 'x'\n"),
         'target[key="garm"].where.outcome[1]', "finite"),
        (GOOD.replace('kind = "event_date"', 'kind = "duration"').replace("window = [1929-04-22, 1929-04-23]\n", "")
         .replace('event = "town_captured"\nplace = "Garm"\n', "start = {event = 'x', colour = 1}\nhigh = 1\n"),
         'target[key="garm"].start.colour', "a field of an event table"),
        ("[[unchecked]]\nid = 'R29-13'\nreason = 'a'\n[[unchecked]]\nid = 'R29-13'\nreason = 'b'\n",
         'unchecked[id="R29-13"].id', "listed twice"),
        ("[[cited_input]]\nid = 'nope'\nreason = 'a'\n", 'cited_input[id="nope"].id', "present in outcomes.csv"),
    ],
    ids=[
        "not-utf8", "deep", "bad-toml", "target-table", "target-not-table", "unknown-top",
        "huge-int", "key-type", "window-backwards", "duplicate-key", "empty-where", "nan-in-where",
        "unknown-start-field", "unchecked-twice", "cited-unknown",
    ],
)
def test_a_bad_targets_file_names_file_entry_field_and_what_is_allowed(
    tmp_path: Path, body: str | bytes, field: str, allowed: str
) -> None:
    path = write(tmp_path, body)
    shown = problems_of(path)
    assert any(s.startswith(f"{path}: {field} = ") and allowed in s for s in shown), shown


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (None, "an existing file"),
        (b"\x00\xff\xfe", "UTF-8"),
        (b"name,role\nx,train\n", "an `id` column"),
        ("folder", "not a folder"),
    ],
    ids=["missing", "binary", "no-id-column", "folder"],
)
def test_a_bad_outcomes_file_is_named_with_what_is_expected(
    tmp_path: Path, content: bytes | str | None, allowed: str
) -> None:
    path = tmp_path / "outcomes.csv"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(TargetError) as info:
        read_outcomes(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and allowed in problem.allowed


def test_the_shipped_targets_file_is_valid() -> None:
    ts = load_targets()
    assert len(ts.targets) >= 30
    assert len({t.key for t in ts.targets}) == len(ts.targets)


def test_a_what_if_variant_is_scored_on_the_targets_of_the_scenario_it_extends(tmp_path: Path) -> None:
    from sim.scoring.api import targets_of

    ts = load_targets(write(tmp_path, GOOD))
    from sim.paths import scenarios_dir

    raids = (scenarios_dir() / "raids_1929.toml").as_posix()
    write(tmp_path, f'extends = "{raids}"\nname = "raids_variant"\n', "variant.toml")
    write(tmp_path, 'extends = "variant.toml"\nname = "raids_variant_2"\n', "variant2.toml")
    found, written_for = targets_of(str(tmp_path / "variant2.toml"), ts)
    assert written_for == "raids_1929" and [t.key for t in found] == ["garm"]
    alone, name = targets_of("tiny", ts)
    assert alone == () and name == "tiny"

