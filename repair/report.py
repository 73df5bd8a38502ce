"""Reporters: unified diffs, ``edits.jsonl``/``edits.csv``, ``summary.csv``, ``report.html``.

One writer per format, all fed the same per-file results. Data files are
written with pandas where they are tables (``edits.parquet`` and
``summary.parquet`` too when pyarrow is installed); the diff follows GNU
``diff -u`` conventions including ``\\ No newline at end of file``. The review
page is rendered by :mod:`repair.html_report`; ``run.json`` (see
:mod:`repair.saved`) lists every input so a saved run can be re-rendered
(:func:`rerender`) or applied after review (:mod:`repair.decisions`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .model import Edit

EDIT_COLUMNS = (
    "file",
    "start",
    "end",
    "line",
    "col",
    "spun",
    "proposal",
    "confidence",
    "detector",
    "reason",
    "alternatives",
    "applied",
)


@dataclass(slots=True)
class FileResult:
    """The outcome for one input, as the runner and the reporters see it."""

    path: str  # as the user named it (or "-")
    rel: str  # where it goes under --out-dir and in reports (POSIX, relative)
    status: str  # "changed" | "unchanged" | "skipped" | "error"
    message: str = ""
    edits: list[Edit] = field(default_factory=list)
    words: int = 0
    sha256: str = ""
    encoding: str = ""
    newline: str = ""
    diff: str = ""
    output: bytes | None = None  # cleaned bytes, only kept for stdin runs
    output_sha256: str = ""  # the bytes written (or left in place), for resumable runs
    output_size: int = 0
    # The decoded original, kept only for files with findings: the review page
    # shows each edit in its context and the whole text on demand.
    text: str | None = field(default=None, repr=False)

    @property
    def applied(self) -> list[Edit]:
        return [e for e in self.edits if e.applied]


def unified_diff(path: str, old: str, new: str, context: int = 3) -> str:
    """A unified diff with ``--- path\\toriginal`` / ``+++ path\\trepaired`` headers."""
    if old == new:
        return ""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(
        old_lines, new_lines, f"{path}\toriginal", f"{path}\trepaired", n=context, lineterm=""
    ):
        if line.startswith(("---", "+++", "@@")):
            out.append(line.rstrip("\r\n") + "\n")
            continue
        body = line
        if body.endswith(("\r\n", "\n", "\r")):
            out.append(body)
        else:
            out.append(body + "\n\\ No newline at end of file\n")
    return "".join(out)


def edit_record(edit: Edit, result: FileResult) -> dict[str, object]:
    record = edit.to_dict()
    record["file"] = result.rel
    record["path"] = result.path
    record["file_sha256"] = result.sha256
    return record


def write_report(report_dir: Path, results: Sequence[FileResult], meta: dict[str, object] | None = None) -> list[Path]:
    """Write every report file; returns the paths written.

    ``edits.jsonl`` is written first: its SHA-256 names the run in ``report.html``
    and in the decisions exported from it.
    """
    from .saved import RUN_MANIFEST, write_manifest

    meta = dict(meta or {})
    report_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    records = [edit_record(e, r) for r in results for e in r.edits]
    edits_jsonl = report_dir / "edits.jsonl"
    payload = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode("utf-8")
    edits_jsonl.write_bytes(payload)
    written.append(edits_jsonl)

    manifest = report_dir / RUN_MANIFEST
    write_manifest(manifest, [file_record(r) for r in results], str(meta.get("generator", "repair")))
    written.append(manifest)

    table = edits_frame(records)
    table.to_csv(report_dir / "edits.csv", index=False)
    written.append(report_dir / "edits.csv")

    summary = summary_frame(results)
    summary.to_csv(report_dir / "summary.csv", index=False)
    written.append(report_dir / "summary.csv")
    written.extend(_parquet(report_dir, table, summary))

    for result in results:
        if result.diff:
            target = safe_join(report_dir / "diffs", result.rel + ".diff")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(result.diff, encoding="utf-8", newline="")
            written.append(target)

    page = report_dir / "report.html"
    _fill_texts(results)
    digest = hashlib.sha256(payload).hexdigest()
    page.write_text(render_html(results, meta, digest), encoding="utf-8", newline="\n")
    written.append(page)
    return written


def file_record(result: FileResult) -> dict[str, object]:
    """One input in ``run.json``."""
    return {
        "file": result.rel,
        "path": result.path,
        "sha256": result.sha256,
        "status": result.status,
        "words": result.words,
        "encoding": result.encoding,
        "message": result.message,
    }


def edits_frame(records: Sequence[dict[str, object]]):  # -> pandas.DataFrame
    """``edits.csv``'s table: one row an edit, alternatives as a JSON list in one cell."""
    import pandas as pd

    table = pd.DataFrame.from_records(list(records), columns=[*EDIT_COLUMNS, "path", "file_sha256"])
    table["alternatives"] = table["alternatives"].map(lambda alts: json.dumps(alts, ensure_ascii=False))
    return table


def _fill_texts(results: Sequence[FileResult]) -> None:
    """Give the page each original it lacks, read back only if its hash still matches."""
    from .saved import SavedFile, SavedRunError, read_original

    for result in results:
        if result.edits and result.text is None and result.path not in ("", "-") and result.sha256:
            try:
                _, decoded = read_original(SavedFile(result.rel, result.path, result.sha256))
            except SavedRunError:
                continue  # the page still lists the edits, without their context
            result.text = decoded.text


def rerender(edits_path: Path, out_dir: Path, base: Path | None = None, generator: str = "") -> list[Path]:
    """Re-render a saved run (``repair report``): originals are read back and hash-checked.

    Raises :class:`repair.saved.SavedRunError` (or its ``FileChangedError``) when an
    original with edits is missing or changed: offsets into another text would lie.
    """
    from .apply import apply_edits
    from .saved import load_run, read_original, resolve_path
    from .segment import WORD_RE

    run = load_run(edits_path)
    results = []
    for saved in run.files:
        result = FileResult(
            saved.path,
            saved.file,
            saved.status or ("changed" if any(e.applied for e in saved.edits) else "unchanged"),
            saved.message,
            edits=list(saved.edits),
            words=saved.words or 0,
            sha256=saved.sha256,
            encoding=saved.encoding,
        )
        if saved.edits:
            _, decoded = read_original(saved, base)
            result.text = decoded.text
            result.words = sum(1 for _ in WORD_RE.finditer(decoded.text))
            result.encoding = result.encoding or decoded.encoding + ("-sig" if decoded.bom else "")
            result.newline = decoded.newline
            new = apply_edits(decoded.text, result.edits)
            result.diff = unified_diff(str(resolve_path(saved, base)), decoded.text, new)
        results.append(result)
    meta = {"generator": generator or run.generator or "repair"}
    return write_report(out_dir, results, meta)


def _parquet(report_dir: Path, table: object, summary: object) -> list[Path]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return []
    table.to_parquet(report_dir / "edits.parquet", index=False)  # type: ignore[attr-defined]
    summary.to_parquet(report_dir / "summary.parquet", index=False)  # type: ignore[attr-defined]
    return [report_dir / "edits.parquet", report_dir / "summary.parquet"]


def summary_frame(results: Iterable[FileResult]):  # -> pandas.DataFrame
    """Per file: words, edits written, findings reported, spin density, mean confidence."""
    import pandas as pd

    rows = []
    for r in results:
        applied = r.applied
        rows.append(
            {
                "file": r.rel,
                "status": r.status,
                "words": r.words,
                "edits": len(applied),
                "findings": len(r.edits),
                "edits_per_1000_words": round(1000 * len(applied) / r.words, 3) if r.words else 0.0,
                "mean_confidence": round(sum(e.confidence for e in applied) / len(applied), 4) if applied else None,
                "encoding": r.encoding,
                "message": r.message,
            }
        )
    columns = [
        "file",
        "status",
        "words",
        "edits",
        "findings",
        "edits_per_1000_words",
        "mean_confidence",
        "encoding",
        "message",
    ]
    return pd.DataFrame.from_records(rows, columns=columns)


def safe_join(root: Path, rel: str) -> Path:
    """``root / rel`` that can never point outside ``root`` (no ``..``, no absolute parts)."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return root.joinpath(*parts) if parts else root / "_"


def render_html(results: Sequence[FileResult], meta: dict[str, object], edits_sha256: str = "") -> str:
    """The self-contained review page (see :mod:`repair.html_report`)."""
    from .html_report import render_html as render

    return render(results, meta, edits_sha256)
