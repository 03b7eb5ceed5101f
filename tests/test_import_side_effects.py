"""Importing ``sim`` has no side effects on matplotlib: a notebook keeps its backend."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

#: Run as a script, not a library module (it calls ``main()`` on import).
SCRIPTS = {"sim.__main__"}


def test_importing_every_sim_module_leaves_the_matplotlib_backend_unchanged() -> None:
    # A fresh interpreter with a backend chosen up front ("svg": non-interactive but not the
    # "agg" a module might switch to), then every module of the package imported.
    code = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import matplotlib
        matplotlib.use("svg")
        import sim
        names = sorted(m.name for m in pkgutil.walk_packages(sim.__path__, "sim."))
        skipped = []
        for name in names:
            if name in {sorted(SCRIPTS)!r}:
                continue
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:  # an optional extra that is not installed
                skipped.append((name, exc.name))
                continue
            backend = matplotlib.get_backend()
            assert backend == "svg", f"importing {{name}} switched the backend to {{backend}}"
        import matplotlib.pyplot as plt
        assert plt.get_backend() == "svg", plt.get_backend()
        print(len(names), "modules", "skipped:", skipped)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert out.returncode == 0, out.stderr
    n = int(out.stdout.split()[0])
    assert n > 40  # the walk found the package's modules, not an empty list
