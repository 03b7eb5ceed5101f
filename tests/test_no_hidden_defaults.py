"""Every behavioural number is a parameter: no module-level numeric constant hides in the
kernels except the documented mathematical, numerical, coding and engine constants below."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

KERNELS = Path(sim.__file__).resolve().parent / "kernels"

#: Module-level numbers allowed in ``sim/kernels``: none of them is a behavioural default.
ALLOWED = {
    # numerical guards of the closed forms and of the sampler
    "TINY", "R_MAX", "ARG_MIN", "SERIES", "HALF_PI", "VAR_EXACT",
    # engine tuning: block sizes and thresholds that change speed, not results
    "CHUNK", "COMPILED_MIN", "BLOCK", "THREAD_MIN", "SIZE_TABLE", "LANES", "INF",
    # fast paths: row limit of the pairwise sum, work before numba pays, field cache size
    "MAX_ROW", "THRESHOLD", "_WORK", "FIELD_CACHE",
    # ... and the share of the map below which window_max marks windows instead of filtering
    "SPARSE_FACTOR",
    # codes
    "OUTCOME_TIME", "OUTCOME_INSURGENTS_WITHDREW", "OUTCOME_STATE_WITHDREW",
    "OUTCOME_INSURGENTS_ROUTED", "OUTCOME_STATE_ROUTED", "STATE", "INSURGENT",
    # geometry of the grid
    "KM_PER_DEGREE", "CELL_KM", "DIRECTIONS",
    # mathematical constants: Cephes ndtri coefficients, sqrt(2 pi), exp(-2)
    "_P0", "_Q0", "_P1", "_Q1", "_P2", "_Q2", "_S2PI", "_EXPM2",
}

#: Modules whose module-level whole numbers are slot indices into the compiled engine's
#: parameter vector (filled from ``CombatParams`` by ``param_vector``), not values.
INDEX_MODULES = {"combat/compiled.py"}


def _numeric_constants(path: Path, *, skip_int: bool = False) -> list[str]:
    """Names bound at module level to a number or to a container of numbers (with
    ``skip_int``, those bound to whole numbers only are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        numbers = [n for n in ast.walk(node.value)
                   if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
                   and not isinstance(n.value, bool)]
        if not numbers or (skip_int and all(isinstance(n.value, int) for n in numbers)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            for name in ast.walk(t):
                if isinstance(name, ast.Name):
                    found.append(name.id)
    return found


def test_the_scan_sees_a_planted_constant(tmp_path: Path) -> None:
    f = tmp_path / "k.py"
    f.write_text('VOLUNTEER_MORALE = 0.7\nSHARE = {"open": 1.0}\nNAMES = ("a", "b")\n')
    assert _numeric_constants(f) == ["VOLUNTEER_MORALE", "SHARE"]


def test_no_behavioural_constant_in_the_kernels() -> None:
    hidden = {
        f"{p.relative_to(KERNELS)}: {name}"
        for p in KERNELS.rglob("*.py")
        for name in _numeric_constants(
            p, skip_int=p.relative_to(KERNELS).as_posix() in INDEX_MODULES
        )
        if name not in ALLOWED
    }
    assert not hidden, f"declare these in sim/params/* instead: {sorted(hidden)}"
