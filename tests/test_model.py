"""Tests for repair.model: the plain data shared by the stages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from repair.model import overlaps
from repair.segment import make_doc

positions = st.integers(min_value=0, max_value=30)


@given(positions, positions, positions, positions)
def test_ranges_overlap_exactly_when_they_share_a_character(a: int, b: int, c: int, d: int):
    start, end = min(a, b), max(a, b) + 1
    other_start, other_end = min(c, d), max(c, d) + 1
    shared = set(range(start, end)) & set(range(other_start, other_end))
    assert overlaps(start, end, other_start, other_end) is bool(shared)
    assert overlaps(other_start, other_end, start, end) is bool(shared)


def test_touching_ranges_do_not_overlap():
    # An edit of "cease" in "cease results" ends where the space begins: the next word is not touched.
    assert not overlaps(0, 5, 5, 13)
    assert overlaps(0, 6, 5, 13)


def test_an_insertion_clashes_only_with_a_range_it_would_split():
    assert overlaps(3, 3, 0, 10)
    assert not overlaps(0, 0, 0, 10) and not overlaps(10, 10, 0, 10)


def test_a_sentence_is_found_by_any_offset_inside_it_and_none_between_sentences():
    doc = make_doc("One sentence here.   Another one.")
    first, second = doc.sentences
    for offset in range(len(doc.text)):
        index = doc.sentence_index(offset)
        inside = [k for k, s in enumerate(doc.sentences) if s.start <= offset < s.end]
        assert index == (inside[0] if inside else None)
        assert doc.sentence_of(offset) == (doc.sentences[index] if index is not None else None)
    assert doc.sentence_index(first.start) == 0 and doc.sentence_index(second.start) == 1
