"""Hypothesis fuzzing of the text pipeline (a few hundred examples; benchmarks/fuzz.py runs 10,000+)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzzing import check_bytes, check_streamed, check_text, encode_for_test, encodings, texts, words
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(texts())
@example("{{that a}}")
@example("an an irregular woodland")
@example("AN IRREGULAR WOODLAND")
@example("we are able to't\r\nthe the\rend")
def test_text_pipeline_properties(text):
    check_text(text)


@FAST
@given(texts(), encodings())
def test_file_bytes_properties(text, encoding):
    check_bytes(encode_for_test(text, encoding))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(words(), max_size=12).map(" ".join), min_size=1, max_size=30),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_streamed_files_match_whole_files(paragraphs, newline):
    with tempfile.TemporaryDirectory() as folder:
        check_streamed(paragraphs, newline, 1000, Path(folder))
