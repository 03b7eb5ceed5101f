"""Where the project's data live: the scenarios folder, the documented history, the geography."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["history_dir", "history_file", "project_root", "scenarios_dir"]


def project_root() -> Path:
    """The checkout holding ``sim/`` (the package is installed in editable mode)."""
    return Path(__file__).resolve().parents[1]


def scenarios_dir() -> Path:
    """The scenarios folder: ``$BASMACHI_SCENARIOS`` if set, else ``<project>/scenarios``."""
    env = os.environ.get("BASMACHI_SCENARIOS")
    return Path(env) if env else project_root() / "scenarios"


def history_dir() -> Path:
    """The documented history (``outcomes.csv``, ``places.csv``).

    ``$BASMACHI_HISTORY`` if set, else ``<project>/calibration/history`` (committed with
    the project, so a fresh clone needs nothing beside it).
    """
    env = os.environ.get("BASMACHI_HISTORY")
    return Path(env) if env else project_root() / "calibration" / "history"


def history_file(name: str) -> Path:
    """A file of :func:`history_dir`, e.g. ``history_file("outcomes.csv")``.

    Raises
    ------
    FileNotFoundError
        Naming the path looked at and how to point elsewhere.
    """
    path = history_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file; the documented history ships in calibration/history/ of "
            "the project (set BASMACHI_HISTORY to the folder holding outcomes.csv and places.csv)"
        )
    return path
