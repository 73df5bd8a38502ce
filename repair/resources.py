"""Heavy shared objects (compiled lexicons, scoring models), loaded lazily, once per process.

Workers in a process pool or on a Dask cluster each build their own copy on
first use and then reuse it for every document they are given. Nothing is
loaded until a stage asks for it: clean text that never reaches the language
model never pays for loading it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .inverse import InverseIndex, default_index
from .lexicon import Lexicon, phrase_key

if TYPE_CHECKING:
    from .models.causal_lm import CausalLM
    from .models.embedding import SentenceEncoder
    from .models.frequency import WordFrequency
    from .models.ngram import NGramLM
    from .spinmap import SpinMap
    from .terms import Terms

_LOCK = threading.Lock()
_CACHE: dict[tuple[object, ...], Resources] = {}
_MODELS: dict[tuple[object, ...], Any] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(key: tuple[object, ...], load: Callable[[], Any]) -> Any:
    """One instance per process of each model with the same settings, whatever the config.

    Two configs that differ only in thresholds or lexicons share one loaded
    language model rather than holding two copies in memory.
    """
    with _MODELS_LOCK:
        found = _MODELS.get(key)
        if found is None:
            found = _MODELS[key] = load()
        return found


def builtin_lexicon_dir() -> Path:
    """Where the shipped lexicons live: inside the package when installed from a wheel,
    or the repository's ``lexicons/`` folder in a source checkout."""
    packaged = Path(str(importlib_resources.files("repair").joinpath("lexicons")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "lexicons"


class Resources:
    """Everything a pipeline needs that is expensive to build, keyed by config."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def lexicon(self) -> Lexicon:
        folder = builtin_lexicon_dir()
        paths = [folder / name for name in self.config.builtin_lexicons]
        paths += [Path(p) for p in self.config.extend_lexicon]
        return Lexicon.from_files(paths)

    @cached_property
    def spin_map(self) -> SpinMap:
        """The spinner's word choices learned from this config's lexicons (:mod:`repair.spinmap`)."""
        from .inverse import function_words
        from .spinmap import SpinMap

        return SpinMap.from_entries(self.lexicon.entries, function_words())

    @cached_property
    def terms(self) -> Terms:
        """Two-word terms for the phrase step: the thesauri's, and the word pairs of this config's
        lexicon originals (:func:`repair.terms.original_pairs`), so a user's own lexicon adds its terms."""
        from .terms import default_terms, original_pairs

        return default_terms().including(original_pairs(entry.original for entry in self.lexicon.entries))

    @cached_property
    def restored_terms(self) -> dict[tuple[str, ...], int]:
        """The terms this config's lexicon rows restore, for the phrase step (:func:`repair.phrases.restored_terms`)."""
        from .phrases import restored_terms

        return restored_terms(entry.original for entry in self.lexicon.entries)

    @cached_property
    def inverse_index(self) -> InverseIndex | None:
        """The inverted thesaurus (None when no thesaurus is installed); built once per machine."""
        return default_index()

    @cached_property
    def ignored_keys(self) -> frozenset[tuple[str, ...]]:
        return frozenset(phrase_key(p) for p in self.config.ignore_phrases if phrase_key(p))

    @cached_property
    def causal_lm(self) -> CausalLM:
        """The fluency model (``lm-model``), sharing each sentence prefix across candidates."""
        from .models.causal_lm import CausalLM, prepare_weights
        from .models.registry import cache_dir, spec

        model = spec("lm", self.config.lm_model)
        window = None if self.config.lm_right_context < 0 else self.config.lm_right_context
        threads = self.config.model_threads
        return shared_model(
            ("lm", model.name, threads, window),
            lambda: CausalLM(
                prepare_weights(model.locate(), model.run_as, cache_dir()),
                start_token=model.start_token,
                extra_buffers=model.extra_buffers,
                logits_mb=model.logits_mb,
                n_threads=threads,
                right_context=window,
            ),
        )

    @cached_property
    def ngram_lm(self) -> NGramLM:
        """The fast word 3-gram pre-filter (``ngram-model``)."""
        from .models.ngram import NGramLM
        from .models.registry import spec

        model = spec("ngram", self.config.ngram_model)
        return shared_model(("ngram", model.name), lambda: NGramLM(model.locate()))

    @cached_property
    def encoder(self) -> SentenceEncoder:
        """Sentence embeddings (``embedding-model``) for meaning kept and context fit."""
        from .models.embedding import SentenceEncoder
        from .models.registry import spec

        model = spec("embedding", self.config.embedding_model)
        threads = self.config.model_threads
        return shared_model(
            ("embedding", model.name, threads), lambda: SentenceEncoder(model.locate(), n_threads=threads)
        )

    @cached_property
    def word_frequency(self) -> WordFrequency:
        from .models.frequency import WordFrequency

        return shared_model(("wordfreq",), WordFrequency)

    def preload(self) -> None:
        """Load everything the configured pipeline needs now (workers call this when they start)."""
        self.lexicon  # noqa: B018
        self.lexicon.context_terms()
        if "context" in self.config.detectors:
            from .models.collocations import default_collocations

            self.inverse_index  # noqa: B018
            self.ngram_lm  # noqa: B018
            default_collocations()
            if self.config.quality == "best":
                self.causal_lm  # noqa: B018
                self.spin_map  # noqa: B018 - the phrase step's map (0.4 s), not on the first document
                self.terms  # noqa: B018

    @classmethod
    def for_config(cls, config: Config) -> Resources:
        key = config.lexicon_key
        with _LOCK:
            found = _CACHE.get(key)
            if found is None or found.config != config:
                # Reuse the compiled lexicon when only thresholds differ.
                fresh = cls(config)
                if found is not None and "lexicon" in found.__dict__:
                    fresh.__dict__["lexicon"] = found.__dict__["lexicon"]
                _CACHE[key] = found = fresh
            return found
