"""Files of any size in bounded memory: decode incrementally, clean in chunks, write as we go.

A file larger than ``stream-threshold`` bytes is never read whole. It is read
twice, block by block, through an incremental decoder (so a multi-byte
character split between two blocks is decoded correctly):

1. the *scan* pass hashes the bytes, checks that decoding and encoding again
   gives the same bytes, counts words, and collects which of the lexicons'
   context terms occur anywhere in the document (and-context rows and exclude
   terms are document-level, so a row in the last chunk can be licensed by a
   term in the first), and counts the brace groups the file writes as notation
   (whether "{that a}" is a spinner's template depends on the whole file);
2. the *clean* pass cuts the text into chunks of about ``chunk-size``
   characters, runs the pipeline on each with those document-level terms,
   shifts each edit's offsets, line and column to the whole file, encodes the
   output incrementally into a temporary file and writes the diff hunks.

Chunks end at a paragraph break when the paragraph fits, else at a line break,
a sentence end, a space, and only as a last resort inside a word; never between
``\\r`` and ``\\n``. Every detector stops at a paragraph break, so for text whose
paragraphs are shorter than a chunk the result is the same as for the whole
text. A spin that straddles a chunk boundary inside a paragraph longer than a
chunk can be missed (the limitation is tested, not hidden). A context term that
a repair writes into the file licenses rows in its own chunk and in later ones,
as in the whole file; a repair cannot reach back into a chunk already written,
so a row licensed only by a later chunk's repair is left as the text has it.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from .artifacts import notation_braces
from .lexicon import DocTerms, KnownTerms, term_reach
from .model import Edit
from .report import unified_diff
from .segment import LINE_BREAK, PARAGRAPH_BREAK, WORD_RE, norm, norms_of
from .textio import UndecodableError, detect_legacy, sniff

BLOCK_SIZE = 1 << 20
SAMPLE_SIZE = 1 << 20

Opener = Callable[[], BinaryIO]


# --------------------------------------------------------------------------- reading


class _DecodeFailure(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


def iter_blocks(open_input: Opener, block_size: int = BLOCK_SIZE) -> Iterator[bytes]:
    with open_input() as handle:
        while True:
            block = handle.read(block_size)
            if not block:
                return
            yield block


def iter_decoded(blocks: Iterable[bytes], encoding: str, skip: int = 0) -> Iterator[str]:
    """Decode a stream of byte blocks; a character split between blocks is handled by the decoder."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    position = 0
    for block in blocks:
        if skip:
            cut = min(skip, len(block))
            skip -= cut
            position += cut
            block = block[cut:]
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as exc:
            raise _DecodeFailure(position + exc.start, exc.reason) from None
        position += len(block)
        if text:
            yield text
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _DecodeFailure(position, f"truncated: {exc.reason}") from None
    if tail:
        yield tail


# --------------------------------------------------------------------------- chunking


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of the whole text and where it starts in it."""

    text: str
    start: int  # character offset of the chunk in the whole text
    line: int  # line breaks before the chunk
    col: int  # characters between the last line break and the chunk (0: starts a line)

    def shift(self, edit: Edit) -> Edit:
        """An edit on the chunk, re-expressed on the whole text."""
        col = edit.col + self.col if edit.line == 1 else edit.col
        return replace(
            edit, start=edit.start + self.start, end=edit.end + self.start, line=edit.line + self.line, col=col
        )


_PARAGRAPH = re.compile(rf"{PARAGRAPH_BREAK}\s*")
_LINE = re.compile(rf"{LINE_BREAK}[^\S\r\n]*")
_SENTENCE = re.compile(r"[.!?][\"')\]\u201d\u2019]*[^\S\r\n]+")
_SPACE = re.compile(r"\s+")
_CUTS = (_PARAGRAPH, _LINE, _SENTENCE, _SPACE)


def _last_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """End of the last match of ``pattern`` in ``text[lo:hi]``, looking at the tail first."""
    step = 1 << 16
    start = max(lo, hi - step)
    while True:
        last = None
        for m in pattern.finditer(text, start, hi):
            last = m
        if last is not None:
            return last.end()
        if start == lo:
            return None
        start = max(lo, start - 4 * step)


def cut_point(buf: str, size: int) -> int:
    """Where to end a chunk of ``buf`` (longer than ``size``): the best break in its last three quarters."""
    lo = max(1, size // 4)
    for pattern in _CUTS:
        end = _last_end(pattern, buf, lo, size)
        if end is not None:
            cut = end
            break
    else:
        cut = size
    if buf[cut - 1] == "\r" and buf[cut : cut + 1] == "\n":
        cut += 1  # never split a CRLF pair
    return cut


def count_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def iter_chunks(pieces: Iterable[str], size: int) -> Iterator[Chunk]:
    """Cut a stream of decoded text into chunks of at most about ``size`` characters."""
    size = max(size, 16)
    buf = ""
    start = line = col = 0
    pending: list[str] = []
    pending_len = 0

    def emit(text: str) -> Chunk:
        nonlocal start, line, col
        chunk = Chunk(text, start, line, col)
        start += len(text)
        breaks = count_breaks(text)
        if breaks:
            line += breaks
            col = len(text) - (max(text.rfind("\n"), text.rfind("\r")) + 1)
        else:
            col += len(text)
        return chunk

    for piece in pieces:
        pending.append(piece)
        pending_len += len(piece)
        if pending_len <= size + 1:
            continue
        buf += "".join(pending)
        pending, pending_len = [], 0
        while len(buf) > size + 1:
            cut = cut_point(buf, size)
            yield emit(buf[:cut])
            buf = buf[cut:]
        pending, pending_len = [buf], len(buf)
        buf = ""
    buf = "".join(pending)
    while len(buf) > size + 1:
        cut = cut_point(buf, size)
        yield emit(buf[:cut])
        buf = buf[cut:]
    if buf or start == 0:
        yield emit(buf)


# --------------------------------------------------------------------------- document-level terms


class TermCollector:
    """Which context terms occur anywhere in a document seen chunk by chunk.

    Each chunk is searched together with the last ``overlap`` words before it,
    enough to cover the longest phrase or ``~N`` window of any term, so a term
    that straddles a chunk boundary is found exactly as in the whole text.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        self.remaining = {t.strip().lower() for t in terms if t.strip()}
        self.found: set[str] = set()
        self.overlap = max((term_reach(t) for t in self.remaining), default=0)
        self._tail: deque[str] = deque(maxlen=max(self.overlap, 1))
        # The words each term needs (a cheap test before searching the chunk).
        self._needs = {t: [norm(w) for w in WORD_RE.findall(re.sub(r"~\d+\s*$", "", t))] for t in self.remaining}

    def feed(self, text: str) -> None:
        self.feed_norms(norms_of(text))

    def feed_norms(self, norms: list[str]) -> None:
        if self.remaining:
            window = [*self._tail, *norms] if self.overlap else norms
            terms = DocTerms.from_norms(window)
            vocab = terms.vocab
            for term in sorted(self.remaining):
                needs = self._needs[term]
                if not term.rstrip().endswith("*") and not all(w in vocab for w in needs):
                    continue
                if term.rstrip().endswith("*") and not all(w in vocab for w in needs[:-1]):
                    continue
                if terms.has(term):
                    self.found.add(term)
            self.remaining -= self.found
        if self.overlap:
            self._tail.extend(norms[-self.overlap :])

    def known(self, brace_notation: int | None = None) -> KnownTerms:
        return KnownTerms(frozenset(self.found), brace_notation)


# --------------------------------------------------------------------------- scan pass


@dataclass(slots=True)
class Scan:
    """What the first pass learnt about a file."""

    encoding: str
    bom: bytes
    sha256: str = ""
    lossless: bool = True
    words: int = 0
    terms: KnownTerms | None = None
    newlines: dict[str, int] = field(default_factory=lambda: {"\r\n": 0, "\n": 0, "\r": 0})

    @property
    def newline(self) -> str:
        best = max((n, style) for style, n in self.newlines.items())
        return best[1] if best[0] else ""

    def count_newlines(self, text: str) -> None:
        crlf = text.count("\r\n")
        self.newlines["\r\n"] += crlf
        self.newlines["\n"] += text.count("\n") - crlf
        self.newlines["\r"] += text.count("\r") - crlf


def scan(open_input: Opener, terms: Iterable[str], chunk_size: int, head: bytes) -> Scan:
    """First pass; picks the encoding (BOM, UTF-16 pattern, UTF-8, else a detector on samples).

    Raises ``BinaryFileError`` and ``UndecodableError`` like ``textio.decode``.
    """
    encoding, bom = sniff(head)
    if encoding is not None:
        return _scan_as(open_input, encoding, bom, terms, chunk_size)
    try:
        return _scan_as(open_input, "utf-8", b"", terms, chunk_size)
    except _DecodeFailure as failure:
        sample = _sample(open_input, failure.position)
    legacy = detect_legacy(sample)
    try:
        return _scan_as(open_input, legacy, b"", terms, chunk_size)
    except _DecodeFailure as failure:
        raise UndecodableError(f"not valid {legacy} at byte {failure.position}: {failure.reason}") from None


def _sample(open_input: Opener, position: int) -> bytes:
    """The head of the file and the bytes around the first non-UTF-8 byte, for the detector."""
    with open_input() as handle:
        head = handle.read(SAMPLE_SIZE)
        if position < SAMPLE_SIZE:
            return head
        handle.seek(max(0, position - SAMPLE_SIZE // 4))
        return head + b"\n" + handle.read(SAMPLE_SIZE // 2)


def _scan_as(open_input: Opener, encoding: str, bom: bytes, terms: Iterable[str], chunk_size: int) -> Scan:
    result = Scan(encoding, bom)
    raw_hash = hashlib.sha256()
    again_hash = hashlib.sha256(bom)
    encoder = codecs.getincrementalencoder(encoding)()
    collector = TermCollector(terms)

    def hashed() -> Iterator[bytes]:
        for block in iter_blocks(open_input):
            raw_hash.update(block)
            yield block

    words = notation = 0
    try:
        for chunk in iter_chunks(iter_decoded(hashed(), encoding, len(bom)), chunk_size):
            norms = norms_of(chunk.text)
            words += len(norms)
            collector.feed_norms(norms)
            # Whether braces are the file's notation is decided over the whole file (template_braces).
            notation += notation_braces(chunk.text)
            result.count_newlines(chunk.text)
            if result.lossless:
                try:
                    again_hash.update(encoder.encode(chunk.text))
                except UnicodeEncodeError:
                    result.lossless = False
        again_hash.update(encoder.encode("", final=True))
    except UnicodeEncodeError:
        result.lossless = False
    result.sha256 = raw_hash.hexdigest()
    result.lossless = result.lossless and again_hash.hexdigest() == result.sha256
    result.words = words
    result.terms = collector.known(notation)
    return result


# --------------------------------------------------------------------------- diffs


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.M)


def shifted_hunks(path: str, old: str, new: str, context: int, old_line: int, new_line: int) -> str:
    """The hunks of a chunk's unified diff, renumbered to lines of the whole file (no file header)."""
    diff = unified_diff(path, old, new, context)
    if not diff:
        return ""
    body = diff.split("\n", 2)[2]  # drop the ---/+++ header

    def renumber(m: re.Match[str]) -> str:
        a, b = int(m.group(1)) + old_line, int(m.group(3)) + new_line
        return f"@@ -{a}{m.group(2) or ''} +{b}{m.group(4) or ''} @@"

    return _HUNK.sub(renumber, body)


def diff_header(path: str) -> str:
    return f"--- {path}\toriginal\n+++ {path}\trepaired\n"
