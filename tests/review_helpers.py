"""A small reviewed run built by hand, for the report, decisions and browser tests.

The pipeline's lexicon detector gives no alternatives and few held-back edits, so
these runs are made directly from files on disk and hand-written edits: every
kind of edit the review page must handle (alternatives, held back, overlapping,
widened to an article, after an astral character, in a legacy encoding, next to
markup that must stay text) with offsets computed from the real text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from repair.model import Document, Edit
from repair.report import FileResult, write_report
from repair.runner import count_words

PAPER = (
    "\U0001f600 Results: we used counterfeit consciousness to sort the data.\r\n"
    "Then an irregular woodland improved the flag to commotion ratio.\r\n"
    'Markup stays text: </script><script>window.__pwned = 1; document.title = "pwned"</script>'
    '<img src=x onerror="window.__pwned = 2"> and huge information too.\r\n'
    "No final newline after profound learning"
)
LEGACY = "Le café uses counterfeit consciousness daily.\n"
CLEAN = "The committee met on Tuesday and approved the budget.\n"


@dataclass(frozen=True)
class ReviewRun:
    root: Path  # the input files
    report: Path  # the --report folder
    results: list[FileResult]

    @property
    def edits(self) -> Path:
        return self.report / "edits.jsonl"


def edit_at(
    text: str,
    spun: str,
    proposal: str,
    confidence: float,
    detector: str = "lexicon",
    alternatives: tuple[tuple[str, float], ...] = (),
    applied: bool = True,
    occurrence: int = 0,
    file: str = "",
) -> Edit:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(spun, start + 1)
    line, col = Document(text).line_col(start)
    reason = f'"{spun}" looks like a spin of "{proposal}"'
    if not applied:
        reason += "; not applied: held back for review"
    return Edit(
        start, start + len(spun), line, col, spun, proposal, confidence, detector, reason, alternatives, applied, file
    )


def paper_edits(text: str = PAPER) -> list[Edit]:
    return [
        edit_at(text, "counterfeit consciousness", "artificial intelligence", 0.95),
        edit_at(text, "an irregular woodland", "a random forest", 0.93, alternatives=(("unordered forest", 0.41),)),
        edit_at(
            text,
            "flag to commotion",
            "signal to noise",
            0.84,
            "thesaurus",
            alternatives=(("signal-to-noise", 0.62), ("sign to noise", 0.3)),
        ),
        edit_at(text, "flag", "signal", 0.55, "thesaurus", applied=False),  # overlaps "flag to commotion"
        edit_at(text, "huge information", "big data", 0.72, alternatives=(("vast data", 0.4),), applied=False),
        edit_at(text, "profound learning", "deep learning", 0.9, "artifact"),
    ]


def result_for(root: Path, rel: str, data: bytes, text: str, edits: list[Edit], encoding: str) -> FileResult:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    status = "changed" if any(e.applied for e in edits) else "unchanged"
    return FileResult(
        str(path),
        rel,
        status,
        edits=[Edit(**{**e.to_dict(), "alternatives": e.alternatives, "file": rel}) for e in edits],
        words=count_words(text),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        text=text if edits else None,
    )


def build_run(base: Path, paper_name: str = "paper.txt") -> ReviewRun:
    root = base / "in"
    results = [
        result_for(root, paper_name, PAPER.encode("utf-8"), PAPER, paper_edits(), "utf-8"),
        result_for(
            root,
            "legacy/cp1252.txt",
            LEGACY.encode("cp1252"),
            LEGACY,
            [edit_at(LEGACY, "counterfeit consciousness", "artificial intelligence", 0.95)],
            "cp1252",
        ),
        result_for(root, "clean.txt", CLEAN.encode("utf-8"), CLEAN, [], "utf-8"),
    ]
    report = base / "report"
    write_report(report, results, {"generator": "repair test"})
    return ReviewRun(root, report, results)


def build_big_run(base: Path, edits: int = 10_000, per_file: int = 500) -> ReviewRun:
    """``edits`` edits over ``edits / per_file`` files, a quarter held back, some with alternatives."""
    root = base / "in"
    results = []
    sentence = "We trained counterfeit consciousness on flag to commotion. "
    for n in range(edits // per_file):
        text = sentence * (per_file // 2)
        doc = Document(text)
        file_edits = []
        for k in range(per_file // 2):
            offset = k * len(sentence)
            for spun, proposal, shift, detector in (
                ("counterfeit consciousness", "artificial intelligence", 11, "lexicon"),
                ("flag to commotion", "signal to noise", 40, "thesaurus"),
            ):
                start = offset + shift
                assert text[start : start + len(spun)] == spun
                conf = round(0.5 + ((k * 7 + shift) % 50) / 100, 2)
                line, col = doc.line_col(start)
                alts = (("signal-to-noise", round(conf - 0.2, 2)),) if detector == "thesaurus" else ()
                end = start + len(spun)
                edit = Edit(start, end, line, col, spun, proposal, conf, detector, "test", alts, conf >= 0.62)
                file_edits.append(edit)
        results.append(result_for(root, f"doc{n:03d}.txt", text.encode(), text, file_edits, "utf-8"))
    report = base / "report"
    write_report(report, results, {"generator": "repair test"})
    return ReviewRun(root, report, results)


SHOWCASE = {
    "abstracts/screening.txt": (
        "Recent advances in counterfeit consciousness have changed how clinics screen for bosom peril. "
        "In this study we compare an irregular woodland with a profound learning model trained on colossal "
        "information from three hospitals.\n\n"
        "The choice tree baseline is weaker, and the flag to commotion ratio of the scans limits every model.\n"
    ),
    "abstracts/methods.md": (
        "# Methods\n\nResults are able to't be reproduced without the code, so we publish it.\n"
        "Every irregular woodland used 500 trees.\n"
    ),
}


def build_showcase(base: Path) -> ReviewRun:
    """A small run that looks like real use, for the README's screenshot."""
    root = base / "in"
    paper, methods = SHOWCASE["abstracts/screening.txt"], SHOWCASE["abstracts/methods.md"]
    paper_edits = [
        edit_at(paper, "counterfeit consciousness", "artificial intelligence", 0.95),
        edit_at(paper, "bosom peril", "breast cancer", 0.95),
        edit_at(paper, "an irregular woodland", "a random forest", 0.93, alternatives=(("unordered forest", 0.41),)),
        edit_at(paper, "profound learning", "deep learning", 0.92),
        edit_at(paper, "colossal information", "big data", 0.86, "thesaurus", (("vast data", 0.5),)),
        edit_at(paper, "choice tree", "decision tree", 0.74, "thesaurus", (("selection tree", 0.31),), applied=False),
        edit_at(
            paper,
            "flag to commotion",
            "signal to noise",
            0.66,
            "thesaurus",
            (("signal-to-noise", 0.62), ("sign to noise", 0.28)),
            applied=False,
        ),
    ]
    methods_edits = [
        edit_at(methods, "are able to't", "can't", 0.97, "artifact"),
        edit_at(methods, "irregular woodland", "random forest", 0.95),
    ]
    results = [
        result_for(root, name, text.encode("utf-8"), text, edits, "utf-8")
        for name, text, edits in (
            ("abstracts/screening.txt", paper, paper_edits),
            ("abstracts/methods.md", methods, methods_edits),
        )
    ]
    for result in results:  # record paths as a user would give them, so the run id (and picture) is stable
        result.path = f"in/{result.rel}"
    report = base / "report"
    write_report(report, results, {"generator": "repair 0.1.0"})
    return ReviewRun(root, report, results)
