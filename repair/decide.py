"""Turn ranked findings into edits: which to write, which only to report.

Precision comes first. A finding is written only when its best candidate is
above the confidence threshold, beats the runner-up by the ambiguity margin,
is not on the allow-list, can be encoded in the file's encoding, and does not
overlap a stronger finding. Everything else is still reported, with
``applied=False`` and the reason it was held back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .config import Config
from .form import fix_article
from .lexicon import phrase_key
from .model import PHRASE_STEP, Document, Edit, Finding, overlaps
from .segment import norms_of

if TYPE_CHECKING:
    from .evidence import SpinEvidence


def _priority(f: Finding) -> tuple[float, int, int, str]:
    best = f.best
    conf = best.score if best else 0.0
    return (-conf, -(f.span.end - f.span.start), f.span.start, best.text if best else "")


def decide(
    doc: Document,
    findings: Sequence[Finding],
    config: Config,
    ignored: frozenset[tuple[str, ...]] = frozenset(),
    can_encode: Callable[[str], bool] | None = None,
    withdrawn: Mapping[tuple[int, int, str], str] | None = None,
) -> list[Edit]:
    """Deterministic: the same findings give the same edits in the same order.

    ``withdrawn``: edits, as (start, end, proposal), that the stability check
    held back (:class:`~repair.stable.Stabiliser`), with why. They are held back
    again and take no room, so a weaker edit they overlapped may be written.

    Overlaps are settled by confidence, with one exception: a weaker edit that
    spans every stronger edit it overlaps and writes the same words there
    (:func:`agrees`) takes their place. "feed-forward brain organizations" ->
    "feedforward neural networks" (a lexicon row) restores more than "brain
    organizations" -> "neural networks" (an inferred edit that happens to be
    surer), and both say the same about the words they share.
    """
    taken: list[int] = []  # indices into ``edits`` of the applied ones
    usual = context_bar(config, None)  # the same for every finding
    edits: list[Edit] = []
    seen: set[tuple[int, int]] = set()
    for finding in sorted(findings, key=_priority):
        best = finding.best
        if best is None:
            continue
        span = finding.span
        if (span.start, span.end) in seen:
            continue  # a weaker reading of a span we already decided
        seen.add((span.start, span.end))
        start, spun, proposal = fix_article(doc.text, span.start, span.text, best.text)
        alternatives = tuple((c.text, round(c.score, 4)) for c in finding.candidates[1:6])
        held = _held_back(finding, config, ignored, can_encode, proposal, doc.evidence)
        if held is None and withdrawn:
            held = withdrawn.get((start, span.end, proposal))
        clashing = [] if held else [k for k in taken if overlaps(start, span.end, edits[k].start, edits[k].end)]
        if clashing:
            if all(agrees(doc.text, start, span.end, proposal, edits[k]) for k in clashing):
                for k in clashing:
                    edits[k] = _superseded(edits[k], start, span.end, proposal)
                taken = [k for k in taken if k not in clashing]
            else:
                held = "overlaps a stronger edit"
        reason = finding.reason if held is None else f"{finding.reason}; not applied: {held}"
        if held is None and span.detector == "context" and best.score < usual:
            reason += _lower_bar(config, doc, span.step, best.score, usual, reason)
        line, col = doc.line_col(start)
        edit = Edit(
            start=start,
            end=span.end,
            line=line,
            col=col,
            spun=spun,
            proposal=proposal,
            confidence=round(best.score, 4),
            detector=span.detector,
            reason=reason,
            alternatives=alternatives,
            applied=held is None,
            file=doc.path,
        )
        if edit.applied:
            taken.append(len(edits))
        edits.append(edit)
    return sorted(edits, key=lambda e: (e.start, e.end, not e.applied, -e.confidence))


def agrees(text: str, start: int, end: int, proposal: str, inner: Edit) -> bool:
    """Is replacing ``text[start:end]`` with ``proposal`` a fuller form of ``inner``?

    It must span ``inner``, be longer, and write ``inner``'s proposal, word for
    word, where ``inner`` stands: after as many words as come before ``inner``
    in the span, or before as many as come after it. One side is enough, since
    the fuller edit may change the words on the other side into fewer or more
    ("profound getting to know" -> "deep learning" holds "profound" -> "deep").
    A deletion agrees with nothing: it has no words to compare.
    """
    if not (start <= inner.start and inner.end <= end and end - start > inner.end - inner.start):
        return False
    wanted = norms_of(inner.proposal)
    if not wanted:
        return False
    before, after = len(norms_of(text[start : inner.start])), len(norms_of(text[inner.end : end]))
    written = norms_of(proposal)
    n = len(wanted)
    return any(
        written[i : i + n] == wanted and (i == before or len(written) - i - n == after)
        for i in range(len(written) - n + 1)
    )


def _superseded(edit: Edit, start: int, end: int, proposal: str) -> Edit:
    """``edit``, held back because a fuller edit that agrees with it takes its place."""
    why = f'the fuller edit of characters {start}-{end} to "{proposal}" agrees with it and is applied instead'
    return replace(edit, applied=False, reason=f"{edit.reason}; not applied: {why}")


def context_bar(config: Config, evidence: SpinEvidence | None, step: str = "") -> float:
    """The context detector's own bar: per quality level, per step, lower in a document that reads as spun.

    Each quality level has its own bar, since their confidences come from
    different models. At the best level the phrase step has its own bar: its
    confidences are shares of right edits measured on dev text that is mostly
    clean, so they already pay for clean text's false edits, where the one-word
    model's come from training on synthetic spins. The spun-document bar has
    a setting per level, since each level weighs its own first pass
    (``repair.evidence``).
    """
    spun = evidence is not None and evidence.spun
    if config.quality != "best":
        bar = config.context_fast_min_confidence
        return min(bar, config.context_fast_spun_min_confidence) if spun else bar
    bar = config.context_min_confidence
    if step == PHRASE_STEP:
        bar = min(bar, config.context_phrase_min_confidence)
    if spun:
        bar = min(bar, config.context_spun_min_confidence)
    return bar


def _lower_bar(config: Config, doc: Document, step: str, score: float, usual: float, reason: str) -> str:
    """Why a context edit under the usual bar was applied: the phrase step's bar, or a spun document's."""
    own = context_bar(config, None, step)
    if step == PHRASE_STEP and score >= own:
        return (
            f"; applied at the phrase step's bar {own:.2f} (otherwise {usual:.2f}): "
            "its confidence table was measured on dev text that is mostly clean"
        )
    assert doc.evidence is not None  # otherwise only the spun-document bar is lower
    why = doc.evidence.describe()
    bar = context_bar(config, doc.evidence, step)
    said = "" if why in reason else f": {why}"
    return f"; applied at the spun-document bar {bar:.2f} (otherwise {usual:.2f}){said}"


def _held_back(
    finding: Finding,
    config: Config,
    ignored: frozenset[tuple[str, ...]],
    can_encode: Callable[[str], bool] | None,
    proposal: str,
    evidence: SpinEvidence | None,
) -> str | None:
    best = finding.best
    assert best is not None
    if ignored and phrase_key(finding.span.text) in ignored:
        return "on the ignore list"
    threshold = config.min_confidence
    if finding.span.detector == "context":
        threshold = max(threshold, context_bar(config, evidence, finding.span.step))
    if best.score < threshold:
        return f"confidence {best.score:.2f} is below the threshold {threshold:.2f}"
    if len(finding.candidates) > 1 and best.score - finding.candidates[1].score < config.ambiguity_margin:
        return f'ambiguous: "{finding.candidates[1].text}" scores almost as high'
    if can_encode is not None and not can_encode(proposal):
        return "the proposal cannot be written in the file's encoding"
    return None


def applied_only(edits: Sequence[Edit]) -> list[Edit]:
    return [e for e in edits if e.applied]


def with_file(edits: Sequence[Edit], path: str) -> list[Edit]:
    return [replace(e, file=path) for e in edits]
