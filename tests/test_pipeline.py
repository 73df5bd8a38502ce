"""The pipeline as a whole: the library API and the guarantees users count on."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repair
from repair import Config, apply_edits, clean_text

SPUN_PHRASES = ["counterfeit consciousness", "irregular woodland", "Irregular Woodlands", "profound learning"]


def test_clean_text_restores_known_tortured_phrases():
    result = clean_text("We used counterfeit consciousness and an irregular woodland.")
    assert result.text == "We used artificial intelligence and a random forest."
    assert [e.detector for e in result.applied] == ["lexicon", "lexicon"]
    for e in result.applied:
        assert e.reason and 0.0 <= e.confidence <= 1.0


def test_edits_replay_on_the_original():
    text = "Irregular woodland models and counterfeit consciousness; we are able to't stop {that a} trend."
    result = clean_text(text)
    assert apply_edits(text, result.edits) == result.text
    assert result.text == "Random forest models and artificial intelligence; we can't stop that a trend."


def test_a_possessive_phrase_is_restored_with_its_s_and_article():
    text = "AN IRREGULAR WOODLAND'S OUTPUT beat an irregular woodland\u2019s rival."
    result = clean_text(text)
    assert result.text == "A RANDOM FOREST'S OUTPUT beat a random forest\u2019s rival."
    assert [e.spun for e in result.applied] == ["AN IRREGULAR WOODLAND", "an irregular woodland"]
    assert clean_text(result.text).text == result.text


@pytest.mark.parametrize("quality", ["fast", "best"])
def test_no_edit_touches_a_url_or_an_email_address(quality):
    text = (
        "See https://example.com/irregular-woodland and www.counterfeit-consciousness.org, "
        "or mail irregular.woodland@example.com, about an irregular woodland."
    )
    result = clean_text(text, detectors=("lexicon", "artifact", "context"), quality=quality)
    assert result.text == text.replace("an irregular woodland.", "a random forest.")
    assert all(e.spun == "an irregular woodland" for e in result.edits)


def test_a_lexicon_edit_keeps_the_hyphens_the_spinner_kept(tmp_path):
    rows = tmp_path / "rows.tsv"
    rows.write_text("spun\toriginal\ngreat tuned\tfine tuned\nactual globe\treal world\n", encoding="utf-8")
    text = "We great-tuned it on actual-globe data and great tuned it again."
    result = clean_text(text, builtin_lexicons=(), extend_lexicon=(str(rows),))
    assert result.text == "We fine-tuned it on real-world data and fine tuned it again."
    assert apply_edits(text, result.edits) == result.text


def test_threshold_holds_back_edits_but_reports_them():
    result = clean_text("an irregular woodland", min_confidence=0.99)
    assert result.text == "an irregular woodland"
    [edit] = result.edits
    assert not edit.applied and "below the threshold" in edit.reason


def test_context_edits_need_their_own_threshold():
    from repair.decide import decide
    from repair.model import Candidate, Finding, Span
    from repair.segment import make_doc

    doc = make_doc("the troopers held")
    for detector, applied in (("context", False), ("lexicon", True)):
        span = Span(4, 12, "troopers", detector, "test", 0.85)
        finding = Finding(span, (Candidate("soldiers", 0.85, detector),), "test")
        [edit] = decide(doc, [finding], Config(min_confidence=0.8, context_min_confidence=0.9))
        assert edit.applied is applied
        if not applied:
            assert "below the threshold 0.90" in edit.reason
    span = Span(4, 12, "troopers", "context", "test", 0.95)
    [edit] = decide(doc, [Finding(span, (Candidate("soldiers", 0.95, "context"),), "t")], Config())
    assert edit.applied


def test_each_quality_level_has_its_own_context_threshold():
    from repair.decide import decide
    from repair.model import Candidate, Finding, Span
    from repair.segment import make_doc

    doc = make_doc("the troopers held")
    span = Span(4, 12, "troopers", "context", "test", 0.9)
    finding = Finding(span, (Candidate("soldiers", 0.9, "context"),), "test")
    bars = {"context_min_confidence": 0.85, "context_fast_min_confidence": 0.93}
    [best] = decide(doc, [finding], Config(quality="best", **bars))
    [fast] = decide(doc, [finding], Config(quality="fast", **bars))
    assert best.applied and not fast.applied
    assert "below the threshold 0.93" in fast.reason


def test_the_phrase_step_has_its_own_context_bar_and_says_so():
    from repair.decide import context_bar, decide
    from repair.evidence import SpinEvidence
    from repair.model import PHRASE_STEP, Candidate, Finding, Span
    from repair.segment import make_doc

    config = Config(quality="best", context_min_confidence=0.9, context_phrase_min_confidence=0.85)
    assert (context_bar(config, None), context_bar(config, None, PHRASE_STEP)) == (0.9, 0.85)
    # The spun-document bar still lowers it; the fast level's bar is its own; it never raises the usual bar.
    spun = SpinEvidence(9, 300, True)
    assert context_bar(config.replace(context_spun_min_confidence=0.8), spun, PHRASE_STEP) == 0.8
    assert context_bar(config.replace(quality="fast"), None, PHRASE_STEP) == config.context_fast_min_confidence
    assert context_bar(config.replace(context_phrase_min_confidence=0.95), None, PHRASE_STEP) == 0.9

    doc = make_doc("the floor truth labels")
    candidates = (Candidate("ground truth", 0.89, "spinmap"),)
    one_word = Finding(Span(4, 15, "floor truth", "context", "t", 0.89), candidates, "t")
    phrase = Finding(Span(4, 15, "floor truth", "context", "t", 0.89, step=PHRASE_STEP), candidates, "t")
    [held] = decide(doc, [one_word], config)
    assert not held.applied and "below the threshold 0.90" in held.reason
    [edit] = decide(doc, [phrase], config)
    assert edit.applied and edit.proposal == "ground truth"
    assert "applied at the phrase step's bar 0.85 (otherwise 0.90)" in edit.reason
    [lower] = decide(doc, [Finding(phrase.span, (Candidate("ground truth", 0.84, "spinmap"),), "t")], config)
    assert not lower.applied and "below the threshold 0.85" in lower.reason


def test_a_spun_document_lowers_the_context_bar_and_says_so():
    from repair.decide import context_bar, decide
    from repair.evidence import SpinEvidence
    from repair.model import Candidate, Finding, Span
    from repair.segment import make_doc

    spun, quiet = SpinEvidence(9, 300, True), SpinEvidence(1, 300, False)
    config = Config(quality="best", context_min_confidence=0.9, context_spun_min_confidence=0.8)
    assert (context_bar(config, spun), context_bar(config, quiet), context_bar(config, None)) == (0.8, 0.9, 0.9)
    # Each level has its own spun bar; a spun bar above the usual one never raises it.
    fast = config.replace(quality="fast", context_fast_min_confidence=0.92, context_fast_spun_min_confidence=0.85)
    assert (context_bar(fast, spun), context_bar(fast, quiet), context_bar(fast, None)) == (0.85, 0.92, 0.92)
    assert context_bar(fast.replace(context_fast_spun_min_confidence=0.95), spun) == 0.92
    assert context_bar(config.replace(context_spun_min_confidence=0.95), spun) == 0.9

    finding = Finding(Span(4, 12, "troopers", "context", "t", 0.85), (Candidate("soldiers", 0.85, "context"),), "t")
    doc = make_doc("the troopers held")
    [held] = decide(doc, [finding], config)
    assert not held.applied and "below the threshold 0.90" in held.reason
    doc.evidence = spun
    [edit] = decide(doc, [finding], config)
    assert edit.applied
    assert "applied at the spun-document bar 0.80 (otherwise 0.90): this document shows 9 distinct" in edit.reason
    # A finding of the second look already names the evidence: it is not repeated.
    looked = f"t; looked at only because {spun.describe()}"
    deep = Finding(Span(4, 12, "troopers", "context", looked, 0.85), finding.candidates, looked)
    [once] = decide(doc, [deep], config)
    assert once.applied and once.reason.count(spun.describe()) == 1
    assert once.reason.endswith("applied at the spun-document bar 0.80 (otherwise 0.90)")
    # An edit that clears the usual bar needs no such note.
    sure = Finding(finding.span, (Candidate("soldiers", 0.95, "context"),), "t")
    [plain] = decide(doc, [sure], config)
    assert plain.applied and "spun-document" not in plain.reason
    # The fast level says so with its own bars.
    doc.evidence = spun
    [edit] = decide(doc, [finding], fast)
    assert edit.applied and "applied at the spun-document bar 0.85 (otherwise 0.92): this document" in edit.reason


def test_ignore_phrases_allow_list():
    result = clean_text("an irregular woodland", Config(ignore_phrases=("Irregular Woodland",)))
    assert result.text == "an irregular woodland"
    assert "ignore list" in result.edits[0].reason


def test_and_context_rows_need_their_context():
    # "malignant growth" is an and-context row: it counts only next to "cancer".
    assert clean_text("A malignant growth was seen.").text == "A malignant growth was seen."
    assert clean_text("A malignant growth was seen. Cancer is common.").text == "A cancer was seen. Cancer is common."


def test_clean_fixture_text_is_unchanged(fixtures):
    for name in ("clean_wikinews.txt", "clean_arxiv.txt"):
        text = (fixtures / name).read_text(encoding="utf-8")
        assert clean_text(text).text == text, name


def test_explain_lists_every_finding():
    lines = repair.explain("Counterfeit consciousness; the the end.")
    assert lines[0].startswith("1:1: Counterfeit consciousness -> Artificial intelligence")
    assert "not applied" in lines[1]


# --------------------------------------------------------------------------- properties

words = st.sampled_from(
    ["the", "model", "forest", "a", "an", "we", "Random", "data", "’s", "don't", "{x}", "the the", *SPUN_PHRASES]
)
separators = st.sampled_from([" ", "  ", "\n", "\r\n", "\r", "\t", ", ", ". ", "-", " \u00a0"])
texts = st.lists(st.tuples(words, separators), max_size=30).map(lambda parts: "".join(w + s for w, s in parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, st.text(max_size=200)))
def test_bytes_outside_edits_are_identical(text):
    result = clean_text(text)
    cursor = 0
    for edit in result.applied:
        assert text[edit.start : edit.end] == edit.spun
        cursor = edit.end
    # Rebuild from the original pieces: everything between edits is untouched.
    pieces, cursor, out_pos = [], 0, 0
    for edit in result.applied:
        pieces.append((text[cursor : edit.start], out_pos))
        out_pos += edit.start - cursor + len(edit.proposal)
        cursor = edit.end
    pieces.append((text[cursor:], out_pos))
    for piece, pos in pieces:
        assert result.text[pos : pos + len(piece)] == piece
    assert len(result.text) == out_pos + len(text) - cursor


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, st.text(max_size=200)))
def test_cleaning_twice_changes_nothing_more(text):
    once = clean_text(text).text
    assert clean_text(once).text == once


@pytest.mark.parametrize("text", ["", " ", "\n", "{}", "{|}", "a", "\u2019t"])
def test_degenerate_inputs(text):
    assert clean_text(text).text == text
