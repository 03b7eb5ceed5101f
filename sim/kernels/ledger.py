"""Accounting of people: everyone in the run adds up, and losses reported by other phases
are booked in the :class:`~sim.state.Ledger`.

People are conserved: every person is in a band row, a column row, a village, among the
returnees of :class:`~sim.state.VillageMemory`, or in a stock of the ledger;
:func:`people_total` adds them up and must stay equal to the initial total plus
``ledger.entered``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.events import Events
from sim.state import Ledger, WorldState

__all__ = ["ledger_from_events", "people_total"]


def people_total(state: WorldState) -> int:
    """Everyone accounted for: units, villages, returnees and the ledger's stocks."""
    return int(
        state.bands.fighters.sum()
        + state.columns.strength.sum()
        + state.villages.population.sum()
        + state.memory.surrendered.sum()
        + state.ledger.stocks()
    )


def ledger_from_events(ledger: Ledger, batches: Iterable[Events]) -> Ledger:
    """Book the losses reported by other phases (supply desertion, combat) in the ledger.

    Parameters
    ----------
    ledger : Ledger
    batches : iterable of Events
        Today's batches of the other phases. ``desertion`` (insurgent) adds to
        ``insurgents_deserted``; ``engagement`` rows add their ``insurgents_*``,
        ``state_*`` and ``civilians_killed`` columns, and ``air_reinforcement`` to
        ``entered``.

    Returns
    -------
    Ledger
    """
    led = ledger.copy()
    cols = {
        "insurgents_killed": "insurgents_killed", "insurgents_wounded": "insurgents_wounded",
        "insurgents_captured": "insurgents_captured", "state_killed": "state_killed",
        "state_wounded": "state_wounded", "state_captured": "state_captured",
        "civilians_killed": "civilians_killed", "air_reinforcement": "entered",
    }
    for b in batches:
        if b.kind == "desertion" and b.side == "insurgent":
            led.insurgents_deserted += int(round(float(b.n.sum())))
        elif b.kind == "engagement":
            for col, attr in cols.items():
                if col in b.extra:
                    setattr(led, attr, getattr(led, attr) + int(round(float(b.extra[col].sum()))))
    return led
