"""Population parameters: village support, grievance and fear, recruitment, amnesty, defection.

The population rules arrive as their own model phases; this section holds their
parameters and is the one home of their defaults.
"""

from __future__ import annotations

import dataclasses

__all__ = ["PopulationParams"]


@dataclasses.dataclass(frozen=True)
class PopulationParams:
    """Parameters of the population phases (support, recruitment, amnesty, defection)."""
