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

from .model import SPINTAX_STEP, Candidate, Document, Finding, Span

if TYPE_CHECKING:
    from .resources import Resources

Ranker = Callable[[Document, Span, Sequence[Candidate], "Resources"], tuple[Candidate, ...]]
RANKERS: dict[str, Ranker] = {}
#: Detector steps whose candidates a ranker of their own orders (``Span.step`` -> ranker).
STEP_RANKERS: dict[str, str] = {SPINTAX_STEP: "fluency"}


def register(name: str) -> Callable[[Ranker], Ranker]:
    def wrap(func: Ranker) -> Ranker:
        RANKERS[name] = func
        return func

    return wrap


@register("prior")
def prior_ranker(doc: Document, span: Span, candidates: Sequence[Candidate], res: Resources) -> tuple[Candidate, ...]:
    """Order by prior; deterministic tie-break on text so runs are reproducible."""
    return tuple(sorted(candidates, key=lambda c: (-c.score, c.text)))


@register("fluency")
def fluency_ranker(doc: Document, span: Span, candidates: Sequence[Candidate], res: Resources) -> tuple[Candidate, ...]:
    """The candidates in the order the 3-gram model reads them best in their sentence.

    For a choice the detector cannot make alone: which option of unexpanded
    spintax ("{a|one|the}") the spinner's source had. Of the 25 spintax groups
    in the dev split's spun records and documents, the fast level now proposes
    the original for 19; the spinner's first option was it for 7. Only the
    order changes: the detector's scores are handed out best first in the new
    order, so a confidence still means what the detector measured (spintax
    stays report-only). The 3-gram model is the context detector's, so without
    that detector (the default, which loads no model) the prior order stands.
    """
    if len(candidates) < 2 or "context" not in res.config.detectors:
        return prior_ranker(doc, span, candidates, res)
    from .context import sentence_variants  # the context detector's module: loaded only when needed

    variants = sentence_variants(doc, span.start, span.end, [c.text for c in candidates])
    [fits] = res.ngram_lm.score_variants([variants])
    order = sorted(range(len(candidates)), key=lambda k: (-fits[k], candidates[k].text))
    scores = sorted((c.score for c in candidates), reverse=True)
    return tuple(
        Candidate(candidates[k].text, score, candidates[k].source) for k, score in zip(order, scores, strict=True)
    )


def rank(doc: Document, span: Span, candidates: Sequence[Candidate], res: Resources, ranker: str = "prior") -> Finding:
    """``ranker``'s ordering of the candidates, or that of the span's step's own ranker (``STEP_RANKERS``)."""
    ranked = RANKERS[STEP_RANKERS.get(span.step, ranker)](doc, span, candidates, res)
    return Finding(span=span, candidates=ranked, reason=span.evidence)
