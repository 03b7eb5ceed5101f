"""What the command line's subcommands share: argument types and the usage error.

A leaf module (it imports nothing from ``sim``), so the subcommand modules raise
:class:`UsageError` without importing :mod:`sim.cli` back.
"""

from __future__ import annotations

import argparse

__all__ = ["MAX_SEED", "UsageError", "positive_int", "seed_int"]

MAX_SEED = 2**53
"""Largest master seed (the bound of the scenario field ``seed``)."""


class UsageError(Exception):
    """Bad command-line input; the message says what is wrong and what is allowed."""


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
