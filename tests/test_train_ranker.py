"""The training script's own arithmetic (tools/train_ranker.py); the training runs themselves are too slow for tests."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest


def _train_ranker():
    path = Path(__file__).resolve().parents[1] / "tools" / "train_ranker.py"
    spec = importlib.util.spec_from_file_location("train_ranker", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_offset_logistic_recovers_the_weight_of_a_flag_over_fixed_log_odds():
    """The fast level's echo weight says only what an echo adds to log-odds it keeps as they are."""
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, 2.0, 40_000)
    e = (rng.random(40_000) < 0.2).astype(float)
    y = (rng.random(40_000) < 1.0 / (1.0 + np.exp(-(z + 1.5 * e - 0.3)))).astype(float)
    w, b = _train_ranker()._offset_logistic(z, e, y)
    assert w == pytest.approx(1.5, abs=0.1)
    assert b == pytest.approx(-0.3, abs=0.05)
    # No flag set: nothing to add.
    w0, _ = _train_ranker()._offset_logistic(z, np.zeros_like(z), y)
    assert w0 == pytest.approx(0.0, abs=1e-6)
