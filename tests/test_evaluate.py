"""Tests for the scorer: alignment of spun, output and original; the counts; the files."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repair.apply import apply_edits
from repair.evaluate import (
    GoldError,
    GoldRecord,
    align,
    eval_main,
    evaluate,
    evaluate_outputs,
    finding_is_right,
    read_gold,
    reliability,
    score_record,
    summary_path,
)
from repair.model import Edit
from repair.pipeline import Result

# Hand-written gold pairs (news-style spins of sentences written for these tests).
GOLD = [
    GoldRecord(
        "g1",
        "The navy said troopers had crossed the river below the quilt of hearth.",
        "The military said soldiers had crossed the river under the cover of fire.",
        (("navy", "military"), ("troopers", "soldiers"), ("below", "under"), ("quilt", "cover"), ("hearth", "fire")),
    ),
    GoldRecord(
        "g2",
        "We are able to't cease them, in keeping with the commander.",
        "We can't stop them, according to the commander.",
        (("are able to't", "can't"), ("cease", "stop"), ("in keeping with", "according to")),
    ),
    GoldRecord("g3", "It was {that a} international military had crossed.", "It was that a foreign army had crossed."),
]


def edit_for(text: str, spun: str, proposal: str, detector: str, occurrence: int = 0) -> Edit:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(spun, start + 1)
    return Edit(start, start + len(spun), 1, start + 1, spun, proposal, 0.9, detector, "test edit")


def fake_clean(plan: dict[str, list[Edit]]):
    """A clean_fn that applies a fixed plan of edits per input text."""

    def clean(text: str) -> Result:
        edits = tuple(plan.get(text, []))
        return Result(apply_edits(text, edits), edits)

    return clean


# --------------------------------------------------------------------------- the brief's cases


def test_original_as_output_is_perfect() -> None:
    report = evaluate_outputs(GOLD, [g.original for g in GOLD])
    assert report.f05 == 1.0
    assert report.recall == 1.0
    assert report.precision == 1.0
    assert report.damaged_words == 0
    assert report.fixed_words == report.spun_words > 0
    assert report.fixed_spins == report.spins
    assert report.must_fix_hit == report.must_fix_total == 8


def test_spun_as_output_has_zero_recall_and_no_edits() -> None:
    report = evaluate_outputs(GOLD, [g.spun for g in GOLD])
    assert report.recall == 0.0
    assert report.edits == 0
    assert report.fixed_words == 0
    assert report.missed_words == report.spun_words
    assert report.damaged_words == 0
    assert report.f05 == 0.0
    assert report.must_fix_hit == 0


def test_damaging_edit_on_clean_text_counts_as_damaged() -> None:
    clean = "The committee met on Tuesday and approved the budget for next year."
    gold = GoldRecord("clean", clean, clean)
    report = evaluate_outputs([gold], [clean.replace("approved", "sanctioned")])
    assert report.spun_words == 0
    assert report.damaged_words == 1
    assert report.edits == 1 and report.bad_edits == 1
    assert report.precision == 0.0
    assert report.false_edits_per_10k == pytest.approx(10_000 / 12)
    assert report.changed_records == 1


def test_deleting_and_inserting_words_in_clean_text_is_damage() -> None:
    clean = "Prices rose sharply in the first quarter."
    gold = GoldRecord("clean", clean, clean)
    deleted = evaluate_outputs([gold], ["Prices rose in the first quarter."])
    inserted = evaluate_outputs([gold], ["Prices rose very sharply in the first quarter."])
    assert deleted.damaged_words == 1
    assert inserted.damaged_words == 1
    assert deleted.bad_edits == inserted.bad_edits == 1


def test_phrase_length_changes_align() -> None:
    # Three spun words restored to one original word, and a spinner's extra word removed.
    gold = GoldRecord("p", "Now we have are able to't wait.", "We can't wait.", (("are able to't", "can't"),))
    blocks = align(["Now", "we", "have", "are", "able", "to't", "wait", "."], ["We", "can't", "wait", "."])
    assert len(blocks) == 1 and blocks[0].size == 6  # one run of six spun words
    fixed = evaluate_outputs([gold], ["We can't wait."])
    assert fixed.recall == 1.0 and fixed.precision == 1.0 and fixed.damaged_words == 0
    assert fixed.must_fix_hit == 1
    # Half-repaired: "are able to't" restored, "Now we have" left alone.
    half = evaluate_outputs([gold], ["Now we have can't wait."])
    assert half.fixed_words == 3 and half.missed_words == 3
    assert half.good_edits == 1 and half.damaged_words == 0
    assert half.must_fix_hit == 1


@pytest.mark.parametrize(
    ("spun", "original", "output"),
    [
        # A spinner's doubled word, with an unfixed spin before it that changes how the rest aligns.
        (
            "One of the newest books and the greatest book of the the sea.",
            "One of the strangest books and the greatest book of the sea.",
            "One of the newest books and the greatest book of the sea.",
        ),
        # A phrase spin that doubled the word before it: removing either "to" leaves the same text.
        (
            "They fail to to good effect exploit it.",
            "They fail to efficiently exploit it.",
            "They fail to good effect exploit it.",
        ),
    ],
)
def test_removing_one_copy_of_a_doubled_word_is_judged_by_the_text_it_leaves(
    spun: str, original: str, output: str
) -> None:
    report = evaluate_outputs([GoldRecord("d", spun, original)], [output])
    assert (report.good_edits, report.bad_edits, report.damaged_words, report.fixed_words) == (1, 0, 0, 1)


def test_a_copy_the_repairer_left_inside_a_spin_is_unfixed_not_damage() -> None:
    # The tortured phrase stands for "absolute error" after a "mean" of the original; the repair
    # restores "absolute error" and leaves one "mean" too many, which belongs to the spin.
    gold = GoldRecord("t", "It gets a mean mean supreme mistake of 4.", "It gets a mean absolute error of 4.")
    report = evaluate_outputs([gold], ["It gets a mean mean absolute error of 4."])
    assert (report.damaged_words, report.fixed_words, report.spun_words) == (0, 2, 3)


def test_doubling_or_undoubling_a_word_of_clean_text_is_still_damage() -> None:
    for text, output in (("It is very good.", "It is very very good."), ("It is very very good.", "It is very good.")):
        report = evaluate_outputs([GoldRecord("c", text, text)], [output])
        assert (report.good_edits, report.bad_edits, report.damaged_words) == (0, 1, 1)


def test_shorter_spun_phrase_restored_to_longer_original() -> None:
    gold = GoldRecord("s", "They fought throughout the night.", "They fought all through the night.")
    report = evaluate_outputs([gold], [gold.original])
    assert report.spun_words == 2  # "throughout" stands for "all through"
    assert report.recall == 1.0 and report.edits == 1 and report.good_edits == 1


def test_wrong_fix_is_missed_and_a_bad_edit_but_not_damage() -> None:
    gold = GoldRecord("w", "Russian navy bloggers wrote.", "Russian military bloggers wrote.")
    report = evaluate_outputs([gold], ["Russian army bloggers wrote."])
    assert report.fixed_words == 0 and report.missed_words == 1
    assert report.bad_edits == 1 and report.damaged_words == 0


def test_per_detector_breakdown_sums_up() -> None:
    g1, g2 = GOLD[0], GOLD[1]
    plan = {
        g1.spun: [
            edit_for(g1.spun, "navy", "military", "lexicon"),
            edit_for(g1.spun, "troopers", "soldiers", "thesaurus"),
            edit_for(g1.spun, "river", "stream", "thesaurus"),  # damage
            edit_for(g1.spun, "quilt of hearth", "cover of fire", "lexicon"),
        ],
        g2.spun: [
            edit_for(g2.spun, "are able to't", "can't", "artifact"),
            edit_for(g2.spun, "cease", "halt", "thesaurus"),  # adjacent to the artifact edit, and wrong
        ],
    }
    report = evaluate([g1, g2, GOLD[2]], fake_clean(plan))
    table = report.per_detector()
    assert set(table) == {"artifact", "lexicon", "thesaurus"}
    assert sum(d.edits for d in table.values()) == report.edits == 7
    assert sum(d.good_edits for d in table.values()) == report.good_edits
    assert sum(d.fixed_words for d in table.values()) == report.fixed_words
    assert sum(d.damaged_words for d in table.values()) == report.damaged_words == 1
    assert table["lexicon"].edits == 3 and table["lexicon"].precision == 1.0  # "quilt of hearth" is two edits
    assert table["thesaurus"].edits == 3 and table["thesaurus"].good_edits == 1
    assert table["thesaurus"].damaged_words == 1
    # The artifact edit and the adjacent thesaurus edit are judged apart.
    assert table["artifact"].edits == 1 and table["artifact"].good_edits == 1


def test_must_fix_is_checked_in_place() -> None:
    gold = GoldRecord(
        "m",
        "Ukrainian troopers and Russian troopers met.",
        "Ukrainian soldiers and Russian soldiers met.",
        (("troopers", "soldiers"), ("troopers", "soldiers"), ("brigadiers", "generals")),
    )
    report = evaluate_outputs([gold], ["Ukrainian soldiers and Russian troopers met."])
    assert report.must_fix_total == 3
    assert report.must_fix_hit == 1
    assert report.must_fix_unlocated == 1


def test_tool_edits_with_context_words_are_scored_on_changed_words() -> None:
    gold = GoldRecord("c", "An irregular woodland beats it.", "A random forest beats it.")
    plan = {gold.spun: [edit_for(gold.spun, "An irregular woodland", "A random forest", "lexicon")]}
    report = evaluate([gold], fake_clean(plan))
    assert report.precision == 1.0 and report.recall == 1.0
    assert report.records[0].tool_edits[0].detector == "lexicon"


def test_worst_examples_rank_damage_first() -> None:
    outputs = [GOLD[0].original, GOLD[1].spun, "It was that a foreign army had sailed."]
    report = evaluate_outputs(GOLD, outputs)
    worst = report.worst(3)
    assert [r.id for r in worst] == ["g3", "g2"]
    assert worst[0].damaged_words == 1


def test_default_clean_fn_runs_the_pipeline() -> None:
    gold = GoldRecord(
        "lex",
        "We trained an irregular woodland on the data.",
        "We trained a random forest on the data.",
        (("an irregular woodland", "a random forest"),),
    )
    report = evaluate([gold])
    assert report.recall == 1.0 and report.precision == 1.0
    assert report.must_fix_hit == 1
    assert report.seconds > 0 and report.words_per_second
    assert set(report.per_detector()) == {"lexicon"}


def test_outputs_and_gold_must_have_the_same_length() -> None:
    with pytest.raises(ValueError, match="outputs"):
        evaluate_outputs(GOLD, ["x"])


def test_records_may_be_plain_dicts() -> None:
    report = evaluate_outputs([GOLD[2].to_dict()], [GOLD[2].original])
    assert report.recall == 1.0


# --------------------------------------------------------------------------- files and entry point


def write_gold(path: Path, records: list[GoldRecord]) -> Path:
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records), encoding="utf-8")
    return path


def test_read_gold_round_trips(tmp_path: Path) -> None:
    path = write_gold(tmp_path / "gold.jsonl", GOLD)
    assert read_gold(path) == GOLD


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"id": "a", "spun": "x"}', "missing field"),
        ('{"id": "a", "spun": "x", "original": "y", "must_fix": [["x"]]}', "must_fix"),
        ('["a", "b"]', "JSON object"),
    ],
)
def test_read_gold_names_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": 1, "spun": "a", "original": "a"}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=f"gold.jsonl:3: .*{message}"):
        read_gold(path)


def test_read_gold_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = write_gold(tmp_path / "gold.jsonl", [GOLD[0], GOLD[0]])
    with pytest.raises(GoldError, match="duplicate id"):
        read_gold(path)


def test_write_outputs_and_summary(tmp_path: Path) -> None:
    plan = {GOLD[0].spun: [edit_for(GOLD[0].spun, "navy", "military", "lexicon")]}
    report = evaluate(GOLD, fake_clean(plan))
    written = report.write(tmp_path / "out" / "outputs.jsonl")
    assert written == [tmp_path / "out" / "outputs.jsonl", tmp_path / "out" / "outputs.summary.csv"]
    rows = [json.loads(line) for line in written[0].read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["g1", "g2", "g3"]
    assert rows[0]["output"].startswith("The military said")
    assert rows[0]["edits"][0]["detector"] == "lexicon"
    assert rows[0]["scored_edits"][0]["good"] is True
    table = pd.read_csv(written[1])
    assert list(table["scope"]) == ["all", "detector:lexicon"]
    assert table.loc[0, "fixed_words"] == report.fixed_words == 1


def test_eval_main_prints_the_report_and_writes_files(tmp_path: Path) -> None:
    gold = GoldRecord("lex", "An irregular woodland won.", "A random forest won.")
    path = write_gold(tmp_path / "gold.jsonl", [gold])
    out, err = io.StringIO(), io.StringIO()
    code = eval_main(path, tmp_path / "res.jsonl", stdout=out, stderr=err)
    assert code == 0
    assert "precision 1.000  recall 1.000  F0.5 1.000" in out.getvalue()
    assert (tmp_path / "res.jsonl").is_file() and summary_path(tmp_path / "res.jsonl").is_file()
    assert "wrote" in err.getvalue()


def test_eval_main_bad_gold_is_exit_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert eval_main(tmp_path / "missing.jsonl", stdout=out, stderr=err) == 2
    assert "cannot read gold file" in err.getvalue()


# --------------------------------------------------------------------------- properties

WORDS = st.sampled_from(["the", "a", "navy", "military", "fire", "hearth", "cover", "quilt", ",", ".", "can't", "{"])
TEXTS = st.lists(WORDS, min_size=0, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(spun=TEXTS, original=TEXTS, output=TEXTS)
def test_counts_are_consistent(spun: str, original: str, output: str) -> None:
    gold = GoldRecord("h", spun, original)
    perfect = score_record(gold, original)
    assert perfect.fixed_words == perfect.spun_words and perfect.damaged_words == 0 and perfect.bad_edits == 0
    untouched = score_record(gold, spun)
    assert untouched.fixed_words == 0 and not untouched.edits and untouched.damaged_words == 0
    any_output = score_record(gold, output)
    assert 0 <= any_output.fixed_words <= any_output.spun_words
    assert any_output.missed_words == any_output.spun_words - any_output.fixed_words
    assert sum(e.fixed_words for e in any_output.edits) + any_output.unattributed_fixed == any_output.fixed_words
    assert sum(e.damaged_words for e in any_output.edits) + any_output.unattributed_damaged == (
        any_output.damaged_words
    )


# --------------------------------------------------------------------------- must_fix location


def test_must_fix_prefers_the_spun_occurrence() -> None:
    # "data" occurs unspun first; the spun "data" (for "information") comes later.
    gold = GoldRecord(
        "d",
        "The data show low data density.",
        "The data show low information density.",
        (("data", "information"),),
    )
    assert evaluate_outputs([gold], [gold.original]).must_fix_hit == 1
    assert evaluate_outputs([gold], [gold.spun]).must_fix_hit == 0


def test_must_fix_with_clitic_and_contained_phrase() -> None:
    gold = GoldRecord(
        "c",
        "The scholar's view cost more 10 dollars.",
        "The student's view cost more than 10 dollars.",
        (("scholar", "student"), ("more", "more than")),
    )
    perfect = evaluate_outputs([gold], [gold.original])
    assert perfect.must_fix_hit == 2 and perfect.must_fix_unlocated == 0
    assert evaluate_outputs([gold], [gold.spun]).must_fix_hit == 0


# --------------------------------------------------------------------------- with the real spinner


def test_spinning_then_scoring(fixtures: Path) -> None:
    from repair.spin import spin_records

    names = ("clean_wikinews.txt", "clean_arxiv.txt")
    texts = [(name, (fixtures / name).read_text(encoding="utf-8")) for name in names]
    gold = [GoldRecord.from_dict(r) for r in spin_records(texts, seed=7, rate=0.3)]
    assert sum(len(g.must_fix) for g in gold) >= 10
    perfect = evaluate_outputs(gold, [g.original for g in gold])
    assert perfect.f05 == 1.0 and perfect.recall == 1.0 and perfect.damaged_words == 0
    assert perfect.must_fix_hit == perfect.must_fix_total and perfect.must_fix_unlocated == 0
    untouched = evaluate_outputs(gold, [g.spun for g in gold])
    assert untouched.recall == 0.0 and untouched.edits == 0 and untouched.must_fix_hit == 0
    piped = evaluate(gold)
    assert piped.fixed_words + piped.missed_words == piped.spun_words == perfect.spun_words
    table = piped.per_detector()
    assert sum(d.edits for d in table.values()) == piped.edits


# --------------------------------------------------------------------------- reliability


def finding(text: str, spun: str, proposal: str, confidence: float, detector: str = "context") -> Edit:
    start = text.index(spun)
    return Edit(start, start + len(spun), 1, start + 1, spun, proposal, confidence, detector, "test", applied=False)


def test_a_finding_is_judged_alone_whether_or_not_it_was_applied() -> None:
    g1 = GOLD[0]
    assert finding_is_right(g1, finding(g1.spun, "navy", "military", 0.6))
    assert not finding_is_right(g1, finding(g1.spun, "navy", "army", 0.6))  # spun, but the wrong original
    assert not finding_is_right(g1, finding(g1.spun, "crossed", "forded", 0.6))  # a clean word
    assert not finding_is_right(g1, finding(g1.spun, "navy said", "military stated", 0.6))  # fixes one, damages one


def test_reliability_counts_each_bin_and_its_share_right() -> None:
    g1, g2, _ = GOLD
    found = [
        [
            finding(g1.spun, "navy", "military", 0.55),
            finding(g1.spun, "troopers", "soldiers", 0.93),
            finding(g1.spun, "river", "stream", 0.97),
            finding(g1.spun, "hearth", "fire", 1.0),  # the last bin includes its upper edge
            finding(g1.spun, "quilt", "cover", 0.95, detector="lexicon"),
        ],
        [finding(g2.spun, "cease", "stop", 0.4), finding(g2.spun, "commander", "leader", 0.9)],
        [],
    ]
    table = reliability([g1, g2, GOLD[2]], found, detector="context")
    edges = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.0)]
    assert [(b.low, b.high) for b in table] == edges
    assert [(b.findings, b.right) for b in table] == [(1, 1), (0, 0), (0, 0), (0, 0), (2, 1), (2, 1)]
    assert table[4].mean_confidence == pytest.approx(0.915) and table[4].observed == 0.5
    assert table[1].observed is None and table[1].to_dict()["mean_confidence"] is None
    # Without a detector every finding counts (the lexicon's too); under the first edge none does.
    assert sum(b.findings for b in reliability([g1, g2, GOLD[2]], found)) == 6
    with pytest.raises(ValueError, match="2 finding lists for 3 gold records"):
        reliability(GOLD, found[:2])


def test_eval_reports_the_context_detectors_calibration() -> None:
    """``repair eval`` checks the confidences on the user's own gold: held-back findings count too."""
    g1 = GOLD[0]
    applied = replace(finding(g1.spun, "navy", "military", 0.93), applied=True)
    held = finding(g1.spun, "river", "stream", 0.62)  # reported for review, wrong
    plan = {g1.spun: [applied, held]}
    report = evaluate(GOLD, fake_clean(plan))
    assert report.edits == 1 and report.good_edits == 1  # the held-back finding is no edit
    assert [(b.findings, b.right) for b in report.calibration if b.findings] == [(1, 0), (1, 1)]
    text = report.format_text()
    assert "context detector's confidences" in text
    assert "0.60-0.70           1       0    0.00" in text and "0.90-0.95           1       1    1.00" in text
    lexicon_only = evaluate(GOLD, fake_clean({g1.spun: [edit_for(g1.spun, "hearth", "fire", "lexicon")]}))
    assert "context detector's confidences" not in lexicon_only.format_text()
