"""Executors: map a top-level function over tasks with a bounded number in flight.

``serial`` runs tasks in this process; ``local`` (the default) uses a process pool with
the ``spawn`` start method (what ``import mesa`` selects anyway); ``dask`` starts a
:class:`distributed.LocalCluster` for the sweep and closes it afterwards;
``dask://HOST:PORT`` joins a running scheduler (``dask scheduler`` plus ``dask worker``
processes on any machines that have this package installed).

Results come back in completion order; the sweep orders them by run id, and every
run's seed is fixed before dispatch, so results do not depend on the executor.
"""

from __future__ import annotations

import abc
import concurrent.futures as cf
import importlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from sim.experiments.spec import check_executor

__all__ = ["DaskExecutor", "Executor", "PoolExecutor", "SerialExecutor", "open_executor"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(abc.ABC):
    """What the sweep needs from an executor; use it as a context manager."""

    name = "executor"
    workers = 1

    @abc.abstractmethod
    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, max_in_flight: int
    ) -> Iterator[R]:
        """Apply ``fn`` to each task, at most ``max_in_flight`` at a time; yield as they finish."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers and clusters."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SerialExecutor(Executor):
    """Run every task in this process, in order."""

    name = "serial"

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, max_in_flight: int
    ) -> Iterator[R]:
        """Yield ``fn(task)`` for each task in order."""
        for task in tasks:
            yield fn(task)


class PoolExecutor(Executor):
    """A local process pool (``spawn``) of ``workers`` processes."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, max_in_flight: int
    ) -> Iterator[R]:
        """Submit up to ``max_in_flight`` tasks; yield results as they finish."""
        it = iter(tasks)
        pending: set[cf.Future[R]] = set()
        try:
            for task in it:
                pending.add(self._pool.submit(fn, task))
                if len(pending) >= max_in_flight:
                    break
            while pending:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    for task in it:
                        pending.add(self._pool.submit(fn, task))
                        break
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Shut the pool down (pending tasks are cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


DASHBOARD_ENV = "BASMACHI_DASK_DASHBOARD"
"""Environment variable giving the dashboard's ``host:port`` (default loopback, any free port)."""


def dashboard_address() -> str:
    """Where the local cluster's dashboard listens: loopback unless ``$BASMACHI_DASK_DASHBOARD`` says."""
    return os.environ.get(DASHBOARD_ENV) or "127.0.0.1:0"


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: a LocalCluster started here, or a scheduler at an address."""

    def __init__(self, workers: int, address: str | None = None) -> None:
        try:
            dist: Any = importlib.import_module("distributed")
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the dask executor needs dask.distributed: pip install 'basmachi-sim[dask]'"
            ) from exc
        self._cluster: Any = None
        if address is None:
            self.name = "dask"
            self._cluster = dist.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=dashboard_address(), silence_logs=logging.ERROR,
            )
            self._client: Any = dist.Client(self._cluster)
        else:
            self.name = f"dask://{address}"
            self._client = dist.Client(f"tcp://{address}")
            self._client.wait_for_workers(1, timeout=120)
        n = len(self._client.scheduler_info().get("workers", {}))
        self.workers = max(n, 1) if address is not None else workers

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client`."""
        return self._client

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, max_in_flight: int
    ) -> Iterator[R]:
        """Submit up to ``max_in_flight`` tasks; yield results as they finish."""
        as_completed: Any = importlib.import_module("distributed").as_completed
        it = iter(tasks)
        first = []
        for task in it:
            first.append(self._client.submit(fn, task, pure=False))
            if len(first) >= max_in_flight:
                break
        queue = as_completed(first)
        try:
            for fut in queue:
                for task in it:
                    queue.add(self._client.submit(fn, task, pure=False))
                    break
                result: R = fut.result()
                fut.release()
                yield result
        finally:
            queue.clear()

    def close(self) -> None:
        """Close the client and, if it was started here, the cluster."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_executor(name: str, *, workers: int) -> Executor:
    """Make an executor from its name: serial, local, dask or dask://HOST:PORT.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    problems = check_executor(name, origin="--executor", path="executor")
    if problems:
        raise ValueError(str(problems[0]))
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return PoolExecutor(workers)
    if name == "dask":
        return DaskExecutor(workers)
    return DaskExecutor(workers, address=name[len("dask://"):])
