"""Proposers: candidate originals for each detected span.

A proposer is ``(doc, span, resources) -> list[Candidate]`` registered in
``PROPOSERS``. Candidates come out in the span's form (capitalisation); the
ranker then scores them in context. Two sources: what the detector already
knew (lexicon originals, artifact repairs), and the inverted thesaurus
(:mod:`repair.inverse`), which answers for any word or phrase which originals a
spinner could have turned into it.

Besides the registry, :func:`candidates_for` gives the thesaurus candidates of
any token range of a document and :func:`has_candidates` is the cheap test a
detector runs on every token first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .form import match_case, match_gaps
from .inflect import possessive_of
from .inverse import InverseIndex, key_of
from .model import Candidate, Document, Span

if TYPE_CHECKING:
    from .resources import Resources

Proposer = Callable[[Document, Span, "Resources"], list[Candidate]]
PROPOSERS: dict[str, Proposer] = {}


def register(name: str) -> Callable[[Proposer], Proposer]:
    def wrap(func: Proposer) -> Proposer:
        PROPOSERS[name] = func
        return func

    return wrap


@register("hints")
def from_hints(doc: Document, span: Span, res: Resources) -> list[Candidate]:
    """The detector's own suggestions (a lexicon row's original, an artifact repair)."""
    return list(span.hints)


@register("thesaurus")
def from_thesaurus(doc: Document, span: Span, res: Resources) -> list[Candidate]:
    """Originals whose thesaurus entries list the span's words (inverse look-up, prior = P(original | spun))."""
    # Lexicon rows, artifact rules and the context detector already know their
    # candidates and have calibrated them; thesaurus priors merged in would
    # override those confidences (the highest score of a candidate wins). The
    # thesaurus is for spans found by evidence that names no original.
    if span.hints:
        return []
    index = res.inverse_index
    if index is None:
        return []
    return thesaurus_candidates(index, span.text)


def thesaurus_candidates(index: InverseIndex, text: str, limit: int | None = None) -> list[Candidate]:
    """Candidates for a word or phrase, in its inflection and possessive (case is left to ``propose``).

    A possessive ("trooper's") is looked up without its ending and the ending
    put back on every candidate ("soldier's").
    """
    links = index.lookup(key_of(text))
    ending = ""
    if not links:
        ending = possessive_of(text)
        if not ending:
            return []
        stem = text.rstrip()[: -len(ending)]
        links = index.lookup(key_of(stem))
    out: list[Candidate] = []
    for link in links[:limit] if limit else links:
        cand = link.text
        if len(ending) == 1:  # plural possessive: "troopers'" -> "soldiers'", but "men's"
            cand += ending if cand.endswith("s") else ending + "s"
        elif ending:
            cand += ending
        out.append(Candidate(cand, link.score, link.source))
    return out


def candidates_for(doc: Document, i: int, j: int, index: InverseIndex, limit: int | None = None) -> list[Candidate]:
    """Thesaurus candidates for tokens ``[i, j)`` of a document, in the span's case.

    The ranker and the detector call this directly; ``limit`` keeps the best few.
    """
    if not 0 <= i < j <= len(doc.tokens):
        raise IndexError(f"token range [{i}, {j}) outside 0..{len(doc.tokens)}")
    text = doc.text[doc.tokens[i].start : doc.tokens[j - 1].end]
    return [Candidate(match_case(text, c.text), c.score, c.source) for c in thesaurus_candidates(index, text, limit)]


def has_candidates(index: InverseIndex, norm: str) -> bool:
    """Fast path for detectors: does this token norm (``Token.norm``) have any inverse candidates?"""
    return index.has(norm)


def propose(doc: Document, span: Span, res: Resources) -> list[Candidate]:
    """All candidates for a span in its form, duplicates merged (highest score kept)."""
    best: dict[str, Candidate] = {}
    for proposer in PROPOSERS.values():
        for cand in proposer(doc, span, res):
            text = match_case(span.text, cand.text) if span.detector != "artifact" else cand.text
            if _word_for_word(span, cand):
                text = match_gaps(span.text, text)
            if text == span.text:
                continue
            known = best.get(text)
            if known is None or cand.score > known.score:
                best[text] = Candidate(text, cand.score, cand.source)
    return list(best.values())


def _word_for_word(span: Span, cand: Candidate) -> bool:
    """Do the candidate's words stand for the spun words one by one? A lexicon row's do (its
    original was spun word by word), whether the lexicon detector or the inverted index
    (``thesaurus:...+lexicon``) offers it; a thesaurus synonym's need not ("co-operation" ->
    "working together")."""
    return span.detector == "lexicon" or "lexicon" in cand.source.removeprefix("thesaurus:").split("+")
