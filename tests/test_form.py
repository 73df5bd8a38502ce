import pytest

from repair.form import article_for, fix_article, match_case, match_gaps


@pytest.mark.parametrize(
    ("spun", "proposal", "expected"),
    [
        ("counterfeit consciousness", "artificial intelligence", "artificial intelligence"),
        ("Counterfeit consciousness", "artificial intelligence", "Artificial intelligence"),
        ("COUNTERFEIT CONSCIOUSNESS", "artificial intelligence", "ARTIFICIAL INTELLIGENCE"),
        ("Irregular Woodland", "random forest", "Random Forest"),
        ("Profound learning", "deep learning (DL)", "Deep learning (DL)"),
        ("profound learning", "K-nearest neighbors", "K-nearest neighbors"),
    ],
)
def test_match_case(spun, proposal, expected):
    assert match_case(spun, proposal) == expected


@pytest.mark.parametrize(
    ("word", "article"),
    [("apple", "an"), ("random", "a"), ("hour", "an"), ("university", "a"), ("one", "a"), ("FBI", "an"), ("UN", "a")],
)
def test_article_for(word, article):
    assert article_for(word) == article


def test_fix_article_widens_edit_when_article_changes():
    text = "We trained An irregular woodland."
    start = text.index("irregular")
    assert fix_article(text, start, "irregular woodland", "random forest") == (
        start - 3,
        "An irregular woodland",
        "A random forest",
    )


@pytest.mark.parametrize(
    ("text", "spun", "proposal", "want"),
    [
        ("WE TRAINED AN IRREGULAR WOODLAND.", "IRREGULAR WOODLAND", "RANDOM FOREST", "A RANDOM FOREST"),
        ("IT WAS A BIG APPLE", "BIG APPLE", "ENORMOUS APPLE", "AN ENORMOUS APPLE"),
        ("We trained an IRREGULAR WOODLAND.", "IRREGULAR WOODLAND", "RANDOM FOREST", "a RANDOM FOREST"),
    ],
)
def test_fix_article_in_all_caps_text_follows_the_sound_not_the_capitals(text, spun, proposal, want):
    start = text.index(spun)
    begin, old, new = fix_article(text, start, spun, proposal)
    assert text[begin : start + len(spun)] == old and new == want


@pytest.mark.parametrize("opening", ['"', "\u201c", "'", "(", "["])
def test_fix_article_reaches_past_an_opening_quote_or_bracket(opening):
    text = f"We used an {opening}irregular woodland."
    start = text.index("irregular")
    assert fix_article(text, start, "irregular woodland", "random forest") == (
        text.index("an "),
        f"an {opening}irregular woodland",
        f"a {opening}random forest",
    )
    # Only one mark, right before the phrase: "an" further away is not its article.
    assert fix_article('an "" irregular woodland', 6, "irregular woodland", "random forest")[0] == 6


def test_fix_article_still_reads_a_capitalised_acronym_letter_by_letter():
    text = "They ordered a scan."
    start = text.index("scan")
    assert fix_article(text, start, "scan", "MRI scan")[2] == "an MRI scan"


def test_fix_article_leaves_fitting_article_alone():
    text = "a profound learning model"
    assert fix_article(text, 2, "profound learning", "deep learning") == (2, "profound learning", "deep learning")


def test_fix_article_ignores_words_ending_in_a():
    text = "Panama irregular woodland"
    start = text.index("irregular")
    assert fix_article(text, start, "irregular woodland", "random forest")[0] == start


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_fix_article_never_reaches_into_the_previous_paragraph(newline):
    text = f"It was a{newline}{newline}irregular woodland"
    start = text.index("irregular")
    assert fix_article(text, start, "irregular woodland", "old forest") == (start, "irregular woodland", "old forest")
    # One line break is a wrapped line: the article is still part of the phrase.
    wrapped = f"It was a{newline}irregular woodland"
    assert fix_article(wrapped, wrapped.index("irregular"), "irregular woodland", "old forest") == (
        wrapped.index("a" + newline),
        "a" + newline + "irregular woodland",
        "an" + newline + "old forest",
    )


@pytest.mark.parametrize(
    ("spun", "proposal", "expected"),
    [
        ("great-tuned", "fine tuned", "fine-tuned"),
        ("Motion-to-clamor", "Signal to noise", "Signal-to-noise"),
        ("ground-reality labels", "ground truth labels", "ground-truth labels"),
        # Nothing to carry over, another number of words, or hyphens of the proposal's own.
        ("actual globe", "real world", "real world"),
        ("kingdom-of artwork", "state of the art", "state of the art"),
        ("stop-to-give-up", "end-to-end", "end-to-end"),
        # Line breaks and runs of blanks stay where the spun text had them; other gaps do not travel.
        ("irregular\nwoodland", "random forest", "random\nforest"),
        ("counterfeit\r\n  consciousness", "artificial intelligence", "artificial\r\n  intelligence"),
        ("200 sq. miles", "200 square miles", "200 square miles"),
        ("k closest\nneighbors", "k-nearest neighbors", "k-nearest\nneighbors"),
    ],
)
def test_match_gaps(spun, proposal, expected):
    assert match_gaps(spun, proposal) == expected
