"""Shared fixtures. Tests never read ../shared: small fixtures live in tests/fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# A small inverted index built from links written for the tests, installed as the
# process default so no test builds the full index over the installed thesauri
# (minutes of work; covered by the slow test in test_inverse.py and the benchmark).
TEST_LINKS = [
    # (headword, synonym, source, pos, sense, rank)
    ("soldier", "trooper", "moby", "", 0, 0),
    ("soldier", "warrior", "moby", "", 0, 1),
    ("police officer", "trooper", "wordnet", "n", 0, 0),
    ("military", "navy", "moby", "", 0, 0),
    ("military", "army", "moby", "", 0, 1),
    ("dark blue", "navy", "mythes", "a", 0, 3),
    ("fire", "hearth", "mythes", "n", 0, 0),
    ("fireplace", "hearth", "wordnet", "n", 0, 0),
    ("cover", "quilt", "mythes", "n", 0, 0),
    ("according to", "in keeping with", "moby", "", 0, 0),
    ("war", "battle", "moby", "", 0, 0),
    ("house", "home", "moby", "", 0, 0),
    ("court", "courtroom", "wordnet", "n", 0, 0),
    ("do", "perform", "moby", "", 0, 0),
    ("have", "possess", "moby", "", 0, 0),
    ("say", "state", "wordnet", "v", 0, 0),
    ("say", "declare", "wordnet", "v", 0, 1),
    ("big", "large", "wordnet", "a", 0, 0),
    ("try", "make an attempt", "moby", "", 0, 0),
    ("group", "team", "mythes", "n", 0, 1),
]
TEST_FREQ = {"soldier": 3e-5, "military": 1e-4, "fire": 1e-4, "say": 1e-3, "big": 2e-4, "war": 2e-4}


def make_test_index():
    from repair.inverse import build_index, settings
    from repair.thesauri import SynonymLink

    links = [SynonymLink(*row) for row in TEST_LINKS]
    params = dict(settings())
    return build_index(links, params, frequency=lambda h: TEST_FREQ.get(h, 1e-6), commonness=lambda s: 5.0)


@pytest.fixture(scope="session")
def test_index():
    return make_test_index()


@pytest.fixture(autouse=True)
def _small_default_index(test_index, monkeypatch):
    import repair.inverse as inverse

    monkeypatch.setitem(inverse._DEFAULT, "index", test_index)
    yield


@pytest.fixture
def runner():
    """typer's CLI runner (stdout and stderr kept apart)."""
    from typer.testing import CliRunner

    return CliRunner()
