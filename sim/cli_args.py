"""What the command line's subcommands share: argument types and the usage error.

A leaf module (it imports nothing from ``sim``), so the subcommand modules raise
:class:`UsageError` without importing :mod:`sim.cli` back.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "MAX_REPLICATES",
    "MAX_SEED",
    "MAX_WORKERS",
    "UsageError",
    "int_in",
    "output_file",
    "output_folder",
    "port_int",
    "positive_int",
    "replicates_int",
    "seed_int",
    "workers_int",
]

MAX_SEED = 2**53
"""Largest master seed (the bound of the scenario field ``seed``)."""
MAX_REPLICATES = 10_000
"""Most replicates of one ``score`` or ``compare`` (about a day of a short campaign's runs on one core)."""
MAX_WORKERS = 1024
"""Most worker processes of a sweep or calibration."""


class UsageError(Exception):
    """Bad command-line input; the message says what is wrong and what is allowed."""


def int_in(low: int, high: int, *, high_text: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number in ``low .. high``, or a clear error naming the value."""
    allowed = f"a whole number {low} .. {high_text or f'{high:,}'}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {allowed}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {allowed}, got {text!r}")
        return value

    parse.__name__ = f"int_{low}_{high}"  # argparse names the type in its messages
    return parse


positive_int = int_in(1, 2**31 - 1)
"""argparse type: a whole number >= 1 (below 2**31)."""
seed_int = int_in(0, MAX_SEED, high_text="2**53")
"""argparse type: a master seed, a whole number in 0 .. :data:`MAX_SEED`."""
replicates_int = int_in(1, MAX_REPLICATES)
"""argparse type: a number of replicates, 1 .. :data:`MAX_REPLICATES`."""
workers_int = int_in(1, MAX_WORKERS)
"""argparse type: a number of worker processes, 1 .. :data:`MAX_WORKERS`."""
port_int = int_in(1, 65535)
"""argparse type: a TCP port."""


def _path_problem(text: str) -> str | None:
    """Why ``text`` cannot name a path to write, if an existing part of it says so."""
    if not text:
        return "a path, not an empty text"
    if "\0" in text:
        return "a path without NUL bytes"
    path = Path(text)
    try:
        for parent in path.parents:
            if parent.exists() and not parent.is_dir():
                return f"a path inside a folder ({parent} is a file)"
    except OSError as exc:  # name too long and the like
        return f"a usable path ({exc.strerror or exc})"
    return None


def output_folder(text: str) -> str:
    """argparse type: a folder to write into; refuses a file, a path under a file, a NUL byte."""
    problem = _path_problem(text)
    if problem is None and Path(text).exists() and not Path(text).is_dir():
        problem = "a folder, this is a file"
    if problem is not None:
        raise argparse.ArgumentTypeError(f"expected {problem}, got {text!r}")
    return text


def output_file(text: str) -> str:
    """argparse type: a file to write; refuses a folder, a path under a file, a NUL byte."""
    problem = _path_problem(text)
    if problem is None and Path(text).is_dir():
        problem = "a file name, this is a folder"
    if problem is not None:
        raise argparse.ArgumentTypeError(f"expected {problem}, got {text!r}")
    return text
