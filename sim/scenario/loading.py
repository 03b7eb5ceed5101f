"""Finding a scenario file by name or path and loading it: merge its ``extends`` chain,
validate, and name each problem in the file and entry where the value is written."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

from sim.extends import Origin, read_merged
from sim.paths import scenarios_dir
from sim.scenario.errors import ScenarioError, ScenarioWarning
from sim.scenario.schema import Scenario, parse_scenario
from sim.scenario.semantics import check_window
from sim.validation import InputError, Problem, Shown


def find_scenario(name_or_path: str | Path) -> Path:
    """Resolve a scenario given as a path or as a name of a file in ``scenarios/``.

    Raises
    ------
    ScenarioError
        If neither exists; the message lists the available names.
    """
    path = Path(name_or_path)
    base = scenarios_dir()
    with contextlib.suppress(OSError, ValueError):
        if path.is_file():
            return path
        for candidate in (base / f"{name_or_path}.toml", base / str(name_or_path)):
            if candidate.is_file():
                return candidate
    names = sorted(p.stem for p in base.glob("*.toml")) if base.is_dir() else []
    raise ScenarioError(
        [
            Problem(
                str(name_or_path)[:200],
                "",
                str(name_or_path),
                "an existing file or one of " + ", ".join(names),
            )
        ]
    )


def load_scenario(name_or_path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Load, merge (``extends``, see :mod:`sim.extends`) and validate a scenario file.

    Parameters
    ----------
    name_or_path
        A path to a TOML file, or the name of a file in the project's ``scenarios/``.
    allow_outside
        Follow ``extends`` to files outside the scenario's folder tree and ``scenarios/``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem, each with the file where the value is written (the
        scenario or a parent it extends), the field path as the user wrote it
        (``timeline[id="amnesty-1925"].date``), the value and what is allowed.

    Warns
    -----
    ScenarioWarning
        For an inherited timeline entry that cannot take effect in the run's window.
    """
    path = find_scenario(name_or_path)
    roots = (path.resolve().parent, scenarios_dir().resolve())
    data, origin = read_merged(path, roots=roots[1:], allow_outside=allow_outside)
    try:
        scenario = parse_scenario(data, origin=str(path))
    except InputError as exc:
        raise ScenarioError([hide_outside(relocate(p, origin), roots) for p in exc.problems]) from None
    notes: list[Problem] = []
    check_window(scenario, str(path), notes)
    errors: list[Problem] = []
    for note in notes:
        moved = relocate(note, origin)
        if moved.file == str(path):
            errors.append(moved)
        else:
            warnings.warn(ScenarioWarning(str(moved)), stacklevel=2)
    if errors:
        raise ScenarioError(errors)
    return scenario


def hide_outside(p: Problem, roots: tuple[Path, ...]) -> Problem:
    """A problem of a file outside the scenario folders (``allow_outside``), its contents not shown."""
    try:
        inside = any(Path(p.file).resolve().is_relative_to(r) for r in roots)
    except (OSError, ValueError):
        inside = False
    if inside:
        return p
    return Problem(
        p.file,
        "<a field>",
        Shown("<not shown: the file is outside the scenario folders>"),
        p.allowed.split(": ")[0] if p.allowed.startswith("a known field") else p.allowed,
    )


def relocate(p: Problem, origin: Origin) -> Problem:
    """A problem found in the merged scenario, moved to the file and entry where it is written."""
    file, shown = origin.locate(p.path)
    return Problem(file, shown, p.value, p.allowed)
