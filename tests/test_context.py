"""The open-vocabulary context detector: features, the shipped model, detection."""

from __future__ import annotations

import pytest

from repair.config import Config
from repair.context import (
    FEATURES,
    STAGE2_FEATURES,
    ContextModel,
    FeatureContext,
    default_model,
    detect_context,
    features,
    stage2_features,
    suspects,
)
from repair.resources import Resources
from repair.segment import make_doc


@pytest.fixture(scope="module")
def resources() -> Resources:
    return Resources.for_config(Config(detectors=("lexicon", "artifact", "context"), quality="fast"))


def test_shipped_model_matches_the_features():
    model = default_model()
    assert model is not None, "repair/data/ranker.json is missing: run tools/train_ranker.py"
    assert model.features == FEATURES
    assert len(model.weights) == len(FEATURES)
    assert len(model.stage2) == len(STAGE2_FEATURES) + 1


def test_model_refuses_other_features():
    with pytest.raises(ValueError, match="trained on features"):
        ContextModel.from_dict({"features": ["x"], "mean": [0], "scale": [1], "weights": [1], "bias": 0})


def test_suspects_skip_names_numbers_and_function_words(test_index):
    doc = make_doc("Army analysts said the troopers in London had 20 quilts. Hearth was warm.")
    found = {s.text for s in suspects(doc, test_index)}
    assert "troopers" in found and "Hearth" in found  # sentence-initial capital is fine
    assert "Army" not in found or "Army" == doc.tokens[0].text  # names mid-sentence never
    assert not {"London", "20", "the", "had"} & found


def test_three_gram_margin_prefers_the_fitting_candidate(test_index, resources):
    doc = make_doc("Soldiers advanced under the cover of heavy artillery hearth and air strikes.")
    ctx = FeatureContext(doc)
    [suspect] = [s for s in suspects(doc, test_index) if s.text == "hearth"]
    rows = dict(zip((link.text for link in suspect.links), features(ctx, suspect, resources.ngram_lm), strict=True))
    margin = FEATURES.index("lm_margin")
    assert rows["fire"][margin] > rows["fireplace"][margin]
    model = default_model()
    assert model.probability(rows["fire"]) > model.probability(rows["fireplace"])


def test_fast_detection_explains_itself(resources):
    doc = make_doc("Soldiers advanced under the cover of heavy artillery hearth and air strikes.")
    spans = detect_context(doc, resources)
    for span in spans:
        assert span.detector == "context" and span.hints
        assert "thesaurus synonym" in span.evidence
        assert 0.0 <= span.score <= 1.0


def test_stage2_features_cap_margins():
    x = stage2_features(0.5, [-100.0, -50.0, -90.0])
    assert x == [0.0, 20.0, 20.0]
    assert stage2_features(0.9, [-10.0, -12.0])[2] == 20.0


def test_context_detector_leaves_clean_fixture_alone(fixtures, resources):
    from repair.pipeline import Pipeline

    text = (fixtures / "clean_arxiv.txt").read_text(encoding="utf-8")
    pipeline = Pipeline(resources.config)
    assert pipeline.run(text).text == text
