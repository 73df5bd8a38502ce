"""Score repairs against gold pairs: fixed, missed, damaged, precision, recall, F0.5.

Three texts take part: the *spun* input, the *output* of a repairer, and the gold
*original*. Each is split into word tokens (punctuation marks are tokens of their
own, so template residue such as ``{that a}`` is visible), and two alignments are
computed with Levenshtein opcodes over the token lists:

* spun -> original: every maximal run of non-equal tokens is one **spin**. Its
  size in words is ``max(spun length, original length)``, so a three-word spun
  phrase restored to a two-word original ("are able to't" -> "can't") counts as
  three words to fix, and dropped or inserted words count too.
* output -> original: tells which original words the output has right, and where
  the output carries words the original does not have.

A spin's **fixed** words are its size less the output errors left inside it
(original words of its range the output lacks, plus stray output words in or at
the edges of its range): the output's Levenshtein distance to the original,
taken back spin by spin. A spin with no error left is a fixed spin. The rest is
**missed**, whether left alone or changed to something else that is wrong. A
**damaged** word was right in the spun text and is wrong in the output (a
correct word replaced or deleted, or a stray word inserted away from any spin).

*Edits* are the runs of tokens where the output differs from the spun input
(spun -> output opcodes). An edit is **good** when every word it wrote is a
matched word of the original and every word it removed was spun; precision is
good edits over all edits (1.0 when there are none, as ERRANT does), recall is
fixed words over spun words, and F0.5 weighs precision twice as much as recall
(precision comes first in this project).

When the repairer's ``Edit`` records are known, a run where two records meet is
split between them, and each edit is credited to its record's detector, so the
per-detector table adds up to the totals exactly. Only the output text is needed
otherwise (``evaluate_outputs``), so any tool's output can be scored the same way.

``must_fix`` pairs are located in the spun text (in order, near a spin) and
count as restored when the output has the original phrase in that place.

>>> gold = GoldRecord("1", "the blanket of flame", "the cover of fire")
>>> report = evaluate_outputs([gold], ["the cover of flame"])
>>> report.fixed_words, report.missed_words, report.precision
(1, 1, 1.0)
"""

from __future__ import annotations

import json
import re
import sys
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rapidfuzz.distance import Levenshtein

from .apply import apply_edits
from .model import Edit, overlaps
from .segment import WORD_RE

if TYPE_CHECKING:
    import pandas as pd

    from .config import Config
    from .pipeline import Result

# A word (letters and digits with inner apostrophes, as the segmenter sees it) or
# any other single non-space character. Every non-space character belongs to a token.
TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|\S")

UNATTRIBUTED = "(unattributed)"
BETA = 0.5


class GoldError(ValueError):
    """A gold file or record that cannot be used; the message names file and line."""


@dataclass(frozen=True, slots=True)
class GoldRecord:
    """One gold pair (DESIGN.md format): the spun text and the original it came from.

    ``must_fix`` lists ``(spun_phrase, original_phrase)`` pairs that a repairer is
    expected to restore, in text order.
    """

    id: str
    spun: str
    original: str
    must_fix: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "record") -> GoldRecord:
        if not isinstance(data, Mapping):
            raise GoldError(f"{where}: expected a JSON object")
        missing = [k for k in ("id", "spun", "original") if k not in data]
        if missing:
            raise GoldError(f"{where}: missing field(s) {', '.join(missing)}")
        if not isinstance(data["spun"], str) or not isinstance(data["original"], str):
            raise GoldError(f"{where}: 'spun' and 'original' must be strings")
        if isinstance(data["id"], bool) or not isinstance(data["id"], str | int):
            raise GoldError(f"{where}: 'id' must be a string or a number")
        pairs: list[tuple[str, str]] = []
        for pair in data.get("must_fix") or ():
            if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                raise GoldError(f"{where}: each must_fix item must be a [spun_phrase, original_phrase] pair")
            pairs.append((pair[0], pair[1]))
        return cls(str(data["id"]), data["spun"], data["original"], tuple(pairs))

    def to_dict(self) -> dict[str, Any]:
        must_fix = [list(p) for p in self.must_fix]
        return {"id": self.id, "spun": self.spun, "original": self.original, "must_fix": must_fix}


def read_gold(path: str | Path) -> list[GoldRecord]:
    """Read a gold JSONL file; blank lines are skipped, anything else must be a valid record."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc}") from exc
    records: list[GoldRecord] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: invalid JSON: {exc.msg}") from exc
        record = GoldRecord.from_dict(data, where)
        if record.id in seen:
            raise GoldError(f"{where}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return records


def _as_gold(record: GoldRecord | Mapping[str, Any], index: int) -> GoldRecord:
    return record if isinstance(record, GoldRecord) else GoldRecord.from_dict(record, f"record {index}")


# --------------------------------------------------------------------------- alignment


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    key: str  # compared form: typographic apostrophe folded to ASCII, case kept


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group().replace("\u2019", "'")) for m in TOKEN_RE.finditer(text)]


@dataclass(frozen=True, slots=True)
class Block:
    """A maximal run of non-equal tokens: ``a[a1:a2]`` stands where ``b[b1:b2]`` should."""

    a1: int
    a2: int
    b1: int
    b2: int

    @property
    def size(self) -> int:
        return max(self.a2 - self.a1, self.b2 - self.b1)


def align(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    """Non-equal blocks of a minimal (Levenshtein) token alignment, adjacent ones merged.

    Levenshtein keeps substitutions one-to-one and puts the surplus of a longer
    phrase into an adjacent insert/delete, which the merge folds back into one
    block, so a phrase whose length changed is one block.
    """
    if list(a) == list(b):
        return []
    blocks: list[Block] = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1].a2 == op.src_start and blocks[-1].b2 == op.dest_start:
            last = blocks.pop()
            blocks.append(Block(last.a1, op.src_end, last.b1, op.dest_end))
        else:
            blocks.append(Block(op.src_start, op.src_end, op.dest_start, op.dest_end))
    return blocks


def _charitable(blocks: Sequence[Block], a: Sequence[str], b_len: int, a_ok: Sequence[bool]) -> list[Block]:
    """The repairer's changes, each pure deletion placed where it removes wrong words if it can.

    Removing one "the" of "the the" leaves the same text whichever copy goes,
    but the alignment of spun text and output names a copy of its own, and the
    alignment of spun text and original may have named the other one as the
    spinner's: a right repair was then judged to remove a word of the original.
    So of the equivalent places of a deletion (slid over equal words, between
    its neighbouring blocks) it takes the leftmost that removes only words the
    spinner made (``a_ok`` false), and stays where it was when none does.
    """
    out: list[Block] = []
    for k, block in enumerate(blocks):
        if block.b1 != block.b2 or block.a1 == block.a2 or not any(a_ok[block.a1 : block.a2]):
            out.append(block)  # not a pure deletion, or one that removes only wrong words
            continue
        floor_a = out[-1].a2 if out else 0
        floor_b = out[-1].b2 if out else 0
        limit_a, limit_b = (blocks[k + 1].a1, blocks[k + 1].b1) if k + 1 < len(blocks) else (len(a), b_len)
        here = block
        while here.a1 > floor_a and here.b1 > floor_b and a[here.a1 - 1] == a[here.a2 - 1]:
            here = Block(here.a1 - 1, here.a2 - 1, here.b1 - 1, here.b2 - 1)  # the leftmost equivalent place
        while any(a_ok[here.a1 : here.a2]):
            if here.a2 >= limit_a or here.b2 >= limit_b or a[here.a1] != a[here.a2]:
                here = block  # no place removes only wrong words
                break
            here = Block(here.a1 + 1, here.a2 + 1, here.b1 + 1, here.b2 + 1)
        out.append(here)
    return out


def _touches(a1: int, a2: int, b1: int, b2: int) -> bool:
    """Whether two token ranges overlap; an empty range touches what surrounds its point."""
    if a1 == a2 or b1 == b2:
        return b1 <= a2 and a1 <= b2
    return a1 < b2 and b1 < a2


def _touching(blocks: Sequence[Block], ends: Sequence[int], lo: int, hi: int, side: str) -> list[int]:
    """Indices of the blocks whose ``side`` range touches ``lo:hi`` (``ends``: their
    end positions on that side, ascending, as alignments are monotone)."""
    found: list[int] = []
    for k in range(bisect_left(ends, lo), len(blocks)):
        b = blocks[k]
        start, end = (b.a1, b.a2) if side == "a" else (b.b1, b.b2)
        if start > hi:
            break
        if _touches(lo, hi, start, end):
            found.append(k)
    return found


def _matched(n: int, blocks: Sequence[Block], side: str) -> list[bool]:
    ok = [True] * n
    for blk in blocks:
        lo, hi = (blk.a1, blk.a2) if side == "a" else (blk.b1, blk.b2)
        for i in range(lo, hi):
            ok[i] = False
    return ok


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class EditScore:
    """One token-level edit (where the output differs from the spun input), judged."""

    detector: str
    spun: str
    output: str
    good: bool
    fixed_words: int = 0
    damaged_words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "spun": self.spun,
            "output": self.output,
            "good": self.good,
            "fixed_words": self.fixed_words,
            "damaged_words": self.damaged_words,
        }


@dataclass(frozen=True, slots=True)
class RecordScore:
    """The scores of one gold record."""

    id: str
    spun: str
    output: str
    original: str
    words: int
    spins: int
    spun_words: int
    fixed_spins: int
    fixed_words: int
    damaged_words: int
    edits: tuple[EditScore, ...]
    must_fix_total: int = 0
    must_fix: tuple[bool | None, ...] = ()  # per gold pair: restored, not, or not found
    unattributed_fixed: int = 0
    unattributed_damaged: int = 0
    tool_edits: tuple[Edit, ...] = field(default=(), repr=False)

    @property
    def missed_words(self) -> int:
        return self.spun_words - self.fixed_words

    @property
    def must_fix_hit(self) -> int:
        return sum(1 for m in self.must_fix if m)

    @property
    def must_fix_unlocated(self) -> int:
        return sum(1 for m in self.must_fix if m is None)

    @property
    def good_edits(self) -> int:
        return sum(1 for e in self.edits if e.good)

    @property
    def bad_edits(self) -> int:
        return len(self.edits) - self.good_edits

    @property
    def changed(self) -> bool:
        return self.output != self.spun

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "spun": self.spun,
            "output": self.output,
            "original": self.original,
            "changed": self.changed,
            "words": self.words,
            "spins": self.spins,
            "spun_words": self.spun_words,
            "fixed_words": self.fixed_words,
            "missed_words": self.missed_words,
            "damaged_words": self.damaged_words,
            "good_edits": self.good_edits,
            "bad_edits": self.bad_edits,
            "must_fix_hit": self.must_fix_hit,
            "must_fix_total": self.must_fix_total,
            "must_fix_restored": list(self.must_fix),
            "scored_edits": [e.to_dict() for e in self.edits],
            "edits": [e.to_dict() for e in self.tool_edits],
        }


def _detector_of(lo: int, hi: int, edits: Sequence[Edit], default: str) -> str:
    names = sorted({e.detector for e in edits if _touches(lo, hi, e.start, e.end)})
    if names:
        return "+".join(names)
    return default


def _output_ranges(spun: str, output: str, edits: Sequence[Edit]) -> list[tuple[int, int]] | None:
    """Where each applied edit's proposal sits in the output (character offsets), or
    None when the output is not exactly the spun text with these edits applied."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    if list(ordered) != list(edits):
        return None
    ranges: list[tuple[int, int]] = []
    delta = 0
    pieces: list[str] = []
    cursor = 0
    for e in ordered:
        if e.start < cursor or spun[e.start : e.end] != e.spun:
            return None
        pieces.append(spun[cursor : e.start])
        pieces.append(e.proposal)
        cursor = e.end
        ranges.append((e.start + delta, e.start + delta + len(e.proposal)))
        delta += len(e.proposal) - (e.end - e.start)
    pieces.append(spun[cursor:])
    return ranges if "".join(pieces) == output else None


def _owners(tokens: Sequence[Token], lo: int, hi: int, ranges: Sequence[tuple[int, int]]) -> list[int | None]:
    """For tokens ``lo:hi``, the index of the edit range each overlaps (None if none)."""
    owners: list[int | None] = []
    for t in tokens[lo:hi]:
        owners.append(next((j for j, (start, end) in enumerate(ranges) if overlaps(start, end, t.start, t.end)), None))
    return owners


def _fill(owners: list[int | None]) -> list[int | None]:
    """Give tokens outside every edit the owner of a neighbour (alignment ties)."""
    filled = list(owners)
    for i in range(1, len(filled)):
        if filled[i] is None:
            filled[i] = filled[i - 1]
    for i in range(len(filled) - 2, -1, -1):
        if filled[i] is None:
            filled[i] = filled[i + 1]
    return filled


def _ascending(owners: Sequence[int | None]) -> bool:
    return all(a is not None and b is not None and a <= b for a, b in pairwise(owners))


def _split_changes(
    changes: Sequence[Block],
    s_tok: Sequence[Token],
    o_tok: Sequence[Token],
    edits: Sequence[Edit],
    out_ranges: Sequence[tuple[int, int]],
) -> tuple[list[Block], list[int | None]]:
    """Split change blocks where one repairer edit ends and the next begins.

    Two edits with no unchanged word between them form one block of the token
    alignment; the edit records say where one ends, so each is judged and
    credited on its own. Returns the blocks and the index of the edit each came from.
    """
    in_ranges = [(e.start, e.end) for e in edits]
    blocks: list[Block] = []
    owners: list[int | None] = []
    for c in changes:
        s_own = _fill(_owners(s_tok, c.a1, c.a2, in_ranges))
        o_own = _fill(_owners(o_tok, c.b1, c.b2, out_ranges))
        order = sorted({k for k in s_own + o_own if k is not None})
        if len(order) <= 1 or None in s_own + o_own or not (_ascending(s_own) and _ascending(o_own)):
            blocks.append(c)
            owners.append(order[0] if len(order) == 1 else None)
            continue
        sa, sb = c.a1, c.b1
        for k in order:
            ns, no = s_own.count(k), o_own.count(k)
            blocks.append(Block(sa, sa + ns, sb, sb + no))
            owners.append(k)
            sa, sb = sa + ns, sb + no
    return blocks, owners


def score_record(
    gold: GoldRecord, output: str, edits: Sequence[Edit] | None = None, default_detector: str = "unknown"
) -> RecordScore:
    """Align spun, output and original of one record and count what happened.

    ``edits`` are the repairer's applied edits with offsets into ``gold.spun``;
    they only serve to credit each token-level edit to a detector.
    """
    s_tok, o_tok, g_tok = tokenize(gold.spun), tokenize(output), tokenize(gold.original)
    s, o, g = [t.key for t in s_tok], [t.key for t in o_tok], [t.key for t in g_tok]
    spins = align(s, g)  # where the spun text is wrong
    outs = align(o, g)  # where the output is wrong
    changes = align(s, o)  # what the repairer changed

    o_ok = _matched(len(o), outs, "a")
    s_ok = _matched(len(s), spins, "a")
    changes = _charitable(changes, s, len(o), s_ok)
    in_spin = [False] * len(g)
    for r in spins:
        for i in range(r.b1, r.b2):
            in_spin[i] = True

    known = sorted((e for e in (edits or ()) if e.applied), key=lambda e: (e.start, e.end))
    fallback = UNATTRIBUTED if known else default_detector
    out_ranges = _output_ranges(gold.spun, output, known) if known else None
    owners: list[int | None] = [None] * len(changes)
    if known and out_ranges is not None:
        changes, owners = _split_changes(changes, s_tok, o_tok, known, out_ranges)

    # One entry per token-level edit: detector, good?, fixed and damaged words credited.
    labels: list[str] = []
    goods: list[bool] = []
    for c, owner in zip(changes, owners, strict=True):
        if owner is not None:
            labels.append(known[owner].detector)
        else:
            if c.a1 < c.a2:
                lo, hi = s_tok[c.a1].start, s_tok[c.a2 - 1].end
            else:
                lo = hi = s_tok[c.a1].start if c.a1 < len(s_tok) else len(gold.spun)
            labels.append(_detector_of(lo, hi, known, fallback))
        wrote_right = all(o_ok[j] for j in range(c.b1, c.b2))
        removed_wrong = all(not s_ok[i] for i in range(c.a1, c.a2))
        goods.append(wrote_right and removed_wrong)
    fixed_by = [0] * len(changes)
    damaged_by = [0] * len(changes)
    change_ends_s = [c.a2 for c in changes]
    change_ends_o = [c.b2 for c in changes]

    # Output errors inside a spin leave it (partly) unfixed; output errors elsewhere
    # are damage. Stray output words go to the first spin their block touches.
    spin_ends = [r.b2 for r in spins]
    spin_err = [0] * len(spins)
    damaged_words = unattributed_damaged = 0
    for blk in outs:
        touched = _touching(spins, spin_ends, blk.b1, blk.b2, "b")
        extras = max(0, (blk.a2 - blk.a1) - (blk.b2 - blk.b1))
        for i in touched:
            r = spins[i]
            spin_err[i] += max(0, min(r.b2, blk.b2) - max(r.b1, blk.b1))
        if touched:
            spin_err[touched[0]] += extras
        harm = sum(1 for i in range(blk.b1, blk.b2) if not in_spin[i]) + (0 if touched else extras)
        if not harm:
            continue
        damaged_words += harm
        near = _touching(changes, change_ends_o, blk.a1, blk.a2, "b")
        if near:
            damaged_by[near[0]] += harm
        else:
            unattributed_damaged += harm

    # A spin's fixed words: its size less the output errors left in it.
    fixed_spins = fixed_words = unattributed_fixed = 0
    for r, err in zip(spins, spin_err, strict=True):
        got = max(0, r.size - err)
        if not got:
            continue
        fixed_spins += err == 0
        fixed_words += got
        near = _touching(changes, change_ends_s, r.a1, r.a2, "a")
        if near:
            fixed_by[near[0]] += got
        else:
            unattributed_fixed += got

    scored = tuple(
        EditScore(
            labels[k],
            " ".join(s[c.a1 : c.a2]),
            " ".join(o[c.b1 : c.b2]),
            goods[k],
            fixed_by[k],
            damaged_by[k],
        )
        for k, c in enumerate(changes)
    )
    must_fix = tuple(_must_fix_hits(gold.must_fix, s, o, g, changes, spins))
    return RecordScore(
        id=gold.id,
        spun=gold.spun,
        output=output,
        original=gold.original,
        words=sum(1 for _ in WORD_RE.finditer(gold.spun)),
        spins=len(spins),
        spun_words=sum(r.size for r in spins),
        fixed_spins=fixed_spins,
        fixed_words=fixed_words,
        damaged_words=damaged_words,
        edits=scored,
        must_fix_total=len(gold.must_fix),
        must_fix=must_fix,
        unattributed_fixed=unattributed_fixed,
        unattributed_damaged=unattributed_damaged,
        tool_edits=tuple(known),
    )


def _occurrences(haystack: Sequence[str], needle: Sequence[str]) -> list[int]:
    """Where ``needle`` occurs as whole tokens; its last word may carry a clitic
    ("scholar" is found in "scholar's": the spinner swapped the stem)."""
    n = len(needle)
    if not n:
        return []
    last = needle[-1] + "'"
    return [
        i
        for i in range(len(haystack) - n + 1)
        if list(haystack[i : i + n - 1]) == list(needle[:-1])
        and (haystack[i + n - 1] == needle[-1] or haystack[i + n - 1].startswith(last))
    ]


def _project(x1: int, x2: int, changes: Sequence[Block]) -> tuple[int, int]:
    """The output token range that stands where spun tokens ``x1:x2`` stood.

    Change blocks that overlap or touch the range are taken in whole, so the
    window always holds the repairer's full replacement.
    """

    def offset(i: int) -> int:  # output index minus spun index after the blocks ending by i
        d = 0
        for c in changes:
            if c.a2 > i:
                break
            d = c.b2 - c.a2
        return d

    touching = [c for c in changes if _touches(x1, x2, c.a1, c.a2)]
    if not touching:
        return x1 + offset(x1), x2 + offset(x2)
    first, last = touching[0], touching[-1]
    lo = first.b1 if first.a1 <= x1 else x1 + offset(x1)
    hi = last.b2 if last.a2 >= x2 else x2 + offset(x2)
    return lo, hi


def _expand(x1: int, x2: int, *block_lists: Sequence[Block]) -> tuple[int, int]:
    """Grow a spun-token range over every block of the given alignments that overlaps
    or adjoins it, until none is left at its edges."""
    while True:
        lo, hi = x1, x2
        for blocks in block_lists:
            for b in blocks:
                if b.a1 <= hi and lo <= b.a2:
                    lo, hi = min(lo, b.a1), max(hi, b.a2)
        if (lo, hi) == (x1, x2):
            return x1, x2
        x1, x2 = lo, hi


def _must_fix_hits(
    pairs: Sequence[tuple[str, str]],
    s: Sequence[str],
    o: Sequence[str],
    g: Sequence[str],
    changes: Sequence[Block],
    spins: Sequence[Block],
) -> list[bool | None]:
    """For each ``[spun, original]`` pair: restored in place (True), not restored
    (False), or None when the spun phrase is not in the spun text at all.

    Pairs are expected in text order: each is looked for after the previous one,
    preferring an occurrence inside a spun stretch, since the same word often also
    occurs unspun earlier in the text.
    """
    low_s = [t.lower() for t in s]
    low_o = [t.lower() for t in o]
    low_g = [t.lower() for t in g]
    spin_ends = [r.a2 for r in spins]
    results: list[bool | None] = []
    cursor = 0
    for spun_phrase, original_phrase in pairs:
        needle = [t.key.lower() for t in tokenize(spun_phrase)]
        want = [t.key.lower() for t in tokenize(original_phrase)]
        found = _occurrences(low_s, needle)
        if not found:
            results.append(None)
            continue

        def spun_at(i: int, n: int = len(needle)) -> bool:  # in or next to a spun stretch
            k = bisect_left(spin_ends, i)
            return k < len(spins) and spins[k].a1 <= i + n

        after = [i for i in found if i >= cursor]
        at = next((i for i in after if spun_at(i)), None)
        if at is None:
            at = next((i for i in found if spun_at(i)), after[0] if after else found[0])
        cursor = at + len(needle)
        lo, hi = _project(at, at + len(needle), changes)
        window = low_o[lo:hi]
        # Restored: the original is there and the spun phrase is gone (unless the
        # spun phrase is part of the original: "more" -> "more than"), or the output
        # around the spot is exactly the original around it ("primary primary elections").
        if _occurrences(window, want) and (_occurrences(want, needle) or not _occurrences(window, needle)):
            results.append(True)
            continue
        restored = False
        if spun_at(at):
            x1, x2 = _expand(at, at + len(needle), changes, spins)
            o1, o2 = _project(x1, x2, changes)
            g1, g2 = _project(x1, x2, spins)
            restored = low_o[o1:o2] == low_g[g1:g2]
        results.append(restored)
    return results


# --------------------------------------------------------------------------- reports


def _prf(good: int, edits: int, fixed: int, spun: int) -> tuple[float, float, float]:
    precision = good / edits if edits else 1.0
    recall = fixed / spun if spun else 1.0
    b2 = BETA * BETA
    f = (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0.0
    return precision, recall, f


@dataclass(frozen=True, slots=True)
class DetectorScore:
    detector: str
    edits: int
    good_edits: int
    fixed_words: int
    damaged_words: int

    @property
    def bad_edits(self) -> int:
        return self.edits - self.good_edits

    @property
    def precision(self) -> float:
        return self.good_edits / self.edits if self.edits else 1.0


@dataclass
class EvalReport:
    """Scores over a set of gold records, with totals, per-detector figures and examples.

    ``seconds`` is the time the repairer took (0 when only outputs were scored).
    """

    records: list[RecordScore]
    seconds: float = 0.0
    # The context detector's reliability table (:func:`reliability`), when the run had its findings.
    calibration: list[ReliabilityBin] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.records)

    words = property(lambda self: self._sum("words"))
    spins = property(lambda self: self._sum("spins"))
    spun_words = property(lambda self: self._sum("spun_words"))
    fixed_spins = property(lambda self: self._sum("fixed_spins"))
    fixed_words = property(lambda self: self._sum("fixed_words"))
    missed_words = property(lambda self: self._sum("missed_words"))
    damaged_words = property(lambda self: self._sum("damaged_words"))
    good_edits = property(lambda self: self._sum("good_edits"))
    bad_edits = property(lambda self: self._sum("bad_edits"))
    must_fix_total = property(lambda self: self._sum("must_fix_total"))
    must_fix_hit = property(lambda self: self._sum("must_fix_hit"))
    must_fix_unlocated = property(lambda self: self._sum("must_fix_unlocated"))

    @property
    def edits(self) -> int:
        return sum(len(r.edits) for r in self.records)

    @property
    def changed_records(self) -> int:
        return sum(1 for r in self.records if r.changed)

    @property
    def precision(self) -> float:
        return _prf(self.good_edits, self.edits, self.fixed_words, self.spun_words)[0]

    @property
    def recall(self) -> float:
        return _prf(self.good_edits, self.edits, self.fixed_words, self.spun_words)[1]

    @property
    def f05(self) -> float:
        return _prf(self.good_edits, self.edits, self.fixed_words, self.spun_words)[2]

    @property
    def spin_recall(self) -> float:
        return self.fixed_spins / self.spins if self.spins else 1.0

    @property
    def must_fix_rate(self) -> float | None:
        return self.must_fix_hit / self.must_fix_total if self.must_fix_total else None

    @property
    def false_edits_per_10k(self) -> float:
        """Damaged words per 10,000 input words: the figure that matters on clean text."""
        return 10_000 * self.damaged_words / self.words if self.words else 0.0

    @property
    def words_per_second(self) -> float | None:
        return self.words / self.seconds if self.seconds > 0 else None

    def per_detector(self) -> dict[str, DetectorScore]:
        """Edits and their effects by detector; the rows add up to the totals."""
        acc: dict[str, list[int]] = {}
        for r in self.records:
            for e in r.edits:
                row = acc.setdefault(e.detector, [0, 0, 0, 0])
                row[0] += 1
                row[1] += e.good
                row[2] += e.fixed_words
                row[3] += e.damaged_words
            if r.unattributed_fixed or r.unattributed_damaged:
                row = acc.setdefault(UNATTRIBUTED, [0, 0, 0, 0])
                row[2] += r.unattributed_fixed
                row[3] += r.unattributed_damaged
        return {name: DetectorScore(name, *acc[name]) for name in sorted(acc)}

    def worst(self, n: int = 5) -> list[RecordScore]:
        """The records that went worst: most damage, then most bad edits, then most missed."""
        bad = [r for r in self.records if r.damaged_words or r.bad_edits or r.missed_words]
        bad.sort(key=lambda r: (-r.damaged_words, -r.bad_edits, -r.missed_words, r.id))
        return bad[:n]

    def summary(self) -> dict[str, Any]:
        """The headline figures as a flat dict (JSON-ready)."""
        return {
            "records": len(self.records),
            "words": self.words,
            "spins": self.spins,
            "spun_words": self.spun_words,
            "fixed_words": self.fixed_words,
            "missed_words": self.missed_words,
            "damaged_words": self.damaged_words,
            "edits": self.edits,
            "good_edits": self.good_edits,
            "bad_edits": self.bad_edits,
            "precision": self.precision,
            "recall": self.recall,
            "f0.5": self.f05,
            "spin_recall": self.spin_recall,
            "must_fix_hit": self.must_fix_hit,
            "must_fix_total": self.must_fix_total,
            "must_fix_rate": self.must_fix_rate,
            "false_edits_per_10k": self.false_edits_per_10k,
            "changed_records": self.changed_records,
            "seconds": self.seconds,
            "words_per_second": self.words_per_second,
        }

    def summary_frame(self) -> pd.DataFrame:
        """One row for all edits and one per detector (the CSV summary)."""
        import pandas as pd

        rows = [{"scope": "all", **self.summary()}]
        for d in self.per_detector().values():
            rows.append(
                {
                    "scope": f"detector:{d.detector}",
                    "edits": d.edits,
                    "good_edits": d.good_edits,
                    "bad_edits": d.bad_edits,
                    "precision": d.precision,
                    "fixed_words": d.fixed_words,
                    "damaged_words": d.damaged_words,
                }
            )
        frame = pd.DataFrame(rows)
        counts = [c for c, v in rows[0].items() if isinstance(v, int) and not isinstance(v, bool)]
        return frame.astype({c: "Int64" for c in counts})  # integers stay integers next to blank cells

    def format_text(self, worst: int = 5) -> str:
        """A plain-text report for the terminal."""
        lines = [
            f"records {len(self.records)}, words {self.words}, spins {self.spins} ({self.spun_words} words)",
            f"fixed {self.fixed_words}  missed {self.missed_words}  damaged {self.damaged_words}  "
            f"(words; fixed spins {self.fixed_spins}/{self.spins})",
            f"edits {self.edits}: good {self.good_edits}, bad {self.bad_edits}",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F0.5 {self.f05:.3f}",
            f"false edits {self.false_edits_per_10k:.2f} per 10,000 words",
        ]
        if self.must_fix_total:
            rate = self.must_fix_rate or 0.0
            note = f" ({self.must_fix_unlocated} not found in the spun text)" if self.must_fix_unlocated else ""
            lines.append(f"must_fix restored {self.must_fix_hit}/{self.must_fix_total} ({rate:.1%}){note}")
        if self.words_per_second:
            lines.append(f"time in the repairer {self.seconds:.2f} s ({self.words_per_second:,.0f} words/s)")
        table = self.per_detector()
        if table:
            lines.append("")
            head = ("detector", "edits", "good", "bad", "prec", "fixed", "damaged")
            lines.append(f"{head[0]:<24} " + " ".join(f"{h:>7}" for h in head[1:]))
            for d in table.values():
                lines.append(
                    f"{d.detector:<24} {d.edits:>7} {d.good_edits:>7} {d.bad_edits:>7} "
                    f"{d.precision:>7.3f} {d.fixed_words:>7} {d.damaged_words:>7}"
                )
        if any(b.findings for b in self.calibration):
            lines.append("")
            lines.append("context detector's confidences (every finding, applied or not, judged alone):")
            lines.append(f"{'confidence':<12} {'findings':>8} {'right':>7} {'share':>7}")
            for b in self.calibration:
                share = "-" if b.observed is None else f"{b.observed:.2f}"
                lines.append(f"{b.low:.2f}-{b.high:.2f}    {b.findings:>8} {b.right:>7} {share:>7}")
        examples = self.worst(worst)
        if examples:
            lines.append("")
            lines.append(f"worst {len(examples)} example(s):")
            for r in examples:
                lines.append(
                    f"- {r.id}: damaged {r.damaged_words}, bad edits {r.bad_edits}, "
                    f"missed {r.missed_words}/{r.spun_words}"
                )
                lines.append(f"    spun:     {r.spun}")
                lines.append(f"    output:   {r.output}")
                lines.append(f"    original: {r.original}")
        return "\n".join(lines)

    def write(self, out: str | Path) -> list[Path]:
        """Write the outputs as JSONL to ``out`` and the summary table next to it
        (``NAME.summary.csv``); returns the paths written."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="\n") as handle:
            for r in self.records:
                handle.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        csv_path = summary_path(out)
        self.summary_frame().to_csv(csv_path, index=False)
        return [out, csv_path]


def summary_path(out: Path) -> Path:
    return out.with_name(out.stem + ".summary.csv")


# --------------------------------------------------------------------------- entry points


CleanFn = Callable[[str], "Result"]


#: Confidence bins of a reliability table: [0.5, 0.6), ..., [0.95, 1.0]. The floor is the
#: context detector's report floor; the bins narrow near the top, where its bars lie.
RELIABILITY_EDGES: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """The findings whose confidence lies in ``[low, high)`` (the last bin includes ``high``)."""

    low: float
    high: float
    findings: int
    right: int
    confidence_sum: float

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.findings if self.findings else None

    @property
    def observed(self) -> float | None:
        """The share of right findings: near the bin's confidences when they are calibrated."""
        return self.right / self.findings if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "findings": self.findings,
            "right": self.right,
            "mean_confidence": self.mean_confidence,
            "observed": self.observed,
        }


def finding_is_right(gold: GoldRecord, edit: Edit) -> bool:
    """Would ``edit`` alone, applied to the spun text, be a good edit and damage nothing?

    Judges report-only findings as well as applied ones, each on its own, so a
    reliability table covers every confidence a reviewer sees, not only those
    above the bar.
    """
    alone = replace(edit, applied=True)
    score = score_record(gold, apply_edits(gold.spun, [alone]), [alone])
    return bool(score.edits) and score.bad_edits == 0 and score.damaged_words == 0


def reliability(
    records: Iterable[GoldRecord | Mapping[str, Any]],
    findings: Sequence[Sequence[Edit]],
    *,
    detector: str | None = None,
    edges: Sequence[float] = RELIABILITY_EDGES,
) -> list[ReliabilityBin]:
    """Reliability table: for each confidence bin, how many findings there were and how many were right.

    ``findings``: one list per record, applied or not (``Result.edits``), offsets
    into the spun text; only ``detector``'s when given. Findings under the first
    edge are left out. In clean records every finding is wrong, so their table
    shows what the confidences cost on clean text rather than their calibration.
    """
    gold = [_as_gold(r, i) for i, r in enumerate(records)]
    if len(findings) != len(gold):
        raise ValueError(f"{len(findings)} finding lists for {len(gold)} gold records")
    counts = [[0, 0, 0.0] for _ in edges[:-1]]
    for g, found in zip(gold, findings, strict=True):
        for edit in found:
            if detector is not None and edit.detector != detector:
                continue
            if not edges[0] <= edit.confidence <= edges[-1]:
                continue
            k = min(bisect_right(edges, edit.confidence) - 1, len(counts) - 1)
            counts[k][0] += 1
            counts[k][1] += finding_is_right(g, edit)
            counts[k][2] += edit.confidence
    return [
        ReliabilityBin(lo, hi, int(n), int(right), total)
        for (lo, hi), (n, right, total) in zip(pairwise(edges), counts, strict=True)
    ]


def evaluate_outputs(
    records: Iterable[GoldRecord | Mapping[str, Any]],
    outputs: Sequence[str],
    edits: Sequence[Sequence[Edit]] | None = None,
    *,
    seconds: float = 0.0,
    default_detector: str = "unknown",
) -> EvalReport:
    """Score given outputs (one per record, same order) against the gold records.

    ``edits`` (optional, one list per record, offsets into the spun text) credit
    each change to a detector; without them every change counts under
    ``default_detector``.
    """
    gold = [_as_gold(r, i) for i, r in enumerate(records)]
    if len(outputs) != len(gold):
        raise ValueError(f"{len(outputs)} outputs for {len(gold)} gold records")
    if edits is not None and len(edits) != len(gold):
        raise ValueError(f"{len(edits)} edit lists for {len(gold)} gold records")
    scores = [
        score_record(g, out, edits[i] if edits is not None else None, default_detector)
        for i, (g, out) in enumerate(zip(gold, outputs, strict=True))
    ]
    return EvalReport(scores, seconds)


def evaluate(
    records: Iterable[GoldRecord | Mapping[str, Any]],
    clean_fn: CleanFn | None = None,
    *,
    config: Config | None = None,
) -> EvalReport:
    """Run a repairer over each record's spun text and score the results.

    ``clean_fn`` maps a text to a ``Result`` (``.text`` and ``.edits``); by default
    it is ``repair.clean_text`` with ``config``. Only the repair calls are timed,
    so ``words_per_second`` excludes scoring but includes any model loading the
    first call triggers.
    """
    gold = [_as_gold(r, i) for i, r in enumerate(records)]
    if clean_fn is None:
        from .pipeline import Pipeline

        clean_fn = Pipeline(config).run
    outputs: list[str] = []
    found: list[list[Edit]] = []  # every finding, applied or held back
    started = time.perf_counter()
    for g in gold:
        result = clean_fn(g.spun)
        outputs.append(result.text)
        found.append(list(result.edits))
    seconds = time.perf_counter() - started
    edits = [[e for e in f if e.applied] for f in found]
    report = evaluate_outputs(gold, outputs, edits, seconds=seconds)
    report.calibration = reliability(gold, found, detector="context")
    return report


def eval_main(
    gold_path: str | Path,
    out: str | Path | None = None,
    config: Config | None = None,
    *,
    worst: int = 5,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """What ``repair eval GOLD.jsonl [--out FILE]`` does; returns the exit code.

    The report goes to stdout, problems and the list of written files to stderr.
    An unreadable or invalid gold file is a usage-level error (exit 2).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        records = read_gold(gold_path)
    except GoldError as exc:
        stderr.write(f"error: {exc}\n")
        return 2
    report = evaluate(records, config=config)
    stdout.write(report.format_text(worst) + "\n")
    if out is not None:
        try:
            written = report.write(out)
        except OSError as exc:
            stderr.write(f"error: cannot write {out}: {exc.strerror or exc}\n")
            return 2
        stderr.write("wrote " + ", ".join(str(p) for p in written) + "\n")
    return 0
