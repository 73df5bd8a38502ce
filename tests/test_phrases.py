"""Neighbouring spins changed together (repair.phrases), with a small table and spinner map."""

from __future__ import annotations

import hashlib
import math
import re

import pytest

from repair.lexicon import Entry
from repair.model import PHRASE_STEP
from repair.models.collocations import Collocations, joined_flags
from repair.phrases import PhraseSettings, PhraseSuspect, TermEvidence, phrase_suspects, restored_terms
from repair.segment import make_doc
from repair.spinmap import SpinMap
from repair.terms import Terms

SETTINGS = PhraseSettings(
    max_words=3,
    originals_per_word=4,
    min_pair_df=3,
    min_gain=1.5,
    term_df=10,
    confidence=((6.0, 0.7), (10.0, 0.93)),
)
SPIN_MAP = SpinMap.from_entries(
    [
        Entry("irregular variable", "random variable"),
        Entry("tropical woodland", "tropical forest"),
        Entry("profound learning", "deep learning"),
        Entry("machine getting to know", "machine learning"),
        Entry("AI", "artificial intelligence"),
        Entry("amino corrosive", "amino acid"),
        Entry("bogus caution", "false alarm"),
    ]
)
TABLE = Collocations(
    {
        "random forest": 40,
        "forest classifier": 5,
        "deep learning": 90,
        "learning model": 30,
        "tropical forest": 12,
        "artificial intelligence": 50,
        "ai systems": 9,
    },
    documents=1000,
    min_df=2,
)


TERMS = Terms({("amino", "acid"), ("false", "alarm"), ("tropical", "woodland")})


def suspects_in(text: str, table: Collocations = TABLE, terms: Terms | None = None) -> list[PhraseSuspect]:
    doc = make_doc(text)
    eligible = [t.text.isalpha() and (k == 0 or not t.text[0].isupper()) for k, t in enumerate(doc.tokens)]
    return phrase_suspects(doc, SPIN_MAP, table, SETTINGS, eligible, joined_flags(doc.text, doc.tokens), terms)


def found(text: str, table: Collocations = TABLE, terms: Terms | None = None) -> list[tuple[str, str]]:
    return [(s.text, s.proposal) for s in suspects_in(text, table, terms)]


def test_both_words_of_a_tortured_term_change_together():
    assert ("irregular woodland", "random forest") in found("We fit an irregular woodland classifier.")


def test_only_the_changed_words_are_the_span_and_the_texts_case_and_gaps_stay():
    assert found("Profound learning works.") == [("Profound", "Deep")]
    assert ("irregular-woodland", "random-forest") in found("An irregular-woodland model.")


def test_a_run_of_words_may_stand_for_a_different_number_of_words():
    assert found("A deep getting to know model.") == [("getting to know", "learning")]
    assert found("Getting to know model.") == [("Getting to know", "Learning")]
    assert found("Getting To Know model.") == []  # capitalised inner words: a name or a title


def test_a_replaced_run_needs_a_neighbour_whose_pair_it_mends():
    assert found("AI works.") == []  # "ai works" is no established pair either way: no evidence
    assert found("AI systems.") == []  # "ai systems" is established: clean text


def test_clean_terms_and_unknown_results_are_left_alone():
    # "tropical woodland" is established here: a pair the change would break is known.
    known = Collocations({**TABLE.counts, "tropical woodland": 7}, 1000, 2)
    assert found("A tropical woodland.", known) == []
    # "irregular" alone would make "random woodland", which no prose uses.
    assert found("An irregular woodland.", Collocations({}, 1000, 2)) == []


def test_a_change_at_the_windows_edge_must_not_break_a_pair_with_the_word_beside_it():
    # The window "irregular woodland" ends before "classifier"; its change would still break
    # the established "woodland classifier" beside it, as the longer window would.
    known = Collocations({**TABLE.counts, "woodland classifier": 3}, 1000, 2)
    assert ("irregular woodland", "random forest") in found("We fit an irregular woodland classifier.")
    assert found("We fit an irregular woodland classifier.", known) == []
    # A word that may not change (a function word, for the context detector) is no term beside it:
    # an established "an irregular" does not block.
    with_article = Collocations({**TABLE.counts, "an irregular": 50}, 1000, 2)
    doc = make_doc("We fit an irregular woodland.")
    eligible = [t.norm not in {"we", "an"} for t in doc.tokens]
    joined = joined_flags(doc.text, doc.tokens)
    suspects = phrase_suspects(doc, SPIN_MAP, with_article, SETTINGS, eligible, joined)
    assert ("irregular woodland", "random forest") in [(x.text, x.proposal) for x in suspects]
    # Nor is a function word at the end of a replaced run: "of model" is no term of "gaining knowledge of".
    runs = SpinMap.from_entries([Entry("machine gaining knowledge of", "machine learning")])
    with_of = Collocations({**TABLE.counts, "of model": 40}, 1000, 2)
    doc = make_doc("A deep gaining knowledge of model.")
    eligible = [t.norm not in {"a", "of"} for t in doc.tokens]
    suspects = phrase_suspects(doc, runs, with_of, SETTINGS, eligible, joined_flags(doc.text, doc.tokens))
    assert [(x.text, x.proposal) for x in suspects] == [("gaining knowledge of", "learning")]


def test_a_term_the_thesauri_list_counts_as_established_where_prose_is_silent():
    # The table has never seen "amino acid": without the term list there is nothing to restore to.
    assert found("Each amino corrosive binds.") == []
    [suspect] = suspects_in("Each amino corrosive binds.", terms=TERMS)
    assert (suspect.text, suspect.proposal, suspect.listed) == ("corrosive", "acid", True)
    assert suspect.gain == pytest.approx(math.log1p(SETTINGS.term_df))
    # An inflected head finds its term ("false alarms"); the case of the text is kept.
    assert found("Bogus cautions rose.", terms=TERMS) == [("Bogus cautions", "False alarms")]
    # A pair the text already writes that is a listed term is clean text: left alone.
    assert found("A tropical woodland.", terms=TERMS) == []


def test_a_pair_the_table_knows_well_is_not_reported_as_a_listed_term():
    table = Collocations({**TABLE.counts, "amino acid": 25}, 1000, 2)
    [suspect] = suspects_in("Each amino corrosive binds.", table, TERMS)
    assert not suspect.listed
    assert suspect.gain == pytest.approx(math.log1p(25))


def test_words_that_may_not_change_are_not_proposed():
    doc = make_doc("We fit an irregular woodland classifier.")
    nothing = [False] * len(doc.tokens)
    assert phrase_suspects(doc, SPIN_MAP, TABLE, SETTINGS, nothing, joined_flags(doc.text, doc.tokens)) == []


def test_words_apart_are_no_phrase():
    assert found("It was irregular, woodland or not.") == []


@pytest.mark.parametrize(("margin", "confidence"), [(-3.0, 0.0), (6.0, 0.7), (9.9, 0.7), (10.0, 0.93), (30.0, 0.93)])
def test_confidence_is_the_table_row_the_margin_reaches(margin, confidence):
    assert SETTINGS.confidence_of(margin) == confidence


def test_term_share_is_how_much_a_kept_word_calls_for_its_new_neighbour():
    # "deep" makes 90 of the 100 documents' pairs that end in "learning" ("machine learning": 10).
    table = Collocations({**TABLE.counts, "machine learning": 10}, 1000, 2)
    [suspect] = suspects_in("Profound learning works.", table)
    assert suspect.proposal == "Deep" and suspect.term_share == pytest.approx(90 / 100)
    assert suspect.term is not None
    assert (
        suspect.term.describe()
        == '"deep learning" is a fixed term: "deep" makes 90% of the clean pairs that end in "learning"'
    )
    # Both words change and the window keeps no word: no share.
    [both] = suspects_in("We fit an irregular woodland.")
    assert both.proposal == "random forest" and both.term is None and both.term_share == 0.0
    # A kept word beside the window counts: "forest" makes all 5 pairs that end in "classifier".
    wider = [s for s in suspects_in("We fit an irregular woodland classifier.") if s.proposal == "random forest"]
    assert wider and wider[0].term_share == pytest.approx(1.0)


# [phrases] settings with a plain and a term-evidence table, as context.toml has them.
WITH_TERMS = {
    "max-words": 3,
    "originals-per-word": 4,
    "min-pair-df": 2,
    "min-gain": 1.5,
    "term-df": 10,
    "confidence": [[8.0, 0.6], [12.0, 0.95]],
    "term-share": 0.1,
    "term-confidence": [[8.0, 0.9], [12.0, 0.97]],
}


def test_term_evidence_reads_its_own_table():
    settings = PhraseSettings.from_dict(WITH_TERMS)
    fixed = PhraseSuspect(0, 1, 0, 8, "Profound", "Deep", 4.5, 2, 1, False, TermEvidence("deep", "learning", True, 0.1))
    loose = PhraseSuspect(
        0, 1, 0, 8, "Profound", "Deep", 4.5, 2, 1, False, TermEvidence("deep", "learning", True, 0.09)
    )
    assert settings.is_term(fixed) and not settings.is_term(loose)
    assert settings.confidence_of(9.0, settings.is_term(fixed)) == 0.9
    assert settings.confidence_of(9.0, settings.is_term(loose)) == 0.6
    # Without the keys (the names step's use) no suspect has term evidence.
    assert not SETTINGS.is_term(fixed) and SETTINGS.term_confidence == ()


def test_settings_read_the_shipped_table():
    from repair.context import phrase_settings

    settings = phrase_settings()
    assert settings.max_words >= 2 and settings.min_pair_df >= 2
    tables = (settings.confidence, settings.term_confidence, settings.habit_confidence, settings.known_confidence)
    for table in tables:
        margins = [m for m, _ in table]
        assert margins and margins == sorted(margins)
    assert 0.0 < settings.term_share < 1.0
    assert 1 < settings.habit_support < math.inf


def test_a_habitual_swap_reads_the_higher_of_its_tables():
    settings = PhraseSettings.from_dict({**WITH_TERMS, "habit-support": 10, "habit-confidence": [[8.0, 0.92]]})

    def suspect(support: int) -> PhraseSuspect:
        evidence = TermEvidence("feature", "vectors", True, 0.0)
        return PhraseSuspect(0, 1, 0, 9, "highlight", "feature", 2.4, support, 1, False, evidence)

    habit, rare = suspect(43), suspect(9)
    assert settings.is_habitual(habit) and not settings.is_habitual(rare)
    assert settings.confidence_of(9.0, habitual=settings.is_habitual(habit)) == 0.92
    assert settings.confidence_of(9.0, habitual=settings.is_habitual(rare)) == 0.6
    # The table only raises: with more margin, or with term evidence, the own table says more.
    assert settings.confidence_of(13.0, habitual=True) == 0.95
    assert settings.confidence_of(13.0, term=True, habitual=True) == 0.97
    # No row below 8 nats: nothing to report there.
    assert settings.confidence_of(7.9, habitual=True) == 0.0
    # Without the keys (the names step's use) no swap is habitual.
    assert not SETTINGS.is_habitual(habit) and SETTINGS.habit_confidence == ()


def best_spans(tmp_path, rows: str, text: str) -> list:
    """The context detector at the best level on ``text``: real models, and a lexicon of ``rows`` only
    (a file named after its content: resources are cached per configuration)."""
    from repair.config import Config
    from repair.context import detect_context
    from repair.resources import Resources

    path = tmp_path / f"rows-{hashlib.sha1(rows.encode()).hexdigest()[:12]}.tsv"
    path.write_text("spun\toriginal\n" + rows)
    config = Config(detectors=("context",), quality="best", builtin_lexicons=(), extend_lexicon=(str(path),))
    return detect_context(make_doc(text), Resources.for_config(config))


def test_best_detection_restores_a_term_no_lexicon_lists(tmp_path):
    """The real stage end to end: spinner map from a lexicon file, shipped table and language model."""
    rows = "irregular variable\trandom variable\ntropical woodland\ttropical forest\n"
    spans = best_spans(tmp_path, rows, "We trained an irregular woodland classifier on the features.")
    [span] = [s for s in spans if s.text == "irregular woodland"]
    assert span.hints[0].text == "random forest"
    assert span.score >= 0.9
    assert re.search(r"the language model prefers by \d+\.\d nats$", span.evidence)
    assert "(each seen in at least 1 lexicon row)" in span.evidence
    # A clean use of the same words is left alone: "tropical woodland" is an established pair.
    assert best_spans(tmp_path, rows, "The tropical woodland is protected.") == []


def test_margins_are_scored_in_one_batch_and_agree_with_single_calls():
    from repair.config import Config
    from repair.context import phrase_margins, sentence_variants
    from repair.resources import Resources

    res = Resources.for_config(Config(quality="best"))
    doc = make_doc("We fit an irregular woodland classifier. Profound learning works well.")
    eligible = [t.text.isalpha() for t in doc.tokens]
    suspects = phrase_suspects(doc, SPIN_MAP, TABLE, SETTINGS, eligible, joined_flags(doc.text, doc.tokens))
    assert len(suspects) >= 2 and phrase_margins(doc, [], res) == []
    for item, margin in zip(suspects, phrase_margins(doc, suspects, res), strict=True):
        # The phrase step's calibration was measured on each sentence alone (the one-word
        # stage's re-scoring reads the sentence before too), so the single call reads it alone.
        alone = sentence_variants(doc, item.start, item.end, (item.text, item.proposal))
        [[current, proposal]] = res.causal_lm.score_variants([alone], with_prefix=False)
        assert margin == pytest.approx(proposal - current, abs=0.1)


def test_best_detection_restores_a_term_only_the_thesauri_list(tmp_path):
    """The shipped term list end to end: "corrosive" was "acid" in two rows; "hydrochloric acid" is a listed term."""
    from repair.config import Config
    from repair.context import detect_context
    from repair.resources import Resources

    rows = tmp_path / "rows.tsv"
    rows.write_text("spun\toriginal\namino corrosive\tamino acid\nsulfuric corrosive\tsulfuric acid\n")
    config = Config(detectors=("context",), quality="best", builtin_lexicons=(), extend_lexicon=(str(rows),))
    doc = make_doc("The protein contains one hydrochloric corrosive residue.")
    [span] = detect_context(doc, Resources.for_config(config))
    assert (span.text, span.hints[0].text) == ("corrosive", "acid")
    assert span.score >= 0.9
    assert "a listed term (a thesaurus headword" in span.evidence


def test_best_detection_restores_a_term_only_a_lexicon_original_lists(tmp_path):
    """A term that neither the corpora nor the thesauri know, but some row's original does.

    "secret" was "hidden" in one row; "hidden layers" is the original of another row.
    The shipped collocation table has seen "hidden layers" in only 2 documents, too
    few to gain enough; as a listed term it counts as ``term-df`` documents.
    """
    from repair.config import Config
    from repair.context import detect_context
    from repair.resources import Resources

    doc = make_doc("A neural network with two secret layers can approximate any continuous function.")
    found_with: dict[bool, list[tuple[str, str, float]]] = {}
    for with_term in (False, True):
        rows = tmp_path / f"rows-{with_term}.tsv"
        lines = "spun\toriginal\nsecret markov model\thidden markov model\n"
        lines += "concealed layers\thidden layers\n" if with_term else ""
        rows.write_text(lines)
        config = Config(detectors=("context",), quality="best", builtin_lexicons=(), extend_lexicon=(str(rows),))
        res = Resources.for_config(config)
        assert (("hidden", "layers") in res.terms) is with_term
        spans = detect_context(doc, res)
        found_with[with_term] = [(s.text, s.hints[0].text, s.score) for s in spans if s.detector == "context"]
        if with_term:
            assert "a lexicon row's original)" in spans[0].evidence
    assert not [f for f in found_with[False] if f[1] == "hidden"]
    [(text, proposal, score)] = found_with[True]
    assert (text, proposal) == ("secret", "hidden")
    assert score >= 0.9


def test_best_detection_names_the_fixed_term_a_kept_word_calls_for(tmp_path):
    """The real stage: one row teaches "floor" -> "ground"; "truth" is kept, and "ground"
    makes over a third of the shipped table's pairs that end in "truth"."""
    from repair.context import phrase_settings

    spans = best_spans(
        tmp_path, "floor level\tground level\n", "The labels serve as the floor truth for every experiment."
    )
    [span] = [s for s in spans if s.text == "floor"]
    assert span.hints[0].text == "ground"
    assert '"ground truth" is a fixed term: "ground" makes' in span.evidence
    assert span.score in {confidence for _, confidence in phrase_settings().term_confidence}
    assert span.step == PHRASE_STEP  # decided at the phrase step's own bar (repair.decide.context_bar)


def test_best_detection_trusts_a_habitual_swap_at_a_moderate_margin(tmp_path):
    """The real stage: "highlight" -> "feature" taught by as many rows as ``habit-support``
    asks, or by one row fewer. "feature space" is no fixed term (its share of the pairs that
    end in "space" is small), and the LM prefers it by about 10 nats, a margin whose
    plain confidence is under the step's bar."""
    from repair.context import phrase_settings

    settings = phrase_settings()
    need = int(settings.habit_support)
    heads = "maps sets vectors fusion layers weights scaling channels pooling points ranking norms".split()
    assert need <= len(heads)

    def spans_with(n: int) -> list:
        rows = "".join(f"highlight {head}\tfeature {head}\n" for head in heads[:n])
        found = best_spans(tmp_path, rows, "The highlight space is large.")
        return [s for s in found if s.text == "highlight" and s.hints[0].text == "feature"]

    [habit] = spans_with(need)
    assert f"each seen in at least {need} lexicon rows, a habit of the spinner's" in habit.evidence
    assert habit.score in {confidence for _, confidence in settings.habit_confidence}
    margin = float(re.search(r"prefers by (\d+\.\d+) nats$", habit.evidence).group(1))
    # The plain table alone says less, under the step's bar: the habit is what lets the edit through.
    assert settings.confidence_of(margin) < habit.score and settings.confidence_of(margin) < 0.85
    # One row fewer: no habit; reported (if at all) at the plain table's confidence.
    for span in spans_with(need - 1):
        assert "a habit" not in span.evidence and span.score == settings.confidence_of(margin)


def test_of_overlapping_readings_the_one_the_lm_prefers_is_kept():
    from repair.phrases import preferred_readings

    def suspect(start: int, end: int, proposal: str) -> PhraseSuspect:
        return PhraseSuspect(0, 0, start, end, "x", proposal, 2.0, 1, 1, False)

    # "stochastic inclination descent": [0, 22) -> "standard gradient", [11, 22) -> "gradient".
    both = [suspect(0, 22, "standard gradient"), suspect(11, 22, "gradient"), suspect(30, 40, "apart")]
    assert preferred_readings(both, [15.0, 20.1, 3.0]) == [False, True, True]
    assert preferred_readings(both, [20.1, 15.0, 3.0]) == [True, False, True]
    # Equal margins: the earlier span, for a stable order.
    assert preferred_readings(both[:2], [9.0, 9.0]) == [True, False]
    assert preferred_readings([], []) == []


def test_restored_terms_are_the_rows_plain_originals_of_two_or_more_words():
    found = restored_terms(["ensemble methods", "Ensemble method", "artificial intelligence", "AI", "x2 ray", "t-SNE"])
    assert found == {("ensemble", "method"): 2, ("artificial", "intelligence"): 1, ("t", "sne"): 1}


def test_a_suspect_whose_window_becomes_a_known_term_says_so():
    doc = make_doc("We used discourse amalgamation for it.")
    spin_map = SpinMap.from_entries(
        [Entry("discourse acknowledgment", "speech recognition"), Entry("amalgamation", "synthesis")]
    )
    table = Collocations({"speech synthesis": 12}, documents=1000, min_df=2)
    eligible = [t.text.isalpha() for t in doc.tokens]
    joined = joined_flags(doc.text, doc.tokens)
    known = restored_terms(["speech synthesis", "speech syntheses", "speech recognition"])
    [plain] = phrase_suspects(doc, spin_map, table, SETTINGS, eligible, joined)
    [term] = phrase_suspects(doc, spin_map, table, SETTINGS, eligible, joined, known=known)
    assert (plain.proposal, plain.known) == (term.proposal, 0) == ("speech synthesis", 0)
    assert (term.known, term.known_term) == (2, "speech synthesis")


def test_a_wider_window_of_the_same_change_keeps_the_known_term():
    """ "irregular woodland classifier" gains more than "irregular woodland" (it also makes
    "forest classifier"), so it is the range's suspect; the change still makes a known term."""
    doc = make_doc("We fit an irregular woodland classifier.")
    eligible = [t.text.isalpha() for t in doc.tokens]
    joined = joined_flags(doc.text, doc.tokens)
    found = phrase_suspects(doc, SPIN_MAP, TABLE, SETTINGS, eligible, joined, known={("random", "forest"): 3})
    [term] = [s for s in found if s.proposal == "random forest"]
    assert term.known == 3 and term.known_term == "random forest"
    assert term.term is not None and term.term.second == "classifier"  # the wider window's evidence


def test_a_known_term_reads_the_higher_of_its_tables():
    settings = PhraseSettings.from_dict({**WITH_TERMS, "known-confidence": [[8.0, 0.9]]})
    assert settings.confidence_of(9.0, known=True) == 0.9
    assert settings.confidence_of(9.0) == 0.6
    assert settings.confidence_of(13.0, known=True) == 0.95  # the plain table says more
    assert settings.confidence_of(7.9, known=True) == 0.0
    assert SETTINGS.known_confidence == ()  # none without the key (the names step)


def test_best_detection_trusts_a_known_term_at_a_moderate_margin(tmp_path):
    """The real stage: rows teach "discourse" -> "speech" and "amalgamation" -> "synthesis"
    apart, and another row restores "speech synthesis"; without that row the same change
    reads the plain table."""
    from repair.context import phrase_settings

    swaps = "discourse acknowledgment\tspeech recognition\nmetal amalgamation\tmetal synthesis\n"
    text = "The system uses discourse amalgamation to read the text aloud."

    def span_with(rows: str):
        spans = best_spans(tmp_path, rows, text)
        return next((s for s in spans if s.hints[0].text == "speech synthesis"), None)

    known = span_with(swaps + "discourse blend\tspeech synthesis\n")
    assert known is not None
    assert "1 lexicon row restores 'speech synthesis'" in known.evidence
    margin = float(re.search(r"prefers by (\d+\.\d+) nats$", known.evidence).group(1))
    settings = phrase_settings()
    term = "is a fixed term" in known.evidence
    assert known.score == pytest.approx(settings.confidence_of(margin, term, known=True), abs=1e-4)
    plain = span_with(swaps)
    if plain is not None:  # reported (if at all) without the known term
        assert "restores" not in plain.evidence
        assert plain.score == pytest.approx(settings.confidence_of(margin, term), abs=1e-4)
