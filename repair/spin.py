"""A synthetic spinner that damages text the way article spinners do, to make gold pairs for evaluation.

Real spinners are context-blind: they look each word or phrase up in a thesaurus
and put in one of its listed synonyms, whatever the sense ("fire" becomes
"hearth", "military" becomes "navy"), favouring the first-listed synonyms. They
swap multi-word expressions as units, re-inflect the synonym to the original's
form, keep capitalisation, and leave mechanical residue behind: contractions
whose first half was replaced ("are able to't"), template braces, unexpanded
spintax, broken fixed names. This module imitates all of that from the three
thesauri in ``repair.thesauri`` and the curated data in ``repair/data/spin.toml``,
and records every substitution with its offsets in both texts, so ``repair
eval`` can score a repair against a known original.

Determinism: every random choice comes from one ``random.Random`` seeded from
the caller's seed (and, for records, the record id) through SHA-256, and every
collection it draws from is built in text or source order, so the output does not
depend on hash seeds or dict ordering.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import IO, Any

from . import thesauri
from .form import match_case
from .segment import WORD_RE, split_sentences, tokenize

__all__ = [
    "SpinData",
    "SpinRun",
    "SpunText",
    "Substitution",
    "load_spin_data",
    "spin_files",
    "spin_records",
    "spin_text",
]

# Kinds of substitution, as they appear in ``Substitution.kind``.
WORD, PHRASE, CONTRACTION, TEMPLATE, SPINTAX, DOUBLED, NAME = (
    "word",
    "phrase",
    "contraction",
    "template",
    "spintax",
    "doubled",
    "name",
)
ARTIFACT_KINDS = (CONTRACTION, TEMPLATE, SPINTAX, DOUBLED, NAME)

_UPOS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV"}
_BASE_TAGS = {"NN", "VB", "VBP", "JJ", "RB"}
_CLITIC = re.compile(r"(?i)(n['\u2019]t|['\u2019](?:s|re|ve|ll|m|d))$")
_SYNONYM_SHAPE = re.compile(r"[a-z](?:[a-z' -]*[a-z])?")
_ROMAN = re.compile(r"[IVX]+")
_DOUBLE_WORDS = ("the", "a", "of", "to", "in", "and", "for", "with", "on")
# A ranked thesaurus lists synonyms best first; Moby lists them alphabetically.
_RANKED = {"wordnet", "mythes"}
#: How the spinner picks among a word's synonyms (``spin_text(draw=...)``). "rank": a ranked
#: thesaurus's first-listed synonyms more often, Moby's frequent ones (the benchmark's spinner).
#: "uniform": every listed synonym alike. "common": frequent synonyms much more often, as the
#: spinner of the project's seed text does (the median Zipf frequency of the new words of
#: one-word swaps: 4.74 in the seed text, 4.80 with "common" and 4.30 with "rank" on the dev
#: records). The other two emulate spinners with other habits, to test that a detector does not
#: lean on one spinner's choices.
DRAWS = ("rank", "uniform", "common")


# ------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Substitution:
    """One change: ``original[original_start:original_end]`` became ``spun[spun_start:spun_end]``."""

    original_start: int
    original_end: int
    spun_start: int
    spun_end: int
    original: str
    spun: str
    kind: str  # word | phrase | contraction | template | spintax | doubled | name
    source: str  # moby | wordnet | mythes | curated | artifact

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class SpunText:
    """A spun text, its original, and every substitution between them (in text order)."""

    original: str
    text: str
    substitutions: tuple[Substitution, ...]
    content_words: int  # content words that could have been swapped (the rate's denominator)

    @property
    def must_fix(self) -> list[list[str]]:
        """DESIGN.md's gold pairs: ``[spun_phrase, original_phrase]`` per substitution."""
        return [[s.spun, s.original] for s in self.substitutions]

    @property
    def swapped_words(self) -> int:
        """Content words replaced by synonym swaps (artifacts not counted)."""
        return sum(_content_count(s.original) for s in self.substitutions if s.kind in (WORD, PHRASE))


# ------------------------------------------------------------------ data


@dataclass(frozen=True)
class SpinData:
    """The spinner's word lists (``repair/data/spin.toml``)."""

    stop_words: frozenset[str]
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    contractions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spintax: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def from_toml(cls, text: str) -> SpinData:
        raw = tomllib.loads(text)
        return cls(
            stop_words=frozenset(w.lower() for w in raw.get("stop-words", [])),
            phrases={_key(k): tuple(v) for k, v in raw.get("phrases", {}).items()},
            contractions={k.lower(): tuple(v) for k, v in raw.get("contractions", {}).items()},
            spintax=tuple(tuple(g) for g in raw.get("spintax", {}).get("groups", [])),
        )


@cache
def load_spin_data() -> SpinData:
    text = importlib_resources.files("repair").joinpath("data", "spin.toml").read_text(encoding="utf-8")
    return SpinData.from_toml(text)


def _key(phrase: str) -> str:
    return " ".join(phrase.lower().replace("\u2019", "'").split())


def _content_count(phrase: str) -> int:
    stop = load_spin_data().stop_words
    return sum(1 for m in WORD_RE.finditer(phrase) if m.group().lower() not in stop)


# ------------------------------------------------------------------ word knowledge (cached, pure)


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of one word (0 for unknown words)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _is_real(synonym: str, min_zipf: float) -> bool:
    """A synonym a spinner's output would use: lower-case letters, at most four words, every word common enough."""
    if not _SYNONYM_SHAPE.fullmatch(synonym) or "  " in synonym:
        return False
    words = synonym.replace("-", " ").split()
    return len(synonym.split()) <= 4 and all(zipf(w) >= min_zipf for w in words)


@lru_cache(maxsize=100_000)
def _analyses(word: str) -> tuple[tuple[str, str, str], ...]:
    """Every (UPOS, lemma, Penn tag) reading of a lower-case word form, from lemminflect."""
    from lemminflect import getAllInflections, getAllLemmas

    out = []
    for upos, lemmas in sorted(getAllLemmas(word).items()):
        if upos not in ("NOUN", "VERB", "ADJ", "ADV"):
            continue
        for lemma in lemmas:
            tags = sorted(tag for tag, forms in getAllInflections(lemma, upos).items() if word in forms)
            tag = next((t for t in tags if t in _BASE_TAGS), tags[0] if tags else "")
            out.append((upos, lemma, tag))
    return tuple(out)


@lru_cache(maxsize=200_000)
def _inflect(synonym: str, upos: str, tag: str) -> str | None:
    """The synonym in the original's form: plural nouns inflect their last word, verbs their first."""
    if not tag or tag in _BASE_TAGS:
        return synonym
    from lemminflect import getInflection

    words = synonym.split(" ")
    if upos == "NOUN":
        index = len(words) - 1
    elif upos == "VERB":
        index = 0
    elif len(words) == 1:
        index = 0
    else:
        return None
    head = words[index]
    # Only a known lemma of the right part of speech is inflected: "afire" has no past tense,
    # and an already plural synonym is not made plural again.
    if "-" in head or head not in _lemmas(head).get(upos, ()):
        return None
    forms = getInflection(head, tag, inflect_oov=False)
    if not forms:
        return None
    words[index] = forms[0]
    return " ".join(words)


@lru_cache(maxsize=200_000)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's lemmas of a word form by UPOS (do not mutate: shared by the cache)."""
    from lemminflect import getAllLemmas

    return getAllLemmas(word)


# Per source, the options a spinner could pick: (weight, synonym, upos, tag, lemma). They are
# checked only when drawn (rejection sampling), which gives the same distribution as checking
# them all first at a fraction of the cost.
Option = tuple[float, str, str, str, str]
Options = tuple[tuple[str, tuple[Option, ...]], ...]


def _weight(source: str, rank: int, synonym: str, min_zipf: float, draw: str = "rank") -> float:
    """The chance (unnormalised) that the spinner picks ``synonym``; 0 leaves it out (see ``DRAWS``)."""
    if draw == "uniform":
        return 1.0 if _frequency_weight(synonym, min_zipf) > 0 else 0.0
    if draw == "common":
        return _frequency_weight(synonym, min_zipf) ** 2
    if source in _RANKED:
        return 1.0 / (1 + rank)
    return _frequency_weight(synonym, min_zipf)


@lru_cache(maxsize=300_000)
def _frequency_weight(synonym: str, min_zipf: float) -> float:
    """Moby's order is alphabetical, so its rank means nothing: favour frequent synonyms instead."""
    least = min(zipf(w) for w in synonym.replace("-", " ").split())
    return max(0.0, least - min_zipf + 0.5) ** 2 / 10


def _by_source(items: Iterable[tuple[str, Option]]) -> Options:
    grouped: dict[str, list[Option]] = {}
    for source, option in items:
        if option[0] > 0:
            grouped.setdefault(source, []).append(option)
    return tuple((source, tuple(options)) for source, options in grouped.items())


@lru_cache(maxsize=50_000)
def _word_options(word: str, sources: tuple[str, ...], min_zipf: float, draw: str = "rank") -> Options:
    """Synonyms the thesauri list for a lower-case word form, under each of its readings."""
    items = []
    for upos, lemma, tag in _analyses(word) or (("", word, ""),):
        for link in thesauri.forward(lemma, sources):
            if upos and link.pos and _UPOS[link.pos] != upos:
                continue
            if not _SYNONYM_SHAPE.fullmatch(link.synonym):
                continue
            # Without a part of speech (Moby) a phrase cannot be inflected safely: "have in view" is no plural noun.
            if not link.pos and " " in link.synonym and tag and tag not in _BASE_TAGS:
                continue
            items.append(
                (
                    link.source,
                    (_weight(link.source, link.rank, link.synonym, min_zipf, draw), link.synonym, upos, tag, lemma),
                )
            )
    return _by_source(items)


def _word_form(word: str, option: Option, min_zipf: float) -> str | None:
    """The drawn synonym in the original's form, or None when a spinner's output would not use it."""
    _, synonym, upos, tag, lemma = option
    if synonym == lemma or not _is_real(synonym, min_zipf):
        return None
    form = _inflect(synonym, upos, tag) if upos else synonym
    if form is None or form == word or _same_lemma(form, lemma):
        return None
    return form if form == synonym or _is_real(form, min_zipf) else None


def _same_lemma(form: str, lemma: str) -> bool:
    """The synonym is only another form of the original's lemma ("fires" for "fire")."""
    return " " not in form and any(lemma in lemmas for lemmas in _lemmas(form).values())


@lru_cache(maxsize=50_000)
def _phrase_options(
    key: str, upos: str, tag: str, sources: tuple[str, ...], min_zipf: float, draw: str = "rank"
) -> Options:
    """Replacements for a phrase: curated ones first, then the thesauri's."""
    items = []
    for rank, spun in enumerate(load_spin_data().phrases.get(key, ())):
        items.append(("curated", (1.0 / (1 + rank), spun, "", "", key)))
    for link in thesauri.forward(key, sources):
        if _SYNONYM_SHAPE.fullmatch(link.synonym) and _key(link.synonym) != key:
            items.append(
                (
                    link.source,
                    (_weight(link.source, link.rank, link.synonym, min_zipf, draw), link.synonym, upos, tag, key),
                )
            )
    return _by_source(items)


def _phrase_form(option: Option, min_zipf: float) -> str | None:
    _, synonym, upos, tag, _ = option
    if not _is_real(synonym, min_zipf):
        return None
    form = _inflect(synonym, upos, tag) if upos else synonym
    return form if form == synonym or (form and _is_real(form, min_zipf)) else None


@lru_cache(maxsize=50_000)
def _phrase_usable(
    key: str, upos: str, tag: str, sources: tuple[str, ...], min_zipf: float, draw: str = "rank"
) -> bool:
    """The phrase has at least one replacement a spinner would use (else its words stay separately swappable)."""
    options = _phrase_options(key, upos, tag, sources, min_zipf, draw)
    return any(_phrase_form(option, min_zipf) is not None for _, pool in options for option in pool)


@lru_cache(maxsize=8)
def _phrase_keys(sources: tuple[str, ...]) -> frozenset[str]:
    """Multi-word headwords of the thesauri plus the curated phrases: what n-grams are looked up."""
    keys = {k for k in load_spin_data().phrases if " " in k}
    for source in sources:
        keys.update(k for k in thesauri.headwords(source) if " " in k and len(k.split()) <= 4)
    return frozenset(keys)


def _draw(rng: random.Random, options: Options, accept: Callable[[Option], str | None]) -> tuple[str, str] | None:
    """Pick a source uniformly, then a synonym with probability proportional to its weight.

    Drawn options that ``accept`` turns down are removed and the draw repeated; a
    source with nothing acceptable is removed likewise. None when nothing is left.
    """
    sources = list(options)
    while sources:
        index = rng.randrange(len(sources))
        source, pool = sources[index]
        remaining = list(pool)
        while remaining:
            total = sum(option[0] for option in remaining)
            point = rng.random() * total
            pick = len(remaining) - 1
            for j, option in enumerate(remaining):
                point -= option[0]
                if point < 0:
                    pick = j
                    break
            text = accept(remaining[pick])
            if text is not None:
                return source, text
            del remaining[pick]
        del sources[index]
    return None


# ------------------------------------------------------------------ tokens


@dataclass(slots=True)
class _Tok:
    start: int
    end: int  # end of the base (before any clitic)
    full_end: int  # end including the clitic
    text: str  # the base
    lower: str
    clitic: str
    initial: bool  # first word of its sentence
    name: bool = False
    content: bool = False


def _tokens(text: str, data: SpinData, protect: frozenset[str] = frozenset()) -> list[_Tok]:
    tokens = tokenize(text)
    initial = {s.first_token for s in split_sentences(text, tokens) if s.last_token > s.first_token}
    out = []
    for i, t in enumerate(tokens):
        m = _CLITIC.search(t.text)
        clitic = m.group() if m and m.start() > 0 else ""
        base = t.text[: len(t.text) - len(clitic)]
        out.append(_Tok(t.start, t.start + len(base), t.end, base, base.lower(), clitic, i in initial))
    # A capitalised word that also stands capitalised mid-sentence is a name wherever it stands.
    protected = protect | {t.lower for t in out if t.text[:1].isupper() and not t.initial}
    for i, tok in enumerate(out):
        tok.name = _looks_like_name(tok, out, i) or (tok.text[:1].isupper() and tok.lower in protected)
        tok.content = _is_content(tok, text, data)
    return out


def _looks_like_name(tok: _Tok, toks: list[_Tok], i: int) -> bool:
    """Capitalised mid-sentence, all capitals, or capitalised at the start and part of a capitalised run."""
    word = tok.text
    if not word[:1].isupper():
        return False
    if len(word) > 1 and word.isupper():
        return True
    if not tok.initial:
        return True
    following = toks[i + 1] if i + 1 < len(toks) else None
    return bool(following and following.text[:1].isupper() and not following.initial) or zipf(tok.lower) < 3.0


def _is_content(tok: _Tok, text: str, data: SpinData) -> bool:
    if tok.name or not tok.text.isalpha() or len(tok.text) < 2 or tok.lower in data.stop_words:
        return False
    if tok.clitic and tok.clitic.lower() not in ("'s", "\u2019s"):
        return False
    before = text[tok.start - 1] if tok.start else " "
    after = text[tok.full_end] if tok.full_end < len(text) else " "
    # Parts of hyphenated compounds, URLs, e-mail addresses and code stay whole.
    dotted = after == "." and text[tok.full_end + 1 : tok.full_end + 2].isalnum()
    if before in "-/@_.#$\\" or after in "-/@_\\" or dotted:
        return False
    return bool(_analyses(tok.lower)) or zipf(tok.lower) >= 3.0


# ------------------------------------------------------------------ the spinner


@dataclass(slots=True)
class _Edit:
    start: int
    end: int
    replacement: str
    kind: str
    source: str


class _Spinner:
    def __init__(
        self,
        text: str,
        rng: random.Random,
        rate: float,
        artifact_rate: float,
        sources: tuple[str, ...],
        min_zipf: float,
        phrase_weight: float,
        data: SpinData,
        protect: frozenset[str] = frozenset(),
        draw: str = "rank",
    ) -> None:
        self.text = text
        self.rng = rng
        self.rate = rate
        self.artifact_rate = artifact_rate
        self.sources = sources
        self.min_zipf = min_zipf
        self.draw = draw
        self.phrase_weight = phrase_weight
        self.data = data
        self.toks = _tokens(text, data, protect)
        self.claimed = [False] * len(self.toks)
        self.edits: list[_Edit] = []

    # -- helpers

    def _adjacent(self, i: int) -> bool:
        """Token i is followed by token i+1 with exactly one space between them."""
        return i + 1 < len(self.toks) and self.text[self.toks[i].full_end : self.toks[i + 1].start] == " "

    def _claim(self, first: int, last: int, start: int, end: int, replacement: str, kind: str, source: str) -> None:
        for j in range(first, last + 1):
            self.claimed[j] = True
        self.edits.append(_Edit(start, end, replacement, kind, source))

    def _fire(self) -> bool:
        return self.artifact_rate > 0 and self.rng.random() < self.artifact_rate

    # -- artifacts

    def contractions(self) -> None:
        """ "can't" -> "are able to't" (first half replaced), or "do n't" (split by a tokenizer)."""
        for i, tok in enumerate(self.toks):
            if not tok.clitic or tok.clitic.lower() in ("'s", "\u2019s") or self.claimed[i] or not self._fire():
                continue
            full = self.text[tok.start : tok.full_end]
            apostrophe = max(full.rfind("'"), full.rfind("\u2019"))
            head = full[:apostrophe]
            options = self.data.contractions.get(head.lower())
            if options:
                replacement = match_case(head, options[self.rng.randrange(len(options))]) + full[apostrophe:]
            elif tok.clitic.lower().startswith("n"):
                replacement = tok.text + " " + tok.clitic
            else:
                replacement = head + " " + full[apostrophe:]
            self._claim(i, i, tok.start, tok.full_end, replacement, CONTRACTION, "artifact")

    def names(self) -> None:
        """ "World War II" -> "World Battle II": one common word inside a fixed name swapped."""
        i = 0
        while i < len(self.toks):
            j = i
            while j + 1 < len(self.toks) and self._name_part(j) and self._name_part(j + 1) and self._adjacent(j):
                j += 1
            if j > i:
                self._break_name(i, j)
                i = j + 1
            else:
                i += 1

    def _name_part(self, i: int) -> bool:
        tok = self.toks[i]
        return not tok.clitic and (tok.text[:1].isupper() or tok.text.isdigit()) and not self.claimed[i]

    def _break_name(self, first: int, last: int) -> None:
        parts = []
        for k in range(first, last + 1):
            tok = self.toks[k]
            # A sentence's first word may be an ordinary word before a name ("Yesterday Angela Merkel").
            if tok.initial or _ROMAN.fullmatch(tok.text) or not tok.text.isalpha() or len(tok.text) < 3:
                continue
            if tok.lower in self.data.stop_words or zipf(tok.lower) < 3.5 or not tok.text[1:].islower():
                continue
            options = _word_options(tok.lower, self.sources, self.min_zipf, self.draw)
            if options:
                parts.append((k, options))
        if not parts or not self._fire():
            return
        while parts:
            index = self.rng.randrange(len(parts))
            k, options = parts.pop(index)
            tok = self.toks[k]
            drawn = _draw(self.rng, options, lambda o, w=tok.lower: self._single(_word_form(w, o, self.min_zipf)))
            if drawn:
                source, synonym = drawn
                self._claim(k, k, tok.start, tok.end, synonym[:1].upper() + synonym[1:], NAME, source)
                return

    @staticmethod
    def _single(form: str | None) -> str | None:
        return form if form and " " not in form and "-" not in form else None

    def sentence_artifacts(self) -> None:
        """Per sentence: template braces "{that a}", spintax "{a|the}", or a doubled word."""
        for first, last in self._sentences():
            if not self._fire():
                continue
            kinds = [TEMPLATE, SPINTAX, DOUBLED]
            weights = {TEMPLATE: 0.5, SPINTAX: 0.3, DOUBLED: 0.2}
            kinds.sort(key=lambda k: -(self.rng.random() ** (1 / weights[k])))
            for kind in kinds:
                if getattr(self, f"_{kind}")(first, last):
                    break

    def _sentences(self) -> list[tuple[int, int]]:
        bounds = [i for i, t in enumerate(self.toks) if t.initial] or [0]
        if bounds[0] != 0:
            bounds.insert(0, 0)
        ends = [*bounds[1:], len(self.toks)]
        return [(a, b) for a, b in zip(bounds, ends, strict=True) if b > a]

    def _free_plain(self, i: int) -> bool:
        tok = self.toks[i]
        return not self.claimed[i] and not tok.clitic and tok.text.isalpha()

    def _template(self, first: int, last: int) -> bool:
        runs = []
        for i in range(first, last):
            for n in (2, 1, 3):
                j = i + n - 1
                if j < last and all(self._free_plain(k) for k in range(i, j + 1)):
                    if all(self._adjacent(k) for k in range(i, j)):
                        runs.append((i, j))
        if not runs:
            return False
        stop = self.data.stop_words
        function_runs = [r for r in runs if all(self.toks[k].lower in stop for k in range(r[0], r[1] + 1))]
        i, j = (function_runs or runs)[self.rng.randrange(len(function_runs or runs))]
        start, end = self.toks[i].start, self.toks[j].end
        self._claim(i, j, start, end, "{" + self.text[start:end] + "}", TEMPLATE, "artifact")
        return True

    def _spintax(self, first: int, last: int) -> bool:
        spots = []
        for i in range(first, last):
            if self._free_plain(i):
                for group in self.data.spintax:
                    if self.toks[i].lower in group:
                        spots.append((i, group))
                        break
        if not spots:
            return False
        i, group = spots[self.rng.randrange(len(spots))]
        tok = self.toks[i]
        options = [o for o in group if o != tok.lower]
        self.rng.shuffle(options)
        options.insert(self.rng.randrange(len(options) + 1), tok.text)
        self._claim(i, i, tok.start, tok.end, "{" + "|".join(options) + "}", SPINTAX, "artifact")
        return True

    def _doubled(self, first: int, last: int) -> bool:
        spots = [i for i in range(first, last) if self._free_plain(i) and self.toks[i].lower in _DOUBLE_WORDS]
        if not spots:
            return False
        i = spots[self.rng.randrange(len(spots))]
        tok = self.toks[i]
        self._claim(i, i, tok.start, tok.end, tok.text + " " + tok.text.lower(), DOUBLED, "artifact")
        return True

    # -- synonym swaps

    def swaps(self) -> int:
        """Swap words and phrases until about ``rate`` of the content words are replaced."""
        content = sum(1 for t in self.toks if t.content)
        budget = self.rate * content
        budget = int(budget) + (1 if self.rng.random() < budget - int(budget) else 0)
        units = self._units()
        # Weighted random order (Efraimidis-Spirakis): phrases get ``phrase_weight`` times the chance to go first.
        order = sorted(range(len(units)), key=lambda u: -(self.rng.random() ** (1 / units[u][3])))
        spent = 0
        for u in order:
            if spent >= budget:
                break
            first, last, kind, _, key, upos, tag = units[u]
            if any(self.claimed[k] for k in range(first, last + 1)):
                continue
            cost = max(1, sum(1 for k in range(first, last + 1) if self.toks[k].content))
            if spent + cost > budget:
                continue
            if kind == WORD:
                options = _word_options(key, self.sources, self.min_zipf, self.draw)
                drawn = _draw(self.rng, options, lambda o, w=key: _word_form(w, o, self.min_zipf))
            else:
                options = _phrase_options(key, upos, tag, self.sources, self.min_zipf, self.draw)
                drawn = _draw(self.rng, options, lambda o: _phrase_form(o, self.min_zipf))
            if drawn is None:
                continue
            source, synonym = drawn
            start, end = self.toks[first].start, self.toks[last].end
            self._claim(first, last, start, end, match_case(self.text[start:end], synonym), kind, source)
            spent += cost
        return content

    def _units(self) -> list[tuple[int, int, str, float, str, str, str]]:
        """Candidate units in text order: (first, last, kind, weight, lookup key, upos, tag)."""
        keys = _phrase_keys(self.sources)
        curated = self.data.phrases
        units = []
        in_phrase = -1  # last token covered by a phrase unit: a spinner matches the longest entry first
        for i, tok in enumerate(self.toks):
            if self.claimed[i]:
                continue
            for n in (4, 3, 2):
                last = i + n - 1
                if last >= len(self.toks) or not self._phrase_span(i, last):
                    continue
                words = [self.toks[k].lower for k in range(i, last + 1)]
                key = " ".join(words)
                if key in keys and self._usable_phrase(key, "", ""):
                    units.append((i, last, PHRASE, self.phrase_weight, key, "", ""))
                    in_phrase = max(in_phrase, last)
                    continue
                # A phrasal verb in another form: "took part" looks up "take part".
                for upos, lemma, tag in _analyses(words[0]):
                    if upos == "VERB" and tag not in _BASE_TAGS and lemma != words[0]:
                        lemma_key = " ".join([lemma, *words[1:]])
                        if lemma_key in keys and self._usable_phrase(lemma_key, "VERB", tag):
                            units.append((i, last, PHRASE, self.phrase_weight, lemma_key, "VERB", tag))
                            in_phrase = max(in_phrase, last)
                            break
            if i <= in_phrase:
                continue
            if tok.lower in curated and not tok.clitic and tok.lower not in self.data.stop_words:
                units.append((i, i, PHRASE, self.phrase_weight, tok.lower, "", ""))
            elif tok.content:
                units.append((i, i, WORD, 1.0, tok.lower, "", ""))
        return units

    def _usable_phrase(self, key: str, upos: str, tag: str) -> bool:
        return _phrase_usable(key, upos, tag, self.sources, self.min_zipf, self.draw)

    def _phrase_span(self, first: int, last: int) -> bool:
        for k in range(first, last + 1):
            tok = self.toks[k]
            if self.claimed[k] or tok.clitic or not tok.text.isalpha() or (tok.name and not tok.initial):
                return False
            if k < last and not self._adjacent(k):
                return False
        head = self.toks[first]
        return not (head.name and head.initial and head.lower not in self.data.stop_words)

    # -- result

    def result(self, content: int) -> SpunText:
        pieces = []
        subs = []
        pos = 0
        delta = 0
        for edit in sorted(self.edits, key=lambda e: e.start):
            pieces.append(self.text[pos : edit.start])
            pieces.append(edit.replacement)
            spun_start = edit.start + delta
            subs.append(
                Substitution(
                    edit.start,
                    edit.end,
                    spun_start,
                    spun_start + len(edit.replacement),
                    self.text[edit.start : edit.end],
                    edit.replacement,
                    edit.kind,
                    edit.source,
                )
            )
            delta += len(edit.replacement) - (edit.end - edit.start)
            pos = edit.end
        pieces.append(self.text[pos:])
        return SpunText(self.text, "".join(pieces), tuple(subs), content)


def _rng(seed: int | str, *salt: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join([str(seed), *salt]).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def spin_text(
    text: str,
    seed: int | str = 0,
    rate: float = 0.2,
    *,
    artifact_rate: float = 0.03,
    sources: Sequence[str] | None = None,
    min_zipf: float = 2.5,
    phrase_weight: float = 2.0,
    protect: Iterable[str] = (),
    data: SpinData | None = None,
    draw: str = "rank",
) -> SpunText:
    """Spin ``text`` like a context-blind article spinner; same seed, same output.

    ``rate`` is the share of content words (nouns, verbs, adjectives, adverbs; not
    stop words, numbers or names) to replace; ``artifact_rate`` the chance of a
    mechanical artifact at each opportunity (each contraction, each fixed name,
    each sentence for braces, spintax or a doubled word). ``sources`` limits the
    thesauri (default: all installed); ``min_zipf`` is the least wordfreq Zipf
    frequency of every word of a synonym, so the output reads like real spun
    text rather than a dictionary dump. ``protect`` names words that are names
    when capitalised, even at the start of a sentence (``spin_records`` passes
    the capitalised words seen mid-sentence anywhere in the document). ``draw``
    is how a synonym is picked among a word's (``DRAWS``).

    >>> spun = spin_text("The soldiers fired at the old bridge.", seed=3, rate=1.0, artifact_rate=0.0)
    >>> all(spun.text[s.spun_start:s.spun_end] == s.spun for s in spun.substitutions)
    True
    """
    if not 0.0 <= rate <= 1.0 or not 0.0 <= artifact_rate <= 1.0:
        raise ValueError("rate and artifact_rate must be between 0 and 1")
    if draw not in DRAWS:
        raise ValueError(f"draw must be one of {', '.join(DRAWS)}, not {draw!r}")
    names = tuple(thesauri.available_sources() if sources is None else sources)
    spinner = _Spinner(
        text,
        _rng(seed),
        rate,
        artifact_rate,
        names,
        min_zipf,
        phrase_weight,
        data or load_spin_data(),
        frozenset(w.lower() for w in protect),
        draw,
    )
    spinner.contractions()
    spinner.names()
    spinner.sentence_artifacts()
    content = spinner.swaps()
    return spinner.result(content)


# ------------------------------------------------------------------ gold records and files


def _chunks(text: str, unit: str) -> Iterator[str]:
    if unit == "paragraph":
        for block in re.split(r"\n\s*\n", text):
            block = block.strip()
            if block:
                yield block
    elif unit == "sentence":
        tokens = tokenize(text)
        for sentence in split_sentences(text, tokens):
            chunk = text[sentence.start : sentence.end].strip()
            if chunk:
                yield chunk
    else:
        raise ValueError(f"unit must be 'sentence' or 'paragraph', not {unit!r}")


def _document_names(text: str) -> frozenset[str]:
    """Words a document capitalises mid-sentence: names, also where they start a sentence."""
    tokens = tokenize(text)
    initial = {s.first_token for s in split_sentences(text, tokens)}
    return frozenset(_CLITIC.sub("", t.norm) for i, t in enumerate(tokens) if t.text[:1].isupper() and i not in initial)


def spin_records(
    documents: Iterable[tuple[str, str]],
    seed: int | str = 0,
    rate: float = 0.2,
    *,
    unit: str = "sentence",
    min_words: int = 4,
    artifact_rate: float = 0.03,
    sources: Sequence[str] | None = None,
    details: bool = False,
    **options: Any,
) -> Iterator[dict[str, Any]]:
    """Gold records ``{id, spun, original, must_fix}`` (DESIGN.md), one per sentence or paragraph.

    ``documents`` are ``(doc_id, text)`` pairs; a record's id is ``doc_id:n``
    (n counts the document's kept units from 1), and its random stream is seeded
    from ``seed`` and that id, so a record does not change when other documents
    are added. Units with fewer than ``min_words`` words are skipped. With
    ``details`` each record also carries its substitutions with offsets and kinds.
    """
    for doc_id, text in documents:
        protect = _document_names(text)
        n = 0
        for chunk in _chunks(text, unit):
            if sum(1 for _ in WORD_RE.finditer(chunk)) < min_words:
                continue
            n += 1
            record_id = f"{doc_id}:{n}"
            spun = spin_text(
                chunk,
                seed=f"{seed}\x1f{record_id}",
                rate=rate,
                artifact_rate=artifact_rate,
                sources=sources,
                protect=protect,
                **options,
            )
            record: dict[str, Any] = {
                "id": record_id,
                "spun": spun.text,
                "original": spun.original,
                "must_fix": spun.must_fix,
            }
            if details:
                record["substitutions"] = [s.to_dict() for s in spun.substitutions]
            yield record


@dataclass
class SpinRun:
    """What ``spin_files`` did: records written, files read, and files that could not be read."""

    records: int = 0
    files: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def spin_files(
    paths: Sequence[str],
    seed: int | str,
    rate: float = 0.2,
    out: str | Path | IO[str] | None = None,
    **options: Any,
) -> SpinRun:
    """Spin text files (or directories, or ``-`` for stdin) into a gold JSONL file; ``out=None`` is stdout.

    This is what ``repair spin PATH... --seed N [--rate R] [--out FILE]`` calls.
    Files are read in sorted order per argument, as ``repair clean`` reads them;
    one that cannot be read is recorded in ``SpinRun.errors`` and the rest go on.
    ``options`` go to ``spin_records`` (``unit``, ``artifact_rate``, ``min_words``, ...).
    """
    from .config import load_config
    from .runner import STDIN, FileJob, expand_paths, read_input
    from .textio import decode

    run = SpinRun()
    documents: list[tuple[str, str]] = []
    for job in expand_paths(list(paths), load_config(isolated=True)):
        if not isinstance(job, FileJob):
            run.errors.append((job.path, job.message))
            continue
        try:
            text = decode(read_input(job.path)).text
        except (OSError, ValueError) as exc:
            run.errors.append((job.path, str(exc)))
            continue
        run.files += 1
        documents.append((job.rel if job.path != STDIN else "stdin", text))

    def write(stream: IO[str]) -> None:
        for record in spin_records(documents, seed, rate, **options):
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            run.records += 1

    if out is None:
        write(sys.stdout)
    elif isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as stream:
            write(stream)
    else:
        write(out)
    return run
