"""The rank stage: the prior ranker, and the fluency ranker for the options of unexpanded spintax."""

from __future__ import annotations

from repair import clean_text
from repair.artifacts import detect_artifacts
from repair.config import Config
from repair.model import SPINTAX_STEP, Candidate, Span
from repair.rank import STEP_RANKERS, rank
from repair.resources import Resources
from repair.segment import make_doc


def test_the_prior_ranker_orders_by_score_then_text():
    doc = make_doc("the navy said")
    span = Span(4, 8, "navy", "lexicon", "test", 0.9)
    candidates = [Candidate("army", 0.5, "x"), Candidate("military", 0.9, "x"), Candidate("fleet", 0.5, "x")]
    found = rank(doc, span, candidates, Resources.for_config(Config()))
    assert [(c.text, c.score) for c in found.candidates] == [("military", 0.9), ("army", 0.5), ("fleet", 0.5)]
    assert found.reason == "test"


def test_spintax_options_are_ordered_by_how_they_read_in_their_sentence():
    """The spinner's options come in any order; the 3-gram model says which reads best here. Only the
    order changes: the rule's confidence stays with the first, so spintax stays report-only."""
    text = "It was a long trip. It was {one|the|a} best day of my life."
    doc = make_doc(text)
    [span] = detect_artifacts(doc)
    assert span.step == SPINTAX_STEP and STEP_RANKERS[SPINTAX_STEP] == "fluency"
    assert [c.text for c in span.hints] == ["one", "the", "a"]  # the rule proposes the first option
    config = Config(detectors=("lexicon", "artifact", "context"), quality="fast")
    found = rank(doc, span, span.hints, Resources.for_config(config))
    assert found.best is not None and found.best.text == "the"
    assert [c.score for c in found.candidates] == [c.score for c in span.hints]  # the rule's scores, reordered
    [edit] = [e for e in clean_text(text, config).edits if e.detector == "artifact"]
    assert (edit.proposal, edit.confidence, edit.applied) == ("the", 0.5, False)
    assert {a for a, _ in edit.alternatives} == {"one", "a"}
    # The default loads no model: the spinner's first option stays first.
    [plain] = clean_text(text).edits
    assert (plain.proposal, plain.confidence, plain.applied) == ("one", 0.5, False)


def test_a_span_without_a_ranked_step_keeps_the_prior_order():
    doc = make_doc("pick {that a} option")
    [span] = detect_artifacts(doc)
    assert span.step == ""  # template braces have one reading
    found = rank(doc, span, span.hints, Resources.for_config(Config()))
    assert [c.text for c in found.candidates] == ["that a"]
