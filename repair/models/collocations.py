"""Two-word collocations of clean prose: in how many documents each word pair occurs.

A spinner swaps words one at a time, so it breaks the fixed pairs of a field:
"speech recognition" becomes "speech reputation", "deep neural" becomes
"bottomless neural", "electrical energy" becomes "electrical vitality". The
3-gram model that ships with pocketsphinx was trained on general prose and
knows few such terms; a table of word pairs counted over the project's clean
corpora (the dev half only) knows them, and a candidate that restores a
frequent pair is likely the original.

The table counts *documents*, not occurrences, so one long text that repeats a
phrase does not make it a collocation, and so the training script can take a
document's own pairs out again (:meth:`Collocations.excluding`): the model must
learn how the table behaves on text it has never seen, as at run time.

Pairs are counted only between words that stand next to each other with
nothing but a space or a hyphen between them (:func:`joins`), in lower case,
with the segmenter's tokens: "real-time" counts as "real time", "time, real"
counts nothing. The data file is written by ``tools/build_collocations.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path

from ..model import Token
from ..segment import tokenize

DATA_FILE = "data/collocations.tsv"


def joins(gap: str) -> bool:
    """Do two words separated by ``gap`` form a phrase (only spaces or hyphens between, at most three)?"""
    return len(gap) <= 3 and not gap.strip(" -")


def joined_flags(text: str, tokens: Sequence[Token]) -> list[bool]:
    """For each token: does it form a phrase with the one before (:func:`joins`)? The first never does."""
    return [False] + [joins(text[a.end : b.start]) for a, b in itertools.pairwise(tokens)]


def pair_keys(text: str) -> set[str]:
    """The distinct joined word pairs of ``text`` as ``"first second"`` keys (lower case)."""
    tokens = tokenize(text)
    return {f"{a.norm} {b.norm}" for a, b in itertools.pairwise(tokens) if joins(text[a.end : b.start])}


class Collocations:
    """Document frequencies of word pairs, with pairs seen in fewer than ``min_df`` documents dropped."""

    def __init__(
        self,
        counts: dict[str, int],
        documents: int,
        min_df: int,
        minus: frozenset[str] = frozenset(),
        totals: list[tuple[dict[str, int], dict[str, int]]] | None = None,
    ):
        self.counts = counts
        self.documents = documents
        self.min_df = min_df
        self._minus = minus
        # Documents per word as the first and as the second of a pair, filled on first use and
        # shared with the tables :meth:`excluding` makes (a list, so that they see it filled).
        self._totals = totals if totals is not None else []

    @classmethod
    def load(cls, path: Path | str | None = None) -> Collocations:
        """Read the table (the shipped one by default): ``# documents N``, ``# min-df K``, then ``pair<TAB>df``."""
        if path is None:
            text = importlib_resources.files("repair").joinpath(DATA_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        counts: dict[str, int] = {}
        meta: dict[str, int] = {}
        for line in text.splitlines():
            if line.startswith("#"):
                parts = line[1:].split()
                if len(parts) == 2 and parts[1].isdigit():
                    meta[parts[0]] = int(parts[1])
                continue
            pair, _, df = line.partition("\t")
            if df.isdigit():
                counts[pair] = int(df)
        return cls(counts, meta.get("documents", 0), meta.get("min-df", 1))

    def df(self, first: str, second: str) -> int:
        """In how many documents the pair occurs (0 below ``min_df``)."""
        key = f"{first} {second}"
        n = self.counts.get(key, 0)
        if n and key in self._minus:
            n -= 1
        return n if n >= self.min_df else 0

    def share(self, first: str, second: str, given_second: bool) -> float:
        """Of the pairs that end in ``second`` (``given_second``), or begin with ``first``, the
        share of this one, counted in documents: how strongly the one word calls for the other.

        A spinner breaks fixed terms, and a term's words call for each other:
        "ground" makes about a third of the pairs that end in "truth" in the
        table, whereas a generic word swapped into clean text ("good" for
        "exact") makes a small share of its neighbour's pairs. The totals
        ignore :meth:`excluding` (one document changes them by at most one).
        """
        if not self._totals:
            before: dict[str, int] = {}
            after: dict[str, int] = {}
            for key, n in self.counts.items():
                if n >= self.min_df:
                    a, _, b = key.partition(" ")
                    after[a] = after.get(a, 0) + n
                    before[b] = before.get(b, 0) + n
            self._totals.append((after, before))
        after, before = self._totals[0]
        whole = before.get(second, 0) if given_second else after.get(first, 0)
        return self.df(first, second) / whole if whole else 0.0

    def fit(self, words: Iterable[str]) -> float:
        """Sum of ln(1 + df) over the consecutive pairs of ``words``: how established the sequence is."""
        return self.fit_between(None, tuple(words), None)

    def fit_between(self, left: str | None, words: Sequence[str], right: str | None) -> float:
        """:meth:`fit` of ``words`` with ``left`` before them and ``right`` after (None: no word there).

        The context detector asks this for a span's words and for each of its
        candidates between the same neighbours, about three times per word of
        clean text at the fast level, so the pairs are looked up without
        building the sequence.
        """
        counts, minus, min_df = self.counts, self._minus, self.min_df
        total = 0.0
        previous = left
        for word in (*words, right) if right is not None else words:
            if previous is not None:
                key = f"{previous} {word}"
                n = counts.get(key, 0)
                if n and minus and key in minus:
                    n -= 1
                if n >= min_df:
                    total += math.log1p(n)
            previous = word
        return total

    def excluding(self, text: str) -> Collocations:
        """The table as if ``text`` (one counted document) had not been counted: for training only."""
        return Collocations(self.counts, self.documents - 1, self.min_df, frozenset(pair_keys(text)), self._totals)


@lru_cache(maxsize=1)
def default_collocations() -> Collocations:
    """The shipped table, read once per process."""
    return Collocations.load()


#: The table :func:`current_collocations` gives inside :func:`table_in_use`, else None.
_IN_USE: ContextVar[Collocations | None] = ContextVar("collocations_in_use", default=None)


def current_collocations() -> Collocations:
    """The table the detectors read: the shipped one, or the one :func:`table_in_use` put in place."""
    table = _IN_USE.get()
    return default_collocations() if table is None else table


@contextmanager
def table_in_use(table: Collocations) -> Iterator[Collocations]:
    """Within the block the detectors read ``table`` instead of the shipped one.

    For measurement: the table was counted over the dev half of the corpora, so
    dev text is text it has seen. Its own pairs are in it, and on dev the clean
    words look more established, and a spun word's original more expected, than
    on text a user brings. Benchmarks on the dev split clean each record with
    its source document taken out (``default_collocations().excluding(doc)``),
    as training does, so that figures tuned on dev hold on unseen text; the
    test split's documents were never counted.
    """
    token = _IN_USE.set(table)
    try:
        yield table
    finally:
        _IN_USE.reset(token)
