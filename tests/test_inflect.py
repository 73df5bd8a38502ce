import pytest

from repair.inflect import analyses, fit, form_tags, inflect_phrase, inflect_word, possessive_of


@pytest.mark.parametrize(
    ("spun", "candidate", "expected"),
    [
        ("troopers", "soldier", "soldiers"),  # number
        ("Troopers", "soldier", "Soldiers"),  # capitalisation
        ("stated", "say", "said"),  # tense / participle
        ("declaring", "say", "saying"),
        ("larger", "big", "bigger"),  # comparative
        ("largest", "big", "biggest"),
        ("executed", "carry out", "carried out"),  # phrasal verb inflects its verb
        ("acres", "square mile", "square miles"),  # noun phrase inflects its head
        ("trooper's", "soldier", "soldier's"),  # possessive
        ("troopers'", "soldier", "soldiers'"),
        ("males'", "man", "men's"),
        ("COMMANDERS", "leader", "LEADERS"),
    ],
)
def test_fit_puts_candidate_in_spun_form(spun, candidate, expected):
    assert fit(spun, candidate)[0] == expected


def test_fit_uses_periphrasis_for_unknown_comparatives():
    assert fit("larger", "important", "ADJ") == ["more important"]


def test_fit_restricts_to_word_class():
    # "cut" is a noun and a verb; as a noun candidate only noun forms come back.
    assert fit("cuts", "reduction", "NOUN") == ["reductions"]


def test_analyses_are_real_readings():
    assert ("NOUN", "trooper", "NNS") in analyses("troopers")
    assert all(tag != "NN" for _, _, tag in analyses("stated"))


def test_form_tags_and_inflection_helpers():
    assert form_tags("carried out") == ("VBD", "VBN")
    assert inflect_word("say", "VBD") == "said"
    assert inflect_phrase("prisoner of war", "NNS") == "prisoners of war"
    assert possessive_of("commander's") == "'s"
    assert possessive_of("commander") == ""
