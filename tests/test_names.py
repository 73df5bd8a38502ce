"""One common word swapped inside a name (repair.names), with a small table and a stub thesaurus."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from repair.inverse import Link
from repair.models.collocations import Collocations, joined_flags
from repair.names import NameSettings, ThesaurusOriginals, name_suspects, name_words
from repair.phrases import PhraseSettings
from repair.segment import make_doc

PHRASES = PhraseSettings(
    max_words=3, originals_per_word=4, min_pair_df=2, min_gain=1.5, term_df=10, confidence=((12.0, 0.96),)
)
NAMES = NameSettings(originals_per_word=8, min_zipf=3.5, confidence=((10.0, 0.6), (12.0, 0.9)))
TABLE = Collocations(
    {"world war": 80, "war ii": 60, "democratic party": 40, "party leader": 12, "battle creek": 5, "red sea": 30},
    documents=1000,
    min_df=2,
)
# A stand-in for the inverted thesaurus: spun form -> candidate originals, best prior first.
LINKS = {
    "battle": ("fight", "conflict", "war", "struggle"),
    "occasion": ("event", "party", "time"),
    "creek": ("brook", "stream"),
    "crimson": ("red", "blood"),
    "nogai": ("tatar",),
    "defence": ("defense", "protection"),
}
# Zipf frequencies: common words at 4 and above, the rest rare.
RARE = {"nogai", "tatar", "crimson"}


def zipf(word: str) -> float:
    return 2.0 if word in RARE else 4.5


@dataclass
class StubIndex:
    def lookup(self, form: str, limit: int | None = None) -> tuple[Link, ...]:
        texts = LINKS.get(form.lower(), ())[:limit]
        return tuple(Link(t, 1.0 / (k + 1), ("moby",), "n", 0, k) for k, t in enumerate(texts))


ORIGINALS = ThesaurusOriginals(StubIndex(), zipf, NAMES.min_zipf)  # type: ignore[arg-type]


def found(text: str) -> list[tuple[str, str]]:
    doc = make_doc(text)
    suspects = name_suspects(doc, ORIGINALS, TABLE, PHRASES, NAMES, joined_flags(doc.text, doc.tokens))
    return [(s.text, s.proposal) for s in suspects]


def test_name_words_are_title_case_words_beside_capitals_numbers_or_numerals():
    doc = make_doc("In Europe, World Battle II ended. Battle Creek is a city. The Battle was won.")
    function_words = frozenset({"in", "the", "is", "a", "was"})
    joined = joined_flags(doc.text, doc.tokens)
    words = [t.text for t, flag in zip(doc.tokens, name_words(doc, joined, function_words), strict=True) if flag]
    # "In" and "Battle" start sentences, "Europe" has only "In" and a comma beside it,
    # "II" is a numeral, "The Battle" is a sentence's start, not a name.
    assert words == ["World", "Battle", "Creek"]
    assert name_words(doc, joined, function_words, common=lambda word: word != "creek").count(True) == 2


def test_a_swapped_word_inside_a_name_is_restored_alone():
    assert found("Veterans of World Battle II met in Paris.") == [("Battle", "War")]
    assert found("The Democratic Occasion won the vote.") == [("Occasion", "Party")]


def test_names_that_are_already_established_are_left_alone():
    assert found("Veterans of World War II met in Paris.") == []
    assert found("They drove to Battle Creek on Monday.") == []  # "battle creek" is a name in prose
    assert found("the battle of ideas went on.") == []  # not a name


def test_rare_words_are_names_in_their_own_right():
    """A spinner swaps common words; a rare word (or a rare candidate) is not taken."""
    assert found("The Nogai Horde moved east.") == []
    assert found("Ships crossed the Crimson Sea.") == []  # "crimson" is rare: not a swapped word here


def test_only_one_word_of_a_name_changes():
    """Changing two words of a name was always wrong on dev ("Common Corpus" -> "Mutual Information")."""
    table = Collocations({"world war": 80, "war ii": 60, "great war": 50}, documents=1000, min_df=2)
    doc = make_doc("The Grand Battle ended.")
    links = ThesaurusOriginals(StubIndex(), zipf, NAMES.min_zipf)  # type: ignore[arg-type]
    LINKS["grand"] = ("great",)
    try:
        suspects = name_suspects(doc, links, table, PHRASES, NAMES, joined_flags(doc.text, doc.tokens))
    finally:
        del LINKS["grand"]
    assert [(s.text, s.proposal) for s in suspects] == []  # "Great War" would change both words


def test_another_spelling_of_the_same_word_is_never_proposed():
    spelling = ThesaurusOriginals(StubIndex(), zipf, NAMES.min_zipf, spelling=lambda w: w.replace("ce", "se"))  # type: ignore[arg-type]
    assert spelling.originals("defence", 8) == (("protection", 1),)
    assert ORIGINALS.originals("defence", 8) == (("defense", 1), ("protection", 1))  # without a folding rule
    # The detector's own folding rules (repair/data/context.toml [spelling]), as the context detector uses them.
    from repair.context import spelling_key

    shipped = ThesaurusOriginals(StubIndex(), zipf, NAMES.min_zipf, spelling=spelling_key)  # type: ignore[arg-type]
    assert shipped.originals("defence", 8) == (("protection", 1),)


@pytest.mark.parametrize(("margin", "confidence"), [(5.0, 0.0), (10.0, 0.6), (11.9, 0.6), (12.0, 0.9), (30.0, 0.9)])
def test_confidence_is_the_table_row_the_margin_reaches(margin, confidence):
    assert NAMES.confidence_of(margin) == confidence


def test_settings_read_the_shipped_table():
    from repair.context import name_settings

    settings = name_settings()
    assert settings.originals_per_word >= 1 and settings.min_zipf > 0
    margins = [m for m, _ in settings.confidence]
    assert margins == sorted(margins) and all(0 < c <= 1 for _, c in settings.confidence)


def test_best_detection_restores_a_name_with_the_real_models():
    """Shipped collocation table and language model, end to end (the tests' small inverted index links "war")."""
    from repair.config import Config
    from repair.context import detect_context
    from repair.resources import Resources

    res = Resources.for_config(Config(detectors=("context",), quality="best"))
    [span] = detect_context(make_doc("He served in the Pacific during World Battle II."), res)
    assert (span.text, span.hints[0].text) == ("Battle", "War")
    assert span.score >= 0.9
    assert re.search(r"inside a name .* the language model prefers by \d+\.\d nats$", span.evidence)
    assert detect_context(make_doc("He served in the Pacific during World War II."), res) == []

    # The fast level has no language-model verdict: it leaves names alone.
    fast = Resources.for_config(Config(detectors=("context",), quality="fast"))
    assert all(s.text != "Battle" for s in detect_context(make_doc("He served during World Battle II."), fast))
