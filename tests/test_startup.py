"""Cheap start-up: light subcommands never import pandas, matplotlib or numba."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "matplotlib", "numba", "pyarrow", "mesa")

# Runs the command line in a fresh interpreter and prints its exit code and which heavy
# modules it imported.
PROBE = """
import json, sys
from sim.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
""".replace("HEAVY", repr(HEAVY))


def _probe(*argv: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=False)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("run", "--help"), ("schema",), ("validate", "scenarios/tiny.toml"),
     ("validate", "no_such_scenario.toml")],
)
def test_light_commands_import_nothing_heavy(argv: tuple[str, ...]) -> None:
    got = _probe(*argv)
    assert got["heavy"] == []
    assert got["code"] == (2 if "no_such_scenario.toml" in argv else 0)


def test_the_probe_sees_heavy_imports() -> None:
    """The probe itself can fail: a command that reads tables does import pandas."""
    got = _probe("score", "--help")
    assert got["code"] == 0
    import_all = subprocess.run(
        [sys.executable, "-c", PROBE.replace("from sim.cli import main",
                                             "import sim.runner\nfrom sim.cli import main"),
         "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert "pandas" in json.loads(import_all.stdout.strip().splitlines()[-1])["heavy"]


def test_run_no_plot_writes_tables_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    from sim.cli import main

    out = tmp_path / "tiny"
    assert main(["run", "tiny", "--seed", "3", "--out", str(out), "--quiet", "--no-plot"]) == 0
    printed = capsys.readouterr().out
    assert "wrote      steps" in printed and "wrote      plot" not in printed
    assert (out / "steps.parquet").exists() and not (out / "summary.png").exists()


def test_lazy_exports_are_the_functions_whatever_is_imported_first() -> None:
    """``sweep`` and ``evaluate`` name both a module and the function the package exports."""
    code = (
        "import sim.experiments.sweep, sim.scoring.evaluate\n"
        "from sim.experiments import sweep, load_spec\n"
        "from sim.scoring import evaluate, TargetError\n"
        "import sim.scoring as sc\n"
        "print(callable(sweep) and sweep.__name__, evaluate.__name__, TargetError.__name__,\n"
        "      sc.load_targets.__name__)\n"
        "try:\n"
        "    sc.no_such_name\n"
        "except AttributeError as exc:\n"
        "    print('missing', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120, check=True).stdout.split("\n")
    assert out[0] == "sweep evaluate TargetError load_targets"
    assert out[1].startswith("missing") and "no_such_name" in out[1]
