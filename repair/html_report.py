"""``report.html``: one self-contained review page per run.

The page has a static part, rendered here (summary tiles, an SVG chart of edits
by detector and by confidence band, the per-file table), and an interactive part
drawn by ``data/report.js`` from a JSON block: each file's edits in context with
confidence, reason and alternatives, filters, accept / reject / pick-a-wording
controls, accept-above-threshold, and an export of the decisions
(:mod:`repair.decisions` documents the format) for ``repair apply``.

Safety, because the page shows text nobody vetted:

- every piece of input text in the static part goes through :func:`html.escape`;
- the JSON block is made safe inside ``<script>`` by :func:`script_json` (no
  ``</``, ``<!--`` or U+2028/U+2029 can survive), and the script only ever
  writes input text with ``textContent``;
- a Content-Security-Policy allows no network at all and only the page's own
  script, by its SHA-256, so even an escaping bug could not run injected code.

Large runs stay responsive: the script renders one page of edit cards at a time
(50 by default) and a file's full text only when asked.

Offsets: Python counts code points, JavaScript UTF-16 code units, so each edit
carries both (``s``/``e`` identify it in the decisions, ``js``/``je`` slice the
text in the browser); they differ after any character outside the BMP.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .decisions import fit_alternative

if TYPE_CHECKING:
    from .report import FileResult

# Confidence bands of the chart: (low, high, label); high is inclusive for the last band.
CONFIDENCE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.5, "< 0.50"),
    (0.5, 0.6, "0.50–0.59"),
    (0.6, 0.7, "0.60–0.69"),
    (0.7, 0.8, "0.70–0.79"),
    (0.8, 0.9, "0.80–0.89"),
    (0.9, 1.0, "0.90–1.00"),
)

_MARKER = re.compile(r"\{\{(\w+)\}\}")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _asset(name: str) -> str:
    return resources.files("repair").joinpath("data", name).read_text(encoding="utf-8")


def esc(value: object) -> str:
    """HTML-escape text for element content and quoted attributes.

    >>> esc('<script>alert("x")</script> & co')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'
    """
    return html.escape(str(value), quote=True)


def script_json(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` whatever the strings hold.

    ``<``, ``>`` and ``&`` become ``\\u003c`` and friends (so no ``</script>`` or
    ``<!--`` can appear), and U+2028/U+2029 are escaped too; ``JSON.parse``
    gives back the very same strings.

    >>> script_json({"t": "</script><!-- \\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class _Utf16:
    """Code-point offsets to UTF-16 offsets for one text (identity when all is in the BMP)."""

    def __init__(self, text: str | None) -> None:
        self.astral = [m.start() for m in _ASTRAL.finditer(text)] if text else []

    def __call__(self, offset: int) -> int:
        return offset + bisect_left(self.astral, offset) if self.astral else offset


def _density(edits: int, words: int) -> float:
    return round(1000 * edits / words, 2) if words else 0.0


def page_data(results: Sequence[FileResult], meta: dict[str, object], edits_sha256: str = "") -> dict[str, Any]:
    """What the script needs: run identity, files with edits (with their text), every edit."""
    files: list[dict[str, Any]] = []
    edits: list[dict[str, Any]] = []
    for result in results:
        if not result.edits:
            continue
        index = len(files)
        text = result.text
        files.append({"file": result.rel, "path": result.path, "words": result.words, "text": text})
        to16 = _Utf16(text)
        for e in sorted(result.edits, key=lambda e: (e.start, e.end)):
            alternatives: list[list[Any]] = []
            seen = {e.proposal, e.spun}
            for alt, conf in e.alternatives:
                fitted = fit_alternative(e, alt)
                if fitted not in seen:
                    seen.add(fitted)
                    alternatives.append([fitted, conf])
            edits.append(
                {
                    "f": index,
                    "s": e.start,
                    "e": e.end,
                    "js": to16(e.start),
                    "je": to16(e.end),
                    "l": e.line,
                    "c": e.col,
                    "sp": e.spun,
                    "p": e.proposal,
                    "cf": e.confidence,
                    "d": e.detector,
                    "r": e.reason,
                    "a": alternatives,
                    "ap": e.applied,
                }
            )
    run = {
        "id": edits_sha256[:12],
        "edits_sha256": edits_sha256,
        "generator": str(meta.get("generator", "repair")),
    }
    return {"run": run, "files": files, "edits": edits}


# --------------------------------------------------------------------------- static part


def summary_html(results: Sequence[FileResult]) -> str:
    """Tiles, charts and the per-file table; every input string escaped."""
    applied = sum(len(r.applied) for r in results)
    findings = sum(len(r.edits) for r in results)
    words = sum(r.words for r in results)
    with_findings = sum(1 for r in results if r.edits)
    tiles = [
        (f"{len(results):,}", "files"),
        (f"{words:,}", "words"),
        (f"{findings:,}", "findings"),
        (f"{applied:,}", "edits written by the run"),
        (f"{findings - applied:,}", "held back"),
        (f"{_density(applied, words):g}", "edits per 1,000 words"),
        (f"{with_findings:,}", "files with findings"),
    ]
    tile_html = "".join(f'<div class="tile"><b>{v}</b><span>{esc(label)}</span></div>' for v, label in tiles)

    by_detector: dict[str, list[int]] = {}
    by_band = [[0, 0] for _ in CONFIDENCE_BANDS]
    for r in results:
        for e in r.edits:
            by_detector.setdefault(e.detector, [0, 0])[0 if e.applied else 1] += 1
            by_band[_band_index(e.confidence)][0 if e.applied else 1] += 1
    detector_rows = [
        (name, counts[0], counts[1], {"data-filter": "detector", "data-value": name})
        for name, counts in sorted(by_detector.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    ]
    band_rows = [
        (label, counts[0], counts[1], {"data-filter": "band", "data-min": f"{lo:g}", "data-max": f"{_band_max(i):g}"})
        for i, ((lo, _hi, label), counts) in enumerate(zip(CONFIDENCE_BANDS, by_band, strict=True))
    ]
    legend = (
        '<p class="legend"><span class="swatch applied"></span>written by the run'
        '<span class="swatch held"></span>held back · click a bar to filter</p>'
    )
    charts = "".join(
        f'<div class="chart panel"><h2>Findings {esc(title)}</h2>{bar_chart_svg(rows, title)}{legend}</div>'
        for title, rows in (("by detector", detector_rows), ("by confidence", band_rows))
    )
    return (
        f'<section class="summary" aria-label="Summary"><div class="tiles">{tile_html}</div>'
        f'<div class="charts">{charts}</div>{files_table(results)}</section>'
    )


def _band_index(confidence: float) -> int:
    for i, (lo, hi, _) in enumerate(CONFIDENCE_BANDS):
        if lo <= confidence < hi:
            return i
    return len(CONFIDENCE_BANDS) - 1 if confidence >= CONFIDENCE_BANDS[-1][0] else 0


def _band_max(i: int) -> float:
    """The largest confidence in band ``i``, for the page's inclusive max filter."""
    return CONFIDENCE_BANDS[i][1] if i == len(CONFIDENCE_BANDS) - 1 else round(CONFIDENCE_BANDS[i][1] - 0.0001, 4)


def bar_chart_svg(rows: Sequence[tuple[str, int, int, dict[str, str]]], title: str) -> str:
    """Horizontal stacked bars (written, held back) with counts; one focusable group a row."""
    label_width, bar_width, row_height = 118, 230, 24
    width = label_width + bar_width + 60
    height = max(1, len(rows)) * row_height + 6
    top = max((applied + held for _, applied, held, _ in rows), default=0) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">']
    if not rows:
        parts.append(f'<text x="0" y="16" class="axis">{esc("no findings")}</text>')
    for n, (label, applied, held, attrs) in enumerate(rows):
        y = n * row_height + 3
        w_applied = bar_width * applied / top
        w_held = bar_width * held / top
        attributes = "".join(f' {k}="{esc(v)}"' for k, v in attrs.items())
        short = label if len(label) <= 16 else label[:15] + "…"
        end = label_width + w_applied + w_held + 6
        box = f'y="{y + 3}" height="{row_height - 8}" rx="2"'
        parts.append(
            f'<g class="bar" tabindex="0"{attributes}><title>{esc(label)}: {applied} written, {held} held back</title>'
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{esc(short)}</text>'
            f'<rect class="applied" x="{label_width}" width="{w_applied:.1f}" {box}/>'
            f'<rect class="held" x="{label_width + w_applied:.1f}" width="{w_held:.1f}" {box}/>'
            f'<text class="axis" x="{end:.1f}" y="{y + 15}">{applied + held}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def files_table(results: Sequence[FileResult]) -> str:
    """Files with findings first (densest first); the rest folded away."""
    head = (
        "<thead><tr><th>file</th><th>status</th><th>words</th><th>findings</th><th>written</th>"
        "<th>accepted now</th><th>edits / 1,000 words</th><th>mean confidence</th></tr></thead>"
    )
    flagged = sorted(
        (r for r in results if r.edits), key=lambda r: (-_density(len(r.applied), r.words), -len(r.edits), r.rel)
    )
    top = max((_density(len(r.applied), r.words) for r in flagged), default=0.0) or 1.0
    rows = []
    for r in flagged:
        applied = r.applied
        density = _density(len(applied), r.words)
        mean = f"{sum(e.confidence for e in applied) / len(applied):.2f}" if applied else "–"
        bar = f'<span class="density" style="width:{3 * density / top:.2f}em"></span>'
        rows.append(
            f'<tr data-file="{esc(r.rel)}" title="show this file\'s edits"><td>{esc(r.rel)}</td>'
            f'<td class="status">{esc(r.status)}</td><td>{r.words:,}</td><td>{len(r.edits)}</td><td>{len(applied)}</td>'
            f'<td data-live-file="{esc(r.rel)}">{len(applied)}</td><td>{density:g}{bar}</td><td>{mean}</td></tr>'
        )
    quiet = [r for r in results if not r.edits]
    quiet_rows = "".join(
        f'<tr><td>{esc(r.rel)}</td><td class="status">{esc(r.status)}{": " + esc(r.message) if r.message else ""}</td>'
        f"<td>{r.words:,}</td><td>0</td><td>0</td><td>0</td><td>0</td><td>–</td></tr>"
        for r in quiet
    )
    table = f'<table class="files">{head}<tbody>{"".join(rows)}</tbody></table>' if rows else ""
    if not rows:
        table = "<p>No file has findings.</p>"
    statuses = Counter(r.status for r in quiet)
    folded = ""
    if quiet:
        what = ", ".join(f"{n} {esc(status)}" for status, n in sorted(statuses.items()))
        folded = (
            f"<details><summary>{len(quiet):,} file{'s' * (len(quiet) != 1)} without findings ({what})</summary>"
            f'<table class="files">{head}<tbody>{quiet_rows}</tbody></table></details>'
        )
    return f'<div class="panel"><h2>Files</h2>{table}{folded}</div>'


# --------------------------------------------------------------------------- the page


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def render_html(
    results: Sequence[FileResult],
    meta: dict[str, object],
    edits_sha256: str = "",
    edits_name: str = "edits.jsonl",
) -> str:
    """The whole page as one string: deterministic for the same results and meta."""
    script = _asset("report.js")
    if "</script" in script.lower() or "<!--" in script:
        raise AssertionError("report.js must not contain </script or <!--")
    generator = str(meta.get("generator", "repair"))
    findings = sum(len(r.edits) for r in results)
    subtitle = f"{generator} · {len(results):,} files · {findings:,} findings"
    if edits_sha256:
        subtitle += f" · run {edits_sha256[:12]}"
    threshold = meta.get("min_confidence", 0.8)
    command = f"repair apply {edits_name} --decisions decisions-{edits_sha256[:12] or 'run'}.json --out-dir cleaned/"
    values = {
        "title": esc(str(meta.get("title", "repair review"))),
        "subtitle": esc(subtitle),
        "generator": esc(generator),
        "csp": esc(_csp(script)),
        "css": _asset("report.css"),
        "summary": summary_html(results),
        "threshold": esc(f"{float(threshold):g}") if isinstance(threshold, int | float) else "0.8",
        "apply_command": esc(command),
        "data": script_json(page_data(results, meta, edits_sha256)),
        "js": script,
    }
    return _MARKER.sub(lambda m: values[m.group(1)], _asset("report_template.html"))
