"""Batch runs: order and identity across workers, resume, Ctrl-C, progress, engine failures."""

from __future__ import annotations

import io
import json
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from samples import CLEAN, SPUN

import repair.batch as batch
from repair.batch import BatchOptions, run_batch
from repair.cli import app
from repair.config import Config
from repair.progress import Progress
from repair.report import FileResult
from repair.runner import FileJob, Mode, RunOptions, process_file


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for i in range(12):
        folder = root / f"part{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        text = (SPUN if i % 2 else CLEAN) * (i + 1)
        (folder / f"doc{i:02d}.txt").write_text(text, encoding="utf-8")
    (root / "part0" / "blob.txt").write_bytes(b"\x00\x01\x02" * 50)
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if not k.endswith("manifest.jsonl")}


# --------------------------------------------------------------------------- identical for any --jobs


def test_jobs_1_and_2_give_identical_outputs_diffs_and_reports(runner, corpus, tmp_path):
    runs = {}
    for jobs in ("1", "2"):
        out, report = tmp_path / f"out{jobs}", tmp_path / f"report{jobs}"
        written = runner.invoke(
            app, ["clean", str(corpus), "--out-dir", str(out), "--jobs", jobs, "--report", str(report)]
        )
        check = runner.invoke(app, ["check", str(corpus), "--jobs", jobs, "--format", "json"])
        assert written.exit_code == 0 and check.exit_code == 1
        runs[jobs] = (without_manifest(tree_bytes(out)), without_manifest(tree_bytes(report)), check.stdout)
    assert runs["1"] == runs["2"]
    outputs, report_files, findings = runs["1"]
    # 12 text files written (the binary one is skipped), 6 of them changed, one finding a line.
    assert len(outputs) == 12 and sum(1 for name in report_files if name.startswith("diffs/")) == 6
    assert len(findings.splitlines()) == 2 * sum(range(2, 13, 2))


def test_dry_run_diffs_print_in_input_order_with_any_jobs(runner, corpus):
    outputs = {jobs: runner.invoke(app, ["clean", str(corpus), "--jobs", jobs]).stdout for jobs in ("1", "2")}
    assert outputs["1"] == outputs["2"]
    headers = [line for line in outputs["1"].splitlines() if line.startswith("--- ")]
    assert headers == sorted(headers) and len(headers) == 6


class ReversingEngine:
    """Finishes the files it holds in reverse order: results must still come back in input order."""

    workers = 3

    def __init__(self, config, options, fail=None):
        self.config, self.options, self.fail = config, options, fail or {}
        self.handles: list[tuple[int, FileJob]] = []

    def submit(self, job, prior):
        handle = (len(self.handles), job)
        self.handles.append(handle)
        return handle

    def wait(self, handles, timeout=None):
        return {max(handles)}

    def result(self, handle):
        job = handle[1]
        if job.rel in self.fail:
            raise self.fail[job.rel]
        return process_file(job, self.config, self.options)

    def cancel(self, handles):
        pass

    def close(self, abort=False):
        self.closed = abort


def test_results_come_back_in_input_order_whatever_finishes_first(corpus, monkeypatch):
    monkeypatch.setattr(
        batch, "make_engine", lambda name, config, options, workers, scheduler: ReversingEngine(config, options)
    )
    seen: list[str] = []
    options = BatchOptions(run=RunOptions(mode=Mode.CHECK), window=5)
    report = run_batch([str(corpus)], Config(), options, on_result=lambda r: seen.append(r.rel))
    expected = [job.rel for job in batch.expand_paths([str(corpus)], Config())]
    assert seen == expected == [r.rel for r in report.results]


def test_an_internal_error_is_that_files_result_and_exit_123(corpus, monkeypatch, runner):
    failing = {"part1/doc01.txt": RuntimeError("kaboom")}
    monkeypatch.setattr(
        batch,
        "make_engine",
        lambda name, config, options, workers, scheduler: ReversingEngine(config, options, failing),
    )
    result = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(corpus.parent / "out")])
    assert result.exit_code == 123
    assert "doc01.txt: internal error: RuntimeError: kaboom" in result.stderr
    assert len(without_manifest(tree_bytes(corpus.parent / "out"))) == 11  # every other text file was written


def test_a_dead_worker_fails_its_files_and_the_run_goes_on(corpus, monkeypatch):
    engines: list[ReversingEngine] = []

    def make(name, config, options, workers, scheduler):
        fail = {"part0/doc06.txt": BrokenProcessPool("worker died")} if not engines else {}
        engines.append(ReversingEngine(config, options, fail))
        return engines[-1]

    monkeypatch.setattr(batch, "make_engine", make)
    report = run_batch([str(corpus)], Config(), BatchOptions(run=RunOptions(mode=Mode.CHECK), window=4))
    statuses = {r.rel: r.status for r in report.results}
    assert statuses["part0/doc06.txt"] == "error" and len(engines) == 2
    assert list(statuses) == [job.rel for job in batch.expand_paths([str(corpus)], Config())]
    assert sum(1 for s in statuses.values() if s == "error") <= 4  # only the files the dead pool held


# --------------------------------------------------------------------------- resume


def test_resume_skips_done_files_and_the_report_is_unchanged(runner, corpus, tmp_path):
    out, report = tmp_path / "out", tmp_path / "report"
    first = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out), "--report", str(report)])
    assert first.exit_code == 0
    edits = (report / "edits.jsonl").read_bytes()
    outputs = tree_bytes(out)
    again = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out), "--report", str(report), "--resume"])
    assert again.exit_code == 0
    assert "12 done in an earlier run" in again.stderr  # the binary file is looked at again
    assert (report / "edits.jsonl").read_bytes() == edits and tree_bytes(out) == outputs

    # An edited input is done again; the others are not.
    (corpus / "part1" / "doc04.txt").write_text(SPUN)
    third = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out), "--report", str(report), "--resume"])
    assert "11 done in an earlier run" in third.stderr
    assert (out / "part1" / "doc04.txt").read_text() == "We used artificial intelligence and a random forest.\n"

    # Other settings: the manifest does not apply.
    fourth = runner.invoke(
        app,
        ["clean", str(corpus), "--out-dir", str(out), "--report", str(report), "--resume", "--min-confidence", "0.99"],
    )
    assert "settings changed" in fourth.stderr and "earlier run" not in fourth.stderr


def test_resume_in_place_recognises_files_it_already_rewrote(runner, corpus, tmp_path):
    report = tmp_path / "report"
    assert runner.invoke(app, ["clean", str(corpus), "--in-place", "--report", str(report)]).exit_code == 0
    cleaned = tree_bytes(corpus)
    again = runner.invoke(app, ["clean", str(corpus), "--in-place", "--report", str(report), "--resume"])
    assert "13 done in an earlier run" in again.stderr and "changed 6 files" in again.stderr
    assert tree_bytes(corpus) == cleaned


def test_a_torn_manifest_line_is_ignored(runner, corpus, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out)]).exit_code == 0
    manifest = out / ".repair-manifest.jsonl"
    lines = manifest.read_bytes().splitlines(keepends=True)
    manifest.write_bytes(b"".join(lines[:5]) + lines[5][:40])  # a crash in the middle of line 6
    again = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out), "--resume"])
    # Four whole records survive; one is the binary file, which is always looked at again.
    assert again.exit_code == 0 and "3 done in an earlier run" in again.stderr
    records = [json.loads(line) for line in manifest.read_bytes().splitlines()]
    assert records[0]["type"] == "run" and len(records) == 5 + 13 - 3


def test_resume_needs_a_place_for_the_manifest(runner, corpus):
    result = runner.invoke(app, ["clean", str(corpus), "--resume"])
    assert result.exit_code == 2 and "--resume needs --report" in result.stderr


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_cleanly_with_a_summary_and_resume_finishes(runner, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = batch.make_engine
    calls = {"n": 0}

    class InterruptingEngine(ReversingEngine):
        workers = 1

        def submit(self, job, prior):
            calls["n"] += 1
            if calls["n"] == 5:
                raise KeyboardInterrupt
            self.handles.append(process_file(job, self.config, self.options, prior=prior))
            return len(self.handles) - 1

        def wait(self, handles, timeout=None):
            return set(handles)

        def result(self, handle):
            return self.handles[handle]

    monkeypatch.setattr(batch, "make_engine", lambda name, config, options, w, s: InterruptingEngine(config, options))
    result = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out)])
    assert result.exit_code == 130, result.stderr
    assert "interrupted after 4 files" in result.stderr
    assert len(without_manifest(tree_bytes(out))) == 3  # and the binary file, skipped

    monkeypatch.setattr(batch, "make_engine", real)
    resumed = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(out), "--resume"])
    assert resumed.exit_code == 0 and "3 done in an earlier run" in resumed.stderr
    full = tmp_path / "full"
    assert runner.invoke(app, ["clean", str(corpus), "--out-dir", str(full)]).exit_code == 0
    assert without_manifest(tree_bytes(out)) == without_manifest(tree_bytes(full))


# --------------------------------------------------------------------------- progress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_files_words_and_edits_on_a_terminal(corpus):
    stream = FakeTTY()
    with Progress(True, stream) as progress:
        run_batch([str(corpus)], Config(), BatchOptions(run=RunOptions(mode=Mode.CHECK)), progress=progress)
        progress.print("a message")
    text = stream.getvalue()
    assert "13/13" in text and "words/s" in text and "84 edits" in text and "a message" in text


def test_progress_is_off_when_quiet_or_not_a_terminal():
    assert Progress.wanted(quiet=False, stream=FakeTTY())
    assert not Progress.wanted(quiet=True, stream=FakeTTY())
    assert not Progress.wanted(quiet=False, stream=io.StringIO())


def test_quiet_run_prints_nothing_on_stderr(runner, corpus, tmp_path):
    result = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""


def test_results_are_spooled_not_held(tmp_path):
    from repair.runner import ResultStore

    store = ResultStore(max_memory=1000)
    for i in range(200):
        store.append(FileResult(f"p{i}", f"r{i}", "unchanged", diff="x" * 100))
    assert store._file._rolled  # spilled to disk past max_memory
    assert [r.rel for r in store][:3] == ["r0", "r1", "r2"] and store[150].rel == "r150" and len(store) == 200
    assert [r.rel for r in store[198:]] == ["r198", "r199"]


def test_first_ctrl_c_lets_the_file_in_hand_finish(corpus, tmp_path, monkeypatch):
    import os
    import signal

    from repair.engines import InlineEngine

    class SignallingEngine(InlineEngine):
        calls = 0

        def submit(self, job, prior):
            SignallingEngine.calls += 1
            if SignallingEngine.calls == 3:
                os.kill(os.getpid(), signal.SIGINT)  # arrives while this file is being cleaned
            return super().submit(job, prior)

    monkeypatch.setattr(batch, "make_engine", lambda name, config, options, w, s: SignallingEngine(config, options))
    out = tmp_path / "out"
    options = BatchOptions(run=RunOptions(mode=Mode.OUT_DIR, out_dir=out))
    stream = io.StringIO()
    # Whatever handler the run found is put back (a background CI job may start with SIGINT ignored).
    before = signal.getsignal(signal.SIGINT)
    report = run_batch([str(corpus)], Config(), options, progress=Progress(False, stream))
    assert report.interrupted and report.files == 3
    assert "interrupted: finishing the files in progress" in stream.getvalue()
    assert len(without_manifest(tree_bytes(out))) == 2  # the binary file and two text files
    assert signal.getsignal(signal.SIGINT) is before


def test_progress_never_reroutes_data_on_stdout(corpus, capsys, monkeypatch):
    from repair.batch import execute

    code = execute([str(corpus)], Config(), BatchOptions(run=RunOptions(mode=Mode.DRY_RUN), progress=True))
    captured = capsys.readouterr()
    assert code == 0 and captured.out.count("--- ") == 6 and "--- " not in captured.err


def test_no_progress_bar_while_data_goes_to_the_same_terminal(monkeypatch):
    from repair.batch import _show_progress

    monkeypatch.setattr("sys.stderr", FakeTTY())
    monkeypatch.setattr("sys.stdout", FakeTTY())
    assert not _show_progress(BatchOptions(run=RunOptions(mode=Mode.DRY_RUN)))
    assert _show_progress(BatchOptions(run=RunOptions(mode=Mode.OUT_DIR)))
    monkeypatch.setattr("sys.stdout", io.StringIO())  # diff piped to a file: the bar may show
    assert _show_progress(BatchOptions(run=RunOptions(mode=Mode.DRY_RUN)))


def test_unwritable_report_folder_is_a_clean_error(runner, corpus, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["check", str(corpus), "--report", str(blocker / "report")])
    assert result.exit_code == 2 and "cannot write the manifest" in result.stderr and "internal" not in result.stderr


def test_stdin_cannot_go_to_dask(runner):
    result = runner.invoke(app, ["check", "-", "--engine", "dask"], input="text")
    assert result.exit_code == 2 and "standard input cannot be sent to Dask" in result.stderr
