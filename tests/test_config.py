from pathlib import Path

import pytest

from repair.config import Config, ConfigError, from_mapping, load_config


def test_defaults_come_from_the_data_file():
    config = Config()
    assert 0 < config.min_confidence < 1
    assert "lexicon" in config.detectors


def test_pyproject_tool_repair_is_found_upward(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.repair]\nmin-confidence = 0.9\nignore-phrases = ["big data"]\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = load_config(start=sub)
    assert config.min_confidence == 0.9 and config.ignore_phrases == ("big data",)


def test_config_file_overrides_project(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.repair]\nmin-confidence = 0.9\n")
    extra = tmp_path / "extra.toml"
    extra.write_text('min-confidence = 0.7\nextend-lexicon = ["mine.tsv"]\n')
    config = load_config(extra, start=tmp_path)
    assert config.min_confidence == 0.7
    assert config.extend_lexicon == (str((tmp_path / "mine.tsv").resolve()),)


def test_isolated_ignores_project_config(tmp_path: Path):
    (tmp_path / "repair.toml").write_text("min-confidence = 0.9\n")
    assert load_config(start=tmp_path, isolated=True) == Config()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": 1}, "unknown key 'colour'"),
        ({"min-confidence": "high"}, "must be a number"),
        ({"min-confidence": 2}, "between 0 and 1"),
        ({"glob": [1]}, "list of strings"),
        ({"detectors": ["psychic"]}, "unknown detector"),
        ({"jobs": -1}, "jobs must be"),
    ],
)
def test_bad_values_name_the_origin(data, message):
    with pytest.raises(ConfigError, match=f"^cfg.toml: .*{message}"):
        from_mapping(data, "cfg.toml")


def test_invalid_toml_is_reported(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("min-confidence = = 1")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad, isolated=True)
