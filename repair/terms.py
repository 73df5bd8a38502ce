"""Two-word terms of the language, as the thesauri list them (``data/terms.tsv``).

The phrase step (:mod:`repair.phrases`) needs to know which word pairs are
established. Its main evidence is the collocation table of clean prose
(:mod:`repair.models.collocations`), but that table has only seen what some
thousands of documents say: "amino acid", "false alarm" and "refractive index"
occur in fewer than two of them, so a spinner's "amino corrosive" had no term
to be restored to. A headword of two words in a thesaurus is such a term
whatever the corpus; this module answers "is this pair one?", for plural heads
too ("false alarms"; not "false alarming", whose verb reading is no term's head).
"""

from __future__ import annotations

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
