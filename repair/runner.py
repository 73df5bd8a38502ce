"""Batch runs over files: expand paths, clean each file, write outputs, keep going.

``process_file`` is a pure top-level function of (job, config, options) so the
same code runs in this process, in a process pool, or on a Dask worker
(``repair.batch`` and ``repair.engines`` do the scheduling). The ``RunReport``
owns the exit code (black's ``Report``): a file that cannot be read is recorded
and the run goes on.

What one file goes through, and what is guaranteed:

- it must be a regular file (a FIFO could block forever; a broken symlink or an
  unreadable file is an error for that file only);
- binary content is skipped with a one-line message;
- it is decoded so that encoding the text again gives back the same bytes
  (``repair.textio``); if that is not possible nothing is written;
- files above ``stream-threshold`` bytes are cleaned in chunks (``repair.stream``);
- outputs are written through a temporary file and an atomic rename: a run
  killed at any moment leaves each file old or new, never partial.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import pickle
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import BinaryIO, overload

from . import storage
from .config import Config
from .pipeline import Pipeline
from .report import FileResult, safe_join, unified_diff
from .segment import WORD_RE
from .textio import AtomicWriter, BinaryFileError, Decoded, UndecodableError, atomic_copy, decode, reads_back, sniff

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
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
    """What ``process_file`` needs besides the config; sent to every worker."""

    mode: Mode = Mode.DRY_RUN
    out_dir: Path | str | None = None  # a local folder, or an fsspec URL
    backup: str | None = None
    diff_context: int = 3
    diffs: bool = True  # compute unified diffs (off when nothing prints or stores them)
    texts: bool = True  # keep the decoded text of files with findings (for the review page)


@dataclass(frozen=True, slots=True)
class FileJob:
    path: str  # as given, or "-" for stdin
    rel: str  # relative output/report path


@dataclass(frozen=True, slots=True)
class Prior:
    """What a manifest says an earlier run with the same settings did to a file (for ``--resume``)."""

    sha256: str  # the input's bytes then
    output_sha256: str  # the bytes the run left (in place) or wrote (out-dir)
    output_size: int


# --------------------------------------------------------------------------- the report


class ResultStore(Sequence[FileResult]):
    """Per-file results in input order, kept in a spooled temporary file.

    A run over millions of files must not grow with the corpus: results are
    pickled into a ``SpooledTemporaryFile`` (memory until it is a few MB, then
    disk) and only an offset per file stays in memory. Reading an item
    unpickles it again; iteration streams.
    """

    def __init__(self, max_memory: int = 8 << 20) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=max_memory)
        self._offsets = array("q")

    def append(self, result: FileResult) -> None:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(data)
        self._offsets.append(offset)  # only once the record is whole

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> FileResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[FileResult]: ...
    def __getitem__(self, index: int | slice) -> FileResult | list[FileResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._file.seek(self._offsets[index])
        return pickle.load(self._file)

    def __iter__(self) -> Iterator[FileResult]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        self._file.close()


@dataclass
class RunReport:
    """Per-file results in input order, running totals, and the exit code they add up to."""

    results: ResultStore = field(default_factory=ResultStore)
    internal_errors: int = 0
    interrupted: bool = False
    resumed: int = 0  # files an earlier run had done (their recorded results are in ``results``)
    words: int = 0
    edits: int = 0
    _counts: dict[str, int] = field(default_factory=dict)

    def add(self, result: FileResult) -> None:
        self.results.append(result)
        self._counts[result.status] = self._counts.get(result.status, 0) + 1
        self.words += result.words
        self.edits += len(result.applied)

    def count(self, status: str) -> int:
        return self._counts.get(status, 0)

    @property
    def files(self) -> int:
        return len(self.results)

    def exit_code(self, mode: Mode) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.internal_errors:
            return EXIT_INTERNAL
        if self.count("error"):
            return EXIT_ERROR
        if mode is Mode.CHECK and self.edits:
            return EXIT_FOUND
        return EXIT_OK

    def summary(self, mode: Mode) -> str:
        files = self.files
        verb = "would change" if mode in (Mode.DRY_RUN, Mode.CHECK) else "changed"
        changed = self.count("changed")
        parts = [
            f"{files} file{'s' * (files != 1)}, {self.words} words",
            f"{self.edits} edit{'s' * (self.edits != 1)}",
            f"{verb} {changed} file{'s' * (changed != 1)}",
        ]
        for status in ("skipped", "error"):
            if self.count(status):
                parts.append(f"{self.count(status)} {status}")
        if self.resumed:
            parts.append(f"{self.resumed} done in an earlier run")
        text = "; ".join(parts)
        return f"interrupted after {text}" if self.interrupted else text


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


def _wanted(rel: str, config: Config) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, g) for g in config.glob) and not _excluded(rel, config.exclude)


def expand_paths(
    paths: Sequence[str], config: Config, skip: Iterable[Path | str] = ()
) -> Iterator[FileJob | FileResult]:
    """Files to process, lazily, in sorted order per argument; missing paths become error results.

    ``skip`` holds folders never to read from (the output and report folders), so
    an ``--out-dir`` inside an input directory does not feed outputs back in.
    """
    skip_dirs = [Path(p).resolve() for p in skip if not storage.is_url(p)]
    skip_urls = [str(p).rstrip("/") + "/" for p in skip if storage.is_url(p)]
    single_dir = len(paths) == 1 and paths[0] != STDIN and _is_dir(paths[0])
    for arg in paths:
        if arg == STDIN:
            yield FileJob(STDIN, "stdin")
            continue
        prefix = "" if single_dir else _clean_rel(arg) + "/"
        if storage.is_url(arg):
            try:
                found = list(_expand_url(arg, prefix, config, skip_urls))
            except (OSError, ImportError, ValueError) as exc:
                # An unknown scheme, a missing fsspec back-end, an unreachable store.
                found = [FileResult(arg, _clean_rel(arg), "error", f"cannot read: {exc}")]
            yield from found
            continue
        path = Path(storage.local(arg))
        if path.is_dir():
            for file in _walk(path, config, skip_dirs):
                rel = file.relative_to(path).as_posix()
                yield FileJob(str(file), prefix + rel)
        elif path.exists() or path.is_symlink():
            yield FileJob(storage.local(arg), _clean_rel(arg) if not path.is_absolute() else path.name)
        else:
            yield FileResult(arg, _clean_rel(arg), "error", "no such file or directory")


def _is_dir(arg: str) -> bool:
    try:
        return storage.is_dir(arg)
    except (OSError, ImportError, ValueError):
        return False  # reported when the argument is expanded


def _expand_url(arg: str, prefix: str, config: Config, skip_urls: list[str]) -> Iterator[FileJob | FileResult]:
    if storage.is_dir(arg):
        for url, rel in storage.walk_url(arg):
            if _wanted(rel, config) and not any(url.startswith(s) for s in skip_urls):
                if not any(part.startswith(".") for part in rel.split("/")[:-1]):
                    yield FileJob(url, prefix + rel)
    elif storage.exists(arg):
        yield FileJob(arg, arg.rstrip("/").rsplit("/", 1)[-1])
    else:
        yield FileResult(arg, _clean_rel(arg), "error", "no such file or directory")


def _clean_rel(arg: str) -> str:
    arg = storage.local(arg)
    if storage.is_url(arg):
        arg = arg.split("://", 1)[1]
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
            if _wanted(rel, config):
                yield here / name


# --------------------------------------------------------------------------- one file


def count_words(text: str) -> int:
    return sum(1 for _ in WORD_RE.finditer(text))


def read_input(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    return storage.read_input(path)


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def process_file(
    job: FileJob, config: Config, options: RunOptions, data: bytes | None = None, prior: Prior | None = None
) -> FileResult:
    """Read, clean and (depending on the mode) write one file. Never raises for bad input.

    ``prior`` (from a manifest) lets a resumed run skip a file whose bytes show
    it was already done: the result then has status ``"resumed"``.
    """
    if data is None and job.path != STDIN:
        try:
            size = storage.input_size(job.path)
        except OSError as exc:
            return FileResult(job.path, job.rel, "error", f"cannot read: {_os_message(exc)}")
        if size > config.stream_threshold:
            return _process_large(job, config, options, prior)
    try:
        raw = data if data is not None else read_input(job.path)
    except OSError as exc:
        return FileResult(job.path, job.rel, "error", f"cannot read: {_os_message(exc)}")
    sha = hashlib.sha256(raw).hexdigest()
    if prior is not None and _already_done(prior, sha, job, options):
        return FileResult(job.path, job.rel, "resumed", sha256=sha)
    try:
        decoded = decode(raw)
    except BinaryFileError:
        return FileResult(job.path, job.rel, "skipped", "binary file, skipped", sha256=sha, output_sha256=sha)
    except (UndecodableError, UnicodeDecodeError) as exc:
        return FileResult(job.path, job.rel, "error", f"cannot decode: {exc}", sha256=sha)

    result = Pipeline(config).run(decoded.text, job.rel, can_encode=decoded.can_encode)
    edits = list(result.edits)
    changed = result.changed
    new_bytes = decoded.encode(result.text) if changed else raw
    if changed and not decoded.lossless:
        edits, new_bytes, changed = _not_round_trip(edits), raw, False
    elif changed and not reads_back(new_bytes, decoded, result.text):
        edits, new_bytes, changed = _not_round_trip(edits, _READ_BACK), raw, False
    out = FileResult(
        job.path,
        job.rel,
        "changed" if changed else "unchanged",
        edits=edits,
        words=count_words(decoded.text),
        sha256=sha,
        encoding=_encoding_name(decoded),
        newline=decoded.newline,
        text=decoded.text if edits and options.texts else None,
        output_sha256=hashlib.sha256(new_bytes).hexdigest() if changed else sha,
        output_size=len(new_bytes),
    )
    if changed and options.diffs:
        out.diff = unified_diff(_diff_name(job), decoded.text, result.text, options.diff_context)
    if options.mode is Mode.STDOUT or job.path == STDIN:
        out.output = new_bytes
        return out
    try:
        with _Output(job, options) as sink:
            if sink.handle is not None and changed:
                sink.handle.write(new_bytes)
            sink.changed = changed
    except OSError as exc:
        out.status, out.message = "error", f"cannot write: {_os_message(exc)}"
    return out


def _diff_name(job: FileJob) -> str:
    return job.rel if job.path == STDIN else job.path


def _encoding_name(decoded: Decoded) -> str:
    return decoded.encoding + ("-sig" if decoded.bom else "")


_ROUND_TRIP = "the file's encoding does not round-trip"
_READ_BACK = "the cleaned file would not read back the same way (its encoding or text/binary guess would change)"


def _not_round_trip(edits: list, why: str = _ROUND_TRIP) -> list:  # type: ignore[type-arg]
    # The decoded text does not give back the same bytes, or the new bytes would
    # be read differently: writing could change bytes outside the edits, so
    # report the findings but keep the file as it is.
    note = f"; not applied: {why}"
    return [replace(e, applied=False, reason=e.reason + note) if e.applied else e for e in edits]


def _already_done(prior: Prior, sha: str, job: FileJob, options: RunOptions) -> bool:
    if options.mode is Mode.IN_PLACE:
        return sha == prior.output_sha256
    if sha != prior.sha256:
        return False
    if options.mode is Mode.OUT_DIR and options.out_dir is not None:
        target = _out_target(job, options)
        if isinstance(target, str):
            return storage.exists(target)
        try:
            return target.stat().st_size == prior.output_size
        except OSError:
            return False
    return True


def _out_target(job: FileJob, options: RunOptions) -> Path | str:
    assert options.out_dir is not None
    if storage.is_url(options.out_dir):
        parts = safe_join(Path("x"), job.rel).relative_to("x").as_posix()
        return storage.join(str(options.out_dir), parts)
    return safe_join(Path(storage.local(str(options.out_dir))), job.rel)


class _Output:
    """Where one file's cleaned bytes go, for the modes that write.

    ``handle`` is a temporary file to write the new bytes into (``None`` when
    the mode writes nothing). On a clean exit with ``changed`` set, the
    temporary file atomically replaces the target (after the backup, in place);
    with ``changed`` unset, ``--out-dir`` gets an atomic copy of the input and
    in-place leaves the input alone. On an exception nothing is replaced.
    """

    def __init__(self, job: FileJob, options: RunOptions) -> None:
        self.job, self.options = job, options
        self.changed = False
        self.handle: BinaryIO | None = None
        self._writer: AtomicWriter | None = None
        self._spool: BinaryIO | None = None
        self._target: Path | str | None = None
        if options.mode is Mode.OUT_DIR and options.out_dir is not None:
            self._target = _out_target(job, options)
            if not isinstance(self._target, str) and not storage.is_url(job.path):
                if self._target.resolve() == Path(storage.local(job.path)).resolve():
                    raise OSError(f"refusing to overwrite the input {job.path}")
        elif options.mode is Mode.IN_PLACE:
            if storage.is_url(job.path):
                raise OSError("--in-place works on local files only")
            # Write through a symlink to the file it points at, keeping the link.
            self._target = Path(os.path.realpath(job.path))

    def __enter__(self) -> _Output:
        if isinstance(self._target, Path):
            self._writer = AtomicWriter(self._target, mode_from=storage.local(self.job.path))
            self.handle = self._writer.__enter__()
        elif isinstance(self._target, str):
            # Remote outputs are spooled locally and uploaded once complete.
            self._spool = self.handle = tempfile.TemporaryFile()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._writer is not None:
            if exc_type is None and self.changed and self.options.mode is Mode.IN_PLACE and self.options.backup:
                backup = storage.local(self.job.path) + self.options.backup
                try:
                    atomic_copy(self._target, backup, keep_times=True)  # type: ignore[arg-type]
                except BaseException as error:
                    self._writer.__exit__(type(error), error, None)
                    raise
            if exc_type is None and not self.changed:
                self._writer.discard()
            self._writer.__exit__(exc_type, exc, tb)
            if exc_type is None and not self.changed and self.options.mode is Mode.OUT_DIR:
                self._copy_unchanged()
        elif self._spool is not None:
            try:
                if exc_type is None:
                    if self.changed:
                        self._spool.seek(0)
                        storage.write_url(self._target, iter(lambda: self._spool.read(1 << 20), b""))  # type: ignore[arg-type]
                    else:
                        self._copy_unchanged()
            finally:
                self._spool.close()

    def _copy_unchanged(self) -> None:
        source = self.job.path
        if isinstance(self._target, Path) and not storage.is_url(source):
            atomic_copy(storage.local(source), self._target)
            return

        def blocks() -> Iterator[bytes]:
            with storage.open_input(source) as handle:
                yield from iter(lambda: handle.read(1 << 20), b"")

        if isinstance(self._target, Path):
            with AtomicWriter(self._target) as handle:
                for block in blocks():
                    handle.write(block)
        else:
            storage.write_url(self._target, blocks())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- large files


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with storage.open_input(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _process_large(job: FileJob, config: Config, options: RunOptions, prior: Prior | None) -> FileResult:
    """A file above ``stream-threshold``: two streamed passes, bounded memory (see ``repair.stream``)."""
    import codecs

    from .markup import START
    from .resources import Resources
    from .stream import TermCollector, diff_header, iter_blocks, iter_chunks, iter_decoded, scan, shifted_hunks

    def opener() -> BinaryIO:
        return storage.open_input(job.path)

    try:
        with opener() as handle:
            head = handle.read(8192)
        if prior is not None:
            sha = _sha256_of(job.path)
            if _already_done(prior, sha, job, options):
                return FileResult(job.path, job.rel, "resumed", sha256=sha)
        resources = Resources.for_config(config)
        info = scan(opener, resources.lexicon.context_terms(), config.chunk_size, head)
    except BinaryFileError:
        return FileResult(job.path, job.rel, "skipped", "binary file, skipped")
    except UndecodableError as exc:
        return FileResult(job.path, job.rel, "error", f"cannot decode: {exc}")
    except OSError as exc:
        return FileResult(job.path, job.rel, "error", f"cannot read: {_os_message(exc)}")

    encoding = info.encoding

    def can_encode(text: str) -> bool:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            return False
        return True

    pipeline = Pipeline(config)
    carry = START  # a code block or a display may run on from one chunk into the next
    # Context terms that repairs write into the file: a term restored in one chunk licenses a row
    # in a later chunk, as it does in the whole file (repair.stable). A later repair cannot reach
    # back into a chunk already written.
    terms, context_terms = info.terms, resources.lexicon.context_terms()
    encoder = codecs.getincrementalencoder(encoding)()
    out_hash = hashlib.sha256(info.bom)
    out_size = len(info.bom)
    out_head = bytearray(info.bom)  # to check that the new file reads back the same way
    edits: list = []  # type: ignore[type-arg]
    hunks: list[str] = []
    diffable = options.diffs
    old_line = new_line = 0
    changed = False
    writes = options.mode in (Mode.OUT_DIR, Mode.IN_PLACE)
    try:
        with _Output(job, options) if writes else _NoOutput() as sink:
            if sink.handle is not None:
                sink.handle.write(info.bom)
            for chunk in iter_chunks(iter_decoded(iter_blocks(opener), encoding, len(info.bom)), config.chunk_size):
                result = pipeline.run(chunk.text, job.rel, can_encode=can_encode, terms=terms, carry=carry)
                carry = result.carry
                if result.changed and terms is not None:
                    made = TermCollector(context_terms)  # this chunk's output alone: no words of another
                    made.feed(result.text)
                    terms = terms.with_found(made.found)
                chunk_edits = [chunk.shift(e) for e in result.edits]
                text = result.text
                if result.changed and not info.lossless:
                    chunk_edits, text = _not_round_trip(chunk_edits), chunk.text
                edits.extend(chunk_edits)
                if text != chunk.text:
                    changed = True
                    if chunk.col:
                        diffable = False
                    elif diffable:
                        hunks.append(
                            shifted_hunks(_diff_name(job), chunk.text, text, options.diff_context, old_line, new_line)
                        )
                old_line += _breaks(chunk.text)
                new_line += _breaks(text)
                data = encoder.encode(text)
                out_hash.update(data)
                out_size += len(data)
                if len(out_head) < len(head):
                    out_head += data[: len(head) - len(out_head)]
                if sink.handle is not None:
                    sink.handle.write(data)
            tail = encoder.encode("", final=True)
            out_hash.update(tail)
            out_size += len(tail)
            if sink.handle is not None:
                sink.handle.write(tail)
            if changed and not _head_reads_back(head, bytes(out_head)):
                edits, changed, hunks = _not_round_trip(edits, _READ_BACK), False, []
            sink.changed = changed
    except OSError as exc:
        return FileResult(job.path, job.rel, "error", f"cannot write: {_os_message(exc)}", sha256=info.sha256)
    out = FileResult(
        job.path,
        job.rel,
        "changed" if changed else "unchanged",
        edits=edits,
        words=info.words,
        sha256=info.sha256,
        encoding=encoding + ("-sig" if info.bom else ""),
        newline=info.newline,
        output_sha256=out_hash.hexdigest() if changed else info.sha256,
        output_size=out_size,
    )
    if changed and diffable:
        out.diff = diff_header(_diff_name(job)) + "".join(hunks)
    elif changed and options.diffs:
        out.message = f"diff omitted: a line is longer than chunk-size ({config.chunk_size} characters)"
    return out


def _head_reads_back(head: bytes, new_head: bytes) -> bool:
    """The streamed counterpart of ``textio.reads_back``: the new head sniffs like the old one."""
    try:
        return sniff(new_head) == sniff(head)
    except BinaryFileError:
        return False


def _breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class _NoOutput:
    handle = None
    changed = False

    def __enter__(self) -> _NoOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


# --------------------------------------------------------------------------- many files


def skip_dirs(options: RunOptions, report_dir: Path | None = None) -> list[Path | str]:
    """Folders a run writes to, which must never be read as inputs."""
    return [p for p in (options.out_dir, report_dir) if p is not None]


def repair_paths(
    paths: Sequence[str], config: Config, options: RunOptions, report: RunReport | None = None
) -> RunReport:
    """Process every input in order, in this process; results stream into ``report``.

    ``repair.batch.run_batch`` is the parallel version (process pool or Dask)
    with progress, a manifest and Ctrl-C handling; both give the same results.
    """
    report = report or RunReport()
    for item in expand_paths(paths, config, skip_dirs(options)):
        if isinstance(item, FileResult):
            report.add(item)
            continue
        report.add(process_file(item, config, options))
    return report


__all__ = [
    "EXIT_ERROR",
    "EXIT_FOUND",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "STDIN",
    "FileJob",
    "Mode",
    "Prior",
    "ResultStore",
    "RunOptions",
    "RunReport",
    "expand_paths",
    "process_file",
    "repair_paths",
]
