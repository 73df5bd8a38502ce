"""The command-line contract: modes, outputs, exit codes. Through typer's runner and a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from samples import CLEAN, SPUN

from repair.cli import app


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "spun.txt").write_text(SPUN, encoding="utf-8")
    (root / "sub" / "clean.md").write_bytes(CLEAN.replace("\n", "\r\n").encode())
    (root / "sub" / "ignored.csv").write_text(SPUN)
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return root


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("repair ")


def test_check_finds_tortured_phrases_and_exits_1(runner, tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(SPUN)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{path}:1:9: counterfeit consciousness → artificial intelligence (0.95)",
        f"{path}:1:39: an irregular woodland → a random forest (0.95)",
    ]


def test_check_prints_a_wrapped_phrase_on_one_line_and_json_keeps_the_break(runner, tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_bytes(b"We trained an irregular\r\nwoodland today.\r\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:1:12: an irregular woodland → a random forest (0.95)"]
    records = [
        json.loads(line) for line in runner.invoke(app, ["check", "--format", "json", str(path)]).stdout.splitlines()
    ]
    assert [(r["spun"], r["proposal"]) for r in records] == [("an irregular\r\nwoodland", "a random\r\nforest")]


def test_check_leaves_markdown_code_alone_unless_told_the_file_is_plain(runner, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("Use `irregular woodland` here.\n")
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0
    plain = runner.invoke(app, ["check", "--markup", "plain", str(path)])
    assert plain.exit_code == 1
    assert plain.stdout.splitlines() == [f"{path}:1:6: irregular woodland → random forest (0.95)"]
    bad = runner.invoke(app, ["check", "--markup", "html", str(path)])
    assert bad.exit_code == 2 and "markup must be" in bad.stderr


def test_check_clean_file_exits_0(runner, tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text(CLEAN)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and result.stdout == ""


def test_check_json_format(runner, tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(SPUN)
    result = runner.invoke(app, ["check", "--format", "json", str(path)])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["type"] for r in records} == {"finding"}
    assert records[0]["proposal"] == "artificial intelligence"
    assert set(records[0]) >= {
        "file",
        "start",
        "end",
        "line",
        "col",
        "spun",
        "confidence",
        "detector",
        "reason",
        "alternatives",
        "applied",
    }


def test_missing_file_is_exit_2_and_others_still_processed(runner, tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(SPUN)
    result = runner.invoke(app, ["check", str(tmp_path / "nope.txt"), str(path)])
    assert result.exit_code == 2
    assert "nope.txt: no such file or directory" in result.stderr
    assert "artificial intelligence" in result.stdout


def test_dry_run_prints_diff_and_writes_nothing(runner, tree):
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["clean", str(tree)])
    assert result.exit_code == 0
    assert f"--- {tree / 'spun.txt'}\toriginal" in result.stdout
    assert "+We used artificial intelligence and a random forest." in result.stdout
    assert "image.txt: binary file, skipped" in result.stderr
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before


def test_out_dir_mirrors_tree_and_copies_unchanged_files(runner, tree, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["clean", str(tree), "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "spun.txt").read_text() == "We used artificial intelligence and a random forest.\n"
    assert (out / "sub" / "clean.md").read_bytes() == (tree / "sub" / "clean.md").read_bytes()
    assert not (out / "sub" / "ignored.csv").exists()
    assert (tree / "spun.txt").read_text() == SPUN


def test_out_dir_inside_input_is_not_read_back(runner, tree):
    out = tree / "cleaned"
    for _ in range(2):
        result = runner.invoke(app, ["clean", str(tree), "--out-dir", str(out)])
        assert result.exit_code == 0
    assert not (out / "cleaned").exists()


def test_in_place_with_backup(runner, tree):
    path = tree / "spun.txt"
    result = runner.invoke(app, ["clean", str(path), "--in-place", "--backup", ".orig"])
    assert result.exit_code == 0
    assert path.read_text() == "We used artificial intelligence and a random forest.\n"
    assert (tree / "spun.txt.orig").read_text() == SPUN


def test_conflicting_modes_are_usage_errors(runner, tree, tmp_path):
    result = runner.invoke(app, ["clean", str(tree), "--in-place", "--out-dir", str(tmp_path / "o")])
    assert result.exit_code == 2 and "cannot be used together" in result.stderr
    assert runner.invoke(app, ["clean", "--no-such-flag", str(tree)]).exit_code == 2
    assert runner.invoke(app, ["check", "--format", "xml", str(tree)]).exit_code == 2


def test_report_dir_has_every_format(runner, tree, tmp_path):
    report = tmp_path / "report"
    result = runner.invoke(app, ["clean", str(tree), "--out-dir", str(tmp_path / "o"), "--report", str(report)])
    assert result.exit_code == 0
    for name in ("edits.jsonl", "edits.csv", "summary.csv", "report.html", "diffs/spun.txt.diff"):
        assert (report / name).is_file(), name
    record = json.loads((report / "edits.jsonl").read_text().splitlines()[0])
    assert record["file"] == "spun.txt" and record["applied"] is True and len(record["file_sha256"]) == 64


def test_lexicon_option_and_ignore_list(runner, tmp_path):
    lexicon = tmp_path / "mine.tsv"
    lexicon.write_text("spun\toriginal\nsea captains\tship captains\n")
    path = tmp_path / "news.txt"
    path.write_text("Sea captains said so. An irregular woodland.\n")
    result = runner.invoke(app, ["check", "--lexicon", str(lexicon), "-L", "irregular woodland", str(path)])
    assert result.stdout.splitlines() == [f"{path}:1:1: Sea captains → Ship captains (0.90)"]


def test_broken_lexicon_is_a_clean_error(runner, tmp_path):
    lexicon = tmp_path / "bad.tsv"
    lexicon.write_text("spun\toriginal\tcolour\n")
    result = runner.invoke(app, ["check", "--lexicon", str(lexicon), str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.tsv:1: unknown column" in result.stderr and "Traceback" not in result.stderr


def test_internal_error_exits_123_without_traceback(runner, tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(SPUN)

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("repair.runner.Pipeline.run", boom)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 123
    assert "internal error: RuntimeError: kaboom" in result.stderr and "Traceback" not in result.stderr
    verbose = runner.invoke(app, ["check", "--verbose", str(path)])
    assert "Traceback" in verbose.stderr


def run_cli(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "repair", *args], input=stdin, capture_output=True, cwd=cwd, check=False
    )


def test_subprocess_stdin_to_stdout_keeps_bytes():
    data = "Line one,\r\nwith counterfeit consciousness,\r\nno final newline".encode("utf-16")
    proc = run_cli("clean", "-", stdin=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Line one,\r\nwith artificial intelligence,\r\nno final newline".encode("utf-16")


def test_subprocess_clean_input_is_byte_identical(fixtures):
    data = (fixtures / "clean_wikinews.txt").read_bytes()
    proc = run_cli("clean", "-", "--quiet", stdin=data)
    assert proc.returncode == 0 and proc.stdout == data and proc.stderr == b""


def test_subprocess_check_exit_codes(tmp_path):
    spun = tmp_path / "s.txt"
    spun.write_text(SPUN)
    assert run_cli("check", str(spun)).returncode == 1
    assert run_cli("check", str(tmp_path / "missing")).returncode == 2


def test_spin_command_writes_deterministic_gold(runner, tmp_path):
    source = tmp_path / "news.txt"
    source.write_text(
        "The committee approved the new budget after a long debate.\nOfficials said the plan would help.\n"
    )
    out1, out2 = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for out in (out1, out2):
        result = runner.invoke(app, ["spin", str(source), "--seed", "7", "--rate", "0.5", "--out", str(out)])
        assert result.exit_code == 0, result.stderr
    assert out1.read_bytes() == out2.read_bytes()
    records = [json.loads(line) for line in out1.read_text().splitlines()]
    assert len(records) == 2
    assert all(set(r) == {"id", "spun", "original", "must_fix"} for r in records)
    assert any(r["must_fix"] for r in records)
    assert runner.invoke(app, ["spin", str(source)]).exit_code == 2  # --seed is required
    # --draw picks synonyms another way: the same seed spins differently; an unknown draw is an error.
    common = runner.invoke(app, ["spin", str(source), "--seed", "7", "--rate", "0.5", "--draw", "common"])
    assert common.exit_code == 0, common.stderr
    assert common.stdout.encode() != out1.read_bytes()
    wrong = runner.invoke(app, ["spin", str(source), "--seed", "7", "--draw", "alphabetical"])
    assert wrong.exit_code == 2 and "--draw must be one of" in wrong.stderr


def test_eval_command_scores_gold(runner, tmp_path):
    gold = tmp_path / "gold.jsonl"
    records = [
        {"id": "a", "spun": "We used counterfeit consciousness.", "original": "We used artificial intelligence."},
        {"id": "b", "spun": "The committee met today.", "original": "The committee met today."},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["eval", str(gold), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "F0.5" in result.stdout + result.stderr
    outputs = [json.loads(line) for line in out.read_text().splitlines()]
    assert outputs[0]["output"] == "We used artificial intelligence."
    assert runner.invoke(app, ["eval", str(tmp_path / "missing.jsonl")]).exit_code == 2
