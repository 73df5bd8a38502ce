"""Neighbouring spins decided together: tortured phrases that no lexicon lists.

A spinner that swaps both words of a term ("deep neural" -> "profound neural",
"random forest" -> "irregular woodland") leaves no single word that a better
word would fix on its own: "irregular forest" and "random woodland" are no
better than the spun pair. Only the pair together restores an established
term. This stage proposes such joint changes and leaves the verdict to the
language model:

1. **Candidates.** In a window of joined words that reads as two or three
   words, each word may stand for the originals the
   :class:`~repair.spinmap.SpinMap` learned from the lexicon's rows
   ("irregular" -> "random", "woodland" -> "forest"), and a run of words for a
   run of another length ("getting to know" -> "learning"); every combination
   that changes at least one of two or more units is a candidate. A candidate
   whose window becomes a term that the lexicon's rows restore ("speech
   synthesis") says so (:func:`restored_terms`): the spinner's target vocabulary.
2. **Collocation test.** A candidate survives only if every word pair it forms
   is established in clean prose (:mod:`repair.models.collocations`, at least
   ``min-pair-df`` documents) or listed as a term by the thesauri or inside
   a lexicon row's original (:mod:`repair.terms`), while every current pair
   it changes is neither:
   spun text breaks terms, clean text is made of them. The survivors are
   ranked by how much more established the candidate is (``gain``, the change
   in Σ ln(1 + documents)).
3. **Verdict.** :func:`repair.context.detect_context` (``quality = "best"``)
   scores the current and the candidate words in their sentence with the
   causal LM and maps the margin to a confidence with the table measured on dev
   (``[phrases] confidence`` in ``context.toml``).

Spans are plain data (:class:`PhraseSuspect`); nothing here loads a model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .form import match_word_case
from .model import Document, overlaps
from .models.collocations import Collocations
from .segment import norms_of
from .terms import Terms


class Originals(Protocol):
    """Where the words a spinner replaced come from: the :class:`~repair.spinmap.SpinMap`
    (learned from lexicon rows), or the inverted thesaurus for names (:mod:`repair.names`)."""

    def originals(self, word: str, limit: int = 4) -> tuple[tuple[str, int], ...]:
        """Single words ``word`` may stand for, with how many rows support each, best first."""
        ...

    def segments_at(self, norms: Sequence[str], k: int, limit: int = 4) -> list[tuple[int, tuple[str, ...], int]]:
        """Runs starting at token ``k`` that stood for runs of another length: (words, original, rows)."""
        ...


def margin_table(rows: object) -> tuple[tuple[float, float], ...]:
    """A ``confidence`` setting (``[[margin, confidence], ...]``) read as sorted pairs of floats."""
    return tuple(sorted((float(m), float(c)) for m, c in rows))  # type: ignore[attr-defined]


def confidence_at(table: Sequence[tuple[float, float]], margin: float) -> float:
    """The confidence of the last row of a sorted margin table that ``margin`` reaches (0 below the first)."""
    found = 0.0
    for at_least, confidence in table:
        if margin >= at_least:
            found = confidence
    return found


@dataclass(frozen=True, slots=True)
class PhraseSettings:
    """``[phrases]`` of ``context.toml``; see there for what each one was measured at."""

    max_words: int
    originals_per_word: int
    min_pair_df: int
    min_gain: float
    term_df: int
    confidence: tuple[tuple[float, float], ...]
    # A suspect whose term share reaches ``term_share`` reads ``term_confidence`` instead
    # (none by default: the names step, which shares these settings, has no such table).
    term_share: float = math.inf
    term_confidence: tuple[tuple[float, float], ...] = ()
    # A suspect whose every word change is one the spinner makes habitually (at least
    # ``habit_support`` lexicon rows, :attr:`PhraseSuspect.support`) may also read
    # ``habit_confidence`` (none by default: the names step's originals are no spinner's).
    habit_support: float = math.inf
    habit_confidence: tuple[tuple[float, float], ...] = ()
    # A suspect whose proposal is a term that lexicon rows restore (:attr:`PhraseSuspect.known`)
    # may also read ``known_confidence`` (none by default).
    known_confidence: tuple[tuple[float, float], ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PhraseSettings:
        return cls(
            max_words=int(data["max-words"]),  # type: ignore[call-overload]
            originals_per_word=int(data["originals-per-word"]),  # type: ignore[call-overload]
            min_pair_df=int(data["min-pair-df"]),  # type: ignore[call-overload]
            min_gain=float(data["min-gain"]),  # type: ignore[arg-type]
            term_df=int(data["term-df"]),  # type: ignore[call-overload]
            confidence=margin_table(data["confidence"]),
            term_share=float(data.get("term-share", math.inf)),  # type: ignore[arg-type]
            term_confidence=margin_table(data.get("term-confidence", ())),
            habit_support=float(data.get("habit-support", math.inf)),  # type: ignore[arg-type]
            habit_confidence=margin_table(data.get("habit-confidence", ())),
            known_confidence=margin_table(data.get("known-confidence", ())),
        )

    def is_term(self, suspect: PhraseSuspect) -> bool:
        """Does the candidate's new word make a fixed term with a kept one (``term-share``)?"""
        return suspect.term_share >= self.term_share

    def is_habitual(self, suspect: PhraseSuspect) -> bool:
        """Is each of its word changes a habit of the spinner's (``habit-support`` lexicon rows or more)?"""
        return suspect.support >= self.habit_support

    def confidence_of(self, margin: float, term: bool = False, habitual: bool = False, known: bool = False) -> float:
        """The dev-measured share of right edits among candidates with at least this LM margin,
        among those with term evidence (``term``) or among those without; for a habitual
        swap (``habitual``) or a known term (``known``) the higher of that and the share
        among those. Each kind of evidence is a separate table, so one suspect's strongest
        evidence speaks."""
        found = confidence_at(self.term_confidence if term else self.confidence, margin)
        if habitual:
            found = max(found, confidence_at(self.habit_confidence, margin))
        if known:
            found = max(found, confidence_at(self.known_confidence, margin))
        return found


@dataclass(frozen=True, slots=True)
class PhraseSuspect:
    """Tokens ``[i, j)`` (the changed words, and any kept words between them) and their proposal."""

    i: int
    j: int
    start: int
    end: int
    text: str
    proposal: str
    gain: float  # how much more established the candidate's word pairs are: Σ ln(1 + documents)
    support: int  # the fewest lexicon rows behind any one of its word changes
    changed: int  # how many words it changes
    listed: bool  # one of its pairs is established only as a listed term (thesauri, lexicon originals)
    term: TermEvidence | None = None  # the pair of a new and a kept word most like a fixed term
    known: int = 0  # the window's words become a term that this many lexicon rows restore (:func:`restored_terms`)
    known_term: str = ""  # that term, lower case

    @property
    def term_share(self) -> float:
        """How strongly a kept word calls for its new neighbour (0 when no word is kept)."""
        return self.term.share if self.term is not None else 0.0


@dataclass(frozen=True, slots=True)
class TermEvidence:
    """A new word beside a kept one, and the share of the kept word's clean pairs it makes
    (:meth:`~repair.models.collocations.Collocations.share`): "ground" makes 37% of the
    pairs that end in "truth"."""

    first: str
    second: str
    kept_second: bool  # the kept word is ``second`` (its pairs are those that end in it)
    share: float

    def describe(self) -> str:
        """The evidence in a reviewer's words."""
        new, kept = (self.first, self.second) if self.kept_second else (self.second, self.first)
        where = "end in" if self.kept_second else "begin with"
        share = f"{self.share:.0%} of the clean pairs that {where}"
        return f'"{self.first} {self.second}" is a fixed term: "{new}" makes {share} "{kept}"'


def restored_terms(originals: Iterable[str]) -> dict[tuple[str, ...], int]:
    """The terms that lexicon rows restore (:func:`term_key`), with how many rows restore each:
    the originals of two or more plain words ("signal-to-noise ratio" is four words; an original
    with digits or symbols is left out).

    >>> restored_terms(["hidden layers", "Hidden layer", "AI", "x2 ray"])
    {('hidden', 'layer'): 2}
    """
    rows: dict[tuple[str, ...], int] = {}
    for original in originals:
        if original.replace("-", " ").replace(" ", "").isalpha():
            words = norms_of(original)
            if len(words) >= 2:
                key = term_key(words)
                rows[key] = rows.get(key, 0) + 1
    return rows


def term_key(words: Sequence[str]) -> tuple[str, ...]:
    """Lower-case words with a plural noun at the end made singular: a row that restores "greedy
    algorithm" names the term of "greedy algorithms" too.

    >>> term_key(["greedy", "algorithms"]), term_key(["data", "analysis"])
    (('greedy', 'algorithm'), ('data', 'analysis'))
    """
    from .inflect import analyses

    *head, last = words
    plural = next((lemma for upos, lemma, tag in analyses(last) if upos == "NOUN" and tag == "NNS"), None)
    return (*head, plural or last)


class _PairEvidence:
    """How established a word pair is: documents of clean prose with it, a listed term as ``term_df``."""

    def __init__(self, collocations: Collocations, terms: Terms | None, term_df: int) -> None:
        self.collocations = collocations
        self.terms = terms
        self.term_df = term_df

    def df(self, first: str, second: str) -> int:
        """Documents with the pair, or ``term_df`` for a listed term the table has seen less often."""
        return self.look_up(first, second)[0]

    def look_up(self, first: str, second: str) -> tuple[int, bool]:
        """The pair's documents as :meth:`df` counts them, and whether it is established only
        because it is a listed term; one look-up of each table."""
        n = self.collocations.df(first, second)
        if n < self.term_df and self.terms is not None and (first, second) in self.terms:
            return self.term_df, True
        return n, False


def phrase_suspects(
    doc: Document,
    spin_map: Originals,
    collocations: Collocations,
    settings: PhraseSettings,
    eligible: Sequence[bool],
    joined: Sequence[bool],
    terms: Terms | None = None,
    known: Mapping[tuple[str, ...], int] | None = None,
) -> list[PhraseSuspect]:
    """Joint changes of neighbouring words that turn unknown word pairs into established ones.

    ``eligible[k]``: may token ``k`` be changed at all (a content word, not a
    name); the context detector's rule. ``joined[k]``: does token ``k`` form a
    phrase with the one before (:func:`~repair.models.collocations.joined_flags`).
    ``terms``: pairs listed as terms (thesauri, lexicon originals), which
    count as seen in ``term-df`` documents when the table has them in fewer.
    ``known``: terms that lexicon rows restore (:func:`restored_terms`); a suspect
    whose window becomes one says so (:attr:`PhraseSuspect.known`).
    One suspect per character range, the one with the highest gain (then
    support, then the proposal, for a stable order).
    """
    tokens = doc.tokens
    norms = [t.norm for t in tokens]
    usable = [t.text.isalpha() for t in tokens]
    # Inside a replaced run: plain lower-case words joined to the previous one ("Getting To Know" is a title).
    inner = [usable[k] and joined[k] and not tokens[k].text[:1].isupper() for k in range(len(tokens))]
    # Content words: the ones that may change, and the ones beside a window whose pairs it must not break.
    content = [eligible[k] and usable[k] for k in range(len(tokens))]
    choices = [_choices(k, norms, content[k], inner, spin_map, settings) for k in range(len(tokens))]
    best: dict[tuple[int, int], PhraseSuspect] = {}
    evidence = _PairEvidence(collocations, terms, settings.term_df)
    neighbours = _Neighbours(content, joined)

    def extend(units: list[_Unit], k: int, width: int) -> None:
        """Grow a window unit by unit; judge it whenever it reads as 2 to ``max-words`` words."""
        # At least two units: the evidence is a pair the change mends between a unit and its neighbour.
        if len(units) >= 2 and any(u.changed for u in units):
            suspect = _judge(doc, units, norms, evidence, settings, neighbours, known)
            if suspect is not None:
                key = (suspect.start, suspect.end)
                best[key] = _better(best.get(key), suspect)
        if width >= settings.max_words or k >= len(tokens) or not (usable[k] and joined[k]):
            return
        for unit in choices[k]:
            if width + len(unit.words) <= settings.max_words:
                extend([*units, unit], k + unit.n, width + len(unit.words))

    for i in range(len(tokens)):
        if usable[i]:
            for unit in choices[i]:
                extend([unit], i + unit.n, len(unit.words))
    return sorted(best.values(), key=lambda s: (s.start, s.end))


def preferred_readings(suspects: Sequence[PhraseSuspect], margins: Sequence[float]) -> list[bool]:
    """Which suspects to keep where several change the same words: the reading the LM prefers.

    Overlapping suspects lie in one sentence, so their margins (each against
    the same current sentence) compare directly: in "stochastic inclination
    descent" the LM prefers "stochastic gradient descent" (+20.1 nats) to
    "standard gradient descent" (+15.0), and both would read as equally sure
    through the confidence table. Greedy by margin, then position for a stable order.
    """
    keep = [False] * len(suspects)
    taken: list[tuple[int, int]] = []
    for k in sorted(range(len(suspects)), key=lambda k: (-margins[k], suspects[k].start, suspects[k].end)):
        here = suspects[k]
        if not any(overlaps(here.start, here.end, start, end) for start, end in taken):
            keep[k] = True
            taken.append((here.start, here.end))
    return keep


@dataclass(frozen=True, slots=True)
class _Unit:
    """Tokens ``[first, first + n)`` of a window and the words that stand there in the candidate."""

    first: int
    n: int
    words: tuple[str, ...]
    support: int  # lexicon rows behind the change; 0 for the text's own word
    changed: bool


def _choices(
    k: int,
    norms: Sequence[str],
    changeable: bool,
    inner: Sequence[bool],
    spin_map: Originals,
    settings: PhraseSettings,
) -> list[_Unit]:
    """What may stand at token ``k``: its own word, the word it may have replaced, or a run's original."""
    units = [_Unit(k, 1, (norms[k],), 0, False)]
    if not changeable:
        return units
    limit = settings.originals_per_word
    units += (_Unit(k, 1, (o,), n, True) for o, n in spin_map.originals(norms[k], limit))
    for n, original, rows in spin_map.segments_at(norms, k, limit):
        if all(inner[t] for t in range(k + 1, k + n)):
            units.append(_Unit(k, n, original, rows, True))
    return units


def _better(held: PhraseSuspect | None, new: PhraseSuspect) -> PhraseSuspect:
    """Of two suspects of one range, the one with the higher rank. Windows of one change differ
    in their kept words: "irregular woodland" -> "random forest" is a known term, "irregular
    woodland classifier" the wider window with more gain; the change keeps the known term."""
    if held is None:
        return new
    kept, other = (new, held) if _rank(new) > _rank(held) else (held, new)
    if other.known and not kept.known and other.proposal == kept.proposal:
        return replace(kept, known=other.known, known_term=other.known_term)
    return kept


def _rank(suspect: PhraseSuspect) -> tuple[float, int, str]:
    return (suspect.gain, suspect.support, suspect.proposal)


@dataclass(frozen=True, slots=True)
class _Neighbours:
    """Which tokens are content words (``content``) and which are joined to the one before (``joined``)."""

    content: Sequence[bool]
    joined: Sequence[bool]

    def edges(self, first: int, last: int) -> list[tuple[int, int]]:
        """The pairs (left token, right token) across the edges of tokens ``[first, last)``
        that join two content words: a function word at the end of a replaced run ("gaining
        knowledge of" for "learning") makes no term with the word after it."""
        found = []
        if first > 0 and self.joined[first] and self.content[first - 1] and self.content[first]:
            found.append((first - 1, first))
        if last < len(self.joined) and self.joined[last] and self.content[last - 1] and self.content[last]:
            found.append((last - 1, last))
        return found


def _judge(
    doc: Document,
    units: Sequence[_Unit],
    norms: Sequence[str],
    evidence: _PairEvidence,
    settings: PhraseSettings,
    neighbours: _Neighbours,
    known: Mapping[tuple[str, ...], int] | None = None,
) -> PhraseSuspect | None:
    """The window as a suspect, if its candidate passes the collocation test.

    Every word pair of the candidate must be established; every pair of the
    current text that the change touches must be unknown, except the pairs
    inside a replaced run ("getting to know" is fluent; "deep getting" is not).
    That includes the pairs a changed word at the window's edge makes with the
    content word beside it: in "bottomless neural networks" the window
    "bottomless neural" -> "deep convolutional" would break "neural networks".
    """
    words = [w for u in units for w in u.words]
    looked = [evidence.look_up(a, b) for a, b in itertools.pairwise(words)]
    pairs = [n for n, _ in looked]
    if min(pairs) < settings.min_pair_df:
        return None
    owner = {t: u for u in units for t in range(u.first, u.first + u.n)}
    first, last = units[0].first, units[-1].first + units[-1].n
    current_fit = 0.0
    for t in range(first, last - 1):
        a, b = owner[t], owner[t + 1]
        if a is b:
            continue  # inside one unit: a replaced run, never judged by its own pairs
        df = evidence.df(norms[t], norms[t + 1])
        if df and (a.changed or b.changed):
            return None  # a pair it would change is already established: clean text
        current_fit += math.log1p(df)
    for left, right in neighbours.edges(first, last):
        inside = owner[right] if right in owner else owner[left]  # the unit on the window's side
        if inside.changed and evidence.df(norms[left], norms[right]):
            return None  # it breaks an established pair with its neighbour outside the window
    gain = sum(math.log1p(n) for n in pairs) - current_fit
    if gain < settings.min_gain:
        return None
    changed = [u for u in units if u.changed]
    lo = changed[0].first
    hi = changed[-1].first + changed[-1].n
    tokens = doc.tokens
    pieces: list[str] = []
    for u in units:
        if u.first < lo or u.first >= hi:
            continue
        if pieces:  # the gap before this unit stays the text's own (a space, a hyphen)
            pieces.append(doc.text[tokens[u.first - 1].end : tokens[u.first].start])
        if not u.changed:
            pieces.append(tokens[u.first].text)
            continue
        model = tokens[u.first].text
        pieces.append(
            " ".join(match_word_case(w, model) if j == 0 or model.isupper() else w for j, w in enumerate(u.words))
        )
    start, end = tokens[lo].start, tokens[hi - 1].end
    support = min(u.support for u in changed)
    listed = any(flag for _, flag in looked)
    text = doc.text[start:end]
    term = _term_evidence(units, words, evidence.collocations)
    rows = known.get(term_key(words), 0) if known is not None else 0
    known_term = " ".join(words) if rows else ""
    return PhraseSuspect(
        lo, hi, start, end, text, "".join(pieces), gain, support, len(changed), listed, term, rows, known_term
    )


def _term_evidence(units: Sequence[_Unit], words: Sequence[str], collocations: Collocations) -> TermEvidence | None:
    """Of the pairs of a changed and a kept word, the one whose new word makes the largest share
    of the kept word's clean pairs (:meth:`Collocations.share`); None when no word is kept."""
    changed = [u.changed for u in units for _ in u.words]
    best: TermEvidence | None = None
    for k, (a, b) in enumerate(itertools.pairwise(words)):
        if changed[k] != changed[k + 1]:
            share = collocations.share(a, b, given_second=changed[k])
            if best is None or share > best.share:
                best = TermEvidence(a, b, changed[k], share)
    return best
