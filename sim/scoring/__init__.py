"""Scoring against history: documented targets, replicate runs, evaluation, comparison, reports.

``sim.scoring.score`` scores a scenario (or its null world) from Python;
``sim.scoring.commands.register`` adds ``basmachi score`` and ``basmachi compare``.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:
    from sim.scoring.api import score, targets_of
    from sim.scoring.evaluate import Evaluation, TargetResult, evaluate
    from sim.scoring.target_file import load_targets
    from sim.scoring.targets import Target, TargetError, TargetSet

# Imported on first use (PEP 562): ``import sim.scoring.targets`` (the command line's
# error handling) must not pull in pandas through the evaluation.
_HOME = {
    "Evaluation": "evaluate", "TargetResult": "evaluate", "evaluate": "evaluate",
    "Target": "targets", "TargetError": "targets", "TargetSet": "targets",
    "load_targets": "target_file", "score": "api", "targets_of": "api",
}

__getattr__ = lazy_exports(__name__, _HOME)

__all__ = [
    "Evaluation",
    "Target",
    "TargetError",
    "TargetResult",
    "TargetSet",
    "evaluate",
    "load_targets",
    "score",
    "targets_of",
]
