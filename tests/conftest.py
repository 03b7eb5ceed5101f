"""Shared fixtures: scenario paths and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# The default profile replays a fixed set of examples, so CI is reproducible; run with
# HYPOTHESIS_PROFILE=explore to search with fresh random examples (and more of them).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def tiny_path() -> Path:
    return SCENARIOS / "tiny.toml"


@pytest.fixture
def write_toml(tmp_path: Path):
    """Write a TOML text to a file in a temporary folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
