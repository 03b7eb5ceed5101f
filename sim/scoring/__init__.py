"""Scoring against history: documented targets, replicate runs, evaluation, comparison, reports.

``sim.scoring.commands.register`` adds ``basmachi score`` and ``basmachi compare``.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scoring.evaluate import Evaluation, TargetResult, evaluate
    from sim.scoring.targets import Target, TargetError, TargetSet, load_targets

# Imported on first use (PEP 562): ``import sim.scoring.targets`` (the command line's
# error handling) must not pull in pandas through the evaluation.
_HOME = {
    "Evaluation": "evaluate", "TargetResult": "evaluate", "evaluate": "evaluate",
    "Target": "targets", "TargetError": "targets", "TargetSet": "targets",
    "load_targets": "targets",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"sim.scoring.{_HOME[name]}"), name)
    raise AttributeError(f"module 'sim.scoring' has no attribute {name!r}")

__all__ = ["Evaluation", "Target", "TargetError", "TargetResult", "TargetSet", "evaluate", "load_targets"]
