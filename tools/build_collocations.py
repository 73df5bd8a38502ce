"""Build ``repair/data/collocations.tsv``: word pairs of clean prose and in how many documents each occurs.

Only the *dev* half of the clean corpora is read (documents with an even index in
each file); the odd half is the benchmark's held-out test split. Pairs are the
segmenter's joined word pairs (:func:`repair.models.collocations.pair_keys`);
pairs found in fewer than ``--min-df`` documents are dropped, which keeps the
file small and leaves out one-off phrases. Only counts are written, no prose.

Usage::

    python tools/build_collocations.py CORPUS.jsonl... [--min-df 2] [--out repair/data/collocations.tsv]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.models.collocations import pair_keys
from tools.build_multiword import CORPUS_NOTE


def count_pairs(paths: list[Path]) -> tuple[Counter[str], int]:
    """Document frequency of every joined word pair in the even-indexed documents, and the documents read."""
    df: Counter[str] = Counter()
    documents = 0
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index % 2:
                    continue
                df.update(pair_keys(json.loads(line)["text"]))
                documents += 1
    return df, documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--min-df", type=int, default=2)
    default_out = Path(__file__).resolve().parents[1] / "repair/data/collocations.tsv"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    df, documents = count_pairs(args.corpora)
    kept = sorted(k for k, n in df.items() if n >= args.min_df)
    with args.out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            "# Word pairs of clean prose and the number of documents each occurs in, for the context\n"
            f"# detector's collocation features. Counted by tools/build_collocations.py over the {CORPUS_NOTE}.\n"
            "# Generated; do not edit by hand. Only counts are kept (no prose).\n"
            f"# documents {documents}\n# min-df {args.min_df}\n"
        )
        handle.writelines(f"{key}\t{df[key]}\n" for key in kept)
    print(f"{documents} documents, {len(df)} pairs, {len(kept)} kept (df >= {args.min_df})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
