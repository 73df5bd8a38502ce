"""Tune the inverted index's prior on the *dev* half: spin even-indexed documents, rank the true originals.

Each setting is built only for the spun forms of the sample (``build_index(only=...)``),
with the same priors as the full index, so a grid of settings runs in minutes. The
odd-indexed documents stay unseen (``benchmarks/proposer.py`` measures on them).

Usage::

    python tools/tune_prior.py CORPUS.jsonl... [--docs 25] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair import thesauri
from repair.inverse import all_links, build_index, key_of, settings
from repair.spin import spin_text


def sample(paths: list[Path], per_file: int, seed: int) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            taken = 0
            for index, line in enumerate(handle):
                if index % 2:
                    continue
                text = json.loads(line)["text"][:6000]
                spun = spin_text(text, seed=seed * 7919 + index, artifact_rate=0.0)
                pairs += [(s.spun, s.original) for s in spun.substitutions if s.kind in ("word", "phrase")]
                taken += 1
                if taken >= per_file:
                    break
    return pairs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--docs", type=int, default=25)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--grid", action="append", default=[], help="key=v1,v2,... (numbers)")
    args = ap.parse_args()
    pairs = sample(args.corpora, args.docs, args.seed)
    needed = {key_of(s) for s, _ in pairs}
    links = list(all_links(thesauri.available_sources()))
    grid = {k: [float(v) for v in vs.split(",")] for k, vs in (g.split("=", 1) for g in args.grid)}
    print(f"{len(pairs)} spun spans, {len(needed)} forms", file=sys.stderr)
    for values in itertools.product(*grid.values()):
        params = dict(settings())
        params.update(dict(zip(grid, values, strict=True)))
        index = build_index(links, params, only=needed)
        found = top10 = top1 = 0
        for spun, original in pairs:
            texts = [key_of(link.text) for link in index.lookup(spun)]
            want = key_of(original)
            if want in texts:
                found += 1
                pos = texts.index(want)
                top10 += pos < 10
                top1 += pos == 0
        n = len(pairs)
        label = " ".join(f"{k}={v}" for k, v in zip(grid, values, strict=True)) or "defaults"
        print(f"{label}: found {found / n:.1%} top10 {top10 / n:.1%} top1 {top1 / n:.1%}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
