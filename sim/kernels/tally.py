"""What the day's events of the earlier phases mean for the population phase.

The population rules book the men each band lost since the last population phase as
killed, wounded and captured, and the civilians caught in each village's fights;
they read these from the day's ``desertion``, ``engagement`` and ``leader_exit``
batches, handed to them by the model (never read back from the recorder).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from sim.events import Events
from sim.state import Bands

__all__ = ["DayLosses", "losses_of_day"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

_SPLIT = ("insurgents_killed", "insurgents_wounded", "insurgents_captured")


@dataclasses.dataclass(frozen=True)
class DayLosses:
    """The day's losses as the population rules need them.

    Attributes
    ----------
    killed, wounded, captured : ndarray of float64, shape (n_bands,)
        Men each band lost since the last population phase (desertions excluded),
        split by the day's overall shares of killed, wounded and captured insurgents.
    collateral : ndarray of float64, shape (n_villages,)
        Civilians killed in fights in each village's cell.
    exiled : ndarray of int64, shape (k,)
        Leaders whose bands left for Afghanistan by a ``leader_exit`` entry today.
    state_losses : float
        State soldiers killed, wounded and captured in the day's engagements.
    fight_cells : ndarray of int64, shape (n_engagements,)
        Cells of the day's engagements.
    """

    killed: F64
    wounded: F64
    captured: F64
    collateral: F64
    exiled: I64
    state_losses: float = 0.0
    fight_cells: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def losses_of_day(
    batches: Iterable[Events],
    bands: Bands,
    *,
    losses_seen: F64,
    village_of_cell: I64,
    n_villages: int,
) -> DayLosses:
    """Tally the day's batches of the earlier phases.

    Parameters
    ----------
    batches : iterable of Events
        The day's batches so far, in the order the phases emitted them.
    bands : Bands
        n_bands rows, as they are now (``recent_losses`` includes today's losses).
    losses_seen : ndarray of float64, shape (n_bands,)
        ``recent_losses`` as the last population phase left them.
    village_of_cell : ndarray of int64, shape (n_cells,)
        Village row of each cell, -1 for none.
    n_villages : int

    Returns
    -------
    DayLosses
    """
    nb = len(bands)
    deserted = np.zeros(nb)
    collateral = np.zeros(n_villages)
    totals = np.zeros(3)
    exiled: list[I64] = []
    fights: list[I64] = []
    state_lost = 0.0
    for b in batches:
        if b.kind == "desertion" and b.side == "insurgent":
            np.add.at(deserted, b.unit, b.n)
        elif b.kind == "engagement" and len(b):
            totals += [float(b.extra[k].sum()) if k in b.extra else 0.0 for k in _SPLIT]
            fights.append(b.cell)
            state_lost += sum(float(b.extra[k].sum()) for k in
                              ("state_killed", "state_wounded", "state_captured") if k in b.extra)
            if "civilians_killed" in b.extra and n_villages:
                vrow = village_of_cell[b.cell]
                ok = vrow >= 0
                np.add.at(collateral, vrow[ok], b.extra["civilians_killed"][ok])
        elif b.kind == "leader_exit" and b.side == "insurgent":
            lead = bands.leader[b.unit]
            exiled.append(lead[lead >= 0])
    lost = np.maximum(bands.recent_losses - losses_seen - deserted, 0.0)
    share = totals / totals.sum() if totals.sum() > 0 else np.zeros(3)
    return DayLosses(
        killed=lost * share[0],
        wounded=lost * share[1],
        captured=lost * share[2],
        collateral=collateral,
        exiled=np.concatenate(exiled) if exiled else np.zeros(0, dtype=np.int64),
        state_losses=state_lost,
        fight_cells=np.concatenate(fights).astype(np.int64) if fights else np.zeros(0, np.int64),
    )
