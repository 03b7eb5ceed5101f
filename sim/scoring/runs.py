"""Replicate runs for scoring: ``run()`` plus the per-leader and per-place series targets need.

Each replicate is one :class:`sim.results.RunResult`; its ``steps`` table gains

- ``in_country``: insurgent fighters on the Soviet side (all fighters minus those in Afghanistan),
- ``fighters[LEADER]`` and ``in_country[LEADER]`` for every leader of the scenario,
- ``near[PLACE]``: insurgent fighters within :data:`sim.scoring.targets.NEAR_RADIUS` cells of
  each place a target names,

and its ``runs`` table gains ``band_leaders`` (band name -> leader, JSON) and ``places``
(place -> [row, col] in the run's grid, JSON) so events can be matched to leaders and places.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import numpy as np

from sim.results import RunResult
from sim.scenario import Scenario
from sim.scoring.targets import NEAR_RADIUS, Target, tracked

__all__ = ["run_replicate", "run_replicates", "seeds_for"]


def seeds_for(master: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds of one master seed (spawned in replicate order)."""
    return list(np.random.SeedSequence(master).spawn(n))


def run_replicate(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence,
    run_id: int = 0,
    targets: Iterable[Target] = (),
) -> RunResult:
    """Run one replicate and add the series the targets need (see the module docstring)."""
    from sim.model import BasmachiModel
    from sim.runner import result_of

    model = BasmachiModel(scenario, seed=seed, agents=False)
    w = model.world
    _, places = tracked(list(targets))
    leaders = list(w.leader_names)
    ncols = w.ncols
    nrows = w.afghan.size // ncols
    place_cells: dict[str, tuple[int, int]] = {}
    for name in places:
        try:
            r, c = w.theatre.place(name)
        except Exception:  # an unknown place: the target evaluates as never met
            continue
        place_cells[name] = (int(r), int(c))
    n_days = scenario.days
    fighters = np.zeros((n_days, len(leaders)))
    inside = np.zeros((n_days, len(leaders)))
    near = np.zeros((n_days, len(place_cells)))
    masks = []
    for r, c in place_cells.values():
        rr, cc = np.divmod(np.arange(nrows * ncols), ncols)
        masks.append((np.abs(rr - r) <= NEAR_RADIUS) & (np.abs(cc - c) <= NEAR_RADIUS))
    day = 0
    while not model.finished:
        model.step()
        b = model.state.bands
        act = b.active & (b.fighters > 0)
        f = np.where(act, b.fighters, 0).astype(np.float64)
        soviet = ~w.afghan[b.cell]
        if leaders:
            lead = np.where(b.leader >= 0, b.leader, len(leaders))
            fighters[day] = np.bincount(lead, weights=f, minlength=len(leaders) + 1)[:-1]
            inside[day] = np.bincount(lead, weights=f * soviet, minlength=len(leaders) + 1)[:-1]
        for j, m in enumerate(masks):
            near[day, j] = float(f[m[b.cell]].sum())
        day += 1
    res = result_of(model, run_id=run_id)
    steps = res.steps
    extra: dict[str, np.ndarray] = {
        "in_country": (steps["insurgent_fighters"] - steps["insurgents_in_afghanistan"]).to_numpy()
    }
    for j, name in enumerate(leaders):
        extra[f"fighters[{name}]"] = fighters[:, j]
        extra[f"in_country[{name}]"] = inside[:, j]
    for j, name in enumerate(place_cells):
        extra[f"near[{name}]"] = near[:, j]
    for k, v in extra.items():
        steps[k] = v[: len(steps)]
    band_leader = {
        name: (leaders[int(li)] if li >= 0 else "")
        for name, li in zip(w.band_names, model.state.bands.leader, strict=False)
    }
    all_places = dict(place_cells)
    for name in set(_event_places(targets)) - set(all_places):
        try:
            r, c = w.theatre.place(name)
            all_places[name] = (int(r), int(c))
        except Exception:
            continue
    res.runs["band_leaders"] = json.dumps(band_leader)
    res.runs["places"] = json.dumps({k: list(v) for k, v in all_places.items()})
    return res


def _event_places(targets: Iterable[Target]) -> list[str]:
    return [f.place for t in targets for f in (t.events, t.finish) if f is not None and f.place]


def run_replicates(
    scenario: Scenario,
    n: int,
    *,
    seed: int = 0,
    targets: Iterable[Target] = (),
    progress: Callable[[int], None] | None = None,
) -> list[RunResult]:
    """Run ``n`` replicates (seeds spawned from ``seed``) one after another on one core.

    ``progress`` is called with the number of replicates done after each one.
    """
    targets = list(targets)
    out = []
    for i, ss in enumerate(seeds_for(seed, n)):
        out.append(run_replicate(scenario, seed=ss, run_id=i, targets=targets))
        if progress is not None:
            progress(i + 1)
    return out
