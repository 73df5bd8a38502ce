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


def test_config_file_may_be_a_string(tmp_path: Path):
    """Library callers pass what they have; a string path reads the same file, relative paths from it."""
    extra = tmp_path / "extra.toml"
    extra.write_text('min-confidence = 0.7\nextend-lexicon = ["mine.tsv"]\n')
    assert load_config(str(extra), isolated=True) == load_config(extra, isolated=True)
    assert load_config(str(extra), isolated=True).extend_lexicon == (str((tmp_path / "mine.tsv").resolve()),)


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


def test_errors_name_the_file_and_line(tmp_path: Path):
    bad = tmp_path / "repair.toml"
    bad.write_text('# settings\nglob = ["*.txt"]\n\nmin-confidense = 0.9\n')
    with pytest.raises(ConfigError, match=r"repair\.toml:4: unknown key 'min-confidense'"):
        load_config(bad, isolated=True)
    bad.write_text('glob = ["*.txt"]\nmin-confidence = 7\n')
    with pytest.raises(ConfigError, match=r"repair\.toml:2: min-confidence must be between 0 and 1"):
        load_config(bad, isolated=True)
    bad.write_text("min-confidence = = 1\n")
    with pytest.raises(ConfigError, match=r"invalid TOML.*line 1"):
        load_config(bad, isolated=True)


def test_pyproject_errors_point_into_the_tool_repair_table(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    project = tmp_path / "pyproject.toml"
    project.write_text('[tool.black]\njobs = 4\n\n[tool.repair]\nglob = ["*.md"]\njobs = "many"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml:6: jobs must be a whole number"):
        load_config(start=tmp_path)


def test_config_never_executes_code(tmp_path: Path):
    marker = tmp_path / "pwned"
    bad = tmp_path / "evil.toml"
    bad.write_text(f"detectors = [\"__import__('os').system('touch {marker}')\"]\n")
    with pytest.raises(ConfigError, match="unknown detector"):
        load_config(bad, isolated=True)
    bad.write_text(f'glob = ["$(touch {marker})", "`touch {marker}`"]\n')
    config = load_config(bad, isolated=True)  # patterns are data, matched with fnmatch only
    assert config.glob[0].startswith("$(")
    assert not marker.exists()


def test_streaming_settings_are_validated():
    with pytest.raises(ConfigError, match="chunk-size must be at least"):
        from_mapping({"chunk-size": 10}, "cfg.toml")
    assert from_mapping({"stream-threshold": 0}, "cfg.toml").stream_threshold == 0
