"""Results of a run: the ``runs``, ``steps`` and ``events`` tables, and their Parquet files."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["RunResult", "read_result", "write_parquet_atomic"]

TABLES = ("runs", "steps", "events")


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
