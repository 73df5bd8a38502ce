"""Hypothesis strategies and the properties the text pipeline must keep, shared by
``tests/test_fuzz.py`` (a few hundred examples in CI) and ``benchmarks/fuzz.py``
(tens of thousands).

Properties, for any text and any file encoding:

1. nothing raises;
2. every byte outside the applied edits is unchanged, and the output is exactly
   the original with the edits spliced in (so a reviewer's diff is the truth);
3. cleaning the output again changes nothing more (idempotence);
4. a file streamed in chunks gives the same edits as the whole file when its
   paragraphs are shorter than a chunk.
"""

from __future__ import annotations

import codecs
import csv
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from repair.apply import apply_edits
from repair.config import Config
from repair.pipeline import Pipeline
from repair.runner import FileJob, Mode, RunOptions, process_file
from repair.textio import decode

LEXICON = Path(__file__).resolve().parent.parent / "lexicons" / "tortured_phrases.tsv"


@cache
def lexicon_phrases() -> list[str]:
    """A fixed, spread-out sample of the shipped lexicon's spun phrases (and their originals)."""
    lines = [line for line in LEXICON.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    sample = rows[:: max(1, len(rows) // 150)]
    phrases = [row["spun"] for row in sample] + [row["original"] for row in sample[::3]]
    return sorted(set(phrases))


ARTIFACTS = ["are able to't", "is not able to’t", "{that a}", "{a|the}", "{x}", "do n't", "the the", "of of", "{", "}"]
CONTEXT = ["cancer", "tumour", "neural network", "machine learning", "optimization"]
PLAIN = ["the", "a", "an", "model", "data", "we", "It", "Random", "forest", "naïve", "café", "Ünïcödé", "’s", "don't"]
SEPARATORS = [
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\r\n\r\n",
    ", ",
    ". ",
    "; ",
    "-",
    " — ",
    "\u00a0",
    "“",
    "” ",
    "(",
]


def _cased(phrase: str) -> st.SearchStrategy[str]:
    return st.sampled_from([phrase, phrase.upper(), phrase.title(), phrase[:1].upper() + phrase[1:]])


def words() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(lexicon_phrases()).flatmap(_cased),
        st.sampled_from(ARTIFACTS),
        st.sampled_from(CONTEXT),
        st.sampled_from(PLAIN),
        st.text(max_size=6),
    )


def texts(max_parts: int = 40) -> st.SearchStrategy[str]:
    """Prose-like text: lexicon phrases, artifacts and plain words between odd separators, or raw unicode."""
    prose = st.lists(st.tuples(words(), st.sampled_from(SEPARATORS)), max_size=max_parts).map(
        lambda parts: "".join(w + s for w, s in parts)
    )
    return st.one_of(prose, prose.map(str.rstrip), st.text(max_size=120))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]


def encodings() -> st.SearchStrategy[str]:
    return st.sampled_from(ENCODINGS)


# --------------------------------------------------------------------------- properties


def check_text(text: str, config: Config | None = None) -> None:
    """Properties 1-3 on a string."""
    pipeline = Pipeline(config)
    result = pipeline.run(text)
    applied = sorted(result.applied, key=lambda e: e.start)
    assert result.text == apply_edits(text, applied)
    cursor = out = 0
    for edit in applied:
        assert cursor <= edit.start and text[edit.start : edit.end] == edit.spun
        gap = text[cursor : edit.start]
        assert result.text[out : out + len(gap)] == gap  # untouched between edits
        out += len(gap) + len(edit.proposal)
        cursor = edit.end
    assert result.text[out:] == text[cursor:]
    again = pipeline.run(result.text)
    assert not again.applied, f"not idempotent: {[(e.spun, e.proposal) for e in again.applied]} in {result.text!r}"


def encode_for_test(text: str, encoding: str) -> bytes:
    """The text as a file in ``encoding`` (characters it cannot hold are dropped first)."""
    codec = encoding.replace("-sig", "")
    text = text.encode(codec, errors="ignore").decode(codec)
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


def check_bytes(raw: bytes, config: Config | None = None) -> None:
    """Properties 1-3 on a file's bytes: output bytes are the input with the edits, in its encoding."""
    config = config or Config()
    job = FileJob("-", "fuzz.txt")
    result = process_file(job, config, RunOptions(mode=Mode.STDOUT), data=raw)
    assert result.status in ("changed", "unchanged", "skipped", "error"), result.status
    if result.status in ("skipped", "error"):
        assert result.output is None
        return
    assert result.output is not None
    if not result.applied:
        assert result.output == raw  # byte-identical when nothing is applied
        return
    decoded = decode(raw)
    expected = decoded.encode(apply_edits(decoded.text, result.applied))
    assert result.output == expected
    again = process_file(job, config, RunOptions(mode=Mode.STDOUT), data=result.output)
    assert not again.applied and again.output == result.output


def check_streamed(paragraphs: list[str], newline: str, chunk_size: int, folder: Path) -> None:
    """Property 4: a streamed file's edits equal the whole file's (paragraphs shorter than a chunk)."""
    text = (newline * 2).join(p.replace("\r", " ").replace("\n", " ") for p in paragraphs)
    path = folder / "streamed.txt"
    path.write_bytes(text.encode("utf-8"))
    job = FileJob(str(path), "streamed.txt")
    whole = process_file(job, Config(), RunOptions(mode=Mode.CHECK))
    streamed = process_file(job, Config(stream_threshold=0, chunk_size=chunk_size), RunOptions(mode=Mode.CHECK))
    assert streamed.edits == whole.edits
