"""A fast word 3-gram signal from the English LM that ships inside ``pocketsphinx``.

pocketsphinx 5 exposes its language models to Python as
``pocketsphinx.NGramModel``; ``NGramModel.readfile(path)`` loads the binary
``en-us.lm.bin`` (a 27 MB, lower-case, punctuation-free US English 3-gram model
trained for speech recognition) in about 0.2 s, and ``model.prob(words)``
returns the log-probability of ``words[0]`` given the *reversed* history
``words[1:]`` (nearest word first) in pocketsphinx's integer log base 1.0001,
with back-off. One lookup costs about a microsecond, so this is the pre-filter
that runs before any neural model.

A span variant is scored by the n-grams it touches: the filler's words and the
two words after it, each given its two predecessors; n-grams that lie wholly
outside the span are the same for every filler and are left out. Words the
model does not know (numbers, rare names) get a fixed floor log-probability.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from ..segment import WORD_RE, norm
from . import VariantSet

# pocketsphinx reads language models into log base 1.0001 (its LogMath default).
_TO_LN = math.log(1.0001)
_ZERO = -536870912  # pocketsphinx's log-zero: the word is not in the model
BOS, EOS = "<s>", "</s>"


class NGramLM:
    """Word 3-gram log-probabilities (natural log) from a pocketsphinx binary LM.

    Lookups are cached, and the cache is emptied when it reaches ``cache_size``
    entries (about 130 bytes each). The hits come from the candidates of one
    span sharing their context, so a small cache keeps nearly all of them: at
    250,000 entries the fast level cleaned the 200,084-word clean test set as
    fast as at 2,000,000, with the same output, and peaked at 442 MB instead of
    660 MB; a long batch run would have grown by some 250 MB before the first
    emptying.
    """

    name = "ngram"

    def __init__(self, path: str | Path, oov_logprob: float = -16.0, cache_size: int = 250_000) -> None:
        from pocketsphinx import NGramModel

        self.path = Path(path)
        self._lm = NGramModel.readfile(str(self.path))
        self.order = 3
        self.oov_logprob = oov_logprob
        self._cache: dict[tuple[str, ...], float] = {}
        self._cache_size = cache_size

    @staticmethod
    def words(text: str) -> list[str]:
        """The model's view of a text: lower-case words, punctuation dropped."""
        return [norm(m.group()) for m in WORD_RE.finditer(text)]

    def known(self, word: str) -> bool:
        return self._lm.prob([word]) != _ZERO

    def logprob(self, word: str, history: Sequence[str] = ()) -> float:
        """ln P(word | history), history oldest first; unknown words get the floor."""
        key = (word, *history[-(self.order - 1) :])
        hit = self._cache.get(key)
        return self._lookup(key) if hit is None else hit

    def _lookup(self, key: tuple[str, ...]) -> float:
        """ln P of ``key`` (the word, then its history oldest first) from the model, cached."""
        # pocketsphinx wants the history nearest word first.
        raw = self._lm.prob([key[0], key[2], key[1]] if len(key) == 3 else [key[0], *reversed(key[1:])])
        value = self.oov_logprob if raw == _ZERO else raw * _TO_LN
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[key] = value
        return value

    def sentence_logprob(self, text: str) -> float:
        """ln P of the text's words as one sentence, with sentence start and end."""
        seq = [BOS, BOS, *self.words(text), EOS]
        return sum(self.logprob(seq[i], seq[i - 2 : i]) for i in range(2, len(seq)))

    def window_logprob(self, left: Sequence[str], middle: Sequence[str], right: Sequence[str]) -> float:
        """ln P of ``middle`` and the first ``order - 1`` words of ``right`` given ``left``."""
        return sum(self.window_terms(left, middle, right))

    def window_terms(self, left: Sequence[str], middle: Sequence[str], right: Sequence[str]) -> list[float]:
        """The terms of :meth:`window_logprob`, one per word of ``middle`` and then of ``right``.

        The first ``len(middle)`` of them are the middle's log-probability given
        ``left`` alone, so a caller that needs both pays for the lookups once.
        """
        seq = [*left[-2:], *middle, *right[:2]]
        get = self._cache.get
        terms = []
        # The keys of :meth:`logprob` for a 3-gram model, built inline: the fast level asks
        # for some 860,000 windows in 196,000 words of clean dev text.
        for i in range(min(len(left), 2), len(seq)):
            key = (seq[i], seq[i - 2], seq[i - 1]) if i >= 2 else (seq[i], *seq[:i])
            value = get(key)
            terms.append(self._lookup(key) if value is None else value)
        return terms

    def score_variants(self, sets: Sequence[VariantSet]) -> list[list[float]]:
        out = []
        for vs in sets:
            left = [BOS, BOS, *self.words(vs.text[: vs.start])]
            right = [*self.words(vs.text[vs.end :]), EOS]
            out.append([self.window_logprob(left, self.words(f), right) for f in vs.fillers])
        return out
