"""Scoring against history: documented targets, replicate runs, evaluation, comparison, reports.

``sim.scoring.commands.register`` adds ``basmachi score`` and ``basmachi compare``.
"""

from sim.scoring.evaluate import Evaluation, TargetResult, evaluate
from sim.scoring.targets import Target, TargetError, TargetSet, load_targets

__all__ = ["Evaluation", "Target", "TargetError", "TargetResult", "TargetSet", "evaluate", "load_targets"]
