"""Which parts of a file are not prose: code, link targets, tags. No edit may touch them.

A spinner rewrites prose. A Markdown file also holds code blocks, inline code,
link destinations, HTML tags and front matter, whose words are identifiers,
paths and keys: ``fit("irregular woodland")`` or ``(docs/irregular-woodland.md)``
must come out as they went in, even when the same words in a sentence are a
spin. So the pipeline asks this module for the character ranges no edit may
touch (with the URLs and e-mail addresses of any text) and drops the findings
that overlap one, as it does for addresses.

The scan follows CommonMark's constructs loosely and errs on the side of
protecting: a line indented by four spaces after a blank line is treated as
code even where a list makes it a paragraph, since a missed repair costs less
than a broken program. Plain text gets the address rule only; which files are
Markdown is a setting (``markup``: ``auto`` goes by ``markdown-suffixes``).

A streamed file is cleaned in chunks cut at paragraph breaks, and a fenced
code block may hold blank lines, so :func:`scan` takes and returns the
:class:`Carry` state: the block still open at the end of one chunk is open at
the start of the next. (Front matter must close within the first chunk, a
megabyte by default: an unclosed first ``---`` is a thematic break.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .segment import addresses

AUTO, MARKDOWN, PLAIN = "auto", "markdown", "plain"
MARKUPS = (AUTO, MARKDOWN, PLAIN)

Region = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Carry:
    """The scan's state at a chunk boundary: still at the file's start, or inside a block.

    ``closer`` is what ends the open block: a fence (three or more backticks or
    tildes, the closing fence at least as long), ``-->``, ``</pre>`` (and the
    other raw-HTML tags), ``$$`` or the front matter's closing line.
    """

    at_start: bool = True
    closer: str | None = None


START = Carry()

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
# Block prefixes that do not end a block's code-ness: blockquote markers and indentation.
_PREFIX = r"[ \t>]*"
_FENCE_OPEN = re.compile(rf"^{_PREFIX}(`{{3,}}(?=[^`]*$)|~{{3,}})")
_RAW_OPEN = re.compile(r"^ {0,3}<(pre|script|style|textarea)(?=[\s>]|$)", re.IGNORECASE)
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
_MATH_OPEN = re.compile(rf"^{_PREFIX}\$\$")
# Front matter: a first line of "---" (YAML) or "+++" (TOML) up to its closing line.
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\r?\n.*?^(?:---|\.\.\.)|\+\+\+[ \t]*\r?\n.*?^\+\+\+)[ \t]*(?=\r?$)",
    re.DOTALL | re.MULTILINE,
)
_INDENTED = re.compile(r"^(?: {4}|\t)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\r\n]+\]:[ \t]*\S")
# Inline: a tag, a comment or an autolink; code spans and link targets are matched by hand.
_INLINE = re.compile(
    r"<!--.*?-->"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"
    r"|<[^\s@<>]+@[^\s@<>]+>",
    re.DOTALL,
)
_BACKTICKS = re.compile(r"`+")
_LINK_TARGET = re.compile(r"\]\(|\]\[")
#: How far a link target may reach (a bracket never closed costs no more than this).
MAX_TARGET = 2000


def markup_for(path: str, setting: str, suffixes: Sequence[str]) -> str:
    """``markdown`` or ``plain`` for a file: the setting, or for ``auto`` the file's suffix.

    >>> markup_for("notes/README.md", "auto", [".md"])
    'markdown'
    >>> markup_for("stdin", "auto", [".md"])
    'plain'
    """
    if setting != AUTO:
        return setting
    name = path.lower()
    return MARKDOWN if any(name.endswith(suffix.lower()) for suffix in suffixes) else PLAIN


def protected(text: str, markup: str = PLAIN, carry: Carry = START) -> list[Region]:
    """The sorted character ranges of ``text`` no edit may touch (addresses, and Markdown's code and targets)."""
    regions = addresses(text)
    if markup == MARKDOWN:
        regions = merged([*regions, *scan(text, carry)[0]])
    return regions


def touches(regions: Sequence[Region], start: int, end: int) -> bool:
    """Does ``[start, end)`` overlap one of ``regions``?"""
    return any(start < hi and lo < end for lo, hi in regions)


def merged(regions: Sequence[Region]) -> list[Region]:
    """Sorted, with overlapping and touching ranges joined."""
    out: list[Region] = []
    for lo, hi in sorted(regions):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _lines(text: str, pos: int = 0) -> Iterator[tuple[int, str, str]]:
    """(offset, line without its break, line with it) for every line of ``text`` from ``pos``."""
    while pos < len(text):
        m = _LINE.match(text, pos)
        assert m is not None  # the pattern matches at least one character before the end
        whole = m.group()
        yield pos, whole.rstrip("\r\n"), whole
        pos = m.end()


def _closes(closer: str, line: str) -> bool:
    """Does ``line`` end the block that ``closer`` describes?"""
    body = line.lstrip(" \t>")
    if closer[0] in "`~":
        run = len(body) - len(body.lstrip(closer[0]))
        return run >= len(closer) and not body[run:].strip()
    return closer in line.lower()  # "-->", "$$" or a raw-HTML closing tag


def _opens(line: str) -> tuple[str | None, bool]:
    """The closer of a block ``line`` opens, and whether the same line already closes it."""
    m = _FENCE_OPEN.match(line)
    if m:
        return m.group(1), False
    m = _RAW_OPEN.match(line)
    if m:
        closer = f"</{m.group(1).lower()}>"
        return closer, closer in line.lower()[m.end() :]
    m = _COMMENT_OPEN.match(line)
    if m:
        return "-->", "-->" in line[m.end() :]
    m = _MATH_OPEN.match(line)
    if m:
        return "$$", "$$" in line[m.end() :]
    return None, False


def scan(text: str, carry: Carry = START) -> tuple[list[Region], Carry]:
    """Markdown's non-prose ranges in ``text``, and the state to start the next chunk with."""
    regions: list[Region] = []
    closer = carry.closer
    begin = 0
    front = _FRONT_MATTER.match(text) if carry.at_start else None
    if front:
        regions.append((0, front.end()))
        begin = front.end()
    code_may_start = True  # an indented line after a blank line (or the start) is code
    in_indented = False
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        if paragraph:
            lo = paragraph[0][0]
            regions.extend(_inline(lo, "".join(part for _, part in paragraph)))
            paragraph.clear()

    for offset, line, whole in _lines(text, begin):
        if closer is not None:
            regions.append((offset, offset + len(whole)))
            if _closes(closer, line):
                closer = None
                code_may_start = True  # indented code may follow a closed block at once
            continue
        opened, closed = _opens(line)
        blank = not line.strip()
        if opened is not None:
            flush()
            regions.append((offset, offset + len(whole)))
            closer = None if closed else opened
            code_may_start, in_indented = closed, False
            continue
        if not blank and _INDENTED.match(line) and (code_may_start or in_indented):
            flush()
            regions.append((offset, offset + len(whole)))
            in_indented = True
            continue
        if blank:
            flush()
            code_may_start = True
            # A blank line inside indented code does not end it.
            continue
        in_indented = code_may_start = False
        if _REFERENCE.match(line):
            flush()
            regions.append((offset, offset + len(line)))
            continue
        paragraph.append((offset, whole))
    flush()
    return merged(regions), Carry(False, closer)


def _inline(base: int, text: str) -> list[Region]:
    """Code spans, tags, comments, autolinks and link targets in one paragraph of prose."""
    found = [(base + m.start(), base + m.end()) for m in _INLINE.finditer(text)]
    found.extend((base + lo, base + hi) for lo, hi in _code_spans(text))
    found.extend((base + lo, base + hi) for lo, hi in _link_targets(text))
    return found


def _code_spans(text: str) -> Iterator[Region]:
    """Backtick code spans: a run of n backticks up to the next run of exactly n."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    k = 0
    while k < len(runs):
        lo, hi = runs[k]
        width = hi - lo
        close = next((j for j in range(k + 1, len(runs)) if runs[j][1] - runs[j][0] == width), None)
        if close is None:
            k += 1  # an unmatched run is literal text
            continue
        yield lo, runs[close][1]
        k = close + 1


def _link_targets(text: str) -> Iterator[Region]:
    """A link's destination and title, ``](...)``, or its reference label, ``][...]``."""
    for m in _LINK_TARGET.finditer(text):
        opener = text[m.end() - 1]
        closing = ")" if opener == "(" else "]"
        depth = 1
        for pos in range(m.end(), min(len(text), m.end() + MAX_TARGET)):
            ch = text[pos]
            if ch in "\r\n" and closing == "]":
                break
            if ch == opener:
                depth += 1
            elif ch == closing:
                depth -= 1
                if depth == 0:
                    yield m.start() + 1, pos + 1
                    break
