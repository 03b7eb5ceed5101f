"""Every subcommand refuses bad arguments and bad files with exit code 2 and a message, never a traceback.

The cases are subcommands x kinds of bad input: files that are missing, a folder,
binary, not TOML or of the wrong types; seeds, replicate counts, ports and sizes out of
range; output paths onto a file, under a file or with a NUL byte. Each must end before
any model runs (they are fast), with exit code 2 and a message on stderr.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.cli import build_parser, main

BAD_FILES = ("missing", "folder", "binary", "not_toml", "wrong_types")


@pytest.fixture
def bad(tmp_path: Path) -> dict[str, str]:
    """Paths of bad input files by kind, plus a plain file to point outputs at."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "binary.toml").write_bytes(b"\x00\xff\xfe\x01binary")
    (tmp_path / "not_toml.toml").write_text("[[[bad\n")
    (tmp_path / "wrong_types.toml").write_text('name = 5\nstart = "x"\n[combat]\nambush_bonus = "big"\n')
    (tmp_path / "afile").write_text("not a folder")
    return {
        "missing": str(tmp_path / "missing.toml"),
        "folder": str(tmp_path / "folder"),
        "binary": str(tmp_path / "binary.toml"),
        "not_toml": str(tmp_path / "not_toml.toml"),
        "wrong_types": str(tmp_path / "wrong_types.toml"),
        "afile": str(tmp_path / "afile"),
        "out": str(tmp_path / "out"),
    }


# Subcommands given a bad file, where FILE stands for it (OUT: a fresh output folder).
FILE_ARGS = {
    "run": ["run", "FILE", "--quiet", "--out", "OUT"],
    "run --params": ["run", "tiny", "--params", "FILE", "--quiet", "--out", "OUT"],
    "validate": ["validate", "FILE"],
    "viz": ["viz", "FILE", "--no-browser"],
    "sweep": ["sweep", "FILE", "--quiet", "--out", "OUT"],
    "sensitivity": ["sensitivity", "FILE", "--quiet", "--out", "OUT"],
    "score": ["score", "FILE", "--replicates", "1", "--quiet", "--out", "OUT"],
    "score --targets": ["score", "raids_1929", "--targets", "FILE", "--replicates", "1", "--quiet", "--out", "OUT"],
    "score --params": ["score", "raids_1929", "--params", "FILE", "--replicates", "1", "--quiet", "--out", "OUT"],
    "compare a": ["compare", "FILE", "tiny", "--replicates", "1", "--quiet", "--out", "OUT"],
    "compare b": ["compare", "tiny", "FILE", "--replicates", "1", "--quiet", "--out", "OUT"],
    "compare --targets": ["compare", "raids_1929", "tiny", "--targets", "FILE", "--replicates", "1", "--quiet",
                          "--out", "OUT"],
    "calibrate": ["calibrate", "FILE", "--out", "OUT", "--quiet"],
    "bench run --scenarios": ["bench", "run", "--scenarios", "FILE", "--cut", "1"],
}

# Bad arguments (AFILE: an existing plain file).
ARGS = {
    "run --seed -1": ["run", "tiny", "--seed", "-1"],
    "run --seed 2**64": ["run", "tiny", "--seed", str(2**64)],
    "run --seed text": ["run", "tiny", "--seed", "abc"],
    "score --seed -1": ["score", "raids_1929", "--seed", "-1"],
    "compare --seed -1": ["compare", "tiny", "tiny", "--seed", "-1"],
    "viz --seed -1": ["viz", "tiny", "--seed", "-1", "--no-browser"],
    "viz --port 0": ["viz", "tiny", "--port", "0", "--no-browser"],
    "viz --port 99999": ["viz", "tiny", "--port", "99999", "--no-browser"],
    "score --replicates 0": ["score", "raids_1929", "--replicates", "0"],
    "score --replicates 10**12": ["score", "raids_1929", "--replicates", str(10**12)],
    "compare --replicates -1": ["compare", "tiny", "tiny", "--replicates", "-1"],
    "compare --replicates 1.5": ["compare", "tiny", "tiny", "--replicates", "1.5"],
    "sweep --workers 0": ["sweep", "scenarios/sweeps/tiny_lhs.toml", "--workers", "0"],
    "sweep --batch-size -3": ["sweep", "scenarios/sweeps/tiny_lhs.toml", "--batch-size", "-3"],
    "sweep --executor bogus": ["sweep", "scenarios/sweeps/tiny_lhs.toml", "--executor", "bogus"],
    "calibrate --workers 10**6": ["calibrate", "calibration/campaigns.toml", "--out", "OUT", "--workers", str(10**6)],
    "run --out file": ["run", "tiny", "--out", "AFILE"],
    "run --out under a file": ["run", "tiny", "--out", "AFILE/sub"],
    "run --out NUL": ["run", "tiny", "--out", "a\x00b"],
    "score --out file": ["score", "raids_1929", "--out", "AFILE"],
    "compare --out under a file": ["compare", "tiny", "tiny", "--out", "AFILE/sub"],
    "sweep --out file": ["sweep", "scenarios/sweeps/tiny_lhs.toml", "--out", "AFILE"],
    "sensitivity --out NUL": ["sensitivity", "scenarios/sweeps/tiny_sobol.toml", "--out", "a\x00b"],
    "calibrate --out file": ["calibrate", "calibration/campaigns.toml", "--out", "AFILE"],
    "map --out under a file": ["map", "--out", "AFILE/theatre.png"],
    "map --out folder": ["map", "--out", "OUTDIR"],
    "map --out unknown format": ["map", "--out", "OUT.xyz"],
    "map --at text": ["map", "--at", "a,b"],
    "map --at nan": ["map", "--at", "nan,nan"],
    "map --at inf": ["map", "--at", "inf,0"],
    "map --at outside": ["map", "--at", "0,0"],
    "map nothing": ["map"],
    "bench step --units -1": ["bench", "step", "--units", "-1"],
    "bench step --units 10**12": ["bench", "step", "--units", str(10**12)],
    "bench step --villages 0": ["bench", "step", "--villages", "0"],
    "bench step --days 0": ["bench", "step", "--days", "0"],
    "bench step --days 10**9": ["bench", "step", "--days", str(10**9)],
    "bench combat --sizes 0": ["bench", "combat", "--sizes", "0"],
    "bench combat --sizes 10**12": ["bench", "combat", "--sizes", str(10**12)],
    "bench run --cut -1": ["bench", "run", "--cut", "-1"],
    "bench sweep --runs 1": ["bench", "sweep", "--runs", "1"],
    "bench sweep --runs text": ["bench", "sweep", "--runs", "many"],
    "bench unknown": ["bench", "nope"],
    "unknown subcommand": ["nope"],
}


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refuses its own way, with exit code 2
        return int(exc.code or 0)


def _refuse_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_exec(*_: object) -> None:
        raise AssertionError("a bad input reached the viz server")

    monkeypatch.setattr(os, "execve", no_exec)


@pytest.mark.parametrize("kind", BAD_FILES)
@pytest.mark.parametrize("case", sorted(FILE_ARGS))
def test_a_bad_file_exits_2_with_a_message(
    case: str, kind: str, bad: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_servers(monkeypatch)
    argv = [bad[kind] if a == "FILE" else bad["out"] if a == "OUT" else a for a in FILE_ARGS[case]]
    code = _exit_code(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip() and "Traceback" not in err
    assert Path(bad[kind]).name in err, err  # the message names the file


@pytest.mark.parametrize("case", sorted(ARGS))
def test_a_bad_argument_exits_2_with_a_message(
    case: str, bad: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_servers(monkeypatch)
    subs = {"AFILE": bad["afile"], "OUT": bad["out"], "OUTDIR": str(Path(bad["afile"]).parent)}
    argv = [subs.get(a, a.replace("AFILE", bad["afile"]).replace("OUT.", bad["out"] + ".")) for a in ARGS[case]]
    code = _exit_code(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip() and "Traceback" not in err


def test_every_subcommand_is_covered() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    covered = {argv[0] for argv in [*FILE_ARGS.values(), *ARGS.values()]}
    assert set(sub.choices) - {"schema"} <= covered  # schema takes no input
