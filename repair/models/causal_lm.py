"""Fluency from a small causal language model (GGUF weights, run by llama.cpp).

The question a ranker asks is "which of these fillers makes the sentence most
likely?". All variants of one span share the text before the span, so this
module evaluates that prefix *once* and every variant's remainder in the same
batched ``llama_decode`` call: the prefix tokens belong to every variant's
sequence in llama.cpp's unified KV cache, each remainder to its own sequence,
and the attention mask keeps the variants apart. On a 135M-parameter model the
cost is linear in tokens (about 250-600 tokens/s on two cores, see
``reports/signals.md``), so sharing the prefix and capping the right context
(``right_context`` tokens after the filler) are what make it affordable.

It uses llama-cpp-python's low-level C bindings rather than its ``Llama``
class: the high-level class keeps one sequence and a full ``n_ctx x n_vocab``
logits matrix, which is both slower for this job and several hundred MB larger.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import VariantSet, prefer_passive_threads

_BACKEND_LOCK = threading.Lock()
_BACKEND_READY = False


@dataclass(frozen=True, slots=True)
class LMScore:
    """The language model's verdict on one variant.

    ``logprob`` is the natural-log probability of the variant's tokens that were
    scored: the whole sentence, or the sentence up to ``right_context`` tokens
    after the filler. ``filler_logprob`` covers only the filler's own tokens
    (with the space before it): how expected the filler is from the left
    context alone.
    """

    logprob: float
    n_tokens: int
    filler_logprob: float
    filler_tokens: int


def _llama() -> Any:
    """Import llama_cpp quietly and initialise its backend once per process."""
    global _BACKEND_READY
    # llama-cpp-python routes llama.cpp's log through this logger; without a level
    # it prints every tensor it loads to stderr.
    prefer_passive_threads()
    import llama_cpp

    with _BACKEND_LOCK:
        if not _BACKEND_READY:
            _quiet_log(llama_cpp)
            llama_cpp.llama_backend_init()
            _BACKEND_READY = True
    return llama_cpp


_LOG = logging.getLogger("repair.llama")
_LOG_HOOK: Any = None  # the ctypes callback must stay alive as long as llama.cpp may call it


def _quiet_log(llama_cpp: Any) -> None:
    """Send llama.cpp's errors to Python logging and drop its chatter.

    By default llama-cpp-python prints model-loading details (and, for some
    GGUF files, warnings about their vocabularies) to stderr, which would mix
    with repair's own output.
    """
    global _LOG_HOOK

    def hook(level: int, text: bytes, _user: Any) -> None:
        if level == 3:  # GGML_LOG_LEVEL_ERROR
            _LOG.error("llama.cpp: %s", text.decode("utf-8", errors="replace").rstrip())

    _LOG_HOOK = llama_cpp.llama_log_callback(hook)
    llama_cpp.llama_log_set(_LOG_HOOK, ctypes.c_void_p(0))


_FTYPES = {"f32": 0, "f16": 1}


def prepare_weights(path: str | Path, dtype: str, cache: Path) -> Path:
    """The shipped GGUF, converted once to ``dtype`` ("f16"/"f32") in ``cache``; or as shipped.

    Why convert: with 4-bit weights llama.cpp quantizes the activations too, and
    picks a different matrix kernel as the batch grows, so the same sentence
    scored in a batch of 4 or of 8 sequences differs by up to a nat, and a run's
    output would depend on how its documents were batched. Dequantized 16-bit
    weights give the same score (within 0.02) whatever the batch, and run about
    twice as fast on AVX-512 CPUs (``reports/signals.md``). The conversion is a
    local, deterministic rewrite of the shipped file (well under a second);
    nothing is downloaded. Written to a temporary name and renamed, so a
    concurrent or interrupted conversion never leaves a half file in place.
    """
    source = Path(path)
    if dtype in ("", "packaged"):
        return source
    if dtype not in _FTYPES:
        raise ValueError(f"unknown weight type {dtype!r}; use one of: packaged, {', '.join(_FTYPES)}")
    stat = source.stat()
    target = cache / f"{source.stem}.{stat.st_size}.{dtype}.gguf"
    if target.exists():
        return target
    lib = _llama()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=cache)
    except OSError:  # no writable cache (read-only home): convert into the temp folder
        cache = Path(tempfile.gettempdir()) / "repair-models"
        cache.mkdir(parents=True, exist_ok=True)
        target = cache / target.name
        if target.exists():
            return target
        fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=cache)
    os.close(fd)
    try:
        params = lib.llama_model_quantize_default_params()
        params.ftype = _FTYPES[dtype]
        params.allow_requantize = True
        params.nthread = 1
        status = lib.llama_model_quantize(str(source).encode(), tmp.encode(), params)
        if status != 0:
            raise RuntimeError(f"llama.cpp could not convert {source.name} to {dtype} (status {status})")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _fields_of(params: Any) -> set[str]:
    """The field names of a llama.cpp parameter struct (they change between releases)."""
    return {name for name, *_ in type(params)._fields_}


def _read_not_mapped(params: Any) -> Any:
    """Model parameters that read the weights into memory instead of mapping the file.

    Why: on CPUs with AMX, llama.cpp copies the layer weights into its AMX buffer
    at load time, and the pages of the mapped file it read them from stay
    resident as well, so SmolLM2's 255 MB of f16 weights cost 510 MB of RSS.
    Read rather than mapped, only the copy stays: 476 MB instead of 676 MB after
    loading, with the same scores to the last bit (``reports/signals.md``).
    """
    fields = _fields_of(params)
    if "load_mode" in fields:
        params.load_mode = 0  # LLAMA_LOAD_MODE_NONE
    elif "use_mmap" in fields:
        params.use_mmap = False
    return params


def _free(lib: Any, model: Any, ctx: Any, batch: Any) -> None:
    lib.llama_batch_free(batch)
    lib.llama_free(ctx)
    lib.llama_model_free(model)


@dataclass(frozen=True, slots=True)
class TokenRead:
    """One pass of the model over a text (:meth:`CausalLM.read`).

    ``tokens``: ``(start, end, logprob)`` per token, in character offsets of the
    text. ``probed``: for each probed character offset, the log-probability that
    each probe string's first token would have had in place of the token that
    covers the offset, given the text before it (the whitespace glued to that
    token goes with the probe).
    """

    tokens: tuple[tuple[int, int, float], ...]
    probed: dict[int, tuple[float, ...]]


#: KV cache cells are allocated in multiples of this, and at least this many are left beside a
#: full decode for the variants of a resident text (CausalLM.score_in_context).
_KV_PAD, _KV_BESIDE = 256, 32


@dataclass(slots=True)
class _Group:
    """One decode unit: a shared prefix and the remainders that follow it."""

    prefix: list[int]
    rests: list[list[int]]
    heads: list[int]  # how many leading tokens of each rest are the filler
    score_prefix: bool = True  # False: the prefix only conditions (its log-prob is reported as 0)

    @classmethod
    def of(cls, prefix: list[int], items: list[Any], score_prefix: bool) -> _Group:
        """A group from :meth:`CausalLM._chunks` items, ``(owner, rest, head)`` each."""
        return cls(prefix, [rest for _, rest, _ in items], [head for _, _, head in items], score_prefix)


class CausalLM:
    """Log-probabilities of sentences and of span variants from a GGUF model.

    ``right_context`` (tokens scored after the filler; ``None`` = to the end of
    the text) trades a little accuracy for speed. ``max_sequences`` variants
    share one decode; ``n_ctx`` caps the tokens of one decode, lowered further
    so that the logits of one decode (``n_vocab`` floats per scored token) fit
    in ``logits_mb`` megabytes: 512 tokens x 49,152 x 4 bytes = 96 MB for SmolLM2 at the
    default, which a long document's batch fills; ``models.toml`` sets 32 (170 tokens).
    ``extra_buffers=False`` keeps llama.cpp from repacking the weights into its
    accelerator buffers (AMX): one copy of the weights, plain CPU kernels.
    """

    name = "causal-lm"

    def __init__(
        self,
        model_path: str | Path,
        *,
        start_token: str = "",
        extra_buffers: bool = True,
        n_threads: int = 0,
        n_ctx: int = 512,
        max_sequences: int = 32,
        right_context: int | None = None,
        cache_size: int = 50_000,
        logits_mb: int = 128,
    ) -> None:
        lib = _llama()
        self._lib = lib
        self.model_path = Path(model_path)
        self.right_context = right_context
        self.max_sequences = max_sequences
        threads = n_threads or os.cpu_count() or 1

        mparams = _read_not_mapped(lib.llama_model_default_params())
        if not extra_buffers and "use_extra_bufts" in _fields_of(mparams):
            mparams.use_extra_bufts = False
        model = lib.llama_model_load_from_file(str(self.model_path).encode(), mparams)
        if not model:
            raise RuntimeError(f"llama.cpp could not load {self.model_path.name}")
        # Every scored token keeps n_vocab logits; cap one decode's tokens so that
        # buffer stays under logits_mb (Gemma's 262k vocabulary would otherwise need
        # 512 MB for 512 tokens).
        n_vocab = int(lib.llama_vocab_n_tokens(lib.llama_model_get_vocab(model)))
        n_ctx = max(64, min(n_ctx, (logits_mb << 20) // (4 * n_vocab)))
        self.n_ctx = n_ctx
        cparams = lib.llama_context_default_params()
        if "kv_unified" not in _fields_of(cparams):
            lib.llama_model_free(model)
            raise RuntimeError("llama-cpp-python is too old for shared-prefix scoring; install 0.3.36 or newer")
        # One decode holds at most n_ctx tokens. The cache has room beside them, so a text read into it
        # stays while variants of it are decoded (score_in_context): their remainders are a few tokens
        # each. llama.cpp attends over the cells in use rounded up to 256, so a cache of 256 cells (what
        # SmolLM2's 170-token decodes had before) adds no work to any decode.
        self.kv_cells = _KV_PAD * -(-(n_ctx + _KV_BESIDE) // _KV_PAD)
        cparams.n_ctx = self.kv_cells
        cparams.n_batch = n_ctx
        cparams.n_ubatch = n_ctx
        cparams.n_seq_max = max_sequences
        cparams.kv_unified = True  # prefix cells are shared by every variant's sequence
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        cparams.no_perf = True
        ctx = lib.llama_init_from_model(model, cparams)
        if not ctx:
            lib.llama_model_free(model)
            raise RuntimeError(f"llama.cpp could not create a context for {self.model_path.name}")
        batch = lib.llama_batch_init(n_ctx, 0, max_sequences)
        self._model, self._ctx, self._batch = model, ctx, batch
        self._memory = lib.llama_get_memory(ctx)
        self._vocab = lib.llama_model_get_vocab(model)
        self.n_vocab = int(lib.llama_vocab_n_tokens(self._vocab))
        self._finalizer = weakref.finalize(self, _free, lib, model, ctx, batch)
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple[object, ...], LMScore] = OrderedDict()
        self._cache_size = cache_size
        self.start_token = self._start_token(start_token)
        self.tokens_evaluated = 0  # decoded tokens, for speed reports
        # The tokens sequence 0 of the KV cache holds as one text read alone (read, _fill), or None.
        self._resident: list[int] | None = None

    # -- tokens ---------------------------------------------------------------

    def tokenize(self, text: str, special: bool = False) -> list[int]:
        data = text.encode("utf-8")
        if not data:
            return []
        size = len(data) + 8
        buf = (ctypes.c_int32 * size)()
        n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, size, False, special)
        if n < 0:  # buffer too small (cannot happen for byte-level BPE, but be safe)
            size = -n
            buf = (ctypes.c_int32 * size)()
            n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, size, False, special)
        return list(buf[:n])

    def piece(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self._lib.llama_token_to_piece(self._vocab, token, buf, 64, 0, False)
        return buf.raw[: max(n, 0)]

    def _start_token(self, text: str) -> int:
        """The token every text is conditioned on (the model's document start)."""
        if text:
            found = self.tokenize(text, special=True)
            if len(found) == 1:
                return found[0]
        return int(self._lib.llama_vocab_bos(self._vocab))

    # -- public scoring -------------------------------------------------------

    def sentence_logprobs(self, texts: Sequence[str]) -> list[float]:
        """Natural-log probability of each whole text (all tokens, after the start token)."""
        sets = [VariantSet(t, 0, len(t), (t,)) for t in texts]
        return [row[0].logprob for row in self.score_sets(sets, whole=True)]

    def score_variants(self, sets: Sequence[VariantSet], with_prefix: bool = True) -> list[list[float]]:
        """The uniform scorer interface: ``logprob`` of each variant."""
        return [[s.logprob for s in row] for row in self.score_sets(sets, with_prefix=with_prefix)]

    def score_sets(
        self, sets: Sequence[VariantSet], whole: bool = False, with_prefix: bool = True
    ) -> list[list[LMScore]]:
        """An :class:`LMScore` per filler per set, sharing each set's prefix in the decode.

        ``whole`` scores every variant to the end of its text, whatever ``right_context`` says.
        ``with_prefix=False`` leaves the shared prefix's own log-probability out of
        every score (it is the same for all fillers of a set, so margins between
        them do not change): the model then computes no output distribution for
        the prefix's tokens but the last, which saves the vocabulary projection
        and the softmax over ~49,000 tokens for each of them.
        """
        window = None if whole else self.right_context
        results: list[list[LMScore | None]] = [[None] * len(vs.fillers) for vs in sets]
        groups: list[_Group] = []
        owners: list[list[tuple[int, int, tuple[object, ...]]]] = []
        with self._lock:
            for i, vs in enumerate(sets):
                missing = []
                for j, filler in enumerate(vs.fillers):
                    key = (vs.text, vs.start, vs.end, filler, window, with_prefix)
                    hit = self._cache.get(key)
                    if hit is not None:
                        self._cache.move_to_end(key)
                        results[i][j] = hit
                    else:
                        missing.append((j, filler, key))
                if not missing:
                    continue
                prefix, rests, heads = self._split(vs, [f for _, f, _ in missing], window)
                for chunk in self._chunks(prefix, list(zip(missing, rests, heads, strict=True))):
                    p, items = chunk
                    groups.append(_Group.of(p, items, with_prefix))
                    owners.append([(i, j, key) for (j, _, key), _, _ in items])
            if groups:
                scored = self._run(groups)
                for group_owners, group_scores in zip(owners, scored, strict=True):
                    for (i, j, key), score in zip(group_owners, group_scores, strict=True):
                        results[i][j] = score
                        self._remember(key, score)
        return [[s for s in row if s is not None] for row in results]

    def read(self, text: str, probes: Sequence[tuple[int, Sequence[str]]] = ()) -> TokenRead:
        """Every token's log-probability in one pass, and what the model thought of other words in places.

        The detector's "surprise" signal: a spun word is usually a token the
        model did not expect here. ``probes`` (character offset, strings) ask, in
        the same pass, how likely each string's first token was where the token
        covering the offset stands: whether the model expected one of a span's
        candidates more than its own words. Offsets come from the tokens' byte
        pieces; text the tokenizer does not reproduce byte for byte gets no
        offsets (and no probes) past the first mismatch.
        """
        tokens = self.tokenize(text)[: self.n_ctx - 1]
        if not tokens:
            return TokenRead((), {})
        data = text.encode("utf-8")
        spans: list[tuple[int, int]] = []
        pos = 0
        for tok in tokens:
            piece = self.piece(tok)
            if data[pos : pos + len(piece)] != piece:
                break
            start = len(data[:pos].decode("utf-8", errors="ignore"))
            pos += len(piece)
            spans.append((start, len(data[:pos].decode("utf-8", errors="ignore"))))
        # Output row r of the pass predicts token r (row 0 is the start token's).
        asked: dict[int, tuple[int, list[int]]] = {}
        for offset, strings in probes:
            row = next((k for k, (_, end) in enumerate(spans) if end > offset), None)
            if row is None:
                continue
            glued = text[spans[row][0] : offset]
            firsts = [found[0] if (found := self.tokenize(glued + s)) else -1 for s in strings]
            asked[offset] = (row, firsts)
        rows: dict[int, list[int]] = {}
        for row, firsts in asked.values():  # two offsets inside one token share its row
            rows.setdefault(row, []).extend(t for t in firsts if t >= 0)
        with self._lock:
            (scores,), picked = self._decode_groups(
                [_Group([self.start_token], [tokens], [len(tokens)])], probe_rows=rows
            )
            # Sequence 0 now holds the text, its cells the same as _fill makes: score_in_context can
            # decode variants of it beside it.
            self._resident = [self.start_token, *tokens]
        per_token = scores[1][0]
        out = tuple((a, b, float(lp)) for (a, b), lp in zip(spans, per_token, strict=False))
        probed = {
            offset: tuple(picked[row].get(t, -math.inf) for t in firsts) for offset, (row, firsts) in asked.items()
        }
        return TokenRead(out, probed)

    def score_in_context(self, vs: VariantSet) -> list[LMScore]:
        """An :class:`LMScore` per filler, from the span on (the text before it conditions, unscored),
        with the text before the span taken from one reading of the whole text.

        The text as it stands is read into the KV cache's sequence 0, unless it is there
        already: the best level's surprise gate reads a sentence (:meth:`read`), then
        stage two scores variants of spans in it, and each of those would otherwise decode
        the sentence up to its span again. Each variant then decodes only the last token
        before the span and its own remainder, attending to the resident cells. On dev
        (best level, 200 spun records and 40 spun documents) that decoded 27% and 30%
        fewer tokens, with the same output text; confidences moved by at most 0.0015.
        The resident text is always read alone, in the same batch, so a score does not
        depend on what was read before it. A span the reading does not reach (a text
        longer than one decode) is scored as by :meth:`score_sets` with ``with_prefix=False``.
        """
        window = self.right_context
        results: list[LMScore | None] = [None] * len(vs.fillers)
        with self._lock:
            missing = []
            for j, filler in enumerate(vs.fillers):
                key = (vs.text, vs.start, vs.end, filler, window, "in-context")
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    results[j] = hit
                else:
                    missing.append((j, filler, key))
            if missing:
                prefix, rests, heads = self._split(vs, [f for _, f, _ in missing], window)
                text = [self.start_token, *self.tokenize(vs.text)][: self.n_ctx]
                keep = len(prefix) - 1  # the cells reused; the prefix's last token is decoded again
                items = list(zip(missing, rests, heads, strict=True))
                room = min(self.n_ctx, self.kv_cells - len(text))  # cells beside the resident text
                shared = keep >= 1 and text[: len(prefix)] == prefix and self.max_sequences > 1
                if not shared or 1 + max(map(len, rests)) > room:
                    scored = self._run([_Group.of(p, c, False) for p, c in self._chunks(prefix, items)])
                    scores = [score for row in scored for score in row]
                else:
                    if self._resident != text:
                        self._fill(text)
                    scores = []
                    for last, chunk in self._chunks(prefix[keep:], items, self.max_sequences - 1, room):
                        scores.extend(self._beside_resident(keep, last[0], chunk))
                for ((j, _, key), _, _), score in zip(items, scores, strict=True):
                    results[j] = score
                    self._remember(key, score)
        return [s for s in results if s is not None]

    def _fill(self, tokens: list[int]) -> None:
        """Read ``tokens`` (the start token first) into sequence 0 alone, at the positions :meth:`read` gives them.

        Only the last token's output is asked for: the cells do not depend on which outputs a
        decode computes (the same bits after :meth:`read` and after this, on 40 dev texts and in
        ``test_lm_scores_in_context_do_not_depend_on_what_was_read_before``), and the variants
        need none of them, so the vocabulary projection and its softmax for every other token
        are saved.
        """
        self._decode_groups([_Group(tokens[:-1], [tokens[-1:]], [1], False)])
        self._resident = list(tokens)

    def _beside_resident(self, keep: int, last: int, chunk: list[Any]) -> list[LMScore]:
        """Decode ``chunk``'s remainders, each in its own sequence that shares the resident cells before
        position ``keep``, after ``last`` (the token at ``keep``, whose output predicts each remainder)."""
        lib, memory = self._lib, self._memory
        lib.llama_memory_seq_keep(memory, 0)
        for seq in range(1, len(chunk) + 1):
            lib.llama_memory_seq_cp(memory, 0, seq, 0, keep)
        try:
            group = _Group.of([last], chunk, False)
            decoded, _ = self._decode_groups([group], base=keep, first_seq=1, clear=False)
        except Exception:
            self._resident = None  # a failed decode may leave cells behind: read the text afresh next time
            raise
        finally:
            lib.llama_memory_seq_keep(memory, 0)  # the variants go; the resident text stays
        return self._scores([group], decoded)[0]

    def clear_cache(self) -> None:
        """Forget every cached score (benchmarks time a cold start with it)."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        self._finalizer()

    # -- internals --------------------------------------------------------------

    def _remember(self, key: tuple[object, ...], score: LMScore) -> None:
        self._cache[key] = score
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _split(
        self, vs: VariantSet, fillers: list[str], window: int | None
    ) -> tuple[list[int], list[list[int]], list[int]]:
        """Tokens of the shared prefix and of each filler's remainder.

        The cut goes before the whitespace that precedes the span: byte-level BPE
        tokenizers glue a space to the *following* word, so the prefix tokenized
        alone is exactly the prefix of the tokenized whole sentence.
        """
        cut = vs.start
        while cut > 0 and vs.text[cut - 1].isspace():
            cut -= 1
        prefix = [self.start_token, *self.tokenize(vs.text[:cut])]
        gap, tail = vs.text[cut : vs.start], vs.text[vs.end :]
        rests, heads = [], []
        for filler in fillers:
            rest = self.tokenize(gap + filler + tail)
            head = min(len(self.tokenize(gap + filler)), len(rest))
            if window is not None:
                rest = rest[: head + window]
            rests.append(rest)
            heads.append(head)
        return prefix, rests, heads

    def _chunks(
        self, prefix: list[int], items: list[Any], max_sequences: int = 0, room: int = 0
    ) -> list[tuple[list[int], list[Any]]]:
        """Split one set's variants into decodes of at most ``room`` tokens and ``max_sequences`` variants
        (by default this object's ``n_ctx`` and ``max_sequences``).

        A prefix too long to fit next to its longest remainder keeps its start
        token and its last tokens (the context nearest the span matters most).
        """
        budget = room or self.n_ctx
        longest = max(len(r) for _, r, _ in items)
        fits = budget - 1
        if longest > fits - 1:  # the remainder alone does not fit: score its start only
            items = [(m, r[: fits - 1], min(h, fits - 1)) for m, r, h in items]
            longest = fits - 1
        if len(prefix) + longest > budget:
            keep = budget - longest - 1
            prefix = [prefix[0], *prefix[len(prefix) - keep :]] if keep > 0 else prefix[:1]
        most = max_sequences or self.max_sequences
        chunks: list[tuple[list[int], list[Any]]] = []
        current: list[Any] = []
        used = len(prefix)
        for item in items:
            size = len(item[1])
            if current and (used + size > budget or len(current) >= most):
                chunks.append((prefix, current))
                current, used = [], len(prefix)
            current.append(item)
            used += size
        chunks.append((prefix, current))
        return chunks

    def _run(self, groups: list[_Group]) -> list[list[LMScore]]:
        """Pack groups into as few decodes as fit, and turn token log-probs into scores."""
        out: list[list[LMScore]] = []
        pending: list[_Group] = []
        used = seqs = 0
        for group in groups:
            size = len(group.prefix) + sum(len(r) for r in group.rests)
            if pending and (used + size > self.n_ctx or seqs + len(group.rests) > self.max_sequences):
                out.extend(self._finish(pending))
                pending, used, seqs = [], 0, 0
            pending.append(group)
            used += size
            seqs += len(group.rests)
        if pending:
            out.extend(self._finish(pending))
        return out

    def _finish(self, groups: list[_Group]) -> list[list[LMScore]]:
        decoded, _ = self._decode_groups(groups)
        return self._scores(groups, decoded)

    @staticmethod
    def _scores(groups: list[_Group], decoded: list[tuple[float, list[np.ndarray]]]) -> list[list[LMScore]]:
        """Each group's remainders' token log-probabilities as :class:`LMScore` rows."""
        out = []
        for group, (prefix_lp, rest_lps) in zip(groups, decoded, strict=True):
            row = []
            for lps, head in zip(rest_lps, group.heads, strict=True):
                row.append(
                    LMScore(
                        logprob=float(prefix_lp + lps.sum()),
                        n_tokens=(len(group.prefix) - 1 if group.score_prefix else 0) + len(lps),
                        filler_logprob=float(lps[:head].sum()),
                        filler_tokens=head,
                    )
                )
            out.append(row)
        return out

    def _decode_groups(
        self,
        groups: list[_Group],
        probe_rows: dict[int, list[int]] | None = None,
        base: int = 0,
        first_seq: int = 0,
        clear: bool = True,
    ) -> tuple[list[tuple[float, list[np.ndarray]]], dict[int, dict[int, float]]]:
        """One ``llama_decode`` over all groups; log-probs of every token after the start.

        Returns per group the prefix's log-probability and, per remainder, the
        log-probability of each of its tokens; and for each output row of
        ``probe_rows`` the log-probabilities of the tokens it names there.
        ``clear=False`` keeps what the cache holds, and the tokens go at positions
        from ``base`` in sequences from ``first_seq`` (:meth:`_beside_resident`).
        """
        lib, batch = self._lib, self._batch
        if clear:
            lib.llama_memory_clear(self._memory, True)
            self._resident = None
        n = 0
        seq = first_seq
        rows: list[int] = []  # output row -> batch index (outputs come back in batch order)
        targets: list[int] = []  # token each output row must predict (-1: none)
        # per group: the prefix's first and last output rows, (row0, len) per rest
        layout: list[tuple[int, int, list[tuple[int, int]]]] = []
        for group in groups:
            seq_ids = list(range(seq, seq + len(group.rests)))
            seq += len(group.rests)
            p = len(group.prefix)
            prefix_row0 = len(rows)
            for pos, tok in enumerate(group.prefix):
                batch.token[n] = tok
                batch.pos[n] = base + pos
                batch.n_seq_id[n] = len(seq_ids)
                for k, s in enumerate(seq_ids):
                    batch.seq_id[n][k] = s
                wanted = group.score_prefix or pos == p - 1
                batch.logits[n] = 1 if wanted else 0
                if wanted:
                    rows.append(n)
                    targets.append(group.prefix[pos + 1] if pos + 1 < p else -1)
                n += 1
            last_prefix_row = len(rows) - 1
            rest_rows = []
            for s, rest in zip(seq_ids, group.rests, strict=True):
                rest_rows.append((len(rows), len(rest)))
                for k, tok in enumerate(rest):
                    batch.token[n] = tok
                    batch.pos[n] = base + p + k
                    batch.n_seq_id[n] = 1
                    batch.seq_id[n][0] = s
                    last = k == len(rest) - 1
                    batch.logits[n] = 0 if last else 1
                    if not last:
                        rows.append(n)
                        targets.append(rest[k + 1])
                    n += 1
            layout.append((prefix_row0, last_prefix_row, rest_rows))
        batch.n_tokens = n
        status = lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status} on {n} tokens")
        self.tokens_evaluated += n
        logits = np.ctypeslib.as_array(lib.llama_get_logits(self._ctx), shape=(len(rows), self.n_vocab))
        logprob_rows = _pick_logprobs(logits, targets)
        full = _log_softmax_rows(logits, [i for i, t in enumerate(targets) if t < 0])
        out: list[tuple[float, list[np.ndarray]]] = []
        for group, (prefix_row0, last_prefix_row, rest_rows) in zip(groups, layout, strict=True):
            prefix_lp = float(logprob_rows[prefix_row0:last_prefix_row].sum()) if group.score_prefix else 0.0
            last_prefix = full[last_prefix_row]
            per_rest = []
            for (row0, length), rest in zip(rest_rows, group.rests, strict=True):
                if length == 0:
                    per_rest.append(np.zeros(0, dtype=np.float64))
                    continue
                first = float(last_prefix[rest[0]])
                inner = logprob_rows[row0 : row0 + length - 1]
                per_rest.append(np.concatenate([[first], inner]).astype(np.float64))
            out.append((prefix_lp, per_rest))
        picked: dict[int, dict[int, float]] = {}
        if probe_rows:
            which = np.array(sorted(probe_rows))
            norms = _logsumexp(logits, which)
            for row, norm in zip(which.tolist(), norms.tolist(), strict=True):
                wanted = probe_rows[row]
                picked[row] = dict(zip(wanted, (logits[row, wanted] - norm).tolist(), strict=True))
        return out, picked


#: Rows of logits normalised per pass. A decode returns up to ``n_ctx`` rows of
#: ``n_vocab`` floats (``logits-mb`` in models.toml); normalising them all at once
#: made three temporary copies of that size (48 MB each at the time), which set the
#: peak RSS of a long document. 16 rows of SmolLM2 take 3 MB, and the results are
#: the same bits.
LOGSUMEXP_ROWS = 16


def _logsumexp(logits: np.ndarray, which: np.ndarray | None = None) -> np.ndarray:
    """``log(sum(exp(row)))`` of each row of ``logits`` (of the rows ``which`` names), a few rows at a time."""
    index = np.arange(len(logits)) if which is None else which
    out = np.empty(len(index), dtype=logits.dtype)
    scratch = np.empty((min(LOGSUMEXP_ROWS, len(index)), logits.shape[1]), dtype=logits.dtype)
    for lo in range(0, len(index), LOGSUMEXP_ROWS):
        rows = index[lo : lo + LOGSUMEXP_ROWS]
        part = scratch[: len(rows)]
        np.take(logits, rows, axis=0, out=part)
        top = part.max(axis=1)
        np.subtract(part, top[:, None], out=part)
        np.exp(part, out=part)
        out[lo : lo + len(rows)] = np.log(part.sum(axis=1)) + top
    return out


def _pick_logprobs(logits: np.ndarray, targets: list[int]) -> np.ndarray:
    """Log-probability of each row's target token (``nan`` where there is none)."""
    target = np.asarray(targets)
    has = target >= 0
    out = np.full(len(targets), np.nan, dtype=np.float64)
    if has.any():
        idx = np.nonzero(has)[0]
        picked = logits[idx, target[idx]]
        out[idx] = picked - _logsumexp(logits, idx)
    return out


def _log_softmax_rows(logits: np.ndarray, which: list[int]) -> dict[int, np.ndarray]:
    """Full log-softmax of a few rows (the last prefix row, shared by all variants)."""
    if not which:
        return {}
    sub = logits[which]
    norm = sub - _logsumexp(sub)[:, None]
    return {i: norm[k] for k, i in enumerate(which)}
