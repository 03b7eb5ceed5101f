"""Replicate runs for scoring: :func:`sim.runner.run` with the probe of the series targets need.

Each replicate is one :class:`sim.results.RunResult`; :class:`TargetProbe` adds to its
``steps`` table

- ``in_country``: insurgent fighters on the Soviet side (all fighters minus those in Afghanistan),
- ``fighters[LEADER]`` and ``in_country[LEADER]`` for every leader of the scenario,
- ``near[PLACE]``: insurgent fighters within :data:`sim.scoring.targets.NEAR_RADIUS` cells of
  each place a target names,

and to its ``runs`` table ``band_leaders`` (band name -> leader, JSON), ``column_names``
(column names in index order, JSON) and ``places`` (place -> [row, col] in the run's grid,
JSON), so events can be matched to leaders, units and places.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from sim.batch import shared_build
from sim.model import BasmachiModel
from sim.results import RunResult
from sim.runner import run
from sim.scenario import Scenario
from sim.scoring.targets import NEAR_RADIUS, Target, TargetError, tracked
from sim.validation import Problem

__all__ = ["TargetProbe", "run_replicate", "run_replicates", "seeds_for"]


def seeds_for(master: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds of one master seed (spawned in replicate order)."""
    return list(np.random.SeedSequence(master).spawn(n))


def _event_places(targets: Iterable[Target]) -> list[str]:
    return [
        f.place for t in targets for f in (t.events, t.finish, t.given) if f is not None and f.place
    ]


class TargetProbe:
    """Records the per-leader and per-place series and the name tables targets need.

    Parameters
    ----------
    targets : sequence of Target
        The places they name must be places of the scenario's map, else
        :class:`sim.scoring.targets.TargetError` is raised when the run starts.
    """

    def __init__(self, targets: Sequence[Target]) -> None:
        self.targets = list(targets)
        _, self._near = tracked(self.targets)
        self._named = sorted(set(self._near) | set(_event_places(self.targets)))

    def start(self, model: BasmachiModel) -> None:
        """Resolve places and allocate the series (one row per day)."""
        w = model.world
        self.places: dict[str, tuple[int, int]] = {}
        for name in self._named:
            try:
                r, c = w.theatre.place(name)
            except KeyError as exc:  # UnknownPlaceError is a KeyError
                raise TargetError([Problem(
                    f"scenario {model.scenario.name!r}", "target place", name,
                    f"a place of the scenario's map ({exc})",
                )]) from None
            self.places[name] = (int(r), int(c))
        self.leaders = list(w.leader_names)
        n_days = model.scenario.days
        self.fighters = np.zeros((n_days, len(self.leaders)))
        self.inside = np.zeros((n_days, len(self.leaders)))
        near = [n for n in self.places if n in self._near]
        self.near_names = near
        self.near = np.zeros((n_days, len(near)))
        ncols = w.ncols
        rr, cc = np.divmod(np.arange(w.afghan.size), ncols)
        self.masks = [
            (np.abs(rr - self.places[n][0]) <= NEAR_RADIUS) & (np.abs(cc - self.places[n][1]) <= NEAR_RADIUS)
            for n in near
        ]

    def day(self, model: BasmachiModel) -> None:
        """Fighters by leader (all, and on Soviet soil) and near each place, today."""
        d = model.state.day - 1
        b = model.state.bands
        act = b.active & (b.fighters > 0)
        f = np.where(act, b.fighters, 0).astype(np.float64)
        soviet = ~model.world.afghan[b.cell]
        if self.leaders:
            n = len(self.leaders)
            lead = np.where(b.leader >= 0, b.leader, n)
            self.fighters[d] = np.bincount(lead, weights=f, minlength=n + 1)[:-1]
            self.inside[d] = np.bincount(lead, weights=f * soviet, minlength=n + 1)[:-1]
        for j, m in enumerate(self.masks):
            self.near[d, j] = float(f[m[b.cell]].sum())

    def finish(self, model: BasmachiModel, result: RunResult) -> None:
        """Add the series to ``result.steps`` and the name tables to ``result.runs``."""
        steps = result.steps
        n = len(steps)
        steps["in_country"] = (steps["insurgent_fighters"] - steps["insurgents_in_afghanistan"]).to_numpy()
        for j, name in enumerate(self.leaders):
            steps[f"fighters[{name}]"] = self.fighters[:n, j]
            steps[f"in_country[{name}]"] = self.inside[:n, j]
        for j, name in enumerate(self.near_names):
            steps[f"near[{name}]"] = self.near[:n, j]
        w = model.world
        band_leader = {
            name: (self.leaders[int(li)] if li >= 0 else "")
            for name, li in zip(w.band_names, model.state.bands.leader, strict=False)
        }
        result.runs["band_leaders"] = json.dumps(band_leader)
        result.runs["column_names"] = json.dumps(list(w.column_names))
        result.runs["places"] = json.dumps({k: list(v) for k, v in self.places.items()})


def run_replicate(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence,
    run_id: int = 0,
    targets: Iterable[Target] = (),
    null: bool = False,
    shared: bool = True,
) -> RunResult:
    """Run one replicate through :func:`sim.runner.run` with a :class:`TargetProbe`.

    ``shared`` (default): on the process's shared build of the scenario (see
    :func:`sim.batch.shared_build`), so the replicates and campaigns a calibration worker
    runs again and again build their worlds once; the tables are the same either way.
    """
    world = shared_build(scenario).world.replicate() if shared else None
    return run(scenario, seed=seed, run_id=run_id, probes=[TargetProbe(list(targets))],
               null=null, world=world)


def run_replicates(
    scenario: Scenario,
    n: int,
    *,
    seed: int = 0,
    targets: Iterable[Target] = (),
    progress: Callable[[int], None] | None = None,
    null: bool = False,
) -> list[RunResult]:
    """Run ``n`` replicates (seeds spawned from ``seed``) one after another on one core.

    ``progress`` is called with the number of replicates done after each one; ``null``
    runs the null world (:func:`sim.runner.run`). Errors propagate.
    """
    targets = list(targets)
    out = []
    for i, ss in enumerate(seeds_for(seed, n)):
        out.append(run_replicate(scenario, seed=ss, run_id=i, targets=targets, null=null))
        if progress is not None:
            progress(i + 1)
    return out
