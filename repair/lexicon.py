"""Lexicons of known spins: plain TSV files, compiled into a fast phrase matcher.

A lexicon file is UTF-8 TSV. Lines starting with ``#`` before the header are
comments (attribution lives there). Columns (header names, any order):

``spun``        the spun phrase (matched whole-word, case-insensitively, with
                hyphen and space variants and inflected forms of its last word)
``original``    the wording to restore
``context``     optional: terms that must occur in the same document for the row
                to fire; groups separated by `` ; `` are all required, alternatives
                in a group are separated by `` | ``; a term may end in ``*``
                (prefix) or ``~N`` (its words within N words of each other)
``exclude``     optional: terms that veto the row (same syntax, `` ; ``-separated)
``kind``        optional: ``phrase`` (default) or ``and-context``
``confidence``  optional: prior confidence in [0, 1] that a hit is a spin
``alternatives`` optional: other plausible originals, `` | ``-separated
``source``, ``licence``  provenance, carried into reports

Rows of kind ``and-context`` must have a context; they never fire alone.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .form import match_word_case
from .model import Document, Token
from .segment import WORD_RE, norm

COLUMNS = ("spun", "original", "context", "exclude", "kind", "confidence", "alternatives", "source", "licence")
REQUIRED = ("spun", "original")
KINDS = ("phrase", "and-context")
DEFAULT_CONFIDENCE = 0.9

# Penn tags we re-inflect a row's last word to. Comparatives are left out: the
# spun and original heads rarely share an adjective paradigm.
_INFLECT_TAGS = ("NN", "NNS", "VB", "VBD", "VBG", "VBN", "VBZ")


class LexiconError(ValueError):
    """A lexicon file that cannot be used, with file and line in the message."""


@dataclass(frozen=True, slots=True)
class Entry:
    spun: str
    original: str
    context: str = ""
    exclude: str = ""
    kind: str = "phrase"
    confidence: float = DEFAULT_CONFIDENCE
    alternatives: tuple[str, ...] = ()
    source: str = ""
    licence: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Variant:
    """One surface form of an entry: the spun form and the original re-inflected to match."""

    entry: Entry
    original: str
    alternatives: tuple[str, ...]
    inflected: bool


def phrase_key(text: str) -> tuple[str, ...]:
    """Token norms interleaved with gap signatures; hyphens and spaces are one gap.

    ``"k-closest neighbors"`` and ``"k closest  neighbors"`` give the same key,
    ``"et al."`` keeps its period inside, a sentence break does not match a space.
    """
    matches = list(WORD_RE.finditer(text))
    key: list[str] = []
    for i, m in enumerate(matches):
        if i:
            key.append(gap_signature(text[matches[i - 1].end() : m.start()]))
        key.append(norm(m.group()))
    return tuple(key)


_GAP_DROP = str.maketrans("", "", " \t\r\n-\u2010\u2011\u2012\u2013\u00a0")


def gap_signature(gap: str) -> str:
    """What must match between two words: punctuation only; a paragraph break blocks."""
    if len(gap) > 1 and gap.replace("\r\n", "\n").replace("\r", "\n").count("\n") > 1:
        return "\u00b6"
    return gap.translate(_GAP_DROP)


def read_lexicon(path: str | Path) -> list[Entry]:
    """Read and validate one lexicon file; errors name the file and line."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc
    lines = raw.splitlines()
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise LexiconError(f"{path}: empty lexicon (no header row)")
    header = lines[start].split("\t")
    unknown = [c for c in header if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if missing or unknown:
        problem = f"missing column(s) {missing}" if missing else f"unknown column(s) {unknown}"
        raise LexiconError(f"{path}:{start + 1}: {problem}; expected {', '.join(COLUMNS)}")
    entries: list[Entry] = []
    reader = csv.reader(lines[start + 1 :], delimiter="\t", quoting=csv.QUOTE_NONE)
    for offset, row in enumerate(reader):
        lineno = start + 2 + offset
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("#"):
            continue
        if len(row) > len(header):
            raise LexiconError(f"{path}:{lineno}: {len(row)} fields, header has {len(header)}")
        values = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        entries.append(_entry_from_row(values, path, lineno))
    return entries


def _entry_from_row(values: dict[str, str], path: Path, lineno: int) -> Entry:
    where = f"{path}:{lineno}"
    spun, original = values["spun"].strip(), values["original"].strip()
    if not phrase_key(spun) or not phrase_key(original):
        raise LexiconError(f"{where}: 'spun' and 'original' must both contain words")
    kind = values.get("kind", "").strip() or "phrase"
    if kind not in KINDS:
        raise LexiconError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    context = values.get("context", "").strip()
    if kind == "and-context" and not context:
        raise LexiconError(f"{where}: an and-context row needs a context")
    conf_text = values.get("confidence", "").strip()
    try:
        confidence = float(conf_text) if conf_text else DEFAULT_CONFIDENCE
    except ValueError:
        raise LexiconError(f"{where}: confidence {conf_text!r} is not a number") from None
    if not 0.0 <= confidence <= 1.0:
        raise LexiconError(f"{where}: confidence {confidence} is outside [0, 1]")
    alternatives = tuple(a.strip() for a in values.get("alternatives", "").split("|") if a.strip())
    return Entry(
        spun=spun,
        original=original,
        context=context,
        exclude=values.get("exclude", "").strip(),
        kind=kind,
        confidence=confidence,
        alternatives=alternatives,
        source=values.get("source", "").strip(),
        licence=values.get("licence", "").strip(),
        file=str(path),
        line=lineno,
    )


# --------------------------------------------------------------------------- inflection


@lru_cache(maxsize=65536)
def _inflections(word: str) -> dict[str, str]:
    """Penn tag -> form for the paradigms ``word`` belongs to (first form each)."""
    from lemminflect import getAllInflections, getAllLemmas

    forms: dict[str, str] = {}
    for lemmas in getAllLemmas(word.lower()).values():
        for lemma in lemmas:
            for tag, values in getAllInflections(lemma).items():
                if tag in _INFLECT_TAGS and values:
                    forms.setdefault(tag, values[0])
    return forms


def _tags_of(word: str) -> set[str]:
    return {tag for tag, form in _inflections(word).items() if form == word.lower()}


def _can_be_noun(word: str) -> bool:
    return any(tag.startswith("N") for tag in _tags_of(word))


def _replace_last_word(phrase: str, new_word: str) -> str:
    matches = list(WORD_RE.finditer(phrase))
    last = matches[-1]
    return phrase[: last.start()] + new_word + phrase[last.end() :]


def _last_word(phrase: str) -> str:
    return list(WORD_RE.finditer(phrase))[-1].group()


def inflected_variants(entry: Entry) -> list[tuple[str, str, tuple[str, ...]]]:
    """(spun form, original form, alternatives) for the entry and its inflections.

    Only the last word is inflected, and only to a tag the original's last word
    also has a form for, so "irregular woodlands" maps to "random forests". A row
    with exclude terms is not inflected.
    """
    variants = [(entry.spun, entry.original, entry.alternatives)]
    if entry.exclude:
        # The row's own exclude terms say its spun form has legitimate uses ("remove
        # highlights" in papers on specular highlights). Inflecting it would spread that
        # ambiguity to forms nobody listed: on 2.06M words of real help files and release
        # notes, "remove highlight" and "removing highlight" were the default level's only
        # false edits (3). Such a row matches as written.
        return variants
    spun_last, orig_last = _last_word(entry.spun), _last_word(entry.original)
    if not spun_last.isalpha() or not orig_last.isalpha() or len(orig_last) < 3:
        return variants
    if orig_last.isupper():  # acronyms do not inflect
        return variants
    spun_tags = _tags_of(spun_last)
    orig_tags = _tags_of(orig_last)
    if not spun_tags or not orig_tags:
        return variants
    spun_forms = _inflections(spun_last)
    orig_forms = _inflections(orig_last)
    # Pair the forms: same tag -> same tag, as long as both sides share the
    # entry's own tag (a noun row only yields noun forms).
    shared = spun_tags & orig_tags
    if not shared:
        return variants
    families = {"N": ("NN", "NNS"), "V": ("VB", "VBD", "VBG", "VBN", "VBZ")}
    allowed = {t for tag in shared for t in families[tag[0]]}
    # A phrase's last word is its head noun whenever it can be one ("remove highlights"
    # -> "extract features"), so its verb forms stand only where they are nouns too
    # ("getting ready and test" -> "training and test"). Without this rule, 3,671
    # variants of the shipped rows restored nothing real ("remove highlighting" ->
    # "extract featuring", "expense worked" -> "loss functioned"); on 2.06M words of real
    # help files and release notes the first of those was a false edit at the default level.
    head_noun = any(tag.startswith("N") for tag in shared) and len(WORD_RE.findall(entry.spun)) > 1
    seen = {entry.spun.lower()}
    for tag in sorted(allowed):
        if tag not in spun_forms or tag not in orig_forms:
            continue
        if head_noun and tag.startswith("V") and not (_can_be_noun(spun_forms[tag]) and _can_be_noun(orig_forms[tag])):
            continue
        spun_form = match_word_case(spun_forms[tag], spun_last)
        spun_variant = _replace_last_word(entry.spun, spun_form)
        if spun_variant.lower() in seen:
            continue
        seen.add(spun_variant.lower())
        orig_variant = _replace_last_word(entry.original, match_word_case(orig_forms[tag], orig_last))
        alts = tuple(
            _replace_last_word(a, _inflections(_last_word(a)).get(tag, _last_word(a))) for a in entry.alternatives
        )
        variants.append((spun_variant, orig_variant, alts))
    return variants


# --------------------------------------------------------------------------- matching


@dataclass(slots=True)
class Match:
    start_token: int
    end_token: int  # exclusive
    variants: list[Variant]
    # Characters at the end of the last token that are not part of the phrase: the
    # possessive "'s" of "irregular woodland's", which stays in place after the edit.
    clitic: int = 0


POSSESSIVE = "'s"


def _possessive_stem(norm_word: str) -> str | None:
    """The word without its possessive "'s" ("woodland's" -> "woodland"), or None."""
    if norm_word.endswith(POSSESSIVE) and len(norm_word) > len(POSSESSIVE):
        return norm_word[: -len(POSSESSIVE)]
    return None


@dataclass
class Lexicon:
    """A compiled set of entries: key -> variants, with an index on the first token."""

    entries: list[Entry] = field(default_factory=list)
    _table: dict[tuple[str, ...], list[Variant]] = field(default_factory=dict)
    _lengths: dict[str, list[int]] = field(default_factory=dict)
    _context_terms: frozenset[str] | None = None
    _context_vocabulary: tuple[frozenset[str], tuple[str, ...]] | None = None

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], inflect: bool = True) -> Lexicon:
        entries: list[Entry] = []
        for path in paths:
            entries.extend(read_lexicon(path))
        return cls.from_entries(entries, inflect=inflect)

    @classmethod
    def from_entries(cls, entries: Sequence[Entry], inflect: bool = True) -> Lexicon:
        lexicon = cls(entries=list(entries))
        for entry in entries:
            forms = inflected_variants(entry) if inflect else [(entry.spun, entry.original, entry.alternatives)]
            for i, (spun, original, alternatives) in enumerate(forms):
                lexicon._add(phrase_key(spun), Variant(entry, original, alternatives, inflected=i > 0))
        for first, lengths in lexicon._lengths.items():
            lexicon._lengths[first] = sorted(set(lengths), reverse=True)
        return lexicon

    def _add(self, key: tuple[str, ...], variant: Variant) -> None:
        bucket = self._table.setdefault(key, [])
        if any(v.entry is variant.entry for v in bucket):
            return
        bucket.append(variant)
        self._lengths.setdefault(key[0], []).append((len(key) + 1) // 2)

    def __len__(self) -> int:
        return len(self.entries)

    def context_terms(self) -> frozenset[str]:
        """Every term any row's context or exclude cell can ask about (computed once)."""
        if self._context_terms is None:
            terms: set[str] = set()
            for entry in self.entries:
                terms.update(split_terms(entry.context))
                terms.update(split_terms(entry.exclude))
            self._context_terms = frozenset(terms)
        return self._context_terms

    def context_vocabulary(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """The words context terms are made of, and the prefixes of their ``*`` terms.

        A repair that neither removes nor adds one of these words cannot change
        whether any row's context is present.
        """
        if self._context_vocabulary is None:
            words: set[str] = set()
            prefixes: set[str] = set()
            for term in self.context_terms():
                body = re.sub(r"~\d+\s*$", "", term.strip())
                found = [norm(w) for w in WORD_RE.findall(body)]
                if body.rstrip().endswith("*") and found:
                    prefixes.add(found.pop())
                words.update(found)
            self._context_vocabulary = (frozenset(words), tuple(sorted(prefixes)))
        return self._context_vocabulary

    def match(self, doc: Document) -> list[Match]:
        """All lexicon keys found in the document, longest first at each position.

        Overlapping matches are all returned; the decide stage picks among them.
        A phrase whose last word carries a possessive "'s" matches too, without
        it ("irregular woodland's" is "irregular woodland" + "'s"), unless the
        possessive form is a key of its own.
        """
        tokens, text = doc.tokens, doc.text
        matches: list[Match] = []
        lengths_of = self._lengths
        table = self._table
        for i, token in enumerate(tokens):
            first_stem = _possessive_stem(token.norm)
            lengths = lengths_of.get(token.norm, [])
            if first_stem is not None and 1 in lengths_of.get(first_stem, ()) and 1 not in lengths:
                lengths = sorted({*lengths, 1}, reverse=True)
            for n in lengths:
                if i + n > len(tokens):
                    continue
                variants = table.get(_text_key(tokens, text, i, n))
                if variants:
                    matches.append(Match(i, i + n, variants))
                    continue
                last = tokens[i + n - 1].norm
                stem = _possessive_stem(last)
                variants = table.get(_text_key(tokens, text, i, n, stem)) if stem is not None else None
                if variants:
                    matches.append(Match(i, i + n, variants, clitic=len(POSSESSIVE)))
        return matches


def _text_key(tokens: list[Token], text: str, i: int, n: int, last: str | None = None) -> tuple[str, ...]:
    """The table key of tokens ``[i, i + n)``; ``last`` stands in for the last token's norm."""
    key = [tokens[i].norm]
    for j in range(i + 1, i + n):
        key.append(gap_signature(text[tokens[j - 1].end : tokens[j].start]))
        key.append(tokens[j].norm)
    if last is not None:
        key[-1] = last
    return tuple(key)


# --------------------------------------------------------------------------- context


class DocTerms:
    """Answers "does this context term occur in the document?" with caching."""

    # Brace groups of notation in the whole document (repair.artifacts.notation_braces), where a
    # streamed file's scan pass counted them (KnownTerms); None: count them in the text at hand.
    brace_notation: int | None = None

    def __init__(self, doc: Document) -> None:
        self._norms = [t.norm for t in doc.tokens]
        self._joined: str | None = None
        self._vocab: set[str] | None = None
        self._cache: dict[str, bool] = {}

    @classmethod
    def from_norms(cls, norms: list[str]) -> DocTerms:
        """Terms of a bare word sequence (a window of a streamed document)."""
        terms = cls.__new__(cls)
        terms._norms = norms
        terms._joined = None
        terms._vocab = None
        terms._cache = {}
        return terms

    @property
    def joined(self) -> str:
        if self._joined is None:
            self._joined = " " + " ".join(self._norms) + " "
        return self._joined

    @property
    def vocab(self) -> set[str]:
        if self._vocab is None:
            self._vocab = set(self._norms)
        return self._vocab

    def has(self, term: str) -> bool:
        term = term.strip().lower()
        if term not in self._cache:
            self._cache[term] = self._has(term)
        return self._cache[term]

    def _has(self, term: str) -> bool:
        window = None
        m = re.search(r"~(\d+)\s*$", term)
        if m:
            window = int(m.group(1))
            term = term[: m.start()].strip().strip('"')
        if term.endswith("*"):
            prefix = norm(term[:-1].strip())
            if " " in prefix:
                return f" {prefix}" in self.joined
            return any(w.startswith(prefix) for w in self.vocab)
        words = [norm(m.group()) for m in WORD_RE.finditer(term)]
        if not words:
            return False
        if window is None:
            return " " + " ".join(words) + " " in self.joined
        return self._within(words, window)

    def _within(self, words: list[str], window: int) -> bool:
        if not all(w in self.vocab for w in words):
            return False
        positions = [i for i, w in enumerate(self._norms) if w == words[0]]
        span = window + len(words)
        for p in positions:
            nearby = set(self._norms[max(0, p - span) : p + span + 1])
            if all(w in nearby for w in words):
                return True
        return False

    def satisfies(self, context: str) -> bool:
        """Every `` ; ``-group has at least one `` | ``-alternative present."""
        groups = [g for g in context.split(";") if g.strip()]
        return all(any(self.has(alt) for alt in g.split("|") if alt.strip()) for g in groups)

    def vetoed(self, exclude: str) -> bool:
        return any(self.has(term) for term in exclude.split(";") if term.strip())


class KnownTerms(DocTerms):
    """Context answers decided beforehand for a whole document.

    A file streamed in chunks is searched for every context term in a first
    pass (``repair.stream.TermCollector``); each chunk's lexicon detector then
    asks this object instead of looking only at its own chunk.
    """

    def __init__(self, present: frozenset[str], brace_notation: int | None = None) -> None:
        self.present = present
        self.brace_notation = brace_notation
        self._cache = {}

    def has(self, term: str) -> bool:
        return term.strip().lower() in self.present

    def with_found(self, found: Iterable[str]) -> KnownTerms:
        """These answers plus ``found``: terms that repairs wrote into the text since they were decided."""
        more = {t.strip().lower() for t in found} - self.present
        return KnownTerms(self.present | more, self.brace_notation) if more else self


def split_terms(field_text: str) -> list[str]:
    """The single terms of a ``context`` or ``exclude`` cell (`` ; `` groups of `` | `` alternatives)."""
    return [alt.strip() for group in field_text.split(";") for alt in group.split("|") if alt.strip()]


def term_reach(term: str) -> int:
    """How many consecutive words a context term can involve (its words, or its ``~N`` window both ways)."""
    term = term.strip()
    m = re.search(r"~(\d+)\s*$", term)
    words = len(WORD_RE.findall(term[: m.start()] if m else term)) or 1
    if m:
        return 2 * (int(m.group(1)) + words) + 1
    return words
