"""Triage scores: what counts as evidence and how documents are ordered."""

from __future__ import annotations

import pytest

from repair.config import Config
from repair.lexicon import phrase_key
from repair.model import Edit
from repair.report import FileResult
from repair.screen import evidence, rank_results, score_result, screen_frame, screen_paths


def edit(start: int, end: int, spun: str, confidence: float, applied: bool = True) -> Edit:
    return Edit(start, end, 1, start + 1, spun, "x", confidence, "lexicon", "", (), applied)


def result(name: str, words: int, edits: list[Edit], status: str = "changed") -> FileResult:
    return FileResult(name, name, status, edits=edits, words=words)


def test_evidence_drops_overlaps_and_ignored_phrases():
    strong = edit(0, 13, "flag to commotion", 0.9)
    weak_overlap = edit(0, 4, "flag", 0.5, applied=False)
    ignored = edit(20, 41, "an irregular woodland", 0.95)
    held = edit(50, 60, "huge stuff", 0.4, applied=False)
    kept = evidence([weak_overlap, strong, ignored, held], frozenset({phrase_key("Irregular woodland")}))
    assert [e.spun for e in kept] == ["flag to commotion", "huge stuff"]


def test_score_is_confidence_weighted_per_thousand_words():
    scored = score_result(result("a", 500, [edit(0, 4, "a b", 0.9), edit(10, 14, "a b", 0.6, applied=False)]))
    assert scored["score"] == pytest.approx(1000 * 1.5 / 500)
    assert scored["findings"] == 2 and scored["edits"] == 1
    assert scored["findings_per_1000_words"] == pytest.approx(4.0)
    assert scored["mean_confidence"] == pytest.approx(0.75)
    assert scored["top_phrases"] == "a b ×2"


def test_ranking_order_and_ties():
    rows = rank_results(
        [
            result("short.txt", 100, [edit(0, 3, "x", 0.5)]),  # 5.0
            result("dense.txt", 100, [edit(0, 3, "x", 0.9), edit(5, 8, "y", 0.9)]),  # 18.0
            result("long-tie.txt", 200, [edit(0, 3, "x", 0.5), edit(5, 8, "y", 0.5)]),  # 5.0, longer
            result("broken.txt", 0, [], status="error"),
            result("empty.txt", 0, [], status="unchanged"),
        ]
    )
    assert [r.file for r in rows] == ["dense.txt", "long-tie.txt", "short.txt", "empty.txt", "broken.txt"]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]
    assert list(screen_frame(rows).columns)[:3] == ["rank", "file", "path"]


def test_screen_paths_runs_the_pipeline(tmp_path):
    (tmp_path / "a.txt").write_text("We used counterfeit consciousness.\n")
    (tmp_path / "b.txt").write_text("Nothing to see here at all.\n")
    rows, report = screen_paths([str(tmp_path)], Config())
    assert [r.file for r in rows] == ["a.txt", "b.txt"] and rows[0].findings == 1
    assert all(r.text is None for r in report.results)
    assert (tmp_path / "a.txt").read_text() == "We used counterfeit consciousness.\n"
