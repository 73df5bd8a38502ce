"""Tests for the benchmark runner on tiny corpora written here (never ../shared)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from repair.evaluate import read_gold
from repair.lexicon import read_lexicon

ROOT = Path(__file__).resolve().parents[1]


def _load_runner():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_runner()

# Raw rows in the shared list's format. With the builder's hash split at 20%, "profound
# learning", "enormous information", "bosom malignant growth" and "lattice factorization"
# are the held-out rows; the others stay in the lexicon.
RAW_HEADER = "tortured\toriginal\tcontext\texclude\tkind\tpapers\tsource\n"
RAW_ROWS = [
    ("counterfeit consciousness", "artificial intelligence"),
    ("irregular woodland", "random forest"),
    ("profound learning", "deep learning"),
    ("enormous information", "big data"),
    ("bosom malignant growth", "breast cancer"),
    ("lattice factorization", "matrix factorization"),
    ("choice tree", "decision tree"),
    ("shrouded layer", "hidden layer"),
]

SENTENCES = [
    "Deep learning has changed how images are classified in many laboratories.",
    "The team stored big data from every sensor on a cluster of cheap machines.",
    "We propose a matrix factorization method that scales to millions of users.",
    "The committee met on Tuesday and approved the budget for next year after a long debate.",
    "Farmers in the valley reported that the harvest was smaller than in any year since records began.",
]


def write_corpora(folder: Path) -> Path:
    folder.mkdir()
    for name in ("alpha", "beta"):
        with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for i in range(12):
                text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(4))
                text += "\n" + " ".join(SENTENCES[(i + k + 2) % len(SENTENCES)] for k in range(3))
                doc = {"id": f"{name}:{i}", "source": name, "title": "t", "text": text, "licence": "MIT"}
                handle.write(json.dumps(doc) + "\n")
    return folder


def write_raw(path: Path) -> Path:
    rows = "".join(f"{t}\t{o}\t\t\tphrase\t10\tpps-2025-11\n" for t, o in RAW_ROWS)
    path.write_text(RAW_HEADER + rows, encoding="utf-8")
    return path


def test_shipped_rows_are_valid() -> None:
    rows = bench.load_rows()
    names = [r.name for r in rows]
    assert names[0] == "input" and rows[0].baseline
    assert "lexicon" in names
    assert all(set(r.sets) <= set(bench.SETS) for r in rows)


def test_bad_row_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rows.toml"
    path.write_text('[[row]]\nname = "x"\nconfig = { no-such-key = 1 }\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="unknown key"):
        bench.load_rows(path)


def test_splits_are_even_and_odd_documents(tmp_path: Path) -> None:
    corpora = write_corpora(tmp_path / "corpora")
    dev, test = bench.load_split(corpora, "dev"), bench.load_split(corpora, "test")
    assert [d.index for d in dev["alpha"]] == [0, 2, 4, 6, 8, 10]
    assert [d.index for d in test["alpha"]] == [1, 3, 5, 7, 9, 11]


def test_clean_records_are_deterministic_and_within_budget(tmp_path: Path) -> None:
    docs = bench.load_split(write_corpora(tmp_path / "corpora"), "test")
    sizes = bench.Sizes(sentences=2, paragraphs=1, clean_words=150, tortured=5, per_phrase=1)
    first = bench.clean_records(docs, sizes, seed=0)
    assert first == bench.clean_records(docs, sizes, seed=0)
    assert all(r.spun == r.original for r in first)
    for corpus in ("alpha", "beta"):
        words = sum(bench.words_in(r.spun) for r in first if r.id.startswith(corpus))
        assert 150 <= words < 150 + 80


def test_sample_units_gives_sentences_and_paragraphs(tmp_path: Path) -> None:
    import random

    docs = bench.load_split(write_corpora(tmp_path / "corpora"), "dev")["alpha"]
    sizes = bench.Sizes(sentences=4, paragraphs=2, clean_words=0, tortured=0, per_phrase=1)
    units = bench.sample_units(docs, sizes, random.Random("x"))
    assert units == bench.sample_units(docs, sizes, random.Random("x"))
    sentences = [text for uid, text in units if ":s" in uid]
    paragraphs = [text for uid, text in units if uid.endswith(":p")]
    assert len(sentences) == 4 and len(paragraphs) == 2
    assert all(text in SENTENCES for text in sentences)
    assert all(bench.words_in(p) >= 40 for p in paragraphs)


def test_document_records_are_whole_spun_documents(tmp_path: Path) -> None:
    docs = bench.load_split(write_corpora(tmp_path / "corpora"), "test")
    sizes = bench.Sizes(0, 0, 0, 0, 1, documents=2, document_words=30, document_min_words=20)
    records = bench.document_records(docs, sizes, seed=0)
    assert records == bench.document_records(docs, sizes, seed=0)
    assert [r["id"].split(":")[0] for r in records] == ["alpha", "alpha", "beta", "beta"]
    for r in records:
        assert r["id"].endswith(":doc")
        # Cut at the end of the sentence that reaches the budget: a whole first sentence and more.
        assert 30 <= bench.words_in(r["original"]) < 30 + 20
        assert r["original"].startswith(tuple(SENTENCES)) and r["original"].endswith(".")
    assert any(r["spun"] != r["original"] for r in records)
    assert bench.document_records(docs, bench.Sizes(0, 0, 0, 0, 1, documents=2), seed=0) == []  # all too short


def test_another_spinner_spins_the_same_units(tmp_path: Path) -> None:
    """``--spin-draw`` and ``--spin-rate`` change how the units are spun, not which units are taken."""
    docs = bench.load_split(write_corpora(tmp_path / "corpora"), "test")
    sizes = bench.Sizes(0, 0, 0, 0, 1, documents=2, document_words=30, document_min_words=20)
    shipped = bench.document_records(docs, sizes, seed=0)
    assert bench.document_records(docs, sizes, 0, "rank", bench.SPIN_RATE) == shipped
    dense = bench.document_records(docs, sizes, 0, "common", 0.6)
    assert [(r["id"], r["original"]) for r in dense] == [(r["id"], r["original"]) for r in shipped]
    assert sum(len(r["must_fix"]) for r in dense) > sum(len(r["must_fix"]) for r in shipped)


def test_tortured_set_uses_only_held_out_phrases(tmp_path: Path) -> None:
    corpora = write_corpora(tmp_path / "corpora")
    raw = write_raw(tmp_path / "raw.tsv")
    kept, held = bench.build_holdout_lexicon(raw, corpora, tmp_path / "cache")
    held_spun = {e.spun for e in read_lexicon(held)}
    assert held_spun == {"profound learning", "enormous information", "bosom malignant growth", "lattice factorization"}
    assert not held_spun & {e.spun for e in read_lexicon(kept)}
    docs = bench.load_split(corpora, "test")
    sizes = bench.Sizes(sentences=0, paragraphs=0, clean_words=0, tortured=6, per_phrase=2)
    records, info = bench.tortured_records(docs, kept, held, sizes, seed=0)
    assert len(records) == 6 and info["distinct_phrases"] == 3
    for r in records:
        ((spun_phrase, original_phrase),) = r.must_fix
        assert spun_phrase.lower() in held_spun
        assert r.spun == r.original.replace(original_phrase, spun_phrase, 1)
        assert r.original in SENTENCES


def test_a_placed_phrase_keeps_the_case_and_hyphens_of_what_it_replaces() -> None:
    assert bench._placed("motion to clamor", "Signal-to-noise") == "Motion-to-clamor"
    assert bench._placed("ground reality labels", "ground-truth labels") == "ground-reality labels"
    assert bench._placed("profound learning", "deep learning") == "profound learning"
    # Another number of words, or hyphens of its own: the phrase as the row has it.
    assert bench._placed("labor in-depth", "labor-intensive") == "labor in-depth"
    assert bench._placed("stop-to-give-up", "end-to-end") == "stop-to-give-up"
    assert bench._placed("irregular woodland", "Random forest") == "Irregular woodland"


def test_papers_replace_held_out_phrases_and_kept_terms(tmp_path: Path) -> None:
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    paper = "We compare deep learning with a random forest and a decision tree. The random forest wins on big data."
    texts = ["Farmers met.", paper, "Farmers met.", "A random forest and big data.", "x", "Deep learning."]
    with (corpora / "alpha.jsonl").open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": f"alpha:{i}", "text": text}) + "\n")
    kept, held = bench.build_holdout_lexicon(write_raw(tmp_path / "raw.tsv"), corpora, tmp_path / "cache")
    docs = bench.load_split(corpora, "test")
    sizes = bench.Sizes(sentences=0, paragraphs=0, clean_words=0, tortured=0, per_phrase=1, papers=5)
    # Only the paper has a held-out phrase and two kept terms; the others lack one or the other.
    [record] = bench.paper_records(docs, kept, held, sizes, seed=0)
    assert record.id == "alpha:1:paper" and record.original == paper
    assert record.must_fix == (("profound learning", "deep learning"), ("enormous information", "big data"))
    spun = paper.replace("deep learning", "profound learning").replace("random forest", "irregular woodland")
    assert record.spun == spun.replace("decision tree", "choice tree").replace("big data", "enormous information")
    # At most paper_kept kept terms: the others stay as written.
    [fewer] = bench.paper_records(docs, kept, held, bench.Sizes(0, 0, 0, 0, 1, papers=5, paper_kept=2), seed=0)
    assert (
        fewer.must_fix == record.must_fix
        and fewer.spun.count("irregular woodland") + fewer.spun.count("choice tree") == 2
    )


def test_benchmark_end_to_end(tmp_path: Path) -> None:
    corpora = write_corpora(tmp_path / "corpora")
    out = tmp_path / "reports"
    args = ["--quick", "--rows", "input,lexicon", "--sets", "clean,seeds", "--corpora", str(corpora)]
    args += ["--out-dir", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert bench.main(args) == 0
    data = json.loads((out / "benchmarks-quick.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in data["rows"]] == ["input", "lexicon"]
    lexicon = data["rows"][1]["sets"]
    assert lexicon["clean"]["scores"]["false_edits_per_10k"] == 0.0
    assert lexicon["clean"]["speed"]["words_per_s"] > 0 and lexicon["clean"]["peak_rss_mb"] > 10
    assert lexicon["seeds"]["scores"]["must_fix_total"] == sum(len(r.must_fix) for r in read_gold(bench.SEED_GOLD))
    table = (out / "benchmarks-quick.md").read_text(encoding="utf-8")
    assert "| lexicon |" in table and "Machine:" in table and "commit" in table


def test_unknown_row_is_a_usage_error(tmp_path: Path) -> None:
    assert bench.main(["--rows", "nope", "--out-dir", str(tmp_path)]) == 2


POOL_JOB = """
import multiprocessing

def hold(mb):
    block = bytearray(mb << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    import time
    time.sleep(1.2)
    return len(block)

if __name__ == "__main__":
    with multiprocessing.get_context("forkserver").Pool(2) as pool:
        print(pool.map(hold, [150, 150]))
"""


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads /proc (Linux)")
def test_launcher_counts_fork_server_workers(tmp_path: Path) -> None:
    """``--jobs`` workers are the fork server's children, which nobody waits for: the launcher
    must still see them (before it read /proc, a 2-worker job reported only its parent)."""
    script = tmp_path / "pool.py"
    script.write_text(POOL_JOB, encoding="utf-8")
    job = bench.run_process([sys.executable, str(script)], tmp_path / "log.txt")
    assert job.returncode == 0, (tmp_path / "log.txt").read_text(encoding="utf-8")
    assert job.peak_rss_mb > 150  # a worker, not the small parent
    assert job.peak_tree_mb > 300  # both workers at once
    assert bench._memory(job.peak_rss_mb, job.peak_tree_mb).endswith(" in all)")
    assert bench._memory(100.0, 110.0) == "100"


def _load_worker():
    spec = importlib.util.spec_from_file_location("bench_worker", ROOT / "benchmarks" / "worker.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_worker_finds_each_records_source_document(tmp_path: Path) -> None:
    """On dev, a record is cleaned with its source document out of the collocation table: the
    worker must find that document from the record id, whatever set the record belongs to."""
    worker = _load_worker()
    corpora = write_corpora(tmp_path / "corpora")
    assert worker.source_key("alpha:4:s2") == ("alpha", 4)
    assert worker.source_key("beta:10") == ("beta", 10)
    assert worker.source_key("kursk") is None and worker.source_key("seed:one") is None
    found = worker.source_documents(corpora, ["alpha:4:s2", "alpha:4:doc", "beta:10", "gamma:1:s1", "kursk"])
    assert set(found) == {("alpha", 4), ("beta", 10)}  # no corpus "gamma", no source for "kursk"
    lines = (corpora / "alpha.jsonl").read_text(encoding="utf-8").splitlines()
    assert found[("alpha", 4)] == json.loads(lines[4])["text"]


def test_dev_benchmark_cleans_records_as_unseen_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpora = write_corpora(tmp_path / "corpora")
    out = tmp_path / "reports"
    commands: list[list[str]] = []
    real = bench.run_process

    def recording(cmd, log):  # type: ignore[no-untyped-def]
        commands.append([str(c) for c in cmd])
        return real(cmd, log)

    monkeypatch.setattr(bench, "run_process", recording)
    args = ["--quick", "--rows", "input,lexicon", "--sets", "clean", "--corpora", str(corpora)]
    args += ["--out-dir", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert bench.main([*args, "--split", "dev"]) == 0
    (job,) = commands
    assert job[job.index("--unseen-corpora") + 1] == str(corpora)
    data = json.loads((out / "benchmarks-quick-dev.json").read_text(encoding="utf-8"))
    assert data["rows"][1]["sets"]["clean"]["scores"]["false_edits_per_10k"] == 0.0
    assert "collocation table" in data["notes"]["dev"]
    assert "unseen_corpora" not in data["notes"]  # a path on this machine stays out of the report
    table = (out / "benchmarks-quick-dev.md").read_text(encoding="utf-8")
    assert str(corpora) not in table
    assert "Split: **dev** (even-indexed documents" in table
    commands.clear()
    assert bench.main([*args, "--split", "test"]) == 0  # test documents were never counted
    (job,) = commands
    assert "--unseen-corpora" not in job


def test_holdout_sets_are_keyed_on_the_code_that_places_phrases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached tortured set must not outlive a change to the matcher that placed its phrases."""
    assert all((ROOT / "repair" / name).is_file() for name in bench.PLACING_SOURCES)
    corpora = write_corpora(tmp_path / "corpora")
    raw = write_raw(tmp_path / "raw.tsv")
    args = ["--quick", "--rows", "input", "--sets", "tortured,papers", "--corpora", str(corpora)]
    args += ["--tortured", str(raw), "--out-dir", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert bench.main(args) == 0
    before = sorted(p.name for p in (tmp_path / "cache").glob("gold-*.jsonl"))
    real = Path.read_bytes

    def edited(path: Path) -> bytes:  # the matcher's source as if it had changed
        data = real(path)
        return data + b"\n# changed\n" if path.name == "inflect.py" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert bench.main(args) == 0
    after = sorted(p.name for p in (tmp_path / "cache").glob("gold-*.jsonl"))
    assert len(before) == 2 and len(after) == 4  # both sets rebuilt under new keys


def test_worker_writes_the_findings_it_held_back(tmp_path: Path) -> None:
    """The reliability table judges every finding a reviewer sees, so the worker writes the held-back ones too."""
    worker = _load_worker()
    gold = tmp_path / "gold.jsonl"
    text = "We trained an irregular woodland on the counterfeit consciousness data."
    gold.write_text(json.dumps({"id": "r1", "spun": text}) + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('detectors = ["lexicon"]\nmin-confidence = 0.99\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert worker.main(["--config", str(config), "--input", str(gold), "--output", str(out)]) == 0
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["output"] == text and record["edits"] == []  # under the bar: reported, not applied
    held = {(e["spun"], e["proposal"], e["applied"]) for e in record["held_back"]}
    assert held == {
        ("an irregular woodland", "a random forest", False),  # the article follows the new word
        ("counterfeit consciousness", "artificial intelligence", False),
    }


def test_reliability_section_lists_each_row_and_set_with_a_table() -> None:
    def table(right: int, findings: int) -> list[dict[str, object]]:
        bins = [{"low": 0.5, "high": 0.9, "findings": 0, "right": 0, "observed": None}]
        return [*bins, {"low": 0.9, "high": 1.0, "findings": findings, "right": right, "observed": right / findings}]

    data = {
        "rows": [
            {"name": "lexicon", "sets": {"spun": {"reliability": None}}},
            {
                "name": "context-best",
                "sets": {"spun": {"reliability": table(9, 10)}, "clean": {"reliability": table(0, 2)}},
            },
        ]
    }
    lines = bench._reliability_lines(data)
    assert "| row | set | 0.5–0.9 | 0.9–1 |" in lines
    assert "| context-best | spun | – | 9/10 (0.90) |" in lines
    assert "| context-best | clean | – | 0/2 (0.00) |" in lines
    assert not any(line.startswith("| lexicon") for line in lines)
    assert bench._reliability_lines({"rows": data["rows"][:1]}) == []


def test_model_use_counts_only_the_models_already_loaded() -> None:
    """Asking a lazy resource would load it: a row without the language model reports no LM work."""
    from types import SimpleNamespace

    worker = _load_worker()
    lm, encoder = SimpleNamespace(tokens_evaluated=1200), SimpleNamespace(texts_encoded=35)
    assert worker.model_use(SimpleNamespace(resources=SimpleNamespace())) == {}
    loaded = SimpleNamespace(resources=SimpleNamespace(causal_lm=lm, encoder=encoder))
    assert worker.model_use(loaded) == {"lm_tokens": 1200, "encoded_texts": 35}
    data = {
        "rows": [
            {"name": "lexicon", "sets": {"clean": {"model_use": None}}},
            {
                "name": "context-best",
                "sets": {
                    "spun": {"model_use": {"lm_tokens_per_1k_words": 5210.4, "encoded_texts_per_1k_words": 80.2}},
                    "clean": {"model_use": {"lm_tokens_per_1k_words": 610.0}},
                },
            },
        ]
    }
    lines = bench._model_use_lines(data)
    assert "| context-best | spun | 5,210 | 80 |" in lines and "| context-best | clean | 610 | – |" in lines
    assert lines.index("| context-best | spun | 5,210 | 80 |") < lines.index("| context-best | clean | 610 | – |")
    assert bench._model_use_lines({"rows": data["rows"][:1]}) == []


def test_the_worker_loads_the_best_levels_models_before_the_clock() -> None:
    """SmolLM2 and MiniLM load at the first suspect that needs them: the worker loads them up front
    when the configuration uses them, so ``load_s`` holds their load time; other levels load neither."""
    from types import SimpleNamespace

    worker = _load_worker()

    class Lazy:
        def __init__(self) -> None:
            self.read: list[str] = []

        @property
        def causal_lm(self) -> str:
            self.read.append("causal_lm")
            return "lm"

        @property
        def encoder(self) -> str:
            self.read.append("encoder")
            return "encoder"

    for quality, detectors, expected in (
        ("best", ("lexicon", "context"), ["causal_lm", "encoder"]),
        ("fast", ("lexicon", "context"), []),
        ("best", ("lexicon", "artifact"), []),
    ):
        resources = Lazy()
        config = SimpleNamespace(quality=quality, detectors=detectors)
        worker.load_models(SimpleNamespace(config=config, resources=resources))
        assert resources.read == expected
