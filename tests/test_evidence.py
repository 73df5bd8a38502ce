"""Document-level spin evidence (repair/evidence.py) and the pipeline's second look at spun documents."""

from __future__ import annotations

import pytest

import repair.context
import repair.pipeline
from repair.config import Config
from repair.context import context_toml
from repair.evidence import DocumentSettings, SpinEvidence, document_settings, weigh
from repair.model import Candidate, Finding, Span
from repair.pipeline import Pipeline
from repair.segment import make_doc

SETTINGS = DocumentSettings(evidence_floor=0.5, min_findings=3, min_density=2.5, stage2_floor=0.1)


def finding(spun: str, proposal: str, score: float, start: int = 0, detector: str = "context") -> Finding:
    span = Span(start, start + len(spun), spun, detector, "test", score)
    return Finding(span, (Candidate(proposal, score, detector),), "test")


def test_a_phrase_the_author_repeats_counts_once():
    found = [finding("mental images", "images", 0.7, k * 40) for k in range(4)]
    evidence = weigh(found, 100, SETTINGS)
    assert evidence.findings == 1
    assert not evidence.spun


def test_distinct_findings_above_the_floor_make_a_spun_document():
    found = [
        finding("solely", "only", 0.8),
        finding("Solely", "Only", 0.77, 50),  # the same swap, capitalised
        finding("stated", "said", 0.6, 90),
        finding("are able to't", "can't", 0.9, 120, "artifact"),
        finding("inflow", "influx", 0.45, 160),  # below the evidence floor
    ]
    evidence = weigh(found, 100, SETTINGS)
    assert (evidence.findings, evidence.words) == (3, 100)
    assert evidence.per_100_words == pytest.approx(3.0)
    assert evidence.spun


def test_a_spun_document_needs_both_enough_findings_and_enough_density():
    three = [finding(w, "x", 0.9, k * 20) for k, w in enumerate(("alpha", "beta", "gamma"))]
    assert not weigh(three, 200, SETTINGS).spun  # 1.5 per 100 words
    assert not weigh(three[:2], 20, SETTINGS).spun  # dense, but only two
    assert weigh(three, 120, SETTINGS).spun  # 2.5 per 100 words
    assert not weigh([], 0, SETTINGS).spun


def test_describe_says_what_was_counted():
    text = SpinEvidence(7, 276, True).describe()
    assert text == "this document shows 7 distinct likely spins in 276 words (2.5 per 100)"


def test_the_shipped_density_reads_a_long_spun_document_as_spun_but_not_the_densest_clean_one():
    """The boundary measured on dev (``[document]`` in context.toml): a 400-word spun document
    shows 8 distinct findings (2 per 100 words), where the densest clean text with 3 or more
    had 4 in 315 words (1.27 per 100)."""
    shipped = document_settings()
    words = [f"w{k}" for k in range(8)]
    spun = [finding(w, "x", 0.9, k * 20) for k, w in enumerate(words)]
    assert weigh(spun, 400, shipped).spun
    assert not weigh(spun[:4], 315, shipped).spun


def test_the_shipped_settings_look_deeper_than_the_usual_floor():
    shipped = document_settings()
    assert 0.0 < shipped.stage2_floor < float(context_toml()["context"]["stage2-floor"])
    assert shipped.evidence_floor >= float(context_toml()["context"]["report-floor"])
    assert shipped.min_findings >= 2


@pytest.fixture
def first_pass(monkeypatch):
    """The pipeline with its detectors replaced: ``first_pass(spans)`` sets the first pass's spans
    and returns the list of evidence each second look was called with."""
    calls: list[SpinEvidence | None] = []

    def deeper(doc, res, deeper=None):
        calls.append(deeper)
        return [Span(0, 3, "The", "context", "second look", 0.85, (Candidate("A", 0.85, "context"),))]

    monkeypatch.setattr(repair.context, "detect_context", deeper)

    def set_spans(spans: list[Span]) -> list[SpinEvidence | None]:
        monkeypatch.setattr(repair.pipeline, "detect", lambda doc, res: list(spans))
        return calls

    return set_spans


def _span(start: int, text: str, proposal: str, score: float) -> Span:
    hints = (Candidate(proposal, score, "context"),)
    return Span(start, start + len(text), text, "context", "first pass", score, hints)


TEXT = "The troopers stated they would cease the attack solely at night."
DENSE = [_span(4, "troopers", "soldiers", 0.7), _span(13, "stated", "said", 0.6), _span(36, "cease", "stop", 0.8)]


def test_a_spun_document_gets_a_second_look_and_keeps_its_evidence(first_pass):
    calls = first_pass(DENSE)
    pipe = Pipeline(Config(detectors=("lexicon", "artifact", "context"), quality="best"))
    doc = make_doc(TEXT)
    found = pipe.findings(doc)
    assert doc.evidence is not None and doc.evidence.spun and doc.evidence.findings == 3
    assert calls == [doc.evidence]
    assert [f.span.evidence for f in found][-1] == "second look"


def test_a_document_without_evidence_gets_no_second_look(first_pass):
    calls = first_pass([_span(4, "troopers", "soldiers", 0.7), _span(13, "stated", "said", 0.45)])
    doc = make_doc(TEXT)
    Pipeline(Config(detectors=("lexicon", "artifact", "context"), quality="best")).findings(doc)
    assert doc.evidence is not None and not doc.evidence.spun
    assert calls == []


def test_without_the_context_detector_no_document_is_weighed(first_pass):
    calls = first_pass(DENSE)
    doc = make_doc(TEXT)
    Pipeline(Config(detectors=("lexicon", "artifact"), quality="best")).findings(doc)
    assert doc.evidence is None
    assert calls == []


def test_the_fast_level_weighs_documents_by_its_own_counts(first_pass):
    """Its first pass is the 3-gram stage alone, with which some short clean texts read as spun at
    the best level's counts: it needs 4 distinct findings where the best level needs 3. A document
    that reads as spun by them gets the fast level's second look."""
    fast, best = document_settings("fast"), document_settings("best")
    assert fast.min_findings > best.min_findings and fast.evidence_floor == best.evidence_floor
    calls = first_pass(DENSE)
    config = Config(detectors=("lexicon", "artifact", "context"), quality="fast")
    doc = make_doc(TEXT)
    Pipeline(config).findings(doc)
    assert doc.evidence is not None and doc.evidence.findings == 3 and not doc.evidence.spun  # 3 of 4
    assert calls == []
    four = [*DENSE, _span(48, "solely", "only", 0.7)]
    first_pass(four)
    doc = make_doc(TEXT)
    found = Pipeline(config).findings(doc)
    assert doc.evidence is not None and doc.evidence.spun
    assert calls == [doc.evidence]
    assert [f.span.evidence for f in found][-1] == "second look"


def test_a_doubled_word_is_written_only_where_the_document_reads_as_spun(first_pass):
    """A doubled function word is left for review in general (typos double words too); in a
    document whose first pass reads as spun it is the spinner's and is written."""
    from repair.artifacts import DOUBLED_CONFIDENCE, detect_artifacts
    from repair.decide import decide

    text = TEXT + " They left in in the morning."
    doubled = [s for s in detect_artifacts(make_doc(text)) if s.text == "in in"]
    assert len(doubled) == 1
    for config in (
        Config(detectors=("lexicon", "artifact", "context"), quality="best"),
        Config(detectors=("lexicon", "artifact", "context"), quality="fast"),
    ):
        first_pass([*DENSE, *doubled])
        doc = make_doc(text)
        edits = decide(doc, Pipeline(config).findings(doc), config)
        assert doc.evidence is not None and doc.evidence.spun
        [edit] = [e for e in edits if e.detector == "artifact"]
        assert edit.applied and edit.proposal == "in" and "rather than a typo" in edit.reason
        # The same words without the other findings: no evidence, so the doubled word waits for review.
        first_pass(list(doubled))
        doc = make_doc(text)
        [alone] = decide(doc, Pipeline(config).findings(doc), config)
        assert not alone.applied and alone.confidence == DOUBLED_CONFIDENCE and "typo" in alone.reason
    # Without the context detector nothing weighs the document (the default level never edits a typo).
    config = Config(detectors=("lexicon", "artifact"))
    first_pass([*DENSE, *doubled])
    doc = make_doc(text)
    [kept] = [e for e in decide(doc, Pipeline(config).findings(doc), config) if e.detector == "artifact"]
    assert not kept.applied and doc.evidence is None
