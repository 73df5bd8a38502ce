"""The spinner's word choices, learned from the lexicon's phrase rows.

A tortured phrase is an established term with its words swapped one by one
through a thesaurus: "artificial intelligence" -> "counterfeit consciousness",
"deep learning" -> "profound learning". The same spinner makes the same choice
for a word wherever it goes, so the rows of a lexicon also teach word-level
substitutions ("profound" was "deep", "consciousness" was "intelligence")
that carry over to phrases no lexicon lists ("profound neural organization").

:class:`SpinMap` aligns every lexicon row whose two sides have the same number
of words, word by word, and counts each (spun word -> original word) pair that
differs. Pairs are kept at the level of lemmas when both words read as the
same part of speech in the same form, so a pair seen as "organizations" ->
"networks" also serves "organization". Function words are left out: a
spinner's "a" -> "the" says nothing. The map only proposes; whether a proposal
is taken is decided by collocations and the language model in
:mod:`repair.phrases`.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .inflect import analyses, inflect_word
from .inverse import key_of
from .lexicon import Entry


@dataclass(eq=False)
class SpinMap:
    """Spun word -> the original words a spinner replaced with it, with how many rows show it."""

    words: dict[str, Counter[str]] = field(default_factory=dict)
    lemmas: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    # Spun word runs that stood for a different number of words ("getting to know" -> "learning").
    segments: dict[tuple[str, ...], Counter[tuple[str, ...]]] = field(default_factory=dict)
    _runs_by_first: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._runs_by_first = defaultdict(list)
        for run in sorted(self.segments):
            self._runs_by_first[run[0]].append(run)

    @classmethod
    def from_entries(cls, entries: Iterable[Entry], ignore: frozenset[str] = frozenset()) -> SpinMap:
        """Learn the map from lexicon rows; words in ``ignore`` (function words) never take part."""
        rows = _split(entries)  # once: each row feeds both passes
        words: defaultdict[str, Counter[str]] = defaultdict(Counter)
        lemmas: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        segments: defaultdict[tuple[str, ...], Counter[tuple[str, ...]]] = defaultdict(Counter)
        for spun_run, original_run in _segments_of(rows):
            segments[spun_run][original_run] += 1
        for spun_word, original_word in _pairs_of(rows):
            if spun_word in ignore or original_word in ignore:
                continue
            pair = _lemma_pair(spun_word, original_word)
            if pair is None:
                words[spun_word][original_word] += 1
            elif pair[1] != pair[2]:  # a different word, not another form of the same one
                lemmas[(pair[0], pair[1])][pair[2]] += 1
        return cls(dict(words), dict(lemmas), dict(segments))

    def __len__(self) -> int:
        tables: tuple[dict[Any, Counter[Any]], ...] = (self.words, self.lemmas, self.segments)
        return sum(len(c) for table in tables for c in table.values())

    def segments_at(self, norms: Sequence[str], k: int, limit: int = 4) -> list[tuple[int, tuple[str, ...], int]]:
        """Word runs starting at ``norms[k]`` that stood for other runs: (words covered, original, rows).

        >>> m = SpinMap.from_entries([Entry("deep getting to know", "deep learning")])
        >>> m.segments_at(["a", "getting", "to", "know", "set"], 1)
        [(3, ('learning',), 1)]
        """
        found: list[tuple[int, tuple[str, ...], int]] = []
        for run in self._runs_by_first.get(norms[k], ()):
            if tuple(norms[k : k + len(run)]) == run:
                found.extend((len(run), original, n) for original, n in self.segments[run].most_common(limit))
        return found

    @lru_cache(maxsize=65536)  # noqa: B019 - one map per process, looked up per token
    def originals(self, word: str, limit: int = 4) -> tuple[tuple[str, int], ...]:
        """The originals ``word`` may stand for, most often seen first, in ``word``'s form.

        >>> m = SpinMap.from_entries([Entry("profound learning", "deep learning")])
        >>> m.originals("profound")
        (('deep', 1),)
        """
        lower = word.lower()
        found: Counter[str] = Counter(self.words.get(lower, {}))
        for upos, lemma, tag in analyses(lower):
            if inflect_word(lemma, tag) != lower:
                continue  # a rare reading ("organization" as a plural): not this word's own form
            for original, n in self.lemmas.get((upos, lemma), {}).items():
                form = inflect_word(original, tag)
                if " " not in form and form != lower:
                    found[form] = max(found[form], n)
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        return tuple(ranked[:limit])


def aligned_pairs(entries: Iterable[Entry]) -> Iterable[tuple[str, str]]:
    """(spun word, original word) for the differing words of rows with as many words on each side."""
    return _pairs_of(_split(entries))


def aligned_segments(entries: Iterable[Entry]) -> Iterable[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(spun run, original run) for rows of unequal length: what is left between their shared ends.

    >>> list(aligned_segments([Entry("deep getting to know", "deep learning")]))
    [(('getting', 'to', 'know'), ('learning',))]
    """
    return _segments_of(_split(entries))


def _split(entries: Iterable[Entry]) -> list[tuple[list[str], list[str]]]:
    """Each row's spun and original words, normalised as the matcher reads them."""
    return [(key_of(entry.spun).split(), key_of(entry.original).split()) for entry in entries]


def _pairs_of(rows: Iterable[tuple[list[str], list[str]]]) -> Iterator[tuple[str, str]]:
    for spun, original in rows:
        if len(spun) != len(original) or spun == original:
            continue
        for a, b in zip(spun, original, strict=True):
            if a != b and a.isalpha() and b.isalpha():
                yield a, b


def _segments_of(rows: Iterable[tuple[list[str], list[str]]]) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    for spun, original in rows:
        if len(spun) == len(original):
            continue
        head = 0
        while head < min(len(spun), len(original)) and spun[head] == original[head]:
            head += 1
        tail = 0
        while tail < min(len(spun), len(original)) - head and spun[-1 - tail] == original[-1 - tail]:
            tail += 1
        run, was = tuple(spun[head : len(spun) - tail]), tuple(original[head : len(original) - tail])
        if run and was and all(w.isalpha() for w in run + was):
            yield run, was


def _lemma_pair(spun: str, original: str) -> tuple[str, str, str] | None:
    """(upos, spun lemma, original lemma) when the two words share a part of speech and a form.

    Two forms of one word ("networks", "network") give a pair with equal lemmas.
    """
    readings = analyses(original)
    shared = {lemma for _, lemma, _ in analyses(spun)} & {lemma for _, lemma, _ in readings}
    if shared:
        lemma = min(shared)
        return "", lemma, lemma
    for (upos, lemma, tag), (upos2, lemma2, tag2) in itertools.product(analyses(spun), readings):
        if upos == upos2 and tag == tag2:
            return upos, lemma, lemma2
    return None
