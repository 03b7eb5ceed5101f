"""Shared fixtures: scenario paths and small helpers."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

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
