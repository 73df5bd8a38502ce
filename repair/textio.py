"""Bytes in, bytes out: decode a file so that encoding it again gives the same bytes.

Newlines are *not* normalised: the text keeps ``\\r\\n``, ``\\r`` and ``\\n``
exactly, so offsets point at the original characters and splicing edits into the
text and encoding it again preserves every byte outside the edits. A file whose
decoding does not round-trip is marked ``lossless=False`` and is never rewritten.
"""

from __future__ import annotations

import codecs
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# How much of a file we sniff for binary content.
_SNIFF = 8192
# Temporary files of interrupted writes end with this (hidden, next to their target).
TEMP_SUFFIX = ".repair-tmp"


class BinaryFileError(ValueError):
    """The input is not text; it is skipped with a one-line message."""


class UndecodableError(ValueError):
    """No encoding decodes the input; it is reported and skipped."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name, without the BOM
    bom: bytes = b""
    lossless: bool = True

    @property
    def newline(self) -> str:
        """The dominant newline style, for reports ("\\n", "\\r\\n", "\\r" or "")."""
        crlf = self.text.count("\r\n")
        lf = self.text.count("\n") - crlf
        cr = self.text.count("\r") - crlf
        best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
        return best[1] if best[0] else ""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)

    def can_encode(self, text: str) -> bool:
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return True


_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r\x1b")


def _controls(codes: Iterable[int]) -> int:
    """Control characters that do not occur in text (tab, newlines, form feed and escape do)."""
    return sum(1 for c in codes if c < 32 and c not in _TEXT_CONTROLS)


def looks_binary(data: bytes) -> bool:
    """Binary content: NUL bytes that are not UTF-16 text, or many control characters."""
    head = data[:_SNIFF]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        # UTF-16 without a BOM has NULs in every other byte of ASCII text; it is
        # text only if it then decodes to few control characters.
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            encoding = "utf-16-le"
        elif even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            encoding = "utf-16-be"
        else:
            return True
        text = head[: len(head) // 2 * 2].decode(encoding, errors="replace")
        return _controls(map(ord, text)) > max(2, len(text) // 100)
    return _controls(head) > max(2, len(head) // 100)


def decode(data: bytes) -> Decoded:
    """Decode bytes: BOM, then UTF-16 by its NUL pattern, then strict UTF-8, then a charset detector."""
    encoding, bom = sniff(data[:_SNIFF])
    if encoding is not None:
        text = data[len(bom) :].decode(encoding, errors="strict")
        return _checked(data, text, encoding, bom)
    try:
        return _checked(data, data.decode("utf-8"), "utf-8", b"")
    except UnicodeDecodeError:
        pass
    encoding = _detect(data)
    if encoding is None:
        raise UndecodableError("cannot detect the text encoding")
    return _checked(data, data.decode(encoding), encoding, b"")


def sniff(head: bytes) -> tuple[str | None, bytes]:
    """What the first bytes of a file say: ``(encoding, bom)``; ``None`` when only decoding can tell.

    Raises ``BinaryFileError`` for content that is not text. UTF-16 without a
    BOM is recognised by its NUL bytes (every other byte of ASCII text), which
    strict UTF-8 would otherwise accept as a string of NUL characters.
    """
    if looks_binary(head):
        raise BinaryFileError("binary file")
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, bom
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        return ("utf-16-le" if odd.count(0) > even.count(0) else "utf-16-be"), b""
    return None, b""


def detect_legacy(sample: bytes) -> str:
    """The legacy (non-UTF) encoding of a sample of a file that is not UTF-8."""
    encoding = _detect(sample)
    if encoding is None:
        raise UndecodableError("cannot detect the text encoding")
    return encoding


# Single-byte code pages for Latin-script text. Detectors cannot tell them apart
# on short text, and their guess flips when a few bytes change (so a cleaned file
# could be read differently on the next run); for English prose the Windows code
# page is what real files use.
_LATIN_SINGLE_BYTE = frozenset(
    codecs.lookup(name).name
    for name in (
        "ascii", "latin-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-9", "iso8859-10", "iso8859-13",
        "iso8859-14", "iso8859-15", "iso8859-16", "cp1250", "cp1252", "cp1254", "cp1257", "cp437", "cp850",
        "cp775", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863", "cp865", "cp1258", "mac-roman",
        "mac-latin2", "mac-iceland", "mac-turkish", "mac-croatian", "mac-romanian",
    )
)  # fmt: skip


# Below this share of non-ASCII bytes, a non-UTF-8 file is Latin-script text
# with a few accented letters or typographic quotes (Cyrillic, Greek or Hebrew
# single-byte text is mostly high bytes).
_LATIN_SHARE = 0.3


def _detect(data: bytes) -> str | None:
    """The legacy encoding of non-UTF-8 bytes.

    Mostly-ASCII bytes, and any Latin-script single-byte guess of the detector,
    become cp1252 when they decode under it (see ``_LATIN_SINGLE_BYTE``): the
    choice must not flip when a cleaned file is read again. Other scripts keep
    the detector's choice.
    """
    from charset_normalizer import from_bytes

    high = len(data) - len(data.translate(None, bytes(range(128, 256))))
    if high <= _LATIN_SHARE * len(data):
        # Latin-1 decodes any byte and gives it back unchanged: the fallback for the
        # five bytes cp1252 leaves undefined.
        return _cp1252_or_none(data) or "latin-1"

    best = from_bytes(data).best()
    if best is None:
        return _cp1252_or_none(data)
    encoding = codecs.lookup(best.encoding).name
    if encoding in _LATIN_SINGLE_BYTE:
        return _cp1252_or_none(data) or encoding
    return encoding


def _cp1252_or_none(data: bytes) -> str | None:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252"


def _checked(data: bytes, text: str, encoding: str, bom: bytes) -> Decoded:
    lossless = _encodes(text, encoding) and bom + text.encode(encoding) == data
    return Decoded(text=text, encoding=encoding, bom=bom, lossless=lossless)


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def reads_back(data: bytes, decoded: Decoded, text: str) -> bool:
    """Would ``data`` (a cleaned file) be read again as ``text`` in the same encoding?

    Sniffing and detection look at statistics of the whole file, so a file that
    shrank or grew could cross a threshold and be read differently (or as
    binary) next time; such an output is not written.
    """
    try:
        again = decode(data)
    except (BinaryFileError, UndecodableError, UnicodeDecodeError):
        return False
    return (again.encoding, again.bom, again.text) == (decoded.encoding, decoded.bom, text)


def read_path(path: str | Path) -> tuple[bytes, Decoded]:
    data = Path(path).read_bytes()
    return data, decode(data)


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK = current
    return _UMASK


_UMASK: int | None = None


class AtomicWriter:
    """Write a file through a temporary file in the same directory and an atomic rename.

    A crash at any moment (even SIGKILL) leaves either the old file or the new
    one, never a partial file: the data is written and fsynced under a hidden
    temporary name, then ``os.replace`` swaps it in. An existing file keeps its
    permission bits; a new file gets those of ``mode_from`` (the input it was
    made from) less the umask, like ``cp``. Use as a context manager; leaving it
    with an exception, or calling ``discard()``, removes the temporary file.
    """

    def __init__(self, path: str | Path, mode_from: str | Path | None = None) -> None:
        self.path = Path(path)
        self.mode_from = mode_from
        self._handle: BinaryIO | None = None
        self._tmp: str | None = None
        self._discarded = False

    def __enter__(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=self.path.parent)
        self._handle = os.fdopen(fd, "wb")
        return self._handle

    def discard(self) -> None:
        """Give up: the target is left as it was."""
        self._discarded = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._handle is not None and self._tmp is not None
        try:
            if exc_type is None and not self._discarded:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                os.chmod(self._tmp, self._mode())
                os.replace(self._tmp, self.path)
                _fsync_dir(self.path.parent)
                return
        except BaseException:
            _unlink(self._tmp)
            raise
        self._handle.close()
        _unlink(self._tmp)

    def _mode(self) -> int:
        try:
            return self.path.stat().st_mode & 0o7777
        except FileNotFoundError:
            pass
        if self.mode_from is not None:
            try:
                return os.stat(self.mode_from).st_mode & 0o777 & ~_umask()
            except OSError:
                pass
        return 0o666 & ~_umask()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (power loss, not just a killed process)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: bytes, mode_from: str | Path | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see ``AtomicWriter``)."""
    with AtomicWriter(path, mode_from) as handle:
        handle.write(data)


def atomic_copy(source: str | Path, target: str | Path, keep_times: bool = False) -> None:
    """Copy a file atomically: the target is either absent/old or a complete copy."""
    writer = AtomicWriter(target, mode_from=source)
    with open(source, "rb") as src, writer as handle:
        shutil.copyfileobj(src, handle, 1 << 20)
        if keep_times:
            handle.flush()
            assert writer._tmp is not None
            shutil.copystat(source, writer._tmp)
