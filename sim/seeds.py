"""Seeds: one SeedSequence per run, one child stream per model phase.

Phases are listed in a fixed order and new phases are appended at the end, so
adding a phase never changes the streams of the existing ones.
"""

from __future__ import annotations

import json

import numpy as np

__all__ = ["PHASES", "as_seed_sequence", "from_record", "phase_generators", "seed_record"]

PHASES = ("mesa", "timeline", "movement", "supply", "combat", "population", "control")


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Accept an integer master seed or an existing SeedSequence (e.g. spawned by a sweep)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise ValueError(f"seed must be a non-negative integer or a SeedSequence, got {seed!r}")


def phase_generators(ss: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One independent generator per phase, derived deterministically from ``ss``."""
    children = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key).spawn(len(PHASES))
    return {
        name: np.random.default_rng(child) for name, child in zip(PHASES, children, strict=True)
    }


def seed_record(ss: np.random.SeedSequence) -> dict[str, str]:
    """What to store with a run to rebuild its SeedSequence: entropy and spawn key as text."""
    return {"seed_entropy": str(ss.entropy), "spawn_key": json.dumps(list(ss.spawn_key))}


def from_record(entropy: str, spawn_key: str) -> np.random.SeedSequence:
    """Rebuild the SeedSequence stored by :func:`seed_record`."""
    return np.random.SeedSequence(int(entropy), spawn_key=tuple(json.loads(spawn_key)))
