"""Make cleaning a fixed point: cleaning the output again must change nothing.

Each edit is decided on the original text, but the repaired text can read
differently: a restored phrase can run into its neighbour and form another
known spin ("contemptuous discourse cancer" -> "hate speech cancer", where
"speech cancer" is itself a spin), or a restored word can be the context an
``and-context`` row was waiting for. A second run would then change the text
again. black calls the check ``assert_stable``; here it is enforced.

After the edits are decided, the pipeline runs once more on the repaired text
(only when something was applied, so clean text costs nothing extra):

- a new edit that overlaps a repaired region means that repair is unstable:
  the repair is held back (reported, not written) with the reason;
- a new edit entirely in untouched text (its context changed) is added,
  mapped back to offsets in the original text.

This repeats until the repaired text is stable (a few rounds at most; held
back edits only ever reduce what is written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .apply import apply_edits
from .model import Edit

MAX_ROUNDS = 4


def _sort_key(e: Edit) -> tuple[int, int, bool, float]:
    return (e.start, e.end, not e.applied, -e.confidence)


def stabilise(
    text: str,
    edits: list[Edit],
    decide_text: Callable[[str], list[Edit]],
    line_col: Callable[[int], tuple[int, int]],
) -> list[Edit]:
    """``edits`` adjusted so that ``decide_text(apply_edits(text, edits))`` applies nothing."""
    for _ in range(MAX_ROUNDS):
        applied = sorted((e for e in edits if e.applied), key=lambda e: e.start)
        if not applied:
            return edits
        output = apply_edits(text, applied)
        regions: list[tuple[int, int, Edit]] = []
        shifts: list[tuple[int, int]] = []  # (output offset where a region ends, cumulative delta there)
        delta = 0
        for e in applied:
            start = e.start + delta
            regions.append((start, start + len(e.proposal), e))
            delta += len(e.proposal) - (e.end - e.start)
            shifts.append((start + len(e.proposal), delta))
        again = [n for n in decide_text(output) if n.applied]
        if not again:
            return edits
        unstable: dict[int, str] = {}
        added: list[Edit] = []
        for new in again:
            touched = [e for start, end, e in regions if new.start < end and start < new.end]
            if touched:
                for e in touched:
                    unstable.setdefault(id(e), new.spun)
                continue
            # Untouched text: the same characters are in the original, shifted by the edits before it.
            before = [d for end, d in shifts if end <= new.start]
            offset = before[-1] if before else 0
            start = new.start - offset
            line, col = line_col(start)
            added.append(replace(new, start=start, end=new.end - offset, line=line, col=col))
        if not unstable and not added:
            return edits
        kept: list[Edit] = []
        for e in edits:
            if id(e) in unstable:
                note = (
                    f'; not applied: the repaired text would read as another spin ("{unstable[id(e)]}"), '
                    "which a second run would change"
                )
                e = replace(e, applied=False, reason=e.reason + note)
            kept.append(e)
        added_spans = {(a.start, a.end) for a in added}
        kept = [e for e in kept if e.applied or (e.start, e.end) not in added_spans]
        edits = sorted(kept + added, key=_sort_key)
    # Did not settle: write only what no later round touched.
    return [
        e if not e.applied else replace(e, applied=False, reason=e.reason + "; not applied: unstable") for e in edits
    ]
