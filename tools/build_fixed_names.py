"""Build ``repair/data/fixed_names.tsv``: multi-word names whose words a spinner must not swap.

A spinner that swaps words blindly breaks names: "World War II" becomes "World
Battle II", "Supreme Court" "Supreme Courtroom". To restore them the artifact
rule needs the names. They are counted, not typed: every run of capitalised
words (with roman numerals, numbers and lower-case connectors such as "of"
inside) in the *dev* half of the clean corpora (documents with an even index;
the odd half is kept for measurement) gives its 2- to 5-word sub-runs, and a
sub-run seen often enough, in enough documents, that contains at least one
ordinary English word (the kind a thesaurus lists, so the kind a spinner swaps)
is kept.

Usage::

    python tools/build_fixed_names.py CORPUS.jsonl... --out repair/data/fixed_names.tsv
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.segment import WORD_RE, make_doc

CONNECTORS = frozenset("of the and for de la on in".split())
ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3}|XIV|XV)$")
MIN_COUNT = 4
MIN_DOCS = 3
LOWER_RATIO = 2
MONTHS = frozenset("january february march april may june july august september october november december".split())
HEADER = """\
# Multi-word names (named entities, titles, fixed designations) counted in clean prose.
# A name listed here is restored when one of its ordinary words was swapped for a thesaurus
# synonym ("{example}"). Derived by tools/build_fixed_names.py from capitalised n-grams in the
# even-indexed documents of the project's clean corpora: Wikinews (CC BY 2.5), Wikipedia
# vital articles (CC BY-SA 4.0), US State of the Union addresses (public domain) and arXiv
# cs abstracts (CC0). Only the names and their counts are kept (facts, no prose).
# Generated; do not edit by hand. Columns: name, count (occurrences), docs (documents).
"""


def is_name_word(word: str) -> bool:
    if ROMAN.match(word) or word.isdigit():
        return True
    return word[:1].isupper() and not word.isupper() if len(word) > 1 else False


def runs(text: str) -> list[list[str]]:
    """Maximal runs of name words separated by single spaces only."""
    doc = make_doc(text)
    found: list[list[str]] = []
    for sent in doc.sentences:
        toks = doc.tokens[sent.first_token : sent.last_token]
        current: list[str] = []
        for k, tok in enumerate(toks):
            gap_ok = k == 0 or text[toks[k - 1].end : tok.start] == " "
            first = k == 0
            word = tok.text
            ok = is_name_word(word) and not first
            connector = word in CONNECTORS and bool(current)
            if gap_ok and (ok or connector):
                current.append(word)
                continue
            if current:
                found.append(current)
            current = [word] if ok else []
        if current:
            found.append(current)
    return found


def sub_runs(words: list[str]) -> list[tuple[str, ...]]:
    out = []
    for i in range(len(words)):
        if words[i] in CONNECTORS:
            continue
        for j in range(i + 2, min(len(words), i + 5) + 1):
            if words[j - 1] in CONNECTORS:
                continue
            out.append(tuple(words[i:j]))
    return out


def count_lower(phrases: set[str], texts: list[str]) -> Counter[str]:
    """How often each phrase (space-padded, lower case) occurs written entirely in lower case."""
    by_first: dict[str, list[str]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase.split()[0], []).append(phrase)
    found: Counter[str] = Counter()
    for text in texts:
        for phrase in phrases:
            if phrase in text:
                found[phrase] += text.count(phrase)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    from wordfreq import zipf_frequency

    counts: Counter[tuple[str, ...]] = Counter()
    docs: Counter[tuple[str, ...]] = Counter()
    lowered: list[str] = []
    for path in sorted(args.corpora):
        with path.open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index % 2:
                    continue
                text = json.loads(line)["text"]
                lowered.append(" " + " ".join(m.group() for m in WORD_RE.finditer(text)) + " ")
                seen: set[tuple[str, ...]] = set()
                for run in runs(text):
                    for sub in sub_runs(run):
                        counts[sub] += 1
                        seen.add(sub)
                for sub in seen:
                    docs[sub] += 1

    def swappable(name: tuple[str, ...]) -> bool:
        return any(
            w not in CONNECTORS
            and not ROMAN.match(w)
            and WORD_RE.fullmatch(w)
            and zipf_frequency(w.lower(), "en") >= 3.5
            for w in name
        )

    frequent = [name for name, n in counts.items() if n >= MIN_COUNT and docs[name] >= MIN_DOCS and swappable(name)]
    # A phrase written in lower case about as often as capitalised is a term in a
    # title-cased heading ("Large Language Models"), not a name.
    lower_counts = count_lower({" " + " ".join(name).lower() + " " for name in frequent}, lowered)
    rows = sorted(
        (" ".join(name), counts[name], docs[name])
        for name in frequent
        if lower_counts[" " + " ".join(name).lower() + " "] * LOWER_RATIO < counts[name]
        and not any(w.lower() in MONTHS for w in name)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER.format(example="Supreme Court -> Supreme Courtroom"))
        handle.write("name\tcount\tdocs\n")
        for name, n, d in rows:
            handle.write(f"{name}\t{n}\t{d}\n")
    print(f"{len(rows)} names -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
