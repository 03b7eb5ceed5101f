"""Argument types shared by the command line's subcommands."""

from __future__ import annotations

import argparse

__all__ = ["MAX_SEED", "positive_int", "seed_int"]

MAX_SEED = 2**53
"""Largest master seed (the bound of the scenario field ``seed``)."""


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1, or a clear error naming the value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def seed_int(text: str) -> int:
    """argparse type: a master seed, a whole number in 0 .. :data:`MAX_SEED`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number 0 .. 2**53, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number 0 .. 2**53, got {text!r}")
    return value
