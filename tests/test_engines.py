"""Engines: the process pool and Dask give byte-identical results; models load once per worker; fsspec URLs."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from samples import CLEAN, SPUN

from repair.cli import app
from repair.config import Config
from repair.engines import InlineEngine, PoolEngine, make_engine, workers_for
from repair.runner import FileJob, Mode, RunOptions


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for i in range(8):
        folder = root / ("a" if i < 4 else "b c")
        folder.mkdir(parents=True, exist_ok=True)
        text = (SPUN if i % 2 else CLEAN) + f"Paragraph {i}.\r\n"
        data = text.encode("utf-16") if i == 5 else text.encode("utf-8")
        (folder / f"doc{i}.txt").write_bytes(data)
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith("manifest.jsonl")
    }


def test_dask_local_cluster_output_is_byte_identical_to_the_local_engine(runner, corpus, tmp_path):
    local = runner.invoke(
        app, ["clean", str(corpus), "--out-dir", str(tmp_path / "local"), "--report", str(tmp_path / "rl")]
    )
    dask = runner.invoke(
        app,
        [
            *("clean", str(corpus), "--out-dir", str(tmp_path / "dask")),
            *("--engine", "dask", "--jobs", "2", "--report", str(tmp_path / "rd")),
        ],
    )
    assert local.exit_code == 0 and dask.exit_code == 0, dask.stderr
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert len(tree(tmp_path / "local")) == 8
    assert (tmp_path / "rd" / "edits.jsonl").read_bytes() == (tmp_path / "rl" / "edits.jsonl").read_bytes()
    assert local.stderr.splitlines()[-1].split("; report")[0] == dask.stderr.splitlines()[-1].split("; report")[0]


def test_dask_existing_scheduler_and_models_loaded_once_per_worker(runner, corpus, tmp_path):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = runner.invoke(
            app,
            ["check", str(corpus), "--engine", "dask", "--scheduler", cluster.scheduler_address, "--format", "json"],
        )
        local = runner.invoke(app, ["check", str(corpus), "--format", "json"])
        assert result.exit_code == 1 and result.stdout == local.stdout
        with Client(cluster) as client:
            loaded = client.run(_lexicons_loaded)
    # The plugin warmed each worker once; every worker holds one compiled lexicon.
    assert len(loaded) == 2 and all(count == 1 for count in loaded.values())


def _lexicons_loaded() -> int:
    from repair.resources import _CACHE

    return sum(1 for r in _CACHE.values() if "lexicon" in r.__dict__)


def test_unreachable_scheduler_is_a_clean_error(runner, corpus):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = runner.invoke(app, ["check", str(corpus), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.stderr


def test_engine_and_scheduler_options_are_validated(runner, corpus):
    assert "--engine must be one of" in runner.invoke(app, ["check", str(corpus), "--engine", "spark"]).stderr
    result = runner.invoke(app, ["check", str(corpus), "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2 and "only makes sense with --engine dask" in result.stderr


def test_pool_workers_load_the_models_in_their_initializer():
    from repair.engines import _init_worker
    from repair.resources import Resources

    config = Config(min_confidence=0.85)
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        _init_worker(config, RunOptions())
        assert "lexicon" in Resources.for_config(config).__dict__
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # Ctrl-C is the parent's business
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def test_pool_engine_runs_process_file(corpus):
    engine = PoolEngine(Config(), RunOptions(mode=Mode.CHECK), 2)
    try:
        handles = [engine.submit(FileJob(str(p), p.name), None) for p in sorted(corpus.rglob("*.txt"))]
        results = [engine.result(h) for h in handles]
    finally:
        engine.close()
    assert [r.status for r in results].count("unchanged") == 4
    assert sum(len(r.applied) for r in results) == 8


def test_engine_choice():
    assert isinstance(make_engine("local", Config(), RunOptions(), 1), InlineEngine)
    assert workers_for(Config(jobs=3)) == 3 and workers_for(Config()) >= 1


def test_fsspec_urls_for_inputs_and_outputs(runner, corpus, tmp_path):
    import fsspec

    fs = fsspec.filesystem("memory")
    for path in sorted(corpus.rglob("*.txt")):
        fs.pipe(f"/in/{path.relative_to(corpus).as_posix()}", path.read_bytes())
    result = runner.invoke(app, ["clean", "memory://in", "--out-dir", "memory://out", "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    local = runner.invoke(app, ["clean", str(corpus), "--out-dir", str(tmp_path / "local")])
    assert local.exit_code == 0
    expected = tree(tmp_path / "local")
    got = {name: fs.cat(f"/out/{name}") for name in expected}
    assert got == expected
    file_url = runner.invoke(app, ["check", f"file://{corpus}", "--format", "json"])
    assert file_url.exit_code == 1 and file_url.stdout.count('"finding"') == 8
    refused = runner.invoke(app, ["clean", "memory://in", "--in-place"])
    assert refused.exit_code == 2 and "local files only" in refused.stderr


def test_unknown_url_scheme_is_an_error_for_that_input(runner, corpus):
    result = runner.invoke(app, ["check", "nosuchscheme://bucket/x", str(corpus)])
    assert result.exit_code == 2 and "nosuchscheme://bucket/x: cannot read" in result.stderr
    assert '"finding"' not in result.stdout and "counterfeit" in result.stdout
