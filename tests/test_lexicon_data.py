"""Lint the shipped lexicons like codespell lints its dictionaries."""

from __future__ import annotations

import re

import pytest

from repair.lexicon import Lexicon, phrase_key, read_lexicon
from repair.resources import builtin_lexicon_dir
from repair.segment import make_doc

LEXICONS = sorted(builtin_lexicon_dir().glob("*.tsv"))


@pytest.fixture(scope="module", params=LEXICONS, ids=lambda p: p.name)
def entries(request):
    return read_lexicon(request.param)


def test_there_is_a_shipped_lexicon():
    assert any(p.name == "tortured_phrases.tsv" for p in LEXICONS)


def test_sorted_and_unique(entries):
    keys = [e.spun.lower() for e in entries]
    assert keys == sorted(keys)
    seen = [phrase_key(e.spun) for e in entries]
    assert len(seen) == len(set(seen))


def test_originals_hold_no_editorial_notes(entries):
    note = re.compile(r"\?|\bsee\b|https?:|\[|\]|\bAND\b|…")
    bad = [e.original for e in entries if note.search(e.original)]
    assert bad == []


def test_every_row_has_provenance_and_licence(entries):
    assert all(e.source and e.licence for e in entries)


def test_no_original_is_itself_a_spun_phrase(entries):
    """Cleaning must be idempotent: a replacement may never be matched again."""
    lexicon = Lexicon.from_entries([e for e in entries if e.kind == "phrase" and not e.exclude], inflect=False)
    offenders = []
    for e in entries:
        doc = make_doc(e.original)
        for m in lexicon.match(doc):
            offenders.append((e.spun, e.original, m.variants[0].entry.spun))
    assert offenders == []


def test_and_context_rows_have_context(entries):
    assert all(e.context for e in entries if e.kind == "and-context")
