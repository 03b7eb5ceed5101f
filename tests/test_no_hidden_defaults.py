"""Every behavioural number is a parameter: no numeric literal hides in the kernels except
the documented mathematical, numerical, coding and engine constants below.

Two scans of ``sim/kernels``: module-level names bound to numbers (allowed by name), and
every number written inside the kernels' code (allowed per module, function and value, each
with the reason it is not a behavioural default). A new literal fails until it becomes a
parameter in ``sim/params/*`` or is listed here with its reason; an entry no longer found
fails too, so the list stays the list of what is in the code."""

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
    # ... and the largest stacked table of post-to-cell hours kept for the raid choice
    "RAID_TABLE",
    # ... and the share of the map below which window_max marks windows instead of filtering
    "SPARSE_FACTOR",
    # ... and the number of draws from which the row-by-row kernels make one numpy call
    "MANY_DRAWS",
    # ... and the number of bands above which row-by-row kernels take their numpy forms
    "ROWWISE_MAX_BANDS",
    # ... and the largest table of the villages near every cell built at once
    "NEAR_TABLE_MAX",
    # codes
    "UNSEARCHED",  # next step where a partly searched field was not searched (a sentinel)
    "OUTCOME_TIME", "OUTCOME_INSURGENTS_WITHDREW", "OUTCOME_STATE_WITHDREW",
    "OUTCOME_INSURGENTS_ROUTED", "OUTCOME_STATE_ROUTED", "STATE", "INSURGENT",
    "TRAIN_WAITING", "TRAIN_ON_THE_WAY", "TRAIN_ARRIVED", "TRAIN_CAPTURED",
    # geometry of the grid
    "KM_PER_DEGREE", "CELL_KM", "DIRECTIONS",
    # mathematical constants: Cephes ndtri coefficients, sqrt(2 pi), exp(-2)
    "_P0", "_Q0", "_P1", "_Q1", "_P2", "_Q2", "_S2PI", "_EXPM2",
}

#: Modules whose module-level whole numbers are slot indices into a compiled pass's
#: parameter vector (the combat engine's, filled from ``CombatParams`` by ``param_vector``;
#: the supply pass's, filled from ``SupplyParams`` by ``_scalars``), not values.
INDEX_MODULES = {"combat/compiled.py", "supply_compiled.py"}


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


#: Numbers written anywhere in kernel code without a justification below: 0, 1, 2 and -1
#: used mathematically (identities, sign, halves and doubles of a formula, sentinel -1).
PLAIN = {0, 1, 2, -1}

#: Every other number in the kernels' code (not module-level constants, docstrings or
#: subscripts), by (module, function, value), with why it is not a behavioural default.
JUSTIFIED: dict[tuple[str, str, float], str] = {
    # --- compiled combat engine: mirrors of the numpy engine, same justifications ----------
    ("combat/compiled.py", "_size_table", 16): "lru_cache size: speed only",
    ("windows.py", "minus_ones", 8): "lru_cache size: speed only",
    ("combat/compiled.py", "_resolve_range", 0.5): "round half up of captured rifles",
    ("combat/compiled.py", "_resolve_range", 1e-09): "guard of a zero base before a power",
    ("combat/compiled.py", "_resolve_range", 6): "the six expected-loss rows (3 per side)",
    ("combat/compiled.py", "_size_table", 1e-09): "guard of a zero base before a power",
    ("combat/compiled.py", "compiled_resolve", 12): "number of output rows",
    ("combat/compiled.py", "compiled_resolve", 5): "number of pre-drawn uniforms per fight",
    ("combat/compiled.py", "compiled_resolve", 10): "number of input arrays before the optional one",
    ("combat/compiled.py", "compiled_resolve", 11): "number of input arrays before the band rule",
    ("combat/compiled_base.py", "rint_float", 0.5): "round half to even",
    ("combat/compiled_draws.py", "binomial_start", 0.5): "round half up",
    ("combat/compiled_draws.py", "binomial_start", 6.0): "Cornish-Fisher skew term z^2-1 over 6",
    ("combat/compiled_draws.py", "ndtri_scalar", 0.5): "symmetry of the normal quantile",
    ("combat/compiled_draws.py", "ndtri_scalar", 8.0): "Cephes ndtri branch point",
    ("combat/compiled_law.py", "_linear_time", 0.5): "series term and branch of log1p",
    ("combat/compiled_law.py", "_linear_time", 1e300): "overflow guard",
    ("combat/compiled_law.py", "_linear_value", 0.5): "series term of expm1(x)/x",
    ("combat/compiled_law.py", "_riccati", 0.5): "half-angle form of tanh",
    ("combat/compiled_law.py", "law", 0.5): "half-angle form of tanh",
    ("combat/compiled_law.py", "law", 4.0): "sech^2 = 4 / (e^x + e^-x)^2",
    ("combat/compiled_law.py", "law", 3): "code of the law (linear)",
    ("combat/compiled_law.py", "law", 6): "code of the law (circular, state hidden)",
    ("combat/compiled_law.py", "law_code", 5): "code of the law (circular, band hidden)",
    ("combat/compiled_law.py", "law_code", 6): "code of the law (circular, state hidden)",
    # --- numpy combat ----------------------------------------------------------------------
    ("combat/day.py", "combat_day", 1e12): "sort key: a garrison leads before any column",
    ("combat/engine.py", "resolve_engagements", 5): "number of pre-drawn uniforms per fight",
    ("combat/outcome.py", "resolve_numpy", 0.5): "round half up of captured rifles",
    ("combat/sampling.py", "_binomial", 0.5): "round half up; symmetry p > 1/2",
    ("combat/sampling.py", "_binomial", 6.0): "Cornish-Fisher skew term z^2-1 over 6",
    ("combat/terms.py", "engagement_terms", 1e-09): "guard of a zero base before a power",
    ("lanchester.py", "_linear_time", 0.5): "series term and branch of log1p",
    ("lanchester.py", "_linear_time", 1e300): "overflow guard",
    ("lanchester.py", "_linear_value", 0.5): "series term of expm1(x)/x",
    ("lanchester.py", "_mixed", 0.5): "half-angle form of tanh",
    ("lanchester.py", "_mixed", 4.0): "sech^2 = 4 / (e^x + e^-x)^2",
    ("lanchester.py", "_riccati", 0.5): "half-angle form of tanh",
    ("lanchester.py", "lanchester_mixed", 3): "code of the law (linear)",
    ("lanchester.py", "lanchester_mixed", 5): "code of the law (circular, band hidden)",
    ("lanchester.py", "lanchester_mixed", 6): "code of the law (circular, state hidden)",
    # --- fast paths ---------------------------------------------------------------------------
    ("compiled.py", "_row_sum", 8): "numpy's pairwise summation unrolls by eight",
    ("compiled.py", "village_step", 8): "rows of eight have an unrolled kernel: speed",
    ("villages.py", "village_day", 8): "rows of eight have an unrolled kernel: speed",
    ("compiled.py", "village_step", 4): "four rows: support, grievance, fear, weariness",
    ("compiled.py", "village_step", 3): "three fields spread: support, grievance, fear",
    ("compiled.py", "_village_dynamics", 3): "packed row: three fields spread, then people",
    ("compiled.py", "_village_spread", 3): "packed row: three fields spread, then people",
    ("villages.py", "neighbour_mean", 128): "compiled row sum's limit (compiled.MAX_ROW): speed",
    ("search_compiled.py", "distances_near", 1e-09): "rounding margin of a pruning bound: speed",
    ("search_compiled.py", "flee_walk", 1e-09): "rounding margin of a pruning bound: speed",
    ("movement_compiled.py", "_walk", 3): "direction code W of the four edges",
    ("movement_compiled.py", "column_plan", 3): "three lists per graph: patrols, walks, takes",
    ("search_compiled.py", "_flee_walk", 3): "direction code W of the four edges",
    ("search_compiled.py", "_flee_walk", 4): "four edges of a grid cell",
    ("rowwise.py", "row_sum", 8): "numpy's pairwise sum: eight partial sums (bit-identical sums)",
    ("rowwise.py", "row_sum", 128): "numpy's pairwise sum: block size (bit-identical sums)",
    **{("neighbours.py", "_pairwise_sum", k): "numpy's pairwise summation: its 8 accumulators"
       for k in (3, 4, 5, 6, 7, 8)},
    ("neighbours.py", "_pairwise_sum.acc", 8): "numpy's pairwise summation: its 8 accumulators",
    # --- movement -------------------------------------------------------------------------------
    ("movement/columns.py", "visible_bands", 0.5): "any unit in the window: k/w^2 > 0.5/w^2",
    ("movement/paths.py", "_edge_cost", 3): "direction code W of the four edges",
    ("movement/paths.py", "cached", 512): "field cache bound: cleared fields are rebuilt equal",
    ("movement/bands.py", "_posts", 512): "field cache bound: cleared sorts are redone equal",
    # --- population, supply, geometry ---------------------------------------------------------
    ("population_context.py", "_village_neighbours", 4): "lru_cache size: speed only",
    ("leaders.py", "leader_fate", 4): "the four uniforms per leader: fate, betrayal, exit, return",
    ("recruitment.py", "intelligence", 1e-09): "guard of a division by zero",
    ("supply.py", "supply_day_numpy", 1e-09): "guard of a division by zero",
    ("supply_compiled.py", "_pass", 1e-09): "guard of a division by zero (as supply.py)",
    ("supply_compiled.py", "_scalars", 16): "lru_cache size: speed only",
    ("villages.py", "_flight_constants", 1e-09): "guard of a division by zero",
    ("villages.py", "_flight_numpy", 1e-09): "guard of a division by zero",
    ("tally.py", "losses_of_day", 3): "the three kinds of losses (killed, wounded, captured)",
    ("terrain.py", "grid_neighbours", 8): "lru_cache size: speed only",
    ("terrain.py", "build_graph", 4): "four edges of a grid cell",
    ("terrain.py", "grid_neighbours", 4): "four edges of a grid cell",
    ("terrain.py", "build_graph.edge", 0.5): "mean of the two cells' cover multipliers",
    ("terrain.py", "build_graph.edge", 1000.0): "metres per kilometre",
    ("terrain.py", "cell_km", 0.5): "latitude of a cell's centre",
}


def _in_code(path: Path) -> set[tuple[str, float]]:
    """(function, value) of every number in ``path``'s code outside module-level
    assignments, docstrings and subscripts, and not in :data:`PLAIN` (a decorator's
    numbers belong to the function it decorates)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Subscript):
            skip |= {id(n) for n in ast.walk(node.slice)}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            skip |= {id(n) for n in ast.walk(node.value)}
    found: set[tuple[str, float]] = set()

    def visit(node: ast.AST, scope: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope = f"{scope}.{node.name}" if scope else node.name
        elif (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
              and not isinstance(node.value, bool) and id(node) not in skip
              and node.value not in PLAIN):
            found.add((scope or "<module>", node.value))
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, "")
    return found


def test_the_literal_scan_sees_a_planted_number(tmp_path: Path) -> None:
    f = tmp_path / "k.py"
    f.write_text(
        'LIMIT = 3.0\n'
        'def rule(x, *, bound=64):\n'
        '    """Docstring 0.7."""\n'
        '    return x[3] * 0.5 + 2 * x[0] - 1 + 4 * bound\n'
    )
    assert _in_code(f) == {("rule", 64), ("rule", 0.5), ("rule", 4)}


def test_every_number_in_kernel_code_is_a_parameter_or_justified() -> None:
    found = {
        (p.relative_to(KERNELS).as_posix(), scope, value)
        for p in KERNELS.rglob("*.py")
        for scope, value in _in_code(p)
    }
    hidden = sorted(found - JUSTIFIED.keys(), key=str)
    assert not hidden, (
        f"numbers in kernel code: make them parameters in sim/params/* or justify them: {hidden}"
    )
    stale = sorted(JUSTIFIED.keys() - found, key=str)
    assert not stale, f"justified numbers no longer in the code: {stale}"
