"""Scoring from Python: ``score(scenario)`` runs replicates and evaluates the scenario's targets.

>>> from sim.scoring import score
>>> ev = score("raids_1929", replicates=5)            # doctest: +SKIP
>>> null = score("raids_1929", replicates=5, null=True)  # the null world   # doctest: +SKIP
>>> ev.hit_rate, null.hits                            # doctest: +SKIP
"""

from __future__ import annotations

from sim.scenario import Scenario
from sim.scoring.evaluate import Evaluation, evaluate
from sim.scoring.target_file import load_targets
from sim.scoring.targets import Target, TargetSet

__all__ = ["score", "targets_of"]


def targets_of(scenario: str | Scenario, targets: TargetSet | None = None) -> tuple[tuple[Target, ...], str]:
    """Targets of a scenario, following ``extends`` when a what-if variant has none of its own.

    Parameters
    ----------
    scenario : str or Scenario
        A name or path (``extends`` is followed through the files), or a loaded scenario
        (matched by name only).
    targets : TargetSet, optional
        Default :func:`sim.scoring.target_file.load_targets`.

    Returns
    -------
    targets, name
        The targets and the name of the scenario they were written for.
    """
    from sim.extends import extends_chain
    from sim.paths import scenarios_dir
    from sim.scenario import find_scenario, load_scenario

    ts = load_targets() if targets is None else targets
    if isinstance(scenario, Scenario):
        return ts.for_scenario(scenario.name), scenario.name
    name = load_scenario(scenario).name
    chain = extends_chain(find_scenario(scenario), roots=(scenarios_dir(),))
    for i, (path, data) in enumerate(chain):
        written_for = name if i == 0 else str(data.get("name", path.stem))
        found = ts.for_scenario(written_for)
        if found:
            return found, written_for
    return (), name


def score(
    scenario: str | Scenario,
    *,
    replicates: int = 20,
    seed: int | None = None,
    targets: TargetSet | None = None,
    null: bool = False,
) -> Evaluation:
    """Run ``replicates`` runs of a scenario (or of its null world) and score them.

    Parameters
    ----------
    scenario : str or Scenario
        Name, path or loaded scenario.
    replicates : int
    seed : int, optional
        Master seed (default the scenario's ``seed``).
    targets : TargetSet, optional
        Default ``calibration/targets.toml``.
    null : bool
        Score the null world (:func:`sim.runner.run` with ``null=True``).

    Raises
    ------
    ValueError
        When no target applies to the scenario.
    """
    from sim.scenario import load_scenario
    from sim.scoring.runs import run_replicates

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    found, _ = targets_of(scenario, targets)
    if not found:
        raise ValueError(f"score: no targets for scenario {sc.name!r}")
    results = run_replicates(
        sc, replicates, seed=sc.seed if seed is None else seed, targets=found, null=null
    )
    return evaluate(found, results, scenario=sc.name, null=null)
