"""The ``basmachi score`` and ``basmachi compare`` subcommands.

``sim.cli`` calls :func:`register` with its subparsers. Bad input raises
:class:`sim.scenario.ScenarioError` (scenario files) or :class:`sim.scoring.targets.TargetError`
(targets file), both :class:`sim.validation.InputError` (exit code 2 at the command line).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli_args import UsageError, output_folder, replicates_int, seed_int

if TYPE_CHECKING:
    from sim.results import RunResult
    from sim.scenario import Scenario

__all__ = ["cmd_compare", "cmd_score", "register", "targets_for"]


def register(subparsers: Any) -> None:
    """Add ``score`` and ``compare`` to the ``basmachi`` subparsers."""
    s = subparsers.add_parser(
        "score", help="run N replicates and score them against the documented targets")
    s.add_argument("scenario", help="scenario TOML path or name in scenarios/ (e.g. raids_1929)")
    s.add_argument("--replicates", type=replicates_int, default=20, metavar="N", help="replicates (default 20)")
    s.add_argument("--seed", type=seed_int, default=None, help="master seed (default: the scenario's)")
    s.add_argument("--out", type=output_folder, default=None, metavar="DIR", help="output folder (default results/score-<scenario>)")
    s.add_argument("--targets", default=None, metavar="FILE", help="targets file (default calibration/targets.toml)")
    s.add_argument("--json", action="store_true", help="print the table and score as JSON")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--params", default=None, metavar="FILE",
                   help="parameter TOML laid over the scenario (e.g. calibration/fitted/point.toml)")
    s.add_argument("--model", choices=("abm", "ode"), default="abm",
                   help="abm: the agent-based model (default); ode: the Lanchester-ODE baseline"
                        " (deterministic: one run; its coefficients from the [ode] table of --params)")
    s.add_argument(
        "--null", action="store_true",
        help="score the null world instead: the same inputs, bands never move, fight or recruit",
    )
    s.set_defaults(func=cmd_score)

    c = subparsers.add_parser(
        "compare", help="distributions of key outcomes of two scenarios side by side, with a plot")
    c.add_argument("a", help="first scenario (path or name)")
    c.add_argument("b", help="second scenario (path or name)")
    c.add_argument("--replicates", type=replicates_int, default=10, metavar="N", help="replicates each (default 10)")
    c.add_argument("--seed", type=seed_int, default=None, help="master seed (default: A's)")
    c.add_argument("--out", type=output_folder, default=None, metavar="DIR", help="output folder (default results/compare-<a>-<b>)")
    c.add_argument("--targets", default=None, metavar="FILE", help="targets file (default calibration/targets.toml)")
    c.add_argument("--json", action="store_true", help="print the comparison as JSON")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=cmd_compare)


def _usage(message: str) -> Exception:
    return UsageError(message)


def targets_for(scenario_arg: str, scenario: Scenario, targets_file: str | None) -> tuple[Any, str]:
    """Targets of a scenario, following ``extends`` when a variant has none of its own.

    Returns the targets and the name of the scenario they were written for.
    """
    from sim.scoring.api import targets_of
    from sim.scoring.target_file import load_targets

    return targets_of(scenario_arg, load_targets(targets_file))


def _replicates(
    scenario: Scenario, n: int, seed: int, targets: Any, quiet: bool, desc: str, *, null: bool = False
) -> list[RunResult]:
    from tqdm import tqdm

    from sim.scoring.runs import run_replicates

    with tqdm(total=n, unit="run", desc=desc, disable=quiet, file=sys.stderr) as bar:
        return run_replicates(
            scenario, n, seed=seed, targets=targets, progress=lambda _: bar.update(1), null=null
        )


def cmd_score(args: argparse.Namespace) -> int:
    """``basmachi score``: per-target table, ``score.csv``, ``score.json`` and ``score.png``."""
    from sim.calibration.overlay import apply_params
    from sim.scenario import load_scenario
    from sim.scoring.evaluate import evaluate
    from sim.scoring.report import plot_score

    scenario = apply_params(load_scenario(args.scenario), args.params)
    targets, written_for = targets_for(args.scenario, scenario, args.targets)
    if not targets:
        raise _usage(f"score: no targets for scenario {scenario.name!r} in the targets file")
    seed = scenario.seed if args.seed is None else args.seed
    if args.null and args.model == "ode":
        raise _usage("score: --null runs the agent-based model's null world; not with --model ode")
    if args.model == "ode":
        results = [_ode_run(scenario, args.params)]
    else:
        desc = scenario.name + (" (null)" if args.null else "")
        results = _replicates(
            scenario, args.replicates, seed, targets, args.quiet, desc, null=args.null
        )
    ev = evaluate(targets, results, scenario=scenario.name, null=args.null)
    suffix = "-ode" if args.model == "ode" else ("-null" if args.null else "")
    out = Path(args.out) if args.out else Path("results") / f"score-{scenario.name}{suffix}"
    out.mkdir(parents=True, exist_ok=True)
    ev.to_frame().to_csv(out / "score.csv", index=False)
    (out / "score.json").write_text(ev.to_json(), encoding="utf-8")
    png = plot_score(results, ev, out / "score.png")
    if args.json:
        print(ev.to_json())
    else:
        if written_for != scenario.name:
            print(f"(targets of {written_for}: {scenario.name} is a what-if variant of it)")
        print(ev.table())
        print(f"wrote      {out / 'score.csv'}, {out / 'score.json'}, {png}")
    return 0


def _ode_run(scenario: Scenario, params: str | None) -> RunResult:
    from sim.calibration.overlay import ode_values, read_params
    from sim.lanchester_ode import ode_params, run_ode

    p = ode_params(ode_values(read_params(params)) if params else None, origin=str(params))
    return run_ode(scenario, p)


def cmd_compare(args: argparse.Namespace) -> int:
    """``basmachi compare``: key outcomes of A and B, the targets of A on both, and a plot."""
    from sim.scenario import load_scenario
    from sim.scoring.compare import compare_results
    from sim.scoring.evaluate import evaluate
    from sim.scoring.report import plot_compare

    sa, sb = load_scenario(args.a), load_scenario(args.b)
    targets, _ = targets_for(args.a, sa, args.targets)
    seed = sa.seed if args.seed is None else args.seed
    ra = _replicates(sa, args.replicates, seed, targets, args.quiet, sa.name)
    rb = _replicates(sb, args.replicates, seed, targets, args.quiet, sb.name)
    cmp = compare_results(sa.name, ra, sb.name, rb)
    out = Path(args.out) if args.out else Path("results") / f"compare-{sa.name}-{sb.name}"
    out.mkdir(parents=True, exist_ok=True)
    png = plot_compare(ra, rb, cmp, out / "compare.png")
    data: dict[str, Any] = cmp.as_dict()
    lines = []
    if targets:
        ea, eb = evaluate(targets, ra, scenario=sa.name), evaluate(targets, rb, scenario=sb.name)
        data["targets"] = [
            {"id": x.target.key, "documented": x.target.documented(), "a": x.as_dict(), "b": y.as_dict()}
            for x, y in zip(ea.results, eb.results, strict=True)
        ]
        data["hit_rate"] = {"a": ea.hit_rate, "b": eb.hit_rate}
        w = max(len(x.target.key) for x in ea.results)
        lines.append(f"\nTargets of {sa.name} on both (median; share of replicates inside):")
        for x, y in zip(ea.results, eb.results, strict=True):
            mark = "  <- differs" if abs(x.share_in - y.share_in) >= 0.2 or x.hit != y.hit else ""
            lines.append(
                f"{x.target.key.ljust(w)}  {x.target.documented():>24}  A {x.fmt(x.median):>10} ({x.share_in:.2f})"
                f"  B {y.fmt(y.median):>10} ({y.share_in:.2f}){mark}"
            )
        lines.append(f"hit rate  A {ea.hit_rate:.2f}   B {eb.hit_rate:.2f}")
    (out / "compare.json").write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(f"A = {sa.name}, B = {sb.name}, {args.replicates} replicates each (seed {seed})")
        print(cmp.table())
        print("\n".join(lines))
        print(f"wrote      {out / 'compare.json'}, {png}")
    return 0
