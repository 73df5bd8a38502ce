import codecs

import pytest

from repair.textio import BinaryFileError, atomic_write, decode, looks_binary

SAMPLE = "Naïve café — “quoted” text.\r\nSecond line\rthird\n"


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        (SAMPLE.encode("utf-8"), "utf-8", b""),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8", codecs.BOM_UTF8),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16-le", codecs.BOM_UTF16_LE),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_decode_round_trips_unicode_encodings(data, encoding, bom):
    decoded = decode(data)
    assert (decoded.encoding, decoded.bom, decoded.lossless) == (encoding, bom, True)
    assert decoded.text == SAMPLE
    assert decoded.encode(decoded.text) == data


def test_decode_legacy_8bit_round_trips():
    text = "Les élèves ont étudié à l'école; café, naïveté, déjà vu. " * 8
    data = text.encode("cp1252")
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.encode(decoded.text) == data
    assert decoded.lossless


def test_newline_style_is_kept_and_reported():
    assert decode(b"a\r\nb\r\n").newline == "\r\n"
    assert decode(b"a\rb\r").newline == "\r"
    assert decode(b"a\nb").newline == "\n"
    assert decode(b"abc").newline == ""


def test_binary_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert looks_binary(png)
    with pytest.raises(BinaryFileError):
        decode(png)


def test_utf16_without_bom_is_not_binary():
    assert not looks_binary("plain ascii text here".encode("utf-16-le"))


def test_can_encode_guards_legacy_encodings():
    decoded = decode(("déjà vu " * 20).encode("cp1252"))
    assert decoded.can_encode("café")
    assert not decoded.can_encode("→")


def test_atomic_write_keeps_permissions(tmp_path):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
