"""Word frequency (wordfreq's Zipf scale): the context-free prior of a filler.

Spinners pick dictionary synonyms, which are on average rarer than the word a
writer chose ("hearth" for "fire", "troopers" for "troops"), so a candidate that
is much more frequent than the current word is weak evidence of a spin. It is
the cheapest signal (a dictionary lookup) and knows nothing of context.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from . import VariantSet


@lru_cache(maxsize=200_000)
def zipf(phrase: str, lang: str = "en") -> float:
    """Zipf frequency (0 to about 8) of a word or phrase; 0 for unknown words.

    >>> zipf("the") > zipf("hearth") > 0
    True
    """
    from wordfreq import zipf_frequency

    return float(zipf_frequency(phrase, lang))


class WordFrequency:
    """Scores each filler by its Zipf frequency (the sentence is ignored)."""

    name = "wordfreq"

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def score_variants(self, sets: Sequence[VariantSet]) -> list[list[float]]:
        return [[zipf(f, self.lang) for f in vs.fillers] for vs in sets]
