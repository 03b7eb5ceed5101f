"""Compiler decorators and scalar helpers shared by the compiled combat engine's modules.

numba is imported here, so importing any ``compiled*`` module imports it; nothing in a
model run does (:mod:`sim.kernels.combat.engine` imports the engine only for large batches).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import numba
import numpy as np

__all__ = ["INF", "compiler", "floor_float", "inline", "jit", "rint_float", "smax", "smin"]

F_ = TypeVar("F_", bound=Callable[..., Any])


def compiler(inline: Literal["never", "always"]) -> Callable[[F_], F_]:
    """numba.njit, typed so that compiled functions keep their signatures for mypy."""
    return cast(Callable[[F_], F_], numba.njit(cache=True, error_model="numpy", nogil=True,
                                                 inline=inline))


jit = compiler("never")
inline = compiler("always")

INF = math.inf


@inline
def smin(a: float, b: float) -> float:
    """``np.minimum`` of two scalars (NaN propagates)."""
    if a != a:  # noqa: PLR0124 - NaN test
        return a
    if b != b:  # noqa: PLR0124
        return b
    return a if a <= b else b


@inline
def smax(a: float, b: float) -> float:
    """``np.maximum`` of two scalars (NaN propagates)."""
    if a != a:  # noqa: PLR0124
        return a
    if b != b:  # noqa: PLR0124
        return b
    return a if a >= b else b


@inline
def floor_float(x: float) -> float:
    """Floor as a float (``math.floor`` returns an int64 under numba)."""
    return float(np.floor(x))


@inline
def rint_float(x: float) -> float:
    """Round half to even, as ``np.rint``."""
    r = floor_float(x)
    d = x - r
    if d > 0.5 or (d == 0.5 and r % 2.0 != 0.0):
        r += 1.0
    return r
