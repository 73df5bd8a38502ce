"""Splice edits into the original text; every character outside them is kept.

The result is built from the untouched pieces between edits; an edit whose
``spun`` text is not at its offsets, or that overlaps another, is a bug upstream
and raises instead of corrupting the text.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Edit


class EditConflict(ValueError):
    """Edits that overlap or do not match the text they claim to replace."""


def apply_edits(text: str, edits: Iterable[Edit], only_applied: bool = True) -> str:
    """Return ``text`` with the (applied) edits spliced in.

    >>> from repair.model import Edit
    >>> edit = Edit(2, 20, 1, 3, "irregular woodland", "random forest", 0.9, "lexicon", "")
    >>> apply_edits("a irregular woodland", [edit])
    'a random forest'
    """
    chosen = sorted((e for e in edits if e.applied or not only_applied), key=lambda e: (e.start, e.end))
    previous_end = -1
    for edit in chosen:
        if edit.start < previous_end:
            raise EditConflict(f"overlapping edits at offset {edit.start}")
        if text[edit.start : edit.end] != edit.spun:
            raise EditConflict(
                f"edit at {edit.start}-{edit.end} expects {edit.spun!r}, text has {text[edit.start : edit.end]!r}"
            )
        previous_end = edit.end
    pieces: list[str] = []
    cursor = 0
    for edit in chosen:
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.proposal)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
