"""All scoring signals for a batch of spans, as margins over the current wording.

This is the ranker's input: for every candidate of every span, how much better
(positive) or worse (negative) it scores than the text as it stands, per signal.
Signals are computed batch-wise, cheapest first, and the expensive ones only
when asked for:

======================  ==========================================  =========
feature                 meaning                                     cost
======================  ==========================================  =========
``zipf``                Zipf frequency, candidate minus current     free
``ngram``               3-gram log-prob margin (filler + 2 words)   ~10 µs
``lm``                  LM log-prob margin (filler + right window)  ~40 ms
``lm_filler``           LM log-prob margin of the filler tokens     (same)
``meaning``             cosine(variant, current sentence)           ~20 ms
``ctx_filler``          MiniLM fit of the word with the context     (same)
======================  ==========================================  =========

(costs per variant on the 2-core machine, ``reports/signals.md``).
:func:`prefilter` keeps the candidates the 3-gram model likes best, so the
language model sees only a few per span.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import VariantSet

if TYPE_CHECKING:
    from ..resources import Resources

FAST = ("zipf", "ngram")
LM = ("lm", "lm_filler")
EMBEDDING = ("meaning", "ctx_filler")


def prefilter(res: Resources, sets: Sequence[VariantSet], keep: int = 3) -> list[VariantSet]:
    """Each set with the current text first and only its ``keep`` best candidates by 3-gram score."""
    out = []
    scored = res.ngram_lm.score_variants([vs.with_current() for vs in sets])
    for vs, scores in zip(sets, scored, strict=True):
        full = vs.with_current()
        ranked = sorted(range(1, len(full.fillers)), key=lambda i: (-scores[i], full.fillers[i]))
        chosen = tuple(full.fillers[i] for i in ranked[:keep])
        out.append(VariantSet(vs.text, vs.start, vs.end, (full.current, *chosen)))
    return out


def span_features(
    res: Resources,
    sets: Sequence[VariantSet],
    *,
    lm: bool = True,
    embedding: bool = False,
    contexts: Sequence[str] | None = None,
) -> list[list[dict[str, float]]]:
    """Per set, per candidate (the fillers other than the current text), a feature dict.

    Every set is scored with its current text added as the reference filler.
    ``contexts`` (text around each span's sentence) is needed for ``ctx_filler``;
    without it the sentence itself is used.
    """
    full = [vs.with_current() for vs in sets]
    columns: dict[str, list[list[float]]] = {
        "zipf": res.word_frequency.score_variants(full),
        "ngram": res.ngram_lm.score_variants(full),
    }
    if lm:
        rows = res.causal_lm.score_sets(full)
        columns["lm"] = [[s.logprob for s in row] for row in rows]
        columns["lm_filler"] = [[s.filler_logprob for s in row] for row in rows]
    if embedding:
        columns["meaning"] = res.encoder.score_variants(full)
        ctx = list(contexts) if contexts is not None else [vs.text for vs in full]
        columns["ctx_filler"] = res.encoder.context_fit(full, ctx, filler_only=True)
    out = []
    for i, vs in enumerate(full):
        per_candidate = []
        for j in range(1, len(vs.fillers)):
            feats = {}
            for name, col in columns.items():
                # "meaning" is already relative (the current sentence scores 1.0).
                feats[name] = col[i][j] if name == "meaning" else col[i][j] - col[i][0]
            per_candidate.append(feats)
        out.append(per_candidate)
    return out
