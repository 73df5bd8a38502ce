"""Build the multi-word unit data: ``repair/data/phrase_counts.tsv`` and ``repair/data/multiword.tsv``.

Spinners swap multi-word units as wholes: one word for a phrase ("try" ->
"make an attempt"), a phrase for a word ("summer" -> "summer season"), a phrase
for a phrase ("according to" -> "in keeping with"), and abbreviate ("square" ->
"sq."). Everything here is derived, nothing typed:

``phrase_counts.tsv``
    How often each multi-word string of the thesauri occurs in the *dev* half of
    the clean corpora (documents with an even index). The inverted index uses it
    as the frequency of a multi-word original, which word-frequency lists
    estimate badly.

``multiword.tsv`` (columns ``spun, original, relation, pos, spun_count, original_count, source``)
    ``phrase``: a thesaurus link with a multi-word side whose original is a
    frequent phrase or word of clean prose and whose spun side is rare there
    (what a spinner makes of real text); the few most common spun forms per
    original. ``compound``: a noun followed by its own WordNet hypernym ("oak
    tree", "summer season") stands for the noun alone when clean prose rarely
    writes the pair. ``abbreviation``: word abbreviations aligned inside WordNet
    synsets ("sq ft" = "square foot" gives "sq" -> "square").

Usage::

    python tools/build_multiword.py CORPUS.jsonl... --data-dir repair/data
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair import thesauri
from repair.inverse import key_of
from repair.segment import WORD_RE

CORPUS_NOTE = (
    "even-indexed documents of the project's clean corpora: Wikinews (CC BY 2.5), Wikipedia vital "
    "articles (CC BY-SA 4.0), US State of the Union addresses (public domain), arXiv cs abstracts (CC0)"
)
MAX_WORDS = 5
PHRASE_MIN_ORIGINAL = 8  # corpus occurrences of the original
PHRASE_MAX_SPUN_RATIO = 0.05  # spun form at most this often, relative to the original
PHRASE_PER_ORIGINAL = 6
COMPOUND_MIN_NOUN = 20
COMPOUND_MAX_PAIR_RATIO = 0.02


def count_ngrams(paths: list[Path], wanted: set[str]) -> tuple[Counter[str], Counter[str], int]:
    """Counts of the wanted multi-word keys and of all single words in the dev half."""
    phrases: Counter[str] = Counter()
    words: Counter[str] = Counter()
    total = 0
    lengths = sorted({len(k.split()) for k in wanted})
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if index % 2:
                    continue
                norms = [m.group().lower().replace("\u2019", "'") for m in WORD_RE.finditer(json.loads(line)["text"])]
                total += len(norms)
                words.update(norms)
                for n in lengths:
                    for i in range(len(norms) - n + 1):
                        key = " ".join(norms[i : i + n])
                        if key in wanted:
                            phrases[key] += 1
    return phrases, words, total


def wordnet_noun_synsets(folder: Path) -> dict[str, tuple[list[str], list[str]]]:
    """offset -> (lemmas, hypernym offsets) from ``data.noun``."""
    synsets: dict[str, tuple[list[str], list[str]]] = {}
    with (folder / "data.noun").open(encoding="latin-1") as handle:
        for line in handle:
            if line.startswith(" "):
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, count = fields[0], int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(count)]
            rest = fields[4 + 2 * count :]
            pointers = int(rest[0])
            hypers = [rest[1 + 4 * p + 1] for p in range(pointers) if rest[1 + 4 * p] == "@"]
            synsets[offset] = (lemmas, hypers)
    return synsets


def abbreviations(synsets: dict[str, tuple[list[str], list[str]]]) -> Counter[tuple[str, str]]:
    """(short, long) word pairs aligned inside synonymous multi-word lemmas."""
    found: Counter[tuple[str, str]] = Counter()
    for lemmas, _ in synsets.values():
        multi = [lem.lower().split() for lem in lemmas if " " in lem]
        for a in multi:
            for b in multi:
                if a is b or len(a) != len(b):
                    continue
                diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
                if not diffs or not all(
                    2 <= len(short) <= 3 < len(long) and short.isalpha() and _abbreviates(short, long)
                    for short, long in diffs
                ):
                    continue
                for pair in diffs:
                    found[pair] += 1
    return found


def _abbreviates(short: str, long: str) -> bool:
    """``short`` starts like ``long`` and its letters appear in order in it ("ft" in "foot")."""
    if short[0] != long[0]:
        return False
    position = 0
    for letter in short:
        position = long.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--data-dir", type=Path, required=True)
    args = ap.parse_args()
    from wordfreq import zipf_frequency

    links = []
    wanted: set[str] = set()
    for source in thesauri.available_sources():
        for link in thesauri.iter_links(source):
            spun, orig = key_of(link.synonym), key_of(link.headword)
            if not spun or not orig or spun == orig:
                continue
            for key in (spun, orig):
                if " " in key and len(key.split()) <= MAX_WORDS:
                    wanted.add(key)
            if " " in spun or " " in orig:
                links.append((spun, orig, link.source, link.pos, link.rank))
    folder = thesauri._wordnet_dir()
    synsets = wordnet_noun_synsets(folder) if (folder / "data.noun").exists() else {}
    compounds: list[tuple[str, str]] = []
    for lemmas, hypers in synsets.values():
        nouns = [lem.lower() for lem in lemmas if " " not in lem and lem.isalpha() and len(lem) > 2]
        for h in hypers:
            for hyper in synsets.get(h, ([], []))[0]:
                hyper = hyper.lower()
                if " " in hyper or not hyper.isalpha() or len(hyper) < 3:
                    continue
                for noun in nouns:
                    if noun != hyper:
                        compounds.append((f"{noun} {hyper}", noun))
                        wanted.add(f"{noun} {hyper}")
    print(f"{len(wanted)} multi-word keys, {len(links)} multi-word links, {len(compounds)} compounds", file=sys.stderr)
    phrases, words, total = count_ngrams(args.corpora, wanted)

    def count(key: str) -> int:
        return phrases[key] if " " in key else words[key]

    args.data_dir.mkdir(parents=True, exist_ok=True)
    with (args.data_dir / "phrase_counts.tsv").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            "# Occurrences of the thesauri's multi-word entries in clean prose, used as the frequency of\n"
            f"# multi-word originals. Counted by tools/build_multiword.py over the {CORPUS_NOTE}.\n"
            f"# Generated; do not edit by hand. Only counts are kept (no prose).\n# total-words\t{total}\n"
            "phrase\tcount\n"
        )
        for key in sorted(k for k, n in phrases.items() if n >= 2):
            handle.write(f"{key}\t{phrases[key]}\n")

    rows: set[tuple[str, str, str, str, int, int, str]] = set()
    by_original: dict[tuple[str, str], list[tuple[float, str, str, str]]] = defaultdict(list)
    for spun, orig, source, pos, _rank in links:
        n_orig, n_spun = count(orig), count(spun)
        if n_orig < PHRASE_MIN_ORIGINAL or n_spun > PHRASE_MAX_SPUN_RATIO * n_orig:
            continue
        if any(zipf_frequency(w, "en") < 3.0 for w in spun.split()):
            continue
        commonness = min(zipf_frequency(w, "en") for w in spun.split())
        by_original[(orig, pos)].append((-commonness, spun, source, pos))
    for (orig, _), options in by_original.items():
        seen: set[str] = set()
        for _, spun, source, pos in sorted(options):
            if spun in seen:
                continue
            seen.add(spun)
            rows.add((spun, orig, "phrase", pos, count(spun), count(orig), f"thesaurus:{source}"))
            if len(seen) >= PHRASE_PER_ORIGINAL:
                break
    for pair, noun in compounds:
        n_noun, n_pair = words[noun], phrases[pair]
        if n_noun >= COMPOUND_MIN_NOUN and n_pair <= COMPOUND_MAX_PAIR_RATIO * n_noun:
            rows.add((pair, noun, "compound", "n", n_pair, n_noun, "wordnet:hypernym"))
    from lemminflect import getAllLemmas

    for (short, long), support in abbreviations(synsets).items():
        # A short form that is a word of its own ("leg", "art") is not an abbreviation.
        if words[long] >= 1 and not getAllLemmas(short) and not getAllLemmas(long[: len(short)]):
            rows.add((short, long, "abbreviation", "", words[short], words[long], f"wordnet:synsets={support}"))

    with (args.data_dir / "multiword.tsv").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            "# Multi-word units a spinner swaps: word -> phrase, phrase -> word, phrase -> phrase,\n"
            "# compounds of a noun and its own hypernym, and word abbreviations. Derived by\n"
            "# tools/build_multiword.py from the thesauri (Moby: public domain; WordNet 3.0: WordNet\n"
            "# licence; MyThes en_US: see lexicons/README.md) with counts over the\n"
            f"# {CORPUS_NOTE}.\n# Generated; do not edit by hand.\n"
            "spun\toriginal\trelation\tpos\tspun_count\toriginal_count\tsource\n"
        )
        for row in sorted(rows):
            handle.write("\t".join(str(c) for c in row) + "\n")
    print(f"{len(rows)} multi-word rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
