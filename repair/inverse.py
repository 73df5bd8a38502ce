"""The inverted thesaurus: for a spun word or phrase, the originals a spinner could have replaced.

A spinner replaces an original ``h`` with one of the synonyms its thesaurus
lists for ``h``. Undoing it means inverting the thesauri: the candidates for a
spun form ``s`` are the headwords whose synonym lists contain ``s``. Every
source (Moby, WordNet, MyThes from :mod:`repair.thesauri`, plus the curated
lexicons and the multi-word table) contributes links, and each link keeps its
provenance: which sources, the best sense and rank.

**Prior.** Candidates are ordered by a Bayesian prior
``P(h | s) ∝ freq(h)^α · Σ_source weight(source) · link(h → s)``, where a
link's share is its decay ``1/(1+sense)^a / (1+rank)^b`` divided by the
headword's total in that source: a headword with few synonyms is more likely
to be behind any one of them, spinners favour first senses and first-listed
synonyms, and they replace words that occur. Scores are normalised to sum to 1
per spun form, so a score is a probability among the candidates.

**Inflection.** The thesauri list base forms; spinners re-inflect. At build
time every single-word key (and the head of a multi-word key) is expanded to
its inflected forms with the candidates re-inflected to match ("troopers" ->
"soldiers", "made an attempt" -> "tried"), so a lookup is one dict access.

**File.** The index is written once to a cache directory as an uncompressed
``.npz`` (strings as one UTF-8 blob, candidates as flat arrays with offsets)
whose name carries a fingerprint of the inputs and settings: deterministic,
versioned, rebuilt when anything it depends on changes, and loaded with a few
array reads and one dict build (well under a second).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .segment import WORD_RE

__all__ = [
    "InverseIndex",
    "Link",
    "all_links",
    "build_index",
    "cache_dir",
    "curated_links",
    "default_index",
    "key_of",
    "settings",
    "use_index",
]

# Source bits in a candidate's ``sources`` mask, in this order.
SOURCE_BITS: tuple[str, ...] = ("moby", "wordnet", "mythes", "lexicon", "multiword")
_POS_CODES = {"": 0, "n": 1, "v": 2, "a": 3, "r": 4}
_POS_NAMES = {v: k for k, v in _POS_CODES.items()}
_UPOS_OF_POS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV"}
_SCORE_SCALE = 65535
_MASK_NAMES = tuple(
    tuple(name for bit, name in enumerate(SOURCE_BITS) if mask >> bit & 1) for mask in range(1 << len(SOURCE_BITS))
)


def key_of(text: str) -> str:
    """The lookup key of a word or phrase: its words in lower case, single spaces.

    Hyphens, periods and apostrophe styles do not matter, as in the segmenter:

    >>> key_of("Sq. Miles"), key_of("well-trained"), key_of("Ukraine’s")
    ('sq miles', 'well trained', "ukraine's")
    """
    return " ".join(m.group().lower().replace("\u2019", "'") for m in WORD_RE.finditer(text))


class Link(NamedTuple):
    """One inverse candidate: ``text`` may have been spun into the looked-up form.

    ``score`` is the prior probability among the form's candidates; ``sources``
    names every source that links them; ``sense`` and ``rank`` are the best
    (lowest) sense and rank over those links; ``pos`` is the part of speech when a
    source gave one (``n v a r`` or ``""``).
    """

    text: str
    score: float
    sources: tuple[str, ...]
    pos: str
    sense: int
    rank: int

    @property
    def source(self) -> str:
        return "thesaurus:" + "+".join(self.sources)


# --------------------------------------------------------------------------- settings


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The ``[inverse]`` table of ``repair/data/proposer.toml``."""
    text = importlib_resources.files("repair").joinpath("data/proposer.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["inverse"])


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Words never looked up as spins: a spinner's synonyms are for content words (``function-words``)."""
    return frozenset(settings().get("function-words", ()))


def cache_dir() -> Path:
    """Where built indexes are kept: ``$REPAIR_CACHE_DIR``, else the user cache folder."""
    explicit = os.environ.get("REPAIR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repair"


# --------------------------------------------------------------------------- build


@dataclass(slots=True)
class _Acc:
    weight: float
    mask: int
    pos: int
    sense: int
    rank: int


def _decay(source: str, sense: int, rank: int, params: dict[str, Any]) -> float:
    value = 1.0 / (1.0 + sense) ** params["sense-decay"]
    if source in params["ranked-sources"]:
        value /= (1.0 + rank) ** params["rank-decay"]
    return value


def build_index(
    links: Iterable[Any],
    params: dict[str, Any] | None = None,
    frequency: Any = None,
    commonness: Any = None,
    only: set[str] | None = None,
) -> InverseIndex:
    """Invert forward links (objects with ``headword, synonym, source, pos, sense, rank``).

    ``frequency`` maps a headword to its corpus frequency and ``commonness`` a
    synonym to its Zipf value (defaults: wordfreq and the shipped phrase counts);
    tests pass plain functions to stay independent of word lists. ``only``
    restricts the index to these spun forms (and their lemmas), with priors
    computed as in the full index: tuning runs use it to rebuild in seconds.
    """
    params = dict(params or settings())
    if only is not None:
        only = _with_lemmas(only)
    if frequency is None:
        frequency = _default_frequency()
    if commonness is None:
        commonness = _default_commonness()
    curated = set(params["curated"])
    ranked = set(params["ranked-sources"])
    weights = params["source-weights"]
    z0 = params["commonness-floor"]
    common_cache: dict[str, float] = {}

    def unranked_weight(spun: str) -> float:
        found = common_cache.get(spun)
        if found is None:
            found = common_cache[spun] = max(commonness(spun) - z0, 0.05) ** params["commonness-power"]
        return found

    # Pass 1: per (headword, source), the total weight, so each link gets its share.
    raw: list[tuple[str, str, str, int, int, int, float]] = []
    totals: dict[tuple[str, str], float] = {}
    for link in links:
        spun, head = key_of(link.synonym), link.headword.strip()
        if not spun or not head or key_of(head) == spun or link.source not in SOURCE_BITS:
            continue
        if link.source in curated:
            d = 1.0
        elif link.source in ranked:
            d = _decay(link.source, link.sense, link.rank, params)
            if commonness(spun) < z0:  # spinners skip rare words even when listed first
                d *= params["rare-synonym-factor"]
        else:
            d = unranked_weight(spun)
        raw.append((spun, head, link.source, _POS_CODES.get(link.pos, 0), link.sense, link.rank, d))
        if link.source not in curated:
            totals[(head, link.source)] = totals.get((head, link.source), 0.0) + d
    # A spinner picks one of the sources that list the headword, then a synonym in it.
    n_sources: dict[str, int] = {}
    for head, _ in totals:
        n_sources[head] = n_sources.get(head, 0) + 1
    table: dict[str, dict[str, _Acc]] = {}
    best_share: dict[tuple[str, str, str], float] = {}
    for spun, head, source, pos, sense, rank, d in raw:
        if only is not None and spun not in only:
            continue
        share = d / totals[(head, source)] / n_sources[head] if source not in curated else 1.0
        # Within one source a pair can be linked by several senses: keep the best share.
        pair = (spun, head, source)
        if share > best_share.get(pair, 0.0):
            best_share[pair] = share
        bucket = table.setdefault(spun, {})
        acc = bucket.get(head)
        bit = 1 << SOURCE_BITS.index(source)
        if acc is None:
            bucket[head] = _Acc(0.0, bit, pos, sense, rank)
        else:
            acc.mask |= bit
            acc.pos = acc.pos or pos
            acc.sense = min(acc.sense, sense)
            acc.rank = min(acc.rank, rank)
    del raw
    for (spun, head, source), share in best_share.items():
        table[spun][head].weight += weights.get(source, 1.0) * share
    del best_share
    freq_cache: dict[str, float] = {}
    alpha, floor = params["frequency-exponent"], params["frequency-floor"]

    function_words = frozenset(params.get("function-words", ()))
    function_factor = params.get("function-word-factor", 1.0)

    def prior(head: str) -> float:
        f = freq_cache.get(head)
        if f is None:
            f = max(float(frequency(head)), floor) ** alpha
            if head.lower() in function_words:
                f *= function_factor
            freq_cache[head] = f
        return f

    if params.get("inflect", True):
        _add_inflected(table)
    keys = sorted(table)
    limit = int(params["max-candidates"])
    rows: dict[str, list[tuple[str, float, int, int, int, int]]] = {}
    for spun in keys:
        scored = [(head, acc.weight * prior(head), acc) for head, acc in table[spun].items()]
        scored.sort(key=lambda item: (-item[1], item[0]))
        scored = scored[:limit]
        total = sum(s for _, s, _ in scored) or 1.0
        rows[spun] = [(head, s / total, acc.mask, acc.pos, acc.sense, acc.rank) for head, s, acc in scored]
    return InverseIndex.from_rows(rows, meta={"params": params})


def _with_lemmas(forms: set[str]) -> set[str]:
    """The forms plus the lemma forms they may be inflected from (single words and phrase heads)."""
    from .inflect import analyses

    out = set(forms)
    for form in forms:
        words = form.split(" ")
        for i, word in enumerate(words):
            for _, lemma, _ in analyses(word):
                out.add(" ".join([*words[:i], lemma, *words[i + 1 :]]))
    return out


def _add_inflected(table: dict[str, dict[str, _Acc]]) -> None:
    """Add inflected spun forms with re-inflected candidates (see the module docstring)."""
    from .inflect import BASE_TAGS, UPOS_OF_TAG, analyses, head_index, inflect_phrase

    inflect_cache: dict[tuple[str, str], str] = {}
    class_cache: dict[tuple[str, str], bool] = {}

    def has_class(head: str, upos: str) -> bool:
        key = (head, upos)
        found = class_cache.get(key)
        if found is None:
            words = head.split()
            word = words[head_index(words, upos)] if words else head
            readings = analyses(word)
            found = any(u == upos for u, _, _ in readings) if readings else upos == "NOUN"
            class_cache[key] = found
        return found

    additions: dict[str, dict[str, _Acc]] = {}
    for spun in list(table):
        for tag, form in _spun_forms(spun):
            if tag in BASE_TAGS or form == spun:
                continue
            upos = UPOS_OF_TAG[tag]
            target = additions.setdefault(form, {})
            for head, acc in table[spun].items():
                if acc.pos and _UPOS_OF_POS.get(_POS_NAMES[acc.pos]) != upos:
                    continue
                if not acc.pos and not has_class(head, upos):
                    continue
                ikey = (head, tag)
                new_head = inflect_cache.get(ikey)
                if new_head is None:
                    new_head = inflect_cache[ikey] = inflect_phrase(head, tag)
                if key_of(new_head) == form:
                    continue
                known = target.get(new_head)
                if known is None or acc.weight > known.weight:
                    target[new_head] = _Acc(acc.weight, acc.mask, acc.pos, acc.sense, acc.rank)
    for form, bucket in additions.items():
        existing = table.setdefault(form, {})
        for head, acc in bucket.items():
            known = existing.get(head)
            if known is None:
                existing[head] = acc
            elif acc.weight > known.weight:
                known.weight = acc.weight
                known.mask |= acc.mask


@cache
def _word_forms(word: str) -> tuple[tuple[str, str], ...]:
    """(tag, form) of every dictionary inflection of a single lower-case word."""
    from lemminflect import getAllInflections

    from .inflect import UPOS_OF_TAG

    out: list[tuple[str, str]] = []
    for tag, forms in sorted(getAllInflections(word).items()):
        if tag in UPOS_OF_TAG and forms:
            out.append((tag, forms[0]))
    return tuple(out)


def _spun_forms(spun: str) -> Iterator[tuple[str, str]]:
    words = spun.split(" ")
    if len(words) == 1:
        if spun.isalpha():
            yield from _word_forms(spun)
        return
    from .inflect import head_index

    # Verb phrases inflect their first word, noun phrases their head.
    first = _word_forms(words[0])
    for tag, form in first:
        if tag.startswith("VB"):
            yield tag, " ".join([form, *words[1:]])
    i = head_index(words, "NOUN")
    for tag, form in _word_forms(words[i]):
        if tag == "NNS":
            yield tag, " ".join([*words[:i], form, *words[i + 1 :]])


@lru_cache(maxsize=1)
def phrase_counts() -> tuple[dict[str, int], int]:
    """Multi-word counts in clean prose (``data/phrase_counts.tsv``) and the words counted."""
    item = importlib_resources.files("repair").joinpath("data/phrase_counts.tsv")
    if not item.is_file():
        return {}, 0
    counts: dict[str, int] = {}
    total = 0
    for line in item.read_text(encoding="utf-8").splitlines():
        if line.startswith("# total-words\t"):
            total = int(line.split("\t")[1])
        elif line and not line.startswith("#") and not line.startswith("phrase\t"):
            phrase, count = line.split("\t")
            counts[phrase] = int(count)
    return counts, total


def _default_frequency() -> Any:
    """Word frequency from wordfreq; phrases from the shipped counts (wordfreq over-rates unseen pairs)."""
    from wordfreq import word_frequency

    counts, total = phrase_counts()

    def frequency(text: str) -> float:
        key = key_of(text)
        if " " not in key:
            return word_frequency(key, "en")
        if total and key in counts:
            return counts[key] / total
        unseen = 0.5 / total if total else 1e-7
        return min(word_frequency(key, "en"), unseen)

    return frequency


def _default_commonness() -> Any:
    """Zipf value of a word or phrase (its rarest word): spinners prefer common synonyms."""
    from wordfreq import zipf_frequency

    def commonness(text: str) -> float:
        words = text.split()
        return min(zipf_frequency(w, "en") for w in words) if words else 0.0

    return commonness


# --------------------------------------------------------------------------- the index


class InverseIndex:
    """Spun form -> ranked candidate originals, over flat arrays (see the module docstring)."""

    def __init__(
        self,
        strings: list[str],
        key_ids: np.ndarray,
        offsets: np.ndarray,
        cand_ids: np.ndarray,
        scores: np.ndarray,
        masks: np.ndarray,
        pos: np.ndarray,
        senses: np.ndarray,
        ranks: np.ndarray,
        meta: dict[str, Any],
    ) -> None:
        self._strings = strings
        self._key_ids = key_ids
        self._offsets = offsets
        self._cand_ids = cand_ids
        self._scores = scores
        self._masks = masks
        self._pos = pos
        self._senses = senses
        self._ranks = ranks
        self.meta = meta
        self._slot = {strings[i]: k for k, i in enumerate(key_ids.tolist())}
        self._cache: dict[str, tuple[tuple[Link, ...], bool]] = {}  # key -> (links, all of them)
        self._priors: dict[str, dict[str, float]] = {}  # key -> {its candidates' keys: prior}
        self._first_lengths: dict[str, int] | None = None

    # ------------------------------------------------------------- construction

    @classmethod
    def from_rows(
        cls, rows: dict[str, list[tuple[str, float, int, int, int, int]]], meta: dict[str, Any]
    ) -> InverseIndex:
        strings = sorted({k for k in rows} | {c[0] for cands in rows.values() for c in cands})
        sid = {s: i for i, s in enumerate(strings)}
        keys = sorted(rows)
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        flat: list[tuple[str, float, int, int, int, int]] = []
        for k, key in enumerate(keys):
            flat.extend(rows[key])
            offsets[k + 1] = len(flat)
        return cls(
            strings,
            np.array([sid[k] for k in keys], dtype=np.int32),
            offsets,
            np.array([sid[c[0]] for c in flat], dtype=np.int32),
            np.array([round(c[1] * _SCORE_SCALE) for c in flat], dtype=np.uint16),
            np.array([c[2] for c in flat], dtype=np.uint8),
            np.array([c[3] for c in flat], dtype=np.uint8),
            np.array([min(c[4], 255) for c in flat], dtype=np.uint8),
            np.array([min(c[5], 65535) for c in flat], dtype=np.uint16),
            meta,
        )

    def save(self, path: str | Path) -> None:
        """Write atomically (a reader never sees half a file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = np.frombuffer("\n".join(self._strings).encode("utf-8"), dtype=np.uint8)
        meta = np.frombuffer(json.dumps(self.meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    strings=blob,
                    meta=meta,
                    key_ids=self._key_ids,
                    offsets=self._offsets,
                    cand_ids=self._cand_ids,
                    scores=self._scores,
                    masks=self._masks,
                    pos=self._pos,
                    senses=self._senses,
                    ranks=self._ranks,
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: str | Path) -> InverseIndex:
        with np.load(path, allow_pickle=False) as data:
            strings = data["strings"].tobytes().decode("utf-8").split("\n")
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            arrays = {name: data[name] for name in ("key_ids", "offsets", "cand_ids", "scores")}
            extra = {name: data[name] for name in ("masks", "pos", "senses", "ranks")}
        return cls(strings, **arrays, **extra, meta=meta)

    # ------------------------------------------------------------- queries

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, key: str) -> bool:
        return key in self._slot

    def has(self, form: str) -> bool:
        """Fast path: does this (already lower-case, single-spaced) form have any candidates?"""
        return form in self._slot

    def lookup(self, form: str, limit: int | None = None) -> tuple[Link, ...]:
        """Candidates for a word or phrase, best prior first (any case, any spacing).

        ``limit`` returns only the first ``limit`` candidates. Callers that rank a
        short list (the context detector scores 12) should pass it: decoding a
        candidate into a :class:`Link` is the cost of a cold look-up, and a form
        can have up to ``max-candidates`` (120) of them.
        """
        key = form if form in self._slot else key_of(form)
        cached = self._cache.get(key)
        if cached is not None:
            found, complete = cached
            if complete or (limit is not None and len(found) >= limit):
                return found if limit is None else found[:limit]
        slot = self._slot.get(key)
        if slot is None:
            return ()
        lo, hi = int(self._offsets[slot]), int(self._offsets[slot + 1])
        complete = limit is None or hi - lo <= limit
        if not complete:
            hi = lo + limit
        strings = self._strings
        found = tuple(
            Link(strings[cid], score / _SCORE_SCALE, _MASK_NAMES[mask], _POS_NAMES.get(p, ""), sense, rank)
            for cid, score, mask, p, sense, rank in zip(
                self._cand_ids[lo:hi].tolist(),
                self._scores[lo:hi].tolist(),
                self._masks[lo:hi].tolist(),
                self._pos[lo:hi].tolist(),
                self._senses[lo:hi].tolist(),
                self._ranks[lo:hi].tolist(),
                strict=True,
            )
        )
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = (found, complete)
        return found

    def count(self, form: str) -> int:
        """How many candidates a form has, without decoding them."""
        key = form if form in self._slot else key_of(form)
        slot = self._slot.get(key)
        return 0 if slot is None else int(self._offsets[slot + 1] - self._offsets[slot])

    def prior(self, form: str, original: str) -> float:
        """The prior that ``original`` was spun into ``form`` (0.0 when unlinked).

        A form's candidates are keyed once, best first (the first of a key keeps its
        prior): the broken-name rule, which runs at every level, asks one capitalised
        word about the words of several names, and most of them are not among its
        candidates, which took a scan of them all each time.
        """
        key = form if form in self._slot else key_of(form)
        priors = self._priors.get(key)
        if priors is None:
            priors = {}
            for link in self.lookup(key):
                priors.setdefault(key_of(link.text), link.score)
            if len(self._priors) > 200_000:
                self._priors.clear()
            self._priors[key] = priors
        return priors.get(key_of(original), 0.0)

    @property
    def max_phrase_words(self) -> dict[str, int]:
        """First word -> the most words a key starting with it has (for phrase scans)."""
        if self._first_lengths is None:
            lengths: dict[str, int] = {}
            for key in self._slot:
                parts = key.split(" ")
                if len(parts) > lengths.get(parts[0], 0):
                    lengths[parts[0]] = len(parts)
            self._first_lengths = lengths
        return self._first_lengths

    def spans(self, norms: Sequence[str], max_words: int = 4) -> Iterator[tuple[int, int]]:
        """Token ranges ``[i, j)`` of a norm sequence whose words form a key, longest first."""
        lengths = self.max_phrase_words
        for i, first in enumerate(norms):
            longest = min(lengths.get(first, 0), max_words, len(norms) - i)
            for n in range(longest, 0, -1):
                key = first if n == 1 else " ".join(norms[i : i + n])
                if key in self._slot:
                    yield i, i + n


# --------------------------------------------------------------------------- default index

_LOCK = threading.Lock()
_DEFAULT: dict[str, InverseIndex | None] = {}


def curated_links(lexicons: Sequence[Path] | None = None) -> Iterator[Any]:
    """Links from the lexicons and the multi-word table (source ``lexicon``/``multiword``).

    ``lexicons``: the lexicon files to link (default: every shipped one). The
    benchmark passes a lexicon with rows held out, so that an index built for
    it cannot know the held-out phrases.
    """
    from .lexicon import read_lexicon
    from .resources import builtin_lexicon_dir
    from .thesauri import SynonymLink

    paths = sorted(builtin_lexicon_dir().glob("*.tsv")) if lexicons is None else list(lexicons)
    for path in paths:
        for entry in read_lexicon(path):
            if entry.kind != "phrase":
                continue
            yield SynonymLink(entry.original, entry.spun, "lexicon", "", 0, 0)
    table = importlib_resources.files("repair").joinpath("data/multiword.tsv")
    if table.is_file():
        for row in _read_tsv(table.read_text(encoding="utf-8")):
            yield SynonymLink(row["original"], row["spun"], "multiword", row.get("pos", ""), 0, 0)


def all_links(sources: Sequence[str], lexicons: Sequence[Path] | None = None) -> Iterator[Any]:
    """Every link the index is built from: the thesauri ``sources``, then the curated data."""
    from .thesauri import iter_links

    for source in sources:
        yield from iter_links(source)
    yield from curated_links(lexicons)


def _read_tsv(text: str) -> Iterator[dict[str, str]]:
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        yield dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))


def _fingerprint(sources: Sequence[str]) -> str:
    """What the default index depends on: settings, sources and the files behind them."""
    from . import thesauri

    parts: list[str] = [json.dumps(settings(), sort_keys=True), ",".join(sources)]
    for source in sources:
        for path in thesauri._source_files(source):
            if path is not None and path.exists():
                stat = path.stat()
                parts.append(f"{path.name}:{stat.st_size}")
    folder = importlib_resources.files("repair")
    for name in ("data/multiword.tsv", "data/phrase_counts.tsv", "inverse.py", "inflect.py"):
        item = folder.joinpath(name)
        if item.is_file():
            parts.append(hashlib.sha256(item.read_bytes()).hexdigest())
    from .resources import builtin_lexicon_dir

    for path in sorted(builtin_lexicon_dir().glob("*.tsv")):
        parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def index_path() -> Path:
    """The cache file of the default index for the installed sources and settings."""
    from .thesauri import available_sources

    sources = available_sources()
    version = settings()["format-version"]
    return cache_dir() / f"inverse-v{version}-{_fingerprint(sources)}.npz"


def default_index(build: bool = True) -> InverseIndex | None:
    """The index over every installed thesaurus and the curated data, built on first use.

    Returns None when no thesaurus is installed (the proposer then proposes
    nothing from thesauri). Built once per machine and cached, loaded once per
    process.
    """
    with _LOCK:
        if "index" in _DEFAULT:
            return _DEFAULT["index"]
        from .thesauri import available_sources

        sources = available_sources()
        path = index_path()
        index: InverseIndex | None = None
        if path.exists():
            index = InverseIndex.load(path)
        elif sources and build:
            index = build_index(all_links(sources))
            index.meta["sources"] = list(sources)
            try:
                index.save(path)
            except OSError:
                pass  # no writable cache folder: this process keeps what it built, the next builds again
            else:
                _prune_old(path)
        _DEFAULT["index"] = index
        return index


def _prune_old(keep: Path) -> None:
    """Remove stale index files of this format next to the fresh one."""
    for other in keep.parent.glob("inverse-v*.npz"):
        if other != keep and re.match(r"inverse-v\d+-[0-9a-f]{16}\.npz$", other.name):
            try:
                other.unlink()
            except OSError:
                pass


def use_index(index: InverseIndex | None) -> None:
    """Make ``index`` the process default (an index built from other sources or lexicons)."""
    with _LOCK:
        _DEFAULT["index"] = index


def reset_default() -> None:
    """Forget the loaded default index (tests; after installing a thesaurus)."""
    with _LOCK:
        _DEFAULT.clear()
