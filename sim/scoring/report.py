"""Report figures: simulated trajectories as bands over replicates with the documented
points and windows overlaid (``score``), and two scenarios side by side (``compare``).

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot), so importing
or calling this module never switches the matplotlib backend of a notebook or script.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.results import RunResult
from sim.scoring.compare import OUTCOMES, Comparison
from sim.scoring.evaluate import Evaluation, TargetResult

__all__ = ["plot_band", "plot_compare", "plot_score", "verdict"]


def verdict(r: TargetResult) -> str:
    """What a reader should see for one target: HIT, miss, never, and whether it counts."""
    if r.hit:
        word = "HIT"
    elif r.applicable == 0:
        word = "never (its condition never met)"
    elif r.never:
        word = "never"
    else:
        word = "miss"
    return word if r.target.informative else f"{word}, not counted (uninformative)"


def _date_axis(ax: Axes) -> None:
    loc = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))  # type: ignore[no-untyped-call]


def _matrix(results: Sequence[RunResult], column: str) -> tuple[list[dt.date], np.ndarray]:
    n = min(len(r.steps) for r in results)
    dates = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]) for d in results[0].steps["date"][:n]]
    rows = []
    for r in results:
        st = r.steps
        if column == "in_country" and column not in st.columns:
            x = (st["insurgent_fighters"] - st["insurgents_in_afghanistan"]).to_numpy(dtype=float)
        elif column in st.columns:
            x = st[column].to_numpy(dtype=float)
        else:
            x = np.full(len(st), np.nan)
        rows.append(x[:n])
    return dates, np.vstack(rows)


def plot_band(
    results: Sequence[RunResult], column: str, *, ax: Axes, color: str, label: str
) -> Axes:
    """Median and 5-95 % band of a steps column over replicates."""
    dates_list, m = _matrix(results, column)
    if np.isnan(m).all():  # a series the model does not define (e.g. towns in the ODE baseline)
        ax.plot([], [], color=color, label=f"{label}: not defined by this model")
        return ax
    dates = np.array(dates_list, dtype="datetime64[D]")
    lo, med, hi = np.nanpercentile(m, [5, 50, 95], axis=0)
    ax.fill_between(dates, lo, hi, color=color, alpha=0.25, lw=0)
    ax.plot(dates, med, color=color, lw=1.5, label=f"{label} (median, 5-95 %)")
    return ax


def plot_score(results: Sequence[RunResult], ev: Evaluation, path: str | Path) -> Path:
    """Trajectories with the documented targets overlaid, and a panel of every target.

    The target panel shows, per target, the share of replicates inside the documented
    window or bound, the verdict in words ("HIT", "miss", "never"), and greys out the
    uninformative targets that do not count in the hit rate.
    """
    path = Path(path)
    n = len(ev.results)
    fig = Figure(figsize=(12, 8 + 0.22 * n), layout="constrained")
    axes = fig.subplots(3, 1, gridspec_kw={"height_ratios": [3, 2, max(3, 0.22 * n)]})
    ax = axes[0]
    plot_band(results, "in_country", ax=ax, color="firebrick", label="insurgents on Soviet soil")
    plot_band(results, "insurgents_in_afghanistan", ax=ax, color="darkorange", label="in Afghanistan")
    for r in ev.results:
        t = r.target
        if t.kind == "level" and t.date is not None:
            lo = t.low if t.low is not None else 0.0
            hi = t.high if t.high is not None else lo * 2 + 1
            ax.errorbar([t.date], [(lo + hi) / 2], yerr=[[(hi - lo) / 2], [(hi - lo) / 2]],
                        fmt="s", color="green" if r.hit else "black", capsize=4)
            ax.annotate(t.key, (t.date, hi), fontsize=7, xytext=(2, 2), textcoords="offset points")
        elif t.window is not None:
            ax.axvspan(t.window[0], t.window[1] + dt.timedelta(days=1),
                       color="green" if r.hit else "grey", alpha=0.12)
            ax.annotate(t.key, (t.window[0], 1.0), xycoords=("data", "axes fraction"),
                        fontsize=6, rotation=90, va="top")
    ax.set_ylabel("fighters")
    world = "NULL WORLD (nothing happens), " if ev.null else ""
    ax.set_title(f"{ev.scenario}: {world}{ev.replicates} replicates; documented windows shaded "
                 "(green = hit), documented levels as bars")
    ax.legend(fontsize=8, loc="upper right")
    _date_axis(ax)
    ax = axes[1]
    plot_band(results, "state_strength", ax=ax, color="navy", label="state strength")
    ax2 = ax.twinx()
    plot_band(results, "towns_held_by_insurgents", ax=ax2, color="purple", label="towns held by insurgents")
    ax.set_ylabel("men")
    ax2.set_ylabel("towns")
    ax.legend(fontsize=8, loc="upper left")
    ax2.legend(fontsize=8, loc="upper right")
    _date_axis(ax)
    ax = axes[2]
    y = np.arange(n)
    share = [r.share_in for r in ev.results]
    colors = [
        ("green" if r.hit else "firebrick") if r.target.informative else "lightgrey"
        for r in ev.results
    ]
    ax.barh(y, share, color=colors, hatch=None)
    labels = [
        f"{r.target.key}{'' if r.target.informative else ' *'}  {r.target.title[:45]}"
        for r in ev.results
    ]
    ax.set_yticks(y, labels, fontsize=6)
    for yi, r in zip(y, ev.results, strict=True):
        text = verdict(r) + ("" if r.never else f"  (median {r.fmt(r.median)})")
        ax.text(1.01, yi, text, va="center", fontsize=6, transform=ax.get_yaxis_transform(),
                color="black" if r.target.informative else "grey")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of replicates inside the documented window or bound "
                  "(green: median inside = hit; grey *: uninformative, not counted)")
    ax.set_title(f"{ev.hits}/{len(ev.counted)} informative targets hit (hit rate {ev.hit_rate:.2f}), "
                 f"weighted distance {ev.distance:.3f}")
    fig.savefig(path, dpi=110)
    return path


#: Unit of each compared outcome (y label of its panel).
OUTCOME_UNITS = {
    "peak_in_country": "men",
    "final_in_country": "men",
    "surrenders": "men",
    "town_days_held": "town-days",
    "days_to_collapse": "days",
    "insurgent_losses": "men",
    "state_losses": "men",
    "engagements_lost_by_state": "engagements",
    "engagements_lost_by_insurgents": "engagements",
}


def _short(name: str, width: int = 22) -> str:
    """A scenario name fitted under a box: wrapped at underscores, at most two lines."""
    if len(name) <= width:
        return name
    cut = name.rfind("_", 0, width)
    cut = cut if cut > 0 else width
    rest = name[cut:].lstrip("_")
    return name[:cut] + "\n" + (rest if len(rest) <= width else rest[: width - 1] + "…")


def plot_compare(
    results_a: Sequence[RunResult], results_b: Sequence[RunResult], cmp: Comparison, path: str | Path
) -> Path:
    """Fighters over time for both scenarios, and box plots of every key outcome."""
    path = Path(path)
    fig = Figure(figsize=(13, 9), layout="constrained")
    ax = fig.add_subplot(3, 1, 1)
    plot_band(results_a, "in_country", ax=ax, color="firebrick", label=cmp.a)
    plot_band(results_b, "in_country", ax=ax, color="steelblue", label=cmp.b)
    ax.set_ylabel("insurgents on Soviet soil (men)")
    ax.set_xlabel("date")
    ax.legend(fontsize=8)
    names = [_short(cmp.a), _short(cmp.b)]
    _date_axis(ax)
    for i, k in enumerate(OUTCOMES):
        sub = fig.add_subplot(3, 5, 6 + i)
        data = []
        for j, d in enumerate((cmp.outcomes_a[k], cmp.outcomes_b[k])):
            fin = d[np.isfinite(d)]
            data.append(fin if fin.size else np.array([np.nan]))
            never = d.size - fin.size
            if never:  # e.g. the rising never collapsed: say so instead of an empty box
                sub.annotate(f"never in\n{never}/{d.size}", (j + 1, 0.5),
                             xycoords=("data", "axes fraction"), ha="center", va="center",
                             fontsize=7, color="darkred")
        sub.boxplot(data, tick_labels=names)
        sub.set_title(k.replace("_", " "), fontsize=8)
        sub.set_ylabel(OUTCOME_UNITS.get(k, ""), fontsize=7)
        sub.tick_params(labelsize=7)
    fig.suptitle(f"{cmp.a} vs {cmp.b} ({len(results_a)} replicates each, same seeds)")
    fig.savefig(path, dpi=110)
    return path
