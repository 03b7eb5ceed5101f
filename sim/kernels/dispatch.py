"""When the compiled passes of :mod:`sim.kernels.compiled` are used instead of numpy.

Both paths give the same results; the compiled one is faster per day but importing and
loading numba costs about a second of CPU and 110 MiB per process. A process therefore
uses the compiled passes once the work it has announced (village-days, added by every
run as it starts, see :func:`expect_work`) reaches :data:`THRESHOLD`: a long campaign,
or enough replicates of a batch or sweep worker. Short runs never import numba.
:func:`compiled_paths` forces either path (benchmarks, tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["THRESHOLD", "compiled_paths", "enabled", "expect_work", "numpy_reference"]

#: Village-days of work from which the compiled passes pay for numba's start-up.
THRESHOLD = 2.0e6

_FORCED: list[bool | None] = [None]
_WORK = [0.0]


def expect_work(village_days: float) -> None:
    """Announce the village-days a run about to start will simulate."""
    _WORK[0] += float(village_days)


def enabled() -> bool:
    """Whether callers should use the compiled passes now."""
    forced = _FORCED[0]
    return _WORK[0] >= THRESHOLD if forced is None else forced


@contextlib.contextmanager
def compiled_paths(on: bool) -> Iterator[None]:
    """Use (``on``) or avoid the compiled passes inside this block, whatever the work."""
    before = _FORCED[0]
    _FORCED[0] = on
    try:
        yield
    finally:
        _FORCED[0] = before


def numpy_reference() -> contextlib.AbstractContextManager[None]:
    """The numpy reference paths inside this block (``compiled_paths(False)``)."""
    return compiled_paths(False)
