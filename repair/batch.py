"""Batch runs at scale: many files, any number of workers, the same output.

``run_batch`` walks the inputs lazily, keeps at most a small window of files
in flight on an engine (``repair.engines``: this process, a process pool, or
Dask), and hands results back **in input order** however they finish, so
stdout, the report and the manifest contents are identical for any ``--jobs``
and either engine. As files finish (in any order) they go to the manifest and
the progress bar. Memory is bounded by the window and the workers' models, not
by the corpus: results are spooled to disk (``runner.ResultStore``) and no
file's text outlives its worker call.

Ctrl-C stops submitting, lets the files already in a worker's hands finish
(their writes are atomic anyway), records them, prints the summary and exits
with 130; a second Ctrl-C abandons them. ``--resume`` then skips what the
manifest shows as done.

``execute`` is the whole ``clean``/``check`` command behind the CLI: run, print
diffs or findings in order, write the report, print the summary, return the
exit code.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .engines import Engine, EngineError, make_engine, workers_for
from .manifest import Manifest, manifest_path, settings_key
from .progress import Progress
from .report import FileResult, write_report
from .runner import EXIT_ERROR, STDIN, FileJob, Mode, RunOptions, RunReport, expand_paths, skip_dirs
from .storage import is_url


class BatchError(ValueError):
    """A problem with the run's options (a usage error, exit 2)."""


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Everything a ``clean`` or ``check`` run needs besides the config: one object from the CLI."""

    run: RunOptions = field(default_factory=RunOptions)
    report_dir: Path | None = None
    engine: str = "local"
    scheduler: str | None = None
    resume: bool = False
    quiet: bool = False
    verbose: bool = False
    progress: bool | None = None  # None: when stderr is a terminal and not quiet
    output_format: str = "text"  # check: text, json or csv
    window: int = 0  # files in flight; 0: four per worker


# --------------------------------------------------------------------------- the ordered, windowed loop


def run_batch(
    paths: Sequence[str],
    config: Config,
    options: BatchOptions,
    on_result: Callable[[FileResult], None] | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Clean (or check) every input; ``on_result`` sees each result in input order."""
    progress = progress or Progress(False)
    report = RunReport()
    manifest = _open_manifest(config, options, progress)
    skip = skip_dirs(options.run, options.report_dir)
    if progress.enabled:
        progress.set_total(sum(1 for _ in expand_paths(paths, config, skip)))
    items = expand_paths(paths, config, skip)
    engine, items = _start_engine(items, config, options)
    window = options.window or max(4, 4 * engine.workers)

    pending: dict[Any, tuple[int, FileJob]] = {}
    finished: dict[int, FileResult] = {}
    next_out = 0
    submitted = 0
    exhausted = False

    def emit_ready() -> None:
        nonlocal next_out
        while next_out in finished:
            result = finished.pop(next_out)
            report.add(result)
            if on_result is not None:
                on_result(result)
            next_out += 1

    def finish(index: int, job: FileJob | None, result: FileResult) -> None:
        if result.status == "resumed" and manifest is not None and job is not None:
            result = manifest.recorded(job.rel)
            report.resumed += 1
        elif manifest is not None:
            manifest.add(result)
        progress.advance(result)
        finished[index] = result

    def collect(done: set[Any]) -> None:
        nonlocal engine
        broken = False
        for handle in sorted(done, key=lambda h: pending[h][0]):
            index, job = pending.pop(handle)
            try:
                result = engine.result(handle)
            except CancelledError:
                continue
            except BrokenProcessPool:
                broken = True
                result = FileResult(job.path, job.rel, "error", "a worker process died while cleaning this file")
            except Exception as exc:
                report.internal_errors += 1
                result = FileResult(job.path, job.rel, "error", f"internal error: {type(exc).__name__}: {exc}")
                if options.verbose:
                    progress.print("".join(traceback.format_exception(exc)).rstrip())
            finish(index, job, result)
        if broken:
            # The pool is unusable: the files it held are reported, the rest go to a fresh pool.
            for handle, (index, job) in list(pending.items()):
                del pending[handle]
                finish(index, job, FileResult(job.path, job.rel, "error", "a worker process died while cleaning"))
            engine.close(abort=True)
            engine = make_engine("local", config, options.run, engine.workers, None)

    interrupts = _Interrupts(progress)
    closed = False
    try:
        with interrupts:
            while not interrupts.count:
                while not exhausted and submitted - next_out < window and not interrupts.count:
                    item = next(items, None)
                    if item is None:
                        exhausted = True
                        break
                    index, submitted = submitted, submitted + 1
                    if isinstance(item, FileResult):
                        finish(index, None, item)
                        continue
                    prior = manifest.prior(item.rel) if (manifest is not None and options.resume) else None
                    pending[engine.submit(item, prior)] = (index, item)
                emit_ready()
                if not pending:
                    if exhausted:
                        break
                    continue
                collect(engine.wait(list(pending), _POLL_SECONDS))
                emit_ready()
            if interrupts.count:
                # First Ctrl-C: nothing new starts; the files in the workers' hands finish.
                report.interrupted = True
                engine.cancel(list(pending))
                while pending:
                    collect(engine.wait(list(pending), _POLL_SECONDS))
    except KeyboardInterrupt:
        # Second Ctrl-C (or an interrupt outside the main thread's handler): abandon them.
        report.interrupted = True
        engine.close(abort=True)
        closed = True
        pending.clear()
    finally:
        if not closed:
            engine.close()
        # Files finished after a gap (a cancelled file) are still reported, in order.
        for index in sorted(finished):
            next_out = index
            emit_ready()
        if manifest is not None:
            manifest.close()
    return report


_POLL_SECONDS = 0.25


class _Interrupts:
    """Turns Ctrl-C into a flag the loop checks between steps, so no record is cut in half.

    The first Ctrl-C asks the run to stop after the files already in hand; the
    second raises ``KeyboardInterrupt`` to abandon them (their writes are atomic,
    so they are simply not written). Outside the main thread signals cannot be
    caught and a ``KeyboardInterrupt`` behaves like the second Ctrl-C.
    """

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.count = 0
        self._previous: Any = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.count == 1:
            self.progress.print("interrupted: finishing the files in progress (Ctrl-C again to abandon them)")
            return
        raise KeyboardInterrupt


def _open_manifest(config: Config, options: BatchOptions, progress: Progress) -> Manifest | None:
    path = manifest_path(options.run, options.report_dir)
    if path is None:
        if options.resume:
            raise BatchError("--resume needs --report DIR or --out-dir DIR, where the manifest is kept")
        return None
    try:
        manifest = Manifest(path, settings_key(config, options.run, __version__), resume=options.resume)
    except OSError as exc:
        raise BatchError(f"cannot write the manifest {path}: {exc.strerror or exc}") from exc
    if manifest.note and not options.quiet:
        progress.print(f"note: {manifest.note}")
    return manifest


# With the automatic worker count, inputs smaller than this (about a second of
# work in one process) are cleaned in this process: starting workers that each
# load the models would cost more than it saves. The output is the same.
PARALLEL_MIN_BYTES = 1 << 20
_PEEK = 256


def _start_engine(
    items: Iterator[FileJob | FileResult], config: Config, options: BatchOptions
) -> tuple[Engine, Iterator[FileJob | FileResult]]:
    """Pick the engine; a local run never starts more workers than it has files."""
    workers = workers_for(config)
    if options.engine == "local":
        head = list(islice(items, max(workers + 1, _PEEK)))
        jobs = [item for item in head if isinstance(item, FileJob)]
        everything = len(head) < max(workers + 1, _PEEK)
        if everything:
            workers = min(workers, len(jobs))
            if config.jobs == 0 and _total_size(jobs) < PARALLEL_MIN_BYTES:
                workers = 1
        items = _chain(head, items)
    try:
        return make_engine(options.engine, config, options.run, workers, options.scheduler), items
    except EngineError as exc:
        raise BatchError(str(exc)) from exc


def _total_size(jobs: list[FileJob]) -> int:
    total = 0
    for job in jobs:
        if job.path == "-" or is_url(job.path):
            return PARALLEL_MIN_BYTES  # unknown: assume it is worth it
        try:
            total += os.stat(job.path).st_size
        except OSError:
            pass
    return total


def _chain(head: list[FileJob | FileResult], rest: Iterator[FileJob | FileResult]) -> Iterator[FileJob | FileResult]:
    yield from head
    yield from rest


# --------------------------------------------------------------------------- the command


class _Emitter:
    """Writes each result's data to stdout in input order: diffs, cleaned stdin, or findings."""

    def __init__(self, options: BatchOptions, progress: Progress) -> None:
        self.options = options
        self.progress = progress
        self.mode = options.run.mode
        self.stdout = sys.stdout
        self.csv = None
        if self.mode is Mode.CHECK and options.output_format == "csv":
            self.csv = csv.writer(self.stdout)
            self.csv.writerow(
                ["path", "line", "col", "spun", "proposal", "confidence", "detector", "applied", "reason"]
            )

    def __call__(self, result: FileResult) -> None:
        if self.mode is Mode.STDOUT and result.output is not None:
            self.stdout.flush()
            self.stdout.buffer.write(result.output)
            self.stdout.buffer.flush()
        elif self.mode is Mode.DRY_RUN and result.diff:
            self.stdout.write(result.diff)
        elif self.mode is Mode.CHECK:
            self._findings(result)
        if result.status in ("skipped", "error") and result.message:
            if result.status == "error" or not self.options.quiet:
                self.stdout.flush()
                self.progress.print(f"{result.path}: {result.message}")
        elif result.message and self.options.verbose:
            self.progress.print(f"{result.path}: {result.message}")

    def _findings(self, result: FileResult) -> None:
        fmt, verbose = self.options.output_format, self.options.verbose
        for e in result.edits:
            if not e.applied and not verbose:
                continue
            if fmt == "json":
                record = {"type": "finding", **e.to_dict(), "file": result.path}
                self.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif self.csv is not None:
                self.csv.writerow(
                    [
                        result.path,
                        e.line,
                        e.col,
                        e.spun,
                        e.proposal,
                        f"{e.confidence:.2f}",
                        e.detector,
                        e.applied,
                        e.reason,
                    ]
                )
            else:
                held = "" if e.applied else "  [not applied]"
                # One finding per line, as linters print them: a phrase wrapped across
                # lines is shown with its line break as a space (JSON and CSV keep it).
                spun, proposal = " ".join(e.spun.split()), " ".join(e.proposal.split())
                line = f"{result.path}:{e.line}:{e.col}: {spun} → {proposal} ({e.confidence:.2f}){held}\n"
                self.stdout.write(line)

    def close(self) -> None:
        self.stdout.flush()


def execute(paths: Sequence[str], config: Config, options: BatchOptions) -> int:
    """Run ``clean`` or ``check`` end to end; returns the exit code.

    Raises ``BatchError`` for option problems the CLI reports as usage errors.
    """
    if options.resume and manifest_path(options.run, options.report_dir) is None:
        raise BatchError("--resume needs --report DIR or --out-dir DIR, where the manifest is kept")
    if options.engine == "dask" and STDIN in paths:
        raise BatchError("standard input cannot be sent to Dask workers: use --engine local")
    with Progress(_show_progress(options)) as progress:
        emitter = _Emitter(options, progress)
        try:
            report = run_batch(paths, config, options, emitter, progress)
        finally:
            emitter.close()
    try:
        failed = False
        if options.report_dir is not None:
            try:
                write_report(options.report_dir, report.results, {"generator": f"repair {__version__}"})
            except OSError as exc:
                progress.print(f"error: cannot write the report in {options.report_dir}: {exc.strerror or exc}")
                failed = True
        if not options.quiet or report.interrupted:
            suffix = f"; report in {options.report_dir}" if options.report_dir and not failed else ""
            progress.print(report.summary(options.run.mode) + suffix)
        code = report.exit_code(options.run.mode)
        return EXIT_ERROR if failed and code in (0, 1) else code
    finally:
        report.results.close()


def _show_progress(options: BatchOptions) -> bool:
    """On a terminal, unless quiet; and not while the run prints its data to that terminal."""
    if options.progress is not None:
        return options.progress
    if not Progress.wanted(options.quiet):
        return False
    prints = options.run.mode in (Mode.DRY_RUN, Mode.CHECK, Mode.STDOUT)
    return not (prints and sys.stdout.isatty())
