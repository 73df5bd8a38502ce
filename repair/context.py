"""Open-vocabulary spin detection: any content word may be a swapped synonym.

A spinner replaced an original ``h`` with a synonym ``s`` without looking at the
context. So for every word (or short phrase) ``s`` of a document, the inverted
thesaurus (:mod:`repair.inverse`) lists the originals it could stand for, and we
ask whether one of them fits the sentence clearly better than ``s`` does.

For each (span, candidate) pair a handful of cheap features are computed:
the thesaurus prior of the link, how well the 3-gram language model likes the
candidate in the span's two-word context compared with the current words, and
how common both are (spinners pick rarer words: "hearth" for "fire"). A small
logistic model, trained on synthetic spins of the *dev* half of the corpora by
``tools/train_ranker.py``, turns them into a probability that the candidate is
the original. Its weights are data (``repair/data/ranker.json``), not code.

This module is both the ``context`` detector and the feature extractor the
training script uses, so training and use can never drift apart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

from .inverse import Link, key_of
from .model import Candidate, Document, Span

if TYPE_CHECKING:
    from .inverse import InverseIndex
    from .models.ngram import NGramLM
    from .resources import Resources

DETECTOR = "context"
BOS, EOS = "<s>", "</s>"

FEATURES: tuple[str, ...] = (
    "log_prior",  # ln P(original = candidate | spun form) from the inverted thesauri
    "top_prior",  # the candidate is the form's most likely original
    "n_sources",  # how many thesauri link them
    "ranked_first",  # first-listed synonym in a ranked thesaurus
    "lm_margin",  # 3-gram ln P(context | candidate) - ln P(context | current words)
    "lm_margin_pos",  # the margin's positive part (a better fit counts more than a worse one)
    "lm_current",  # 3-gram ln P of the current words in context, per word (surprise)
    "zipf_current",  # how common the current words are
    "zipf_gain",  # Zipf(candidate) - Zipf(current): spinners swap in rarer words
    "words_delta",  # words(candidate) - words(current)
    "phrase_current",  # the current span has several words
    "pmi_margin",  # context fit beyond frequency: (ln P(c|ctx) - ln P(c)) - (ln P(w|ctx) - ln P(w))
    "pmi_current",  # how much the context predicts the current words beyond their frequency
)


@dataclass(frozen=True, slots=True)
class Suspect:
    """A token range ``[i, j)`` whose words have inverse-thesaurus candidates."""

    i: int
    j: int
    start: int
    end: int
    text: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class ContextModel:
    """Standardised logistic regression over ``FEATURES``, loaded from JSON."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    settings: dict[str, Any]
    stage2: tuple[float, ...] = ()  # bias and weights over STAGE2_FEATURES, when trained

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextModel:
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError(f"ranker model was trained on features {features}, this code computes {FEATURES}")
        return cls(
            features,
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            float(data["bias"]),
            dict(data.get("settings", {})),
            tuple(data.get("stage2", ())),
        )

    def probability(self, x: Sequence[float]) -> float:
        z = self.bias
        for value, mu, sd, w in zip(x, self.mean, self.scale, self.weights, strict=True):
            z += w * (value - mu) / sd
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def stage2_probability(self, x: Sequence[float]) -> float:
        """Confidence after language-model re-scoring (``quality = "best"``)."""
        z = self.stage2[0] + sum(w * v for w, v in zip(self.stage2[1:], x, strict=True))
        return 0.0 if z < -30 else 1.0 / (1.0 + math.exp(-z))


# Second stage: the first stage's probability, then the causal LM's sentence
# log-probability margins of the best candidate over the current words and over the
# runner-up candidate (capped: beyond a few nats the evidence is already decisive).
STAGE2_FEATURES: tuple[str, ...] = ("logit_p1", "lm_vs_current", "lm_vs_runner_up")
LM_MARGIN_CAP = 20.0


def stage2_features(p1: float, scores: Sequence[float]) -> list[float]:
    """``scores``: LM log-probabilities of [current, best, runner-up, ...] fillers."""
    p1 = min(max(p1, 1e-4), 1 - 1e-4)
    vs_current = max(-LM_MARGIN_CAP, min(LM_MARGIN_CAP, scores[1] - scores[0]))
    vs_runner_up = (
        max(-LM_MARGIN_CAP, min(LM_MARGIN_CAP, scores[1] - max(scores[2:]))) if len(scores) > 2 else LM_MARGIN_CAP
    )
    return [math.log(p1 / (1 - p1)), vs_current, vs_runner_up]


@lru_cache(maxsize=1)
def default_model() -> ContextModel | None:
    """The shipped model, or None before ``tools/train_ranker.py`` has written one."""
    path = importlib_resources.files("repair").joinpath("data/ranker.json")
    if not path.is_file():
        return None
    return ContextModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _settings() -> dict[str, Any]:
    import tomllib

    text = importlib_resources.files("repair").joinpath("data/context.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from .inverse import settings

    return frozenset(settings().get("function-words", ()))


@lru_cache(maxsize=200_000)
def _zipf(text: str) -> float:
    from wordfreq import zipf_frequency

    words = text.split()
    return min((zipf_frequency(w, "en") for w in words), default=0.0)


def _eligible(doc: Document, k: int, sentence_starts: set[int]) -> bool:
    """Could token ``k`` start a spun span? Content words only; names and numbers never."""
    token = doc.tokens[k]
    word = token.text
    if not word.isalpha() or len(word) < 2:
        return False
    if word[0].isupper() and k not in sentence_starts:
        return False  # a name, or a word in a title
    if word.isupper():
        return False
    return True


def suspects(doc: Document, index: InverseIndex, max_words: int = 3, max_candidates: int = 12) -> list[Suspect]:
    """Every eligible span that the inverted thesaurus has candidates for."""
    tokens = doc.tokens
    if not tokens:
        return []
    starts = {s.first_token for s in doc.sentences}
    norms = [t.norm for t in tokens]
    function_words = _function_words()
    found: list[Suspect] = []
    for i, j in index.spans(norms, max_words):
        if not _eligible(doc, i, starts):
            continue
        if j - i == 1 and norms[i] in function_words:
            continue
        if j - i > 1 and not _joined(doc, i, j):
            continue
        current = " ".join(norms[i:j])
        links = tuple(link for link in index.lookup(current) if key_of(link.text) != current)[:max_candidates]
        if links:
            start, end = tokens[i].start, tokens[j - 1].end
            found.append(Suspect(i, j, start, end, doc.text[start:end], links))
    return found


def _joined(doc: Document, i: int, j: int) -> bool:
    """The words of a phrase stand next to each other with only spaces or hyphens between."""
    text = doc.text
    for k in range(i + 1, j):
        gap = text[doc.tokens[k - 1].end : doc.tokens[k].start]
        if gap.strip(" -") or len(gap) > 3:
            return False
    return True


class FeatureContext:
    """The per-document state feature extraction needs: sentence bounds and norms."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.norms = [t.norm for t in doc.tokens]
        self.sentence_of_token: list[tuple[int, int]] = [(0, 0)] * len(doc.tokens)
        for s in doc.sentences:
            for k in range(s.first_token, s.last_token):
                self.sentence_of_token[k] = (s.first_token, s.last_token)

    def window(self, i: int, j: int) -> tuple[list[str], list[str]]:
        """Two words either side of ``[i, j)`` within its sentence, with sentence marks."""
        first, last = self.sentence_of_token[i]
        left = self.norms[max(first, i - 2) : i]
        if len(left) < 2:
            left = [BOS, *left]
        right = self.norms[j : min(last, j + 2)]
        if len(right) < 2:
            right = [*right, EOS]
        return left, right


def features(ctx: FeatureContext, suspect: Suspect, ngram: NGramLM) -> list[list[float]]:
    """One feature row per candidate link of ``suspect`` (in ``FEATURES`` order)."""
    left, right = ctx.window(suspect.i, suspect.j)
    current_words = ctx.norms[suspect.i : suspect.j]
    lm_current = ngram.window_logprob(left, current_words, right)
    per_word = lm_current / (len(current_words) + len(right))
    uni_current = _unigram(ngram, current_words)
    pmi_current = ngram.window_logprob(left, current_words, []) - uni_current
    zipf_current = _zipf(" ".join(current_words))
    rows = []
    top = suspect.links[0].score if suspect.links else 0.0
    for link in suspect.links:
        cand_words = key_of(link.text).split()
        margin = ngram.window_logprob(left, cand_words, right) - lm_current
        pmi_cand = ngram.window_logprob(left, cand_words, []) - _unigram(ngram, cand_words)
        rows.append(
            [
                math.log(max(link.score, 1e-6)),
                1.0 if link.score >= top else 0.0,
                float(len(link.sources)),
                1.0 if link.rank == 0 and link.sources != ("moby",) else 0.0,
                margin,
                max(margin, 0.0),
                per_word,
                zipf_current,
                _zipf(" ".join(cand_words)) - zipf_current,
                float(len(cand_words) - len(current_words)),
                1.0 if len(current_words) > 1 else 0.0,
                pmi_cand - pmi_current,
                pmi_current,
            ]
        )
    return rows


def _unigram(ngram: NGramLM, words: Sequence[str]) -> float:
    return sum(ngram.logprob(w) for w in words)


def _reason(suspect: Suspect, link: Link, margin: float) -> str:
    sources = ", ".join(link.sources)
    fit = f"fits the context better (3-gram {margin:+.1f})" if margin > 0 else "is the likelier original"
    return f'"{suspect.text}" is a thesaurus synonym of "{link.text}" ({sources}), which {fit}'


def score_suspects(doc: Document, res: Resources) -> list[tuple[Suspect, list[tuple[float, float, Link]]]]:
    """Stage one for every suspect: (probability, 3-gram margin, link), best first."""
    model = default_model()
    index = res.inverse_index
    if model is None or index is None:
        return []
    settings = _settings()["context"]
    ngram = res.ngram_lm
    ctx = FeatureContext(doc)
    margin_at = FEATURES.index("lm_margin")
    out = []
    for suspect in suspects(doc, index, int(settings["max-words"]), int(settings["max-candidates"])):
        rows = features(ctx, suspect, ngram)
        scored = sorted(
            ((model.probability(x), x[margin_at], link) for x, link in zip(rows, suspect.links, strict=True)),
            key=lambda item: (-item[0], item[2].text),
        )
        out.append((suspect, scored))
    return out


def lm_scores(doc: Document, suspect: Suspect, fillers: Sequence[str], res: Resources) -> list[float]:
    """Causal-LM log-probabilities of the suspect's sentence with each filler in place."""
    from .models import VariantSet

    sentence = doc.sentence_of(suspect.start)
    lo, hi = (sentence.start, sentence.end) if sentence else (0, len(doc.text))
    text = doc.text[lo:hi]
    return res.causal_lm.score_variants([VariantSet(text, suspect.start - lo, suspect.end - lo, tuple(fillers))])[0]


def detect_context(doc: Document, res: Resources) -> list[Span]:
    """Spans whose best inverse candidate the model believes in, with ranked hints.

    ``fast``: the 3-gram stage alone. ``best``: suspects above the stage-two floor
    are re-scored in their whole sentence by the causal LM (current words, top
    candidates), and the second-stage model gives the confidence.
    """
    model = default_model()
    if model is None:
        return []
    settings = _settings()["context"]
    best_quality = res.config.quality == "best" and bool(model.stage2)
    floor = float(settings["stage2-floor"] if best_quality else settings["report-floor"])
    top_k = int(settings["stage2-candidates"])
    spans: list[Span] = []
    for suspect, scored in score_suspects(doc, res):
        p1, margin, best_link = scored[0]
        if p1 < floor:
            continue
        if best_quality:
            fillers = [suspect.text, *(link.text for _, _, link in scored[:top_k])]
            lm = lm_scores(doc, suspect, fillers, res)
            order = sorted(range(1, len(fillers)), key=lambda k: -lm[k])
            ranked = [scored[k - 1] for k in order]
            lm_sorted = [lm[0], *(lm[k] for k in order)]
            confidence = model.stage2_probability(stage2_features(ranked[0][0], lm_sorted))
            if confidence < float(settings["report-floor"]):
                continue
            _, best_margin, best_link = ranked[0]
            reason = _reason(suspect, best_link, best_margin)
            reason += f"; the language model agrees ({lm_sorted[1] - lm[0]:+.1f} nats)"
            others = (
                Candidate(link.text, round(min(p, confidence) * 0.5, 4), link.source) for p, _, link in ranked[1:]
            )
            hints = (Candidate(best_link.text, round(confidence, 4), best_link.source), *others)
            spans.append(Span(suspect.start, suspect.end, suspect.text, DETECTOR, reason, confidence, hints))
            continue
        hints = tuple(Candidate(link.text, round(p, 4), link.source) for p, _, link in scored[:6])
        spans.append(
            Span(suspect.start, suspect.end, suspect.text, DETECTOR, _reason(suspect, best_link, margin), p1, hints)
        )
    return spans
