"""Where the project's data live: the scenarios folder and the committed geography."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "scenarios_dir"]


def project_root() -> Path:
    """The checkout holding ``sim/`` (the package is installed in editable mode)."""
    return Path(__file__).resolve().parents[1]


def scenarios_dir() -> Path:
    """The scenarios folder: ``$BASMACHI_SCENARIOS`` if set, else ``<project>/scenarios``."""
    env = os.environ.get("BASMACHI_SCENARIOS")
    return Path(env) if env else project_root() / "scenarios"
