"""A progress bar for long runs: files, words per second, edits, time left.

Shown only on a terminal (stderr is a TTY) and never with ``--quiet``, so pipes,
logs and CI output stay clean. Messages printed while the bar is live go above
it. Progress counts files as they finish, in any order; everything else
(outputs, reports) stays in input order.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .report import FileResult


class Progress:
    """No-op unless ``enabled``; a context manager around a rich progress bar."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self.files = self.words = self.edits = 0
        self._started = time.monotonic()
        self._bar = None
        self._task = None

    @staticmethod
    def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
        stream = stream or sys.stderr
        return not quiet and hasattr(stream, "isatty") and stream.isatty()

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            console = Console(file=self.stream or sys.stderr, stderr=self.stream is None)
            self._bar = Bar(
                TextColumn("[bold]repair"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files"),
                TextColumn("{task.fields[rate]:>8} words/s"),
                TextColumn("{task.fields[edits]} edits"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
                # Data on stdout stays on stdout (a pipe or file), never re-routed to the bar's stream.
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("files", total=None, rate="-", edits=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def set_total(self, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=total)

    def advance(self, result: FileResult) -> None:
        self.files += 1
        self.words += result.words
        self.edits += len(result.applied)
        if self._bar is not None:
            elapsed = max(time.monotonic() - self._started, 1e-6)
            self._bar.update(self._task, advance=1, rate=f"{self.words / elapsed:,.0f}", edits=self.edits)

    def print(self, message: str) -> None:
        """A status line on stderr (above the bar when it is showing)."""
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            stream = self.stream or sys.stderr
            stream.write(message + "\n")
            stream.flush()
