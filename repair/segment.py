"""Tokens and sentences with character offsets into the untouched original.

Deliberately rule-based: it is fast (clean text must pass at tens of thousands
of words a second), deterministic, and good enough to give the detectors words
and the rankers a sentence of context. Hyphens and whitespace are separators, so
"k-closest" and "k closest" produce the same tokens and lexicon rows match both.
"""

from __future__ import annotations

import re

from .model import Document, Sentence, Token

# A word: letters/digits, with inner apostrophes ("don't", "Ukraine's") and inner
# periods only for dotted abbreviations handled elsewhere. Typographic apostrophes
# count as apostrophes.
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# One line break in any convention: "\r\n" is one break, never a "\r" break and a "\n" break.
LINE_BREAK = r"(?:\r\n|\r(?!\n)|\n)"
# A paragraph break: two line breaks with only blanks between.
PARAGRAPH_BREAK = rf"{LINE_BREAK}[^\S\r\n]*{LINE_BREAK}"

# An address, not prose: a URL (with a scheme, or starting "www.") or an e-mail
# address. A synonym swapped inside one breaks the link (its path then names another
# page), so no edit may touch it. A URL ends before trailing punctuation.
_ADDRESS_RE = re.compile(
    r"(?:(?<![a-zA-Z0-9+.\-])[a-zA-Z][a-zA-Z0-9+.\-]*://|\bwww\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}]"
    r"|(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"  # from the start of a run: linear, even on long ones
)

# Sentence ends: terminal punctuation, optional closing quotes/brackets, then
# whitespace and something that can start a sentence; or a blank line / newline.
_SENTENCE_END_RE = re.compile(
    r"""(?<=[.!?])["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]*[A-Z0-9])|\n\s*\n|\r\n|\n|\r"""
)

# Abbreviations that end with a period but rarely end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e no fig eq al sq approx gen col lt sgt capt "
    "gov sen rep rev jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k".split()
)


def norm(word: str) -> str:
    """The form tokens are compared in: lower case, ASCII apostrophe."""
    return word.lower().replace("\u2019", "'")


def norms_of(text: str) -> list[str]:
    """The normalised words of a text (as ``Token.norm``), without building tokens."""
    return WORD_RE.findall(norm(text))


def addresses(text: str) -> list[tuple[int, int]]:
    """Character ranges of the URLs and e-mail addresses in ``text``, in order.

    Examples are in ``tests/test_segment.py``: product code names no addresses.
    """
    if "://" not in text and "www." not in text and "@" not in text:
        return []  # most prose: three substring scans instead of a regex pass
    return [m.span() for m in _ADDRESS_RE.finditer(text)]


def tokenize(text: str, offset: int = 0) -> list[Token]:
    return [Token(m.start() + offset, m.end() + offset, m.group(), norm(m.group())) for m in WORD_RE.finditer(text)]


def split_sentences(text: str, tokens: list[Token]) -> list[Sentence]:
    """Split into sentences; every token belongs to exactly one sentence."""
    bounds: list[int] = []
    for m in _SENTENCE_END_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "." and _is_abbreviation(text, m.start() - 1):
            continue
        bounds.append(m.end())
    sentences: list[Sentence] = []
    start = 0
    t = 0
    for end in [*bounds, len(text)]:
        if end <= start:
            continue
        first = t
        while t < len(tokens) and tokens[t].start < end:
            t += 1
        if t > first or text[start:end].strip():
            sentences.append(Sentence(start, end, first, t))
        start = end
    return sentences


def _is_abbreviation(text: str, period: int) -> bool:
    """True when the period at ``period`` closes an abbreviation or an initial."""
    before = text[max(0, period - 12) : period]
    word = re.split(r"[\s(\[\"']", before)[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def make_doc(text: str, path: str = "") -> Document:
    tokens = tokenize(text)
    return Document(text=text, path=path, tokens=tokens, sentences=split_sentences(text, tokens))
