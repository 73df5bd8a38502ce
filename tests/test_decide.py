"""repair.decide: which findings become edits where they overlap.

The thresholds and bars are tested end to end in test_pipeline.py; this file
covers how overlapping findings are settled.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repair import Config, apply_edits
from repair.decide import agrees, decide
from repair.model import Candidate, Edit, Finding, Span
from repair.segment import make_doc

TEXT = "We train feed-forward brain organizations on it."


def _finding(text: str, spun: str, proposal: str, score: float, detector: str = "lexicon") -> Finding:
    start = text.index(spun)
    span = Span(start, start + len(spun), spun, detector, "test", score)
    return Finding(span, (Candidate(proposal, score, detector),), f"{detector} finding")


def _edit(text: str, spun: str, proposal: str) -> Edit:
    start = text.index(spun)
    return Edit(start, start + len(spun), 1, start + 1, spun, proposal, 0.97, "context", "t", ())


def test_a_fuller_edit_that_agrees_takes_the_place_of_a_surer_one():
    doc = make_doc(TEXT)
    inner = _finding(TEXT, "brain organizations", "neural networks", 0.97, "context")
    fuller = _finding(TEXT, "feed-forward brain organizations", "feedforward neural networks", 0.95)
    edits = decide(doc, [inner, fuller], Config())
    applied = [e for e in edits if e.applied]
    assert [e.proposal for e in applied] == ["feedforward neural networks"]
    [held] = [e for e in edits if not e.applied]
    assert held.proposal == "neural networks"
    assert 'fuller edit of characters 9-41 to "feedforward neural networks" agrees with it' in held.reason
    assert apply_edits(TEXT, edits) == "We train feedforward neural networks on it."


@pytest.mark.parametrize(
    ("inner_score", "fuller", "fuller_score", "written"),
    [
        # A weaker fuller edit that writes other words where the surer one stands.
        (0.97, "feedforward brain groups", 0.95, "neural networks"),
        # A weaker edit inside a surer one (the usual case, as before).
        (0.95, "feedforward neural networks", 0.97, "feedforward neural networks"),
    ],
)
def test_otherwise_the_surer_of_overlapping_edits_is_written(inner_score, fuller, fuller_score, written):
    doc = make_doc(TEXT)
    inner = _finding(TEXT, "brain organizations", "neural networks", inner_score, "context")
    other = _finding(TEXT, "feed-forward brain organizations", fuller, fuller_score)
    edits = decide(doc, [inner, other], Config())
    assert [e.proposal for e in edits if e.applied] == [written]
    [held] = [e for e in edits if not e.applied]
    assert held.reason.endswith("not applied: overlaps a stronger edit")


def test_a_fuller_edit_must_agree_with_every_edit_it_overlaps():
    text = "the profound getting to know model"
    doc = make_doc(text)
    first = _finding(text, "profound", "deep", 0.97, "context")
    second = _finding(text, "getting to know model", "learning machine", 0.96, "context")
    fuller = _finding(text, "profound getting to know", "deep learning", 0.95)
    edits = decide(doc, [first, second, fuller], Config())
    assert sorted(e.proposal for e in edits if e.applied) == ["deep", "learning machine"]
    # Without the edit it disagrees with, it takes the place of the one it agrees with.
    edits = decide(doc, [first, fuller], Config())
    assert [e.proposal for e in edits if e.applied] == ["deep learning"]


def test_agrees_compares_words_where_the_inner_edit_stands():
    text = "machine taking in methodologies"
    inner = _edit(text, "taking in", "learning")
    assert agrees(text, 0, len(text), "machine learning approaches", inner)
    # The fuller edit may change the words on one side into fewer or more.
    assert agrees(text, 0, len(text), "learning approaches", inner)
    assert agrees(text, 0, len(text), "machine learning", inner)
    # Not where the inner edit stands, or not its words, or not a span around it.
    assert not agrees(text, 0, len(text), "learning machine approaches now", inner)
    assert not agrees(text, 0, len(text), "machine teaching approaches", inner)
    assert not agrees(text, 8, 17, "learning", inner)  # the same span: not fuller
    assert not agrees(text, 0, 12, "machine learning", inner)  # does not span it
    assert not agrees(text, 0, len(text), "machine approaches", _edit(text, "taking in", ""))  # a deletion


@given(
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), min_size=1, max_size=3),
    st.lists(st.sampled_from(["one", "two", "three"]), min_size=1, max_size=3),
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), min_size=0, max_size=3),
)
def test_an_edit_that_keeps_the_words_around_another_agrees_with_it(before, middle, after):
    text = " ".join([*before, "x y", *after])
    start = len(" ".join(before)) + 1
    inner = Edit(start, start + 3, 1, start + 1, "x y", " ".join(middle), 0.97, "context", "t", ())
    proposal = " ".join([*before, *middle, *after])
    assert agrees(text, 0, len(text), proposal, inner)
