"""Re-inflect a candidate original to the grammatical form of the spun text.

A spinner swaps lemmas and then (usually) re-inflects: "soldiers" becomes
"troopers", "said" becomes "stated", "bigger" becomes "larger". Undoing the
swap means looking up the spun word's lemma and putting the candidate back into
the spun word's form: number, tense, participle, comparative. Possessives
("trooper's") are split off and re-attached, and capitalisation follows the
spun text (:func:`repair.form.match_case`).

Everything here is rule-based on lemminflect's dictionary (no model), cached,
and deterministic. A form lemminflect does not know for a word is never
invented from suffix rules for adjectives ("importanter"); a periphrastic
"more important" is used instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .form import match_case, match_word_case

# Universal POS -> the Penn tags a word of that class is inflected to.
TAGS_OF: dict[str, tuple[str, ...]] = {
    "NOUN": ("NN", "NNS"),
    "VERB": ("VB", "VBD", "VBG", "VBN", "VBZ", "VBP"),
    "ADJ": ("JJ", "JJR", "JJS"),
    "ADV": ("RB", "RBR", "RBS"),
}
UPOS_OF_TAG = {tag: upos for upos, tags in TAGS_OF.items() for tag in tags}
# The form a lemma has: inflecting to a base tag is the identity.
BASE_TAGS = frozenset({"NN", "VB", "VBP", "JJ", "RB"})

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_POSSESSIVE = re.compile(r"(['\u2019]s|s['\u2019])$", re.I)
# Words after which a noun phrase's head has ended ("prisoners of war", "point of view").
_HEAD_ENDERS = frozenset("of in for on at to from with by about against under over into".split())


@lru_cache(maxsize=131072)
def analyses(word: str) -> tuple[tuple[str, str, str], ...]:
    """``(upos, lemma, tag)`` readings of a single word form, in a stable order.

    Only readings whose re-inflection gives the word back are kept, so a tag is
    a real description of the form ("stated" is VBD and VBN of "state", not NN).

    >>> analyses("troopers")
    (('NOUN', 'trooper', 'NNS'),)
    >>> sorted({tag for _, _, tag in analyses("stated")})
    ['VBD', 'VBN']
    """
    from lemminflect import getAllLemmas

    lower = word.lower()
    found: list[tuple[str, str, str]] = []
    for upos, lemmas in sorted(getAllLemmas(lower).items()):
        if upos not in TAGS_OF:
            continue
        for lemma in lemmas:
            for tag in TAGS_OF[upos]:
                if lower in _forms(lemma, tag):
                    found.append((upos, lemma, tag))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=131072)
def _forms(lemma: str, tag: str) -> tuple[str, ...]:
    """Inflected forms of ``lemma`` for ``tag``; dictionary first, rules for nouns/verbs only."""
    from lemminflect import getAllInflections, getInflection

    if tag in BASE_TAGS:
        return (lemma,)
    known = getAllInflections(lemma).get(tag)
    if known:
        return tuple(known)
    if tag in ("JJR", "JJS", "RBR", "RBS"):
        return ()  # no "importanter": handled periphrastically by inflect_word
    return tuple(getInflection(lemma, tag, inflect_oov=True))


def inflect_word(lemma: str, tag: str) -> str:
    """``lemma`` in the form ``tag``; comparatives of long adjectives take "more"/"most".

    >>> inflect_word("soldier", "NNS"), inflect_word("say", "VBD"), inflect_word("large", "JJR")
    ('soldiers', 'said', 'larger')
    >>> inflect_word("important", "JJS")
    'most important'
    """
    if tag in BASE_TAGS or not lemma:
        return lemma
    lower = lemma.lower()
    forms = _forms(lower, tag)
    if forms:
        return match_word_case(forms[0], lemma)
    if tag in ("JJR", "RBR"):
        return f"more {lemma}"
    if tag in ("JJS", "RBS"):
        return f"most {lemma}"
    return lemma


def head_index(words: list[str], upos: str) -> int:
    """Which word of a phrase carries the inflection for a class of word.

    Verbs inflect their first verb ("carry out" -> "carried out", "make use of"
    -> "made use of"); nouns their head, the last word before a preposition
    ("square mile" -> "square miles", "prisoner of war" -> "prisoners of war").

    >>> head_index(["carry", "out"], "VERB"), head_index(["prisoner", "of", "war"], "NOUN")
    (0, 0)
    >>> head_index(["square", "mile"], "NOUN")
    1
    """
    if len(words) == 1:
        return 0
    if upos == "VERB":
        for i, w in enumerate(words):
            if any(u == "VERB" for u, _, _ in analyses(w)):
                return i
        return 0
    for i, w in enumerate(words):
        if i > 0 and w.lower() in _HEAD_ENDERS:
            return i - 1
    return len(words) - 1


def inflect_phrase(phrase: str, tag: str) -> str:
    """Inflect the head word of ``phrase`` to ``tag`` (see :func:`head_index`).

    >>> inflect_phrase("carry out", "VBD"), inflect_phrase("square mile", "NNS")
    ('carried out', 'square miles')
    """
    if tag in BASE_TAGS:
        return phrase
    matches = list(_WORD.finditer(phrase))
    if not matches:
        return phrase
    upos = UPOS_OF_TAG.get(tag, "")
    i = head_index([m.group() for m in matches], upos)
    m = matches[i]
    word = m.group()
    if word.isupper() and len(word) > 1:  # acronyms do not inflect
        return phrase
    base = _lemma_for(word, upos)
    return phrase[: m.start()] + inflect_word(base, tag) + phrase[m.end() :]


def _lemma_for(word: str, upos: str) -> str:
    """The word's lemma in class ``upos`` (itself when it is already a base form)."""
    for u, lemma, tag in analyses(word):
        if u == upos and tag in BASE_TAGS:
            return match_word_case(lemma, word)
    for u, lemma, _ in analyses(word):
        if u == upos:
            return match_word_case(lemma, word)
    return word


def form_tags(spun: str) -> tuple[str, ...]:
    """The inflection tags the spun word or phrase can carry, most informative first.

    For a phrase each word class looks at its own head (see :func:`head_index`);
    base tags come last because they ask for no change.

    >>> form_tags("troopers")
    ('NNS',)
    >>> form_tags("carried out")
    ('VBD', 'VBN')
    """
    words = [m.group() for m in _WORD.finditer(spun)]
    if not words:
        return ()
    tags: list[str] = []
    if len(words) == 1:
        tags = [t for _, _, t in analyses(_strip_possessive(words[0])[0])]
    else:
        # The first word class whose head carries an inflection decides.
        for upos in ("VERB", "NOUN", "ADJ", "ADV"):
            word = words[head_index(words, upos)]
            found = [t for u, _, t in analyses(word) if u == upos]
            tags += found
            if any(t not in BASE_TAGS for t in found):
                break
    unique = list(dict.fromkeys(tags))
    return tuple([t for t in unique if t not in BASE_TAGS] + [t for t in unique if t in BASE_TAGS])


def _strip_possessive(word: str) -> tuple[str, str]:
    m = _POSSESSIVE.search(word)
    if not m or len(word) <= 2:
        return word, ""
    suffix = m.group()
    if suffix[0] in "sS":  # "soldiers'": plural possessive, keep the s on the word
        return word[:-1], word[-1]
    return word[: -len(suffix)], suffix


def possessive_of(spun: str) -> str:
    """The possessive ending of the spun text's last word (``"'s"``, ``"'"``), or ``""``.

    >>> possessive_of("the trooper's"), possessive_of("troopers'"), possessive_of("troopers")
    ("'s", "'", '')
    """
    words = _WORD.findall(spun)
    if not words:
        return ""
    if spun.rstrip().endswith(("'", "\u2019")) and words[-1].lower().endswith("s"):
        return spun.rstrip()[-1]
    return _strip_possessive(words[-1])[1]


def fit(spun: str, candidate: str, upos: str | None = None) -> list[str]:
    """The candidate in the spun text's form: inflection, possessive, capitalisation.

    ``candidate`` is a base form (a thesaurus headword); ``upos`` restricts the
    readings of the spun text to the candidate's word class when it is known.
    Several forms come back when the spun form is ambiguous and the candidate
    distinguishes them ("cut" as VBD or VBN of "fell" -> "felled"); the first is
    the most likely. Forms are unique and never empty.

    >>> fit("Troopers", "soldier")
    ['Soldiers']
    >>> fit("stated", "say")
    ['said']
    >>> fit("trooper's", "soldier"), fit("troopers'", "soldier")
    (["soldier's"], ["soldiers'"])
    >>> fit("larger", "big", "ADJ")
    ['bigger']
    """
    possessive = possessive_of(spun)
    core = spun
    if possessive:
        core = spun.rstrip()[: -len(possessive)] if possessive in ("'", "\u2019") else _strip_last(spun, possessive)
    words = _WORD.findall(core)
    target = words[-1] if words else core
    tags = [t for t in form_tags(core if len(words) > 1 else target) if upos is None or UPOS_OF_TAG[t] == upos]
    cand_words = _WORD.findall(candidate)
    out: list[str] = []
    for tag in tags:
        if tag not in BASE_TAGS and upos is None and cand_words:
            head = cand_words[head_index(cand_words, UPOS_OF_TAG[tag])]
            classes = {u for u, _, _ in analyses(head)}
            if classes and UPOS_OF_TAG[tag] not in classes:
                continue
        out.append(inflect_phrase(candidate, tag))
    if not out:
        out.append(candidate)
    forms = []
    for form in dict.fromkeys(out):
        if possessive:
            form = form + ("'" if possessive in ("'", "\u2019") and form.lower().endswith("s") else "'s")
            form = form.replace("'", possessive[0]) if possessive[0] == "\u2019" else form
        forms.append(match_case(target if len(words) == 1 else spun, form))
    return list(dict.fromkeys(forms))


def _strip_last(text: str, suffix: str) -> str:
    stripped = text.rstrip()
    return stripped[: -len(suffix)] if stripped.lower().endswith(suffix.lower()) else text
