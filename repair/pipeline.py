"""The pipeline over one text: ``segment -> detect -> propose -> rank -> decide -> apply``.

The stage order lives here and only here. Every stage is a module with one job
and plain dataclasses in between, so a stage can be swapped (a model ranker for
the prior ranker) without touching the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .apply import apply_edits
from .artifacts import in_spun_document
from .config import Config
from .decide import decide
from .detect import detect, outside_protected
from .evidence import document_settings, weigh
from .lexicon import DocTerms
from .markup import START, Carry, markup_for, protected
from .model import Document, Edit, Finding, Span
from .propose import propose
from .rank import rank
from .resources import Resources
from .segment import make_doc
from .stable import Stabiliser

# How often the edits are decided again without those the stability check held back. Each
# time holds back at least one more edit; the bound keeps a pathological text cheap.
MAX_REDECISIONS = 3


@dataclass(frozen=True, slots=True)
class Result:
    """What cleaning a text produced: the text, every edit (applied or not), the findings."""

    text: str
    edits: tuple[Edit, ...]
    findings: tuple[Finding, ...] = field(default=(), repr=False)
    # The markup scan's state after the text: where the next chunk of a streamed file starts.
    carry: Carry = field(default=START, repr=False)

    @property
    def applied(self) -> tuple[Edit, ...]:
        return tuple(e for e in self.edits if e.applied)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


class Pipeline:
    """A configured pipeline; cheap to create, heavy resources are shared per process."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.resources = Resources.for_config(self.config)

    def markup(self, path: str) -> str:
        """``markdown``, ``latex``, ``rst`` or ``plain``: how to read the file at ``path`` (the ``markup`` setting)."""
        config = self.config
        return markup_for(path, config.markup, config.markdown_suffixes, config.latex_suffixes, config.rst_suffixes)

    def findings(self, doc: Document) -> list[Finding]:
        """Every detector's findings, ranked; a document that reads as spun gets a second, deeper look.

        The evidence is kept on ``doc.evidence`` for the decide stage (``repair.evidence``). In
        a spun document a doubled function word is trusted as the spinner's
        (:func:`repair.artifacts.in_spun_document`).
        """
        found = self._ranked(doc, detect(doc, self.resources))
        config = self.config
        if "context" in config.detectors:
            evidence = weigh(found, len(doc.tokens), document_settings(config.quality))
            doc.evidence = evidence
            found = in_spun_document(found, evidence)
            # The second look: at the best level the language model re-scores suspects the first
            # pass left out; at the fast level the swaps it capped for review get their own confidence.
            if evidence.spun:
                from .context import detect_context  # loaded only with the context detector (as in detect)

                deeper = detect_context(doc, self.resources, deeper=evidence)
                found.extend(self._ranked(doc, outside_protected(doc, deeper)))
        return found

    def _ranked(self, doc: Document, spans: list[Span]) -> list[Finding]:
        found: list[Finding] = []
        for span in spans:
            candidates = propose(doc, span, self.resources)
            if candidates:
                found.append(rank(doc, span, candidates, self.resources))
        return found

    def run(
        self,
        text: str,
        path: str = "",
        can_encode: Callable[[str], bool] | None = None,
        terms: DocTerms | None = None,
        carry: Carry = START,
    ) -> Result:
        """Clean ``text``; ``terms`` and ``carry`` describe the file around it when it is a chunk of one.

        ``terms`` answers the lexicon's context questions; ``carry`` is the markup
        scan's state where the chunk starts (:func:`repair.markup.protected`; the
        result's ``carry`` is the state after it). The result is stable: cleaning
        ``result.text`` again applies nothing (``repair.stable``).
        """
        markup = self.markup(path)
        regions, after = protected(text, markup, carry)
        doc, findings, edits = self._decide(text, path, can_encode, terms, regions)
        if any(e.applied for e in edits):
            lexicon = self.resources.lexicon
            words, prefixes = lexicon.context_vocabulary()

            def decide_again(out: str, out_terms: DocTerms) -> list[Edit]:
                return self._decide(out, path, can_encode, out_terms, protected(out, markup, carry)[0])[2]

            stabilise = Stabiliser(
                decide_again,
                terms if terms is not None else DocTerms(doc),
                lexicon.context_terms(),
                words,
                prefixes,
            )
            edits = self._settle(doc, findings, edits, stabilise, can_encode)
        return Result(text=apply_edits(text, edits), edits=tuple(edits), findings=tuple(findings), carry=after)

    def _settle(
        self,
        doc: Document,
        findings: list[Finding],
        edits: list[Edit],
        stabilise: Stabiliser,
        can_encode: Callable[[str], bool] | None,
    ) -> list[Edit]:
        """The decided edits made stable; where the check holds an edit back, the findings are
        decided again without it, so a weaker edit it had displaced may be written instead.

        "elective vitality sources": "vitality sources" -> "energy sources" (a lexicon row)
        outranks "elective vitality" -> "renewable energy" (a phrase), but would leave
        "elective energy", itself a spin; without it the phrase is restored.
        """
        withdrawn: dict[tuple[int, int, str], str] = {}
        for _ in range(MAX_REDECISIONS):
            settled = stabilise(doc.text, edits, doc.line_col, doc.context_skipped)
            fresh = {key: why for key, why in stabilise.withdrawn.items() if key not in withdrawn}
            if not fresh:
                return settled
            withdrawn.update(fresh)
            again = decide(doc, findings, self.config, self.resources.ignored_keys, can_encode, withdrawn)
            if _applied(again) == _applied(edits) - withdrawn.keys():
                return settled  # the held-back edits displaced nothing
            edits = again
        return stabilise(doc.text, edits, doc.line_col, doc.context_skipped)

    def _decide(
        self,
        text: str,
        path: str,
        can_encode: Callable[[str], bool] | None,
        terms: DocTerms | None,
        regions: list[tuple[int, int]],
    ) -> tuple[Document, list[Finding], list[Edit]]:
        doc = make_doc(text, path)
        doc.terms = terms
        doc.protected = regions
        findings = self.findings(doc)
        return doc, findings, decide(doc, findings, self.config, self.resources.ignored_keys, can_encode)


def _applied(edits: list[Edit]) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, e.proposal) for e in edits if e.applied}


def clean_text(text: str, config: Config | None = None, **options: Any) -> Result:
    """Clean one text; ``options`` override config fields (e.g. ``min_confidence=0.9``).

    >>> clean_text("We trained an irregular woodland.").text
    'We trained a random forest.'
    """
    if options:
        config = (config or Config()).replace(**options)
    return Pipeline(config).run(text)


def explain(text: str, config: Config | None = None, **options: Any) -> list[str]:
    """One human-readable line per finding, applied or not, in text order.

    >>> explain("Counterfeit consciousness is here.")[0]
    '1:1: Counterfeit consciousness -> Artificial intelligence (0.95, lexicon, applied)'
    """
    lines = []
    for e in clean_text(text, config, **options).edits:
        state = "applied" if e.applied else "not applied"
        lines.append(f"{e.line}:{e.col}: {e.spun} -> {e.proposal} ({e.confidence:.2f}, {e.detector}, {state})")
    return lines
