"""Architecture boundaries: kernels are pure numpy; only three modules import Mesa."""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"
FORBIDDEN_IN_KERNELS = {"mesa", "pandas", "matplotlib", "random", "tqdm"}
# bench step times a plain Mesa 3 model as its baseline
MESA_MODULES = {"model.py", "agents.py", "viz.py", "benchmarks/step.py"}


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_kernels_import_no_mesa_pandas_matplotlib_or_random() -> None:
    for path in sorted((SIM / "kernels").rglob("*.py")):
        bad = imported(path) & FORBIDDEN_IN_KERNELS
        assert not bad, f"{path.relative_to(SIM)} imports {bad}"


def test_only_model_and_agents_import_mesa() -> None:
    users = {p.relative_to(SIM).as_posix() for p in SIM.rglob("*.py") if "mesa" in imported(p)}
    assert users <= MESA_MODULES, users


def test_leaves_do_not_import_upper_layers() -> None:
    leaves = [SIM / n for n in ("state.py", "events.py", "seeds.py", "geography.py")]
    leaves += sorted((SIM / "scenario").glob("*.py"))
    for leaf in leaves:
        mods = imported(leaf)
        assert "mesa" not in mods and "pandas" not in mods, leaf.name
