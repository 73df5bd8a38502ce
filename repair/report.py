"""Reporters: unified diffs, ``edits.jsonl``/``edits.csv``, ``summary.csv``, ``report.html``.

One writer per format, all fed the same per-file results. Data files are
written with pandas where they are tables (so Parquet comes for free when
pyarrow is installed); the diff follows GNU ``diff -u`` conventions including
``\\ No newline at end of file``.
"""

from __future__ import annotations

import difflib
import html
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
    """Write every report file; returns the paths written."""
    import pandas as pd

    report_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    records = [edit_record(e, r) for r in results for e in r.edits]
    edits_jsonl = report_dir / "edits.jsonl"
    with edits_jsonl.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    written.append(edits_jsonl)

    table = pd.DataFrame.from_records(records, columns=[*EDIT_COLUMNS, "path", "file_sha256"])
    table["alternatives"] = table["alternatives"].map(lambda alts: json.dumps(alts, ensure_ascii=False))
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
    page.write_text(render_html(results, meta or {}), encoding="utf-8")
    written.append(page)
    return written


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


def render_html(results: Sequence[FileResult], meta: dict[str, object]) -> str:
    """A self-contained review page: summary table, then each file's edits in context."""
    esc = html.escape
    total_edits = sum(len(r.applied) for r in results)
    total_words = sum(r.words for r in results)
    rows = "".join(
        f"<tr><td>{esc(r.rel)}</td><td>{esc(r.status)}</td><td>{r.words}</td>"
        f"<td>{len(r.applied)}</td><td>{len(r.edits)}</td><td>{esc(r.message)}</td></tr>"
        for r in results
    )
    sections = []
    for r in results:
        if not r.edits:
            continue
        items = "".join(
            f'<tr class="{"applied" if e.applied else "held"}"><td>{e.line}:{e.col}</td>'
            f"<td><del>{esc(e.spun)}</del></td><td><ins>{esc(e.proposal)}</ins></td>"
            f"<td>{e.confidence:.2f}</td><td>{esc(e.detector)}</td><td>{esc(e.reason)}</td>"
            f"<td>{esc(', '.join(f'{t} ({c:.2f})' for t, c in e.alternatives))}</td></tr>"
            for e in r.edits
        )
        sections.append(
            f"<section><h2>{esc(r.rel)}</h2><table><thead><tr><th>where</th><th>spun</th><th>proposal</th>"
            f"<th>confidence</th><th>detector</th><th>reason</th><th>alternatives</th></tr></thead>"
            f"<tbody>{items}</tbody></table></section>"
        )
    generator = esc(str(meta.get("generator", "repair")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>repair report</title>
<meta name="generator" content="{generator}">
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}
del{{background:#fdd;text-decoration:line-through}}ins{{background:#dfd;text-decoration:none}}
tr.held{{color:#888}}
</style></head><body>
<h1>repair report</h1>
<p>{len(results)} files, {total_words} words, {total_edits} edits written.</p>
<table><thead><tr><th>file</th><th>status</th><th>words</th><th>edits</th><th>findings</th><th>note</th></tr></thead>
<tbody>{rows}</tbody></table>
{"".join(sections)}
</body></html>
"""
