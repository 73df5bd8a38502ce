from pathlib import Path

import pytest

from repair.lexicon import DocTerms, Entry, Lexicon, LexiconError, inflected_variants, phrase_key, read_lexicon
from repair.segment import make_doc

HEADER = "spun\toriginal\tcontext\texclude\tkind\tconfidence\talternatives\tsource\tlicence\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "lex.tsv"
    path.write_text("# a comment\n" + header + body, encoding="utf-8")
    return path


def hits(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    doc = make_doc(text)
    out = []
    for m in lexicon.match(doc):
        start, end = doc.tokens[m.start_token].start, doc.tokens[m.end_token - 1].end - m.clitic
        out.extend((text[start:end], v.original) for v in m.variants)
    return out


def test_phrase_key_treats_hyphen_and_space_alike():
    assert phrase_key("k-closest neighbors") == phrase_key("K closest  Neighbors")
    assert phrase_key("200 sq. miles") != phrase_key("200 sq miles")


def test_read_lexicon_parses_rows(tmp_path):
    path = write(tmp_path, "irregular woodland\trandom forest\t\t\tphrase\t0.9\t\tmine\tCC0\n")
    [entry] = read_lexicon(path)
    assert (entry.spun, entry.original, entry.confidence, entry.line) == ("irregular woodland", "random forest", 0.9, 3)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a b\tc\t\t\tweird\t\t\t\t\n", "kind 'weird'"),
        ("a b\tc\t\t\tand-context\t\t\t\t\n", "needs a context"),
        ("a b\tc\t\t\tphrase\thigh\t\t\t\n", "not a number"),
        ("a b\tc\t\t\tphrase\t1.5\t\t\t\n", r"outside \[0, 1\]"),
        ("...\tc\t\t\tphrase\t\t\t\t\n", "must both contain words"),
    ],
)
def test_read_lexicon_reports_file_and_line(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(LexiconError, match=rf"lex.tsv:3: .*{message}|lex.tsv:3: {message}"):
        read_lexicon(path)


def test_read_lexicon_rejects_unknown_columns(tmp_path):
    with pytest.raises(LexiconError, match="unknown column"):
        read_lexicon(write(tmp_path, "", header="spun\toriginal\tcolour\n"))


def test_match_whole_words_case_insensitive_with_hyphen_variants():
    lex = Lexicon.from_entries([Entry("k-closest neighbors", "k-nearest neighbors")])
    assert hits(lex, "The K closest neighbors vote.") == [("K closest neighbors", "k-nearest neighbors")]
    assert hits(lex, "the k-closest neighbors") == [("k-closest neighbors", "k-nearest neighbors")]
    assert hits(lex, "the k-closest neighborsX") == []


def test_match_does_not_cross_punctuation_or_paragraphs():
    lex = Lexicon.from_entries([Entry("irregular woodland", "random forest")])
    assert hits(lex, "irregular. Woodland") == []
    assert hits(lex, "irregular\n\nwoodland") == []
    assert hits(lex, "irregular\nwoodland") == [("irregular\nwoodland", "random forest")]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_possessive_matches_the_phrase_and_keeps_its_s_outside(apostrophe):
    lex = Lexicon.from_entries([Entry("irregular woodland", "random forest"), Entry("hearth", "fire")])
    text = f"The irregular woodland{apostrophe}s depth and the hearth{apostrophe}s glow."
    assert hits(lex, text) == [("irregular woodland", "random forest"), ("hearth", "fire")]
    # A word that merely ends in s, or a possessive inside a phrase, is no possessive of the key.
    assert hits(lex, "irregular woodlands") == [("irregular woodlands", "random forests")]
    assert hits(lex, "irregular's woodland") == []


def test_a_possessive_row_of_its_own_wins_over_the_stem():
    lex = Lexicon.from_entries([Entry("hearth", "fire"), Entry("hearth's", "fire's")])
    assert hits(lex, "the hearth's glow") == [("hearth's", "fire's")]


def test_inflected_forms_map_to_inflected_originals():
    lex = Lexicon.from_entries(
        [Entry("irregular woodland", "random forest"), Entry("profound learning", "deep learning")]
    )
    assert hits(lex, "two irregular woodlands") == [("irregular woodlands", "random forests")]
    variants = {spun: orig for spun, orig, _ in inflected_variants(Entry("information mining", "data mining"))}
    assert variants["information mining"] == "data mining"


def test_a_phrase_head_keeps_its_noun_forms_only():
    """ "remove highlights" -> "extract features" is about nouns: "remove highlighting" is not a spin of it."""
    variants = {spun: orig for spun, orig, _ in inflected_variants(Entry("remove highlights", "extract features"))}
    assert variants == {"remove highlights": "extract features", "remove highlight": "extract feature"}
    lex = Lexicon.from_entries([Entry("remove highlights", "extract features"), Entry("expense work", "loss function")])
    assert hits(lex, "Remove highlighting; the expense worked out.") == []


def test_a_row_with_exclude_terms_matches_only_as_written():
    """Its exclude terms say the spun form has legitimate uses: no inflection spreads them."""
    row = Entry("remove highlights", "extract features", exclude="specular")
    assert inflected_variants(row) == [("remove highlights", "extract features", ())]
    lex = Lexicon.from_entries([row])
    assert hits(lex, "To remove highlight, type :noh.") == []
    assert [h[1] for h in hits(lex, "We remove highlights from the images.")] == ["extract features"]


def test_a_verb_form_that_is_also_a_noun_stays():
    variants = {
        spun: orig for spun, orig, _ in inflected_variants(Entry("getting ready and testing", "training and testing"))
    }
    assert variants["getting ready and test"] == "training and test"
    assert "getting ready and tested" not in variants


def test_a_verb_row_keeps_its_verb_forms():
    variants = {spun: orig for spun, orig, _ in inflected_variants(Entry("extricate", "extract"))}
    assert variants["extricated"] == "extracted"


def test_acronym_originals_are_not_inflected():
    variants = inflected_variants(Entry("profound neural organization", "DNN"))
    assert variants == [("profound neural organization", "DNN", ())]


def test_context_terms():
    terms = DocTerms(make_doc("Supervised learning with optimized deep-learning models and neural networks."))
    assert terms.satisfies("supervised learning")
    assert terms.satisfies("missing | neural networks")
    assert not terms.satisfies("supervised learning ; missing")
    assert terms.has("optimiz*")
    assert terms.has("deep learning")
    assert terms.has('"learning models"~3')
    assert not terms.has("vector machine")
    assert terms.vetoed("nothing ; neural networks")
    assert not terms.vetoed("nothing")


def test_unreadable_or_binary_lexicon_is_a_clear_error(tmp_path):
    path = tmp_path / "lex.tsv"
    path.write_bytes(b"spun\toriginal\n\xff\xfe bad\tbytes\n")
    with pytest.raises(LexiconError, match=r"lex\.tsv: cannot read lexicon"):
        read_lexicon(path)
    with pytest.raises(LexiconError, match=r"missing\.tsv: cannot read lexicon"):
        read_lexicon(tmp_path / "missing.tsv")


def test_too_many_fields_names_the_line(tmp_path):
    path = write(tmp_path, "a b\tc\t\t\tphrase\t\t\t\t\textra\n")
    with pytest.raises(LexiconError, match=r"lex\.tsv:3: 10 fields, header has 9"):
        read_lexicon(path)


def test_context_terms_and_reach():
    from repair.lexicon import split_terms, term_reach

    assert split_terms("cancer | tumour ; deep learn*") == ["cancer", "tumour", "deep learn*"]
    assert term_reach("neural network") == 2 and term_reach("a b~10") == 2 * (10 + 2) + 1
