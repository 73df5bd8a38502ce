"""The thesaurus proposer: registry entry, direct API, forms, multi-word units, derived data."""

from __future__ import annotations

from pathlib import Path

from repair.config import Config
from repair.inverse import build_index, curated_links
from repair.model import Candidate, Span
from repair.propose import PROPOSERS, candidates_for, has_candidates, propose, thesaurus_candidates
from repair.resources import Resources
from repair.segment import make_doc

ROOT = Path(__file__).resolve().parents[1]


def span_of(doc, text, detector="surprise"):
    start = doc.text.index(text)
    return Span(start, start + len(text), text, detector, "test", 0.5)


def test_thesaurus_proposer_is_registered_and_restores_a_swapped_word():
    assert "thesaurus" in PROPOSERS
    doc = make_doc("Navy bloggers said the troopers held the line.")
    res = Resources(Config())
    cands = propose(doc, span_of(doc, "troopers"), res)
    assert "soldiers" in [c.text for c in cands]
    cands = propose(doc, span_of(doc, "Navy"), res)
    assert cands[0].text == "Military"  # capitalisation kept, frequent original first
    assert all(0.0 <= c.score <= 1.0 and c.source.startswith("thesaurus:") for c in cands)


def test_spans_with_their_own_candidates_keep_them_and_their_confidences():
    # Lexicon rows, artifact rules and the context detector name and calibrate their
    # candidates: a thesaurus prior must neither add to them nor raise their scores.
    doc = make_doc("the troopers")
    res = Resources(Config())
    for detector in ("lexicon", "artifact", "context"):
        span = Span(4, 12, "troopers", detector, "test", 0.6, (Candidate("soldiers", 0.6, detector),))
        assert PROPOSERS["thesaurus"](doc, span, res) == []
        assert propose(doc, span, res) == [Candidate("soldiers", 0.6, detector)]


def test_a_row_s_words_take_the_hyphens_of_the_spun_words_a_synonym_s_do_not():
    doc = make_doc("on actual-globe data")
    res = Resources(Config())

    def proposed(detector: str, source: str) -> str:
        span = Span(3, 15, "actual-globe", detector, "test", 0.9, (Candidate("real world", 0.9, source),))
        [cand] = propose(doc, span, res)
        return cand.text

    assert proposed("lexicon", "lexicon") == "real-world"
    # The context detector offering a lexicon row from the inverted index: word for word too.
    assert proposed("context", "thesaurus:moby+lexicon") == "real-world"
    # A thesaurus synonym of the whole need not map word to word ("co-operation" -> "working together").
    assert proposed("context", "thesaurus:moby") == "real world"


def test_candidates_for_token_range_and_fast_path(test_index):
    doc = make_doc("They advanced under the Quilt of hearth, in keeping with orders.")
    i = next(k for k, t in enumerate(doc.tokens) if t.norm == "in")
    cands = candidates_for(doc, i, i + 3, test_index)
    assert [c.text for c in cands] == ["according to"]
    quilt = next(k for k, t in enumerate(doc.tokens) if t.norm == "quilt")
    assert candidates_for(doc, quilt, quilt + 1, test_index)[0].text == "Cover"
    assert has_candidates(test_index, "hearth") and not has_candidates(test_index, "orders")


def test_possessive_is_kept(test_index):
    assert [c.text for c in thesaurus_candidates(test_index, "trooper's")][:2] == ["soldier's", "police officer's"]


def test_multiword_units_phrase_to_word_and_word_to_phrase(test_index):
    assert [c.text for c in thesaurus_candidates(test_index, "made an attempt")] == ["tried"]
    assert [c.text for c in thesaurus_candidates(test_index, "in keeping with")] == ["according to"]


def test_shipped_multiword_table_feeds_the_index():
    """Abbreviations and hypernym compounds come from the derived table (phrase -> word)."""
    links = [link for link in curated_links() if link.source == "multiword"]
    pairs = {(link.synonym, link.headword) for link in links}
    assert ("sq", "square") in pairs  # from WordNet's "sq ft" = "square foot"
    assert ("rose bush", "rose") in pairs  # "bush" is a WordNet hypernym of "rose"
    index = build_index(
        [link for link in links if link.headword in ("square", "rose")],
        frequency=lambda h: 1e-4,
        commonness=lambda s: 5.0,
    )
    assert [link.text for link in index.lookup("sq")] == ["square"]
    assert [link.text for link in index.lookup("rose bush")] == ["rose"]
    assert [link.text for link in index.lookup("rose bushes")] == ["roses"]


def test_multiword_table_has_provenance_columns():
    lines = [ln for ln in (ROOT / "repair/data/multiword.tsv").read_text().splitlines() if not ln.startswith("#")]
    header = lines[0].split("\t")
    assert header == ["spun", "original", "relation", "pos", "spun_count", "original_count", "source"]
    relations = {ln.split("\t")[2] for ln in lines[1:]}
    assert relations == {"phrase", "compound", "abbreviation"}
    assert all(ln.split("\t")[6] for ln in lines[1:])


def test_news_spins_lexicon_is_derived_and_attributed():
    from repair.lexicon import read_lexicon

    entries = read_lexicon(ROOT / "lexicons/news_spins.tsv")
    assert len(entries) > 500
    assert all(e.source.startswith("derived:") and e.licence for e in entries)
    assert all(e.spun != e.original for e in entries)
    seed = (ROOT / "seeds/kursk_spun.txt").read_text(encoding="utf-8").lower()
    assert not [e.spun for e in entries if f" {e.spun} " in f" {seed} "]
