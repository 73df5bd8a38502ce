"""Mechanical residue that spinners leave behind, each repair a small named rule.

These are not synonym swaps but breakage: a contraction whose first half was
replaced by a phrase ("are able to't" for "can't"), template braces the spinner
forgot to remove ("{that a}"), unexpanded spintax ("{a|the}"), and doubled
function words. Every rule returns spans with its proposal and a reason, so the
reporter can explain it, and the rules are plain data-driven regexes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

from .inverse import function_words
from .model import SPINTAX_STEP, Candidate, Document, Finding, Span
from .segment import LINE_BREAK, WORD_RE

if TYPE_CHECKING:
    from .evidence import SpinEvidence

DETECTOR = "artifact"
# Doubled words are as often plain typos as spinner residue; below the default
# threshold they are reported for review, not written (in a document that reads
# as spun, see :func:`in_spun_document`).
DOUBLED_CONFIDENCE = 0.7


@dataclass(frozen=True, slots=True)
class ArtifactHit:
    start: int
    end: int
    proposal: str
    confidence: float
    reason: str
    alternatives: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """The word lists in ``repair/data/artifacts.toml`` (read once)."""
    text = importlib_resources.files("repair").joinpath("data/artifacts.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _words(*keys: str) -> list[str]:
    node: Any = _data()
    for key in keys:
        node = node[key]
    return sorted(node, key=lambda w: (-len(w), w))


Rule = Callable[[str], Iterator[ArtifactHit]]
RULES: dict[str, Rule] = {}


def rule(func: Rule) -> Rule:
    RULES[func.__name__] = func
    return func


def rule_source(func: Rule) -> str:
    """The ``Candidate.source`` of a rule's proposals ("artifact:doubled_word"), which later steps match on."""
    return f"{DETECTOR}:{func.__name__}"


_APOS = "['\u2019]"

# "can" -> "be able to" inside "can't": any form of "be" + "able to" + 't.
_ABLE_TO_T = re.compile(rf"\b(?:am|is|are|was|were|be|been|being)\s+(?:not\s+)?able\s+to({_APOS})t\b", re.I)


@rule
def split_contraction(text: str) -> Iterator[ArtifactHit]:
    """ "are able to't" -> "can't": the spinner replaced "can" inside "can't"."""
    for m in _ABLE_TO_T.finditer(text):
        word = "Can" if m.group()[:1].isupper() else "can"
        yield ArtifactHit(
            m.start(),
            m.end(),
            f"{word}{m.group(1)}t",
            0.9,
            'a contraction whose first word was replaced by a phrase ("can\'t" spun as "able to\'t")',
        )


@lru_cache(maxsize=1)
def _spaced_nt() -> re.Pattern[str]:
    hosts = "|".join(_words("contractions", "nt-hosts"))
    return re.compile(rf"\b({hosts})\s+(n{_APOS}t)\b", re.I)


@rule
def spaced_contraction(text: str) -> Iterator[ArtifactHit]:
    """ "do n't" -> "don't": tokenizer residue left in the text."""
    for m in _spaced_nt().finditer(text):
        yield ArtifactHit(
            m.start(),
            m.end(),
            m.group(1) + m.group(2),
            0.9,
            'a contraction split by a tokenizer ("do n\'t")',
        )


# Braces around plain words, not preceded by a backslash command or a word
# character (LaTeX "\textbf{x}", code "f{x}" and templates "${x}" stay), and
# not doubled (Jinja/Mustache "{{x}}" is a template, and stripping one pair
# would leave "{x}" for the next run to strip again).
_TEMPLATE = re.compile(r"(?<![\\\w$%#@{])\{([A-Za-z][A-Za-z' ,.-]{0,60})\}(?!\})")
_SPINTAX = re.compile(r"(?<![\\\w$%#@{])\{([^{}|\n]{1,40}(?:\|[^{}|\n]{1,40})+)\}(?!\})")


def _brace_groups(text: str) -> list[tuple[re.Match[str], bool]]:
    """Each brace group of plain words, and whether one of its words is a function word (a template's mark)."""
    words = function_words()
    return [(m, _has_function_word(m.group(1), words)) for m in _TEMPLATE.finditer(text)]


def _notation(groups: Sequence[tuple[re.Match[str], bool]]) -> int:
    return sum(1 for _, spun in groups if not spun)


def notation_braces(text: str) -> int:
    """Brace groups with no function word among their words ("{number}", "{dir-not-exists}"): notation."""
    return _notation(_brace_groups(text))


@rule
def template_braces(text: str, notation: int | None = None) -> Iterator[ArtifactHit]:
    """ "{that a}" -> "that a": braces a spinner template left around words.

    Only where braces are residue, not the text's own notation. A spinner's
    template wraps a run of words with a function word in it ("{that a}",
    "{and by}"); documentation writes placeholders and types in braces
    ("{number}" 57 times in one API page, "{count}", "{name}", "{expr}"). So a
    group without a function word as one of its words is never flagged
    ("{dir-not-exists}" is one word), and nothing is in a text that braces two
    such groups: there braces are notation, and its "{not in Vi}" is too.
    Thirty real Markdown files (470,416 words of Node.js, Rust and Python docs)
    had 1,385 brace groups, all flagged before the rule, none after; of the
    synthetic spinner's 21 templates in the dev records and documents, one
    ("{million}") is lost.

    ``notation``: the notation groups of the whole file when ``text`` is one
    chunk of it (a streamed file's scan pass counts them, ``repair.stream``),
    so that a chunk decides as the whole file would.
    """
    found = _brace_groups(text)
    if (_notation(found) if notation is None else notation) > 1:
        return
    for m, spun in found:
        inner = m.group(1)
        if not spun or inner != inner.strip():
            continue
        yield ArtifactHit(
            m.start(),
            m.end(),
            inner,
            0.85,
            "template braces a spinner left around plain words",
        )


def _has_function_word(text: str, words: frozenset[str]) -> bool:
    """Is one of the group's words (split at spaces and commas, not hyphens) a function word?"""
    return any(word.strip(".'") in words for word in re.split(r"[\s,]+", text.casefold()))


@rule
def spintax(text: str) -> Iterator[ArtifactHit]:
    """ "{a|the}" -> one option: spintax the spinner never expanded; ambiguous."""
    for m in _SPINTAX.finditer(text):
        options = [o.strip() for o in m.group(1).split("|")]
        if not all(options):
            continue
        yield ArtifactHit(
            m.start(),
            m.end(),
            options[0],
            0.5,
            "unexpanded spintax: the spinner's list of options was left in the text",
            tuple(options[1:]),
        )


# The space between a word and its double: blanks with at most one line break. Like every
# detector, the doubled-word rules stop at a paragraph break ("... a tumour.\n\nTumour cells"
# is no doubled word), so a streamed file's chunks, cut at paragraph breaks, see what the whole does.
_GAP = rf"(?:[^\S\r\n]+|[^\S\r\n]*{LINE_BREAK}[^\S\r\n]*)"


@lru_cache(maxsize=1)
def _double_function() -> re.Pattern[str]:
    words = "|".join(_words("doubled", "function-words"))
    return re.compile(rf"\b({words}){_GAP}(\1)\b", re.I)


@rule
def doubled_word(text: str) -> Iterator[ArtifactHit]:
    """ "the the" -> "the": a function word doubled (the list is in ``data/artifacts.toml``)."""
    for m in _double_function().finditer(text):
        yield ArtifactHit(
            m.start(),
            m.end(),
            m.group(1),
            DOUBLED_CONFIDENCE,
            f'the word "{m.group(1)}" doubled (a typo as often as a spin: reported, not written by default)',
        )


_DOUBLE_ANY = re.compile(rf"\b([a-z]{{3,}}){_GAP}(\1)\b")


@rule
def doubled_content_word(text: str) -> Iterator[ArtifactHit]:
    """ "the army army" -> "the army": a lower-case content word doubled.

    Reduplication that is normal English ("very very", "bye bye") and doubled
    function words (their own rule) are skipped.
    """
    allowed = _allowed_doubles()
    for m in _DOUBLE_ANY.finditer(text):
        word = m.group(1)
        if word in allowed:
            continue
        yield ArtifactHit(
            m.start(),
            m.end(),
            word,
            DOUBLED_CONFIDENCE - 0.1,
            f'the word "{word}" doubled (often a spinner inserting a synonym next to its original)',
        )


def in_spun_document(findings: Sequence[Finding], evidence: SpinEvidence | None) -> list[Finding]:
    """The findings, with a doubled function word trusted as residue when the document reads as spun.

    Alone, "in in" is a typo as often as a spinner's: it is left for review, so
    clean text with a typo comes out unchanged. A document whose own findings
    say it was spun as a whole (:mod:`repair.evidence`, which only the context
    detector's runs weigh) is no edited prose: there the doubled word gets
    ``[doubled] spun-document-confidence`` (``data/artifacts.toml``, with what
    it was measured at) and its reason says why. Doubled content words keep
    their confidence: they often end a spun phrase whose last word the spinner
    repeated ("team up with with"), which removing one copy does not restore.
    """
    if evidence is None or not evidence.spun:
        return list(findings)
    sure = float(_data()["doubled"]["spun-document-confidence"])
    source = rule_source(doubled_word)
    out = []
    for finding in findings:
        best = finding.best
        if best is not None and best.source == source and best.score < sure:
            why = f"; {evidence.describe()}, where a doubled word is the spinner's rather than a typo"
            finding = Finding(
                replace(finding.span, score=sure),
                (replace(best, score=sure), *finding.candidates[1:]),
                finding.reason + why,
            )
        out.append(finding)
    return out


@lru_cache(maxsize=1)
def _allowed_doubles() -> frozenset[str]:
    return frozenset(_words("doubled", "allowed")) | frozenset(_words("doubled", "function-words"))


_SPACED_CLITIC = re.compile(rf"\b([A-Za-z]+)\s+({_APOS})(s|re|ll|ve|d|m)\b(?!{_APOS})")


@rule
def spaced_clitic(text: str) -> Iterator[ArtifactHit]:
    """ "it 's" -> "it's", "we 're" -> "we're": a clitic split off by a tokenizer."""
    hosts = frozenset(_words("contractions", "clitic-hosts"))
    clitics = frozenset(_words("contractions", "clitics"))
    for m in _SPACED_CLITIC.finditer(text):
        if m.group(1).lower() not in hosts or m.group(3).lower() not in clitics:
            continue
        # An opening quote before a word is not a clitic: "'s" must end the word.
        yield ArtifactHit(
            m.start(),
            m.end(),
            m.group(1) + m.group(2) + m.group(3),
            0.85,
            'a contraction split by a tokenizer ("it \'s")',
        )


_NEG_TOKEN = re.compile(rf"\b([A-Za-z]+?)(n?)({_APOS})t\b")


@rule
def mangled_negative(text: str) -> Iterator[ArtifactHit]:
    """ "performn't" -> "don't": a negative contraction whose host word was swapped.

    The spinner replaced the first half of a contraction ("do" in "don't") with
    a synonym and glued the "n't" back on. The host is found by asking the
    inverted thesaurus which contraction host the glued word is a synonym of;
    without a thesaurus the rule proposes nothing.
    """
    negatives = {w.replace("'", "") for w in _words("contractions", "negatives")}
    hosts = _words("contractions", "nt-hosts")
    irregular = _data()["contractions"]["irregular"]
    for m in _NEG_TOKEN.finditer(text):
        stem, n, apos = m.group(1), m.group(2), m.group(3)
        whole = (stem + n + "t").lower()
        if whole in negatives or stem.lower() in ("can", "don", "won"):
            continue
        if not n and stem.lower().endswith("n") and (stem + "t").lower() in negatives:
            continue
        originals = _contraction_hosts(stem.lower(), tuple(hosts), tuple(sorted(irregular.items())))
        if not originals:
            continue
        forms = [_negative(h, apos, irregular) for h in originals]
        forms = [f[:1].upper() + f[1:] if stem[:1].isupper() else f for f in forms]
        yield ArtifactHit(
            m.start(),
            m.end(),
            forms[0],
            0.85,
            f'a contraction whose first word was swapped for a synonym ("{forms[0]}" spun as "{m.group()}")',
            tuple(forms[1:]),
        )


def _negative(host: str, apos: str, irregular: dict[str, str]) -> str:
    if host in irregular:
        return irregular[host].replace("'", apos)
    return f"{host}n{apos}t"


@lru_cache(maxsize=4096)
def _contraction_hosts(stem: str, hosts: tuple[str, ...], irregular: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Contraction hosts (and "can", "will", ...) that ``stem`` is a thesaurus synonym of."""
    from .inverse import default_index

    index = default_index()
    if index is None:
        return ()
    # "ca", "wo", "ai", "sha" are halves of irregular negatives, not words a thesaurus lists.
    wanted = {h for h in hosts if h not in ("ca", "wo", "ai", "sha")} | {k for k, _ in irregular}
    found = [(c.score, c.text) for c in index.lookup(stem) if c.text.lower() in wanted]
    return tuple(t.lower() for _, t in sorted(found, key=lambda x: (-x[0], x[1])))


# --------------------------------------------------------------------------- broken names


@dataclass(frozen=True, slots=True)
class NameTable:
    """Fixed names with one word left out: (words with a ``*`` slot) -> the full names."""

    names: frozenset[tuple[str, ...]]
    slots: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    lengths: tuple[int, ...]
    vocabulary: frozenset[str]  # every word of every name, in lower case (the rule's cheap test)


@lru_cache(maxsize=1)
def name_table() -> NameTable:
    """Read ``repair/data/fixed_names.tsv`` (built by ``tools/build_fixed_names.py``)."""
    raw = importlib_resources.files("repair").joinpath("data/fixed_names.tsv").read_text(encoding="utf-8")
    names: set[tuple[str, ...]] = set()
    slots: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    header_seen = False
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        words = tuple(line.split("\t", 1)[0].split(" "))
        names.add(tuple(w.lower() for w in words))
        for i, word in enumerate(words):
            if not word[:1].isupper() or _ROMAN.match(word) or len(word) < 3:
                continue
            key = tuple("*" if j == i else w.lower() for j, w in enumerate(words))
            slots.setdefault(key, []).append(words)
    return NameTable(
        frozenset(names),
        {k: tuple(v) for k, v in slots.items()},
        tuple(sorted({len(k) for k in slots}, reverse=True)),
        frozenset(word for name in names for word in name),
    )


_ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3})$")


@rule
def broken_name(text: str) -> Iterator[ArtifactHit]:
    """ "Supreme Courtroom" -> "Supreme Court": a word of a fixed name swapped for a synonym.

    A run of words matches a listed name in every word but one; that one is
    capitalised like a name word, is not the same word inflected, and the
    inverted thesaurus gives the name's word a prior of at least ``min-prior``
    as its original (``data/artifacts.toml``). Two names can differ by a pair of
    loose synonyms ("National Conference", "National Congress"), so the
    confidence grows with that prior and stays below the default threshold
    unless the swap is a likely one: the ranker decides the rest.
    """
    table = name_table()
    names = _data()["names"]
    if not table.slots:
        return
    matches = list(WORD_RE.finditer(text))
    words = [m.group() for m in matches]
    lower = [w.lower() for w in words]
    # Cheap tests first, from running counts over the text (most runs of capitalised words
    # are no name at all, and this rule runs at every level): how many words up to k are
    # followed by a single space, are words of some name, and are such a word after another.
    spaced, known, pairs = _running_counts(text, matches, lower, table.vocabulary)
    taken_until = -1
    for i in range(len(words)):
        if i < taken_until or (not words[i][:1].isupper() and lower[i] not in ("of", "the", "and", "for")):
            continue
        for n in table.lengths:
            if i + n > len(words):
                continue
            if spaced[i + n - 1] - spaced[i] < n - 1:
                continue  # not one space between every two words
            if known[i + n] - known[i] < n - 1 and pairs[i + n - 1] - pairs[i] == 0:
                # Neither a name nor a name with one word swapped (each has at most one word
                # outside the names' words), nor holding a name of two or more words.
                continue
            window = tuple(lower[i : i + n])
            if window in table.names or _holds_known_name(table, window):
                break
            hit = _name_hit(table, window, words[i : i + n])
            if hit is None:
                continue
            name, slot, prior = hit
            start, end = matches[i].start(), matches[i + n - 1].end()
            taken_until = i + n
            yield ArtifactHit(
                start,
                end,
                " ".join(name),
                min(names["max-confidence"], names["base-confidence"] + prior),
                f'the fixed name "{" ".join(name)}" with "{name[slot]}" swapped for its synonym "{words[i + slot]}"',
            )
            break


def _running_counts(
    text: str, matches: list[re.Match[str]], lower: list[str], vocabulary: frozenset[str]
) -> tuple[list[int], list[int], list[int]]:
    """Prefix counts for :func:`broken_name`: ``counts[b] - counts[a]`` over words ``a`` to ``b``.

    ``spaced``: words followed by exactly one space (the last word of the text is not);
    ``known``: words of some name; ``pairs``: such words right after another such word
    (``pairs[k + 1] - pairs[k]`` says whether words ``k`` and ``k + 1`` both are).
    """
    in_names = [word in vocabulary for word in lower]
    spaced, known, pairs = [0], [0], [0]
    for k, here in enumerate(in_names):
        follows = k + 1 < len(matches) and text[matches[k].end() : matches[k + 1].start()] == " "
        spaced.append(spaced[-1] + follows)
        known.append(known[-1] + here)
        pairs.append(pairs[-1] + (here and k + 1 < len(in_names) and in_names[k + 1]))
    return spaced, known, pairs


def _holds_known_name(table: NameTable, window: tuple[str, ...]) -> bool:
    """A run that contains a listed name of two or more words is that name, not a broken one."""
    n = len(window)
    return any(window[a:b] in table.names for a in range(n) for b in range(a + 2, n + 1) if (a, b) != (0, n))


def _name_hit(table: NameTable, window: tuple[str, ...], words: list[str]) -> tuple[tuple[str, ...], int, float] | None:
    """The name, the slot and the prior that the name's word was spun into the window's word."""
    least = _data()["names"]["min-prior"]
    for slot in range(len(window)):
        spun = words[slot]
        if not spun[:1].isupper() or len(spun) < 3:
            continue
        key = (*window[:slot], "*", *window[slot + 1 :])
        for name in table.slots.get(key, ()):
            prior = _swap_prior(name[slot].lower(), spun.lower())
            if prior >= least:
                return name, slot, prior
    return None


@lru_cache(maxsize=16384)
def _swap_prior(original: str, spun: str) -> float:
    """The inverted thesaurus's prior that ``original`` was spun into ``spun`` (0 for the same word)."""
    from .inflect import analyses

    if original == spun:
        return 0.0
    lemmas = {lemma for _, lemma, _ in analyses(spun)} | {spun}
    if original in lemmas or {lemma for _, lemma, _ in analyses(original)} & lemmas:
        return 0.0
    from .inverse import default_index

    index = default_index()
    if index is None:
        return 0.0
    return index.prior(spun, original)


def detect_artifacts(doc: Document) -> list[Span]:
    spans: list[Span] = []
    notation = doc.terms.brace_notation if doc.terms is not None else None
    for func in RULES.values():
        # Which option of spintax the source had is for the rank stage to judge in context.
        step = SPINTAX_STEP if func is spintax else ""
        source = rule_source(func)
        # A chunk of a streamed file asks the scan pass how the whole file uses braces.
        hits = template_braces(doc.text, notation) if func is template_braces else func(doc.text)
        for hit in hits:
            hints = (
                Candidate(hit.proposal, hit.confidence, source),
                *tuple(Candidate(alt, hit.confidence / 2, source) for alt in hit.alternatives),
            )
            text = doc.text[hit.start : hit.end]
            spans.append(Span(hit.start, hit.end, text, DETECTOR, hit.reason, hit.confidence, hints, step))
    return spans
