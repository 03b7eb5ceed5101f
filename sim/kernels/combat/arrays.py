"""Exact branch-free array selection shared by the numpy engine's passes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["pick"]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]


def pick(mask: Bool, yes: float | F64, no: float | F64) -> F64:
    """``np.where(mask, yes, no)`` for finite values, exactly, without a branchy select.

    ``yes * mask + no * ~mask``: multiplying by 0 or 1 and adding 0 are exact.
    """
    out = np.multiply(mask, yes, dtype=np.float64)
    if not (isinstance(no, float) and no == 0.0):
        out += np.multiply(~mask, no, dtype=np.float64)
    return out
