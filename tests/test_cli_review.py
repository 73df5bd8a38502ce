"""``repair apply``, ``repair report`` and ``repair screen`` through typer's runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from review_helpers import PAPER, build_run
from samples import CLEAN, SPUN

from repair.cli import app


@pytest.fixture
def run(tmp_path):
    return build_run(tmp_path)


def export(run, tmp_path: Path, changes: dict[str, tuple[str, str | None]]) -> Path:
    """Decisions as the page exports them: every edit, some changed (spun -> (decision, choice))."""
    digest = __import__("hashlib").sha256(run.edits.read_bytes()).hexdigest()
    entries = []
    for line in run.edits.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        verdict, choice = changes.get(record["spun"], ("accept" if record["applied"] else "reject", None))
        entries.append(
            {
                "file": record["file"],
                "start": record["start"],
                "end": record["end"],
                "spun": record["spun"],
                "decision": verdict,
                "choice": choice or record["proposal"],
            }
        )
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps({"format": "repair-decisions", "edits_sha256": digest, "decisions": entries}))
    return path


def test_apply_dry_run_prints_the_diff_and_writes_nothing(runner, run):
    before = {p: p.read_bytes() for p in run.root.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["apply", str(run.edits)])
    assert result.exit_code == 0, result.stderr
    assert "-Le café uses counterfeit consciousness daily." in result.stdout
    assert "+Le café uses artificial intelligence daily." in result.stdout
    assert "would apply 5 edits (2 rejected) to 2 files; nothing written" in result.stderr
    assert {p: p.read_bytes() for p in run.root.rglob("*") if p.is_file()} == before


def test_apply_with_decisions_to_out_dir(runner, run, tmp_path):
    decisions = export(
        run,
        tmp_path,
        {"counterfeit consciousness": ("reject", None), "huge information": ("accept", "vast data")},
    )
    out = tmp_path / "cleaned"
    result = runner.invoke(app, ["apply", str(run.edits), "--decisions", str(decisions), "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "applied 4 edits (3 rejected) to 1 file; 3 files written under" in result.stderr
    expected = (
        PAPER.replace("an irregular woodland", "a random forest")
        .replace("flag to commotion", "signal to noise")
        .replace("huge information", "vast data")
        .replace("profound learning", "deep learning")
    )
    assert (out / "paper.txt").read_bytes() == expected.encode("utf-8")
    # Rejected everywhere in the legacy file: copied byte for byte.
    assert (out / "legacy" / "cp1252.txt").read_bytes() == (run.root / "legacy" / "cp1252.txt").read_bytes()
    assert (out / "clean.txt").is_file()


def test_apply_in_place(runner, run):
    result = runner.invoke(app, ["apply", str(run.edits), "--in-place", "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    assert (run.root / "legacy" / "cp1252.txt").read_bytes() == b"Le caf\xe9 uses artificial intelligence daily.\n"


def test_apply_refuses_a_changed_file_with_exit_2(runner, run, tmp_path):
    (run.root / "paper.txt").write_bytes(PAPER.encode("utf-8") + b"\r\n")
    result = runner.invoke(app, ["apply", str(run.edits), "--out-dir", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "paper.txt: the file changed since the run" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_apply_refuses_bad_decisions_with_exit_2(runner, run, tmp_path):
    decisions = export(run, tmp_path, {"flag to commotion": ("accept", "invented wording")})
    result = runner.invoke(app, ["apply", str(run.edits), "--decisions", str(decisions), "--in-place"])
    assert result.exit_code == 2
    assert "'invented wording' is neither the proposal nor one of its alternatives" in result.stderr
    assert (run.root / "paper.txt").read_bytes() == PAPER.encode("utf-8")


def test_apply_usage_errors(runner, run, tmp_path):
    both = runner.invoke(app, ["apply", str(run.edits), "--in-place", "--out-dir", str(tmp_path)])
    assert both.exit_code == 2 and "cannot be used together" in both.stderr
    backup = runner.invoke(app, ["apply", str(run.edits), "--backup", ".bak"])
    assert backup.exit_code == 2 and "--backup only makes sense" in backup.stderr
    missing = runner.invoke(app, ["apply", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_apply_with_base_for_a_moved_tree(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    Path("docs/a.txt").write_text(SPUN)
    assert runner.invoke(app, ["check", "docs", "--report", "rep"]).exit_code == 1
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    monkeypatch.chdir(moved)
    lost = runner.invoke(app, ["apply", str(tmp_path / "rep" / "edits.jsonl"), "--out-dir", "out"])
    assert lost.exit_code == 2 and "cannot read the original" in lost.stderr
    found = runner.invoke(
        app, ["apply", str(tmp_path / "rep" / "edits.jsonl"), "--base", str(tmp_path), "--out-dir", "out"]
    )
    assert found.exit_code == 0, found.stderr
    assert (moved / "out" / "a.txt").read_text() == "We used artificial intelligence and a random forest.\n"


def test_apply_refuses_a_stdin_run(runner, tmp_path):
    report = tmp_path / "rep"
    result = runner.invoke(app, ["clean", "-", "--report", str(report)], input=SPUN)
    assert result.exit_code == 0
    applied = runner.invoke(app, ["apply", str(report / "edits.jsonl"), "--out-dir", str(tmp_path / "o")])
    assert applied.exit_code == 2 and "read standard input" in applied.stderr


def test_report_rerenders_a_saved_run(runner, run, tmp_path):
    out = tmp_path / "again"
    result = runner.invoke(app, ["report", str(run.edits), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "report.html").is_file() and f"open {out / 'report.html'}" in result.stderr
    assert (out / "edits.jsonl").read_bytes() == run.edits.read_bytes()
    (run.root / "paper.txt").write_text("changed")
    refused = runner.invoke(app, ["report", str(run.edits), "--out", str(out)])
    assert refused.exit_code == 2 and "changed since the run" in refused.stderr


def test_clean_report_then_apply_round_trip(runner, tmp_path):
    """The acceptance path without a browser: clean --report, then apply the run's own choices."""
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text(SPUN)
    (docs / "sub" / "b.md").write_bytes(CLEAN.replace("\n", "\r\n").encode())
    report = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(docs), "--report", str(report)]).exit_code == 0
    assert runner.invoke(app, ["apply", str(report / "edits.jsonl"), "--out-dir", str(tmp_path / "c")]).exit_code == 0
    direct = tmp_path / "direct"
    assert runner.invoke(app, ["clean", str(docs), "--out-dir", str(direct)]).exit_code == 0
    for name in ("a.txt", "sub/b.md"):
        assert (tmp_path / "c" / name).read_bytes() == (direct / name).read_bytes(), name


# --------------------------------------------------------------------------- screen


@pytest.fixture
def collection(tmp_path) -> Path:
    root = tmp_path / "papers"
    root.mkdir()
    (root / "dense.txt").write_text("Counterfeit consciousness beats an irregular woodland.\n")
    (root / "sparse.txt").write_text(CLEAN * 20 + "We used counterfeit consciousness.\n")
    (root / "clean.txt").write_text(CLEAN)
    (root / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    return root


def test_screen_ranks_and_writes_csv(runner, collection, tmp_path):
    out = tmp_path / "rank" / "screen.csv"
    result = runner.invoke(app, ["screen", str(collection), "--csv", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["file"] for r in rows] == ["dense.txt", "sparse.txt", "clean.txt", "binary.txt"]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    dense = rows[0]
    assert dense["findings"] == "2" and float(dense["score"]) == pytest.approx(1000 * 1.9 / int(dense["words"]), 1e-3)
    assert rows[3]["status"] == "skipped"
    assert "Spin evidence" in result.stdout and "dense.txt" in result.stdout
    assert result.stdout.index("dense.txt") < result.stdout.index("sparse.txt")


def test_screen_top_limits_the_table_not_the_csv(runner, collection, tmp_path):
    out = tmp_path / "screen.csv"
    result = runner.invoke(app, ["screen", str(collection), "--top", "1", "--csv", str(out)])
    assert "(1 of 4)" in result.stdout and "sparse.txt" not in result.stdout
    assert len(list(csv.DictReader(out.open()))) == 4


def test_screen_missing_file_exits_2(runner, collection, tmp_path):
    result = runner.invoke(app, ["screen", str(collection / "dense.txt"), str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr
