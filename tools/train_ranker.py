"""Train the context detector's logistic model on synthetic spins of the dev half.

Only even-indexed documents of each corpus are read (the odd half is the
benchmark's held-out test split). Each document's opening paragraph(s) are spun
with :func:`repair.spin.spin_text`; every suspect span of the spun text is
featurised by :mod:`repair.context` exactly as at run time, and a (span,
candidate) pair is positive when the spinner put that span there in place of
that candidate. The documents are split again (by hash) into a fit part and a
calibration part; the calibration part gives the reliability table and the
precision/recall at thresholds printed at the end.

Five models and a weight are trained, each in its own run (the later ones keep the
earlier): stage one (the default run), the order model (``--order-only``), the
language-model stage (``--stage2-only``), the fast level's own stage one
(``--fast-only``), the best level's surprise gate (``--gate-only``) and the fast
level's weight for a document echo (``--fast-echo-only``). The shipped
``repair/data/ranker.json`` was made with::

    python tools/build_collocations.py ../shared/corpora/*.jsonl
    python tools/train_ranker.py ../shared/corpora/*.jsonl --docs-per-corpus 150 --seed 11
    python tools/train_ranker.py ../shared/corpora/*.jsonl --order-only --order-docs-per-corpus 60
    python tools/train_ranker.py ../shared/corpora/*.jsonl --stage2-only --stage2-docs-per-corpus 90 \
        --stage2-skip 100 --seed 23 --stage2-floor 0.2
    python tools/train_ranker.py ../shared/corpora/*.jsonl --fast-only --docs-per-corpus 150 --seed 11
    python tools/train_ranker.py ../shared/corpora/*.jsonl --gate-only --gate-docs-per-corpus 40 \
        --stage2-skip 100 --seed 23
    python tools/train_ranker.py ../shared/corpora/*.jsonl --fast-echo-only --docs-per-corpus 150 --seed 11

(each run records its settings under ``settings`` in the JSON).

Usage::

    python tools/train_ranker.py CORPUS.jsonl... [--docs-per-corpus 300] [--out repair/data/ranker.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from repair.config import Config
from repair.context import FEATURES, FeatureContext, context_toml, features, suspects
from repair.inverse import key_of
from repair.model import Document
from repair.models.collocations import default_collocations
from repair.resources import Resources
from repair.segment import make_doc
from repair.spin import SpunText, spin_text


def dev_texts(paths: list[Path], per_corpus: int, max_chars: int, skip: int = 0) -> list[tuple[str, str, str]]:
    """(id, text, whole text) of ``per_corpus`` even-indexed documents after ``skip``, cut at a sentence end."""
    out: list[tuple[str, str, str]] = []
    for path in paths:
        taken = seen = 0
        with path.open(encoding="utf-8") as handle:
            for i, line in enumerate(handle):
                if i % 2 or taken >= per_corpus:
                    continue
                seen += 1
                if seen <= skip:
                    continue
                record = json.loads(line)
                whole = text = record["text"]
                if len(text) > max_chars:
                    cut = text.rfind(". ", 0, max_chars)
                    text = text[: cut + 1] if cut > 200 else text[:max_chars]
                out.append((record["id"], text, whole))
                taken += 1
    return out


def spun_truth(spun: SpunText) -> dict[tuple[int, int], str]:
    """The original's key for each word or phrase the spinner swapped, by its character span in the spun text."""
    return {(s.spun_start, s.spun_end): key_of(s.original) for s in spun.substitutions if s.kind in ("word", "phrase")}


def unseen_context(doc: Document, whole: str) -> FeatureContext:
    """Features of ``doc`` as if its source document had not been counted into the collocation table.

    The table was counted over the same dev documents the models train on; at run
    time documents are new to it, so training must see the table without them.
    """
    return FeatureContext(doc, default_collocations().excluding(whole))


class SpunDocument(NamedTuple):
    """A dev text as training reads it: spun, as a document, with features that never saw it and the truth."""

    doc_id: str
    spun: SpunText
    doc: Document
    ctx: FeatureContext
    truth: dict[tuple[int, int], str]


def spun_documents(texts: list[tuple[str, str, str]], seed: int, rate: float) -> Iterator[SpunDocument]:
    """Each of ``texts`` (from :func:`dev_texts`) spun with its own seed, ``"{seed}:{id}"``, one at a time."""
    for doc_id, text, whole in texts:
        spun = spin_text(text, seed=f"{seed}:{doc_id}", rate=rate)
        doc = make_doc(spun.text)
        yield SpunDocument(doc_id, spun, doc, unseen_context(doc, whole), spun_truth(spun))


def featurise(texts: list[tuple[str, str, str]], seed: int, rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    res = Resources.for_config(Config())
    index, ngram = res.inverse_index, res.ngram_lm
    settings = context_toml()["context"]
    xs: list[list[float]] = []
    ys: list[int] = []
    groups: list[int] = []
    spun_spans = covered = 0
    for doc_no, (_, _, doc, ctx, truth) in enumerate(spun_documents(texts, seed, rate)):
        spun_spans += len(truth)
        found = set()
        for suspect in suspects(doc, index, int(settings["max-words"]), int(settings["max-candidates"])):
            want = truth.get((suspect.start, suspect.end))
            rows = features(ctx, suspect, ngram)
            for row, link in zip(rows, suspect.links, strict=True):
                label = int(want is not None and key_of(link.text) == want)
                if label:
                    found.add((suspect.start, suspect.end))
                xs.append(row)
                ys.append(label)
                groups.append(doc_no)
        covered += len(found)
    print(
        f"spun spans {spun_spans}, with the true original among the scored candidates {covered} "
        f"({covered / max(spun_spans, 1):.1%})",
        file=sys.stderr,
    )
    return np.array(xs, dtype=float), np.array(ys, dtype=int), np.array(groups, dtype=int)


def stage_one_rows(args: argparse.Namespace) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stage one's rows: (documents, features, labels, calibration mask, mean, scale).

    The documents are split by hash into a fit part and a calibration part (a
    quarter); the mean and scale standardise the features of the fit part. The
    linear stage one and the fast level's own model are fitted to the same rows.
    """
    started = time.time()
    texts = dev_texts(args.corpora, args.docs_per_corpus, args.max_chars)
    x, y, groups = featurise(texts, args.seed, args.rate)
    print(f"{len(texts)} documents, {len(y)} pairs, {y.sum()} positive, {time.time() - started:.0f} s", file=sys.stderr)
    calib = np.array([int(hashlib.sha256(str(g).encode()).hexdigest(), 16) % 4 == 0 for g in groups])
    mean = x[~calib].mean(axis=0)
    scale = x[~calib].std(axis=0)
    scale[scale == 0] = 1.0
    return len(texts), x, y, calib, mean, scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--docs-per-corpus", type=int, default=300)
    parser.add_argument("--max-chars", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("repair/data/ranker.json"))
    parser.add_argument("--order-only", action="store_true", help="keep both stages, (re)train the order model")
    parser.add_argument("--order-docs-per-corpus", type=int, default=100)
    parser.add_argument("--l2", type=float, default=1.0, help="order model: L2 penalty on standardised weights")
    parser.add_argument("--stage2-only", action="store_true", help="keep stage one, (re)train the LM stage")
    parser.add_argument(
        "--fast-only", action="store_true", help="keep the other models, (re)train the fast level's quadratic stage one"
    )
    parser.add_argument(
        "--fast-C", type=float, default=0.1, help="fast level: inverse L2 penalty of the quadratic model"
    )
    parser.add_argument(
        "--gate-only", action="store_true", help="keep the other models, (re)train the best level's surprise gate"
    )
    parser.add_argument("--gate-docs-per-corpus", type=int, default=40)
    parser.add_argument(
        "--fast-echo-only",
        action="store_true",
        help="keep the other models, (re)fit the fast level's log-odds for a candidate the document echoes",
    )
    parser.add_argument("--echo-docs-per-corpus", type=int, default=200)
    parser.add_argument("--stage2-docs-per-corpus", type=int, default=40)
    parser.add_argument(
        "--stage2-floor",
        type=float,
        default=None,
        help="stage-one probability from which suspects are LM-scored in training (default: context.toml)",
    )
    parser.add_argument(
        "--stage2-skip",
        type=int,
        default=None,
        help="dev documents per corpus to skip first (default: those stage one used)",
    )
    args = parser.parse_args(argv)
    if args.order_only:
        return train_order(args)
    if args.stage2_only:
        return train_stage2(args)
    if args.fast_only:
        return train_fast(args)
    if args.gate_only:
        return train_gate(args)
    if args.fast_echo_only:
        return train_fast_echo(args)

    from sklearn.linear_model import LogisticRegression

    documents, x, y, calib, mean, scale = stage_one_rows(args)
    model = LogisticRegression(C=args.C, max_iter=2000)
    model.fit((x[~calib] - mean) / scale, y[~calib])
    p = model.predict_proba((x[calib] - mean) / scale)[:, 1]
    report(p, y[calib])
    data = {
        "features": list(FEATURES),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "weights": model.coef_[0].round(6).tolist(),
        "bias": round(float(model.intercept_[0]), 6),
        "settings": {
            "trained_on": "even-indexed documents of the clean corpora, spun by repair.spin",
            "documents": documents,
            "pairs": len(y),
            "positives": int(y.sum()),
            "seed": args.seed,
            "rate": args.rate,
            "C": args.C,
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for name, w in zip(FEATURES, data["weights"], strict=True):
        print(f"  {name:15s} {w:+.3f}", file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def train_order(args: argparse.Namespace) -> int:
    """Fit the proposer's order (a conditional logit) on the stage-one documents.

    One group per spun span whose true original is among its first
    ``order-depth`` candidates; the loss is the negative log of the softmax
    probability of the true original within its group, so the model learns to
    rank candidates, not to detect spins. A quarter of the documents (by hash)
    is held back to report top-1 and top-10.
    """
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    from repair.context import ORDER_FEATURES, order_rows, suspect_at

    res = Resources.for_config(Config())
    index = res.inverse_index
    depth = int(context_toml()["context"]["order-depth"])
    texts = dev_texts(args.corpora, args.order_docs_per_corpus, args.max_chars)
    started = time.time()
    groups: list[tuple[np.ndarray, int, bool]] = []
    spun_spans = 0
    for doc_id, spun, doc, ctx, _ in spun_documents(texts, args.seed, args.rate):
        starts = {t.start: k for k, t in enumerate(doc.tokens)}
        ends = {t.end: k + 1 for k, t in enumerate(doc.tokens)}
        held = int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 4 == 0
        for sub in spun.substitutions:
            if sub.kind not in ("word", "phrase"):
                continue
            spun_spans += 1
            i, j = starts.get(sub.spun_start), ends.get(sub.spun_end)
            suspect = suspect_at(doc, index, i, j, depth) if i is not None and j is not None else None
            if suspect is None:
                continue
            want = key_of(sub.original)
            hits = [k for k, link in enumerate(suspect.links) if key_of(link.text) == want]
            if not hits:
                continue
            x = np.array(order_rows(doc, ctx, suspect, res), dtype=float)
            groups.append((x, hits[0], held))
    fit = [g for g in groups if not g[2]]
    test = [g for g in groups if g[2]]
    print(
        f"order: {len(texts)} documents, {spun_spans} spun spans, {len(groups)} with the original among "
        f"the first {depth} candidates, {time.time() - started:.0f} s",
        file=sys.stderr,
    )
    stacked = np.vstack([x for x, _, _ in fit])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale == 0] = 1.0
    fit_z = [((x - mean) / scale, pos) for x, pos, _ in fit]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = args.l2 * float(w @ w), 2 * args.l2 * w
        for z, pos in fit_z:
            s = z @ w
            lse = logsumexp(s)
            p = np.exp(s - lse)
            total -= s[pos] - lse
            grad = grad - (z[pos] - p @ z)
        return total, grad

    w = minimize(loss, np.zeros(len(ORDER_FEATURES)), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x

    def top(groups_: list[tuple[np.ndarray, int, bool]], k: int) -> float:
        hit = sum(pos in np.argsort(-(((x - mean) / scale) @ w), kind="stable")[:k] for x, pos, _ in groups_)
        return hit / max(len(groups_), 1)

    for name, part in (("fit", fit), ("held back", test)):
        prior10 = sum(pos < 10 for _, pos, _ in part) / max(len(part), 1)
        print(
            f"  {name}: {len(part)} groups, top-1 {top(part, 1):.3f}, top-10 {top(part, 10):.3f} "
            f"(prior alone top-10 {prior10:.3f})",
            file=sys.stderr,
        )
    data = json.loads(args.out.read_text(encoding="utf-8"))
    data["order"] = {
        "features": list(ORDER_FEATURES),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "weights": w.round(6).tolist(),
        "settings": {
            "trained_on": "even-indexed documents of the clean corpora, spun by repair.spin",
            "documents": len(texts),
            "groups": len(groups),
            "depth": depth,
            "seed": args.seed,
            "rate": args.rate,
            "l2": args.l2,
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for name, weight in zip(ORDER_FEATURES, data["order"]["weights"], strict=True):
        print(f"  {name:15s} {weight:+.3f}", file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def train_fast(args: argparse.Namespace) -> int:
    """Fit the fast level's stage one: a logistic model over the standardised features and their pairwise products.

    The same rows as stage one (same documents, seed and rate). The fast level has no
    language model to sharpen stage one's view, and the linear model cannot say that a
    3-gram margin means more for a rare word than for a common one; the products can.
    The fast level averages the two models' log-odds (:meth:`ContextModel.fast_probability`),
    and the report is of that average.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import PolynomialFeatures

    from repair.context import ContextModel

    data = json.loads(args.out.read_text(encoding="utf-8"))
    documents, x, y, calib, mean, scale = stage_one_rows(args)
    expand = PolynomialFeatures(2, include_bias=False)
    z = expand.fit_transform((x[~calib] - mean) / scale)
    mean2 = z.mean(axis=0)
    scale2 = z.std(axis=0)
    scale2[scale2 == 0] = 1.0
    model = LogisticRegression(C=args.fast_C, max_iter=3000)
    model.fit((z - mean2) / scale2, y[~calib])
    # The second standardisation folded into the weights: one dot product per row.
    weights = model.coef_[0] / scale2
    bias = float(model.intercept_[0] - (model.coef_[0] * mean2 / scale2).sum())
    n = len(FEATURES)
    data["fast"] = {
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "linear": weights[:n].round(8).tolist(),
        "quadratic": weights[n:].round(8).tolist(),
        "bias": round(bias, 8),
        "settings": {
            "trained_on": "the rows of stage one (same documents, seed and rate)",
            "documents": documents,
            "pairs": len(y),
            "positives": int(y.sum()),
            "seed": args.seed,
            "rate": args.rate,
            "C": args.fast_C,
        },
    }
    # What the fast level uses: the mean of this model's and stage one's log-odds.
    fitted = ContextModel.from_dict(data)
    p = np.array([fitted.fast_probability(row) for row in x[calib]])
    report(p, y[calib])
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _offset_logistic(z: np.ndarray, e: np.ndarray, y: np.ndarray, steps: int = 50) -> tuple[float, float]:
    """Fit ``P(y) = sigmoid(z + w * e + b)`` with ``z`` a fixed offset (Newton's method): ``(w, b)``."""
    w = b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z + w * e + b)))
        g = np.array([((y - p) * e).sum(), (y - p).sum()])
        v = p * (1.0 - p)
        h = np.array([[(v * e * e).sum(), (v * e).sum()], [(v * e).sum(), v.sum()]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        w, b = w + float(step[0]), b + float(step[1])
        if np.abs(step).max() < 1e-8:
            break
    return w, b


def train_fast_echo(args: argparse.Namespace) -> int:
    """Fit the fast level's weight for a document echo, on documents after stage one's.

    Every candidate row of the suspects the fast level scores (spun documents, the
    spinner's seed and rate) with its log-odds, whether the document echoes the
    candidate (:meth:`FeatureContext.echoes`) and whether it is the original. The
    weight is fitted with the fast level's log-odds as a fixed offset, so it only
    says how much an echo adds. It is fitted on every other document and judged on
    the rest at the fast level's bars, then fitted on all of them.
    """
    from repair.context import ContextModel, score_suspects

    data = json.loads(args.out.read_text(encoding="utf-8"))
    model = ContextModel.from_dict({k: v for k, v in data.items() if k != "fast_echo"})
    res = Resources.for_config(Config(quality="fast"))
    floor = float(context_toml()["context"]["fast-gate"])
    texts = dev_texts(args.corpora, args.echo_docs_per_corpus, args.max_chars, skip=args.docs_per_corpus)
    zs, es, ys, docs = [], [], [], []
    started = time.time()
    for doc_no, (_, _, doc, ctx, truth) in enumerate(spun_documents(texts, args.seed, args.rate)):
        for suspect, scored in score_suspects(doc, res, ctx, model, floor=floor):
            want = truth.get((suspect.start, suspect.end))
            for p, _, link in scored:
                zs.append(float(np.log(max(p, 1e-12) / max(1.0 - p, 1e-12))))
                es.append(float(ctx.echoes(suspect.i, suspect.j, key_of(link.text).split())))
                ys.append(int(want == key_of(link.text)))
                docs.append(doc_no)
    z, e, y, doc_of = np.array(zs), np.array(es), np.array(ys), np.array(docs)
    print(
        f"fast echo: {len(texts)} documents, {len(y)} candidate rows, {int(y.sum())} originals, "
        f"{int(e.sum())} echoed ({int(y[e == 1].sum())} of them originals), {time.time() - started:.0f} s",
        file=sys.stderr,
    )
    fit_half = doc_of % 2 == 0
    w_half, _ = _offset_logistic(z[fit_half], e[fit_half], y[fit_half])
    print(
        f"  fitted on half the documents: weight {w_half:.3f}; the other half, right / wrong at a bar:",
        file=sys.stderr,
    )
    judged = ~fit_half
    for bar in (0.8, 0.92):
        cut = np.log(bar / (1 - bar))
        for name, weight in (("without", 0.0), ("with", w_half)):
            over = judged & (z + weight * e >= cut)
            print(f"    {bar:.2f} {name} the echo: {int(y[over].sum())} / {int((1 - y[over]).sum())}", file=sys.stderr)
    weight, bias = _offset_logistic(z, e, y)
    data["fast_echo"] = {
        "weight": round(weight, 6),
        "settings": {
            "documents": len(texts),
            "rows": len(y),
            "echoed": int(e.sum()),
            "skip": args.docs_per_corpus,
            "seed": args.seed,
            "rate": args.rate,
            "bias_left_out": round(bias, 6),
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"fast echo weight {weight:.3f} (bias {bias:.3f}, left out); wrote {args.out}", file=sys.stderr)
    return 0


def train_stage2(args: argparse.Namespace) -> int:
    """Fit the LM stage on documents the first stage never saw (after its documents)."""
    from sklearn.linear_model import LogisticRegression

    from repair.context import STAGE2_FEATURES, ContextModel, drops_words, rescore, score_suspects

    data = json.loads(args.out.read_text(encoding="utf-8"))
    # The stage being retrained may have been fitted on other features: load without it.
    model = ContextModel.from_dict({k: v for k, v in data.items() if k not in ("stage2", "stage2_features")})
    res = Resources.for_config(Config())
    settings = context_toml()["context"]
    floor = float(settings["stage2-floor"]) if args.stage2_floor is None else args.stage2_floor
    skip = args.docs_per_corpus if args.stage2_skip is None else args.stage2_skip
    texts = dev_texts(args.corpora, args.stage2_docs_per_corpus, args.max_chars, skip=skip)
    xs, ys = [], []
    deletions: list[bool] = []
    started = time.time()
    for _, _, doc, ctx, truth in spun_documents(texts, args.seed, args.rate):
        for suspect, scored in score_suspects(doc, res, ctx, model):
            if scored[0][0] < floor:
                continue
            again = rescore(doc, ctx, suspect, scored, res, model)
            xs.append(list(again.features))
            ys.append(int(truth.get((suspect.start, suspect.end)) == key_of(again.ranked[0][2].text)))
            deletions.append(drops_words(suspect.text, again.ranked[0][2].text))
    x, y = np.array(xs), np.array(ys)
    print(
        f"stage 2: {len(texts)} documents, {len(y)} suspects, {y.sum()} right, {time.time() - started:.0f} s",
        file=sys.stderr,
    )
    half = np.arange(len(y)) % 2 == 0
    model = LogisticRegression(C=args.C, max_iter=2000).fit(x[half], y[half])
    report(model.predict_proba(x[~half])[:, 1], y[~half])
    model = LogisticRegression(C=args.C, max_iter=2000).fit(x, y)
    # Candidates that only drop words of the span: how often the confident ones are right.
    p = model.predict_proba(x)[:, 1]
    for name, mask in (("drops words", np.array(deletions)), ("other", ~np.array(deletions))):
        sure = mask & (p >= 0.8)
        print(
            f"  {name}: {int(mask.sum())} suspects; at confidence >= 0.8: {int(sure.sum())}, "
            f"right {y[sure].mean() if sure.any() else float('nan'):.3f}",
            file=sys.stderr,
        )
    data["stage2_features"] = list(STAGE2_FEATURES)
    data["stage2"] = [round(float(model.intercept_[0]), 6), *model.coef_[0].round(6).tolist()]
    data["settings"]["stage2"] = {
        "documents": len(texts),
        "suspects": len(y),
        "right": int(y.sum()),
        "seed": args.seed,
        "skip": skip,
        "floor": floor,
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"stage 2 weights {data['stage2']}; wrote {args.out}", file=sys.stderr)
    return 0


def train_gate(args: argparse.Namespace) -> int:
    """Fit the surprise gate on the suspects under stage two's floor, in spun documents and their clean originals.

    A row is positive when the span is a spin whose original is among its candidates
    (the language model can only restore what it is offered). The clean originals
    are there to count what the gate lets through in clean text; the table printed
    at the end (cross-fitted by document) is what ``surprise-gate`` is chosen from.
    """
    from sklearn.linear_model import LogisticRegression

    from repair.context import GATE_FEATURES, ContextModel, score_suspects, surprise_features, with_sentence_probes

    data = json.loads(args.out.read_text(encoding="utf-8"))
    model = ContextModel.from_dict({k: v for k, v in data.items() if k != "gate"})
    res = Resources.for_config(Config())
    settings = context_toml()["context"]
    floor, low = float(settings["stage2-floor"]), float(settings["surprise-gate-floor"])
    skip = args.docs_per_corpus if args.stage2_skip is None else args.stage2_skip
    texts = dev_texts(args.corpora, args.gate_docs_per_corpus, args.max_chars, skip=skip)
    xs, ys, clean, above, docs = [], [], [], [], []
    started = time.time()
    for doc_no, (doc_id, text, whole) in enumerate(texts):
        spun = spin_text(text, seed=f"{args.seed}:{doc_id}", rate=args.rate)
        truth = spun_truth(spun)
        for is_clean, body in ((False, spun.text), (True, text)):
            doc = make_doc(body)
            found = score_suspects(doc, res, unseen_context(doc, whole), model, floor=low)
            for suspect, scored, probes in with_sentence_probes(doc, found):
                p1 = scored[0][0]
                want = None if is_clean else truth.get((suspect.start, suspect.end))
                reach = int(want is not None and any(key_of(link.text) == want for link in suspect.links))
                if p1 >= floor:
                    above.append((is_clean, reach))
                    continue
                xs.append(surprise_features(doc, suspect, p1, res, probes))
                ys.append(reach)
                clean.append(is_clean)
                docs.append(doc_no)
    x, y, is_clean_row, group = np.array(xs), np.array(ys), np.array(clean), np.array(docs)
    print(
        f"gate: {len(texts)} documents, {len(y)} suspects under {floor}, {y.sum()} reachable spins, "
        f"{time.time() - started:.0f} s",
        file=sys.stderr,
    )
    folds = group % 5
    p = np.zeros(len(y))
    for k in range(5):
        fit = LogisticRegression(C=args.C, max_iter=5000).fit(x[folds != k], y[folds != k])
        p[folds == k] = fit.predict_proba(x[folds == k])[:, 1]
    clean_above = sum(1 for c, _ in above if c)
    reach_above = sum(r for c, r in above if not c)
    print(
        f"  at or over the floor: {clean_above} clean suspects, {reach_above} reachable spins; "
        "bar, then what the gate adds (cross-fitted):",
        file=sys.stderr,
    )
    for bar in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
        passed = p >= bar
        print(
            f"    {bar:.2f}: +{int((passed & is_clean_row).sum())} clean, "
            f"+{int((passed & (y == 1)).sum())} reachable spins",
            file=sys.stderr,
        )
    fit = LogisticRegression(C=args.C, max_iter=5000).fit(x, y)
    data["gate"] = {
        "features": list(GATE_FEATURES),
        "weights": fit.coef_[0].round(6).tolist(),
        "bias": round(float(fit.intercept_[0]), 6),
        "settings": {
            "documents": len(texts),
            "suspects": len(y),
            "reachable": int(y.sum()),
            "seed": args.seed,
            "skip": skip,
            "floor": low,
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"gate weights {data['gate']['weights']}, bias {data['gate']['bias']}; wrote {args.out}", file=sys.stderr)
    return 0


def report(p: np.ndarray, y: np.ndarray) -> None:
    """Reliability table and pair-level precision/recall at thresholds (calibration part)."""
    print("reliability (calibration part): bin, pairs, mean predicted, observed", file=sys.stderr)
    bins = np.linspace(0, 1, 11)
    for lo, hi in itertools.pairwise(bins):
        mask = (p >= lo) & (p < hi if hi < 1 else p <= hi)
        if mask.sum():
            print(
                f"  [{lo:.1f}, {hi:.1f})  {mask.sum():7d}  {p[mask].mean():.3f}  {y[mask].mean():.3f}", file=sys.stderr
            )
    for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / max(pred.sum(), 1)
        rec = tp / max((y == 1).sum(), 1)
        print(f"  threshold {t:.2f}: precision {prec:.3f} recall {rec:.3f} flagged {int(pred.sum())}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
