"""Detectors: each finds spans that look spun and says why.

A detector is a function ``(doc, resources) -> list[Span]`` registered by name
in ``DETECTORS``; the config's ``detectors`` list chooses which run, in order.
Detectors only *match*; choosing between overlapping spans is the decide stage's
job (spaCy keeps ``match`` apart from ``set_annotations`` for the same reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .artifacts import detect_artifacts
from .lexicon import DocTerms
from .markup import regions_of, touches
from .model import Candidate, Document, Span

if TYPE_CHECKING:
    from .resources import Resources

Detector = Callable[[Document, "Resources"], list[Span]]
DETECTORS: dict[str, Detector] = {}


def register(name: str) -> Callable[[Detector], Detector]:
    def wrap(func: Detector) -> Detector:
        DETECTORS[name] = func
        return func

    return wrap


@register("lexicon")
def lexicon_detector(doc: Document, res: Resources) -> list[Span]:
    """Known spun phrases from the lexicons, honouring context and exclude terms."""
    spans: list[Span] = []
    terms: DocTerms | None = doc.terms
    for match in res.lexicon.match(doc):
        start, end = doc.tokens[match.start_token].start, doc.tokens[match.end_token - 1].end - match.clitic
        text = doc.text[start:end]
        for variant in match.variants:
            entry = variant.entry
            if entry.context or entry.exclude:
                terms = terms or DocTerms(doc)
                if entry.context and not terms.satisfies(entry.context):
                    doc.context_skipped.append((start, end))
                    continue
                if entry.exclude and terms.vetoed(entry.exclude):
                    doc.context_skipped.append((start, end))
                    continue
            where = f"{entry.file.rsplit('/', 1)[-1]}:{entry.line}" if entry.file else "lexicon"
            evidence = f'"{entry.spun}" is a known spin of "{entry.original}" ({where}'
            evidence += f"; context {entry.context!r} present)" if entry.context else ")"
            source = f"lexicon:{entry.source}" if entry.source else "lexicon"
            hints = (
                Candidate(variant.original, entry.confidence, source),
                *tuple(Candidate(alt, entry.confidence * 0.5, source) for alt in variant.alternatives),
            )
            spans.append(Span(start, end, text, "lexicon", evidence, entry.confidence, hints))
    return spans


@register("artifact")
def artifact_detector(doc: Document, res: Resources) -> list[Span]:
    """Mechanical spinner residue ("are able to't", "{that a}", doubled words)."""
    return detect_artifacts(doc)


@register("context")
def context_detector(doc: Document, res: Resources) -> list[Span]:
    """Any content word whose inverse-thesaurus candidate fits its context clearly better."""
    from .context import detect_context

    return detect_context(doc, res)


def detect(doc: Document, res: Resources) -> list[Span]:
    spans: list[Span] = []
    for name in res.config.detectors:
        spans.extend(DETECTORS[name](doc, res))
    return outside_protected(doc, spans)


def outside_protected(doc: Document, spans: list[Span]) -> list[Span]:
    """The spans that touch no protected range: a URL, an e-mail address, Markdown code or a link target.

    Changing a word there breaks a link or a program (``repair.markup``).
    """
    found = regions_of(doc)
    if not found:
        return spans
    return [s for s in spans if not touches(found, s.start, s.end)]
