"""Benchmark of the candidate proposer (issue 5): recall of true originals, candidates per word, speed.

Spins the *odd-indexed* (held-out) documents of ``../shared/corpora/*.jsonl``
with the synthetic spinner (``repair.spin``), then asks the proposer for
candidates on exactly each spun span and checks whether the true original is
among them, among the first 10 by the thesaurus prior alone, and among the
first 10 once the order model (3-gram and sentence-encoder features, see
:func:`repair.context.order_candidates`) has ranked the form's candidates in
their sentence. Artifact substitutions (contractions,
braces, spintax, doubled words, broken names) are asked of the artifact rules.
Also reports the mean number of inverse candidates per word of running text and
the look-up speed alone (``has`` + ``lookup`` per token, index already loaded):
from an empty cache for the first 10 candidates (what a caller ranks) and for
every candidate, and warm.

Usage::

    python benchmarks/proposer.py [--corpora DIR] [--docs N] [--seed S] [--out reports/proposer.md]

A second table compares the *rankers* (issue 6) on a sample of those spans:
how often each configuration puts the original first, and its time per span.
"3-gram" is stage one's probability, "embeddings" the sentence encoder's
margin alone, "language model" SmolLM2's sentence log-probability alone, all
over the same candidates; then two partial pipelines (stage one's top
``stage2-candidates`` re-scored by the language model; the order model alone);
"combined" is what the detector does at ``quality = "best"``: the order model
(3-gram and encoder features) over ``order-depth`` candidates, then the
language model on its top ``stage2-candidates``. Sampled spans have their
original among the first ``order-depth`` candidates; top 1 is also given over
those whose original is among the first ``max-candidates``.

Timing figures are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.artifacts import detect_artifacts
from repair.config import Config
from repair.context import (
    ContextModel,
    FeatureContext,
    Suspect,
    context_toml,
    default_model,
    embedding_margins,
    lm_scores,
    order_candidates,
    order_in_context,
    rank_links,
    suspect_at,
)
from repair.inverse import default_index, key_of
from repair.model import Document
from repair.propose import thesaurus_candidates
from repair.resources import Resources
from repair.segment import make_doc

ROOT = Path(__file__).resolve().parents[1]


def held_out(corpora: Path, per_file: int) -> list[tuple[str, str]]:
    """(id, text) of the first ``per_file`` odd-indexed documents of each corpus."""
    docs: list[tuple[str, str]] = []
    for path in sorted(corpora.glob("*.jsonl")):
        taken = 0
        with path.open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index % 2 == 0:
                    continue
                record = json.loads(line)
                text = record["text"]
                if path.stem == "sotu":  # one address is ~8,000 words: take a slice
                    text = text[:6000]
                docs.append((record["id"], text))
                taken += 1
                if taken >= per_file:
                    break
    return docs


def same(a: str, b: str) -> bool:
    return key_of(a) == key_of(b)


# A ranker maps a suspect (with its first candidates by prior) in its document to
# the candidates' texts, its favourite first.
def rank_prior(doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel) -> list[str]:
    return [link.text for link in suspect.links]


def rank_ngram(doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel) -> list[str]:
    return [link.text for _, _, link in rank_links(ctx, suspect, res.ngram_lm, model)]


def rank_embeddings(
    doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel
) -> list[str]:
    margins = embedding_margins(doc, suspect, res)
    return [link.text for _, link in sorted(zip(margins, suspect.links, strict=True), key=lambda m: -m[0])]


def _by_lm(doc: Document, suspect: Suspect, res: Resources, texts: list[str]) -> list[str]:
    """``texts`` in the order of the causal LM's score for the sentence with each in place."""
    scores = lm_scores(doc, suspect, texts, res)
    return [text for _, text in sorted(zip(scores, texts, strict=True), key=lambda m: -m[0])]


def _lm_reorders_top(doc: Document, suspect: Suspect, res: Resources, ordered: list[str]) -> list[str]:
    """The first ``stage2-candidates`` of ``ordered`` re-ranked by the LM, the rest as they were."""
    k = int(context_toml()["context"]["stage2-candidates"])
    return _by_lm(doc, suspect, res, ordered[:k]) + ordered[k:]


def rank_lm(doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel) -> list[str]:
    return _by_lm(doc, suspect, res, [link.text for link in suspect.links])


def rank_order(doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel) -> list[str]:
    return [link.text for _, _, link in order_in_context(doc, ctx, suspect, res, model.order)]


def rank_ngram_lm(
    doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel
) -> list[str]:
    return _lm_reorders_top(doc, suspect, res, rank_ngram(doc, ctx, suspect, res, model))


def rank_combined(
    doc: Document, ctx: FeatureContext, suspect: Suspect, res: Resources, model: ContextModel
) -> list[str]:
    return _lm_reorders_top(doc, suspect, res, rank_order(doc, ctx, suspect, res, model))


RANKERS = (
    ("thesaurus prior (no context)", "first candidates by prior", rank_prior),
    ("3-gram only (stage one)", "first candidates by prior", rank_ngram),
    ("embeddings only (MiniLM margin)", "first candidates by prior", rank_embeddings),
    ("small LM only (SmolLM2)", "first candidates by prior", rank_lm),
    ("3-gram, then the LM on its top ones", "first candidates by prior", rank_ngram_lm),
    ("order model (3-gram + MiniLM), no LM", "`order-depth` candidates by prior", rank_order),
    ('combined (default, `quality = "best"`)', "order model over `order-depth`, LM on its top ones", rank_combined),
)


def ranker_table(samples: list[tuple[Document, FeatureContext, Suspect, str]], res: Resources) -> list[str]:
    """Top-1 and top-3 accuracy and time per span of each ranker configuration.

    Every sampled span's original is among its first ``order-depth`` candidates;
    ``suspect`` carries the first ``max-candidates`` of them, and top 1 is also
    given over the spans whose original is among those.
    """
    model = default_model()
    if model is None or model.order is None:
        return ["(no trained ranker: run tools/train_ranker.py)"]
    width = len(samples[0][2].links) if samples else 0
    near = [any(same(link.text, original) for link in suspect.links) for _, _, suspect, original in samples]
    lines = [
        f"| ranker | candidates | top 1 | top 3 | top 1, original in the first {width} | ms per span |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, pool, ranker in RANKERS:
        # Warm the models outside the clock (model load is measured end to end in run.py).
        doc, ctx, suspect, _ = samples[0]
        ranker(doc, ctx, suspect, res, model)
        # Cold caches: the spans were encoded for the table above, and rankers share fillers.
        res.encoder.clear_cache()
        res.causal_lm.clear_cache()
        top1 = top3 = top1_near = 0
        t0 = time.perf_counter()
        for (doc, ctx, suspect, original), is_near in zip(samples, near, strict=True):
            ranked = ranker(doc, ctx, suspect, res, model)
            first = bool(ranked) and same(ranked[0], original)
            top1 += first
            top1_near += first and is_near
            top3 += any(same(c, original) for c in ranked[:3])
        ms = (time.perf_counter() - t0) * 1000 / len(samples)
        n = len(samples)
        lines.append(
            f"| {name} | {pool} | {top1 / n:.1%} | {top3 / n:.1%} | {top1_near / max(sum(near), 1):.1%} | {ms:.1f} |"
        )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--docs", type=int, default=60, help="held-out documents per corpus file")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="also write a markdown report here")
    ap.add_argument("--ranker-spans", type=int, default=400, help="spans sampled for the ranker table (0: skip)")
    args = ap.parse_args()

    from repair.spin import spin_text

    t0 = time.perf_counter()
    index = default_index()
    load_s = time.perf_counter() - t0
    if index is None:
        print("no thesaurus installed", file=sys.stderr)
        return 2
    docs = held_out(args.corpora, args.docs)

    model = default_model()
    order = model.order if model is not None else None
    res = Resources.for_config(Config())
    depth = int(context_toml()["context"]["order-depth"])
    found_any: Counter[str] = Counter()
    found_top: Counter[str] = Counter()
    found_context: Counter[str] = Counter()
    total: Counter[str] = Counter()
    ranks: list[int] = []
    misses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    spun_texts: list[str] = []
    width = int(context_toml()["context"]["max-candidates"])
    ranker_samples: list[tuple[Document, FeatureContext, Suspect, str]] = []
    for n, (_doc_id, text) in enumerate(docs):
        spun = spin_text(text, seed=args.seed * 100_003 + n)
        spun_texts.append(spun.text)
        artifact_hints: dict[tuple[int, int], list[str]] | None = None
        doc = make_doc(spun.text)
        ctx = FeatureContext(doc)
        starts = {t.start: k for k, t in enumerate(doc.tokens)}
        ends = {t.end: k + 1 for k, t in enumerate(doc.tokens)}
        for sub in spun.substitutions:
            kind = sub.kind
            total[kind] += 1
            in_context: list[str] | None = None
            if kind in ("word", "phrase"):
                cands = [c.text for c in thesaurus_candidates(index, sub.spun)]
                i, j = starts.get(sub.spun_start), ends.get(sub.spun_end)
                suspect = suspect_at(doc, index, i, j, depth) if i is not None and j is not None else None
                if order is not None and suspect is not None:
                    in_context = [link.text for _, _, link in order_candidates(doc, ctx, suspect, res, order)]
                    narrow = suspect_at(doc, index, suspect.i, suspect.j, width)
                    if narrow is not None and any(same(c, sub.original) for c in in_context):
                        ranker_samples.append((doc, ctx, narrow, sub.original))
            else:
                if artifact_hints is None:
                    artifact_hints = {}
                    for span in detect_artifacts(make_doc(spun.text)):
                        artifact_hints.setdefault((span.start, span.end), []).extend(h.text for h in span.hints)
                cands = []
                for (s, e), texts in sorted(artifact_hints.items()):
                    if s <= sub.spun_start and sub.spun_end <= e:
                        # Judge the hint on the whole window it rewrites.
                        expected = spun.text[s : sub.spun_start] + sub.original + spun.text[sub.spun_end : e]
                        cands += [sub.original if same(t, expected) else t for t in texts]
            position = next((i for i, c in enumerate(cands) if same(c, sub.original)), None)
            if position is None:
                if len(misses[kind]) < 12:
                    misses[kind].append((sub.spun, sub.original))
                continue
            found_any[kind] += 1
            ranks.append(position)
            if position < 10:
                found_top[kind] += 1
            ordered = cands if in_context is None else in_context
            if any(same(c, sub.original) for c in ordered[:10]):
                found_context[kind] += 1

    # Candidates per word and look-up speed over the spun running text.
    norms = [t.norm for text in spun_texts for t in make_doc(text).tokens]
    n_cands = sum(index.count(norm) for norm in norms)
    index._cache.clear()
    t0 = time.perf_counter()
    for norm in norms:
        if index.has(norm):
            index.lookup(norm, 10)
    cold_top_s = time.perf_counter() - t0
    index._cache.clear()
    t0 = time.perf_counter()
    for norm in norms:
        if index.has(norm):
            index.lookup(norm)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for norm in norms:
        if index.has(norm):
            index.lookup(norm)
    warm_s = time.perf_counter() - t0

    all_total = sum(total.values())
    lines = [
        "# Proposer benchmark",
        "",
        f"- commit `{_commit()}`, {time.strftime('%Y-%m-%d')}, {platform.machine()} "
        f"({platform.python_version()}); timings are noisy on a shared 2-core machine",
        f"- held-out docs: {len(docs)} (odd-indexed, first {args.docs} per corpus file), seed {args.seed}",
        f"- index: {len(index):,} spun forms, loaded in {load_s:.2f} s (first run builds it)",
        "",
        f"- in context: the first {depth} candidates by prior, ranked by the order model in the spun "
        "sentence (3-gram and sentence-encoder features); artifact rows have one ordering (the rules')",
        "",
        "| kind | spans | original among candidates | in top 10 by prior | in top 10 in context |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in sorted(total):
        lines.append(
            f"| {kind} | {total[kind]} | {found_any[kind] / total[kind]:.1%} | {found_top[kind] / total[kind]:.1%} "
            f"| {found_context[kind] / total[kind]:.1%} |"
        )
    lines.append(
        f"| **all** | {all_total} | {sum(found_any.values()) / all_total:.1%} | "
        f"{sum(found_top.values()) / all_total:.1%} | {sum(found_context.values()) / all_total:.1%} |"
    )
    lines += [
        "",
        f"- mean inverse candidates per word of running text: {n_cands / len(norms):.1f} "
        f"({sum(index.has(x) for x in norms) / len(norms):.1%} of words have any)",
        f"- look-up speed (has + lookup per token, {len(norms):,} words): from an empty cache "
        f"{len(norms) / cold_top_s:,.0f} words/s for the first 10 candidates, "
        f"{len(norms) / cold_s:,.0f} words/s for all of them; {len(norms) / warm_s:,.0f} words/s warm",
        "",
        "## Rankers (issue 6)",
        "",
    ]
    if args.ranker_spans and ranker_samples:
        step = max(1, len(ranker_samples) // args.ranker_spans)
        sample = ranker_samples[::step][: args.ranker_spans]
        lines += [
            f"{len(sample)} spun word and phrase spans (every {step}th of the {len(ranker_samples)} whose "
            f'original is among their first {depth} candidates by prior). Rankers marked "first candidates" '
            f"see only the first {width}, so they cannot find an original further down; the column "
            f'"original in the first {width}" compares them all on the spans where they can. Top 1 is what '
            "an edit writes; times are from cold caches, models loaded.",
            "",
            *ranker_table(sample, res),
            "",
        ]
    lines += [
        "## Examples of misses (spun -> original)",
        "",
    ]
    for kind, items in sorted(misses.items()):
        lines.append(f"- {kind}: " + "; ".join(f"{s!r} -> {o!r}" for s, o in items))
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
