"""Make cleaning a fixed point: cleaning the output again must change nothing.

Each edit is decided on the original text, but the repaired text can read
differently: a restored phrase can run into its neighbour and form another
known spin ("contemptuous discourse cancer" -> "hate speech cancer", where
"speech cancer" is itself a spin), or a restored word can be the context an
``and-context`` row was waiting for. A second run would then change the text
again. black calls the check ``assert_stable``; here it is enforced.

After the edits are decided, the repaired text is checked (only when something
was applied, so clean text costs nothing extra):

- a new edit that overlaps a repaired region means that repair is unstable:
  the repair is held back (reported, not written) with the reason;
- a new edit entirely in untouched text (its context changed) is added,
  mapped back to offsets in the original text.

This repeats until the repaired text is stable (a few rounds at most; held
back edits only ever reduce what is written).

The check looks only at the paragraphs around the repairs: spans never cross a
paragraph break, so elsewhere nothing can change; unless a repair added or
removed a word a context term is made of and so changed which terms the
document has, in which case the spans the detectors set aside for their
context (``Document.context_skipped``) are checked too, with the repaired
document's terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .apply import apply_edits
from .lexicon import DocTerms, KnownTerms
from .model import Edit, overlaps
from .segment import PARAGRAPH_BREAK, WORD_RE, norm

MAX_ROUNDS = 4
# How far from a repair the check looks when no paragraph break is nearer.
REACH = 1000

DecideText = Callable[[str, DocTerms | None], list[Edit]]

_PARAGRAPH = re.compile(PARAGRAPH_BREAK)
_SPACE = re.compile(r"\s")


def _sort_key(e: Edit) -> tuple[int, int, bool, float]:
    return (e.start, e.end, not e.applied, -e.confidence)


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) around ``text[start:end]``, or ``REACH`` characters each way widened to whitespace."""
    lo = max(0, start - REACH)
    left = lo
    for m in _PARAGRAPH.finditer(text, lo, start):
        left = m.end()
    if left == lo and lo > 0:
        # Cut at whitespace, never inside a word, and never nearer than ``REACH``: the
        # last whitespace at or before ``lo`` (looking back at most ``REACH`` more).
        left = max(0, lo - REACH)
        for space in _SPACE.finditer(text, left, lo + 1):
            left = space.end()
    hi = min(len(text), end + REACH)
    m = _PARAGRAPH.search(text, end, hi)
    if m:
        right = m.start()
    elif hi < len(text):
        # The same on the right: the first whitespace at or after ``hi``.
        far = min(len(text), hi + REACH)
        space = _SPACE.search(text, hi, far)
        right = space.start() if space else far
    else:
        right = hi
    return left, right


def _windows(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(_window(text, s, e) for s, e in regions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _shifted(spans: list[tuple[int, int]], applied: list[Edit]) -> list[tuple[int, int]]:
    """Spans of the original text that no edit touches, in the repaired text's offsets."""
    out = []
    for start, end in spans:
        delta = 0
        for e in applied:
            if overlaps(e.start, e.end, start, end):
                break
            if e.end <= start:
                delta += len(e.proposal) - (e.end - e.start)
        else:
            out.append((start + delta, end + delta))
    return out


class Stabiliser:
    """Checks a text's repairs against a second reading of the repaired text.

    ``decide_text(text, terms)`` decides the edits of a text (the pipeline
    without applying them); ``terms`` are the original document's context terms;
    ``context_words`` and ``context_prefixes`` are the words context terms are
    made of, so a repair that cannot touch any of them skips the whole-text check.
    """

    def __init__(
        self,
        decide_text: DecideText,
        terms: DocTerms,
        context_terms: frozenset[str],
        context_words: frozenset[str],
        context_prefixes: tuple[str, ...],
    ) -> None:
        self.decide_text = decide_text
        self.terms = terms
        self.context_terms = context_terms
        self.context_words = context_words
        self.context_prefixes = context_prefixes
        # The edits the last call held back, as (start, end, proposal) -> why: the pipeline
        # decides again without them, so an edit they had displaced gets its chance.
        self.withdrawn: dict[tuple[int, int, str], str] = {}

    def _touches_context(self, applied: list[Edit]) -> bool:
        for e in applied:
            for word in WORD_RE.findall(e.spun + " " + e.proposal):
                w = norm(word)
                if w in self.context_words or w.startswith(self.context_prefixes):
                    return True
        return False

    def _terms_after(self, output: str) -> DocTerms:
        """The context terms of the repaired text.

        A whole document's are read off its output. A chunk of a streamed file
        (``KnownTerms``) has only its own output at hand: the terms the scan pass
        found anywhere in the file stay, and those its repairs made are added, so
        a restored term licenses a row in the same chunk as it does in the whole
        file. (A term a repair removed may still stand elsewhere in the file, so
        none is taken away.)
        """
        own = DocTerms.from_norms([norm(m.group()) for m in WORD_RE.finditer(output)])
        if not isinstance(self.terms, KnownTerms):
            return own
        return self.terms.with_found(t for t in self.context_terms if own.has(t))

    def _new_edits(
        self, output: str, applied: list[Edit], regions: list[tuple[int, int]], skipped: list[tuple[int, int]]
    ) -> list[Edit]:
        terms = self.terms
        places = list(regions)
        if skipped and self._touches_context(applied):
            after = self._terms_after(output)
            if any(self.terms.has(t) != after.has(t) for t in sorted(self.context_terms)):
                # Rows set aside for their context may fire now: look there too.
                terms = after
                places += skipped
        found: list[Edit] = []
        for start, end in _windows(output, places):
            for e in self.decide_text(output[start:end], terms):
                if not e.applied:
                    continue
                e = replace(e, start=e.start + start, end=e.end + start)
                # Only what touches a repair or a set-aside span is news: text near a
                # window's edge may read differently cut off, and the rest reads as before.
                if any(e.start < t and s < e.end for s, t in places):
                    found.append(e)
        return found

    def __call__(
        self,
        text: str,
        edits: list[Edit],
        line_col: Callable[[int], tuple[int, int]],
        context_skipped: list[tuple[int, int]] = (),  # type: ignore[assignment]
    ) -> list[Edit]:
        """``edits`` adjusted so that cleaning ``apply_edits(text, edits)`` applies nothing.

        ``context_skipped`` are spans of ``text`` set aside for their context
        (``Document.context_skipped``).
        """
        self.withdrawn = {}
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
            skipped = _shifted(context_skipped, applied)
            again = self._new_edits(output, applied, [(s, t) for s, t, _ in regions], skipped)
            if not again:
                return edits
            unstable: dict[int, str] = {}
            added: list[Edit] = []
            for new in again:
                touched = [e for start, end, e in regions if overlaps(new.start, new.end, start, end)]
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
            kept: list[Edit] = []
            for e in edits:
                if id(e) in unstable:
                    spin = unstable[id(e)]
                    why = f'the repaired text would read as another spin ("{spin}"), which a second run would change'
                    self.withdrawn[(e.start, e.end, e.proposal)] = why
                    e = replace(e, applied=False, reason=f"{e.reason}; not applied: {why}")
                kept.append(e)
            added_spans = {(a.start, a.end) for a in added}
            kept = [e for e in kept if e.applied or (e.start, e.end) not in added_spans]
            edits = sorted(kept + added, key=_sort_key)
        # Did not settle within MAX_ROUNDS: write nothing rather than text a second run would change.
        why = "the repaired text did not settle"
        self.withdrawn.update({(e.start, e.end, e.proposal): why for e in edits if e.applied})
        return [replace(e, applied=False, reason=f"{e.reason}; not applied: {why}") if e.applied else e for e in edits]
