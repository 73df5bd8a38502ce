"""Triage: rank documents by spin evidence, densest first.

For a large collection the question is not "fix this file" but "which files
should a person look at first?" (the Problematic Paper Screener asks it of
published papers). A document's *score* is the confidence-weighted number of
spin findings per 1,000 words:

    score = 1000 × Σ confidence(finding) / words

over its findings that do not overlap a stronger one, so a weak guess counts
for less than a certain lexicon hit and one spun phrase is never counted twice.
Findings below the edit threshold count too (they are evidence, not edits);
phrases on the ignore list do not. Ties go to the longer document, then to the
name, so the order is stable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .config import Config
from .lexicon import phrase_key
from .model import Edit, overlaps
from .report import FileResult
from .resources import Resources
from .runner import Mode, RunOptions, RunReport, repair_paths

SCREEN_COLUMNS = (
    "rank",
    "file",
    "path",
    "status",
    "words",
    "findings",
    "edits",
    "score",
    "findings_per_1000_words",
    "mean_confidence",
    "top_phrases",
    "message",
)

_LEADING_ARTICLE = re.compile(r"^(?:a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScreenRow:
    """One document's evidence; ``rank`` is 1 for the most suspicious."""

    rank: int
    file: str
    path: str
    status: str
    words: int
    findings: int  # counted evidence: non-overlapping, not ignored
    edits: int  # what `clean` would write
    score: float
    findings_per_1000_words: float
    mean_confidence: float | None
    top_phrases: str
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SCREEN_COLUMNS}


def evidence(edits: Iterable[Edit], ignored: frozenset[tuple[str, ...]] = frozenset()) -> list[Edit]:
    """The findings that count: strongest first, no overlaps, nothing on the ignore list.

    >>> a = Edit(0, 17, 1, 1, "flag to commotion", "signal to noise", 0.9, "lexicon", "")
    >>> b = Edit(8, 17, 1, 9, "commotion", "noise", 0.4, "thesaurus", "", applied=False)
    >>> [e.spun for e in evidence([b, a])]
    ['flag to commotion']
    """
    taken: list[tuple[int, int]] = []
    kept = []
    for edit in sorted(edits, key=lambda e: (-e.confidence, e.start, e.end)):
        if ignored and (phrase_key(edit.spun) in ignored or phrase_key(_LEADING_ARTICLE.sub("", edit.spun)) in ignored):
            continue
        if any(overlaps(edit.start, edit.end, start, end) for start, end in taken):
            continue
        taken.append((edit.start, edit.end))
        kept.append(edit)
    return sorted(kept, key=lambda e: (e.start, e.end))


def score_result(result: FileResult, ignored: frozenset[tuple[str, ...]] = frozenset()) -> dict[str, object]:
    """The unranked figures for one document."""
    counted = evidence(result.edits, ignored)
    weight = sum(e.confidence for e in counted)
    words = result.words
    phrases = Counter(e.spun.lower() for e in counted)
    top = "; ".join(f"{p} ×{n}" if n > 1 else p for p, n in sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return {
        "file": result.rel,
        "path": result.path,
        "status": result.status,
        "words": words,
        "findings": len(counted),
        "edits": len(result.applied),
        "score": round(1000 * weight / words, 3) if words else 0.0,
        "findings_per_1000_words": round(1000 * len(counted) / words, 3) if words else 0.0,
        "mean_confidence": round(weight / len(counted), 4) if counted else None,
        "top_phrases": top,
        "message": result.message,
    }


def rank_results(results: Sequence[FileResult], config: Config | None = None) -> list[ScreenRow]:
    """Rank readable documents by score; skipped and failed ones go last, in input order."""
    ignored = Resources.for_config(config).ignored_keys if config is not None else frozenset()
    scored = [score_result(r, ignored) for r in results]
    readable = [s for s in scored if s["status"] in ("changed", "unchanged")]
    others = [s for s in scored if s["status"] not in ("changed", "unchanged")]
    readable.sort(key=lambda s: (-float(s["score"]), -int(s["words"]), str(s["file"])))  # type: ignore[arg-type]
    return [ScreenRow(rank=n, **s) for n, s in enumerate(readable + others, 1)]  # type: ignore[arg-type]


def screen_paths(paths: Sequence[str], config: Config) -> tuple[list[ScreenRow], RunReport]:
    """Check every document (nothing is written) and rank them."""
    report = repair_paths(paths, config, RunOptions(mode=Mode.CHECK, diffs=False, texts=False))  # triage keeps no texts
    return rank_results(report.results, config), report


def screen_frame(rows: Sequence[ScreenRow]):  # -> pandas.DataFrame
    import pandas as pd

    return pd.DataFrame.from_records([r.as_dict() for r in rows], columns=list(SCREEN_COLUMNS))
