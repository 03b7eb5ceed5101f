"""The tiny scenario cut to three weeks, for sweep tests that run many replicates."""

from __future__ import annotations

from pathlib import Path

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"

#: Written as ``short.toml`` next to a sweep spec that names it.
SHORT = f"""
extends = "{TINY.as_posix()}"
name = "tiny_short"
end = 1926-03-21
[[timeline]]
id = "reinforcements"
remove = true
"""
