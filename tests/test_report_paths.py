"""Report and output paths can never escape their folder, whatever a file's relative path says."""

from __future__ import annotations

from pathlib import Path

import pytest

from repair.report import FileResult, safe_join, write_report
from repair.runner import FileJob, Mode, RunOptions, process_file


@pytest.mark.parametrize("rel", ["../../etc/passwd", "/abs/path.txt", "a/../../b.txt", "..", "", "C:\\x\\..\\y.txt"])
def test_safe_join_stays_inside(tmp_path: Path, rel: str):
    root = tmp_path / "root"
    target = safe_join(root, rel).resolve()
    assert target == root.resolve() or root.resolve() in target.parents


def test_report_diffs_with_hostile_relative_paths_stay_in_the_report(tmp_path: Path):
    report = tmp_path / "report"
    result = FileResult("x", "../../escape.txt", "changed", diff="--- a\n+++ b\n")
    written = write_report(report, [result], {})
    assert all(report.resolve() in p.resolve().parents for p in written)
    assert not (tmp_path / "escape.txt.diff").exists()


def test_out_dir_outputs_with_hostile_relative_paths_stay_in_the_out_dir(tmp_path: Path):
    from repair.config import Config

    src = tmp_path / "in.txt"
    src.write_text("We used counterfeit consciousness.\n")
    out = tmp_path / "deep" / "out"
    result = process_file(FileJob(str(src), "../../../evil.txt"), Config(), RunOptions(Mode.OUT_DIR, out_dir=out))
    assert result.status == "changed"
    assert (out / "evil.txt").is_file() and not (tmp_path / "evil.txt").exists()
