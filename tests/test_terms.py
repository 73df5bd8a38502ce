"""Two-word terms from the thesauri (repair.terms) and the shipped list."""

from __future__ import annotations

from repair.terms import Terms, default_terms


def test_parse_skips_comments_and_lines_that_are_not_two_words():
    terms = Terms.parse("# a comment\namino acid\nthree word term\n\nfalse alarm\n")
    assert len(terms) == 2
    assert ("amino", "acid") in terms
    assert ("three", "word") not in terms


def test_a_plural_head_matches_its_term_and_other_words_do_not():
    terms = Terms({("false", "alarm"), ("hearing", "loss")})
    assert ("false", "alarms") in terms
    assert ("hearing", "losses") in terms
    assert ("false", "alarming") not in terms
    assert ("alarm", "false") not in terms


def test_the_shipped_list_has_technical_terms_and_no_spun_pairs():
    terms = default_terms()
    assert len(terms) > 50_000
    for term in ("amino acid", "refractive index", "hydrogen bond", "hearing loss", "false alarm"):
        assert tuple(term.split()) in terms, term
    for spun in ("amino corrosive", "bogus caution", "irregular woodland"):
        assert tuple(spun.split()) not in terms, spun


def test_lexicon_originals_give_their_word_pairs():
    from repair.terms import original_pairs

    pairs = original_pairs(["hidden layers", "Signal-to-noise ratio", "AI", "x2 ray"])
    assert pairs == {("hidden", "layers"), ("signal", "to"), ("to", "noise"), ("noise", "ratio")}
    terms = Terms({("amino", "acid")}).including(pairs)
    assert ("hidden", "layers") in terms and ("amino", "acids") in terms
    assert ("hidden", "layers") not in Terms({("amino", "acid")})  # the original set is left as it was
