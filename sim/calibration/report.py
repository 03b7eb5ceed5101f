"""The shipped result of a calibration: point estimate, ensemble, tables and figures.

:func:`write_report` turns a calibration folder (``search/`` and/or ``abc/`` inside) into::

    point.toml         the point estimate, usable as ``--params point.toml``
    posterior.parquet  the accepted ensemble (parameters, weight, distances)
    predictive.csv     per target: documented, median, 90 % interval, hit, covered
    parameters.csv     per parameter: prior range, weighted posterior 5 / 50 / 95 %
    loco.csv           leave one campaign out (and the baseline's rows, when given)
    influence.csv      rank correlation of each parameter with the fit over the prior draws
    summary.json       runs, wall time, hit rate, coverage, objective of the point
    report.md          all of the above as text
    posterior_pairs.png, predictive.png, trace.png

The point estimate is the search's best candidate when a search ran, else the accepted
set with the smallest distance (a parameter set that was actually run, unlike a
coordinate-wise posterior median).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.abc import coverage, predictive, weighted_quantile
from sim.calibration.crossval import leave_one_out
from sim.calibration.influence import influence
from sim.calibration.objective import CampaignEval, hit_rate, objective
from sim.calibration.search import load_evaluations, point_toml
from sim.calibration.spec import CalibrationSpec

__all__ = ["by_trial", "write_report"]


def by_trial(done: Mapping[tuple[int, str], CampaignEval], campaigns: Sequence[str]) -> dict[int, list[CampaignEval]]:
    """Evaluations grouped by trial (only trials with every campaign), in campaign order."""
    trials = sorted({t for t, _ in done})
    return {t: [done[(t, c)] for c in campaigns] for t in trials if all((t, c) in done for c in campaigns)}


def _fmt(x: Any, kind: str, start: dt.date | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if kind in ("event_date", "first_below") and start is not None:
        if math.isinf(x):
            return "never"
        return (start + dt.timedelta(days=round(x))).isoformat()
    if kind == "absent":
        return "none" if x >= 1 else "some"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:,.0f}"


def write_report(
    spec: CalibrationSpec, out: str | Path, *, baseline: str | Path | None = None,
    wall_seconds: float | None = None,
) -> dict[str, Any]:
    """Write the shipped result into ``out`` (see the module docstring); return the summary."""
    out = Path(out)
    starts = {s.name: s.start for s in spec.scenarios}
    summary: dict[str, Any] = {"name": spec.name, "model": spec.model, "seed": spec.seed,
                               "campaigns": list(spec.campaigns)}
    search_done = load_evaluations(out / "search") if (out / "search").is_dir() else {}
    abc_done = load_evaluations(out / "abc") if (out / "abc").is_dir() else {}
    runs_per_eval = {"search": spec.replicates, "abc": spec.abc.replicates}
    n_runs = len(search_done) * (1 if spec.model == "ode" else runs_per_eval["search"]) + \
        len(abc_done) * (1 if spec.model == "ode" else runs_per_eval["abc"])
    summary["evaluations"] = {"search": len(search_done), "abc": len(abc_done)}
    summary["runs"] = n_runs
    summary["compute_seconds"] = round(sum(e.seconds for e in (*search_done.values(), *abc_done.values())), 1)
    if wall_seconds is not None:
        summary["wall_seconds"] = round(wall_seconds, 1)
    lines = [f"# Calibration `{spec.name}` ({spec.model})", ""]

    # ---- point estimate
    point: dict[str, Any] | None = None
    if search_done:
        st = by_trial(search_done, spec.campaigns)
        best = min(st, key=lambda t: objective(st[t]))
        point = {"source": "search", "trial": best, "evals": st[best]}
    abc_trials = by_trial(abc_done, spec.campaigns)
    particles = pd.read_parquet(out / "abc" / "particles.parquet") if (out / "abc" / "particles.parquet").exists() else None
    if particles is not None and len(particles):
        last = int(particles["generation"].max())
        acc = particles[(particles["generation"] == last) & particles["accepted"]].reset_index(drop=True)
        acc.to_parquet(out / "posterior.parquet", index=False)
        if point is None:
            best = int(acc["trial"].to_numpy()[int(np.argmin(acc["distance"].to_numpy(dtype=float)))])
            point = {"source": "abc", "trial": best, "evals": abc_trials[best]}
    if point is not None:
        values = {p.path: (round(float(point["evals"][0].values[p.path])) if p.kind == "int"
                           else float(point["evals"][0].values[p.path])) for p in spec.parameters}
        header = (f"Point estimate of calibration {spec.name!r} ({spec.model}): {point['source']} trial"
                  f" {point['trial']}, objective {objective(point['evals']):.4f}; seed {spec.seed}.\n"
                  "Use: basmachi run SCENARIO --params THIS_FILE (or basmachi score ... --params).")
        name = "point.toml"
        (out / name).write_text(point_toml({**dict(spec.fixed), **values}, header=header), encoding="utf-8")
        summary["point"] = {"source": point["source"], "trial": point["trial"], "values": values,
                            "objective": objective(point["evals"]), "hit_rate": hit_rate(point["evals"])}
        lines += ["## Point estimate", "",
                  f"{point['source']} trial {point['trial']}: objective {objective(point['evals']):.4f},"
                  f" informative hit rate {hit_rate(point['evals']):.2f} (its own runs).", ""]
        lines += ["| campaign | distance | hit rate |", "|---|---|---|"]
        for e in point["evals"]:
            lines.append(f"| {e.campaign} | {e.distance:.3f} | {hit_rate([e]):.2f} |")
        lines.append("")

    # ---- ensemble: predictive and parameters
    if particles is not None and len(particles):
        w = dict(zip(acc["trial"].astype(int), acc["weight"].astype(float), strict=True))
        pred = predictive({t: abc_trials[t] for t in w}, w)
        pred.to_csv(out / "predictive.csv", index=False)
        cov_i = coverage(pred)
        hits_i = float(pred.loc[pred["informative"], "hit"].mean()) if pred["informative"].any() else math.nan
        abc_meta = json.loads((out / "abc" / "abc.json").read_text(encoding="utf-8"))
        summary["ensemble"] = {"accepted": len(acc), "proposals": len(particles),
                               "epsilons": abc_meta["epsilons"], "coverage": cov_i, "median_hit_rate": hits_i}
        lines += ["## Accepted ensemble (ABC)", "",
                  f"{len(acc)} accepted of {len(particles)} proposals ({abc_meta['generations']} generation(s),"
                  f" thresholds {', '.join(f'{e:.3f}' for e in abc_meta['epsilons'])}).",
                  f"Predictive 90 % intervals meet the documented interval for {cov_i:.2f} of the informative"
                  f" targets (coverage); the predictive median is inside for {hits_i:.2f}.", "",
                  "| campaign | target | documented | median | 90 % interval | hit | covered |",
                  "|---|---|---|---|---|---|---|"]
        for r in pred.itertuples():
            start = starts.get(str(r.campaign))
            mark = "" if r.informative else " (uninformative)"
            lines.append(
                f"| {r.campaign} | {r.key}{mark} | {r.documented} | {_fmt(r.median, str(r.kind), start)} |"
                f" {_fmt(r.p5, str(r.kind), start)} .. {_fmt(r.p95, str(r.kind), start)} |"
                f" {'yes' if r.hit else 'no'} | {'yes' if r.covered else 'no'} |")
        lines.append("")
        prow = []
        for p in spec.parameters:
            q = weighted_quantile(acc[p.path].to_numpy(float), acc["weight"].to_numpy(float), (0.05, 0.5, 0.95))
            prow.append({"parameter": p.path, "prior_low": p.low, "prior_high": p.high, "scale": p.scale,
                         "prior_source": p.source, "posterior_p5": q[0], "posterior_median": q[1],
                         "posterior_p95": q[2]})
        params = pd.DataFrame(prow)
        params.to_csv(out / "parameters.csv", index=False)
        lines += ["## Parameters", "", "| parameter | prior | posterior 5 % .. 95 % (median) |", "|---|---|---|"]
        for r in params.itertuples():
            lines.append(f"| {r.parameter} | {r.prior_low:.4g} .. {r.prior_high:.4g} ({r.scale}) |"
                         f" {r.posterior_p5:.4g} .. {r.posterior_p95:.4g} ({r.posterior_median:.4g}) |")
        lines.append("")
        _plot_pairs(spec, particles, out / "posterior_pairs.png")
        _plot_predictive(pred, starts, out / "predictive.png")

        # ---- leave one campaign out, on generation 0 (prior draws)
        gen0 = particles.loc[particles["generation"] == 0, "trial"].astype(int).tolist()
        loco = leave_one_out({t: abc_trials[t] for t in gen0}, spec.campaigns,
                             quantile=spec.abc.quantile, model=spec.model)
        if baseline is not None and (Path(baseline) / "loco.csv").exists():
            loco = pd.concat([loco, pd.read_csv(Path(baseline) / "loco.csv")], ignore_index=True)
            loco = loco[loco["model"].isin([spec.model, "ode"])]
        loco.to_csv(out / "loco.csv", index=False)
        infl = influence({t: abc_trials[t] for t in gen0}, [p.path for p in spec.parameters], spec.campaigns)
        infl.to_csv(out / "influence.csv", index=False)
        summary["influence"] = infl[["parameter", "rho", "p_value"]].to_dict(orient="records")
        lines += ["## Which parameters move the fit", "",
                  f"Spearman rank correlation of each parameter with the objective over the {len(gen0)} prior"
                  " draws (negative: larger values fit better); per campaign in `influence.csv`.", "",
                  "| rank | parameter | rho | p-value |", "|---|---|---|---|"]
        for r in infl.itertuples():
            lines.append(f"| {r.rank} | {r.parameter} | {r.rho:+.2f} | {r.p_value:.3f} |")
        lines.append("")
        summary["loco"] = loco.to_dict(orient="records")
        lines += ["## Leave one campaign out", "",
                  "Fit = best of the prior draws on the other campaigns; prediction = its runs of the held-out one.",
                  "", "| model | held out | in-sample distance | in-sample hit rate | out-of-sample distance |"
                  " out-of-sample hit rate | ensemble out distance | prior out distance |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in loco.itertuples():
            lines.append(f"| {r.model} | {r.held_out} | {r.in_distance:.3f} | {r.in_hit_rate:.2f} |"
                         f" {r.out_distance:.3f} | {r.out_hit_rate:.2f} | {r.ensemble_out_distance:.3f} |"
                         f" {r.prior_out_distance:.3f} |")
        lines.append("")
    if (out / "search" / "trace.csv").exists():
        _plot_trace(pd.read_csv(out / "search" / "trace.csv"), out / "trace.png")
    lines += ["## Cost", "", f"{n_runs} model runs ({summary['evaluations']}), compute"
              f" {summary['compute_seconds']:.0f} s" + (f", wall {wall_seconds:.0f} s" if wall_seconds else "") + ".", ""]
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=_json) + "\n", encoding="utf-8")
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return summary


def _json(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return str(x)


def _plot_pairs(spec: CalibrationSpec, particles: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = spec.parameters
    d = len(params)
    last = int(particles["generation"].max())
    acc = particles[(particles["generation"] == last) & particles["accepted"]]
    rest = particles[~particles.index.isin(acc.index)]
    size = max(1.6 * d, 4.0)
    fig, axes = plt.subplots(d, d, figsize=(size, size), squeeze=False)
    for i, pi in enumerate(params):
        for j, pj in enumerate(params):
            ax = axes[i][j]
            if i == j:
                ax.hist(rest[pi.path], bins=10, color="0.8", label="rejected")
                ax.hist(acc[pi.path], bins=10, color="firebrick", alpha=0.7, weights=acc["weight"] * len(acc),
                        label="accepted")
                if pi.scale == "log":
                    ax.set_xscale("log")
            else:
                ax.scatter(rest[pj.path], rest[pi.path], s=6, color="0.7")
                ax.scatter(acc[pj.path], acc[pi.path], s=10, color="firebrick")
                if pj.scale == "log":
                    ax.set_xscale("log")
                if pi.scale == "log":
                    ax.set_yscale("log")
            if i == d - 1:
                ax.set_xlabel(pj.path.split(".")[-1], fontsize=7)
            if j == 0:
                ax.set_ylabel(pi.path.split(".")[-1], fontsize=7)
            ax.tick_params(labelsize=5)
    fig.suptitle(f"{spec.name}: accepted (red) and rejected proposals over the prior ranges")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _plot_predictive(pred: pd.DataFrame, starts: Mapping[str, dt.date], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = pred.reset_index(drop=True)
    n = len(rows)
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.28 * n + 1)))
    for i, (_, r) in enumerate(rows.iterrows()):
        lo, hi = float(r["low"]), float(r["high"])
        scale = max(abs(lo) if math.isfinite(lo) else 0.0, abs(hi) if math.isfinite(hi) else 0.0, 1.0)
        if str(r["kind"]) in ("event_date", "first_below"):
            scale = 30.0
            centre = (lo + hi) / 2
        else:
            centre = (lo if math.isfinite(lo) else 0.0) if not math.isfinite(hi) else hi if not math.isfinite(lo) \
                else (lo + hi) / 2

        def x(v: float, centre: float = centre, scale: float = scale) -> float:
            if not math.isfinite(v):
                return 3.0 if v > 0 else -3.0
            return float(np.clip((v - centre) / scale, -3.0, 3.0))

        ax.plot([x(lo), x(hi)], [i, i], color="seagreen", lw=8, alpha=0.35, solid_capstyle="butt")
        ax.plot([x(float(r["p5"])), x(float(r["p95"]))], [i, i], color="firebrick", lw=1.5)
        ax.plot([x(float(r["median"]))], [i], "o", color="firebrick", ms=4)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{r['key']}{'' if r['informative'] else ' *'}" for _, r in rows.iterrows()], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xlim(-3.2, 3.2)
    ax.set_xlabel("offset from the documented window (dates: months; others: multiples of the bound)")
    ax.set_title("Predictive median and 90 % interval (red) against the documented window (green); * uninformative")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _plot_trace(trace: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(trace["trial"], trace["objective"], ".", color="0.6", label="candidate")
    ax.plot(trace["trial"], trace["best"], "-", color="firebrick", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel("objective (weighted distance)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
