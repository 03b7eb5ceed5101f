"""The ``basmachi sweep`` and ``basmachi sensitivity`` subcommands.

``sim.cli`` calls :func:`register` with its subparsers; each subcommand's function
takes the parsed arguments and returns the exit code. Bad input raises
:class:`sim.scenario.ScenarioError` (spec problems, naming file, field, value and what
is allowed) or :class:`sim.cli_args.UsageError`, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli_args import UsageError, int_in, output_folder, workers_int

__all__ = ["cmd_sensitivity", "cmd_sweep", "register"]

EXECUTOR_HELP = (
    "serial, local (a process pool, the default), dask (a local Dask cluster) or"
    " dask://HOST:PORT (join a running `dask scheduler`); default: the spec's [execution]"
)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="sweep spec TOML (see scenarios/sweeps/)")
    p.add_argument("--out", type=output_folder, default=None, metavar="DIR", help="output folder")
    p.add_argument("--workers", type=workers_int, default=None, metavar="N",
                   help="worker processes (default: the spec's, else 2)")
    p.add_argument("--executor", default=None, help=EXECUTOR_HELP)
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep in --out, skipping finished runs")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers: Any) -> None:
    """Add ``sweep`` and ``sensitivity`` to the ``basmachi`` subparsers."""
    s = subparsers.add_parser(
        "sweep", help="run a parameter sweep (design x replicates) to Parquet tables; resumable")
    _common(s)
    s.add_argument("--batch-size", type=int_in(1, 100_000), default=None, metavar="N",
                   help="runs per task (default: automatic)")
    s.add_argument("--no-plot", action="store_true", help="do not write overview.png")
    s.set_defaults(func=cmd_sweep)

    a = subparsers.add_parser(
        "sensitivity", help="Sobol (Saltelli) or Morris sensitivity indices with confidence intervals")
    _common(a)
    a.add_argument("--outputs", nargs="+", default=None, metavar="COLUMN",
                   help="output columns to analyse (default: the spec's [sensitivity] outputs)")
    a.add_argument("--no-plot", action="store_true", help="do not write sensitivity.png")
    a.set_defaults(func=cmd_sensitivity)


def _checked(args: argparse.Namespace) -> None:
    from sim.experiments.spec import check_executor

    if args.executor is not None:
        problems = check_executor(args.executor, origin="--executor", path="executor")
        if problems:
            raise UsageError(f"--executor {args.executor!r}: expected {problems[0].allowed}")


def _usage(exc: Exception) -> Exception:
    return UsageError(str(exc))


def cmd_sweep(args: argparse.Namespace) -> int:
    """``basmachi sweep SPEC``: run the sweep and print where the tables are."""
    from sim.experiments.spec import load_spec
    from sim.experiments.sweep import SweepStateError, sweep

    _checked(args)
    spec = load_spec(args.spec)
    try:
        res = sweep(spec, args.out, workers=args.workers, executor=args.executor,
                    resume=args.resume, progress=not args.quiet, batch_size=args.batch_size)
    except SweepStateError as exc:
        raise _usage(exc) from None
    new = res.n_runs - res.n_resumed
    print(f"sweep      {spec.name}: {spec.design} design, {res.n_runs // spec.replicates} points x"
          f" {spec.replicates} replicates = {res.n_runs} runs (seed {spec.seed})")
    print(f"executed   {new} runs in {res.seconds:.1f} s on {res.executor} ({res.workers} workers)"
          + (f", {res.n_resumed} resumed from disk" if res.n_resumed else ""))
    if res.n_errors:
        print(f"errors     {res.n_errors} runs failed; see the `error` column", file=sys.stderr)
    print(f"wrote      runs       {res.runs_path}")
    if res.timeseries_path is not None:
        print(f"wrote      timeseries {res.timeseries_path}")
    if not args.no_plot:
        import pandas as pd

        from sim.plots import plot_sweep

        fig = plot_sweep(pd.read_parquet(res.runs_path), spec.paths, spec.outputs.columns(),
                         title=spec.name)
        fig.savefig(res.out / "overview.png", dpi=100)
        print(f"wrote      overview   {res.out / 'overview.png'}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``basmachi sensitivity SPEC``: run the design, print indices, write table and plot."""
    from sim.experiments.sensitivity import format_indices, sensitivity
    from sim.experiments.spec import load_spec
    from sim.experiments.sweep import SweepStateError
    from sim.scenario import ScenarioError

    _checked(args)
    spec = load_spec(args.spec)
    try:
        res = sensitivity(spec, args.out, workers=args.workers, executor=args.executor,
                          resume=args.resume, progress=not args.quiet,
                          outputs=tuple(args.outputs) if args.outputs else None,
                          plot=not args.no_plot)
    except (SweepStateError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise _usage(exc) from None
    kind = "Sobol indices (S1 first order, ST total)" if res.method == "sobol" else "Morris screening"
    conf = f"{spec.conf_level:.0%}"
    print(f"{kind}; *_conf = {conf} confidence half-widths; {res.sweep.n_runs} runs")
    print(format_indices(res.indices))
    print(f"wrote      table {res.table_path}")
    if res.plot_path is not None:
        print(f"wrote      plot  {res.plot_path}")
    return 0
