"""Where ``runner.process_file`` runs: in this process, in a process pool, or on Dask.

Every engine runs the same top-level function on the same arguments, so the
results do not depend on the engine or the number of workers. An engine only
has to submit a call, say which submitted calls have finished, and shut down;
ordering, the manifest and progress live in ``repair.batch``.

Models load once per worker: pool workers warm ``Resources.for_config`` in their
initializer, Dask workers in a ``WorkerPlugin`` (and the per-process cache
covers workers that join later).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from .config import Config
from .report import FileResult
from .runner import FileJob, Prior, RunOptions, process_file

ENGINES = ("local", "dask")


class EngineError(RuntimeError):
    """The engine could not start (bad scheduler address, workers without repair, ...)."""


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_for(config: Config) -> int:
    """``jobs`` from the config, 0 meaning one worker per available core."""
    return config.jobs or cpu_count()


class Engine(Protocol):
    workers: int

    def submit(self, job: FileJob, prior: Prior | None) -> Any: ...
    def wait(self, handles: Iterable[Any], timeout: float | None = None) -> set[Any]: ...
    def result(self, handle: Any) -> FileResult: ...
    def cancel(self, handles: Iterable[Any]) -> None: ...
    def close(self, abort: bool = False) -> None: ...


def warm(config: Config) -> None:
    """Load what the pipeline needs now, so the first file does not pay for it."""
    from .resources import Resources

    Resources.for_config(config).preload()


# --------------------------------------------------------------------------- in this process


class _Done:
    """A finished call, the inline engine's handle."""

    __slots__ = ("error", "value")

    def __init__(self, value: FileResult | None, error: BaseException | None) -> None:
        self.value, self.error = value, error


class InlineEngine:
    """Runs each file when it is submitted; Ctrl-C interrupts the file being cleaned."""

    workers = 1

    def __init__(self, config: Config, options: RunOptions) -> None:
        self.config, self.options = config, options

    def submit(self, job: FileJob, prior: Prior | None) -> _Done:
        try:
            return _Done(process_file(job, self.config, self.options, prior=prior), None)
        except Exception as exc:
            return _Done(None, exc)

    def wait(self, handles: Iterable[_Done], timeout: float | None = None) -> set[_Done]:
        return set(handles)

    def result(self, handle: _Done) -> FileResult:
        if handle.error is not None:
            raise handle.error
        assert handle.value is not None
        return handle.value

    def cancel(self, handles: Iterable[_Done]) -> None:
        return None

    def close(self, abort: bool = False) -> None:
        return None


# --------------------------------------------------------------------------- process pool

_WORKER_CONFIG: Config | None = None
_WORKER_OPTIONS: RunOptions | None = None


def _init_worker(config: Config, options: RunOptions) -> None:
    """Pool initializer: keep the settings, load the models once, leave Ctrl-C to the parent.

    The parent decides what an interrupt means (finish the files in hand, then
    stop); SIGTERM, which the parent sends to abandon them, unwinds normally so
    a half-written temporary file is removed.
    """
    global _WORKER_CONFIG, _WORKER_OPTIONS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    _WORKER_CONFIG, _WORKER_OPTIONS = config, options
    warm(config)


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _pool_task(job: FileJob, prior: Prior | None) -> FileResult:
    assert _WORKER_CONFIG is not None and _WORKER_OPTIONS is not None
    return process_file(job, _WORKER_CONFIG, _WORKER_OPTIONS, prior=prior)


class PoolEngine:
    """A ``ProcessPoolExecutor`` whose workers each load the models once.

    Workers start with ``forkserver`` (``spawn`` where that is missing): a fork of
    a parent that may hold model threads is not safe, and it is the default from
    Python 3.14 on.
    """

    def __init__(self, config: Config, options: RunOptions, workers: int) -> None:
        import multiprocessing

        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            preload = ["repair.runner", "repair.engines"]
            if config.lexicon_key == Config().lexicon_key:
                preload.append("repair._forkserver_warm")  # workers fork with the lexicon compiled
            context.set_forkserver_preload(preload)
        self.workers = workers
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(config, options)
        )

    def submit(self, job: FileJob, prior: Prior | None) -> Future[FileResult]:
        return self.executor.submit(_pool_task, job, prior)

    def wait(self, handles: Iterable[Future[FileResult]], timeout: float | None = None) -> set[Future[FileResult]]:
        done, _ = wait(list(handles), timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done)

    def result(self, handle: Future[FileResult]) -> FileResult:
        return handle.result()

    def cancel(self, handles: Iterable[Future[FileResult]]) -> None:
        for handle in handles:
            handle.cancel()

    def close(self, abort: bool = False) -> None:
        if abort:
            # Abandon the files in hand: workers unwind on SIGTERM (temporary files removed).
            for process in list(getattr(self.executor, "_processes", {}).values()):
                if process.is_alive():
                    process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- Dask


class DaskEngine:
    """``dask.distributed``: a ``LocalCluster`` of worker processes, or an existing scheduler.

    Each file is one task running ``process_file``; the workers read inputs and
    write outputs themselves, so on a real cluster the paths must be visible to
    every worker (a shared file system, or fsspec URLs such as ``s3://``), and
    ``repair`` must be installed in the workers' environment.
    """

    def __init__(self, config: Config, options: RunOptions, workers: int, scheduler: str | None = None) -> None:
        import logging

        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise EngineError("--engine dask needs dask.distributed: pip install 'repair[dask]'") from exc

        self.config, self.options = config, options
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler)  # connect timeout: dask config distributed.comm.timeouts.connect
            else:
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from exc
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        try:
            from .dask_plugin import RepairWorkerPlugin

            self.client.register_plugin(RepairWorkerPlugin(config))
        except Exception as exc:
            self.close()
            raise EngineError(f"Dask workers could not load repair's models: {exc}") from exc

    def submit(self, job: FileJob, prior: Prior | None) -> Any:
        return self.client.submit(process_file, job, self.config, self.options, None, prior, pure=False)

    def wait(self, handles: Iterable[Any], timeout: float | None = None) -> set[Any]:
        from distributed import wait as dask_wait

        try:
            done, _ = dask_wait(list(handles), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(done)

    def result(self, handle: Any) -> FileResult:
        return handle.result()

    def cancel(self, handles: Iterable[Any]) -> None:
        pending = [h for h in handles if not h.done()]
        if pending:
            self.client.cancel(pending)

    def close(self, abort: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_engine(name: str, config: Config, options: RunOptions, workers: int, scheduler: str | None = None) -> Engine:
    if name == "dask":
        return DaskEngine(config, options, workers, scheduler)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if workers <= 1:
        return InlineEngine(config, options)
    return PoolEngine(config, options, workers)
