"""The ``basmachi calibrate`` subcommand.

``basmachi calibrate SPEC --out DIR`` runs the search (``[calibration] budget > 0``) into
``DIR/search``, the accepted ensemble (an ``[abc]`` table) into ``DIR/abc``, then writes the
result (:func:`sim.calibration.report.write_report`) into ``DIR``. ``--resume`` continues
a killed calibration without losing or repeating an evaluation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sim.cli_args import output_folder, workers_int

__all__ = ["cmd_calibrate", "register"]


def register(subparsers: Any) -> None:
    """Add ``calibrate`` to the ``basmachi`` subparsers."""
    from sim.experiments.commands import EXECUTOR_HELP

    c = subparsers.add_parser(
        "calibrate",
        help="fit parameters to the documented campaigns: search, accepted ensemble (ABC),"
             " leave-one-campaign-out, report; resumable")
    c.add_argument("spec", help="calibration spec TOML (see calibration/*.toml)")
    c.add_argument("--out", type=output_folder, required=True, metavar="DIR", help="output folder")
    c.add_argument("--executor", default=None, help=EXECUTOR_HELP)
    c.add_argument("--workers", type=workers_int, default=None, metavar="N",
                   help="worker processes (default: the spec's, else 2)")
    c.add_argument("--resume", action="store_true", help="continue the calibration in --out")
    c.add_argument("--baseline", default=None, metavar="DIR",
                   help="a calibrated ODE baseline folder whose leave-one-out rows join the table")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the stages of the spec and print the summary."""
    from sim.calibration.abc import abc_smc
    from sim.calibration.report import write_report
    from sim.calibration.search import CalibrationStateError, search
    from sim.calibration.spec import load_calibration_spec
    from sim.cli_args import UsageError
    from sim.experiments.spec import check_executor

    if args.executor is not None:
        problems = check_executor(args.executor, origin="--executor", path="executor")
        if problems:
            raise UsageError(f"--executor {args.executor!r}: expected {problems[0].allowed}")
    spec = load_calibration_spec(args.spec)
    if spec.budget == 0 and spec.abc.generations == 0:
        raise UsageError(f"{args.spec}: nothing to do: `budget = 0` and no [abc] table")
    out = Path(args.out)
    t0 = time.perf_counter()
    evaluated = 0  # evaluations run by this invocation (not resumed)
    try:
        if spec.budget > 0:
            res = search(spec, out / "search", executor=args.executor, workers=args.workers,
                         resume=args.resume, progress=not args.quiet)
            evaluated += res.n_evaluations - res.n_resumed
            print(f"search     {res.n_evaluations} evaluations ({res.n_resumed} resumed),"
                  f" best objective {res.best['objective']:.4f} (trial {res.best['trial']})")
        if spec.abc.generations > 0:
            ab = abc_smc(spec, out / "abc", executor=args.executor, workers=args.workers,
                         resume=args.resume, progress=not args.quiet)
            evaluated += ab.n_evaluations - ab.n_resumed
            print(f"abc        {ab.n_evaluations} evaluations ({ab.n_resumed} resumed),"
                  f" {len(ab.accepted)} accepted, thresholds {', '.join(f'{e:.4f}' for e in ab.epsilons)}")
    except CalibrationStateError as exc:
        raise UsageError(str(exc)) from None
    summary = write_report(spec, out, baseline=args.baseline,
                           wall_seconds=(_wall_so_far(out) if args.resume else 0.0) + (time.perf_counter() - t0 if evaluated else 0.0))
    point = summary.get("point")
    if point:
        print(f"point      objective {point['objective']:.4f}, informative hit rate {point['hit_rate']:.2f}"
              f" -> {out / 'point.toml'}")
    ens = summary.get("ensemble")
    if ens:
        print(f"ensemble   {ens['accepted']} accepted; coverage of the 90 % intervals {ens['coverage']:.2f}")
    print(f"runs       {summary['runs']} model runs, {time.perf_counter() - t0:.0f} s wall")
    print(f"wrote      {out / 'report.md'}", file=sys.stdout)
    return 0


def _wall_so_far(out: Path) -> float:
    """Wall time of the earlier invocations that ran evaluations (0 for a fresh calibration).

    A resumed calibration adds its own wall time only if it evaluated something, so a
    re-run that only rewrites the report keeps the wall time of the work.
    """
    import json

    try:
        old = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        return float(old.get("wall_seconds") or 0.0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0

