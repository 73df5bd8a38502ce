"""Fixed names with one common word swapped: "World Battle II" (World War II).

A spinner that swaps words through a thesaurus does not know that "War" in
"World War II", "Party" in "Democratic Party" or "Sea" in "South China Sea"
belong to a name. The context detector leaves capitalised words alone (they
are names, and a name is never a thesaurus synonym of anything), so such
spins were restored by no detector.

This stage looks only inside names: runs of two or more capitalised words (or
a capitalised word next to a number or a Roman numeral, "Battle II"). Each
title-case word that does not start the sentence may stand for the words the
inverted thesaurus links it to ("battle" -> "war", "fight", ...), and the
joint-phrase test of :mod:`repair.phrases` decides which change is a name: every
word pair of the candidate must be established in clean prose (the collocation
table is lower-case, so "world war" and "war ii" count), while every pair of
the current name it changes must be unknown ("world battle"). The causal LM
gives the verdict, as for phrases, with its own confidence table
(``[names]`` in ``context.toml``).

Plain data and table look-ups; nothing here loads a model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .inverse import InverseIndex, key_of
from .model import Document
from .models.collocations import Collocations
from .phrases import PhraseSettings, PhraseSuspect, confidence_at, margin_table, phrase_suspects
from .terms import Terms

_ROMAN = re.compile(r"[IVX]+")


@dataclass(frozen=True, slots=True)
class NameSettings:
    """``[names]`` of ``context.toml``; see there for what each one was measured at."""

    originals_per_word: int
    min_zipf: float
    confidence: tuple[tuple[float, float], ...]

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> NameSettings:
        table = margin_table(data["confidence"])
        return cls(int(data["originals-per-word"]), float(data["min-zipf"]), table)  # type: ignore[call-overload, arg-type]

    def confidence_of(self, margin: float) -> float:
        """The dev-measured share of right edits among name candidates with at least this LM margin."""
        return confidence_at(self.confidence, margin)


@dataclass(eq=False)
class ThesaurusOriginals:
    """The words a name's word may have replaced: its inverted-thesaurus candidates, best prior first.

    Plays the part of the :class:`~repair.spinmap.SpinMap` for
    :func:`~repair.phrases.phrase_suspects`. Only single words are offered
    (a name's swapped word was one word), never another spelling of the same
    word, and the support of each is 1: the thesaurus link, not lexicon rows.
    """

    index: InverseIndex
    zipf: Callable[[str], float]
    min_zipf: float = 0.0
    skip: frozenset[str] = frozenset()
    spelling: Callable[[str], str] = str  # folds spelling conventions ("defence" and "defense" agree)

    @lru_cache(maxsize=65536)  # noqa: B019 - one per process, looked up per name word
    def originals(self, word: str, limit: int = 4) -> tuple[tuple[str, int], ...]:
        """The first ``limit`` candidates by prior that are common single words (a name keeps common words)."""
        found: list[tuple[str, int]] = []
        mine = self.spelling(word)
        for link in self.index.lookup(word, limit):
            text = key_of(link.text)
            if " " in text or not text.isalpha() or text in self.skip or self.spelling(text) == mine:
                continue
            if self.zipf(text) >= self.min_zipf:
                found.append((text, 1))
        return tuple(found)

    def segments_at(self, norms: Sequence[str], k: int, limit: int = 4) -> list[tuple[int, tuple[str, ...], int]]:
        return []


def name_words(
    doc: Document,
    joined: Sequence[bool],
    function_words: frozenset[str] = frozenset(),
    common: Callable[[str], bool] = lambda word: True,
) -> list[bool]:
    """For each token: is it a word of a name that a spinner could have swapped?

    A title-case word of three letters or more that is a ``common`` English
    word (rare ones, "Nogai", "Thetis", are names in their own right), not the
    first word of its sentence (that may be an ordinary word: "Yesterday Angela
    Merkel"), joined to another capitalised word, a number or a Roman numeral
    (a capitalised function word, "In Europe", starts a sentence, not a name).
    ``joined[k]``: token ``k`` forms a phrase with the one before
    (:func:`~repair.models.collocations.joined_flags`).
    """
    tokens = doc.tokens
    starts = {s.first_token for s in doc.sentences}

    def capital(k: int) -> bool:
        text = tokens[k].text
        return text.isdigit() or (text[:1].isupper() and tokens[k].norm not in function_words)

    out = []
    for k, token in enumerate(tokens):
        text = token.text
        word = (
            k not in starts
            and text.isalpha()
            and len(text) >= 3
            and text[0].isupper()
            and text[1:].islower()
            and not _ROMAN.fullmatch(text)
            and token.norm not in function_words
            and common(token.norm)
        )
        beside = (k > 0 and joined[k] and capital(k - 1)) or (k + 1 < len(tokens) and joined[k + 1] and capital(k + 1))
        out.append(word and beside)
    return out


def name_suspects(
    doc: Document,
    originals: ThesaurusOriginals,
    collocations: Collocations,
    phrases: PhraseSettings,
    names: NameSettings,
    joined: Sequence[bool],
    terms: Terms | None = None,
    function_words: frozenset[str] = frozenset(),
    guarded: Sequence[bool] = (),
) -> list[PhraseSuspect]:
    """One swapped word inside a name whose candidate makes only established word pairs.

    The pair rules are the phrase stage's (``phrases``); a candidate changes one
    word only, as a spinner breaks a name: on dev, candidates that changed two
    words of a name ("Common Corpus" -> "Mutual Information") were all wrong.
    """
    eligible = name_words(doc, joined, function_words, lambda word: originals.zipf(word) >= names.min_zipf)
    if guarded:  # words no edit may touch (repair.markup)
        eligible = [e and not g for e, g in zip(eligible, guarded, strict=True)]
    if not any(eligible):
        return []
    settings = replace(phrases, originals_per_word=names.originals_per_word)
    found = phrase_suspects(doc, originals, collocations, settings, eligible, joined, terms)
    return [s for s in found if s.changed == 1]
