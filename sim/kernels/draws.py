"""Random draws made only where they can come out non-zero."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.kernels.rowwise import MANY_DRAWS

__all__ = ["sparse_binomial"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def sparse_binomial(rng: np.random.Generator, n: I64, prob: F64 | float) -> I64:
    """``rng.binomial(n, prob)`` drawn only where ``n > 0`` and ``prob > 0``, 0 elsewhere.

    numpy's binomial returns 0 without drawing where ``n == 0`` or ``prob == 0``, so this
    is the same draw, in the same stream, without looping over every village.

    Parameters
    ----------
    n : ndarray of int64, shape (m,)
    prob : float or ndarray of float64, shape (m,)

    Returns
    -------
    ndarray of int64, shape (m,)

    Raises
    ------
    ValueError
        Where numpy's binomial would: ``n < 0``, ``prob`` outside [0, 1] or NaN.
    """
    out = np.zeros(n.shape, dtype=np.int64)
    if n.size and n.min() < 0:  # numpy would refuse it too
        raise ValueError("binomial needs n >= 0 and 0 <= prob <= 1 (not NaN)")
    # (array methods rather than numpy's function wrappers: this runs a few times a day)
    if isinstance(prob, (float, int)) or (isinstance(prob, np.ndarray) and prob.ndim == 0):
        # One probability for all: numpy draws element by element with it either way.
        pf = float(prob)
        if not pf >= 0:
            raise ValueError("binomial needs n >= 0 and 0 <= prob <= 1 (not NaN)")
        if pf > 0:
            live = n.reshape(-1).nonzero()[0]
            if live.size:
                out.reshape(-1)[live] = _draw(rng, n.reshape(-1)[live], pf)
        return out
    pr = np.asarray(prob, dtype=np.float64)
    if pr.shape != n.shape:
        pr = np.broadcast_to(pr, n.shape)
    if pr.size and not pr.min() >= 0:  # NaN too
        raise ValueError("binomial needs n >= 0 and 0 <= prob <= 1 (not NaN)")
    live = ((n > 0) & (pr > 0)).reshape(-1).nonzero()[0]
    if live.size:
        out.reshape(-1)[live] = _draw(rng, n.reshape(-1)[live], pr.reshape(-1)[live])
    return out


def _draw(rng: np.random.Generator, n: I64, prob: F64 | float) -> I64 | list[int]:
    """``rng.binomial(n, prob)`` of the live draws (``n > 0``, ``prob`` in (0, 1]): one call
    per draw while there are fewer than ``MANY_DRAWS`` (numpy's array call costs as much as
    some fifteen scalar ones), else one call over the array. numpy draws an array element
    by element in order, so the stream and the numbers are the same either way."""
    if n.size >= MANY_DRAWS:
        drawn: I64 = rng.binomial(n, prob)
        return drawn
    if isinstance(prob, float):
        return [int(rng.binomial(k, prob)) for k in n.tolist()]
    return [int(rng.binomial(k, q)) for k, q in zip(n.tolist(), prob.tolist(), strict=True)]
