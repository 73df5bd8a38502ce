"""Neighbouring spins decided together: tortured phrases that no lexicon lists.

A spinner that swaps both words of a term ("deep neural" -> "profound neural",
"random forest" -> "irregular woodland") leaves no single word that a better
word would fix on its own: "irregular forest" and "random woodland" are no
better than the spun pair. Only the pair together restores an established
term. This stage proposes such joint changes and leaves the verdict to the
language model:

1. **Candidates.** Each word of a run of two or three joined words may stand
   for the originals the :class:`~repair.spinmap.SpinMap` learned from the
   lexicon's rows ("irregular" -> "random", "woodland" -> "forest"); every
   combination that changes at least one word is a candidate.
2. **Collocation test.** A candidate survives only if every word pair it forms
   is established in clean prose (:mod:`repair.models.collocations`, at least
   ``min-pair-df`` documents) while every current pair it changes is unknown
   there: spun text breaks terms, clean text is made of them. The survivors are
   ranked by how much more established the candidate is (``gain``, the change
   in Σ ln(1 + documents)).
3. **Verdict.** :func:`repair.context.detect_context` (``quality = "best"``)
   scores the current and the candidate words in their sentence with the
   causal LM and maps the margin to a confidence with the table measured on dev
   (``[phrases] confidence`` in ``context.toml``).

Spans are plain data (:class:`PhraseSuspect`); nothing here loads a model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .form import match_word_case
from .model import Document
from .models.collocations import Collocations, joins
from .spinmap import SpinMap


@dataclass(frozen=True, slots=True)
class PhraseSettings:
    """``[phrases]`` of ``context.toml``; see there for what each one was measured at."""

    max_words: int
    originals_per_word: int
    min_pair_df: int
    min_gain: float
    confidence: tuple[tuple[float, float], ...]

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PhraseSettings:
        table = tuple(sorted((float(m), float(c)) for m, c in data["confidence"]))  # type: ignore[attr-defined]
        return cls(
            max_words=int(data["max-words"]),  # type: ignore[call-overload]
            originals_per_word=int(data["originals-per-word"]),  # type: ignore[call-overload]
            min_pair_df=int(data["min-pair-df"]),  # type: ignore[call-overload]
            min_gain=float(data["min-gain"]),  # type: ignore[arg-type]
            confidence=table,
        )

    def confidence_of(self, margin: float) -> float:
        """The dev-measured share of right edits among candidates with at least this LM margin."""
        found = 0.0
        for at_least, confidence in self.confidence:
            if margin >= at_least:
                found = confidence
        return found


@dataclass(frozen=True, slots=True)
class PhraseSuspect:
    """Tokens ``[i, j)`` (the changed words, and any kept words between them) and their proposal."""

    i: int
    j: int
    start: int
    end: int
    text: str
    proposal: str
    gain: float  # how much more established the candidate's word pairs are: Σ ln(1 + documents)
    support: int  # the fewest lexicon rows behind any one of its word changes
    changed: int  # how many words it changes


def phrase_suspects(
    doc: Document,
    spin_map: SpinMap,
    collocations: Collocations,
    settings: PhraseSettings,
    eligible: Sequence[bool],
) -> list[PhraseSuspect]:
    """Joint changes of neighbouring words that turn unknown word pairs into established ones.

    ``eligible[k]``: may token ``k`` be changed at all (a content word, not a
    name); the context detector's rule. One suspect per character range, the
    one with the highest gain (then support, then the proposal, for a stable order).
    """
    tokens = doc.tokens
    text = doc.text
    norms = [t.norm for t in tokens]
    options = [
        (norm, *(o for o, _ in spin_map.originals(norm, settings.originals_per_word))) if eligible[k] else (norm,)
        for k, norm in enumerate(norms)
    ]
    best: dict[tuple[int, int], PhraseSuspect] = {}
    for width in range(2, settings.max_words + 1):
        for i in range(len(tokens) - width + 1):
            j = i + width
            if all(len(options[k]) == 1 for k in range(i, j)):
                continue
            if not all(tokens[k].text.isalpha() for k in range(i, j)):
                continue
            if not all(joins(text[tokens[k - 1].end : tokens[k].start]) for k in range(i + 1, j)):
                continue
            for suspect in _candidates(doc, i, j, options, collocations, settings, spin_map):
                key = (suspect.start, suspect.end)
                held = best.get(key)
                if held is None or _rank(suspect) > _rank(held):
                    best[key] = suspect
    return sorted(best.values(), key=lambda s: (s.start, s.end))


def _rank(suspect: PhraseSuspect) -> tuple[float, int, str]:
    return (suspect.gain, suspect.support, suspect.proposal)


def _candidates(
    doc: Document,
    i: int,
    j: int,
    options: Sequence[tuple[str, ...]],
    collocations: Collocations,
    settings: PhraseSettings,
    spin_map: SpinMap,
) -> list[PhraseSuspect]:
    norms = [options[k][0] for k in range(i, j)]
    current = [collocations.df(a, b) for a, b in itertools.pairwise(norms)]
    current_fit = sum(math.log1p(n) for n in current)
    found: list[PhraseSuspect] = []
    for words in itertools.product(*(options[k] for k in range(i, j))):
        changed = [k for k, (w, n) in enumerate(zip(words, norms, strict=True)) if w != n]
        if not changed:
            continue
        pairs = [collocations.df(a, b) for a, b in itertools.pairwise(words)]
        if min(pairs) < settings.min_pair_df:
            continue
        touched = [current[k] for k in range(len(current)) if k in changed or k + 1 in changed]
        if max(touched) > 0:
            continue  # a pair it would change is already established: clean text
        gain = sum(math.log1p(n) for n in pairs) - current_fit
        if gain < settings.min_gain:
            continue
        lo, hi = i + changed[0], i + changed[-1] + 1
        tokens = doc.tokens[lo:hi]
        start, end = tokens[0].start, tokens[-1].end
        # The words change; the gaps between them (a space, a hyphen) stay the text's own.
        pieces = [match_word_case(words[lo - i], tokens[0].text)]
        for k in range(lo + 1, hi):
            pieces.append(doc.text[doc.tokens[k - 1].end : doc.tokens[k].start])
            pieces.append(match_word_case(words[k - i], doc.tokens[k].text))
        support = min(dict(spin_map.originals(norms[k], settings.originals_per_word)).get(words[k], 0) for k in changed)
        proposal = "".join(pieces)
        found.append(PhraseSuspect(lo, hi, start, end, doc.text[start:end], proposal, gain, support, len(changed)))
    return found
