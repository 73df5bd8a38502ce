"""Proposers: candidate originals for each detected span.

A proposer is ``(doc, span, resources) -> list[Candidate]`` registered in
``PROPOSERS``. Candidates come out in the span's form (capitalisation); the
ranker then scores them in context. Today the only source is what the detector
already knew (lexicon originals, artifact repairs); the thesaurus proposer plugs
in here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .form import match_case
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


def propose(doc: Document, span: Span, res: Resources) -> list[Candidate]:
    """All candidates for a span in its form, duplicates merged (highest score kept)."""
    best: dict[str, Candidate] = {}
    for proposer in PROPOSERS.values():
        for cand in proposer(doc, span, res):
            text = match_case(span.text, cand.text) if span.detector != "artifact" else cand.text
            if text == span.text:
                continue
            known = best.get(text)
            if known is None or cand.score > known.score:
                best[text] = Candidate(text, cand.score, cand.source)
    return list(best.values())
