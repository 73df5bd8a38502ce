"""The word-pair table behind the context detector's collocation features."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repair.models.collocations import Collocations, default_collocations, joins, pair_keys

TABLE = "# documents 10\n# min-df 2\nspeech recognition\t5\ndeep neural\t2\n"


def test_pairs_are_joined_words_only():
    assert pair_keys("Real-time speech, recognition; of Ukraine’s army.") == {
        "real time",
        "time speech",
        "of ukraine's",
        "ukraine's army",
    }
    assert joins(" ") and joins(" - ") and joins("-") and joins("")
    assert not joins(", ") and not joins(" (") and not joins("    ")


def test_table_reads_its_header_and_drops_rare_pairs(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# a comment\n" + TABLE, encoding="utf-8")
    table = Collocations.load(path)
    assert table.documents == 10 and table.min_df == 2
    assert table.df("speech", "recognition") == 5 and table.df("speech", "reputation") == 0
    assert table.fit(["automatic", "speech", "recognition"]) == pytest.approx(math.log(6))


def test_excluding_a_document_takes_its_pairs_out_once(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text(TABLE, encoding="utf-8")
    table = Collocations.load(path)
    without = table.excluding("Deep neural speech recognition. Speech recognition again.")
    assert without.documents == 9
    assert without.df("speech", "recognition") == 4
    assert without.df("deep", "neural") == 0  # one document left: below min-df, as if never kept
    assert table.df("deep", "neural") == 2  # the original table is untouched


WORDS = st.sampled_from(["speech", "recognition", "deep", "neural", "of"])


@given(st.one_of(st.none(), WORDS), st.lists(WORDS, max_size=3), st.one_of(st.none(), WORDS), st.booleans())
def test_fit_between_neighbours_is_the_fit_of_the_whole_sequence(left, words, right, excluded):
    """A filler between its neighbours scores as the sequence's pairs, each ln(1 + documents)."""
    table = Collocations({"speech recognition": 5, "deep neural": 2, "of speech": 1}, 10, 2)
    if excluded:
        table = table.excluding("Speech recognition. Deep neural nets.")
    sequence = [w for w in (left, *words, right) if w is not None]
    expected = sum(math.log1p(table.df(a, b)) for a, b in itertools.pairwise(sequence))
    assert table.fit_between(left, words, right) == pytest.approx(expected, abs=1e-12)
    assert table.fit(sequence) == table.fit_between(None, sequence, None)


def test_share_is_the_pairs_part_of_its_kept_words_pairs():
    table = Collocations({"ground truth": 30, "the truth": 60, "ground floor": 10, "rare truth": 1}, 100, 2)
    # Of the documents pairing some word with "truth" after it (90: "rare truth" is under min-df) ...
    assert table.share("ground", "truth", given_second=True) == pytest.approx(30 / 90)
    # ... and of those pairing "ground" with some word after it (40).
    assert table.share("ground", "truth", given_second=False) == pytest.approx(30 / 40)
    assert table.share("floor", "truth", given_second=True) == 0.0  # an unknown pair
    assert table.share("ground", "unknown", given_second=True) == 0.0  # a word with no pairs
    # A table without one document's pairs keeps the whole table's totals (one document moves them by one).
    without = table.excluding("The ground truth.")
    assert without.share("ground", "truth", given_second=True) == pytest.approx(29 / 90)


def test_shipped_table_knows_field_terms():
    table = default_collocations()
    assert table.documents > 1000 and table.min_df >= 2
    for first, second in (("machine", "learning"), ("neural", "networks"), ("according", "to")):
        assert table.df(first, second) >= 10
    assert table.df("bottomless", "neural") == 0


def test_a_table_put_in_use_is_what_the_detectors_read_within_the_block():
    from repair.context import FeatureContext
    from repair.models.collocations import current_collocations, table_in_use
    from repair.segment import make_doc

    shipped = default_collocations()
    assert current_collocations() is shipped
    unseen = shipped.excluding("Machine learning and speech recognition.")
    with table_in_use(unseen):
        assert current_collocations() is unseen
        assert FeatureContext(make_doc("Machine learning.")).collocations is unseen
        assert unseen.df("machine", "learning") == shipped.df("machine", "learning") - 1
    assert current_collocations() is shipped
    with pytest.raises(RuntimeError), table_in_use(unseen):
        raise RuntimeError("a failed record")
    assert current_collocations() is shipped  # restored after an error too
    assert FeatureContext(make_doc("Machine learning."), unseen).collocations is unseen  # an explicit table wins
