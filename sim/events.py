"""Events: what kernels report happened, as small batches of arrays.

A kernel returns a list of :class:`Events`, one batch per kind, each holding
arrays of equal length (one entry per event). The model stamps the day and the
recorder concatenates batches into the ``events`` table, so the kernels stay pure
and no Python object is created per event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Events", "events"]


@dataclasses.dataclass(frozen=True)
class Events:
    """A batch of events of one kind.

    Attributes
    ----------
    kind : str
        What happened, e.g. ``"desertion"``, ``"engagement"``, ``"town_captured"``.
    side : str
        ``"insurgent"``, ``"state"``, ``"village"`` or ``"world"``: who the ``unit`` rows index.
    unit : ndarray of int64, shape (k,)
        Row of the acting unit in its table (-1 when not a unit).
    cell : ndarray of int64, shape (k,)
        Flat cell index where it happened.
    n : ndarray of float64, shape (k,)
        The headline count (men deserted, killed, food taken ...).
    extra : mapping of str to ndarray, each shape (k,)
        Further numeric columns specific to the kind (e.g. losses by kind).
    """

    kind: str
    side: str
    unit: NDArray[np.int64]
    cell: NDArray[np.int64]
    n: NDArray[np.float64]
    extra: Mapping[str, NDArray[np.float64]] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.n.shape[0])


def events(
    kind: str,
    side: str,
    *,
    unit: ArrayLike,
    cell: ArrayLike,
    n: ArrayLike,
    **extra: ArrayLike,
) -> Events:
    """Build an :class:`Events` batch, broadcasting scalars to the common length.

    Parameters
    ----------
    kind, side
        See :class:`Events`.
    unit, cell, n : array_like, shape (k,) or scalar
        Broadcast together.
    **extra : array_like, shape (k,) or scalar
        Further numeric columns.

    Returns
    -------
    Events
    """
    cols = [
        np.asarray(unit, dtype=np.int64),
        np.asarray(cell, dtype=np.int64),
        np.asarray(n, dtype=np.float64),
    ]
    if extra:
        cols += [np.asarray(v, dtype=np.float64) for v in extra.values()]
    # the usual case, without the machinery of np.broadcast_arrays: columns of one length
    # and scalars repeated to it
    k = -1
    for a in cols:
        if a.ndim == 1:
            if k < 0:
                k = a.shape[0]
            elif a.shape[0] != k:
                k = -2
                break
        elif a.ndim:
            k = -2
            break
    if k >= 0:
        flat = [np.ascontiguousarray(a) if a.ndim else np.full(k, a) for a in cols]
    else:
        flat = [np.ascontiguousarray(a.reshape(-1)) for a in np.broadcast_arrays(*cols)]
    # the frozen dataclass's fields set at once (its __init__ sets them one by one)
    ev = object.__new__(Events)
    ev.__dict__.update(kind=kind, side=side, unit=flat[0], cell=flat[1], n=flat[2],
                       extra=dict(zip(extra.keys(), flat[3:], strict=True)))
    return ev
