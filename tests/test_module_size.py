"""Small modules named after what they hold: no module of ``sim`` is longer than 600 lines
(issue: the largest module in ``sim/`` is at most 600 lines)."""

from __future__ import annotations

from pathlib import Path

import sim

ROOT = Path(sim.__file__).resolve().parent
MAX_LINES = 600


def _long_modules(root: Path, limit: int) -> dict[str, int]:
    lengths = {
        p.relative_to(root).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in root.rglob("*.py")
    }
    return {name: n for name, n in lengths.items() if n > limit}


def test_the_check_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "big.py").write_text("x = 1\n" * 601)
    (tmp_path / "small.py").write_text("x = 1\n" * 600)
    assert _long_modules(tmp_path, MAX_LINES) == {"pkg/big.py": 601}


def test_no_module_in_sim_is_longer_than_600_lines() -> None:
    long = _long_modules(ROOT, MAX_LINES)
    assert not long, f"split these into modules named after what they hold: {long}"
