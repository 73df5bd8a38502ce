"""The inverted thesaurus index: inversion, prior, inflected keys, the file format."""

from __future__ import annotations

import time

import pytest

from repair.inverse import InverseIndex, build_index, default_index, key_of, settings
from repair.thesauri import SynonymLink


def texts(index, form):
    return [link.text for link in index.lookup(form)]


def test_inverse_lists_headwords_whose_synonyms_contain_the_form(test_index):
    assert set(texts(test_index, "trooper")) == {"soldier", "police officer"}
    assert texts(test_index, "in keeping with") == ["according to"]


def test_prior_prefers_frequent_headwords_and_sums_to_one(test_index):
    links = test_index.lookup("navy")
    assert links[0].text == "military"  # far more frequent than "dark blue"
    assert sum(link.score for link in links) == pytest.approx(1.0, abs=1e-3)
    assert all(0.0 <= link.score <= 1.0 for link in links)


def test_prior_of_one_original_is_its_links_score_in_any_case_or_spacing(test_index):
    links = {link.text: link.score for link in test_index.lookup("navy")}
    assert test_index.prior("navy", "military") == links["military"] > 0
    assert test_index.prior("Navy", "Military") == links["military"]  # keyed once, asked again
    assert test_index.prior("navy", "dark  blue") == links["dark blue"]
    assert test_index.prior("navy", "fire") == 0.0  # not one of its candidates
    assert test_index.prior("unknownword", "fire") == 0.0


def test_links_keep_provenance(test_index):
    link = next(link for link in test_index.lookup("hearth") if link.text == "fire")
    assert link.sources == ("mythes",)
    assert link.pos == "n" and link.sense == 0 and link.rank == 0
    assert link.source == "thesaurus:mythes"


def test_inflected_forms_have_reinflected_candidates(test_index):
    assert "soldiers" in texts(test_index, "troopers")
    assert "said" in texts(test_index, "stated")
    assert "bigger" in texts(test_index, "larger")
    assert "tried" in texts(test_index, "made an attempt")
    assert "trying" in texts(test_index, "making an attempt")


def test_part_of_speech_restricts_inflection(test_index):
    # "state" is only a verb link of "say": the plural noun "states" gets no "says".
    assert "says" in texts(test_index, "states")  # VBZ reading
    assert "groups" in texts(test_index, "teams")


def test_lookup_is_case_and_spacing_insensitive(test_index):
    assert texts(test_index, "In  Keeping With") == ["according to"]
    assert test_index.has("trooper") and not test_index.has("Trooper")
    assert test_index.lookup("unknownword") == ()


def test_limited_lookup_is_a_prefix_of_the_full_one(test_index):
    full = test_index.lookup("navy")
    assert len(full) > 1 and test_index.count("navy") == len(full)
    test_index._cache.clear()
    assert test_index.lookup("navy", 1) == full[:1]
    # A short cached prefix is not mistaken for the full list, and vice versa.
    assert test_index.lookup("navy") == full
    assert test_index.lookup("navy", 1) == full[:1]
    assert test_index.lookup("navy", 1000) == full
    assert test_index.count("unknownword") == 0 and test_index.lookup("unknownword", 3) == ()


def test_spans_finds_phrases_longest_first(test_index):
    norms = "they acted in keeping with the troopers".split()
    found = list(test_index.spans(norms))
    assert (2, 5) in found
    assert (5, 7) not in found and (6, 7) in found


def test_save_and_load_round_trip(tmp_path, test_index):
    path = tmp_path / "index.npz"
    test_index.save(path)
    loaded = InverseIndex.load(path)
    assert len(loaded) == len(test_index)
    for form in ("navy", "troopers", "in keeping with"):
        assert loaded.lookup(form) == test_index.lookup(form)
    assert loaded.meta["params"]["format-version"] == settings()["format-version"]


def test_build_is_deterministic():
    links = [SynonymLink("big", "large", "wordnet", "a", 0, 0), SynonymLink("huge", "large", "moby", "", 0, 0)]
    a = build_index(links, frequency=lambda h: 1e-4, commonness=lambda s: 5.0)
    b = build_index(list(reversed(links)), frequency=lambda h: 1e-4, commonness=lambda s: 5.0)
    assert a.lookup("large") == b.lookup("large")


def test_key_of_matches_the_segmenter():
    assert key_of("Sq. Miles") == "sq miles"
    assert key_of("well-trained") == "well trained"


@pytest.mark.slow
def test_real_default_index_builds_or_loads_and_inverts(monkeypatch):
    import repair.inverse as inverse

    monkeypatch.setattr(inverse, "_DEFAULT", {})
    index = default_index()
    assert index is not None
    assert "according to" in texts(index, "in keeping with")
    assert "military" in texts(index, "navy")
    start = time.perf_counter()
    InverseIndex.load(inverse.index_path())
    assert time.perf_counter() - start < 5  # loads in well under a second on an idle machine


def test_default_index_is_used_when_the_cache_folder_cannot_be_written(monkeypatch, tmp_path, test_index):
    import repair.inverse as inverse
    import repair.thesauri as thesauri

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("REPAIR_CACHE_DIR", str(blocked / "cache"))
    monkeypatch.setattr(inverse, "_DEFAULT", {})
    monkeypatch.setattr(thesauri, "available_sources", lambda: ("moby",))
    monkeypatch.setattr(inverse, "_fingerprint", lambda sources: "0" * 16)
    monkeypatch.setattr(inverse, "all_links", lambda sources: iter(()))
    monkeypatch.setattr(inverse, "build_index", lambda links: test_index)
    assert inverse.default_index() is test_index
    assert not inverse.index_path().exists()
