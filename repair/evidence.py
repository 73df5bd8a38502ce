"""Document-level spin evidence: does this text look spun as a whole?

A spinner rewrites a whole document, not one word of it. One moderately
confident finding in a clean text is an accident of a common word pair; a
dozen different ones in three hundred words is a spun document, and in a spun
document a moderate finding is much likelier to be right. The context
detector's bar (``context-min-confidence``) is set high to protect clean text,
where its confidences, trained on spun text, are too generous; in a document
whose own evidence says spun that protection costs recall for nothing.

So the pipeline weighs the findings of its first pass here. Evidence is the
number of *distinct* findings (spun words and proposal) at or above
``evidence-floor``, in any detector: an author who writes "mental images" four
times gives one finding, not four, while a spinner's swaps differ. A document
counts as spun when it has at least ``min-findings`` of them and at least
``min-density`` per 100 words (``[document]`` in ``repair/data/context.toml``,
chosen on dev records). At the best level such a document gets a second, deeper
look by the context detector, and its context edits need only
``context-spun-min-confidence``; at the fast level, with counts of its own
(``[document.fast]``), they need only ``context-fast-spun-min-confidence``, and
the swaps its first pass capped for review are reported again at their own confidence. At
either level a doubled function word there is the spinner's rather than a typo
(:func:`repair.artifacts.in_spun_document`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .model import Finding


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """The ``[document]`` settings of ``context.toml``."""

    evidence_floor: float  # findings below this confidence are no evidence
    min_findings: int  # distinct findings a spun document has at least
    min_density: float  # and per 100 words at least
    stage2_floor: float  # the context detector's stage-two floor in a spun document

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentSettings:
        return cls(
            float(data["evidence-floor"]),
            int(data["min-findings"]),
            float(data["min-density"]),
            float(data["stage2-floor"]),
        )


@lru_cache(maxsize=2)
def document_settings(quality: str = "best") -> DocumentSettings:
    """The shipped settings of a quality level, read once.

    The fast level's first pass is the 3-gram stage alone; with the best
    level's counts some short clean texts read as spun there, so it has counts
    of its own (``[document.fast]`` overrides ``[document]``; the table in
    ``context.toml`` has the measurements).
    """
    from .context import context_toml

    data = dict(context_toml()["document"])
    fast = data.pop("fast", {})
    if quality == "fast":
        data.update(fast)
    return DocumentSettings.from_dict(data)


@dataclass(frozen=True, slots=True)
class SpinEvidence:
    """What the first pass found in a document, and whether that makes it a spun one."""

    findings: int  # distinct findings at or above the evidence floor
    words: int
    spun: bool

    @property
    def per_100_words(self) -> float:
        return 100.0 * self.findings / self.words if self.words else 0.0

    def describe(self) -> str:
        """For edit reasons: "this document shows 7 distinct likely spins in 276 words (2.5 per 100)"."""
        return (
            f"this document shows {self.findings} distinct likely spins in {self.words} words "
            f"({self.per_100_words:.1f} per 100)"
        )


def weigh(findings: Sequence[Finding], words: int, settings: DocumentSettings) -> SpinEvidence:
    """Count the distinct confident findings of a document and decide whether it reads as spun."""
    distinct = {
        (f.span.text.casefold(), f.best.text.casefold())
        for f in findings
        if f.best is not None and f.best.score >= settings.evidence_floor
    }
    count = len(distinct)
    spun = count >= settings.min_findings and words > 0 and 100.0 * count / words >= settings.min_density
    return SpinEvidence(count, words, spun)
