"""What in a Markdown file is not prose (repair.markup), and that no edit touches it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repair.config import Config, ConfigError, from_mapping
from repair.markup import (
    LATEX,
    MARKDOWN,
    MARKUPS,
    PLAIN,
    RST,
    START,
    Carry,
    markup_for,
    merged,
    protected,
    scan,
    scan_latex,
    scan_rst,
    touches,
)
from repair.pipeline import Pipeline, clean_text
from repair.runner import FileJob, Mode, RunOptions, process_file


def _protected_text(text: str, carry: Carry = START) -> list[str]:
    return [text[lo:hi] for lo, hi in scan(text, carry)[0]]


# --------------------------------------------------------------------------- which files


@pytest.mark.parametrize(
    ("path", "setting", "expected"),
    [
        ("notes/README.md", "auto", MARKDOWN),
        ("paper.Markdown", "auto", MARKDOWN),
        ("notes.txt", "auto", PLAIN),
        ("stdin", "auto", PLAIN),
        ("notes.txt", "markdown", MARKDOWN),
        ("README.md", "plain", PLAIN),
        ("paper/main.tex", "auto", LATEX),
        ("stdin", "latex", LATEX),
        ("docs/index.rst", "auto", RST),
    ],
)
def test_markup_follows_the_setting_or_the_suffix(path, setting, expected):
    config = Config()
    found = markup_for(path, setting, config.markdown_suffixes, config.latex_suffixes, config.rst_suffixes)
    assert found == expected


def test_an_unknown_markup_setting_is_a_config_error():
    with pytest.raises(ConfigError, match="markup must be auto, markdown, latex, rst or plain"):
        from_mapping({"markup": "html"}, "cfg.toml")


# --------------------------------------------------------------------------- blocks


def test_fenced_code_is_protected_to_its_closing_fence():
    text = "Prose.\n\n````python\nx = 1\n```\nstill code\n````\nProse again.\n"
    assert _protected_text(text) == ["````python\nx = 1\n```\nstill code\n````\n"]


def test_a_tilde_fence_and_a_fence_in_a_blockquote_are_code_too():
    assert _protected_text("~~~\nirregular woodland\n~~~\n") == ["~~~\nirregular woodland\n~~~\n"]
    quoted = "> ```\n> irregular woodland\n> ```\n"
    assert _protected_text(quoted) == [quoted]


def test_an_unclosed_fence_runs_to_the_end_and_carries_into_the_next_chunk():
    first = "Prose.\n\n```\ncode\n\n"
    regions, carry = scan(first)
    assert [first[lo:hi] for lo, hi in regions] == ["```\ncode\n\n"]
    assert carry == Carry(at_start=False, closer="```")
    second = "more code\n```\nprose\n"
    regions, after = scan(second, carry)
    assert [second[lo:hi] for lo, hi in regions] == ["more code\n```\n"]
    assert after == Carry(at_start=False, closer=None)


def test_indented_code_needs_a_blank_line_before_it():
    text = "A paragraph\n    that goes on indented.\n\n    code line\n\n    more code\nprose\n"
    assert _protected_text(text) == ["    code line\n", "    more code\n"]  # a blank line has no words


def test_front_matter_only_at_the_start_and_only_when_closed():
    yaml = "---\ntitle: an irregular woodland\n---\nProse.\n"
    assert _protected_text(yaml) == ["---\ntitle: an irregular woodland\n---"]
    assert _protected_text(yaml, Carry(at_start=False)) == []
    toml = "+++\ntitle = 'x'\n+++\n"
    assert _protected_text(toml) == ["+++\ntitle = 'x'\n+++"]
    assert _protected_text(yaml.replace("\n", "\r\n")) == ["---\r\ntitle: an irregular woodland\r\n---"]
    assert _protected_text("---\nA rule, then prose that never closes it.\n") == []


def test_raw_html_blocks_comments_and_math_blocks():
    assert _protected_text("<pre>\nirregular woodland\n</pre>\nprose\n") == ["<pre>\nirregular woodland\n</pre>\n"]
    assert _protected_text("<!-- a note\nirregular woodland -->\nprose\n") == ["<!-- a note\nirregular woodland -->\n"]
    assert _protected_text("$$\n\\text{irregular woodland}\n$$\nprose\n") == ["$$\n\\text{irregular woodland}\n$$\n"]


def test_footnote_labels_and_entities_are_kept_and_a_footnote_is_prose():
    text = "An irregular woodland[^irregular-woodland]&nbsp;here.\n\n[^irregular-woodland]: An irregular woodland.\n"
    assert _protected_text(text) == ["[^irregular-woodland]&nbsp;", "[^irregular-woodland]"]
    result = Pipeline(Config()).run(text, "notes.md")
    assert result.text == text.replace("An irregular woodland", "A random forest")


def test_a_reference_definition_line_is_protected():
    text = 'See [the guide][g].\n\n[g]: docs/irregular-woodland.md "Title"\n'
    assert _protected_text(text) == ["[g]", '[g]: docs/irregular-woodland.md "Title"']


# --------------------------------------------------------------------------- inline


def test_code_spans_match_runs_of_the_same_length():
    text = "Use ``a ` b`` and `c` but not ` this one.\n"
    assert _protected_text(text) == ["``a ` b``", "`c`"]


def test_link_targets_with_nested_parentheses_and_titles():
    text = 'An [irregular woodland](docs/woodland_(old).md "irregular woodland") and ![x](img.png).\n'
    assert _protected_text(text) == ['(docs/woodland_(old).md "irregular woodland")', "(img.png)"]


def test_tags_comments_and_autolinks_inline():
    text = 'A <span title="irregular woodland">b</span> c <!-- d --> <mailto:x@y> e.\n'
    assert _protected_text(text) == ['<span title="irregular woodland">', "</span>", "<!-- d -->", "<mailto:x@y>"]


def test_plain_text_protects_addresses_only():
    text = "Use `irregular woodland` at https://example.org/x.\n"
    assert [text[lo:hi] for lo, hi in protected(text, PLAIN)[0]] == ["https://example.org/x"]
    assert [text[lo:hi] for lo, hi in protected(text, MARKDOWN)[0]] == ["`irregular woodland`", "https://example.org/x"]


def test_merged_and_touches():
    assert merged([(5, 8), (0, 2), (2, 3), (7, 10)]) == [(0, 3), (5, 10)]
    assert touches([(0, 3)], 2, 5) and not touches([(0, 3)], 3, 5)


# --------------------------------------------------------------------------- LaTeX


def _latex_text(text: str, carry: Carry = START) -> list[str]:
    return [text[lo:hi] for lo, hi in scan_latex(text, carry)[0]]


def test_latex_comments_but_not_escaped_percent_signs():
    text = "Half (50\\% of it) was an irregular woodland. % an irregular woodland note\nNext line.\n"
    assert _latex_text(text) == ["\\%", "% an irregular woodland note"]


def test_latex_math_in_every_form():
    text = "Costs \\$5; $f(\\text{irregular woodland})$, \\(a\\), \\[b\\] and $$c$$.\n"
    assert _latex_text(text) == ["\\$", "$f(\\text{irregular woodland})$", "\\(a\\)", "\\[b\\]", "$$c$$"]


def test_an_inline_dollar_without_its_pair_stops_at_the_paragraph():
    text = "A lone $ sign.\n\nAn irregular woodland.\n"
    assert _latex_text(text) == ["$"]


def test_latex_key_arguments_are_kept_and_prose_arguments_are_not():
    text = (
        "\\section[Short]{An irregular woodland} as in \\cite[p.~2]{irregular-woodland} and "
        "\\href{https://example.org/w}{an irregular woodland}; \\newcommand{\\rf}{irregular woodland}.\n"
        "\\bibitem{irregular-woodland} An irregular woodland.\n"
    )
    assert _latex_text(text) == [
        "\\section",
        "{",  # a prose argument: its braces are kept, its words are cleaned
        "}",
        "\\cite[p.~2]{irregular-woodland}",
        "\\href{https://example.org/w}{",
        "}",
        "\\newcommand{\\rf}{irregular woodland}",
        "\\bibitem{irregular-woodland}",
    ]


def test_a_latex_group_is_no_spinner_template():
    """The artifact rule that strips a spinner's "{that a}" must leave LaTeX groups alone."""
    text = "\\section{Cache}\nDeletes the value at \\var{key}, {that a} one.\n"
    assert Pipeline(Config()).run(text, "doc.tex").text == text
    assert Pipeline(Config()).run(text, "doc.txt").text != text


def test_latex_verbatim_and_math_environments_carry_into_the_next_chunk():
    first = "Prose.\n\n\\begin{lstlisting}\nirregular woodland\n\n"
    regions, carry = scan_latex(first)
    assert [first[lo:hi] for lo, hi in regions] == ["\\begin{lstlisting}\nirregular woodland\n\n"]
    assert carry.closer == "\\end{lstlisting}"
    second = "more code\n\\end{lstlisting}\nAn irregular \\verb|x y| woodland.\n"
    regions, after = scan_latex(second, carry)
    assert [second[lo:hi] for lo, hi in regions] == ["more code\n\\end{lstlisting}", "\\verb|x y|"]
    assert after.closer is None
    assert _latex_text("\\begin{itemize}\\item An irregular woodland.\\end{itemize}") == [
        "\\begin{itemize}\\item",
        "\\end{itemize}",
    ]


# --------------------------------------------------------------------------- reStructuredText


def _rst_text(text: str, carry: Carry = START) -> list[str]:
    return [text[lo:hi] for lo, hi in scan_rst(text, carry)[0]]


def test_rst_inline_literals_roles_references_and_substitutions():
    text = "An ``irregular woodland``, :ref:`irregular-woodland`, `irregular woodland`_ and |rf| here.\n"
    assert _rst_text(text) == ["``irregular woodland``", ":ref:`irregular-woodland`", "`irregular woodland`_", "|rf|"]


def test_rst_literal_block_after_a_double_colon_until_the_text_comes_back():
    text = "Example::\n\n    fit('irregular woodland')\n\n    more\n\nAn irregular woodland.\n"
    assert _rst_text(text) == ["    fit('irregular woodland')", "    more"]


def test_rst_directives_keep_their_line_options_and_code_bodies_but_not_prose_bodies():
    text = (
        ".. code-block:: python\n   :caption: irregular woodland\n\n   fit('irregular woodland')\n\n"
        ".. note::\n   :class: irregular-woodland\n\n   An irregular woodland in a note.\n\n"
        ".. _irregular woodland: https://example.org\n"
        ".. [1] An irregular woodland in a footnote.\n"
    )
    assert _rst_text(text) == [
        ".. code-block:: python",
        "   :caption: irregular woodland",
        "   fit('irregular woodland')",
        ".. note::",
        "   :class: irregular-woodland",
        ".. _irregular woodland: https://example.org",
        ".. [1]",
    ]


def test_rst_comments_and_doctest_blocks():
    text = ".. a comment on an irregular woodland\n   continued\n\n>>> fit('x')\n'irregular woodland'\n\nProse.\n"
    assert _rst_text(text) == [
        ".. a comment on an irregular woodland",
        "   continued",
        ">>> fit('x')",
        "'irregular woodland'",
    ]


def test_an_rst_literal_block_carries_into_the_next_chunk():
    regions, carry = scan_rst("Example::\n\n    code\n\n")
    assert regions == [(11, 19)]
    assert carry == Carry(at_start=False, closer="indented")
    assert _rst_text("    more code\n\nAn irregular woodland.\n", carry) == ["    more code"]


# --------------------------------------------------------------------------- properties

_PIECES = st.sampled_from(
    [
        "an irregular woodland",
        "`code`",
        "``",
        "```",
        "~~~",
        "    indented",
        "[a](b)",
        "](",
        "<b>",
        "<!--",
        "-->",
        "$$",
        "---",
        "> ",
        "word",
        "\n",
        "\n\n",
        "\r\n",
        " ",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)

_LATEX_PIECES = st.sampled_from(
    [
        "an irregular woodland",
        "$",
        "$$",
        "\\$",
        "%",
        "\\%",
        "\\\\",
        "\\[",
        "\\]",
        "\\(",
        "\\)",
        "\\cite",
        "\\emph",
        "{",
        "}",
        "[",
        "]",
        "\\begin{verbatim}",
        "\\end{verbatim}",
        "\\begin{itemize}",
        "\\verb|",
        "|",
        "\n",
        "\n\n",
        " ",
    ]
)
_LATEX_TEXTS = st.lists(_LATEX_PIECES, max_size=30).map("".join)

_RST_TEXTS = st.lists(
    st.sampled_from(
        [
            "an irregular woodland",
            "::",
            ".. ",
            ".. code::",
            ".. note::",
            ".. [1]",
            ":ref:",
            "`",
            "``",
            "_",
            "|",
            ">>> ",
            "   ",
            "\t",
            ":opt:",
            "\n",
            "\n\n",
            " ",
        ]
    ),
    max_size=30,
).map("".join)

#: Each scanner with texts of its own syntax. Markdown's front matter is left out of the
#: chunk test by a first paragraph: it must close within the first chunk (a megabyte when
#: streamed).
_SCANNERS = pytest.mark.parametrize(
    ("scanner", "texts"), [(scan, _TEXTS), (scan_latex, _LATEX_TEXTS), (scan_rst, _RST_TEXTS)], ids=MARKUPS[1:4]
)


@_SCANNERS
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_regions_are_sorted_disjoint_and_inside_the_text(scanner, texts, data):
    text = data.draw(texts)
    regions, _ = scanner(text)
    assert all(0 <= lo < hi <= len(text) for lo, hi in regions)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(regions))


@_SCANNERS
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_text_cut_at_paragraph_breaks_scans_like_the_whole(scanner, texts, data):
    """The carried state makes chunk-by-chunk scanning agree with one scan of the whole text."""
    parts = data.draw(st.lists(texts, min_size=2, max_size=4))
    chunks = ["Prose.\n\n"] + [part.rstrip("\r\n") + "\n\n" for part in parts]
    whole, _ = scanner("".join(chunks))
    pieces: list[tuple[int, int]] = []
    carry, offset = START, 0
    for chunk in chunks:
        regions, carry = scanner(chunk, carry)
        pieces.extend((offset + lo, offset + hi) for lo, hi in regions)
        offset += len(chunk)
    assert merged(pieces) == whole


def _naive_balanced(text: str, pos: int, limit: int) -> int | None:
    """The bracket matcher written the obvious way (a scan per opener), to check the one-pass table against."""
    opener = text[pos]
    closer = {"(": ")", "[": "]", "{": "}"}[opener]
    depth, k = 0, pos
    while k < limit:
        if text[k] == "\\":
            k += 2
            continue
        depth += (text[k] == opener) - (text[k] == closer)
        if depth == 0:
            return k + 1
        k += 1
    return None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="(){}[]\\ab", max_size=40), st.integers(0, 45))
def test_the_bracket_table_pairs_as_a_scan_from_each_opener_would(text, reach):
    from repair.markup import _balanced

    for pos, ch in enumerate(text):
        escapes = len(text[:pos]) - len(text[:pos].rstrip("\\"))
        if ch in "([{" and escapes % 2 == 0:  # callers never start at an escaped bracket
            limit = min(len(text), pos + reach)
            assert _balanced(text, pos, limit) == _naive_balanced(text, pos, limit), (text, pos)


# --------------------------------------------------------------------------- in the pipeline

_DOC = (
    "We trained an irregular woodland on the data.\n\n"
    "```python\n"
    'model = fit("irregular woodland")\n'
    "```\n\n"
    "Use `irregular woodland` as the key; see [the guide](docs/irregular-woodland.md).\n"
)


def test_a_markdown_file_keeps_its_code_and_links_and_is_cleaned_elsewhere():
    result = Pipeline(Config()).run(_DOC, "notes/model.md")
    assert result.text == _DOC.replace("an irregular woodland on", "a random forest on")
    assert [e.spun for e in result.edits] == ["an irregular woodland"]
    assert clean_text(_DOC).text.count("random") == 4  # plain text: only addresses are kept


@pytest.mark.parametrize("quality", ["fast", "best"])
def test_markdown_code_is_kept_at_every_quality_level(quality):
    config = Config(detectors=("lexicon", "artifact", "context"), quality=quality, markup=MARKDOWN)
    result = Pipeline(config).run(_DOC, "stdin")
    assert 'fit("irregular woodland")' in result.text
    assert "`irregular woodland`" in result.text and "(docs/irregular-woodland.md)" in result.text
    assert "a random forest on the data" in result.text


def test_a_streamed_markdown_file_keeps_a_fence_that_crosses_a_chunk(tmp_path):
    prose = "We trained an irregular woodland on the data.\n\n"
    code = "```\n" + "".join(f"x{i} = irregular_woodland  # irregular woodland\n\n" for i in range(40)) + "```\n\n"
    text = prose * 20 + code + prose * 20
    path = tmp_path / "big.md"
    path.write_text(text, encoding="utf-8")
    config = Config(stream_threshold=100, chunk_size=1000)
    streamed = process_file(FileJob(str(path), "big.md"), config, RunOptions(mode=Mode.OUT_DIR, out_dir=tmp_path / "s"))
    whole = process_file(FileJob(str(path), "big.md"), Config(), RunOptions(mode=Mode.OUT_DIR, out_dir=tmp_path / "w"))
    out = (tmp_path / "s" / "big.md").read_text(encoding="utf-8")
    assert out == (tmp_path / "w" / "big.md").read_text(encoding="utf-8")
    assert code in out
    assert out.count("a random forest on the data") == 40
    assert len(streamed.edits) == len(whole.edits) == 40


_TEX = (
    "We trained an irregular woodland \\cite{irregular-woodland} (Eq.~\\ref{eq:irregular woodland}).\n"
    "% an irregular woodland in a comment\n"
    "$\\text{irregular woodland}$ and \\emph{an irregular woodland}.\n"
)


def test_a_latex_file_keeps_its_keys_comments_and_math():
    result = Pipeline(Config()).run(_TEX, "paper/main.tex")
    assert result.text == _TEX.replace("an irregular woodland \\cite", "a random forest \\cite").replace(
        "\\emph{an irregular woodland}", "\\emph{a random forest}"
    )
    assert [e.spun for e in result.applied] == ["an irregular woodland", "an irregular woodland"]


def test_an_rst_file_keeps_its_literals_and_references():
    text = "We trained an irregular woodland, see `irregular woodland`_.\n\n.. code:: python\n\n   woodland = 1\n"
    result = Pipeline(Config()).run(text, "docs/index.rst")
    assert result.text == text.replace("an irregular woodland,", "a random forest,")
