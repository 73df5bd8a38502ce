import pytest

from repair.artifacts import RULES, detect_artifacts
from repair.segment import make_doc


def fixes(text: str) -> list[tuple[str, str]]:
    return [(s.text, s.hints[0].text) for s in detect_artifacts(make_doc(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we are able to’t stop them", [("are able to’t", "can’t")]),
        ("They were not able to't win", [("were not able to't", "can't")]),
        ("I do n't know", [("do n't", "don't")]),
        ("the first time {that a} army crossed", [("{that a}", "that a")]),
        ("pick {a|the} option", [("{a|the}", "a")]),
        ("and the the shape", [("the the", "the")]),
        ("{the} army and {the} navy", [("{the}", "the"), ("{the}", "the")]),  # a spinner may repeat itself
    ],
)
def test_artifact_rules_fix_residue(text, expected):
    assert fixes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He had had enough.",
        "What it is is unclear.",
        r"Set \textbf{bold text} here.",
        "Use f{x} and ${name} in templates.",
        "They were able to win.",
        "I don't know and can't say.",
        "A set {1, 2, 3} of numbers.",
        "Returns: {Object} the options.",  # a type: no function word in the braces
        "Build for {arm,thumb} targets.",
    ],
)
def test_artifact_rules_leave_normal_text(text):
    assert fixes(text) == []


def test_every_rule_has_a_docstring():
    for name, rule in RULES.items():
        assert rule.__doc__, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He spoke at the White Home today.", [("White Home", "White House")]),
        ("She argued before the Supreme Courtroom twice.", [("Supreme Courtroom", "Supreme Court")]),
        ("Ask Chief Justice Roberts of the Supreme Courtroom.", [("Supreme Courtroom", "Supreme Court")]),
        ("I performn't know.", [("performn't", "don't")]),
        ("They possessn't seen it.", [("possessn't", "haven't")]),
        ("Well, it 's late and we 're tired.", [("it 's", "it's"), ("we 're", "we're")]),
        ("the army army marched", [("army army", "army")]),
        ("pick {a|the|one} option", [("{a|the|one}", "a")]),
    ],
)
def test_new_artifact_rules(text, expected):
    assert sorted(fixes(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "He spoke at the White House today.",  # the name itself
        "The Supreme Courts of several states",  # inflection, not a synonym swap
        "She argued before the Supreme  Courtroom twice.",  # two spaces: not one name
        "He said bye bye and very very quietly left.",  # normal reduplication
        "I don't know; they haven't seen it; we won't go.",
        "Walla Walla is a city.",
        "The 'special' offer",
    ],
)
def test_new_artifact_rules_leave_normal_text(text):
    assert fixes(text) == []


def test_spintax_keeps_other_options_as_alternatives():
    spans = detect_artifacts(make_doc("pick {a|the|one} option"))
    assert [h.text for h in spans[0].hints] == ["a", "the", "one"]


def test_braces_the_text_uses_as_notation_are_never_a_template():
    """API docs brace their types again and again; then even a group with a function word is theirs."""
    text = "* `fd` {number} The descriptor.\n* `size` {number}\n* `mode` {any} Either {that or this}.\n"
    assert fixes(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Help files brace placeholders, each once: two such groups make braces the text's notation.
        "Problem: {not in Vi} remarks. Use :map {lhs} {rhs} here.",
        # One hyphenated word, not a run of words with a function word.
        "Leaking memory with :helpt {dir-not-exists}.",
    ],
)
def test_help_file_placeholders_are_not_templates(text):
    assert fixes(text) == []


def test_one_placeholder_does_not_hide_a_template():
    """A single group without a function word is not yet notation ("{million}" from a spinner)."""
    assert fixes("some {million} people and {that a} army") == [("{that a}", "that a")]


def test_a_doubled_function_word_is_trusted_only_in_a_document_that_reads_as_spun():
    from repair.artifacts import DOUBLED_CONFIDENCE, _data, in_spun_document
    from repair.evidence import SpinEvidence
    from repair.model import Finding

    doc = make_doc("They met in in the hall, and the army army left.")
    found = [Finding(s, s.hints, s.evidence) for s in detect_artifacts(doc)]
    assert [(f.span.text, f.best.score) for f in found] == [
        ("in in", DOUBLED_CONFIDENCE),
        ("army army", pytest.approx(DOUBLED_CONFIDENCE - 0.1)),
    ]
    spun, quiet = SpinEvidence(5, 120, True), SpinEvidence(1, 120, False)
    assert in_spun_document(found, None) == found
    assert in_spun_document(found, quiet) == found  # a typo as often as a spin: left for review
    word, content = in_spun_document(found, spun)
    sure = float(_data()["doubled"]["spun-document-confidence"])
    assert sure >= 0.8  # at least the default min-confidence, or the rule would change nothing
    assert word.best.score == word.span.score == sure
    assert word.reason.endswith(f"; {spun.describe()}, where a doubled word is the spinner's rather than a typo")
    assert (word.span.start, word.span.end, word.best.text) == (found[0].span.start, found[0].span.end, "in")
    assert content == found[1]  # a doubled content word often ends a spun phrase: unchanged


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("They met in\nin the morning.", ["in"]),  # a line break inside a paragraph: still doubled
        ("The army\narmy moved.", ["army"]),
        ("It ended in\n\nin the morning.", []),  # a paragraph break: two paragraphs, no doubled word
        ("A tumour.\r\n \r\ntumour cells grow.", []),
        ("A tumour\n\ntumour cells grow.", []),
    ],
)
def test_doubled_words_stop_at_a_paragraph_break(text, found):
    """Like every detector, so that a streamed file (cut at paragraph breaks) reads as the whole file.

    The fuzzer found "tumour\\n\\ntumour" flagged in a whole file and not in its streamed chunks."""
    spans = [s for s in detect_artifacts(make_doc(text)) if s.evidence.startswith("the word")]
    assert [s.hints[0].text for s in spans] == found
