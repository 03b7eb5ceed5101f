"""Batched replicates: many runs of one scenario in one process, sharing what they can.

Every run of a scenario builds the same world: the map, the three travel graphs, the
whole-map distance fields (to the depots, the border, the villages, every home and
march target), the village neighbour table. :class:`SharedBuild` builds them once;
each replicate gets :meth:`sim.build.World.replicate` (the static parts shared
read-only, the initial state copied), so a batch pays the build and the first day's
searches once. Distance fields cached on a shared graph are pure functions of the
graph and their sources, so a replicate sees the same arrays it would have computed:
results are identical to running the replicates one by one with the same seeds.

What is not done here: a replicate axis on the state arrays (the replicates still run
one after another, each day its own numpy calls).

:func:`shared_build` keeps the builds of the last few scenarios of the process, so
sweep workers reuse them across the runs of a design point. Scenarios that differ only
outside ``map`` and ``movement`` (the candidates of a calibration, the design points of a
sweep over anything but movement) also share, through :func:`shared_travel`, the map, the
travel graphs with every distance field searched on them, and the movement memos
(:mod:`sim.travel`): a new candidate builds only its villages and units.

The entry points, smallest first (all give the tables of
``sim.runner.run(scenario, seed=s)``):

- ``sim.runner.run(scenario, seed=s, world=shared_build(scenario).world.replicate())``:
  one run on the shared build (any probes, ``null``);
- :func:`sim.scoring.runs.run_replicate` (what calibration and scoring call) does that by
  default (``shared=True``);
- :func:`run_replicates`: one run per seed, returning the list of tables;
- :func:`simulate_shared`: the finished model instead of the tables (sweep workers).

Long runs and batches also switch to the compiled passes (:mod:`sim.kernels.dispatch`)
once the village-days they announce pass its threshold: a worker running many
replicates pays numba's start-up once.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim.build import World, build_world
from sim.kernels import dispatch
from sim.scenario import Scenario
from sim.seeds import as_seed_sequence
from sim.travel import Travel, build_travel, travel_key

if TYPE_CHECKING:
    from sim.model import BasmachiModel
    from sim.results import RunResult

__all__ = ["SharedBuild", "expect_runs", "run_replicates", "shared_build", "shared_travel", "simulate_shared"]

#: Scenarios whose builds a process keeps (least recently used dropped first); as many
#: travel graphs (maps x movement parameters).
KEEP = 4
#: Memos a shared :class:`~sim.travel.Travel` keeps across scenarios before forgetting
#: them (:meth:`~sim.travel.Travel.trim`): whole fields kept per graph, next-cell fields.
KEPT_FIELDS = 32
NEXT_FIELDS = 256


@dataclasses.dataclass
class SharedBuild:
    """The world of one scenario, built once and handed out to replicates.

    Attributes
    ----------
    scenario : Scenario
    world : World
        Never run: its state stays the initial state.
    """

    scenario: Scenario
    world: World

    @classmethod
    def of(cls, scenario: Scenario, *, travel: Travel | None = None) -> SharedBuild:
        """Build the world of ``scenario`` (on ``travel``, see :func:`sim.build.build_world`)."""
        return cls(scenario, build_world(scenario, travel=travel))

    def model(self, seed: int | np.random.SeedSequence = 0, *, agents: bool = False
              ) -> BasmachiModel:
        """A fresh model of the scenario on a replicate of the shared world."""
        from sim.model import BasmachiModel

        return BasmachiModel(self.scenario, seed=seed, agents=agents,
                             world=self.world.replicate())


_BUILDS: collections.OrderedDict[str, SharedBuild] = collections.OrderedDict()
_TRAVEL: collections.OrderedDict[str, Travel] = collections.OrderedDict()


def shared_travel(scenario: Scenario) -> Travel:
    """The process's shared map and travel graphs for the ``map`` and ``movement`` of
    ``scenario`` (by :func:`sim.travel.travel_key`), built on first use."""
    key = travel_key(scenario.map, scenario.movement)
    travel = _TRAVEL.get(key)
    if travel is None:
        travel = _TRAVEL[key] = build_travel(scenario.map, scenario.movement)
    else:
        travel.trim(kept=KEPT_FIELDS, fields=NEXT_FIELDS)
    _TRAVEL.move_to_end(key)
    while len(_TRAVEL) > KEEP:
        _TRAVEL.popitem(last=False)
    return travel


def shared_build(scenario: Scenario) -> SharedBuild:
    """The process's shared build of ``scenario`` (by content digest), built on first use
    on the shared travel graphs of its map and movement parameters (:func:`shared_travel`)."""
    for key, build in reversed(_BUILDS.items()):  # the same object again: no digest
        if build.scenario is scenario:
            _BUILDS.move_to_end(key)
            return build
    key = scenario.digest()
    found = _BUILDS.get(key)
    if found is None or found.scenario != scenario:
        found = _BUILDS[key] = SharedBuild.of(scenario, travel=shared_travel(scenario))
    _BUILDS.move_to_end(key)
    while len(_BUILDS) > KEEP:
        _BUILDS.popitem(last=False)
    return found


def expect_runs(scenario: Scenario, runs: int) -> None:
    """Announce ``runs`` more runs of ``scenario`` to :mod:`sim.kernels.dispatch` (their
    village-days, as each run announces itself when it starts), before the first of a batch
    runs: a worker whose batch pays for numba's start-up takes the compiled passes from its
    first run instead of its second. Same tables either way."""
    if runs > 0:
        villages = len(shared_build(scenario).world.state.villages)
        dispatch.expect_work(float(runs) * scenario.days * villages)


def simulate_shared(scenario: Scenario, *, seed: int | np.random.SeedSequence = 0
                    ) -> BasmachiModel:
    """Like :func:`sim.runner.simulate` (no Mesa agents), on the process's shared build."""
    model = shared_build(scenario).model(seed)
    model.run()
    return model


def run_replicates(
    scenario: Scenario,
    seeds: Iterable[int | np.random.SeedSequence],
    *,
    first_run_id: int = 0,
) -> list[RunResult]:
    """Run one replicate per seed on one shared build; tables as :func:`sim.runner.run`.

    Parameters
    ----------
    scenario : Scenario
    seeds : iterable of int or SeedSequence
    first_run_id : int
        ``run_id`` of the first replicate; the others follow.

    Returns
    -------
    list of RunResult
        Identical to ``[run(scenario, seed=s, run_id=...) for s in seeds]``.
    """
    from sim.runner import result_of

    build = SharedBuild.of(scenario)
    out = []
    for k, seed in enumerate(seeds):
        model = build.model(as_seed_sequence(seed))
        model.run()
        out.append(result_of(model, run_id=first_run_id + k))
    return out
