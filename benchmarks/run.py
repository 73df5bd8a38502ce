"""The benchmark: accuracy, false edits, speed and memory of each configuration, in one command.

    python benchmarks/run.py                 # full run on the held-out test split
    python benchmarks/run.py --quick         # smoke run, about a minute
    python benchmarks/run.py --rows input,lexicon --sets spun,clean
    python benchmarks/run.py --split dev     # for tuning: never tune on the test split

**Splits.** Every corpus (``*.jsonl`` in ``--corpora``, documents in file order) is
split by document index: even-indexed documents are the *dev* split, odd-indexed
ones the *test* split. ``tools/build_lexicon.py --clean-corpus`` uses the same rule,
so nothing shipped has seen the test split. Tune on dev; the table in
``reports/benchmarks.md`` is the test split.

**Sets** (all drawn from the chosen split with a fixed seed):

* ``spun``: per corpus a fixed number of sentences and paragraphs, spun by
  ``repair.spin`` (seeded per record): precision, recall, F0.5, words/s.
* ``clean``: per corpus whole documents up to a word budget, never spun: false
  edits (damaged words) per 10,000 words, words/s.
* ``tortured``: 20% of the shared tortured-phrase list is held out of the lexicon
  (``tools/build_lexicon.py --holdout-fraction 0.2``); corpus sentences that contain
  a held-out row's original get the tortured phrase in its place (with the original's
  hyphens, as a spinner keeps them: :func:`_placed`). The rows run with
  the lexicon built *without* those phrases (``builtin-lexicons = []`` plus the kept
  file): restoration rate (``must_fix`` restored) and precision.
* ``papers``: whole documents (up to a word budget; in practice arXiv abstracts)
  in which every original of a plain tortured-phrase row is replaced by its
  tortured phrase, as in a tortured paper: the held-out rows' phrases, which only
  the open-vocabulary steps can restore (``must_fix``), and up to a few of the
  kept rows' (multi-word terms), which the lexicon restores and which make the
  document read as spun (``repair.evidence``). Run like ``tortured``.
* ``docs``: per corpus a few whole documents (up to a word budget, cut at a
  sentence end), spun like the ``spun`` set. Users clean whole files, and a
  spinner rewrites whole documents: this is the set where document-level
  evidence (``repair.evidence``) can act.
* ``seeds``: ``benchmarks/data/seed_gold.jsonl``, a smoke case never tuned on.

**Dev text as unseen text.** The collocation table (``repair/data/collocations.tsv``)
was counted over the dev documents, so a dev record's own word pairs are in it: its
clean words look more established, and a spun word's original more expected, than
in text a user brings. On the dev split each worker job therefore cleans a record
with its source document taken out of the table (``worker.py --unseen-corpora``),
as the training script does. On 460 clean dev records (94,763 words) this raised the
context detector's suspects with a stage-one probability of at least 0.25 by 17%
(570 to 666) and those the language model re-scores by 31%; the one-word stage's
edits at its 0.9 bar stayed at 2. On the 680 spun dev records it moved its right
edits at that bar from 164 to 160. Test documents were never counted.

**Rows** are data (``benchmarks/rows.toml``). Each non-baseline row runs once per
set in a fresh process (``benchmarks/worker.py`` or the ``repair`` CLI), started
by the small launcher ``benchmarks/measure.py``, so its words/s include import and
model/lexicon load and its peak RSS (the largest process of the job's process
tree, ``--jobs`` workers included; see ``measure.py``) is its own. Scoring happens in
this process with ``repair.evaluate`` and is not timed.

Outputs: ``reports/benchmarks.md`` (tables with machine, date and commit) and
``reports/benchmarks.json`` (every figure); ``--quick`` and ``--split dev`` write
``benchmarks-quick.*`` / ``benchmarks-dev.*`` instead so they never overwrite the
real table. Generated gold sets and the hold-out lexicon are cached in
``benchmarks/.cache/`` (keyed by their inputs); ``--fresh`` rebuilds them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repair.config import ConfigError, from_mapping  # noqa: E402
from repair.evaluate import (  # noqa: E402
    EvalReport,
    GoldRecord,
    ReliabilityBin,
    evaluate_outputs,
    read_gold,
    reliability,
)
from repair.form import match_gaps  # noqa: E402
from repair.lexicon import Entry, Lexicon, read_lexicon  # noqa: E402
from repair.model import Edit  # noqa: E402
from repair.segment import WORD_RE, make_doc  # noqa: E402

BENCH = ROOT / "benchmarks"
ROWS_FILE = BENCH / "rows.toml"
SEED_GOLD = BENCH / "data" / "seed_gold.jsonl"
CACHE = BENCH / ".cache"
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_TORTURED = ROOT.parent / "shared" / "data" / "tortured_phrases.tsv"
SETS = ("spun", "clean", "tortured", "papers", "docs", "seeds")
#: How the report header describes each split.
SPLIT_WORDS = {
    "test": "odd-indexed documents of every corpus; dev = even-indexed",
    "dev": "even-indexed documents of every corpus, the ones tuned on; test = odd-indexed",
}
#: Notes for the jobs only, not the report: paths on this machine (the hold-out
#: lexicon in the local cache, the corpus folder).
PRIVATE_NOTES = frozenset({"tortured_lexicon", "unseen_corpora"})
#: Modules whose code decides where the tortured and papers sets place a phrase (the
#: lexicon's matcher and its inflections): part of those sets' cache key. Before
#: 2026-11-27 the key left them out, and a cached set outlived changes to them.
PLACING_SOURCES = ("lexicon.py", "inflect.py", "form.py")
# Sets whose rows run with the hold-out lexicon (and inverted index) instead of the shipped list.
HOLDOUT_SETS = ("tortured", "papers")
SPIN_RATE = 0.2
HOLDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class Sizes:
    """How much of each corpus a run takes."""

    sentences: int  # spun sentences per corpus
    paragraphs: int  # spun paragraphs per corpus
    clean_words: int  # clean words per corpus
    tortured: int  # tortured-phrase sentences in all
    per_phrase: int  # at most this many sentences per held-out phrase
    documents: int = 0  # spun whole documents per corpus
    document_words: int = 400  # each cut after the sentence that reaches this many words
    document_min_words: int = 120  # shorter documents are skipped
    papers: int = 0  # tortured papers in all
    paper_kept: int = 6  # at most this many kept rows' phrases per paper


FULL = Sizes(sentences=150, paragraphs=20, clean_words=50_000, tortured=400, per_phrase=2, documents=10, papers=80)
QUICK = Sizes(sentences=15, paragraphs=3, clean_words=4_000, tortured=40, per_phrase=1, documents=1, papers=8)


def words_in(text: str) -> int:
    return sum(1 for _ in WORD_RE.finditer(text))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    name: str
    description: str
    baseline: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    cli: tuple[str, ...] | None = None
    sets: tuple[str, ...] = SETS
    limit: dict[str, int] = field(default_factory=dict)  # set -> first N records only (slow rows)


def load_rows(path: Path = ROWS_FILE) -> list[Row]:
    """Read and check the row table; a bad row is an error naming the row."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rows: list[Row] = []
    for i, raw in enumerate(data.get("row", [])):
        where = f"{path.name}: row {i + 1}"
        unknown = set(raw) - {"name", "description", "baseline", "config", "cli", "sets", "limit"}
        if unknown or "name" not in raw:
            raise SystemExit(f"{where}: needs a name; unknown keys {sorted(unknown)}")
        sets = tuple(raw.get("sets", SETS))
        if not set(sets) <= set(SETS):
            raise SystemExit(f"{where}: sets must be among {', '.join(SETS)}")
        config = dict(raw.get("config", {}))
        try:
            from_mapping(config, f"{where} config")
        except ConfigError as exc:
            raise SystemExit(str(exc)) from exc
        cli = tuple(raw["cli"]) if "cli" in raw else None
        limit = {str(k): int(v) for k, v in raw.get("limit", {}).items()}
        rows.append(Row(raw["name"], raw.get("description", ""), bool(raw.get("baseline")), config, cli, sets, limit))
    names = [r.name for r in rows]
    if len(set(names)) != len(names):
        raise SystemExit(f"{path.name}: duplicate row names")
    return rows


# --------------------------------------------------------------------------- corpora and splits


@dataclass(frozen=True)
class Doc:
    corpus: str
    index: int  # position in the corpus file
    text: str

    @property
    def id(self) -> str:
        return f"{self.corpus}:{self.index}"


def load_split(corpora: Path, split: str) -> dict[str, list[Doc]]:
    """Documents of one split per corpus: dev = even index, test = odd index."""
    parity = 0 if split == "dev" else 1
    out: dict[str, list[Doc]] = {}
    for path in sorted(corpora.glob("*.jsonl")):
        docs = []
        with path.open(encoding="utf-8") as handle:
            for i, line in enumerate(handle):
                if i % 2 == parity:
                    docs.append(Doc(path.stem, i, json.loads(line)["text"]))
        out[path.stem] = docs
    if not out:
        raise SystemExit(f"no *.jsonl corpora in {corpora}")
    return out


def sentences_of(text: str) -> list[str]:
    doc = make_doc(text)
    return [text[s.start : s.end].strip() for s in doc.sentences if text[s.start : s.end].strip()]


def sample_units(docs: Sequence[Doc], sizes: Sizes, rng: random.Random) -> list[tuple[str, str]]:
    """Sentences (8-60 words) and paragraphs (40-250 words) from shuffled documents.

    A corpus without paragraph breaks (the State of the Union addresses) gives
    windows of consecutive sentences instead of paragraphs.
    """
    order = list(range(len(docs)))
    rng.shuffle(order)
    per_doc = max(1, math.ceil(1.5 * sizes.sentences / max(1, len(docs))))
    sentences: list[tuple[str, str]] = []
    paragraphs: list[tuple[str, str]] = []
    for idx in order:
        if len(sentences) >= sizes.sentences and len(paragraphs) >= sizes.paragraphs:
            break
        doc = docs[idx]
        paras = [p.strip() for p in doc.text.split("\n") if p.strip()]
        if len(paragraphs) < sizes.paragraphs:
            fitting = [p for p in paras if 40 <= words_in(p) <= 250]
            if fitting:
                paragraphs.append((f"{doc.id}:p", rng.choice(fitting)))
            else:
                window = _sentence_window(max(paras, key=len), rng)
                if window:
                    paragraphs.append((f"{doc.id}:p", window))
        if len(sentences) < sizes.sentences:
            para = rng.choice(paras)
            if words_in(para) > 2000:  # segment a slice of a huge paragraph only
                start = rng.randrange(0, max(1, len(para) - 12_000))
                para = para[start : start + 12_000]
                cands = sentences_of(para)[1:-1]
            else:
                cands = sentences_of(para)
            cands = [s for s in cands if 8 <= words_in(s) <= 60]
            for k, sentence in enumerate(rng.sample(cands, min(per_doc, len(cands)))):
                if len(sentences) < sizes.sentences:
                    sentences.append((f"{doc.id}:s{k + 1}", sentence))
    return sentences + paragraphs


def _sentence_window(text: str, rng: random.Random) -> str | None:
    if len(text) > 12_000:
        start = rng.randrange(0, len(text) - 12_000)
        text = text[start : start + 12_000]
        sents = sentences_of(text)[1:-1]
    else:
        sents = sentences_of(text)
    if len(sents) < 3:
        return None
    first = rng.randrange(0, len(sents) - 2)
    window: list[str] = []
    for s in sents[first:]:
        window.append(s)
        if words_in(" ".join(window)) >= 60:
            break
    joined = " ".join(window)
    return joined if 40 <= words_in(joined) <= 250 else None


def truncate_words(text: str, budget: int) -> str:
    """The text cut after the sentence where ``budget`` words are reached."""
    if words_in(text) <= budget:
        return text
    doc = make_doc(text)
    for s in doc.sentences:
        if s.last_token >= budget:
            return text[: s.end].rstrip()
    return text


def shuffled(docs: Sequence[Doc], seed: int, purpose: str, corpus: str) -> list[Doc]:
    """A corpus's documents in a seeded order of their own per set (``purpose``), for sets that take whole documents."""
    order = list(range(len(docs)))
    random.Random(f"{seed}:{purpose}:{corpus}").shuffle(order)
    return [docs[i] for i in order]


def clean_records(split_docs: dict[str, list[Doc]], sizes: Sizes, seed: int) -> list[GoldRecord]:
    records: list[GoldRecord] = []
    for corpus, docs in split_docs.items():
        total = 0
        for doc in shuffled(docs, seed, "clean", corpus):
            if total >= sizes.clean_words:
                break
            text = truncate_words(doc.text, sizes.clean_words - total)
            total += words_in(text)
            records.append(GoldRecord(doc.id, text, text))
    return records


def spun_record(unit_id: str, text: str, seed: int, draw: str = "rank", rate: float = SPIN_RATE) -> dict[str, Any]:
    """One gold record: ``text`` spun (seeded by the unit), with ``kinds`` (an extra field)
    naming each ``must_fix`` pair's kind of spin (word, phrase, contraction, template, ...)."""
    from repair.spin import spin_text

    spun = spin_text(text, seed=f"{seed}\x1f{unit_id}", rate=rate, draw=draw)
    record = GoldRecord(unit_id, spun.text, spun.original, tuple((a, b) for a, b in spun.must_fix))
    return {**record.to_dict(), "kinds": [s.kind for s in spun.substitutions]}


def spun_records(
    split_docs: dict[str, list[Doc]], sizes: Sizes, seed: int, draw: str = "rank", rate: float = SPIN_RATE
) -> list[dict[str, Any]]:
    """Gold records of the sampled units, spun."""
    records: list[dict[str, Any]] = []
    for corpus, docs in split_docs.items():
        rng = random.Random(f"{seed}:spun:{corpus}")
        units = sample_units(docs, sizes, rng)
        records.extend(spun_record(unit_id, text, seed, draw, rate) for unit_id, text in units)
    return records


def document_records(
    split_docs: dict[str, list[Doc]], sizes: Sizes, seed: int, draw: str = "rank", rate: float = SPIN_RATE
) -> list[dict[str, Any]]:
    """Whole documents (``document_min_words`` or more, cut to ``document_words``), spun like the spun set."""
    records: list[dict[str, Any]] = []
    for corpus, docs in split_docs.items():
        taken = 0
        for doc in shuffled(docs, seed, "docs", corpus):
            if taken >= sizes.documents:
                break
            if words_in(doc.text) < sizes.document_min_words:
                continue
            text = truncate_words(doc.text, sizes.document_words)
            records.append(spun_record(f"{doc.id}:doc", text, seed, draw, rate))
            taken += 1
    return records


# --------------------------------------------------------------------------- held-out tortured phrases


def build_holdout_lexicon(tortured: Path, corpora: Path, cache: Path, fresh: bool = False) -> tuple[Path, Path]:
    """The lexicon without 20% of the rows, and those rows, built like the shipped one."""
    builder = ROOT / "tools" / "build_lexicon.py"
    corpus_files = sorted(corpora.glob("*.jsonl"))
    key = _digest(
        tortured.read_bytes(),
        builder.read_bytes(),
        (ROOT / "repair" / "lexicon.py").read_bytes(),
        *(f"{p.name}:{p.stat().st_size}".encode() for p in corpus_files),
        str(HOLDOUT_FRACTION).encode(),
    )
    kept, held = cache / f"lexicon-kept-{key}.tsv", cache / f"lexicon-held-{key}.tsv"
    if kept.is_file() and held.is_file() and not fresh:
        return kept, held
    cache.mkdir(parents=True, exist_ok=True)
    log("building the hold-out lexicon (tools/build_lexicon.py) ...")
    cmd = [sys.executable, str(builder), str(tortured), "--out", str(kept), "--clean-corpus"]
    cmd += [str(p) for p in corpus_files]
    cmd += ["--holdout-fraction", str(HOLDOUT_FRACTION), "--holdout-out", str(held)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build_lexicon failed:\n{done.stderr}")
    return kept, held


def build_holdout_index(kept: Path, cache: Path) -> Path:
    """An inverted index whose curated links come from the hold-out lexicon only (cached).

    The default index links every shipped lexicon, held-out rows included, so
    the context detector would look the held-out phrases up: a leak. This one
    is built like the default (every installed thesaurus, the multi-word
    table) but with the kept rows in place of the shipped tortured-phrase list.
    """
    from repair import inverse
    from repair.resources import builtin_lexicon_dir
    from repair.thesauri import available_sources

    others = [p for p in sorted(builtin_lexicon_dir().glob("*.tsv")) if p.name != "tortured_phrases.tsv"]
    key = _digest(kept.read_bytes(), inverse.index_path().name.encode(), *(p.read_bytes() for p in others))
    path = cache / f"inverse-holdout-{key}.npz"
    if path.is_file():
        return path
    log("building the hold-out inverted index (a few minutes, once) ...")

    index = inverse.build_index(inverse.all_links(available_sources(), [kept, *others]))
    index.save(path)
    return path


def tortured_records(
    split_docs: dict[str, list[Doc]], kept: Path, held: Path, sizes: Sizes, seed: int
) -> tuple[list[GoldRecord], dict[str, int]]:
    """Corpus sentences with a held-out tortured phrase in place of its original."""
    usable, skipped = usable_held_rows(kept, held)
    reverse = reversed_rows(usable)
    rng = random.Random(f"{seed}:tortured")
    pool = [doc for docs in split_docs.values() for doc in docs]
    rng.shuffle(pool)
    used: dict[str, int] = {}
    records: list[GoldRecord] = []
    for doc in pool:
        if len(records) >= sizes.tortured:
            break
        made = make_doc(doc.text)
        taken_sentences: set[int] = set()
        per_doc = 0
        for match in reverse.match(made):
            if len(records) >= sizes.tortured or per_doc >= 2:
                break
            start, end = made.tokens[match.start_token].start, made.tokens[match.end_token - 1].end
            surface = doc.text[start:end]
            if not _lower_after_first(surface):
                continue  # acronyms and title case: the case of the insertion would be a guess
            sentence = made.sentence_of(start)
            if sentence is None or end > sentence.end or sentence.start in taken_sentences:
                continue
            variants = [v for v in match.variants if used.get(v.entry.original, 0) < sizes.per_phrase]
            if not variants:
                continue
            variant = rng.choice(variants)
            phrase = _placed(variant.original, surface)
            raw = doc.text[sentence.start : sentence.end]
            lead = len(raw) - len(raw.lstrip())
            text = raw.strip()
            if not 6 <= words_in(text) <= 80:
                continue
            a, b = start - sentence.start - lead, end - sentence.start - lead
            spun = text[:a] + phrase + text[b:]
            used[variant.entry.original] = used.get(variant.entry.original, 0) + 1
            taken_sentences.add(sentence.start)
            per_doc += 1
            records.append(GoldRecord(f"{doc.id}:t{per_doc}", spun, text, ((phrase, surface),)))
    info = {"held_out_rows": len(usable) + sum(skipped.values()), "usable_rows": len(usable)}
    info.update({f"skipped ({k})": v for k, v in skipped.items()})
    info["distinct_phrases"] = len(used)
    return records, info


def _placed(phrase: str, surface: str) -> str:
    """A tortured phrase as it stands in place of ``surface``, the original it was matched on.

    It takes the case of the surface's first letter and, where both have as many
    words, the surface's hyphens (:func:`repair.form.match_gaps`): a spinner swaps
    the words of "signal-to-noise" one at a time and keeps its hyphens
    ("motion-to-clamor"). The rows' originals are unhyphenated and the match folds
    hyphens, so without this a hyphenated original would come back as "signal to
    noise" and score as missed.
    """
    if surface[:1].isupper():
        phrase = phrase[:1].upper() + phrase[1:]
    return match_gaps(surface, phrase)


def _lower_after_first(surface: str) -> bool:
    """Lower case but perhaps the first letter: an acronym or title case makes the case of an insertion a guess."""
    return surface[1:] == surface[1:].lower()


def _plain(entry: Entry) -> bool:
    return entry.kind == "phrase" and not entry.context and not entry.alternatives and entry.confidence >= 0.5


def usable_held_rows(kept: Path, held: Path) -> tuple[list[Entry], dict[str, int]]:
    """The held-out rows a test can use: plain phrases that no kept row still matches."""
    kept_lexicon = Lexicon.from_files([kept])
    usable: list[Entry] = []
    skipped = {"not a plain phrase": 0, "covered by a kept row": 0}
    for entry in read_lexicon(held):
        if not _plain(entry):
            skipped["not a plain phrase"] += 1
        elif kept_lexicon.match(make_doc(entry.spun)):
            skipped["covered by a kept row"] += 1
        else:
            usable.append(entry)
    return usable, skipped


def reversed_rows(entries: Sequence[Entry]) -> Lexicon:
    """A lexicon that finds the rows' originals in clean text (each match's variants are the tortured phrases)."""
    return Lexicon.from_entries(
        [Entry(spun=e.original, original=e.spun, confidence=1.0, source=e.spun) for e in entries]
    )


def paper_records(
    split_docs: dict[str, list[Doc]], kept: Path, held: Path, sizes: Sizes, seed: int
) -> list[GoldRecord]:
    """Whole documents with every original of a plain row replaced by its tortured phrase.

    Held-out rows' originals are all replaced and make the ``must_fix`` pairs;
    of the kept rows only multi-word terms of content words ("neural network",
    not the list's junk rows for "and" or "by"), at most ``paper_kept`` of them,
    which the lexicon restores: together they make a tortured paper. A document
    needs one of each kind and two kept ones; originals in title case or with
    capitals inside are left alone, as in ``tortured_records``.
    """
    held_rows, _ = usable_held_rows(kept, held)

    def term(entry: Entry) -> bool:
        words = entry.original.split()
        return _plain(entry) and len(words) >= 2 and all(w.isalpha() for w in words) and max(map(len, words)) >= 5

    finders = (("held", reversed_rows(held_rows)), ("kept", reversed_rows([e for e in read_lexicon(kept) if term(e)])))
    rng = random.Random(f"{seed}:papers")
    pool = [doc for docs in split_docs.values() for doc in docs]
    rng.shuffle(pool)
    records: list[GoldRecord] = []
    for doc in pool:
        if len(records) >= sizes.papers:
            break
        text = truncate_words(doc.text, sizes.document_words)
        made = make_doc(text)
        found = []
        for kind, finder in finders:
            for match in finder.match(made):
                start, end = made.tokens[match.start_token].start, made.tokens[match.end_token - 1].end
                if _lower_after_first(text[start:end]):
                    found.append((start, end, kind, match.variants))
        chosen: list[tuple[int, int, str, Any]] = []
        for item in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if not chosen or item[0] >= chosen[-1][1]:
                chosen.append(item)
        kept_at = [k for k, f in enumerate(chosen) if f[2] == "kept"]
        if len(kept_at) > sizes.paper_kept:
            dropped = set(rng.sample(kept_at, len(kept_at) - sizes.paper_kept))
            chosen = [f for k, f in enumerate(chosen) if k not in dropped]
        if sum(f[2] == "held" for f in chosen) < 1 or sum(f[2] == "kept" for f in chosen) < 2:
            continue
        pieces, pairs, at = [], [], 0
        for start, end, kind, variants in chosen:
            surface = text[start:end]
            phrase = _placed(rng.choice(variants).original, surface)
            pieces += [text[at:start], phrase]
            at = end
            if kind == "held":
                pairs.append((phrase, surface))
        spun = "".join(pieces) + text[at:]
        records.append(GoldRecord(f"{doc.id}:paper", spun, text, tuple(pairs)))
    return records


# --------------------------------------------------------------------------- gold sets (cached)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def write_gold(path: Path, records: Sequence[GoldRecord | dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for r in records:
            data = r.to_dict() if isinstance(r, GoldRecord) else r
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")


def read_kinds(path: Path) -> list[list[str]] | None:
    """The ``kinds`` field of every record of a gold file, or None when it has none."""
    kinds = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            kinds.append(json.loads(line).get("kinds"))
    return kinds if kinds and all(k is not None for k in kinds) else None


def by_kind(report: EvalReport, kinds: list[list[str]]) -> dict[str, dict[str, int]]:
    """``must_fix`` pairs restored per kind of spin."""
    table: dict[str, dict[str, int]] = {}
    for record, record_kinds in zip(report.records, kinds, strict=True):
        for restored, kind in zip(record.must_fix, record_kinds, strict=True):
            row = table.setdefault(kind, {"restored": 0, "total": 0})
            row["total"] += 1
            row["restored"] += bool(restored)
    return dict(sorted(table.items()))


def gold_sets(args: argparse.Namespace, sizes: Sizes, wanted: set[str]) -> tuple[dict[str, Path], dict[str, Any]]:
    """Build (or reuse) the gold JSONL of every wanted set; returns paths and notes."""
    corpus_files = sorted(args.corpora.glob("*.jsonl"))
    base = [
        f"{args.split}:{args.seed}:{sizes}".encode(),
        *(f"{p.name}:{p.stat().st_size}".encode() for p in corpus_files),
        (ROOT / "repair" / "segment.py").read_bytes(),
        Path(__file__).read_bytes(),
    ]
    paths: dict[str, Path] = {}
    notes: dict[str, Any] = {}
    split_docs: dict[str, list[Doc]] | None = None

    def docs() -> dict[str, list[Doc]]:
        nonlocal split_docs
        if split_docs is None:
            split_docs = load_split(args.corpora, args.split)
        return split_docs

    # The spun sets depend on the spinner and its data too; read them once for both.
    spin_src = ROOT / "repair" / "spin.py"
    spin_inputs = (
        [spin_src.read_bytes(), *(p.read_bytes() for p in sorted((ROOT / "repair" / "data").glob("*")))]
        if spin_src.is_file() and wanted & {"spun", "docs"}
        else []
    )
    # Another spinner's habits (``--spin-draw``, ``--spin-rate``) make other gold files; the
    # benchmark's own spinner keeps its cache key.
    spinner = (args.spin_draw, args.spin_rate)
    other_spinner = [] if spinner == ("rank", SPIN_RATE) else [f"draw={spinner[0]}:rate={spinner[1]}".encode()]
    if other_spinner and wanted & {"spun", "docs"}:
        notes["spinner"] = f"spun sets made by a spinner with draw {spinner[0]!r} at rate {spinner[1]}"
    for name, build, what in (
        ("spun", spun_records, "the spun set"),
        ("docs", document_records, "whole documents"),
    ):
        if name not in wanted:
            continue
        if not spin_inputs:
            notes[name] = "skipped: repair.spin (the synthetic spinner) is not available on this branch"
            continue
        path = args.cache_dir / f"gold-{name}-{args.split}-{_digest(*base, *spin_inputs, *other_spinner)}.jsonl"
        if args.fresh or not path.is_file():
            log(f"spinning {what} ...")
            started = time.perf_counter()
            write_gold(path, build(docs(), sizes, args.seed, *spinner))
            log(f"  {time.perf_counter() - started:.1f} s")
        paths[name] = path
    if "clean" in wanted:
        path = args.cache_dir / f"gold-clean-{args.split}-{_digest(*base)}.jsonl"
        if args.fresh or not path.is_file():
            write_gold(path, clean_records(docs(), sizes, args.seed))
        paths["clean"] = path
    if wanted & set(HOLDOUT_SETS):
        kept, held = build_holdout_lexicon(args.tortured, args.corpora, args.cache_dir, args.fresh)
        notes["tortured_lexicon"] = str(kept)
        # Phrases are placed where the lexicon's matcher finds their originals, in the
        # originals' inflected forms: those sources decide the sets too.
        placing = [(ROOT / "repair" / name).read_bytes() for name in PLACING_SOURCES]
    if "tortured" in wanted:
        digest = _digest(*base, kept.read_bytes(), held.read_bytes(), *placing)
        path = args.cache_dir / f"gold-tortured-{args.split}-{digest}.jsonl"
        info_path = path.with_suffix(".info.json")
        if args.fresh or not path.is_file() or not info_path.is_file():
            log("placing held-out tortured phrases into corpus sentences ...")
            records, info = tortured_records(docs(), kept, held, sizes, args.seed)
            write_gold(path, records)
            info_path.write_text(json.dumps(info), encoding="utf-8")
        info = json.loads(info_path.read_text(encoding="utf-8"))
        notes["tortured"] = (
            f"{info['held_out_rows']} rows held out; {info['usable_rows']} usable "
            f"({info['skipped (not a plain phrase)']} are not plain phrases, "
            f"{info['skipped (covered by a kept row)']} are still matched by a kept row); "
            f"{info['distinct_phrases']} distinct phrases placed in sentences"
        )
        paths["tortured"] = path
    if "papers" in wanted:
        digest = _digest(*base, kept.read_bytes(), held.read_bytes(), *placing)
        path = args.cache_dir / f"gold-papers-{args.split}-{digest}.jsonl"
        if args.fresh or not path.is_file():
            log("making tortured papers ...")
            write_gold(path, paper_records(docs(), kept, held, sizes, args.seed))
        paths["papers"] = path
    if "seeds" in wanted:
        paths["seeds"] = SEED_GOLD
    return paths, notes


# --------------------------------------------------------------------------- running a row


class Measured(NamedTuple):
    """What ``measure.py`` saw of one command: its exit code, wall time and memory.

    ``peak_rss_mb`` is the largest single process; ``peak_tree_mb`` the largest sum
    over the process tree (``--jobs`` workers included), an upper bound on the job.
    """

    returncode: int
    wall_s: float
    peak_rss_mb: float
    peak_tree_mb: float


def run_process(cmd: Sequence[str], log_path: Path) -> Measured:
    """Run a command through ``measure.py``."""
    stats_path = log_path.with_suffix(".measure.json")
    with log_path.open("w", encoding="utf-8") as out:
        launcher = [sys.executable, str(BENCH / "measure.py"), str(stats_path), "--", *cmd]
        subprocess.run(launcher, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    try:
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Measured(123, 0.0, 0.0, 0.0)
    rss = stats["peak_rss_mb"]
    return Measured(stats["returncode"], stats["wall_s"], rss, stats.get("peak_tree_mb", rss))


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def job_config(row: Row, set_name: str, notes: dict[str, Any]) -> dict[str, Any]:
    """The row's settings plus what the set needs (the hold-out lexicon for ``HOLDOUT_SETS``)."""
    config = dict(row.config)
    if set_name in HOLDOUT_SETS:
        extra = list(config.get("extend-lexicon", config.get("extend_lexicon", [])))
        config.pop("extend_lexicon", None)
        config["builtin-lexicons"] = []
        config["extend-lexicon"] = [*extra, notes["tortured_lexicon"]]
    return config


def run_row_set(
    row: Row, set_name: str, gold_path: Path, gold: list[GoldRecord], notes: dict[str, Any], work: Path
) -> dict[str, Any]:
    words = sum(words_in(g.spun) for g in gold)
    if row.baseline:
        report = evaluate_outputs(gold, [g.spun for g in gold], default_detector="none")
        return {"report": report, "speed": None, "peak_rss_mb": None, "peak_tree_mb": None}
    folder = work / row.name / set_name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    config_path = folder / "config.toml"
    settings = job_config(row, set_name, notes)
    config_path.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in settings.items()), encoding="utf-8")
    from_mapping(tomllib.loads(config_path.read_text(encoding="utf-8")), str(config_path))  # fail early

    calibration: list[ReliabilityBin] = []
    use: dict[str, float] | None = None
    if row.cli is None:
        out_path = folder / "outputs.jsonl"
        cmd = [sys.executable, str(BENCH / "worker.py"), "--config", str(config_path)]
        cmd += ["--input", str(gold_path), "--output", str(out_path)]
        if set_name in HOLDOUT_SETS and "context" in settings.get("detectors", ()):
            # The context detector looks phrases up in the inverted index: use one
            # that has not seen the held-out rows.
            cmd += ["--index", str(build_holdout_index(Path(notes["tortured_lexicon"]), work.parent))]
        if notes.get("unseen_corpora"):
            cmd += ["--unseen-corpora", notes["unseen_corpora"]]
        job = run_process(cmd, folder / "log.txt")
        code, wall = job.returncode, job.wall_s
        if code != 0:
            return {"error": _tail(folder / "log.txt"), "returncode": code}
        outputs, edits, held_back = [], [], []
        for line in out_path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            outputs.append(data["output"])
            edits.append([Edit.from_dict(e) for e in data["edits"]])
            held_back.append([Edit.from_dict(e) for e in data.get("held_back", ())])
        stats = json.loads(Path(str(out_path) + ".stats.json").read_text(encoding="utf-8"))
        counts = {k: stats[k] for k in ("lm_tokens", "encoded_texts") if k in stats}
        if counts and words:
            # How much of the text reaches the neural models ("clean text should rarely reach the LM").
            use = {f"{k}_per_1k_words": 1000.0 * v / words for k, v in counts.items()}
        if "context" in settings.get("detectors", ()):
            # Every finding the context detector reported, applied or not, each judged on its own.
            found = [[*a, *b] for a, b in zip(edits, held_back, strict=True)]
            calibration = reliability(gold, found, detector="context")
    else:
        outputs, edits, job = _run_cli(row, gold, folder, config_path)
        code, wall = job.returncode, job.wall_s
        if code not in (0, 1):
            return {"error": _tail(folder / "log.txt"), "returncode": code}
        stats = {}
    report = evaluate_outputs(gold, outputs, edits, seconds=wall, default_detector="cli")
    report.calibration = calibration
    speed = {
        "words": words,
        "wall_s": wall,
        "words_per_s": words / wall if wall else None,
        "load_s": stats.get("load_s"),
        "run_s": stats.get("run_s"),
        "steady_words_per_s": words / stats["run_s"] if stats.get("run_s") else None,
    }
    return {
        "report": report,
        "speed": speed,
        "peak_rss_mb": job.peak_rss_mb,
        "peak_tree_mb": job.peak_tree_mb,
        "model_use": use,
    }


def _run_cli(
    row: Row, gold: list[GoldRecord], folder: Path, config_path: Path
) -> tuple[list[str], list[list[Edit]] | None, Measured]:
    inputs, out_dir, report_dir = folder / "inputs", folder / "out", folder / "report"
    inputs.mkdir()
    names = [f"{i:05d}.txt" for i in range(len(gold))]
    for name, g in zip(names, gold, strict=True):
        (inputs / name).write_bytes(g.spun.encode("utf-8"))
    fill = {"inputs": str(inputs), "out": str(out_dir), "report": str(report_dir)}
    args = [a.format(**fill) for a in row.cli or ()]
    cmd = [sys.executable, "-m", "repair", *args, "--config", str(config_path), "--isolated"]
    job = run_process(cmd, folder / "log.txt")
    outputs = []
    for name, g in zip(names, gold, strict=True):
        target = out_dir / name
        outputs.append(target.read_bytes().decode("utf-8") if target.is_file() else g.spun)
    edits: list[list[Edit]] | None = None
    edits_file = report_dir / "edits.jsonl"
    if edits_file.is_file():
        by_file: dict[str, list[Edit]] = {}
        for line in edits_file.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            if data.get("applied"):
                by_file.setdefault(data["file"], []).append(Edit.from_dict(data))
        edits = [by_file.get(name, []) for name in names]
    return outputs, edits, job


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(), "os": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    info.setdefault("cpu", platform.processor() or "unknown")
    return info


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    except OSError:
        return "unknown"
    commit = head.stdout.strip() or "unknown"
    return commit + ("+dirty" if dirty.stdout.strip() else "")


def _memory(largest: float | None, tree: float) -> str:
    """The largest process, and the whole tree's sum where workers make it larger (``--jobs``)."""
    if largest is None:
        return "–"
    if tree > largest * 1.2:
        return f"{largest:,.0f} ({tree:,.0f} in all)"
    return f"{largest:,.0f}"


def _f(value: float | None, spec: str = ".3f") -> str:
    return "–" if value is None else format(value, spec)


def _limits(row: dict[str, Any]) -> str:
    limit = row.get("limit") or {}
    if not limit:
        return ""
    parts = ", ".join(f"{name}: first {n} records" for name, n in sorted(limit.items()))
    return f" ({parts}, for time)"


def figures(result: dict[str, Any], kinds: list[list[str]] | None = None) -> dict[str, Any]:
    """The JSON-ready figures of one row × set."""
    if "error" in result:
        return {"error": result["error"], "returncode": result["returncode"]}
    report: EvalReport = result["report"]
    per_detector = {
        name: {
            "edits": d.edits,
            "good_edits": d.good_edits,
            "precision": d.precision,
            "fixed_words": d.fixed_words,
            "damaged_words": d.damaged_words,
        }
        for name, d in report.per_detector().items()
    }
    summary = report.summary()
    summary.pop("seconds", None)
    summary.pop("words_per_second", None)
    worst = [
        {"id": r.id, "damaged": r.damaged_words, "bad_edits": r.bad_edits, "spun": r.spun, "output": r.output}
        for r in report.worst(3)
        if r.damaged_words or r.bad_edits
    ]
    return {
        "scores": summary,
        "by_kind": by_kind(report, kinds) if kinds else {},
        "per_detector": per_detector,
        "speed": result["speed"],
        "peak_rss_mb": result["peak_rss_mb"],
        "peak_tree_mb": result.get("peak_tree_mb"),
        "worst_damage": worst,
        "reliability": [b.to_dict() for b in report.calibration] or None,
        "model_use": result.get("model_use"),
    }


def render_markdown(data: dict[str, Any]) -> str:
    m = data["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{' --quick' if data['quick'] else ''}"
        f"{' --split dev' if data['split'] == 'dev' else ''}` on {data['date']} at commit `{data['commit']}`.",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gb', '?')} GB RAM, Python {m.get('python')}; "
        f"load average {data['load_before']} before the run, {data['load_after']} after "
        "(other processes share the machine, so speeds are noisy).",
        f"Split: **{data['split']}** ({SPLIT_WORDS.get(data['split'], 'documents of every corpus')}). "
        f"Seed {data['seed']}. Sets: {_set_sizes(data)}.",
        "",
        "## Accuracy, false edits, speed, memory",
        "",
        "P / R / F0.5 on spun text (edit precision, word recall); false edits = changed words per 10,000 words of "
        "clean text; words/s end to end in a fresh process, import and lexicon/model load included "
        "(load time in brackets); peak RSS = the largest process of the job (with `--jobs` workers, the sum over "
        "all its processes in brackets, an upper bound since forked workers share pages).",
        "",
        "| row | P | R | F0.5 | false edits /10k | words/s spun | words/s clean | peak RSS MB | description |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in data["rows"]:
        spun, clean = row["sets"].get("spun", {}), row["sets"].get("clean", {})
        s, c = spun.get("scores", {}), clean.get("scores", {})
        rss = [x.get("peak_rss_mb") for x in (spun, clean) if x.get("peak_rss_mb")]
        tree = [x.get("peak_tree_mb") or 0.0 for x in (spun, clean)]
        precision = s.get("precision") if s.get("edits") else None
        lines.append(
            f"| {row['name']} | {_f(precision)} | {_f(s.get('recall'))} | {_f(s.get('f0.5'))} | "
            f"{_f(c.get('false_edits_per_10k'), '.2f')} | {_speed(spun)} | {_speed(clean)} | "
            f"{_memory(max(rss) if rss else None, max(tree))} | {row['description']}{_limits(row)}{_errors(row)} |"
        )
    kind_names = sorted({k for row in data["rows"] for k in row["sets"].get("spun", {}).get("by_kind", {})})
    if kind_names:
        lines += [
            "",
            "## Spins restored by kind (spun set)",
            "",
            "Share of the spinner's substitutions undone in place, by kind of spin (restored / total).",
            "",
            "| row | " + " | ".join(kind_names) + " |",
            "| --- |" + " ---: |" * len(kind_names),
        ]
        for row in data["rows"]:
            kinds = row["sets"].get("spun", {}).get("by_kind", {})
            if kinds:
                cells = [f"{kinds[k]['restored']}/{kinds[k]['total']}" if k in kinds else "–" for k in kind_names]
                lines.append(f"| {row['name']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Held-out tortured phrases",
        "",
        f"{HOLDOUT_FRACTION:.0%} of the shared tortured-phrase list is held out of the lexicon; each sentence below "
        "has one held-out tortured phrase in place of its original. Restored = the phrase's original is back "
        "in place; precision over all edits in these sentences.",
        "",
        "| row | sentences | restored | precision | F0.5 | damaged words |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in data["rows"]:
        t = row["sets"].get("tortured", {}).get("scores")
        if t:
            precision = t["precision"] if t["edits"] else None
            lines.append(
                f"| {row['name']} | {t['records']} | {_restored(t)} | {_f(precision)} | {_f(t['f0.5'])} "
                f"| {t['damaged_words']} |"
            )
    paper_rows = [
        (row["name"], row["sets"]["papers"]["scores"])
        for row in data["rows"]
        if "scores" in row["sets"].get("papers", {})
    ]
    if paper_rows:
        lines += [
            "",
            "## Tortured papers",
            "",
            "Whole documents (mostly arXiv abstracts) with every original of a plain tortured-phrase row replaced: "
            "the held-out rows' phrases (restored = back in place, as above) and up to "
            f"{FULL.paper_kept} kept rows' terms, which the lexicon restores and which make the document read as "
            "spun. Precision, recall and F0.5 over all spins and edits.",
            "",
            "| row | papers | held-out restored | P | R | F0.5 | damaged words |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, t in paper_rows:
            precision = t["precision"] if t["edits"] else None
            lines.append(
                f"| {name} | {t['records']} | {_restored(t)} | {_f(precision)} | {_f(t['recall'])} | {_f(t['f0.5'])} "
                f"| {t['damaged_words']} |"
            )
    doc_rows = [(row["name"], row["sets"]["docs"]) for row in data["rows"] if "scores" in row["sets"].get("docs", {})]
    if doc_rows:
        lines += [
            "",
            "## Spun whole documents",
            "",
            f"Whole documents (cut after about {data['sizes']['document_words']} words) spun like the spun set: "
            "what a user's files look like.",
            "",
            "| row | P | R | F0.5 | edits (good) | damaged words | words/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, result in doc_rows:
            t = result["scores"]
            precision = t["precision"] if t["edits"] else None
            lines.append(
                f"| {name} | {_f(precision)} | {_f(t['recall'])} | {_f(t['f0.5'])} | {t['edits']} ({t['good_edits']}) "
                f"| {t['damaged_words']} | {_speed(result)} |"
            )
    lines += [
        "",
        "## Seed smoke case",
        "",
        "`benchmarks/data/seed_gold.jsonl`: the 11 sentences of `seeds/kursk_spun.txt` with hand-written "
        "reconstructions; never tuned on.",
        "",
        "| row | spins restored (must_fix) | fixed / spun words | edits (good) | damaged words |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in data["rows"]:
        t = row["sets"].get("seeds", {}).get("scores")
        if t:
            lines.append(
                f"| {row['name']} | {t['must_fix_hit']}/{t['must_fix_total']} | {t['fixed_words']}/{t['spun_words']} | "
                f"{t['edits']} ({t['good_edits']}) | {t['damaged_words']} |"
            )
    lines += _reliability_lines(data)
    lines += _model_use_lines(data)
    detail = [
        (row["name"], set_name, name, d)
        for row in data["rows"]
        for set_name in ("spun", "clean")
        for name, d in row["sets"].get(set_name, {}).get("per_detector", {}).items()
    ]
    if detail:
        lines += [
            "",
            "## Edits by detector",
            "",
            "| row | set | detector | edits | precision | fixed words | damaged words |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for row_name, set_name, name, d in detail:
            lines.append(
                f"| {row_name} | {set_name} | {name} | {d['edits']} | {_f(d['precision'])} | "
                f"{d['fixed_words']} | {d['damaged_words']} |"
            )
    if data["notes"]:
        lines += ["", "## Notes", ""]
        lines += [f"- {k} set: {v}" for k, v in data["notes"].items() if k not in PRIVATE_NOTES]
    lines += ["", f"Raw figures: `{data['json_name']}`. Reproduce: `make bench` (or the command above).", ""]
    return "\n".join(lines)


def _per_row_and_set(data: dict[str, Any], key: str) -> list[tuple[str, str, Any]]:
    """(row, set, figure) for every row and set whose figures have ``key``, in row and set order."""
    return [
        (row["name"], set_name, row["sets"][set_name][key])
        for row in data["rows"]
        for set_name in SETS
        if row["sets"].get(set_name, {}).get(key)
    ]


def _reliability_lines(data: dict[str, Any]) -> list[str]:
    """The context detector's reliability table: right / findings per confidence bin, row by row and set by set."""
    tables = _per_row_and_set(data, "reliability")
    if not tables:
        return []
    bins = [f"{b['low']:g}–{b['high']:g}" for b in tables[0][2]]
    lines = [
        "",
        "## Calibration of the context detector",
        "",
        "Every finding of the context detector, applied or held back for review, judged on its own as if it alone "
        "were applied (right = a good edit that damages nothing): right / findings per confidence bin, and the "
        "share right. A calibrated confidence matches the share right of its bin on spun text. In clean text every "
        "finding is wrong: there the table shows what a reviewer would be shown.",
        "",
        "| row | set | " + " | ".join(bins) + " |",
        "| --- | --- |" + " ---: |" * len(bins),
    ]
    for name, set_name, table in tables:
        cells = [f"{b['right']}/{b['findings']} ({b['observed']:.2f})" if b["findings"] else "–" for b in table]
        lines.append(f"| {name} | {set_name} | " + " | ".join(cells) + " |")
    return lines


def _model_use_lines(data: dict[str, Any]) -> list[str]:
    """How much text reaches the neural models, per row and set: what "clean text rarely reaches
    the large model" comes to."""
    used = _per_row_and_set(data, "model_use")
    if not used:
        return []
    lines = [
        "",
        "## Model use",
        "",
        "Work the neural models did per 1,000 words of input, after loading: tokens the causal language model "
        "decoded and texts the sentence encoder embedded (each distinct text once per process: the encoder "
        "caches them).",
        "",
        "| row | set | LM tokens / 1k words | encoder texts / 1k words |",
        "| --- | --- | ---: | ---: |",
    ]
    for name, set_name, use in used:
        lm, enc = use.get("lm_tokens_per_1k_words"), use.get("encoded_texts_per_1k_words")
        lines.append(f"| {name} | {set_name} | {_f(lm, ',.0f')} | {_f(enc, ',.0f')} |")
    return lines


def _restored(scores: dict[str, Any]) -> str:
    """The ``must_fix`` pairs restored, as "hit/total (rate)"."""
    return f"{scores['must_fix_hit']}/{scores['must_fix_total']} ({_f(scores['must_fix_rate'], '.1%')})"


def _set_sizes(data: dict[str, Any]) -> str:
    parts = []
    for name, info in data["sets"].items():
        parts.append(f"{name} {info['records']} records / {info['words']:,} words")
    return "; ".join(parts)


def _speed(result: dict[str, Any]) -> str:
    speed = result.get("speed")
    if not speed or not speed.get("words_per_s"):
        return "–"
    load = f" ({speed['load_s']:.1f} s)" if speed.get("load_s") is not None else ""
    return f"{speed['words_per_s']:,.0f}{load}"


def _errors(row: dict[str, Any]) -> str:
    failed = [name for name, res in row["sets"].items() if "error" in res]
    return f" **failed: {', '.join(failed)}**" if failed else ""


# --------------------------------------------------------------------------- main


def spin_draws() -> tuple[str, ...]:
    """The spinner's ways to pick a synonym (``repair.spin.DRAWS``), where the spinner is available."""
    try:
        from repair.spin import DRAWS
    except ImportError:
        return ("rank",)
    return DRAWS


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small samples: a smoke run in about a minute")
    parser.add_argument("--rows", help="comma-separated row names (default: all rows of benchmarks/rows.toml)")
    parser.add_argument("--sets", help=f"comma-separated sets (default: {','.join(SETS)})")
    parser.add_argument("--split", choices=("test", "dev"), default="test", help="test (default) or dev for tuning")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--spin-draw",
        choices=spin_draws(),
        default="rank",
        help="how the spinner of the spun sets picks a synonym (repair.spin.DRAWS; default: rank, the benchmark's)",
    )
    parser.add_argument(
        "--spin-rate", type=float, default=SPIN_RATE, help=f"share of content words spun (default {SPIN_RATE})"
    )
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="folder of corpus *.jsonl files")
    parser.add_argument("--tortured", type=Path, default=DEFAULT_TORTURED, help="the shared tortured-phrase TSV")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "reports", help="where the report files go")
    parser.add_argument("--cache-dir", type=Path, default=CACHE, help="gold sets, hold-out lexicon, job folders")
    parser.add_argument("--fresh", action="store_true", help="rebuild cached gold sets and the hold-out lexicon")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    sizes = QUICK if args.quick else FULL
    rows = load_rows()
    if args.rows:
        wanted_rows = [n.strip() for n in args.rows.split(",") if n.strip()]
        unknown = [n for n in wanted_rows if n not in {r.name for r in rows}]
        if unknown:
            log(f"error: unknown row(s) {unknown}; known: {', '.join(r.name for r in rows)}")
            return 2
        rows = [r for r in rows if r.name in wanted_rows]
    wanted_sets = set(SETS)
    if args.sets:
        wanted_sets = {s.strip() for s in args.sets.split(",") if s.strip()}
        if not wanted_sets <= set(SETS):
            log(f"error: sets must be among {', '.join(SETS)}")
            return 2
    if not args.corpora.is_dir():
        log(f"error: corpora folder {args.corpora} not found (use --corpora)")
        return 2
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    paths, notes = gold_sets(args, sizes, wanted_sets)
    if args.split == "dev":
        # The collocation table was counted over the dev documents: see the module docstring.
        notes["unseen_corpora"] = str(args.corpora)
        notes["dev"] = (
            "each record is cleaned by benchmarks/worker.py with its source document taken out of the "
            "collocation table, which was counted over the dev documents (CLI rows read the whole table)"
        )
    golds = {name: read_gold(path) for name, path in paths.items()}
    kinds = {name: read_kinds(path) for name, path in paths.items()}
    work = args.cache_dir / "work"

    results: list[dict[str, Any]] = []
    for row in rows:
        row_out: dict[str, Any] = {"name": row.name, "description": row.description, "sets": {}}
        row_out["config"] = row.config if row.cli is None else {"cli": list(row.cli), **row.config}
        row_out["limit"] = dict(row.limit)
        for set_name in SETS:
            if set_name not in paths or set_name not in row.sets:
                continue
            gold_path, gold = paths[set_name], golds[set_name]
            if set_name in row.limit and row.limit[set_name] < len(gold):
                gold = gold[: row.limit[set_name]]
                gold_path = work / f"{row.name}-{set_name}-first{len(gold)}.jsonl"
                gold_path.parent.mkdir(parents=True, exist_ok=True)
                lines = paths[set_name].read_text(encoding="utf-8").splitlines()[: len(gold)]
                gold_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            log(f"{row.name} / {set_name} ({len(gold)} records) ...")
            result = run_row_set(row, set_name, gold_path, gold, notes, work)
            set_kinds = kinds[set_name][: len(gold)] if kinds[set_name] is not None else None
            row_out["sets"][set_name] = figures(result, set_kinds)
            row_out["sets"][set_name]["records"] = len(gold)
            if "error" in result:
                log(f"  failed (exit {result['returncode']}):\n{result['error']}")
            else:
                report = result["report"]
                log(
                    f"  P {report.precision:.3f} R {report.recall:.3f} F0.5 {report.f05:.3f} "
                    f"damaged {report.damaged_words}  {_speed(row_out['sets'][set_name])} words/s"
                )
        results.append(row_out)

    stem = "benchmarks" + ("-quick" if args.quick else "") + ("-dev" if args.split == "dev" else "")
    data = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": machine(),
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "quick": args.quick,
        "split": args.split,
        "seed": args.seed,
        "sizes": sizes.__dict__,
        "sets": {
            name: {"records": len(g), "words": sum(words_in(r.spun) for r in g), "spun_words": _spun_words(g)}
            for name, g in golds.items()
        },
        "notes": {k: v for k, v in notes.items() if k not in PRIVATE_NOTES},
        "rows": results,
        "json_name": f"{stem}.json",
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / f"{stem}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    (args.out_dir / f"{stem}.md").write_text(render_markdown(data), encoding="utf-8")
    log(f"wrote {args.out_dir / (stem + '.md')} and {stem}.json in {data['seconds']:.0f} s")
    return 0


def _spun_words(gold: list[GoldRecord]) -> int:
    return evaluate_outputs(gold, [g.spun for g in gold]).spun_words


if __name__ == "__main__":
    raise SystemExit(main())
