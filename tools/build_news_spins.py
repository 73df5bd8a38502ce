"""Derive ``lexicons/news_spins.tsv``: spun word pairs that clean prose never writes.

A spinner turns a frequent collocation of news and web prose ("supply chain",
"prime minister") into a pair of words nobody writes, by swapping one of them
for a top-ranked thesaurus synonym. Such a spun pair is safe to flag on sight:
clean prose does not contain it. This builder derives the pairs from data only:

1. count content-word bigrams in the *dev* half of the clean corpora (documents
   with an even index) and keep the frequent ones;
2. for each, replace one word with each of its top-ranked synonyms (what a
   spinner picks: first-listed in WordNet and MyThes, the most common in Moby),
   re-inflected to the word's form (:func:`repair.inflect.fit`);
3. keep a spun pair only when it never occurs in the dev half (in any inflected
   form the lexicon matcher would match), all its words are common content
   words, and the synonym is not another form of the same word;
4. measure: every kept row is matched against the *odd* half (held out) and
   the number of flags per 10,000 words is printed; rows are never tuned on it.

Usage::

    python tools/build_news_spins.py CORPUS.jsonl... --out lexicons/news_spins.tsv
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from repair import thesauri
from repair.inflect import analyses, fit
from repair.inverse import settings
from repair.lexicon import Entry, Lexicon
from repair.segment import WORD_RE, make_doc

MIN_BIGRAM = 20  # dev-half occurrences of the original pair
MIN_DOCS = 4
TOP_SYNONYMS = 2  # per source
MIN_ZIPF = 3.0
RARER_BY = 0.3  # the synonym's Zipf frequency must be at least this much below the word's
CONFIDENCE = 0.6
LICENCE = "CC-BY-SA-4.0"
HEADER = """\
# News and web spins derived from data (no row typed by hand): frequent content-word pairs of
# clean prose with one word swapped for a top-ranked thesaurus synonym, kept only when the
# spun pair never occurs in clean prose. Built by tools/build_news_spins.py from the
# even-indexed documents of the project's clean corpora (Wikinews CC BY 2.5, Wikipedia vital
# articles CC BY-SA 4.0, State of the Union addresses public domain, arXiv cs abstracts CC0)
# and the thesauri Moby (public domain), WordNet 3.0 (WordNet licence) and MyThes en_US
# (see lexicons/README.md). The `source` column names the thesaurus of the swap and the
# corpus count of the original pair. Licence of the derived rows: CC BY-SA 4.0 (share-alike,
# as the strictest input). Generated; do not edit by hand.
"""


def dev_docs(paths: list[Path], parity: int) -> list[str]:
    texts = []
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for i, line in enumerate(handle) if i % 2 == parity]
    return texts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    from wordfreq import zipf_frequency

    function_words = frozenset(settings()["function-words"])

    def content(word: str) -> bool:
        return word.isalpha() and len(word) > 2 and word not in function_words and bool(analyses(word))

    dev = dev_docs(args.corpora, 0)
    bigrams: Counter[tuple[str, str]] = Counter()
    bigram_docs: Counter[tuple[str, str]] = Counter()
    all_bigrams: set[tuple[str, str]] = set()
    for text in dev:
        seen = set()
        for sentence_words in _sentences(text):
            for a, b in itertools.pairwise(sentence_words):
                all_bigrams.add((a, b))
                if content(a) and content(b):
                    bigrams[(a, b)] += 1
                    seen.add((a, b))
        for pair in seen:
            bigram_docs[pair] += 1
    frequent = [p for p, n in bigrams.items() if n >= MIN_BIGRAM and bigram_docs[p] >= MIN_DOCS]
    print(f"{len(frequent)} frequent content bigrams in {len(dev)} dev documents", file=sys.stderr)

    rows: dict[str, tuple[str, str]] = {}
    for a, b in sorted(frequent):
        for slot, word in ((0, a), (1, b)):
            for source, synonym in _top_synonyms(word):
                for form in fit(word, synonym)[:1]:
                    form = form.lower()
                    if " " in form or form == word or not form.isalpha():
                        continue
                    if {lemma for _, lemma, _ in analyses(form)} & {lemma for _, lemma, _ in analyses(word)}:
                        continue
                    if zipf_frequency(form, "en") < MIN_ZIPF or not content(form):
                        continue
                    # A synonym more common than the word it replaces makes ordinary
                    # pairs ("made important"); spins that stand out use rarer words.
                    if zipf_frequency(form, "en") > zipf_frequency(word, "en") - RARER_BY:
                        continue
                    spun = (form, b) if slot == 0 else (a, form)
                    if spun in all_bigrams:
                        continue
                    key = " ".join(spun)
                    if key not in rows:
                        rows[key] = (f"{a} {b}", f"derived:{source}-swap;dev-count={bigrams[(a, b)]}")
    print(f"{len(rows)} candidate rows", file=sys.stderr)

    # A spun pair that is itself the original of another row is ordinary English.
    originals = {orig for orig, _ in rows.values()}
    rows = {k: v for k, v in rows.items() if k not in originals}
    # The lexicon also matches inflected forms of a row's last word: drop every row
    # that fires anywhere in the dev half, in any form.
    dev_lexicon = Lexicon.from_entries([Entry(spun=k, original=v[0]) for k, v in sorted(rows.items())])
    fired: set[str] = set()
    for text in dev:
        doc = make_doc(text)
        for match in dev_lexicon.match(doc):
            fired.update(variant.entry.spun for variant in match.variants)
    rows = {k: v for k, v in rows.items() if k not in fired}
    print(f"{len(fired)} rows dropped: they fire on the dev half", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER)
        handle.write("spun\toriginal\tconfidence\tsource\tlicence\n")
        for spun in sorted(rows):
            original, source = rows[spun]
            handle.write(f"{spun}\t{original}\t{CONFIDENCE}\t{source}\t{LICENCE}\n")
    print(f"{len(rows)} rows -> {args.out}", file=sys.stderr)

    # Held-out measurement: flags on the odd half per 10,000 words.
    lexicon = Lexicon.from_entries([Entry(spun=k, original=v[0]) for k, v in sorted(rows.items())])
    words = flags = 0
    examples: Counter[str] = Counter()
    for text in dev_docs(args.corpora, 1):
        doc = make_doc(text)
        words += len(doc.tokens)
        for match in lexicon.match(doc):
            flags += 1
            examples[key_text(doc, match.start_token, match.end_token)] += 1
    print(
        f"held-out (odd half): {flags} flags in {words:,} words = {flags / words * 10000:.2f} per 10,000 words; "
        f"most frequent: {examples.most_common(10)}",
        file=sys.stderr,
    )
    return 0


def key_text(doc, i: int, j: int) -> str:
    return " ".join(t.norm for t in doc.tokens[i:j])


def _sentences(text: str) -> list[list[str]]:
    doc = make_doc(text)
    out = []
    for sent in doc.sentences:
        toks = doc.tokens[sent.first_token : sent.last_token]
        words: list[str] = []
        for k, tok in enumerate(toks):
            # A pair must be adjacent words with only a space between them.
            if k and doc.text[toks[k - 1].end : tok.start] != " ":
                if words:
                    out.append(words)
                words = []
            words.append(tok.norm)
        if words:
            out.append(words)
    return out


def _top_synonyms(word: str) -> list[tuple[str, str]]:
    """A spinner's likely picks for a word: the first-ranked of WordNet and MyThes, Moby's most common."""
    from wordfreq import zipf_frequency

    out: list[tuple[str, str]] = []
    lemmas = {lemma for _, lemma, _ in analyses(word)} or {word}
    for source in thesauri.available_sources():
        links = [link for lemma in sorted(lemmas) for link in thesauri.forward(lemma, [source])]
        singles = [link for link in links if WORD_RE.fullmatch(link.synonym) and link.synonym.isalpha()]
        if source == "moby":
            singles.sort(key=lambda link: (-zipf_frequency(link.synonym, "en"), link.synonym))
        else:
            singles.sort(key=lambda link: (link.sense, link.rank, link.synonym))
        picked: list[str] = []
        for link in singles:
            if link.synonym.lower() not in picked:
                picked.append(link.synonym.lower())
            if len(picked) >= TOP_SYNONYMS:
                break
        out += [(source, s) for s in picked]
    return out


if __name__ == "__main__":
    raise SystemExit(main())
