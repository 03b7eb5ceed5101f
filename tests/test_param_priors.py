"""Every numeric parameter has a prior range inside its bounds around its default, shown by
`basmachi schema`; no default rests on a calibration target outside the listed exceptions."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import sim.params
from sim.cli import main
from sim.params.fields import ParamMeta, meta_of
from sim.scoring.target_file import read_outcomes

README = Path(__file__).resolve().parents[1] / "calibration" / "README.md"
ROW = re.compile(r"\b([A-Z]{1,3}\d{2}-\d{2})\b")


def _params() -> Iterator[tuple[str, object, ParamMeta]]:
    for info in pkgutil.iter_modules(sim.params.__path__):
        mod = importlib.import_module(f"sim.params.{info.name}")
        for obj in vars(mod).values():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                for f in dataclasses.fields(obj):
                    meta = meta_of(f)
                    if meta is not None:
                        yield f"{info.name}.{f.name}", f.default, meta


NUMERIC = [(n, d, m) for n, d, m in _params() if isinstance(d, int | float) and not isinstance(d, bool)]


def test_there_are_parameters_to_check() -> None:
    assert len(NUMERIC) > 150


@pytest.mark.parametrize(("name", "default", "meta"), NUMERIC, ids=[n for n, _, _ in NUMERIC])
def test_every_numeric_parameter_has_a_prior_inside_its_bounds(name: str, default: float, meta: ParamMeta) -> None:
    assert meta.prior is not None, f"{name}: no prior range"
    lo, hi = meta.prior
    assert lo <= default <= hi, f"{name}: default {default} outside its prior {meta.prior}"
    assert lo < hi or lo == hi == default
    if meta.ge is not None:
        assert lo >= meta.ge, name
    if meta.gt is not None:
        assert lo > meta.gt, name
    if meta.le is not None:
        assert hi <= meta.le, name


def _listed_exceptions() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Defaults that cite a train row", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", section, flags=re.M))


def test_no_default_rests_on_a_target_outside_the_listed_exceptions() -> None:
    rows = read_outcomes()
    listed = _listed_exceptions()
    bad = []
    for name, _, meta in _params():
        cited = [r for r in ROW.findall(meta.ref) if rows.get(r, {}).get("role") in ("train", "exclude")]
        if cited and name not in listed:
            bad.append(f"{name}: ref {meta.ref!r}")
    assert not bad
    assert listed, "the exceptions table of calibration/README.md is read"


def test_the_schema_shows_the_prior_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert "| field | default | allowed | prior |" in out
    assert "| `march_hours` | 8.0 (h) | >= 0.5 and <= 24 | 6 .. 10 |" in out


def test_the_ode_search_ranges_are_the_field_priors() -> None:
    from sim.params.ode import ODE_PRIORS, OdeParams

    fields = {f.name: meta_of(f) for f in dataclasses.fields(OdeParams)}
    for name, (lo, hi, _) in ODE_PRIORS.items():
        meta = fields[name]
        assert meta is not None and meta.prior == (lo, hi), name
