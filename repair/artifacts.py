"""Mechanical residue that spinners leave behind, each repair a small named rule.

These are not synonym swaps but breakage: a contraction whose first half was
replaced by a phrase ("are able to't" for "can't"), template braces the spinner
forgot to remove ("{that a}"), unexpanded spintax ("{a|the}"), and doubled
function words. Every rule returns spans with its proposal and a reason, so the
reporter can explain it, and the rules are plain data-driven regexes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .model import Candidate, Document, Span

DETECTOR = "artifact"
# Doubled words are as often plain typos as spinner residue; below the default
# threshold they are reported for review, not written.
DOUBLED_CONFIDENCE = 0.7


@dataclass(frozen=True, slots=True)
class ArtifactHit:
    start: int
    end: int
    proposal: str
    confidence: float
    reason: str
    alternatives: tuple[str, ...] = ()


Rule = Callable[[str], Iterator[ArtifactHit]]
RULES: dict[str, Rule] = {}


def rule(func: Rule) -> Rule:
    RULES[func.__name__] = func
    return func


_APOS = "['\u2019]"

# "can" -> "be able to" inside "can't": any form of "be" + "able to" + 't.
_ABLE_TO_T = re.compile(rf"\b(?:am|is|are|was|were|be|been|being)\s+(?:not\s+)?able\s+to({_APOS})t\b", re.I)


@rule
def split_contraction(text: str) -> Iterator[ArtifactHit]:
    """ "are able to't" -> "can't": the spinner replaced "can" inside "can't"."""
    for m in _ABLE_TO_T.finditer(text):
        word = "Can" if m.group()[:1].isupper() else "can"
        yield ArtifactHit(
            m.start(),
            m.end(),
            f"{word}{m.group(1)}t",
            0.9,
            'a contraction whose first word was replaced by a phrase ("can\'t" spun as "able to\'t")',
        )


_SPACED_NT = re.compile(
    rf"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|ca|wo)\s+(n{_APOS}t)\b", re.I
)


@rule
def spaced_contraction(text: str) -> Iterator[ArtifactHit]:
    """ "do n't" -> "don't": tokenizer residue left in the text."""
    for m in _SPACED_NT.finditer(text):
        yield ArtifactHit(
            m.start(),
            m.end(),
            m.group(1) + m.group(2),
            0.9,
            'a contraction split by a tokenizer ("do n\'t")',
        )


# Braces around plain words, not preceded by a backslash command or a word
# character (LaTeX "\textbf{x}", code "f{x}" and templates "${x}" stay), and
# not doubled (Jinja/Mustache "{{x}}" is a template, and stripping one pair
# would leave "{x}" for the next run to strip again).
_TEMPLATE = re.compile(r"(?<![\\\w$%#@{])\{([A-Za-z][A-Za-z' ,.-]{0,60})\}(?!\})")
_SPINTAX = re.compile(r"(?<![\\\w$%#@{])\{([^{}|\n]{1,40}(?:\|[^{}|\n]{1,40})+)\}(?!\})")


@rule
def template_braces(text: str) -> Iterator[ArtifactHit]:
    """ "{that a}" -> "that a": braces a spinner template left around words."""
    for m in _TEMPLATE.finditer(text):
        inner = m.group(1)
        if not inner.strip() or inner != inner.strip():
            continue
        yield ArtifactHit(
            m.start(),
            m.end(),
            inner,
            0.85,
            "template braces a spinner left around plain words",
        )


@rule
def spintax(text: str) -> Iterator[ArtifactHit]:
    """ "{a|the}" -> one option: spintax the spinner never expanded; ambiguous."""
    for m in _SPINTAX.finditer(text):
        options = [o.strip() for o in m.group(1).split("|")]
        if not all(options):
            continue
        yield ArtifactHit(
            m.start(),
            m.end(),
            options[0],
            0.5,
            "unexpanded spintax: the spinner's list of options was left in the text",
            tuple(options[1:]),
        )


# Function words that never stand twice in a row in edited prose. "had had",
# "that that" and "is is" are grammatical, so they are not here.
_DOUBLE = re.compile(r"\b(the|a|an|of|to|in|on|and|for|with|from|by|at|as|or)\s+(\1)\b", re.I)


@rule
def doubled_word(text: str) -> Iterator[ArtifactHit]:
    """ "the the" -> "the"."""
    for m in _DOUBLE.finditer(text):
        yield ArtifactHit(
            m.start(),
            m.end(),
            m.group(1),
            DOUBLED_CONFIDENCE,
            f'the word "{m.group(1)}" doubled (a typo as often as a spin: reported, not written by default)',
        )


def detect_artifacts(doc: Document) -> list[Span]:
    spans: list[Span] = []
    for name, func in RULES.items():
        for hit in func(doc.text):
            hints = (
                Candidate(hit.proposal, hit.confidence, f"{DETECTOR}:{name}"),
                *tuple(Candidate(alt, hit.confidence / 2, f"{DETECTOR}:{name}") for alt in hit.alternatives),
            )
            spans.append(
                Span(hit.start, hit.end, doc.text[hit.start : hit.end], DETECTOR, hit.reason, hit.confidence, hints)
            )
    return spans
