"""Conversion of plain TOML values into the schema's dataclasses, collecting every
problem (wrong key, type or bound) instead of stopping at the first, and back to plain
values."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union

from sim.params.fields import meta_of
from sim.validation import Problem, number_problem

T = TypeVar("T")


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is tuple:
        (inner, _) = typing.get_args(tp)
        return f"an array of {_type_name(inner)}"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return f"a table ({tp.__name__})"
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if tp is dt.date:
        return "a date (YYYY-MM-DD)"
    return names.get(tp, str(tp))


def _convert(value: Any, tp: Any, path: str, origin: str, problems: list[Problem]) -> Any:
    """Convert one TOML value to the annotated type, appending problems instead of raising."""
    torigin = typing.get_origin(tp)
    if torigin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(value, args[0], path, origin, problems)
    if torigin is tuple:
        inner = typing.get_args(tp)[0]
        if not isinstance(value, (list, tuple)):
            problems.append(Problem(origin, path, value, _type_name(tp)))
            return None
        return tuple(
            _convert(v, inner, f"{path}[{i}]", origin, problems) for i, v in enumerate(value)
        )
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            problems.append(Problem(origin, path, value, _type_name(tp)))
            return None
        return convert_dataclass(tp, value, path, origin, problems)  # type: ignore[arg-type]
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and isinstance(value, int):
            ok = abs(value) < 2**1023
            value = float(value) if ok else value
        if ok and not math.isfinite(value):
            problems.append(Problem(origin, path, value, "a finite number"))
            return None
    elif tp is str:
        ok = isinstance(value, str)
    elif tp is dt.date:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    else:  # pragma: no cover - schema declares only the types above
        ok = False
    if not ok:
        problems.append(Problem(origin, path, value, _type_name(tp)))
        return None
    return value


def convert_dataclass(
    cls: type[T], data: Mapping[str, Any], path: str, origin: str, problems: list[Problem]
) -> T | None:
    """An instance of ``cls`` from a TOML table, or None (with problems appended) if invalid."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    before = len(problems)
    for key, value in data.items():
        sub = f"{path}.{key}" if path else key
        if key not in fields:
            allowed = "a known field: " + ", ".join(sorted(fields))
            problems.append(Problem(origin, sub, value, allowed))
            continue
        converted = _convert(value, hints[key], sub, origin, problems)
        meta = meta_of(fields[key])
        if converted is not None and meta is not None:
            _check_bounds(converted, meta, sub, origin, problems)
        kwargs[key] = converted
    if len(problems) > before:
        return None
    return cls(**kwargs)


def _check_bounds(value: Any, meta: Any, path: str, origin: str, problems: list[Problem]) -> None:
    if isinstance(value, tuple):  # the bounds hold for every element (cells, bbox)
        for i, item in enumerate(value):
            _check_bounds(item, meta, f"{path}[{i}]", origin, problems)
    elif meta.choices and isinstance(value, str):
        if value not in meta.choices:
            problems.append(Problem(origin, path, value, meta.allowed()))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        bad = number_problem(value, ge=meta.ge, le=meta.le, gt=meta.gt)
        if bad is not None:
            problems.append(Problem(origin, path, value, bad))


def plain(obj: Any) -> Any:
    """Nested dicts and lists of a schema object, dates as ISO strings."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
