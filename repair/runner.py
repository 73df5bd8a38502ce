"""Batch runs over files: expand paths, clean each file, write outputs, keep going.

``process_file`` is a pure top-level function of (job, config, options) so the
same code runs in this process, in a process pool, or on a Dask worker. The
``RunReport`` owns the exit code (black's ``Report``): a file that cannot be
read is recorded and the run goes on.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from .config import Config
from .pipeline import Pipeline
from .report import FileResult, safe_join, unified_diff
from .segment import WORD_RE
from .textio import BinaryFileError, UndecodableError, atomic_write, decode

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 123

STDIN = "-"


class Mode(Enum):
    DRY_RUN = "dry-run"  # print a diff, write nothing
    OUT_DIR = "out-dir"
    IN_PLACE = "in-place"
    CHECK = "check"
    STDOUT = "stdout"  # stdin in, cleaned text out


@dataclass(frozen=True, slots=True)
class RunOptions:
    mode: Mode = Mode.DRY_RUN
    out_dir: Path | None = None
    backup: str | None = None
    diff_context: int = 3


@dataclass(frozen=True, slots=True)
class FileJob:
    path: str  # as given, or "-" for stdin
    rel: str  # relative output/report path


@dataclass
class RunReport:
    """Per-file results in input order, and the exit code they add up to."""

    results: list[FileResult] = field(default_factory=list)
    internal_errors: int = 0

    def add(self, result: FileResult) -> None:
        self.results.append(result)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def edits(self) -> int:
        return sum(len(r.applied) for r in self.results)

    def exit_code(self, mode: Mode) -> int:
        if self.internal_errors:
            return EXIT_INTERNAL
        if self.count("error"):
            return EXIT_ERROR
        if mode is Mode.CHECK and self.edits:
            return EXIT_FOUND
        return EXIT_OK

    def summary(self, mode: Mode) -> str:
        files = len(self.results)
        words = sum(r.words for r in self.results)
        verb = "would change" if mode in (Mode.DRY_RUN, Mode.CHECK) else "changed"
        parts = [f"{files} file{'s' * (files != 1)}, {words} words", f"{self.edits} edit{'s' * (self.edits != 1)}"]
        parts.append(f"{verb} {self.count('changed')} file{'s' * (self.count('changed') != 1)}")
        for status in ("skipped", "error"):
            if self.count(status):
                parts.append(f"{self.count(status)} {status}")
        return "; ".join(parts)


# --------------------------------------------------------------------------- paths


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    parts = rel.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern):
            return True
        if any(fnmatch.fnmatch(part, pattern) for part in parts[:-1]):
            return True
    return False


def expand_paths(paths: Sequence[str], config: Config, skip: Iterable[Path] = ()) -> Iterator[FileJob | FileResult]:
    """Files to process, in sorted order per argument; missing paths become error results.

    ``skip`` holds folders never to read from (the output and report folders), so
    an ``--out-dir`` inside an input directory does not feed outputs back in.
    """
    skip_dirs = [p.resolve() for p in skip]
    single_dir = len(paths) == 1 and paths[0] != STDIN and Path(paths[0]).is_dir()
    for arg in paths:
        if arg == STDIN:
            yield FileJob(STDIN, "stdin")
            continue
        path = Path(arg)
        if path.is_dir():
            prefix = "" if single_dir else _clean_rel(arg) + "/"
            for file in _walk(path, config, skip_dirs):
                rel = file.relative_to(path).as_posix()
                yield FileJob(str(file), prefix + rel)
        elif path.exists() or path.is_symlink():
            yield FileJob(arg, _clean_rel(arg) if not path.is_absolute() else path.name)
        else:
            yield FileResult(arg, _clean_rel(arg), "error", "no such file or directory")


def _clean_rel(arg: str) -> str:
    parts = [p for p in Path(arg).parts if p not in ("..", ".", "/") and not p.endswith(":\\")]
    return "/".join(parts) or Path(arg).name or "input"


def _walk(root: Path, config: Config, skip_dirs: list[Path]) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and (here / d).resolve() not in skip_dirs
            and not _excluded((here / d).relative_to(root).as_posix() + "/x", config.exclude)
        )
        for name in sorted(files):
            rel = (here / name).relative_to(root).as_posix()
            if any(fnmatch.fnmatch(name, g) for g in config.glob) and not _excluded(rel, config.exclude):
                yield here / name


# --------------------------------------------------------------------------- one file


def count_words(text: str) -> int:
    return sum(1 for _ in WORD_RE.finditer(text))


def read_input(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def process_file(job: FileJob, config: Config, options: RunOptions, data: bytes | None = None) -> FileResult:
    """Read, clean and (depending on the mode) write one file. Never raises for bad input."""
    try:
        raw = data if data is not None else read_input(job.path)
    except OSError as exc:
        return FileResult(job.path, job.rel, "error", f"cannot read: {exc.strerror or exc}")
    sha = hashlib.sha256(raw).hexdigest()
    try:
        decoded = decode(raw)
    except BinaryFileError:
        return FileResult(job.path, job.rel, "skipped", "binary file, skipped", sha256=sha)
    except (UndecodableError, UnicodeDecodeError) as exc:
        return FileResult(job.path, job.rel, "error", f"cannot decode: {exc}", sha256=sha)

    result = Pipeline(config).run(decoded.text, job.rel, can_encode=decoded.can_encode)
    edits = list(result.edits)
    new_bytes = decoded.encode(result.text) if result.changed else raw
    if result.changed and not decoded.lossless:
        # The decoded text does not give back the same bytes: writing would change
        # bytes outside the edits, so report the findings but keep the file as is.
        note = "; not applied: the file's encoding does not round-trip"
        edits = [replace(e, applied=False, reason=e.reason + note) if e.applied else e for e in edits]
        new_bytes, changed = raw, False
    else:
        changed = result.changed
    out = FileResult(
        job.path,
        job.rel,
        "changed" if changed else "unchanged",
        edits=edits,
        words=count_words(decoded.text),
        sha256=sha,
        encoding=decoded.encoding + ("-sig" if decoded.bom else ""),
        newline=decoded.newline,
        text=decoded.text if edits else None,
    )
    if changed:
        out.diff = unified_diff(
            job.rel if job.path == STDIN else job.path, decoded.text, result.text, options.diff_context
        )
    try:
        _write_outputs(job, options, raw, new_bytes, changed, out)
    except OSError as exc:
        out.status, out.message = "error", f"cannot write: {exc.strerror or exc}"
    return out


def _write_outputs(
    job: FileJob, options: RunOptions, raw: bytes, new_bytes: bytes, changed: bool, out: FileResult
) -> None:
    if options.mode is Mode.STDOUT or job.path == STDIN:
        out.output = new_bytes
    elif options.mode is Mode.OUT_DIR and options.out_dir is not None:
        target = safe_join(options.out_dir, job.rel)
        if target.resolve() == Path(job.path).resolve():
            raise OSError(f"refusing to overwrite the input {job.path}")
        if changed:
            atomic_write(target, new_bytes)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(job.path, target)
    elif options.mode is Mode.IN_PLACE and changed:
        if options.backup:
            shutil.copy2(job.path, job.path + options.backup)
        atomic_write(job.path, new_bytes)


# --------------------------------------------------------------------------- many files


def repair_paths(
    paths: Sequence[str], config: Config, options: RunOptions, report: RunReport | None = None
) -> RunReport:
    """Process every input in order; results stream into ``report``."""
    report = report or RunReport()
    skip = [p for p in (options.out_dir,) if p is not None]
    for item in expand_paths(paths, config, skip):
        if isinstance(item, FileResult):
            report.add(item)
            continue
        report.add(process_file(item, config, options))
    return report
