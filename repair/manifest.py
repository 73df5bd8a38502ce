"""A run's manifest: one JSON line per finished file, so an interrupted run can resume.

The manifest lives in the report folder (``manifest.jsonl``) or, without
``--report``, in the output folder (``.repair-manifest.jsonl``). Its first line
describes the run; every later line is a file's full result (edits, diff,
hashes), appended and flushed as soon as the file is finished, after its output
was written. A line cut short by a crash is ignored on reading, so the worst a
crash costs is redoing the files whose lines were not written yet.

``--resume`` reads it back: a file is skipped when the settings key (version,
config, mode, lexicon contents) is unchanged and the file's bytes show it was
done (same input hash; or, in place, the hash of what the run wrote). Skipped
files keep their recorded result, so the final report is the same as that of a
run that was never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .config import Config
from .model import Edit
from .report import FileResult
from .runner import Mode, Prior, RunOptions

MANIFEST_NAME = "manifest.jsonl"
OUT_DIR_MANIFEST_NAME = ".repair-manifest.jsonl"
FORMAT = 1


def manifest_path(options: RunOptions, report_dir: Path | None) -> Path | None:
    """Where this run's manifest goes, or ``None`` when the run has no folder of its own."""
    if report_dir is not None:
        return report_dir / MANIFEST_NAME
    if options.mode is Mode.OUT_DIR and isinstance(options.out_dir, Path):
        return options.out_dir / OUT_DIR_MANIFEST_NAME
    return None


def settings_key(config: Config, options: RunOptions, version: str) -> str:
    """A hash of everything that changes a file's result: not ``jobs`` or the engine."""
    from .resources import builtin_lexicon_dir

    settings = config.to_toml_dict()
    for key in ("jobs",):
        settings.pop(key, None)
    lexicons = [builtin_lexicon_dir() / name for name in config.builtin_lexicons]
    lexicons += [Path(p) for p in config.extend_lexicon]
    digests = {}
    for path in lexicons:
        try:
            digests[str(path.name)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digests[str(path.name)] = "missing"
    data = {
        "version": version,
        "config": settings,
        "lexicons": digests,
        "mode": options.mode.value,
        "out_dir": str(options.out_dir) if options.out_dir is not None else None,
        "backup": options.backup,
        "diff_context": options.diff_context,
        "diffs": options.diffs,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def result_to_record(result: FileResult) -> dict[str, Any]:
    return {
        "type": "file",
        "path": result.path,
        "rel": result.rel,
        "status": result.status,
        "message": result.message,
        "words": result.words,
        "sha256": result.sha256,
        "output_sha256": result.output_sha256,
        "output_size": result.output_size,
        "encoding": result.encoding,
        "newline": result.newline,
        "diff": result.diff,
        "edits": [e.to_dict() for e in result.edits],
    }


def record_to_result(record: dict[str, Any]) -> FileResult:
    return FileResult(
        path=record["path"],
        rel=record["rel"],
        status=record["status"],
        message=record.get("message", ""),
        edits=[Edit.from_dict(e) for e in record.get("edits", [])],
        words=int(record.get("words", 0)),
        sha256=record.get("sha256", ""),
        encoding=record.get("encoding", ""),
        newline=record.get("newline", ""),
        diff=record.get("diff", ""),
        output_sha256=record.get("output_sha256", ""),
        output_size=int(record.get("output_size", 0)),
    )


@dataclass(slots=True)
class _Entry:
    offset: int
    prior: Prior


class Manifest:
    """Append-only record of finished files; with ``resume``, also an index of an earlier run."""

    def __init__(self, path: Path, settings: str, resume: bool = False) -> None:
        self.path = path
        self.settings = settings
        self._index: dict[str, _Entry] = {}
        self.note = ""
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.is_file():
            if self._load():
                self._handle: IO[bytes] = path.open("ab")
                return
            self.note = "settings changed since the manifest was written: processing every file again"
        elif resume:
            self.note = "no manifest to resume from: processing every file"
        self._handle = path.open("wb")
        self._write({"type": "run", "format": FORMAT, "settings": settings})

    def _load(self) -> bool:
        """Index the earlier run's records; ``False`` when its settings differ."""
        with self.path.open("rb") as handle:
            offset = 0
            first = True
            for line in handle:
                start, offset = offset, offset + len(line)
                if not line.endswith(b"\n"):
                    break  # cut short by a crash
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if first:
                    first = False
                    if record.get("type") != "run" or record.get("settings") != self.settings:
                        return False
                    continue
                if record.get("type") == "file" and record.get("status") in ("changed", "unchanged", "skipped"):
                    prior = Prior(record["sha256"], record.get("output_sha256", ""), int(record.get("output_size", 0)))
                    self._index[record["rel"]] = _Entry(start, prior)
            if offset and not first:
                # Drop a torn last line so appended records start on a line of their own.
                self._truncate_torn_tail()
            return not first

    def _truncate_torn_tail(self) -> None:
        data_size = self.path.stat().st_size
        with self.path.open("rb+") as handle:
            if data_size == 0:
                return
            handle.seek(max(0, data_size - 1))
            if handle.read(1) == b"\n":
                return
            # Find the last newline and cut after it.
            step = 1 << 16
            position = data_size
            while position > 0:
                start = max(0, position - step)
                handle.seek(start)
                block = handle.read(position - start)
                cut = block.rfind(b"\n")
                if cut >= 0:
                    handle.truncate(start + cut + 1)
                    return
                position = start
            handle.truncate(0)

    def prior(self, rel: str) -> Prior | None:
        entry = self._index.get(rel)
        return entry.prior if entry else None

    def recorded(self, rel: str) -> FileResult:
        """The full result an earlier run recorded for ``rel``."""
        entry = self._index[rel]
        with self.path.open("rb") as handle:
            handle.seek(entry.offset)
            return record_to_result(json.loads(handle.readline()))

    def add(self, result: FileResult) -> None:
        if result.status == "resumed":
            return  # its record is already in the file
        self._write(result_to_record(result))

    def _write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        self._handle.flush()

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
