"""Command line: ``basmachi`` (or ``python -m sim``).

Subcommands: ``run``, ``validate``, ``map``, ``viz``, ``schema``, ``bench``, ``sweep``,
``sensitivity``, ``score``, ``compare`` and ``calibrate``. Bad input
(scenario files, parameters, coordinates) ends with a message naming the file,
field, value and what is allowed, and exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.cli_args import UsageError, int_in, output_file, output_folder, port_int, seed_int
from sim.validation import InputError

__all__ = ["UsageError", "main"]

EXIT_USAGE = 2
BENCH_MAX_UNITS = 200_000
"""Largest synthetic model of ``bench step`` (units); its villages at most :data:`BENCH_MAX_VILLAGES`."""
BENCH_MAX_VILLAGES = 250_000
BENCH_MAX_DAYS = 300
"""Days ``bench step`` times at most (its synthetic scenario runs 306 days)."""
BENCH_MAX_ENGAGEMENTS = 5_000_000
"""Most engagements of one ``bench combat`` size."""
BENCH_MAX_RUNS = 100_000
"""Most runs per executor of ``bench sweep``."""
ALLOW_OUTSIDE_HELP = (
    "let `extends` name files outside the scenario's folder tree and scenarios/"
)


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.calibration.overlay import apply_params
    from sim.results import OutputFolderError, check_output_folder, write_run_set
    from sim.runner import result_of, simulate
    from sim.scenario import load_scenario

    scenario = apply_params(
        load_scenario(args.scenario, allow_outside=args.allow_outside), args.params
    )
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / f"{scenario.name}-seed{seed}"
    try:
        check_output_folder(out, overwrite=args.overwrite)  # fail before the run, not after
    except OutputFolderError as exc:
        raise UsageError(str(exc)) from None
    t0 = time.perf_counter()
    with tqdm(
        total=scenario.days, unit="day", desc=scenario.name, disable=args.quiet, file=sys.stderr
    ) as bar:
        model = simulate(scenario, seed=seed, progress=lambda _: bar.update(1))
    elapsed = time.perf_counter() - t0
    result = result_of(model)

    def plot(folder: Path) -> dict[str, Path]:
        from sim.plots import plot_summary  # matplotlib only when a plot is wanted

        return {"plot": plot_summary(model, result.steps, folder / "summary.png")}

    try:
        paths = write_run_set(
            result,
            out,
            overwrite=args.overwrite,
            extras=None if args.no_plot else plot,
        )
    except OutputFolderError as exc:
        raise UsageError(str(exc)) from None
    steps, ev = result.steps, result.events
    first, last = steps.iloc[0], steps.iloc[-1]
    counts = ev["kind"].value_counts().to_dict() if len(ev) else {}
    print(
        f"scenario   {scenario.name}  ({scenario.start} .. {scenario.end}, {scenario.days} days, seed {seed})"
    )
    print(f"elapsed    {elapsed:.2f} s  ({scenario.days / max(elapsed, 1e-9):.0f} days/s)")
    print(
        f"insurgents {first.insurgent_fighters:.0f} -> {last.insurgent_fighters:.0f} fighters"
        f" ({last.insurgents_in_afghanistan:.0f} in Afghanistan), bands {last.bands_active:.0f}"
    )
    print(f"state      {first.state_strength:.0f} -> {last.state_strength:.0f} men")
    print(
        f"villages   pro-insurgent {last.villages_pro_insurgent:.0f}, neutral {last.villages_neutral:.0f},"
        f" pro-state {last.villages_pro_state:.0f}"
    )
    print("events     " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    for name, path in paths.items():
        print(f"wrote      {name:6s} {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    failed = 0
    for name in args.files:
        try:
            s = load_scenario(name, allow_outside=args.allow_outside)
        except InputError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
        else:
            print(
                f"ok  {name}: {s.name}, {s.start} .. {s.end}, {len(s.bands)} band entries,"
                f" {len(s.columns)} column entries, {len(s.timeline)} timeline entries"
            )
    return EXIT_USAGE if failed else 0


def _parse_latlon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(
            f"--at {text!r}: expected LAT,LON in decimal degrees, e.g. 38.56,68.77"
        ) from None
    return lat, lon


def _cmd_map(args: argparse.Namespace) -> int:
    from sim.geography import OutsideTheatreError, load_theatre

    theatre = load_theatre()
    if args.at is None and args.out is None:
        raise UsageError("map: give --at LAT,LON and/or --out FILE.png")
    if args.at is not None:
        lat, lon = _parse_latlon(args.at)
        try:
            print(json.dumps(theatre.describe(lat, lon)))
        except OutsideTheatreError as exc:
            raise UsageError(f"--at {args.at}: {exc}") from None
    if args.out is not None:
        import matplotlib.pyplot as plt
        from matplotlib.backend_bases import FigureCanvasBase

        from sim.mapplot import draw_theatre

        out = Path(args.out)
        formats = FigureCanvasBase.get_supported_filetypes()
        if out.suffix and out.suffix[1:].lower() not in formats:
            raise UsageError(
                f"--out {args.out}: expected a file name ending in one of "
                + ", ".join(f".{k}" for k in sorted(formats))
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        fig, ax = plt.subplots(figsize=(14, 8), layout="constrained")
        draw_theatre(theatre, ax=ax)
        fig.savefig(out, dpi=120)
        plt.close(fig)
        print(f"wrote {out}")
    return 0


def _cmd_viz(args: argparse.Namespace) -> int:
    import importlib.util

    from sim.scenario import load_scenario

    load_scenario(args.scenario)  # a bad scenario stops here with its message and exit code 2
    missing = [m for m in ("solara", "altair", "networkx") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(
            f"viz needs {', '.join(missing)}: install the viz extra, pip install -e '.[viz]'"
        )
    from sim.viz import ENV_SCENARIO, ENV_SEED

    env = {**os.environ, ENV_SCENARIO: args.scenario, ENV_SEED: str(args.seed)}
    cmd = [sys.executable, "-m", "solara", "run", "sim.viz", "--no-check-version"]
    cmd += ["--host", args.host, "--port", str(args.port)]
    if args.no_browser:
        cmd.append("--no-open")
    print(
        f"viz        {args.scenario} (seed {args.seed}) at http://{args.host}:{args.port}/"
        " (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    sys.stdout.flush()
    os.execve(sys.executable, cmd, env)  # the server replaces this process (signals reach it)


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.schema_doc import schema_markdown

    print(schema_markdown())
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "step":
        from sim.benchmarks.step import bench_step, format_step

        row = bench_step(units=args.units, villages=args.villages, days=args.days)
        print(json.dumps(row) if args.json else format_step(row))
        return 0
    if args.what == "combat":
        from sim.benchmarks.combat import bench_combat, format_combat

        sizes = tuple(args.sizes) if args.sizes else (1_000, 100_000, 1_000_000)
        rows = bench_combat(sizes, log=lambda line: print(line, file=sys.stderr))
        print(json.dumps(rows) if args.json else format_combat(rows))
        return 0
    if args.what == "run":
        from sim.benchmarks.run import bench_run, format_run

        names = tuple(args.scenarios) if args.scenarios else ("continuous_1923_1929", "raids_1929")
        res = bench_run(names, days=args.days_cut, reference=not args.no_reference,
                        log=lambda line: print(line, file=sys.stderr))
        print(json.dumps(res) if args.json else format_run(res))
        return 0
    if args.what == "sweep":
        from sim.benchmarks.sweep import bench_sweep, format_sweep

        result = bench_sweep(real_runs=args.runs)
        print(json.dumps(result) if args.json else format_sweep(result))
        return 0
    raise UsageError(f"bench: unknown benchmark {args.what!r}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``basmachi``."""
    p = argparse.ArgumentParser(
        prog="basmachi",
        description="basmachi-sim: run, check, draw, score and explore scenarios of the"
        " Basmachi insurgency (1923-1931).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser(
        "run", help="run a scenario: Parquet tables, a summary plot and a printed summary"
    )
    r.add_argument(
        "scenario", help="path to a scenario TOML, or a name in scenarios/ (e.g. garm_1929)"
    )
    r.add_argument(
        "--seed",
        type=seed_int,
        default=None,
        help="master seed, 0 .. 2**53 (default: the scenario's `seed`)",
    )
    r.add_argument(
        "--out", type=output_folder, default=None,
        help="output folder (default: results/<scenario>-seed<N>)",
    )
    r.add_argument("--params", default=None, metavar="FILE",
                   help="parameter TOML laid over the scenario (e.g. calibration/fitted/point.toml)")
    r.add_argument(
        "--overwrite", action="store_true", help="replace a previous run in the output folder"
    )
    r.add_argument("--allow-outside", action="store_true", help=ALLOW_OUTSIDE_HELP)
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument(
        "--no-plot", action="store_true", help="skip the summary plot (and matplotlib's start-up)"
    )
    r.set_defaults(func=_cmd_run)

    v = sub.add_parser("validate", help="check scenario files; exit code 2 if any is invalid")
    v.add_argument("files", nargs="+")
    v.add_argument("--allow-outside", action="store_true", help=ALLOW_OUTSIDE_HELP)
    v.set_defaults(func=_cmd_validate)

    m = sub.add_parser("map", help="query or draw the theatre")
    m.add_argument(
        "--at", default=None, metavar="LAT,LON", help="print the cell at a point as JSON"
    )
    m.add_argument(
        "--out",
        type=output_file,
        nargs="?",
        default=None,
        const=str(Path("results") / "theatre.png"),
        metavar="FILE.png",
        help="draw relief, rivers, border and towns (default file: results/theatre.png)",
    )
    m.set_defaults(func=_cmd_map)

    z = sub.add_parser(
        "viz",
        help="open an interactive map of a scenario in the browser (Mesa SolaraViz; viz extra)",
    )
    z.add_argument("scenario", help="path to a scenario TOML, or a name in scenarios/")
    z.add_argument("--seed", type=seed_int, default=0, help="initial seed (changeable on the page)")
    z.add_argument("--host", default="127.0.0.1", help="address to serve on (default: localhost)")
    z.add_argument("--port", type=port_int, default=8765, help="port to serve on (default: 8765)")
    z.add_argument("--no-browser", action="store_true", help="serve without opening a browser")
    z.set_defaults(func=_cmd_viz)

    d = sub.add_parser(
        "schema", help="print the scenario schema: every field, default, bounds and meaning"
    )
    d.set_defaults(func=_cmd_schema)

    b = sub.add_parser(
        "bench", help="benchmarks that print ratios against a baseline measured in the same run"
    )
    b.add_argument("what", choices=("run", "step", "combat", "sweep"))
    b.add_argument("--json", action="store_true", help="print JSON instead of a table")
    b.add_argument(
        "--units", type=int_in(2, BENCH_MAX_UNITS), default=10_000,
        help="step: number of units (bands + columns)",
    )
    b.add_argument("--villages", type=int_in(4, BENCH_MAX_VILLAGES), default=10_000,
                   help="step: number of villages")
    b.add_argument("--days", type=int_in(1, BENCH_MAX_DAYS), default=5, help="step: days to time")
    b.add_argument("--sizes", type=int_in(1, BENCH_MAX_ENGAGEMENTS), nargs="*",
                   help="combat: numbers of engagements")
    b.add_argument("--scenarios", nargs="*", help="run: scenarios (default: continuous_1923_1929"
                   " raids_1929)")
    b.add_argument("--cut", dest="days_cut", type=int_in(1, 3653), default=None, metavar="DAYS",
                   help="run: simulate only the first DAYS days of each scenario")
    b.add_argument("--no-reference", action="store_true",
                   help="run: skip the numpy reference run")
    b.add_argument("--runs", type=int_in(2, BENCH_MAX_RUNS), default=16,
                   help="sweep: runs of raids_1929 per executor (default 16; more runs spread"
                   " the workers' start-up, as a calibration-sized sweep does)")
    b.set_defaults(func=_cmd_bench)

    from sim.calibration.commands import register as register_calibration
    from sim.experiments.commands import register as register_experiments
    from sim.scoring.commands import register as register_scoring

    register_experiments(sub)
    register_scoring(sub)
    register_calibration(sub)
    return p


def use_file_backend() -> None:
    """Draw into files: select matplotlib's non-interactive Agg backend for this process.

    The command line writes figures to files and never opens a window. A backend the user
    chose with ``MPLBACKEND`` is respected. Importing ``sim`` modules never switches the
    backend (a notebook keeps its inline figures); only the command line does, here.
    """
    os.environ.setdefault("MPLBACKEND", "agg")
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:  # already imported (e.g. main() called in-process): switch now
        mpl.use(os.environ["MPLBACKEND"])


def _os_message(exc: OSError) -> str:
    """What the file system refused, naming the file(s): ``cannot use PATH: reason``."""
    names = " -> ".join(str(n) for n in (exc.filename, exc.filename2) if n is not None)
    reason = exc.strerror or str(exc)
    return f"cannot use {names}: {reason}" if names else f"input/output error: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``basmachi`` command; returns the exit code."""
    use_file_backend()
    parser = build_parser()
    args = parser.parse_args(argv)
    # Imported after parsing: ``basmachi --help`` stays free of numpy and the scenario module.
    from sim.geography import OutsideTheatreError
    from sim.scenario import ScenarioWarning

    func: Callable[[argparse.Namespace], int] = args.func
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        try:
            code = func(args)
        except InputError as exc:
            print(str(exc), file=sys.stderr)
            code = EXIT_USAGE
        except (UsageError, OutsideTheatreError) as exc:
            print(f"basmachi: {exc}", file=sys.stderr)
            code = EXIT_USAGE
        except OSError as exc:  # the file system refused: a path the user gave, no space, ...
            print(f"basmachi: {_os_message(exc)}", file=sys.stderr)
            code = EXIT_USAGE
    for w in caught:
        if issubclass(w.category, ScenarioWarning):
            print(f"warning: {w.message}", file=sys.stderr)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
