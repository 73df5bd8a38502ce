import pytest

from repair.segment import addresses, make_doc, norm, tokenize


def test_tokens_keep_offsets_and_inner_apostrophes():
    text = "Ukraine’s forces can't hold k-closest points."
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["Ukraine’s", "forces", "can't", "hold", "k", "closest", "points"]
    for t in tokens:
        assert text[t.start : t.end] == t.text
    assert tokens[0].norm == "ukraine's"


def test_norm_folds_case_and_apostrophes():
    assert norm("Don’t") == "don't"


def test_sentences_cover_all_tokens_and_skip_abbreviations():
    doc = make_doc("Dr. Smith left. He came back!\r\nA new line. 200 sq. miles here.")
    texts = [doc.text[s.start : s.end].strip() for s in doc.sentences]
    assert texts == ["Dr. Smith left.", "He came back!", "A new line.", "200 sq. miles here."]
    covered = [i for s in doc.sentences for i in range(s.first_token, s.last_token)]
    assert covered == list(range(len(doc.tokens)))


def test_line_col_counts_every_newline_style():
    doc = make_doc("ab\r\ncd\ref\ngh")
    assert doc.line_col(0) == (1, 1)
    assert doc.line_col(4) == (2, 1)
    assert doc.line_col(7) == (3, 1)
    assert doc.line_col(11) == (4, 2)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Read https://example.com/a-b?x=1#top, then stop.", ["https://example.com/a-b?x=1#top"]),
        ("(see www.example.org/path).", ["www.example.org/path"]),
        (
            "ftp://files.example.net/data and first.last+tag@mail.example.co.uk.",
            ["ftp://files.example.net/data", "first.last+tag@mail.example.co.uk"],
        ),
        ("No address: e.g. a.m. or 3.5 or @handle or www alone.", []),
    ],
)
def test_addresses_find_urls_and_email_without_trailing_punctuation(text, found):
    assert [text[a:b] for a, b in addresses(text)] == found
