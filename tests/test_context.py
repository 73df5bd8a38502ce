"""The open-vocabulary context detector: features, the shipped model, detection."""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import math

import pytest

from repair.config import Config
from repair.context import (
    FEATURES,
    GATE_FEATURES,
    ORDER_FEATURES,
    STAGE2_FEATURES,
    ContextModel,
    FeatureContext,
    GateModel,
    OrderModel,
    QuadraticModel,
    Suspect,
    adds_words,
    cap_deletion,
    changeable,
    cuts_word,
    default_model,
    detect_context,
    drops_words,
    embedding_margins,
    features,
    guarded,
    is_initialism,
    mends_term,
    order_candidates,
    rescore,
    score_suspects,
    sentence_variants,
    spelling_key,
    stage2_features,
    surprise_features,
    suspect_at,
    suspects,
    with_sentence_probes,
)
from repair.inverse import InverseIndex, Link
from repair.resources import Resources
from repair.segment import make_doc


@pytest.fixture(scope="module")
def resources() -> Resources:
    return Resources.for_config(Config(detectors=("lexicon", "artifact", "context"), quality="fast"))


def test_shipped_model_matches_the_features():
    model = default_model()
    assert model is not None, "repair/data/ranker.json is missing: run tools/train_ranker.py"
    assert model.features == FEATURES
    assert len(model.weights) == len(FEATURES)
    assert len(model.stage2) == len(STAGE2_FEATURES) + 1
    assert model.order is not None and len(model.order.weights) == len(ORDER_FEATURES)
    assert model.fast is not None  # the fast level's own stage one
    assert model.gate is not None and len(model.gate.weights) == len(GATE_FEATURES)


def test_gate_refuses_other_features():
    with pytest.raises(ValueError, match="surprise gate"):
        GateModel.from_dict({"features": ["logit_p1"], "weights": [1.0], "bias": 0.0})


def test_model_refuses_other_features():
    with pytest.raises(ValueError, match="trained on features"):
        ContextModel.from_dict({"features": ["x"], "mean": [0], "scale": [1], "weights": [1], "bias": 0})
    with pytest.raises(ValueError, match="order model was trained on"):
        OrderModel.from_dict({"features": ["x"], "mean": [0], "scale": [1], "weights": [1]})


def test_order_distribution_is_a_softmax_over_one_spans_candidates():
    n = len(ORDER_FEATURES)
    weights = [0.0] * n
    weights[FEATURES.index("lm_margin")] = 1.0
    order = OrderModel((0.0,) * n, (1.0,) * n, tuple(weights), {})
    rows = [[0.0] * n for _ in range(3)]
    for row, margin in zip(rows, (1.0, 0.0, -1.0), strict=True):
        row[FEATURES.index("lm_margin")] = margin
    p = order.distribution(rows)
    assert p == sorted(p, reverse=True) and sum(p) == pytest.approx(1.0)
    assert p[0] / p[1] == pytest.approx(2.718281828, rel=1e-6)
    assert order.distribution([]) == []


def test_suspects_skip_names_numbers_and_function_words(test_index):
    doc = make_doc("Army analysts said the troopers in London had 20 quilts. Hearth was warm.")
    found = {s.text for s in suspects(doc, test_index)}
    assert "troopers" in found and "Hearth" in found  # sentence-initial capital is fine
    assert "Army" not in found or "Army" == doc.tokens[0].text  # names mid-sentence never
    assert not {"London", "20", "the", "had"} & found


def test_three_gram_margin_prefers_the_fitting_candidate(test_index, resources):
    doc = make_doc("Soldiers advanced under the cover of heavy artillery hearth and air strikes.")
    ctx = FeatureContext(doc)
    [suspect] = [s for s in suspects(doc, test_index) if s.text == "hearth"]
    rows = dict(zip((link.text for link in suspect.links), features(ctx, suspect, resources.ngram_lm), strict=True))
    margin = FEATURES.index("lm_margin")
    assert rows["fire"][margin] > rows["fireplace"][margin]
    model = default_model()
    assert model.probability(rows["fire"]) > model.probability(rows["fireplace"])


def test_collocation_margin_favours_the_established_pair(test_index, resources):
    doc = make_doc("Both armies had fought in the last world battle in Europe.")
    ctx = FeatureContext(doc)
    [suspect] = [s for s in suspects(doc, test_index) if s.text == "battle"]
    rows = dict(zip((link.text for link in suspect.links), features(ctx, suspect, resources.ngram_lm), strict=True))
    margin, current = FEATURES.index("colloc_margin"), FEATURES.index("colloc_current")
    table = ctx.collocations
    # "world battle" is no pair of clean prose, "world war" and "war in" are.
    assert table.df("world", "battle") == 0 and table.df("world", "war") >= 10
    assert rows["war"][current] == pytest.approx(math.log1p(table.df("battle", "in")))
    assert rows["war"][margin] > 3.0


def test_fast_detection_explains_itself(resources):
    doc = make_doc("Soldiers advanced under the cover of heavy artillery hearth and air strikes.")
    spans = detect_context(doc, resources)
    for span in spans:
        assert span.detector == "context" and span.hints
        assert "thesaurus synonym" in span.evidence
        assert 0.0 <= span.score <= 1.0


def test_stage2_features_cap_margins():
    x = dict(zip(STAGE2_FEATURES, stage2_features(0.5, 0.5, [-100.0, -50.0, -90.0]), strict=True))
    assert x["logit_p1"] == x["logit_order"] == x["logit_p1_favourite"] == 0.0
    assert x["lm_vs_current"] == x["lm_vs_runner_up"] == 20.0
    assert stage2_features(0.9, 0.9, [-10.0, -12.0])[3] == 20.0
    assert stage2_features(0.9, 0.9, [-10.0, -12.0])[2] == -2.0


def test_stage2_features_count_candidates_the_lm_prefers():
    beats = STAGE2_FEATURES.index("lm_beats_current")
    assert stage2_features(0.5, 0.5, [-10.0, -5.0, -8.0, -12.0])[beats] == 2.0
    assert stage2_features(0.5, 0.5, [-10.0, -11.0, -12.0])[beats] == 0.0
    x = stage2_features(0.5, 0.5, [-10.0, -5.0], p1_favourite=0.9, n_sources=3)
    assert x[STAGE2_FEATURES.index("n_sources")] == 3.0
    assert x[STAGE2_FEATURES.index("logit_p1_favourite")] > x[STAGE2_FEATURES.index("logit_p1")]


def test_model_refuses_a_stage2_trained_on_other_features():
    data = json.loads(importlib.resources.files("repair").joinpath("data/ranker.json").read_text(encoding="utf-8"))
    data["stage2_features"] = ["logit_p1"]
    with pytest.raises(ValueError, match="--stage2-only"):
        ContextModel.from_dict(data)


SENTENCE = "Soldiers advanced under the cover of heavy artillery hearth and air strikes."


def test_sentence_encoder_prefers_the_topical_candidate(test_index, resources):
    doc = make_doc(SENTENCE)
    suspect = next(s for s in suspects(doc, test_index) if s.text == "hearth")
    margins = dict(zip((link.text for link in suspect.links), embedding_margins(doc, suspect, resources), strict=True))
    assert margins["fire"] > margins["fireplace"]


def test_order_model_puts_the_original_first(test_index, resources):
    doc = make_doc(SENTENCE)
    [k] = [n for n, t in enumerate(doc.tokens) if t.text == "hearth"]
    suspect = suspect_at(doc, test_index, k, k + 1, 120)
    assert suspect is not None and suspect_at(doc, test_index, 0, 1, 120) is None  # "Soldiers": no candidates
    ranked = order_candidates(doc, FeatureContext(doc), suspect, resources, default_model().order)
    assert ranked[0][2].text == "fire"
    assert sum(p for p, _, _ in ranked) == pytest.approx(1.0)


def test_stage_one_scores_suspects_as_they_are_read(resources, monkeypatch):
    import repair.context as context

    calls = []
    real = context.rank_links

    def counted(*args, **kwargs):
        calls.append(args[1].text)
        return real(*args, **kwargs)

    monkeypatch.setattr(context, "rank_links", counted)
    doc = make_doc(f"{SENTENCE} The navy troopers stated that the quilt was large.")
    scored = score_suspects(doc, resources)
    assert calls == []  # nothing is scored before it is asked for
    first, _ = next(scored)
    assert calls == [first.text]  # a long document never holds every suspect's list at once
    rest = [s.text for s, _ in scored]
    assert len(rest) >= 3 and calls == [first.text, *rest]


def test_per_word_caches_share_one_bound():
    import repair.context as context

    for cached in (context._zipf, context.spelling_key, context._filler):
        assert cached.cache_info().maxsize == context.WORD_CACHE
    before = context.spelling_key.cache_info()
    context.spelling_key("Kilometres")
    context.spelling_key("Kilometres")
    after = context.spelling_key.cache_info()
    assert after.hits >= before.hits + 1 and after.currsize <= context.WORD_CACHE


def test_language_model_stage_rescores_in_the_sentence(test_index, resources):
    doc = make_doc(SENTENCE)
    ctx = FeatureContext(doc)
    suspect, scored = next((s, sc) for s, sc in score_suspects(doc, resources, ctx) if s.text == "hearth")
    again = rescore(doc, ctx, suspect, scored, resources, default_model())
    assert again.ranked[0][2].text == "fire"
    assert again.lm[1] > again.lm[0]  # "artillery fire" reads better than "artillery hearth"
    assert len(again.features) == len(STAGE2_FEATURES)
    assert again.features[STAGE2_FEATURES.index("lm_vs_current")] > 0


def test_words_no_edit_may_touch_are_never_suspects(resources):
    """Markdown code and URLs cost no scoring: their words are not suspects, nor changeable by the phrase step."""
    from repair.markup import MARKDOWN, protected

    text = "The troopers stated it.\n\n```\ntroopers stated it\n```\n\nSee https://example.org/troopers-stated.\n"
    doc = make_doc(text)
    doc.protected = protected(text, MARKDOWN)[0]
    kept = guarded(doc)
    code = text.index("```\n") + 4
    assert [t.text for t, g in zip(doc.tokens, kept, strict=True) if not g][:4] == ["The", "troopers", "stated", "it"]
    assert all(g for t, g in zip(doc.tokens, kept, strict=True) if code <= t.start < text.index("\n```\n\n"))
    found = list(suspects(doc, resources.inverse_index))
    assert found and all(s.end <= code for s in found)
    assert not any(c for c, g in zip(changeable(doc), kept, strict=True) if g)


def test_context_detector_leaves_clean_fixture_alone(fixtures, resources):
    from repair.pipeline import Pipeline

    text = (fixtures / "clean_arxiv.txt").read_text(encoding="utf-8")
    pipeline = Pipeline(resources.config)
    assert pipeline.run(text).text == text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("kilometres", "kilometers"),
        ("legalisation", "legalization"),
        ("legalising", "legalizing"),
        ("analysed", "analyzed"),
        ("colour", "color"),
        ("travelled", "traveled"),
        ("defence", "defense"),
        ("catalogue", "catalog"),
        ("on-line", "online"),
        ("Anaesthetic", "anesthetic"),
        ("recognisable", "recognizable"),
        ("sulphuric", "sulfuric"),
    ],
)
def test_spelling_variants_share_a_key(a, b):
    assert spelling_key(a) == spelling_key(b)


@pytest.mark.parametrize(("a", "b"), [("quicker", "faster"), ("normally", "usually"), ("rise", "raise")])
def test_different_words_keep_different_keys(a, b):
    assert spelling_key(a) != spelling_key(b)


def small_index(*links: tuple[str, str, str, int]) -> InverseIndex:
    """An index over (headword, synonym, source, rank) links, with flat frequencies."""
    from repair.inverse import build_index
    from repair.thesauri import SynonymLink

    rows = [SynonymLink(head, synonym, source, "", 0, rank) for head, synonym, source, rank in links]
    return build_index(rows, frequency=lambda h: 1e-4, commonness=lambda s: 5.0)


def test_mixed_case_words_are_never_suspects():
    """An acronym or a name in mixed case ("fMRI", "mRNA") is the author's: the spinner keeps case patterns."""
    index = small_index(
        ("functional magnetic resonance imaging", "fmri", "wordnet", 0),
        ("messenger rna", "mrna", "wordnet", 0),
        ("brain scan", "brain imaging", "wordnet", 0),
        ("cooking", "imaging", "wordnet", 1),
    )
    found = {s.text for s in suspects(make_doc("We ran fMRI and brain imaging on mRNA levels."), index)}
    assert "brain imaging" in found and "imaging" in found  # the same words in plain case are
    assert not {"fMRI", "mRNA"} & found
    assert "brain Imaging" not in {s.text for s in suspects(make_doc("We ran brain Imaging twice."), index)}


def test_spelling_variants_are_never_candidates():
    index = small_index(("kilometers", "kilometres", "moby", 0), ("distance", "kilometres", "moby", 1))
    doc = make_doc("They walked ten kilometres today.")
    [k] = [n for n, t in enumerate(doc.tokens) if t.text == "kilometres"]
    suspect = suspect_at(doc, index, k, k + 1, 12)
    assert suspect is not None and [link.text for link in suspect.links] == ["distance"]


def test_initialisms_are_never_candidates():
    """The thesauri link acronyms to what they stand for; the folded index would write "clis"."""
    index = small_index(("CLI", "command-line interface", "wordnet", 0), ("shell", "command-line interface", "moby", 1))
    doc = make_doc("Use the command-line interface today.")
    first = next(n for n, t in enumerate(doc.tokens) if t.text == "command")
    suspect = suspect_at(doc, index, first, first + 3, 12)
    assert suspect is not None and [link.text for link in suspect.links] == ["shell"]


@pytest.mark.parametrize(
    ("candidate", "span", "expected"),
    [
        ("clis", "command-line interfaces", True),
        ("ac", "alternating current", True),
        ("a.k.a.", "also known as", True),
        ("first", "number one", False),
        ("ac", "current", False),  # one word has no initials to stand for
    ],
)
def test_is_initialism(candidate, span, expected):
    assert is_initialism(candidate, span) is expected


def test_a_phrase_with_a_number_in_it_is_no_suspect():
    """Numbers are never edited, inside a phrase either ("atomic number 92" -> "u" was a false edit on dev)."""
    index = small_index(("first", "number 1", "wordnet", 0), ("first", "number one", "wordnet", 0))
    doc = make_doc("Use number -1 or number one here.")
    assert [s.text for s in suspects(doc, index)] == ["number one"]


@pytest.mark.parametrize(
    ("current", "candidate", "expected"),
    [
        ("technique method", "technique", True),
        ("counter-responses", "counters", True),
        ("summer season", "summer", True),
        ("in keeping with", "according to", False),
        ("navy", "military", False),
        ("served as", "made", False),
        ("summer", "summer season", False),
    ],
)
def test_drops_words(current, candidate, expected):
    assert drops_words(current, candidate) is expected


@pytest.mark.parametrize(
    ("current", "candidate", "expected"),
    [
        ("concurrently", "at the same time", True),
        ("organic law", "constitution of the united states", True),
        ("gone-by", "has been", False),  # a hyphen joins two words
        ("in keeping with", "according to", False),
        ("navy", "military", False),
    ],
)
def test_adds_words(current, candidate, expected):
    assert adds_words(current, candidate) is expected


def linear_stage_one(monkeypatch) -> None:
    """Run the fast level with the linear stage one alone: the tests of its caps need a finding
    the linear model is sure of, whichever model the fast level ships."""
    import dataclasses

    import repair.context as context

    model = default_model()
    assert model is not None
    monkeypatch.setattr(context, "default_model", lambda: dataclasses.replace(model, fast=None))


def test_fast_level_leaves_expansions_for_review(monkeypatch):
    """A fast-level candidate with more words than the span is capped below the bar: real text gave no right one."""
    from repair.context import context_toml
    from repair.pipeline import Pipeline

    linear_stage_one(monkeypatch)
    index = small_index(("at the same time", "concurrently", "wordnet", 0), ("jointly", "concurrently", "moby", 1))
    text = "The two teams worked concurrently on the new design."
    config = Config(detectors=("context",), quality="fast")
    fast = Resources.for_config(config)  # the pipeline below gets the same shared instance
    monkeypatch.setitem(fast.__dict__, "inverse_index", index)
    settings = context_toml()["context"]
    cap = settings["fast-expansion-max-confidence"]
    assert cap < config.context_fast_min_confidence
    [span] = [s for s in detect_context(make_doc(text), fast) if s.text == "concurrently"]
    assert span.hints[0].text == "at the same time"
    assert span.score == cap and span.hints[0].score == cap
    assert span.evidence.endswith("it adds words, which the 3-gram model alone does not judge well: left for review")
    result = Pipeline(config).run(text)
    assert result.text == text
    assert [(e.spun, e.applied) for e in result.edits] == [("concurrently", False)]
    # The cap is what holds it back: without it the 3-gram stage is surer.
    monkeypatch.setitem(settings, "fast-expansion-max-confidence", 1.0)
    [span] = [s for s in detect_context(make_doc(text), fast) if s.text == "concurrently"]
    assert span.score > cap and "left for review" not in span.evidence


def test_no_alternative_of_a_capped_fast_finding_is_surer_than_its_favourite(monkeypatch):
    """Capping the favourite leaves the whole finding for review: the runner-up is not applied in its place.

    Before, the alternatives kept their own stage-one probabilities, so the ranker put
    a runner-up above the capped favourite and applied it under the favourite's reason
    ("coefficient of correlation" -> "correlation coefficient", where "correlation" was
    the original and was left for review).
    """
    from repair.context import context_toml
    from repair.pipeline import Pipeline

    linear_stage_one(monkeypatch)
    index = small_index(
        ("at the same time", "concurrently", "wordnet", 0),
        ("simultaneously", "concurrently", "wordnet", 1),
        ("jointly", "concurrently", "moby", 2),
    )
    text = "The two teams worked concurrently on the new design."
    config = Config(detectors=("context",), quality="fast", min_confidence=0.0, context_fast_min_confidence=0.0)
    fast = Resources.for_config(config)
    monkeypatch.setitem(fast.__dict__, "inverse_index", index)
    [span] = [s for s in detect_context(make_doc(text), fast) if s.text == "concurrently"]
    assert span.hints[0].text == "at the same time"
    # Every candidate scores above the cap chosen here, so each alternative is held under it.
    cap = min(h.score for h in span.hints) / 2
    monkeypatch.setitem(context_toml()["context"], "fast-expansion-max-confidence", cap)
    [span] = [s for s in detect_context(make_doc(text), fast) if s.text == "concurrently"]
    assert span.score == cap and span.hints[0].text == "at the same time"
    assert len(span.hints) == 3 and all(h.score < cap for h in span.hints[1:])
    [edit] = [e for e in Pipeline(config).run(text).edits if e.spun == "concurrently"]
    assert edit.proposal == "at the same time" and edit.confidence == pytest.approx(cap)


def test_a_candidate_mends_a_term_only_where_the_current_words_make_no_known_pair():
    """ "unattended learning" is no pair of clean prose, "unsupervised learning" is; "unattended luggage" is known."""
    index = small_index(("unsupervised", "unattended", "wordnet", 0))
    for text, expected in (("We study unattended learning here.", True), ("Never leave unattended luggage.", False)):
        doc = make_doc(text)
        [k] = [n for n, t in enumerate(doc.tokens) if t.text == "unattended"]
        suspect = suspect_at(doc, index, k, k + 1, 12)
        assert suspect is not None
        ctx = FeatureContext(doc)
        assert mends_term(ctx, suspect, suspect.links[0], 1.0) is expected
    doc = make_doc("We study unattended learning here.")
    suspect = suspect_at(doc, index, 2, 3, 12)
    assert suspect is not None
    assert not mends_term(FeatureContext(doc), suspect, suspect.links[0], 100.0)  # the gain must reach the setting


def test_best_level_rescores_a_term_mending_suspect_under_the_floor(monkeypatch):
    """Put the suspect's stage-one probability between the term floor and the usual floor: only the
    term rule lets the language model see it, and the reason says why."""
    from repair.context import context_toml

    index = small_index(("unsupervised", "unattended", "wordnet", 0), ("neglected", "unattended", "moby", 1))
    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    monkeypatch.setitem(best.__dict__, "inverse_index", index)  # shared: undone after the test
    doc = make_doc("We compare supervised and unattended learning on three datasets.")
    [scored] = [sc for s, sc in score_suspects(doc, best) if s.text == "unattended"]
    p1 = scored[0][0]
    assert scored[0][2].text == "unsupervised"
    settings = context_toml()["context"]
    monkeypatch.setitem(settings, "stage2-floor", p1 + 1e-6)
    monkeypatch.setitem(settings, "stage2-term-floor", p1 + 1e-6)
    # Nor the surprise gate, which would let it through too: the model expected "unsupervised" there.
    monkeypatch.setitem(settings, "surprise-gate", 2.0)
    # (The phrase step may see it too, from the shipped lexicon's rows; that is not this rule.)
    assert "unattended" not in {s.text for s in detect_context(doc, best) if not s.step}
    monkeypatch.setitem(settings, "stage2-term-floor", p1 - 1e-6)
    [span] = [s for s in detect_context(doc, best) if s.text == "unattended" and not s.step]
    assert 'because "unsupervised" makes word pairs that clean prose uses' in span.evidence
    assert "the language model agrees" in span.evidence
    # A spun document's second look re-scores what lies between its floor and the usual one,
    # but not what the first pass saw through this rule.
    from dataclasses import replace

    import repair.evidence
    from repair.evidence import SpinEvidence, document_settings

    shipped = document_settings()
    monkeypatch.setattr(repair.evidence, "document_settings", lambda: replace(shipped, stage2_floor=p1 - 1e-6))
    second = detect_context(doc, best, deeper=SpinEvidence(9, 30, True))
    assert "unattended" not in {s.text for s in second if not s.step}
    monkeypatch.setitem(settings, "stage2-term-floor", p1 + 1e-6)
    second = detect_context(doc, best, deeper=SpinEvidence(9, 30, True))
    assert "unattended" in {s.text for s in second if not s.step}


def test_phrases_with_capitalised_inner_words_are_names(test_index):
    doc = make_doc("They will make an attempt. Make An Attempt was a film. Make an attempt now.")
    texts = [s.text for s in suspects(doc, test_index)]
    assert "make an attempt" in texts and "Make an attempt" in texts  # sentence-initial capital is fine
    assert "Make An Attempt" not in texts


def test_deletions_go_to_review_unless_the_evidence_is_sure():
    assert cap_deletion(0.93, 0.75, 0.95) == 0.75
    assert cap_deletion(0.97, 0.75, 0.95) == 0.97
    assert cap_deletion(0.6, 0.75, 0.95) == 0.6
    assert cap_deletion(0.99, 0.75) == 0.75  # without a "sure", always capped


def test_best_detection_explains_the_language_models_view():
    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    spans = detect_context(make_doc(SENTENCE), best)
    hearth = [s for s in spans if s.text == "hearth"]
    assert hearth, "the best level should report 'hearth'"
    [span] = hearth
    assert span.hints[0].text == "fire"
    assert "the language model agrees" in span.evidence
    # Both test-index candidates ("fire", "fireplace") read better than "artillery hearth".
    assert "2 of the 2 candidates it read fit better than the current words" in span.evidence


def test_a_second_look_rescores_only_the_suspects_between_the_two_floors(monkeypatch):
    from dataclasses import replace

    import repair.evidence
    from repair.context import context_toml
    from repair.evidence import SpinEvidence, document_settings

    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    doc = make_doc(SENTENCE)
    [scored] = [scored for s, scored in score_suspects(doc, best) if s.text == "hearth"]
    p1 = scored[0][0]
    # Put "hearth" between the floors: above the spun-document floor, below the usual one
    # (with the surprise gate off, which would let the first pass see it).
    monkeypatch.setitem(context_toml()["context"], "stage2-floor", p1 + 1e-6)
    monkeypatch.setitem(context_toml()["context"], "surprise-gate", 2.0)
    shipped = document_settings()
    monkeypatch.setattr(repair.evidence, "document_settings", lambda: replace(shipped, stage2_floor=p1 - 1e-6))
    evidence = SpinEvidence(9, 30, True)

    assert "hearth" not in {s.text for s in detect_context(doc, best)}
    second = detect_context(doc, best, deeper=evidence)
    [span] = [s for s in second if s.text == "hearth"]
    assert span.hints[0].text == "fire"
    assert span.evidence.endswith(f"; looked at only because {evidence.describe()}")
    # Above the usual floor again, the first pass has it and the second look leaves it alone.
    monkeypatch.setitem(context_toml()["context"], "stage2-floor", p1 - 1e-6)
    assert "hearth" in {s.text for s in detect_context(doc, best)}
    assert "hearth" not in {s.text for s in detect_context(doc, best, deeper=evidence)}
    # The fast level's second look repeats nothing its first pass reported at its own confidence.
    fast = Resources.for_config(Config(detectors=("context",), quality="fast"))
    assert not any("left for review" in s.evidence for s in detect_context(doc, fast))
    assert detect_context(doc, fast, deeper=evidence) == []


def test_a_second_look_reports_a_capped_deletion_at_its_own_confidence(monkeypatch):
    """In a spun document a deletion the first pass left for review is reported again, uncapped,
    so the spun-document bar decides it; anything else the first pass saw is not repeated."""
    import repair.context
    from repair.context import context_toml
    from repair.evidence import SpinEvidence

    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    doc = make_doc("We acted in keeping with the law.")
    settings = context_toml()["context"]
    monkeypatch.setitem(settings, "stage2-floor", 0.1)  # the first pass re-scores the phrase
    monkeypatch.setitem(settings, "deletion-max-confidence", 1.0)
    [plain] = detect_context(doc, best)
    assert (plain.text, plain.hints[0].text) == ("in keeping with", "according to")
    own = plain.score
    # Read "according to" as a deletion of "in keeping with", with the cap just under its confidence.
    monkeypatch.setattr(repair.context, "drops_words", lambda current, candidate: current == "in keeping with")
    monkeypatch.setitem(settings, "deletion-max-confidence", own - 0.05)
    monkeypatch.setitem(settings, "deletion-sure-confidence", own + 0.05)
    [first] = detect_context(doc, best)
    assert first.score == pytest.approx(own - 0.05) and "left for review" in first.evidence
    evidence = SpinEvidence(9, 30, True)
    [second] = detect_context(doc, best, deeper=evidence)
    assert second.score == pytest.approx(own) and second.hints[0].text == "according to"
    assert second.evidence.endswith(f"left for review unless the document reads as spun: {evidence.describe()}")
    # Not capped in the first pass (or sure enough to keep its confidence): nothing to report again.
    monkeypatch.setitem(settings, "deletion-max-confidence", own + 0.01)
    assert detect_context(doc, best, deeper=evidence) == []
    monkeypatch.setitem(settings, "deletion-max-confidence", own - 0.05)
    monkeypatch.setitem(settings, "deletion-sure-confidence", own - 0.01)
    assert detect_context(doc, best, deeper=evidence) == []


def test_model_probability_is_the_standardised_logistic():
    """The folded weights give the same probability as standardising each feature first."""
    model = default_model()
    assert model is not None
    row = [float(k % 5) - 1.5 for k in range(len(FEATURES))]
    z = model.bias + sum(
        w * (x - mu) / sd for x, mu, sd, w in zip(row, model.mean, model.scale, model.weights, strict=True)
    )
    assert model.probability(row) == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-12)


def test_fast_level_scores_fewer_candidates_than_the_best_level(monkeypatch):
    """The fast level's time is stage one's candidate scoring: it scores ``fast-max-candidates``."""
    from repair.context import context_toml

    settings = context_toml()["context"]
    assert settings["fast-max-candidates"] < settings["max-candidates"]
    heads = ["cover", "blanket", "duvet", "spread", "throw", "comforter", "coverlet", "rug", "sheet"]
    heads += ["wrap", "shawl", "mantle", "layer", "coat", "veil", "shroud"]
    index = small_index(*((head, "quilt", "moby", rank) for rank, head in enumerate(heads)))
    doc = make_doc("They advanced under the quilt of night.")
    scored_links = {}
    for quality in ("fast", "best"):
        res = Resources.for_config(Config(detectors=("context",), quality=quality))
        monkeypatch.setitem(res.__dict__, "inverse_index", index)  # shared: undone after the test
        [scored] = [sc for s, sc in score_suspects(doc, res) if s.text == "quilt"]
        scored_links[quality] = {link.text for _, _, link in scored}
    assert len(scored_links["fast"]) == settings["fast-max-candidates"]
    assert len(scored_links["best"]) == settings["max-candidates"] < len(heads)
    assert scored_links["fast"] < scored_links["best"]  # the first candidates by prior, the same ones


def test_a_floor_leaves_out_only_suspects_that_cannot_reach_it(fixtures):
    """The upper bound on the 3-gram margin saves lookups and changes no suspect that can reach the floor."""
    # The best level's stage one is the linear model alone (the fast level adds its own after a gate).
    resources = Resources.for_config(Config(detectors=("context",), quality="best"))
    text = (
        f"{SENTENCE} The navy troopers stated that the quilt was large. The team will make an attempt "
        "to perform at home, in keeping with the battle plan. A large team of soldiers stated their case "
        "in the courtroom. " + (fixtures / "clean_wikinews.txt").read_text(encoding="utf-8")
    )
    doc = make_doc(text)
    model = default_model()
    assert model is not None
    # The rows the test is put to bound the exact rows' probabilities from above.
    ctx = FeatureContext(doc)
    for suspect, _ in score_suspects(doc, resources, ctx):
        bounds: list[list[float]] = []

        def record(row: list[float], bounds: list[list[float]] = bounds) -> bool:
            bounds.append(list(row))
            return False  # no row passes: the suspect gets no rows

        assert features(ctx, suspect, resources.ngram_lm, record) == []
        exact = features(ctx, suspect, resources.ngram_lm)
        assert len(bounds) == len(exact) > 0
        for bound, row in zip(bounds, exact, strict=True):
            assert model.probability(bound) >= model.probability(row)
            assert bound[: FEATURES.index("lm_margin")] == row[: FEATURES.index("lm_margin")]
    every = list(score_suspects(doc, resources))
    dropped = 0
    for floor in (0.02, 0.2, 0.5):
        kept = list(score_suspects(doc, resources, floor=floor))
        # What is kept is scored exactly as without a floor, and nothing that reaches the floor is lost.
        assert all(entry in every for entry in kept)
        assert [s for s, ranked in every if ranked[0][0] >= floor] == [s for s, ranked in kept if ranked[0][0] >= floor]
        dropped += len(every) - len(kept)
    assert dropped > 0  # the bound does leave suspects out


def test_a_suspect_whose_bounds_pass_but_whose_exact_rows_do_not_gets_no_rows(fixtures):
    """The rows whose bound passes are made exact first; the suspect is dropped when none of them
    passes as it is, and when one does every row comes back exact."""
    resources = Resources.for_config(Config(detectors=("context",), quality="best"))
    doc = make_doc(f"{SENTENCE} The navy troopers stated that the quilt was large.")
    ctx = FeatureContext(doc)
    margin_at = FEATURES.index("lm_margin")
    tried = 0
    for suspect, _ in score_suspects(doc, resources, ctx):
        exact = features(ctx, suspect, resources.ngram_lm)
        bounds: list[float] = []

        def record(row: list[float], bounds: list[float] = bounds) -> bool:
            bounds.append(row[margin_at])
            return False

        features(ctx, suspect, resources.ngram_lm, record)
        best_exact = max(row[margin_at] for row in exact)
        if max(bounds) <= best_exact:
            continue  # no bound above every exact margin: nothing to tell apart here
        tried += 1
        # A bar between the best exact margin and the best bound: some bounds pass, no exact row does.
        bar = (best_exact + max(bounds)) / 2
        asked: list[float] = []

        def over_bar(row: list[float], asked: list[float] = asked, bar: float = bar) -> bool:
            asked.append(row[margin_at])
            return row[margin_at] >= bar

        assert features(ctx, suspect, resources.ngram_lm, over_bar) == []
        # Every bound was asked about, then only the rows whose bound passed, each exactly once.
        hopeful = [b for b in bounds if b >= bar]
        assert asked[: len(bounds)] == bounds and len(asked) == len(bounds) + len(hopeful)
        # A bar the best exact row reaches: all the rows, exact.
        reached = features(ctx, suspect, resources.ngram_lm, lambda row, bar=best_exact: row[margin_at] >= bar)
        assert reached == exact
    assert tried > 0


def test_a_floor_is_ignored_where_the_margin_bound_would_not_bound_the_probability():
    """Only a model that weighs a larger 3-gram margin at least as much gives an upper bound."""
    model = default_model()
    assert model is not None
    assert model.reaches(0.5) is not None and model.reaches(0.0) is None
    margin_at, positive_at = FEATURES.index("lm_margin"), FEATURES.index("lm_margin_pos")
    for margin, positive in ((-0.5, 0.0), (0.5, -1.0)):
        weights = list(model.weights)
        weights[margin_at], weights[positive_at] = margin, positive
        other = ContextModel(model.features, model.mean, model.scale, tuple(weights), model.bias, {})
        assert other.reaches(0.5) is None


def test_quadratic_model_is_a_logistic_over_the_features_and_their_products():
    """Standardised features, then every product x_i * x_j (i <= j) in scikit-learn's order."""
    import itertools

    n = len(FEATURES)
    pairs = list(itertools.combinations_with_replacement(range(n), 2))
    model = QuadraticModel(
        mean=tuple(0.1 * k for k in range(n)),
        scale=tuple(1.0 + 0.05 * k for k in range(n)),
        linear=tuple(0.03 * (k % 4) - 0.04 for k in range(n)),
        quadratic=tuple(0.002 * ((i + 2 * j) % 7) - 0.006 for i, j in pairs),
        bias=-1.5,
    )
    row = [0.7 * math.sin(k) + 0.2 * k for k in range(n)]
    z = [(v - mu) / sd for v, mu, sd in zip(row, model.mean, model.scale, strict=True)]
    logit = model.bias + sum(w * v for w, v in zip(model.linear, z, strict=True))
    logit += sum(w * z[i] * z[j] for w, (i, j) in zip(model.quadratic, pairs, strict=True))
    assert model.probability(row) == pytest.approx(1.0 / (1.0 + math.exp(-logit)), rel=1e-12)
    with pytest.raises(ValueError, match="other features"):
        QuadraticModel(model.mean, model.scale, model.linear, model.quadratic[:-1], 0.0)


def test_fast_probability_averages_the_two_models_log_odds_each_capped():
    """Neither model overrules the other outright: each says at most a million to one."""
    shipped = default_model()
    assert shipped is not None and shipped.fast is not None
    row = [float(k % 5) - 1.5 for k in range(len(FEATURES))]
    linear, quadratic = shipped.logit(row), shipped.fast.logit(row)
    mean = (max(-13.8155, min(13.8155, linear)) + max(-13.8155, min(13.8155, quadratic))) / 2
    assert shipped.fast_probability(row) == pytest.approx(1.0 / (1.0 + math.exp(-mean)), rel=1e-4)
    sure = QuadraticModel(shipped.fast.mean, shipped.fast.scale, shipped.fast.linear, shipped.fast.quadratic, 1e4)
    both = ContextModel(shipped.features, shipped.mean, shipped.scale, shipped.weights, -1e4, {}, fast=sure)
    assert both.fast_probability(row) == pytest.approx(0.5)  # capped at equal odds: they cancel
    alone = ContextModel(shipped.features, shipped.mean, shipped.scale, shipped.weights, shipped.bias, {})
    assert alone.fast_probability(row) == alone.probability(row)  # no fast model: the linear one


def test_echo_is_a_candidate_used_elsewhere_and_the_current_words_nowhere_else():
    doc = make_doc("Heavy artillery fire hit the town. Troops advanced under artillery hearth at dawn.")
    ctx = FeatureContext(doc)
    k = [t.text for t in doc.tokens].index("hearth")
    assert ctx.echoes(k, k + 1, ["fire"])
    assert not ctx.echoes(k, k + 1, ["fireplace"])  # not in the document
    assert not ctx.echoes(k, k + 1, [])
    assert not ctx.echoes(k, k + 1, ["heavy", "artillery", "fire", "hit"])  # longer than an echo is looked for
    # The current words used elsewhere too: the author's choice, no echo.
    twice = make_doc("The hearth was warm. Heavy fire hit the hearth.")
    k = [t.text for t in twice.tokens].index("hearth", 2)
    assert not FeatureContext(twice).echoes(k, k + 1, ["fire"])
    # Only a use outside the span counts: "country" inside "mother country" is no echo of itself.
    shared = make_doc("Trade with the mother country fell.")
    i = [t.text for t in shared.tokens].index("mother")
    assert not FeatureContext(shared).echoes(i, i + 2, ["country"])
    elsewhere = make_doc("The country grew. Trade with the mother country fell.")
    assert FeatureContext(elsewhere).echoes(i + 3, i + 5, ["country"])


def test_fast_probability_adds_the_echo_to_the_log_odds():
    from dataclasses import replace

    shipped = default_model()
    assert shipped is not None and shipped.fast is not None and shipped.fast_echo > 0
    row = [float(k % 5) - 1.5 for k in range(len(FEATURES))]
    plain = shipped.fast_probability(row)
    echoed = shipped.fast_probability(row, echo=True)
    assert math.log(echoed / (1 - echoed)) - math.log(plain / (1 - plain)) == pytest.approx(shipped.fast_echo)
    assert replace(shipped, fast_echo=0.0).fast_probability(row, echo=True) == pytest.approx(plain)


def test_the_fast_second_look_counts_an_echo_and_the_first_pass_does_not(monkeypatch):
    """An echo is evidence about the document, so it counts once the document reads as spun."""
    from dataclasses import replace

    import repair.context
    from repair.context import context_toml
    from repair.evidence import SpinEvidence

    fast = Resources.for_config(Config(detectors=("context",), quality="fast"))
    echoed = make_doc(f"Heavy artillery fire hit the town at night. {SENTENCE}")
    alone = make_doc(SENTENCE)
    evidence = SpinEvidence(9, 30, True)
    shipped = default_model()
    assert shipped is not None
    [(p0, _, link)] = [scored[0] for s, scored in score_suspects(echoed, fast) if s.text == "hearth"]
    assert link.text == "fire"
    # The report floor just over what "hearth" gets without the echo, and a weight that takes it over.
    monkeypatch.setitem(context_toml()["context"], "report-floor", p0 + 0.01)
    monkeypatch.setattr(repair.context, "default_model", lambda: replace(shipped, fast_echo=4.0))
    assert "hearth" not in {s.text for s in detect_context(echoed, fast)}
    [span] = [s for s in detect_context(echoed, fast, deeper=evidence) if s.text == "hearth"]
    assert span.hints[0].text == "fire" and span.score > p0 + 0.01
    why = 'the document uses "fire" elsewhere and "hearth" nowhere else, which counts once it reads as spun'
    assert f"{why}: {evidence.describe()}" in span.evidence
    # No echo without "fire" elsewhere, nor with the weight at 0.
    assert "hearth" not in {s.text for s in detect_context(alone, fast, deeper=evidence)}
    monkeypatch.setattr(repair.context, "default_model", lambda: replace(shipped, fast_echo=0.0))
    assert "hearth" not in {s.text for s in detect_context(echoed, fast, deeper=evidence)}


def test_fast_level_scores_with_its_own_model_the_suspects_past_the_gate(resources):
    """Stage one at the fast level: the linear model's gate, then the mean of both models' log-odds."""
    from repair.context import context_toml

    model = default_model()
    assert model is not None and model.fast is not None
    gate = float(context_toml()["context"]["fast-gate"])
    doc = make_doc(f"{SENTENCE} The navy troopers stated that the quilt was large.")
    ctx = FeatureContext(doc)
    scored = dict(score_suspects(doc, resources, ctx, floor=0.5))
    assert scored  # the example has suspects past the gate
    for suspect in suspects(doc, resources.inverse_index, 3, 4):
        rows = features(ctx, suspect, resources.ngram_lm)
        if max(map(model.probability, rows)) < gate:
            assert suspect not in scored
            continue
        expected = sorted((model.fast_probability(x) for x in rows), reverse=True)
        assert [p for p, _, _ in scored[suspect]] == expected


@pytest.mark.parametrize(
    ("current", "candidate", "expected"),
    [
        ("pipeline", "line", True),
        ("Postgraduate", "graduate", True),
        ("finely", "fine", True),
        ("line", "pipeline", False),  # longer
        ("hearth", "fire", False),
        ("deduced", "derived", False),
        ("finely", "fi", False),  # too short to be a word's part
        ("oil pipeline", "line", False),  # a phrase: drops_words' case
        ("pipeline", "pipe line", False),
    ],
)
def test_cuts_word(current, candidate, expected):
    assert cuts_word(current, candidate) is expected


def test_fast_level_leaves_a_cut_word_for_review(monkeypatch):
    """A candidate that is part of the one-word span ("pipeline" -> "line") goes to review, however sure,
    unless the document reads as spun: then the second look reports it at its own confidence."""
    import dataclasses

    import repair.context as context
    from repair.context import context_toml
    from repair.evidence import SpinEvidence

    model = default_model()
    assert model is not None
    sure = dataclasses.replace(model, bias=60.0, fast=None)  # every candidate at probability 1
    monkeypatch.setattr(context, "default_model", lambda: sure)
    cap = context_toml()["context"]["deletion-max-confidence"]
    config = Config(detectors=("context",), quality="fast")
    fast = Resources.for_config(config)
    for original, expected in (("line", cap), ("conduit", 1.0)):
        index = small_index((original, "pipeline", "wordnet", 0))
        monkeypatch.setitem(fast.__dict__, "inverse_index", index)
        doc = make_doc("They laid a new pipeline.")
        [span] = [s for s in detect_context(doc, fast) if s.text == "pipeline"]
        assert span.hints[0].text == original and span.score == pytest.approx(expected)
        assert ("drops part of the word" in span.evidence) is (original == "line")
        evidence = SpinEvidence(9, 30, True)
        second = [s for s in detect_context(doc, fast, deeper=evidence) if s.text == "pipeline"]
        if original == "line":  # capped in the first pass: uncapped in the second look
            [again] = second
            assert again.hints[0].text == "line" and again.score == pytest.approx(1.0)
            assert again.evidence.endswith(f"left for review unless the document reads as spun: {evidence.describe()}")
        else:
            assert second == []  # reported as it is in the first pass


def test_surprise_features_read_what_the_language_model_expected():
    """One pass over the sentence: the spun "hearth" is less expected than "fire" would be there, and
    the model would rather have seen its candidate "fire" start in its place than "hearth"."""
    best = Resources.for_config(Config(detectors=("context",), quality="best"))

    def features_of(text: str, word: str, candidates: tuple[str, ...] = ()) -> list[float]:
        doc = make_doc(text)
        [k] = [k for k, t in enumerate(doc.tokens) if t.text == word]
        token = doc.tokens[k]
        links = tuple(Link(c, 0.5, ("test",), "n", 0, 0) for c in candidates)
        return surprise_features(doc, Suspect(k, k + 1, token.start, token.end, word, links), 0.2, best)

    spun = features_of(SENTENCE, "hearth", ("fire", "fireplace"))
    fire = features_of(SENTENCE.replace("hearth", "fire"), "fire", ("hearth",))
    named = dict(zip(GATE_FEATURES, spun, strict=True))
    assert named["logit_p1"] == pytest.approx(math.log(0.2 / 0.8))
    assert named["lm_span"] < fire[GATE_FEATURES.index("lm_span")] < 0.0
    assert named["lm_min_token"] >= named["lm_span"] and named["lm_span_per_token"] >= named["lm_span"]
    assert named["lm_next_word"] < 0.0 and named["sentence_start"] == 0.0
    assert features_of(SENTENCE, "Soldiers")[GATE_FEATURES.index("sentence_start")] == 1.0
    # "fire" after "artillery" is likelier than "hearth"; the other way round it is not.
    assert named["lm_candidate_gain"] > 0.0 > fire[GATE_FEATURES.index("lm_candidate_gain")]
    assert named["lm_candidate_best"] == pytest.approx(fire[GATE_FEATURES.index("lm_span")], abs=1e-3)
    alone = dict(zip(GATE_FEATURES, features_of(SENTENCE, "hearth"), strict=True))  # no candidate to ask about
    assert alone["lm_candidate_gain"] == 0.0 and alone["lm_candidate_best"] == -30.0
    assert alone["lm_span"] == pytest.approx(named["lm_span"], abs=1e-4)


def test_the_surprise_gate_reads_the_sentence_before_and_its_probes_follow_the_shift(monkeypatch):
    """With ``gate-sentences-before`` the gate's one pass starts at the sentence before; the probes,
    which count from the suspect's own sentence, move with it, so every suspect of the sentence asks
    the same question (one pass) and gets what a pass of its own would give."""
    import repair.context as context_module

    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    doc = make_doc(f"The artillery opened up at dawn. {SENTENCE}")
    read: list[tuple[str, tuple]] = []
    real = context_module._sentence_read

    def spy(lm, text, probes):
        read.append((text, probes))
        return real(lm, text, probes)

    monkeypatch.setattr(context_module, "_sentence_read", spy)

    def at(word: str, *candidates: str) -> tuple[Suspect, list[tuple[float, float, Link]]]:
        [k] = [k for k, t in enumerate(doc.tokens) if t.text == word]
        links = tuple(Link(c, 0.5, ("test",), "", 0, 0) for c in candidates)
        return Suspect(k, k + 1, doc.tokens[k].start, doc.tokens[k].end, word, links), [(0.1, 0.0, links[0])]

    items = [at("Soldiers", "Troops"), at("hearth", "fire", "fireplace")]
    shared = [surprise_features(doc, s, 0.1, best, probes) for s, _, probes in with_sentence_probes(doc, iter(items))]
    assert len({probes for _, probes in read}) == 1  # both suspects asked one question
    assert read[0][0].startswith("The artillery opened up at dawn. ") and read[0][0].endswith(SENTENCE)
    own = [surprise_features(doc, s, 0.1, best) for s, _ in items]
    for got, alone in zip(shared, own, strict=True):
        assert got == pytest.approx(alone, abs=1e-4)
    start = GATE_FEATURES.index("sentence_start")
    assert [row[start] for row in shared] == [1.0, 0.0]  # "Soldiers" opens its own sentence
    # Set to 0, the gate reads the sentence alone (what it was fitted on before).
    monkeypatch.setitem(context_module.context_toml()["context"], "gate-sentences-before", 0)
    read.clear()
    surprise_features(doc, items[1][0], 0.1, best)
    assert read[0][0] == SENTENCE


def test_sentence_probes_hold_the_candidates_of_each_sentence_by_where_they_start():
    """Every suspect of a sentence carries the same probes, so one language-model pass serves them all."""
    doc = make_doc("The navy bloggers wrote. Russian troopers stated it.")

    def at(word: str, *candidates: str) -> tuple[Suspect, list[tuple[float, float, Link]]]:
        [k] = [k for k, t in enumerate(doc.tokens) if t.text == word]
        links = tuple(Link(c, 0.5, ("test",), "", 0, 0) for c in candidates)
        return Suspect(k, k + 1, doc.tokens[k].start, doc.tokens[k].end, word, links), [(0.1, 0.0, links[0])]

    items = [at("navy", "military"), at("wrote", "penned"), at("troopers", "soldiers", "troops")]
    troopers = items[2][0]
    other = (Link("x", 1.0, (), "", 0, 0),)
    longer = dataclasses.replace(troopers, j=troopers.j + 1, text="troopers stated", links=other)
    items.append((longer, [(0.02, 0.0, longer.links[0])]))
    out = list(with_sentence_probes(doc, iter(items)))
    assert [(s, r) for s, r, _ in out] == items
    assert out[0][2] == out[1][2] == ((4, ("military",)), (18, ("penned",)))
    second = doc.text.index("Russian")
    assert all(p == ((troopers.start - second, ("soldiers", "troops", "x")),) for _, _, p in out[2:])


def test_best_level_rescores_a_surprising_suspect_under_the_floor(monkeypatch):
    """A suspect under stage two's floor reaches the language model when the surprise gate lets it
    through; the reason says so, and a spun document's second look does not report it again."""
    from dataclasses import replace

    import repair.evidence
    from repair.context import context_toml
    from repair.evidence import SpinEvidence, document_settings

    best = Resources.for_config(Config(detectors=("context",), quality="best"))
    doc = make_doc(SENTENCE)
    [scored] = [scored for s, scored in score_suspects(doc, best) if s.text == "hearth"]
    p1 = scored[0][0]
    settings = context_toml()["context"]
    monkeypatch.setitem(settings, "stage2-floor", p1 + 1e-6)
    monkeypatch.setitem(settings, "stage2-term-floor", p1 + 1e-6)
    monkeypatch.setitem(settings, "surprise-gate-floor", p1 - 1e-6)
    # The shipped gate and bar let the spun word through.
    assert "hearth" in {s.text for s in detect_context(doc, best)}
    monkeypatch.setitem(settings, "surprise-gate", 2.0)  # the gate is off
    assert "hearth" not in {s.text for s in detect_context(doc, best)}
    monkeypatch.setitem(settings, "surprise-gate", 0.0)
    [span] = [s for s in detect_context(doc, best) if s.text == "hearth"]
    assert span.hints[0].text == "fire"
    assert 'because the language model did not expect "hearth" here' in span.evidence
    shipped = document_settings()
    monkeypatch.setattr(repair.evidence, "document_settings", lambda: replace(shipped, stage2_floor=p1 - 1e-6))
    assert "hearth" not in {s.text for s in detect_context(doc, best, deeper=SpinEvidence(9, 30, True))}
    # Under the gate's own floor it is not asked at all.
    monkeypatch.setitem(settings, "surprise-gate-floor", p1 + 1e-6)
    assert "hearth" not in {s.text for s in detect_context(doc, best)}


def test_sentence_variants_put_the_sentences_before_the_span_first_when_asked():
    doc = make_doc("The guns fired all night. Troops advanced under the hearth of artillery. Then it was quiet.")
    at = doc.text.index("hearth")
    alone = sentence_variants(doc, at, at + 6, ["fire"])
    assert alone.variant("fire") == "Troops advanced under the fire of artillery. "
    with_one = sentence_variants(doc, at, at + 6, ["fire"], before=1, max_before=600)
    assert with_one.text == "The guns fired all night. " + alone.text
    assert with_one.current == "hearth"
    # At most max_before characters of them, started at a word: never half a word.
    cut = sentence_variants(doc, at, at + 6, ["fire"], before=1, max_before=8)
    assert cut.text == "night. " + alone.text and cut.current == "hearth"
    # The first sentence has none before it; more than there are takes what there is.
    first = sentence_variants(doc, 4, 8, ["rifles"], before=2, max_before=600)
    assert first.text == "The guns fired all night. " and first.current == "guns"
    last = doc.text.index("quiet")
    assert sentence_variants(doc, last, last + 5, ["calm"], before=5, max_before=600).text == doc.text
