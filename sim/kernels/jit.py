"""The numba decorators of the compiled kernels (:mod:`sim.kernels.compiled`,
:mod:`sim.kernels.search_compiled`, :mod:`sim.kernels.movement_compiled`).

No fast-math: operations keep numpy's order, so compiled passes can equal their numpy
references bit for bit. Functions are cached on disk (``cache=True``). Importing this
module imports numba: only the compiled modules do, once a process uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["inline", "jit"]

_F = TypeVar("_F", bound=Callable[..., Any])


def jit(f: _F) -> _F:
    """``numba.njit`` (cached, numpy's error model, no GIL), typed for mypy."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", nogil=True)(f))


def inline(f: _F) -> _F:
    """Like :func:`jit`, inlined into its callers (numba IR inlining)."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", inline="always")(f))
