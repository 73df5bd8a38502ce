"""Two-word terms of the language, as the thesauri and the lexicons list them.

The phrase step (:mod:`repair.phrases`) needs to know which word pairs are
established. Its main evidence is the collocation table of clean prose
(:mod:`repair.models.collocations`), but that table has only seen what some
thousands of documents say: "amino acid", "false alarm" and "refractive index"
occur in fewer than two of them, so a spinner's "amino corrosive" had no term
to be restored to. A headword of two words in a thesaurus is such a term
whatever the corpus; this module answers "is this pair one?", for plural heads
too ("false alarms"; not "false alarming", whose verb reading is no term's head).

The lexicons are a second source (:func:`original_pairs`): the original side
of a row is the established wording a spinner broke, so its word pairs are
terms ("hidden layers" from "concealed layers" -> "hidden layers"). A spinner
breaks the same term in many ways, and a way that no row lists ("secret
layers") is restored only if the step knows "hidden layers" is a term; the
clean corpora are too small to know most technical terms.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources as importlib_resources

from .inflect import analyses


class Terms:
    """A set of two-word terms, looked up by their words in lower case."""

    def __init__(self, terms: set[tuple[str, str]]) -> None:
        self._terms = frozenset(terms)

    @classmethod
    def parse(cls, text: str) -> Terms:
        """Read the data file's format: one term per line, ``#`` comments."""
        found: set[tuple[str, str]] = set()
        for line in text.splitlines():
            words = line.split()
            if len(words) == 2 and not line.startswith("#"):
                found.add((words[0], words[1]))
        return cls(found)

    def including(self, pairs: Iterable[tuple[str, str]]) -> Terms:
        """These terms and ``pairs``, as a new set (the shipped list stays as read)."""
        return Terms(set(self._terms).union(pairs))

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, pair: tuple[str, str]) -> bool:
        """Is ``(first, second)`` a term, with a noun as the second word in either number?

        >>> terms = Terms({("amino", "acid")})
        >>> ("amino", "acids") in terms, ("amino", "corrosive") in terms
        (True, False)
        """
        first, second = pair
        if (first, second) in self._terms:
            return True
        return any(
            (first, lemma) in self._terms for upos, lemma, _ in analyses(second) if upos == "NOUN" and lemma != second
        )


@lru_cache(maxsize=1)
def default_terms() -> Terms:
    """The shipped list (58,012 terms), read once per process."""
    item = importlib_resources.files("repair").joinpath("data/terms.tsv")
    return Terms.parse(item.read_text(encoding="utf-8"))


def original_pairs(originals: Iterable[str]) -> set[tuple[str, str]]:
    """Neighbouring word pairs inside lexicon originals, lower-case, a hyphen read as a space.

    Only pairs of alphabetic words: a row's original such as "signal-to-noise
    ratio" gives ("signal", "to"), ("to", "noise"), ("noise", "ratio"); an
    original with digits or symbols gives no pair across them.

    >>> sorted(original_pairs(["hidden layers", "Signal-to-noise", "x2 ray"]))
    [('hidden', 'layers'), ('signal', 'to'), ('to', 'noise')]
    """
    found: set[tuple[str, str]] = set()
    for original in originals:
        # Not key_of(): it drops punctuation, and a pair must not cross "accuracy, precision" or "(CIA)".
        words = original.lower().replace("-", " ").split()
        found.update((a, b) for a, b in itertools.pairwise(words) if a.isalpha() and b.isalpha())
    return found
