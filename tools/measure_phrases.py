"""Measure the joint-phrase stage (``repair/phrases.py``) on dev records, for its confidence table.

Every phrase suspect in the given gold records is scored by the causal LM
(candidate against current words in the sentence), and judged: on a record
with an original, a suspect is right when its edit brings the text closer to
the original (more words in common, by a word-level diff); on clean records
(original equal to the spun text) every suspect is wrong. The tables printed
are, for each bin of LM margins, how many suspects are right and wrong: for all
suspects, for those whose term share reaches ``--term-share``, for the rest,
for habitual swaps (support of ``--habit-support`` lexicon rows or more,
whatever the term share) and for known terms (windows that become a term
lexicon rows restore, :func:`~repair.phrases.restored_terms`); their precisions are the
``[phrases] term-confidence``, ``confidence``, ``habit-confidence`` and
``known-confidence`` rows of ``repair/data/context.toml``.

The collocation table was counted on the dev documents the records come from,
so each record's own word pairs are taken out of it first
(:meth:`~repair.models.collocations.Collocations.excluding`), as for training
the ranker; and the spinner map must be learned without the rows the tortured
records use (``--lexicon`` the benchmark's kept lexicon).

Usage::

    python tools/measure_phrases.py --lexicon KEPT.tsv GOLD.jsonl... [--thresholds 4 6 8 10 12]
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.config import Config
from repair.context import FeatureContext, changeable, phrase_margins, phrase_settings
from repair.inverse import key_of
from repair.models.collocations import default_collocations
from repair.phrases import PhraseSuspect, phrase_suspects, preferred_readings
from repair.resources import Resources
from repair.segment import make_doc


def closer(spun: str, original: str, start: int, end: int, proposal: str) -> bool:
    """Does replacing ``spun[start:end]`` by ``proposal`` leave more words in common with ``original``?"""
    target = key_of(original).split()

    def common(words: list[str]) -> int:
        matcher = difflib.SequenceMatcher(None, words, target, autojunk=False)
        return sum(block.size for block in matcher.get_matching_blocks())

    edited = key_of(f"{spun[:start]} {proposal} {spun[end:]}").split()
    return common(edited) > common(key_of(spun).split())


def measure(paths: list[Path], lexicon: Path) -> list[tuple[float, bool, PhraseSuspect, str]]:
    """(LM margin, right, suspect, gold file name) for every phrase suspect in the records."""
    res = Resources.for_config(replace(Config(), quality="best", builtin_lexicons=(), extend_lexicon=(str(lexicon),)))
    settings = phrase_settings()
    table = default_collocations()
    found: list[tuple[float, bool, PhraseSuspect, str]] = []
    for path in paths:
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            spun, original = record["spun"], record["original"]
            doc = make_doc(spun)
            ctx = FeatureContext(doc, table.excluding(original))
            eligible = changeable(doc)
            suspects = phrase_suspects(
                doc, res.spin_map, ctx.collocations, settings, eligible, ctx.joined, res.terms, res.restored_terms
            )
            margins = phrase_margins(doc, suspects, res)
            kept = preferred_readings(suspects, margins)
            for item, margin, keep in zip(suspects, margins, kept, strict=True):
                if not keep:
                    continue  # another reading of the same words, which the LM prefers
                right = spun != original and closer(spun, original, item.start, item.end, item.proposal)
                found.append((margin, right, item, path.name))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--lexicon", type=Path, required=True, help="lexicon without the held-out rows")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0, 2, 4, 6, 8, 10, 12, 15])
    parser.add_argument(
        "--term-share", type=float, default=None, help="split the tables here (default: [phrases] term-share)"
    )
    parser.add_argument(
        "--habit-support", type=float, default=None, help="habitual swaps from here (default: [phrases] habit-support)"
    )
    parser.add_argument("--show-wrong", type=float, default=None, help="list wrong suspects at this margin or more")
    parser.add_argument("--dump", type=Path, default=None, help="write every suspect as a JSON line")
    args = parser.parse_args()
    found = measure(args.gold, args.lexicon)
    if args.dump is not None:
        with args.dump.open("w", encoding="utf-8") as out:
            for margin, ok, item, name in found:
                out.write(json.dumps({"margin": margin, "right": ok, "gold": name, **asdict(item)}) + "\n")
    settings = phrase_settings()
    if args.term_share is not None:
        settings = replace(settings, term_share=args.term_share)
    if args.habit_support is not None:
        settings = replace(settings, habit_support=args.habit_support)
    term_share = settings.term_share
    terms = [f for f in found if settings.is_term(f[2])]
    others = [f for f in found if not settings.is_term(f[2])]
    habits = [f for f in found if settings.is_habitual(f[2])]
    known = [f for f in found if f[2].known]
    subsets = [
        ("all suspects", found),
        (f"term share at least {term_share:g} ([phrases] term-confidence)", terms),
        (f"term share under {term_share:g} ([phrases] confidence)", others),
        (f"support of {settings.habit_support:g} rows or more ([phrases] habit-confidence)", habits),
        ("terms that lexicon rows restore ([phrases] known-confidence)", known),
    ]
    header = "| LM margin | right | wrong | precision | wrong in clean text |\n| ---: | ---: | ---: | ---: | ---: |"
    for title, rows in subsets:
        print(f"\n{title}\n\n{header}")
        bounds = [*args.thresholds, float("inf")]
        for lo, hi in itertools.pairwise(bounds):
            here = [(ok, name) for m, ok, _, name in rows if lo <= m < hi]
            right = sum(1 for ok, _ in here if ok)
            clean = sum(1 for ok, name in here if not ok and "clean" in name)
            share = right / len(here) if here else float("nan")
            print(f"| [{lo:g}, {hi:g}) | {right} | {len(here) - right} | {share:.3f} | {clean} |")
    if args.show_wrong is not None:
        for margin, ok, item, name in sorted(found, key=lambda f: -f[0]):
            if margin >= args.show_wrong and not ok:
                share = item.term_share
                print(f"  wrong {margin:+.1f}  {name}: {item.text!r} -> {item.proposal!r} (term share {share:.2f})")


if __name__ == "__main__":
    main()
