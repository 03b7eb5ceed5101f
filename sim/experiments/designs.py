"""Experimental designs: the design points of a sweep, in a fixed order.

Every design is deterministic given the spec (its ``seed`` seeds the sampler through
a stream of its own, separate from the run seeds). Continuous designs sample in the
parameters' ``bounds`` (log10 space for ``scale = "log"``) and then map to values,
rounding integer parameters.

- ``factorial``: every combination of the levels, last parameter varying fastest.
- ``lhs``: Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`), ``samples`` points.
- ``sobol``: scrambled Sobol low-discrepancy sequence (:class:`scipy.stats.qmc.Sobol`),
  ``samples`` points (a power of 2); for exploring, not for Sobol indices.
- ``saltelli``: SALib's Saltelli/Sobol sample (:func:`SALib.sample.sobol.sample`),
  ``samples * (d + 2)`` points (``samples * (2d + 2)`` with ``second_order``), the
  design analysed by :func:`SALib.analyze.sobol.analyze`.
- ``morris``: SALib's Morris trajectories (:func:`SALib.sample.morris.sample`),
  ``samples * (d + 1)`` points on a ``levels``-level grid.

References
----------
McKay, Beckman & Conover (1979), Technometrics 21(2), 239-245 (Latin hypercube).
Saltelli et al. (2010), Computer Physics Communications 181(2), 259-270.
Morris (1991), Technometrics 33(2), 161-174.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.experiments.spec import ParameterSpec, SweepSpec

__all__ = ["Design", "make_design", "salib_problem"]

#: Appended to the master seed to give the design sampler a stream separate from the runs.
DESIGN_STREAM = 0xDE5160


@dataclasses.dataclass(frozen=True)
class Design:
    """Design points of a sweep.

    Attributes
    ----------
    points : DataFrame, shape (n_points, n_parameters)
        Parameter values, one column per dotted path, index ``0 .. n_points - 1``.
    unit : ndarray of float64, shape (n_points, n_parameters)
        The sampled matrix before mapping to values (bounds or log10 bounds; for the
        factorial design, the level indices). SALib's analysers take this.
    """

    points: pd.DataFrame
    unit: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.points)


def salib_problem(parameters: tuple[ParameterSpec, ...]) -> dict[str, Any]:
    """The SALib ``problem`` dict (names and sampling bounds) of the parameters."""
    return {
        "num_vars": len(parameters),
        "names": [p.path for p in parameters],
        "bounds": [list(p.bounds) for p in parameters],
    }


def _design_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, DESIGN_STREAM]))


def _scale(params: tuple[ParameterSpec, ...], u: NDArray[np.float64]) -> NDArray[np.float64]:
    lo = np.array([p.bounds[0] for p in params])
    hi = np.array([p.bounds[1] for p in params])
    return lo + u * (hi - lo)  # type: ignore[no-any-return]


def make_design(spec: SweepSpec) -> Design:
    """The design points of ``spec``, in design order.

    Returns
    -------
    Design
    """
    params = spec.parameters
    d = len(params)
    x: NDArray[np.float64]
    if spec.design == "factorial":
        grids = [p.factorial_levels() for p in params]
        rows = list(itertools.product(*grids))
        idx = list(itertools.product(*(range(len(g)) for g in grids)))
        frame = pd.DataFrame(rows, columns=list(spec.paths))
        frame = frame.astype({p.path: _dtype(p) for p in params})
        return Design(frame, np.asarray(idx, dtype=np.float64).reshape(len(rows), d))
    rng = _design_rng(spec.seed)
    if spec.design == "lhs":
        from scipy.stats import qmc

        x = _scale(params, qmc.LatinHypercube(d, scramble=spec.scramble, rng=rng).random(spec.samples))
    elif spec.design == "sobol":
        from scipy.stats import qmc

        m = int(spec.samples).bit_length() - 1
        x = _scale(params, qmc.Sobol(d, scramble=spec.scramble, rng=rng).random_base2(m))
    elif spec.design == "saltelli":
        from SALib.sample import sobol as salib_sobol

        x = salib_sobol.sample(
            salib_problem(params), spec.samples, calc_second_order=spec.second_order,
            scramble=spec.scramble, seed=rng,
        )
    elif spec.design == "morris":
        from SALib.sample import morris as salib_morris

        x = salib_morris.sample(salib_problem(params), spec.samples, num_levels=spec.levels, seed=rng)
    else:  # pragma: no cover - the spec validates the name
        raise ValueError(f"unknown design {spec.design!r}")
    x = np.asarray(x, dtype=np.float64)
    columns = {p.path: [p.from_unit(float(v)) for v in x[:, j]] for j, p in enumerate(params)}
    frame = pd.DataFrame(columns).astype({p.path: _dtype(p) for p in params})
    return Design(frame, x)


def _dtype(p: ParameterSpec) -> str:
    return {"int": "int64", "float": "float64", "bool": "bool"}.get(p.kind, "object")
