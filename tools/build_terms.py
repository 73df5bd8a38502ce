"""Build ``repair/data/terms.tsv``: the two-word terms the thesauri list as entries of their own.

A thesaurus headword of two words ("amino acid", "false alarm", "refractive
index") is a fixed term of the language. The phrase step (``repair/phrases.py``)
counts such a pair as established even when the clean corpora are too small to
have seen it in enough documents: a technical term that a spinner broke
("amino corrosive") is often rare in general prose. Nothing is typed by hand;
every line is a headword of Moby, WordNet 3.0 or MyThes en_US, lower-cased, with
a hyphen read as a space (as the segmenter splits "real-time").

Usage::

    python tools/build_terms.py --out repair/data/terms.tsv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair import thesauri

HEADER = """\
# Two-word terms: headwords of two words in the thesauri, lower-case, one per line.
# Derived by tools/build_terms.py from Moby (public domain), WordNet 3.0 (WordNet 3.0
# licence; Princeton's notice is in lexicons/README.md) and MyThes en_US (see
# lexicons/README.md). Generated; do not edit by hand.
# sources\t{sources}
"""


def two_word_terms(sources: list[str]) -> set[str]:
    """Every headword of the given thesauri that is two alphabetic words."""
    found: set[str] = set()
    for source in sources:
        for key in thesauri.headwords(source):
            words = key.lower().replace("_", " ").replace("-", " ").split()
            if len(words) == 2 and all(w.isalpha() and w.isascii() for w in words):
                found.add(" ".join(words))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sources = thesauri.available_sources()
    missing = {"moby", "wordnet", "mythes"} - set(sources)
    if missing:
        sys.exit(f"thesauri missing: {', '.join(sorted(missing))}; install them first (make install)")
    terms = two_word_terms(sources)
    with args.out.open("w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER.format(sources=",".join(sorted(sources))))
        for term in sorted(terms):
            out.write(term + "\n")
    print(f"{len(terms)} terms -> {args.out}")


if __name__ == "__main__":
    main()
