"""Streaming large files: incremental decoding, chunking, document-level context, equivalence with whole files."""

from __future__ import annotations

import codecs
import itertools
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair.config import Config
from repair.lexicon import DocTerms
from repair.model import line_starts
from repair.runner import FileJob, Mode, RunOptions, process_file
from repair.segment import make_doc
from repair.stream import TermCollector, iter_chunks, iter_decoded

# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "cp1252"])
def test_incremental_decoding_survives_characters_split_between_blocks(encoding):
    text = "naïve café — “quoted” déjà vu\r\nend" if encoding != "cp1252" else "naïve café déjà vu\r\nend"
    data = text.encode(encoding)
    for size in (1, 2, 3, 5):
        blocks = [data[i : i + size] for i in range(0, len(data), size)]
        assert "".join(iter_decoded(blocks, encoding)) == text


def test_incremental_decoding_reports_the_byte_offset_of_bad_input():
    from repair.stream import _DecodeFailure

    blocks = [b"abc", b"de\xff", b"gh"]
    with pytest.raises(_DecodeFailure) as info:
        list(iter_decoded(blocks, "utf-8"))
    assert info.value.position == 5


# --------------------------------------------------------------------------- chunking


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def test_chunks_end_at_paragraph_breaks_when_they_can():
    paragraphs = ["word " * 30 + "end." for _ in range(10)]
    text = "\n\n".join(paragraphs)
    chunks = list(iter_chunks(_pieces(text, 7), 400))
    assert "".join(c.text for c in chunks) == text
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("\n\n")


def test_a_crlf_line_break_is_no_paragraph_cut():
    """One "\r\n" is one line break: chunks cut at the blank lines, not after every line."""
    paragraph = "".join(f"line {n} of a paragraph of five\r\n" for n in range(5))
    text = (paragraph + "\r\n") * 40
    chunks = list(iter_chunks(_pieces(text, 7), 200))
    assert "".join(c.text for c in chunks) == text
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("\r\n\r\n")


def test_chunks_never_split_crlf():
    text = "ab\r\n" * 500
    for size in (16, 17, 33, 101):
        chunks = list(iter_chunks(_pieces(text, 5), size))
        assert "".join(c.text for c in chunks) == text
        for a, b in itertools.pairwise(chunks):
            assert not (a.text.endswith("\r") and b.text.startswith("\n"))


def test_a_single_line_longer_than_a_chunk_is_cut_at_spaces():
    text = " ".join(["token"] * 2000)
    chunks = list(iter_chunks([text], 1000))
    assert len(chunks) > 5
    assert all(c.text.endswith(" ") for c in chunks[:-1])
    assert chunks[3].line == 0 and chunks[3].col == chunks[3].start


chunk_texts = st.lists(
    st.sampled_from(["word", " ", "\n", "\r\n", "\r", "\n\n", "é", "a.", "\t", "x" * 40]), max_size=200
).map("".join)


@settings(max_examples=200, deadline=None)
@given(chunk_texts, st.integers(16, 120), st.integers(1, 50))
def test_chunks_reassemble_and_know_where_they_start(text, size, piece):
    chunks = list(iter_chunks(_pieces(text, piece), size))
    assert "".join(c.text for c in chunks) == text
    starts = line_starts(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
        line = sum(1 for s in starts if 0 < s <= chunk.start)
        assert chunk.line == line
        assert chunk.col == chunk.start - starts[line]


# --------------------------------------------------------------------------- document-level terms

TERMS = ["cancer", "neural network", "optimiz*", "deep learn*", "tumour growth~3", "machine learning"]
term_words = st.lists(
    st.sampled_from(["the", "cancer", "neural", "network", "optimizer", "deep", "learning", "tumour", "growth", "of"]),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(term_words, st.integers(16, 60))
def test_term_collector_agrees_with_the_whole_document(words, size):
    text = " ".join(words)
    whole = DocTerms(make_doc(text))
    collector = TermCollector(TERMS)
    for chunk in iter_chunks([text], size):
        collector.feed(chunk.text)
    known = collector.known()
    for term in TERMS:
        assert known.has(term) == whole.has(term), term


# --------------------------------------------------------------------------- whole files vs streamed files

SPUN_PARAGRAPHS = [
    "We trained an irregular woodland on the data and it worked.",
    "The counterfeit consciousness community grew quickly in those years.",
    "A malignant growth was found in the sample.",  # an and-context row: needs "cancer" somewhere
    "Nothing to see here, only plain words about the weather and the sea.",
    "Profound learning models are able to't always explain themselves.",
    "Café owners met in Zürich; the mood was naïve but warm.",
]
CONTEXT_PARAGRAPH = "Cancer research is the subject of this document."


def _document(newline: str, repeat: int = 12) -> str:
    paragraphs = []
    for i in range(repeat):
        paragraphs.extend(SPUN_PARAGRAPHS)
        if i == repeat - 1:
            paragraphs.append(CONTEXT_PARAGRAPH)  # the licence for the and-context rows is at the very end
    return (newline * 2).join(paragraphs) + newline


def _clean(path: Path, config: Config, out: Path):
    return process_file(FileJob(str(path), path.name), config, RunOptions(mode=Mode.OUT_DIR, out_dir=out))


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-16", "\r\n"), ("cp1252", "\r"), ("latin-1", "\n")],
)
def test_streamed_file_gives_the_same_result_as_the_whole_file(tmp_path, encoding, newline):
    text = _document(newline)
    path = tmp_path / "big.txt"
    path.write_bytes(text.encode(encoding))
    whole = _clean(path, Config(), tmp_path / "whole")
    streamed = _clean(path, Config(stream_threshold=100, chunk_size=1000), tmp_path / "streamed")
    assert whole.status == streamed.status == "changed"
    assert whole.edits == streamed.edits
    assert (whole.words, whole.sha256, whole.newline) == (streamed.words, streamed.sha256, streamed.newline)
    assert whole.encoding == streamed.encoding
    assert (tmp_path / "whole" / "big.txt").read_bytes() == (tmp_path / "streamed" / "big.txt").read_bytes()
    # The and-context row in the first chunk was licensed by a term in the last one.
    assert any(e.spun == "malignant growth" and e.applied for e in streamed.edits[:5])
    assert streamed.output_sha256 == whole.output_sha256


# Paragraphs that put what comes before and after them in chunks of their own (chunk-size 700).
FILLER = "The report was read by the committee in the morning. " * 12


def _whole_and_streamed(tmp_path, text: str, chunk_size: int = 700):
    """``text`` as a file, checked whole and streamed in chunks of ``chunk_size`` characters."""
    path = tmp_path / "file.txt"
    path.write_text(text, encoding="utf-8")
    job = FileJob(str(path), "file.txt")
    whole = process_file(job, Config(), RunOptions(mode=Mode.CHECK))
    streamed = process_file(job, Config(stream_threshold=0, chunk_size=chunk_size), RunOptions(mode=Mode.CHECK))
    return whole, streamed


def test_a_chunk_reads_braces_as_the_whole_file_does(tmp_path):
    """A file that writes braces as notation ("{name}" twice) keeps a brace group in another chunk too.

    Found by the fuzzer: the streamed run unwrapped "{that a}" in a chunk with no notation
    of its own, where the whole file, which has "{x}" twice elsewhere, left it alone.
    """
    for notation, expected in (("Set {x} and then {y} here.", []), ("Set x and then y here.", ["that a"])):
        text = f"{FILLER}\n\nWe saw {{that a}} there.\n\n{FILLER}\n\n{notation}\n"
        whole, streamed = _whole_and_streamed(tmp_path, text)
        assert [e.proposal for e in whole.edits if e.applied] == expected
        assert streamed.edits == whole.edits


def test_a_term_restored_in_a_chunk_licenses_a_row_there_as_in_the_whole_file(tmp_path):
    """Found by the fuzzer: "exchange training" -> "transfer learning" needs "transfer learning" in the
    document, which only the repair of "deep transfer getting to know" puts there. The whole file's
    stability check saw it; a streamed chunk's checked only the terms its scan pass had found."""
    whole, streamed = _whole_and_streamed(tmp_path, "deep transfer getting to know exchange training\n", 1000)
    assert [e.proposal for e in whole.edits if e.applied] == ["deep transfer learning", "transfer learning"]
    assert streamed.edits == whole.edits


def test_a_term_restored_in_one_chunk_licenses_a_row_in_a_later_one(tmp_path):
    text = f"We used deep transfer getting to know.\n\n{FILLER}\n\n{FILLER}\n\nThen exchange training helped.\n"
    whole, streamed = _whole_and_streamed(tmp_path, text)
    assert [e.proposal for e in whole.edits if e.applied] == ["deep transfer learning", "transfer learning"]
    assert streamed.edits == whole.edits


@pytest.mark.xfail(strict=True, reason="documented limitation: a repair cannot license a row in an earlier chunk")
def test_a_term_restored_in_a_later_chunk_cannot_reach_back(tmp_path):
    text = f"Then exchange training helped.\n\n{FILLER}\n\n{FILLER}\n\nWe used deep transfer getting to know.\n"
    whole, streamed = _whole_and_streamed(tmp_path, text)
    assert [e.proposal for e in whole.edits if e.applied] == ["transfer learning", "deep transfer learning"]
    assert streamed.edits == whole.edits


def test_streamed_diff_is_a_valid_patch(tmp_path):
    text = _document("\n")
    src = tmp_path / "doc.txt"
    src.write_text(text, encoding="utf-8")
    result = process_file(
        FileJob(str(src), "doc.txt"),
        Config(stream_threshold=100, chunk_size=1000),
        RunOptions(mode=Mode.OUT_DIR, out_dir=tmp_path / "out"),
    )
    patch_file = tmp_path / "doc.diff"
    patch_file.write_text(result.diff, encoding="utf-8")
    work = tmp_path / "work.txt"
    work.write_text(text, encoding="utf-8")
    proc = subprocess.run(["patch", "-s", str(work), str(patch_file)], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert work.read_bytes() == (tmp_path / "out" / "doc.txt").read_bytes()


@pytest.mark.xfail(strict=True, reason="documented limitation: a spin across a chunk cut inside a long paragraph")
def test_spin_straddling_a_chunk_cut_inside_one_long_paragraph(tmp_path):
    # One paragraph, no line breaks, longer than a chunk: the cut falls at a space, and
    # the phrase that spans it cannot be seen by either chunk.
    filler = ("plain words " * 90)[:979] + " "  # the space before "consciousness" is the last one before 1000
    text = filler + "counterfeit consciousness here " + "more words " * 200
    assert text.index("consciousness") == 992
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    streamed = _clean(path, Config(stream_threshold=100, chunk_size=1000), tmp_path / "s")
    whole = _clean(path, Config(), tmp_path / "w")
    assert streamed.edits == whole.edits


def test_streamed_binary_and_undecodable_files(tmp_path):
    config = Config(stream_threshold=100, chunk_size=1000)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 1000)
    assert _clean(binary, config, tmp_path / "o").status == "skipped"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(("x" * 5000).encode() + b"\x81\x8d\x8f\x90\x9d" * 2 + b" end")
    result = _clean(bad, config, tmp_path / "o")
    # Not UTF-8 and not cp1252: either a detector finds a code page that round-trips, or it is an error.
    if result.status == "error":
        assert "cannot decode" in result.message
    else:
        assert (tmp_path / "o" / "bad.txt").read_bytes() == bad.read_bytes()


def test_streaming_keeps_memory_bounded(tmp_path):
    """A file twenty chunks long is cleaned with memory for about one chunk, not the file."""
    paragraph = "Plain prose about the weather and the sea, once more. " * 12 + "Counterfeit consciousness."
    text = "\n\n".join([paragraph] * 150)  # ~100 KB
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    config = Config(stream_threshold=10_000, chunk_size=5_000)
    _clean(path, config, tmp_path / "warm")  # load the lexicon outside the measurement
    tracemalloc.start()
    try:
        result = _clean(path, config, tmp_path / "out")
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        _clean(path, Config(), tmp_path / "whole")
        _, whole_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "changed" and len(result.applied) == 150
    # The whole-file run holds every token of the file; the streamed run a chunk's worth
    # (plus the edit records, which grow with the number of edits, not the text).
    assert streamed_peak < whole_peak / 3, (streamed_peak, whole_peak)


def test_open_is_streamed_not_read_whole(tmp_path, monkeypatch):
    """Above the threshold the file is read in blocks, never with one read() of everything."""
    import repair.storage as storage

    text = _document("\n", repeat=4)
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    reads: list[int] = []
    real_open = storage.open_input

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def spy_open(p):
        return Spy(real_open(p))

    monkeypatch.setattr(storage, "open_input", spy_open)
    monkeypatch.setattr(storage, "read_input", lambda p: pytest.fail("read whole"))
    result = _clean(path, Config(stream_threshold=100, chunk_size=1000), tmp_path / "out")
    assert result.status == "changed"
    assert reads and all(size > 0 for size in reads)


def test_bom_is_kept_and_written_back(tmp_path):
    text = _document("\r\n", repeat=3)
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    result = _clean(path, Config(stream_threshold=100, chunk_size=1000), tmp_path / "out")
    out = (tmp_path / "out" / "bom.txt").read_bytes()
    assert result.encoding == "utf-8-sig" and out.startswith(codecs.BOM_UTF8)
    assert out.count(codecs.BOM_UTF8) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from([*SPUN_PARAGRAPHS, CONTEXT_PARAGRAPH, "Short.", "the the end"]), min_size=1, max_size=40),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.integers(1000, 3000),
)
def test_streaming_equals_whole_for_any_paragraph_layout(tmp_path, paragraphs, newline, size):
    text = (newline * 2).join(paragraphs)
    path = tmp_path / "p.txt"
    path.write_text(text, encoding="utf-8", newline="")
    whole = process_file(FileJob(str(path), "p.txt"), Config(), RunOptions(mode=Mode.CHECK))
    streamed = process_file(
        FileJob(str(path), "p.txt"), Config(stream_threshold=0, chunk_size=size), RunOptions(mode=Mode.CHECK)
    )
    assert streamed.edits == whole.edits
