"""Rankers: score candidates in context and return calibrated confidences.

A ranker is ``(doc, span, candidates, resources) -> tuple[Candidate, ...]``,
best first, each ``score`` a confidence in [0, 1] that the candidate is the
original wording. The ``prior`` ranker trusts the proposer's prior (a curated
lexicon row is strong evidence on its own); model-based rankers register here
under their own names and are chosen by config.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .model import Candidate, Document, Finding, Span

if TYPE_CHECKING:
    from .resources import Resources

Ranker = Callable[[Document, Span, Sequence[Candidate], "Resources"], tuple[Candidate, ...]]
RANKERS: dict[str, Ranker] = {}


def register(name: str) -> Callable[[Ranker], Ranker]:
    def wrap(func: Ranker) -> Ranker:
        RANKERS[name] = func
        return func

    return wrap


@register("prior")
def prior_ranker(doc: Document, span: Span, candidates: Sequence[Candidate], res: Resources) -> tuple[Candidate, ...]:
    """Order by prior; deterministic tie-break on text so runs are reproducible."""
    return tuple(sorted(candidates, key=lambda c: (-c.score, c.text)))


def rank(doc: Document, span: Span, candidates: Sequence[Candidate], res: Resources, ranker: str = "prior") -> Finding:
    ranked = RANKERS[ranker](doc, span, candidates, res)
    return Finding(span=span, candidates=ranked, reason=span.evidence)
