"""Global sensitivity analysis on top of the sweep: Sobol (Saltelli design) or Morris.

The spec's design must be ``saltelli`` or ``morris``; the runs go through
:func:`sim.experiments.sweep.sweep` (same executors, resume, seeds), each output is
averaged over replicates per design point, and SALib's analysers give

- Sobol: first-order ``S1`` and total ``ST`` indices with bootstrap confidence
  intervals (``S1_conf``, ``ST_conf``, half-widths at ``conf_level``);
- Morris: ``mu_star`` (mean absolute elementary effect) with its confidence
  half-width ``mu_star_conf``, ``mu`` and ``sigma``.

Outputs that do not vary across the design get NaN indices (noted in ``note``).

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
Computer Physics Communications 181(2), 259-270.
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design for
sensitivity analysis of large models. Environmental Modelling & Software 22, 1509-1518.
Herman, J. & Usher, W. (2017). SALib: an open-source Python library for sensitivity
analysis. Journal of Open Source Software 2(9), 97.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.designs import DESIGN_STREAM, make_design, salib_problem
from sim.experiments.spec import SENSITIVITY_DESIGNS, SweepSpec, load_spec
from sim.experiments.sweep import SweepOutcome, sweep
from sim.results import write_parquet_atomic
from sim.scenario import Problem, ScenarioError

__all__ = [
    "SensitivityResult",
    "analyse",
    "format_indices",
    "plot_indices",
    "sampling_warning",
    "sensitivity",
]

SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "mu", "sigma")


@dataclasses.dataclass(frozen=True)
class SensitivityResult:
    """Indices of a sensitivity analysis and where they were written.

    Attributes
    ----------
    method : str
        ``"sobol"`` or ``"morris"``.
    indices : DataFrame
        One row per output and parameter: ``output``, ``parameter``, the index
        columns (:data:`SOBOL_COLUMNS` or :data:`MORRIS_COLUMNS`) and ``note``.
    sweep : SweepOutcome
    table_path, plot_path : Path
    """

    method: str
    indices: pd.DataFrame
    sweep: SweepOutcome
    table_path: Path
    plot_path: Path | None


def sensitivity(
    spec: SweepSpec | str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    executor: str | None = None,
    resume: bool = False,
    progress: bool = True,
    outputs: tuple[str, ...] | None = None,
    plot: bool = True,
) -> SensitivityResult:
    """Run the design of ``spec`` and compute sensitivity indices.

    Parameters
    ----------
    spec : SweepSpec or path to a spec TOML with ``design = "saltelli"`` or ``"morris"``
    out : path, optional
        Output folder (default ``results/sensitivity/<name>``); holds the sweep tables,
        ``sensitivity.parquet``, ``sensitivity.csv`` and ``sensitivity.png``.
    workers, executor, resume, progress
        As for :func:`sim.experiments.sweep.sweep`.
    outputs : tuple of str, optional
        Output columns to analyse (default ``[sensitivity] outputs`` of the spec, or all).
    plot : bool
        Write ``sensitivity.png``.

    Raises
    ------
    ScenarioError
        If the design is not a sensitivity design or an output is unknown.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    if spec.design not in SENSITIVITY_DESIGNS:
        raise ScenarioError([Problem(spec.origin, "sweep.design", spec.design,
                                     "saltelli (Sobol indices) or morris for a sensitivity analysis")])
    names = tuple(outputs or spec.analyse or spec.outputs.columns())
    unknown = [n for n in names if n not in spec.outputs.columns()]
    if unknown:
        raise ScenarioError([Problem(spec.origin, "sensitivity.outputs", n,
                                     "one of the output columns: " + ", ".join(spec.outputs.columns()))
                             for n in unknown])
    out = Path(out) if out is not None else Path("results") / "sensitivity" / spec.name
    outcome = sweep(spec, out, workers=workers, executor=executor, resume=resume, progress=progress)
    runs = pd.read_parquet(outcome.runs_path, columns=["point", "error", *names])
    indices = analyse(spec, runs, names)
    table = write_parquet_atomic(indices, out / "sensitivity.parquet")
    indices.to_csv(out / "sensitivity.csv", index=False)
    png = plot_indices(indices, out / "sensitivity.png", title=spec.name) if plot else None
    method = "sobol" if spec.design == "saltelli" else "morris"
    return SensitivityResult(method, indices, outcome, table, png)


def analyse(spec: SweepSpec, runs: pd.DataFrame, outputs: tuple[str, ...]) -> pd.DataFrame:
    """Sensitivity indices from a finished sweep's ``runs`` table.

    Parameters
    ----------
    spec : SweepSpec
        With ``design`` ``saltelli`` or ``morris``.
    runs : DataFrame
        At least ``point``, ``error`` and the ``outputs`` columns.
    outputs : tuple of str

    Returns
    -------
    DataFrame
        One row per (output, parameter).
    """
    design = make_design(spec)
    problem = salib_problem(spec.parameters)
    ok = runs[runs["error"] == ""] if "error" in runs else runs
    means = ok.groupby("point")[list(outputs)].mean().reindex(range(len(design)))
    if means.isna().any().any():
        missing = int(means.isna().any(axis=1).sum())
        raise ValueError(f"{missing} design points have no successful run; see the `error` column")
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, DESIGN_STREAM, 1]))
    rows: list[dict[str, Any]] = []
    for name in outputs:
        y = means[name].to_numpy(dtype=np.float64)
        constant = bool(np.ptp(y) == 0.0)
        res: dict[str, Any] = {}
        if not constant:
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                res = _salib(spec, problem, design.unit, y, rng)
        cols = SOBOL_COLUMNS if spec.design == "saltelli" else MORRIS_COLUMNS
        for j, path in enumerate(spec.paths):
            row: dict[str, Any] = {"output": name, "parameter": path}
            for c in cols:
                row[c] = float(np.asarray(res[c])[j]) if res else np.nan
            row["note"] = "constant output" if constant else ""
            rows.append(row)
    return pd.DataFrame(rows)


def _salib(
    spec: SweepSpec, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> dict[str, Any]:
    seed = int(rng.integers(2**31 - 1))
    if spec.design == "saltelli":
        from SALib.analyze import sobol

        return dict(sobol.analyze(problem, y, calc_second_order=spec.second_order,
                                  num_resamples=spec.resamples, conf_level=spec.conf_level, seed=seed))
    from SALib.analyze import morris

    return dict(morris.analyze(problem, x, y, num_resamples=spec.resamples, conf_level=spec.conf_level,
                               num_levels=spec.levels, seed=seed))


def format_indices(indices: pd.DataFrame) -> str:
    """A plain-text table of the indices."""
    cols = [c for c in (*SOBOL_COLUMNS, *MORRIS_COLUMNS) if c in indices]
    width = max(len("parameter"), *(len(p) for p in indices["parameter"]))
    lines = []
    for name, group in indices.groupby("output", sort=False):
        lines.append(f"{name}")
        lines.append(f"  {'parameter':{width}s}  " + "  ".join(f"{c:>12s}" for c in cols))
        for _, r in group.iterrows():
            vals = "  ".join(f"{r[c]:12.4f}" for c in cols)
            lines.append(f"  {r['parameter']:{width}s}  {vals}  {r['note']}".rstrip())
    return "\n".join(lines)


def sampling_warning(indices: pd.DataFrame) -> str:
    """A warning when Sobol indices are outside [0, 1]: a symptom of too small a sample.

    True first-order and total indices lie in [0, 1] with ``S1 <= ST``. Estimates below 0
    or above 1 (beyond rounding) are sampling error of the Saltelli estimator, not findings:
    raise ``samples`` (and ``replicates`` for a noisy model) until they vanish and the
    confidence intervals are narrow enough for the conclusion drawn.

    Parameters
    ----------
    indices : DataFrame
        Rows of one output with ``S1``, ``ST`` and their ``*_conf`` columns.

    Returns
    -------
    str
        The warning, or an empty string when every index is within [0, 1].
    """
    tol = 0.01
    bad = []
    if (indices["S1"] < -tol).any():
        bad.append("S1 < 0")
    if (indices["ST"] > 1 + tol).any():
        bad.append("ST > 1")
    if (indices["S1"] > indices["ST"] + indices["ST_conf"] + tol).any():
        bad.append("S1 > ST")
    if not bad:
        return ""
    return f"{', '.join(bad)}: sampling error of a small sample, not a finding; raise samples"


def plot_indices(indices: pd.DataFrame, path: str | Path, *, title: str = "") -> Path:
    """Bar chart of the indices with confidence intervals, one panel per output."""
    from matplotlib.figure import Figure

    sobol = "S1" in indices
    outputs = list(dict.fromkeys(indices["output"]))
    n = len(outputs)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(5.0 * ncols, 0.5 + 0.45 * nrows * (1 + indices["parameter"].nunique())))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, name in enumerate(outputs):
        ax = axes[k // ncols][k % ncols]
        g = indices[indices["output"] == name]
        pos = np.arange(len(g))
        if sobol:
            h = 0.38
            ax.barh(pos - h / 2, g["S1"], h, xerr=g["S1_conf"], label="first order S1", capsize=2)
            ax.barh(pos + h / 2, g["ST"], h, xerr=g["ST_conf"], label="total ST", capsize=2)
            ax.set_xlabel("Sobol index")
        else:
            ax.barh(pos, g["mu_star"], 0.6, xerr=g["mu_star_conf"], label="mu*", capsize=2)
            ax.set_xlabel("Morris mu* (mean |elementary effect|)")
        ax.set_yticks(pos, list(g["parameter"]), fontsize=8)
        ax.invert_yaxis()
        ax.set_title(name + (" (constant)" if (g["note"] != "").any() else ""), fontsize=9)
        warning = sampling_warning(g) if sobol else ""
        if warning:
            ax.text(0.99, 0.02, warning, transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=7, color="darkred", wrap=True,
                    bbox={"fc": "#fff3f3", "ec": "darkred", "lw": 0.5, "alpha": 0.9})
        ax.axvline(0.0, color="0.5", lw=0.5)
        if k == 0:
            ax.legend(fontsize=7)
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
