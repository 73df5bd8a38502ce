"""A saved run: ``edits.jsonl`` (and ``run.json`` beside it) read back, originals checked.

``repair report`` re-renders a run and ``repair apply`` writes reviewed edits
long after ``repair clean`` finished. Both need the *original* text the offsets
point into, so each original is read again from the path recorded in the edits
file and its SHA-256 compared with the one recorded at run time: a file edited
since then would make every offset wrong, and is refused rather than guessed.

``run.json`` is the run's file manifest, written next to ``edits.jsonl``::

    {"format": "repair-run", "version": 1, "generator": "repair 0.1.0",
     "files": [{"file": "a.txt", "path": "in/a.txt", "sha256": "…", "status": "changed",
                "words": 120, "encoding": "utf-8", "message": ""}, …]}

It lists every input, including those without findings (which ``edits.jsonl``
cannot mention), so a re-rendered report and ``apply --out-dir`` see the whole
run. Without it, the files named in ``edits.jsonl`` are the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .model import Edit
from .textio import BinaryFileError, Decoded, UndecodableError, decode

RUN_MANIFEST = "run.json"
RUN_FORMAT = "repair-run"
STDIN = "-"


class SavedRunError(ValueError):
    """The edits file is unreadable, or an original cannot be used; one line for the user."""


class FileChangedError(SavedRunError):
    """An original file's bytes differ from those the run saw."""


@dataclass(slots=True)
class SavedFile:
    """One input of a saved run, with its edits in the edits file's order."""

    file: str  # relative name, as in reports and under --out-dir
    path: str  # as the user named it at run time
    sha256: str
    status: str = ""
    words: int | None = None
    encoding: str = ""
    message: str = ""
    edits: list[Edit] = field(default_factory=list)


@dataclass(slots=True)
class SavedRun:
    """Everything ``edits.jsonl`` (plus ``run.json``) recorded, in run order."""

    edits_path: Path
    edits_sha256: str
    files: list[SavedFile]
    generator: str = ""

    @property
    def run_id(self) -> str:
        """A short name for the run: the start of the edits file's hash (stable, no clock)."""
        return self.edits_sha256[:12]

    def file(self, name: str) -> SavedFile | None:
        for saved in self.files:
            if saved.file == name:
                return saved
        return None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_run(edits_path: str | Path) -> SavedRun:
    """Read ``edits.jsonl`` and, when present beside it, ``run.json``."""
    edits_path = Path(edits_path)
    try:
        data = edits_path.read_bytes()
    except OSError as exc:
        raise SavedRunError(f"cannot read {edits_path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SavedRunError(f"{edits_path}: not UTF-8 ({exc})") from exc
    files: dict[str, SavedFile] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            name = str(record["file"])
            edit = Edit.from_dict(record)
        except (ValueError, KeyError, TypeError) as exc:
            raise SavedRunError(f"{edits_path}:{number}: not an edit record ({exc})") from exc
        saved = files.get(name)
        if saved is None:
            saved = files[name] = SavedFile(name, str(record.get("path", name)), str(record.get("file_sha256", "")))
        saved.edits.append(edit)
    generator = ""
    manifest_path = edits_path.with_name(RUN_MANIFEST)
    if manifest_path.is_file():
        generator, files = _merge_manifest(manifest_path, files)
    return SavedRun(edits_path, sha256_bytes(data), list(files.values()), generator)


def _merge_manifest(path: Path, from_edits: dict[str, SavedFile]) -> tuple[str, dict[str, SavedFile]]:
    """Files in manifest order; the edits file's records win on path and hash."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != RUN_FORMAT:
            raise ValueError(f"format is {manifest.get('format')!r}, not {RUN_FORMAT!r}")
        entries = list(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SavedRunError(f"{path}: not a run manifest ({exc})") from exc
    merged: dict[str, SavedFile] = {}
    for entry in entries:
        name = str(entry["file"])
        saved = from_edits.get(name) or SavedFile(name, str(entry.get("path", name)), str(entry.get("sha256", "")))
        saved.status = str(entry.get("status", ""))
        saved.words = entry.get("words")
        saved.encoding = str(entry.get("encoding", ""))
        saved.message = str(entry.get("message", ""))
        merged[name] = saved
    for name, saved in from_edits.items():  # an edits file extended by hand: keep its files too
        merged.setdefault(name, saved)
    return str(manifest.get("generator", "")), merged


def resolve_path(saved: SavedFile, base: Path | None = None) -> Path:
    """Where the original is now: the recorded path, relative paths taken from ``base``."""
    if saved.path == STDIN:
        raise SavedRunError(f"{saved.file}: the run read standard input; there is no original file to use")
    path = Path(saved.path)
    if base is not None and not path.is_absolute():
        path = base / path
    return path


def read_original(saved: SavedFile, base: Path | None = None) -> tuple[bytes, Decoded]:
    """The original's bytes and text, refusing a file that changed since the run."""
    path = resolve_path(saved, base)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SavedRunError(f"{path}: cannot read the original of {saved.file}: {exc.strerror or exc}") from exc
    digest = sha256_bytes(raw)
    if saved.sha256 and digest != saved.sha256:
        raise FileChangedError(
            f"{path}: the file changed since the run (sha256 {digest[:12]}…, the run saw {saved.sha256[:12]}…); "
            "run repair again on the current file"
        )
    try:
        decoded = decode(raw)
    except (BinaryFileError, UndecodableError, UnicodeDecodeError) as exc:
        raise SavedRunError(f"{path}: cannot decode: {exc}") from exc
    return raw, decoded


def write_manifest(path: Path, files: list[dict[str, object]], generator: str) -> None:
    manifest = {"format": RUN_FORMAT, "version": 1, "generator": generator, "files": files}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n")
