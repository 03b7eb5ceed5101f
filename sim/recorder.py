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
from sim.kernels import dispatch
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


def _mean(x: np.ndarray) -> float:
    """``x.mean()`` as numpy computes it (the pairwise sum over the count), without its
    Python-level wrapper."""
    return float(x.sum() / x.size)


def _sides(counts: np.ndarray) -> tuple[float, float, float]:
    """Villages pro-insurgent, neutral and pro-state from the counts of the side codes 0..7
    of :meth:`Recorder.record_day` (bit 0 pro-insurgent, bit 1 pro-state, bit 2 neutral)."""
    n = counts.tolist()
    return float(n[1] + n[3] + n[5] + n[7]), float(n[4] + n[5] + n[6] + n[7]), float(
        n[2] + n[3] + n[6] + n[7])


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
        # All areas' village rows end to end (one gather a day serves every area), where
        # each area starts and ends in it, and the area of each entry times 8 (the side
        # codes of record_day) for one bincount of every area's sides.
        sizes = [rows.size for rows in self.areas.values()]
        self._area_rows = (np.concatenate(list(self.areas.values())).astype(np.intp)
                           if sizes else np.zeros(0, np.intp))
        ends = np.cumsum(sizes, dtype=np.int64)
        self._area_bounds = list(zip((ends - sizes).tolist(), ends.tolist(), strict=True))
        self._bounds_array = np.array(self._area_bounds, dtype=np.int64).reshape(-1, 2)
        self._area_key = np.repeat(np.arange(len(sizes), dtype=np.intp) * 8, sizes)

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
        """Append today's metrics (see :data:`STEP_COLUMNS`).

        Runs the compiled pass of :mod:`sim.recorder_compiled` when
        :func:`sim.kernels.dispatch.enabled` (long runs and batches), else the numpy
        reference :meth:`record_day_numpy`; both append the same numbers to the last bit.
        """
        s = self.model.state
        if dispatch.enabled() and s.band_concealment.size in (0, len(s.bands)):
            self._record_day_compiled()
        else:
            self.record_day_numpy()

    def _record_day_compiled(self) -> None:
        from sim import recorder_compiled  # numba: only once the process does enough work

        m = self.model
        s = m.state
        b, c, v = s.bands, s.columns, s.villages
        pp = m.params.population
        x = recorder_compiled.day_metrics(
            b.active, b.fighters, b.cell, b.food, b.herd, b.hunger, b.morale,
            s.band_concealment, m.world.afghan,
            c.active, c.strength, c.kind, c.supply, int(ColumnKind.VOLUNTEER),
            v.population, v.support, v.grievance, v.fear, v.food,
            float(pp.side_high), float(pp.side_low),
            s.town_holder, INSURGENT, s.leaders.status, int(LeaderStatus.ACTIVE),
            self._area_rows, self._bounds_array,
        ).tolist()
        led = s.ledger
        n = recorder_compiled.N_METRICS
        self.rows.append((
            s.day, *x[:18],
            float(s.memory.surrendered.sum()), float(s.memory.destitute.sum()),
            float(led.refugees), float(led.insurgents_killed), float(led.insurgents_deserted),
            float(led.recruited), float(led.relapsed), float(led.defected_to_state),
            x[18], float(s.amnesty_trust), x[19], x[20],
        ))
        self.area_rows.append(x[n:])

    def record_day_numpy(self) -> None:
        """The numpy reference of :meth:`record_day`."""
        m = self.model
        s = m.state
        b, c, v = s.bands, s.columns, s.villages
        ba = b.active
        any_band = bool(ba.any())
        fighters = b.fighters[ba]
        afghan = m.world.afghan[b.cell[ba]]
        weights = v.population.astype(np.float64)
        total = max(float(weights.sum()), 1.0)
        # villages side as the population rules say (population.side_high / side_low), as a
        # code per village: bit 0 pro-insurgent, bit 1 pro-state, bit 2 neutral
        high, low = m.params.population.side_high, m.params.population.side_low
        sup = v.support
        code = (sup > high).view(np.uint8) | ((sup < low).view(np.uint8) << 1)
        code |= ((sup >= low) & (sup <= high)).view(np.uint8) << 2
        sides = np.bincount(code, minlength=8)
        support_w = sup * weights
        c_active = c.active
        self.rows.append(
            (
                s.day,
                float(fighters.sum()),
                float(c.strength[c_active].sum()),
                float(np.count_nonzero(ba & (b.fighters > 0))),
                float(np.count_nonzero(c_active & (c.strength > 0))),
                float(fighters[afghan].sum()),
                *_sides(sides),
                float(support_w.sum() / total),
                float((v.grievance * weights).sum() / total),
                float((v.fear * weights).sum() / total),
                float(v.food.sum()),
                float(b.food[ba].sum()),
                float(b.herd[ba].sum()),
                _mean(b.hunger[ba]) if any_band else 0.0,
                _mean(b.morale[ba]) if any_band else 0.0,
                _mean(c.supply[c_active]) if c_active.any() else 0.0,
                float(np.count_nonzero(s.town_holder == INSURGENT)),
                float(s.memory.surrendered.sum()),
                float(s.memory.destitute.sum()),
                float(s.ledger.refugees),
                float(s.ledger.insurgents_killed),
                float(s.ledger.insurgents_deserted),
                float(s.ledger.recruited),
                float(s.ledger.relapsed),
                float(s.ledger.defected_to_state),
                float(c.strength[c_active & (c.kind == ColumnKind.VOLUNTEER)].sum()),
                float(s.amnesty_trust),
                float(np.count_nonzero(s.leaders.status == LeaderStatus.ACTIVE)),
                _mean(s.band_concealment[ba]) if any_band and s.band_concealment.size
                else 1.0,
            )
        )
        # Each area's sums over its own villages, in their order: the same numbers as
        # summing the area's gathered arrays (contiguous slices of one gather).
        rows = self._area_rows
        area_sides = np.bincount(self._area_key + code[rows], minlength=8 * len(self.areas))
        sw, w = support_w[rows], weights[rows]
        row: list[float] = []
        for i, (a, z) in enumerate(self._area_bounds):
            row += [
                *_sides(area_sides[8 * i: 8 * i + 8]),
                float(sw[a:z].sum() / max(float(w[a:z].sum()), 1.0)),
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

    def event_kinds(self) -> tuple[np.ndarray, np.ndarray]:
        """Kind (object array) and ``n`` of every event, as in :meth:`events_arrays`: what a
        sweep's outputs count, without the other columns."""
        batches = [b for _, b in self.batches]
        lengths = np.array([len(b) for b in batches], dtype=np.int64)
        kind = np.repeat(np.array([b.kind for b in batches], dtype=object), lengths)
        n = np.concatenate([b.n for b in batches]) if batches else np.zeros(0, dtype=np.int64)
        return kind, n

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
