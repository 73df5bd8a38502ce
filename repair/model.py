"""Plain data passed between pipeline stages.

Every stage of ``detect -> propose -> rank -> decide -> apply`` reads and writes
these frozen dataclasses, and nothing else. Offsets are *character* offsets into
the decoded original text, never into a modified copy, so that every finding can
be traced back to the exact bytes a reviewer sees (spaCy's ``Span.start_char``,
typos' ``Typo`` do the same).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .evidence import SpinEvidence
    from .lexicon import DocTerms


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the original text: ``text[start:end]``, plus its normalised form."""

    start: int
    end: int
    text: str
    norm: str  # lower-case, typographic apostrophe folded to ASCII


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a character range and the token indices it covers."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible original wording for a span.

    ``score`` is the stage's belief in the candidate: a prior from the proposer
    (lexicon or thesaurus), a calibrated confidence in [0, 1] after ranking.
    """

    text: str
    score: float
    source: str


# ``Span.step`` of the context detector's joint-phrase step (repair.phrases), which has its own bar.
PHRASE_STEP = "phrase"
# ``Span.step`` of unexpanded spintax (repair.artifacts), whose options the rank stage orders in context.
SPINTAX_STEP = "spintax"


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of text a detector thinks was spun, with its evidence.

    ``hints`` carries candidates the detector already knows (a lexicon row knows
    its original), so the proposer does not need to look them up again.
    ``step`` names the detector's step that found it where its steps are decided
    or ranked apart (the context detector's ``"phrase"`` step has its own bar; the
    options of ``"spintax"`` are ordered in context by the rank stage).
    """

    start: int
    end: int
    text: str
    detector: str
    evidence: str
    score: float
    hints: tuple[Candidate, ...] = ()
    step: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A span with its ranked candidates (best first) after the rank stage."""

    span: Span
    candidates: tuple[Candidate, ...]
    reason: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class Edit:
    """The contract record of one edit, as written to ``edits.jsonl``.

    ``applied`` is false for findings that were reported but not written: below
    the confidence threshold, ambiguous, on the allow-list, or overlapping a
    stronger edit.
    """

    start: int
    end: int
    line: int
    col: int
    spun: str
    proposal: str
    confidence: float
    detector: str
    reason: str
    alternatives: tuple[tuple[str, float], ...] = ()
    applied: bool = True
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternatives"] = [[text, conf] for text, conf in self.alternatives]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}
        known["alternatives"] = tuple((str(text), float(conf)) for text, conf in data.get("alternatives", ()))
        return cls(**known)


@dataclass(slots=True)
class Document:
    """The unit every stage works on: the original text and its segmentation.

    The text is never modified; stages only add spans that point into it.
    """

    text: str
    path: str = ""
    tokens: list[Token] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    # Document-level context terms when this text is one chunk of a larger file
    # (see repair.stream); None means "this text is the whole document".
    terms: DocTerms | None = None
    # Spans a detector matched but set aside because a document-level condition
    # (a row's context or exclude terms) was not met; if a repair changes those
    # terms, they are the only places outside the repairs that can read differently.
    context_skipped: list[tuple[int, int]] = field(default_factory=list)
    # Whether the document reads as spun as a whole (repair.evidence), when the
    # pipeline weighed it: the decide stage then sets the context detector's bar.
    evidence: SpinEvidence | None = None
    # Character ranges no edit may touch (repair.markup: addresses, and the code, math,
    # link targets and keys of Markdown, LaTeX or rst), set by the pipeline; None means
    # only the text's addresses.
    protected: list[tuple[int, int]] | None = None
    _line_starts: list[int] | None = None
    _sentence_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (any newline style)."""
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def sentence_index(self, offset: int) -> int | None:
        """The index in ``sentences`` of the sentence containing a character offset (binary search)."""
        if self._sentence_starts is None:
            self._sentence_starts = [s.start for s in self.sentences]
        index = bisect_right(self._sentence_starts, offset) - 1
        if index < 0 or offset >= self.sentences[index].end:
            return None
        return index

    def sentence_of(self, offset: int) -> Sentence | None:
        """The sentence containing a character offset."""
        index = self.sentence_index(offset)
        return None if index is None else self.sentences[index]


_NEWLINE = re.compile(r"\r\n|\r|\n")


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Do the half-open character ranges ``[start, end)`` and ``[other_start, other_end)`` clash?

    Non-empty ranges clash when they share a character; touching ones do not (an
    edit that ends where another begins leaves it intact). An empty range (an
    insertion) clashes with a range it lies strictly inside, which it would split.
    """
    return start < other_end and other_start < end


def line_starts(text: str) -> list[int]:
    """Offsets where lines begin, counting ``\\r\\n``, ``\\n`` and lone ``\\r``."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]
