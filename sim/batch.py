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
sweep workers reuse them across the runs of a design point.

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
from sim.scenario import Scenario
from sim.seeds import as_seed_sequence

if TYPE_CHECKING:
    from sim.model import BasmachiModel
    from sim.results import RunResult

__all__ = ["SharedBuild", "run_replicates", "shared_build", "simulate_shared"]

#: Scenarios whose builds a process keeps (least recently used dropped first).
KEEP = 4


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
    def of(cls, scenario: Scenario) -> SharedBuild:
        """Build the world of ``scenario``."""
        return cls(scenario, build_world(scenario))

    def model(self, seed: int | np.random.SeedSequence = 0, *, agents: bool = False
              ) -> BasmachiModel:
        """A fresh model of the scenario on a replicate of the shared world."""
        from sim.model import BasmachiModel

        return BasmachiModel(self.scenario, seed=seed, agents=agents,
                             world=self.world.replicate())


_BUILDS: collections.OrderedDict[str, SharedBuild] = collections.OrderedDict()


def shared_build(scenario: Scenario) -> SharedBuild:
    """The process's shared build of ``scenario`` (by content digest), built on first use."""
    key = scenario.digest()
    build = _BUILDS.get(key)
    if build is None or build.scenario != scenario:
        build = _BUILDS[key] = SharedBuild.of(scenario)
    _BUILDS.move_to_end(key)
    while len(_BUILDS) > KEEP:
        _BUILDS.popitem(last=False)
    return build


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
