"""Recorder: the daily metrics and the events of a run, kept as arrays until the end.

Besides the fixed :data:`STEP_COLUMNS`, the steps table counts villages pro-insurgent,
neutral and pro-state, and the population-weighted mean support, in each country
(``_soviet``, ``_afghanistan``) and in each named region of the scenario
(``_region_<name>``): see :func:`area_columns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.events import Events
from sim.kernels.control import INSURGENT
from sim.state import ColumnKind, LeaderStatus

if TYPE_CHECKING:
    from sim.model import BasmachiModel

__all__ = ["AREA_METRICS", "STEP_COLUMNS", "Recorder", "area_columns"]

STEP_COLUMNS = (
    "day",
    "insurgent_fighters",
    "state_strength",
    "bands_active",
    "columns_active",
    "insurgents_in_afghanistan",
    "villages_pro_insurgent",
    "villages_neutral",
    "villages_pro_state",
    "mean_support",
    "mean_grievance",
    "mean_fear",
    "village_food",
    "band_food",
    "band_herd",
    "mean_hunger",
    "mean_morale",
    "column_supply",
    "towns_held_by_insurgents",
    "surrendered",
    "returnees_destitute",
    "refugees",
    "insurgents_killed",
    "insurgents_deserted",
    "recruited",
    "relapsed",
    "defected_to_state",
    "volunteers",
    "amnesty_trust",
    "leaders_active",
    "band_concealment",
)


AREA_METRICS = ("villages_pro_insurgent", "villages_neutral", "villages_pro_state", "mean_support")
"""Metrics of the steps table counted in each country and named region."""


def area_columns(area_names: list[str]) -> list[str]:
    """Steps-table columns of the areas, e.g. ``villages_pro_state_soviet``.

    Parameters
    ----------
    area_names : list of str
        Suffixes: ``soviet``, ``afghanistan`` and ``region_<name>``.
    """
    return [f"{m}_{a}" for a in area_names for m in AREA_METRICS]


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


class Recorder:
    """Collects one row of metrics per day and every event batch.

    Parameters
    ----------
    model : BasmachiModel
    """

    def __init__(self, model: BasmachiModel) -> None:
        self.model = model
        self.rows: list[tuple[float, ...]] = []
        self.area_rows: list[list[float]] = []
        self.batches: list[tuple[int, Events]] = []
        self.areas = self._areas()

    def _areas(self) -> dict[str, np.ndarray]:
        """Village rows of each country and named region (villages do not move)."""
        from sim.geography import Country
        from sim.regions import region_area

        m = self.model
        cells = m.state.villages.cell
        country = m.world.theatre.country.reshape(-1)[cells]
        out = {"soviet": np.flatnonzero(country == Country.SOVIET),
               "afghanistan": np.flatnonzero(country == Country.AFGHANISTAN)}
        theatre = m.world.theatre
        for region in m.scenario.regions:
            try:
                out[f"region_{_slug(region.name)}"] = np.flatnonzero(region_area(theatre, region)[cells])
            except KeyError:  # a place not on a cropped map
                continue
        return out

    def add_events(self, day: int, batches: list[Events]) -> None:
        """Keep event batches of ``day`` (empty batches are dropped)."""
        self.batches.extend((day, b) for b in batches if len(b))

    def record_day(self) -> None:
        """Append today's metrics (see :data:`STEP_COLUMNS`)."""
        m = self.model
        s = m.state
        b, c, v = s.bands, s.columns, s.villages
        ba = b.active
        fighters = b.fighters[ba]
        afghan = m.world.afghan[b.cell[ba]]
        weights = v.population.astype(np.float64)
        total = max(float(weights.sum()), 1.0)
        # villages side as the population rules say (population.side_high / side_low)
        high, low = m.params.population.side_high, m.params.population.side_low
        self.rows.append(
            (
                s.day,
                float(fighters.sum()),
                float(c.strength[c.active].sum()),
                float(np.count_nonzero(ba & (b.fighters > 0))),
                float(np.count_nonzero(c.active & (c.strength > 0))),
                float(fighters[afghan].sum()),
                float(np.count_nonzero(v.support > high)),
                float(np.count_nonzero((v.support >= low) & (v.support <= high))),
                float(np.count_nonzero(v.support < low)),
                float((v.support * weights).sum() / total),
                float((v.grievance * weights).sum() / total),
                float((v.fear * weights).sum() / total),
                float(v.food.sum()),
                float(b.food[ba].sum()),
                float(b.herd[ba].sum()),
                float(b.hunger[ba].mean()) if ba.any() else 0.0,
                float(b.morale[ba].mean()) if ba.any() else 0.0,
                float(c.supply[c.active].mean()) if c.active.any() else 0.0,
                float(np.count_nonzero(s.town_holder == INSURGENT)),
                float(s.memory.surrendered.sum()),
                float(s.memory.destitute.sum()),
                float(s.ledger.refugees),
                float(s.ledger.insurgents_killed),
                float(s.ledger.insurgents_deserted),
                float(s.ledger.recruited),
                float(s.ledger.relapsed),
                float(s.ledger.defected_to_state),
                float(c.strength[c.active & (c.kind == ColumnKind.VOLUNTEER)].sum()),
                float(s.amnesty_trust),
                float(np.count_nonzero(s.leaders.status == LeaderStatus.ACTIVE)),
                float(s.band_concealment[ba].mean()) if ba.any() and s.band_concealment.size else 1.0,
            )
        )
        row: list[float] = []
        for rows in self.areas.values():
            sup = v.support[rows]
            w = weights[rows]
            row += [
                float(np.count_nonzero(sup > high)),
                float(np.count_nonzero((sup >= low) & (sup <= high))),
                float(np.count_nonzero(sup < low)),
                float((sup * w).sum() / max(float(w.sum()), 1.0)),
            ]
        self.area_rows.append(row)

    def steps_arrays(self) -> dict[str, np.ndarray]:
        """Daily metrics as columns."""
        data = np.array(self.rows, dtype=np.float64).reshape(len(self.rows), len(STEP_COLUMNS))
        out: dict[str, np.ndarray] = {name: data[:, i] for i, name in enumerate(STEP_COLUMNS)}
        out["day"] = out["day"].astype(np.int64)
        names = area_columns(list(self.areas))
        area = np.array(self.area_rows, dtype=np.float64).reshape(len(self.area_rows), len(names))
        out.update({name: area[:, i] for i, name in enumerate(names)})
        return out

    def events_arrays(self) -> dict[str, Any]:
        """All events as columns: day, kind, side, unit, name, cell, row, col, n, extras."""
        m = self.model
        ncols = m.world.ncols
        batches = [b for _, b in self.batches]
        lengths = np.array([len(b) for b in batches], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        out: dict[str, Any] = {
            "day": np.repeat(np.array([d for d, _ in self.batches], dtype=np.int64), lengths),
            "kind": np.repeat(np.array([b.kind for b in batches], dtype=object), lengths),
            "side": np.repeat(np.array([b.side for b in batches], dtype=object), lengths),
        }
        for key in ("unit", "cell", "n"):
            out[key] = (np.concatenate([getattr(b, key) for b in batches]) if batches
                        else np.zeros(0, dtype=np.int64))
        # Extra columns: NaN where a batch lacks them, filled batch by batch.
        extras = {k: np.full(int(starts[-1]), np.nan) for k in
                  sorted({k for b in batches for k in b.extra})}
        for i, b in enumerate(batches):
            for name, values in b.extra.items():
                extras[name][starts[i]:starts[i + 1]] = values
        out["row"], out["col"] = np.divmod(out["cell"], ncols)
        names = {
            "insurgent": m.world.band_names,
            "state": m.world.column_names,
        }
        town_kinds = ("town_captured", "town_retaken")
        out["name"] = np.array(
            [
                m.world.town_names[u]
                if kind in town_kinds
                else (names[side][u] if side in names and 0 <= u < len(names[side]) else "")
                for kind, side, u in zip(out["kind"], out["side"], out["unit"], strict=True)
            ],
            dtype=object,
        )
        out.update(extras)
        return out
