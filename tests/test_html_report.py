"""The review page's static part and data block: escaping, offsets, determinism, no network."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import pytest
from review_helpers import PAPER, build_run

from repair.html_report import (
    CONFIDENCE_BANDS,
    _band_index,
    bar_chart_svg,
    page_data,
    render_html,
    script_json,
)
from repair.report import FileResult
from repair.saved import load_run


@pytest.fixture
def run(tmp_path):
    return build_run(tmp_path, paper_name="<b>odd</b> name.txt")


def data_block(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="repair-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "text",
    ["</script><script>alert(1)</script>", "<!-- x -->", "a\u2028b\u2029c", "&amp; <b>", "\U0001f600 é \x00"],
)
def test_script_json_is_inert_and_round_trips(text):
    encoded = script_json({"t": text})
    assert "</" not in encoded and "<!--" not in encoded and "\u2028" not in encoded and "\u2029" not in encoded
    assert json.loads(encoded) == {"t": text}


def test_input_markup_never_reaches_the_page_as_markup(run):
    page = (run.report / "report.html").read_text(encoding="utf-8")
    # Exactly the page's own two script elements: the data block and the code.
    assert len(re.findall(r"<script\b", page, re.I)) == 2
    assert "<img" not in page and "<b>odd" not in page
    assert "&lt;b&gt;odd&lt;/b&gt; name.txt" in page  # the file name, escaped, in the summary table
    data = data_block(page)
    assert data["files"][0]["file"] == "<b>odd</b> name.txt"
    assert data["files"][0]["text"] == PAPER


def test_the_page_allows_no_network_and_only_its_own_script(run):
    page = (run.report / "report.html").read_text(encoding="utf-8")
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
    assert "default-src 'none'" in csp
    script = re.search(r"<script>(.*)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from anywhere


def test_offsets_for_javascript_count_utf16_units(run):
    data = data_block((run.report / "report.html").read_text(encoding="utf-8"))
    text = data["files"][0]["text"]
    utf16 = text.encode("utf-16-le")
    for edit in (e for e in data["edits"] if e["f"] == 0):
        assert text[edit["s"] : edit["e"]] == edit["sp"]  # Python offsets identify the edit
        assert utf16[2 * edit["js"] : 2 * edit["je"]].decode("utf-16-le") == edit["sp"]  # JS offsets slice it
        assert edit["js"] == edit["s"] + 1  # one astral character (an emoji) before every edit


def test_page_data_defaults_and_fitted_alternatives(run):
    data = page_data(run.results, {"generator": "g"}, "ab" * 32)
    assert data["run"] == {"id": "ab" * 6, "edits_sha256": "ab" * 32, "generator": "g"}
    assert [f["file"] for f in data["files"]] == ["<b>odd</b> name.txt", "legacy/cp1252.txt"]  # clean.txt has none
    woodland = next(e for e in data["edits"] if e["sp"] == "an irregular woodland")
    assert woodland["p"] == "a random forest" and woodland["a"] == [["an unordered forest", 0.41]]
    assert [e["ap"] for e in data["edits"] if e["f"] == 0] == [True, True, False, True, False, True]


def test_summary_counts_and_chart(run):
    page = (run.report / "report.html").read_text(encoding="utf-8")
    assert "<b>3</b><span>files</span>" in page
    assert "<b>7</b><span>findings</span>" in page
    assert "<b>5</b><span>edits written by the run</span>" in page
    assert 'data-filter="detector" data-value="thesaurus"' in page
    assert "<title>thesaurus: 1 written, 1 held back</title>" in page
    assert "<title>0.90–1.00: 4 written, 0 held back</title>" in page
    assert "1 file without findings (1 unchanged)" in page


def test_bar_chart_escapes_labels():
    svg = bar_chart_svg([("<x>", 2, 1, {"data-value": '"<x>"'})], "t")
    assert "<x>" not in svg and "&lt;x&gt;" in svg and 'data-value="&quot;&lt;x&gt;&quot;"' in svg


def test_confidence_bands_cover_zero_to_one():
    assert _band_index(0.0) == 0 and _band_index(0.5) == 1 and _band_index(0.8999) == 4
    assert _band_index(1.0) == len(CONFIDENCE_BANDS) - 1


def test_rendering_is_deterministic(run):
    digest = load_run(run.edits).edits_sha256
    first = render_html(run.results, {"generator": "repair test"}, digest)
    assert first == render_html(run.results, {"generator": "repair test"}, digest)
    assert first == (run.report / "report.html").read_text(encoding="utf-8")


def test_a_file_whose_text_is_gone_still_lists_its_edits(run):
    result = run.results[1]
    bare = FileResult(result.path, result.rel, result.status, edits=result.edits, words=result.words)
    data = page_data([bare], {}, "")
    assert data["files"][0]["text"] is None and len(data["edits"]) == 1
