"""The import graph of ``sim``: no module imports itself back, directly or through others.

Every ``import`` and ``from ... import`` statement of every module under ``sim/`` counts,
at module level and inside functions (a function-level import still closes a circle at
run time). Two kinds of statement do not:

- imports under ``if TYPE_CHECKING:`` run only for the type checker, never at run time;
- the parent packages an import initialises implicitly (``import sim.kernels.combat.terms``
  runs ``sim/kernels/combat/__init__.py`` first): counting them would make every package
  that re-exports its modules a circle with each of them. The edge goes to the module
  named, and ``from package import name`` goes to the submodule when ``name`` is one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                for inner in ast.walk(sub):
                    if hasattr(inner, "lineno"):
                        lines.add(inner.lineno)
    return lines


def _resolve(name: str, current: str, level: int, is_package: bool) -> str:
    if level == 0:
        return name
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def import_graph() -> dict[str, set[str]]:
    """Edges module -> sim modules it imports (see the module docstring for what counts)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_lines(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node.module or "", mod, node.level, is_package)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in mods else base)
            for target in targets:
                t = target
                while t and t not in mods:  # `import sim.x.y` of a name, not a module
                    t = t.rpartition(".")[0]
                if t in mods and t != mod:
                    graph[mod].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a list of modules (first == last), or [] if none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*stack[stack.index(n):], n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return []


def test_the_graph_sees_module_and_function_level_imports() -> None:
    g = import_graph()
    assert "sim.phases" in g["sim.model"]  # module level
    assert "sim.kernels.combat.compiled" in g["sim.kernels.combat.engine"]  # inside a function
    assert "sim.kernels.combat.terms" in g["sim.kernels.combat.compiled"]


def test_find_cycle_finds_a_planted_circle() -> None:
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(g) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_sim() -> None:
    cycle = find_cycle(import_graph())
    assert not cycle, "import circle: " + " -> ".join(cycle)


def test_a_model_run_does_not_import_numba() -> None:
    """numba is imported only when the compiled combat engine is used (batch studies)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sim.runner import run\n"
        "from sim.scenario import load_scenario\n"
        "run(load_scenario('tiny'), seed=1)\n"
        "assert 'numba' not in sys.modules, 'numba imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
