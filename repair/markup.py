r"""Which parts of a file are not prose: code, math, link targets, tags, keys. No edit may touch them.

A spinner rewrites prose. A Markdown file also holds code blocks, inline code,
link destinations, HTML tags and front matter, and a LaTeX source holds math,
comments, citation keys, labels and file names, whose words are identifiers,
paths and keys: ``fit("irregular woodland")``, ``(docs/irregular-woodland.md)``
or ``\cite{irregular-woodland}`` must come out as they went in, even when the
same words in a sentence are a spin. So the pipeline asks this module for the
character ranges no edit may touch (with the URLs and e-mail addresses of any
text) and drops the findings that overlap one, as it does for addresses.

The scans follow CommonMark's and LaTeX's constructs loosely and err on the
side of protecting: a line indented by four spaces after a blank line is
treated as code even where a list makes it a paragraph, since a missed repair
costs less than a broken program. Plain text gets the address rule only; which
files are Markdown, LaTeX or reStructuredText is a setting (``markup``:
``auto`` goes by ``markdown-suffixes``, ``latex-suffixes`` and
``rst-suffixes``). Which LaTeX commands take keys and which rst directives hold
code is data (``repair/data/markup.toml``).

A streamed file is cleaned in chunks cut at paragraph breaks, and a fenced
code block, an environment or a literal block may hold blank lines, so each
scanner takes and returns the :class:`Carry` state: the block still open at
the end of one chunk is open at the start of the next. (Markdown's front matter
must close within the first chunk, a megabyte by default: an unclosed first
``---`` is a thematic break.)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .segment import LINE_BREAK, PARAGRAPH_BREAK, addresses

if TYPE_CHECKING:
    from .model import Document

AUTO, MARKDOWN, LATEX, RST, PLAIN = "auto", "markdown", "latex", "rst", "plain"
MARKUPS = (AUTO, MARKDOWN, LATEX, RST, PLAIN)

Region = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Carry:
    """The scan's state at a chunk boundary: still at the file's start, or inside a block.

    ``closer`` is what ends the open block: in Markdown a fence (three or more
    backticks or tildes, the closing fence at least as long), ``-->``,
    ``</pre>`` (and the other raw-HTML tags) or ``$$``; in LaTeX ``\\end{...}``,
    ``\\]``, ``\\)`` or ``$$``; in reStructuredText :data:`INDENTED_BLOCK`.
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
# A link reference definition ("[label]: target"); a footnote's ("[^label]: text") is prose after its label.
_REFERENCE = re.compile(r"^ {0,3}\[(?!\^)[^\]\r\n]+\]:[ \t]*\S")
# Inline: a footnote label, an entity, a tag, a comment or an autolink; code spans and link
# targets are matched by hand.
_INLINE = re.compile(
    r"\[\^[^\]\s]+\]"  # a footnote label, "[^irregular-woodland]"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"  # an entity, "&nbsp;"
    r"|<!--.*?-->"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"
    r"|<[^\s@<>]+@[^\s@<>]+>",
    re.DOTALL,
)
_BACKTICKS = re.compile(r"`+")
_LINK_TARGET = re.compile(r"\]\(|\]\[")
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_BRACKET_OR_ESCAPE = re.compile(r"\\.|[(){}\[\]]", re.DOTALL)
#: How far a link target, a LaTeX argument or a ``\\verb`` may reach (an opener never
#: closed costs no more than this).
MAX_TARGET = 2000


def markup_for(
    path: str, setting: str, markdown: Sequence[str], latex: Sequence[str] = (), rst: Sequence[str] = ()
) -> str:
    """``markdown``, ``latex``, ``rst`` or ``plain`` for a file: the setting, or for ``auto`` its suffix.

    >>> markup_for("notes/README.md", "auto", [".md"])
    'markdown'
    >>> markup_for("paper/main.tex", "auto", [".md"], [".tex"])
    'latex'
    >>> markup_for("stdin", "auto", [".md"])
    'plain'
    """
    if setting != AUTO:
        return setting
    name = path.lower()
    for markup, suffixes in ((MARKDOWN, markdown), (LATEX, latex), (RST, rst)):
        if any(name.endswith(suffix.lower()) for suffix in suffixes):
            return markup
    return PLAIN


def protected(text: str, markup: str = PLAIN, carry: Carry = START) -> tuple[list[Region], Carry]:
    """The sorted ranges of ``text`` no edit may touch (addresses, and the markup's non-prose), and the
    scan's state after it (for the next chunk of a streamed file; ``carry`` itself for plain text)."""
    regions = addresses(text)
    if markup not in SCANNERS:
        return regions, carry
    found, after = SCANNERS[markup](text, carry)
    return merged([*regions, *found]), after


def regions_of(doc: Document) -> list[Region]:
    """The ranges of ``doc`` no edit may touch: those the pipeline set, else the text's addresses."""
    return doc.protected if doc.protected is not None else addresses(doc.text)


def touches(regions: Sequence[Region], start: int, end: int) -> bool:
    """Does ``[start, end)`` overlap one of ``regions``?"""
    return any(start < hi and lo < end for lo, hi in regions)


def covered(spans: Sequence[tuple[int, int]], regions: Sequence[Region]) -> list[bool]:
    """For each of the sorted ``spans`` (e.g. tokens, as ``(start, end)``): does it touch a sorted, merged region?

    >>> covered([(0, 3), (4, 9), (10, 12)], [(5, 6)])
    [False, True, False]
    """
    out: list[bool] = []
    r = 0
    for start, end in spans:
        while r < len(regions) and regions[r][1] <= start:
            r += 1
        out.append(r < len(regions) and regions[r][0] < end)
    return out


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
        end = _balanced(text, m.end() - 1, min(len(text), m.end() + MAX_TARGET))
        if end is not None:
            yield m.start() + 1, end


# --------------------------------------------------------------------------- LaTeX


@dataclass(frozen=True, slots=True)
class LatexSettings:
    """``[latex]`` of ``repair/data/markup.toml``."""

    verbatim: frozenset[str]  # environments kept whole
    key_arguments: dict[str, int]  # command -> how many brace arguments are keys, not prose


@lru_cache(maxsize=1)
def markup_toml() -> dict[str, Any]:
    """``repair/data/markup.toml``, parsed once."""
    return tomllib.loads(resources.files("repair").joinpath("data/markup.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def latex_settings() -> LatexSettings:
    data = markup_toml()["latex"]
    keys = {name: int(count) for name, count in data["key-arguments"].items()}
    return LatexSettings(frozenset(data["verbatim-environments"]), keys)


# An escape or command first (so "\%" and "\$" are no comment or math), then the openers.
_LATEX = re.compile(
    r"\\begin\{(?P<env>[^{}\s]+)\}"
    r"|\\verb\*?(?P<delim>[^A-Za-z\s*])"
    r"|\\(?P<display>[\[(])"
    r"|\\(?P<command>[A-Za-z@]+\*?|[^A-Za-z@\r\n])"
    r"|(?P<math>\$\$?)"
    r"|%[^\r\n]*"
    r"|[{}]"  # a group's braces are syntax, whatever the group holds ("{key}" is no spinner's template)
)
_PARAGRAPH = re.compile(PARAGRAPH_BREAK)
_BREAK = re.compile(LINE_BREAK)


def scan_latex(text: str, carry: Carry = START) -> tuple[list[Region], Carry]:
    """LaTeX's non-prose ranges in ``text``, and the state to start the next chunk with.

    Kept: comments, math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]`` and the
    math and verbatim environments of ``markup.toml``), ``\\verb``, every command
    name, every brace (a group's words may be prose, its braces never are: the
    artifact rule for a spinner's "{that a}" must not strip ``\\var{key}``), and the
    options and key arguments of the commands that take keys
    (``\\cite[p.~2]{irregular-woodland}``). A display or environment left open
    at the end runs on into the next chunk; inline ``$...$`` stops at a
    paragraph break, as LaTeX does.
    """
    settings = latex_settings()
    regions: list[Region] = []
    pos = 0
    if carry.closer is not None:
        end = _latex_close(text, 0, carry.closer)
        if end is None:
            return [(0, len(text))] if text else [], carry
        regions.append((0, end))
        pos = end
    while True:
        m = _LATEX.search(text, pos)
        if m is None:
            return merged(regions), Carry(False, None)
        closer = None
        if m.group("env") is not None:
            if m.group("env") in settings.verbatim:
                closer = f"\\end{{{m.group('env')}}}"
            else:
                regions.append((m.start(), m.end()))
                pos = m.end()
                continue
        elif m.group("delim") is not None:
            stop = _line_end(text, m.end(), min(len(text), m.end() + MAX_TARGET))
            end = text.find(m.group("delim"), m.end(), stop)
            hi = end + 1 if end >= 0 else stop
            regions.append((m.start(), hi))
            pos = hi
            continue
        elif m.group("display") is not None:
            closer = "\\]" if m.group("display") == "[" else "\\)"
        elif m.group("math") is not None:
            if m.group("math") == "$$":
                closer = "$$"
            else:
                end = _inline_math_end(text, m.end())
                hi = end if end is not None else m.end()
                regions.append((m.start(), hi))
                pos = hi
                continue
        elif m.group("command") is not None:
            keys = settings.key_arguments.get(m.group("command").rstrip("*"))
            hi = m.end() if keys is None else _key_arguments(text, m.end(), keys)
            regions.append((m.start(), hi))
            pos = hi
            continue
        else:  # a comment or a brace
            regions.append((m.start(), m.end()))
            pos = m.end()
            continue
        end = _latex_close(text, m.end(), closer)
        if end is None:
            regions.append((m.start(), len(text)))
            return merged(regions), Carry(False, closer)
        regions.append((m.start(), end))
        pos = end


def _latex_close(text: str, pos: int, closer: str) -> int | None:
    """Where the block that ``closer`` ends is over (past the closer), skipping escapes; None if not here."""
    while True:
        at = text.find(closer, pos)
        if at < 0:
            return None
        before = at
        while before > 0 and text[before - 1] == "\\":
            before -= 1
        if closer.startswith("\\") or (at - before) % 2 == 0:  # "\$$" is no closer
            return at + len(closer)
        pos = at + 1


def _line_end(text: str, pos: int, limit: int) -> int:
    """Where the line from ``pos`` ends, or ``limit``."""
    m = _BREAK.search(text, pos, limit)
    return m.start() if m else limit


def _inline_math_end(text: str, pos: int) -> int | None:
    """The end of ``$...$`` opened before ``pos``: the next unescaped ``$``, unless a paragraph break comes first."""
    end = _latex_close(text, pos, "$")
    if end is None or _PARAGRAPH.search(text, pos, end):
        return None
    return end


def _key_arguments(text: str, pos: int, count: int) -> int:
    """The end of a key command's ``[options]`` and first ``count`` brace arguments from ``pos``."""
    end = pos
    taken = 0
    while True:
        k = end
        while k < len(text) and text[k] in " \t":
            k += 1
        if k < len(text) and text[k] == "[" and taken == 0:
            close = _balanced(text, k, _argument_limit(text, k))
        elif k < len(text) and text[k] == "{" and taken < count:
            close = _balanced(text, k, _argument_limit(text, k))
            if close is not None:
                taken += 1
        else:
            return end
        if close is None:
            return end
        end = close


def _argument_limit(text: str, pos: int) -> int:
    """How far a LaTeX argument opened at ``pos`` may reach: its paragraph, at most MAX_TARGET characters."""
    limit = min(len(text), pos + MAX_TARGET)
    stop = _PARAGRAPH.search(text, pos, limit)
    return stop.start() if stop else limit


def _balanced(text: str, pos: int, limit: int) -> int | None:
    """Past the bracket that closes the one at ``pos`` (``(``, ``[`` or ``{``), if that is before ``limit``.

    Backslash escapes are skipped, as both Markdown and LaTeX read them; other
    kinds of bracket do not count. The pairs come from one pass over the text
    (:func:`_pairs`), so many unclosed openers cost linear time, not a scan each.
    """
    end = _pairs(text, text[pos]).get(pos)
    return end if end is not None and end <= limit else None


@lru_cache(maxsize=8)
def _pairs(text: str, opener: str) -> dict[int, int]:
    """Each ``opener`` of ``text`` that is closed, with the end of its closing bracket."""
    closer = _CLOSING[opener]
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET_OR_ESCAPE.finditer(text):
        ch = m.group()
        if ch == opener:
            stack.append(m.start())
        elif ch == closer and stack:
            pairs[stack.pop()] = m.end()
    return pairs


# --------------------------------------------------------------------------- reStructuredText


@lru_cache(maxsize=1)
def rst_code_directives() -> frozenset[str]:
    """``[rst] code-directives`` of ``repair/data/markup.toml``."""
    return frozenset(markup_toml()["rst"]["code-directives"])


#: The closer that stands for "the indented block goes on" in a carried state.
INDENTED_BLOCK = "indented"
_RST_EXPLICIT = re.compile(r"^[ \t]*\.\.(?:[ \t]+|$)(?P<rest>.*)$")
_RST_DIRECTIVE = re.compile(r"^(?:\|[^|]+\|[ \t]+)?(?P<name>[\w:+-]+)::")
_RST_FOOTNOTE = re.compile(r"^\[[^\]]+\]")
_RST_FIELD = re.compile(r"^[ \t]+:[^:\s][^:]*:")
_RST_INLINE = re.compile(
    r"``.+?``"  # inline literal
    r"|(?::[\w:+.-]+:)?`[^`]+`(?::[\w:+.-]+:)?_{0,2}"  # roles, interpreted text, references
    r"|\|[^|\s](?:[^|]*[^|\s])?\|_{0,2}",  # substitution references
    re.DOTALL,
)


def scan_rst(text: str, carry: Carry = START) -> tuple[list[Region], Carry]:
    """reStructuredText's non-prose ranges in ``text``, and the state to start the next chunk with.

    Kept whole: literal blocks (the indented block after a paragraph ending in
    ``::``), doctest blocks, comments, hyperlink targets, substitution
    definitions, directive lines with their ``:option:`` lines, and the bodies of
    the code directives of ``markup.toml``. Inline: literals, roles, interpreted
    text, references (```irregular woodland`_`` names a target) and embedded
    URIs. An indented block open at the end runs on into the next chunk. A
    footnote's or a note's own text is prose.
    """
    code = rst_code_directives()
    regions: list[Region] = []
    block = carry.closer == INDENTED_BLOCK  # inside an indented block whose words are not prose
    expect_block = False  # the last paragraph ended with "::": an indented literal block may follow
    doctest = False  # inside a doctest block, which ends at a blank line
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        if paragraph:
            lo = paragraph[0][0]
            para = "".join(part for _, part in paragraph)
            regions.extend((lo + m.start(), lo + m.end()) for m in _RST_INLINE.finditer(para))
            paragraph.clear()

    for offset, line, whole in _lines(text):
        blank = not line.strip()
        indented = line[:1] in (" ", "\t")
        if doctest and not blank:
            regions.append((offset, offset + len(line)))
            continue
        doctest = False
        if block:
            if blank or indented:
                if not blank:
                    regions.append((offset, offset + len(line)))
                continue
            block = False
        if blank:
            flush()
            if expect_block:
                block, expect_block = True, False
            continue
        if expect_block and indented:  # a block right after its opener, without a blank line
            flush()
            regions.append((offset, offset + len(line)))
            block, expect_block = True, False
            continue
        expect_block = False
        explicit = _RST_EXPLICIT.match(line)
        if explicit and not paragraph:
            flush()
            rest = explicit.group("rest")
            directive = _RST_DIRECTIVE.match(rest)
            footnote = _RST_FOOTNOTE.match(rest)
            if footnote and not directive:
                lo = offset + explicit.start("rest")
                regions.append((offset, lo + footnote.end()))  # the label; the note itself is prose
                paragraph.append((lo + footnote.end(), whole[explicit.start("rest") + footnote.end() :]))
                continue
            regions.append((offset, offset + len(line)))
            if directive is None or directive.group("name") in code:
                block = True  # a comment, a target or a code directive: its indented lines too
            else:
                regions.extend(_rst_options(text, offset + len(whole)))
            continue
        if line.lstrip().startswith(">>>") and not paragraph:
            regions.append((offset, offset + len(line)))
            doctest = True
            continue
        paragraph.append((offset, whole))
        if line.rstrip().endswith("::"):
            flush()
            expect_block = True
    flush()
    return merged(regions), Carry(False, INDENTED_BLOCK if block or expect_block else None)


def _rst_options(text: str, pos: int) -> list[Region]:
    """The ``:option: value`` lines right after a directive line (kept: values are names and paths)."""
    found: list[Region] = []
    for offset, line, _whole in _lines(text, pos):
        if not _RST_FIELD.match(line):
            break
        found.append((offset, offset + len(line)))
    return found


SCANNERS = {MARKDOWN: scan, LATEX: scan_latex, RST: scan_rst}
