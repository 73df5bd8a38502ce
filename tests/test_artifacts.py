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
    ],
)
def test_artifact_rules_leave_normal_text(text):
    assert fixes(text) == []


def test_every_rule_has_a_docstring():
    for name, rule in RULES.items():
        assert rule.__doc__, name
