"""The spinner's word choices learned from lexicon rows (repair.spinmap)."""

from __future__ import annotations

from repair.lexicon import Entry
from repair.spinmap import SpinMap, aligned_pairs


def test_rows_are_aligned_word_by_word_and_only_when_the_lengths_agree():
    rows = [
        Entry("counterfeit consciousness", "artificial intelligence"),
        Entry("profound learning", "deep learning"),
        Entry("mossy cup oak", "most"),  # no word-by-word reading
        Entry("Sq. Miles", "square miles"),
    ]
    assert list(aligned_pairs(rows)) == [
        ("counterfeit", "artificial"),
        ("consciousness", "intelligence"),
        ("profound", "deep"),
        ("sq", "square"),
    ]


def test_a_pair_seen_in_one_form_serves_the_others():
    spin_map = SpinMap.from_entries([Entry("neural organizations", "neural networks")])
    assert spin_map.originals("organizations") == (("networks", 1),)
    assert spin_map.originals("organization") == (("network", 1),)
    assert spin_map.originals("Organization") == (("network", 1),)


def test_more_rows_rank_first_and_the_limit_holds():
    rows = [Entry(f"{w} organization", f"{w} network") for w in ("neural", "sensor", "social")]
    rows += [Entry("ethnic organization", "ethnic group"), Entry("relief organization", "relief agency")]
    spin_map = SpinMap.from_entries(rows)
    assert spin_map.originals("organization") == (("network", 3), ("agency", 1), ("group", 1))
    assert spin_map.originals("organization", limit=1) == (("network", 3),)


def test_forms_of_one_word_and_function_words_teach_nothing():
    rows = [Entry("neural networks", "neural network"), Entry("a woodland", "the forest")]
    spin_map = SpinMap.from_entries(rows, ignore=frozenset({"a", "the"}))
    assert spin_map.originals("networks") == ()
    assert spin_map.originals("a") == ()
    assert spin_map.originals("woodland") == (("forest", 1),)
    assert len(spin_map) == 1
