"""Train the context detector's logistic model on synthetic spins of the dev half.

Only even-indexed documents of each corpus are read (the odd half is the
benchmark's held-out test split). Each document's opening paragraph(s) are spun
with :func:`repair.spin.spin_text`; every suspect span of the spun text is
featurised by :mod:`repair.context` exactly as at run time, and a (span,
candidate) pair is positive when the spinner put that span there in place of
that candidate. The documents are split again (by hash) into a fit part and a
calibration part; the calibration part gives the reliability table and the
precision/recall at thresholds printed at the end.

Usage::

    python tools/train_ranker.py CORPUS.jsonl... [--docs-per-corpus 300] [--out repair/data/ranker.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from repair.config import Config
from repair.context import FEATURES, FeatureContext, _settings, features, suspects
from repair.inverse import key_of
from repair.resources import Resources
from repair.segment import make_doc
from repair.spin import spin_text


def dev_texts(paths: list[Path], per_corpus: int, max_chars: int, skip: int = 0) -> list[tuple[str, str]]:
    """(id, text) of ``per_corpus`` even-indexed documents after ``skip``, cut at a sentence end."""
    out: list[tuple[str, str]] = []
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
                text = record["text"]
                if len(text) > max_chars:
                    cut = text.rfind(". ", 0, max_chars)
                    text = text[: cut + 1] if cut > 200 else text[:max_chars]
                out.append((record["id"], text))
                taken += 1
    return out


def featurise(texts: list[tuple[str, str]], seed: int, rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    res = Resources.for_config(Config())
    index, ngram = res.inverse_index, res.ngram_lm
    settings = _settings()["context"]
    xs: list[list[float]] = []
    ys: list[int] = []
    groups: list[int] = []
    spun_spans = covered = 0
    for doc_no, (doc_id, text) in enumerate(texts):
        spun = spin_text(text, seed=f"{seed}:{doc_id}", rate=rate)
        truth = {
            (s.spun_start, s.spun_end): key_of(s.original) for s in spun.substitutions if s.kind in ("word", "phrase")
        }
        spun_spans += len(truth)
        doc = make_doc(spun.text)
        ctx = FeatureContext(doc)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--docs-per-corpus", type=int, default=300)
    parser.add_argument("--max-chars", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("repair/data/ranker.json"))
    parser.add_argument("--stage2-only", action="store_true", help="keep stage one, (re)train the LM stage")
    parser.add_argument("--stage2-docs-per-corpus", type=int, default=40)
    parser.add_argument(
        "--stage2-skip",
        type=int,
        default=None,
        help="dev documents per corpus to skip first (default: those stage one used)",
    )
    args = parser.parse_args(argv)
    if args.stage2_only:
        return train_stage2(args)

    from sklearn.linear_model import LogisticRegression

    started = time.time()
    texts = dev_texts(args.corpora, args.docs_per_corpus, args.max_chars)
    x, y, groups = featurise(texts, args.seed, args.rate)
    print(f"{len(texts)} documents, {len(y)} pairs, {y.sum()} positive, {time.time() - started:.0f} s", file=sys.stderr)
    calib = np.array([int(hashlib.sha256(str(g).encode()).hexdigest(), 16) % 4 == 0 for g in groups])
    mean = x[~calib].mean(axis=0)
    scale = x[~calib].std(axis=0)
    scale[scale == 0] = 1.0
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
            "documents": len(texts),
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


def train_stage2(args: argparse.Namespace) -> int:
    """Fit the LM stage on documents the first stage never saw (after its documents)."""
    from sklearn.linear_model import LogisticRegression

    from repair.context import STAGE2_FEATURES, default_model, lm_scores, score_suspects, stage2_features

    data = json.loads(args.out.read_text(encoding="utf-8"))
    default_model.cache_clear()
    res = Resources.for_config(Config())
    settings = _settings()["context"]
    floor, top_k = float(settings["stage2-floor"]), int(settings["stage2-candidates"])
    skip = args.docs_per_corpus if args.stage2_skip is None else args.stage2_skip
    texts = dev_texts(args.corpora, args.stage2_docs_per_corpus, args.max_chars, skip=skip)
    xs, ys, p1s = [], [], []
    started = time.time()
    for doc_id, text in texts:
        spun = spin_text(text, seed=f"{args.seed}:{doc_id}", rate=args.rate)
        truth = {
            (s.spun_start, s.spun_end): key_of(s.original) for s in spun.substitutions if s.kind in ("word", "phrase")
        }
        doc = make_doc(spun.text)
        for suspect, scored in score_suspects(doc, res):
            if scored[0][0] < floor:
                continue
            fillers = [suspect.text, *(link.text for _, _, link in scored[:top_k])]
            lm = lm_scores(doc, suspect, fillers, res)
            order = sorted(range(1, len(fillers)), key=lambda k: -lm[k])
            best = scored[order[0] - 1]
            xs.append(stage2_features(best[0], [lm[0], *(lm[k] for k in order)]))
            ys.append(int(truth.get((suspect.start, suspect.end)) == key_of(best[2].text)))
            p1s.append(scored[0][0])
    x, y = np.array(xs), np.array(ys)
    print(
        f"stage 2: {len(texts)} documents, {len(y)} suspects, {y.sum()} right, {time.time() - started:.0f} s",
        file=sys.stderr,
    )
    half = np.arange(len(y)) % 2 == 0
    model = LogisticRegression(C=args.C, max_iter=2000).fit(x[half], y[half])
    report(model.predict_proba(x[~half])[:, 1], y[~half])
    model = LogisticRegression(C=args.C, max_iter=2000).fit(x, y)
    data["stage2_features"] = list(STAGE2_FEATURES)
    data["stage2"] = [round(float(model.intercept_[0]), 6), *model.coef_[0].round(6).tolist()]
    data["settings"]["stage2"] = {
        "documents": len(texts),
        "suspects": len(y),
        "right": int(y.sum()),
        "seed": args.seed,
        "skip": skip,
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"stage 2 weights {data['stage2']}; wrote {args.out}", file=sys.stderr)
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
