"""Report tables (CSV and Parquet), the run manifest, and re-rendering a saved run."""

from __future__ import annotations

import builtins
import json

import pandas as pd
import pytest
from review_helpers import build_run

from repair.report import rerender, write_report
from repair.saved import FileChangedError, SavedRunError, load_run


@pytest.fixture
def run(tmp_path):
    return build_run(tmp_path)


def test_summary_csv_per_file(run):
    summary = pd.read_csv(run.report / "summary.csv")
    assert list(summary["file"]) == ["paper.txt", "legacy/cp1252.txt", "clean.txt"]
    paper = summary.set_index("file").loc["paper.txt"]
    assert paper["edits"] == 4 and paper["findings"] == 6
    assert paper["edits_per_1000_words"] == pytest.approx(1000 * 4 / paper["words"], abs=1e-3)
    assert paper["mean_confidence"] == pytest.approx((0.95 + 0.93 + 0.84 + 0.9) / 4, abs=1e-4)
    assert pd.isna(summary.set_index("file").loc["clean.txt", "mean_confidence"])


def test_edits_csv_has_every_edit(run):
    edits = pd.read_csv(run.report / "edits.csv", keep_default_na=False)
    assert len(edits) == 7
    row = edits[edits["spun"] == "flag to commotion"].iloc[0]
    assert json.loads(row["alternatives"]) == [["signal-to-noise", 0.62], ["sign to noise", 0.3]]
    assert row["detector"] == "thesaurus" and len(row["file_sha256"]) == 64


def test_parquet_matches_csv(run):
    import pyarrow  # noqa: F401  (in the dev extra: the Parquet path must be tested, never skipped)

    for name in ("edits", "summary"):
        parquet = pd.read_parquet(run.report / f"{name}.parquet")
        csv = pd.read_csv(run.report / f"{name}.csv")
        assert list(parquet.columns) == list(csv.columns)
        assert len(parquet) == len(csv)
    assert pd.read_parquet(run.report / "edits.parquet")["spun"].tolist() == [
        e.spun for r in run.results for e in r.edits
    ]


def test_no_parquet_without_pyarrow(run, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("no pyarrow here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    written = write_report(tmp_path / "plain", run.results, {})
    assert not any(p.suffix == ".parquet" for p in written)
    assert (tmp_path / "plain" / "summary.csv").is_file()


def test_manifest_lists_every_file(run):
    saved = load_run(run.edits)
    assert [f.file for f in saved.files] == ["paper.txt", "legacy/cp1252.txt", "clean.txt"]
    assert saved.files[2].status == "unchanged" and saved.files[2].edits == []
    assert saved.generator == "repair test"


def test_rerender_gives_the_same_report(run, tmp_path):
    out = tmp_path / "again"
    rerender(run.edits, out, generator="repair test")
    for name in ("edits.jsonl", "report.html", "summary.csv", "edits.csv", "run.json"):
        assert (out / name).read_bytes() == (run.report / name).read_bytes(), name


def test_rerender_refuses_a_changed_original(run, tmp_path):
    (run.root / "paper.txt").write_text("something else entirely")
    with pytest.raises(FileChangedError, match="changed since the run"):
        rerender(run.edits, tmp_path / "again")


def test_broken_edits_file(tmp_path):
    path = tmp_path / "edits.jsonl"
    path.write_text('{"file": "a.txt", "start": 1}\nnot json\n')
    with pytest.raises(SavedRunError, match=r"edits\.jsonl:1: not an edit record"):
        load_run(path)
    with pytest.raises(SavedRunError, match="cannot read"):
        load_run(tmp_path / "missing.jsonl")
