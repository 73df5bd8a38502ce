"""Bytes in, bytes out: decode a file so that encoding it again gives the same bytes.

Newlines are *not* normalised: the text keeps ``\\r\\n``, ``\\r`` and ``\\n``
exactly, so offsets point at the original characters and splicing edits into the
text and encoding it again preserves every byte outside the edits. A file whose
decoding does not round-trip is marked ``lossless=False`` and is never rewritten.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# How much of a file we sniff for binary content.
_SNIFF = 8192


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


def looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        # UTF-16 without a BOM has NULs in every other byte of ASCII text.
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return False
        if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return False
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(head) // 100)


def decode(data: bytes) -> Decoded:
    """Decode bytes: BOM, then strict UTF-8, then a charset detector."""
    if looks_binary(data):
        raise BinaryFileError("binary file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
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


def _detect(data: bytes) -> str | None:
    """The legacy encoding of non-UTF-8 bytes.

    Detectors cannot tell the Latin single-byte code pages apart on short text
    (French in cp1252 scores as Baltic cp1257), and for English prose the
    Windows code page is what real files use, so any Latin single-byte guess
    becomes cp1252 when the bytes decode under it. Other scripts keep the
    detector's choice.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return _cp1252_or_none(data)
    encoding = codecs.lookup(best.encoding).name
    if encoding.startswith(("cp125", "iso8859", "latin", "mac-")) or encoding == "ascii":
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


def read_path(path: str | Path) -> tuple[bytes, Decoded]:
    data = Path(path).read_bytes()
    return data, decode(data)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and an atomic rename.

    A crash at any moment leaves either the old file or the new one, never a
    partial file; the original's permission bits are kept.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".repair-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
