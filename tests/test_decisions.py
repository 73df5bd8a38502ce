"""Decisions: the file format, resolving it against a run, and writing exactly what was accepted."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from review_helpers import LEGACY, PAPER, build_run

from repair.decisions import (
    DecisionError,
    apply_run,
    decisions_document,
    edit_choices,
    fit_alternative,
    load_decisions,
    parse_decisions,
    plan_apply,
    resolve,
    write_plans,
)
from repair.model import Edit
from repair.saved import FileChangedError, load_run


@pytest.fixture
def run(tmp_path):
    return build_run(tmp_path)


def decision(file: str, edit: Edit, verdict: str, choice: str | None = None) -> dict[str, object]:
    where = {"file": file, "start": edit.start, "end": edit.end, "spun": edit.spun}
    return {**where, "decision": verdict, "choice": choice}


def by_spun(run, spun: str) -> Edit:
    return next(e for r in run.results for e in r.edits if e.spun == spun)


def write_decisions(path: Path, run, entries: list[dict[str, object]], **extra: object) -> Path:
    saved = load_run(run.edits)
    document = {"format": "repair-decisions", "version": 1, "edits_sha256": saved.edits_sha256, "decisions": entries}
    document.update(extra)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_fit_alternative_keeps_the_quote_between_article_and_phrase():
    quoted = Edit(0, 22, 1, 1, 'an "irregular woodland', 'a "random forest', 0.9, "lexicon", "")
    assert fit_alternative(quoted, "unordered forest") == 'an "unordered forest'
    assert fit_alternative(quoted, "random woodland") == 'a "random woodland'


def test_fit_alternative_restores_the_article():
    widened = Edit(0, 21, 1, 1, "An irregular woodland", "A random forest", 0.9, "lexicon", "")
    assert fit_alternative(widened, "unordered forest") == "An unordered forest"
    assert fit_alternative(widened, "random woodland") == "A random woodland"
    assert fit_alternative(widened, "a random grove") == "a random grove"  # already has one
    plain = Edit(0, 13, 1, 1, "flag to commotion", "signal to noise", 0.9, "lexicon", "")
    assert fit_alternative(plain, "signal-to-noise") == "signal-to-noise"


def test_edit_choices_proposal_first_without_duplicates():
    alternatives = (("signal to noise", 0.5), ("signal-to-noise", 0.3))
    edit = Edit(0, 17, 1, 1, "flag to commotion", "signal to noise", 0.9, "x", "", alternatives)
    assert edit_choices(edit) == ("signal to noise", "signal-to-noise")


def test_without_decisions_the_run_defaults_apply(run, tmp_path):
    result = apply_run(run.edits, out_dir=tmp_path / "out")
    expected = (
        PAPER.replace("counterfeit consciousness", "artificial intelligence")
        .replace("an irregular woodland", "a random forest")
        .replace("flag to commotion", "signal to noise")
        .replace("profound learning", "deep learning")
    )
    assert (tmp_path / "out" / "paper.txt").read_bytes() == expected.encode("utf-8")  # CRLF, no final newline kept
    legacy = (tmp_path / "out" / "legacy" / "cp1252.txt").read_bytes()
    assert legacy == LEGACY.replace("counterfeit consciousness", "artificial intelligence").encode("cp1252")
    assert (tmp_path / "out" / "clean.txt").read_bytes() == (run.root / "clean.txt").read_bytes()
    assert result.accepted == 5 and result.rejected == 2 and result.changed == 2
    assert (run.root / "paper.txt").read_bytes() == PAPER.encode("utf-8")  # originals untouched


def test_decisions_pick_accept_and_reject(run, tmp_path):
    entries = [
        decision("paper.txt", by_spun(run, "counterfeit consciousness"), "reject"),
        decision("paper.txt", by_spun(run, "an irregular woodland"), "accept", "an unordered forest"),
        decision("paper.txt", by_spun(run, "flag to commotion"), "accept", "signal-to-noise"),
        decision("paper.txt", by_spun(run, "huge information"), "accept", "vast data"),
    ]
    path = write_decisions(tmp_path / "d.json", run, entries)
    apply_run(run.edits, path, out_dir=tmp_path / "out")
    expected = (
        PAPER.replace("an irregular woodland", "an unordered forest")
        .replace("flag to commotion", "signal-to-noise")
        .replace("huge information", "vast data")
        .replace("profound learning", "deep learning")  # not mentioned: keeps its default
    )
    assert (tmp_path / "out" / "paper.txt").read_bytes() == expected.encode("utf-8")


def test_in_place_with_backup_rewrites_only_changed_files(run, tmp_path):
    legacy = run.root / "legacy" / "cp1252.txt"
    saved = load_run(run.edits)
    reviewed = resolve(saved)
    reviewed["legacy/cp1252.txt"] = [replace(e, applied=False) for e in reviewed["legacy/cp1252.txt"]]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(decisions_document(saved, reviewed)))
    before = legacy.stat().st_mtime_ns
    result = apply_run(run.edits, path, in_place=True, backup=".orig")
    assert legacy.stat().st_mtime_ns == before and not Path(str(legacy) + ".orig").exists()
    assert (run.root / "paper.txt.orig").read_bytes() == PAPER.encode("utf-8")
    assert "artificial intelligence" in (run.root / "paper.txt").read_text(encoding="utf-8")
    assert result.written == [run.root / "paper.txt"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(start=d["start"] + 1), "names no edit"),
        (lambda d: d.update(spun="something else"), "does not match"),
        (lambda d: d.update(choice="a made-up wording"), "neither the proposal nor one of its alternatives"),
    ],
)
def test_decisions_that_do_not_fit_the_run_are_refused(run, tmp_path, mutate, message):
    entry = decision("paper.txt", by_spun(run, "flag to commotion"), "accept", "signal-to-noise")
    mutate(entry)
    path = write_decisions(tmp_path / "d.json", run, [entry])
    with pytest.raises(DecisionError, match=message):
        apply_run(run.edits, path, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_decisions_for_another_run_are_refused(run, tmp_path):
    path = write_decisions(tmp_path / "d.json", run, [], edits_sha256="0" * 64)
    with pytest.raises(DecisionError, match="another edits file"):
        apply_run(run.edits, path, out_dir=tmp_path / "out")


def test_an_edit_decided_twice_is_refused(run, tmp_path):
    entry = decision("paper.txt", by_spun(run, "flag to commotion"), "accept")
    path = write_decisions(tmp_path / "d.json", run, [entry, dict(entry, decision="reject")])
    with pytest.raises(DecisionError, match="decided twice"):
        apply_run(run.edits, path, out_dir=tmp_path / "out")


def test_accepting_overlapping_edits_is_refused(run, tmp_path):
    entry = decision("paper.txt", by_spun(run, "flag"), "accept")
    path = write_decisions(tmp_path / "d.json", run, [entry])
    with pytest.raises(DecisionError, match="overlapping"):
        apply_run(run.edits, path, out_dir=tmp_path / "out")


def test_a_changed_original_is_refused_before_anything_is_written(run, tmp_path):
    legacy = run.root / "legacy" / "cp1252.txt"
    legacy.write_bytes(legacy.read_bytes() + b"one more line\n")
    with pytest.raises(FileChangedError, match="changed since the run"):
        apply_run(run.edits, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # paper.txt comes first but was not written either


def test_apply_never_overwrites_the_originals_through_out_dir(run):
    plans = plan_apply(load_run(run.edits), include_unchanged=True)
    with pytest.raises(DecisionError, match="refusing to overwrite"):
        write_plans(plans, out_dir=run.root)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object"),
        ({"format": "other", "decisions": []}, "format is 'other'"),
        ({"decisions": {}}, "must be a list"),
        ({"decisions": [{"file": "a", "start": 1}]}, "missing 'end'"),
        ({"decisions": [{"file": "a", "start": 5, "end": 1, "decision": "accept"}]}, "start <= end"),
        ({"decisions": [{"file": "a", "start": 1, "end": 2, "decision": "maybe"}]}, "accept' or 'reject"),
        ({"decisions": [{"file": "a", "start": 1, "end": 2, "decision": "accept", "choice": 3}]}, "choice must be"),
    ],
)
def test_malformed_decisions(document, message):
    with pytest.raises(DecisionError, match=message):
        parse_decisions(document)


def test_not_json(tmp_path):
    path = tmp_path / "d.json"
    path.write_text("{not json")
    with pytest.raises(DecisionError, match="not JSON"):
        load_decisions(path)


def test_decisions_document_round_trips(run):
    saved = load_run(run.edits)
    document = decisions_document(saved, resolve(saved), "repair test")
    again = resolve(saved, parse_decisions(json.loads(json.dumps(document))))
    assert again == resolve(saved)
    assert document["run_id"] == saved.edits_sha256[:12]
    assert {d["decision"] for d in document["decisions"]} == {"accept", "reject"}
