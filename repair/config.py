"""One frozen settings object, read from defaults, pyproject.toml, --config and flags.

Precedence (highest first): command-line options, ``--config FILE``,
``[tool.repair]`` in the nearest ``pyproject.toml`` (or ``repair.toml`` /
``.repair.toml``) found from the working directory upward, stopping at a ``.git``
folder, then ``repair/data/defaults.toml``. Keys are the long option names in
kebab-case; an unknown key or a value of the wrong type is an error that names
the file, never silently ignored (black's ``read_pyproject_toml`` does the same).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .markup import MARKUPS

CONFIG_NAMES = ("repair.toml", ".repair.toml", "pyproject.toml")


class ConfigError(ValueError):
    """A configuration problem, reported in one line with the file (and line) it came from."""


def key_line(origin: str, raw_key: str) -> int | None:
    """The line of ``origin`` (a TOML file) where ``raw_key`` is set, for error messages.

    Only the ``[tool.repair]`` table of a ``pyproject.toml`` is searched, so a
    ``line-length`` under ``[tool.black]`` is not blamed.
    """
    path = Path(origin)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    # Top-level keys count in a repair.toml or --config file; under any table
    # header only [tool.repair] does.
    in_table = path.name != "pyproject.toml"
    pattern = re.compile(rf"^\s*[\"']?{re.escape(raw_key)}[\"']?\s*=")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == "tool.repair"
            continue
        if in_table and pattern.match(line):
            return number
    return None


def _where(origin: str, raw_key: str) -> str:
    line = key_line(origin, raw_key)
    return f"{origin}:{line}" if line else origin


def _defaults() -> dict[str, Any]:
    text = resources.files("repair").joinpath("data/defaults.toml").read_text(encoding="utf-8")
    return {k.replace("-", "_"): v for k, v in tomllib.loads(text).items()}


_DEFAULTS = _defaults()


@dataclass(frozen=True, slots=True)
class Config:
    min_confidence: float = _DEFAULTS["min_confidence"]
    context_min_confidence: float = _DEFAULTS["context_min_confidence"]
    context_fast_min_confidence: float = _DEFAULTS["context_fast_min_confidence"]
    context_spun_min_confidence: float = _DEFAULTS["context_spun_min_confidence"]
    context_fast_spun_min_confidence: float = _DEFAULTS["context_fast_spun_min_confidence"]
    context_phrase_min_confidence: float = _DEFAULTS["context_phrase_min_confidence"]
    ambiguity_margin: float = _DEFAULTS["ambiguity_margin"]
    detectors: tuple[str, ...] = tuple(_DEFAULTS["detectors"])
    builtin_lexicons: tuple[str, ...] = tuple(_DEFAULTS["builtin_lexicons"])
    extend_lexicon: tuple[str, ...] = tuple(_DEFAULTS["extend_lexicon"])
    ignore_phrases: tuple[str, ...] = tuple(_DEFAULTS["ignore_phrases"])
    glob: tuple[str, ...] = tuple(_DEFAULTS["glob"])
    exclude: tuple[str, ...] = tuple(_DEFAULTS["exclude"])
    markup: str = _DEFAULTS["markup"]
    markdown_suffixes: tuple[str, ...] = tuple(_DEFAULTS["markdown_suffixes"])
    latex_suffixes: tuple[str, ...] = tuple(_DEFAULTS["latex_suffixes"])
    rst_suffixes: tuple[str, ...] = tuple(_DEFAULTS["rst_suffixes"])
    jobs: int = _DEFAULTS["jobs"]
    lm_model: str = _DEFAULTS["lm_model"]
    embedding_model: str = _DEFAULTS["embedding_model"]
    ngram_model: str = _DEFAULTS["ngram_model"]
    quality: str = _DEFAULTS["quality"]
    model_threads: int = _DEFAULTS["model_threads"]
    lm_right_context: int = _DEFAULTS["lm_right_context"]
    stream_threshold: int = _DEFAULTS["stream_threshold"]
    chunk_size: int = _DEFAULTS["chunk_size"]

    def replace(self, **changes: Any) -> Config:
        """A copy with the given (non-None) fields changed and validated."""
        clean = {k: v for k, v in changes.items() if v is not None}
        return validate(dataclasses.replace(self, **clean), "options")

    def to_toml_dict(self) -> dict[str, Any]:
        return {f.name.replace("_", "-"): _plain(getattr(self, f.name)) for f in fields(self)}

    @property
    def lexicon_key(self) -> tuple[Any, ...]:
        """What identifies the loaded lexicons (for caching compiled pipelines)."""
        return (self.builtin_lexicons, self.extend_lexicon)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


_TYPES = {f.name: f.type for f in fields(Config)}


def from_mapping(data: dict[str, Any], origin: str, base: Config | None = None, root: Path | None = None) -> Config:
    """Overlay a ``[tool.repair]``-style mapping on ``base``; paths resolve from ``root``."""
    base = base or Config()
    changes: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key not in _TYPES:
            known = ", ".join(sorted(k.replace("_", "-") for k in _TYPES))
            raise ConfigError(f"{_where(origin, raw_key)}: unknown key {raw_key!r} (known keys: {known})")
        kind = _TYPES[key]
        if kind.startswith("tuple"):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{_where(origin, raw_key)}: {raw_key} must be a list of strings")
            if key == "extend_lexicon" and root is not None:
                value = [str((root / v).resolve()) if not Path(v).is_absolute() else v for v in value]
            changes[key] = tuple(value)
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{_where(origin, raw_key)}: {raw_key} must be a number")
            changes[key] = float(value)
        elif kind == "str":
            if not isinstance(value, str):
                raise ConfigError(f"{_where(origin, raw_key)}: {raw_key} must be a string")
            changes[key] = value
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{_where(origin, raw_key)}: {raw_key} must be a whole number")
            changes[key] = value
    try:
        return validate(dataclasses.replace(base, **changes), origin)
    except ConfigError as exc:
        # Point at the line that set the offending key, when this file set it.
        key = getattr(exc, "key", None)
        raw = next((k for k in data if k.replace("-", "_") == key), None)
        if raw is None:
            raise
        raise _error(_where(origin, raw), str(exc).split(": ", 1)[1], key) from None


def _error(where: str, problem: str, key: str | None = None) -> ConfigError:
    error = ConfigError(f"{where}: {problem}")
    error.key = key  # type: ignore[attr-defined]
    return error


def validate(config: Config, origin: str) -> Config:
    checks = (
        (
            "min_confidence",
            0.0 <= config.min_confidence <= 1.0,
            f"min-confidence must be between 0 and 1, not {config.min_confidence}",
        ),
        ("ambiguity_margin", 0.0 <= config.ambiguity_margin <= 1.0, "ambiguity-margin must be between 0 and 1"),
        (
            "context_min_confidence",
            0.0 <= config.context_min_confidence <= 1.0,
            "context-min-confidence must be between 0 and 1",
        ),
        (
            "context_fast_min_confidence",
            0.0 <= config.context_fast_min_confidence <= 1.0,
            "context-fast-min-confidence must be between 0 and 1",
        ),
        (
            "context_spun_min_confidence",
            0.0 <= config.context_spun_min_confidence <= 1.0,
            "context-spun-min-confidence must be between 0 and 1",
        ),
        (
            "context_fast_spun_min_confidence",
            0.0 <= config.context_fast_spun_min_confidence <= 1.0,
            "context-fast-spun-min-confidence must be between 0 and 1",
        ),
        (
            "context_phrase_min_confidence",
            0.0 <= config.context_phrase_min_confidence <= 1.0,
            "context-phrase-min-confidence must be between 0 and 1",
        ),
        ("jobs", config.jobs >= 0, "jobs must be 0 (all cores) or more"),
        ("chunk_size", config.chunk_size >= 1000, "chunk-size must be at least 1000 characters"),
        ("stream_threshold", config.stream_threshold >= 0, "stream-threshold must be 0 or more"),
        ("quality", config.quality in ("fast", "best"), f"quality must be fast or best, not {config.quality!r}"),
        (
            "markup",
            config.markup in MARKUPS,
            f"markup must be {', '.join(MARKUPS[:-1])} or {MARKUPS[-1]}, not {config.markup!r}",
        ),
        ("model_threads", config.model_threads >= 0, "model-threads must be 0 (all cores) or more"),
        (
            "lm_right_context",
            config.lm_right_context >= -1,
            "lm-right-context must be -1 (to the end of the sentence) or more",
        ),
    )
    for key, ok, problem in checks:
        if not ok:
            raise _error(origin, problem, key)
    from .models.registry import names

    for kind, name, key in (
        ("lm", config.lm_model, "lm_model"),
        ("embedding", config.embedding_model, "embedding_model"),
        ("ngram", config.ngram_model, "ngram_model"),
    ):
        if name not in names(kind):
            raise _error(origin, f"unknown {key.replace('_', '-')} {name!r}; known: {', '.join(names(kind))}", key)
    from .detect import DETECTORS

    unknown = [d for d in config.detectors if d not in DETECTORS]
    if unknown:
        raise _error(origin, f"unknown detector(s) {unknown}; known: {', '.join(DETECTORS)}", "detectors")
    return config


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("repair", {})
    return data.get("tool", {}).get("repair", data)


def find_project_config(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward, stopping at a git root."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                if name != "pyproject.toml" or _has_tool_repair(candidate):
                    return candidate
        if (folder / ".git").exists():
            return None
    return None


def _has_tool_repair(path: Path) -> bool:
    try:
        return "repair" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_config(
    config_file: str | os.PathLike[str] | None = None, start: Path | None = None, isolated: bool = False
) -> Config:
    """Defaults, then the project's config, then an explicit ``--config`` file (a path or its string)."""
    config = Config()
    if not isolated:
        found = find_project_config(start or Path.cwd())
        if found is not None:
            config = from_mapping(read_toml(found), str(found), config, found.parent)
    if config_file is not None:
        path = Path(config_file)
        config = from_mapping(read_toml(path), str(path), config, path.parent)
    return config
