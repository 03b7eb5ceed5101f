"""Results of a run: the ``runs``, ``steps`` and ``events`` tables, and their Parquet files.

A run's folder is written as a set (:func:`write_run_set`): every file (tables,
plot, ``manifest.json`` naming the run and its files) goes into a temporary folder
beside the target, which then replaces the target by renames, so a reader never
sees tables of two runs side by side, a half-written plot or an empty folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["MANIFEST", "OutputFolderError", "RunResult", "read_result", "write_parquet_atomic", "write_run_set"]

TABLES = ("runs", "steps", "events")
MANIFEST = "manifest.json"


class OutputFolderError(ValueError):
    """The output folder cannot take the run (a file, another run without overwrite, foreign files)."""


@dataclasses.dataclass
class RunResult:
    """The three tables of one or more runs.

    Attributes
    ----------
    runs : DataFrame
        One row per run: ``run_id``, ``scenario``, ``scenario_hash``, ``seed_entropy``,
        ``spawn_key``, ``start``, ``end``, ``days``, ``parameters`` (the resolved
        scenario as JSON).
    steps : DataFrame
        One row per run and day: ``run_id``, ``day``, ``date`` and the metrics of
        :data:`sim.recorder.STEP_COLUMNS`.
    events : DataFrame
        One row per event: ``run_id``, ``day``, ``date``, ``kind``, ``side``, ``unit``,
        ``name``, ``cell``, ``row``, ``col``, ``n`` and kind-specific numeric columns.
    """

    runs: pd.DataFrame
    steps: pd.DataFrame
    events: pd.DataFrame

    @property
    def parameters(self) -> dict[str, Any]:
        """The resolved scenario of the first run, as a dict."""
        return json.loads(str(self.runs["parameters"].iloc[0]))  # type: ignore[no-any-return]

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write ``runs.parquet``, ``steps.parquet`` and ``events.parquet`` atomically.

        Returns
        -------
        dict of table name to path
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name in TABLES:
            paths[name] = write_parquet_atomic(getattr(self, name), out / f"{name}.parquet")
        return paths


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write a DataFrame to Parquet via a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_result(folder: str | Path) -> RunResult:
    """Read the three tables written by :meth:`RunResult.write`."""
    folder = Path(folder)
    return RunResult(*(pd.read_parquet(folder / f"{name}.parquet") for name in TABLES))


def _is_run_folder(folder: Path) -> bool:
    return (folder / MANIFEST).is_file() or (folder / "runs.parquet").is_file()


def check_output_folder(out: Path, *, overwrite: bool) -> None:
    """Refuse an output folder that is a file, holds another run (unless ``overwrite``), or other files.

    Raises
    ------
    OutputFolderError
    """
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {out}: expected a folder, this is a file")
    if out.is_dir() and any(out.iterdir()):
        if not _is_run_folder(out):
            raise OutputFolderError(
                f"--out {out}: expected a new or empty folder, or one holding a run;"
                " this one holds other files"
            )
        if not overwrite:
            raise OutputFolderError(
                f"--out {out}: this folder holds another run; pass --overwrite to replace it"
                " or choose another folder"
            )


def write_run_set(
    result: RunResult,
    out: str | Path,
    *,
    overwrite: bool = False,
    extras: Callable[[Path], dict[str, Path]] | None = None,
) -> dict[str, Path]:
    """Write a run's tables (and extra files such as its plot) as one set into ``out``.

    Everything is written into a temporary folder beside ``out`` with a
    ``manifest.json`` (run ids, scenario, seed, files with their sizes and SHA-256),
    then moved into place; a previous run in ``out`` is replaced only when
    ``overwrite`` is true.

    Parameters
    ----------
    result : RunResult
    out : path
        The run's folder.
    overwrite : bool
        Replace a previous run in ``out``.
    extras : callable, optional
        Called with the temporary folder; writes more files there and returns
        their names and paths (e.g. ``{"plot": tmp / "summary.png"}``).

    Returns
    -------
    dict of name to final path

    Raises
    ------
    OutputFolderError
        If ``out`` is a file, holds another run and ``overwrite`` is false, or holds
        files that are not a run.
    """
    out = Path(out)
    check_output_folder(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        written: dict[str, Path] = {}
        for name in TABLES:
            getattr(result, name).to_parquet(tmp / f"{name}.parquet", index=False)
            written[name] = tmp / f"{name}.parquet"
        if extras is not None:
            written.update(extras(tmp))
        runs = result.runs
        manifest = {
            "run_ids": [int(r) for r in runs["run_id"]] if "run_id" in runs else [],
            "scenario": str(runs["scenario"].iloc[0]) if len(runs) and "scenario" in runs else "",
            "seed_entropy": str(runs["seed_entropy"].iloc[0]) if len(runs) and "seed_entropy" in runs else "",
            "files": {
                name: {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}
                for name, path in written.items()
            },
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _fsync_tree(tmp)
        if out.exists() and _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # now holds the previous run
        else:
            old = None
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
                os.replace(out, old / out.name)
            os.replace(tmp, out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {name: out / path.name for name, path in written.items()}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2``); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(rc == 0)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
